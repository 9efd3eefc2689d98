"""Start: what are we training? Pick an example, a blank scenario or a saved one, and name it."""

from __future__ import annotations

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly; about a second cold)
# come after it, so the page's name shows at once (benchmarks/bench_pages.py).
scenario = state.page_setup(
    "Start: what are we training?",
    "Pick the example closest to your task, start blank, or open a saved scenario. Every later "
    "page "
    "edits this one scenario, and the page link always reopens it.",
)

from hybrid.errors import InputError
from hybrid.explain.rationale import LABEL_TITLES
from hybrid.model.scenario import (
    DATA_USE_TITLES,
    PLACEHOLDER_CURVE,
    Scenario,
    base_scenario,
    load_yaml_text,
)
from hybrid.share.extract import extract_scenario
from ui import compute, nav
from ui.theme import md_escape

PAGE = "pages/1_start.py"
MAX_SCENARIO_FILE = 1024 * 1024
MAX_REPORT_FILE = 20 * 1024 * 1024  # an HTML report inlines plotly.js (about 5 MB)
REPORT_TYPES = (".html", ".htm", ".md", ".json", ".pdf")
MSG = "hd.start.message"
NO_CURVE = (
    "It has no learning curve, so it is a base for a pilot: until the pilot is measured, every "
    "page plans on a placeholder curve ("
    + ", ".join(f"{n:,.0f} rows at {m:.3f}" for n, m in PLACEHOLDER_CURVE["points"])
    + "), not the team's. Upload the pilot file on the Dataset page, choose “Measure what "
    "synthetic rows add”, then “Use these measurements”: that writes the measured curve, as the "
    "command line's evidence command does. Or enter measured points on the Costs & curve page."
)
USE_TITLES = DATA_USE_TITLES


def _say(kind: str, text: str) -> None:
    st.session_state[MSG] = (kind, text)


def _replace(scenario: Scenario, origin: tuple, what: str, note: str = "") -> None:
    problem = state.replace_scenario(scenario, origin)
    if problem:
        _say("error", f"{what} could not be opened: {problem}")
    elif note:
        _say("warning", f"Opened {what}. {note}")
    else:
        _say("success", f"Opened {what}. Every page now works on it.")


def _open_example(stem: str) -> None:
    s = state.example(stem)
    _replace(s, ("example", stem), f"the example “{s.name}”")


def _open_blank() -> None:
    _replace(
        state.blank(),
        ("blank",),
        "a blank scenario (placeholder numbers: replace them on the next pages)",
    )


def _open_file(key: str) -> None:
    upload = st.session_state.get(key)
    if upload is None:
        return
    data = upload.getvalue()
    is_report = upload.name.lower().endswith(REPORT_TYPES)
    limit = MAX_REPORT_FILE if is_report else MAX_SCENARIO_FILE
    if len(data) > limit:
        what = "a report" if is_report else "a scenario file"
        _say(
            "error",
            f"{upload.name}: {len(data):,} bytes is too large for {what} (at most {limit // 2**20} "
            f"MB)",
        )
        return
    placeholder = False
    try:
        if is_report:
            try:
                scenario = extract_scenario(data)
            except InputError as exc:
                raise InputError(f"{upload.name}: {exc}") from None
        else:
            # A base scenario for a pilot (no learning curve) opens as the command line's
            # evidence command reads it, with the placeholder curve until the pilot is measured.
            scenario, placeholder = base_scenario(
                load_yaml_text(data.decode("utf-8"), upload.name), upload.name
            )
    except UnicodeDecodeError:
        _say("error", f"{upload.name}: not UTF-8 text; a scenario file is YAML")
        return
    except InputError as exc:
        _say("error", str(exc))
        return
    _replace(scenario, ("file", upload.name), f"“{upload.name}”", NO_CURVE if placeholder else "")


def _open_saved(name: str) -> None:
    try:
        stored = compute.library().get(name)
    except InputError as exc:
        _say("error", str(exc))
        return
    _replace(
        stored.scenario,
        ("library", name, stored.info.version),
        f"“{name}” (version {stored.info.version}) from the library",
    )


def _save() -> None:
    scenario = state.current()
    origin = st.session_state.get(state.ORIGIN, ())
    expected = origin[2] if origin and origin[0] == "library" and origin[1] == scenario.name else 0
    try:
        info = compute.library().save(scenario.name, scenario, expected_version=expected)
    except InputError as exc:
        _say("error", str(exc))
        return
    st.session_state[state.ORIGIN] = ("library", info.name, info.version)
    _say("success", f"Saved “{info.name}” as version {info.version} in the library.")


message = st.session_state.pop(MSG, None)
if message:
    kind, text = message
    {"success": st.success, "warning": st.warning}.get(kind, st.error)(md_escape(text))

with st.container(border=True):
    st.subheader("This scenario")
    c1, c2 = st.columns(2)
    state.text(
        "Scenario name",
        "name",
        max_chars=200,
        where=c1,
        help="Shown on every page and in saved files.",
    )
    state.text(
        "Domain (optional)",
        "domain",
        optional=True,
        max_chars=200,
        where=c2,
        placeholder="e.g. customer support, clinical notes",
        help="Words such as medical, legal, finance or hiring mark a regulated domain, which "
        "tightens the "
        "guardrails when label errors are costly.",
    )
    origin = st.session_state.get(state.ORIGIN, ())
    if origin:
        where = {
            "example": "an example",
            "blank": "a blank scenario",
            "link": "a shared link",
            "file": "an uploaded file",
            "library": "the library",
        }.get(origin[0], "earlier edits")
        st.caption(f"Started from {where}. Data use: {USE_TITLES[scenario.data_use]}.")

st.subheader("Start from an example")
st.caption(
    "Opening one replaces the current scenario. To keep the current one, copy the page link or "
    "save it first."
)
items = compute.examples()
cards = [(stem, Scenario.from_yaml(text, stem), text) for stem, text in items]
cols_per_row = 4
for row_start in range(0, len(cards) + 1, cols_per_row):
    cols = st.columns(cols_per_row, gap="medium")
    for col, i in zip(cols, range(row_start, row_start + cols_per_row), strict=False):
        with col:
            if i < len(cards):
                stem, ex, text = cards[i]
                try:
                    label = LABEL_TITLES[compute.analysis_for(ex, None).rec.label]
                except Exception:  # noqa: BLE001 - a broken example must not break the page
                    label = "?"
                blurb = " ".join(
                    line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")
                )
                origin = state.scenario_origin()
                loaded = scenario == ex
                with st.container(border=True, height="stretch"):
                    st.markdown(f"**{md_escape(ex.name)}**")
                    if loaded:
                        st.badge("Loaded now", icon=":material/check_circle:", color="green")
                    elif tuple(origin[:2]) == ("example", stem):
                        st.badge("Loaded, then edited", icon=":material/edit:", color="orange")
                    st.caption(
                        md_escape(
                            f"{USE_TITLES[ex.data_use]} · {ex.domain or 'no domain'} · default: "
                            f"{label}"
                        )
                    )
                    st.write(md_escape(blurb.split(". ")[0] + ".") if blurb else "")
                    st.button(
                        "Use this example",
                        key=f"start.example.{stem}",
                        on_click=_open_example,
                        args=(stem,),
                    )
            elif i == len(cards):
                with st.container(border=True, height="stretch"):
                    st.markdown("**Blank scenario**")
                    st.caption("neutral factors · placeholder costs")
                    st.write(
                        "Start from neutral answers (3 of 5) and generic numbers; replace them "
                        "page by page."
                    )
                    st.button("Start blank", key="start.blank", on_click=_open_blank)

st.subheader("Open or keep a saved scenario")
left, right = st.columns(2)
with left, st.container(border=True):
    st.markdown("**From the library**")
    try:
        lib = compute.library()
        names = lib.names()
    except InputError as exc:
        names = None
        st.info(f"The scenario library is not available: {md_escape(exc)}")
    if names is not None:
        if names:
            pick = st.selectbox("Saved scenarios", names, key="start.library.pick")
            st.button(
                "Open saved scenario", key="start.library.open", on_click=_open_saved, args=(pick,)
            )
        else:
            st.caption("The library is empty. Save this scenario to add it.")
        st.button(
            "Save this scenario to the library",
            key="start.library.save",
            on_click=_save,
            help="Saves a new version under the scenario's name. If someone else saved it since "
            "you opened "
            "it, nothing is overwritten and you are told.",
        )
with right, st.container(border=True):
    st.markdown("**From a file**")
    key = f"start.upload.{st.session_state.get(state.EPOCH, 0)}"
    st.file_uploader(
        "Scenario YAML file, or a report made by this tool (HTML, Markdown, JSON, PDF)",
        type=["yaml", "yml", "html", "htm", "md", "json", "pdf"],
        max_upload_size=MAX_REPORT_FILE // 2**20,
        key=key,
        on_change=_open_file,
        args=(key,),
        help="A report carries the scenario it was made from; opening it reproduces the report's "
        "numbers. "
        f"A report may be up to {MAX_REPORT_FILE // 2**20} MB (an HTML report carries its charts' "
        f"code), a scenario "
        f"YAML file up to {MAX_SCENARIO_FILE // 2**20} MB. Datasets go on the Dataset page, which "
        f"takes larger files.",
    )
    # Imported here: the store module brings SQLAlchemy, a second of imports before the heading.
    from hybrid.store.scenarios import safe_filename

    st.download_button(
        "Download this scenario as YAML",
        data=scenario.to_yaml(),
        file_name=f"{safe_filename(scenario.name)}.yaml",
        mime="application/x-yaml",
        key="start.download",
    )

state.finish(PAGE, nav.neighbours(PAGE))
