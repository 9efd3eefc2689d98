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

# Every model input an analysis reports, by key: its title and how its value is written
# ("money", "percent", "metric", "count", "ratio" or "number").
INPUTS: dict[str, tuple[str, str]] = {
    "budget": ("Budget", "money"),
    "target": ("Target metric", "metric"),
    "human_cost": ("Human label cost per example", "money"),
    "synthetic_cost": ("Synthetic generation cost per example", "money"),
    "review_cost": ("Human review cost per synthetic example", "money"),
    "fix_cost": ("Cost to fix a wrong synthetic label", "money"),
    "accuracy": ("Generator label accuracy", "percent"),
    "catch_rate": ("Review catch rate", "percent"),
    "human_error": ("Human label error", "percent"),
    "classes": ("Label classes", "count"),
    "synthetic_value": ("Synthetic example value (noise-free)", "ratio"),
    "synthetic_now_value": ("Value of synthetic examples already in hand", "ratio"),
    "tail_coverage": ("Synthetic tail coverage", "percent"),
    "tail_weight": ("Edge-case weight of the metric", "percent"),
    # Two different counts of generated rows per human row, named apart: where the fitted (or the
    # policy's) response stops adding, and how far the pilot itself saw them pay (the plan credits
    # nothing beyond it, whatever the fit says).
    "saturation": ("Saturation point: generated rows per human row", "number"),
    "measured_ratio": ("Measured paying range: generated rows per human row", "ratio"),
    # Not a share: the measured floor per point of residual generator error, which exceeds 1 when
    # generated rows differ from real ones in more than their labels (economics.resolve_inputs).
    "systematic_share": ("Metric lost per point of generator error (repeated errors)", "ratio"),
    "escaped_error_price": ("Price of an escaped wrong label", "money"),
    "learning_curve": ("Learning curve", "text"),
    "human_now": ("Human-labeled examples in hand", "count"),
    "synthetic_now": ("Synthetic examples in hand", "count"),
    "exponent": ("Learning-curve exponent", "number"),
}

# Sensitivity inputs as the tornado names them (lower case: they sit inside sentences).
SENSITIVITY_TITLES = {
    "accuracy": "generator label accuracy",
    "human_cost": "human cost per example",
    "synthetic_cost": "synthetic cost per example",
    "review_cost": "review cost per example",
    "catch_rate": "review catch rate",
    "tail_coverage": "synthetic tail coverage",
    "synthetic_value": "synthetic example value",
    "exponent": "learning-curve exponent",
}

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
