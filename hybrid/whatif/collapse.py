"""Model collapse in miniature: a heavy-tailed distribution refitted on its own samples.

Why this exists: the guidance behind this tool warns that training on generated data, generation
after generation, narrows the distribution and loses rare patterns, and that fresh human data is the
correction. This module makes that visible with the simplest model that shows it, so a team can see
how much fresh human data its pipeline needs.

The model. The true distribution is Zipf over ``K`` categories, ``p*_k ∝ k**(-s)`` (ranks ``k`` =
1..K): a head of common cases and a long tail of rare ones, the shape Dohmatob et al. use ("A Tale
of Tails: Model Collapse as a Change of Scaling Laws", ICML 2024). A "model" is a categorical
distribution, and fitting it by maximum likelihood gives the empirical frequencies of its training
data. Generation 0 is fitted on ``n`` real samples from ``p*``. Each later generation draws its
``n`` training examples as ``round(fresh_share * n)`` fresh samples from ``p*`` (new human data)
plus the rest sampled from the previous generation's model (synthetic data), then refits:

- ``replace``: each model is fitted only on its own generation's data, as in Shumailov et al.,
  "AI models collapse when trained on recursively generated data", Nature 2024. A category that
  draws no samples gets probability 0 and, without fresh data, can never come back: the tail is cut
  a little more every generation (Dohmatob et al.'s tail truncation).
- ``accumulate``: each model is fitted on all data so far (the real generation-0 data plus every
  later generation's), as in Gerstgrasser et al., "Is Model Collapse Inevitable? Breaking the Curse
  of Recursion by Accumulating Real and Synthetic Data", 2024, who show that accumulating keeps the
  error bounded where replacing lets it grow. Here a category once seen is never lost.

What is measured per generation:

- ``tail_mass``: probability the model gives to the tail, the categories outside the top
  ``head_fraction`` (default 10%, at least one category) of ``K`` by true probability; compare
  with ``true_tail_mass``. Under pure refitting the mass of any fixed set of categories is a
  martingale (its expectation never moves), so this number mostly wanders: the damage is not less
  tail mass on average but tail mass piled onto fewer categories, which the next two measure.
- ``tail_coverage``: the share of the true tail's probability that falls on categories the model
  can still produce, ``sum(p*_k for tail k alive) / true_tail_mass``. 1 - coverage is how often a
  real rare case is one the model has never seen; without fresh data it can only fall.
- ``alive``: categories the model still gives non-zero probability.
- ``tv_distance``: total-variation distance ``0.5 * sum |p_t - p*|`` to the truth, in [0, 1]. Not
  KL: ``KL(p* || p_t)`` is infinite as soon as one category is lost, which is exactly the event of
  interest, and ``KL(p_t || p*)`` hides lost categories.

Each generation is one ``rng.multinomial`` draw over ``K`` categories (counts, never individual
samples), so 20 generations of 100,000 samples over 10,000 categories take milliseconds; see
benchmarks/bench_collapse.py.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from hybrid.errors import InputError

Mode = Literal["replace", "accumulate"]
MODES: tuple[str, ...] = ("replace", "accumulate")

# Bounds keep one run interactive and its memory small (a few arrays of K floats).
MAX_CATEGORIES = 2_000_000
MAX_SAMPLES = 10**9
MAX_GENERATIONS = 10_000
MAX_ZIPF_EXPONENT = 10.0
MAX_RECORDED_VALUES = 50_000_000


@dataclass(frozen=True)
class CollapseParams:
    """Inputs of one simulation; see ``simulate_collapse``."""

    categories: int = 10_000
    zipf_exponent: float = 1.1
    samples_per_generation: int = 100_000
    generations: int = 20
    fresh_share: float = 0.0
    mode: Mode = "replace"
    seed: int | None = 0
    head_fraction: float = 0.1

    def __post_init__(self) -> None:
        _check_int("categories", self.categories, 2, MAX_CATEGORIES)
        _check_int("samples_per_generation", self.samples_per_generation, 1, MAX_SAMPLES)
        _check_int("generations", self.generations, 0, MAX_GENERATIONS)
        _check_float("zipf_exponent", self.zipf_exponent, 0.0, MAX_ZIPF_EXPONENT)
        _check_float("fresh_share", self.fresh_share, 0.0, 1.0)
        _check_float("head_fraction", self.head_fraction, 0.0, 1.0)
        if not 0.0 < self.head_fraction < 1.0:
            raise InputError(
                f"head_fraction: must be between 0 and 1, exclusive (got {self.head_fraction!r})"
            )
        if self.mode not in MODES:
            raise InputError(f"mode: must be one of {', '.join(MODES)} (got {self.mode!r})")
        if self.seed is not None:
            _check_int("seed", self.seed, 0, 2**63 - 1)

    @property
    def head_size(self) -> int:
        """Categories in the head: the top ``head_fraction`` of K, at least one, leaving a tail."""
        return min(self.categories - 1, max(1, math.ceil(self.head_fraction * self.categories)))

    @property
    def fresh_per_generation(self) -> int:
        return int(round(self.fresh_share * self.samples_per_generation))


@dataclass(frozen=True)
class CollapseResult:
    """Per-generation measurements; index ``t`` is generation ``t`` (0: fitted on real data).

    ``probs`` (generations + 1 by K) is kept only when asked for, as it grows with both.
    """

    params: CollapseParams
    true_probs: np.ndarray
    true_tail_mass: float
    generation: np.ndarray
    training_examples: np.ndarray
    tail_mass: np.ndarray
    tail_coverage: np.ndarray
    alive: np.ndarray
    tv_distance: np.ndarray
    final_probs: np.ndarray
    head_size: int
    probs: np.ndarray | None = None

    def to_rows(self) -> list[dict[str, float | int | str]]:
        """One plain dict per generation, for a table, a chart or a CSV."""
        k = self.params.categories
        rows = []
        for t in range(len(self.generation)):
            rows.append(
                {
                    "generation": int(self.generation[t]),
                    "mode": self.params.mode,
                    "fresh_share": float(self.params.fresh_share),
                    "training_examples": int(self.training_examples[t]),
                    "tail_mass": float(self.tail_mass[t]),
                    "tail_mass_vs_true": float(self.tail_mass[t] / self.true_tail_mass)
                    if self.true_tail_mass > 0
                    else float("nan"),
                    "tail_coverage": float(self.tail_coverage[t]),
                    "categories_alive": int(self.alive[t]),
                    "categories_alive_share": float(self.alive[t] / k),
                    "tv_distance": float(self.tv_distance[t]),
                }
            )
        return rows

    def summary(self) -> dict[str, float | int | str]:
        """The parameters and the last generation's numbers, flat."""
        last = self.to_rows()[-1]
        return {**asdict(self.params), **{f"final_{k}": v for k, v in last.items()}}


def zipf_probabilities(categories: int, exponent: float) -> np.ndarray:
    """``p_k ∝ k**(-exponent)`` for ranks 1..K, sorted from most to least likely."""
    _check_int("categories", categories, 1, MAX_CATEGORIES)
    _check_float("zipf_exponent", exponent, 0.0, MAX_ZIPF_EXPONENT)
    weights = np.arange(1, categories + 1, dtype=np.float64) ** -float(exponent)
    return weights / weights.sum()


def simulate_collapse(
    categories: int = 10_000,
    zipf_exponent: float = 1.1,
    samples_per_generation: int = 100_000,
    generations: int = 20,
    fresh_share: float = 0.0,
    mode: Mode = "replace",
    seed: int | None = 0,
    head_fraction: float = 0.1,
    record_probs: bool = False,
) -> CollapseResult:
    """Refit a Zipf categorical on its own samples for ``generations`` generations.

    Same parameters and seed give the same result. Bad parameters raise ``InputError`` naming the
    parameter. ``record_probs`` keeps every generation's fitted distribution in ``probs``.
    """
    params = CollapseParams(
        categories=categories,
        zipf_exponent=zipf_exponent,
        samples_per_generation=samples_per_generation,
        generations=generations,
        fresh_share=fresh_share,
        mode=mode,
        seed=seed,
        head_fraction=head_fraction,
    )
    return run(params, record_probs=record_probs)


def run(params: CollapseParams, record_probs: bool = False) -> CollapseResult:
    rng = np.random.default_rng(params.seed)
    k, n, g = params.categories, params.samples_per_generation, params.generations
    head = params.head_size
    p_true = zipf_probabilities(k, params.zipf_exponent)
    n_fresh = params.fresh_per_generation
    n_synthetic = n - n_fresh
    accumulate = params.mode == "accumulate"

    tail_mass = np.empty(g + 1)
    coverage = np.empty(g + 1)
    true_tail = p_true[head:]
    true_tail_mass = float(true_tail.sum())
    alive = np.empty(g + 1, dtype=np.int64)
    tv = np.empty(g + 1)
    examples = np.empty(g + 1, dtype=np.int64)
    if record_probs and (g + 1) * k > MAX_RECORDED_VALUES:
        raise InputError(
            f"record_probs: (generations + 1) x categories = {(g + 1) * k:,} values is more than "
            f"{MAX_RECORDED_VALUES:,}; record fewer generations or categories"
        )
    history = np.empty((g + 1, k)) if record_probs else None

    counts = rng.multinomial(n, p_true)
    pool = counts.copy()
    model = counts / n
    for t in range(g + 1):
        if t > 0:
            batch = rng.multinomial(n_synthetic, model)
            if n_fresh:
                batch += rng.multinomial(n_fresh, p_true)
            if accumulate:
                pool += batch
                counts = pool
            else:
                counts = batch
            model = counts / counts.sum()
        examples[t] = n * (t + 1) if accumulate else n
        tail_mass[t] = model[head:].sum()
        coverage[t] = true_tail[counts[head:] > 0].sum() / true_tail_mass
        alive[t] = np.count_nonzero(counts)
        tv[t] = 0.5 * np.abs(model - p_true).sum()
        if history is not None:
            history[t] = model

    return CollapseResult(
        params=params,
        true_probs=p_true,
        true_tail_mass=true_tail_mass,
        generation=np.arange(g + 1),
        training_examples=examples,
        tail_mass=tail_mass,
        tail_coverage=coverage,
        alive=alive,
        tv_distance=tv,
        final_probs=model,
        head_size=head,
        probs=history,
    )


def compare_modes(**kwargs: object) -> dict[str, CollapseResult]:
    """The same run under ``replace`` and ``accumulate`` (same seed), for a side-by-side chart."""
    kwargs.pop("mode", None)
    return {mode: simulate_collapse(mode=mode, **kwargs) for mode in MODES}  # type: ignore[arg-type]


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(f"{name}: must be a whole number (got {value!r})")
    if not low <= int(value) <= high:
        raise InputError(f"{name}: must be between {low:,} and {high:,} (got {value!r})")


def _check_float(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"{name}: must be a number (got {value!r})")
    if not math.isfinite(float(value)) or not low <= float(value) <= high:
        raise InputError(f"{name}: must be between {low} and {high} (got {value!r})")
