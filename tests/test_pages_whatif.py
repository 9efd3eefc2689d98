"""The what-if pages through Streamlit's AppTest: Compare, Sensitivity, Collapse and Library.

Every test runs against a scenario library in a temporary folder (``HYBRID_DATA_DIR``), so nothing
touches a real library. The pages run on their own (``AppTest.from_file``), as they do under
app.py's navigation.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from hybrid.model.scenario import Scenario, load_scenario
from hybrid.store.scenarios import open_store
from tests.conftest import ROOT

PAGES = {
    "compare": "pages/8_compare.py",
    "sensitivity": "pages/9_sensitivity.py",
    "collapse": "pages/10_collapse.py",
    "library": "pages/11_library.py",
}
TIMEOUT = 120
EXAMPLE = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh, empty SQLite library for each test; closed afterwards."""
    monkeypatch.delenv("HYBRID_DATABASE_URL", raising=False)
    monkeypatch.setenv("HYBRID_DATA_DIR", str(tmp_path))
    yield tmp_path
    from ui import compute

    try:
        compute.library().close()
    finally:
        compute._library.clear()


@pytest.fixture
def store(data_dir):
    s = open_store()
    yield s
    s.close()


def page(name: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / PAGES[name]), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    """Everything the page said, main area and sidebar, as one string (markdown escapes removed)."""
    parts = [
        e.value for e in (*at.markdown, *at.caption, *at.success, *at.error, *at.warning, *at.info)
    ]
    parts += [e.value for e in (*at.sidebar.markdown, *at.sidebar.caption)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def alerts(at, kind: str) -> list[str]:
    return [str(e.value).replace("\\", "") for e in getattr(at, kind)]


TABLE_COLUMNS = {  # a column only that table has (AppTest does not expose st.dataframe keys)
    "lib.trash.table": "Deleted by",
    "lib.history": "Based on",
    "compare.inputs": "Input",
    "compare.outcomes": "Outcome",
    "sens.tornado.table": "Flips the label",
    "sens.mc.table": "Cheapest per point",
}


def table(at, key: str):
    column = TABLE_COLUMNS[key]
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table {key!r}"
    return found[0]


def variant(**economics) -> Scenario:
    data = load_scenario(EXAMPLE).model_dump(mode="json")
    data["economics"].update(economics)
    return Scenario.from_dict(data)


# --- every page renders
# -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders_without_exception(data_dir, name):
    at = page(name)
    assert at.title and at.title[0].value
    assert not alerts(at, "error"), alerts(at, "error")
    at.run()  # a rerun that changed nothing
    assert not at.exception


# --- library
# ----------------------------------------------------------------------------------------


def test_library_save_rename_duplicate_delete_restore_round_trip(store):
    at = page("library")
    # no name: nothing is written, and the user is told why
    at.button(key="lib.save").click().run()
    assert any("Type your name" in m for m in alerts(at, "error"))
    assert store.names() == []

    at.text_input(key="lib.author").input("Dana").run()
    at.button(key="lib.save").click().run()
    name = at.session_state["hd.scenario"].name
    assert any(f"Saved “{name}” as version 1" in m for m in alerts(at, "success"))
    assert store.names() == [name]
    assert store.history(name)[0].author == "Dana"
    assert at.session_state["hd.origin"] == ("library", name, 1)

    # the author is remembered for the session
    at.run()
    assert at.text_input(key="lib.author").value == "Dana"

    at.text_input(key="lib.rename.to").input("Q3 plan").run()
    at.button(key="lib.rename").click().run()
    assert store.names() == ["Q3 plan"]
    assert at.session_state["hd.scenario"].name == "Q3 plan"  # the open scenario follows its entry
    assert [e.kind for e in store.events("Q3 plan")] == ["renamed"]

    at.text_input(key="lib.duplicate.to").input("Q3 plan, cheaper").run()
    at.button(key="lib.duplicate").click().run()
    assert store.names() == ["Q3 plan", "Q3 plan, cheaper"]
    assert at.selectbox(key="lib.pick").value == "Q3 plan, cheaper"

    at.button(key="lib.delete").click().run()
    assert store.names() == ["Q3 plan"]
    assert [t.name for t in store.trash()] == ["Q3 plan, cheaper"]
    assert "Q3 plan, cheaper" in table(at, "lib.trash.table")["Name"].tolist()

    at.button(key="lib.undelete").click().run()
    assert store.names() == ["Q3 plan", "Q3 plan, cheaper"]
    assert any("Restored “Q3 plan, cheaper” from the trash" in m for m in alerts(at, "success"))

    # a second version, then restore the first: history only grows
    at.selectbox(key="lib.pick").set_value("Q3 plan").run()
    store.save("Q3 plan", variant(budget=90_000), author="Lee", expected_version=1)
    at.run()
    assert table(at, "lib.history")["Version"].tolist() == [2, 1]
    at.selectbox(key="lib.version").set_value(1).run()
    at.button(key="lib.restore").click().run()
    assert [v.version for v in store.history("Q3 plan")] == [1, 2, 3]
    assert store.load("Q3 plan", 3).economics.budget == store.load("Q3 plan", 1).economics.budget
    assert store.history("Q3 plan")[-1].note == "restored from version 1"

    # open a saved version: it becomes the session's scenario
    at.selectbox(key="lib.version").set_value(2).run()
    at.button(key="lib.open_version").click().run()
    assert at.session_state["hd.scenario"].economics.budget == 90_000
    assert at.session_state["hd.origin"] == ("library", "Q3 plan", 2)
    assert not at.exception


def test_library_conflict_is_reported_not_swallowed(store):
    at = page("library")
    at.text_input(key="lib.author").input("Dana").run()
    at.button(key="lib.save").click().run()
    name = at.session_state["hd.scenario"].name

    # someone else saves a newer version while Dana keeps working on version 1
    store.save(name, variant(budget=12_345), author="Lee", expected_version=1)
    at.button(key="lib.save").click().run()
    warnings = alerts(at, "warning")
    assert any(
        "someone else saved a newer version" in w and "Lee saved version 2" in w for w in warnings
    ), warnings
    assert [v.version for v in store.history(name)] == [1, 2]  # nothing was written
    assert store.load(name).economics.budget == 12_345

    # explicit choice: keep both
    at.button(key="lib.conflict.save").click().run()
    assert [v.author for v in store.history(name)] == ["Dana", "Lee", "Dana"]
    assert "concurrent edit" in store.history(name)[-1].note
    assert at.session_state["hd.origin"] == ("library", name, 3)
    assert not alerts(at, "warning")


def test_library_save_under_a_taken_name_asks_first(store):
    store.save("Taken", variant(budget=1_000), author="Lee")
    at = page("library")
    at.text_input(key="lib.author").input("Dana").run()
    at.text_input(key="lib.save.name").input("Taken").run()
    at.button(key="lib.save").click().run()
    assert any("already in the library" in w for w in alerts(at, "warning"))
    assert len(store.history("Taken")) == 1
    at.button(key="lib.conflict.cancel").click().run()
    assert len(store.history("Taken")) == 1
    assert not alerts(at, "warning")


def test_broken_yaml_import_shows_an_error_naming_the_file(store):
    at = page("library")
    at.text_input(key="lib.author").input("Dana").run()
    at.file_uploader[0].set_value(
        ("q3-broken.yaml", b"name: [unclosed\n  budget: 1", "application/x-yaml")
    ).run()
    assert not at.exception
    errors = alerts(at, "error")
    assert any("q3-broken.yaml" in e and "Nothing was imported" in e for e in errors), errors
    assert store.names() == []

    # a valid YAML file with an invalid field: named too
    bad = load_scenario(EXAMPLE).to_yaml().replace("budget:", "budgett:")
    at.file_uploader[0].set_value(("typo.yml", bad.encode(), "application/x-yaml")).run()
    assert any("typo.yml" in e and "budgett" in e for e in alerts(at, "error"))

    # in a zip, the member is named
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("good.yaml", load_scenario(EXAMPLE).to_yaml())
        zf.writestr("plans/bad.yaml", "economics: 3")
    at.file_uploader[0].set_value(("team.zip", buf.getvalue(), "application/zip")).run()
    assert any("team.zip: plans/bad.yaml" in e for e in alerts(at, "error"))
    assert store.names() == []  # all or nothing
    assert not at.exception


def test_import_and_export_zip_round_trip(store):
    store.save("Alpha", variant(budget=10_000), author="Lee")
    store.save("Beta", variant(budget=20_000), author="Lee")
    at = page("library")
    from ui import library

    data = library.export_zip()
    assert sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) == ["Alpha.yaml", "Beta.yaml"]
    store.delete("Beta", author="Lee")
    at.text_input(key="lib.author").input("Dana").run()
    at.file_uploader[0].set_value(("export.zip", data, "application/zip")).run()
    ok = alerts(at, "success")
    assert any("1 new" in m and "1 unchanged" in m for m in ok), ok
    assert store.names() == ["Alpha", "Beta"]
    assert store.load("Beta").economics.budget == 20_000


# --- compare and baseline
# ---------------------------------------------------------------------------


def test_compare_highlights_the_inputs_that_differ(store):
    store.save(
        "Bigger budget", variant(budget=120_000, synthetic_label_accuracy=0.95), author="Lee"
    )
    at = page("compare")
    at.multiselect(key="compare.pick").set_value(["Current scenario", "Saved: Bigger budget"]).run()
    assert not at.exception
    inputs = table(at, "compare.inputs")
    marked = inputs[inputs["_differs"]]
    assert sorted(marked["Input"]) == ["budget", "generator label accuracy"]
    assert set(marked[""]) == {"◆"}
    assert not inputs[~inputs["_differs"]][""].any()
    said = texts(at)
    assert "2 inputs differ:" in said and "budget, generator label accuracy" in said
    outcomes = table(at, "compare.outcomes")
    assert "Cost per point, recommended mix" in outcomes["Outcome"].tolist()
    assert {c for c in outcomes.columns if "Bigger budget" in c}
    assert len(at.get("plotly_chart")) == 3
    assert len(at.metric) >= 6  # label, share, cost per point for each scenario


def test_baseline_delta_appears_after_a_change(data_dir):
    at = page("compare")
    assert "No baseline set" in texts(at)
    at.button(key="compare.baseline.current").click().run()
    assert "No change from the baseline" in texts(at)

    # a change made anywhere (here: the session's scenario, as any page's widget would)
    current = at.session_state["hd.scenario"]
    data = current.model_dump()
    data["economics"]["budget"] = 15_000
    data["factors"]["edge_cases"] = 5
    at.session_state["hd.scenario"] = Scenario.from_dict(data)
    at.run()
    side = "\n".join(str(m.value) for m in (*at.sidebar.markdown, *at.sidebar.caption)).replace(
        "\\", ""
    )
    assert "Since the baseline" in side
    assert "Synthetic share:" in side and "▼" in side
    assert "Cost per point:" in side and "Spend:" in side
    assert "Inputs changed: importance of edge cases, budget." in side

    # the baseline set on one page shows on the others (same session)
    at.switch_page(str(ROOT / PAGES["collapse"])).run()
    assert not at.exception
    assert "Since the baseline" in texts(at)

    at.switch_page(str(ROOT / PAGES["compare"])).run()
    at.button(key="baseline.clear").click().run()
    assert "No baseline set" in texts(at)


def test_compare_and_baseline_never_render_user_text_as_markup(store):
    store.save("**bold** <b>x</b> [link](http://e.x)", variant(budget=30_000), author="Lee")
    at = page("compare")
    at.multiselect(key="compare.pick").set_value(
        ["Current scenario", "Saved: **bold** <b>x</b> [link](http://e.x)"]
    ).run()
    assert not at.exception
    raw = [str(m.value) for m in at.markdown if "bold" in str(m.value)]
    assert raw and all("\\*\\*bold\\*\\*" in r and "\\<b\\>" in r for r in raw)


def test_library_sets_the_baseline(store):
    store.save("Last quarter", variant(budget=25_000), author="Lee")
    at = page("library")
    at.button(key="lib.baseline").click().run()
    assert "Baseline: Last quarter v1 (saved)" in texts(at)
    assert "Since the baseline" in texts(at)


# --- sensitivity
# ------------------------------------------------------------------------------------


def test_sensitivity_shows_the_tornado_and_monte_carlo_numbers(data_dir):
    at = page("sensitivity")
    said = texts(at)
    assert "Measure the " in said and " next (" in said  # measure_next in words
    assert (
        len(at.get("plotly_chart")) >= 3
    )  # tornado, cost per point spread, chance of being cheapest (+ threshold sweep)
    tornado = table(at, "sens.tornado.table")
    assert len(tornado) == 8 and set(tornado["Flips the label"]) <= {"no", "⚑ yes"}

    mc = table(at, "sens.mc.table")
    assert len(mc) == 3
    # One probability formatter for the headline, the table and the chart.
    from hybrid.vocabulary import probability

    a = sensitivity_page_monte_carlo()
    by_plan = {p.name: p for p in a.plans}
    assert list(mc["Cheapest per point"]) == [probability(p.p_cheapest) for p in a.plans]
    assert list(mc["Reaches target"]) == [probability(p.p_reaches_target) for p in a.plans]
    recommended = probability(by_plan["recommended"].p_reaches_target)
    assert {m.label: m.value for m in at.metric}["Recommended reaches the target"] == recommended
    chart = next(c for c in at.get("plotly_chart") if "Chance of being cheapest" in c.proto.spec)
    import json

    bars = json.loads(chart.proto.spec)["data"][0]
    assert list(bars["text"]) == [probability(p.p_cheapest) for p in a.plans][::-1]
    assert all(v.startswith("$") for v in mc["Median cost per point (USD)"])
    metric_labels = [m.label for m in at.metric]
    assert "Cost per point, recommended (90% interval)" in metric_labels

    # seeded: the same seed gives the same numbers, another seed other numbers
    first = mc["Median cost per point (USD)"].tolist()
    at.number_input(key="sens.seed").set_value(7).run()
    assert table(at, "sens.mc.table")["Median cost per point (USD)"].tolist() != first
    at.number_input(key="sens.seed").set_value(0).run()
    assert table(at, "sens.mc.table")["Median cost per point (USD)"].tolist() == first

    # leaving out the all-synthetic plan
    at.toggle(key="sens.include_syn").set_value(False).run()
    assert len(table(at, "sens.mc.table")) == 2
    assert not at.exception


def sensitivity_page_monte_carlo():
    """The Monte Carlo the Sensitivity page shows on first open (the example, policy ranges,
    seed 0, the all-synthetic plan included)."""
    from hybrid.model.policy import load_policy
    from hybrid.whatif.analysis import build_analysis

    return build_analysis(load_scenario(EXAMPLE), load_policy(), uncertainty=True).uncertainty


def test_sensitivity_marks_a_flipping_input_and_finds_the_threshold(data_dir):
    from tests.conftest import make_scenario

    at = page("sensitivity")
    at.session_state["hd.scenario"] = make_scenario(
        data_use="pretraining",
        factors={"error_cost": 1, "domain_judgment": 1, "edge_cases": 2, "iteration_maturity": 5},
        economics__synthetic_label_accuracy=0.75,
        economics__human_cost_per_example=0.3,
        economics__synthetic_cost_per_example=0.05,
    )
    at.run()
    assert not at.exception
    # the threshold finder (generator accuracy, 50% to 100% by default) names the value
    said = texts(at)
    assert "At generator label accuracy ≈" in said and "the recommendation changes from" in said
    # a wide accuracy range flips the label in the tornado
    at.session_state["hd.whatif.ranges"] = {"accuracy": {"low": -0.25, "high": 0.25}}
    at.run()
    tornado = table(at, "sens.tornado.table")
    row = tornado[tornado["Input"] == "generator label accuracy"].iloc[0]
    assert row["Flips the label"] == "⚑ yes"
    assert "Inputs whose range flips the label: generator label accuracy" in texts(at)


def test_sensitivity_bad_range_edit_is_reported(data_dir):
    at = page("sensitivity")
    at.session_state["hd.whatif.ranges"] = {"human_cost": {"low": 2.0, "high": 1.0}}
    at.run()
    assert not at.exception
    assert any("human cost per example: low must not exceed high" in e for e in alerts(at, "error"))
    at.selectbox(key="sens.thr.field").set_value("human_cost").run()
    at.number_input(key="sens.thr.lo.human_cost").set_value(5.0).run()
    at.number_input(key="sens.thr.hi.human_cost").set_value(1.0).run()
    assert any("“From” must be below “To”" in e for e in alerts(at, "error"))


# --- collapse
# ---------------------------------------------------------------------------------------


def test_collapse_slider_changes_the_output(data_dir):
    at = page("collapse")

    def seen():
        return [int(m.value.replace(",", "")) for m in at.metric if m.label == "Categories seen"]

    before = seen()
    assert (
        len(before) == 2 and before[0] < before[1] <= 10_000
    )  # replace loses more than accumulate
    assert "Replace, after 20 generations" in texts(at)
    assert len(at.get("plotly_chart")) == 4
    at.slider(key="collapse.fresh").set_value(20).run()
    assert not at.exception
    after = seen()
    assert after[0] > before[0]  # fresh human data keeps categories alive
    assert "with no fresh human data, the dotted grey line" in texts(at)

    at.toggle(key="collapse.show.replace").set_value(False).run()
    assert len(seen()) == 1 and "Replace, after" not in texts(at)
    # kept across a rerun (and a page switch): the slider keeps its value
    at.run()
    assert at.slider(key="collapse.fresh").value == 20


def test_compare_saves_the_current_scenario_and_never_offers_one_already_picked(store):
    at = page("compare")
    # The loaded example is the current scenario: the same scenario is not offered again as an
    # example.
    options = at.multiselect(key="compare.pick").options
    assert "Current scenario" in options
    assert "Example: Support intent classifier" not in options
    assert "Example: Clinical notes labeling" in options or any(
        o.startswith("Example: ") for o in options
    )
    # Saving needs a name for the record, then writes the current scenario to the library.
    at.text_input(key="compare.save.name").set_value("Q3 plan").run()
    at.button(key="compare.save.save").click().run()
    assert store.names() == [] and any("Your name" in a for a in alerts(at, "error"))
    at.text_input(key="compare.save.author").set_value("Dana").run()
    at.button(key="compare.save.save").click().run()
    assert store.names() == ["Q3 plan"]
    assert store.load("Q3 plan").economics == at.session_state["hd.scenario"].economics
    assert any("Saved “Q3 plan” as version 1 (by Dana)" in s for s in alerts(at, "success"))
    # The saved copy is the current scenario (now named Q3 plan too): not offered beside it.
    assert "Saved: Q3 plan" not in at.multiselect(key="compare.pick").options
    # Four at most, and the page says why.
    for n in ("A", "B", "C"):
        store.save(n, variant(budget=10_000 * (ord(n) - 60)), author="Lee")
    at.run()
    at.multiselect(key="compare.pick").set_value(
        ["Current scenario", "Saved: A", "Saved: B", "Saved: C"]
    ).run()
    assert not at.exception
    assert "4 scenarios picked, the most that fit side by side" in texts(at)
    assert len([m for m in at.main.metric if m.label == "Recommendation"]) == 4
