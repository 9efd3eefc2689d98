"""The Rounds page's helpers: the cached staged plan, its chart and tables, round 1's work order.

The staged plan is ``hybrid.whatif.rounds.plan_rounds`` on the session's scenario, with the
Sensitivity page's uncertainty ranges (``ui.whatif.effective_ranges``) so the rounds and the Monte
Carlo draw the same futures; cached here per scenario, policy, ranges and choices. Round 1's work
order per slice is ``hybrid.model.workplan.slice_plan`` of round 1, on the Work plan page's data
and column choices.
"""

from __future__ import annotations

import dataclasses
import json

import plotly.graph_objects as go
import streamlit as st

from hybrid.model.policy import Range
from hybrid.model.recommend import plan_inputs
from hybrid.model.scenario import Scenario
from hybrid.money import money
from hybrid.share.chart_layout import chart_layout
from hybrid.vocabulary import probability, source_text, spread_text
from hybrid.whatif.rounds import RoundsPlan, plan_rounds
from ui import compute, theme, whatif
from ui import workplan as ui_wp
from ui.theme import html_text

AUTO = 0  # the rounds choice "chosen by the tool"
# The Rounds page's last choices {rounds, penalty, budget}: its widgets are forgotten when the
# person leaves the page, and the Report page plans with the same choices.
CHOICES = "hd.rounds.choices"
STAGED_COLOUR = theme.RECOMMENDED
ONE_SHOT_COLOUR = theme.MUTED


@st.cache_data(show_spinner="Simulating 2,000 futures, round by round…", max_entries=32)
def _plan(
    scenario_json: str, policy_text: str | None, ranges_text: str, rounds: int, penalty: float
) -> RoundsPlan:
    scenario = Scenario.model_validate_json(scenario_json)
    pol = compute.policy(policy_text)
    return plan_rounds(
        scenario,
        pol,
        rounds=rounds or None,
        miss_penalty=penalty,
        ranges={k: Range.model_validate(v) for k, v in json.loads(ranges_text).items()},
    )


def plan_for(
    scenario: Scenario, policy_text: str | None, rounds: int, penalty: float
) -> RoundsPlan:
    """The staged plan for the page's choices, on the Sensitivity page's ranges; the choices are
    kept for the Report page (``for_report``)."""
    st.session_state[CHOICES] = {
        "rounds": int(rounds),
        "penalty": float(penalty),
        "budget": scenario.economics.budget,
    }
    return _planned(scenario, policy_text, rounds, penalty)


def _planned(
    scenario: Scenario, policy_text: str | None, rounds: int, penalty: float
) -> RoundsPlan:
    ranges, _ = whatif.effective_ranges(compute.policy(policy_text))
    return _plan(
        scenario.model_dump_json(), policy_text, whatif.ranges_json(ranges), rounds, penalty
    )


def choices(scenario: Scenario, policy_text: str | None) -> tuple[int, float]:
    """The Rounds page's (number of rounds, cost of missing) for this scenario: its last choices,
    or its defaults (chosen by the tool, the policy's penalty) when it has not planned this budget
    yet, as it seeds its fields."""
    kept = st.session_state.get(CHOICES)
    if kept and kept.get("budget") == scenario.economics.budget:
        return int(kept["rounds"]), float(kept["penalty"])
    return AUTO, float(round(default_penalty(scenario, policy_text), 2))


def for_report(scenario: Scenario, policy_text: str | None) -> RoundsPlan:
    """The staged plan the Rounds page shows for this scenario (the same cached computation).
    Raises InputError as the Rounds page does."""
    return _planned(scenario, policy_text, *choices(scenario, policy_text))


def report_key(scenario: Scenario, policy_text: str | None) -> str:
    """What the Report page's staged plan depends on beyond the scenario and policy: the Rounds
    page's choices and the Sensitivity page's ranges (the Report page's cache key)."""
    ranges, _ = whatif.effective_ranges(compute.policy(policy_text))
    rounds, penalty = choices(scenario, policy_text)
    return json.dumps([rounds, penalty, whatif.ranges_json(ranges)])


def default_penalty(scenario: Scenario, policy_text: str | None) -> float:
    """The policy's miss penalty for this scenario: its share of the budget."""
    from hybrid.whatif.rounds import settings

    share = settings(compute.policy(policy_text))[0]
    return float(share * scenario.economics.budget)


def table(plan: RoundsPlan) -> dict[str, list]:
    """Round by round, in the words a person reads (a dict of columns): "Target reached" is the
    share of futures at the target after the round, "Still buying" the share buying in it; the last
    row is the recommended plan bought at once."""
    cur = plan.currency
    cols: dict[str, list] = {
        k: []
        for k in (
            "Round",
            "Human rows",
            "Synthetic rows",
            "Reviewed",
            "Spend",
            "Spent so far",
            "Target reached",
            "Still buying",
        )
    }
    for r in plan.rounds:
        cols["Round"].append(str(r.round))
        cols["Human rows"].append(f"{r.human_examples:,.0f}")
        cols["Synthetic rows"].append(f"{r.synthetic_examples:,.0f}")
        cols["Reviewed"].append(f"{r.review_coverage:.0%}" if r.synthetic_examples else "—")
        cols["Spend"].append(money(r.spend, cur))
        cols["Spent so far"].append(money(r.expected_spend_to_date, cur))
        cols["Target reached"].append(probability(r.probability_target))
        cols["Still buying"].append(probability(r.share_buying))
    o = plan.one_shot
    cols["Round"].append("At once")
    cols["Human rows"].append(f"{o.human_examples:,.0f}")
    cols["Synthetic rows"].append(f"{o.synthetic_examples:,.0f}")
    cols["Reviewed"].append(f"{o.review_coverage:.0%}" if o.synthetic_examples else "—")
    cols["Spend"].append(money(o.spend, cur))
    cols["Spent so far"].append(money(o.spend, cur))
    cols["Target reached"].append(probability(o.probability_target))
    cols["Still buying"].append("100%")
    return cols


def spread_table(plan: RoundsPlan) -> dict[str, list]:
    """Each uncertain input, where it came from, its standard error now and after round 1 (a dict
    of columns); the source is the analysis's (``input_sources``), so an entered accuracy reads
    "entered"."""
    cols: dict[str, list] = {
        "Input": [],
        "Value": [],
        "Source": [],
        "Standard error": [],
        "After round 1": [],
    }
    for sp in plan.spreads:
        cols["Input"].append(sp.name.capitalize())
        cols["Value"].append(spread_text(sp.field, sp.value))
        cols["Source"].append(source_text(sp.source, reason=False))
        cols["Standard error"].append(spread_text(sp.field, sp.standard_error, error=True))
        cols["After round 1"].append(spread_text(sp.field, sp.after_first_round, error=True))
    return cols


def chance_figure(plan: RoundsPlan) -> go.Figure:
    """Chance of reaching the target against cumulative expected spend, staged and one-shot."""
    cur = plan.currency
    today = plan.today_probability
    xs = [0.0] + [r.expected_spend_to_date for r in plan.rounds]
    ys = [today] + [r.probability_target for r in plan.rounds]
    labels = ["today"] + [f"after round {r.round}" for r in plan.rounds]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines+markers+text",
            name="Bought in rounds",
            line=dict(color=STAGED_COLOUR, width=3),
            marker=dict(size=10),
            text=_round_labels(xs, ys),
            textposition="top left",
            customdata=[[lab, money(x, cur)] for lab, x in zip(labels, xs, strict=True)],
            hovertemplate="%{customdata[0]}: %{customdata[1]} spent, "
            "target reached in %{y:.0%} of futures<extra></extra>",
        )
    )
    o = plan.one_shot
    fig.add_trace(
        go.Scatter(
            x=[0.0, o.spend],
            y=[today, o.probability_target],
            mode="lines+markers",
            name="Bought at once",
            line=dict(color=ONE_SHOT_COLOUR, width=3, dash="dash"),
            marker=dict(size=10, symbol="square"),
            customdata=[["today", money(0.0, cur)], ["the one-shot plan", money(o.spend, cur)]],
            hovertemplate="%{customdata[0]}: %{customdata[1]} spent, "
            "target reached in %{y:.0%} of futures<extra></extra>",
        )
    )
    layout = chart_layout(
        "Chance of reaching the target against money spent",
        f"Expected spend so far ({html_text(cur)})",
        "Futures reaching the target",
        height=380,
        legend_names=["Bought in rounds", "Bought at once"],
        font=theme.CHART_FONT,
        title_font=theme.CHART_TITLE_FONT,
        width_px=760,
    )
    xaxis, yaxis = layout.pop("xaxis"), layout.pop("yaxis")
    fig.update_layout(template="plotly_white", **layout)
    from ui.charts import currency_axis

    fig.update_xaxes(
        title_text=xaxis["title"]["text"],
        automargin=True,
        showline=True,
        linecolor="#888888",
        tickformat="~s",
        rangemode="tozero",
        **currency_axis(cur),
    )
    fig.update_yaxes(
        title_text=yaxis["title"]["text"],
        automargin=True,
        showline=True,
        linecolor="#888888",
        tickformat=".0%",
        range=[0, 1.05],
    )
    return fig


def _round_labels(xs: list[float], ys: list[float]) -> list[str]:
    """ "Round N" beside a point only where it is clear of the last labelled one (later rounds are
    often small and bunch together; the hover names every point)."""
    span = max(max(xs) - min(xs), 1e-9)
    out, last = [""], (xs[0], ys[0])
    for i in range(1, len(xs)):
        clear = abs(xs[i] - last[0]) / span > 0.12 or abs(ys[i] - last[1]) > 0.08
        out.append(f"Round {i}" if clear else "")
        if clear:
            last = (xs[i], ys[i])
    return out


def first_work_order(scenario: Scenario, policy_text: str | None, plan: RoundsPlan):
    """Round 1 split by slice on the Work plan page's data and choices; None when that page has
    none (no data file, or no column choices yet). Raises InputError on a choice that cannot be
    planned."""
    from hybrid.model.workplan import slice_plan

    up, prof = ui_wp.loaded()
    spec = st.session_state.get(ui_wp.SPEC)
    if not up or not prof or not prof.get("data") or not spec or spec.get("digest") != up["digest"]:
        return None
    if "label" not in spec or len(spec["annotators"]) == 1:
        return None
    stats = ui_wp.slice_stats(
        up["digest"],
        up["path"],
        up["name"],
        spec["slice"],
        spec["label"],
        tuple(spec["annotators"]),
        spec["source"] or None,
    )
    a = compute.analysis_for(scenario, policy_text)
    rec = a.recommendation
    # Round 1 in place of the whole plan, priced on the inputs the plan is priced on.
    first = dataclasses.replace(rec, plan=plan.first_plan(plan_inputs(a.inputs, rec)))
    return slice_plan(
        scenario,
        compute.policy(policy_text),
        stats,
        margin=float(spec["margin"]) / 100.0,
        confidence=float(spec["confidence"]) / 100.0,
        inputs=a.inputs,
        recommendation=first,
    )
