"""Compare: two to four scenarios side by side (the current one, the baseline, saved ones,
examples).

The inputs that differ are highlighted; each scenario's label, mix, layer budget and cost per point
sit next to each other; the spend-versus-metric curves are overlaid on one chart. The baseline is
set
here (or on the Library page) and every later change shows its delta in the sidebar
(``ui.baseline``)."""

from __future__ import annotations

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly; about a second cold)
# come after it, so the page's name shows at once (benchmarks/bench_pages.py).
scenario = state.page_setup(
    "Compare scenarios",
    "Two to four scenarios side by side: what differs in their inputs, and what that does to the "
    "label, "
    "the mix, the budget split and the cost per point.",
)

import pandas as pd

from hybrid.errors import InputError
from hybrid.explain.rationale import LABEL_TITLES
from hybrid.model.scenario import Scenario
from hybrid.money import money, money_compact
from hybrid.safetext import neutralise_frame
from hybrid.whatif.compare import differing_inputs, flatten, outcome_row
from ui import baseline, compute, theme
from ui import library as lib
from ui import whatif_charts as charts
from ui.theme import md_escape
from ui.whatif import OUTCOME_TITLES, format_input, format_outcome, input_title

PAGE = "pages/8_compare.py"
PICK = "hd.compare.pick"  # the chosen sources, kept across page switches
MAX_PICK = 4  # side by side, four cards are the most whose numbers stay whole on a 1280 px laptop
DIFF_STYLE = "background-color: #FCE8C3; font-weight: 700"  # pale synthetic orange, plus bold


CURRENT, BASELINE = "Current scenario", "Baseline"
SAVED, EXAMPLE = "Saved: ", "Example: "


def _load(source: str) -> Scenario:
    """The scenario behind an option. Options are their own display text (``Saved: NAME``,
    ``Example: NAME``) so that a choice means the same thing on every run."""
    if source == CURRENT:
        return state.current()
    if source == BASELINE:
        b = baseline.baseline()
        if b is None:
            raise InputError("no baseline is set")
        return b
    if source.startswith(SAVED):
        return compute.library().load(source.removeprefix(SAVED))
    return state.example(example_stems[source.removeprefix(EXAMPLE)])


def _same(source: str) -> str | None:
    """What an option holds, to tell two options apart: the scenario's full content (its name too),
    or None when it cannot be loaded (the option is then kept, and loading it reports why)."""
    try:
        return _load(source).model_dump_json()
    except InputError:
        return None


def _short_title(source: str, scenario: Scenario) -> str:
    role = {CURRENT: " (current)", BASELINE: " (baseline)"}.get(source, "")
    return f"{scenario.name}{role}"


def _set_current_as_baseline() -> None:
    baseline.set_baseline(state.current(), f"{state.current().name} (current scenario)")
    st.session_state[PICK] = [CURRENT, BASELINE]


def _set_source_as_baseline(key: str) -> None:
    source = st.session_state.get(key)
    if not source:
        return
    try:
        s = _load(source)
    except InputError as exc:
        st.session_state["hd.compare.error"] = str(exc)
        return
    where = "saved" if source.startswith(SAVED) else "example"
    baseline.set_baseline(s, f"{s.name} ({where})")


def _remember_pick() -> None:
    st.session_state[PICK] = list(st.session_state["compare.pick"])


def _unique(titles: list[str]) -> list[str]:
    out: list[str] = []
    for t in titles:
        u, n = t, 2
        while u in out:
            u, n = f"{t} ({n})", n + 1
        out.append(u)
    return out


def _height(rows: int) -> int:
    """Pixels for a table showing ``rows`` rows without scrolling (rows are about 37 px at this font
    size)."""
    return 38 * (rows + 1) + 4


def _highlight(df: pd.DataFrame, flag: str) -> pd.io.formats.style.Styler:
    return df.style.apply(lambda row: [DIFF_STYLE if row[flag] else "" for _ in row], axis=1)


baseline.render_delta(state.current(), state.policy_text())
policy_text = state.policy_text()

err = st.session_state.pop("hd.compare.error", None)
if err:
    st.error(md_escape(err), icon=":material/error:")

# --- sources
# ---------------------------------------------------------------------------------------
example_stems = {Scenario.from_yaml(text, stem).name: stem for stem, text in compute.examples()}
try:
    saved = compute.library().names()
    library_problem = None
except InputError as exc:
    saved, library_problem = [], str(exc)
options = [CURRENT] + ([BASELINE] if baseline.baseline() is not None else [])
options += [SAVED + n for n in saved] + [EXAMPLE + n for n in example_stems]
if PICK in st.session_state:
    chosen = [o for o in st.session_state[PICK] if o in options][:MAX_PICK]
else:  # the current scenario and the baseline, or else the first saved scenario that is not it
    here = _same(CURRENT)
    # (an example as a last resort, so that the page opens on a comparison rather than a prompt)
    candidates = [BASELINE, *(SAVED + n for n in saved), *(EXAMPLE + n for n in example_stems)]
    other = next((o for o in candidates if o in options and _same(o) != here), None)
    chosen = [CURRENT] + ([other] if other else [])
# Never offer a scenario already picked under another name: the current scenario is often also the
# baseline, an example or a saved entry, and comparing it with itself shows nothing.
picked_content = {_same(o) for o in chosen} - {None}
options = [o for o in options if o in chosen or _same(o) not in picked_content]

with st.container(border=True):
    left, right = st.columns([1.6, 1], gap="large")
    with left:
        st.subheader("Scenarios to compare")
        st.session_state["compare.pick"] = chosen
        st.multiselect(
            "Pick two to four: the current scenario, the baseline, saved scenarios or examples",
            options,
            max_selections=MAX_PICK,
            key="compare.pick",
            on_change=_remember_pick,
            placeholder="Choose scenarios",
            help="A scenario already picked (under any name: current, baseline, saved or example) "
            "is not offered again.",
        )
        if len(chosen) >= MAX_PICK:
            st.caption(
                f"{MAX_PICK} scenarios picked, the most that fit side by side with every number "
                f"whole on a "
                "laptop screen. Remove one to add another."
            )
        else:
            st.caption(f"Up to {MAX_PICK}: more would not fit side by side on a laptop screen.")
        lib.save_panel("compare.save")
        if library_problem:
            st.caption(md_escape(f"Saved scenarios are not available: {library_problem}"))
    with right:
        st.subheader("Baseline")
        b_title = baseline.baseline_title()
        if b_title:
            st.markdown(
                md_escape(f"Baseline: {b_title}. The sidebar shows what every change moves.")
            )
        else:
            st.markdown(
                "No baseline yet. Set one, then every change on any page shows its delta in the "
                "sidebar."
            )
        st.button(
            "Current scenario as baseline",
            key="compare.baseline.current",
            on_click=_set_current_as_baseline,
            type="primary",
            help="Make the current scenario the baseline: every later change shows its delta in "
            "the sidebar.",
        )
        others = [o for o in options if o.startswith((SAVED, EXAMPLE))]
        # One above the other: side by side in this column the select and the button were cut off.
        st.selectbox(
            "Or a saved scenario or example",
            others,
            key="compare.baseline.pick",
        )
        st.button(
            "Make it the baseline",
            key="compare.baseline.saved",
            on_click=_set_source_as_baseline,
            args=("compare.baseline.pick",),
        )

picked = list(st.session_state.get("compare.pick", []))
if len(picked) < 2:
    st.info(
        "Pick at least two scenarios above. Save scenarios on the Library page, set a baseline, or "
        "compare "
        "against one of the bundled examples.",
        icon=":material/compare_arrows:",
    )
    state.finish(PAGE)
    st.stop()

# --- load and analyse
# ------------------------------------------------------------------------------
loaded: list[tuple[str, Scenario]] = []
for source in picked:
    try:
        loaded.append((source, _load(source)))
    except InputError as exc:
        st.error(md_escape(f"{source}: {exc}"), icon=":material/error:")
analyses, ok = [], []
for source, s in loaded:
    try:
        analyses.append(compute.analysis_for(s, policy_text))
        ok.append((source, s))
    except InputError as exc:
        st.error(
            md_escape(f"{s.name}: no recommendation ({state.friendly(str(exc))})"),
            icon=":material/error:",
        )
if len(ok) < 2:
    st.warning("Fewer than two of the chosen scenarios can be compared.", icon=":material/warning:")
    state.finish(PAGE)
    st.stop()

titles = _unique([_short_title(src, s) for src, s in ok])
scenarios = [s for _, s in ok]
recs = [a.rec for a in analyses]

# --- headline cards
# --------------------------------------------------------------------------------
cols = st.columns(len(ok), gap="small")
for col, title, rec in zip(cols, titles, recs, strict=True):
    with col, st.container(border=True):
        st.markdown(f"#### {md_escape(title)}")
        st.metric("Recommendation", LABEL_TITLES[rec.label])
        st.metric("Synthetic share", f"{rec.plan.synthetic_share:.0%}", help="Of the new examples.")
        cpp = rec.plan.cost_per_point
        st.metric(
            "Cost per point",
            "no gain" if cpp is None else money_compact(cpp, rec.currency),
            help=None
            if cpp is None
            else f"{md_escape(money(cpp, rec.currency))} per percentage point gained.",
        )
        st.caption(
            md_escape(
                f"Spend {money(rec.plan.spend, rec.currency)} of "
                f"{money(rec.budget, rec.currency)}; "
                f"metric {rec.today_metric:.3f} → {rec.plan.expected_metric:.3f}."
            )
        )

# --- inputs that differ
# ----------------------------------------------------------------------------
diff = differing_inputs(scenarios)
st.subheader("Inputs")
if diff:
    named = list(dict.fromkeys(input_title(p) for p in diff))
    st.markdown(
        f"**{len(named)} input{'s' if len(named) != 1 else ''} differ:** "
        + md_escape(", ".join(named))
        + ". They are highlighted and marked ◆ below."
    )
else:
    st.markdown("**These scenarios have the same inputs** (only their names differ).")
only = st.toggle("Show only the inputs that differ", key="compare.only_diff", value=False)
flats = [flatten(s) for s in scenarios]
paths: list[str] = []
for f in flats:
    paths.extend(k for k in f if k not in paths)
rows = []
for path in paths:
    differs = path in diff
    if only and not differs:
        continue
    row = {"": "◆" if differs else "", "Input": input_title(path)}
    for title, f in zip(titles, flats, strict=True):
        row[title] = format_input(path, f.get(path), f.get("economics.currency"))
    row["_differs"] = differs
    rows.append(row)
rows.sort(key=lambda r: not r["_differs"])  # the inputs that differ first (stable: schema order)
inputs_df = pd.DataFrame(rows)
if not inputs_df.empty:
    st.dataframe(
        _highlight(neutralise_frame(inputs_df), "_differs"),
        hide_index=True,
        width="stretch",
        height=_height(min(len(rows), 12)),
        column_order=["", "Input", *titles],
        column_config={"": st.column_config.TextColumn("", width=36)},
        key="compare.inputs",
    )

# --- outcomes
# ---------------------------------------------------------------------------------------
st.subheader("Outcomes")
outs = [outcome_row(r) for r in recs]
out_rows = []
for key, title in OUTCOME_TITLES.items():
    values = [format_outcome(key, o[key], r.currency) for o, r in zip(outs, recs, strict=True)]
    differs = len(set(values)) > 1
    row = {"": "◆" if differs else "", "Outcome": title}
    row.update(dict(zip(titles, values, strict=True)))
    row["_differs"] = differs
    out_rows.append(row)
st.dataframe(
    _highlight(neutralise_frame(pd.DataFrame(out_rows)), "_differs"),
    hide_index=True,
    width="stretch",
    height=_height(len(out_rows)),
    column_order=["", "Outcome", *titles],
    column_config={"": st.column_config.TextColumn("", width=36)},
    key="compare.outcomes",
)
if len({r.currency for r in recs}) > 1:
    st.warning(
        "The scenarios use different currencies: money is not converted between them.",
        icon=":material/currency_exchange:",
    )

# --- charts
# ------------------------------------------------------------------------------------------
plan = st.radio(
    "Curves to overlay",
    ["recommended", "all-human", "all-synthetic"],
    format_func=lambda p: theme.PLAN_TITLES[p]
    + (" (outside guardrails)" if p == "all-synthetic" else ""),
    horizontal=True,
    key="compare.plan",
)
st.plotly_chart(
    charts.compare_curves(titles, analyses, plan or "recommended"),
    theme=None,
    key="compare.curves",
    config={"displayModeBar": False},
)
st.caption(
    "Each line spends money at that scenario's mix; the marker is the plan the scenario recommends "
    "(or the reference plan's size). Lines differ by colour and dash, markers by shape."
)
st.plotly_chart(
    charts.compare_cost_per_point(titles, analyses),
    theme=None,
    key="compare.cpp",
    config={"displayModeBar": False},
)
st.caption(
    "The all-synthetic plan is hatched: it breaks the guardrails and is shown only for comparison."
)
st.plotly_chart(
    charts.compare_layers(titles, analyses),
    theme=None,
    key="compare.layers",
    config={"displayModeBar": False},
)

state.finish(PAGE)
