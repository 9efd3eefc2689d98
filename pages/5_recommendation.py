"""Recommendation: the label and mix, the three-layer budget split, expected metric against spend
for
the human, synthetic and recommended plans, cost per point for each, the binding guardrail and the
rationale. Everything is read from the cached analysis of the session's scenario."""

from __future__ import annotations

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly; about a second cold)
# come after it, so the page's name shows at once (benchmarks/bench_pages.py).
scenario = state.page_setup(
    "Recommendation",
    "What the budget should buy, inside the guardrails, judged by cost per percentage point of "
    "metric "
    "gained rather than cost per label.",
)

from hybrid.explain.rationale import LABEL_TITLES
from hybrid.model.recommend import Plan
from hybrid.money import money, money_compact
from hybrid.safetext import neutralise_frame
from ui import charts, compute, nav, theme
from ui.theme import md_escape

PAGE = "pages/5_recommendation.py"
PLAN_MARK = {"all-human": ":blue[■]", "all-synthetic": ":orange[■]", "recommended": "■"}


def _cpp(p: Plan, cur: str) -> str:
    return "no gain" if p.cost_per_point is None else money(p.cost_per_point, cur)


a = state.analysis_or_stop(scenario, PAGE, nav.neighbours(PAGE))

rec = a.rec
plan = rec.plan
cur = rec.currency
spend_fig, layers_fig = compute.recommendation_figures(
    scenario.model_dump_json(), state.policy_text()
)

# --- headline
# ---------------------------------------------------------------------------------------
with st.container(border=True):
    h = st.columns([1.3, 1, 1, 1.1, 1.2])
    h[0].metric("Recommendation", LABEL_TITLES[rec.label])
    h[1].metric("Synthetic share", f"{plan.synthetic_share:.0%}", help="Of the new examples.")
    h[2].metric(
        "Human review",
        f"{plan.review_coverage:.0%}" if plan.synthetic_share > 0 else "—",
        help="Share of the synthetic examples that humans review.",
    )
    h[3].metric(
        "Expected metric",
        f"{plan.expected_metric:.3f}",
        f"{plan.points_gained:+.1f} points",
        help=f"From {rec.today_metric:.3f} today; the target is {rec.target_metric:.3f}.",
    )
    h[4].metric(
        "Spend",
        money_compact(plan.spend, cur),
        f"of {money_compact(rec.budget, cur)} budget",
        delta_color="off",
        delta_arrow="off",
        help=md_escape(f"{money(plan.spend, cur)} of the {money(rec.budget, cur)} budget."),
    )
    st.markdown(f"#### {md_escape(rec.rationale[0])}")
    if rec.mode == "budget" and rec.today_metric < rec.target_metric:
        st.warning(
            md_escape(
                f"No plan inside the guardrails reaches the target {rec.target_metric:.3f} with "
                f"this budget: "
                f"this is the best the budget buys."
            ),
            icon=":material/warning:",
        )
    elif rec.today_metric >= rec.target_metric:
        st.success(
            md_escape(
                f"Today's metric {rec.today_metric:.3f} already meets the target "
                f"{rec.target_metric:.3f}: "
                "no new data is needed for it. The plan below shows what the budget would buy "
                "beyond it."
            ),
            icon=":material/check_circle:",
        )

# --- metric against spend, and cost per point
# -------------------------------------------------------
left, right = st.columns([3, 1.25], gap="large")
with left:
    st.plotly_chart(spend_fig, theme=None, key="rec.spend", config={"displayModeBar": False})
    st.caption(
        "Each line spends the budget at a fixed mix; markers are the plans below. The "
        "all-synthetic line is dotted: "
        "it ignores the guardrails and is shown only for comparison."
    )
with right:
    st.subheader("Cost per point")
    st.caption("Money per percentage point of metric gained over today.")
    for p in (rec.plan, rec.human_plan, rec.synthetic_plan):
        with st.container(border=True):
            title = theme.PLAN_TITLES[p.name]
            st.metric(
                f"{PLAN_MARK[p.name]} {title}",
                _cpp(p, cur),
                f"{p.expected_metric:.3f} for {money(p.spend, cur)}",
                delta_color="off",
                delta_arrow="off",
            )
            if p.breaks:
                st.caption(md_escape("Outside the guardrails: " + "; ".join(p.breaks) + "."))
            elif not p.reaches_target:
                st.caption("Does not reach the target within the budget.")
    if plan.new_examples > 0:
        from ui import whatif

        ranges, _ = whatif.effective_ranges(compute.policy(state.policy_text()))
        st.caption(
            md_escape(
                whatif.spread_sentence(
                    scenario.model_dump_json(), state.policy_text(), whatif.ranges_json(ranges)
                )
            )
        )

# --- layers and the binding guardrail
# --------------------------------------------------------------
left, right = st.columns([3, 1.25], gap="large")
with left:
    st.plotly_chart(layers_fig, theme=None, key="rec.layers", config={"displayModeBar": False})
    layers = plan.layers
    st.caption(
        md_escape(
            f"Recommended: expert anchor {money(layers['expert_anchor'], cur)}, synthetic "
            f"extension "
            f"{money(layers['synthetic_extension'], cur)}, human review "
            f"{money(layers['human_review'], cur)}. "
            "The expert layer is never optional."
        )
    )
with right:
    st.subheader("What binds")
    if rec.binding == "economics":
        st.info(md_escape(f"Economics: {rec.binding_reason}"), icon=":material/balance:")
    else:
        bounds = a.inputs.guardrails.bounds
        title = next((b.title for b in bounds if b.source == rec.binding), rec.binding)
        st.warning(
            f"**{md_escape(title)}**  \n{md_escape(rec.binding_reason)}", icon=":material/lock:"
        )
    st.markdown(
        md_escape(
            f"Caps: at most {rec.max_synthetic_share:.0%} synthetic; review at least "
            f"{rec.min_review_coverage:.0%}; "
            f"expert anchor at least {rec.min_anchor_share:.0%} of spend."
        )
    )
    changes = list(rec.changes)
    if changes:
        st.markdown("**What would change it**")
        for s in changes:
            st.markdown("- " + md_escape(s))

# --- why -----------------------------------------------------------------------------------------
with st.container(border=True):
    st.subheader("Why")
    st.markdown("\n".join("- " + md_escape(s) for s in rec.rationale[1:] if s not in changes))

with st.expander("The three plans side by side"):
    st.dataframe(  # every table goes through neutralise_frame: its CSV download is safe to open
        neutralise_frame(
            {
                "plan": [theme.PLAN_TITLES[p.name] for p in rec.plans],
                "synthetic share": [f"{p.synthetic_share:.0%}" for p in rec.plans],
                "review coverage": [f"{p.review_coverage:.0%}" for p in rec.plans],
                "new examples": [f"{p.new_examples:,.0f}" for p in rec.plans],
                f"spend ({cur})": [f"{p.spend:,.0f}" for p in rec.plans],
                "expected metric": [f"{p.expected_metric:.3f}" for p in rec.plans],
                "points gained": [f"{p.points_gained:.2f}" for p in rec.plans],
                f"cost per point ({cur})": [
                    "—" if p.cost_per_point is None else f"{p.cost_per_point:,.0f}"
                    for p in rec.plans
                ],
                "wrong labels reaching training": [f"{p.wrong_labels:,.0f}" for p in rec.plans],
                "inside the guardrails": ["no" if p.breaks else "yes" for p in rec.plans],
            }
        ),
        hide_index=True,
        width="stretch",
    )

with st.expander("Every guardrail that applies"):
    rails = a.inputs.guardrails
    st.dataframe(  # the reasons come from the policy, which a user may upload
        neutralise_frame(
            {
                "rule": [charts.bound_title(b) for b in rails.bounds],
                "max synthetic": [f"{b.rule.max_synthetic_share:.0%}" for b in rails.bounds],
                "min review": [f"{b.rule.min_review_coverage:.0%}" for b in rails.bounds],
                "min expert anchor": [f"{b.rule.min_anchor_share:.0%}" for b in rails.bounds],
                "reason": [b.rule.reason for b in rails.bounds],
            }
        ),
        hide_index=True,
        width="stretch",
    )

# --- next steps ----------------------------------------------------------------------------------
if st.session_state.get(state.NAV):  # page links exist only under the app's navigation
    st.subheader("Next steps")
    _token = state.link_token()
    _params = {state.URL_PARAM: _token} if _token else None
    n1, n2, n3 = st.columns(3)
    n1.page_link(
        "pages/8_compare.py",
        label="Compare scenarios",
        icon=":material/compare_arrows:",
        query_params=_params,
    )
    n2.page_link(
        "pages/9_sensitivity.py",
        label="How sure is it?",
        icon=":material/swap_vert:",
        query_params=_params,
    )
    n3.page_link(
        "pages/12_report.py",
        label="Make the report",
        icon=":material/description:",
        query_params=_params,
    )

state.finish(PAGE, nav.neighbours(PAGE))
