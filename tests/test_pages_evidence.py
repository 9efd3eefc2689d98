"""AppTest tests of the Dataset page's "Measure on this data" block (ui/evidence.py).

The sample data/samples/support_tickets.csv (2,000 rows, a text column, a human/synthetic source
column) is uploaded through the page's real file uploader (AppTest drives ``st.file_uploader``), the
measurements run for real (a few seconds each), and the "Use" buttons must change the scenario
through ``ui.state.try_update`` so that the recommendation is recomputed. Also: results survive
switching pages without being measured again, the Costs page offers the measured points, a
statistics file gets no block, and a cancelled run changes nothing.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

pytest.importorskip("sklearn")
pytest.importorskip("hybrid.evidence.profile")

from apptest_helpers import errors, go, ok, plain, scenario  # noqa: E402
from apptest_helpers import main_metric as metric  # noqa: E402

from hybrid.evidence import learning as hybrid_evidence  # noqa: E402
from hybrid.share.urlstate import decode, encode  # noqa: E402
from ui import compute  # noqa: E402
from ui import evidence as ui_evidence  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"
STATS = ROOT / "data" / "samples" / "support_tickets.stats.yaml"
DATASET = "pages/3_dataset.py"
COSTS = "pages/4_costs.py"
REC = "pages/5_recommendation.py"
TIMEOUT = 120


@pytest.fixture(autouse=True)
def _own_library(tmp_path, monkeypatch):
    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def uploaded(name: str = "support_tickets.csv", data: bytes | None = None) -> AppTest:
    """The app on the Dataset page with a file uploaded through the page's file uploader."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ok(at.run())
    go(at, DATASET)
    at.file_uploader(key="dataset.upload").set_value(
        (name, data if data is not None else SAMPLE.read_bytes(), "text/csv")
    )
    ok(at.run())
    assert not at.error, errors(at)
    return at


def measure(at: AppTest, what: str) -> AppTest:
    at.button(key=f"evidence.{what}.run").click()
    ok(at.run())
    assert not at.error, errors(at)
    return at


def latest(at: AppTest, what: str):
    key = at.session_state[ui_evidence.LAST][what]
    return key, at.session_state[ui_evidence.RESULTS][key]


def test_the_block_offers_both_measurements_for_the_sample():
    at = uploaded()
    assert "Measure on this data" in [s.value for s in at.subheader]
    assert "Measure the learning curve" in labels(at)
    assert "Measure what synthetic rows add" in labels(at)


def test_measured_learning_curve_becomes_the_scenarios_curve():
    at = uploaded()
    before = scenario(at)
    today_before = metric(at, "Today's metric")
    measure(at, "curve")
    key, m = latest(at, "curve")
    points = m.result.points
    assert len(points) >= 5 and all(0.0 <= s <= 1.0 for _, s in points)
    assert [n for n, _ in points] == sorted(n for n, _ in points)
    assert m.result.backtest_error is not None
    # Trained on the human rows only: the curve is read as the metric against human-labeled rows.
    assert "human-labeled rows only" in m.note
    assert metric(at, "Back-test error") == f"{m.result.backtest_error:.3f}"
    table = at.main.dataframe[-1].value
    # One row per size (a row across ran past the right edge of its column at 1280 px).
    assert list(table["Training rows"]) == [f"{int(n):,}" for n, _ in points]
    assert list(table.iloc[:, 1]) == [f"{float(s):.3f}" for _, s in points]
    # Nothing changes until "Use" is pressed.
    assert scenario(at).economics.learning_curve == before.economics.learning_curve

    at.button(key="evidence.curve.use").click()
    ok(at.run())
    assert not at.error, errors(at)
    after = scenario(at)
    assert after.economics.learning_curve.points == [
        (float(n), round(float(s), 4)) for n, s in points
    ]
    assert after.economics.learning_curve.fitted is None
    # The recommendation was recomputed for the new curve, and the page shows it.
    analysis = compute.analysis_for(after, None)
    assert metric(at, "Today's metric") == f"{analysis.rec.today_metric:.3f}"
    assert metric(at, "Today's metric") != today_before
    assert analysis.rec != compute.analysis_for(before, None).rec
    assert any("learning curve is these points" in s.value for s in at.success)
    assert "Use these points as the learning curve" not in labels(at)
    # The link carries the measured curve.
    assert (
        decode(encode(after)).economics.learning_curve.points
        == after.economics.learning_curve.points
    )

    # The Costs page's table shows the measured points and says where they came from.
    go(at, COSTS)
    assert not at.error, errors(at)
    assert any("measured on support_tickets.csv" in plain(c.value) for c in at.caption)
    assert not any("Use the measured points" == b.label for b in at.button)


def test_measured_synthetic_response_fills_the_scenario():
    """Measured on the sample's human and synthetic rows, "Use" writes what `evidence --scenario`
    writes: counts, the human learning curve and the fitted response, and the plan follows it."""
    at = uploaded()
    before = scenario(at)
    worth_before = metric(at, "A synthetic row is worth")
    measure(at, "rate")
    key, m = latest(at, "rate")
    r = m.result
    assert r.fit is not None
    assert {h for h, _, _ in r.augmentation_points} == {r.train_rows // 4, r.train_rows}
    assert metric(at, "Worth per row") == f"{r.fit.value:.2f}"
    assert metric(at, "Lost to repeated errors") == f"{100 * r.fit.floor:.1f} pts"
    assert scenario(at).dataset.synthetic_response is None, "nothing changes before Use"

    at.button(key="evidence.rate.use").click()
    ok(at.run())
    assert not at.error, errors(at)
    after = scenario(at)
    assert after.dataset.synthetic_response == r.fit
    assert (
        after.dataset.human_examples == r.human_rows
        and after.dataset.synthetic_examples == r.synthetic_rows
    )
    assert after.economics.learning_curve.points == [
        (float(n), float(v)) for n, v in r.human_points
    ]
    analysis = compute.analysis_for(after, None)
    assert analysis.rec != compute.analysis_for(before, None).rec
    assert metric(at, "A synthetic row is worth") == f"{analysis.exchange_rate:.2f} human rows"
    assert metric(at, "A synthetic row is worth") != worth_before
    assert any("plans on this measured response" in s.value for s in at.success)
    # The page and the command line plan on the same scenario.
    assert after.dataset.synthetic_response == r.apply_to(before).dataset.synthetic_response
    # The link carries the measured response.
    assert decode(encode(after)).dataset.synthetic_response == r.fit

    at.button(key="dataset.response.clear").click()
    ok(at.run())
    assert scenario(at).dataset.synthetic_response is None


def test_a_pilot_with_held_out_rows_is_scored_on_them():
    """The digits pilot marks 120 human rows ``holdout`` (set aside before generating): the page
    says the response was scored on them, not cross-fitted, and the rows still count as human."""
    pilot = ROOT / "data" / "samples" / "digits_pilot.csv"
    at = uploaded("digits_pilot.csv", pilot.read_bytes())
    assert scenario(at).dataset.human_examples == 400
    measure(at, "rate")
    _, m = latest(at, "rate")
    assert m.result.held_out and m.result.test_rows == 120
    shown = [plain(c.value) for c in at.caption]
    assert any("Scored on the 120 human rows marked held out" in c for c in shown), shown
    assert not any("Cross-fitted" in c for c in shown)
    assert not any("nan" in c for c in shown), shown


def test_results_survive_switching_pages_and_are_not_measured_twice(monkeypatch):
    calls = []
    real = hybrid_evidence.learning_curve

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hybrid_evidence, "learning_curve", counting)
    at = uploaded()
    measure(at, "curve")
    assert len(calls) == 1
    go(at, REC)
    go(at, DATASET)
    assert "Use these points as the learning curve" in labels(at), "the result is still shown"
    measure(at, "curve")
    assert len(calls) == 1, "the same file and columns are not measured again"


def test_costs_page_offers_the_measured_points():
    at = uploaded()
    measure(at, "curve")
    _, m = latest(at, "curve")
    go(at, COSTS)
    assert any("Measured on support_tickets.csv" in plain(i.value) for i in at.info)
    at.button(key="costs.use_measured").click()
    ok(at.run())
    assert not at.error, errors(at)
    assert scenario(at).economics.learning_curve.points == [
        (float(n), round(float(s), 4)) for n, s in m.result.points
    ]
    assert "Use the measured points" not in labels(at)


def test_a_cancelled_measurement_changes_nothing(monkeypatch):
    """should_stop is true once Stop was pressed: the evidence function raises Cancelled before
    the next fit and nothing is kept."""
    at = uploaded()
    before = scenario(at)
    monkeypatch.setattr(ui_evidence, "should_stop", lambda: True)
    measure(at, "curve")
    assert ui_evidence.RESULTS not in at.session_state or not at.session_state[ui_evidence.RESULTS]
    assert any("Stopped" in w.value for w in at.warning)
    assert scenario(at) == before


def test_leaving_the_page_ends_the_run_in_the_progress_callback(monkeypatch):
    """Streamlit ends a script run by raising StopException/RerunException inside an st call;
    the progress callback's bar update is that call. Those exceptions derive from BaseException,
    so the block's error handling (``except Exception``) lets them through: no result, no error
    box."""
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

    assert not issubclass(StopException, Exception) and not issubclass(RerunException, Exception)
    seen = []

    def left_midway(data, label, *, progress=None, should_stop=None, **kwargs):
        progress(0.3, "fold 1/3: training on 100 rows")
        seen.append("progress")
        # What Streamlit raises inside the next st call once the user has left.
        raise StopException()

    monkeypatch.setattr(hybrid_evidence, "learning_curve", left_midway)
    at = uploaded()
    at.button(key="evidence.curve.run").click()
    at.run()
    assert seen == ["progress"]
    assert ui_evidence.RESULTS not in at.session_state or not at.session_state[ui_evidence.RESULTS]
    assert "could not be measured" not in errors(at)


def test_a_statistics_file_gets_no_measure_block():
    at = uploaded("support_tickets.stats.yaml", STATS.read_bytes())
    assert "Measure on this data" not in [s.value for s in at.subheader]
    assert "Measure the learning curve" not in labels(at)


def test_without_a_source_column_only_the_learning_curve_is_offered():
    frame = pd.read_csv(SAMPLE).drop(columns=["source"])
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    at = uploaded("tickets-no-source.csv", buf.getvalue().encode())
    assert "Measure the learning curve" in labels(at)
    assert "Measure what synthetic rows add" not in labels(at)
    measure(at, "curve")
    _, m = latest(at, "curve")
    assert m.note.startswith("all 2,000 rows")


def test_a_file_too_small_to_measure_shows_the_reason():
    frame = pd.read_csv(SAMPLE).head(25)
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    at = uploaded("tiny.csv", buf.getvalue().encode())
    before = scenario(at)
    at.button(key="evidence.curve.run").click()
    ok(at.run())
    humans = int((frame["source"] == "human").sum())
    assert humans < 40
    # The pilot check may leave rows of too-rare classes out, so the usable count is at most the
    # file's.
    found = re.search(
        r"tiny\.csv: (\d+) usable rows are marked human by source column 'source'; a learning "
        r"curve needs at least 40 human rows",
        errors(at),
    )
    assert found and int(found.group(1)) <= humans, errors(at)
    assert scenario(at) == before
    assert "Use these points as the learning curve" not in labels(at)


def test_the_command_line_and_the_page_calibrate_identically(tmp_path, monkeypatch):
    """Issue 20.3: the same file and base scenario give the same calibrated scenario, field for
    field, through ``evidence --scenario -o`` and through "Measure what synthetic rows add" then
    "Use these measurements" (both run ``hybrid.evidence.calibrate``). The sample has two
    annotator columns, so the measured agreement is part of what must agree."""
    import yaml

    from hybrid.cli.main import main
    from hybrid.model.scenario import Scenario

    at = uploaded()
    base = scenario(at)
    assert base.dataset.annotator_agreement is not None
    base_path = tmp_path / "base.yaml"
    base_path.write_text(base.to_yaml(), encoding="utf-8")
    measure(at, "rate")
    at.button(key="evidence.rate.use").click()
    ok(at.run())
    assert not at.error, errors(at)
    page = scenario(at)

    monkeypatch.chdir(SAMPLE.parent)  # the same file name on both surfaces
    out = tmp_path / "calibrated.yaml"
    args = ["evidence", SAMPLE.name, "--label", "label", "--source", "source", "--quiet"]
    assert main([*args, "--scenario", str(base_path), "-o", str(out)]) == 0
    cli = Scenario.from_dict(yaml.safe_load(out.read_text(encoding="utf-8")), str(out))
    assert cli.model_dump(mode="json") == page.model_dump(mode="json")
    assert cli.dataset.annotator_agreement == base.dataset.annotator_agreement


def test_a_learning_curve_needs_enough_human_rows_and_never_trains_on_synthetic_ones():
    """Issue 20.4: 30 human rows and 400 synthetic ones: "Measure the learning curve" says the
    minimum instead of training on every row."""
    frame = pd.read_csv(SAMPLE)
    human = frame[frame["source"] == "human"].head(30)
    synthetic = frame[frame["source"] == "synthetic"].head(400)
    buf = io.StringIO()
    pd.concat([human, synthetic]).to_csv(buf, index=False)
    at = uploaded("mostly-synthetic.csv", buf.getvalue().encode())
    before = scenario(at)
    at.button(key="evidence.curve.run").click()
    ok(at.run())
    found = re.search(r"(\d+) usable rows are marked human by source column 'source'", errors(at))
    assert found and int(found.group(1)) <= 30, errors(at)
    assert "a learning curve needs at least 40 human rows" in errors(at)
    assert ui_evidence.RESULTS not in at.session_state or not at.session_state[ui_evidence.RESULTS]
    assert scenario(at) == before


def test_using_a_measurement_says_what_it_replaced_and_one_click_undoes_it():
    """Issue 20.4: "Use" replaces the curve in use; the page says so and an Undo button (on the
    page, not in an expander) puts the previous curve back, on the Dataset and Costs pages."""
    at = uploaded()
    before = scenario(at).economics.learning_curve
    measure(at, "curve")
    at.button(key="evidence.curve.use").click()
    ok(at.run())
    assert scenario(at).economics.learning_curve != before
    assert any("replaced the learning curve in use" in i.value for i in at.info)
    for expander in at.main.expander:
        assert "evidence.undo.curve.dataset" not in [b.key for b in expander.button]
    go(at, COSTS)
    assert "Undo: restore the previous values" in labels(at)
    at.button(key="evidence.undo.curve.costs").click()
    ok(at.run())
    assert not at.error, errors(at)
    assert scenario(at).economics.learning_curve == before
    assert "Undo: restore the previous values" not in labels(at)
    assert "Use the measured points" in labels(at)

    go(at, DATASET)
    measure(at, "rate")
    at.button(key="evidence.rate.use").click()
    ok(at.run())
    rate_before = scenario(at)
    assert rate_before.dataset.synthetic_response is not None
    at.button(key="evidence.undo.rate.dataset").click()
    ok(at.run())
    assert scenario(at).dataset.synthetic_response is None
    assert scenario(at).economics.learning_curve == before
