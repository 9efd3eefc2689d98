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
- A legend entry wider than the chart is broken into lines (``fit_legend_name``).
- Labels at the ends of bars are placed from their text's width in the axis's own units
  (``bar_end_labels``), so two never touch and none runs out of the plot.

Pure data (a dict for ``fig.update_layout``): no Plotly import, so the CLI stays light.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


def legend_rows(names: Sequence[str], width_px: float, font: float) -> float:
    """Rows a horizontal legend needs at ``width_px``: each entry is its text plus the symbol. An
    entry of several lines (``fit_legend_name``) makes its row taller by two thirds of a row per
    extra line."""
    if not names:
        return 0
    rows, used, tallest, extra = 1, 0.0, 1, 0.0
    for name in names:
        parts = name.split("<br>")
        w = max(0.62 * font * len(p) for p in parts) + 3.6 * font
        if used and used + w > width_px:
            rows, used, extra, tallest = rows + 1, 0.0, extra + (tallest - 1) * 2 / 3, 1
        used += w
        tallest = max(tallest, len(parts))
    return rows + extra + (tallest - 1) * 2 / 3


def fit_legend_name(name: str, width_px: float, font: float) -> str:
    """``name`` broken into lines (``<br>``) at spaces so that each line and the legend symbol
    (3.6 em) fit in ``width_px``, the chart's narrowest width; unchanged when it fits. An entry
    wider than its chart is cut at the chart's edge (the Dataset page's "26 human rows + synthetic
    (measu"). A lone symbol ("=", "−", "+") stays on the line of the words either side of it, so a
    formula such as "m(n) = c − a·n^−b" is not split at an operator."""
    room = width_px - 3.6 * font
    if "<br>" in name or text_width_px(name, font) <= room:
        return name
    words: list[str] = []
    glue = False
    for word in name.split(" "):
        operator = len(word) == 1 and not word.isalnum()
        if words and (glue or operator):
            words[-1] = f"{words[-1]} {word}"
        else:
            words.append(word)
        glue = operator
    out: list[str] = []
    for word in words:
        if out and text_width_px(f"{out[-1]} {word}", font) <= room:
            out[-1] = f"{out[-1]} {word}"
        else:
            out.append(word)
    return "<br>".join(out)


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


# --- labels at the ends of bars ------------------------------------------------------------------

# Advance widths in em of DejaVu Sans, the widest of FONT_FAMILY and the one Debian's browsers fall
# back to, by kind of character; an estimate that errs wide keeps labels apart.
_NARROW = set(" .,:;!|'ijlI()[]·")
_WIDE = {"%": 0.95, "×": 0.84, "—": 1.0, "…": 1.0, "⚑": 0.9, "m": 0.98, "w": 0.82, "M": 0.87}
_END_PAD_PX = 5.0  # between a bar's end and its label
_END_GAP_PX = 8.0  # least room between two labels of one row


def text_width_px(text: str, font: float) -> float:
    """Width in pixels of one line of ``text`` at ``font`` px, from the advance widths of DejaVu
    Sans (digits 0.64 em, capitals 0.72, small letters 0.6, punctuation 0.32)."""
    em = 0.0
    for ch in text:
        if ch in _WIDE:
            em += _WIDE[ch]
        elif ch in _NARROW:
            em += 0.32
        elif ch.isdigit():
            em += 0.64
        elif ch.isupper():
            em += 0.72
        else:
            em += 0.6
    return em * font


@dataclass(frozen=True)
class EndLabel:
    """One label beside a bar's end: the text starts at ``x`` (data units) and runs to the right
    (``side`` 1) or ends at ``x`` (``side`` -1); ``ends`` says which bar ends it names."""

    row: int
    x: float
    side: int
    text: str
    ends: tuple[str, ...]

    def box(self, font: float, units_per_px: float) -> tuple[float, float]:
        """Its left and right edges in data units."""
        w = text_width_px(self.text, font) * units_per_px
        return (self.x, self.x + w) if self.side > 0 else (self.x - w, self.x)


def _row_labels(
    row: int,
    base: float,
    ends: tuple[float, float],
    texts: tuple[str, str],
    join: Callable[[str, str], str],
    font: float,
    u: float,
) -> list[EndLabel]:
    """The labels of one row of two bars that start at ``base`` (low end, high end)."""
    names = ("low", "high")
    pad = _END_PAD_PX * u
    dirs = [0 if abs(e - base) <= 0.5 * u else (1 if e > base else -1) for e in ends]

    def at(k: int, side: int, text: str | None = None, which: tuple[str, ...] = ()) -> EndLabel:
        return EndLabel(row, ends[k] + side * pad, side, text or texts[k], which or (names[k],))

    live = [k for k in (0, 1) if texts[k]]
    if not live:
        return []
    if len(live) == 1:
        k = live[0]
        return [at(k, dirs[k] or 1)]
    if dirs[0] * dirs[1] < 0:  # one each side of the base line
        return [at(0, dirs[0]), at(1, dirs[1])]
    if dirs[0] == dirs[1] == 0:  # neither end moves (to the pixel): the smaller one's on the left
        left = 0 if ends[0] <= ends[1] else 1
        return [at(left, -1), at(1 - left, 1)]
    if 0 in dirs:  # the end that does not move is labelled on the other side of the line
        moving = 0 if dirs[0] else 1
        return [at(moving, dirs[moving]), at(1 - moving, -dirs[moving])]
    # Both on one side: the nearer end's label runs towards the farther end's.
    side = dirs[0]
    near, far = (0, 1) if abs(ends[0] - base) <= abs(ends[1] - base) else (1, 0)
    room = abs(ends[far] - ends[near]) / u
    if room >= text_width_px(texts[near], font) + _END_GAP_PX:
        return [at(0, side), at(1, side)]
    return [at(far, side, join(*texts), tuple(names))]


def bar_end_labels(
    rows: Sequence[tuple[float, tuple[float, float], tuple[str, str]]],
    x_range: tuple[float, float],
    plot_px: float,
    font: float,
    join: Callable[[str, str], str] = lambda low, high: f"{low} to {high}",
) -> tuple[list[EndLabel], tuple[float, float]]:
    """Labels for the ends of horizontal bars drawn over each other in pairs (a tornado's low and
    high end), placed from the text's width in the plot's own units so that no two touch, and
    the x range widened until every label is inside it.

    ``rows``: per row, the bars' common base, the (low, high) ends and the (low, high) texts ("" for
    none). ``plot_px``: the plot area's narrowest width in pixels (the labels' widths are fixed in
    pixels, so a wider plot only moves them further apart). Each label sits outside its bar's end;
    two ends on one side of the base whose labels would overlap get one label at the farther end
    (``join(low, high)``); an end that does not move is labelled on the side away from the other,
    and of two that do not, the smaller is labelled on the left."""
    lo0, hi0 = x_range
    plot_px = max(plot_px, 1.0)

    def place(span: float) -> tuple[list[EndLabel], float, float]:
        """The labels at ``span`` data units across the plot, and the least range holding them."""
        u = span / plot_px
        labels = [
            label
            for i, (base, ends, texts) in enumerate(rows)
            for label in _row_labels(i, base, ends, texts, join, font, u)
        ]
        boxes = [label.box(font, u) for label in labels]
        need_lo = min([lo0] + [b[0] - _END_PAD_PX * u for b in boxes])
        need_hi = max([hi0] + [b[1] + _END_PAD_PX * u for b in boxes])
        return labels, need_lo, need_hi

    # The labels' widths are fixed in pixels, so they take more of the axis the wider its span:
    # the least span (in steps of 5%) at which the range they need fits inside the span.
    span = hi0 - lo0
    for _ in range(120):
        labels, need_lo, need_hi = place(span)
        if need_hi - need_lo <= span:
            break
        span *= 1.05
    lo = need_lo - 0.5 * (span - (need_hi - need_lo))
    return labels, (lo, lo + span)
