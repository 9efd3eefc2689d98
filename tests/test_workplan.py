"""The per-slice work plan (hybrid/model/workplan.py): known answers, totals equal to the global
plan, Wilson verification samples, and the property that lower agreement never draws synthetic
rows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hybrid.cli.workplan import render_text
from hybrid.errors import InputError
from hybrid.model.economics import resolve_inputs
from hybrid.model.recommend import decide
from hybrid.model.scenario import load_scenario
from hybrid.model.workplan import (
    Settings,
    SliceModel,
    SliceStats,
    allocate,
    rounding_tolerance,
    slice_plan,
    spend_gap,
    verification_sample,
    wilson_half_width,
)
from tests.conftest import EXAMPLES, ROOT, make_scenario
from tests.test_recommend import PROPS

SUPPORT = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"


def _slices():
    return [
        SliceStats("billing", 6000, agreement=0.97, reviewed=500, reviewed_correct=490),
        SliceStats("shipping", 2500, agreement=0.93),
        SliceStats("ambiguous", 600, agreement=1 / 40),
        SliceStats("legal", 120, agreement=0.92),
    ]


def sample_slices(by: str) -> list[SliceStats]:
    """The sample data's slices by column ``by``, with its annotator pair and source column."""
    from hybrid.evidence.slices import read_slices

    return read_slices(
        ROOT / "data" / "samples" / "support_tickets.csv",
        slice=by,
        label="label",
        annotators=["annotator_1", "annotator_2"],
        source="source",
    )


@pytest.fixture(scope="module")
def support_plan(policy):
    scn = load_scenario(SUPPORT)
    return scn, slice_plan(scn, policy, _slices())


# ---- known answers -------------------------------------------------------------------------


def test_wilson_sample_known_answer():
    # At p = 0.5 the Wilson half-width is z / (2 sqrt(n + z^2)); within 0.05 at 95% needs
    # n >= (z / 0.1)^2 - z^2 = 380.3, so 381 rows.
    assert verification_sample(0.5, 0.05, 0.95) == 381
    z = 1.959963984540054
    assert wilson_half_width(0.5, 381, z) <= 0.05 < wilson_half_width(0.5, 380, z)
    # Accurate generators need far fewer rows to pin down; the interval never collapses to zero.
    n98 = int(verification_sample(0.98, 0.05, 0.95))
    assert 20 < n98 < 100
    assert wilson_half_width(0.98, n98, z) <= 0.05 < wilson_half_width(0.98, n98 - 1, z)
    # A tighter margin or a higher confidence needs more rows.
    assert verification_sample(0.9, 0.02, 0.95) > verification_sample(0.9, 0.05, 0.95)
    assert verification_sample(0.9, 0.05, 0.99) > verification_sample(0.9, 0.05, 0.95)


def test_chance_agreement_slice_goes_to_experts(support_plan):
    _, wp = support_plan
    amb = next(s for s in wp.slices if s.slice == "ambiguous")
    assert amb.synthetic_examples == 0 and amb.reviewed_examples == 0
    assert amb.human_examples > 0
    assert amb.reason.startswith("Experts only")
    assert "guidelines" in amb.moves


def test_large_accurate_head_slice_goes_mostly_synthetic_with_its_sample(support_plan):
    _, wp = support_plan
    head = next(s for s in wp.slices if s.slice == "billing")
    # 490 of 500 reviewed rows right, blended with the scenario's 20 prior rows: about 98%.
    assert head.accuracy == pytest.approx((490 + 20 * 0.92) / 520, abs=0.02)
    assert head.synthetic_share > 0.5
    assert head.verification_sample == int(verification_sample(head.accuracy, 0.05, 0.95))
    assert head.reviewed_examples >= head.verification_sample
    assert head.reason.startswith("Mostly synthetic")
    # The biggest, best-agreed slice takes the most synthetic rows.
    assert head.synthetic_examples == max(s.synthetic_examples for s in wp.slices)


def test_totals_equal_the_global_plan(support_plan):
    _, wp = support_plan
    assert wp.matches_global
    assert wp.human_examples == round(wp.plan.human_examples)
    assert wp.synthetic_examples == round(wp.plan.synthetic_examples)
    assert wp.reviewed_examples == round(wp.plan.synthetic_examples * wp.plan.review_coverage)
    assert wp.unplaced_synthetic == 0 and wp.extra_review_examples == 0
    total = wp.to_json()["total"]
    assert total["matches_global_plan"] is True
    assert total["human_examples"] == sum(s["human_examples"] for s in wp.to_json()["slices"])


def test_per_slice_guardrails_hold(support_plan, policy):
    scn, wp = support_plan
    g = resolve_inputs(scn, policy).guardrails
    for s in wp.slices:
        if s.synthetic_examples:
            assert (
                s.synthetic_examples
                <= s.max_synthetic_share * (s.human_examples + s.synthetic_examples) + 1
            )
            assert s.review_coverage >= g.min_review_coverage - 1e-9
            assert s.max_synthetic_share <= g.max_synthetic_share
    legal = next(s for s in wp.slices if s.slice == "legal")
    assert (
        legal.tail and legal.max_synthetic_share == policy.workplan.tail_max_synthetic_share.value
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_splits_exactly(policy, path):
    scn = load_scenario(path)
    stats = [
        SliceStats(f"s{i}", n, agreement=a)
        for i, (n, a) in enumerate([(5000, 0.95), (3000, 0.9), (1000, 0.85), (300, 0.9), (80, 0.8)])
    ]
    wp = slice_plan(scn, policy, stats)
    assert wp.human_examples == round(wp.plan.human_examples)
    assert wp.synthetic_examples + wp.unplaced_synthetic == round(wp.plan.synthetic_examples)
    if wp.unplaced_synthetic == 0 and wp.extra_review_examples == 0:
        assert wp.reviewed_examples == wp.global_reviewed
    else:  # never silent: each gap has its note
        assert any("cap" in n or "verification" in n for n in wp.notes)
    assert all(s.reason and s.moves for s in wp.slices)


def test_verification_beyond_the_global_review_is_priced_not_hidden(policy):
    # Review 10% of synthetic rows overall, but a 1-point margin needs thousands per slice.
    scn = make_scenario()
    inp = resolve_inputs(scn, policy)
    rec = decide(scn, policy, inp)
    assert rec.plan.synthetic_examples > 0
    stats = [SliceStats("a", 3000, agreement=0.95), SliceStats("b", 1000, agreement=0.95)]
    wp = slice_plan(scn, policy, stats, margin=0.01, inputs=inp, recommendation=rec)
    need = sum(min(s.synthetic_examples, s.verification_sample) for s in wp.slices)
    if need > wp.global_reviewed:
        assert wp.extra_review_examples == wp.reviewed_examples - wp.global_reviewed > 0
        assert wp.extra_review_cost > 0
        assert any("more reviewed rows" in n for n in wp.notes)
        # a named line, never a silent overrun (the CLI's text and the page show it)
        line = wp.beyond_the_plan()
        assert line.startswith("Verification beyond the overall plan:")
        assert f"{wp.extra_review_examples:,} more reviewed rows" in line
        assert line in render_text(scn.name, wp)
        if wp.spend > wp.budget + 0.005:
            assert "over the" in line and "budget" in line
    else:
        assert wp.beyond_the_plan() is None
    for s in wp.slices:
        assert s.reviewed_examples >= min(s.synthetic_examples, s.verification_sample)


def test_thousand_slices_split_exactly(policy):
    scn = load_scenario(SUPPORT)
    rng = np.random.default_rng(0)
    sizes = np.maximum(1, (rng.pareto(1.2, 1000) * 50).astype(int))
    agr = rng.uniform(0.5, 0.99, 1000)
    stats = [
        SliceStats(f"slice {i}", int(n), agreement=float(a))
        for i, (n, a) in enumerate(zip(sizes, agr, strict=False))
    ]
    wp = slice_plan(scn, policy, stats)
    assert len(wp.slices) == 1000
    assert wp.human_examples == round(wp.plan.human_examples)
    assert wp.synthetic_examples + wp.unplaced_synthetic == round(wp.plan.synthetic_examples)
    assert all(s.human_examples >= 0 and s.synthetic_examples >= 0 for s in wp.slices)


def test_bad_slices_are_refused(policy):
    scn = make_scenario()
    with pytest.raises(InputError):
        slice_plan(scn, policy, [])
    with pytest.raises(InputError, match="unique"):
        slice_plan(scn, policy, [SliceStats("a", 10), SliceStats("a", 20)])
    with pytest.raises(InputError, match="no human rows"):
        slice_plan(scn, policy, [SliceStats("a", 0)])
    with pytest.raises(InputError, match="reviewed"):
        slice_plan(scn, policy, [SliceStats("a", 10, reviewed=5, reviewed_correct=7)])
    with pytest.raises(InputError, match="margin"):
        slice_plan(scn, policy, [SliceStats("a", 10)], margin=0.7)


# ---- properties ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def support_inputs(policy):
    scn = load_scenario(SUPPORT)
    inp = resolve_inputs(scn, policy)
    return scn, inp, decide(scn, policy, inp)


slice_lists = st.lists(
    st.tuples(
        st.integers(20, 20000), st.floats(0.3, 0.99), st.integers(0, 400), st.floats(0.6, 1.0)
    ),
    min_size=2,
    max_size=8,
)


@PROPS
@given(rows=slice_lists, pick=st.integers(0, 7), drop=st.floats(0.01, 0.5))
def test_lower_agreement_never_draws_synthetic_rows(policy, support_inputs, rows, pick, drop):
    scn, inp, rec = support_inputs
    plan = rec.plan
    j = pick % len(rows)
    stats = [
        SliceStats(f"s{i}", n, agreement=a, reviewed=r, reviewed_correct=r * c)
        for i, (n, a, r, c) in enumerate(rows)
    ]
    lower = list(stats)
    n, a, r, c = rows[j]
    lower[j] = SliceStats(
        f"s{j}", n, agreement=max(1 / inp.classes, a - drop), reviewed=r, reviewed_correct=r * c
    )
    settings = Settings.from_policy(policy)
    n_h, n_s = round(plan.human_examples), round(plan.synthetic_examples)
    v = plan.review_coverage
    _, s_before, _ = allocate(SliceModel(inp, stats, settings), n_h, n_s, v)
    _, s_after, _ = allocate(SliceModel(inp, lower, settings), n_h, n_s, v)
    # The allocation itself never moves synthetic rows in; whole-row rounding may move one.
    assert s_after[j] <= s_before[j] * (1 + 1e-6) + 1e-6
    before = slice_plan(scn, policy, stats, inputs=inp, recommendation=rec).slices[j]
    after = slice_plan(scn, policy, lower, inputs=inp, recommendation=rec).slices[j]
    before, after = before.synthetic_examples, after.synthetic_examples
    assert after <= before + 1


@PROPS
@given(rows=slice_lists)
def test_slices_always_add_up(policy, support_inputs, rows):
    scn, inp, rec = support_inputs
    plan = rec.plan
    stats = [SliceStats(f"s{i}", n, agreement=a) for i, (n, a, _, _) in enumerate(rows)]
    wp = slice_plan(scn, policy, stats, inputs=inp, recommendation=rec)
    assert wp.human_examples == round(plan.human_examples)
    assert wp.synthetic_examples + wp.unplaced_synthetic == round(plan.synthetic_examples)
    assert wp.reviewed_examples >= min(wp.global_reviewed, wp.synthetic_examples)
    assert math.isfinite(wp.spend) and wp.spend >= 0
    # Spend to the cent, once the reported gaps are counted; the gains sum to the plan's.
    assert abs(spend_gap(wp)) <= rounding_tolerance(wp)
    assert sum(s.points for s in wp.slices) == pytest.approx(plan.points_gained, abs=1e-9)


# ---- spend: the slices add up to the overall plan's spend ----------------------------------


def test_slice_spend_adds_up_to_the_global_plan_spend(support_plan):
    """Every layer is priced at the overall plan's prices, so the slices' spend equals the overall
    plan's to the cent (it once re-priced review per slice: $26,880 vs $27,288 on the support
    example sliced by channel with its annotators)."""
    _, wp = support_plan
    assert wp.unplaced_synthetic == 0 and wp.extra_review_examples == 0
    assert abs(wp.spend - wp.plan.spend) <= rounding_tolerance(wp)
    assert abs(spend_gap(wp)) <= rounding_tolerance(wp)
    for key in ("expert_anchor", "synthetic_extension", "human_review"):
        assert abs(wp.total()[key] - wp.plan.layers[key]) <= rounding_tolerance(wp), key
    assert wp.total()["spend_matches_global_plan"] is True
    unit = wp.plan.layers["human_review"] / (wp.plan.synthetic_examples * wp.plan.review_coverage)
    for s in wp.slices:  # each slice pays the plan's price per reviewed row, to the cent
        assert abs(s.human_review - s.reviewed_examples * unit) <= 0.01 + unit


def test_sample_data_sliced_with_annotators_spends_the_global_plan(policy):
    """The example that showed the gap: channel slices with per-slice annotator agreement."""
    scn = load_scenario(SUPPORT)
    stats = sample_slices("channel")
    wp = slice_plan(scn, policy, stats)
    assert wp.matches_global
    assert round(wp.plan.spend) == 27288
    assert abs(wp.spend - wp.plan.spend) <= rounding_tolerance(wp)


def test_classes_as_slices_keep_their_agreement(policy):
    """Sliced by the label column, each slice is one class: its kappa is corrected by the whole
    data's label mix, so 88% agreement over 12 classes is not 'low agreement' (a slice-level kappa
    would have capped every class at 20% synthetic and left most of the plan's synthetic rows
    out)."""
    scn = load_scenario(SUPPORT)
    stats = sample_slices("label")
    billing = next(s for s in stats if s.name == "billing")
    assert billing.agreement == pytest.approx(0.88, abs=0.02)
    assert billing.kappa > 0.8
    wp = slice_plan(scn, policy, stats)
    assert wp.unplaced_synthetic == 0 and wp.matches_global
    assert next(s for s in wp.slices if s.slice == "billing").max_synthetic_share == pytest.approx(
        0.8
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_spends_the_global_plan_on_the_sample(policy, path):
    """Every example over the sample's classes, annotators and source: the spend is the global
    plan's within whole-row rounding once the two reported gaps (extra review, unplaced synthetic
    rows) are accounted for, and the JSON says so."""
    stats = sample_slices("label")
    wp = slice_plan(load_scenario(path), policy, stats)
    assert abs(spend_gap(wp)) <= rounding_tolerance(wp)
    assert wp.total()["spend_matches_global_plan"] is True
    if not wp.extra_review_examples and not wp.unplaced_synthetic:
        assert abs(wp.spend - wp.plan.spend) <= rounding_tolerance(wp)
