"""Two counts of generated rows per human row, named apart. The newcomer's pilot read "10.8 useful
per human row" (the fitted saturation) beside "pay up to about 2.8 per human row" (the pilot's
measured paying range): two quantities under one name."""

from __future__ import annotations

from pathlib import Path

from hybrid.model.policy import load_policy
from hybrid.model.scenario import load_scenario
from hybrid.vocabulary import INPUTS
from hybrid.whatif.analysis import build_analysis
from hybrid.whatif.inputs import input_title

PILOT = Path(__file__).resolve().parent / "fixtures" / "newcomer" / "out_good.yaml"


def test_the_rationale_names_the_saturation_point_and_the_paying_range_apart():
    a = build_analysis(load_scenario(PILOT), load_policy())
    k, ratio = float(a.inputs.saturation), float(a.inputs.measured_ratio)
    assert f"{k:.3g}" == "10.8" and f"{ratio:.2g}" == "2.8"
    said = [s for s in a.rationale if "per human row" in s]
    paying = next(s for s in said if "pay up to about 2.8" in s)
    assert "2.8 generated rows per human row" in paying and "measured paying range" in paying
    # the sentence that gives the paying range also says the saturation point is another thing
    assert "saturation point, 10.8" in paying
    fitted = [s for s in said if "10.8" in s and s is not paying]
    assert fitted and all("saturation point 10.8 generated rows per human row" in s for s in fitted)
    assert not any("useful per human row" in s for s in a.rationale)


def test_the_tables_name_them_apart():
    names = {INPUTS["saturation"][0], INPUTS["measured_ratio"][0]}
    assert len(names) == 2 and not any(n.lower().startswith("useful") for n in names)
    sat = input_title("dataset.synthetic_response.saturation")
    paying = input_title("dataset.synthetic_response.measured_ratio")
    assert "saturation point" in sat and "measured paying range" in paying
