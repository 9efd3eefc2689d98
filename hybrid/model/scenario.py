"""The Scenario: the one object every page, the CLI, the store and the reports pass around.

A scenario is what a team brings to the meeting: the kind of data use, its answers to the four
decision factors (plus cultural sensitivity), facts about its dataset, and the economics (budget,
unit costs, generator accuracy, the learning curve). It is validated once, at the edge, by pydantic;
everything inside ``hybrid`` trusts the types.

Metrics are fractions in [0, 1] where higher is better (accuracy 0.85, not 85). A "point" is one
percentage point of that metric, 0.01.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Literal, get_args

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from hybrid.errors import InputError

DataUse = Literal[
    "pretraining",
    "midtraining",
    "fine_tuning",
    "labeling",
    "preference",
    "red_teaming",
    "evaluation",
]
DATA_USES: tuple[str, ...] = get_args(DataUse)
# What a person reads for each data use (pages, rationale, reports); the keys stay in YAML and JSON.
DATA_USE_TITLES: dict[str, str] = {
    "pretraining": "Pre-training",
    "midtraining": "Mid-training",
    "fine_tuning": "Fine-tuning",
    "labeling": "Labeling",
    "preference": "Preference (RLHF/DPO)",
    "red_teaming": "Red-teaming",
    "evaluation": "Evaluation set",
}

FACTOR_NAMES: tuple[str, ...] = (
    "error_cost",
    "domain_judgment",
    "edge_cases",
    "iteration_maturity",
    "cultural_sensitivity",
)

# What a person reads for each factor key (pages, rationale, reports, CLI text); keys stay in
# JSON and YAML only.
FACTOR_TITLES: dict[str, str] = {
    "error_cost": "cost of label errors",
    "domain_judgment": "need for domain judgment",
    "edge_cases": "importance of edge cases",
    "iteration_maturity": "task maturity",
    "cultural_sensitivity": "cultural sensitivity",
}

Generation = Literal["generated", "augmented", "prelabel"]
GENERATIONS: tuple[str, ...] = get_args(Generation)
Objective = Literal["reach_target", "best_for_budget"]

# Sane ranges for every number a user gives, the same in files, the dashboard, links and the CLI
# (README, "Input limits"; docs/profiling.md): money and counts up to a trillion; beyond that a
# value is a typo
# or an attack, and sums of such values overflow to infinity.
MAX_MONEY = 1e12
MAX_COUNT = 10**12


def _number(value: object) -> object:
    """Refuse true/false where a number belongs (pydantic would read ``budget: true`` as 1)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    return value


_NoBool = BeforeValidator(_number)

# A name is one line of text shown in terminals, page titles, headings and file names. The C0
# control characters (escape, bell, tab, line breaks, NUL...) and DEL have no place in one: they
# are refused at entry, exactly the set the library refuses in a saved name (store.clean_name), so
# every scenario the model accepts can be saved, and nothing already saved is refused. Other
# invisible or reordering characters (C1 controls, bidi marks, embeddings, overrides, isolates)
# are accepted, since right-to-left and mixed-script names need some of them and libraries may
# already hold them; they are written as visible escapes wherever a name is shown
# (hybrid.safetext.shown) and in the scenario YAML (Scenario.to_yaml). See docs/hostile-input.md.
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _no_controls(value: object) -> object:
    if isinstance(value, str):
        m = _NAME_CONTROL.search(value)
        if m is not None:
            raise ValueError(
                f"must not contain control characters such as escape, bell, tab or a line break "
                f"(found \\u{ord(m.group()):04x} at character {m.start() + 1})"
            )
    return value


_NoControls = AfterValidator(_no_controls)

Level = Annotated[int, _NoBool, Field(ge=1, le=5)]
Fraction = Annotated[float, _NoBool, Field(ge=0.0, le=1.0)]
MIN_BUDGET = 0.01
Money = Annotated[float, _NoBool, Field(ge=0.0, le=MAX_MONEY, allow_inf_nan=False)]
PositiveMoney = Annotated[float, _NoBool, Field(gt=0.0, le=MAX_MONEY, allow_inf_nan=False)]
Count = Annotated[int, _NoBool, Field(ge=0, le=MAX_COUNT)]
Size = Annotated[float, _NoBool, Field(ge=0, le=MAX_COUNT, allow_inf_nan=False)]


class _Strict(BaseModel):
    """Unknown keys are refused so a typo ("eror_cost") is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Factors(_Strict):
    """The four decision factors of the founding guide, plus cultural sensitivity, each 1 to 5."""

    error_cost: Level = Field(3, description="1: a wrong label is harmless; 5: it causes real harm")
    domain_judgment: Level = Field(3, description="1: anyone can label; 5: needs a licensed expert")
    edge_cases: Level = Field(
        3, description="1: the common case is all that matters; 5: the tail is"
    )
    iteration_maturity: Level = Field(
        3, description="1: new task, no quality baseline; 5: well understood, human baselines exist"
    )
    cultural_sensitivity: Level = Field(
        1, description="1: culture-neutral; 5: culture decides the label"
    )


class Dataset(_Strict):
    """Facts about the data the team already has; filled by hand or by the profiler."""

    human_examples: Count = Field(0, description="human-labeled examples already in hand")
    synthetic_examples: Count = Field(0, description="synthetic examples already in hand")
    classes: Annotated[int, _NoBool, Field(ge=2, le=1_000_000)] | None = Field(
        None, description="number of label classes"
    )
    tail_share: Fraction | None = Field(None, description="share of rows in rare classes")
    annotator_agreement: Fraction | None = Field(
        None, description="observed pairwise agreement between two human annotators"
    )
    kappa: Annotated[float, _NoBool, Field(ge=-1.0, le=1.0)] | None = Field(
        None, description="chance-corrected agreement (Cohen's or Fleiss' kappa), informational"
    )
    synthetic_exchange_rate: Annotated[float, _NoBool, Field(gt=0.0, le=10.0)] | None = Field(
        None,
        description="measured: how many human rows one synthetic row is worth (from evidence)",
    )
    synthetic_exchange_accuracy: Fraction | None = Field(
        None,
        description="generator label accuracy when the exchange rate was measured; it calibrates "
        "the measurement so that a better generator can only raise a synthetic row's worth",
    )
    synthetic_tail_coverage: Fraction | None = Field(
        None,
        description="measured: the synthetic exchange rate on rare classes relative to overall",
    )
    synthetic_response: SyntheticResponse | None = Field(
        None, description="measured: what the generator's rows add on top of human rows (evidence)"
    )
    source: str | None = Field(None, max_length=500, description="where these numbers came from")


# The floor grows as p**gamma; the pilot fits gamma inside this range (docs/model.md, "floor").
FLOOR_EXPONENT_RANGE = (1.0, 2.0)


class SyntheticResponse(_Strict):
    """What the generator's rows added on top of human rows, measured on the team's pilot file.

    Fitted by ``hybrid.evidence.synthetic_response`` to the augmentation curve (human rows held
    fixed, synthetic rows added in growing numbers, scored on held-out human rows) in the decision
    model's own form (docs/model.md, "Synthetic data saturates"), so the plan reproduces what was
    measured and extrapolates from it.
    """

    value: Annotated[float, _NoBool, Field(gt=0.0, le=1.0)] = Field(
        ...,
        description="worth of one correctly labeled synthetic row, in human rows, before "
        "saturation",
    )
    saturation: Annotated[float, _NoBool, Field(gt=0.0, le=10_000.0)] = Field(
        ..., description="k: useful synthetic rows per human seed row (D = k * human rows)"
    )
    systematic_share: Fraction = Field(
        ..., description="share of the generator's label errors that repeat (do not average out)"
    )
    floor: Fraction = Field(
        0.0,
        description="metric lost when training on these synthetic rows alone, unreviewed, at the "
        "pilot's accuracy: the systematic-error term the fit found",
    )
    floor_exponent: Annotated[
        float, _NoBool, Field(ge=FLOOR_EXPONENT_RANGE[0], le=FLOOR_EXPONENT_RANGE[1])
    ] = Field(
        2.0,
        description="how the floor grows with the synthetic share p of training data: p to this "
        "power; 2 is Dohmatob et al.'s bias term, 1 what a learner that memorises wrong labels "
        "shows",
    )
    accuracy: Fraction = Field(
        ..., description="generator label accuracy of the pilot's synthetic rows"
    )
    tail_weight: Fraction | None = Field(None, description="edge-case weight the fit was made at")
    tail_coverage: Fraction | None = Field(None, description="tail coverage the fit was made at")
    human_rows: Annotated[int, _NoBool, Field(ge=1, le=MAX_COUNT)] = Field(
        ..., description="human training rows of the largest measured base"
    )
    synthetic_rows: Annotated[int, _NoBool, Field(ge=1, le=MAX_COUNT)] = Field(
        ..., description="synthetic rows the pilot measured up to"
    )
    points: list[tuple[Size, Size, Fraction]] = Field(
        default_factory=list, description="measured [human rows, synthetic rows, metric]"
    )
    plateau: bool = Field(False, description="the measured curve stopped rising or fell")
    measured_ratio: Annotated[float, _NoBool, Field(ge=0.0, le=1e6)] | None = Field(
        None,
        description="synthetic rows per human row up to which the pilot saw synthetic rows pay, at "
        "its largest human base; beyond it the plan credits synthetic rows with nothing (the "
        "evidence says nothing there, or shows a plateau) but still counts their repeated errors",
    )
    model: str | None = Field(None, max_length=200, description="the learner the evidence used")


class FittedCurve(_Strict):
    """Learning-curve parameters of ``m(n) = ceiling - scale * n**(-exponent)``."""

    ceiling: Annotated[float, _NoBool, Field(gt=0.0, le=1.0)]
    scale: Annotated[float, _NoBool, Field(gt=0.0, le=MAX_COUNT, allow_inf_nan=False)]
    exponent: Annotated[float, _NoBool, Field(gt=0.0, le=3.0)]


class LearningCurveSpec(_Strict):
    """Either measured points ``[[n, metric], ...]`` (at least three) or fitted parameters."""

    points: (
        list[
            tuple[
                Annotated[float, _NoBool, Field(gt=0, le=MAX_COUNT, allow_inf_nan=False)], Fraction
            ]
        ]
        | None
    ) = None
    fitted: FittedCurve | None = None
    measured_on: str | None = Field(
        None,
        max_length=500,
        description="the pilot file the points were measured on (written by the evidence "
        "command and the Dataset page); unset when the team entered the curve",
    )

    @model_validator(mode="after")
    def _one_of(self) -> LearningCurveSpec:
        if self.points is None and self.fitted is None:
            raise ValueError("give either 'points' ([[n, metric], ...]) or 'fitted' parameters")
        if self.points is not None:
            if len(self.points) < 3:
                raise ValueError(f"needs at least 3 points, got {len(self.points)}")
            sizes = [p[0] for p in self.points]
            if len(set(sizes)) < 3:
                raise ValueError("needs at least 3 distinct dataset sizes")
        return self


class Economics(_Strict):
    """Money, unit costs, generator quality and the learning curve."""

    # At least one cent: a budget of 5e-324 passed "greater than 0" and broke the report's
    # spend axis (a geometric sequence from budget/1000 underflows to 0).
    budget: Annotated[float, _NoBool, Field(ge=MIN_BUDGET, le=MAX_MONEY, allow_inf_nan=False)]
    currency: str = Field(
        "USD",
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code, three capital letters (USD, EUR, GBP)",
    )
    human_cost_per_example: PositiveMoney
    synthetic_cost_per_example: Annotated[
        float, _NoBool, Field(ge=1e-6, le=MAX_MONEY, allow_inf_nan=False)
    ] = Field(
        ..., description="generation is never free: compute, prompts, filtering (at least 0.000001)"
    )
    review_cost_per_example: Money = Field(
        ...,
        description="cost for a human to check one synthetic example; fixing one it finds wrong "
        "costs fix_cost_per_example, or a fresh human label when that is unset",
    )
    synthetic_label_accuracy: Fraction
    review_catch_rate: Fraction = 0.9
    target_metric: Fraction
    learning_curve: LearningCurveSpec
    escaped_error_cost: Money = Field(
        0.0,
        description="price of one wrong label that reaches training, before the error-cost "
        "multiplier of the policy; 0 leaves review coverage to the guardrail alone",
    )
    tail_coverage: Fraction | None = Field(
        None, description="how well synthetic data covers edge cases (phi); policy default if unset"
    )
    confirm_cost_per_example: Money | None = Field(
        None, description="model-assisted labeling: cost for a human to confirm a correct pre-label"
    )
    fix_cost_per_example: Money | None = Field(
        None, description="model-assisted labeling: cost for a human to fix a wrong pre-label"
    )
    synthetic_available: Count | None = Field(
        None,
        description="most new synthetic rows the plan can get: for first-pass labels, the "
        "unlabeled "
        "real inputs the team has to pre-label; empty for no limit",
    )
    generation: Generation = Field(
        "generated",
        description="how synthetic rows are made: 'generated' (new inputs from a generator seeded "
        "with human examples), 'augmented' (transformations of human rows) or 'prelabel' "
        "(first-pass model labels on real, unlabeled inputs)",
    )
    objective: Objective = Field(
        "reach_target",
        description="'reach_target': the cheapest plan reaching the target, nothing when today's "
        "metric already meets it; 'best_for_budget': the best metric the whole budget buys",
    )


# A staged plan has at most this many rounds (Mahmood et al., CVPR 2022, recommend about five).
MAX_ROUNDS = 5


class RoundRecord(_Strict):
    """One round the team bought, and what it measured after it (hybrid/whatif/rounds.py).

    The counts in hand after the round place the reading on the model's curve whatever the
    dataset says now, so a reading keeps its meaning after the team folds the round's rows into
    its pilot.
    """

    human_examples: Count = Field(..., description="new human rows bought in this round")
    synthetic_examples: Count = Field(..., description="new synthetic rows bought in this round")
    review_coverage: Fraction = Field(
        0.0, description="share of this round's synthetic rows reviewed"
    )
    spend: Money | None = Field(None, description="what the round cost")
    human_in_hand: Count = Field(..., description="human rows in hand after the round")
    synthetic_in_hand: Count = Field(..., description="synthetic rows in hand after the round")
    measured_metric: Fraction | None = Field(
        None, description="the metric the team measured after the round, on held-out human rows"
    )
    evaluation_rows: Annotated[int, _NoBool, Field(ge=1, le=MAX_COUNT)] | None = Field(
        None, description="held-out rows the metric was measured on; the policy's share if unset"
    )
    predicted_metric: Fraction | None = Field(
        None, description="what the plan predicted for this round, for the record"
    )


def _check_prelabel_costs(econ: Economics) -> None:
    ok, fix = econ.confirm_cost_per_example, econ.fix_cost_per_example
    if ok is not None and fix is not None and fix < ok:
        raise ValueError(
            "economics.fix_cost_per_example must be at least confirm_cost_per_example: fixing a "
            "wrong pre-label includes reading it"
        )


# Characters that reorder or hide text and that PyYAML's unicode mode would write raw.
_SHOWN_RAW = re.compile("[\x80-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class _YamlDumper(yaml.SafeDumper):
    """SafeDumper, with every string holding a character of _SHOWN_RAW double-quoted."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if _SHOWN_RAW.search(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return yaml.SafeDumper.represent_str(dumper, value)


_YamlDumper.add_representer(str, _represent_str)


class Scenario(_Strict):
    """What a team brings: data use, factors, dataset facts and economics."""

    name: Annotated[str, _NoControls] = Field("Untitled scenario", min_length=1, max_length=200)
    data_use: DataUse = "fine_tuning"
    domain: str | None = Field(None, max_length=200)
    regulated: bool | None = Field(
        None,
        description="regulated domain: None means decided by the policy's keyword match on the "
        "domain",
    )
    factors: Factors = Field(default_factory=Factors)
    dataset: Dataset | None = None
    economics: Economics
    rounds: list[RoundRecord] | None = Field(
        None,
        max_length=MAX_ROUNDS,
        description=f"the rounds bought so far and what each measured (at most {MAX_ROUNDS})",
    )

    @model_validator(mode="after")
    def _today_is_known(self) -> Scenario:
        _check_prelabel_costs(self.economics)
        has_points = self.economics.learning_curve.points is not None
        if not has_points and (self.dataset is None or self.dataset.human_examples == 0):
            raise ValueError(
                "dataset.human_examples is needed when the learning curve is given as fitted "
                "parameters: it places today's metric on the curve"
            )
        return self

    def to_yaml(self) -> str:
        """Readable YAML that loads back to the same scenario.

        Non-ASCII text is written as itself, except where PyYAML's unicode mode would not read it
        back (it writes U+0085 NEXT LINE raw, which a reader folds into a space); then every
        non-ASCII character is escaped instead.
        """
        data = self.model_dump(mode="json", exclude_none=True)
        text = yaml.dump(data, Dumper=_YamlDumper, sort_keys=False, allow_unicode=True)
        # PyYAML's unicode mode writes bidi controls raw (it counts them printable); each string
        # holding one is double-quoted (_represent_str), where \uXXXX is a valid escape, so a
        # reader of the file (a report's listing, an editor, a diff) sees the escape, not text
        # reordered by an invisible character.
        text = _SHOWN_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        if yaml.safe_load(text) != data:
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=False)
        return text

    @classmethod
    def from_yaml(cls, text: str, source: str = "scenario") -> Scenario:
        return cls.from_dict(load_yaml_text(text, source), source)

    @classmethod
    def from_dict(cls, data: object, source: str = "scenario") -> Scenario:
        if not isinstance(data, dict):
            raise InputError(f"{source}: expected a mapping of scenario fields at the top level")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InputError(describe_validation_error(exc, source)) from None


# A base scenario for a pilot may leave its learning curve out: measuring the pilot writes it. Until
# then the blank scenario's placeholder curve stands in, and the surface that opened it says so.
PLACEHOLDER_CURVE: dict = {"points": [[1000, 0.70], [2000, 0.75], [4000, 0.79], [8000, 0.815]]}


def base_scenario(data: object, source: str) -> tuple[Scenario, bool]:
    """A scenario a pilot is to be measured against (``evidence --scenario BASE``, a file opened on
    the Start page): its dataset block and learning curve may be left out, since measuring the
    pilot fills both in. Returns the scenario, with ``PLACEHOLDER_CURVE`` when it had no curve,
    and whether it did (True: the curve is the placeholder)."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping of scenario fields at the top level")
    econ = data.get("economics")
    if isinstance(econ, dict) and "learning_curve" not in econ:
        data = {**data, "economics": {**econ, "learning_curve": PLACEHOLDER_CURVE}}
        return Scenario.from_dict(data, source), True
    return Scenario.from_dict(data, source), False


def load_yaml_text(text: str, source: str, max_bytes: int | None = None) -> object:
    """Parse YAML with ``safe_load`` semantics only (a scenario file must never be able to run
    code), under the size, nesting and alias-expansion caps of ``hybrid.safeload``."""
    from hybrid import safeload

    return safeload.load_yaml(text, source, max_bytes=max_bytes or safeload.MAX_SCENARIO_BYTES)


def read_text_file(path: str | Path, max_bytes: int | None = None) -> str:
    """A UTF-8 text file, refused past ``max_bytes`` (default: a scenario's 1 MB) unread."""
    from hybrid import safeload

    return safeload.read_text(path, max_bytes or safeload.MAX_SCENARIO_BYTES, str(Path(path)))


def load_scenario(path: str | Path) -> Scenario:
    return Scenario.from_yaml(read_text_file(path), str(path))


# pydantic's bound errors in words: "must be at least 0.01", not "Input should be greater than or
# equal to 0.01".
_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


# pydantic's type errors in words ("Input should be a valid dictionary or instance of Factors").
_TYPES = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
}


def _plain_number(value: object) -> str:
    """A bound or a typed value as a person writes it: 1,000,000,000,000, -5, 0.01, inf."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 60 else text[:59] + "…"  # a whole file's text is no help
    if math.isfinite(value) and float(value).is_integer() and abs(value) < 1e16:
        return f"{int(value):,}"
    return f"{value:g}"


def describe_validation_error(exc: ValidationError, source: str) -> str:
    """One line per problem, naming the field by its dotted path and what is allowed."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-after"))
        msg = err["msg"]
        kind = err["type"]
        ctx = err.get("ctx") or {}
        got = err.get("input")
        if kind == "extra_forbidden":
            msg = "unknown field"
        elif kind in _BOUNDS and isinstance(got, float) and math.isnan(got):
            msg = "not a number (got nan)"
        elif kind == "int_parsing_size":
            msg = (
                f"far too large a number (got {err.get('input')!r}; counts go up to {MAX_COUNT:,})"
            )
        elif kind in _BOUNDS and isinstance(ctx.get(_BOUNDS[kind][0]), (int, float)):
            key, words = _BOUNDS[kind]
            msg = f"must be {words} {_plain_number(ctx[key])} (got {_plain_number(got)})"
        elif kind in _TYPES:
            msg = f"expected {_TYPES[kind]} (got {_plain_number(got)})"
        elif kind == "string_too_short":
            msg = (
                "must not be empty"
                if ctx.get("min_length") == 1
                else (f"must be at least {ctx.get('min_length')} characters")
            )
        elif kind == "string_too_long":
            msg = f"must be at most {ctx.get('max_length')} characters (got {len(str(got)):,})"
        elif kind == "literal_error":
            msg = f"must be one of {ctx.get('expected', '')} (got {err.get('input')!r})"
        elif kind == "string_pattern_mismatch" and loc.endswith("currency"):
            msg = (
                f"must be a three-letter ISO currency code in capitals, such as USD or EUR (got "
                f"{err.get('input')!r})"
            )
        elif kind == "missing" and loc == "economics.learning_curve":
            msg = (
                "required field is missing (a base scenario for a pilot file? Measuring the pilot "
                "on the Dataset page, or with the command line's evidence command, fills it in)"
            )
        elif kind == "missing":
            msg = "required field is missing"
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        lines.append(f"{loc or '(top level)'}: {msg}")
    return f"{source}: " + "; ".join(lines)
