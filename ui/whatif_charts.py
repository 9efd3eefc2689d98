"""Plotly figures for the what-if pages: pure functions of the core's results, no Streamlit.

Same rules as ``ui.charts``: a title and axis titles with units on every chart, the theme's colours
for the same meaning (human blue, synthetic orange, review green, recommended black), and a second
cue besides colour (dash, pattern, marker symbol or a text label). User text goes through
``html_text`` because Plotly renders a subset of HTML.

Colours for things the theme has no meaning for come from the rest of the Okabe-Ito palette:
scenarios in a comparison (black, reddish purple, sky blue, vermillion, each with its own dash and
marker), the two ends of a tornado bar (sky blue for the low end, reddish purple with a hatch for
the
high end), and the collapse modes (vermillion for replace, sky blue for accumulate).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from hybrid.explain.rationale import LABEL_TITLES
from hybrid.explain.sensitivity import Bar
from hybrid.model.recommend import Recommendation
from hybrid.money import currency_affixes, money, money_compact
from hybrid.palette import PURPLE, SKY, VERMILLION  # noqa: E402
from hybrid.share.chart_layout import (
    bar_end_labels,
    left_margin,
    spaced,
    text_width_px,
    tick_format,
)
from hybrid.vocabulary import probability
from hybrid.whatif.collapse import CollapseResult
from hybrid.whatif.uncertainty import MonteCarlo
from ui import theme
from ui.charts import (
    add_plan_curve,
    apply_layout,
    budget_left_bar,
    currency_axis,
    layer_bar,
)
from ui.theme import html_text
from ui.whatif import format_field

SCENARIO_STYLES = (
    {"color": theme.RECOMMENDED, "dash": "solid", "symbol": "diamond"},
    {"color": PURPLE, "dash": "dash", "symbol": "square"},
    {"color": SKY, "dash": "dot", "symbol": "circle"},
    {"color": VERMILLION, "dash": "dashdot", "symbol": "triangle-up"},
)
LOW_COLOUR, HIGH_COLOUR = SKY, PURPLE
MODE_STYLES = {
    "replace": {"color": VERMILLION, "dash": "solid", "symbol": "circle", "title": "Replace"},
    "accumulate": {"color": SKY, "dash": "dash", "symbol": "square", "title": "Accumulate"},
    "reference": {
        "color": "#777777",
        "dash": "dot",
        "symbol": "x",
        "title": "Replace, no fresh human data",
    },
}


def _short(name: str, limit: int = 44) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


# --- compare
# ---------------------------------------------------------------------------------------


def compare_curves(
    titles: Sequence[str],
    analyses: Sequence,
    plan: str = "recommended",
) -> go.Figure:
    """Expected metric against spend for one plan of each scenario, overlaid."""
    fig = go.Figure()
    currencies = {a.rec.currency for a in analyses}
    cur = next(iter(currencies)) if len(currencies) == 1 else None
    values: list[float] = []
    targets: dict[float, list[str]] = {}
    for i, (title, a) in enumerate(zip(titles, analyses, strict=True)):
        style = SCENARIO_STYLES[i % len(SCENARIO_STYLES)]
        rec: Recommendation = a.rec
        p = {q.name: q for q in rec.plans}[plan]
        name = html_text(_short(title))
        add_plan_curve(
            fig,
            a.spend,
            a.curves[plan],
            p,
            f"{name} ({p.synthetic_share:.0%} synthetic)",
            rec.currency,
            style["color"],
            style["dash"],
            4,
            style["symbol"],
            17,
        )
        values.extend(np.ravel(a.curves[plan]).tolist())
        values.extend([rec.today_metric, rec.target_metric])
        targets.setdefault(round(rec.target_metric, 4), []).append(_short(title, 18))
    for t, names in targets.items():
        label = f"target {t:.3f}" if len(targets) == 1 else f"target {t:.3f} ({', '.join(names)})"
        fig.add_hline(
            y=t,
            line={"color": theme.TARGET, "dash": "dash", "width": 2},
            # Below the line at the right: each curve has crossed its target there (or ended at
            # its budget), and the plan markers sit on the line at the left.
            annotation={
                "text": html_text(label),
                "font": {"size": theme.CHART_FONT - 1, "color": theme.TARGET},
                "bgcolor": _LABEL_BG,
            },
            annotation_position="bottom right",
        )
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    pad = max(0.01, 0.08 * (hi - lo))
    x_title = (
        f"Spend on new data ({html_text(cur)})"
        if cur
        else "Spend on new data (each scenario's currency)"
    )
    plan_title = theme.PLAN_TITLES[plan].lower()
    apply_layout(
        fig,
        f"Expected metric vs spend, {plan_title} plan of each scenario",
        x_title,
        "Expected metric (fraction)",
        height=620,
    )
    x_max = max(float(a.spend[-1]) for a in analyses)
    fig.update_xaxes(range=[0, x_max * 1.02], **(currency_axis(cur) if cur else {}))
    fig.update_yaxes(
        range=[max(0.0, lo - pad), min(1.0, hi + pad)],
        tickformat=tick_format(max(0.0, lo - pad), min(1.0, hi + pad)),
    )
    fig.update_layout(legend={"font": {"size": theme.CHART_FONT}})
    return fig


def compare_layers(titles: Sequence[str], analyses: Sequence) -> go.Figure:
    """Each scenario's recommended spend split into the three layers, one bar per scenario."""
    currencies = {a.rec.currency for a in analyses}
    cur = next(iter(currencies)) if len(currencies) == 1 else None
    names = [html_text(_short(t)) for t in titles][::-1]
    plans = [a.rec.plan for a in analyses][::-1]
    recs = [a.rec for a in analyses][::-1]
    fig = go.Figure()
    biggest = max(r.budget for r in recs)
    for layer in theme.LAYER_TITLES:  # the vocabulary's order: anchor, extension, review
        vals = [p.layers[layer] for p in plans]
        fig.add_trace(
            layer_bar(
                layer,
                names,
                vals,
                [
                    html_text(money_compact(v, r.currency)) if v >= 0.1 * biggest else ""
                    for v, r in zip(vals, recs, strict=True)
                ],
            )
        )
    fig.add_trace(
        budget_left_bar(
            names, [max(0.0, r.budget - p.spend) for r, p in zip(recs, plans, strict=True)]
        )
    )
    x_title = f"Spend ({html_text(cur)})" if cur else "Spend (each scenario's currency)"
    apply_layout(
        fig,
        "Recommended budget split into the three layers",
        x_title,
        "",
        height=200 + 80 * len(titles),
    )
    fig.update_layout(barmode="stack", bargap=0.3, legend={"traceorder": "normal"})
    fig.update_xaxes(range=[0, biggest * 1.01], **(currency_axis(cur) if cur else {}))
    return fig


def compare_cost_per_point(titles: Sequence[str], analyses: Sequence) -> go.Figure:
    """Cost per point of the three plans of each scenario, grouped by scenario."""
    currencies = {a.rec.currency for a in analyses}
    cur = next(iter(currencies)) if len(currencies) == 1 else None
    names = [html_text(_short(t)) for t in titles]
    fig = go.Figure()
    patterns = {"recommended": "", "all-human": "", "all-synthetic": "/"}
    for plan in ("recommended", "all-human", "all-synthetic"):
        vals, texts = [], []
        for a in analyses:
            p = {q.name: q for q in a.rec.plans}[plan]
            vals.append(0.0 if p.cost_per_point is None else p.cost_per_point)
            texts.append(
                "no gain"
                if p.cost_per_point is None
                else html_text(money(p.cost_per_point, a.rec.currency))
            )
        title = theme.PLAN_TITLES[plan] + (
            " (outside guardrails)" if plan == "all-synthetic" else ""
        )
        fig.add_trace(
            go.Bar(
                x=names,
                y=vals,
                name=title,
                marker={
                    "color": theme.PLAN_COLORS[plan],
                    "pattern": {"shape": patterns[plan], "fgcolor": "white", "solidity": 0.35},
                    "line": {"color": theme.PLAN_COLORS[plan], "width": 1.5},
                },
                text=texts,
                textposition="outside",
                cliponaxis=False,
                textfont={"size": theme.CHART_FONT - 1},
                hovertemplate="%{x}: %{text} per point<extra>" + title + "</extra>",
            )
        )
    y_title = (
        f"Cost per point ({html_text(cur)} per percentage point)"
        if cur
        else "Cost per point (per percentage point)"
    )
    apply_layout(fig, "Cost per percentage point of metric gained", "", y_title, height=520)
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.06)
    top = max((max(t.y) if len(t.y) else 0) for t in fig.data)
    fig.update_yaxes(
        range=[0, float(top) * 1.18 if top else 1], **(currency_axis(cur) if cur else {})
    )
    return fig


# --- sensitivity
# -----------------------------------------------------------------------------------


def _share_texts(order: Sequence[Bar], base_share: float, base_label: str) -> dict[str, list[str]]:
    """The share panel's bar-end labels ("80% · Hybrid"), low and high end of each input.

    Both bars of a row start at today's share and are drawn over each other; when both ends move
    the share the same way, both labels sat at the same place, one over the other ("80% · Hybrid"
    over "79% · Hybrid"). Then the longer bar carries one label for both ("79% to 80% · Hybrid",
    or both labels when they differ) and the shorter none. An end that does not move the share
    (under half a point) and keeps the label gets no label."""
    out: dict[str, list[str]] = {"low": [], "high": []}
    for b in order:
        share = {e: 100 * getattr(b, f"share_{e}") for e in ("low", "high")}
        label = {e: LABEL_TITLES[getattr(b, f"label_{e}")] for e in ("low", "high")}
        dx = {e: share[e] - base_share for e in ("low", "high")}
        text = {
            e: f"{share[e]:.0f}% · {label[e]}"
            if abs(dx[e]) > 0.5 or getattr(b, f"label_{e}") != base_label
            else ""
            for e in ("low", "high")
        }
        if text["low"] and text["high"] and dx["low"] * dx["high"] > 0:
            longer = "low" if abs(dx["low"]) >= abs(dx["high"]) else "high"
            shorter = "high" if longer == "low" else "low"
            if label["low"] == label["high"]:
                a, b_ = (f"{v:.0f}%" for v in sorted((share["low"], share["high"])))
                joined = f"{a} to {b_} · {label['low']}" if a != b_ else f"{a} · {label['low']}"
            else:
                joined = f"{text[shorter]}, {text[longer]}"
            text = {longer: joined, shorter: ""}
        out["low"].append(text["low"])
        out["high"].append(text["high"])
    return out


TORNADO_WIDTH_PX = 790  # the Sensitivity page's chart at 1280 px with the sidebar open (measured)
NO_GAIN_NOTE = ": no gain"


def _join_values(low: str, high: str) -> str:
    """One label for both ends of a row: "5% to 9%", or "5% to 9%: no gain" when neither gains."""
    if low.endswith(NO_GAIN_NOTE) and high.endswith(NO_GAIN_NOTE):
        return f"{low.removesuffix(NO_GAIN_NOTE)} to {high}"
    return f"{low} to {high}"


def _end_labels(
    fig: go.Figure,
    rows: list[tuple[float, tuple[float, float], tuple[str, str]]],
    labels: list[str],
    x_range: tuple[float, float],
    plot_px: float,
    axis: str,
    join=_join_values,
) -> tuple[float, float]:
    """Write the bar-end labels of one panel as annotations placed by ``bar_end_labels`` (none
    touches another at the narrowest width); return the panel's x range, widened to hold them."""
    font = theme.CHART_FONT - 2
    placed, x_range = bar_end_labels(rows, x_range, plot_px, font, join)
    for label in placed:
        fig.add_annotation(
            x=label.x,
            y=labels[label.row],
            xref=axis,
            yref=axis.replace("x", "y"),
            text=label.text,
            showarrow=False,
            xanchor="left" if label.side > 0 else "right",
            font={"size": font, "color": "#222222"},
            borderpad=0,
            name=" ".join(label.ends),  # which bar ends it names: "low", "high" or both
        )
    return x_range


def tornado_plot_px(labels: Sequence[str]) -> float:
    """The tornado's plot width at its narrowest: the chart less the input names on its left
    (bold ones about a tenth wider), the tick gap and the margins."""
    names = max(
        (
            text_width_px(re.sub(r"<[^>]+>", "", y), theme.CHART_FONT) * (1.1 if "<b>" in y else 1)
            for y in labels
        ),
        default=0.0,
    )
    return TORNADO_WIDTH_PX - names - 14 - 10 - 24


def tornado_chart(bars: Sequence[Bar], base: dict, currency: str) -> go.Figure:
    """Swing in cost per point (top) and synthetic share (below it) as each input crosses its range.

    One above the other, each the full width: side by side, at laptop width the two panels left
    too little room between the input names for the value labels at the bar ends. The labels are
    annotations placed from their width (``bar_end_labels``), not Plotly's "outside" bar text,
    which wrote a row's two labels over each other ("90%" on "80%") when neither end moved."""
    n = max(len(bars), 3)
    panel = 46 * n  # px per panel
    gap = 120  # px between the panels: the upper one's ticks and axis title
    fig = make_subplots(rows=2, cols=1, vertical_spacing=gap / (2 * panel + gap))
    order = list(bars)[::-1]  # plotly draws the first category at the bottom
    labels = []
    for b in order:
        t = html_text(b.title)
        labels.append(f"<b>{t} ⚑ flips</b>" if b.flips_label else t)
    base_cpp = base.get("cost_per_point")
    base_share = 100 * base["share"]
    plot_px = tornado_plot_px(labels)

    share_texts = _share_texts(order, base_share, base["label"])
    cpp_ends: dict[str, list[float]] = {}
    cpp_texts: dict[str, list[str]] = {}
    for end, colour, pattern in (("low", LOW_COLOUR, ""), ("high", HIGH_COLOUR, "/")):
        xs, bases, texts = [], [], []
        for b in order:
            v = getattr(b, f"cpp_{end}")
            value = html_text(format_field(b.input, getattr(b, end), currency))
            if v is None or base_cpp is None:
                xs.append(0.0)
                bases.append(base_cpp or 0.0)
                texts.append(f"{value}{NO_GAIN_NOTE}")
            else:
                xs.append(v - base_cpp)
                bases.append(base_cpp)
                texts.append(value)
        cpp_ends[end] = [b0 + x for b0, x in zip(bases, xs, strict=True)]
        cpp_texts[end] = texts
        fig.add_trace(
            go.Bar(
                y=labels,
                x=xs,
                base=bases,
                orientation="h",
                name=f"Input at the {end} end of its range",
                legendgroup=end,
                marker={
                    "color": colour,
                    "pattern": {"shape": pattern, "fgcolor": "white", "solidity": 0.3},
                },
                customdata=texts,
                hovertemplate="%{y}: %{base:,.0f} → %{x:+,.0f} (%{customdata})<extra></extra>",
            ),
            row=1,
            col=1,
        )
        share_x = [100 * getattr(b, f"share_{end}") - base_share for b in order]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=share_x,
                base=[base_share] * len(order),
                orientation="h",
                name=f"Input at the {end} end",
                legendgroup=end,
                showlegend=False,
                marker={
                    "color": colour,
                    "pattern": {"shape": pattern, "fgcolor": "white", "solidity": 0.3},
                },
                hovertemplate="%{y}: %{base:.0f}% → %{x:+.0f} points<extra></extra>",
            ),
            row=2,
            col=1,
        )
    if base_cpp is not None:
        fig.add_vline(x=base_cpp, line={"color": "#000000", "width": 2}, row=1, col=1)
    fig.add_vline(x=base_share, line={"color": "#000000", "width": 2}, row=2, col=1)
    apply_layout(
        fig,
        "Tornado: what each input's range does to the recommended plan",
        "",
        "",
        height=130 + 2 * panel + gap,
    )
    fig.update_layout(barmode="overlay", bargap=0.3)
    if all(b.share_swing < 0.005 for b in bars):
        fig.add_annotation(
            x=base_share,
            y=0.2,
            xref="x2",
            yref="paper",
            text=f"No input moves the<br>share off {base_share:.0f}%",
            showarrow=False,
            xanchor="left",
            xshift=12,
            align="left",
            font={"size": theme.CHART_FONT, "color": "#444444"},
            bgcolor="rgba(255,255,255,0.9)",
        )
    cpp_vals = [v for b in bars for v in (b.cpp_low, b.cpp_high) if v is not None] + (
        [base_cpp] if base_cpp else []
    )
    cpp_base = base_cpp or 0.0
    cpp_rows = [
        (cpp_base, (lo_, hi_), (tl, th))
        for lo_, hi_, tl, th in zip(
            cpp_ends["low"], cpp_ends["high"], cpp_texts["low"], cpp_texts["high"], strict=True
        )
    ]
    if cpp_vals:
        lo, hi = min(cpp_vals), max(cpp_vals)
        span = max(hi - lo, abs(hi) * 0.05, 1e-9)
        cpp_range = (lo - 0.05 * span, hi + 0.05 * span)
    else:
        cpp_range = (-1.0, 1.0)
    cpp_range = _end_labels(fig, cpp_rows, labels, cpp_range, plot_px, "x")
    fig.update_xaxes(range=list(cpp_range), row=1, col=1, **currency_axis(currency))
    shares = [100 * v for b in bars for v in (b.share_low, b.share_high)] + [base_share]
    s_lo, s_hi = min(shares), max(shares)
    s_pad = max(12.0, 0.1 * (s_hi - s_lo))
    # The labels' room is added by bar_end_labels; ticks stay within 0% to 100%.
    s_left, s_right = s_lo - s_pad, s_hi + s_pad
    share_rows = [
        (
            base_share,
            (100 * b.share_low, 100 * b.share_high),
            (share_texts["low"][i], share_texts["high"][i]),
        )
        for i, b in enumerate(order)
    ]
    s_left, s_right = _end_labels(fig, share_rows, labels, (s_left, s_right), plot_px, "x2")
    # Every 20% while the axis is short; every 50% when the label room makes it long, where 20%
    # steps put "80%" and "100%" against each other at laptop width.
    step = 20 if s_right - s_left <= 150 else 50
    ticks = [t for t in range(0, 101, step) if s_left <= t <= s_right]
    fig.update_xaxes(
        range=[s_left, s_right], tickvals=ticks, ticktext=[f"{t}%" for t in ticks], row=2, col=1
    )
    fig.update_xaxes(
        title_text=f"Cost per point of the recommended<br>plan ({html_text(currency)})",
        row=1,
        col=1,
    )
    fig.update_xaxes(title_text="Synthetic share of new examples (%)", row=2, col=1)
    fig.update_yaxes(tickfont={"size": theme.CHART_FONT})
    return fig


def mc_cost_chart(mc: MonteCarlo, stats: dict[str, dict[str, float]], currency: str) -> go.Figure:
    """Each plan's cost per point over the draws: box = middle half, whiskers = 5% to 95%."""
    from ui.charts import log_ticks

    fig = go.Figure()
    log = _log_scale(stats)
    order = [p.name for p in mc.plans][::-1]
    for name in order:
        s = stats[name]
        if math.isnan(s["p50"]):
            continue
        label = html_text(theme.PLAN_TITLES[name])
        fig.add_trace(
            go.Box(
                y=[label],
                q1=[s["p25"]],
                median=[s["p50"]],
                q3=[s["p75"]],
                lowerfence=[s["p5"]],
                upperfence=[s["p95"]],
                orientation="h",
                name=theme.PLAN_TITLES[name],
                marker={"color": theme.PLAN_COLORS[name]},
                line={"color": theme.PLAN_COLORS[name], "width": 3},
                width=0.45,
                hoverinfo="x",
                showlegend=False,
            )
        )
        fig.add_annotation(
            x=math.log10(s["p50"]) if log else s["p50"],
            y=label,
            text=f"median {html_text(money_compact(s['p50'], currency))}",
            showarrow=False,
            yshift=34,
            font={"size": theme.CHART_FONT - 1, "color": "#222222"},
        )
    x_title = f"Cost per point ({html_text(currency)} per percentage point" + (
        ", log scale)" if log else ")"
    )
    apply_layout(
        fig,
        f"Cost per point across {mc.draws:,} draws",
        x_title,
        "",
        height=400,
        legend=False,
        width_px=640,
    )
    lows = [s["p5"] for s in stats.values() if not math.isnan(s["p5"])]
    highs = [s["p95"] for s in stats.values() if not math.isnan(s["p95"])]
    if lows and log:
        lo, hi = min(lows) / 1.6, max(highs) * 1.6
        vals, texts = log_ticks(lo, hi)
        pre, suf = currency_affixes(currency)
        fig.update_xaxes(
            type="log",
            range=[math.log10(lo), math.log10(hi)],
            tickvals=vals,
            ticktext=[html_text(pre + t + suf) for t in texts],
        )
    elif lows:
        fig.update_xaxes(range=[0, max(highs) * 1.15], **currency_axis(currency))
    fig.update_yaxes(tickfont={"size": theme.CHART_FONT})
    return fig


def _log_scale(stats: dict[str, dict[str, float]]) -> bool:
    lows = [s["p5"] for s in stats.values() if not math.isnan(s["p5"]) and s["p5"] > 0]
    highs = [s["p95"] for s in stats.values() if not math.isnan(s["p95"])]
    return bool(lows and highs and max(highs) / min(lows) > 15)


def mc_cheapest_chart(mc: MonteCarlo) -> go.Figure:
    names = [p.name for p in mc.plans][::-1]
    vals = [100 * p.p_cheapest for p in mc.plans][::-1]
    fig = go.Figure(
        go.Bar(
            y=[html_text(theme.PLAN_TITLES[n]) for n in names],
            x=vals,
            orientation="h",
            marker={
                "color": [theme.PLAN_COLORS[n] for n in names],
                "pattern": {
                    "shape": ["/" if n == "all-synthetic" else "" for n in names],
                    "fgcolor": "white",
                    "solidity": 0.35,
                },
            },
            text=[probability(p.p_cheapest) for p in mc.plans][::-1],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: cheapest per point in %{text} of draws<extra></extra>",
            showlegend=False,
        )
    )
    apply_layout(
        fig,
        "Chance of being cheapest per point",
        "Share of draws (%)",
        "",
        height=300,
        legend=False,
        width_px=640,
    )
    fig.update_xaxes(range=[0, 118], tickvals=[0, 50, 100], ticktext=["0%", "50%", "100%"])
    return fig


METRIC_WIDTH_PX = 640  # the Sensitivity page's metric chart at its narrowest (755 px at 1280 px)


def mc_metric_chart(mc: MonteCarlo, target: float) -> go.Figure:
    """Expected metric per plan: the median with a 5%-95% interval."""
    fig = go.Figure()
    order = list(mc.plans)[::-1]
    for p in order:
        fig.add_trace(
            go.Scatter(
                x=[p.metric_p50],
                y=[html_text(theme.PLAN_TITLES[p.name])],
                mode="markers",
                marker={"color": theme.PLAN_COLORS[p.name], "size": 18, "symbol": "diamond"},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [p.metric_p95 - p.metric_p50],
                    "arrayminus": [p.metric_p50 - p.metric_p5],
                    "thickness": 4,
                    "width": 12,
                    "color": theme.PLAN_COLORS[p.name],
                },
                showlegend=False,
                hovertemplate=f"{p.metric_p5:.3f} to {p.metric_p95:.3f} (median "
                f"{p.metric_p50:.3f})<extra></extra>",
            )
        )
    fig.add_vline(x=target, line={"color": theme.TARGET, "dash": "dash", "width": 2})
    lo = min([p.metric_p5 for p in mc.plans] + [target])
    hi = max([p.metric_p95 for p in mc.plans] + [target])
    pad = max(0.005, 0.15 * (hi - lo))
    x0, x1 = max(0.0, lo - pad), min(1.0, hi + pad)
    # Inside the plot beside the line (above the plot it sat where the title is): right of it
    # when it fits there at the narrowest width, else left of it (a target at the top of the
    # range ran "target 0.915" out of the chart at 1280 px).
    text = f"target {target:.3f}"
    names = [html_text(theme.PLAN_TITLES[p.name]) for p in order]
    plot_px = METRIC_WIDTH_PX - left_margin(names, theme.CHART_FONT) - 24
    room = (x1 - target) / max(x1 - x0, 1e-12) * plot_px
    right = room >= text_width_px(text, theme.CHART_FONT) + 12
    fig.add_annotation(
        x=target,
        y=1,
        yref="paper",
        xanchor="left" if right else "right",
        yanchor="top",
        xshift=6 if right else -6,
        showarrow=False,
        text=text,
        font={"size": theme.CHART_FONT, "color": theme.TARGET},
        bgcolor="rgba(255,255,255,0.85)",
    )
    apply_layout(
        fig,
        "Expected metric: median and 5% to 95% interval",
        "Expected metric (fraction)",
        "",
        height=360,
        legend=False,
        width_px=METRIC_WIDTH_PX,
    )
    fig.update_xaxes(range=[x0, x1], tickformat=tick_format(x0, x1))
    return fig


# Behind a label drawn across the chart's lines, so a line never runs through its words.
_LABEL_BG = "rgba(255,255,255,0.9)"


def sweep_chart(
    sweep: dict[str, np.ndarray],
    field_title: str,
    field: str,
    today: float,
    changes: Sequence[tuple[float, str, str]],
    human_below: float,
    synthetic_above: float,
    currency: str,
) -> go.Figure:
    """The recommended synthetic share across the chosen range of one input, with the label
    lines."""
    x = sweep["x"]
    fig = go.Figure()
    fig.add_hrect(y0=-5, y1=100 * human_below, fillcolor=theme.HUMAN, opacity=0.07, line_width=0)
    fig.add_hrect(
        y0=100 * synthetic_above, y1=105, fillcolor=theme.SYNTHETIC, opacity=0.1, line_width=0
    )
    for y, text in (
        (100 * human_below, f"human-led below {human_below:.0%}"),
        (100 * synthetic_above, f"synthetic-led above {synthetic_above:.0%}"),
    ):
        fig.add_hline(
            y=y,
            line={"color": theme.TARGET, "dash": "dash", "width": 1.5},
            annotation={
                "text": text,
                "font": {"size": theme.CHART_FONT - 2, "color": theme.TARGET},
                "bgcolor": _LABEL_BG,
            },
            annotation_position="top right",
        )
    fig.add_annotation(
        x=0.995,
        xref="paper",
        y=50 * (human_below + synthetic_above),
        text="hybrid",
        showarrow=False,
        xanchor="right",
        bgcolor=_LABEL_BG,
        font={"size": theme.CHART_FONT - 2, "color": theme.TARGET},
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=100 * sweep["share"],
            mode="lines+markers",
            name="Recommended synthetic share",
            line={"color": theme.RECOMMENDED, "width": 4, "shape": "hv"},
            marker={"size": 7},
            hovertemplate="%{y:.0f}% synthetic at %{x:.4g}<extra></extra>",
        )
    )
    # Change labels close together go on separate rows so they never overprint each other.
    gap = 0.3 * (float(x[-1]) - float(x[0]))
    rows = spaced([float(c[0]) for c in changes], gap)
    for (value, _before, after), row in zip(changes, rows, strict=True):
        fig.add_vline(
            x=value,
            line={"color": VERMILLION, "width": 3},
            annotation={
                "text": f"{html_text(format_field(field, value, currency))}: → "
                f"{LABEL_TITLES[after]}",
                "font": {"size": theme.CHART_FONT - 1, "color": VERMILLION},
                "yshift": -26 * row,
                "bgcolor": _LABEL_BG,
            },
            annotation_position="top right",
        )
    if x[0] <= today <= x[-1]:
        fig.add_vline(
            x=today,
            line={"color": theme.HUMAN, "dash": "dot", "width": 2},
            annotation={
                "text": "today",
                "font": {"size": theme.CHART_FONT - 1, "color": theme.HUMAN},
                "bgcolor": _LABEL_BG,
            },
            annotation_position="bottom right",
        )
    unit = (
        " (fraction)"
        if field in ("accuracy", "catch_rate", "tail_coverage")
        else (f" ({html_text(currency)})" if field.endswith("_cost") else "")
    )
    apply_layout(
        fig,
        f"Recommended synthetic share as the {html_text(field_title)} varies",
        f"{html_text(field_title).capitalize()}{unit}",
        "Synthetic share of new examples (%)",
        height=470,
        legend=False,
    )
    fig.update_yaxes(range=[-3, 108], ticksuffix="%")
    fig.update_xaxes(range=[float(x[0]), float(x[-1])])
    return fig


# --- collapse
# --------------------------------------------------------------------------------------


def _collapse_fig(
    runs: dict[str, CollapseResult], modes: Sequence[str], series: str, title: str, y_title: str
) -> go.Figure:
    fig = go.Figure()
    names = [m for m in ("replace", "accumulate") if m in modes] + (
        ["reference"] if "reference" in runs and "replace" in modes else []
    )
    for mode in names:
        r = runs[mode]
        st_ = MODE_STYLES[mode]
        y = getattr(r, series) if series != "alive" else r.alive
        scale = 100.0 if series in ("tail_coverage", "tv_distance", "tail_mass") else 1.0
        fig.add_trace(
            go.Scatter(
                x=r.generation,
                y=np.asarray(y, dtype=float) * scale,
                mode="lines+markers" if len(r.generation) <= 40 else "lines",
                name=st_["title"],
                line={
                    "color": st_["color"],
                    "dash": st_["dash"],
                    "width": 4 if mode != "reference" else 3,
                },
                marker={"symbol": st_["symbol"], "size": 8},
                hovertemplate="generation %{x}: %{y:,.4g}<extra>" + mode + "</extra>",
            )
        )
    apply_layout(
        fig, title, "Generation (0 = trained on real data)", y_title, height=470, width_px=330
    )
    return fig


def collapse_charts(runs: dict[str, CollapseResult], modes: Sequence[str]) -> dict[str, go.Figure]:
    any_run = next(iter(runs.values()))
    k = any_run.params.categories
    out = {}
    fig = _collapse_fig(
        runs,
        modes,
        "tail_coverage",
        "Tail coverage: rare cases the model can still produce",
        "Tail coverage (%)",
    )
    fig.add_hline(
        y=100,
        line={"color": theme.TARGET, "dash": "dash", "width": 1.5},
        annotation={
            "text": "true distribution",
            "font": {"size": theme.CHART_FONT - 2, "color": theme.TARGET},
        },
        annotation_position="bottom right",
    )
    fig.update_yaxes(range=[0, 105], ticksuffix="%")
    out["coverage"] = fig
    fig = _collapse_fig(
        runs, modes, "alive", f"Categories still seen (of {k:,})", "Categories (count)"
    )
    fig.add_hline(
        y=k,
        line={"color": theme.TARGET, "dash": "dash", "width": 1.5},
        annotation={
            "text": f"all {k:,} categories",
            "font": {"size": theme.CHART_FONT - 2, "color": theme.TARGET},
        },
        annotation_position="bottom right",
    )
    fig.update_yaxes(range=[0, k * 1.05], tickformat=",")
    out["alive"] = fig
    fig = _collapse_fig(
        runs,
        modes,
        "tv_distance",
        "Total-variation distance from the true distribution",
        "TV distance (%)",
    )
    fig.update_yaxes(rangemode="tozero", ticksuffix="%")
    out["tv"] = fig
    fig = _collapse_fig(runs, modes, "tail_mass", "Probability mass in the tail", "Tail mass (%)")
    fig.add_hline(
        y=100 * any_run.true_tail_mass,
        line={"color": theme.TARGET, "dash": "dash", "width": 1.5},
        annotation={
            "text": f"true tail mass {any_run.true_tail_mass:.1%}",
            "font": {"size": theme.CHART_FONT - 2, "color": theme.TARGET},
        },
        annotation_position="bottom right",
    )
    fig.update_yaxes(rangemode="tozero", ticksuffix="%")
    out["tail_mass"] = fig
    return out
