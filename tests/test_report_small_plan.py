"""A plan far smaller than the budget, identical to the all-human one, stays readable in the
report's
charts (HTML and PDF draw the same figures): the spend axis covers every plan, the recommended line
does not hide the all-human one, and every plan's bar in the layers chart carries its total."""

import math

import pytest

from hybrid.explain.rationale import money
from hybrid.model.scenario import load_scenario
from hybrid.share.chart_layout import share_of_budget, spend_range, twins
from hybrid.share.figures import figures
from hybrid.share.report import build_report
from hybrid.share.static import _text, png
from tests.conftest import EXAMPLES, make_scenario


@pytest.fixture(scope="module")
def small(policy):
    # reach_target with a budget of $1M: the recommended plan is the all-human one and buys only
    # what reaches the target, about $1.4k (0.14% of the budget); all-synthetic spends it all.
    s = make_scenario(
        economics__budget=1_000_000,
        economics__target_metric=0.85,
        economics__synthetic_label_accuracy=0.6,
        economics__review_cost_per_example=3.0,
        economics__objective="reach_target",
        factors__error_cost=5,
        factors__domain_judgment=5,
    )
    return build_report(s, policy)


def _plans(data):
    return {p.name: p for p in data.recommendation.plans}


def test_the_scenario_is_a_small_plan_equal_to_all_human(small):
    p = _plans(small)
    assert p["recommended"].spend < 0.01 * small.recommendation.budget
    assert p["recommended"].spend == pytest.approx(p["all-human"].spend)
    assert twins(small.recommendation.plans) == {"all-human": "recommended"}


def test_the_spend_chart_names_the_twin_and_draws_it_on_top(small):
    fig = figures(small)["chart-spend"]
    lines = [t for t in fig.data if t.mode == "lines"]
    names = [t.name for t in lines]
    assert "Recommended (= all-human)" in names
    human = next(i for i, t in enumerate(lines) if t.name.startswith("All-human"))
    rec = names.index("Recommended (= all-human)")
    assert human > rec  # drawn after the recommended line, so it is not hidden under it
    assert lines[human].line.dash == "dash"


def test_the_spend_chart_covers_every_plan_with_margin(small):
    fig = figures(small)["chart-spend"]
    lo, hi = (10**v for v in fig.layout.xaxis.range)
    for p in small.recommendation.plans:
        assert lo <= p.spend and p.spend * 1.2 <= hi, p.name


def test_every_bar_in_the_layers_chart_shows_its_plan(small):
    fig = figures(small)["chart-layers"]
    lo, hi = fig.layout.xaxis.range
    assert lo == 0 and hi >= max(p.spend for p in small.recommendation.plans)
    labelled = next(t for t in fig.data if t.text is not None)
    plans = _plans(small)
    for row, text in zip(labelled.y, labelled.text, strict=True):
        name = row.split(" (")[0].lower()
        spend = plans[name].spend
        extent = sum(float(t.x[list(t.y).index(row)]) for t in fig.data) / hi
        # A sliver of a bar is fine when the label says what it is; here the small plans are
        # slivers.
        assert extent >= 0.02 or (
            money(spend, small.currency) in text and "0.1% of budget" in text
        ), (row, extent, text)
        assert text.startswith(money(spend, small.currency))
    assert "All-human (= recommended)" in labelled.y


def test_the_small_plan_figures_draw_as_pngs(small):
    for key in ("chart-spend", "chart-layers"):
        assert png(figures(small)[key])[0].startswith(b"\x89PNG")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_examples_have_no_twin_and_none_is_called_one(policy, path):
    data = build_report(load_scenario(path), policy)
    assert twins(data.recommendation.plans) == {}
    names = [t.name for t in figures(data)["chart-spend"].data if t.mode == "lines"]
    assert not any("(=" in n for n in names)


def test_money_in_pdf_labels_prints_without_a_backslash():
    # png draws with text.parse_math off: an escaped "\\$" would be printed as it is.
    assert _text("$1k") == "$1k"
    assert _text("budget $60,000<br>left") == "budget $60,000\nleft"


def test_spend_range_and_share_of_budget():
    assert spend_range([300.0, 320.0], 60_000) == (0.0, pytest.approx(358.4), False)
    lo, hi, shown = spend_range([300.0, 60_000.0], 60_000)
    assert (lo, shown) == (0.0, True) and hi >= 60_000
    assert share_of_budget(307.96, 60_000) == "0.5% of budget"
    assert share_of_budget(60_000, 60_000) == "whole budget"
    assert share_of_budget(27_288, 60_000) == "45% of budget"
    assert not math.isnan(spend_range([], 100.0)[1])
