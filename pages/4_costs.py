"""Costs and learning curve: unit costs, budget, generator quality, target, and the learning curve
with its fitted uncertainty band; the pre-labeling break-even accuracy."""

from __future__ import annotations

import streamlit as st

from ui import state

# The heading first: the imports below (the model, pandas, plotly; about a second cold)
# come after it, so the page's name shows at once (benchmarks/bench_pages.py).
scenario = state.page_setup(
    "Costs and learning curve: what does each point of metric cost?",
    "Unit costs and budget, how good the generator is, the target, and how the metric grows with "
    "data. "
    "Money is in the scenario's currency; metrics are fractions (0.85, not 85).",
)

import math

import numpy as np
import pandas as pd

from hybrid.errors import InputError
from hybrid.model.curves import CurveFit, fit_curve
from hybrid.model.economics import prelabel_break_even
from hybrid.money import money
from hybrid.share.urlstate import MAX_MONEY
from hybrid.vocabulary import source_text
from ui import charts, compute, evidence, nav
from ui.theme import md_escape

PAGE = "pages/4_costs.py"
CURVE_KEY = evidence.CURVE_KEY  # errors and pending rows of the learning-curve table
CURVE_COUNTER = (
    evidence.CURVE_COUNTER
)  # bumped to rebuild the table (also when a measured curve is used)
MODE_KEY = evidence.MODE_KEY
MODES = ("Measured points", "Fitted parameters")


def _money_field(
    label: str,
    path: str,
    where,
    *,
    optional: bool = False,
    help: str | None = None,
    step: float = 0.1,
) -> None:
    state.number(
        f"{label} ({md_escape(state.current().economics.currency)})",
        path,
        min_value=0.0,
        max_value=MAX_MONEY,
        step=step,
        fmt="%.3f" if step < 1 else "%.0f",
        optional=optional,
        placeholder="not set",
        where=where,
        help=help,
    )


def _fraction_field(
    label: str,
    path: str,
    where,
    *,
    optional: bool = False,
    help: str | None = None,
    placeholder: str = "policy default",
) -> None:
    state.number(
        label,
        path,
        min_value=0.0,
        max_value=1.0,
        step=0.01,
        fmt="%.3f",
        optional=optional,
        placeholder=placeholder,
        where=where,
        help=help,
    )


def _switch_mode() -> None:
    s = state.current()
    want = st.session_state[MODE_KEY]
    lc = s.economics.learning_curve
    if want == MODES[1] and lc.points is not None:
        try:
            fitted = fit_curve(lc.points, backtest=False).to_fitted().model_dump()
        except InputError as exc:
            state.set_error(MODE_KEY, want, str(exc))
            return
        updates = {
            "economics.learning_curve.points": None,
            "economics.learning_curve.fitted": fitted,
            "economics.learning_curve.measured_on": None,
        }
        if s.dataset is None or s.dataset.human_examples == 0:
            updates["dataset.human_examples"] = int(max(p[0] for p in lc.points))
    elif want == MODES[0] and lc.fitted is not None:
        f = lc.fitted
        top = s.dataset.human_examples if s.dataset and s.dataset.human_examples else 1000
        pts = [
            [float(round(top * k)), round(f.ceiling - f.scale * (top * k) ** (-f.exponent), 4)]
            for k in (0.125, 0.25, 0.5, 1.0)
        ]
        updates = {
            "economics.learning_curve.points": pts,
            "economics.learning_curve.fitted": None,
            "economics.learning_curve.measured_on": None,
        }
    else:
        return
    state.set_error(MODE_KEY, want, state.try_update(updates))
    st.session_state[CURVE_COUNTER] = st.session_state.get(CURVE_COUNTER, 0) + 1


def _rows(df: pd.DataFrame) -> tuple[list[list[float]], str | None]:
    """Complete rows of the table, and what is wrong with the incomplete ones."""
    rows, problems = [], []
    for i, (n, m) in enumerate(zip(df["examples"], df["metric"], strict=True), start=1):
        n_ok = n is not None and not (isinstance(n, float) and math.isnan(n))
        m_ok = m is not None and not (isinstance(m, float) and math.isnan(m))
        if not n_ok and not m_ok:
            continue
        if not (n_ok and m_ok):
            problems.append(f"row {i}: enter both the number of examples and the metric")
            continue
        rows.append([float(n), float(m)])
    return rows, "; ".join(problems) or None


def points_editor(where) -> None:
    """The learning-curve points as an editable table. The table is rebuilt (new key) whenever its
    source changes, so Streamlit's stored edits are never applied twice."""
    ss = st.session_state
    s = state.current()
    errs = ss.setdefault(state.ERRORS, {})
    pending = errs.get(CURVE_KEY)
    source = pending[0] if pending else [list(p) for p in (s.economics.learning_curve.points or [])]
    counter = ss.get(CURVE_COUNTER, 0)
    key = f"w.curve.{ss.get(state.EPOCH, 0)}.{counter}"
    df = pd.DataFrame(source, columns=["examples", "metric"], dtype=float)
    edited = where.data_editor(
        df,
        key=key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "examples": st.column_config.NumberColumn(
                "Rows (n)",
                min_value=1,
                step=1,
                format="localized",
                help="Human-labeled training examples the model was trained on.",
            ),
            "metric": st.column_config.NumberColumn(
                "Metric",
                min_value=0.0,
                max_value=1.0,
                step=0.001,
                format="%.3f",
                help="The metric measured at that size, 0 to 1.",
            ),
        },
    )
    rows, incomplete = _rows(edited)
    if rows != source or (incomplete and not pending):
        if incomplete:
            problem = incomplete
        else:
            # Edited points are the team's own, no longer the pilot's measurement.
            problem = state.try_update(
                {
                    "economics.learning_curve.points": rows,
                    "economics.learning_curve.fitted": None,
                    "economics.learning_curve.measured_on": None,
                }
            )
        if problem:
            errs[CURVE_KEY] = ([list(r) for r in _raw(edited)], problem)
        else:
            errs.pop(CURVE_KEY, None)
        ss[CURVE_COUNTER] = counter + 1
    state.field_error(CURVE_KEY, "Learning curve", where)


def _raw(df: pd.DataFrame) -> list[list[float]]:
    return [[float(n), float(m)] for n, m in zip(df["examples"], df["metric"], strict=True)]


top = st.columns(3, gap="large")
with top[0], st.container(border=True):
    st.subheader("Money")
    state.money_field(
        f"Budget for new data ({md_escape(scenario.economics.currency)})",
        "economics.budget",
        help=f"The most the plan may spend, now "
        f"{md_escape(money(scenario.economics.budget, scenario.economics.currency))}. "
        "Type 60000, 60,000 or 60k.",
    )
    state.text(
        "Currency code", "economics.currency", max_chars=8, help="USD, EUR and GBP show a symbol."
    )
    _money_field("Human expert label, per example", "economics.human_cost_per_example", st)
    _money_field(
        "Synthetic example, per example",
        "economics.synthetic_cost_per_example",
        st,
        step=0.01,
        help="Generation is never free: compute, prompts, filtering.",
    )
with top[1], st.container(border=True):
    st.subheader("Generator and review")
    _fraction_field(
        "Generator label accuracy (0 to 1)",
        "economics.synthetic_label_accuracy",
        st,
        help="Share of synthetic examples whose label is right, measured on a human-checked "
        "sample.",
    )
    _money_field(
        "Human review, per synthetic example", "economics.review_cost_per_example", st, step=0.05
    )
    _fraction_field(
        "Review catch rate (0 to 1)",
        "economics.review_catch_rate",
        st,
        help="Share of wrong synthetic labels a reviewer catches.",
    )
    priced = state.analysis()
    if priced is not None:
        fix = priced.source("fix_cost")
        fixed_at = (
            f"the fix cost {money(fix.value, priced.currency)}"
            if fix.source.kind == "entered"
            else f"a fresh label's price ({money(fix.value, priced.currency)})"
        )
        st.caption(
            md_escape(
                f"The plan prices a reviewed row at "
                f"{money(priced.review_unit_cost, priced.currency)}: every "
                f"row is checked, and the {priced.review_found:.0%} found wrong are fixed at "
                f"{fixed_at}, so review gets dearer as the generator gets worse."
            )
        )
    _money_field(
        "Price of one wrong label reaching training",
        "economics.escaped_error_cost",
        st,
        step=0.1,
        help="Optional. Multiplied by the error-cost answer; 0 leaves review to the guardrail "
        "alone.",
    )
with top[2], st.container(border=True):
    st.subheader("Target")
    _fraction_field(
        "Target metric (0 to 1)",
        "economics.target_metric",
        st,
        help="The metric the plan must reach, e.g. accuracy 0.915.",
    )
    a = state.analysis()
    _fraction_field(
        "Synthetic tail coverage (0 to 1)",
        "economics.tail_coverage",
        st,
        optional=True,
        help="How much a synthetic example counts on edge cases relative to the common cases. "
        "Empty: measured on the Dataset page if it was, else the policy default (generators "
        "rarely reach the tail). A value here overrides both.",
        placeholder="policy default"
        if a is None or not a.tail_coverage.source.measured
        else f"measured: {a.tail_coverage.value:.2f}",
    )
    if a is not None:
        st.caption(
            md_escape(
                f"The plan uses a tail coverage of {a.tail_coverage.value:.0%} "
                f"({source_text(a.tail_coverage.source, reason=False)})."
            )
        )
        st.metric(
            "Today's metric",
            f"{a.rec.today_metric:.3f}",
            f"{(a.rec.target_metric - a.rec.today_metric) * 100:+.1f} points to the target",
            delta_color="off",
        )

scenario = state.current()
lc = scenario.economics.learning_curve
with st.container(border=True):
    st.subheader("Learning curve")
    left, right = st.columns([2, 3], gap="large")
    with left:
        pending = st.session_state.get(state.ERRORS, {}).get(MODE_KEY)
        st.session_state[MODE_KEY] = (
            pending[0] if pending else (MODES[0] if lc.points is not None else MODES[1])
        )
        st.radio(
            "The curve comes from", MODES, key=MODE_KEY, horizontal=True, on_change=_switch_mode
        )
        state.field_error(MODE_KEY, "Learning curve")
        evidence.costs_note()  # points measured on the Dataset page, one click away
        if lc.points is not None:
            st.caption(
                "The metric measured after training on n human-labeled examples; at least 3 sizes. "
                "Add rows at the bottom; select rows to delete them."
            )
            points_editor(st)
        else:
            st.caption(
                "m(n) = ceiling − scale · n^(−exponent); the dataset's human examples place today "
                "on it."
            )
            state.number(
                "Ceiling",
                "economics.learning_curve.fitted.ceiling",
                min_value=0.0,
                max_value=1.0,
                step=0.01,
                fmt="%.3f",
            )
            state.number(
                "Scale",
                "economics.learning_curve.fitted.scale",
                min_value=0.0,
                step=0.1,
                fmt="%.4f",
            )
            state.number(
                "Exponent",
                "economics.learning_curve.fitted.exponent",
                min_value=0.0,
                max_value=3.0,
                step=0.01,
                fmt="%.3f",
            )
    scenario = state.current()
    lc = scenario.economics.learning_curve
    a = state.analysis()
    today_n = None
    if scenario.dataset is not None and scenario.dataset.human_examples > 0:
        today_n = float(scenario.dataset.human_examples)
    with right:
        try:
            if lc.points is not None:
                n_top = max(p[0] for p in lc.points)
                plan_n = (today_n or n_top) + (a.rec.plan.new_examples if a else 0.0)
                view = compute.curve_view(
                    tuple(tuple(p) for p in lc.points), max(4.0 * n_top, plan_n * 1.3)
                )
                fit: CurveFit = view.fit
                fig = charts.curve_chart(
                    view.n,
                    view.mean,
                    view.lo,
                    view.hi,
                    lc.points,
                    scenario.economics.target_metric,
                    today_n or n_top,
                    fit.cov is not None,
                    today_metric=a.today if a else None,
                )
            else:
                f = lc.fitted
                fit = CurveFit(ceiling=f.ceiling, scale=f.scale, exponent=f.exponent)
                n = np.geomspace(max(1.0, (today_n or 1000) / 10), (today_n or 1000) * 8, 160)
                mean = fit.predict(n)
                fig = charts.curve_chart(
                    n,
                    mean,
                    mean,
                    mean,
                    [],
                    scenario.economics.target_metric,
                    today_n,
                    False,
                    today_metric=a.today if a else None,
                )
            st.plotly_chart(fig, theme=None, key="costs.curve", config={"displayModeBar": False})
            facts = [f"ceiling {fit.ceiling:.3f}", f"exponent {fit.exponent:.2f}"]
            if fit.rmse is not None:
                facts.append(f"fit error (RMSE) {fit.rmse:.4f}")
            st.caption(
                "Fit: "
                + ", ".join(facts)
                + ". "
                + md_escape(fit.backtest_note.capitalize() if fit.backtest_note else "")
            )
            for note in fit.notes:
                st.caption(md_escape(note.capitalize()))
            if scenario.economics.target_metric >= fit.ceiling:
                st.warning(
                    f"The target {scenario.economics.target_metric:.3f} is at or above the curve's "
                    f"ceiling "
                    f"{fit.ceiling:.3f}: more data of this kind cannot reach it; the plan shows "
                    f"the best the budget buys.",
                    icon=":material/warning:",
                )
            st.caption(
                "Power laws fitted on few, small points tend to over-predict what more data buys "
                "(Mahmood et al., CVPR 2022): read the band, not just the line."
            )
        except InputError as exc:
            st.error(md_escape(str(exc)))

with st.container(border=True):
    st.subheader("Model-assisted labeling: when do pre-labels pay off?")
    st.caption(
        "A model pre-labels each example and a human confirms or fixes it. Pre-labels at accuracy "
        "p pay off when "
        "synthetic cost + p · confirm cost + (1 − p) · fix cost < human label cost."
    )
    b1, b2, b3 = st.columns(3, gap="large")
    _money_field(
        "Confirm a correct pre-label, per example",
        "economics.confirm_cost_per_example",
        b1,
        optional=True,
        step=0.05,
    )
    _money_field(
        "Fix a wrong pre-label, per example",
        "economics.fix_cost_per_example",
        b2,
        optional=True,
        step=0.05,
    )
    state.number(
        "Unlabeled inputs available to pre-label",
        "economics.synthetic_available",
        integer=True,
        min_value=0,
        max_value=10**12,
        step=1000,
        optional=True,
        placeholder="no limit",
        where=b1,
        help="First-pass labels need real inputs: the plan buys no more synthetic rows than this. "
        "Leave empty when the supply is not a limit.",
    )
    econ = state.current().economics
    cur = econ.currency
    with b3:
        if econ.confirm_cost_per_example is None or econ.fix_cost_per_example is None:
            st.metric("Break-even pre-label accuracy", "—")
            st.caption("Enter both costs to see it.")
        else:
            p = prelabel_break_even(
                econ.synthetic_cost_per_example,
                econ.confirm_cost_per_example,
                econ.fix_cost_per_example,
                econ.human_cost_per_example,
            )
            acc = econ.synthetic_label_accuracy
            if p is None:
                st.metric("Break-even pre-label accuracy", "never")
                st.caption(
                    md_escape(
                        f"Even perfect pre-labels cost more than a human label "
                        f"({money(econ.human_cost_per_example, cur)})."
                    )
                )
            else:
                pays = acc > p
                st.metric(
                    "Break-even pre-label accuracy",
                    f"{p:.0%}",
                    f"generator at {acc:.0%}: {'pays off' if pays else 'does not pay off'}",
                    delta_color="normal" if pays else "inverse",
                    delta_arrow="off",
                )

state.finish(PAGE, nav.neighbours(PAGE))
