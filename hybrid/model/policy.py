"""Guardrails: stage 1 of the decision, where risk sets the bounds economics may move within.

The policy is a YAML file (``data/policy.yaml`` by default) a team can read and edit. Each factor
level, each kind of data use, and the regulated-domain rule carries up to three bounds and a reason.
A scenario is bound by the tightest applicable rule: the smallest maximum synthetic share, the
largest minimum review coverage and expert-anchor share. The rule behind the synthetic cap is named
so the rationale can say which factor bound the answer.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hybrid.bundled import POLICY_PATH
from hybrid.errors import InputError
from hybrid.model.scenario import (
    DATA_USE_TITLES,
    DATA_USES,
    FACTOR_NAMES,
    FACTOR_TITLES,
    GENERATIONS,
    Scenario,
    describe_validation_error,
    load_yaml_text,
    read_text_file,
)

# Inputs a what-if range may move (hybrid/sensitivity.py gives each its title and valid range).
RANGE_INPUTS = (
    "accuracy",
    "human_cost",
    "synthetic_cost",
    "review_cost",
    "catch_rate",
    "tail_coverage",
    "synthetic_value",
    "exponent",
)

DEFAULT_POLICY_PATH = POLICY_PATH

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Reason = Annotated[str, Field(min_length=3, max_length=500)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    max_synthetic_share: Fraction = 1.0
    min_review_coverage: Fraction = 0.0
    min_anchor_share: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        ..., description="never 0: the human expert layer is never optional"
    )
    systematic_share: Fraction | None = Field(
        None, description="raises the share of generator errors taken to repeat (never lowers it)"
    )
    reason: Reason


class EdgeRule(Rule):
    tail_weight: Annotated[float, Field(ge=0.0, lt=1.0)]


class Valued(_Strict):
    value: Annotated[float, Field(allow_inf_nan=False)]
    reason: Reason


class FractionValued(Valued):
    value: Fraction


class WorthValued(Valued):
    """How many human examples something is worth: positive, and never more than one."""

    value: Annotated[float, Field(gt=0.0, le=1.0)]


class ErrorValued(Valued):
    value: Annotated[float, Field(ge=0.0, lt=0.5)]


class ClassesValued(Valued):
    value: Annotated[float, Field(ge=2.0, le=1_000_000)]


class FactorPolicy(_Strict):
    question: str
    levels: dict[Annotated[int, Field(ge=1, le=5)], Rule]

    @model_validator(mode="after")
    def _all_levels(self):
        if sorted(self.levels) != [1, 2, 3, 4, 5]:
            raise ValueError("levels must define exactly 1, 2, 3, 4 and 5")
        return self


class EdgeFactorPolicy(FactorPolicy):
    levels: dict[Annotated[int, Field(ge=1, le=5)], EdgeRule]


class ErrorFactorPolicy(FactorPolicy):
    escaped_error_multiplier: dict[Annotated[int, Field(ge=1, le=5)], Annotated[float, Field(ge=0)]]

    @model_validator(mode="after")
    def _all_multipliers(self):
        if sorted(self.escaped_error_multiplier) != [1, 2, 3, 4, 5]:
            raise ValueError("escaped_error_multiplier must define exactly 1, 2, 3, 4 and 5")
        return self


class Factors(_Strict):
    error_cost: ErrorFactorPolicy
    domain_judgment: FactorPolicy
    edge_cases: EdgeFactorPolicy
    iteration_maturity: FactorPolicy
    cultural_sensitivity: FactorPolicy


class Labels(_Strict):
    human_below: Fraction = 0.2
    synthetic_above: Fraction = 0.8

    @model_validator(mode="after")
    def _ordered(self):
        if self.human_below > self.synthetic_above:
            raise ValueError("human_below must not exceed synthetic_above")
        return self


class SaturationValued(Valued):
    """k of ``D = k * H_seed``: useful synthetic rows per human seed row."""

    value: Annotated[float, Field(gt=0.0, le=10_000.0)]


class MultiplierValued(Valued):
    value: Annotated[float, Field(gt=0.0, le=100.0)]


class ModelDefaults(_Strict):
    saturation: dict[str, SaturationValued]
    saturation_by_use: dict[str, MultiplierValued] = Field(default_factory=dict)
    systematic_share: FractionValued
    tail_coverage: FractionValued
    synthetic_value: WorthValued
    existing_synthetic_value: WorthValued
    default_human_error: ErrorValued
    default_classes: ClassesValued
    tail_share_weight: FractionValued

    @model_validator(mode="after")
    def _kinds(self):
        if sorted(self.saturation) != sorted(GENERATIONS):
            raise ValueError(f"model.saturation must define exactly {list(GENERATIONS)}")
        extra = sorted(set(self.saturation_by_use) - set(DATA_USES))
        if extra:
            raise ValueError(f"model.saturation_by_use: unknown data use(s) {extra}")
        return self


class Regulated(_Strict):
    keywords: list[str]
    min_error_cost: Annotated[int, Field(ge=1, le=5)]
    rule: Rule


class Range(_Strict):
    kind: Literal["relative", "absolute"]
    low: float
    high: float
    reason: Reason

    @model_validator(mode="after")
    def _ordered(self):
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        if self.kind == "relative" and self.low <= 0:
            raise ValueError("a relative range's low must be positive")
        return self


class VerificationValued(Valued):
    value: Annotated[float, Field(gt=0.0, lt=1.0)]


class PriorRowsValued(Valued):
    value: Annotated[float, Field(ge=0.0, le=100_000.0)]


class WorkplanDefaults(_Strict):
    """Settings of the per-slice work plan (hybrid/model/workplan.py), each with its reason."""

    verification_margin: VerificationValued
    verification_confidence: VerificationValued
    low_agreement_kappa: FractionValued
    low_agreement_max_synthetic_share: FractionValued
    tail_max_synthetic_share: FractionValued
    accuracy_prior_rows: PriorRowsValued


class RoundsDefaults(_Strict):
    """Settings of the staged plan (hybrid/whatif/rounds.py), each with its reason."""

    miss_penalty_budget_share: MultiplierValued
    min_round_rows: PriorRowsValued
    holdout_share: FractionValued
    max_rounds: Annotated[int, Field(ge=1, le=5)] = 5


class Policy(_Strict):
    version: int = 1
    labels: Labels = Field(default_factory=Labels)
    model: ModelDefaults
    factors: Factors
    data_use: dict[str, Rule]
    regulated: Regulated
    most_cautious: Rule | None = Field(
        None, description="applies when all four decision factors are at their most cautious level"
    )
    ranges: dict[str, Range] = Field(default_factory=dict)
    workplan: WorkplanDefaults | None = Field(
        None, description="per-slice work plan settings; built-in defaults when absent"
    )
    rounds: RoundsDefaults | None = Field(
        None, description="staged plan settings; built-in defaults when absent"
    )
    source: str = "data/policy.yaml"
    digest: str = ""

    @model_validator(mode="after")
    def _known_ranges(self):
        unknown = sorted(set(self.ranges) - set(RANGE_INPUTS))
        if unknown:
            raise ValueError(f"ranges: unknown input(s) {unknown}; known: {list(RANGE_INPUTS)}")
        return self

    @model_validator(mode="after")
    def _every_use(self):
        missing = [u for u in DATA_USES if u not in self.data_use]
        extra = [u for u in self.data_use if u not in DATA_USES]
        if missing or extra:
            raise ValueError(f"data_use must define exactly {list(DATA_USES)}")
        return self

    def factor_rule(self, factor: str, level: int) -> Rule:
        return getattr(self.factors, factor).levels[level]


def parse_policy(text: str, source: str = "policy") -> Policy:
    data = load_yaml_text(text, source)
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping at the top level")
    data = {**data, "source": source, "digest": hashlib.sha256(text.encode()).hexdigest()[:16]}
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc, source)) from None


def load_policy(path: str | Path | None = None) -> Policy:
    p = Path(path) if path is not None else DEFAULT_POLICY_PATH
    return parse_policy(read_text_file(p), str(p) if path is not None else "data/policy.yaml")


@dataclass(frozen=True)
class Bound:
    """One applicable rule and what it sets."""

    source: str  # e.g. "error_cost = 4", "data use: preference", "regulated domain" (JSON keeps it)
    key: str  # factor name, "data_use" or "regulated"
    rule: Rule
    title: str = ""  # what a person reads, e.g. "Cost of label errors = 4"; the source when empty

    def __post_init__(self) -> None:
        if not self.title:
            object.__setattr__(self, "title", self.source)


@dataclass(frozen=True)
class Guardrails:
    """The tightest bounds over every rule that applies to a scenario."""

    max_synthetic_share: float
    min_review_coverage: float
    min_anchor_share: float
    cap_source: Bound
    review_source: Bound
    anchor_source: Bound
    bounds: tuple[Bound, ...]
    tail_weight: float
    escaped_error_multiplier: float
    regulated: bool
    # Below the scenario's systematic share: the ones its factor levels or less risky ones would
    # set.
    safer_systematic_shares: tuple[float, ...] = ()


def regulated_keyword(scenario: Scenario, policy: Policy) -> str | None:
    """The policy keyword the domain text matched (whole words, any case), or None."""
    words = set(re.findall(r"[a-z0-9]+", (scenario.domain or "").lower()))
    return next((k for k in policy.regulated.keywords if k.lower() in words), None)


def is_regulated(scenario: Scenario, policy: Policy) -> bool:
    """The scenario's explicit answer when given, else the keyword match on the domain."""
    if scenario.regulated is not None:
        return scenario.regulated
    return regulated_keyword(scenario, policy) is not None


# The factor levels at which the policy's ``most_cautious`` rule applies, all of them at once.
_MOST_CAUTIOUS = {"error_cost": 5, "domain_judgment": 5, "edge_cases": 5, "iteration_maturity": 1}


def _title(name: str, level: int) -> str:
    return f"{FACTOR_TITLES[name].capitalize()} = {level}"


def applicable_bounds(scenario: Scenario, policy: Policy) -> list[Bound]:
    f = scenario.factors
    out = [
        Bound(
            f"{name} = {getattr(f, name)}",
            name,
            policy.factor_rule(name, getattr(f, name)),
            _title(name, getattr(f, name)),
        )
        for name in FACTOR_NAMES
    ]
    out.append(
        Bound(
            f"data use: {scenario.data_use}",
            "data_use",
            policy.data_use[scenario.data_use],
            f"Data use: {DATA_USE_TITLES[scenario.data_use]}",
        )
    )
    if policy.most_cautious is not None and all(
        getattr(f, k) == v for k, v in _MOST_CAUTIOUS.items()
    ):
        out.append(
            Bound(
                "all four decision factors at their most cautious",
                "most_cautious",
                policy.most_cautious,
            )
        )
    if is_regulated(scenario, policy) and f.error_cost >= policy.regulated.min_error_cost:
        word = regulated_keyword(scenario, policy)
        why = "marked regulated" if scenario.regulated else f"domain matched \u201c{word}\u201d"
        out.append(
            Bound(
                f"regulated domain ({scenario.domain}) with error_cost = {f.error_cost}",
                "regulated",
                policy.regulated.rule,
                f"Regulated domain ({why}) with {FACTOR_TITLES['error_cost']} = {f.error_cost}",
            )
        )
    return out


def guardrails(scenario: Scenario, policy: Policy) -> Guardrails:
    """Combine every applicable rule; ties go to the first listed (factors before data use)."""
    bounds = applicable_bounds(scenario, policy)
    cap = min(bounds, key=lambda b: b.rule.max_synthetic_share)
    review = max(bounds, key=lambda b: b.rule.min_review_coverage)
    anchor = max(bounds, key=lambda b: b.rule.min_anchor_share)
    edge = policy.factors.edge_cases.levels[scenario.factors.edge_cases]
    tail = edge.tail_weight
    ds = scenario.dataset
    if ds is not None and ds.tail_share is not None:
        tail = max(tail, min(0.95, ds.tail_share * policy.model.tail_share_weight.value))
    return Guardrails(
        max_synthetic_share=cap.rule.max_synthetic_share,
        min_review_coverage=review.rule.min_review_coverage,
        min_anchor_share=anchor.rule.min_anchor_share,
        cap_source=cap,
        review_source=review,
        anchor_source=anchor,
        bounds=tuple(bounds),
        tail_weight=tail,
        escaped_error_multiplier=policy.factors.error_cost.escaped_error_multiplier[
            scenario.factors.error_cost
        ],
        regulated=is_regulated(scenario, policy),
        safer_systematic_shares=safer_systematic_shares(scenario, policy),
    )


def systematic_share(scenario: Scenario, policy: Policy) -> tuple[float, str]:
    """Share of generator label errors that repeat, and the rule that set it.

    The policy's base value, raised (never lowered) by factor levels that carry their own: the
    synthetic-data gap grows with how subjective the task is (Li et al., EMNLP 2023). A value the
    team measured replaces all of it.
    """
    ds = scenario.dataset
    if ds is not None and ds.synthetic_response is not None:
        return ds.synthetic_response.systematic_share, "measured on the team's pilot data"
    best, source = policy.model.systematic_share.value, "policy default"
    for b in applicable_bounds(scenario, policy):
        if b.rule.systematic_share is not None and b.rule.systematic_share > best:
            best, source = b.rule.systematic_share, b.title
    return best, source


def _no_riskier(name: str, level: int) -> range:
    """This level and every less risky one: a more mature task is safer, a higher level of the rest
    riskier."""
    return range(level, 6) if name == "iteration_maturity" else range(1, level + 1)


def safer_systematic_shares(scenario: Scenario, policy: Policy) -> tuple[float, ...]:
    """Every systematic share below this scenario's that it would take at less risky factor levels.

    A riskier factor level raises the share of generator errors that repeat, which makes unreviewed
    synthetic rows worse and can tip the plan search to more, fully reviewed, synthetic rows. A risk
    input bounds risk; it is not a reason to buy more synthetic data, so the plan search caps the
    share at the best one under each of these (recommend._systematic_envelope). Every factor is
    moved to any level no riskier than its own, the data use and domain held, so a riskier level
    only adds shares to the set. Empty when the share was measured: it then comes from no factor.
    """
    ds = scenario.dataset
    if ds is not None and ds.synthetic_response is not None:
        return ()
    regulated = is_regulated(scenario, policy)
    reg = policy.regulated.rule.systematic_share or 0.0
    options = []
    for name in FACTOR_NAMES:
        opts = set()
        for level in _no_riskier(name, getattr(scenario.factors, name)):
            sigma = policy.factor_rule(name, level).systematic_share or 0.0
            if name == "error_cost" and regulated and level >= policy.regulated.min_error_cost:
                sigma = max(sigma, reg)
            opts.add((sigma, _MOST_CAUTIOUS.get(name) == level))
        options.append(opts)
    cautious = [name in _MOST_CAUTIOUS for name in FACTOR_NAMES]
    fixed = max(
        policy.model.systematic_share.value,
        policy.data_use[scenario.data_use].systematic_share or 0.0,
    )
    mc = (policy.most_cautious.systematic_share or 0.0) if policy.most_cautious is not None else 0.0
    values = set()
    for combo in itertools.product(*options):
        corner = all(at for (_, at), c in zip(combo, cautious, strict=False) if c)
        values.add(max(fixed, mc if corner else 0.0, *(sigma for sigma, _ in combo)))
    current, _ = systematic_share(scenario, policy)
    return tuple(sorted(v for v in values if v < current - 1e-12))


def saturation(scenario: Scenario, policy: Policy) -> tuple[float, str]:
    """k of ``D = k * H_seed`` for the scenario's kind of generation and data use, and its
    source."""
    ds = scenario.dataset
    if ds is not None and ds.synthetic_response is not None:
        return ds.synthetic_response.saturation, "measured on the team's pilot data"
    kind = scenario.economics.generation
    k = policy.model.saturation[kind].value
    use = policy.model.saturation_by_use.get(scenario.data_use)
    if use is not None:
        return (
            k * use.value,
            f"policy default for {kind} data, times {use.value:g} for "
            f"{DATA_USE_TITLES[scenario.data_use]}",
        )
    return k, f"policy default for {kind} data"
