# The blind cases are training projects to lint, not tests: some carry their own test files
# (tests/test_*.py) as real repositories do. Never collect anything under this directory.
collect_ignore_glob = ["*"]
