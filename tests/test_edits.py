"""The fixer's edit guard: fixes whose edits overlap one already taken are skipped (they are
applied in a later round, on the new text), never merged into a corrupt file."""

from __future__ import annotations

from lrlint.diagnostics import Edit, Fix, Position
from lrlint.edits import apply_edits

TEXT = "alpha = 1\nbeta = 2\ngamma = 3\n"


def fix(*edits: tuple[int, int, int, int, str]) -> Fix:
    return Fix("f", tuple(Edit(Position(l1, c1), Position(l2, c2), content)
                          for l1, c1, l2, c2, content in edits))


def test_disjoint_fixes_are_all_applied():
    first = fix((1, 1, 1, 6, "ALPHA"))
    second = fix((3, 1, 3, 6, "GAMMA"))
    applied = apply_edits(TEXT, [first, second])
    assert applied.text == "ALPHA = 1\nbeta = 2\nGAMMA = 3\n"
    assert applied.taken == [first, second]


def test_an_overlapping_fix_is_skipped_and_the_first_one_wins():
    first = fix((1, 1, 1, 6, "ALPHA"))
    overlapping = fix((1, 3, 2, 5, "X"))  # from inside `alpha` into `beta`
    applied = apply_edits(TEXT, [first, overlapping])
    assert applied.text == "ALPHA = 1\nbeta = 2\ngamma = 3\n"
    assert applied.taken == [first]


def test_a_fix_is_taken_whole_or_not_at_all():
    first = fix((2, 1, 2, 5, "BETA"))
    # Its first edit is fine, its second overlaps `beta`: none of it may land.
    mixed = fix((1, 1, 1, 6, "ALPHA"), (2, 3, 2, 4, "Z"))
    applied = apply_edits(TEXT, [first, mixed])
    assert applied.text == "alpha = 1\nBETA = 2\ngamma = 3\n"
    assert applied.taken == [first]


def test_two_insertions_at_one_point_clash_but_touching_edits_do_not():
    insert = fix((2, 1, 2, 1, "# a\n"))
    same_point = fix((2, 1, 2, 1, "# b\n"))
    touching = fix((1, 1, 2, 1, ""))  # deletes line 1, ending exactly where the insertion is
    applied = apply_edits(TEXT, [insert, same_point, touching])
    assert applied.taken == [insert, touching]
    assert applied.text == "# a\nbeta = 2\ngamma = 3\n"


def test_an_insertion_strictly_inside_a_replacement_clashes():
    replacement = fix((1, 1, 2, 9, "merged"))
    inside = fix((1, 5, 1, 5, "!"))
    applied = apply_edits(TEXT, [replacement, inside])
    assert applied.taken == [replacement]
    assert applied.text == "merged\ngamma = 3\n"
