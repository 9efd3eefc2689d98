"""A person's name and a short, rounded text for every scenario input, by its dotted path
(``economics.budget``, from ``hybrid.whatif.compare.flatten``).

The Compare page's inputs table and the PDF report's scenario appendix both show inputs with these
names and formats, so no surface shows an internal key, a raw float (``0.9999999999999999``,
``4.20388``) or a list literal.
"""

from __future__ import annotations

import math
from typing import Any

from hybrid.explain.rationale import FACTOR_TITLES
from hybrid.model.scenario import Scenario
from hybrid.money import money
from hybrid.whatif.compare import flatten

INPUT_TITLES = {
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
# Inputs shown as percentages.
PERCENT_INPUTS = (
    "accuracy",
    "catch_rate",
    "tail_coverage",
    "agreement",
    "tail_share",
    "systematic_share",
    "tail_weight",
)


def input_title(path: str) -> str:
    """A person's name for a dotted scenario path (``economics.budget`` -> ``budget``)."""
    if path in INPUT_TITLES:
        return INPUT_TITLES[path]
    if path.startswith("factors."):
        return FACTOR_TITLES.get(path.split(".", 1)[1], path.split(".", 1)[1].replace("_", " "))
    return path.rsplit(".", 1)[-1].replace("_", " ")


def format_input(path: str, value: Any, currency: str | None = None) -> str:
    """A scenario input as a short string for a table; money in ``currency`` when given."""
    if value is None:
        return "—"
    if (
        currency
        and path.startswith("economics.")
        and path.endswith(("budget", "_cost", "_cost_per_example"))
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
        return money(float(value), currency)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if path == "economics.learning_curve.points" and isinstance(value, list) and value:
        first, last = value[0], value[-1]
        return (
            f"{len(value)} points, {first[0]:,.0f} rows → {first[1]:.3f} to "
            f"{last[0]:,.0f} rows → {last[1]:.3f}"
        )
    if path.endswith("synthetic_response.points") and isinstance(value, list):
        return f"{len(value)} measurements"
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (list, tuple, dict)) for v in value):
            return f"{len(value)} entries"
        return ", ".join(format_input(path, v, currency) for v in value)
    if isinstance(value, dict):
        return f"{len(value)} entries"
    if isinstance(value, float):
        if path.endswith(PERCENT_INPUTS):
            return f"{value:.1%}".replace(".0%", "%")
        return _short_number(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("_", " ")


def _short_number(value: float) -> str:
    """A number as a person typed or reads it: whole numbers (and anything from 1,000 up) with
    thousands separators, others to four significant digits with trailing zeros dropped
    (``4.20388`` -> ``4.204``, ``0.9999999999999999`` -> ``1``, ``0.05`` -> ``0.05``), never in
    e-notation."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1000 or value == int(value):
        return f"{value:,.0f}"
    digits = max(0, 3 - math.floor(math.log10(abs(value))))
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".")


def input_rows(scenario: Scenario) -> list[tuple[str, str]]:
    """(name, value) for every input the scenario sets, in schema order: the PDF's appendix."""
    flat = flatten(scenario)
    currency = str(flat.get("economics.currency") or "") or None
    return [
        (input_title(path), format_input(path, value, currency))
        for path, value in flat.items()
        if value is not None and value != [] and value != {}
    ]
