"""The user's ``file:line`` on the current stack: the innermost frame that is not lrlint's
runtime, torch, or the machinery of a training framework. Read only when a finding is first
seen (or once per step kind), never on every step."""

from __future__ import annotations

import os
import sys

_LRLINT_RUNTIME = os.path.dirname(os.path.abspath(__file__)) + os.sep
# Packages whose frames are machinery, not the user's code. A framework's own loop calling
# scheduler.step() is reported at the user's call into the framework (trainer.train() ...).
_MACHINERY = (
    "torch",
    "accelerate",
    "transformers",
    "lightning",
    "pytorch_lightning",
    "lightning_fabric",
    "_pytest",
    "pluggy",
    "contextlib",
    "warnings",
)
_MAX_DEPTH = 64


def _is_machinery(filename: str) -> bool:
    if filename.startswith((_LRLINT_RUNTIME, "<")):
        return True
    parts = filename.replace("\\", "/").split("/")
    for package in _MACHINERY:
        if package in parts or f"{package}.py" in parts:
            # only as a directory (or module) inside an install location, never a user file
            # that happens to sit in a folder called "lightning"
            return "site-packages" in parts or "dist-packages" in parts or _is_stdlib(filename)
    return False


def _is_stdlib(filename: str) -> bool:
    return filename.startswith((sys.prefix, sys.base_prefix))


def format_site(filename: str, line: int) -> str:
    try:
        relative = os.path.relpath(filename)
    except ValueError:  # another drive on Windows
        relative = filename
    shown = filename if relative.startswith("..") else relative
    return f"{shown}:{line}"


def user_frame(skip: int = 1):
    """The innermost frame of the user's code above the caller, or None."""
    try:
        frame = sys._getframe(skip + 1)
    except ValueError:
        return None
    for _ in range(_MAX_DEPTH):
        if frame is None:
            return None
        if not _is_machinery(frame.f_code.co_filename):
            return frame
        frame = frame.f_back
    return None


def user_site(skip: int = 1) -> str | None:
    """``file:line`` of :func:`user_frame`, or None."""
    frame = user_frame(skip + 1)
    if frame is None:
        return None
    return format_site(frame.f_code.co_filename, frame.f_lineno)


def call_with_warnings_at_user_site(function, args: tuple, kwargs: dict):
    """``function(*args, **kwargs)``, with the warnings it raises that point into lrlint's own
    files (torch's ``stacklevel=2`` lands on the watch's tap) moved to the user's line. Used
    only on the steps where torch may warn (a scheduler's first step, ``step(epoch)``)."""
    import warnings

    frame = user_frame(1)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            return function(*args, **kwargs)
    finally:
        for message in caught:  # after the block: re-issued warnings must not be recorded
            _reissue(message, frame)


def _reissue(message, frame) -> None:
    import warnings

    if frame is not None and message.filename.startswith(_LRLINT_RUNTIME):
        filename, lineno = frame.f_code.co_filename, frame.f_lineno
        module_globals = frame.f_globals
    else:
        filename, lineno, module_globals = message.filename, message.lineno, None
    registry = (
        None if module_globals is None else module_globals.setdefault("__warningregistry__", {})
    )
    warnings.warn_explicit(
        message.message,
        message.category,
        filename,
        lineno,
        registry=registry,
        module_globals=module_globals,
    )
