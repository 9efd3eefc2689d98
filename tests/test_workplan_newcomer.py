"""The newcomer's pilots (tests/fixtures/newcomer: a pilot where generated rows help and one where
they hurt, with the scenarios the ``pilot`` command wrote): the work plan spends the overall
plan's spend to the cent, the command line reads the annotator columns as the Work plan page does,
and each slice's reason and "what would move it" name what they measure."""

from __future__ import annotations

import numpy as np
import pytest

from hybrid.cli.main import main
from hybrid.evidence.slices import read_slices
from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import load_policy
from hybrid.model.recommend import decide
from hybrid.model.scenario import load_scenario
from hybrid.model.workplan import min_review_rows, slice_plan
from tests.conftest import ROOT

HERE = ROOT / "tests" / "fixtures" / "newcomer"
ANNOTATORS = ["annotator_a", "annotator_b"]


def _plan(kind: str, **columns):
    scn = load_scenario(HERE / f"out_{kind}.yaml")
    policy = load_policy()
    stats = read_slices(HERE / f"pilot_{kind}.csv", slice="label", **columns)
    return scn, slice_plan(scn, policy, stats)


@pytest.mark.parametrize(
    "columns",
    [{}, {"label": "label", "annotators": ANNOTATORS, "source": "source"}],
    ids=["no annotators", "annotators"],
)
def test_the_good_pilot_spends_the_plan_to_the_cent_within_budget(columns):
    """It spent $20,000.62 ($20,001 shown) against a $20,000 plan and budget: each slice rounded
    its minimum review up, and 2,859 reviewed rows cost one more than the plan's 2,858."""
    scn, wp = _plan("good", **columns)
    assert wp.reviewed_examples == wp.global_reviewed
    assert wp.extra_review_examples == 0
    assert round(wp.spend, 2) == round(float(wp.plan.spend), 2)
    assert wp.spend <= wp.budget + 0.005
    assert wp.spends_the_overall_plan and wp.beyond_the_plan() is None


def test_minimum_review_is_rounded_once_over_all_slices():
    rows = min_review_rows(0.15, np.array([5997, 7133, 5926]))
    assert rows.sum() == 2858  # round(0.15 * 19,056), the overall plan's rows
    assert np.all(np.abs(rows - 0.15 * np.array([5997, 7133, 5926])) < 1)


def test_the_bad_pilots_slices_name_the_measured_negative_response():
    """Every slice said "with the generator at 85% here, synthetic rows gain less than
    elsewhere", though all slices were alike and the plan bought no synthetic rows because
    generated rows lower the metric."""
    scn, wp = _plan("bad")
    rec = decide(scn, load_policy(), resolve_inputs(scn, load_policy()))
    assert rec.drops_rows_in_hand and wp.synthetic_examples == 0
    for s in wp.slices:
        assert "elsewhere" not in s.reason
        assert "lower the metric" in s.reason and "no synthetic rows" in s.reason, s.reason


def test_what_would_move_a_slice_says_it_is_the_slices_mix_not_the_overall_answer():
    """The Recommendation said the hybrid answer holds down to 50% accuracy while every slice said
    "Human rows would be the better buy here if the generator's accuracy fell below 69%": the
    first is the overall label, the second the margin in one slice, and the wording said neither."""
    _, wp = _plan("good")
    for s in wp.slices:
        assert s.flip_accuracy is not None and s.accuracy >= s.flip_accuracy
        assert "better buy here if" not in s.moves
        assert "mix would shift toward human rows" in s.moves
        assert "not a change of the overall answer" in s.moves


def test_cli_finds_the_annotator_columns_and_says_so(capsys):
    """The README's command ignored the annotator columns unless named (2,570 human rows in
    "high" against the page's 2,161)."""
    args = ["workplan", str(HERE / "out_good.yaml"), "--data", str(HERE / "pilot_good.csv")]
    assert main(args + ["--slice", "label"]) == 0
    out = capsys.readouterr().out
    _, wp = _plan("good", label="label", annotators=ANNOTATORS, source="source")
    high = next(s for s in wp.slices if s.slice == "high")
    assert high.human_examples == 2161
    assert f"{high.human_examples:,}" in next(line for line in out.splitlines() if "high" in line)
    assert "annotator columns annotator_a, annotator_b (found by name)" in out
    named = args + ["--slice", "label", "--annotators", "annotator_a,annotator_b"]
    assert main(named) == 0
    out2 = capsys.readouterr().out
    assert "annotator columns annotator_a, annotator_b;" in out2  # named, not found
    assert out2.splitlines()[:6] == out.splitlines()[:6]


def test_verification_beyond_the_plan_is_a_named_line_with_the_overrun(capsys):
    """A 1-point margin needs more reviewed rows than the plan's 15%: the extra spend is named,
    with how far it takes the total past the budget, in the core and the command's text."""
    scn = load_scenario(HERE / "out_good.yaml")
    stats = read_slices(HERE / "pilot_good.csv", slice="label")
    wp = slice_plan(scn, load_policy(), stats, margin=0.01)
    assert wp.extra_review_examples > 0 and wp.spend > wp.budget
    line = wp.beyond_the_plan()
    assert line.startswith("Verification beyond the overall plan:")
    assert f"{wp.extra_review_examples:,} more reviewed rows" in line and "budget" in line
    args = ["workplan", str(HERE / "out_good.yaml"), "--data", str(HERE / "pilot_good.csv")]
    assert main(args + ["--slice", "label", "--margin", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "Verification beyond the overall plan:" in out and "over the $20,000 budget" in out
