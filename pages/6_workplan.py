"""Work plan: the recommended plan as a work order per slice of the team's data: new human rows,
new synthetic rows and review for each slice, why, what would move it, and the quotas to download.

The data is the Dataset page's upload (or the bundled sample); the slice plan is
``hybrid.model.workplan.slice_plan``, cached in ``ui.workplan``."""

from __future__ import annotations

import json

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly; about a second cold) come
# after it, so the page's name shows at once (benchmarks/bench_pages.py).
scenario = state.page_setup(
    "Work plan: which slices get which rows",
    "The recommended plan split across slices of your data (the classes, or any column): new human "
    "rows, "
    "new synthetic rows and human review for each, with the reviewed sample that measures the "
    "generator there.",
)

from hybrid.errors import InputError
from hybrid.model.workplan import Settings
from hybrid.money import money
from hybrid.safetext import neutralise_frame
from hybrid.share.formats import slug
from hybrid.share.workplan import workplan_csv
from ui import compute, nav
from ui import workplan as ui_wp
from ui.theme import md_escape

PAGE = "pages/6_workplan.py"
DATASET = "pages/3_dataset.py"

a = state.analysis_or_stop(scenario, PAGE, nav.neighbours(PAGE))

up, prof = ui_wp.loaded()
if not up or not prof or not prof.get("data"):
    with st.container(border=True):
        if up and prof:
            st.warning(
                md_escape(
                    f"{up['name']} is a statistics file: it has counts, not rows, so it cannot be "
                    f"split into slices. "
                    "Upload the data file itself on the Dataset page."
                ),
                icon=":material/info:",
            )
        else:
            st.info(
                "No dataset loaded yet. A work plan needs the team's labeled rows: upload them on "
                "the "
                "Dataset page, or try it on the bundled sample.",
                icon=":material/dataset:",
            )
        c1, c2 = st.columns(2)
        if st.session_state.get(state.NAV):
            c1.page_link(
                DATASET, label="Upload a dataset on the Dataset page", icon=":material/upload_file:"
            )
        else:
            c1.caption("Upload a dataset on the Dataset page.")
        c2.button(
            "Use the bundled sample",
            key="workplan.sample",
            on_click=ui_wp.use_sample,
            icon=":material/science:",
            help=f"{ui_wp.SAMPLE.name}: support tickets labeled by two annotators, with synthetic "
            f"rows. Only the work plan reads it: your scenario stays as it is.",
        )
        state.field_error("dataset.upload", "Sample")
    state.finish(PAGE, nav.neighbours(PAGE))
    st.stop()

if ui_wp.using_sample():
    st.info(
        md_escape(
            f"Slicing the bundled sample, {ui_wp.SAMPLE.name}. Your scenario is unchanged: the "
            "plan split here is the one the other pages show."
        ),
        icon=":material/science:",
    )
    st.button("Stop using the sample", key="workplan.sample.stop", on_click=ui_wp.stop_sample)

settings = Settings.from_policy(compute.policy(state.policy_text()))
ui_wp.seed(up, prof, settings.margin, settings.confidence)
cols = prof["columns"]
with st.container(border=True):
    st.markdown(f"**Slices of {md_escape(up['name'])}**")
    c1, c2, c3 = st.columns([1, 2, 1.2], gap="medium")
    c1.selectbox(
        "Slice column",
        cols,
        key=ui_wp.KEYS["slice"],
        help="Each value of this column is one slice. The label column makes the classes the "
        "slices.",
    )
    c2.multiselect(
        "Annotator columns",
        cols,
        key=ui_wp.KEYS["annotators"],
        help="Two or more columns with each annotator's label: their agreement per slice sets how "
        "far "
        "a generator can be trusted there, and on reviewed synthetic rows they measure it.",
    )
    c3.selectbox(
        "Source column (human or synthetic)",
        [""] + cols,
        key=ui_wp.KEYS["source"],
        format_func=lambda c: c or "(none: every row human)",
        help="Rows marked synthetic are not counted as human rows; reviewed ones measure the "
        "generator.",
    )
    c4, c5, c6 = st.columns([1, 1, 2.2], gap="medium", vertical_alignment="bottom")
    c4.number_input(
        "Verification margin (± points)",
        min_value=0.5,
        max_value=25.0,
        step=0.5,
        format="%.1f",
        key=ui_wp.KEYS["margin"],
        help="How precisely each slice's generator accuracy must be known: the Wilson interval's "
        "half-width.",
    )
    c5.number_input(
        "Confidence (%)",
        min_value=50.0,
        max_value=99.9,
        step=0.5,
        format="%.1f",
        key=ui_wp.KEYS["confidence"],
        help="Confidence of that interval.",
    )
    spec = ui_wp.remember(up, prof)
    label = spec["label"]
    c6.caption(
        md_escape(
            (f"Generator labels are checked against the label column {label}. " if label else "")
            + "Column choices are kept for this file; the numbers come from the scenario on the "
            "other pages."
        )
    )

try:
    wp = ui_wp.plan_for(scenario, state.policy_text(), up, spec)
except InputError as exc:
    st.error(md_escape(state.friendly(str(exc))), icon=":material/error:")
    state.finish(PAGE, nav.neighbours(PAGE))
    st.stop()

cur = wp.currency
t = wp.total()
with st.container(border=True):
    m = st.columns(5)
    m[0].metric("Slices", f"{len(wp.slices):,}")
    m[1].metric(
        "New human rows",
        f"{t['human_examples']:,}",
        help="The overall plan's, split across the slices.",
    )
    m[2].metric("New synthetic rows", f"{t['synthetic_examples']:,}")
    m[3].metric(
        "Reviewed rows",
        f"{t['reviewed_examples']:,}",
        help="Synthetic rows a human checks before training.",
    )
    m[4].metric(
        "Spend",
        money(t["spend"], cur),
        "= the overall plan"
        if wp.spends_the_overall_plan
        else f"overall plan {money(wp.plan.spend, cur)}",
        delta_color="off",
        delta_arrow="off",
        help="Each layer at the overall plan's price per row, so the slices add up to its spend "
        "to the cent.",
    )
    beyond = wp.beyond_the_plan()
    if beyond:
        st.warning(md_escape(beyond), icon=":material/payments:")
    for note in wp.notes:
        st.caption(":material/info: " + md_escape(note))

if t["spend"] > 0:
    st.plotly_chart(
        ui_wp.spend_figure(wp), theme=None, key="workplan.chart", config={"displayModeBar": False}
    )
    st.caption(
        "Blue: new human rows (expert anchor); orange: new synthetic rows; green: human review of "
        "them."
    )
else:
    # An empty bar per slice over a "$-1 to $1" axis says nothing; this says why it is empty.
    st.info(
        "The plan buys no new rows, so no slice gets any spend: nothing to chart.",
        icon=":material/info:",
    )

st.subheader("Slice by slice")
# Two tables of the same rows, each narrow enough for a 1280 px screen (one table of every column
# ran past the right edge): what each slice gets, then what sets its mix, with short column names
# under a caption that says what they count. The reasons in words are under "Explain one slice".
slice_table = neutralise_frame(ui_wp.table(wp))
for key, caption, columns in (
    (
        "workplan.table",
        "New rows and spend per slice. Check sample: reviewed rows that measure the generator's "
        "accuracy in the slice.",
        {
            "Slice": "Slice",
            "Rows today": "Rows today",
            "New human rows": "New human",
            "New synthetic rows": "New synthetic",
            "Reviewed rows": "Reviewed",
            "Verification sample": "Check sample",
            "Spend": "Spend",
        },
    ),
    (
        "workplan.mix",
        "What sets each slice's mix: annotator agreement, generator accuracy, the synthetic share "
        "and its cap, and review coverage of the synthetic rows.",
        {
            "Slice": "Slice",
            "Edge case": "Edge case",
            "Annotator agreement": "Agreement",
            "Generator accuracy": "Generator",
            "Synthetic share": "Synthetic",
            "Synthetic cap": "Cap",
            "Review coverage": "Review",
        },
    ),
):
    st.caption(caption)
    st.dataframe(
        slice_table,
        hide_index=True,
        width="stretch",
        key=key,
        height=min(36 * (len(wp.slices) + 1) + 24, 620),
        column_order=list(columns),
        column_config={
            column: st.column_config.Column(label, pinned=column == "Slice")
            for column, label in columns.items()
        },
    )

names = [s.slice for s in wp.slices]
pick = st.selectbox(
    "Explain one slice",
    range(len(names)),
    format_func=lambda i: " ".join(str(names[i]).split()),
    key="workplan.explain",
)
if pick is not None and pick < len(wp.slices):
    s = wp.slices[pick]
    with st.container(border=True):
        st.markdown(f"**{md_escape(s.slice)}**: {md_escape(s.reason)}")
        st.markdown(f"**What would move it:** {md_escape(s.moves)}")
        st.caption(
            md_escape(
                f"Generator accuracy {s.accuracy:.0%} ({s.accuracy_source}); synthetic cap "
                f"{s.max_synthetic_share:.0%} "
                f"({s.cap_reason.rstrip('.')})."
            )
        )

st.subheader("Quotas for the labeling team")
stem = slug(scenario.name)
d1, d2 = st.columns(2)
d1.download_button(
    "Quotas as CSV (per slice and layer)",
    data=workplan_csv(wp).encode("utf-8"),
    file_name=f"{stem}-workplan.csv",
    mime="text/csv",
    key="workplan.download.csv",
    on_click="ignore",
    icon=":material/download:",
    width="stretch",
    help="Rows, unit cost and spend per slice and layer; text cells that look like formulas are "
    "prefixed with an apostrophe so a spreadsheet shows them as text.",
)
d2.download_button(
    "Quotas as JSON",
    data=(json.dumps(wp.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    file_name=f"{stem}-workplan.json",
    mime="application/json",
    key="workplan.download.json",
    on_click="ignore",
    icon=":material/download:",
    width="stretch",
    help="The same file the command line's workplan command writes as JSON.",
)
if st.session_state.get(state.NAV):
    st.page_link(
        "pages/12_report.py", label="Put this work plan in a report", icon=":material/description:"
    )

state.finish(PAGE, nav.neighbours(PAGE))
