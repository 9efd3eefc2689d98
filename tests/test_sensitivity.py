"""Tornado, threshold finder and Monte Carlo: properties the what-if analysis must keep."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hybrid.explain.recommendation import recommend
from hybrid.explain.sensitivity import INPUTS, label_threshold, measure_next, threshold, tornado
from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import Range
from hybrid.model.scenario import load_scenario
from hybrid.whatif.uncertainty import monte_carlo
from tests.conftest import EXAMPLES, make_scenario

ZERO = {k: Range(kind="absolute", low=0.0, high=0.0, reason="no uncertainty") for k in INPUTS}


def fixed_curve_scenario(**kw):
    return make_scenario(
        economics__learning_curve={"fitted": {"ceiling": 0.95, "scale": 2.0, "exponent": 0.35}},
        **kw,
    )


def plans_of(rec):
    return [(p.name, p.synthetic_share, p.review_coverage) for p in rec.plans]


@settings(max_examples=15, deadline=None)
@given(field=st.sampled_from(sorted(INPUTS)))
def test_zero_width_range_gives_zero_swing(policy, field):
    inp = resolve_inputs(make_scenario(), policy)
    (bar,) = tornado(inp, policy, {field: ZERO[field]})
    assert bar.share_swing == 0 and bar.cpp_swing == 0 and not bar.flips_label


def test_tornado_orders_by_swing_and_names_a_measurement(policy):
    inp = resolve_inputs(make_scenario(), policy)
    bars = tornado(inp, policy)
    swings = [b.cpp_swing for b in bars]
    assert swings == sorted(swings, reverse=True)
    assert max(swings) > 0
    sentence = measure_next(bars)
    assert sentence.startswith("Measure the ") and any(b.title in sentence for b in bars)


def test_flipping_input_is_marked(policy):
    # Synthetic share sits near the 0.8 label boundary: a generator-accuracy range flips it.
    scn = make_scenario(
        data_use="pretraining",
        factors={"error_cost": 1, "domain_judgment": 1, "edge_cases": 2, "iteration_maturity": 5},
        economics__synthetic_label_accuracy=0.75,
        economics__human_cost_per_example=0.3,
        economics__synthetic_cost_per_example=0.05,
    )
    inp = resolve_inputs(scn, policy)
    found = threshold(policy, inp, "accuracy", 0.5, 1.0)
    assert found, "the label changes somewhere between 50% and 100% accuracy"
    value, before, after = found[0]
    wide = {
        "accuracy": Range(
            kind="absolute", low=0.5 - inp.accuracy, high=1.0 - inp.accuracy, reason="wide"
        )
    }
    (bar,) = tornado(inp, policy, wide)
    assert bar.flips_label
    assert before != after and 0.5 < value < 1.0


def test_label_threshold_points_to_a_real_change(policy):
    scn = make_scenario(
        economics__human_cost_per_example=0.3,
        economics__synthetic_label_accuracy=0.7,
        factors={"error_cost": 1, "domain_judgment": 1, "edge_cases": 2, "iteration_maturity": 5},
        data_use="pretraining",
    )
    rec = recommend(scn, policy)
    inp = resolve_inputs(scn, policy)
    hit = label_threshold(policy, inp, "human_cost", rec.label)
    assert hit is not None
    value, new_label = hit
    assert new_label != rec.label
    beyond = value * (0.99 if value < 0.3 else 1.01)
    dearer = make_scenario(
        economics__human_cost_per_example=beyond,
        economics__synthetic_label_accuracy=0.7,
        factors={"error_cost": 1, "domain_judgment": 1, "edge_cases": 2, "iteration_maturity": 5},
        data_use="pretraining",
    )
    assert recommend(dearer, policy).label == new_label


def test_monte_carlo_is_seeded_and_reproducible(policy):
    scn = make_scenario()
    rec = recommend(scn, policy)
    inp = resolve_inputs(scn, policy)
    a = monte_carlo(inp, plans_of(rec), policy.ranges, rec.mode, draws=2000, seed=3)
    b = monte_carlo(inp, plans_of(rec), policy.ranges, rec.mode, draws=2000, seed=3)
    c = monte_carlo(inp, plans_of(rec), policy.ranges, rec.mode, draws=2000, seed=4)
    assert a.by_name() == b.by_name()
    assert a.by_name() != c.by_name()
    assert sum(p.p_cheapest for p in a.plans) + a.p_no_gain == pytest.approx(1.0)


def test_zero_width_ranges_and_fixed_curve_give_point_intervals(policy):
    scn = fixed_curve_scenario()
    rec = recommend(scn, policy)
    mc = monte_carlo(resolve_inputs(scn, policy), plans_of(rec), ZERO, rec.mode, draws=500)
    for p, plan in zip(mc.plans, rec.plans, strict=False):
        assert p.cpp_p5 == pytest.approx(p.cpp_p95) == pytest.approx(plan.cost_per_point, rel=1e-6)


def test_more_draws_narrow_the_estimate(policy):
    scn = make_scenario()
    rec = recommend(scn, policy)
    inp = resolve_inputs(scn, policy)

    def spread(draws):
        meds = [
            monte_carlo(inp, plans_of(rec), policy.ranges, rec.mode, draws=draws, seed=s)
            .plans[2]
            .cpp_p50
            for s in range(12)
        ]
        return np.std(meds)

    assert spread(4000) < spread(250)


def test_intervals_contain_the_point_estimate(policy):
    scn = make_scenario()
    rec = recommend(scn, policy)
    mc = monte_carlo(resolve_inputs(scn, policy), plans_of(rec), policy.ranges, rec.mode)
    for p, plan in zip(mc.plans, rec.plans, strict=False):
        assert p.cpp_p5 <= plan.cost_per_point <= p.cpp_p95


def test_point_estimate_and_interval_are_explained_together(policy):
    """The Recommendation page shows the interval beside the point estimate and says why the
    median differs (lopsided ranges, a ratio), instead of leaving two numbers to disagree."""
    from hybrid.whatif.uncertainty import point_and_spread

    scn = load_scenario(EXAMPLES[0].parent / "support-intent-fine-tuning.yaml")
    rec = recommend(scn, policy)
    inp = resolve_inputs(scn, policy)
    mc = monte_carlo(
        inp,
        [(p.name, p.synthetic_share, p.review_coverage) for p in rec.plans],
        policy.ranges,
        rec.mode,
        draws=4000,
    )
    spread = next(sp for sp in mc.plans if sp.name == "recommended")
    text = point_and_spread(
        rec.plan.cost_per_point, spread, policy.ranges, inp, lambda x: f"${x:,.0f}"
    )
    assert f"${spread.cpp_p5:,.0f} to ${spread.cpp_p95:,.0f}" in text
    assert spread.cpp_p5 <= rec.plan.cost_per_point <= spread.cpp_p95
    if abs(spread.cpp_p50 / rec.plan.cost_per_point - 1) >= 0.05:
        assert "review catch rate" in text and "because" in text
    # A plan with no gain in any future says so rather than printing a median of nothing.
    empty = replace(spread, cpp_p5=float("nan"), cpp_p50=float("nan"), cpp_p95=float("nan"))
    assert "gains nothing" in point_and_spread(None, empty, policy.ranges, inp, str)


def test_a_recommended_plan_that_is_a_fixed_plan_shares_its_ties(policy):
    """When the recommended mix is the all-human plan they are one plan: cheapest in the same draws,
    and said to be the same (issue 20: "Recommended cheapest in 100% of draws and All-human in 0%"
    when they were one plan)."""
    from hybrid.share.report import build_report

    scn = make_scenario()
    rec = recommend(scn, policy)
    inp = resolve_inputs(scn, policy)
    plans = [("all-human", 0.0, 0.0), ("all-synthetic", 1.0, 0.5), ("recommended", 0.0, 0.0)]
    mc = {
        p.name: p
        for p in monte_carlo(inp, plans, policy.ranges, rec.mode, draws=1000, seed=1).plans
    }
    assert mc["recommended"].p_cheapest > 0.0
    assert mc["all-human"].p_cheapest == mc["recommended"].p_cheapest
    assert mc["recommended"].same_as == ("all-human",)
    assert mc["all-synthetic"].same_as == ()
    assert mc["recommended"].cpp_p50 == pytest.approx(mc["all-human"].cpp_p50)
    note = build_report(scn, policy, uncertainty={k: v.to_dict() for k, v in mc.items()})
    assert "The recommended plan is the all-human plan" in note.uncertainty_note


def test_report_and_sensitivity_page_use_the_same_draws():
    """The report's intervals must match the page's: the same number of draws, the same seed."""
    import inspect

    from hybrid.cli.report import DEFAULT_DRAWS as CLI_DRAWS
    from hybrid.share.analyses import compute_analyses
    from hybrid.whatif.uncertainty import DEFAULT_DRAWS

    assert CLI_DRAWS == DEFAULT_DRAWS
    assert inspect.signature(compute_analyses).parameters["draws"].default == DEFAULT_DRAWS


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (0.0, "0%"),
        (0.004, "<1%"),
        (0.006, "1%"),
        (0.4, "40%"),
        (0.994, "99%"),
        (0.996, ">99%"),
        (1.0, "100%"),
        (float("nan"), "—"),
    ],
)
def test_a_probability_reads_as_a_whole_percentage(x, text):
    from hybrid.vocabulary import probability

    assert probability(x) == text


@given(st.floats(min_value=0.0, max_value=1.0))
def test_only_never_and_always_read_as_0_and_100_percent(x):
    """A chance some futures contradict never reads as never or always (the Sensitivity page's
    0% headline beside a 0.4% table)."""
    from hybrid.vocabulary import probability

    assert (probability(x) == "0%") == (x == 0.0)
    assert (probability(x) == "100%") == (x == 1.0)
