"""The tornado's bar-end labels never touch each other or leave the plot, for every bundled example
and the newcomer's pilots, at the narrowest width the Sensitivity page draws it (1280 px laptop).

The boxes are computed from the figure itself: the text's width (``text_width_px``, DejaVu Sans
advance widths) in the axis's units at that width. Plotly's own "outside" bar text is read the way
Plotly places it (past the bar's end, away from the base), so the old figure, which put a row's
two labels on top of each other when neither end moved ("90%" on "80%"), fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from hybrid.explain.sensitivity import Bar
from hybrid.model.policy import load_policy
from hybrid.model.scenario import load_scenario
from hybrid.share.chart_layout import bar_end_labels, text_width_px
from hybrid.whatif.analysis import build_analysis
from ui import theme, whatif_charts

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "data" / "examples").glob("*.yaml")) + [
    ROOT / "tests" / "fixtures" / "newcomer" / "out_good.yaml",
    ROOT / "tests" / "fixtures" / "newcomer" / "out_bad.yaml",
    ROOT / "tests" / "fixtures" / "digits_pilot_measured.yaml",
]
FONT = theme.CHART_FONT - 2
GAP_PX = 4.0  # less than this between two labels reads as one word ("9%5")
# The chart is 790 px wide on the Sensitivity page at 1280 px; the plot is that less the input
# names, their tick gap and the margins (48 px); bold names are widened a tenth below.
PLOT_PX_AT_1280 = 790 - 48


def name_px(name: str) -> float:
    plain = name.replace("<b>", "").replace("</b>", "")
    return text_width_px(plain, theme.CHART_FONT) * (1.1 if plain != name else 1.0)


def label_boxes(fig, axis: str, plot_px: float) -> list[tuple[str, str, float, float]]:
    """(row, text, left, right) in pixels from the plot's left edge, for every bar-end label on
    the panel whose x axis is ``axis`` ("x" or "x2")."""
    lo, hi = fig.layout[axis.replace("x", "xaxis")].range
    u = (hi - lo) / plot_px
    out = []
    for a in fig.layout.annotations:
        if a.xref != axis or a.yref == "paper" or not a.text:
            continue
        w = text_width_px(a.text, FONT) * u
        left = a.x if a.xanchor == "left" else a.x - w
        out.append((a.y, a.text, (left - lo) / u, (left + w - lo) / u))
    for t in fig.data:
        if t.type != "bar" or t.xaxis != axis or t.text is None:
            continue
        for y, x, base, text in zip(t.y, t.x, t.base, t.text, strict=True):
            if not text:
                continue
            end, w = base + x, text_width_px(text, FONT) * u
            left = end + 3 * u if x >= 0 else end - 3 * u - w
            out.append((y, text, (left - lo) / u, (left + w - lo) / u))
    return out


def problems(fig, plot_px: float) -> list[str]:
    out = []
    for axis in ("x", "x2"):
        boxes = label_boxes(fig, axis, plot_px)
        for i, (row, text, left, right) in enumerate(boxes):
            if left < -1 or right > plot_px + 1:
                out.append(f"{axis}: {text!r} runs out of the plot ({left:.0f} to {right:.0f} px)")
            for row2, text2, left2, right2 in boxes[i + 1 :]:
                if row2 == row and left < right2 + GAP_PX and left2 < right + GAP_PX:
                    out.append(f"{axis} {row}: {text!r} and {text2!r} touch")
    return out


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_tornado_end_labels_keep_apart(path):
    a = build_analysis(load_scenario(path), load_policy(), sensitivity=True)
    p = a.rec.plan
    base = {"share": p.synthetic_share, "label": a.rec.label, "cost_per_point": p.cost_per_point}
    fig = whatif_charts.tornado_chart(list(a.sensitivity), base, a.rec.currency)
    labels = list(fig.data[0].y)
    plot_px = PLOT_PX_AT_1280 - max(name_px(y) for y in labels)
    assert problems(fig, plot_px) == []
    # every input's two values are on the cost panel, as two labels or one "low to high"
    for y, b in zip(labels, list(a.sensitivity)[::-1], strict=True):
        on_row = " / ".join(t for t, _ in cost_labels(fig, y))
        for end in (b.low, b.high):
            assert whatif_charts.format_field(b.input, end, a.rec.currency) in on_row, on_row


def cost_labels(fig, row: str) -> list[tuple[str, str]]:
    """(text, xanchor) of the cost panel's labels on ``row``."""
    return [
        (a.text, a.xanchor)
        for a in fig.layout.annotations
        if a.xref == "x" and a.y == row and a.yref != "paper"
    ]


def bar(cpp_low, cpp_high, low=0.05, high=0.09):
    return Bar(
        input="accuracy",
        title="generator label accuracy",
        low=low,
        high=high,
        share_low=0.5,
        share_high=0.5,
        cpp_low=cpp_low,
        cpp_high=cpp_high,
        label_low="hybrid",
        label_high="hybrid",
        flips_label=False,
    )


def texts(fig, axis="x"):
    return sorted(a.text for a in fig.layout.annotations if a.xref == axis and a.yref != "paper")


def test_ends_that_do_not_move_are_labelled_either_side_of_the_line():
    """Neither end moves the cost: "5%" left of the line and "9%" right of it, not one written
    over the other."""
    base = {"share": 0.5, "label": "hybrid", "cost_per_point": 100.0}
    fig = whatif_charts.tornado_chart([bar(100.0, 100.0)], base, "USD")
    assert sorted(cost_labels(fig, "generator label accuracy")) == [("5%", "right"), ("9%", "left")]


def test_ends_close_together_on_one_side_share_a_label_and_far_ones_keep_two():
    base = {"share": 0.5, "label": "hybrid", "cost_per_point": 100.0}
    near = whatif_charts.tornado_chart([bar(100.2, 100.3), bar(150.0, 101.0)], base, "USD")
    assert "5% to 9%" in texts(near)
    far = whatif_charts.tornado_chart([bar(150.0, 101.0), bar(90.0, 110.0)], base, "USD")
    assert texts(far) == ["5%", "5%", "9%", "9%"]


def test_a_still_end_is_labelled_away_from_the_moving_one():
    labels, _ = bar_end_labels([(0.0, (0.0, 10.0), ("low", "high"))], (-1.0, 12.0), 400, 15)
    by = {x.ends: x for x in labels}
    assert by[("low",)].side == -1 and by[("high",)].side == 1


def test_the_range_grows_to_hold_the_labels():
    labels, (lo, hi) = bar_end_labels(
        [(0.0, (-1.0, 1.0), ("a long label on the left", "a long label on the right"))],
        (-1.2, 1.2),
        400,
        15,
    )
    u = (hi - lo) / 400
    for x in labels:
        left, right = x.box(15, u)
        assert lo <= left and right <= hi


def test_two_ends_that_round_to_one_share_say_it_once():
    """ "54% to 54% · Hybrid" (the digits pilot's exponent row) reads "54% · Hybrid"."""
    b = Bar(
        input="exponent",
        title="learning-curve exponent",
        low=0.42,
        high=0.71,
        share_low=0.5385,
        share_high=0.5412,
        cpp_low=215.0,
        cpp_high=201.0,
        label_low="hybrid",
        label_high="hybrid",
        flips_label=False,
    )
    fig = whatif_charts.tornado_chart(
        [b], {"share": 0.55, "label": "hybrid", "cost_per_point": 206.0}, "USD"
    )
    assert texts(fig, "x2") == ["54% · Hybrid"]


@pytest.mark.parametrize("stem", ["support-intent-fine-tuning", "legal-evaluation-set"])
def test_the_metric_chart_keeps_its_target_label_inside_the_plot(stem):
    """At the top of the range, "target 0.915" ran out of the chart at 1280 px: it now sits on
    whichever side of the line has room for it."""
    a = build_analysis(
        load_scenario(ROOT / "data" / "examples" / f"{stem}.yaml"),
        load_policy(),
        uncertainty=True,
        draws=300,
    )
    target = a.scenario.economics.target_metric
    fig = whatif_charts.mc_metric_chart(a.uncertainty, target)
    (label,) = [x for x in fig.layout.annotations if x.text.startswith("target")]
    x0, x1 = fig.layout.xaxis.range
    names = list(t.y[0] for t in fig.data)
    plot_px = 640 - max(text_width_px(n, theme.CHART_FONT) for n in names) - 48
    u = (x1 - x0) / plot_px
    w = (abs(label.xshift) + text_width_px(label.text, theme.CHART_FONT)) * u
    if label.xanchor == "left":
        assert target + w <= x1
    else:
        assert target - w >= x0
