"""Sensitivity and uncertainty: which inputs move the recommendation, how sure it is, and where its
label flips.

- Tornado: each uncertain input moved across its range (editable; defaults and reasons from the
  policy), the plan re-optimised, the swing in cost per point and synthetic share drawn; inputs
  whose range flips the label are marked, and one sentence names the measurement worth making next.
- Monte Carlo: 10,000 seeded draws over the same ranges; intervals of cost per point and metric for
  each plan, and the chance each one is cheapest per point.
- Threshold finder: for one input and a range, the values at which the label changes.
All computing is in ``hybrid.sensitivity`` and ``hybrid.uncertainty``, cached in ``ui.whatif``."""

from __future__ import annotations

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly; about a second cold)
# come after it, so the page's name shows at once (benchmarks/bench_pages.py).
scenario = state.page_setup(
    "Sensitivity and uncertainty",
    "Which inputs move the recommendation, how sure it is, and which measurement would settle it.",
)

import math

import pandas as pd

from hybrid.explain.rationale import LABEL_TITLES
from hybrid.explain.sensitivity import INPUTS, measure_next
from hybrid.money import money, money_compact
from hybrid.safetext import neutralise_frame
from hybrid.vocabulary import probability
from hybrid.whatif.uncertainty import DEFAULT_DRAWS
from ui import baseline, compute, theme, whatif
from ui import whatif_charts as charts
from ui.theme import md_escape

PAGE = "pages/9_sensitivity.py"
RESET = "hd.whatif.ranges_reset"  # bumped by "Reset ranges": part of the editor's key
SEED = "hd.whatif.seed"
INCLUDE_SYN = "hd.whatif.include_synthetic"
THRESHOLD_FIELD = "hd.whatif.threshold_field"
APPLIES = {"relative": "times today's value", "absolute": "added to today's value"}


def _editor_key() -> str:
    return f"sens.ranges.{st.session_state.get(RESET, 0)}"


def _ranges_edited(key: str, fields: list[str]) -> None:
    """Copy the editor's changed cells into the session's range edits (kept across pages)."""
    edits = whatif.range_edits()
    for row, cells in st.session_state[key].get("edited_rows", {}).items():
        field = fields[int(row)]
        for col in ("low", "high"):
            if col in cells:
                edits.setdefault(field, {})[col] = cells[col]


def _reset_ranges() -> None:
    st.session_state[whatif.RANGE_EDITS] = {}
    st.session_state[RESET] = st.session_state.get(RESET, 0) + 1


def _keep(widget_key: str, session_key: str) -> None:
    st.session_state[session_key] = st.session_state[widget_key]


baseline.render_delta(state.current(), state.policy_text())
a = state.analysis_or_stop(scenario, PAGE)

rec = a.rec
cur = rec.currency
policy_text = state.policy_text()
pol = compute.policy(policy_text)
scenario_json = scenario.model_dump_json()
ranges, range_problems = whatif.effective_ranges(pol)
ranges_text = whatif.ranges_json(ranges)

# --- ranges
# ----------------------------------------------------------------------------------------
fields = [f for f in pol.ranges if f in INPUTS]
with st.expander(
    "Input ranges: how far each uncertain input may be off (editable)", expanded=False
):
    st.caption(
        "Each range moves today's value: “times today's value” multiplies it (0.7 to 1.5 means "
        "30% lower to 50% higher), “added to today's value” adds to it (−0.05 to +0.05 means "
        "five points either way). "
        "Results are "
        "kept inside each input's valid range. The tornado and the Monte Carlo both use these "
        "ranges."
    )
    table = pd.DataFrame(
        {
            "Input": [whatif.field_title(f) for f in fields],
            "Applies as": [APPLIES[pol.ranges[f].kind] for f in fields],
            "low": [float(pol.ranges[f].low) for f in fields],
            "high": [float(pol.ranges[f].high) for f in fields],
            "Why this range (policy)": [pol.ranges[f].reason for f in fields],
        }
    )
    for i, f in enumerate(fields):  # the user's edits, kept across page switches
        for col in ("low", "high"):
            if col in whatif.range_edits().get(f, {}):
                table.loc[i, col] = whatif.range_edits()[f][col]
    key = _editor_key()
    st.data_editor(
        neutralise_frame(table),  # the reasons come from the policy, which a user may upload
        key=key,
        hide_index=True,
        width="stretch",
        disabled=["Input", "Applies as", "Why this range (policy)"],
        column_config={
            "Input": st.column_config.TextColumn("Input", width="medium"),
            "low": st.column_config.NumberColumn(
                "Low", format="%.3g", help="Multiplier or offset at the low end."
            ),
            "high": st.column_config.NumberColumn(
                "High", format="%.3g", help="Multiplier or offset at the high end."
            ),
            "Why this range (policy)": st.column_config.TextColumn(width="large"),
        },
        on_change=_ranges_edited,
        args=(key, fields),
    )
    st.button("Reset to the policy's ranges", key="sens.ranges.reset", on_click=_reset_ranges)
for problem in range_problems:
    st.error(md_escape(problem), icon=":material/error:")
if whatif.range_edits():
    st.caption("Some ranges are edited (see “Input ranges” above).")

# --- tornado
# ---------------------------------------------------------------------------------------
bars, base = whatif.tornado_bars(scenario_json, policy_text, ranges_text)
with st.container(border=True):
    st.markdown(f"### {md_escape(measure_next(bars))}")
    flips = [b for b in bars if b.flips_label]
    if flips:
        st.markdown(
            md_escape(
                "Inputs whose range flips the label: " + ", ".join(b.title for b in flips) + ". "
                "Measure these before committing the budget."
            )
        )
    else:
        st.markdown(
            md_escape(
                f"No input's range flips the label: the recommendation stays "
                f"{LABEL_TITLES[base['label']]} "
                "across every range below."
            )
        )
st.plotly_chart(
    charts.tornado_chart(bars, base, cur),
    theme=None,
    key="sens.tornado",
    config={"displayModeBar": False},
)
st.caption(
    "Each row moves one input from the low end (plain blue bar) to the high end (hatched purple "
    "bar) of its range "
    "with everything else held, and re-optimises the plan. The black line is today's plan. Bars "
    "are sorted by the "
    "swing in cost per point; labels at the bar ends are the input's value there. ⚑ marks an input "
    "whose range "
    "flips the label."
)
with st.expander("The tornado as a table"):
    st.dataframe(
        neutralise_frame(
            pd.DataFrame(
                {
                    "Input": [b.title for b in bars],
                    "Range": [
                        f"{whatif.format_field(b.input, b.low, cur)} to "
                        f"{whatif.format_field(b.input, b.high, cur)}"
                        for b in bars
                    ],
                    "Synthetic share": [f"{b.share_low:.0%} to {b.share_high:.0%}" for b in bars],
                    f"Cost per point ({cur})": [
                        " to ".join(
                            "no gain" if v is None else money(v, cur)
                            for v in (b.cpp_low, b.cpp_high)
                        )
                        for b in bars
                    ],
                    "Label": [
                        f"{LABEL_TITLES[b.label_low]} to {LABEL_TITLES[b.label_high]}" for b in bars
                    ],
                    "Flips the label": ["⚑ yes" if b.flips_label else "no" for b in bars],
                }
            )
        ),
        hide_index=True,
        width="stretch",
        key="sens.tornado.table",
    )

# --- Monte Carlo
# -----------------------------------------------------------------------------------
st.header("Monte Carlo: how sure is it?")
c1, c2, c3 = st.columns([1, 1.6, 2.4], vertical_alignment="bottom")
st.session_state["sens.seed"] = st.session_state.get(SEED, 0)
c1.number_input(
    "Random seed",
    min_value=0,
    max_value=2**31 - 1,
    step=1,
    key="sens.seed",
    on_change=_keep,
    args=("sens.seed", SEED),
    help="The same seed gives the same draws; change it to see how much the numbers move by "
    "chance.",
)
st.session_state["sens.include_syn"] = st.session_state.get(INCLUDE_SYN, True)
c2.toggle(
    "Include all-synthetic",
    key="sens.include_syn",
    on_change=_keep,
    args=("sens.include_syn", INCLUDE_SYN),
    help="Include the all-synthetic plan. It is outside the guardrails; leave it out to ask which "
    "allowed plan "
    "is cheapest.",
)
c3.caption(
    f"{DEFAULT_DRAWS:,} draws. Each uncertain input is drawn from a triangle over its range, "
    f"peaked at today's "
    "value; the learning curve from its fit's uncertainty. Each plan keeps its mix and is re-sized "
    "per draw."
)
seed = int(st.session_state.get(SEED, 0))
include_syn = bool(st.session_state.get(INCLUDE_SYN, True))
mc = whatif.monte_carlo_run(scenario_json, policy_text, ranges_text, seed, include_syn)
stats = whatif.box_stats(mc)
by_name = {p.name: p for p in mc.plans}
r = by_name["recommended"]
# The headline compares the plans a team may choose: the all-synthetic plan breaks the guardrails.
allowed = (
    mc
    if not include_syn
    else whatif.monte_carlo_run(scenario_json, policy_text, ranges_text, seed, False)
)
r_allowed = {p.name: p for p in allowed.plans}["recommended"]
m = st.columns(3)
if rec.plan.synthetic_share == 0:
    m[0].metric(
        "Recommended mix",
        "All-human",
        "nothing to compare per point",
        delta_color="off",
        delta_arrow="off",
    )
else:
    m[0].metric(
        "Recommended beats all-human per point",
        probability(r_allowed.p_cheapest),
        "of draws",
        delta_color="off",
        delta_arrow="off",
        help="Share of draws in which the recommended mix costs less per point than the all-human "
        "plan (the plans "
        "inside the guardrails). The chart and table below include the all-synthetic plan when it "
        "is switched on.",
    )
m[1].metric(
    "Cost per point, recommended (90% interval)",
    "no gain" if math.isnan(r.cpp_p50) else money(r.cpp_p50, cur),
    "—" if math.isnan(r.cpp_p5) else f"{money(r.cpp_p5, cur)} to {money(r.cpp_p95, cur)}",
    delta_color="off",
    delta_arrow="off",
)
m[2].metric(
    "Recommended reaches the target",
    probability(r.p_reaches_target),
    f"of draws (target {rec.target_metric:.3f})",
    delta_color="off",
    delta_arrow="off",
)
# One above the other, each the full width: side by side at laptop width the log axis's ticks were
# turned on their side and the medians ran into the boxes.
st.plotly_chart(
    charts.mc_cost_chart(mc, stats, cur),
    theme=None,
    key="sens.mc.cost",
    config={"displayModeBar": False},
)
st.caption(
    "Box: the middle half of the draws; whiskers: 5% to 95%; the line in the box is the median."
)
if r.same_as:
    st.caption(
        md_escape(
            "The recommended plan is the "
            + " and ".join(theme.PLAN_TITLES[n].lower() for n in r.same_as)
            + " plan: one plan, cheapest in the same draws, so each is credited with them."
        )
    )
st.plotly_chart(
    charts.mc_cheapest_chart(mc),
    theme=None,
    key="sens.mc.cheapest",
    config={"displayModeBar": False},
)
# Five columns, so every header is whole at laptop width; the metric's spread is in the expander
# below.
mc_table = pd.DataFrame(
    {
        "Plan": [
            theme.PLAN_TITLES[p.name]
            + (" (outside guardrails)" if p.name == "all-synthetic" else "")
            for p in mc.plans
        ],
        f"Median cost per point ({cur})": [
            "—" if math.isnan(p.cpp_p50) else money(p.cpp_p50, cur) for p in mc.plans
        ],
        "5% to 95%": [
            "—"
            if math.isnan(p.cpp_p5)
            else f"{money_compact(p.cpp_p5, cur)} to {money_compact(p.cpp_p95, cur)}"
            for p in mc.plans
        ],
        "Cheapest per point": [probability(p.p_cheapest) for p in mc.plans],
        "Reaches target": [probability(p.p_reaches_target) for p in mc.plans],
    }
)
st.dataframe(neutralise_frame(mc_table), hide_index=True, width="stretch", key="sens.mc.table")
notes = []
if rec.mode == "target":
    notes.append(
        "Each plan is sized to reach the target, so its metric sits at the target unless the "
        "budget runs out first; "
        "the uncertainty shows up in what it costs."
    )
if mc.p_no_gain > 0:
    notes.append(f"In {probability(mc.p_no_gain)} of draws no plan gains anything over today.")
varied = [v for v in mc.varied if not (v == "exponent" and "curve" in mc.varied)]
notes.append(
    "Varied: "
    + ", ".join(
        "the learning curve (from its fit)" if v == "curve" else whatif.field_title(v)
        for v in varied
    )
    + "."
)
st.caption(md_escape(" ".join(notes)))
with st.expander("Expected metric for each plan (median and 5% to 95%)"):
    st.plotly_chart(
        charts.mc_metric_chart(mc, rec.target_metric),
        theme=None,
        key="sens.mc.metric",
        config={"displayModeBar": False},
    )

# --- threshold finder
# ------------------------------------------------------------------------------
st.header("Threshold finder: where does the label change?")
all_fields = list(INPUTS)
# Until the user picks one: the first input whose range flips the label, else generator accuracy.
default_field = next((b.input for b in bars if b.flips_label), "accuracy")
st.session_state["sens.thr.field"] = st.session_state.get(THRESHOLD_FIELD, default_field)
c1, c2, c3 = st.columns([1.6, 1, 1], vertical_alignment="bottom")
c1.selectbox(
    "Input",
    all_fields,
    format_func=whatif.field_title,
    key="sens.thr.field",
    on_change=_keep,
    args=("sens.thr.field", THRESHOLD_FIELD),
)
field = st.session_state["sens.thr.field"]
today, (d_lo, d_hi) = whatif.today_value(scenario_json, policy_text, field)
valid_lo, valid_hi = INPUTS[field][1]
lo = c2.number_input("From", value=float(d_lo), format="%.4g", key=f"sens.thr.lo.{field}")
hi = c3.number_input("To", value=float(d_hi), format="%.4g", key=f"sens.thr.hi.{field}")
title = whatif.field_title(field)
problem = None
if not lo < hi:
    problem = f"{title}: “From” must be below “To” (got {lo:g} and {hi:g})."
elif lo < valid_lo or hi > valid_hi:
    problem = f"{title}: the range must stay within {valid_lo:g} to {valid_hi:g}."
if problem:
    st.error(md_escape(problem), icon=":material/error:")
else:
    changes = whatif.label_changes(scenario_json, policy_text, field, float(lo), float(hi))
    sweep = whatif.sweep(scenario_json, policy_text, field, float(lo), float(hi))
    today_text = whatif.format_field(field, today, cur)
    if changes:
        lines = [
            f"At {title} ≈ {whatif.format_field(field, v, cur)} the recommendation changes from "
            f"{LABEL_TITLES[b]} to {LABEL_TITLES[c]}."
            for v, b, c in changes
        ]
        st.markdown("\n".join(f"- **{md_escape(line)}**" for line in lines))
    else:
        st.markdown(
            md_escape(
                f"Between {whatif.format_field(field, lo, cur)} and "
                f"{whatif.format_field(field, hi, cur)} the label stays "
                f"{LABEL_TITLES[rec.label]}: no value of the {title} in this range changes it."
            )
        )
    st.caption(md_escape(f"Today: {today_text}. Everything else is held at today's values."))
    st.plotly_chart(
        charts.sweep_chart(
            sweep,
            title,
            field,
            today,
            changes,
            pol.labels.human_below,
            pol.labels.synthetic_above,
            cur,
        ),
        theme=None,
        key="sens.sweep",
        config={"displayModeBar": False},
    )

state.finish(PAGE)
