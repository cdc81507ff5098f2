import os
import sys

from hypothesis import settings

# tests/ holds shared helpers (rule_pages.py); make them importable as top-level modules.
sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile("ci", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# lrlint raises the recursion limit once for deeply nested files; do it before any test runs so
# that hypothesis does not see it change mid-test.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))


import pytest  # noqa: E402


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A scratch directory as the working directory, with no output format from the caller's
    environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LRLINT_OUTPUT_FORMAT", raising=False)
    return tmp_path
