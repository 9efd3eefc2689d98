"""Rounds: buy part of the plan, measure, buy again. The staged plan beside the one-shot plan on the
same simulated futures, round 1's work order per slice, and where to record what the round measured.

All computing is ``hybrid.whatif.rounds`` (cached in ``ui.rounds``); round 1 per slice is the work
plan's ``slice_plan``."""

from __future__ import annotations

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly; about a second cold) come
# after it, so the page's name shows at once (benchmarks/bench_pages.py).
scenario = state.page_setup(
    "Rounds: buy, measure, buy again",
    "Buy part of the plan, retrain and measure, then buy the rest according to what you measured. "
    "Each round is priced against the futures the pilot cannot yet tell apart.",
)

from hybrid.errors import InputError
from hybrid.money import money
from hybrid.safetext import neutralise_frame
from hybrid.vocabulary import metric, probability
from hybrid.whatif.rounds import record_round
from ui import nav
from ui import rounds as ui_rounds
from ui import workplan as ui_wp
from ui.theme import md_escape

PAGE = "pages/7_rounds.py"
DATASET = "pages/3_dataset.py"
WORKPLAN = "pages/6_workplan.py"
PENALTY = "rounds.penalty"
COUNT = "rounds.count"
PENALTY_FOR = "hd.rounds.penalty_for"  # the budget the penalty field was filled for
RECORD_ERROR = "hd.rounds.record_error"  # what stopped the last "Record round" click

a = state.analysis_or_stop(scenario, PAGE, nav.neighbours(PAGE))
cur = scenario.economics.currency
policy_text = state.policy_text()

# Streamlit forgets a widget's value when the person leaves the page: reseed the fields from the
# choices this page last planned with (the policy's defaults for a new budget).
kept_count, kept_penalty = ui_rounds.choices(scenario, policy_text)
if st.session_state.get(PENALTY_FOR) != scenario.economics.budget:
    st.session_state[PENALTY] = kept_penalty
    st.session_state[PENALTY_FOR] = scenario.economics.budget
if PENALTY not in st.session_state:
    st.session_state[PENALTY] = kept_penalty
if COUNT not in st.session_state:
    st.session_state[COUNT] = kept_count

with st.container(border=True):
    c1, c2 = st.columns(2, gap="medium")
    count = c1.selectbox(
        "Number of rounds",
        [ui_rounds.AUTO, 1, 2, 3, 4, 5],
        format_func=lambda n: "Chosen by the tool" if n == ui_rounds.AUTO else str(n),
        key=COUNT,
        help="At most five: Mahmood et al. (2022) found about five rounds enough to correct a "
        "learning curve extrapolated from a pilot. The tool takes as many as the budget buys "
        "rounds of a useful size.",
    )
    penalty = c2.number_input(
        f"Cost of missing the target ({cur})",
        min_value=0.0,
        max_value=1e12,
        step=1000.0,
        format="%.2f",
        key=PENALTY,
        help="What a missed target costs the team: a missed deadline, another collection. The "
        "default is the policy's: the whole budget again.",
    )

try:
    plan = ui_rounds.plan_for(scenario, policy_text, int(count), float(penalty))
except InputError as exc:
    st.error(md_escape(state.friendly(str(exc))), icon=":material/error:")
    state.finish(PAGE, nav.neighbours(PAGE))
    st.stop()

o = plan.one_shot
with st.container(border=True):
    m = st.columns(3)
    if plan.mode == "target":
        m[0].metric(
            "Chance of reaching the target",
            probability(plan.probability_target),
            f"bought at once: {probability(o.probability_target)}",
            delta_color="off",
            delta_arrow="off",
            help=f"Share of {plan.draws:,} simulated futures in which the metric reaches "
            f"{metric(plan.target)} by the last round.",
        )
    else:
        m[0].metric(
            "Expected metric, mean over the futures",
            metric(plan.expected_metric),
            f"bought at once: {metric(o.expected_metric)} (recommended, at today's values: "
            f"{metric(o.point_metric)})",
            delta_color="off",
            delta_arrow="off",
            help="No plan reaches the target within the budget: the rounds spend it in equal "
            f"tranches, measuring between them. Both figures are means over {plan.draws:,} "
            "simulated futures; the recommendation's is the model at today's values.",
        )
    m[1].metric(
        "Expected spend",
        money(plan.expected_spend, cur),
        f"bought at once: {money(o.spend, cur)}",
        delta_color="off",
        delta_arrow="off",
        help="Averaged over the futures: after round 1 each buys what its measurements call for.",
    )
    m[2].metric(
        "Expected spend plus cost of missing",
        money(plan.expected_cost, cur),
        f"bought at once: {money(plan.one_shot_cost, cur)}",
        delta_color="off",
        delta_arrow="off",
        help="What the rounds minimise: spend plus the cost of missing times the chance of "
        "missing.",
    )
    for note in plan.notes:
        st.caption(":material/info: " + md_escape(note))

st.plotly_chart(
    ui_rounds.chance_figure(plan),
    theme=None,
    key="rounds.chart",
    config={"displayModeBar": False},
)
st.caption(
    "Solid: bought in rounds, each point after one round. Dashed: the recommended plan bought at "
    "once. Both on the same simulated futures."
)

st.subheader("Round by round")
st.dataframe(
    neutralise_frame(ui_rounds.table(plan)),
    hide_index=True,
    width="stretch",
    key="rounds.table",
)
st.caption(
    "Round 1 is the same in every future. Later rounds are averages: a round buys only where the "
    "measurement before it says the target still needs more, and stops where it says the target "
    "is out of reach. Target reached: the share of futures at the target after the round. Still "
    "buying: the share of futures that buy in it. At once: the recommended plan bought in one go."
)

if plan.spreads:
    with st.expander("Uncertain inputs, where they came from, and how round 1 narrows them"):
        st.dataframe(
            neutralise_frame(ui_rounds.spread_table(plan)), hide_index=True, key="rounds.spreads"
        )
        st.caption(
            "Standard errors shrink as one over the square root of the rows measured on: round "
            "1's new human rows enlarge the held-out set and the base of the synthetic response; "
            "its reviewed synthetic rows re-measure the generator."
        )

st.subheader("Round 1's work order")
r1 = plan.rounds[0]
if r1.human_examples + r1.synthetic_examples <= 0:
    st.info("Nothing to buy in round 1: today's metric already meets the target.")
else:
    review = (
        f", {r1.review_coverage:.0%} of them reviewed by a person" if r1.synthetic_examples else ""
    )
    st.markdown(
        md_escape(
            f"Buy {r1.human_examples:,.0f} new human-labeled rows and "
            f"{r1.synthetic_examples:,.0f} synthetic rows{review}: {money(r1.spend, cur)}."
        )
    )
    try:
        wp = ui_rounds.first_work_order(scenario, policy_text, plan)
    except InputError as exc:
        wp = None
        st.warning(md_escape(state.friendly(str(exc))), icon=":material/warning:")
    if wp is None:
        st.caption(
            "To split round 1 across slices of your data, load the data and choose its slice "
            "column on the Work plan page."
        )
        if st.session_state.get(state.NAV):
            st.page_link(WORKPLAN, label="Open the Work plan page", icon=":material/assignment:")
    else:
        cols = ui_wp.table(wp)
        keep = ("Slice", "New human rows", "New synthetic rows", "Reviewed rows", "Spend")
        st.dataframe(
            neutralise_frame({k: cols[k] for k in keep}),
            hide_index=True,
            width="stretch",
            key="rounds.workorder",
        )

st.subheader("After this round")
st.markdown(
    "Retrain on the enlarged data and measure the metric on held-out human rows. Then either "
    "upload the enlarged pilot on the Dataset page (the learning curve is refitted from it), or "
    "enter what you measured here: the next round is planned from it."
)
if st.session_state.get(state.NAV):
    st.page_link(
        DATASET, label="Upload the new pilot on the Dataset page", icon=":material/upload:"
    )
done = len(scenario.rounds or [])


def _record(review_coverage: float, predicted: float) -> None:
    """Keep the round with its reading in the scenario (a callback: it runs before the rerun)."""
    ss = st.session_state
    measured = ss.get("rounds.measured")
    if measured is None:
        ss[RECORD_ERROR] = "Measured metric: enter the metric the round measured."
        return
    try:
        updated = record_round(
            state.current(),
            int(ss.get("rounds.bought_human") or 0),
            int(ss.get("rounds.bought_synthetic") or 0),
            review_coverage,
            float(measured) / 100.0,
            evaluation_rows=int(ss.get("rounds.held_out") or 0) or None,
            predicted_metric=predicted,
        )
    except InputError as exc:
        ss[RECORD_ERROR] = state.friendly(str(exc))
        return
    problem = state.replace_scenario(updated, origin=("edited",))
    if problem:
        ss[RECORD_ERROR] = problem
    else:
        ss.pop("rounds.measured", None)


with st.container(border=True):
    f1, f2, f3, f4 = st.columns(4)
    f1.number_input(
        "Human rows bought",
        min_value=0,
        max_value=10**12,
        value=int(round(r1.human_examples)),
        key="rounds.bought_human",
    )
    f2.number_input(
        "Synthetic rows bought",
        min_value=0,
        max_value=10**12,
        value=int(round(r1.synthetic_examples)),
        key="rounds.bought_synthetic",
    )
    f3.number_input(
        "Measured metric (%)",
        min_value=0.0,
        max_value=100.0,
        value=None,
        step=0.1,
        format="%.1f",
        key="rounds.measured",
    )
    f4.number_input(
        "Held-out rows it was measured on",
        min_value=0,
        max_value=10**12,
        value=0,
        help="0: the policy's held-out share of the human rows in hand.",
        key="rounds.held_out",
    )
    st.button(
        f"Record round {done + 1} and plan the next",
        icon=":material/playlist_add:",
        key="rounds.record_button",
        on_click=_record,
        args=(r1.review_coverage, min(max(r1.expected_metric, 0.0), 1.0)),
    )
    problem = st.session_state.pop(RECORD_ERROR, None)
    if problem:
        st.error(md_escape(problem), icon=":material/error:")

if scenario.rounds:
    st.markdown("**Rounds recorded in this scenario**")
    st.dataframe(
        {
            "Round": [str(i + 1) for i in range(done)],
            "Human rows bought": [f"{r.human_examples:,}" for r in scenario.rounds],
            "Synthetic rows bought": [f"{r.synthetic_examples:,}" for r in scenario.rounds],
            "Measured": [
                "—" if r.measured_metric is None else f"{r.measured_metric:.1%}"
                for r in scenario.rounds
            ],
            "Predicted": [
                "—" if r.predicted_metric is None else f"{r.predicted_metric:.1%}"
                for r in scenario.rounds
            ],
        },
        hide_index=True,
        key="rounds.recorded",
    )
    st.caption(
        "Save the scenario on the Library page after each round: each save is a new version, so "
        "the library shows how the plan and the evidence moved."
    )

state.finish(PAGE, nav.neighbours(PAGE))
