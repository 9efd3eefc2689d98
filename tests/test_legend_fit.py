"""Legend entries fit the chart: the Dataset page's half-width evidence chart cut "26 human rows +
synthetic (measured)" at its edge at 1280 px (the chart is 345 px there)."""

from __future__ import annotations

import plotly.graph_objects as go

from hybrid.share.chart_layout import (
    chart_layout,
    fit_legend_name,
    legend_rows,
    text_width_px,
)
from ui import charts, theme

FONT = theme.CHART_FONT
DATASET_CHART_PX = 345  # measured: the Dataset page's half-width chart at 1280 px
NAMES = [
    "26 human rows + synthetic (measured)",
    "26 human rows (fitted)",
    "105 human rows + synthetic (measured)",
    "105 human rows (fitted)",
]


def test_long_legend_entries_are_broken_into_lines_that_fit_the_chart():
    fig = go.Figure([go.Scatter(x=[0, 1], y=[0, 1], name=n) for n in NAMES])
    charts.apply_layout(fig, "Synthetic rows added to fixed human rows", "x", "y", width_px=400)
    for t in fig.data:
        for line in t.name.split("<br>"):
            # the symbol and its gap (40 px) on the left, then the text
            assert 40 + text_width_px(line, FONT) <= DATASET_CHART_PX, line
    assert fig.data[0].name == "26 human rows + synthetic<br>(measured)"
    assert fig.data[1].name == "26 human rows (fitted)"  # short names are left alone
    # the bottom margin has room for the extra lines
    flat = chart_layout("t", height=400, legend_names=NAMES, font=FONT, width_px=400)
    assert fig.layout.margin.b > flat["margin"]["b"]


def test_a_name_that_fits_is_unchanged_and_a_single_long_word_is_kept_whole():
    assert fit_legend_name("Recommended", 640, FONT) == "Recommended"
    word = "x" * 80
    assert fit_legend_name(word, 400, FONT) == word


def test_legend_rows_count_the_extra_lines():
    assert legend_rows(["a", "b"], 640, FONT) == 1
    assert legend_rows(["a<br>b"], 640, FONT) > 1


def test_a_formula_is_not_split_at_an_operator():
    name = "Fitted curve m(n) = c − a·n^−b"
    assert fit_legend_name(name, 340, FONT) == name  # the Costs page's curve chart: it fits
    for line in fit_legend_name(name, 250, FONT).split("<br>"):
        assert not line.endswith(("=", "−")) and not line.startswith(("=", "−"))
