"""Where each model input came from, as data: the one place provenance is decided.

Every input the economics uses (``economics.Inputs``) was entered by the team, measured on a pilot
(the exchange-rate fit of ``hybrid.evidence``: a file, its rows), measured on the dataset (its
profile: classes, agreement, tail share), set by a policy default (a rule and its reason), or
derived from other inputs. ``input_sources`` decides which, once, with the same tests
``resolve_inputs`` uses to pick the value, so a page, the command line and a report cannot call one
number "measured" and another "policy default". The words for each kind live in
``hybrid.vocabulary``; nothing here names a dashboard page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hybrid.model.policy import Policy, applicable_bounds
from hybrid.model.scenario import DATA_USE_TITLES, FACTOR_TITLES, Scenario

Kind = Literal["entered", "pilot", "dataset", "policy", "derived", "default"]


@dataclass(frozen=True)
class Provenance:
    """Where one number came from.

    ``kind``: ``entered`` (typed into the scenario), ``pilot`` (measured on a pilot: ``file`` and
    ``rows``; ``date`` when the scenario records it), ``dataset`` (measured on the dataset's
    profile), ``policy`` (a policy default: ``rule`` and ``reason``), ``derived`` (computed from
    other inputs: ``reason`` says how) or ``default`` (a field left unset, at the scenario schema's
    default: nobody entered it).
    """

    kind: Kind
    file: str | None = None
    rows: int | None = None
    date: str | None = None
    rule: str | None = None
    reason: str | None = None

    @property
    def measured(self) -> bool:
        return self.kind in ("pilot", "dataset")

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


ENTERED = Provenance("entered")


@dataclass(frozen=True)
class Sourced:
    """One input's value (as the economics uses it) and where it came from."""

    key: str
    value: float | str | None
    source: Provenance

    def to_json(self) -> dict:
        return {"value": self.value, "source": self.source.to_json()}


def pilot(scenario: Scenario, reason: str | None = None) -> Provenance:
    """The pilot the scenario's synthetic response was measured on."""
    ds = scenario.dataset
    r = ds.synthetic_response if ds is not None else None
    rows = r.human_rows + r.synthetic_rows if r is not None else None
    return Provenance("pilot", file=ds.source if ds is not None else None, rows=rows, reason=reason)


def _policy(rule: str | None, reason: str) -> Provenance:
    return Provenance("policy", rule=rule, reason=reason)


def input_sources(scenario: Scenario, policy: Policy) -> dict[str, Provenance]:
    """The provenance of every input ``resolve_inputs`` fills, by ``Inputs`` field name."""
    econ, ds, m = scenario.economics, scenario.dataset, policy.model
    response = ds.synthetic_response if ds is not None else None
    out: dict[str, Provenance] = {
        k: ENTERED for k in ("budget", "target", "human_cost", "synthetic_cost", "review_cost")
    }
    out["accuracy"] = ENTERED
    out["fix_cost"] = (
        ENTERED
        if econ.fix_cost_per_example is not None
        else Provenance("derived", reason="a fresh human label's price")
    )
    # A calibrated or saved scenario writes every field out, defaults included, so a default
    # read back is "set": only a value other than the default was entered.
    default_catch = type(econ).model_fields["review_catch_rate"].default
    out["catch_rate"] = (
        ENTERED
        if "review_catch_rate" in econ.model_fields_set and econ.review_catch_rate != default_catch
        else _policy(None, f"reviewers catch about {default_catch:.0%} of errors")
    )
    if ds is not None and ds.annotator_agreement is not None:
        out["human_error"] = Provenance(
            "dataset", reason=f"from annotator agreement {ds.annotator_agreement:.0%}"
        )
    else:
        out["human_error"] = _policy(None, m.default_human_error.reason)
    out["classes"] = (
        Provenance("dataset")
        if ds is not None and ds.classes
        else _policy(None, m.default_classes.reason)
    )
    if response is not None:
        out["synthetic_value"] = pilot(scenario)
    elif ds is not None and ds.synthetic_exchange_rate is not None:
        out["synthetic_value"] = Provenance(
            "dataset",
            reason=f"exchange rate {ds.synthetic_exchange_rate:.2f}, generator noise divided out"
            if ds.synthetic_exchange_accuracy is not None
            else f"exchange rate {ds.synthetic_exchange_rate:.2f}",
        )
    else:
        out["synthetic_value"] = _policy(None, m.synthetic_value.reason)
    if response is None and ds is not None and ds.synthetic_exchange_rate is not None:
        out["synthetic_now_value"] = Provenance("dataset", reason="the measured exchange rate")
    elif response is not None and ds.synthetic_examples > 0:
        out["synthetic_now_value"] = pilot(
            scenario,
            "the rows in hand are the pilot generator's: worth an unreviewed row at the pilot's "
            "accuracy by its measured response",
        )
    else:
        out["synthetic_now_value"] = _policy(None, m.existing_synthetic_value.reason)
    if econ.tail_coverage is not None:
        out["tail_coverage"] = ENTERED
    elif response is not None and response.tail_coverage is not None:
        out["tail_coverage"] = pilot(scenario)
    elif ds is not None and ds.synthetic_tail_coverage is not None:
        out["tail_coverage"] = Provenance("dataset", reason="exchange rate on rare classes")
    else:
        out["tail_coverage"] = _policy(None, m.tail_coverage.reason)
    level = scenario.factors.edge_cases
    rule = f"{FACTOR_TITLES['edge_cases']} = {level}"
    level_weight = policy.factors.edge_cases.levels[level].tail_weight
    tail_raised = (
        ds is not None
        and ds.tail_share is not None
        and min(0.95, ds.tail_share * m.tail_share_weight.value) > level_weight + 1e-12
    )
    out["tail_weight"] = (
        Provenance("dataset", rule=rule, reason="raised to the dataset's tail share")
        if tail_raised
        else _policy(rule, policy.factors.edge_cases.levels[level].reason)
    )
    if response is not None:
        out["saturation"] = pilot(scenario)
        out["systematic_share"] = pilot(scenario)
    else:
        kind = econ.generation
        sat = m.saturation[kind]
        use = m.saturation_by_use.get(scenario.data_use)
        rule = f"saturation for {kind} data" + (
            f", times {use.value:g} for {DATA_USE_TITLES[scenario.data_use]}" if use else ""
        )
        out["saturation"] = _policy(rule, sat.reason)
        best, src = (
            m.systematic_share.value,
            _policy(None, m.systematic_share.reason),
        )
        for b in applicable_bounds(scenario, policy):
            if b.rule.systematic_share is not None and b.rule.systematic_share > best:
                best, src = b.rule.systematic_share, _policy(b.title, b.rule.reason)
        out["systematic_share"] = src
    out["escaped_error_price"] = (
        Provenance(
            "derived",
            reason=f"entered price times the policy multiplier for error cost "
            f"{scenario.factors.error_cost}",
        )
        # A price of 0 is the schema's default, and every saved or calibrated scenario writes the
        # default out (Scenario.to_yaml), so "set" alone cannot tell an entered price from none.
        if "escaped_error_cost" in econ.model_fields_set and econ.escaped_error_cost > 0
        else Provenance(
            "default", reason="not entered: no price, review coverage is left to the guardrail"
        )
    )
    spec = econ.learning_curve
    fitted_to = (
        f"fitted to {len(spec.points)} measured points"
        if spec.points is not None
        else "fitted parameters"
    )
    out["learning_curve"] = (
        Provenance("pilot", file=spec.measured_on, reason=fitted_to)
        if spec.measured_on is not None
        else Provenance("entered", reason=fitted_to)
    )
    if ds is not None and ds.human_examples > 0:
        out["human_now"] = Provenance("dataset")
    else:
        out["human_now"] = Provenance("derived", reason="the largest learning-curve point")
    out["synthetic_now"] = Provenance("dataset") if ds is not None else ENTERED
    return out
