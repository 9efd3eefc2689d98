"""The PDF's last section lists the scenario's inputs by name, rounded as a person would type them,
instead of a page and a half of raw YAML (``synthetic_label_accuracy: 0.9999999999999999``); the
exact YAML stays attached as a file (tests/test_report.py reads it back)."""

from __future__ import annotations

import re
from pathlib import Path

from hybrid.model.policy import load_policy
from hybrid.model.scenario import Scenario, load_scenario
from hybrid.share import pdf as pdf_module
from hybrid.share.extract import extract_scenario
from hybrid.share.report import build_report
from hybrid.whatif.inputs import input_rows

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"
RAW = re.compile(r"\d\.\d{5,}|\d[eE][-+]?\d")


def unrounded() -> Scenario:
    data = load_scenario(EXAMPLE).model_dump(mode="json")
    data["economics"]["synthetic_label_accuracy"] = 0.9999999999999999
    data["economics"]["review_cost_per_example"] = 0.30000000000000004
    data["economics"]["target_metric"] = 0.9150000000000001
    data["dataset"]["synthetic_response"] = {
        "value": 0.874145237,
        "saturation": 4.20388,
        "systematic_share": 0.402595,
        "floor": 0.130143,
        "accuracy": 0.8,
        "human_rows": 280,
        "synthetic_rows": 1200,
        "points": [[33.0, 0.0, 0.888888888888888]],
    }
    return Scenario.from_dict(data)


def test_input_rows_are_named_and_rounded():
    rows = dict(input_rows(unrounded()))
    assert rows["generator label accuracy"] == "100%"
    assert rows["review cost per example"] == "$0.30"
    assert rows["target metric"] == "0.915"
    assert rows["saturation point (synthetic rows per human row)"] == "4.204"
    assert rows["pilot measurements"] == "1 measurements"
    for name, value in rows.items():
        assert "_" not in name, name
        assert not RAW.search(value), (name, value)
        assert "[" not in value, (name, value)


def test_the_pdf_ends_with_named_inputs_not_raw_yaml(drawn):
    texts, tables = drawn
    scenario = unrounded()
    data = build_report(scenario, load_policy(), generated_at="2026-12-04T12:00:00Z")
    out = pdf_module.render_pdf(data)
    assert not any("synthetic_label_accuracy" in t or "0.9999999999999999" in t for t in texts)
    header, rows = tables[-1]
    assert header == ["Input", "Value"]
    assert ["generator label accuracy", "100%"] in rows
    assert extract_scenario(out) == scenario  # the attached file keeps every digit
