"""The command-line walk of the model v2 issue: a pilot whose synthetic rows level off and then
hurt (data/samples/digits_pilot.csv, real scikit-learn digits plus centre-clustered generated rows),
measured with ``evidence --scenario``, then planned with ``recommend``: the plan must stop buying
synthetic rows where they stop paying."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import load_policy
from hybrid.model.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
PILOT = ROOT / "data" / "samples" / "digits_pilot.csv"
BASE = ROOT / "data" / "samples" / "digits_pilot.yaml"


def cli(*args, check=True):
    return subprocess.run(
        [sys.executable, "-m", "hybrid", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=check,
    )


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    out = tmp_path_factory.mktemp("walk") / "measured.yaml"
    run = cli(
        "evidence",
        PILOT,
        "--label",
        "label",
        "--source",
        "source",
        "--scenario",
        BASE,
        "-o",
        out,
        "--quiet",
    )
    return run.stdout, out


def test_evidence_says_the_synthetic_rows_stop_paying(measured):
    text, out = measured
    assert "lowered the metric" in text or "levelled off" in text, text
    scn = load_scenario(out)
    r = scn.dataset.synthetic_response
    assert r is not None and r.plateau
    assert scn.dataset.human_examples == 400 and scn.dataset.synthetic_examples == 1200
    assert scn.dataset.classes == 10
    assert len(scn.economics.learning_curve.points) >= 5
    assert r.floor > 0, "the repeated wrong labels cost metric"


def test_the_plan_stops_buying_synthetic_rows_where_they_stop_paying(measured):
    _, out = measured
    rec = json.loads(cli("recommend", out, "--json").stdout)
    plans = rec["plans"]
    assert plans["all-synthetic"]["expected_metric"] < plans["all-human"]["expected_metric"]
    inp = resolve_inputs(load_scenario(out), load_policy())
    plan = plans["recommended"]
    peak = inp.peak_synthetic(plan["human_examples"], plan["review_coverage"])
    assert plan["synthetic_examples"] <= peak + 1
    assert plan["expected_metric"] >= plans["all-synthetic"]["expected_metric"]
    # Where synthetic rows stop paying: past a volume, or (these rows' repeated errors) at once.
    assert any(
        "nothing more is gained" in s or "costs more metric in repeated errors than it adds" in s
        for s in rec["rationale"]
    ), rec["rationale"]


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "base.yaml"
    bad.write_text("name: x\neconomics: {human_cost_per_example: 1}\n")
    run = cli(
        "evidence",
        PILOT,
        "--label",
        "label",
        "--source",
        "source",
        "--scenario",
        bad,
        "-o",
        tmp_path / "o.yaml",
        check=False,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "economics.budget" in run.stderr
    assert not (tmp_path / "o.yaml").exists()
    run = cli(
        "evidence",
        PILOT,
        "--label",
        "label",
        "--source",
        "source",
        "-o",
        tmp_path / "o.yaml",
        check=False,
    )
    assert run.returncode == 2 and "--scenario" in run.stderr


def test_the_all_synthetic_figure_is_called_an_extrapolation(measured):
    """The pilot measured up to 1,200 generated rows on 280 human rows; an all-synthetic plan of
    tens of thousands is far past that, and the rationale says its figure cannot be checked."""
    _, out = measured
    rec = json.loads(cli("recommend", out, "--json").stdout)
    said = [s for s in rec["rationale"] if "is an extrapolation" in s]
    assert len(said) == 1, rec["rationale"]
    assert "times the most the pilot measured (4.3)" in said[0]
