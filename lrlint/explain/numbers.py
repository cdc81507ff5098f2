"""How ``lrlint explain`` writes numbers: LRs in short scientific notation, steps with commas."""

from __future__ import annotations

import math
from collections.abc import Sequence


def lr_text(value: float, digits: int = 5) -> str:
    """``1.0007e-4``, ``1e-1``, ``0``: ``digits`` significant digits, no padding zeros."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def lrs_text(values: float | Sequence[float], digits: int = 5) -> str:
    """One LR, or one per param group separated by `` | ``."""
    if isinstance(values, (int, float)):
        return lr_text(values, digits)
    return " | ".join(lr_text(value, digits) for value in values)


def steps_text(count: int) -> str:
    return f"{count:,}"


def factor_text(value: float) -> str:
    """A multiplier such as gamma: ``0.1``, ``0.99931``."""
    return f"{value:.5g}"
