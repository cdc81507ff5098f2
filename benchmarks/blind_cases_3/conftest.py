# These are benchmark projects, not tests: keep pytest from collecting anything here.
collect_ignore_glob = ["*"]
