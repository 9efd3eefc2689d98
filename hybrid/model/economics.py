"""Economics: what a plan of new human and synthetic examples buys, and what it costs.

Stage 2 of the decision (docs/model.md). Every function broadcasts over NumPy arrays so the plan
search, the Monte Carlo and the sensitivity analysis share one implementation of the model.

- Label noise: under symmetric noise at rate ``e`` over ``K`` classes a label keeps
  ``1 - e*K/(K-1)`` of its signal and is worth the square of that in sample size (Angluin and
  Laird 1988; Natarajan et al., NeurIPS 2013). The learning curve was measured on the team's own
  human labels, so their noise is already in it; a synthetic example is worth
  ``min(1, (signal_synthetic / signal_human)**2)`` human examples, times the measured or default
  synthetic value.
- Review with coverage ``v`` and catch rate ``r`` lowers the synthetic error to
  ``(1 - accuracy) * (1 - v*r)``.
- Head and tail: a share ``tau`` of the metric comes from edge cases, which synthetic data reaches
  only at a coverage ``phi`` (Dohmatob et al., ICML 2024: generated data truncates the tail), so
  ``m = (1-tau)*m(n_h + q*n_s) + tau*m(n_h + phi*q*n_s)`` and synthetic volume plateaus below
  what human data reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hybrid.errors import InputError
from hybrid.model.curves import CurveFit, curve_from_spec
from hybrid.model.policy import Guardrails, Policy, guardrails
from hybrid.model.scenario import Scenario

# The smallest signal a human label may keep; below it the learning curve itself is meaningless.
_MIN_HUMAN_SIGNAL = 0.05


def signal_kept(error: np.ndarray | float, classes: np.ndarray | float) -> np.ndarray:
    """Share of label signal left under symmetric noise (Natarajan et al. 2013)."""
    k = np.asarray(classes, dtype=float)
    return np.clip(1.0 - np.asarray(error, dtype=float) * k / (k - 1.0), 0.0, 1.0)


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
    notes: tuple[str, ...] = ()

    def exchange_rate(self, coverage) -> np.ndarray:
        """Human examples one synthetic example is worth at review ``coverage``."""
        s_h = np.maximum(signal_kept(self.human_error, self.classes), _MIN_HUMAN_SIGNAL)
        s_s = signal_kept(synthetic_error(self.accuracy, coverage, self.catch_rate), self.classes)
        # Cleaner labels than the human baseline do not make a generated example carry more
        # information than a human one: cap the noise ratio at 1.
        return np.minimum((s_s / s_h) ** 2, 1.0) * self.synthetic_value

    def curve_at(self, n) -> np.ndarray:
        n = np.maximum(np.asarray(n, dtype=float), 1e-9)
        return self.ceiling - self.scale * np.power(n, -self.exponent)

    def metric(self, new_examples, share, coverage) -> np.ndarray:
        """Expected metric after adding ``new_examples`` at synthetic ``share`` and review ``coverage``."""
        return self._metric_of(share, coverage)(np.asarray(new_examples, dtype=float))

    def _metric_of(self, share, coverage):
        """The metric as a function of new examples for fixed mixes, with the mix terms computed once."""
        s = np.asarray(share, dtype=float)
        q = self.exchange_rate(coverage)
        stock = self.synthetic_now_value * self.synthetic_now
        head_rate = (1.0 - s) + q * s
        tail_rate = (1.0 - s) + self.tail_coverage * q * s
        head0 = self.human_now + stock
        tail0 = self.human_now + self.tail_coverage * stock
        w = self.tail_weight

        def at(n: np.ndarray) -> np.ndarray:
            m = (1.0 - w) * self.curve_at(head0 + head_rate * n) + w * self.curve_at(tail0 + tail_rate * n)
            return np.clip(m, 0.0, 1.0)

        return at

    def today(self) -> np.ndarray:
        return self.metric(0.0, 0.0, 0.0)

    def unit_cost(self, share, coverage) -> np.ndarray:
        """Cash per new example: human labels, synthetic generation, and review of a share of them."""
        s = np.asarray(share, dtype=float)
        return (1.0 - s) * self.human_cost + s * (self.synthetic_cost + np.asarray(coverage) * self.review_cost)

    def unit_risk(self, share, coverage) -> np.ndarray:
        """Expected price of escaped synthetic label errors per new example."""
        s = np.asarray(share, dtype=float)
        return s * synthetic_error(self.accuracy, coverage, self.catch_rate) * self.escaped_error_price

    def examples_to_reach(self, target, share, coverage, cap) -> np.ndarray:
        """Fewest new examples reaching ``target``, searched up to ``cap``; inf where unreachable.

        The metric grows monotonically with examples, so a vectorised bisection in log space
        converges for every plan at once.
        """
        share, coverage, cap = np.broadcast_arrays(
            np.asarray(share, float), np.asarray(coverage, float), np.asarray(cap, float)
        )
        metric = self._metric_of(share, coverage)
        reach = metric(cap) >= target
        already = metric(np.zeros(share.shape)) >= target
        lo = np.full(share.shape, -3.0)
        hi = np.log10(np.maximum(cap, 1e-3))
        # 32 halvings of a span under 20 decades: relative error below 1e-8 in examples.
        for _ in range(32):
            mid = 0.5 * (lo + hi)
            ok = metric(10.0**mid) >= target
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
        n = 10.0**hi
        n = np.where(reach, n, np.inf)
        return np.where(already, 0.0, n)


def resolve_inputs(scenario: Scenario, policy: Policy) -> Inputs:
    """Turn a validated scenario into model inputs, filling gaps from the policy's defaults."""
    econ = scenario.economics
    ds = scenario.dataset
    curve = curve_from_spec(econ.learning_curve)
    rails = guardrails(scenario, policy)
    notes: list[str] = []
    classes = float(ds.classes) if ds is not None and ds.classes else policy.model.default_classes.value
    if ds is not None and ds.annotator_agreement is not None:
        human_error = human_error_from_agreement(ds.annotator_agreement, classes)
        if float(signal_kept(human_error, classes)) < _MIN_HUMAN_SIGNAL:
            raise InputError(
                f"dataset.annotator_agreement: {ds.annotator_agreement:.2f} is at or near chance for "
                f"{classes:g} classes ({1 / classes:.2f}): the human labels carry no signal to plan "
                "with. Fix the labeling guidelines, or correct the agreement or the class count"
            )
        notes.append(
            f"Human labels are taken to be wrong {human_error:.1%} of the time, from annotator "
            f"agreement {ds.annotator_agreement:.0%}."
        )
    else:
        human_error = policy.model.default_human_error.value
    synthetic_now_value = policy.model.existing_synthetic_value.value
    if ds is not None and ds.synthetic_exchange_rate is not None:
        synthetic_now_value = ds.synthetic_exchange_rate
        # A measured exchange rate already contains the generator's label noise at no review;
        # divide that back out so review can still improve on it.
        # The measurement already holds the generator's label noise at the accuracy it was taken
        # at. With that accuracy known, divide its noise out (capped like exchange_rate(), so an
        # unreviewed row at that accuracy is worth exactly the measurement); the value is then fixed
        # and a better generator can only raise a row's worth. Without it, the rate is taken as the
        # worth of a correctly labeled row, which counts the noise twice: the cautious reading.
        synthetic_value = min(1.0, ds.synthetic_exchange_rate)
        if ds.synthetic_exchange_accuracy is not None:
            s_h = max(float(signal_kept(human_error, classes)), _MIN_HUMAN_SIGNAL)
            s_m = float(signal_kept(1.0 - ds.synthetic_exchange_accuracy, classes))
            base = min(1.0, (s_m / s_h) ** 2)
            synthetic_value = min(1.0, ds.synthetic_exchange_rate / max(base, 1e-9))
        notes.append(f"Synthetic value measured on the team's data: {ds.synthetic_exchange_rate:.2f} human rows each.")
    else:
        synthetic_value = policy.model.synthetic_value.value
    if econ.tail_coverage is not None:
        tail_coverage = econ.tail_coverage
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
        notes=tuple(notes),
    )


def points_gained(metric, today) -> np.ndarray:
    """Percentage points of the metric over today's: the unit of 'cost per point'."""
    return 100.0 * (np.asarray(metric) - np.asarray(today))


def cost_per_point(spend, metric, today) -> np.ndarray:
    """Money per percentage point gained; NaN where a plan gains (practically) nothing."""
    gained = points_gained(metric, today)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(gained > 1e-6, np.asarray(spend) / gained, np.nan)


def prelabel_break_even(synthetic_cost: float, confirm_cost: float, fix_cost: float, human_cost: float) -> float | None:
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
