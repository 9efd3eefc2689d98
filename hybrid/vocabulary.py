"""The words every surface uses for the model's things: plans, labels, layers, inputs and sources.

One vocabulary, beside ``money`` (how money is written) and ``palette`` (which colour means what),
so the dashboard, the command line and every report format call a thing by one name. Model strings
never name dashboard pages: where a number came from is a ``Provenance``
(``hybrid.model.provenance``) and ``source_text`` words it here. The number formatters below are
the one place a share, a metric, a count or a ratio becomes text, so no sentence writes
``4.5e+02`` or a metric with a currency sign.
"""

from __future__ import annotations

import math

from hybrid.money import money

LABEL_TITLES = {"human": "Human-led", "hybrid": "Hybrid", "synthetic": "Synthetic-led"}

PLAN_TITLES = {
    "all-human": "All-human",
    "all-synthetic": "All-synthetic",
    "recommended": "Recommended",
}
PLAN_ORDER = ("recommended", "all-human", "all-synthetic")

# key, title, description: the three layers of a plan's budget.
LAYERS = (
    (
        "expert_anchor",
        "Expert anchor",
        "Human expert labels: the hardest cases, gold examples, rubrics.",
    ),
    (
        "synthetic_extension",
        "Synthetic extension",
        "Generated examples built on the human foundation.",
    ),
    (
        "human_review",
        "Human review",
        "Humans validate synthetic output before it is trained on.",
    ),
)
LAYER_TITLES = {key: title for key, title, _ in LAYERS}

# Every scenario input a person enters, by its dotted path (``hybrid.whatif.compare.flatten``):
# its name, in lower case, as it sits inside a sentence or a table (the Compare page, the PDF's
# scenario appendix, the tornado). A model input entered at one of these paths is named by it.
SCENARIO_INPUT_TITLES = {
    "data_use": "data use",
    "domain": "domain",
    "economics.budget": "budget",
    "economics.currency": "currency",
    "economics.human_cost_per_example": "human cost per example",
    "economics.synthetic_cost_per_example": "synthetic cost per example",
    "economics.review_cost_per_example": "review cost per example",
    "economics.synthetic_label_accuracy": "generator label accuracy",
    "economics.review_catch_rate": "review catch rate",
    "economics.target_metric": "target metric",
    "economics.learning_curve.points": "learning-curve points",
    "economics.learning_curve.fitted.ceiling": "learning-curve ceiling",
    "economics.learning_curve.fitted.scale": "learning-curve scale",
    "economics.learning_curve.fitted.exponent": "learning-curve exponent",
    "economics.learning_curve.fitted": "learning-curve fit",
    "economics.escaped_error_cost": "price of an escaped wrong label",
    "economics.tail_coverage": "synthetic tail coverage",
    "economics.confirm_cost_per_example": "confirm cost per pre-label",
    "economics.fix_cost_per_example": "fix cost per pre-label",
    "economics.synthetic_available": "unlabeled inputs available to pre-label",
    "dataset": "dataset",
    "dataset.human_examples": "human examples in hand",
    "dataset.synthetic_examples": "synthetic examples in hand",
    "dataset.classes": "label classes",
    "dataset.tail_share": "tail share of rows",
    "dataset.annotator_agreement": "annotator agreement",
    "dataset.kappa": "kappa",
    "dataset.synthetic_exchange_rate": "measured exchange rate",
    "dataset.synthetic_tail_coverage": "measured synthetic tail coverage",
    "dataset.source": "dataset source",
    "dataset.synthetic_exchange_accuracy": "measured exchange accuracy",
    "dataset.synthetic_response": "measured synthetic response",
    "dataset.synthetic_response.value": "worth of a synthetic row (in human rows)",
    "dataset.synthetic_response.saturation": "saturation point (synthetic rows per human row)",
    "dataset.synthetic_response.systematic_share": "share of generator errors that repeat",
    "dataset.synthetic_response.floor": "metric lost to repeated generator errors",
    "dataset.synthetic_response.floor_exponent": "how that loss grows with the synthetic share",
    "dataset.synthetic_response.accuracy": "pilot's generator label accuracy",
    "dataset.synthetic_response.tail_weight": "edge-case weight of the fit",
    "dataset.synthetic_response.tail_coverage": "tail coverage of the fit",
    "dataset.synthetic_response.human_rows": "pilot human rows",
    "dataset.synthetic_response.synthetic_rows": "pilot synthetic rows",
    "dataset.synthetic_response.points": "pilot measurements",
    "dataset.synthetic_response.plateau": "synthetic gain levelled off",
    "dataset.synthetic_response.measured_ratio": (
        "measured paying range (synthetic rows per human row)"
    ),
    "dataset.synthetic_response.model": "pilot model",
}


def _entered_as(path: str) -> str:
    """The name of the scenario input at ``path``, as the first word of a line."""
    title = SCENARIO_INPUT_TITLES[path]
    return title[:1].upper() + title[1:]


# Every model input an analysis reports, by key: its title and how its value is written
# ("money", "percent", "metric", "count", "ratio" or "number"). An input a person enters is named
# as the scenario names it (``SCENARIO_INPUT_TITLES``), so a surface listing model inputs and one
# listing the scenario's call it the same.
INPUTS: dict[str, tuple[str, str]] = {
    "budget": (_entered_as("economics.budget"), "money"),
    "target": (_entered_as("economics.target_metric"), "metric"),
    "human_cost": (_entered_as("economics.human_cost_per_example"), "money"),
    "synthetic_cost": (_entered_as("economics.synthetic_cost_per_example"), "money"),
    "review_cost": (_entered_as("economics.review_cost_per_example"), "money"),
    "fix_cost": (_entered_as("economics.fix_cost_per_example"), "money"),
    "accuracy": (_entered_as("economics.synthetic_label_accuracy"), "percent"),
    "catch_rate": (_entered_as("economics.review_catch_rate"), "percent"),
    "human_error": ("Human label error", "percent"),
    "classes": (_entered_as("dataset.classes"), "count"),
    "synthetic_value": ("Synthetic example value (noise-free)", "ratio"),
    "synthetic_now_value": ("Value of synthetic examples already in hand", "ratio"),
    "tail_coverage": (_entered_as("economics.tail_coverage"), "percent"),
    "tail_weight": ("Edge-case weight of the metric", "percent"),
    # Two different counts of generated rows per human row, named apart: where the fitted (or the
    # policy's) response stops adding, and how far the pilot itself saw them pay (the plan credits
    # nothing beyond it, whatever the fit says).
    "saturation": ("Saturation point: generated rows per human row", "number"),
    "measured_ratio": ("Measured paying range: generated rows per human row", "ratio"),
    # Not a share: the measured floor per point of residual generator error, which exceeds 1 when
    # generated rows differ from real ones in more than their labels (economics.resolve_inputs).
    "systematic_share": ("Metric lost per point of generator error (repeated errors)", "ratio"),
    "escaped_error_price": (_entered_as("economics.escaped_error_cost"), "money"),
    "learning_curve": ("Learning curve", "text"),
    "human_now": (_entered_as("dataset.human_examples"), "count"),
    "synthetic_now": (_entered_as("dataset.synthetic_examples"), "count"),
    "exponent": (_entered_as("economics.learning_curve.fitted.exponent"), "number"),
}

# Sensitivity inputs as the tornado names them (lower case: they sit inside sentences): the
# scenario's names, and one for the synthetic value, which no scenario field sets directly.
SENSITIVITY_TITLES = {
    "accuracy": SCENARIO_INPUT_TITLES["economics.synthetic_label_accuracy"],
    "human_cost": SCENARIO_INPUT_TITLES["economics.human_cost_per_example"],
    "synthetic_cost": SCENARIO_INPUT_TITLES["economics.synthetic_cost_per_example"],
    "review_cost": SCENARIO_INPUT_TITLES["economics.review_cost_per_example"],
    "catch_rate": SCENARIO_INPUT_TITLES["economics.review_catch_rate"],
    "tail_coverage": SCENARIO_INPUT_TITLES["economics.tail_coverage"],
    "synthetic_value": "synthetic example value",
    "exponent": SCENARIO_INPUT_TITLES["economics.learning_curve.fitted.exponent"],
}


def sensitivity_title(key: str) -> str:
    """The tornado's name for a model input, its key in words for one it does not list."""
    return SENSITIVITY_TITLES.get(key, key.replace("_", " "))


SOURCE_KINDS = {
    "entered": "entered",
    "pilot": "measured on a pilot",
    "dataset": "measured on the dataset",
    "policy": "policy default",
    "derived": "derived",
    "default": "default",
}

NO_GAIN = "n/a (no gain)"


def source_text(prov, reason: bool = True) -> str:
    """Where a number came from, from a ``Provenance``: the same words on every surface.

    ``reason`` False leaves out a policy rule's reason, for use inside a sentence.
    """
    head = SOURCE_KINDS[prov.kind]
    if prov.kind == "policy" and prov.rule:
        head = "set by the policy"
    parts = []
    if prov.kind == "pilot":
        parts += [
            p for p in (prov.file, prov.rows and f"{prov.rows:,} rows", prov.date, prov.reason) if p
        ]
    elif prov.kind == "policy":
        parts += [p for p in (prov.rule, reason and prov.reason) if p]
    elif prov.reason:
        parts.append(prov.reason)
    parts = [str(p).strip().rstrip(".") for p in parts]
    if not parts:
        return head
    if not reason:
        return f"{head}: {', '.join(parts)}"
    return f"{head} ({'; '.join(parts)})"


def percent(x: float, digits: int = 0) -> str:
    """A share as a percentage: ``0.85`` -> ``85%``."""
    return f"{x:.{digits}%}"


def probability(x: float) -> str:
    """A chance (a share of simulated futures) as a whole percentage: ``0.996`` -> ``>99%``.

    A chance that is not 0 or 1 never reads as one: "0%" or "100%" would say something never or
    always happens when some futures say otherwise, so those that round to 0 or 100 read "<1%" and
    ">99%". NaN (no futures to count) reads as a dash.
    """
    x = float(x)
    if x != x:
        return "—"
    if x <= 0.0:
        return "0%"
    if x >= 1.0:
        return "100%"
    text = f"{x:.0%}"
    return {"0%": "<1%", "100%": ">99%"}.get(text, text)


def metric(x: float) -> str:
    """A metric value (a fraction, never money): three decimals."""
    return f"{x:.3f}"


def count(x: float) -> str:
    """A count of rows or examples, with thousands separators."""
    return f"{x:,.0f}"


def ratio(x: float) -> str:
    """A ratio such as generated rows per human row, never in e-notation: two significant figures
    below 10, whole numbers with separators above."""
    if not math.isfinite(x):
        return "unbounded"
    if abs(x) >= 10:
        return f"{x:,.0f}"
    if 0 < abs(x) < 0.005:
        return "about 0"
    return f"{x:.2g}" if abs(x) >= 0.01 else f"{x:.2f}"


def rounded_count(n: float) -> str:
    """A count as a person says it in a meeting: two significant figures."""
    if n < 100:
        return f"{n:,.0f}"
    digits = len(str(int(n))) - 2
    return f"{round(n, -digits):,.0f}"


def interval(mid: str, lo: str, hi: str) -> str:
    """``mid (lo - hi)``, or one word when all three are the same (``n/a (no gain)`` once, not
    thrice)."""
    if mid == lo == hi:
        return mid
    return f"{mid} ({lo} \u2013 {hi})"


def spread_text(field: str, x: float, error: bool = False) -> str:
    """A rounds plan's uncertain input (``whatif.rounds.Spread``, by its ``field``) or, with
    ``error``, its standard error: the curve's level and the generator accuracy as percentages
    (their errors in percentage points), the rest as ratios; never e-notation."""
    if field in ("curve", "accuracy"):
        if error:
            return "about 0 points" if abs(x) < 5e-5 else f"{100 * x:.2f} points"
        return percent(x, 1)
    return ratio(x)


def input_title(key: str) -> str:
    return INPUTS.get(key, (key.replace("_", " "), "number"))[0]


def input_value(key: str, value: float | str | None, currency: str) -> str:
    """An input's value as a person reads it: money with its currency, shares as percentages,
    counts with separators, never a raw float."""
    if value is None:
        return "no limit"
    if isinstance(value, str):
        return value
    kind = INPUTS.get(key, (key, "number"))[1]
    if kind == "money":
        return money(value, currency)
    if kind == "percent":
        return percent(value, 1) if 0 < abs(value) < 0.1 else percent(value)
    if kind == "metric":
        return metric(value)
    if kind == "count":
        return count(value)
    if kind == "ratio":
        return "about 0" if 0 < abs(value) < 0.005 else f"{value:.2f}"
    return f"{value:.3g}"
