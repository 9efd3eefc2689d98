"""Evidence from the team's own data, under one name for the callers that predate the split.

The measurements live one per module: ``harness`` (data made ready for the fixed model, folds, and
the one loop that scores on growing subsets), ``learning_curve`` (the human rows' learning curve),
``exchange`` (the exchange rate and tail coverage), ``response`` (what synthetic rows add, fitted
in the decision model's form) and ``calibrate`` (a base scenario filled in from a pilot file).
New code imports from those modules; this one re-exports their public names.
"""

from __future__ import annotations

from hybrid.evidence.exchange import ExchangeRateResult, equivalent_size, exchange_rate
from hybrid.evidence.harness import (
    LEARNERS,
    MAX_ROWS,
    METRICS,
    MIN_ROWS,
    Cancelled,
    ProgressFn,
    StopFn,
    Task,
    check_learner,
    default_learner,
    group_folds,
    group_holdout,
    make_model,
    numeric_values,
    prepare,
    score,
    text_features,
)
from hybrid.evidence.learning_curve import MIN_HUMAN_ROWS, LearningCurveResult, learning_curve
from hybrid.evidence.response import (
    MIN_HOLDOUT_ROWS,
    SyntheticResponseResult,
    fit_response,
    synthetic_response,
)

__all__ = [
    "LEARNERS",
    "MAX_ROWS",
    "METRICS",
    "MIN_HOLDOUT_ROWS",
    "MIN_HUMAN_ROWS",
    "MIN_ROWS",
    "Cancelled",
    "ExchangeRateResult",
    "LearningCurveResult",
    "ProgressFn",
    "StopFn",
    "SyntheticResponseResult",
    "Task",
    "check_learner",
    "default_learner",
    "equivalent_size",
    "exchange_rate",
    "fit_response",
    "group_folds",
    "group_holdout",
    "learning_curve",
    "make_model",
    "numeric_values",
    "prepare",
    "score",
    "synthetic_response",
    "text_features",
]
