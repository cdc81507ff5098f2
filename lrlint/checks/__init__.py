"""The rule registry: one module per rule, found by its file name and loaded on first use.

Adding a rule: write ``lrNNN_<name>.py`` in this package with one
:class:`~lrlint.checks.base.Rule` subclass, and its page ``rules/LRNNN.md`` (the test suite runs
the page's examples). Nothing else needs to change.
"""

from __future__ import annotations

import pkgutil
import re
from functools import lru_cache
from importlib import import_module

from lrlint.checks.base import Rule

_RULE_MODULE = re.compile(r"lr\d{3}_\w+")


def rule_modules() -> list[str]:
    return sorted(
        info.name for info in pkgutil.iter_modules(__path__) if _RULE_MODULE.fullmatch(info.name)
    )


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, ordered by code."""
    classes: list[type[Rule]] = []
    for name in rule_modules():
        module = import_module(f"lrlint.checks.{name}")
        classes.extend(
            value for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule
            and value.__module__ == module.__name__
        )
    return tuple(sorted(classes, key=lambda rule: rule.code))


def rule_by_code() -> dict[str, type[Rule]]:
    return {rule.code: rule for rule in all_rules()}


def known_codes() -> dict[str, str]:
    """code -> kebab-case name, as configuration validation needs it."""
    return {rule.code: rule.name for rule in all_rules()}
