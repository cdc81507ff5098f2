"""LR100 unused-suppression and LR101 unknown-suppression-code."""

from __future__ import annotations

from textwrap import dedent

import pytest

from lrlint import lint_source
from lrlint.checks import all_rules
from lrlint.config import OPT_IN, Config

BAD = dedent("""\
    import torch
    opt = torch.optim.SGD(params, lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for epoch in range(10):
        opt.step()
        sched.step()
    opt.lr = 0.01{comment}
""")


IGNORE = "Unused `lrlint: ignore` directive"
NONE = "no such finding on this line"


def findings(comment: str, **options) -> list[tuple[str, str]]:
    options.setdefault("select", ["ALL"])
    result = lint_source(BAD.format(comment=comment), "t.py", **options)
    return [(d.code, d.message) for d in result.diagnostics]


def test_used_directives_are_fine():
    assert findings("  # lrlint: ignore[LR001]") == []
    assert findings("  # noqa: LR001") == []
    assert findings("  # lrlint: ignore") == []


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("  # lrlint: ignore[LR001, LR003]", [("LR100", f"{IGNORE} (unused: `LR003`): {NONE}")]),
        ("  # noqa: LR001,LR003", [("LR100", f"Unused `noqa` directive (unused: `LR003`): {NONE}")]),
        ("  # lrlint: ignore[LR001, LR999]",
         [("LR101", "`lrlint: ignore` names a code no lrlint rule has: `LR999`")]),
        ("  # lrlint: ignore[LR001, E501]",
         [("LR101", "`lrlint: ignore` names a code no lrlint rule has: `E501`")]),
        ("  # noqa: LR001, LR01, E501",
         [("LR101", "`noqa` names a code no lrlint rule has: `LR01` (did you mean `LR001`?)")]),
        ("  # lrlint: ignore[LR001, LR003, LR999, LR9]",
         [("LR100", f"{IGNORE} (unused: `LR003`): {NONE}"),
          ("LR101", "`lrlint: ignore` names codes no lrlint rule has: `LR999`, "
                    "`LR9` (did you mean `LR009`?)")]),
    ],
)
def test_unused_and_unknown_codes_are_reported(comment, expected):
    assert findings(comment) == expected


def test_unknown_codes_are_reported_by_default_unused_ones_on_request():
    assert [c for c, _ in findings("  # lrlint: ignore[LR001, LR01]", select=None)] == ["LR101"]
    assert findings("  # lrlint: ignore[LR001, LR003]", select=None) == []


def test_bare_lrlint_ignore_with_nothing_to_suppress():
    source = BAD.format(comment="").replace("    opt.step()\n",
                                            "    opt.step()  # lrlint: ignore\n")
    (finding,) = [d for d in lint_source(source, "t.py", select=["ALL"]).diagnostics
                  if d.code == "LR100"]
    assert finding.message.startswith("Unused blanket `# lrlint: ignore`")
    assert (finding.start.line, finding.start.column) == (5, 17)


def test_left_alone_bare_noqa_other_tools_disabled_rules_strings():
    assert findings("  # noqa") == []
    assert findings("  # noqa: LR001, E501, F401") == []
    # LR003 is not enabled: another run may enable it.
    assert findings("  # lrlint: ignore[LR001, LR003]", select=["LR001", "LR100"]) == []
    in_string = BAD.format(comment="\nnote = '# lrlint: ignore[LR005]'")
    assert [d.code for d in lint_source(in_string, "t.py", select=["ALL"]).diagnostics] == [
        "LR001"]
    assert findings("  # lrlint: ignore[LR001, LR100, LR003]") == []  # it hides LR100 itself
    assert findings("  # lrlint: ignore[LR001, LR101, LR03]") == []


def test_opt_in_like_ruffs_rule():
    assert findings("  # lrlint: ignore[LR001, LR003]", select=None) == []
    assert ("LR100" in [c for c, _ in findings("  # lrlint: ignore[LR001, LR003]",
                                               select=["LR"])])
    assert OPT_IN == {rule.code for rule in all_rules() if getattr(rule, "opt_in", False)}
    known = {rule.code: rule.name for rule in all_rules()}
    assert "LR100" not in Config.default(known).enabled and "LR001" in Config.default(known).enabled


@pytest.mark.parametrize(
    ("comment", "fixed"),
    [
        ("  # lrlint: ignore[LR001, LR003]", "  # lrlint: ignore[LR001]"),
        ("  # noqa: LR001, LR003, E501", "  # noqa: LR001, E501"),
    ],
)
def test_fix_removes_only_the_unused_codes(comment, fixed):
    result = lint_source(BAD.format(comment=comment), "t.py", select=["ALL"], fix=True)
    assert result.fixed_source == BAD.format(comment=fixed)
    assert result.diagnostics == []


def test_fix_removes_a_whole_unused_directive_keeping_a_comment_after_it():
    source = BAD.format(comment="").replace(
        "    opt.step()\n", "    opt.step()  # lrlint: ignore[LR003]  # keep me\n").replace(
        "    sched.step()\n", "    sched.step()  # lrlint: ignore[LR012] why\n")
    result = lint_source(source, "t.py", select=["LR100", "LR003", "LR012"], fix=True)
    assert "    opt.step()  # keep me\n" in result.fixed_source
    assert "    sched.step()  # why\n" in result.fixed_source
    unused_only = BAD.format(comment="  # lrlint: ignore[LR003]")
    result = lint_source(unused_only, "t.py", select=["LR100", "LR003"], fix=True)
    assert result.fixed_source == BAD.format(comment="")
