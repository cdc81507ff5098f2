"""``--plot FILE.png``: every curve of the file on one labelled chart, with matplotlib.

matplotlib is an optional extra (``lrlint[plot]``), imported only here and only for ``--plot``,
with the non-interactive ``Agg`` backend so no display is needed. Long curves are plotted from
the same min-max downsampling as the JSON curve, which keeps every drop and extreme.
"""

from __future__ import annotations

import textwrap

from lrlint.explain.chart import uses_log_scale
from lrlint.explain.downsample import kept_steps
from lrlint.explain.numbers import lr_text
from lrlint.explain.summary import Explanation

INSTALL_HINT = "pip install 'lrlint[plot]'"


def require_matplotlib() -> None:
    """Fail early, before any output, when matplotlib cannot be imported."""
    from lrlint.explain import ExplainError

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ExplainError(f"--plot needs matplotlib, which is not installed; install it with "
                           f"{INSTALL_HINT}") from None


def write_plot(path: str, explanations: list[Explanation], destination: str) -> bool:
    """Write the chart; False (nothing written) when no pair has a curve."""
    drawn = [e for e in explanations if e.has_curve]
    if not drawn:
        return False
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(9, 5), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    low = min(min(min(column) for column in e.columns) for e in drawn)
    high = max(max(max(column) for column in e.columns) for e in drawn)
    for e in drawn:
        steps = kept_steps(e.columns, (k.step for k in e.key_steps))
        for group, column in enumerate(e.columns):
            axes.plot(steps, [column[step] for step in steps], drawstyle="steps-post",
                      linewidth=1.6, label=_label(e, group))
        if e.target is not None:
            axes.axhline(e.target.target, color="0.35", linestyle="--", linewidth=1,
                         label=f"target {lr_text(e.target.target)} (line {e.pair.scheduler.line})")
    if uses_log_scale(low, high):
        axes.set_yscale("log")
    units = {e.stepping.unit for e in drawn}
    axes.set_xlabel("epoch" if units == {"epoch"} else "step")
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    axes.set_ylabel("learning rate")
    axes.set_title(_title(path, drawn), fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    if len(drawn) > 1 or len(drawn[0].columns) > 1 or drawn[0].target is not None:
        axes.legend(fontsize=8)
    figure.savefig(destination)
    return True


def _label(e: Explanation, group: int) -> str:
    name = f"{e.pair.scheduler.class_name} (line {e.pair.scheduler.line})"
    return f"{name}, group {group}" if len(e.columns) > 1 else name


def _title(path: str, drawn: list[Explanation]) -> str:
    if len(drawn) == 1:
        code = "\n".join(textwrap.wrap(drawn[0].pair.scheduler.code, 100, max_lines=2,
                                       placeholder=" …"))
        return f"{code}\n{path}:{drawn[0].pair.scheduler.line}"
    return f"{path}: {len(drawn)} schedulers"
