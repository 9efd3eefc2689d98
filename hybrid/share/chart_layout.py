"""One layout for every chart, on the dashboard (ui/charts.py, ui/whatif_charts.py) and in the
reports (hybrid/share/figures.py): nothing overlaps whatever the width.

- The title sits at the top of the figure, wrapped to the width it will have, and the top margin is
  computed from its line count, so the plot never starts under it.
- The legend sits at the bottom of the figure (container coordinates, below the axis title), where
  no title is, and the bottom margin is sized from the legend's likely row count.
- Axis titles push their own margins (``automargin``) and are wrapped when long: the x title to
  the plot area's width (the figure less the y labels on its left, ``plot_left_px``), since Plotly
  centres it there and a title wider than the plot area runs out of the figure.
- Tick formats carry as many decimals as the axis range needs for every tick label to differ.

Pure data (a dict for ``fig.update_layout``): no Plotly import, so the CLI stays light.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", '
    "sans-serif"
)


def wrap(text: str, chars: int) -> str:
    """Break ``text`` into lines of at most ``chars`` characters with Plotly's ``<br>``."""
    if len(text) <= chars:
        return text
    return "<br>".join(textwrap.wrap(text, max(8, chars), break_long_words=False))


def lines(text: str) -> int:
    return text.count("<br>") + 1


def legend_rows(names: Sequence[str], width_px: float, font: float) -> int:
    """Rows a horizontal legend needs at ``width_px``: each entry is its text plus the symbol."""
    if not names:
        return 0
    rows, used = 1, 0.0
    for name in names:
        w = 0.62 * font * len(name) + 3.6 * font
        if used and used + w > width_px:
            rows, used = rows + 1, 0.0
        used += w
    return rows


def chart_layout(
    title: str,
    x_title: str = "",
    y_title: str = "",
    *,
    height: int,
    legend_names: Sequence[str] = (),
    font: float = 17,
    title_font: float = 22,
    width_px: float = 560,
    plot_left_px: float = 70,
) -> dict:
    """The layout for one chart. ``width_px`` is the narrowest width the chart is shown at (a
    half-width column on a 1280 px laptop is about 440 px); ``legend_names`` the entries shown;
    ``plot_left_px`` how far the plot area starts from the figure's left edge (y tick labels and
    y title), see ``left_margin``."""
    title_chars = max(16, int(width_px / (0.62 * title_font)))
    # Centred on the plot area, so it must fit the plot area; 0.7 em per character is the widest
    # average of the sans-serif fonts in FONT_FAMILY (DejaVu Sans), so the estimate errs narrow.
    axis_chars = max(10, int((width_px - plot_left_px - 24) / (0.7 * font)))
    title = wrap(title, title_chars)
    rows = legend_rows(legend_names, width_px, font)
    # Room for the title from the first draw: automargin only grows the margin after a redraw, and
    # a chart measured (or printed) before it has its title cut at the top.
    # The top y tick label is centred on the plot's top edge, so half of it stands above the plot:
    # the title keeps clear of it (the Compare cost-per-point title sat on its "$60k").
    tick_room = int(font * 0.7)
    top = int(16 + lines(title) * title_font * 1.3) + tick_room
    bottom = int(14 + rows * font * 2.0)
    return {
        "title": {
            "text": title,
            "font": {"size": title_font},
            # Above the plot area. Plotly anchors a multi-line title by its first line and draws the
            # others below it, over the plot: the bottom pad makes room for them. The top margin is
            # sized for every line; automargin keeps the title inside the figure.
            "x": 0.0,
            "xanchor": "left",
            "xref": "container",
            "y": 1.0,
            "yref": "paper",
            "yanchor": "bottom",
            "pad": {"b": int(12 + tick_room + (lines(title) - 1) * title_font * 1.25)},
            "automargin": True,
        },
        "font": {"size": font, "color": "#222222", "family": FONT_FAMILY},
        "height": height + bottom,
        "margin": {"l": 10, "r": 24, "t": top, "b": bottom},
        "showlegend": bool(legend_names),
        "legend": {
            "orientation": "h",
            "xanchor": "left",
            "x": 0.0,
            "xref": "container",
            "yanchor": "bottom",
            "y": 0.0,
            "yref": "container",
            "traceorder": "normal",
            "font": {"size": font},
        },
        "hoverlabel": {"font": {"size": font, "family": FONT_FAMILY}},
        "xaxis": {"title": {"text": wrap(x_title, axis_chars)}, "automargin": True},
        "yaxis": {
            "title": {"text": wrap(y_title, max(18, int(height / (0.6 * font))))},
            "automargin": True,
        },
    }


def left_margin(y_labels: Sequence[str], font: float, y_title: str = "") -> float:
    """Pixels left of the plot area: the longest y tick label plus the (rotated) y title's lines."""
    longest = max((len(str(t).replace("<br>", "\n").split("\n")[0]) for t in y_labels), default=4)
    title = 1.4 * font * lines(y_title) if y_title else 0.0
    return 0.62 * font * longest + 14 + title


def tick_format(lo: float, hi: float, ticks: int = 6, percent: bool = False) -> str:
    """A d3 format with enough decimals that ``ticks`` evenly spaced labels over [lo, hi] differ."""
    span = abs(hi - lo) * (100.0 if percent else 1.0)
    step = span / max(1, ticks)
    decimals = 0 if step <= 0 else max(0, math.ceil(-math.log10(step)) + (1 if step < 1 else 0))
    decimals = min(decimals, 6)
    return f".{decimals}%" if percent else f".{decimals}f"


def spaced(values: Sequence[float], min_gap: float) -> list[int]:
    """Vertical offset rows (0, 1, 2, ...) for labels at ``values`` so that labels closer than
    ``min_gap`` go on different rows (the sweep's change lines, tornado ends)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    rows = [0] * len(values)
    last: dict[int, float] = {}
    for i in order:
        row = 0
        while row in last and values[i] - last[row] < min_gap:
            row += 1
        rows[i] = row
        last[row] = values[i]
    return rows


def twins(plans: Sequence) -> dict[str, str]:
    """Plans drawn on top of one another, by name: ``{"all-human": "recommended"}`` when the
    all-human plan has the recommended plan's mix (synthetic share and review coverage), so its
    curve
    and its bar are the recommended one's and a chart must say so or the first one drawn is
    hidden."""
    by = {p.name: p for p in plans}
    rec = by.get("recommended")
    out = {}
    if rec is None:
        return out
    for name, p in by.items():
        if (
            name != "recommended"
            and math.isclose(p.synthetic_share, rec.synthetic_share, abs_tol=1e-9)
            and math.isclose(p.review_coverage, rec.review_coverage, abs_tol=1e-9)
        ):
            out[name] = "recommended"
    return out


def spend_range(
    spends: Sequence[float], budget: float, margin: float = 0.12
) -> tuple[float, float, bool]:
    """A linear money axis for the plans' spends: ``(0, top, shows_budget)``. The axis runs to the
    budget when the largest plan spends at least a third of it, otherwise to the largest spend with
    ``margin`` to spare, so a plan that buys only what reaches the target is not squeezed against
    zero; ``shows_budget`` says whether the budget is on the axis (if not, say so in a note)."""
    top = max([float(s) for s in spends] + [0.0])
    if budget > 0 and top >= budget / 3:
        return 0.0, max(budget, top) * (1 + margin / 6), True
    top = top * (1 + margin) if top > 0 else max(budget, 1.0)
    return 0.0, top, top >= budget


def share_of_budget(spend: float, budget: float) -> str:
    """``"0.5% of budget"``, ``"whole budget"``: a plan's spend for a label."""
    if budget <= 0:
        return ""
    f = spend / budget
    if f >= 0.9995:
        return "whole budget"
    if f < 0.001:
        return "under 0.1% of budget"
    return f"{f:.1%} of budget" if f < 0.1 else f"{f:.0%} of budget"
