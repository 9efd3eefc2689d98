"""The Work plan page under AppTest: with no data it says so and offers the Dataset page and the
bundled sample; with the sample (or an upload) its totals equal the overall plan the Recommendation
page shows, the slice column changes the slices, hostile slice names stay text, and the Report page
then carries the same work plan."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from apptest_helpers import errors, go, main_metric, ok, plain
from streamlit.testing.v1 import AppTest

from hybrid.evidence.slices import read_slices
from hybrid.explain.rationale import money
from hybrid.explain.recommendation import recommend_inputs
from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import load_policy
from hybrid.model.workplan import slice_plan

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/6_workplan.py"
DATASET = "pages/3_dataset.py"
SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"
TIMEOUT = 120


@pytest.fixture(autouse=True)
def _own_library(tmp_path, monkeypatch):
    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))


def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ok(at.run())
    return go(at, PAGE)


def with_sample() -> AppTest:
    at = app()
    at.button(key="workplan.sample").click()
    ok(at.run())
    assert not at.error, errors(at)
    return at


def expected(at: AppTest, **columns):
    """The work plan computed straight from the core, for the session's scenario."""
    scn = at.session_state["hd.scenario"]
    policy = load_policy()
    plan = recommend_inputs(scn, policy, resolve_inputs(scn, policy)).plan
    stats = read_slices(SAMPLE, **columns)
    return plan, slice_plan(scn, policy, stats)


def test_without_data_it_says_so_and_offers_the_sample():
    at = app()
    assert not at.error, errors(at)
    assert any("No dataset loaded yet" in i.value for i in at.info)
    assert [b.label for b in at.button] == ["Use the bundled sample"]
    assert not at.main.metric  # no numbers without data
    assert at.title[0].value == "Work plan: which slices get which rows"


def test_the_bundled_sample_leaves_the_scenario_alone_and_says_so():
    """It used to load the sample as the Dataset page's upload, which rewrote the scenario's
    dataset without a word (synthetic share 78% to 64%, today 0.890 to 0.825)."""
    at = app()
    before = at.session_state["hd.scenario"].model_dump()
    at.button(key="workplan.sample").click()
    ok(at.run())
    assert not at.error, errors(at)
    assert at.session_state["hd.scenario"].model_dump() == before
    assert any("Your scenario is unchanged" in plain(i.value) for i in at.info)
    assert main_metric(at, "Slices") == "12"
    at.button(key="workplan.sample.stop").click()
    ok(at.run())
    assert any("No dataset loaded yet" in i.value for i in at.info)
    assert at.session_state["hd.scenario"].model_dump() == before


def test_the_page_runs_on_its_own_without_navigation():
    at = ok(AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT).run())
    assert not at.error, errors(at)
    assert any("Upload a dataset on the Dataset page" in c.value for c in at.caption)


def test_sample_classes_as_slices_and_totals_equal_the_global_plan():
    at = with_sample()
    assert at.selectbox(key="workplan.slice").value == "label"  # the classes are the slices
    assert at.multiselect(key="workplan.annotators").value == ["annotator_1", "annotator_2"]
    assert at.selectbox(key="workplan.source").value == "source"
    plan, wp = expected(
        at, slice="label", label="label", annotators=["annotator_1", "annotator_2"], source="source"
    )
    assert main_metric(at, "Slices") == "12"
    assert main_metric(at, "New human rows") == f"{round(plan.human_examples):,}"
    assert main_metric(at, "New synthetic rows") == f"{round(plan.synthetic_examples):,}"
    assert (
        main_metric(at, "Reviewed rows")
        == f"{round(plan.synthetic_examples * plan.review_coverage):,}"
    )
    assert wp.matches_global and wp.unplaced_synthetic == 0
    # Spend equals the overall plan's to the cent, and the page says so.
    assert round(wp.spend, 2) == round(plan.spend, 2)
    assert main_metric(at, "Spend") == money(wp.spend, wp.currency)
    spend = next(m for m in at.main.metric if m.label == "Spend")
    assert spend.delta == "= the overall plan"
    # The table: one row per class, human names, the same quotas as the core.
    df = at.dataframe[0].value
    assert list(df.columns)[:3] == ["Slice", "Rows today", "Edge case"]
    assert sorted(df["Slice"]) == sorted(s.slice for s in wp.slices)
    by_slice = dict(zip(df["Slice"], df["New human rows"], strict=True))
    assert by_slice == {s.slice: f"{s.human_examples:,}" for s in wp.slices}
    assert sum(int(v.replace(",", "")) for v in df["New synthetic rows"]) == round(
        plan.synthetic_examples
    )
    assert all(df["Why this allocation"]) and all(df["What would move it"])
    # One slice explained in words.
    text = plain(" ".join(m.value for m in at.markdown))
    first = wp.slices[0]
    assert f"**{first.slice}**: {first.reason}" in text and first.moves in text
    assert len(at.get("plotly_chart")) == 1


def test_slice_column_and_margin_change_the_plan():
    at = with_sample()
    at.selectbox(key="workplan.slice").set_value("channel")
    ok(at.run())
    assert main_metric(at, "Slices") == "4"
    df = at.dataframe[0].value
    assert list(df["Slice"]) == ["chat", "email", "phone", "social"]
    before = list(df["Verification sample"])
    at.number_input(key="workplan.margin").set_value(2.0)
    ok(at.run())
    after = list(at.dataframe[0].value["Verification sample"])
    assert all(
        int(b.replace(",", "")) < int(a.replace(",", ""))
        for a, b in zip(after, before, strict=True)
    )
    _, wp = expected(
        at,
        slice="channel",
        label="label",
        annotators=["annotator_1", "annotator_2"],
        source="source",
    )
    assert main_metric(at, "New human rows") == f"{wp.human_examples:,}"
    # The choices survive leaving the page.
    go(at, DATASET)
    go(at, PAGE)
    assert at.selectbox(key="workplan.slice").value == "channel"
    assert at.number_input(key="workplan.margin").value == 2.0


def test_one_annotator_column_is_refused_with_a_message():
    at = with_sample()
    at.multiselect(key="workplan.annotators").set_value(["annotator_1"])
    ok(at.run())
    assert "annotator columns: choose two or more" in errors(at)


def _sliced_by(names):
    buf = io.StringIO()
    buf.write("text,label,annotator_1,annotator_2,seg\n")
    for i in range(400):
        lab = ("a", "b", "c")[i % 3]
        name = names[i % len(names)].replace(chr(34), chr(34) * 2)
        buf.write(f't{i},{lab},{lab},{lab if i % 7 else "b"},"{name}"\n')
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ok(at.run())
    go(at, DATASET)
    at.file_uploader(key="dataset.upload").set_value(
        ("hostile.csv", buf.getvalue().encode(), "text/csv")
    )
    ok(at.run())
    go(at, PAGE)
    at.selectbox(key="workplan.slice").set_value("seg")
    ok(at.run())
    return at


def test_a_formula_looking_slice_name_is_refused_naming_the_column():
    """As for data files the profiler reads: a value a spreadsheet would run is refused, once."""
    at = _sliced_by(['=HYPERLINK("http://x")', "plain"])
    assert len(at.error) == 1, errors(at)
    msg = plain(at.error[0].value)
    assert "'seg'" in msg and "formula-looking" in msg, msg


def test_hostile_slice_names_stay_text():
    at = _sliced_by(["**bold** <script>alert(1)</script>", "[link](javascript:alert(1))", "plain"])
    assert not at.error, errors(at)
    names = list(at.dataframe[0].value["Slice"])
    assert "**bold** <script>alert(1)</script>" in names  # the grid shows text, never markup
    for m in at.markdown:  # every markdown element escapes the names
        assert (
            "<script>" not in m.value
            and "**bold**" not in m.value
            and "](javascript" not in m.value
        )


def test_report_page_includes_the_work_plan():
    at = with_sample()
    plan, wp = expected(
        at, slice="label", label="label", annotators=["annotator_1", "annotator_2"], source="source"
    )
    go(at, "pages/12_report.py")
    assert not at.error, errors(at)
    assert any("work plan by slice" in plain(c.value) for c in at.caption)
    ok(at.button_group(key="report.preview").set_value("Markdown").run())
    md = next(c.value for c in at.code if "# Recommendation report" in c.value)
    assert "## Work plan by slice" in md
    assert f"| **Total** | {wp.human_examples:,} | {wp.synthetic_examples:,} |" in md
    for s in wp.slices:
        assert s.slice.replace("_", "\\_") in md


def test_the_command_line_plans_the_uploaded_file_as_the_page_does(tmp_path):
    """``workplan --data FILE --slice label`` (the README's command) ignored the annotator columns
    the page detects: 2,570 human rows in "high" on the command line against 2,161 on the page."""
    import argparse

    from hybrid.cli.workplan import work_plan

    pilot = ROOT / "tests" / "fixtures" / "newcomer" / "pilot_good.csv"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    ok(at.run())
    go(at, DATASET)
    at.file_uploader(key="dataset.upload").set_value(
        ("pilot_good.csv", pilot.read_bytes(), "text/csv")
    )
    ok(at.run())
    go(at, PAGE)
    assert not at.error, errors(at)
    assert at.selectbox(key="workplan.slice").value == "label"
    assert at.multiselect(key="workplan.annotators").value == ["annotator_a", "annotator_b"]
    args = argparse.Namespace(
        data=str(pilot),
        slice="label",
        label=None,
        annotators=None,
        source=None,
        margin=None,
        confidence=None,
    )
    wp = work_plan(at.session_state["hd.scenario"], load_policy(), args)
    assert args.columns_read.annotators == ("annotator_a", "annotator_b")
    df = at.dataframe[0].value
    for column, field in (
        ("New human rows", "human_examples"),
        ("New synthetic rows", "synthetic_examples"),
        ("Reviewed rows", "reviewed_examples"),
    ):
        page = dict(zip(df["Slice"], df[column], strict=True))
        assert page == {s.slice: f"{getattr(s, field):,}" for s in wp.slices}, column
    assert main_metric(at, "Spend") == money(wp.spend, wp.currency)
