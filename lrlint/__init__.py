"""lrlint: find learning-rate bugs in PyTorch training code.

The public API is imported lazily so that ``lrlint --version`` and the byte prefilter never pay
for libcst: ``lrlint.lint_source``, ``lrlint.lint_paths``, ``lrlint.RunResult``.
"""

from lrlint._version import __version__

__all__ = ["__version__", "lint_paths", "lint_source", "RunResult"]


def __getattr__(name: str):
    if name in ("lint_paths", "lint_source", "RunResult"):
        from lrlint import api

        return getattr(api, name)
    raise AttributeError(f"module 'lrlint' has no attribute {name!r}")
