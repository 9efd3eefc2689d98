"""A base scenario for a pilot (no learning curve) opens on the Start page as the command line's
``evidence --scenario`` reads it: with the placeholder curve, and a message saying so and what to
do. The Start page refused it ("economics.learning_curve: required field is missing")."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from apptest_helpers import errors, ok, scenario, warnings
from streamlit.testing.v1 import AppTest

from hybrid.errors import InputError
from hybrid.model.scenario import PLACEHOLDER_CURVE, base_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _own_library(tmp_path, monkeypatch):
    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))


def base_yaml() -> bytes:
    data = yaml.safe_load(
        (ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml").read_text()
    )
    del data["economics"]["learning_curve"]
    data["name"] = "Pilot base"
    return yaml.safe_dump(data).encode()


def test_the_start_page_opens_a_base_without_a_learning_curve():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    ok(at.run())
    at.file_uploader[0].set_value(("base.yaml", base_yaml(), "application/x-yaml"))
    ok(at.run())
    assert not at.error, errors(at)
    s = scenario(at)
    assert s.name == "Pilot base"
    assert [list(p) for p in s.economics.learning_curve.points] == PLACEHOLDER_CURVE["points"]
    said = warnings(at)
    assert "no learning curve" in said and "placeholder curve" in said
    assert "Measure what synthetic rows add" in said and "Costs & curve" in said


def test_the_page_and_the_command_line_read_a_base_alike(tmp_path):
    from hybrid.cli import data as cli_data

    path = tmp_path / "base.yaml"
    path.write_bytes(base_yaml())
    page, placeholder = base_scenario(yaml.safe_load(base_yaml()), str(path))
    assert placeholder
    assert cli_data._base_scenario(str(path)) == page


def test_a_scenario_with_a_curve_is_not_a_placeholder_and_bad_fields_still_fail():
    data = yaml.safe_load((ROOT / "data" / "examples" / "web-pretraining.yaml").read_text())
    assert base_scenario(data, "web.yaml")[1] is False
    data["economics"]["budget"] = -5
    with pytest.raises(InputError, match="economics.budget"):
        base_scenario(data, "web.yaml")
