"""Buying in rounds: a staged plan that prices what the next measurement is worth.

The one-shot recommendation buys the whole plan on one pilot's estimate. Mahmood et al. ("How Much
More Data Do I Need?", CVPR 2022) found that a power law fitted on a small pilot misjudges the
data a target needs and recommend collecting in several rounds, about five, re-fitting after
each; their "Learn-Optimize-Collect" (NeurIPS 2022) chooses each round's purchase to minimise the
expected total spend plus a penalty for missing the target. This module does that over the
scenario's model (docs/model.md, "Buying in rounds"):

1. The uncertainty is the Monte Carlo's (``hybrid.whatif.uncertainty.draw_values``, same seed, same
   draws): the learning curve from its fit covariance, the generator accuracy, catch rate, tail
   coverage, synthetic worth and exponent from their ranges. Prices are held at the scenario's: each
   round is bought at a quoted price. Readings the team recorded after earlier rounds
   (``Scenario.rounds``) condition the draws first (importance weights, then resampling).
2. Each draw is one possible truth (a "future"). The mix (synthetic share, review coverage) is the
   recommendation's; the rounds decide how many new examples to buy, and when.
3. Round 1 buys a fixed number of examples; after each round the team measures the metric on a
   held-out share of its human rows, so the reading is the future's true metric plus noise with
   standard error ``sqrt(m (1 - m) / rows held out)`` (binomial; it shrinks as ``1/sqrt(n)``). The
   team's belief is carried on a stratified subset of the draws (``PARTICLES``), reweighted by the
   likelihood of each reading (importance reweighting, Gaussian likelihood). Every later round buys
   up to a quantile of the examples the target needs under that posterior: this is the rule.
4. The rule's two numbers (round 1's size and the later quantile) are chosen to minimise the
   expected spend plus the miss penalty times the chance of missing, over the same futures, among
   candidates that include the one-shot plan itself, so the staged plan never does worse than the
   one-shot plan on its own objective. In budget mode the rounds spend the budget in equal tranches.

Everything is vectorised over futures with NumPy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from hybrid.errors import InputError
from hybrid.model.curves import fit_curve
from hybrid.model.economics import Inputs, resolve_inputs
from hybrid.model.policy import Policy
from hybrid.model.provenance import ENTERED, Provenance
from hybrid.model.recommend import Plan, Recommendation, decide, plan_of_size
from hybrid.model.scenario import MAX_MONEY, MAX_ROUNDS, Dataset, RoundRecord, Scenario
from hybrid.vocabulary import SOURCE_KINDS
from hybrid.whatif.uncertainty import draw_values

DEFAULT_DRAWS = 2000
MAX_DRAWS = 20_000
# The team's belief is carried on this many of the draws, stratified by the examples each needs.
# On the examples the expected cost of the chosen plan moves by under 1% between 64 and 256
# particles (benchmarks/ROUNDS_RESULTS.md); the time is linear in them.
PARTICLES = 128
# Plan sizes on which the particles' metric is tabulated, log-spaced up to what the budget buys.
GRID = 160
# Round 1's candidate sizes: these quantiles of the examples the target needs, plus the one-shot
# plan and all the budget buys.
FIRST_LEVELS = (0.1, 0.25, 0.5, 0.7, 0.85, 0.95, 0.99)
# Later rounds buy up to this quantile of the posterior (or nothing more: the one-round plans).
LATER_LEVELS = (0.5, 0.8, 0.95, 0.99)
# Held-out rows a reading is never taken on fewer of (the evidence's MIN_HOLDOUT_ROWS).
MIN_EVALUATION_ROWS = 30
# Prices are quoted when a round is bought: the rounds do not draw them.
PRICE_FIELDS = ("human_cost", "synthetic_cost", "review_cost")
# Built-in settings when the policy has no ``rounds`` section (data/policy.yaml gives the reasons).
_DEFAULT_PENALTY_SHARE = 1.0
_DEFAULT_MIN_ROUND = 100.0
_DEFAULT_HOLDOUT = 0.3


@dataclass(frozen=True)
class Round:
    """One round: the expected purchase over the futures (round 1's is the same in all of them)."""

    round: int
    human_examples: float
    synthetic_examples: float
    review_coverage: float
    spend: float
    probability_target: float
    expected_spend_to_date: float
    expected_metric: float
    share_buying: float  # share of the futures that buy anything in this round


@dataclass(frozen=True)
class OneShot:
    """The recommendation bought at once, evaluated on the same futures: ``expected_metric`` is
    the mean over them; ``point_metric`` is the recommendation's own expected metric (the model at
    today's values), which it equals when nothing is uncertain."""

    human_examples: float
    synthetic_examples: float
    review_coverage: float
    spend: float
    probability_target: float
    expected_metric: float
    point_metric: float


@dataclass(frozen=True)
class RoundsPlan:
    mode: str  # "target" (cheapest way to reach it) or "budget" (best metric the budget buys)
    rounds: tuple[Round, ...]
    one_shot: OneShot
    expected_spend: float
    probability_target: float
    expected_metric: float
    expected_cost: float  # expected spend plus the miss penalty times the chance of missing
    one_shot_cost: float
    miss_penalty: float
    synthetic_share: float
    review_coverage: float
    first_quantile: (
        float | None
    )  # round 1 buys this quantile of the examples needed (None: one-shot)
    later_quantile: float | None  # later rounds top up to this posterior quantile (None: never)
    one_round_margin: float | None  # best single purchase over the point-estimate plan, minus one
    budget: float
    target: float
    today_metric: float
    today_probability: float  # share of the futures already at the target before buying
    currency: str
    draws: int
    seed: int
    readings: int  # measured rounds that conditioned the draws
    min_round_rows: float
    holdout_share: float
    spreads: tuple[Spread, ...]  # what the pilot measured, and how round 1 narrows it
    spend_paths: np.ndarray  # (rounds, draws) cumulative spend per future
    metric_paths: np.ndarray  # (rounds, draws) true metric per future after each round
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """The CLI's ``--json`` object (issue 24's shape); money in the scenario's currency."""
        return {
            "rounds": [
                {
                    "round": r.round,
                    "human_examples": round(r.human_examples, 2),
                    "synthetic_examples": round(r.synthetic_examples, 2),
                    "review_coverage": r.review_coverage,
                    "spend": round(r.spend, 2),
                    "probability_target": round(r.probability_target, 4),
                    "expected_spend_to_date": round(r.expected_spend_to_date, 2),
                }
                for r in self.rounds
            ],
            "expected_spend": round(self.expected_spend, 2),
            "probability_target": round(self.probability_target, 4),
            "one_shot": {
                "spend": round(self.one_shot.spend, 2),
                "probability_target": round(self.one_shot.probability_target, 4),
                "expected_metric": round(self.one_shot.expected_metric, 6),
                "expected_metric_is": f"the mean over {self.draws:,} simulated futures",
                "point_metric": round(self.one_shot.point_metric, 6),
            },
        }

    def first_plan(self, inp: Inputs) -> Plan:
        """Round 1 as a plan of the recommendation's kind: the work order the work plan splits by
        slice."""
        n = self.rounds[0].human_examples + self.rounds[0].synthetic_examples
        return plan_of_size(inp, self.synthetic_share, self.review_coverage, n, "round 1")

    def first_purchase(self) -> tuple[float, float, float]:
        """Round 1's (human rows, synthetic rows, review coverage): the work order to place now."""
        r = self.rounds[0]
        return r.human_examples, r.synthetic_examples, r.review_coverage


@dataclass(frozen=True)
class Spread:
    """One uncertain input: its value, standard error, the rows its standard error is taken on,
    the standard error after round 1 adds rows (``narrowed``), the ``Inputs`` field it draws
    (``field``; ``curve`` for the learning curve's level) and where its value came from
    (``source``: the analysis's ``input_sources``, so an entered accuracy is not called measured).
    """

    name: str
    value: float
    standard_error: float
    rows: float
    after_first_round: float
    field: str = ""
    source: Provenance = ENTERED


def narrowed(standard_error: float, rows: float, more_rows: float) -> float:
    """Standard error once ``more_rows`` join the ``rows`` it was measured on: ``1/sqrt(n)``.

    The standard error of a mean or a proportion (and, by the delta method, of a smooth function
    of them) scales as ``1/sqrt(n)`` of the rows measured on; Mahmood et al. (CVPR 2022) re-fit
    after each round for this reason.
    """
    if rows <= 0:
        return standard_error
    return float(standard_error * math.sqrt(rows / (rows + max(more_rows, 0.0))))


def measured_spread(scenario: Scenario, inp: Inputs, holdout: float, tau: float) -> list[Spread]:
    """What the pilot measured, with standard errors (``after_first_round`` left at now).

    - the curve's level: ``tau`` (``level_error``) on the held-out human rows;
    - with a measured synthetic response: the generator accuracy, binomial on the pilot's synthetic
      rows (the Wilson interval's standard error, Wilson 1927), and the synthetic worth,
      saturation and systematic share, each with the relative error of the gain the response was
      fitted to: the difference of two held-out scores, ``sqrt(2)`` times one reading's error, over
      the gain itself (delta method).
    """
    src = inp.sources
    out = [
        Spread(
            "curve level",
            float(inp.today()),
            tau,
            holdout * inp.human_now,
            tau,
            "curve",
            src.get("learning_curve", ENTERED),
        )
    ]
    ds = scenario.dataset
    r = ds.synthetic_response if ds is not None else None
    if r is None:
        return out
    a = float(inp.accuracy)
    se_a = math.sqrt(max(r.accuracy * (1 - r.accuracy), 1e-4) / r.synthetic_rows)
    out.append(
        Spread(
            "generator accuracy",
            a,
            se_a,
            float(r.synthetic_rows),
            se_a,
            "accuracy",
            src.get("accuracy", ENTERED),
        )
    )
    metrics = [m for _, _, m in r.points] or [float(inp.today())]
    gain = max(metrics) - min(metrics)
    se_gain = math.sqrt(2.0) * float(reading_error(np.mean(metrics), holdout * r.human_rows))
    rel = min(se_gain / max(gain, se_gain, 1e-9), 1.0)
    rows = float(r.human_rows)
    for name, field in (
        ("synthetic worth", "synthetic_value"),
        ("saturation", "saturation"),
        ("metric lost per point of generator error", "systematic_share"),
    ):
        v = float(np.mean(getattr(inp, field)))
        if np.isfinite(v) and v > 0:
            out.append(Spread(name, v, rel * v, rows, rel * v, field, src.get(field, ENTERED)))
    return out


def draw_measured(spreads: list[Spread], draws: int, rng: np.random.Generator) -> dict:
    """Draws of the measured quantities (all but the level, drawn in ``condition``): normal for
    the accuracy (clipped to a probability) and the systematic share (at least 0), log-normal with
    the same mean for the worth (at most 1) and the saturation (positive)."""
    out: dict[str, np.ndarray] = {}
    for sp in spreads:
        field = sp.field
        if field in ("", "curve") or sp.standard_error <= 0:
            continue
        z = rng.standard_normal(draws)
        if field == "accuracy":
            out[field] = np.clip(sp.value + sp.standard_error * z, 0.001, 0.999)
        elif field == "systematic_share":
            out[field] = np.maximum(sp.value + sp.standard_error * z, 0.0)
        else:
            sigma = math.sqrt(math.log1p((sp.standard_error / sp.value) ** 2))
            x = sp.value * np.exp(sigma * z - 0.5 * sigma**2)
            out[field] = np.minimum(x, 1.0) if field == "synthetic_value" else x
    return out


@dataclass(frozen=True)
class _Futures:
    """What the simulation of every candidate rule shares."""

    d: Inputs  # inputs with one value per future
    share: float
    coverage: float
    cap: float  # new examples the budget buys at the mix
    unit: float
    target: float
    rounds: int
    min_round: float
    holdout: float
    human_now: float
    noise: np.ndarray  # (rounds, futures) standard normal, common to every candidate
    table: np.ndarray  # (particles, GRID) metric of each particle at each grid size, float32
    grid_x: np.ndarray  # log1p of the grid sizes
    needed: np.ndarray  # (particles,) examples each particle needs, sorted ascending


def settings(policy: Policy) -> tuple[float, float, float, int]:
    """(miss penalty as a share of the budget, smallest round, held-out share, most rounds)."""
    r = policy.rounds
    if r is None:
        return _DEFAULT_PENALTY_SHARE, _DEFAULT_MIN_ROUND, _DEFAULT_HOLDOUT, MAX_ROUNDS
    return (
        r.miss_penalty_budget_share.value,
        r.min_round_rows.value,
        r.holdout_share.value,
        r.max_rounds,
    )


def level_error(scenario: Scenario, inp: Inputs, holdout: float) -> float:
    """Standard deviation of the curve's level at the rows in hand.

    The curve's level is known only as well as the pilot's own score: a metric measured on the
    held-out share of today's human rows (``reading_error``; a 300-row pilot's score is known to 2
    to 4 points). With four or more curve points the back-test (``curves.fit_curve``: fit without
    the largest point and predict it) measures how far the curve misses out of its range; the
    larger of the two is taken.
    """
    tau = float(reading_error(inp.today(), holdout * inp.human_now))
    points = scenario.economics.learning_curve.points
    if points and len(points) >= 4:
        try:
            tau = max(tau, float(fit_curve(points).backtest_error or 0.0))
        except InputError:
            pass
    return tau


def default_rounds(cap: float, min_round: float, most: int) -> int:
    """As many rounds as the budget buys rounds of the smallest useful size, up to ``most``.

    Mahmood et al. (CVPR 2022) found about five rounds enough to correct an extrapolated learning
    curve; a round smaller than the smallest useful size re-measures nothing.
    """
    if not np.isfinite(cap) or cap <= 0:
        return 1
    return int(max(1, min(most, math.floor(cap / max(min_round, 1.0)))))


def plan_rounds(
    scenario: Scenario,
    policy: Policy,
    *,
    rounds: int | None = None,
    miss_penalty: float | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    inputs: Inputs | None = None,
    recommendation: Recommendation | None = None,
    ranges: dict | None = None,
    level: float | None = None,
) -> RoundsPlan:
    """The staged plan for ``scenario`` (module docstring); ``rounds`` None lets the tool choose.

    ``ranges`` (default: the policy's) and ``level`` (the standard deviation of the curve's level,
    default ``level_error``) set the uncertainty; both at nothing leave only the curve's covariance.
    """
    if rounds is not None and (isinstance(rounds, bool) or not 1 <= int(rounds) <= MAX_ROUNDS):
        raise InputError(f"rounds: must be a whole number from 1 to {MAX_ROUNDS} (got {rounds})")
    if miss_penalty is not None and not (
        np.isfinite(miss_penalty) and 0 <= miss_penalty <= MAX_MONEY
    ):
        raise InputError(
            f"miss penalty: must be a sum of money from 0 to {MAX_MONEY:,.0f} (got {miss_penalty})"
        )
    if isinstance(seed, bool) or not 0 <= int(seed) < 2**32:
        raise InputError(f"seed: must be a whole number from 0 to {2**32 - 1:,} (got {seed})")
    if not 100 <= int(draws) <= MAX_DRAWS:
        raise InputError(f"draws: must be from 100 to {MAX_DRAWS:,} (got {draws})")
    inp = inputs if inputs is not None else resolve_inputs(scenario, policy)
    spent = spent_so_far(scenario, inp)
    if spent > 0:
        # The budget is the whole series': what recorded rounds spent is gone.
        inp = replace(inp, budget=max(float(inp.budget) - spent, 1e-6))
        recommendation = None
    rec = recommendation if recommendation is not None else decide(scenario, policy, inp)
    penalty_share, min_round, holdout, most = settings(policy)
    budget = float(scenario.economics.budget)  # the series', not what is left of it
    penalty = float(miss_penalty) if miss_penalty is not None else penalty_share * budget
    share, coverage = rec.plan.synthetic_share, rec.plan.review_coverage
    unit = float(inp.unit_cost(share, coverage))
    cap = float(inp.budget / (inp.unit_cost(share, coverage) + inp.unit_risk(share, coverage)))
    if share > 0 and np.isfinite(inp.synthetic_available):
        cap = min(cap, float(inp.synthetic_available) / share)
    n_rounds = int(rounds) if rounds is not None else default_rounds(cap, min_round, most)

    rng = np.random.default_rng(seed)
    drawn = draw_values(inp, policy.ranges if ranges is None else ranges, int(draws), rng)
    drawn = {k: v for k, v in drawn.items() if k not in PRICE_FIELDS}
    d = replace(inp, **drawn)
    readings = [r for r in scenario.rounds or [] if r.measured_metric is not None]
    notes: list[str] = []
    tau = level_error(scenario, inp, holdout) if level is None else float(level)
    spreads = measured_spread(scenario, inp, holdout, tau) if level is None else []
    measured = draw_measured(spreads, int(draws), np.random.default_rng([seed, 4]))
    if measured:
        d = replace(d, **measured)
        notes.append(
            "Drawn from the pilot's standard errors rather than the policy's ranges: "
            + ", ".join(f"{sp.name} ({SOURCE_KINDS[sp.source.kind]})" for sp in spreads[1:])
            + "."
        )
    d, ess = condition(
        d, int(draws), readings, coverage, holdout, tau, np.random.default_rng([seed, 1])
    )
    if readings:
        notes.append(
            f"{len(readings)} measured round(s) narrowed the futures: {ess:.0f} of {draws:,} "
            f"carry weight after the readings."
        )
    # The purchases are priced as the recommendation prices its plan: without the rows in hand when
    # it drops them (``recommend.plan_inputs``); today's metric stays the dataset's as it is.
    priced = d.without_rows_in_hand() if rec.drops_rows_in_hand else d
    target = float(inp.target)
    n_rec = float(rec.plan.new_examples)
    one_metric = priced.metric(np.full(int(draws), n_rec), share, coverage)
    one = OneShot(
        human_examples=rec.plan.human_examples,
        synthetic_examples=rec.plan.synthetic_examples,
        review_coverage=rec.plan.review_coverage,
        spend=rec.plan.spend,
        probability_target=float(np.mean(one_metric >= target - 1e-9)),
        expected_metric=float(np.mean(one_metric)),
        point_metric=float(rec.plan.expected_metric),
    )
    one_cost = one.spend + penalty * (1.0 - one.probability_target)
    noise = np.random.default_rng([seed, 2]).standard_normal((n_rounds, int(draws)))
    base = dict(
        d=priced,
        share=share,
        coverage=coverage,
        cap=cap,
        unit=unit,
        target=target,
        rounds=n_rounds,
        min_round=min_round,
        holdout=holdout,
        human_now=float(inp.human_now),
        noise=noise,
    )
    if rec.mode == "budget":
        bought = np.outer(np.arange(1, n_rounds + 1) / n_rounds, np.full(int(draws), cap))
        metric = priced.metric(bought, share, coverage)
        first_q = later_q = margin = None
    else:
        fut = _futures(base, target, cap)
        best, margin = _search(fut, n_rec, penalty)
        first_q, later_q, bought, metric = best
        notes.append(_margin_note(margin))
        if float(np.mean(metric[-1] >= target - 1e-9)) < 0.5:
            notes.append(
                "At this miss penalty, chasing the target in most futures costs more than missing "
                "it: raise the penalty if missing the target is not acceptable."
            )
    spend_paths = bought * unit
    plan_rounds_ = _summarise(bought, metric, spend_paths, share, coverage, target)
    if rounds is None:
        # The tool chose how many: a round in which no future buys anything is not a round (the
        # plan said "Buying in 5 rounds" above four rounds of nothing).
        k = len(plan_rounds_)
        while k > 1 and plan_rounds_[k - 1].share_buying == 0:
            k -= 1
        plan_rounds_, spend_paths, metric = plan_rounds_[:k], spend_paths[:k], metric[:k]
    expected_spend = float(np.mean(spend_paths[-1]))
    p_final = float(np.mean(metric[-1] >= target - 1e-9))
    return RoundsPlan(
        mode=rec.mode,
        rounds=plan_rounds_,
        one_shot=one,
        expected_spend=expected_spend,
        probability_target=p_final,
        expected_metric=float(np.mean(metric[-1])),
        expected_cost=expected_spend + penalty * (1.0 - p_final),
        one_shot_cost=one_cost,
        miss_penalty=penalty,
        synthetic_share=share,
        review_coverage=coverage if share > 0 else 0.0,
        first_quantile=first_q,
        later_quantile=later_q,
        one_round_margin=margin,
        budget=float(inp.budget),
        target=target,
        today_metric=float(rec.today_metric),
        today_probability=float(np.mean(d.today() >= target - 1e-9)),
        currency=inp.currency,
        draws=int(draws),
        seed=int(seed),
        readings=len(readings),
        min_round_rows=min_round,
        holdout_share=holdout,
        spreads=tuple(_after_first(spreads, plan_rounds_[0], holdout)),
        spend_paths=spend_paths,
        metric_paths=metric,
        notes=tuple(notes),
    )


def spent_so_far(scenario: Scenario, inp: Inputs) -> float:
    """What the scenario's recorded rounds spent: as recorded, or priced at today's unit costs."""
    total = 0.0
    for r in scenario.rounds or []:
        if r.spend is not None:
            total += r.spend
            continue
        n = r.human_examples + r.synthetic_examples
        share = r.synthetic_examples / n if n else 0.0
        total += n * float(inp.unit_cost(share, r.review_coverage))
    return total


def reading_error(metric, rows_held_out) -> np.ndarray:
    """Standard error of a metric measured on ``rows_held_out`` rows: ``sqrt(m (1 - m) / n)``.

    The binomial standard error of an accuracy (for other metrics a first approximation); it is why
    every estimate here narrows as ``1 / sqrt(n)`` of the rows it is measured on.
    """
    m = np.clip(np.asarray(metric, dtype=float), 0.01, 0.99)
    n = np.maximum(np.asarray(rows_held_out, dtype=float), MIN_EVALUATION_ROWS)
    return np.sqrt(m * (1.0 - m) / n)


def condition(
    d: Inputs,
    draws: int,
    readings: list[RoundRecord],
    coverage: float,
    holdout: float,
    tau: float,
    rng: np.random.Generator,
) -> tuple[Inputs, float]:
    """The futures with a level for their curve, conditioned on the recorded readings.

    Each future's curve is shifted by a level ``b ~ N(0, tau**2)`` (``level_error``): the part of
    the metric no fit parameter holds. Each reading ``y`` after a round is the future's metric at
    the rows in hand then, plus ``b``, plus binomial noise (``reading_error``). The level is updated
    in closed form (normal prior, normal reading: the Kalman step), and the other drawn inputs are
    importance-weighted by the reading's marginal likelihood and resampled (systematic resampling)
    back to equal weights. Returns the inputs and the effective number of futures (Kish).
    """
    fields = {k: v for k, v in vars(d).items() if isinstance(v, np.ndarray) and v.shape == (draws,)}
    mean, var = np.zeros(draws), np.full(draws, float(tau) ** 2)
    logw = np.zeros(draws)
    for r in readings:
        h_new = r.human_in_hand - d.human_now
        s_new = r.synthetic_in_hand - d.synthetic_now
        cover = r.review_coverage if r.synthetic_examples > 0 else coverage
        predicted = np.broadcast_to(d.metric_at(h_new, s_new, cover), (draws,))
        rows = r.evaluation_rows or holdout * r.human_in_hand
        noise = float(reading_error(r.measured_metric, rows)) ** 2
        gap = float(r.measured_metric) - predicted - mean
        logw += -0.5 * gap**2 / (var + noise) - 0.5 * np.log(var + noise)
        gain = var / (var + noise)
        mean = mean + gain * gap
        var = var * (1.0 - gain)
    w = np.exp(logw - logw.max())
    w /= w.sum()
    ess = float(1.0 / np.sum(w**2))
    idx = np.arange(draws)
    if readings:
        positions = (rng.random() + np.arange(draws)) / draws
        idx = np.minimum(np.searchsorted(np.cumsum(w), positions), draws - 1)
    level = mean[idx] + np.sqrt(var[idx]) * rng.standard_normal(draws)
    changes = {k: v[idx] for k, v in fields.items()}
    changes["ceiling"] = np.broadcast_to(changes.get("ceiling", d.ceiling), (draws,)) + level
    return replace(d, **changes), ess


def _futures(base: dict, target: float, cap: float) -> _Futures:
    """Tabulate what the search needs once: each particle's metric on a grid of plan sizes and the
    examples each needs to reach the target."""
    d, share, coverage = base["d"], base["share"], base["coverage"]
    futures = base["noise"].shape[1]
    needed_all = _needed(d, target, share, coverage, cap, futures)
    k = min(PARTICLES, futures)
    order = np.argsort(needed_all, kind="stable")
    pick = order[np.linspace(0, futures - 1, k).round().astype(int)]
    varied = {
        name: v[pick][:, None]
        for name, v in vars(d).items()
        if isinstance(v, np.ndarray) and v.shape == (futures,)
    }
    particles = replace(d, **varied)
    top = max(cap, 1.0)
    grid = np.concatenate([[0.0], np.geomspace(max(top * 1e-5, 1e-3), top, GRID - 1)])
    table = np.broadcast_to(particles.metric(grid[None, :], share, coverage), (k, GRID))
    return _Futures(
        **base,
        table=np.ascontiguousarray(table, dtype=np.float32),
        grid_x=np.log1p(grid),
        needed=needed_all[pick],
    )


def _needed(d: Inputs, target, share, coverage, cap, futures) -> np.ndarray:
    """New examples each future needs at the mix; infinite where the budget does not reach it."""
    ones = np.ones(futures)
    n = d.examples_to_reach(target, share * ones, coverage * ones, cap * ones)
    return np.where(np.isfinite(n) & (n <= cap), n, np.inf)


def _search(fut: _Futures, n_rec: float, penalty: float):
    """The rule minimising expected spend plus ``penalty`` times the chance of missing.

    Candidates: round 1 buys the one-shot plan, a quantile of the examples needed, or all the
    budget buys; later rounds top up to a posterior quantile (nothing when that quantile is out of
    the budget's reach: the readings say the target is lost), or buy nothing. The one-shot plan
    is the first candidate; ties go to the higher chance of reaching the target, then to the
    earlier candidate: with no uncertainty every candidate that reaches the target costs the same
    and the one-shot plan wins. Taking the least ``spend + penalty * miss`` (ties to the smaller
    miss) is what makes a higher penalty never choose a larger miss: if penalty ``a < b`` chose
    misses ``x`` and ``y``, adding the two optimality conditions gives ``(b - a)(y - x) <= 0``.
    Returns the best ``(first quantile, later quantile, bought, metric)`` and the one-round margin.
    """
    prior = np.quantile(fut.needed, FIRST_LEVELS, method="inverted_cdf")
    firsts = [(None, n_rec)] + [
        (q, min(float(x), fut.cap))
        for q, x in zip(FIRST_LEVELS + (1.0,), [*prior, fut.cap], strict=True)
    ]
    seen: set[float] = set()
    results = []
    for q1, size in firsts:
        if size in seen:
            continue
        seen.add(size)
        for q_later, bought, metric in _simulate(fut, size):
            spend = float(np.mean(bought[-1])) * fut.unit
            p = float(np.mean(metric[-1] >= fut.target - 1e-9))
            results.append((spend + penalty * (1.0 - p), p, q1, q_later, bought, metric, size))
    costs = np.array([r[0] for r in results])
    best_cost = costs.min()
    near = [i for i, c in enumerate(costs) if c <= best_cost + 1e-9 * max(1.0, abs(best_cost))]
    i = max(near, key=lambda j: (results[j][1], -j))
    one_round = [r for r in results if r[3] is None]
    j = min(range(len(one_round)), key=lambda j: (one_round[j][0], -one_round[j][1]))
    margin = one_round[j][6] / n_rec - 1.0 if n_rec > 0 else None
    _, _, q1, q_later, bought, metric, _ = results[i]
    return (q1, q_later, bought, metric), margin


def _simulate(fut: _Futures, first: float):
    """Every later-round rule after a round 1 of ``first`` examples: yields
    ``(later quantile, bought, metric)``, each array (rounds, futures)."""
    d, futures = fut.d, fut.noise.shape[1]
    bought1 = np.full(futures, first)
    metric1 = d.metric(bought1, fut.share, fut.coverage)
    stay = np.repeat(bought1[None], fut.rounds, axis=0)
    yield None, stay, np.repeat(metric1[None], fut.rounds, axis=0)
    if fut.rounds == 1 or first >= fut.cap * (1.0 - 1e-9):
        return  # one round, or round 1 bought all the budget buys: later rounds have nothing
    logw1 = _update(
        fut, np.zeros((fut.needed.shape[0], futures), dtype=np.float32), bought1, metric1, 0
    )
    for q in LATER_LEVELS:
        logw, bought, metric = logw1, bought1, metric1
        paths, metrics = [bought1], [metric1]
        for r in range(1, fut.rounds):
            aim = _posterior_quantile(logw, fut.needed, q)
            # A quantile past what the budget buys says the target is out of reach: stop buying.
            buy = np.where(np.isfinite(aim), np.maximum(aim - bought, 0.0), 0.0)
            buy = np.where(buy < 1.0, 0.0, np.maximum(buy, fut.min_round))
            bought = np.minimum(bought + buy, fut.cap)
            metric = d.metric(bought, fut.share, fut.coverage)
            paths.append(bought)
            metrics.append(metric)
            if r < fut.rounds - 1:
                logw = _update(fut, logw, bought, metric, r)
        yield q, np.stack(paths), np.stack(metrics)


def _update(fut: _Futures, logw, bought, metric, r: int) -> np.ndarray:
    """Log weights (particles, futures) of the particles after the reading that follows round
    ``r + 1``. Particles run along the first axis so the sums over them are contiguous."""
    rows = fut.holdout * (fut.human_now + (1.0 - fut.share) * bought)
    se = reading_error(metric, rows).astype(np.float32)
    reading = metric.astype(np.float32) + se * fut.noise[r].astype(np.float32)
    pos = np.interp(np.log1p(bought), fut.grid_x, np.arange(fut.grid_x.size))
    i0 = np.minimum(np.floor(pos).astype(int), fut.grid_x.size - 2)
    t = (pos - i0).astype(np.float32)
    lo = np.take(fut.table, i0, axis=1)  # (particles, futures)
    hi = np.take(fut.table, i0 + 1, axis=1)
    z = (reading - (lo + (hi - lo) * t)) / se
    z *= z
    out = logw - 0.5 * z
    out -= out.max(axis=0, keepdims=True)
    return out


def _posterior_quantile(logw: np.ndarray, needed: np.ndarray, level: float) -> np.ndarray:
    """Per future, the smallest particle need whose posterior probability reaches ``level``."""
    cum = np.cumsum(np.exp(logw), axis=0)
    idx = np.argmax(cum >= level * cum[-1:], axis=0)
    return needed[idx]


def _summarise(bought, metric, spend, share, coverage, target) -> tuple[Round, ...]:
    out = []
    before = np.zeros(bought.shape[1])
    for r in range(bought.shape[0]):
        buy = bought[r] - before
        before = bought[r]
        out.append(
            Round(
                round=r + 1,
                human_examples=float(np.mean((1.0 - share) * buy)),
                synthetic_examples=float(np.mean(share * buy)),
                review_coverage=float(coverage) if share > 0 else 0.0,
                spend=float(np.mean(spend[r] - (spend[r - 1] if r else 0.0))),
                probability_target=float(np.mean(metric[r] >= target - 1e-9)),
                expected_spend_to_date=float(np.mean(spend[r])),
                expected_metric=float(np.mean(metric[r])),
                share_buying=float(np.mean(buy > 0)),
            )
        )
    return tuple(out)


def _after_first(spreads: list[Spread], first: Round, holdout: float) -> list[Spread]:
    """Each spread narrowed by round 1's rows: new human rows add held-out rows to the level's
    reading and base rows to the synthetic response; reviewed synthetic rows re-measure the
    generator's accuracy."""
    out = []
    for sp in spreads:
        if sp.field == "curve":
            more = holdout * first.human_examples
        elif sp.field == "accuracy":
            more = first.synthetic_examples * first.review_coverage
        else:
            more = first.human_examples
        out.append(replace(sp, after_first_round=narrowed(sp.standard_error, sp.rows, more)))
    return out


def _margin_note(margin: float | None) -> str:
    if margin is None:
        return "Today's metric already meets the target: nothing to buy."
    if abs(margin) < 0.005:
        return "Bought in one round, the best purchase is the point-estimate plan itself."
    side = "more" if margin > 0 else "fewer"
    return (
        f"Bought in one round, the best purchase is {abs(margin):.0%} {side} examples than the "
        f"point-estimate plan: the margin the miss penalty pays for against the futures that need "
        f"more."
    )


def record_round(
    scenario: Scenario,
    human_examples: int,
    synthetic_examples: int,
    review_coverage: float,
    measured_metric: float | None,
    *,
    evaluation_rows: int | None = None,
    spend: float | None = None,
    predicted_metric: float | None = None,
) -> Scenario:
    """The scenario after a round: the purchase recorded with its reading, and its rows in hand.

    The dataset's counts grow by the round's rows, so the next plan starts from them; the reading
    conditions the next plan's futures (``condition``). At most ``MAX_ROUNDS`` rounds are kept.
    """
    done = list(scenario.rounds or [])
    if len(done) >= MAX_ROUNDS:
        raise InputError(
            f"rounds: this scenario already records {MAX_ROUNDS} rounds, the most a staged plan "
            "has; save it under a new name to start a new series"
        )
    ds = scenario.dataset
    if ds is not None and ds.human_examples > 0:
        human_now, synth_now = ds.human_examples, ds.synthetic_examples
    else:
        points = scenario.economics.learning_curve.points or [(0.0, 0.0)]
        human_now = int(round(max(p[0] for p in points)))
        synth_now = ds.synthetic_examples if ds is not None else 0
    record = RoundRecord(
        human_examples=int(human_examples),
        synthetic_examples=int(synthetic_examples),
        review_coverage=float(review_coverage),
        spend=spend,
        human_in_hand=int(human_now + human_examples),
        synthetic_in_hand=int(synth_now + synthetic_examples),
        measured_metric=measured_metric,
        evaluation_rows=evaluation_rows,
        predicted_metric=predicted_metric,
    )
    dataset = (ds or Dataset()).model_copy(
        update={
            "human_examples": record.human_in_hand,
            "synthetic_examples": record.synthetic_in_hand,
        }
    )
    data = scenario.model_dump()
    data["dataset"] = dataset.model_dump()
    data["rounds"] = [r.model_dump() for r in done] + [record.model_dump()]
    return Scenario.from_dict(data, "scenario")
