"""``--plot FILE.png``: every curve of the file on one labelled chart, with matplotlib.

matplotlib is an optional extra (``lrlint[plot]``), imported only here and only for ``--plot``,
with the non-interactive ``Agg`` backend so no display is needed. Long curves are plotted from
the same kept points as the JSON curve (``curve``), which keep every drop and extreme.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from lrlint.explain.chart import uses_log_scale
from lrlint.explain.numbers import lr_text
from lrlint.explain.summary import Explanation

if TYPE_CHECKING:
    from lrlint.explain import FileExplanation

INSTALL_HINT = "pip install 'lrlint[plot]'"


def require_matplotlib() -> None:
    """Fail early, before any output, when matplotlib cannot be imported."""
    from lrlint.explain import ExplainError

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ExplainError(f"--plot needs matplotlib, which is not installed; install it with "
                           f"{INSTALL_HINT}") from None


def write_plot(files: list[FileExplanation], destination: str) -> bool:
    """Write the chart, one panel per pair; False (nothing written) when no pair has a curve."""
    drawn = [(f.path, e) for f in files for e in f.explanations if e.has_curve]
    if not drawn:
        return False
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 1.2 + 3.6 * len(drawn)), dpi=110, layout="constrained")
    for panel, (path, e) in zip(figure.subplots(len(drawn), 1, squeeze=False)[:, 0], drawn):
        _draw(panel, path, e)
    figure.savefig(destination)
    return True


def _draw(axes, path: str, e: Explanation) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    curve = e.curve
    assert curve is not None
    # The LR of step k holds until step k + 1: draw each step's width, the last one's too.
    edges = [*curve.steps, curve.count]
    for group, column in enumerate(curve.columns):
        label = f"param group {group}" if curve.groups > 1 else e.pair.scheduler.class_name
        if e.actual is not None:
            label = f"declared: {label}"
        axes.plot(edges, [*column, column[-1]], drawstyle="steps-post", linewidth=1.6,
                  label=label)
    actual = e.actual
    if actual is not None:
        codes = ", ".join(f"{f.code} (line {f.line})" for f in e.comparison.findings)
        column = actual.columns[0]
        axes.plot([*actual.steps, actual.count], [*column, column[-1]], drawstyle="steps-post",
                  linewidth=1.6, linestyle="--", color="C3",
                  label=f"actual: {codes}" + (", param group 0" if actual.groups > 1 else ""))
    if e.target is not None:
        axes.axhline(e.target.target, color="0.35", linestyle="--", linewidth=1,
                     label=f"target {lr_text(e.target.target)}")
    shown = [*curve.columns, *(actual.columns[:1] if actual is not None else ())]
    low = min(min(column) for column in shown)
    high = max(max(column) for column in shown)
    if uses_log_scale(low, high):
        axes.set_yscale("log")
    axes.set_xlabel(e.x_axis)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    axes.set_ylabel("learning rate")
    code = "\n".join(textwrap.wrap(e.pair.scheduler.code, 100, max_lines=2, placeholder=" …"))
    axes.set_title(f"{code}\n{path}:{e.pair.scheduler.line}", fontsize=9)
    axes.grid(True, which="both", alpha=0.3)
    if curve.groups > 1 or e.target is not None or actual is not None:
        axes.legend(fontsize=8)
