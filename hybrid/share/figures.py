"""The report's charts as plotly figures, one definition for every place they appear.

``figures(data)`` turns a ``ReportData`` into plotly figure dicts: the HTML report embeds them as
interactive charts and the PDF renders the same figures as static images.
"""

from __future__ import annotations

import math

from hybrid.money import currency_affixes as _prefix
from hybrid.money import money
from hybrid.money import short_number as _short
from hybrid.share.chart_layout import FONT_FAMILY, chart_layout, share_of_budget, twins
from hybrid.share.report import (
    COLORS,
    LAYERS,
    PLAN_COLORS,
    PLAN_ORDER,
    PLAN_TITLES,
    ReportData,
)
from hybrid.share.report import cpp_text as _cpp
from hybrid.share.report import finite_or_none as _opt_float
from hybrid.vocabulary import input_value as _fmt_input

_FONT = FONT_FAMILY


def _layout(title: str, *, legend_rows: int = 1, **kw) -> dict:
    """The shared chart layout (hybrid.share.chart_layout) at report size: title on top, legend at
    the bottom, margins computed from both; ``margin=dict(l=...)`` may widen the left margin
    only."""
    showlegend = kw.pop("showlegend", True)
    height = kw.pop("height", 400)
    base = chart_layout(
        title,
        height=height,
        legend_names=["x" * 30] * (3 * legend_rows if showlegend else 0),
        font=13,
        title_font=16,
        width_px=700,
    )
    base.pop("xaxis")
    base.pop("yaxis")
    base["template"] = "plotly_white"
    base["font"]["color"] = "#222"
    margin = kw.pop("margin", {})
    base["margin"]["l"] = margin.get("l", 70)
    base.update(kw)
    return base


def _money_ticks(lo: float, hi: float, cur: str) -> tuple[list[float], list[str]]:
    """1-2-5 ticks between ``lo`` and ``hi`` for a log money axis, labelled $100, $2k, $50k."""
    pre, suf = _prefix(cur)
    vals, text = [], []
    for e in range(
        int(math.floor(math.log10(max(lo, 1e-9)))), int(math.ceil(math.log10(max(hi, 1e-9)))) + 1
    ):
        for mult in (1, 2, 5):
            v = mult * 10.0**e
            if lo <= v <= hi:
                vals.append(v)
                text.append(f"{pre}{_short(v)}{suf}")
    return vals, text


def figures(data: ReportData) -> dict:
    """The report's plotly figures by id: spend-vs-metric, layers, cost per point, and optional
    ones."""
    import plotly.graph_objects as go

    rec = data.recommendation
    cur = data.currency
    pre, suf = _prefix(cur)
    figs = {}

    fig = go.Figure()
    spend = list(data.curve_spend)
    same = twins(rec.plans)
    # A plan with the recommended mix has the recommended curve: drawn after it, dashed, and named
    # so,
    # or the recommended line would hide it.
    order = (
        [n for n in ("all-human", "all-synthetic") if n not in same]
        + ["recommended"]
        + [n for n in ("all-human", "all-synthetic") if n in same]
    )
    for name in order:
        pl = next(q for q in rec.plans if q.name == name)
        title = PLAN_TITLES[name] + (" (outside guardrails)" if pl.breaks else "")
        if name == "recommended" and same:
            title += " (= " + " and ".join(PLAN_TITLES[n].lower() for n in same) + ")"
        fig.add_trace(
            go.Scatter(
                x=spend,
                y=list(data.curve_metric[name]),
                mode="lines",
                name=title,
                line=dict(
                    color=PLAN_COLORS[name],
                    width=3.5 if name == "recommended" else 2.5,
                    dash="dot" if pl.breaks else "dash" if name in same else "solid",
                ),
                hovertemplate=f"{PLAN_TITLES[name]}<br>spend {pre}%{{x:,.0f}}{suf}<br>metric "
                f"%{{y:.3f}}<extra></extra>",
                legendgroup=name,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[pl.spend],
                y=[pl.expected_metric],
                mode="markers",
                marker=dict(
                    color=PLAN_COLORS[name],
                    size=8 if name in same else 12,
                    symbol="diamond" if name == "recommended" else "circle",
                    line=dict(color="white", width=1.5),
                ),
                name=f"{PLAN_TITLES[name]} plan",
                showlegend=False,
                legendgroup=name,
                hovertemplate=f"{PLAN_TITLES[name]} plan<br>spend {pre}%{{x:,.0f}}{suf}<br>metric "
                f"%{{y:.3f}}<extra></extra>",
            )
        )
    lo = min(min(v) for v in data.curve_metric.values())
    hi = max(max(v) for v in data.curve_metric.values())
    lo, hi = min(lo, rec.today_metric, rec.target_metric), max(hi, rec.target_metric)
    pad = max(0.005, (hi - lo) * 0.08)
    fig.add_hline(
        y=rec.target_metric,
        line=dict(color=COLORS["target"], dash="dash", width=1.5),
        annotation_text=f"target {rec.target_metric:.3f}",
        annotation_position="top left",
    )
    fig.add_hline(
        y=rec.today_metric,
        line=dict(color=COLORS["today"], dash="dot", width=1.5),
        annotation_text=f"today {rec.today_metric:.3f}",
        annotation_position="bottom right",
    )
    fig.add_vline(x=rec.budget, line=dict(color=COLORS["target"], width=1))
    # On a log axis an annotation's x is in log10 units (add_vline's own annotation gets this
    # wrong).
    fig.add_annotation(
        x=math.log10(rec.budget),
        y=1,
        yref="paper",
        text=f"budget {money(rec.budget, cur)}",
        showarrow=False,
        xanchor="right",
        yanchor="top",
        xshift=-4,
        font=dict(size=12),
    )
    x_lo, x_hi = spend[0], spend[-1] * 1.6
    tickvals, ticktext = _money_ticks(x_lo, x_hi, cur)
    fig.update_layout(**_layout("Expected metric by spend, for each plan's mix", height=460))
    fig.update_xaxes(
        type="log",
        title_text=f"Spend ({cur}, log scale)",
        tickvals=tickvals,
        ticktext=ticktext,
        range=[math.log10(x_lo), math.log10(x_hi)],
        showgrid=True,
    )
    fig.update_yaxes(
        title_text="Expected metric (0 to 1)", tickformat=".3f", range=[lo - pad, hi + pad]
    )
    figs["chart-spend"] = fig

    fig = go.Figure()
    names = list(PLAN_ORDER)[::-1]
    plans = [next(q for q in rec.plans if q.name == n) for n in names]
    rows = [PLAN_TITLES[n] + (" (= recommended)" if n in same else "") for n in names]
    for key, title, color, _ in LAYERS:
        fig.add_trace(
            go.Bar(
                y=rows,
                x=[pl.layers[key] for pl in plans],
                orientation="h",
                name=title,
                marker=dict(color=color),
                hovertemplate=f"{title}: {pre}%{{x:,.0f}}{suf}<extra>%{{y}}</extra>",
            )
        )
    # Each plan's total at the end of its bar, so a plan far smaller than the largest one (a few
    # hundred dollars beside the whole budget) still reads, even when its bar is a sliver.
    fig.add_trace(
        go.Bar(
            y=rows,
            x=[0.0] * len(plans),
            orientation="h",
            name="plan total",
            showlegend=False,
            marker=dict(color=LAYERS[-1][2]),  # width 0: no colour shows
            text=[
                f"{money(pl.spend, cur)} ({share_of_budget(pl.spend, rec.budget)})" for pl in plans
            ],
            textposition="outside",
            cliponaxis=False,
            hoverinfo="skip",
        )
    )
    top = max([pl.spend for pl in plans] + [1.0])
    fig.update_layout(
        **_layout(
            "Where the money goes: the three layers of each plan",
            barmode="stack",
            height=320,
            margin=dict(l=110, r=24, t=96, b=56),
        )
    )
    # Room on the right for the longest label when the largest plan's own bar runs that far.
    fig.update_xaxes(
        title_text=f"Spend ({cur})",
        tickprefix=pre,
        ticksuffix=suf,
        tickformat="~s",
        range=[0, top * 1.55],
    )
    figs["chart-layers"] = fig

    fig = go.Figure()
    cols = [c for c in data.plans]
    vals = [c.plan.cost_per_point or 0.0 for c in cols]
    fig.add_trace(
        go.Bar(
            x=[c.title + ("<br>(outside guardrails)" if c.plan.breaks else "") for c in cols],
            y=vals,
            marker=dict(
                color=[c.color for c in cols],
                pattern=dict(shape=["/" if c.plan.breaks else "" for c in cols], fgcolor="white"),
            ),
            text=[_cpp(c.plan.cost_per_point, cur) for c in cols],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{x}}: {pre}%{{y:,.0f}}{suf} per point<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(
        **_layout(
            "Cost per percentage point of metric gained",
            height=340,
            margin=dict(l=70, r=24, t=64, b=70),
            showlegend=False,
        )
    )
    fig.update_yaxes(
        title_text=f"{cur} per point",
        tickprefix=pre,
        ticksuffix=suf,
        tickformat="~s",
        range=[0, max(vals + [1.0]) * 1.18],
    )
    figs["chart-cpp"] = fig

    if data.sensitivity:
        rows = [r for r in data.sensitivity][::-1]
        base = rec.plan.cost_per_point or 0.0
        fig = go.Figure()
        for side, color, label in (
            ("low", COLORS["low"], "input at its low value"),
            ("high", COLORS["high"], "input at its high value"),
        ):
            ys, xs, bases, texts = [], [], [], []
            for r in rows:
                v = r.cpp_low if side == "low" else r.cpp_high
                val = r.low if side == "low" else r.high
                ys.append(r.title + (" \u2021" if r.flips_label else ""))
                if v is None:
                    xs.append(0.0)
                    bases.append(base)
                else:
                    xs.append(v - base)
                    bases.append(base)
                texts.append(_fmt_input(r.input, val, cur))
            fig.add_trace(
                go.Bar(
                    y=ys,
                    x=xs,
                    base=bases,
                    orientation="h",
                    name=label,
                    marker=dict(color=color),
                    customdata=texts,
                    hovertemplate=f"%{{y}} = %{{customdata}}<br>cost per point "
                    f"{pre}%{{x:,.0f}}{suf}<extra></extra>",
                )
            )
        fig.add_vline(x=base, line=dict(color=COLORS["target"], width=1))
        fig.update_layout(
            **_layout(
                "Sensitivity: cost per point as each input moves across its range",
                barmode="overlay",
                height=max(320, 130 + 34 * len(rows)),
                margin=dict(l=210, r=24, t=84, b=60),
            )
        )
        ends = [v for r in rows for v in (r.cpp_low, r.cpp_high) if v is not None] + [base]
        span = max(ends) - min(ends) or max(base, 1.0) * 0.1
        fig.update_xaxes(
            title_text=f"Recommended plan's cost per point ({cur}); line: today's inputs, "
            f"{_cpp(base, cur)}"
            + ("; \u2021 flips the label" if any(r.flips_label for r in rows) else ""),
            tickprefix=pre,
            ticksuffix=suf,
            tickformat="~s",
            range=[max(0.0, min(ends) - 0.06 * span), max(ends) + 0.06 * span],
        )
        figs["chart-tornado"] = fig

    if data.uncertainty:
        fig = go.Figure()
        for r in list(data.uncertainty)[::-1]:
            p50 = _opt_float(r.values.get("cpp_p50"))
            p5 = _opt_float(r.values.get("cpp_p5"))
            p95 = _opt_float(r.values.get("cpp_p95"))
            if p50 is None:
                continue
            fig.add_trace(
                go.Scatter(
                    x=[p50],
                    y=[r.title],
                    mode="markers",
                    name=r.title,
                    marker=dict(color=r.color, size=13),
                    error_x=dict(
                        type="data",
                        symmetric=False,
                        array=[(p95 or p50) - p50],
                        arrayminus=[p50 - (p5 or p50)],
                        color=r.color,
                        thickness=3,
                        width=8,
                    ),
                    hovertemplate=f"{r.title}: median {pre}%{{x:,.0f}}{suf} per "
                    f"point<extra></extra>",
                    showlegend=False,
                )
            )
        fig.update_layout(
            **_layout(
                "Uncertainty: cost per point, median and 90% interval",
                height=280,
                margin=dict(l=110, r=24, t=64, b=56),
                showlegend=False,
            )
        )
        fig.update_xaxes(
            title_text=f"{cur} per point", tickprefix=pre, ticksuffix=suf, tickformat="~s"
        )
        figs["chart-uncertainty"] = fig

    if data.workplan is not None and data.workplan.plan.spend > 0:
        # With nothing bought there is nothing to chart: empty bars over a "$-1 to $1" axis.
        figs["chart-workplan"] = workplan_figure(data.workplan.plan, cur)
    return figs


def workplan_figure(wp, cur: str, top: int = 15):
    """Spend by slice and layer: horizontal stacked bars, largest slice on top, the ``top`` largest
    with a bar each and the rest together (``hybrid.share.workplan.workplan_bars``)."""
    import html

    import plotly.graph_objects as go

    from hybrid.safetext import shown
    from hybrid.share.workplan import workplan_bars

    pre, suf = _prefix(cur)
    bars = workplan_bars(wp, top)
    labels, seen = [], set()
    for n in bars["names"]:
        n = " ".join(shown(n).split())
        lab = html.escape(n if len(n) <= 28 else n[:27] + "\u2026")
        while lab in seen:
            lab += "\u200b"
        seen.add(lab)
        labels.append(lab)
    fig = go.Figure()
    for key, title, color, _ in LAYERS:
        fig.add_trace(
            go.Bar(
                y=labels[::-1],
                x=bars[key][::-1],
                orientation="h",
                name=title,
                marker=dict(color=color),
                hovertemplate=f"%{{y}}<br>{title}: {pre}%{{x:,.0f}}{suf}<extra></extra>",
            )
        )
    more = (
        f"; the {len(labels) - 1} largest, then the other {bars['other']:,}"
        if bars["other"]
        else ""
    )
    fig.update_layout(
        **_layout(
            f"Spend by slice and layer ({len(wp.slices):,} slices{more})",
            barmode="stack",
            height=max(300, 120 + 26 * len(labels)),
            margin=dict(l=190, r=24, t=84, b=60),
        )
    )
    fig.update_xaxes(title_text=f"Spend ({cur})", tickprefix=pre, ticksuffix=suf, tickformat="~s")
    return fig
