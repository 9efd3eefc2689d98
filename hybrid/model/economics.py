"""Economics: what a plan of new human and synthetic examples buys, and what it costs.

Stage 2 of the decision (docs/model.md). Every function broadcasts over NumPy arrays so the plan
search, the Monte Carlo and the sensitivity analysis share one implementation of the model.

- Label noise: under symmetric noise at rate ``e`` over ``K`` classes a label keeps
  ``1 - e*K/(K-1)`` of its signal and is worth the square of that in sample size (Angluin and
  Laird 1988; Natarajan et al., NeurIPS 2013). The learning curve was measured on the team's own
  human labels, so their noise is already in it; a synthetic example is worth
  ``min(1, (signal_synthetic / signal_human)**2)`` human examples, times the measured or default
  synthetic value.
- Saturation: generated rows extend the human rows they are built from, so their worth saturates
  with them: ``S_eff = D * (1 - exp(-S / D))`` with ``D = k * H`` (the form Muennighoff et al.,
  NeurIPS 2023, fit to repeated data; Wei and Zou 2019 find 4 to 16 useful augmentations per
  example). Buying human rows raises what synthetic rows can add.
- Systematic errors: the share ``sigma`` of generator errors that repeat does not average out with
  volume. It costs ``sigma * e_residual * p**gamma`` of metric, ``p`` the synthetic share of the
  training data (the bias term in ``p**2`` of Dohmatob et al., "Strong Model Collapse", ICLR 2025;
  verification lowers ``e_residual``, Feng et al. 2024). A model trained on generated rows alone
  repeats the generator's systematic mistakes. ``gamma`` is 2 (human rows outvote them
  quadratically) until a pilot measures it: a learner that memorises wrong labels, like boosted
  trees, loses metric in proportion to them (``gamma`` near 1; benchmarks/RESULTS-validation.md).
- Review with coverage ``v`` and catch rate ``r`` lowers the synthetic error to
  ``(1 - accuracy) * (1 - v*r)``, and is priced by what it finds: every reviewed row is checked,
  and the ones found wrong are fixed at the fix cost (a fresh human label when none is given).
- Head and tail: a share ``tau`` of the metric comes from edge cases, which synthetic data reaches
  only at a coverage ``phi`` (Dohmatob et al., ICML 2024: generated data truncates the tail), so
  ``m = (1-tau)*m(H + q*S_eff) + tau*m(H + phi*q*S_eff) - floor``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from hybrid.errors import InputError
from hybrid.model.curves import CurveFit, curve_from_spec
from hybrid.model.policy import Guardrails, Policy, guardrails, saturation, systematic_share
from hybrid.model.provenance import Provenance, input_sources
from hybrid.model.scenario import Scenario
from hybrid.vocabulary import ratio

# The smallest signal a human label may keep; below it the learning curve itself is meaningless.
MIN_HUMAN_SIGNAL = 0.05
# Log-spaced plan sizes scanned before bisection when sizing a plan to reach a target.
_SCAN = 48


def signal_kept(error: np.ndarray | float, classes: np.ndarray | float) -> np.ndarray:
    """Share of label signal left under symmetric noise (Natarajan et al. 2013)."""
    k = np.asarray(classes, dtype=float)
    return np.clip(1.0 - np.asarray(error, dtype=float) * k / (k - 1.0), 0.0, 1.0)


def saturated(synthetic, capacity) -> np.ndarray:
    """``D * (1 - exp(-S / D))``: the useful part of ``S`` synthetic rows when ``D`` can be used.

    The form Muennighoff et al. (NeurIPS 2023) fit to repeated data: the first rows count fully,
    later ones less, and no number of them counts for more than ``D``.
    """
    s = np.asarray(synthetic, dtype=float)
    d = np.asarray(capacity, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(
            np.isfinite(d) & (d > 0),
            d * -np.expm1(-s / np.where(d > 0, d, 1.0)),
            np.where(d > 0, s, 0.0),
        )


def synthetic_error(accuracy, coverage, catch_rate) -> np.ndarray:
    return (1.0 - np.asarray(accuracy, dtype=float)) * (1.0 - np.asarray(coverage) * catch_rate)


def human_error_from_agreement(agreement: float, classes: float) -> float:
    """Per-annotator error ``e`` implied by observed pairwise agreement ``a``.

    Two independent annotators, each wrong with probability ``e`` and then uniformly over the other
    ``K-1`` classes, agree with probability ``(1-e)**2 + e**2/(K-1)``; this solves that for ``e``.
    Agreement at or below chance gives the maximum error ``(K-1)/K``.
    """
    k = float(classes)
    w = k / (k - 1.0)
    disc = 1.0 - w * (1.0 - agreement)
    if disc <= 0:
        return (k - 1.0) / k
    return float((1.0 - np.sqrt(disc)) / w)


@dataclass(frozen=True)
class Inputs:
    """Every number the economics needs, resolved from a scenario, its policy and defaults.

    Fields are floats here; the Monte Carlo replaces some with arrays of draws.
    """

    curve: CurveFit
    ceiling: float | np.ndarray
    scale: float | np.ndarray
    exponent: float | np.ndarray
    budget: float | np.ndarray
    human_cost: float | np.ndarray
    synthetic_cost: float | np.ndarray
    review_cost: float | np.ndarray
    accuracy: float | np.ndarray
    catch_rate: float | np.ndarray
    target: float
    classes: float
    human_error: float | np.ndarray
    synthetic_value: float | np.ndarray
    tail_weight: float | np.ndarray
    tail_coverage: float | np.ndarray
    human_now: float
    synthetic_now: float
    synthetic_now_value: float
    escaped_error_price: float | np.ndarray
    guardrails: Guardrails
    currency: str
    saturation: float | np.ndarray = np.inf
    systematic_share: float | np.ndarray = 0.0
    floor_exponent: float | np.ndarray = 2.0
    fix_cost: float | np.ndarray | None = None  # None: a fresh human label (human_cost)
    synthetic_pool: float = 0.0
    synthetic_available: float = (
        np.inf
    )  # new synthetic rows the team can get (unlabeled inputs to pre-label)
    measured_ratio: float = np.inf
    # First-pass labels on real inputs: reviewed ones are repaired real rows, credited past the
    # range
    reviewed_past_range: bool = False
    largest_batch_ratio: float = (
        np.inf
    )  # the pilot's largest synthetic batch per human row it measured
    pool_accuracy: float | None = None  # the pilot generator's accuracy, for rows already in hand
    objective: str = "reach_target"
    # Where each input came from, by field name (hybrid.model.provenance.input_sources).
    sources: Mapping[str, Provenance] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def exchange_rate(self, coverage) -> np.ndarray:
        """Human examples one synthetic example is worth at review ``coverage``, before
        saturation."""
        s_h = np.maximum(signal_kept(self.human_error, self.classes), MIN_HUMAN_SIGNAL)
        s_s = signal_kept(synthetic_error(self.accuracy, coverage, self.catch_rate), self.classes)
        # Cleaner labels than the human baseline do not make a generated example carry more
        # information than a human one: cap the noise ratio at 1.
        return np.minimum((s_s / s_h) ** 2, 1.0) * self.synthetic_value

    def with_exponent(self, exponent) -> Inputs:
        """The learning curve with another ``exponent``, anchored at today's point.

        A different exponent alone would move today's metric too (at 500 rows, the exponent's low
        end once put today at 0.635 against measured points near 0.9), which no measurement allows:
        the curve has to pass through the points it was fitted to. Rescaling ``a`` so that
        ``a * n0**-b`` is unchanged at ``n0``, the human rows in hand, keeps today where it was
        measured and varies only what more data buys (steeper: more; flatter: less).
        """
        n0 = max(float(self.human_now), 1.0)
        b = np.asarray(exponent, dtype=float)
        scale = np.asarray(self.scale, dtype=float) * np.power(n0, b - np.asarray(self.exponent))
        return replace(
            self, exponent=b if b.ndim else float(b), scale=scale if scale.ndim else float(scale)
        )

    def curve_at(self, n) -> np.ndarray:
        n = np.maximum(np.asarray(n, dtype=float), 1e-9)
        return self.ceiling - self.scale * np.power(n, -self.exponent)

    def metric(self, new_examples, share, coverage) -> np.ndarray:
        """Expected metric after adding ``new_examples`` at synthetic ``share`` and review
        ``coverage``."""
        return self._metric_of(share, coverage)(np.asarray(new_examples, dtype=float))

    def metric_at(self, new_human, new_synthetic, coverage) -> np.ndarray:
        """Expected metric after adding these counts of new human and new synthetic examples."""
        return self._response(coverage)(
            np.asarray(new_human, dtype=float), np.asarray(new_synthetic, dtype=float)
        )

    def _metric_of(self, share, coverage):
        """The metric as a function of new examples for fixed mixes, with the mix terms computed
        once."""
        s = np.asarray(share, dtype=float)
        response = self._response(coverage)

        def at(n: np.ndarray) -> np.ndarray:
            return response((1.0 - s) * n, s * n)

        return at

    def _response(self, coverage):
        """``m(new human, new synthetic)`` at review ``coverage`` (module docstring, docs/model.md).

        Synthetic rows already in hand are the priced generator's when its response was measured
        (``synthetic_pool``): they saturate and repeat errors with the new ones, unreviewed.
        Otherwise
        they came from an earlier, unmeasured process and count as a fixed stock of
        human-equivalents.
        """
        q_new = self.exchange_rate(coverage)
        e_new = synthetic_error(self.accuracy, coverage, self.catch_rate)
        pool = self.synthetic_pool
        # Rows already in hand were made at the pilot's accuracy; a better generator from now on
        # does not relabel them.
        old = self if self.pool_accuracy is None else replace(self, accuracy=self.pool_accuracy)
        q_old = old.exchange_rate(0.0)
        e_old = synthetic_error(old.accuracy, 0.0, self.catch_rate)
        stock_rows = self.synthetic_now - pool
        stock = self.synthetic_now_value * stock_rows
        w, phi, k = self.tail_weight, self.tail_coverage, self.saturation
        floor_weight = np.asarray(self.systematic_share)
        gamma = np.asarray(self.floor_exponent)

        def at(h_new: np.ndarray, s_new: np.ndarray) -> np.ndarray:
            humans = np.maximum(self.human_now + h_new, 1.0)
            synth = np.maximum(pool + s_new, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                q = np.where(synth > 0, (pool * q_old + s_new * q_new) / synth, q_new)
                err = np.where(synth > 0, (pool * e_old + s_new * e_new) / synth, e_new)
            share = synth / (humans + synth + stock_rows)
            floor = floor_weight * err * share**gamma
            gained = q * saturated(self._credited(synth, s_new, coverage, humans), k * humans)
            head = self.curve_at(humans + stock + gained)
            tail = self.curve_at(humans + phi * (stock + gained))
            return np.clip((1.0 - w) * head + w * tail - floor, 0.0, 1.0)

        return at

    def synthetic_worth(self, new_human, new_synthetic, coverage) -> np.ndarray:
        """Human-example equivalents the synthetic rows add (existing pool plus new), after
        saturation."""
        humans = np.maximum(self.human_now + np.asarray(new_human, dtype=float), 1.0)
        synth = np.maximum(self.synthetic_pool + np.asarray(new_synthetic, dtype=float), 0.0)
        credited = self._credited(synth, np.asarray(new_synthetic, dtype=float), coverage, humans)
        return self.exchange_rate(coverage) * saturated(credited, self.saturation * humans)

    def _credited(self, synth, s_new, coverage, humans) -> np.ndarray:
        """Synthetic rows the pilot's measured range credits (``measured_range``).

        The pilot measured unreviewed rows, so past its best batch per human row they are credited
        nothing. Reviewed first-pass labels are the team's real inputs with their labels checked and
        repaired, close to human-labeled rows, so the range does not bound them.
        """
        cap = self.measured_ratio * humans
        if not self.reviewed_past_range:
            return np.minimum(synth, cap)
        reviewed = s_new * np.asarray(coverage, dtype=float)
        return np.minimum(synth - reviewed, cap) + reviewed

    def today(self) -> np.ndarray:
        return self.metric(0.0, 0.0, 0.0)

    def without_rows_in_hand(self) -> Inputs:
        """These inputs with the generated rows already in the dataset dropped.

        Priced by the same response: dropping them removes their worth (the stock, or the pool's
        saturated gain), their repeated errors (the floor) and their share of the training rows.
        The plan search weighs this against keeping them (``recommend.search_rows_in_hand``).
        """
        return replace(self, synthetic_now=0.0, synthetic_pool=0.0)

    def review_unit_cost(self) -> np.ndarray:
        """Cash per reviewed synthetic example: every one is checked, the wrong ones found are
        fixed.

        Review gets dearer as the generator gets worse (Goel et al. 2023; Felt et al.: pre-labels
        pay only above about 70% accuracy). Fixing includes the check, so it never costs less.
        """
        found = (1.0 - np.asarray(self.accuracy)) * self.catch_rate
        fix = np.maximum(
            self.human_cost if self.fix_cost is None else self.fix_cost, self.review_cost
        )
        return (1.0 - found) * self.review_cost + found * fix

    def unit_cost(self, share, coverage) -> np.ndarray:
        """Cash per new example: human labels, synthetic generation, and review of a share of
        them."""
        s = np.asarray(share, dtype=float)
        return (1.0 - s) * self.human_cost + s * (
            self.synthetic_cost + np.asarray(coverage) * self.review_unit_cost()
        )

    def unit_risk(self, share, coverage) -> np.ndarray:
        """Expected price of escaped synthetic label errors per new example."""
        s = np.asarray(share, dtype=float)
        return (
            s * synthetic_error(self.accuracy, coverage, self.catch_rate) * self.escaped_error_price
        )

    def examples_to_reach(self, target, share, coverage, cap) -> np.ndarray:
        """Fewest new examples reaching ``target``, searched up to ``cap``; inf where unreachable.

        With repeated generator errors the metric can fall again once synthetic rows swamp the
        human ones, so it is not monotone in plan size: a log-spaced scan finds the first size that
        reaches the target, then a vectorised bisection narrows it, for every plan at once.
        """
        share, coverage, cap = np.broadcast_arrays(
            np.asarray(share, float), np.asarray(coverage, float), np.asarray(cap, float)
        )
        metric = self._metric_of(share, coverage)
        already = metric(np.zeros(share.shape)) >= target
        top = np.log10(np.maximum(cap, 1e-3))
        # The scan runs along a new first axis, so draws of the inputs (Monte Carlo) broadcast.
        steps = np.linspace(0.0, 1.0, _SCAN).reshape((_SCAN,) + (1,) * share.ndim)
        grid = -3.0 + (top + 3.0) * steps
        ok = metric(10.0**grid) >= target
        reach = ok.any(axis=0)
        first = np.argmax(ok, axis=0)
        hi = np.take_along_axis(grid, first[None], axis=0)[0]
        lo = np.take_along_axis(grid, np.maximum(first - 1, 0)[None], axis=0)[0]
        lo = np.where(first == 0, -3.0, lo)
        single = metric
        # 24 halvings of one scan step (under a decade): relative error below 1e-6 in examples.
        for _ in range(24):
            mid = 0.5 * (lo + hi)
            good = single(10.0**mid) >= target
            hi = np.where(good, mid, hi)
            lo = np.where(good, lo, mid)
        n = np.where(reach, 10.0**hi, np.inf)
        return np.where(already, 0.0, n)

    def peak_synthetic(self, new_human, coverage) -> float:
        """Synthetic rows beyond which, with this many new human rows, the metric stops rising."""
        grid = np.concatenate([[0.0], np.geomspace(1.0, 1e12, 400)])
        m = self.metric_at(np.full(grid.shape, float(new_human)), grid, coverage)
        best = float(np.max(m))
        return float(grid[int(np.argmax(m >= best - 1e-4))])


def resolve_inputs(scenario: Scenario, policy: Policy) -> Inputs:
    """Turn a validated scenario into model inputs, filling gaps from the policy's defaults."""
    econ = scenario.economics
    ds = scenario.dataset
    curve = curve_from_spec(econ.learning_curve)
    rails = guardrails(scenario, policy)
    notes: list[str] = []
    classes = (
        float(ds.classes) if ds is not None and ds.classes else policy.model.default_classes.value
    )
    if ds is not None and ds.annotator_agreement is not None:
        human_error = human_error_from_agreement(ds.annotator_agreement, classes)
        if float(signal_kept(human_error, classes)) < MIN_HUMAN_SIGNAL:
            raise InputError(
                f"dataset.annotator_agreement: {ds.annotator_agreement:.2f} is at or near chance "
                f"for "
                f"{classes:g} classes ({1 / classes:.2f}): the human labels carry no signal to "
                f"plan "
                "with. Fix the labeling guidelines, or correct the agreement or the class count"
            )
        notes.append(
            f"Human labels are taken to be wrong {human_error:.1%} of the time, from annotator "
            f"agreement {ds.annotator_agreement:.0%}."
        )
    else:
        human_error = policy.model.default_human_error.value
    synthetic_now_value = policy.model.existing_synthetic_value.value
    sigma, _ = systematic_share(scenario, policy)
    k, _ = saturation(scenario, policy)
    response = ds.synthetic_response if ds is not None else None
    if response is not None:
        synthetic_value = response.value
        # The fit measured the floor at the pilot's accuracy; per unit of residual error that is
        # floor / pilot error, which may exceed 1 when generated rows differ from real ones in more
        # than their labels. Review and a better generator then scale the measured loss down.
        sigma = response.floor / max(1.0 - response.accuracy, 0.005) if response.floor > 0 else 0.0
        notes.append(
            f"Synthetic response measured on the team's pilot data: a row worth "
            f"{response.value:.2f} "
            f"human rows before saturation, saturation point {k:.3g} generated rows per human "
            f"row; repeated errors cost "
            f"{ratio(sigma)} points of metric per point of generator error."
        )
    elif ds is not None and ds.synthetic_exchange_rate is not None:
        synthetic_now_value = ds.synthetic_exchange_rate
        # The measurement already holds the generator's label noise at the accuracy it was taken
        # at. With that accuracy known, divide its noise out (capped like exchange_rate(), so an
        # unreviewed row at that accuracy is worth exactly the measurement); the value is then fixed
        # and a better generator can only raise a row's worth. Without it, the rate is taken as the
        # worth of a correctly labeled row, which counts the noise twice: the cautious reading.
        synthetic_value = min(1.0, ds.synthetic_exchange_rate)
        if ds.synthetic_exchange_accuracy is not None:
            s_h = max(float(signal_kept(human_error, classes)), MIN_HUMAN_SIGNAL)
            s_m = float(signal_kept(1.0 - ds.synthetic_exchange_accuracy, classes))
            base = min(1.0, (s_m / s_h) ** 2)
            synthetic_value = min(1.0, ds.synthetic_exchange_rate / max(base, 1e-9))
        notes.append(
            f"Synthetic value measured on the team's data: {ds.synthetic_exchange_rate:.2f} human "
            f"rows each."
        )
    else:
        synthetic_value = policy.model.synthetic_value.value
    if econ.tail_coverage is not None:
        tail_coverage = econ.tail_coverage
    elif response is not None and response.tail_coverage is not None:
        tail_coverage = response.tail_coverage
    elif ds is not None and ds.synthetic_tail_coverage is not None:
        tail_coverage = ds.synthetic_tail_coverage
    else:
        tail_coverage = policy.model.tail_coverage.value
    if ds is not None and ds.human_examples > 0:
        human_now, synthetic_now = float(ds.human_examples), float(ds.synthetic_examples)
    else:
        human_now = max(p[0] for p in econ.learning_curve.points or [(1.0, 0.0)])
        synthetic_now = float(ds.synthetic_examples) if ds is not None else 0.0
    return Inputs(
        curve=curve,
        ceiling=curve.ceiling,
        scale=curve.scale,
        exponent=curve.exponent,
        budget=econ.budget,
        human_cost=econ.human_cost_per_example,
        synthetic_cost=econ.synthetic_cost_per_example,
        review_cost=econ.review_cost_per_example,
        accuracy=econ.synthetic_label_accuracy,
        catch_rate=econ.review_catch_rate,
        target=econ.target_metric,
        classes=classes,
        human_error=human_error,
        synthetic_value=synthetic_value,
        tail_weight=rails.tail_weight,
        tail_coverage=tail_coverage,
        human_now=human_now,
        synthetic_now=synthetic_now,
        synthetic_now_value=synthetic_now_value,
        escaped_error_price=econ.escaped_error_cost * rails.escaped_error_multiplier,
        guardrails=rails,
        currency=econ.currency,
        saturation=k,
        systematic_share=sigma,
        floor_exponent=response.floor_exponent if response is not None else 2.0,
        fix_cost=econ.fix_cost_per_example,
        synthetic_pool=synthetic_now if response is not None else 0.0,
        synthetic_available=np.inf
        if econ.synthetic_available is None
        else float(econ.synthetic_available),
        measured_ratio=measured_range(response, econ.generation),
        reviewed_past_range=econ.generation == "prelabel",
        largest_batch_ratio=response.synthetic_rows / response.human_rows
        if response is not None
        else np.inf,
        pool_accuracy=response.accuracy if response is not None else None,
        objective=econ.objective,
        sources=input_sources(scenario, policy),
        notes=tuple(notes),
    )


def measured_range(response, generation: str) -> float:
    """Unreviewed synthetic rows per human row the plan credits: the pilot's paying range.

    How far more generated or augmented rows keep paying is what a fitted saturation extrapolates
    worst, so credit stops at the best batch the pilot measured
    (``SyntheticResponse.measured_ratio``;
    docs/model.md, "measured range"). The pilot measured unreviewed rows; first-pass labels
    (``prelabel``) that are reviewed are real inputs from the team's own pool with their labels
    checked, so the range does not bound them (``Inputs._credited``).
    """
    if response is None or response.measured_ratio is None:
        return np.inf
    return float(response.measured_ratio)


def points_gained(metric, today) -> np.ndarray:
    """Percentage points of the metric over today's: the unit of 'cost per point'."""
    return 100.0 * (np.asarray(metric) - np.asarray(today))


def cost_per_point(spend, metric, today) -> np.ndarray:
    """Money per percentage point gained; NaN where a plan gains (practically) nothing."""
    gained = points_gained(metric, today)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(gained > 1e-6, np.asarray(spend) / gained, np.nan)


def prelabel_break_even(
    synthetic_cost: float, confirm_cost: float, fix_cost: float, human_cost: float
) -> float | None:
    """Pre-label accuracy above which model-assisted labeling beats labeling from scratch.

    Pre-labels at accuracy ``p`` pay off when ``c_syn + p*c_ok + (1-p)*c_fix < c_human``
    (docs/model.md). Returns the break-even ``p`` in [0, 1]; 0.0 when pre-labels pay off at any
    accuracy and None when they never do.
    """
    if fix_cost < confirm_cost:
        # Not a meaningful setting (fixing includes confirming); the scenario schema refuses it.
        return None
    if fix_cost == confirm_cost:
        # Accuracy does not matter, only the totals do.
        return 0.0 if synthetic_cost + fix_cost < human_cost else None
    p = (synthetic_cost + fix_cost - human_cost) / (fix_cost - confirm_cost)
    if p >= 1.0:
        return None
    return max(0.0, float(p))
