"""The work plan: the global plan's three layers split across the team's data slices.

The global plan (``hybrid.model.recommend``) says how many new human rows ``N_h``, new synthetic
rows ``N_s`` and reviewed rows ``R = N_s * v`` to buy. This module hands each slice its quota of
each, so the totals equal the global plan exactly (integers, largest-remainder rounding); the only
exception is review, which may exceed ``R`` when the verification samples need more, and is then
reported with its extra cost, never hidden in the budget. docs/model.md, "Work plan".

One model prices both: each slice is ``economics.Inputs`` at the slice's scale (``SliceModel``),
so the measured range, saturation and floor are the recommendation's own. The spend is the global
plan's, split to the cent (``split_spend``); the metric and today are the global plan's, and the
slices' gains add up to its gain. One slice is the global plan.

Per slice ``i`` (row share ``r_i`` of today's human rows, metric weight ``w_i``):

- its curve is the global one at the scale of the slice, ``f(x / r_i)``: a slice with a share
  ``r`` of the rows behaves like the whole at ``x / r`` rows; the overall metric is
  ``sum_i w_i * m_i``. Tail slices (row share under half of uniform, the profile's rare-class
  rule) carry together at least the scenario's edge-case weight and are reached by synthetic rows
  only at the tail coverage ``phi``;
- the generator's accuracy is the scenario's, blended with the slice's reviewed synthetic rows
  when the data has them, and never above ``1 - e_i``, the per-annotator error implied by the
  slice's annotator agreement: a generator cannot label more consistently than the definition of
  the label allows. At chance agreement that is chance accuracy, and a synthetic row is worth
  nothing there;
- synthetic rows saturate with the slice's human rows (``D_i = k * H_i``) and repeat errors at the
  slice's systematic share, raised toward 1 as its kappa falls below the policy's threshold;
- guardrails per slice: the synthetic share of its new rows is at most the global cap, tighter in
  tail and low-agreement slices (policy ``workplan``); review coverage at least the global minimum,
  and at least the Wilson verification sample.

Allocation is greedy water-filling: every slice's marginal metric gain is tabulated on a grid of
quantities (vectorised over slices), made non-increasing, and the best increments across all slices
are taken until the layer's total is placed. Human rows are placed first, synthetic rows given them,
then both once more; review goes first to each slice's required minimum, then where a reviewed row
adds the most.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np

from hybrid.errors import InputError
from hybrid.model.economics import (
    MIN_HUMAN_SIGNAL,
    Inputs,
    human_error_from_agreement,
    resolve_inputs,
    signal_kept,
)
from hybrid.model.policy import Policy, WorkplanDefaults, load_policy
from hybrid.model.recommend import Plan, Recommendation, decide, plan_inputs
from hybrid.model.scenario import Scenario
from hybrid.money import money

_GRID = 241  # quantity levels per slice in the water-filling
_BLOCK = 256  # slices whose grid is evaluated at once (water_fill)
ALL_SLICES = slice(None)  # every slice (SliceModel.metric's rows)
MAX_SLICES = 20_000


@dataclass(frozen=True)
class SliceStats:
    """What the data says about one slice (``hybrid.evidence.slices`` fills it from a file)."""

    name: str
    rows: float  # human rows in the slice today
    agreement: float | None = None  # observed pairwise annotator agreement on its human rows
    kappa: float | None = (
        None  # chance-corrected; derived from agreement and the class count if None
    )
    reviewed: int = 0  # synthetic rows in the slice a human reviewed
    reviewed_correct: float = 0.0  # how many of those the reviewers agreed with
    synthetic_rows: int = 0
    tail: bool | None = None  # None: decided by row share


@dataclass(frozen=True)
class Settings:
    """The work plan's settings, read from the policy's ``workplan`` section (each number with its
    reason in data/policy.yaml), with the margin and confidence a person may override."""

    margin: float
    confidence: float
    low_kappa: float
    low_agreement_cap: float
    tail_cap: float
    prior_rows: float
    reasons: dict

    @classmethod
    def from_policy(
        cls, policy: Policy, margin: float | None = None, confidence: float | None = None
    ) -> Settings:
        """``policy.workplan``; a policy without the section gets the bundled policy's, so every
        default lives once, in data/policy.yaml."""
        w: WorkplanDefaults = policy.workplan or load_policy().workplan
        out = cls(
            margin=w.verification_margin.value,
            confidence=w.verification_confidence.value,
            low_kappa=w.low_agreement_kappa.value,
            low_agreement_cap=w.low_agreement_max_synthetic_share.value,
            tail_cap=w.tail_max_synthetic_share.value,
            prior_rows=w.accuracy_prior_rows.value,
            reasons={
                "low_agreement": w.low_agreement_max_synthetic_share.reason,
                "tail": w.tail_max_synthetic_share.reason,
                "margin": w.verification_margin.reason,
                "confidence": w.verification_confidence.reason,
            },
        )
        if margin is not None:
            if not 0.0 < margin < 0.5:
                raise InputError(f"verification margin: must be between 0 and 0.5 (got {margin:g})")
            out = replace(out, margin=float(margin))
        if confidence is not None:
            if not 0.5 <= confidence < 1.0:
                raise InputError(
                    f"verification confidence: must be from 0.5 to below 1 (got {confidence:g})"
                )
            out = replace(out, confidence=float(confidence))
        return out


@dataclass(frozen=True)
class SlicePlan:
    slice: str
    rows: int
    tail: bool
    weight: float
    agreement: float | None
    kappa: float | None
    accuracy: float
    accuracy_source: str
    max_synthetic_share: float
    cap_reason: str
    min_review_coverage: float
    human_examples: int
    synthetic_examples: int
    reviewed_examples: int
    review_coverage: float
    verification_sample: int
    verification_met: bool
    expert_anchor: float
    synthetic_extension: float
    human_review: float
    spend: float
    points: float
    lean: str
    reason: str
    moves: str
    flip_accuracy: float | None

    @property
    def synthetic_share(self) -> float:
        n = self.human_examples + self.synthetic_examples
        return self.synthetic_examples / n if n else 0.0

    def to_json(self) -> dict:
        """The seven fields of the CLI's JSON (the issue's format), in its order."""
        return {
            "slice": self.slice,
            "human_examples": self.human_examples,
            "synthetic_examples": self.synthetic_examples,
            "review_coverage": self.review_coverage,
            "verification_sample": self.verification_sample,
            "spend": self.spend,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class WorkPlan:
    slices: tuple[SlicePlan, ...]
    plan: Plan  # the global plan the slices split
    currency: str
    budget: float
    human_cost: float
    synthetic_cost: float
    review_cost: float
    margin: float
    confidence: float
    global_reviewed: int
    extra_review_examples: int
    extra_review_cost: float
    unplaced_synthetic: int
    expected_metric: float
    today_metric: float
    notes: tuple[str, ...] = ()
    review_unit: float = 0.0  # cash per reviewed row, the overall plan's (``review_unit``)
    spend_gaps: float = 0.0  # spend the notes explain: extra review, unplaced synthetic rows

    @property
    def human_examples(self) -> int:
        return sum(s.human_examples for s in self.slices)

    @property
    def synthetic_examples(self) -> int:
        return sum(s.synthetic_examples for s in self.slices)

    @property
    def reviewed_examples(self) -> int:
        return sum(s.reviewed_examples for s in self.slices)

    @property
    def spend(self) -> float:
        """In whole cents (``split_spend``)."""
        return round(float(sum(s.spend for s in self.slices)), 2)

    @property
    def matches_global(self) -> bool:
        return (
            self.human_examples == round(self.plan.human_examples)
            and self.synthetic_examples == round(self.plan.synthetic_examples)
            and self.reviewed_examples == self.global_reviewed
        )

    @property
    def spends_the_overall_plan(self) -> bool:
        """The slices spend the overall plan's spend to the cent, with no gap to explain (what
        the page's "= the overall plan" says)."""
        return (
            abs(spend_gap(self)) <= rounding_tolerance(self)
            and not self.extra_review_examples
            and not self.unplaced_synthetic
        )

    def beyond_the_plan(self) -> str | None:
        """The named line for spend the overall plan did not choose: review rows the verification
        samples need on top of its review, and how far that takes the total past the budget. None
        when the slices spend the overall plan's spend; the total is never over it in silence."""
        if not self.extra_review_examples:
            return None
        from hybrid.money import money

        over = self.spend - self.budget
        tail = (
            f"; the total is {money(over, self.currency)} over the "
            f"{money(self.budget, self.currency)} budget"
            if over > rounding_tolerance(self)
            else ""
        )
        return (
            f"Verification beyond the overall plan: {self.extra_review_examples:,} more reviewed "
            f"rows, {money(self.extra_review_cost, self.currency)}{tail}."
        )

    def total(self) -> dict:
        syn = self.synthetic_examples
        return {
            "human_examples": self.human_examples,
            "synthetic_examples": syn,
            "reviewed_examples": self.reviewed_examples,
            "review_coverage": self.reviewed_examples / syn if syn else 0.0,
            "verification_sample": sum(s.verification_sample for s in self.slices),
            "expert_anchor": float(sum(s.expert_anchor for s in self.slices)),
            "synthetic_extension": float(sum(s.synthetic_extension for s in self.slices)),
            "human_review": float(sum(s.human_review for s in self.slices)),
            "spend": self.spend,
            "budget": self.budget,
            "currency": self.currency,
            "unit_costs": {
                "human_example": self.human_cost,
                "synthetic_example": self.synthetic_cost,
                "review_check": self.review_cost,
                "reviewed_example": self.review_unit,
            },
            "expected_metric": self.expected_metric,
            "today_metric": self.today_metric,
            "global_plan": {
                "human_examples": round(self.plan.human_examples),
                "synthetic_examples": round(self.plan.synthetic_examples),
                "reviewed_examples": self.global_reviewed,
                "spend": self.plan.spend,
                "expected_metric": self.plan.expected_metric,
            },
            "matches_global_plan": self.matches_global,
            "spend_matches_global_plan": abs(spend_gap(self)) <= rounding_tolerance(self),
            "extra_review_examples": self.extra_review_examples,
            "extra_review_cost": self.extra_review_cost,
            "unplaced_synthetic_examples": self.unplaced_synthetic,
            "verification": {"margin": self.margin, "confidence": self.confidence},
            "notes": list(self.notes),
        }

    def to_json(self) -> dict:
        return {"slices": [s.to_json() for s in self.slices], "total": self.total()}


# ---- verification samples ------------------------------------------------------------------


def wilson_half_width(p, n, z) -> np.ndarray:
    """Half-width of the Wilson score interval for a proportion ``p`` seen on ``n`` trials."""
    p = np.asarray(p, dtype=float)
    n = np.maximum(np.asarray(n, dtype=float), 1e-12)
    return z / (1.0 + z * z / n) * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))


def verification_sample(accuracy, margin: float, confidence: float) -> np.ndarray:
    """Fewest reviewed rows whose Wilson interval around ``accuracy`` is at most ``margin`` wide
    on each side, at ``confidence`` (Wilson 1927; Brown, Cai and DasGupta 2001 recommend it over
    the normal interval, which fails near 0 and 1, exactly where good generators sit)."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    p = np.clip(np.asarray(accuracy, dtype=float), 0.0, 1.0)
    lo = np.zeros(p.shape)
    hi = np.full(p.shape, 30.0)  # log2 of the largest sample
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        ok = wilson_half_width(p, 2.0**mid, z) <= margin
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    n = np.ceil(2.0**hi - 1e-9)
    # ceil may overshoot by one after the float search; step back while still within the margin
    back = wilson_half_width(p, np.maximum(n - 1, 1), z) <= margin
    return np.where(back & (n > 1), n - 1, n).astype(int)


# ---- the slice model -----------------------------------------------------------------------


def agreement_for_error(error, classes: float) -> np.ndarray:
    """Pairwise agreement two annotators each wrong with probability ``error`` reach."""
    e = np.asarray(error, dtype=float)
    return (1.0 - e) ** 2 + e**2 / (float(classes) - 1.0)


class SliceModel:
    """The slices as one ``economics.Inputs`` with a value per slice, and the slice metric.

    Slice ``i`` (row share ``r_i``) is the economics of the whole at its own scale: its human rows
    and the rows in hand are its share of the dataset's, its learning curve is the global one at
    ``x / r_i`` (``scale * r_i**exponent``, since ``f(x / r) = c - a * r**b * x**-b``), and its
    generator accuracy, catch rate, systematic share and edge-case weight are its own. Everything
    else (exchange rate, saturation, the measured range, the floor, review price) is
    ``Inputs``' own formula: the work plan and the recommendation price rows with one model. With
    equal slices a proportional split reproduces the global metric exactly, since saturation and
    the measured range scale with the human rows and the floor depends on shares only.
    """

    def __init__(self, inp: Inputs, stats: list[SliceStats], settings: Settings):
        n = len(stats)
        self.inp = inp
        self.names = [s.name for s in stats]
        rows = np.array([float(s.rows) for s in stats])
        if not np.all(np.isfinite(rows)) or np.any(rows < 0):
            raise InputError("slices: row counts must be whole numbers >= 0")
        if rows.sum() <= 0:
            raise InputError(
                "slices: no human rows in any slice; the plan needs today's human rows per slice"
            )
        self.rows = rows
        r = rows / rows.sum()
        self.r = np.maximum(r, 1e-12)
        k_cls = float(inp.classes)
        self.classes = k_cls
        given_tail = [s.tail for s in stats]
        auto_tail = (r < 0.5 / n) if n >= 2 else np.zeros(n, bool)
        self.tail = np.array(
            [auto_tail[i] if t is None else bool(t) for i, t in enumerate(given_tail)]
        )
        tau = float(inp.tail_weight)
        r_tail = float(r[self.tail].sum())
        if self.tail.any() and r_tail < 1.0:
            wt = max(tau, r_tail)
            self.w = np.where(self.tail, r * wt / r_tail, r * (1.0 - wt) / (1.0 - r_tail))
            self.tau = np.where(self.tail, 1.0, 0.0)
        else:
            self.w = r.copy()
            self.tau = np.full(n, tau)
        # agreement, kappa and the accuracy ceiling it implies
        agr = np.array([np.nan if s.agreement is None else float(s.agreement) for s in stats])
        self.agreement = agr
        chance = 1.0 / k_cls
        kap = np.array(
            [
                (np.nan if s.agreement is None else (s.agreement - chance) / (1.0 - chance))
                if s.kappa is None
                else float(s.kappa)
                for s in stats
            ]
        )
        self.kappa = kap
        known = np.isfinite(agr)
        error_at = np.vectorize(human_error_from_agreement, otypes=[float])
        e_slice = np.where(known, error_at(np.where(known, agr, 1.0), k_cls), 0.0)
        self.accuracy_ceiling = np.where(known, 1.0 - e_slice, 1.0)
        # A label with less signal than the least a human label may keep carries nothing: at
        # chance agreement no generated row is worth anything (economics.MIN_HUMAN_SIGNAL).
        self.at_chance = known & (signal_kept(e_slice, k_cls) < MIN_HUMAN_SIGNAL)
        # Reviewers are annotators: they catch an error only as reliably as the label can be told,
        # the signal a label keeps at the slice's agreement (0 at chance, 1 at full agreement).
        self.catch = float(inp.catch_rate) * np.where(known, signal_kept(e_slice, k_cls), 1.0)
        a_global = float(inp.accuracy)
        n_rev = np.array([float(s.reviewed) for s in stats])
        correct = np.array([float(s.reviewed_correct) for s in stats])
        if np.any(correct > n_rev + 1e-9) or np.any(n_rev < 0):
            raise InputError(
                "slices: reviewed-correct counts must be between 0 and the reviewed rows"
            )
        m = settings.prior_rows
        blended = np.where(
            n_rev > 0, (correct + m * a_global) / np.maximum(n_rev + m, 1e-12), a_global
        )
        self.measured = n_rev > 0
        self.reviewed_before = n_rev
        self.accuracy = np.minimum(blended, self.accuracy_ceiling)
        self.capped_by_agreement = blended > self.accuracy_ceiling + 1e-12
        # systematic share: raised toward 1 as kappa falls below the threshold (never lowered: a
        # measured share may exceed 1, ``economics.resolve_inputs``)
        sigma = float(np.asarray(inp.systematic_share))
        low = settings.low_kappa
        deficit = np.where(np.isfinite(kap), np.clip((low - kap) / max(low, 1e-9), 0.0, 1.0), 0.0)
        self.sigma = sigma + max(1.0 - sigma, 0.0) * deficit
        self.low_agreement = np.isfinite(kap) & (kap < low)
        # caps per slice with their reasons
        g = inp.guardrails
        cap = np.full(n, float(g.max_synthetic_share))
        reason = [f"the overall cap: {g.cap_source.rule.reason}"] * n
        for i in range(n):
            if self.tail[i] and settings.tail_cap < cap[i]:
                cap[i] = settings.tail_cap
                reason[i] = f"an edge-case slice: {settings.reasons.get('tail', '')}".rstrip(": ")
            if self.low_agreement[i] and settings.low_agreement_cap < cap[i]:
                cap[i] = settings.low_agreement_cap
                reason[i] = (
                    f"low annotator agreement: {settings.reasons.get('low_agreement', '')}".rstrip(
                        ": "
                    )
                )
        self.cap = np.where(self.at_chance, 0.0, cap)
        self.cap_reason = reason
        self.min_review = float(g.min_review_coverage)
        self.human_now = self.r * float(inp.human_now)

    def inputs(
        self, accuracy=None, column: bool = False, rows: slice | np.ndarray = ALL_SLICES
    ) -> Inputs:
        """The slices' ``Inputs``: one value per slice of ``rows`` (a column when ``column``, to
        broadcast against a grid of quantities), at the slices' generator accuracy or
        ``accuracy`` (one value, or one per slice)."""

        def per(a):
            a = np.broadcast_to(np.asarray(a, dtype=float), self.r.shape)[rows]
            return a[:, None] if column else a

        inp = self.inp
        return replace(
            inp,
            scale=per(np.asarray(inp.scale) * self.r ** np.asarray(inp.exponent)),
            accuracy=per(self.accuracy if accuracy is None else accuracy),
            catch_rate=per(self.catch),
            systematic_share=per(self.sigma),
            tail_weight=per(self.tau),
            human_now=per(self.human_now),
            synthetic_now=per(self.r * float(inp.synthetic_now)),
            synthetic_pool=per(self.r * float(inp.synthetic_pool)),
        )

    def metric(
        self, h, s, v, accuracy=None, exact=True, rows: slice | np.ndarray = ALL_SLICES
    ) -> np.ndarray:
        """Each slice's weighted contribution ``w_i * m_i`` to the overall metric, ``m_i`` the
        slice's ``Inputs.metric_at``.

        ``h``, ``s``, ``v`` are values for the slices ``rows`` (a slice of them, or their indices,
        a slice more than once when it is evaluated at several points), 1-D, or their rows of a
        grid (2-D).

        ``exact=False`` is the form the allocation ranks slices by: the curve gain synthetic rows
        would bring at the scenario's quality, scaled by the slice's exchange rate relative to it,
        less the slice's own floor. It is the exact model wherever the slice's generator is the
        scenario's, and it makes a slice's marginal gain rise with its generator's quality and fall
        with its errors at every quantity, so a worse slice never draws more synthetic rows (in the
        exact model a worse generator can need more rows to reach the same point, which would pull
        rows toward worse slices).
        """
        column = any(np.ndim(x) == 2 for x in (h, s, v))
        inp = self.inputs(accuracy, column, rows)
        w = self.w[rows, None] if column else self.w[rows]
        if exact:
            return w * inp.metric_at(h, s, v)
        # No floor, and the same with synthetic rows worth nothing: what the rows add to the curve.
        clean = replace(inp, systematic_share=0.0)
        floor = clean.metric_at(h, s, v) - inp.metric_at(h, s, v)
        base = replace(clean, synthetic_value=0.0).metric_at(h, s, v)
        ref = replace(
            clean, accuracy=float(self.inp.accuracy), catch_rate=float(self.inp.catch_rate)
        )
        q_ref = ref.exchange_rate(v)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(q_ref > 0, inp.exchange_rate(v) / np.where(q_ref > 0, q_ref, 1.0), 1.0)
        return w * (base + ratio * (ref.metric_at(h, s, v) - base) - floor)


def water_fill(gain, lo, hi, total: float, grid: int = _GRID, block: int = _BLOCK):
    """Place ``total`` units across slices, each between ``lo_i`` and ``hi_i``, by marginal gain.

    ``gain(levels, rows)`` returns the objective of the slices ``rows`` (their indices) at their
    quantity levels, a row per slice (the grid's columns where any of them moves). The levels are
    one geometric grid up to ``total``, the same for every slice and every call, clipped to each
    slice's bounds, so a bound that does not bind changes nothing. Marginal gains per unit are
    made non-increasing along each slice's grid (a running minimum), so taking the best
    increments across all slices gives each slice a prefix: greedy water-filling. Returns the
    allocation and the water level (the marginal gain of the last increment taken).

    The grid is evaluated ``block`` slices at a time, so the model's temporaries stay in the
    processor's cache (each element is the same number whatever the block), and only where a
    slice's level moves; the increments are ranked by one stable sort of their gains, so ties go
    to the lower slice, then the lower level, the row-major order they are stored in. The whole
    19,999 x 241 grid at once and a three-key ``np.lexsort`` took 2 to 5 times as long
    (benchmarks/WORKPLAN_RESULTS.md), with the same result to the bit.
    """
    lo = np.asarray(lo, dtype=float)
    hi = np.maximum(np.asarray(hi, dtype=float), lo)
    rest = total - lo.sum()
    if rest <= 1e-9 or total <= 0:
        return lo.copy(), np.inf
    u = np.concatenate([[0.0], np.geomspace(1e-6 * total, total, grid - 1)])
    n = len(lo)
    marg = np.full((n, grid - 1), np.inf)
    lengths = np.zeros((n, grid - 1))
    # A slice's levels move only from the last grid point at or below lo_i to the first at or
    # above hi_i; its other increments have no length and are never taken.
    first = np.searchsorted(u, lo, side="right") - 1
    last = np.minimum(np.searchsorted(u, hi, side="left"), grid - 1)
    (moving,) = np.nonzero(hi > lo)
    moving = moving[np.argsort(last[moving] - first[moving], kind="stable")]
    for start in range(0, len(moving), block):
        rows = moving[start : start + block]
        cols = slice(int(first[rows].min()), int(last[rows].max()) + 1)
        levels = np.clip(u[None, cols], lo[rows, None], hi[rows, None])
        values = gain(levels, rows)
        step = np.diff(levels, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.where(step > 0, np.diff(values, axis=1) / np.where(step > 0, step, 1.0), np.inf)
        segs = slice(cols.start, cols.stop - 1)
        marg[rows, segs] = np.minimum.accumulate(m, axis=1)
        lengths[rows, segs] = step
    flat_m = marg.ravel()
    flat_len = lengths.ravel()
    (positive,) = np.nonzero(flat_len > 0)
    order = positive[np.argsort(-flat_m[positive], kind="stable")]
    cum = np.cumsum(flat_len[order])
    k = int(np.searchsorted(cum, rest, side="left"))
    take = np.zeros(flat_len.shape)
    if k >= len(order):  # every slice at its upper bound
        take[order] = flat_len[order]
        level = float(flat_m[order].min()) if len(order) else -np.inf
    else:
        take[order[:k]] = flat_len[order[:k]]
        take[order[k]] = rest - (cum[k - 1] if k > 0 else 0.0)
        level = float(flat_m[order[k]])
    return lo + take.reshape(n, grid - 1).sum(axis=1), level


def round_to_total(x: np.ndarray, total: int, upper: np.ndarray | None = None) -> np.ndarray:
    """Whole numbers summing to ``total`` (largest remainder), never above ``upper`` when given."""
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    base = np.floor(x + 1e-9)
    if upper is not None:
        base = np.minimum(base, np.floor(upper + 1e-9))
    short = int(round(total - base.sum()))
    if short > 0:
        frac = x - base
        room = np.ones(x.shape, bool) if upper is None else base + 1 <= np.floor(upper + 1e-9)
        order = np.lexsort((np.arange(len(x)), -np.where(room, frac, -np.inf)))
        order = [i for i in order if room[i]][:short]
        base[order] += 1
    elif short < 0:
        order = np.lexsort((np.arange(len(x)), x - base))
        for i in order:
            if short == 0:
                break
            if base[i] > 0:
                base[i] -= 1
                short += 1
    return base.astype(int)


def min_review_rows(min_coverage, synthetic: np.ndarray) -> np.ndarray:
    """Each slice's reviewed rows at the minimum review coverage, in whole rows that add up to the
    minimum over all slices rounded once (largest remainder), as the overall plan rounds its
    reviewed rows once.

    Rounding each slice up made the slices review more rows than the overall plan (15% of 5,997,
    7,133 and 5,926 rows is 900 + 1,070 + 889 = 2,859 against the plan's 2,858), and that one row
    carried the work plan to $20,001 beside a $20,000 plan and budget.
    """
    exact = np.broadcast_to(np.asarray(min_coverage, dtype=float), synthetic.shape) * synthetic
    return round_to_total(exact, int(round(float(exact.sum()))), upper=synthetic.astype(float))


def _syn_bound(cap: np.ndarray, h: np.ndarray, total: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(cap >= 1.0, total, np.where(cap <= 0.0, 0.0, cap / (1.0 - cap) * h))
    return np.minimum(b, total)


def _human_floor(cap: np.ndarray, s: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            s <= 0, 0.0, np.where(cap >= 1.0, 0.0, s * (1.0 - cap) / np.maximum(cap, 1e-12))
        )


def allocate(sl: SliceModel, n_h: int, n_s: int, v: float):
    """Human rows, then synthetic rows, in five water-fillings (module docstring).

    1. Human rows by their own gain (no synthetic rows yet): where the slice curves are steepest.
    2. The synthetic rows each slice would take on those human rows, caps aside. A synthetic row
       never goes where it gains nothing (a chance-agreement slice, say).
    3. The human rows every slice needs for that under its cap (``h_i >= s_i (1-cap_i)/cap_i``),
       scaled down when they add up to more than the plan's human rows.
    4. Human rows again by their own gain, at least those.
    5. Synthetic rows on the human base of step 1, now at most ``cap_i/(1-cap_i) * h_i``.

    The synthetic gains are ranked on the human base of step 1, which does not depend on any
    slice's agreement or generator, and in the scaled form of ``SliceModel.metric(exact=False)``;
    so a slice's synthetic gain falls at every quantity as its agreement falls, its cap and its
    human floor only shrink, and it never draws more synthetic rows. The slices' gains reported are
    the exact model's at the final quotas, summing to the overall plan's gain.
    """
    n = len(sl.names)
    zeros = np.zeros(n)
    full_h = np.full(n, float(n_h))

    def human_gain(lv, rows):
        return sl.metric(lv, 0.0, v, exact=False, rows=rows)

    h0, _ = water_fill(human_gain, zeros, full_h, n_h)

    def syn_gain(lv, rows):
        return sl.metric(h0[rows, None], lv, v, exact=False, rows=rows)

    useful = (_first_gain(sl, h0, v) > 0) & (sl.cap > 0)
    wanted, _ = water_fill(syn_gain, zeros, np.where(useful, float(n_s), 0.0), n_s)
    floor = _human_floor(sl.cap, wanted)
    if floor.sum() > n_h > 0:
        floor = floor * (n_h / floor.sum())
    h, _ = water_fill(human_gain, floor, full_h, n_h)
    bound = np.where(useful, _syn_bound(sl.cap, h, n_s), 0.0)
    s, _ = water_fill(syn_gain, zeros, bound, n_s)
    return h, s, bound


def _first_gain(sl: SliceModel, h: np.ndarray, v: float, accuracy=None) -> np.ndarray:
    """Metric gained per row by a slice's first synthetic rows, given its human rows."""
    delta = np.maximum(1e-3 * (sl.human_now + h), 1e-3)
    return (
        sl.metric(h, delta, v, accuracy=accuracy, exact=False)
        - sl.metric(h, 0.0, v, accuracy=accuracy, exact=False)
    ) / delta


def _per_dollar_edge(sl: SliceModel, h, s, v: float, accuracy) -> np.ndarray:
    """Metric per dollar of a slice's next synthetic row over its next human row (log ratio), each
    row at its price in ``Inputs.unit_cost`` (review at the slice's accuracy and catch rate)."""
    n = len(h)
    delta = np.maximum(1e-3 * (sl.human_now + h + s), 1e-3)
    # The three points (h, s), (h, s + delta) and (h + delta, s) in one evaluation of the model:
    # the bisection in _flip_accuracy calls this 32 times, and at a few slices the time is the
    # calls, not the arithmetic.
    both = sl.metric(
        np.concatenate([h, h, h + delta]),
        np.concatenate([s, s + delta, s]),
        v,
        accuracy=accuracy,
        exact=False,
        rows=np.tile(np.arange(n), 3),
    )
    base = both[:n]
    g_s = (both[n : 2 * n] - base) / delta
    g_h = (both[2 * n :] - base) / delta
    priced = sl.inputs(accuracy)
    c_s = priced.unit_cost(1.0, v)
    c_h = priced.unit_cost(0.0, v)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.maximum(g_s, 1e-300) / c_s) - np.log(np.maximum(g_h, 1e-300) / c_h)


def _flip_accuracy(sl: SliceModel, h: np.ndarray, s: np.ndarray, v: float) -> np.ndarray:
    """Per slice, the generator accuracy at which its next synthetic row buys as much metric per
    dollar as its next human row: above it synthetic rows are the better buy there, below it human
    rows. NaN where no accuracy makes synthetic rows the better buy."""
    n = len(h)
    lo = np.full(n, 1.0 / sl.classes)
    hi = np.ones(n)
    never = _per_dollar_edge(sl, h, s, v, hi) < 0
    always = _per_dollar_edge(sl, h, s, v, lo) >= 0
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        up = _per_dollar_edge(sl, h, s, v, mid) >= 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.where(never, np.nan, np.where(always, lo, hi))


def review_unit(inp: Inputs) -> float:
    """Cash per reviewed synthetic row, exactly as the overall plan prices it (the check, plus the
    fix of the errors found, at the scenario's generator accuracy and catch rate).

    Every slice pays this price, so the slice spends add up to the overall plan's spend within
    rounding of whole rows. Re-pricing review at each slice's own accuracy and catch rate (the
    catch falls with the slice's annotator agreement) made the slices add up to a different total
    from the plan they split ($26,880 against $27,288 on the support example sliced by channel
    with its annotator columns), a number the overall plan never chose; the slice differences
    are in the allocation (accuracy, caps, verification samples), not in the price list.
    """
    return float(inp.review_unit_cost())


def split_spend(plan: Plan, gaps: float, layers, shares: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each layer's spend per slice, in whole cents that add up to the overall plan's spend plus
    ``gaps`` (whole rows the work plan adds or leaves out, at the plan's unit prices).

    ``layers`` holds (rows per slice, the layer's total) for each layer. The cents are split
    across the layers by their totals and within a layer in proportion to its rows (to the slices'
    row ``shares`` when it has none), each by largest remainder (Hamilton's method), so the sums
    are exact: a slice's spend is its rows at the plan's price per row of that layer, which is the
    price list's up to the fraction of a row the plan's rows were rounded by. Pricing the whole
    rows at list price instead made the slices add up to a total no plan had chosen ($4,002 beside
    a $4,000 plan and budget).
    """
    cents = max(int(round(100.0 * (float(plan.spend) + gaps))), 0)
    totals = np.maximum(np.array([float(t) for _, t in layers]), 0.0)
    per_layer = round_to_total(_scaled(totals, cents), cents)
    out = []
    for (rows, _), c in zip(layers, per_layer, strict=True):
        weight = np.asarray(rows, dtype=float)
        weight = weight if weight.sum() > 0 else shares
        out.append(round_to_total(_scaled(weight, int(c)), int(c)) / 100.0)
    return tuple(out)


def _scaled(weight: np.ndarray, total: int) -> np.ndarray:
    w = np.asarray(weight, dtype=float)
    return w * (total / w.sum()) if w.sum() > 0 else np.zeros(w.shape)


def spend_gap(wp: WorkPlan) -> float:
    """The work plan's spend minus the overall plan's, less what the notes explain (review rows the
    verification samples add, synthetic rows no slice cap can take): zero to the cent."""
    return wp.spend - wp.spend_gaps - float(wp.plan.spend)


def rounding_tolerance(wp: WorkPlan) -> float:
    """Half a cent (and float noise): the slices' spend is the overall plan's to the cent."""
    return 0.005 + 1e-9 * max(1.0, float(wp.plan.spend))


def _lean(h: int, s: int, human_below: float, synthetic_above: float) -> str:
    if h + s == 0:
        return "nothing new"
    p = s / (h + s)
    return "human-led" if p < human_below else "synthetic-led" if p > synthetic_above else "hybrid"


def slice_plan(
    scenario: Scenario,
    policy: Policy,
    stats: list[SliceStats],
    *,
    margin: float | None = None,
    confidence: float | None = None,
    inputs: Inputs | None = None,
    recommendation: Recommendation | None = None,
) -> WorkPlan:
    """Split the scenario's global plan across ``stats`` slices (module docstring).

    ``inputs`` and ``recommendation`` are ``resolve_inputs`` and ``decide`` of the scenario when
    not given; the slices are priced on the inputs the plan was priced on (``plan_inputs``: without
    the rows in hand when the plan drops them).
    """
    if not stats:
        raise InputError("slices: no slices to plan; name a slice column with at least one value")
    if len(stats) > MAX_SLICES:
        raise InputError(
            f"slices: {len(stats):,} slices is more than the {MAX_SLICES:,} a plan can list"
        )
    names = [s.name for s in stats]
    if len(set(names)) != len(names):
        raise InputError("slices: slice names must be unique")
    settings = Settings.from_policy(policy, margin, confidence)
    kept = inputs if inputs is not None else resolve_inputs(scenario, policy)
    rec = recommendation if recommendation is not None else decide(scenario, policy, kept)
    plan = rec.plan
    inp = plan_inputs(kept, rec)
    sl = SliceModel(inp, stats, settings)
    n_h = int(round(plan.human_examples))
    n_s = int(round(plan.synthetic_examples))
    v = float(plan.review_coverage) if n_s > 0 else 0.0
    global_reviewed = int(round(plan.synthetic_examples * v))
    h, s, s_bound = allocate(sl, n_h, n_s, v)
    # Whole rows; a slice may sit up to one row above its cap by rounding.
    upper = np.where(s_bound > 0, np.ceil(np.maximum(s_bound, s) - 1e-9), 0.0)
    placed_s = min(n_s, int(np.ceil(s.sum() - 1e-6)), int(upper.sum()))
    hi = round_to_total(h, n_h)
    si = round_to_total(s, placed_s, upper=upper)
    unplaced = n_s - int(si.sum())
    # verification samples and review
    ver = verification_sample(sl.accuracy, settings.margin, settings.confidence)
    ver = np.where(si > 0, ver, 0)
    need = np.where(si > 0, np.maximum(min_review_rows(sl.min_review, si), np.minimum(si, ver)), 0)
    target_reviewed = global_reviewed
    if unplaced:  # fewer synthetic rows placed: the same coverage of the ones placed
        target_reviewed = int(round(global_reviewed * si.sum() / n_s))
    if need.sum() >= target_reviewed:
        reviewed = need.astype(int)
    else:

        def review_gain(lv, rows):
            n_syn = si[rows, None]
            cov = np.where(n_syn > 0, lv / np.maximum(n_syn, 1), 0.0)
            return sl.metric(hi[rows, None].astype(float), n_syn.astype(float), cov, rows=rows)

        rv, _ = water_fill(review_gain, need, si.astype(float), float(target_reviewed))
        reviewed = np.maximum(
            round_to_total(rv, target_reviewed, upper=si.astype(float)), need.astype(int)
        )
    extra = max(0, int(reviewed.sum()) - target_reviewed)
    cov = np.where(si > 0, reviewed / np.maximum(si, 1), 0.0)
    unit = review_unit(inp)
    extra_cost = float(extra * unit)
    # The overall plan's layers, plus whole rows the gaps add or leave out at its unit prices
    # (reported in the notes), split across the slices to the cent (``split_spend``).
    syn_gap = (int(si.sum()) - n_s) * float(inp.synthetic_cost)
    review_gap = (int(reviewed.sum()) - global_reviewed) * unit
    gaps = syn_gap + review_gap
    anchor, extension, review_spend = split_spend(
        plan,
        gaps,
        (
            (hi, float(plan.expert_anchor)),
            (si, float(plan.synthetic_extension) + syn_gap),
            (reviewed, float(plan.human_review) + review_gap),
        ),
        sl.r,
    )
    # The metric is the overall plan's; each slice's share of the gain is what the slice model
    # says it gains, with the model's difference from the overall plan spread by metric weight.
    today = float(rec.today_metric)
    expected = float(plan.expected_metric)
    before = (SliceModel(kept, stats, settings) if inp is not kept else sl).metric(
        np.zeros(len(hi)), np.zeros(len(hi)), 0.0
    )
    after = sl.metric(hi.astype(float), si.astype(float), cov)
    gained = 100.0 * (after - before)
    points = gained + (float(plan.points_gained) - float(gained.sum())) * sl.w / sl.w.sum()
    flip = _flip_accuracy(sl, hi.astype(float), si.astype(float), v)
    g = inp.guardrails
    slices = []
    for i, name in enumerate(names):
        lean = _lean(
            int(hi[i]), int(si[i]), policy.labels.human_below, policy.labels.synthetic_above
        )
        reason, moves = _explain(
            sl,
            i,
            int(hi[i]),
            int(si[i]),
            int(ver[i]),
            int(reviewed[i]),
            lean,
            flip[i],
            no_synthetic=_no_synthetic_anywhere(rec, inp) if n_s == 0 else None,
        )
        src = (
            f"measured on {int(sl.reviewed_before[i]):,} reviewed synthetic rows"
            if sl.measured[i]
            else "the scenario's generator accuracy"
        )
        if sl.capped_by_agreement[i]:
            src += ", capped by annotator agreement"
        slices.append(
            SlicePlan(
                slice=name,
                rows=int(round(sl.rows[i])),
                tail=bool(sl.tail[i]),
                weight=float(sl.w[i]),
                agreement=None if not np.isfinite(sl.agreement[i]) else float(sl.agreement[i]),
                kappa=None if not np.isfinite(sl.kappa[i]) else float(sl.kappa[i]),
                accuracy=float(sl.accuracy[i]),
                accuracy_source=src,
                max_synthetic_share=float(sl.cap[i]),
                cap_reason=sl.cap_reason[i],
                min_review_coverage=float(g.min_review_coverage),
                human_examples=int(hi[i]),
                synthetic_examples=int(si[i]),
                reviewed_examples=int(reviewed[i]),
                review_coverage=float(cov[i]),
                verification_sample=int(ver[i]),
                verification_met=bool(si[i] == 0 or reviewed[i] >= ver[i]),
                expert_anchor=float(anchor[i]),
                synthetic_extension=float(extension[i]),
                human_review=float(review_spend[i]),
                spend=round(float(anchor[i] + extension[i] + review_spend[i]), 2),
                points=float(points[i]),
                lean=lean,
                reason=reason,
                moves=moves,
                flip_accuracy=None if not np.isfinite(flip[i]) else float(flip[i]),
            )
        )
    notes = [
        f"The slice quotas add up to the overall plan: {n_h:,} new human rows and {n_s:,} "
        f"synthetic rows "
        f"({global_reviewed:,} of them reviewed).",
    ]
    if rec.drops_rows_in_hand:
        notes.append(
            f"The overall plan drops the {rec.rows_in_hand:,.0f} generated rows already in the "
            "dataset; the slices are planned without them."
        )
    if unplaced:
        notes.append(
            f"{unplaced:,} synthetic rows of the overall plan do not fit under the per-slice caps "
            f"and are "
            "left out: buy them only after more human rows raise those caps."
        )
    if extra:
        notes.append(
            f"The verification samples need {extra:,} more reviewed rows than the overall plan "
            f"({int(reviewed.sum()):,} instead of {target_reviewed:,}), about "
            f"{money(extra_cost, inp.currency)} more."
        )
    short = [n for n, sp in zip(names, slices, strict=False) if not sp.verification_met]
    if short:
        notes.append(
            f"In {len(short)} slice{'' if len(short) == 1 else 's'} every synthetic row is "
            f"reviewed and still fewer than the "
            f"verification sample: the accuracy there stays known only roughly (e.g. {short[0]})."
        )
    return WorkPlan(
        slices=tuple(slices),
        plan=plan,
        currency=inp.currency,
        budget=float(inp.budget),
        human_cost=float(inp.human_cost),
        synthetic_cost=float(inp.synthetic_cost),
        review_cost=float(inp.review_cost),
        margin=settings.margin,
        confidence=settings.confidence,
        global_reviewed=global_reviewed,
        extra_review_examples=extra,
        extra_review_cost=extra_cost,
        unplaced_synthetic=unplaced,
        expected_metric=expected,
        today_metric=today,
        notes=tuple(notes),
        review_unit=unit,
        spend_gaps=float(gaps),
    )


def _no_synthetic_anywhere(rec: Recommendation, inp: Inputs) -> str:
    """Why the overall plan buys no synthetic rows, the cause the recommendation gives
    (``hybrid.explain.rationale``): a slice without synthetic rows is then no different from the
    others, and saying it gains "less than elsewhere" named a cause that was not there."""
    if rec.drops_rows_in_hand:
        return (
            "Human rows: by the measured response generated rows lower the metric, so the "
            "overall plan buys no synthetic rows for any slice (and drops the "
            f"{rec.rows_in_hand:,.0f} in hand)."
        )
    if float(inp.guardrails.max_synthetic_share) <= 0.0:
        return "Human rows: the guardrails allow no synthetic rows in the overall plan."
    return (
        "Human rows: the overall plan buys no synthetic rows for any slice; at today's prices "
        "a human row buys more."
    )


def _explain(
    sl: SliceModel,
    i: int,
    h: int,
    s: int,
    ver: int,
    reviewed: int,
    lean: str,
    flip: float,
    no_synthetic: str | None = None,
) -> tuple[str, str]:
    """One line on why the slice got its quota, and one on what would move it.

    ``no_synthetic`` is the reason when the overall plan buys no synthetic rows at all.

    "What would move it" is the marginal comparison (``_flip_accuracy``): the generator accuracy
    below which the next dollar in this slice buys more as a human row than as a synthetic one, so
    the slice's mix would move toward human rows. It is not the accuracy at which the overall
    label (human-led, hybrid, synthetic-led) changes, which the recommendation reports and which
    the guardrails may hold over a wider range; the wording keeps the two apart.
    """
    acc = sl.accuracy[i]
    agr = sl.agreement[i]
    at_chance = bool(np.isfinite(agr)) and bool(sl.at_chance[i])
    agr_text = f"annotators agree on {agr:.0%}" if np.isfinite(agr) else ""
    share = s / (h + s) if h + s else 0.0
    capped = sl.cap[i] < 1.0 and s > 0 and share >= sl.cap[i] - 0.01
    cap_text = f", at its {sl.cap[i]:.0%} cap ({sl.cap_reason[i].split(':')[0]})" if capped else ""
    if at_chance:
        reason = (
            f"Experts only: {agr_text}, about chance, so no generator can label it more "
            f"consistently "
            "than its definition; human rows only."
        )
    elif h + s == 0:
        reason = "Nothing new: other slices gain more per row."
    elif s == 0:
        if sl.tail[i]:
            reason = (
                f"Human rows: an edge-case slice that generated data reaches only at "
                f"{sl.inp.tail_coverage:.0%} coverage."
            )
        elif sl.low_agreement[i]:
            reason = (
                f"Human rows: low agreement ({agr_text}); ambiguous cases need expert judgment."
            )
        elif no_synthetic is not None:
            reason = no_synthetic
        else:
            reason = (
                f"Human rows: with the generator at {acc:.0%} here, synthetic rows gain less here "
                f"than in the slices that get them."
            )
    elif share >= 0.5:
        reason = (
            f"Mostly synthetic ({share:.0%}): the generator is {acc:.0%} accurate here"
            + (f" and {agr_text}" if agr_text else "")
            + f"{cap_text}; review {reviewed:,} rows, verification sample {ver:,}."
        )
    else:
        reason = (
            f"Mostly human ({1 - share:.0%}): generator {acc:.0%} accurate here"
            + (f", {agr_text}" if agr_text else "")
            + (", an edge-case slice" if sl.tail[i] else "")
            + f"{cap_text}; verification sample {ver:,}."
        )
    if at_chance:
        moves = (
            "Only clearer labeling guidelines (higher annotator agreement) would let synthetic "
            "rows in."
        )
    elif not np.isfinite(flip):
        moves = "Human rows stay the better buy here at any generator accuracy at today's prices."
    elif acc >= flip:
        moves = (
            f"Below {flip:.0%} generator accuracy the next dollar here would buy more as human "
            f"rows than as synthetic ones, so this slice's mix would shift toward human rows "
            f"(a shift in this slice's mix, not a change of the overall answer, whose range the "
            f"recommendation gives)."
        )
    else:
        lead = (
            "At the margin a human row already buys more here than a synthetic one; synthetic rows "
            "would be the better buy"
            if s > 0
            else "Synthetic rows would be the better buy here"
        )
        moves = f"{lead} above {flip:.0%} generator accuracy"
        if flip > sl.accuracy_ceiling[i] + 1e-9:
            agr_needed = float(agreement_for_error(1.0 - flip, sl.classes))
            moves += (
                f", which needs annotator agreement above {agr_needed:.0%} first (clearer labeling "
                f"guidelines)"
            )
        moves += "."
    return reason, moves
