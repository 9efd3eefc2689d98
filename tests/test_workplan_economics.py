"""The work plan is priced by the recommendation's economics (issue 20, item 2): one slice is the
overall plan, and the slices add up to its spend (to the cent), rows and metric gain.

The work plan used to price slices with its own copy of the model, without the pilot's measured
range: on the digits pilot re-measured at a best batch of 300 rows its "today" was 0.8880 against
the recommendation's 0.8741, and a $4,000 plan came to $4,002 beside "= the overall plan".
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import DEFAULT_POLICY_PATH, parse_policy
from hybrid.model.recommend import decide, plan_inputs
from hybrid.model.workplan import (
    Settings,
    SliceModel,
    SliceStats,
    allocate,
    round_to_total,
    rounding_tolerance,
    slice_plan,
    spend_gap,
)
from hybrid.share.workplan import workplan_csv, workplan_markdown
from tests.conftest import make_scenario
from tests.test_model_v2 import measured
from tests.test_recommend import PROPS, bump


def _measured_range_scenario(**over):
    """Human rows with generated rows in hand past the pilot's measured range, so the range binds
    today (the digits case: best batch 300 rows on 500 human rows, 1,000 rows in hand)."""
    scn = make_scenario(
        **{
            "dataset": {"human_examples": 500, "synthetic_examples": 1000, "classes": 10},
            "economics__budget": 4000,
            "economics__target_metric": 0.99,
            "economics__learning_curve": {
                "points": [[100, 0.62], [200, 0.72], [300, 0.78], [500, 0.84]]
            },
            **over,
        }
    )
    return bump(
        scn,
        "dataset.synthetic_response",
        {
            "value": 0.6,
            "saturation": 5.0,
            "systematic_share": 0.2,
            "floor": 0.02,
            "floor_exponent": 1.5,
            "accuracy": scn.economics.synthetic_label_accuracy,
            "human_rows": 500,
            "synthetic_rows": 1000,
            "measured_ratio": 0.6,
        },
    )


def _equal_slices(n: int, rows: int = 500):
    return [SliceStats(f"s{i}", rows / n) for i in range(n)]


def test_todays_metric_is_the_recommendations_with_the_measured_range(policy):
    scn = _measured_range_scenario()
    inp = resolve_inputs(scn, policy)
    # The range binds today: 1,000 rows in hand, 0.6 per human row credited.
    unbounded = bump(scn, "dataset.synthetic_response.measured_ratio", None)
    assert float(inp.today()) < float(resolve_inputs(unbounded, policy).today())
    rec = decide(scn, policy, inp)
    for n in (1, 3):
        stats = _equal_slices(n)
        wp = slice_plan(scn, policy, stats, inputs=inp, recommendation=rec)
        sl = SliceModel(plan_inputs(inp, rec), stats, Settings.from_policy(policy))
        zeros = np.zeros(n)
        assert float(sl.metric(zeros, zeros, 0.0).sum()) == pytest.approx(
            float(inp.today()), abs=1e-12
        )
        assert wp.today_metric == rec.today_metric
        assert wp.expected_metric == rec.plan.expected_metric
        assert sum(s.points for s in wp.slices) == pytest.approx(rec.plan.points_gained, abs=1e-9)


def test_a_4000_budget_plan_splits_to_the_cent(policy):
    """Budget mode: the plan spends the whole $4,000, and so do the slices, in every format."""
    scn = _measured_range_scenario()
    rec = decide(scn, policy)
    assert rec.mode == "budget" and rec.plan.spend == pytest.approx(4000.0)
    stats = [
        SliceStats("a", 260, agreement=0.95),
        SliceStats("b", 170, agreement=0.9),
        SliceStats("c", 70, agreement=0.93),
    ]
    wp = slice_plan(scn, policy, stats, recommendation=rec)
    if not wp.extra_review_examples and not wp.unplaced_synthetic:
        assert wp.spend == 4000.00
    assert abs(spend_gap(wp)) <= rounding_tolerance(wp) < 0.01
    assert wp.total()["spend_matches_global_plan"] is True
    assert wp.spends_the_overall_plan == (
        not wp.extra_review_examples and not wp.unplaced_synthetic
    )
    for key in ("expert_anchor", "synthetic_extension"):
        assert round(wp.total()[key], 2) == round(rec.plan.layers[key], 2), key
    for s in wp.slices:  # whole cents, adding up per slice
        parts = s.expert_anchor + s.synthetic_extension + s.human_review
        assert s.spend == round(parts, 2) and round(s.spend * 100) == pytest.approx(s.spend * 100)
    total_row = workplan_csv(wp).splitlines()[-1]
    assert f",{wp.spend}," in total_row
    assert "| **Total** |" in workplan_markdown(wp)


@PROPS
@given(scn=measured(), slices=st.integers(1, 1))
def test_one_slice_work_plan_is_the_overall_plan(policy, scn, slices):
    """For random scenarios (measured responses, rows in hand, every generation), one slice gets
    the overall plan: its rows, its spend to the cent, its metric and gain; and the slice model
    at those rows is the recommendation's economics."""
    inp = resolve_inputs(scn, policy)
    rec = decide(scn, policy, inp)
    plan = rec.plan
    stats = [SliceStats("all", inp.human_now)]
    wp = slice_plan(scn, policy, stats, inputs=inp, recommendation=rec)
    (s,) = wp.slices
    assert s.human_examples == round(plan.human_examples)
    assert s.synthetic_examples == round(plan.synthetic_examples)
    assert wp.unplaced_synthetic == 0
    assert abs(spend_gap(wp)) <= rounding_tolerance(wp)
    if not wp.extra_review_examples:
        assert s.reviewed_examples == round(plan.synthetic_examples * plan.review_coverage)
        assert round(s.spend, 2) == round(plan.spend, 2)
        assert wp.total()["spend_matches_global_plan"] is True
    assert wp.expected_metric == plan.expected_metric
    assert wp.today_metric == rec.today_metric
    assert s.points == pytest.approx(plan.points_gained, abs=1e-9)
    # The slice model is Inputs' own: today exactly, the plan's metric at the plan's rows.
    sl = SliceModel(plan_inputs(inp, rec), stats, Settings.from_policy(policy))
    priced = plan_inputs(inp, rec)
    assert float(sl.metric(np.zeros(1), np.zeros(1), 0.0)[0]) == pytest.approx(
        float(priced.today()), abs=1e-12
    )
    h, syn = np.array([plan.human_examples]), np.array([plan.synthetic_examples])
    assert float(sl.metric(h, syn, plan.review_coverage)[0]) == pytest.approx(
        plan.expected_metric, abs=1e-9
    )


@PROPS
@given(
    scn=measured(),
    rows=st.lists(st.tuples(st.integers(20, 20000), st.floats(0.5, 0.99)), min_size=2, max_size=6),
)
def test_slices_add_up_to_the_overall_plan(policy, scn, rows):
    """Rows to rounding, spend to the cent (after the gaps the notes report), gain exactly."""
    inp = resolve_inputs(scn, policy)
    rec = decide(scn, policy, inp)
    stats = [SliceStats(f"s{i}", n, agreement=a) for i, (n, a) in enumerate(rows)]
    wp = slice_plan(scn, policy, stats, inputs=inp, recommendation=rec)
    assert wp.human_examples == round(rec.plan.human_examples)
    assert wp.synthetic_examples + wp.unplaced_synthetic == round(rec.plan.synthetic_examples)
    assert abs(spend_gap(wp)) <= rounding_tolerance(wp)
    assert sum(s.points for s in wp.slices) == pytest.approx(rec.plan.points_gained, abs=1e-9)
    assert wp.expected_metric == rec.plan.expected_metric


def test_equal_slices_reproduce_the_overall_metric(policy):
    """Split in proportion, equal slices are the whole at their scale: the slice model at the
    quotas is the overall plan's metric (the gain needs no spreading)."""
    scn = _measured_range_scenario(economics__budget=20000)
    inp = resolve_inputs(scn, policy)
    rec = decide(scn, policy, inp)
    plan = rec.plan
    stats = _equal_slices(4, 400)
    sl = SliceModel(inp, stats, Settings.from_policy(policy))
    h = np.full(4, plan.human_examples / 4)
    s = np.full(4, plan.synthetic_examples / 4)
    assert float(sl.metric(h, s, plan.review_coverage).sum()) == pytest.approx(
        plan.expected_metric, abs=1e-12
    )
    # and the water-filling splits them about evenly
    h_alloc, s_alloc, _ = allocate(
        sl, round(plan.human_examples), round(plan.synthetic_examples), plan.review_coverage
    )
    assert np.ptp(h_alloc) <= 0.01 * h_alloc.mean()  # to the water-filling grid


def test_largest_remainder_adds_up_exactly():
    x = np.array([1.4, 2.3, 3.3])
    out = round_to_total(x, 7)
    assert list(out) == [2, 2, 3]  # the largest remainder (0.4) gets the missing row
    assert round_to_total(np.array([0.5, 0.5]), 1).sum() == 1


def test_settings_come_from_the_policy(policy):
    s = Settings.from_policy(policy)
    w = policy.workplan
    assert (s.margin, s.confidence, s.low_kappa, s.tail_cap, s.low_agreement_cap, s.prior_rows) == (
        w.verification_margin.value,
        w.verification_confidence.value,
        w.low_agreement_kappa.value,
        w.tail_max_synthetic_share.value,
        w.low_agreement_max_synthetic_share.value,
        w.accuracy_prior_rows.value,
    )
    with pytest.raises(TypeError):
        Settings()  # no second copy of the policy's numbers
    import yaml

    data = yaml.safe_load(DEFAULT_POLICY_PATH.read_text())
    data["workplan"]["tail_max_synthetic_share"]["value"] = 0.3
    assert Settings.from_policy(parse_policy(yaml.safe_dump(data), "edited")).tail_cap == 0.3
    del data["workplan"]
    bare = Settings.from_policy(parse_policy(yaml.safe_dump(data), "no work plan section"))
    assert bare == s  # the bundled policy's section, read from data/policy.yaml


def test_decide_resolves_the_scenario_itself(policy):
    scn = make_scenario()
    assert decide(scn, policy) == decide(scn, policy, resolve_inputs(scn, policy))
