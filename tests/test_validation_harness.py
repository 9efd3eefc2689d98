"""The validation benchmark's harness itself (benchmarks/validation): fast checks, no CLI calls.

- each generator's measured label accuracy matches what it claims (injected noise) and what the
  scenario is told (the pilot sample);
- training on a plan uses exactly the requested counts, and says so when the pool runs out;
- review fixes caught labels, only in reviewed rows, at the catch rate;
- synthetic streams are prefix-stable (a bigger plan contains the smaller plan's rows).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from benchmarks.validation import generators as gens  # noqa: E402
from benchmarks.validation import harness as H  # noqa: E402
from benchmarks.validation.datasets import char_bigrams, load  # noqa: E402


def small_case(generator="augment", **kw):
    params = {"noise": 0.2, "systematic": 0.5} if generator != "prelabel" else {"seed_rows": 20}
    base = dict(
        name=f"t-{generator}",
        dataset="breast_cancer",
        generator=generator,
        budget=50,
        pilot_human=100,
        pilot_synthetic=60,
        test_rows=100,
        gen_params=params,
    )
    base.update(kw)
    return H.Case(**base)


@pytest.mark.parametrize("kind", ["centroid", "augment"])
def test_injected_noise_is_the_claimed_rate(kind):
    data = load("digits")
    rng = np.random.default_rng(0)
    gen = gens.make(kind, noise=0.2, systematic=1.0).fit(data, np.arange(400), rng)
    st = gen.stream(5000, np.random.default_rng(1))
    assert abs(st.accuracy - 0.8) < 0.02
    # fully systematic: every wrong label is the fixed confusion (next class in sorted order)
    classes = data.classes
    nxt = {c: classes[(i + 1) % len(classes)] for i, c in enumerate(classes)}
    wrong = st.y_given != st.y_true
    assert all(st.y_given[i] == nxt[st.y_true[i]] for i in np.flatnonzero(wrong))


def test_noise_never_keeps_the_true_label():
    y = np.array(["a", "b", "c"] * 200, dtype=object)
    out = gens.inject_noise(y, ["a", "b", "c"], 1.0, 0.0, np.random.default_rng(0))
    assert np.all(out != y)


def test_pilot_accuracy_is_the_scenario_accuracy_and_near_the_population():
    p = H.prepare_case(small_case("centroid", pilot_synthetic=400))
    scen = H.base_scenario(p)
    assert scen["economics"]["synthetic_label_accuracy"] == pytest.approx(
        p.pilot_syn.accuracy, abs=1e-4
    )
    assert abs(p.accuracy - p.population_accuracy) < 0.06
    assert abs(p.population_accuracy - 0.8) < 0.03


def test_prelabel_labels_are_the_weak_models_and_accuracy_is_measured():
    p = H.prepare_case(small_case("prelabel"))
    st = p.pilot_syn
    assert np.array_equal(st.y_true, p.data.y[st.pool_idx])  # real inputs, true labels known
    assert np.array_equal(st.y_given, p.gen.model.predict(p.features.rows(st.pool_idx)))
    assert p.accuracy == pytest.approx(np.mean(st.y_given == st.y_true))
    # the pilot's synthetic inputs left the pool; test, pilot and pool are disjoint
    for a, b in [
        (p.pool_idx, st.pool_idx),
        (p.pool_idx, p.test_idx),
        (p.pool_idx, p.pilot_idx),
        (p.test_idx, p.pilot_idx),
    ]:
        assert not np.intersect1d(a, b).size


def test_train_on_plan_uses_exactly_the_requested_counts():
    p = H.prepare_case(small_case("augment"))
    r = H.train_on_plan(p, 37, 53, 0.5, seed=0)
    assert (r["human_used"], r["synthetic_used"]) == (37, 53)
    assert r["train_rows"] == len(p.pilot_idx) + len(p.pilot_syn) + 37 + 53
    assert r["reviewed"] == round(0.5 * 53)
    assert 0.0 <= r["accuracy"] <= 1.0


def test_train_on_plan_caps_at_the_pool_and_says_so():
    p = H.prepare_case(small_case("prelabel"))
    pool = len(p.pool_idx)
    m = H.measure(p, 10, pool + 500, 0.0, [0])
    assert m["capped"] and m["synthetic_used"] == pool - 10 and m["human_used"] == 10
    m = H.measure(p, pool + 5, 0, 0.0, [0])
    assert m["capped"] and m["human_used"] == pool


def test_review_fixes_caught_labels_only_in_reviewed_rows():
    n = 4000
    rng = np.random.default_rng(3)
    y_true = rng.choice(["a", "b"], n).astype(object)
    y_given = gens.inject_noise(y_true, ["a", "b"], 0.3, 0.0, rng)
    st = gens.Stream(np.zeros((n, 1)), y_given, y_true, rng.random(n))
    y, reviewed, fixed = H.apply_review(st, 0.5, 0.9)
    assert reviewed == n // 2
    half = n // 2
    # unreviewed rows untouched; reviewed rows lose ~90% of their errors
    assert np.array_equal(y[half:], y_given[half:])
    before = np.sum(y_given[:half] != y_true[:half])
    after = np.sum(y[:half] != y_true[:half])
    assert fixed == before - after
    assert abs(after / before - 0.1) < 0.04
    y_all, _, _ = H.apply_review(st, 1.0, 1.0)
    assert np.array_equal(y_all, y_true)


def test_streams_are_prefix_stable():
    p = H.prepare_case(small_case("centroid"))
    _, small = p.synthetic(0, 700, np.array([], dtype=int))
    _, big = p.synthetic(0, 2500, np.array([], dtype=int))
    assert np.array_equal(small.y_given, big.y_given[:700])
    assert np.allclose(np.asarray(small.X, float), np.asarray(big.X, float)[:700])
    # more human rows: a superset of the fewer
    assert set(p.humans(1, 20)) <= set(p.humans(1, 40))


def test_grid_mix_spends_the_budget():
    p = H.prepare_case(small_case("augment"))
    rev, _ = H.review_unit_cost(p)
    for s, v in [(0.0, 0.0), (0.3, 0.5), (1.0, 1.0)]:
        h, syn = H.grid_mix(p, s, v)
        spend = h * p.case.human_cost + syn * (p.case.synthetic_cost + v * rev)
        assert spend == pytest.approx(p.case.budget)


def test_char_bigrams():
    assert char_bigrams("很后悔,不怎么样") == "很后 后悔 不怎 怎么 么样"
    assert char_bigrams("好 ok 2") == "好好 ok 2"


@pytest.mark.parametrize(
    "generator,generation",
    [("prelabel", "prelabel"), ("centroid", "generated"), ("augment", "augmented")],
)
def test_the_base_scenario_names_the_kind_of_generation(generator, generation):
    """The scenario the CLI plans on says how the rows were made (it sets the saturation prior and
    whether the measured range binds) and asks for the best the budget buys."""
    p = H.prepare_case(small_case(generator))
    econ = H.base_scenario(p)["economics"]
    assert econ["generation"] == generation
    assert econ["objective"] == "best_for_budget"
