"""Chart labels that used to sit on each other or on a line, checked on the figures themselves
(the browser checks in tests/test_meeting_browser.py see only the example they open)."""

from __future__ import annotations

import numpy as np

from hybrid.explain.sensitivity import Bar
from hybrid.share.chart_layout import chart_layout
from ui import charts, whatif_charts


def bar(title: str, share_low: float, share_high: float, label_low="hybrid", label_high="hybrid"):
    return Bar(
        input="catch_rate",
        title=title,
        low=0.8,
        high=0.95,
        share_low=share_low,
        share_high=share_high,
        cpp_low=10_000.0,
        cpp_high=11_000.0,
        label_low=label_low,
        label_high=label_high,
        flips_label=label_low != label_high,
    )


def share_labels(fig) -> list[tuple[str, str]]:
    """(low, high) bar-end labels of each row of the tornado's share panel, bottom row first."""
    rows = list(fig.data[0].y)
    out = {y: ["", ""] for y in rows}
    for a in fig.layout.annotations:
        if a.xref == "x2" and a.yref == "y2":
            for end in a.name.split():
                out[a.y][("low", "high").index(end)] = a.text
    return [tuple(out[y]) for y in rows]


def test_tornado_share_labels_never_sit_on_each_other():
    """Both ends moving the share up (78% -> 79% and 80%) put "79% · Hybrid" and "80% · Hybrid" at
    the same place; now the longer bar says "79% to 80% · Hybrid" and the shorter nothing."""
    base = {"cost_per_point": 10_500.0, "share": 0.78, "label": "hybrid"}
    bars = [
        bar("review catch rate", 0.79, 0.80),
        bar("generator label accuracy", 0.60, 0.80),
        bar("learning-curve exponent", 0.0, 0.85, "human", "hybrid"),
    ]
    fig = whatif_charts.tornado_chart(bars, base, "USD")
    rows = dict(zip([b.title for b in bars][::-1], share_labels(fig), strict=True))
    assert rows["review catch rate"] == ("", "79% to 80% · Hybrid")
    assert rows["generator label accuracy"] == ("60% · Hybrid", "80% · Hybrid")
    assert rows["learning-curve exponent"] == ("0% · Human-led", "85% · Hybrid")


def test_titles_keep_clear_of_the_top_tick_label():
    """The title's bottom pad leaves room for half a tick label above the plot (the Compare
    cost-per-point title sat on its "$60k")."""
    layout = chart_layout("Cost per point", height=400, font=17)
    assert layout["title"]["pad"]["b"] >= 12 + 17 * 0.6
    assert layout["margin"]["t"] >= 16 + 22 * 1.3 + 17 * 0.6


def test_target_labels_sit_above_the_line_at_the_left():
    """A rising curve crosses its target on the right, where the label was ("target 0.970" on the
    curve); at the top left it is above a curve that is still below the target."""
    n = np.geomspace(500, 50_000, 20)
    mean = 0.95 - 0.5 * n**-0.3
    fig = charts.curve_chart(n, mean, mean - 0.01, mean + 0.01, [], 0.97, 8000, True)
    target = [a for a in fig.layout.annotations if a.text.startswith("target")]
    assert target and target[0].xanchor == "left" and target[0].yanchor == "bottom"
    assert target[0].x == 0
