from pathlib import Path

import pytest

from hybrid.errors import InputError
from hybrid.model.scenario import Scenario, load_scenario
from tests.conftest import EXAMPLES, make_scenario


def test_yaml_round_trip_is_identical(scenario):
    again = Scenario.from_yaml(scenario.to_yaml())
    assert again == scenario


@pytest.mark.parametrize(
    "override, field, allowed",
    [
        ({"factors__error_cost": 7}, "factors.error_cost", "must be at most 5 (got 7)"),
        (
            {"economics__synthetic_label_accuracy": 1.4},
            "economics.synthetic_label_accuracy",
            "must be at most 1 (got 1.4)",
        ),
        (
            {"economics__human_cost_per_example": -3},
            "economics.human_cost_per_example",
            "must be more than 0 (got -3)",
        ),
        (
            {"economics__review_cost_per_example": -1},
            "economics.review_cost_per_example",
            "must be at least 0 (got -1)",
        ),
        ({"data_use": "vibes"}, "data_use", "must be one of"),
        ({"factors__eror_cost": 2}, "factors.eror_cost", "unknown field"),
        (
            {"economics__learning_curve": {"points": [[10, 0.5]]}},
            "economics.learning_curve",
            "at least 3 points",
        ),
        (
            {"economics__learning_curve": {"points": [[0, 0.5], [1, 0.6], [2, 0.7]]}},
            "economics.learning_curve.points",
            "must be more than 0 (got 0)",
        ),
    ],
)
def test_bad_values_name_field_and_range(override, field, allowed):
    with pytest.raises(InputError) as err:
        make_scenario(**override)
    msg = str(err.value)
    assert field in msg and allowed in msg


def test_fitted_curve_needs_todays_size():
    with pytest.raises(InputError, match="dataset.human_examples"):
        make_scenario(
            economics__learning_curve={"fitted": {"ceiling": 0.9, "scale": 1, "exponent": 0.5}},
            dataset=None,
        )


def test_yaml_is_loaded_safely():
    with pytest.raises(InputError):
        Scenario.from_yaml("!!python/object/apply:os.system ['echo hacked']", "evil.yaml")


def test_top_level_must_be_mapping():
    with pytest.raises(InputError, match="mapping"):
        Scenario.from_yaml("- 1\n- 2\n", "list.yaml")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_load_and_document_themselves(path):
    load_scenario(path)
    assert path.read_text().startswith("#"), "each example starts with a comment on what it models"


def test_examples_cover_every_data_use():
    from hybrid.model.scenario import DATA_USES

    uses = {load_scenario(p).data_use for p in EXAMPLES}
    assert len(EXAMPLES) >= 6 and uses == set(DATA_USES)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.conftest import name_text  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(name=name_text(min_size=1, max_size=40), domain=st.none() | st.text(max_size=40))
def test_any_text_survives_the_yaml_round_trip(name, domain):
    s = make_scenario(name=name, domain=domain)
    assert Scenario.from_yaml(s.to_yaml()) == s


def test_next_line_character_round_trips_and_unicode_stays_readable():
    s = make_scenario(name="a\x85b")
    assert Scenario.from_yaml(s.to_yaml()).name == "a\x85b"
    assert "Café" in make_scenario(name="Café").to_yaml()


@pytest.mark.parametrize(
    "edit, field",
    [
        (
            ("  default_classes:\n    value: 2", "  default_classes:\n    value: 1"),
            "model.default_classes.value",
        ),
        (
            ("  tail_coverage:\n    value: 0.15", "  tail_coverage:\n    value: -3"),
            "model.tail_coverage.value",
        ),
        (
            (
                "escaped_error_multiplier: {1: 0.25, 2: 0.5, 3: 1.0, 4: 2.0, 5: 4.0}",
                "escaped_error_multiplier: {1: 0.25}",
            ),
            "escaped_error_multiplier",
        ),
        (
            (
                "ranges:\n",
                'ranges:\n  vibes: {kind: absolute, low: 0, high: 1, reason: "not an input"}\n',
            ),
            "unknown input",
        ),
    ],
)
def test_bad_policy_values_are_refused_naming_the_field(edit, field):
    from hybrid.model.policy import DEFAULT_POLICY_PATH, parse_policy

    text = DEFAULT_POLICY_PATH.read_text()
    assert edit[0] in text
    with pytest.raises(InputError, match=field.replace(".", r"\.")):
        parse_policy(text.replace(edit[0], edit[1]), "my-policy.yaml")


def test_currency_must_be_an_iso_code():
    with pytest.raises(
        InputError, match="economics.currency: must be a three-letter ISO currency code"
    ):
        make_scenario(economics__currency="<b>X</b>")
    assert make_scenario(economics__currency="EUR").economics.currency == "EUR"


def test_a_base_scenario_without_a_curve_says_how_to_fill_it():
    from hybrid.errors import InputError
    from hybrid.model.scenario import load_scenario

    with pytest.raises(InputError) as exc:
        load_scenario(
            Path(__file__).resolve().parent.parent / "data" / "samples" / "digits_pilot.yaml"
        )
    assert "economics.learning_curve: required field is missing" in str(exc.value)
    assert "evidence command" in str(exc.value)
