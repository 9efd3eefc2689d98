"""AppTest tests of the dashboard pages (Streamlit's headless test runner, no browser).

Each page renders without an exception, on its own and under app.py's navigation; a factor change
changes the recommendation shown; values survive switching pages; bad values show an error naming
the field, not a traceback; a link reopens the same scenario and a damaged one opens a blank
scenario with a message. Rerun speed is measured by benchmarks/bench_pages.py, not here.
"""

from __future__ import annotations

import base64
import zlib
from pathlib import Path

import pytest
from apptest_helpers import errors, go, main_metric, ok, plain, scenario, sidebar_metric, warnings
from streamlit.testing.v1 import AppTest

from hybrid.model.scenario import Scenario, load_scenario
from hybrid.share.urlstate import decode, encode

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "pages/1_start.py",
    "pages/2_factors.py",
    "pages/3_dataset.py",
    "pages/4_costs.py",
    "pages/5_recommendation.py",
]
REC = "pages/5_recommendation.py"
EXAMPLES = ROOT / "data" / "examples"
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _own_library(tmp_path, monkeypatch):
    """Each test gets an empty scenario library of its own."""
    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))


def app(query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    ok(at.run())
    if page:
        ok(at.switch_page(page).run())
    return at


# --- every page renders --------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_its_own(page):
    at = ok(AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT).run())
    assert at.title, "every page has a title"
    assert not at.error, errors(at)
    # The sidebar summary is on every page.
    assert sidebar_metric(at, "Recommendation") == "Hybrid"
    assert sidebar_metric(at, "Budget") == "$60,000"
    assert at.sidebar.markdown[0].value == "**Support intent classifier**"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_under_navigation(page):
    at = app(page=page)
    assert not at.error, errors(at)
    assert at.session_state["hd.nav"] is True
    assert sidebar_metric(at, "Synthetic share of new data") == "78%"


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_every_example_renders_every_page(example):
    token = encode(load_scenario(EXAMPLES / f"{example}.yaml"))
    at = app({"s": token})
    for page in PAGES:
        go(at, page)
        assert not at.error, f"{example} on {page}: {errors(at)}"


def test_recommendation_page_shows_every_part():
    at = app(page=REC)
    assert [m.label for m in at.main.metric][:5] == [
        "Recommendation",
        "Synthetic share",
        "Human review",
        "Expected metric",
        "Spend",
    ]
    assert [e.label for e in at.expander] == [
        "The three plans side by side",
        "Every guardrail that applies",
    ]
    assert [s.value for s in at.subheader] == ["Cost per point", "What binds", "Why", "Next steps"]
    plans = at.expander[0].dataframe[0].value
    assert list(plans["plan"]) == ["All-human", "All-synthetic", "Recommended mix"]
    assert list(plans["inside the guardrails"]) == ["yes", "no", "yes"]
    rules = at.expander[1].dataframe[0].value
    assert "Importance of edge cases = 3" in list(rules["rule"])
    # Cost per point for each plan, the cheapest-per-point plan outside the guardrails marked as
    # such.
    cpp = {m.label.split("] ")[-1].lstrip("■ "): m.value for m in at.main.metric if "■" in m.label}
    assert cpp == {"Recommended mix": "$10,926", "All-human": "$15,729", "All-synthetic": "no gain"}
    assert any("Outside the guardrails" in plain(c.value) for c in at.caption)


def test_start_page_lists_examples_and_blank():
    at = app()
    labels = [b.label for b in at.button]
    assert labels.count("Use this example") == len(list(EXAMPLES.glob("*.yaml")))
    assert "Start blank" in labels


# --- a change anywhere updates the recommendation -------------------------------------------------


def test_changing_a_factor_changes_the_recommendation():
    at = app(page=REC)
    assert main_metric(at, "Recommendation") == "Hybrid"
    assert main_metric(at, "Synthetic share") == "78%"
    go(at, "pages/2_factors.py")
    at.segmented_control(key="w.factors.error_cost").set_value(5)
    ok(at.run())
    # Live on the Factors page itself, without a button press.
    assert main_metric(at, "Synthetic cap") == "15%"
    assert main_metric(at, "Recommended") == "Human-led"
    go(at, REC)
    assert main_metric(at, "Recommendation") == "Human-led"
    assert main_metric(at, "Synthetic share") == "15%"
    assert sidebar_metric(at, "Recommendation") == "Human-led"
    assert "Cost of label errors = 5" in warnings(at), "the binding guardrail is named"


def test_changing_data_use_to_preference_makes_it_human_led():
    at = app(page="pages/2_factors.py")
    at.segmented_control(key="w.data_use").set_value("preference")
    ok(at.run())
    assert scenario(at).data_use == "preference"
    go(at, REC)
    assert main_metric(at, "Recommendation") == "Human-led"


def test_cost_change_changes_spend_and_costs_page_numbers():
    at = app(page=REC)
    before = main_metric(at, "Spend")
    go(at, "pages/4_costs.py")
    at.number_input(key="w.economics.human_cost_per_example").set_value(4.0)
    ok(at.run())
    go(at, REC)
    assert main_metric(at, "Spend") != before
    assert scenario(at).economics.human_cost_per_example == 4.0


def test_opening_an_example_from_start_replaces_the_scenario():
    at = app()
    at.button(key="start.example.medical-notes-labeling").click()
    ok(at.run())
    assert scenario(at).name == "Clinical notes adverse-event labeling"
    assert any("Opened" in plain(s.value) for s in at.success)
    go(at, REC)
    assert main_metric(at, "Recommendation") == "Human-led"


def test_blank_scenario_and_yaml_upload():
    at = app()
    at.button(key="start.blank").click()
    ok(at.run())
    assert scenario(at).name == "Untitled scenario"
    text = (EXAMPLES / "web-pretraining.yaml").read_bytes()
    at.file_uploader[0].set_value(("pretraining.yaml", text, "application/x-yaml"))
    ok(at.run())
    assert scenario(at).name == "Pre-training corpus augmentation"
    assert sidebar_metric(at, "Recommendation") == "Synthetic-led"


def test_bad_yaml_upload_shows_an_error():
    at = app()
    at.file_uploader[0].set_value(
        ("bad.yaml", b"name: x\neconomics: {budget: -5}\n", "application/x-yaml")
    )
    ok(at.run())
    assert "economics.budget" in errors(at)
    assert scenario(at).name == "Support intent classifier"


@pytest.mark.parametrize("fmt", ["html", "md", "json", "pdf"])
def test_opening_a_report_reproduces_its_scenario(fmt):
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import load_scenario
    from hybrid.share.render import render
    from hybrid.share.report import build_report

    original = load_scenario(EXAMPLES / "rlhf-preference.yaml")
    body = render(build_report(original, load_policy()), fmt)
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    at = app()
    at.file_uploader[0].set_value((f"report.{fmt}", data, "application/octet-stream"))
    ok(at.run())
    assert scenario(at) == original
    assert sidebar_metric(at, "Recommendation") == "Human-led"


def test_a_file_that_is_not_a_report_names_the_file():
    at = app()
    at.file_uploader[0].set_value(("notes.html", b"<html><body>hello</body></html>", "text/html"))
    ok(at.run())
    assert "notes.html" in errors(at)
    assert scenario(at).name == "Support intent classifier"


def test_save_and_reopen_from_the_library():
    at = app()
    at.text_input(key="w.name").set_value("Q3 intent plan")
    ok(at.run())
    at.button(key="start.library.save").click()
    ok(at.run())
    assert any("version 1" in plain(s.value) for s in at.success), [s.value for s in at.success]
    at.button(key="start.example.code-midtraining").click()
    ok(at.run())
    assert scenario(at).name == "Code mid-training mix"
    at.selectbox(key="start.library.pick").set_value("Q3 intent plan")
    at.button(key="start.library.open").click()
    ok(at.run())
    assert scenario(at).name == "Q3 intent plan"
    assert scenario(at).factors.error_cost == 2


# --- values survive switching pages ---------------------------------------------------------------


def test_values_survive_switching_pages():
    at = app(page="pages/4_costs.py")
    at.text_input(key="w.economics.budget").set_value("12,345")
    ok(at.run())
    go(at, "pages/2_factors.py")
    at.segmented_control(key="w.factors.edge_cases").set_value(4)
    ok(at.run())
    go(at, "pages/3_dataset.py")
    at.number_input(key="w.dataset.classes").set_value(7)
    ok(at.run())
    go(at, "pages/1_start.py")
    at.text_input(key="w.name").set_value("Renamed plan")
    ok(at.run())
    # Back and forth: every widget shows what was entered.
    go(at, "pages/4_costs.py")
    assert at.text_input(key="w.economics.budget").value == "$12,345"
    go(at, "pages/2_factors.py")
    assert at.segmented_control(key="w.factors.edge_cases").value == 4
    go(at, "pages/3_dataset.py")
    assert at.number_input(key="w.dataset.classes").value == 7
    go(at, "pages/1_start.py")
    assert at.text_input(key="w.name").value == "Renamed plan"
    s = scenario(at)
    assert (s.economics.budget, s.factors.edge_cases, s.dataset.classes, s.name) == (
        12345.0,
        4,
        7,
        "Renamed plan",
    )
    assert at.sidebar.markdown[0].value == "**Renamed plan**"


def test_dataset_size_and_share_fill_the_counts():
    at = app(page="pages/3_dataset.py")
    at.number_input(key="w.dataset.share").set_value(0.25)
    ok(at.run())
    ds = scenario(at).dataset
    assert (ds.human_examples, ds.synthetic_examples) == (6000, 2000)
    at.number_input(key="w.dataset.size").set_value(20000)
    ok(at.run())
    ds = scenario(at).dataset
    assert (ds.human_examples, ds.synthetic_examples) == (15000, 5000)
    # Emptying an optional field means "unknown".
    at.number_input(key="w.dataset.annotator_agreement").set_value(None)
    ok(at.run())
    assert scenario(at).dataset.annotator_agreement is None


# --- bad values show an error, not an exception ---------------------------------------------------


def test_bad_budget_shows_an_error_and_keeps_the_typed_value():
    at = app(page="pages/4_costs.py")
    at.text_input(key="w.economics.budget").set_value("0")
    ok(at.run())
    assert "Budget for new data" in errors(at) and "must be at least 0.01 (got 0)" in errors(at)
    # Under the field's own label, not its internal path (FINDINGS F5, branch i35).
    assert "economics.budget" not in errors(at)
    # The scenario keeps its last valid value; the recommendation still shows.
    assert scenario(at).economics.budget == 60000
    assert sidebar_metric(at, "Budget") == "$60,000"
    # What was typed stays in the field, also after leaving the page and coming back.
    go(at, "pages/1_start.py")
    go(at, "pages/4_costs.py")
    assert at.text_input(key="w.economics.budget").value == "0"
    assert "must be at least 0.01" in errors(at)
    # Fixing it clears the error.
    at.text_input(key="w.economics.budget").set_value("70k")
    ok(at.run())
    assert not at.error
    assert scenario(at).economics.budget == 70000


def test_budget_shows_its_currency_and_separators_and_refuses_what_is_not_an_amount():
    at = app(page="pages/4_costs.py")
    field = at.text_input(key="w.economics.budget")
    assert field.label == "Budget for new data (USD)" and field.value == "$60,000"
    field.set_value("twelve").run()
    assert "is not an amount in USD" in errors(at)
    assert scenario(at).economics.budget == 60000
    at.text_input(key="w.economics.budget").set_value("1.5M").run()
    assert not at.error and scenario(at).economics.budget == 1_500_000
    assert at.text_input(key="w.economics.budget").value == "$1,500,000"


def test_empty_name_shows_an_error():
    at = app()
    at.text_input(key="w.name").set_value("   ")
    ok(at.run())
    assert "Scenario name" in errors(at)
    assert scenario(at).name == "Support intent classifier"


def test_zero_currency_and_bad_learning_curve_show_errors():
    at = app(page="pages/4_costs.py")
    at.text_input(key="w.economics.currency").set_value("")
    ok(at.run())
    assert "Currency code" in errors(at)
    editor = at.data_editor[0]
    # A curve that does not improve with more data cannot be fitted: say so under the table.
    at.session_state[editor.key] = {
        "edited_rows": {3: {"metric": 0.5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    ok(at.run())
    assert "Learning curve" in errors(at) and "does not improve" in errors(at)
    assert scenario(at).economics.learning_curve.points[-1] == (8000.0, 0.89)


def test_learning_curve_table_edit_updates_the_scenario_once():
    at = app(page="pages/4_costs.py")
    editor = at.data_editor[0]
    at.session_state[editor.key] = {
        "edited_rows": {},
        "added_rows": [{"examples": 16000, "metric": 0.905}],
        "deleted_rows": [],
    }
    ok(at.run())
    assert not at.error, errors(at)
    points = scenario(at).economics.learning_curve.points
    assert points[-1] == (16000.0, 0.905) and len(points) == 5
    # Later reruns do not apply the stored edit a second time.
    ok(at.run())
    go(at, REC)
    go(at, "pages/4_costs.py")
    assert len(scenario(at).economics.learning_curve.points) == 5
    assert len(at.data_editor[0].value) == 5


def test_target_above_the_ceiling_warns_but_works():
    at = app(page="pages/4_costs.py")
    at.number_input(key="w.economics.target_metric").set_value(0.99)
    ok(at.run())
    assert not at.error
    assert "ceiling" in warnings(at)
    go(at, REC)
    assert "No plan inside the guardrails reaches the target" in warnings(at)


def test_break_even_shows_once_both_costs_are_set():
    at = app()
    at.button(key="start.blank").click()
    ok(at.run())
    go(at, "pages/4_costs.py")
    assert main_metric(at, "Break-even pre-label accuracy") == "—"
    at = app(page="pages/4_costs.py")
    # The support example's own costs: 0.03 + p*0.4 + (1-p)*2.2 < 1.8  <=>  p > 0.2389
    assert main_metric(at, "Break-even pre-label accuracy") == "24%"
    at.number_input(key="w.economics.confirm_cost_per_example").set_value(0.2)
    at.number_input(key="w.economics.fix_cost_per_example").set_value(2.0)
    ok(at.run())
    # 0.03 + p*0.2 + (1-p)*2.0 < 1.8  <=>  p > 0.1278
    assert main_metric(at, "Break-even pre-label accuracy") == "13%"


def test_user_text_is_escaped_in_markdown():
    at = app()
    hostile = "**bold** [x](http://evil.example) <b>hi</b> $x$ :red[red]"
    at.text_input(key="w.name").set_value(hostile)
    ok(at.run())
    assert scenario(at).name == hostile
    shown = at.sidebar.markdown[0].value
    for raw in ("**bold**", "[x](", "<b>", "$x$", ":red["):
        assert raw not in shown, shown
    assert "\\*\\*bold\\*\\*" in shown and "\\$x\\$" in shown


def test_bad_policy_upload_shows_an_error():
    at = app(page="pages/2_factors.py")
    at.file_uploader(key="factors.policy_upload").set_value(
        ("policy.yaml", b"version: 1\nfactors: 3\n", "application/x-yaml")
    )
    ok(at.run())
    assert "Policy" in errors(at)
    assert "hd.policy_text" not in at.session_state


def test_uploaded_policy_changes_the_guardrails():
    text = (
        (ROOT / "data" / "policy.yaml")
        .read_text()
        .replace(
            "3: {max_synthetic_share: 0.8,  min_review_coverage: 0.1,  min_anchor_share: 0.1,  "
            "tail_weight: 0.12,",
            "3: {max_synthetic_share: 0.3,  min_review_coverage: 0.1,  min_anchor_share: 0.1,  "
            "tail_weight: 0.12,",
        )
    )
    at = app(page="pages/2_factors.py")
    at.file_uploader(key="factors.policy_upload").set_value(
        ("strict.yaml", text.encode(), "application/x-yaml")
    )
    ok(at.run())
    assert not at.error, errors(at)
    assert main_metric(at, "Synthetic cap") == "30%"
    assert any("Custom policy" in plain(c.value) for c in at.sidebar.caption)


# --- the link -------------------------------------------------------------------------------------


def test_url_round_trip_reopens_the_same_scenario():
    at = app(page="pages/2_factors.py")
    at.segmented_control(key="w.factors.domain_judgment").set_value(4)
    ok(at.run())
    go(at, "pages/4_costs.py")
    at.text_input(key="w.economics.budget").set_value("$45,000")
    ok(at.run())
    go(at, "pages/1_start.py")
    at.text_input(key="w.name").set_value("Shared plan ü")
    ok(at.run())
    edited = scenario(at)
    token = at.query_params["s"]
    assert decode(token) == edited
    # A new session (another person opening the link) sees exactly this scenario.
    other = app({"s": token}, page=REC)
    assert scenario(other) == edited
    assert not other.error
    go(other, "pages/2_factors.py")
    assert other.segmented_control(key="w.factors.domain_judgment").value == 4
    go(other, "pages/4_costs.py")
    assert other.text_input(key="w.economics.budget").value == "$45,000"


def test_every_change_updates_the_link():
    at = app(page="pages/2_factors.py")
    first = at.query_params["s"]
    at.segmented_control(key="w.factors.iteration_maturity").set_value(2)
    ok(at.run())
    second = at.query_params["s"]
    assert first != second and decode(second).factors.iteration_maturity == 2


def _token(payload: bytes) -> str:
    return "1." + base64.urlsafe_b64encode(zlib.compress(payload)).decode().rstrip("=")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("1.not-a-scenario", "damaged"),
        ("garbage", "damaged"),
        ("7.eNpLSg", "newer version"),
        ("1." + "A" * 7000, "too long"),
        (_token(b"[" * 50000), "nested too deeply"),
        (_token(b" " * 200_000), "more than"),
        (_token(b'{"name": "x"}'), "economics"),
        (_token(b'{"economics": {"budget": NaN}}'), "not a number"),
        (
            _token(
                b'{"economics": {"budget": 1, "human_cost_per_example": 1, '
                b'"synthetic_cost_per_example": 1,'
                b'"review_cost_per_example": 1, "synthetic_label_accuracy": 0.9, "target_metric": '
                b"0.9,"
                b'"learning_curve": {"points": [[1, 0.1], [2, 0.2], [3, 0.3]]}},'
                b'"dataset": {"human_examples": 100000000000000000000000}}'
            ),
            "at most",
        ),
    ],
)
def test_damaged_or_hostile_link_opens_a_blank_scenario_with_a_message(token, reason):
    at = app({"s": token}, page=REC)
    message = errors(at)
    assert "This link could not be opened" in message and reason in message, message
    assert scenario(at).name == "Untitled scenario"
    # The page still works, and the link is replaced by the blank scenario's.
    assert main_metric(at, "Recommendation") in {"Human-led", "Hybrid", "Synthetic-led"}
    assert decode(at.query_params["s"]) == scenario(at)


# --- the dataset upload ---------------------------------------------------------------------------


def _tickets_csv() -> bytes:
    """400 labeled rows, two annotators, a human/synthetic source column and a thin tail."""
    labels = ["billing"] * 10 + ["refund"] * 6 + ["login"] * 3 + ["fraud"]
    lines = ["text,label,annotator_1,annotator_2,source"]
    for i in range(400):
        label = labels[i % len(labels)] if i % 97 else "legal"
        second = label if i % 10 else "billing"
        lines.append(
            f"ticket {i},{label},{label},{second},{'synthetic' if i % 4 == 0 else 'human'}"
        )
    return ("\n".join(lines) + "\n").encode()


def test_a_file_without_annotators_clears_the_previous_agreement():
    """The example's annotator agreement does not carry over to a file that cannot measure one:
    the rationale would otherwise explain human label noise by a number from another dataset."""
    at = app(page="pages/3_dataset.py")
    assert scenario(at).dataset.annotator_agreement is not None, "the example states an agreement"
    csv = ROOT / "data" / "samples" / "digits_pilot.csv"
    at.file_uploader(key="dataset.upload").set_value(
        ("digits_pilot.csv", csv.read_bytes(), "text/csv")
    )
    ok(at.run())
    assert not at.error, errors(at)
    ds = scenario(at).dataset
    assert ds.annotator_agreement is None and ds.kappa is None
    assert ds.human_examples == 400


def test_uploading_a_dataset_fills_the_fields_which_stay_editable():
    pytest.importorskip("hybrid.evidence.profile")
    at = app(page="pages/3_dataset.py")
    at.file_uploader(key="dataset.upload").set_value(("tickets.csv", _tickets_csv(), "text/csv"))
    ok(at.run())
    assert not at.error, errors(at)
    ds = scenario(at).dataset
    assert (ds.human_examples, ds.synthetic_examples) == (300, 100)
    assert ds.classes == 5 and ds.tail_share is not None and 0.9 < ds.annotator_agreement < 1.0
    assert at.number_input(key="w.dataset.classes").value == 5
    assert at.number_input(key="w.dataset.size").value == 400
    assert "tickets.csv" in ds.source
    # The fields are still the user's to edit.
    at.number_input(key="w.dataset.classes").set_value(6)
    ok(at.run())
    assert scenario(at).dataset.classes == 6
    # The suggested edge-case answer is one click away.
    suggest = [b for b in at.button if b.key == "dataset.suggest"]
    if suggest:
        suggest[0].click()
        ok(at.run())
        assert scenario(at).factors.edge_cases != 3


def test_a_bad_upload_shows_an_error():
    pytest.importorskip("hybrid.evidence.profile")
    at = app(page="pages/3_dataset.py")
    at.file_uploader(key="dataset.upload").set_value(
        ("bad.csv", b"\x00\x01\x02\xff\xfe binary", "text/csv")
    )
    ok(at.run())
    assert "Upload" in errors(at) and "bad.csv" in errors(at)
    assert scenario(at).dataset.human_examples == 8000


def test_an_upload_over_the_limit_is_refused(monkeypatch):
    pytest.importorskip("hybrid.evidence.profile")
    monkeypatch.setenv("HYBRID_MAX_UPLOAD_MB", "0.0001")
    at = app(page="pages/3_dataset.py")
    at.file_uploader(key="dataset.upload").set_value(("tickets.csv", _tickets_csv(), "text/csv"))
    ok(at.run())
    assert "upload limit" in errors(at)
    assert scenario(at).dataset.human_examples == 8000


def test_learning_curve_can_switch_to_fitted_parameters_and_back():
    at = app(page="pages/4_costs.py")
    at.radio(key="costs.curve_mode").set_value("Fitted parameters")
    ok(at.run())
    assert not at.error, errors(at)
    lc = scenario(at).economics.learning_curve
    assert lc.points is None and lc.fitted is not None
    assert at.number_input(key="w.economics.learning_curve.fitted.ceiling").value == pytest.approx(
        lc.fitted.ceiling
    )
    at.number_input(key="w.economics.learning_curve.fitted.exponent").set_value(0.7)
    ok(at.run())
    assert scenario(at).economics.learning_curve.fitted.exponent == 0.7
    go(at, REC)
    assert main_metric(at, "Recommendation") in {"Human-led", "Hybrid", "Synthetic-led"}
    go(at, "pages/4_costs.py")
    at.radio(key="costs.curve_mode").set_value("Measured points")
    ok(at.run())
    assert not at.error, errors(at)
    assert len(scenario(at).economics.learning_curve.points) == 4


def test_target_already_met_says_no_new_data_is_needed():
    at = app(page="pages/4_costs.py")
    at.number_input(key="w.economics.target_metric").set_value(0.5)
    ok(at.run())
    go(at, REC)
    assert any("already meets the target" in s.value for s in at.success)


def test_start_marks_the_loaded_example():
    at = ok(AppTest.from_file(str(ROOT / "pages" / "1_start.py"), default_timeout=TIMEOUT).run())
    marks = [str(b.proto) for b in at.get("badge")] or [m.value for m in at.markdown]
    assert sum("Loaded now" in m for m in marks) == 1
    at.button(key="start.example.medical-notes-labeling").click().run()
    marks = [str(b.proto) for b in at.get("badge")] or [m.value for m in at.markdown]
    assert sum("Loaded now" in m for m in marks) == 1
    assert scenario(at) == load_scenario(EXAMPLES / "medical-notes-labeling.yaml")


def test_costs_shows_the_tail_coverage_the_plan_uses_and_where_it_came_from():
    from hybrid.model.economics import resolve_inputs
    from hybrid.model.policy import load_policy

    def used(at) -> str:
        return next(c.value for c in at.caption if "The plan uses a tail coverage" in c.value)

    at = app(page="pages/4_costs.py")
    default = resolve_inputs(scenario(at), load_policy()).tail_coverage
    assert plain(used(at)) == f"The plan uses a tail coverage of {default:.0%} (policy default)."
    assert at.number_input(key="w.economics.tail_coverage").placeholder == "policy default"
    # Measured on the Dataset page: the Costs page says so, and it is the number the plan uses.
    go(at, "pages/3_dataset.py")
    at.number_input(key="w.dataset.synthetic_tail_coverage").set_value(0.45)
    ok(at.run())
    go(at, "pages/4_costs.py")
    assert resolve_inputs(scenario(at), load_policy()).tail_coverage == pytest.approx(0.45)
    assert plain(used(at)) == (
        "The plan uses a tail coverage of 45% (measured on the dataset: exchange rate on rare "
        "classes)."
    )
    assert at.number_input(key="w.economics.tail_coverage").placeholder == "measured: 0.45"
    # A value on the Costs page overrides the measurement.
    at.number_input(key="w.economics.tail_coverage").set_value(0.2)
    ok(at.run())
    assert plain(used(at)) == "The plan uses a tail coverage of 20% (entered)."


def test_costs_page_shows_what_a_reviewed_row_is_priced_at():
    """The review price typed on Costs is the check; the plan adds the fixes it finds (issue 12:
    a newcomer saw $0.35 on Costs and $0.52 per reviewed row in the work plan's CSV)."""
    from hybrid.money import money

    at = app(page="pages/4_costs.py")
    e = scenario(at).economics
    found = (1 - e.synthetic_label_accuracy) * e.review_catch_rate
    fix = e.human_cost_per_example if e.fix_cost_per_example is None else e.fix_cost_per_example
    unit = (1 - found) * e.review_cost_per_example + found * max(fix, e.review_cost_per_example)
    assert any(
        f"prices a reviewed row at {money(unit, e.currency)}" in c.value.replace("\\", "")
        for c in at.caption
    ), [c.value for c in at.caption]


@pytest.mark.parametrize(
    "page", ["pages/5_recommendation.py", "pages/9_sensitivity.py", "pages/6_workplan.py"]
)
def test_a_results_page_says_why_there_is_no_recommendation(page):
    """Human labels at chance agreement carry no signal: the results pages say so and stop,
    instead of drawing a plan or a traceback."""
    scn = load_scenario(EXAMPLES / "support-intent-fine-tuning.yaml")
    data = scn.model_dump(mode="json", exclude_none=True)
    data["dataset"]["annotator_agreement"] = 1.0 / data["dataset"]["classes"]
    at = app({"s": encode(Scenario.from_dict(data, "chance"))}, page=page)
    assert not at.exception
    shown = [plain(e.value) for e in at.error]
    assert any("carry no signal to plan with" in e for e in shown), shown
