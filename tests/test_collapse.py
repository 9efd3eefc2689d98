"""The collapse simulator shows what the literature says, exactly where it can be exact.

Replace without fresh data loses categories for good (Shumailov et al., Nature 2024); accumulating
data (Gerstgrasser et al., 2024) or mixing in fresh human data bounds the loss.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hybrid.errors import InputError
from hybrid.whatif.collapse import (
    CollapseParams,
    compare_modes,
    simulate_collapse,
    zipf_probabilities,
)

# Small enough for milliseconds, large enough that replacement visibly eats the tail in 30 rounds.
SMALL = dict(categories=1000, zipf_exponent=1.1, samples_per_generation=5000, generations=30)


def test_zipf_probabilities_are_a_sorted_distribution() -> None:
    p = zipf_probabilities(1000, 1.1)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.diff(p) < 0)
    assert p[0] / p[9] == pytest.approx(10**1.1)
    assert np.allclose(zipf_probabilities(50, 0.0), 1 / 50)


@pytest.mark.parametrize("seed", range(5))
def test_replace_without_fresh_data_loses_categories_for_good(seed: int) -> None:
    r = simulate_collapse(**SMALL, seed=seed, record_probs=True)
    zero = r.probs == 0
    assert np.all(zero[1:] >= zero[:-1]), "a category at zero probability came back"
    assert np.all(np.diff(r.alive) <= 0)
    assert np.array_equal(r.alive, np.count_nonzero(r.probs, axis=1))
    assert np.all(np.diff(r.tail_coverage) <= 0)
    assert r.alive[-1] < 0.2 * r.params.categories < r.alive[0]
    assert r.tail_coverage[-1] < 0.5 * r.tail_coverage[0]
    assert r.tv_distance[-1] > r.tv_distance[0]


@pytest.mark.parametrize("seed", range(5))
def test_twenty_percent_fresh_data_keeps_categories_above_forty_percent(seed: int) -> None:
    # Each generation's 1,000 fresh samples alone reach about 280 of the 1,000 categories on
    # average; together with what the synthetic samples keep alive, the floor is near 480.
    r = simulate_collapse(**SMALL, fresh_share=0.2, seed=seed)
    without = simulate_collapse(**SMALL, fresh_share=0.0, seed=seed)
    assert r.alive.min() >= 0.4 * r.params.categories
    assert r.tail_coverage.min() >= 0.5
    assert r.alive[-1] > 2.5 * without.alive[-1]
    assert r.tv_distance[-1] < without.tv_distance[-1]


@pytest.mark.parametrize("fresh_share", [0.0, 0.2])
def test_accumulating_never_loses_a_category(fresh_share: float) -> None:
    runs = compare_modes(**SMALL, fresh_share=fresh_share, seed=3, record_probs=True)
    acc, rep = runs["accumulate"], runs["replace"]
    zero = acc.probs == 0
    assert np.all(zero[1:] <= zero[:-1]), "accumulating lost a category"
    assert np.all(np.diff(acc.alive) >= 0)
    assert np.all(np.diff(acc.tail_coverage) >= 0)
    assert acc.alive[-1] > rep.alive[-1]
    assert acc.tv_distance[-1] < rep.tv_distance[-1]
    assert list(acc.training_examples) == [5000 * (t + 1) for t in range(31)]
    assert set(rep.training_examples) == {5000}


def test_generation_zero_is_the_same_real_data_fit_in_both_modes() -> None:
    runs = compare_modes(**SMALL, seed=11, record_probs=True)
    assert np.array_equal(runs["replace"].probs[0], runs["accumulate"].probs[0])
    assert runs["replace"].alive[0] == runs["accumulate"].alive[0]


def test_measures_agree_with_the_fitted_distribution() -> None:
    r = simulate_collapse(**SMALL, fresh_share=0.1, seed=5, record_probs=True)
    p_true = zipf_probabilities(1000, 1.1)
    head = r.head_size
    assert head == 100
    assert r.true_tail_mass == pytest.approx(p_true[head:].sum())
    for t in (0, 7, 30):
        p = r.probs[t]
        assert r.tv_distance[t] == pytest.approx(0.5 * np.abs(p - p_true).sum())
        assert r.tail_mass[t] == pytest.approx(p[head:].sum())
        assert r.tail_coverage[t] == pytest.approx(
            p_true[head:][p[head:] > 0].sum() / p_true[head:].sum()
        )
    assert np.array_equal(r.final_probs, r.probs[-1])


def test_seeded_runs_are_reproducible_and_seeds_matter() -> None:
    a = simulate_collapse(**SMALL, fresh_share=0.1, seed=42)
    b = simulate_collapse(**SMALL, fresh_share=0.1, seed=42)
    c = simulate_collapse(**SMALL, fresh_share=0.1, seed=43)
    for field in ("alive", "tail_mass", "tail_coverage", "tv_distance", "final_probs"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.final_probs, c.final_probs)
    assert a.to_rows() == b.to_rows()


def test_to_rows_is_plain_data_per_generation() -> None:
    r = simulate_collapse(**SMALL, mode="accumulate", fresh_share=0.2, seed=1)
    rows = r.to_rows()
    assert len(rows) == 31
    assert rows[0]["generation"] == 0 and rows[-1]["generation"] == 30
    assert rows[-1]["mode"] == "accumulate"
    assert rows[-1]["categories_alive"] == int(r.alive[-1])
    assert rows[-1]["categories_alive_share"] == pytest.approx(r.alive[-1] / 1000)
    assert rows[-1]["tail_mass_vs_true"] == pytest.approx(r.tail_mass[-1] / r.true_tail_mass)
    assert all(type(v) in (int, float, str) for row in rows for v in row.values())
    assert r.summary()["final_categories_alive"] == int(r.alive[-1])


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"categories": 1}, "categories"),
        ({"categories": 10.5}, "categories"),
        ({"samples_per_generation": 0}, "samples_per_generation"),
        ({"generations": -1}, "generations"),
        ({"fresh_share": 1.5}, "fresh_share"),
        ({"fresh_share": float("nan")}, "fresh_share"),
        ({"zipf_exponent": -1}, "zipf_exponent"),
        ({"mode": "mix"}, "mode"),
        ({"seed": -3}, "seed"),
        ({"head_fraction": 0.0}, "head_fraction"),
        ({"generations": 10_000, "categories": 100_000, "record_probs": True}, "record_probs"),
    ],
)
def test_bad_parameters_name_the_parameter(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError, match=f"^{field}:"):
        simulate_collapse(**kwargs)


@settings(max_examples=60, deadline=None)
@given(
    categories=st.integers(2, 300),
    zipf_exponent=st.floats(0.0, 3.0),
    samples=st.integers(1, 3000),
    generations=st.integers(0, 12),
    fresh_share=st.floats(0.0, 1.0),
    mode=st.sampled_from(["replace", "accumulate"]),
    head_fraction=st.floats(0.01, 0.99),
    seed=st.integers(0, 2**32),
)
def test_any_valid_parameters_give_valid_outputs(
    categories: int,
    zipf_exponent: float,
    samples: int,
    generations: int,
    fresh_share: float,
    mode: str,
    head_fraction: float,
    seed: int,
) -> None:
    r = simulate_collapse(
        categories=categories,
        zipf_exponent=zipf_exponent,
        samples_per_generation=samples,
        generations=generations,
        fresh_share=fresh_share,
        mode=mode,  # type: ignore[arg-type]
        seed=seed,
        head_fraction=head_fraction,
        record_probs=True,
    )
    n = generations + 1
    for arr in (r.generation, r.tail_mass, r.tail_coverage, r.alive, r.tv_distance):
        assert arr.shape == (n,)
    assert r.probs.shape == (n, categories)
    assert np.all(r.probs >= 0)
    assert np.allclose(r.probs.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(
        (r.alive >= 1) & (r.alive <= min(categories, samples * (n if mode == "accumulate" else 1)))
    )
    assert np.all((r.tv_distance >= 0) & (r.tv_distance <= 1 + 1e-12))
    assert np.all((r.tail_mass >= 0) & (r.tail_mass <= 1 + 1e-12))
    assert np.all((r.tail_coverage >= 0) & (r.tail_coverage <= 1 + 1e-12))
    assert 1 <= r.head_size < categories
    if mode == "accumulate":
        assert np.all(np.diff(r.alive) >= 0)
    elif r.params.fresh_per_generation == 0:
        assert np.all(np.diff(r.alive) <= 0)
    assert CollapseParams(categories=categories, mode=mode).mode == mode  # type: ignore[arg-type]
