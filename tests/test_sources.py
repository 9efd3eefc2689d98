"""Where each input came from, and how it is written, as the newcomer trial of 2026-12-04 found
it wrong: an unset field called "entered", a learning curve measured on the pilot called
"entered", the rows in hand valued by a default while called "measured", an entered accuracy
called "measured on the pilot" by the rounds plan, a repeated-error loss of 1.76 shown as "176% of
errors", raw floats in ``rounds`` and columns running together at large budgets."""

from __future__ import annotations

import re

import pytest

from hybrid.cli.main import main
from hybrid.cli.table import text_table
from hybrid.evidence.response import SyntheticResponseResult
from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import load_policy
from hybrid.model.provenance import input_sources
from hybrid.model.scenario import Scenario
from hybrid.vocabulary import input_title, input_value, ratio, source_text, spread_text
from hybrid.whatif.analysis import build_analysis
from hybrid.whatif.rounds import plan_rounds
from tests.conftest import ROOT

POLICY = load_policy()
MEASURED = ROOT / "tests" / "fixtures" / "digits_pilot_measured.yaml"

BASE = {
    "name": "Newcomer tabular pilot",
    "data_use": "fine_tuning",
    "factors": {
        "error_cost": 3,
        "domain_judgment": 2,
        "edge_cases": 3,
        "iteration_maturity": 3,
        "cultural_sensitivity": 1,
    },
    "economics": {
        "budget": 20000,
        "human_cost_per_example": 2.0,
        "synthetic_cost_per_example": 0.1,
        "review_cost_per_example": 0.4,
        "synthetic_label_accuracy": 0.85,
        "target_metric": 0.95,
        "learning_curve": {"points": [[10, 0.53], [25, 0.65], [63, 0.76], [100, 0.76]]},
    },
}
# The newcomer's bad pilot, as ``evidence --scenario`` calibrated it (/tmp/newcomer/out_bad.yaml):
# its floor per point of residual error is 0.264 / 0.15 = 1.76.
RESPONSE = {
    "value": 1e-9,
    "saturation": 4.95,
    "systematic_share": 1.0,
    "floor": 0.264,
    "floor_exponent": 2.0,
    "accuracy": 0.85,
    "tail_weight": 0.12,
    "tail_coverage": 0.15,
    "human_rows": 105,
    "synthetic_rows": 600,
    "points": [[26, 0, 0.64], [26, 299, 0.52], [105, 0, 0.76], [105, 299, 0.6]],
}


def scenario(response: dict | None = None, synthetic: int = 600, **econ) -> Scenario:
    data = {**BASE, "economics": {**BASE["economics"], **econ}}
    data["dataset"] = {
        "human_examples": 150,
        "synthetic_examples": synthetic,
        "classes": 3,
        "source": "profile of pilot_bad.csv: 750 rows, 3 classes",
    }
    if response is not None:
        data["dataset"]["synthetic_response"] = response
    return Scenario.from_dict(data)


def test_an_unset_escaped_error_price_is_the_default_not_entered():
    src = input_sources(scenario(), POLICY)["escaped_error_price"]
    assert src.kind == "default"
    assert "entered" not in source_text(src).replace("not entered", "")
    assert (
        input_sources(scenario(escaped_error_cost=5.0), POLICY)["escaped_error_price"].kind
        == "derived"
    )
    # A calibrated or saved scenario writes the default 0 out: still no price.
    written = Scenario.from_yaml(scenario().to_yaml())
    assert "escaped_error_cost" in written.economics.model_fields_set
    assert input_sources(written, POLICY)["escaped_error_price"].kind == "default"


def test_no_schema_default_is_called_entered():
    """Every input whose scenario field was left unset is sourced as a default (policy or
    schema), never "entered"."""
    s = scenario()
    src = input_sources(s, POLICY)
    assert src["catch_rate"].kind == "policy"
    assert src["escaped_error_price"].kind == "default"
    assert src["fix_cost"].kind == "derived"
    assert src["tail_coverage"].kind == "policy"
    # Saved and read back (the library, a calibrated scenario): every default is written out,
    # and still no default is called entered; a value other than the default is.
    written = Scenario.from_yaml(s.to_yaml())
    assert "review_catch_rate" in written.economics.model_fields_set
    assert input_sources(written, POLICY)["catch_rate"].kind == "policy"
    changed = Scenario.from_yaml(
        s.to_yaml().replace("review_catch_rate: 0.9", "review_catch_rate: 0.8")
    )
    assert input_sources(changed, POLICY)["catch_rate"].kind == "entered"


def test_rows_in_hand_value_says_what_values_them():
    # No response, no exchange rate: the policy default, as the value shown.
    plain = build_analysis(scenario(), POLICY)
    row = next(s for s in plain.sources if s.key == "synthetic_now_value")
    assert row.source.kind == "policy"
    assert row.value == pytest.approx(POLICY.model.existing_synthetic_value.value)
    # A measured response prices the rows in hand, and the source says so.
    measured = build_analysis(scenario(RESPONSE), POLICY)
    row = next(s for s in measured.sources if s.key == "synthetic_now_value")
    assert row.source.kind == "pilot"
    assert "pilot generator" in source_text(row.source)
    # A measured response but no generated rows in hand: nothing is priced, the default stands.
    none = build_analysis(scenario(RESPONSE, synthetic=0), POLICY)
    row = next(s for s in none.sources if s.key == "synthetic_now_value")
    assert row.source.kind == "policy"


def test_a_learning_curve_measured_on_the_pilot_says_so():
    base = scenario()
    assert input_sources(base, POLICY)["learning_curve"].kind == "entered"
    result = SyntheticResponseResult(
        human_points=[(10, 0.5), (25, 0.6), (63, 0.7), (100, 0.75)],
        augmentation_points=[],
        curve=None,
        fit=None,
        errors={},
        floor=0.0,
        fit_rmse=None,
        human_rows=105,
        synthetic_rows=600,
        test_rows=45,
        train_rows=705,
        classes=3,
        tail_share=None,
        metric="accuracy",
        kind="tabular",
        model="m",
        plateau=False,
        declines=False,
    )
    measured = result.apply_to(base)
    assert measured.economics.learning_curve.measured_on == base.dataset.source
    src = input_sources(measured, POLICY)["learning_curve"]
    assert src.kind == "pilot"
    text = source_text(src)
    assert text.startswith("measured on a pilot") and "pilot_bad.csv" in text
    assert "fitted to 4 measured points" in text
    # The field is validated: capped, and refused where it does not belong.
    with pytest.raises(ValueError):
        scenario(
            learning_curve={
                "points": BASE["economics"]["learning_curve"]["points"],
                "measured_on": "x" * 501,
            }
        )


def test_the_bundled_measured_pilot_shows_its_curve_as_measured(capsys):
    assert main(["recommend", str(MEASURED)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("  - Learning curve:"))
    assert "measured on a pilot" in line and "entered" not in line


def test_rounds_take_the_accuracys_source_from_the_analysis():
    s = scenario(RESPONSE)
    plan = plan_rounds(s, POLICY, rounds=2, draws=200)
    acc = next(sp for sp in plan.spreads if sp.field == "accuracy")
    assert acc.source == resolve_inputs(s, POLICY).sources["accuracy"]
    assert acc.source.kind == "entered"
    note = next(n for n in plan.notes if "standard errors" in n)
    assert "generator accuracy (entered)" in note
    from ui.rounds import spread_table

    table = spread_table(plan)
    i = table["Input"].index("Generator accuracy")
    assert table["Source"][i] == "entered"


def test_repeated_error_loss_is_not_shown_as_a_share_of_errors():
    s = scenario(RESPONSE)
    inp = resolve_inputs(s, POLICY)
    assert float(inp.systematic_share) == pytest.approx(0.264 / 0.15)  # the model's number
    a = build_analysis(s, POLICY)
    row = next(r for r in a.sources if r.key == "systematic_share")
    shown = input_value(row.key, row.value, "USD")
    assert "%" not in shown and shown == "1.76"
    assert "share" not in input_title("systematic_share").lower()
    said = " ".join(a.recommendation.rationale)
    assert "176%" not in said and "of errors systematic" not in said
    assert "1.8 points of metric per point of generator error" in said
    plan = plan_rounds(s, POLICY, rounds=2, draws=200)
    assert "systematic share" not in [sp.name for sp in plan.spreads]


def test_rounds_cli_prints_no_raw_floats(tmp_path, capsys):
    import yaml

    tiny = {**RESPONSE, "floor": 3.9e-38, "value": 1.0}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(scenario(tiny).model_dump(mode="json", exclude_none=True)))
    assert main(["rounds", str(path), "--draws", "200"]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"\de[-+]\d", out), out
    assert "about 0" in out
    assert spread_text("systematic_share", 2.6e-37) == "about 0"
    assert ratio(4.7e-05) == "about 0"


def test_text_table_keeps_columns_apart():
    lines = text_table(["a", "b", "c"], [["x", "$200,000,000,000", "$200,000,000,000"]])
    assert "  $200,000,000,000  $200,000,000,000" in lines[1]
    with pytest.raises(ValueError):
        text_table(["a"], [["x", "y"]])


@pytest.mark.parametrize("command", ["recommend", "rounds"])
def test_cli_tables_keep_columns_apart_at_a_huge_budget(command, tmp_path, capsys):
    import yaml

    path = tmp_path / "huge.yaml"
    huge = scenario(budget=999_999_999_999).model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(huge))
    args = [command, str(path)] + (["--draws", "200"] if command == "rounds" else [])
    assert main(args) == 0
    out = capsys.readouterr().out
    # No two values glued together: a digit, percent or closing word followed straight by "$".
    assert not re.search(r"[\d%a-z]\$", out), out


def test_workplan_text_keeps_columns_apart():
    from types import SimpleNamespace

    from hybrid.cli.workplan import render_text

    big = SimpleNamespace(
        slice="all",
        human_examples=0,
        synthetic_examples=100_000_000_000,
        reviewed_examples=0,
        review_coverage=0.0,
        verification_sample=0,
        spend=351_855_829_288.0,
        reason="why",
        moves="",
    )
    total = {k: getattr(big, k) for k in vars(big) if k not in ("slice", "reason", "moves")}
    wp = SimpleNamespace(
        currency="USD", slices=[big], notes=[], total=lambda: total, beyond_the_plan=lambda: None
    )
    out = render_text("x", wp)
    assert not re.search(r"[\d%]\$", out), out
