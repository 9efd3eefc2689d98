"""Each input's human name lives in one place (hybrid/vocabulary.py): the model inputs a person
enters are named as the scenario names them, on every surface that lists them."""

from __future__ import annotations

from hybrid.explain.sensitivity import INPUTS as TORNADO
from hybrid.vocabulary import INPUTS, SCENARIO_INPUT_TITLES, SENSITIVITY_TITLES, input_title
from hybrid.whatif.inputs import input_title as path_title

# The scenario path each entered model input is set at.
ENTERED = {
    "budget": "economics.budget",
    "target": "economics.target_metric",
    "human_cost": "economics.human_cost_per_example",
    "synthetic_cost": "economics.synthetic_cost_per_example",
    "review_cost": "economics.review_cost_per_example",
    "fix_cost": "economics.fix_cost_per_example",
    "accuracy": "economics.synthetic_label_accuracy",
    "catch_rate": "economics.review_catch_rate",
    "classes": "dataset.classes",
    "tail_coverage": "economics.tail_coverage",
    "escaped_error_price": "economics.escaped_error_cost",
    "human_now": "dataset.human_examples",
    "synthetic_now": "dataset.synthetic_examples",
    "exponent": "economics.learning_curve.fitted.exponent",
}


def test_an_entered_input_has_the_scenarios_name_everywhere():
    for key, path in ENTERED.items():
        assert key in INPUTS, key
        assert input_title(key).lower() == path_title(path).lower(), key
        if key in SENSITIVITY_TITLES:
            assert SENSITIVITY_TITLES[key] == path_title(path), key


def test_the_tornado_uses_the_vocabularys_names():
    assert {k: v[0] for k, v in TORNADO.items()} == SENSITIVITY_TITLES


def test_scenario_paths_are_named_by_the_vocabulary():
    assert path_title("economics.budget") == SCENARIO_INPUT_TITLES["economics.budget"] == "budget"
    assert path_title("economics.unknown_field") == "unknown field"
