"""The Recommendation page's two charts keep a small plan readable: a plan that buys only what
reaches the target can spend a sliver of the budget, and a fixed plan can have the recommended
mix."""

import logging

from hybrid.model.scenario import load_scenario
from tests.conftest import EXAMPLES
from tests.test_recommend import bump

logging.getLogger("streamlit").setLevel(logging.ERROR)

SUPPORT = EXAMPLES[0].parent / "support-intent-fine-tuning.yaml"


def analysis(scn):
    from ui import compute

    return compute.analyse(scn.model_dump_json(), None)


def test_a_sliver_of_the_budget_gets_a_log_axis_and_bar_totals():
    from ui import charts

    base = load_scenario(SUPPORT)
    a0 = analysis(base)
    scn = bump(
        bump(base, "economics.budget", 2_000_000.0),
        "economics.target_metric",
        a0.rec.today_metric + 0.002,
    )
    a = analysis(scn)
    assert 0 < a.rec.plan.spend < 0.01 * a.rec.budget
    fig = charts.spend_chart(a.rec, a.spend, a.curves)
    assert fig.layout.xaxis.type == "log"
    lo, hi = fig.layout.xaxis.range
    assert 10**lo < a.rec.plan.spend < 10**hi
    # the plan's curve has points on the visible part of the axis
    assert (a.spend[(a.spend > 10**lo) & (a.spend < a.rec.plan.spend)]).size >= 5
    notes = [ann.text for ann in charts.layers_chart(a.rec).layout.annotations]
    assert any("% of budget" in t for t in notes) and len(notes) == 3


def test_the_default_example_keeps_a_linear_axis():
    from ui import charts

    a = analysis(load_scenario(SUPPORT))
    fig = charts.spend_chart(a.rec, a.spend, a.curves)
    assert fig.layout.xaxis.type != "log"


def test_a_fixed_plan_with_the_recommended_mix_is_named_and_drawn_on_top():
    from ui import charts

    # Human labels at a tenth of the price: the recommendation is the all-human mix.
    a = analysis(bump(load_scenario(SUPPORT), "economics.human_cost_per_example", 0.1))
    assert a.rec.plan.synthetic_share == a.rec.human_plan.synthetic_share == 0.0
    fig = charts.spend_chart(a.rec, a.spend, a.curves)
    names = [t.name.replace("<br>", " ") for t in fig.data if t.name]  # long names are wrapped
    rec_name = next(n for n in names if n.startswith("Recommended"))
    assert "= all-human" in rec_name
    assert names.index(rec_name) < max(i for i, n in enumerate(names) if n.startswith("All-human"))
