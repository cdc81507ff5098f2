"""lrlint: find learning-rate bugs in PyTorch training code."""

from lrlint._version import __version__

__all__ = ["__version__"]
