"""The rule registry: one module per rule, loaded on first use.

Adding a rule: write ``lrNNN_<name>.py`` with one :class:`~lrlint.checks.base.Rule` subclass,
list the module here, and add its page ``rules/LRNNN.md`` (the test suite runs its examples).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from lrlint.checks.base import Rule

RULE_MODULES = (
    "lr001_optimizer_lr_attribute",
    "lr002_scheduler_factor_direction",
    "lr003_scheduler_step_before_optimizer_step",
    "lr004_negative_learning_rate",
)


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, ordered by code."""
    classes: list[type[Rule]] = []
    for name in RULE_MODULES:
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
