"""Report: the session's recommendation as files people can share (HTML, Markdown, JSON, PDF, YAML).

A preview of the self-contained HTML report (or its Markdown), and one download button per format.
Every report embeds the scenario YAML, so opening a report's YAML in the dashboard reproduces it.
The scenario comes from ``ui.state.current()``, as on every other page. The optional staged plan is
the Rounds page's (``ui.rounds.for_report``: its choices, the same cached computation).
"""

from __future__ import annotations

import streamlit as st

from ui import state as ui_state

# The heading first: the imports below (the model, pandas, plotly; about a second cold)
# come after it, so the page's name shows at once (benchmarks/bench_pages.py).
ui_state.page_setup(
    "Report",
    "The recommendation as a file to share: in an email, a planning doc, a wiki, a pull request. "
    "Every report carries the scenario, so opening it in the dashboard reproduces the numbers.",
)

from datetime import UTC, datetime

from hybrid.errors import InputError
from hybrid.explain.rationale import LABEL_TITLES
from hybrid.model.policy import Policy, load_policy, parse_policy
from hybrid.model.scenario import Scenario
from hybrid.money import money
from hybrid.share.formats import MIME_TYPES, slug
from hybrid.share.pdf import render_pdf
from hybrid.share.render import render_html, render_json, render_markdown
from hybrid.share.report import build_report
from ui import rounds as ui_rounds
from ui import workplan as ui_workplan
from ui.theme import md_escape as _md

PAGE = "pages/12_report.py"
PREVIEW_HEIGHT = 900


def session_scenario() -> tuple[Scenario, str | None]:
    """The session's scenario and uploaded policy text (None: the default policy)."""
    return ui_state.current(), ui_state.policy_text()


@st.cache_resource(show_spinner=False, max_entries=8)
def _policy(text: str | None) -> Policy:
    return load_policy() if text is None else parse_policy(text, "uploaded policy")


@st.cache_data(show_spinner="Computing sensitivity and uncertainty…", max_entries=32)
def _analysis(scenario_json: str, policy_text: str | None, sensitivity: bool, uncertainty: bool):
    """The scenario's one analysis, with the sections the report asks for."""
    from hybrid.whatif.analysis import build_analysis

    scenario = Scenario.model_validate_json(scenario_json)
    return build_analysis(
        scenario, _policy(policy_text), sensitivity=sensitivity, uncertainty=uncertainty
    )


@st.cache_data(show_spinner="Writing the report…", max_entries=4)
def _reports(
    scenario_json: str,
    policy_text: str | None,
    sensitivity: bool,
    uncertainty: bool,
    minute: str,
    workplan_key: str = "",
    _workplan=None,
    rounds_key: str = "",
    _rounds=None,
):
    """Every format for one scenario, policy and set of sections; ``minute`` dates the report's
    footer, so a new minute re-renders (about a second); few entries keep the ~5 MB HTML files
    from piling up in the cache. ``_workplan``: the Work plan page's plan, named by
    ``workplan_key``; ``_rounds``: the Rounds page's staged plan, named by ``rounds_key``."""
    scenario = Scenario.model_validate_json(scenario_json)
    data = build_report(
        scenario,
        _policy(policy_text),
        analysis=_analysis(scenario_json, policy_text, sensitivity, uncertainty),
        generated_at=datetime.fromisoformat(minute),
        workplan=_workplan,
        rounds=_rounds,
    )
    return {
        "html": render_html(data),
        "md": render_markdown(data),
        "json": render_json(data),
        "pdf": render_pdf(data),
        "yaml": data.scenario_yaml,
        "headline": data.headline,
        "label": data.label,
        "verdict": data.verdict,
    }


scenario, policy_text = session_scenario()
problem = ui_state.check(scenario)

if problem is None:
    try:
        _policy(policy_text)
    except InputError as exc:
        problem = str(exc)

if problem is not None or scenario is None:
    st.error(_md(problem or "No scenario to report on."), icon=":material/error:")
    ui_state.finish(PAGE)
    st.stop()

c1, c2, c4, c3 = st.columns([1, 1, 1.2, 1.8])
with_sens = c1.toggle(
    "Sensitivity",
    value=True,
    key="report.sensitivity",
    help="Include the sensitivity section: a tornado of the inputs that move the cost per point "
    "and the label.",
)
with_unc = c2.toggle(
    "Uncertainty",
    value=True,
    key="report.uncertainty",
    help="Include the uncertainty section: Monte Carlo over the policy's input ranges, intervals "
    "and the chance each plan is cheapest.",
)
with_rounds = c4.toggle(
    "Rounds",
    value=False,
    key="report.rounds",
    help="Include the staged plan: the purchase in rounds, measuring between them, beside the "
    "recommended plan bought at once; the plan the Rounds page shows, with its choices.",
)
minute = datetime.now(UTC).replace(second=0, microsecond=0).isoformat()
workplan = ui_workplan.for_report(scenario, policy_text)
if workplan is not None:
    st.caption(
        _md(
            f"With the work plan by slice from the Work plan page ({len(workplan.slices):,} "
            f"slices)."
        )
    )
rounds, rounds_key = None, ""
if with_rounds:
    try:
        rounds = ui_rounds.for_report(scenario, policy_text)
        rounds_key = ui_rounds.report_key(scenario, policy_text)
    except InputError as exc:
        st.warning(
            _md(f"The staged plan is left out: {ui_state.friendly(str(exc))}"),
            icon=":material/warning:",
        )
    else:
        penalty = money(rounds.miss_penalty, scenario.economics.currency)
        st.caption(
            _md(
                f"With the staged plan from the Rounds page ({len(rounds.rounds)} "
                f"round{'' if len(rounds.rounds) == 1 else 's'}, "
                f"cost of missing the target {penalty})."
            )
        )
try:
    files = _reports(
        scenario.model_dump_json(),
        policy_text,
        with_sens,
        with_unc,
        minute,
        ui_workplan.report_key() if workplan is not None else "",
        workplan,
        rounds_key,
        rounds,
    )
except InputError as exc:
    st.error(_md(exc), icon=":material/error:")
    ui_state.finish(PAGE)
    st.stop()

c3.markdown(f"**{_md(LABEL_TITLES[files['label']])}**: {_md(files['verdict'])}")

stem = slug(scenario.name)
st.subheader("Download")
cols = st.columns(5)
buttons = (
    (
        "html",
        "HTML report",
        "Self-contained, works offline, interactive charts; print it to PDF from the browser.",
    ),
    ("pdf", "PDF report", "A4, made without a browser."),
    ("md", "Markdown", "For wikis and pull requests."),
    ("json", "JSON", "The recommend result plus inputs, for scripts."),
    ("yaml", "Scenario YAML", "Open it in the dashboard (Start page) to reproduce this report."),
)
for col, (fmt, label, help_text) in zip(cols, buttons, strict=True):
    data = files[fmt]
    col.download_button(
        label,
        data=data if isinstance(data, bytes) else data.encode("utf-8"),
        file_name=f"{stem}-report.{fmt}" if fmt != "yaml" else f"{stem}.yaml",
        mime=MIME_TYPES[fmt],
        key=f"report.download.{fmt}",
        help=help_text,
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
    )

st.subheader("Preview")
view = st.segmented_control(
    "Preview",
    ["HTML", "Markdown", "JSON"],
    default="HTML",
    key="report.preview",
    label_visibility="collapsed",
    required=True,
)
if view == "Markdown":
    st.code(files["md"], language="markdown", height=PREVIEW_HEIGHT)
elif view == "JSON":
    st.code(files["json"], language="json", height=PREVIEW_HEIGHT)
else:
    # The report is our own HTML with every piece of user text escaped by Jinja2's autoescaping.
    st.iframe(files["html"], height=PREVIEW_HEIGHT)

ui_state.finish(PAGE)
