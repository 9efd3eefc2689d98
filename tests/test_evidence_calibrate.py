"""One calibration for the command line and the Dataset page (issue 20, item 3):
``hybrid.evidence.calibrate`` writes the pilot's measured agreement into the scenario before the
synthetic response is fitted, so the fit is made at the agreement the plan then uses."""

from __future__ import annotations

from pathlib import Path

from hybrid.evidence import calibrate as calibration
from hybrid.model.policy import load_policy
from hybrid.model.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"
EXAMPLE = ROOT / "data" / "examples" / "medical-notes-labeling.yaml"


def test_the_measured_agreement_is_in_the_scenario_before_the_fit(monkeypatch):
    data = load_scenario(EXAMPLE).model_dump(mode="json", exclude_none=True)
    data.setdefault("dataset", {}).update(
        human_examples=100, synthetic_examples=0, annotator_agreement=0.5
    )
    base = Scenario.from_dict(data, "base")
    seen = {}
    real = calibration.synthetic_response

    def spy(path, label, source, scenario, policy, **kwargs):
        seen["agreement"] = scenario.dataset.annotator_agreement
        return real(path, label, source, scenario, policy, **kwargs)

    monkeypatch.setattr(calibration, "synthetic_response", spy)
    out = calibration.calibrate(
        SAMPLE, base, load_policy(None), label="label", source="source", name=SAMPLE.name
    )
    fields = calibration.profiled_dataset(SAMPLE, label="label", source="source", name=SAMPLE.name)
    measured = fields["annotator_agreement"]
    assert measured is not None and measured != 0.5
    assert seen["agreement"] == measured, "fitted at the pilot's own agreement"
    assert out.scenario.dataset.annotator_agreement == measured
    assert out.scenario.dataset.synthetic_response == out.result.fit
    assert out.scenario.dataset.source == fields["source"]


def test_a_file_without_annotator_columns_leaves_the_agreement_unknown():
    data = load_scenario(EXAMPLE).model_dump(mode="json", exclude_none=True)
    data.setdefault("dataset", {}).update(
        human_examples=100, synthetic_examples=0, annotator_agreement=0.5, kappa=0.4
    )
    base = Scenario.from_dict(data, "base")
    profiled = calibration.with_profile(
        base, {"human_examples": 10, "annotator_agreement": None, "kappa": None}, "f"
    )
    assert profiled.dataset.annotator_agreement is None and profiled.dataset.kappa is None
    assert profiled.dataset.human_examples == 10
