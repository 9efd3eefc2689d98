"""The work plan's water-filling (``hybrid.model.workplan.water_fill``) against a straightforward
reference: every slice's grid evaluated on its own, every increment ranked by one Python sort,
taken one at a time. The fast one evaluates blocks of slices, skips increments of no length and
ranks by a stable sort; it must give the same numbers, to the last bit, for any block size."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hybrid.model.economics import resolve_inputs
from hybrid.model.recommend import decide, plan_inputs
from hybrid.model.scenario import load_scenario
from hybrid.model.workplan import Settings, SliceModel, SliceStats, water_fill
from tests.test_recommend import PROPS
from tests.test_workplan import SUPPORT


def reference_fill(gain, lo, hi, total: float, grid: int):
    """Greedy water-filling written out: the best increment first, ties to the lower slice and
    then the lower level, the last one taken in part."""
    lo = np.asarray(lo, dtype=float)
    hi = np.maximum(np.asarray(hi, dtype=float), lo)
    rest = total - lo.sum()
    if rest <= 1e-9 or total <= 0:
        return lo.copy(), np.inf
    u = np.concatenate([[0.0], np.geomspace(1e-6 * total, total, grid - 1)])
    pieces = []  # (minus the marginal gain, slice, level, length)
    for i in range(len(lo)):
        levels = np.clip(u, lo[i], hi[i])
        values = gain(levels[None, :], np.array([i]))[0]
        running = np.inf
        for j in range(grid - 1):
            length = levels[j + 1] - levels[j]
            marginal = (values[j + 1] - values[j]) / length if length > 0 else np.inf
            running = min(running, marginal)
            if length > 0:
                pieces.append((-running, i, j, length))
    pieces.sort()
    take = np.zeros((len(lo), grid - 1))
    placed = 0.0
    for minus, i, j, length in pieces:
        if placed + length >= rest:
            take[i, j] = rest - placed
            return lo + take.sum(axis=1), -minus
        take[i, j] = length
        placed += length
    return lo + take.sum(axis=1), min((-p[0] for p in pieces), default=-np.inf)


def stepped_gain(scale, bend, step):
    """Each slice's gain ``scale_i * log1p(x / bend_i)``, rounded down to ``step_i`` where that is
    positive: the rounding makes flat stretches (tied increments) and gains that are not concave."""

    def gain(levels, rows):
        g = scale[rows, None] * np.log1p(levels / bend[rows, None])
        s = step[rows, None]
        return np.where(s > 0, np.floor(g / np.where(s > 0, s, 1.0)) * s, g)

    return gain


slices_drawn = st.lists(
    st.tuples(
        st.floats(0.0, 50.0),  # scale
        st.floats(0.1, 500.0),  # bend
        st.sampled_from([0.0, 0.0, 0.25, 1.0]),  # step
        st.floats(0.0, 300.0),  # lo
        st.floats(0.0, 3000.0),  # room above lo
    ),
    min_size=1,
    max_size=9,
)


@PROPS
@given(
    drawn=slices_drawn,
    total=st.floats(0.0, 5000.0),
    grid=st.integers(2, 40),
    block=st.integers(1, 10),
)
def test_water_fill_is_the_reference_to_the_bit(drawn, total, grid, block):
    scale, bend, step, lo, room = (np.array(c, dtype=float) for c in zip(*drawn, strict=True))
    gain = stepped_gain(scale, bend, step)
    got, level = water_fill(gain, lo, lo + room, total, grid=grid, block=block)
    want, want_level = reference_fill(gain, lo, lo + room, total, grid)
    assert np.array_equal(got, want)
    assert level == want_level


def test_equal_gains_go_to_the_lower_slice_first():
    """Thirty slices with one gain tie at every level; the cut falls inside a tie."""
    n = 30
    gain = stepped_gain(np.ones(n), np.ones(n), np.zeros(n))
    bounds = np.zeros(n), np.full(n, 10.0)
    got, _ = water_fill(gain, *bounds, 37.3, grid=30, block=4)
    want, _ = reference_fill(gain, *bounds, 37.3, 30)
    assert np.array_equal(got, want)
    assert np.all(np.diff(got) <= 0) and got[0] > got[-1]


@pytest.mark.parametrize("block", [1, 7, 64, 10_000])
def test_the_slice_model_fills_the_same_in_any_block(policy, block):
    """The model's own gains (numpy's vectorised functions on grids of another shape) give the
    reference's numbers at any block size."""
    scn = load_scenario(SUPPORT)
    inp = resolve_inputs(scn, policy)
    rec = decide(scn, policy, inp)
    rng = np.random.default_rng(3)
    stats = [
        SliceStats(f"s{i}", int(k), agreement=float(a))
        for i, (k, a) in enumerate(
            zip(
                np.maximum(1, (rng.pareto(1.2, 40) * 50).astype(int)),
                rng.uniform(0.3, 0.99, 40),
                strict=True,
            )
        )
    ]
    sl = SliceModel(plan_inputs(inp, rec), stats, Settings.from_policy(policy))
    n_h = int(round(rec.plan.human_examples))
    v = float(rec.plan.review_coverage)

    def human_gain(levels, rows):
        return sl.metric(levels, 0.0, v, exact=False, rows=rows)

    lo = np.where(np.arange(40) % 3 == 0, 0.01 * n_h / 40, 0.0)
    got = water_fill(human_gain, lo, np.full(40, float(n_h)), n_h, block=block)
    want = reference_fill(human_gain, lo, np.full(40, float(n_h)), n_h, grid=241)
    assert np.array_equal(got[0], want[0]) and got[1] == want[1]


def three_evaluations(sl, h, s, v, accuracy):
    """The flip-accuracy step written out: the slice model evaluated once per point."""
    delta = np.maximum(1e-3 * (sl.human_now + h + s), 1e-3)
    base = sl.metric(h, s, v, accuracy=accuracy, exact=False)
    g_s = (sl.metric(h, s + delta, v, accuracy=accuracy, exact=False) - base) / delta
    g_h = (sl.metric(h + delta, s, v, accuracy=accuracy, exact=False) - base) / delta
    priced = sl.inputs(accuracy)
    c_s, c_h = priced.unit_cost(1.0, v), priced.unit_cost(0.0, v)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.maximum(g_s, 1e-300) / c_s) - np.log(np.maximum(g_h, 1e-300) / c_h)


@pytest.mark.parametrize("n", [1, 4, 60])
def test_the_flip_accuracy_is_the_same_with_one_evaluation_per_step(policy, monkeypatch, n):
    """The three points of each bisection step are evaluated together; the plan, its flip
    accuracies included, is the one three separate evaluations give."""
    from hybrid.model import workplan

    scn = load_scenario(SUPPORT)
    rng = np.random.default_rng(n)
    stats = [
        SliceStats(f"s{i}", int(k), agreement=float(a))
        for i, (k, a) in enumerate(
            zip(rng.integers(20, 5000, n), rng.uniform(0.3, 0.99, n), strict=True)
        )
    ]
    now = workplan.slice_plan(scn, policy, stats)
    monkeypatch.setattr(workplan, "_per_dollar_edge", three_evaluations)
    assert workplan.slice_plan(scn, policy, stats) == now  # every field, floats to the bit
    assert any(s.flip_accuracy is not None for s in now.slices)
