"""Plotly figures for the pages: pure functions of the core's results, no Streamlit.

Every chart has a title and axis titles with units, uses the colours of ``ui.theme`` for the same
meaning everywhere, and repeats colour with a second cue (line dash, label text) so that nothing
depends on telling colours apart. User text (currency codes, domain names) is HTML-escaped because
Plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from hybrid.model.policy import Bound, Guardrails
from hybrid.model.recommend import Recommendation
from hybrid.money import currency_affixes, money, money_compact
from hybrid.share.chart_layout import (
    chart_layout,
    fit_legend_name,
    left_margin,
    share_of_budget,
    tick_format,
    twins,
)
from ui import theme
from ui.theme import html_text


def currency_axis(currency: str) -> dict:
    pre, suf = currency_affixes(currency)
    return {"tickprefix": pre} if pre else {"ticksuffix": html_text(suf)}


def apply_layout(
    fig: go.Figure,
    title: str,
    x_title: str,
    y_title: str,
    height: int = theme.CHART_HEIGHT,
    legend: bool = True,
    width_px: float = 640,
) -> go.Figure:
    """Apply the shared layout (hybrid.share.chart_layout): title on top, legend at the bottom,
    margins computed from both. ``width_px`` is the chart's narrowest width on a 1280 px laptop."""
    # Legend entries wider than the chart are broken into lines, or the chart's edge cuts them.
    for t in fig.data if legend else ():
        if t.name and t.showlegend is not False:
            t.name = fit_legend_name(t.name, width_px, theme.CHART_FONT)
    names = [t.name for t in fig.data if t.name and t.showlegend is not False] if legend else []
    # Text on the y axis (bar charts' categories) widens the left margin; numbers take about 5
    # characters.
    categories = [
        str(v)
        for t in fig.data
        if getattr(t, "y", None) is not None
        for v in t.y
        if isinstance(v, str)
    ]
    layout = chart_layout(
        title,
        x_title,
        y_title,
        height=height,
        legend_names=names,
        font=theme.CHART_FONT,
        title_font=theme.CHART_TITLE_FONT,
        width_px=width_px,
        plot_left_px=left_margin(categories or ["0.000"], theme.CHART_FONT, y_title),
    )
    xaxis, yaxis = layout.pop("xaxis"), layout.pop("yaxis")
    fig.update_layout(template="plotly_white", **layout)
    fig.update_xaxes(
        title_text=xaxis["title"]["text"], automargin=True, showline=True, linecolor="#888888"
    )
    fig.update_yaxes(
        title_text=yaxis["title"]["text"], automargin=True, showline=True, linecolor="#888888"
    )
    return fig


def log_ticks(lo: float, hi: float) -> tuple[list[float], list[str]]:
    """Tick values 1-2-5 per decade between ``lo`` and ``hi``, labelled 500, 1k, 20k, 1M."""
    vals, texts = [], []
    k = int(np.floor(np.log10(max(lo, 1e-9))))
    while 10.0**k <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10.0**k
            if lo <= v <= hi:
                vals.append(v)
                texts.append(_si(v))
        k += 1
    return vals, texts


def _si(v: float) -> str:
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:g}{suffix}"
    return f"{v:g}"


def add_plan_curve(
    fig,
    spend,
    metric,
    plan,
    title: str,
    currency: str,
    colour: str,
    dash: str,
    width: float,
    symbol: str,
    size: int,
) -> None:
    """One plan on a spend-versus-metric chart: its curve, and a marker where the plan stops."""
    fig.add_trace(
        go.Scatter(
            x=spend,
            y=metric,
            mode="lines",
            name=title,
            line={"color": colour, "width": width, "dash": dash},
            hovertemplate="%{y:.3f} at %{x:,.0f}<extra>" + title + "</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[plan.spend],
            y=[plan.expected_metric],
            mode="markers",
            showlegend=False,
            marker={
                "color": colour,
                "size": size,
                "symbol": symbol,
                "line": {"color": "white", "width": 1.5},
            },
            hovertemplate=f"{title}: {plan.expected_metric:.3f} for "
            f"{html_text(money(plan.spend, currency))}<extra></extra>",
        )
    )


def spend_chart(rec: Recommendation, spend: np.ndarray, curves: dict[str, np.ndarray]) -> go.Figure:
    """Expected metric against money spent for the all-human, all-synthetic and recommended
    plans."""
    cur = rec.currency
    fig = go.Figure()
    plans = {p.name: p for p in rec.plans}
    styles = {
        "all-human": {"dash": "solid", "width": 3.5, "symbol": "circle"},
        "all-synthetic": {"dash": "dot", "width": 3.5, "symbol": "x"},
        "recommended": {"dash": "solid", "width": 5, "symbol": "diamond"},
    }
    same = twins(rec.plans)  # a fixed plan with the recommended mix lies under its curve
    order = (
        [n for n in ("all-human", "all-synthetic") if n not in same] + ["recommended"] + list(same)
    )
    for name in order:
        p = plans[name]
        colour = theme.PLAN_COLORS[name]
        style = dict(styles[name])
        title = theme.PLAN_TITLES[name]
        if p.breaks:
            title += " (outside guardrails)"
        elif name == "recommended":
            title += f" ({p.synthetic_share:.0%} synthetic)"
            twin = [theme.PLAN_TITLES[n].lower() for n in same]
            if twin:
                title += f" = {' = '.join(twin)}"
        if name in same:
            style.update(dash="dash", width=3)  # drawn over the recommended curve, which it equals
        add_plan_curve(
            fig,
            spend,
            curves[name],
            p,
            title,
            cur,
            colour,
            style["dash"],
            style["width"],
            style["symbol"],
            16,
        )
    fig.add_hline(
        y=rec.target_metric,
        line={"color": theme.TARGET, "dash": "dash", "width": 2},
        # Above the line at the left: a rising curve is below its target there, so the label never
        # sits on the curve (at the bottom right it did, where the curve crosses the target).
        annotation={
            "text": f"target {rec.target_metric:.3f}",
            "font": {"size": theme.CHART_FONT, "color": theme.TARGET},
            "bgcolor": "rgba(255,255,255,0.85)",
        },
        annotation_position="top left",
    )
    values = np.concatenate(
        [np.ravel(c) for c in curves.values()] + [[rec.target_metric, rec.today_metric]]
    )
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    pad = max(0.01, 0.08 * (hi - lo))
    apply_layout(
        fig,
        "Expected metric vs spend",
        f"Spend on new data ({html_text(cur)})",
        "Expected metric (fraction)",
        height=640,
        width_px=480,
    )
    top = float(spend[-1])
    small = [p.spend for p in rec.plans if 0 < p.spend < 0.1 * top]
    if small:
        # A plan that buys only what reaches the target can spend a sliver of the budget: on a
        # linear axis it sits against zero, so the axis goes logarithmic from below the smallest
        # plan.
        lo_x = min(small) / 3.0
        vals, texts = log_ticks(lo_x, top * 1.05)
        pre, suf = currency_affixes(cur)
        fig.update_xaxes(
            type="log",
            range=[np.log10(lo_x), np.log10(top * 1.05)],
            tickvals=vals,
            ticktext=[f"{pre}{t}{html_text(suf)}" for t in texts],
        )
        fig.update_xaxes(title_text=f"Spend on new data ({html_text(cur)}, log scale)")
    else:
        fig.update_xaxes(range=[0, top * 1.02], **currency_axis(cur))
    fig.update_yaxes(
        range=[max(0.0, lo - pad), min(1.0, hi + pad)],
        tickformat=tick_format(max(0.0, lo - pad), min(1.0, hi + pad)),
    )
    return fig


def layer_bar(layer: str, names, values, text, *, hover: str = "%{x:,.0f}", customdata=None):
    """One layer of a stacked horizontal budget bar (the Recommendation's plans, the Compare
    page's scenarios): its colour, its amounts inside the segment, level (full figures were turned
    on their side in the narrow segments), and ``hover`` beside the bar's name on hover."""
    return go.Bar(
        y=names,
        x=values,
        orientation="h",
        name=theme.LAYER_TITLES[layer],
        marker={"color": theme.LAYER_COLOURS[layer], "line": {"color": "white", "width": 1}},
        text=text,
        customdata=customdata,
        textposition="inside",
        insidetextanchor="middle",
        textangle=0,
        textfont={"color": "white", "size": theme.CHART_FONT},
        hovertemplate=f"%{{y}}: {hover}<extra>" + theme.LAYER_TITLES[layer] + "</extra>",
    )


def budget_left_bar(names, unspent):
    """The budget a plan leaves unspent, outlined after its layers."""
    return go.Bar(
        y=names,
        x=unspent,
        orientation="h",
        name="Budget left",
        marker={"color": "rgba(0,0,0,0)", "line": {"color": theme.MUTED, "width": 1.5}},
        hovertemplate="%{y}: %{x:,.0f} left<extra></extra>",
    )


def layers_chart(rec: Recommendation) -> go.Figure:
    """The budget split into expert anchor, synthetic extension and human review, for each plan."""
    cur = rec.currency
    order = [
        rec.synthetic_plan,
        rec.human_plan,
        rec.plan,
    ]  # plotly draws the first row at the bottom
    names = [theme.PLAN_TITLES[p.name] for p in order]
    fig = go.Figure()
    for layer in theme.LAYER_TITLES:  # the vocabulary's order: anchor, extension, review
        values = [p.layers[layer] for p in order]
        fig.add_trace(
            layer_bar(
                layer,
                names,
                values,
                [html_text(money_compact(v, cur)) if v >= 0.1 * rec.budget else "" for v in values],
                hover="%{customdata}",
                customdata=[html_text(money(v, cur)) for v in values],
            )
        )
    fig.add_trace(budget_left_bar(names, [max(0.0, rec.budget - p.spend) for p in order]))
    for p, name in zip(order, names, strict=True):
        # Each bar's total above it: a plan that spends a sliver of the budget has bars too thin to
        # see.
        note = f"{money(p.spend, cur)}, {share_of_budget(p.spend, rec.budget)}"
        fig.add_annotation(
            x=0,
            y=name,
            xref="x",
            yref="y",
            xanchor="left",
            yanchor="bottom",
            yshift=24,
            showarrow=False,
            text=html_text(note),
            font={"size": theme.CHART_FONT - 2, "color": "#333333"},
        )
    apply_layout(
        fig,
        "Budget split into the three layers",
        f"Spend ({html_text(cur)})",
        "",
        height=460,
        width_px=480,
    )
    fig.update_layout(barmode="stack", bargap=0.55)
    fig.update_xaxes(range=[0, rec.budget * 1.01], **currency_axis(cur))
    return fig


def bound_title(b: Bound) -> str:
    if b.key == "regulated":
        return "Regulated domain"
    return b.title


def guardrail_chart(g: Guardrails) -> go.Figure:
    """Each applicable rule's cap on the synthetic share; the tightest one binds.

    Each rule's name sits on its own row above its bar rather than as a y tick label: the names
    are long, and beside the bars they left a half-width laptop column too little room for the
    bars and their ticks. Names and bars are categories of one axis, so they never overlap."""
    bounds: Sequence[Bound] = list(g.bounds)
    caps = [b.rule.max_synthetic_share * 100 for b in bounds]
    binding = [b.source == g.cap_source.source for b in bounds]
    labels = [html_text(bound_title(b)) for b in bounds]
    # From the top: name 0, bar 0, name 1, bar 1, ... (plotly draws the first category at the
    # bottom).
    rows = [(f"name {i}", f"bar {i}") for i in range(len(bounds))]
    order = [c for pair in rows for c in pair][::-1]
    fig = go.Figure(
        go.Bar(
            y=[bar for _, bar in rows],
            x=caps,
            orientation="h",
            width=0.8,
            marker={
                "color": [theme.SYNTHETIC if is_b else theme.MUTED for is_b in binding],
                "line": {
                    "color": ["#7a5200" if is_b else "#999999" for is_b in binding],
                    "width": 1.5,
                },
            },
            text=[
                f"{c:.0f}%" + ("  binds" if is_b else "")
                for c, is_b in zip(caps, binding, strict=True)
            ],
            textposition="outside",
            constraintext="none",  # keep the value labels at full size beside the thin bars
            textfont={"size": theme.CHART_FONT - 1},
            cliponaxis=False,
            customdata=labels,
            hovertemplate="%{customdata}: at most %{x:.0f}% synthetic<extra></extra>",
            showlegend=False,
        )
    )
    # The name rows hold no bar; an empty trace puts them on the axis for the annotations.
    fig.add_trace(
        go.Bar(
            y=[name for name, _ in rows],
            x=[0] * len(rows),
            orientation="h",
            hoverinfo="skip",
            showlegend=False,
            marker={"color": "rgba(0,0,0,0)"},
        )
    )
    for (name, _), label, is_b in zip(rows, labels, binding, strict=True):
        fig.add_annotation(
            x=0,
            y=name,
            xref="x",
            yref="y",
            xanchor="left",
            yanchor="middle",
            showarrow=False,
            text=f"<b>{label}</b>" if is_b else label,
            font={"size": theme.CHART_FONT - 1, "color": "#222222"},
        )
    apply_layout(
        fig,
        "Cap on the synthetic share, rule by rule",
        "Max synthetic share (%)",
        "",
        height=90 + 58 * len(bounds),
        legend=False,
        width_px=340,
    )
    fig.update_yaxes(
        categoryorder="array", categoryarray=order, showticklabels=False, showline=False, ticks=""
    )
    # ticktext, not ticksuffix: with explicit tickvals Streamlit's plotly.js drops the suffix.
    fig.update_xaxes(
        range=[0, 125], tickvals=[0, 25, 50, 75, 100], ticktext=["0%", "25%", "50%", "75%", "100%"]
    )
    return fig


def curve_chart(
    n: np.ndarray,
    mean: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    points: Sequence[tuple[float, float]],
    target: float,
    today_n: float | None,
    has_band: bool,
    today_metric: float | None = None,
) -> go.Figure:
    """The learning curve: measured points, the fitted power law and its 90% band.

    ``today_metric``: the analysis's today, marked at ``today_n``. It can sit below the curve: the
    curve is the human rows' learning curve, and today's metric also counts the edge cases
    synthetic rows miss and the repeated errors of rows in hand.
    """
    fig = go.Figure()
    if has_band:
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([n, n[::-1]]),
                y=np.concatenate([hi, lo[::-1]]),
                fill="toself",
                fillcolor=theme.BAND,
                line={"color": "rgba(0,0,0,0)"},
                name="90% band of the fit",
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=n,
            y=mean,
            mode="lines",
            name="Fitted curve m(n) = c − a·n^−b",
            line={"color": theme.HUMAN, "width": 4},
            hovertemplate="%{y:.3f} at n = %{x:,.0f}<extra>fit</extra>",
        )
    )
    if points:
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in points],
                y=[p[1] for p in points],
                mode="markers",
                name="Measured points",
                marker={
                    "color": "#000000",
                    "size": 13,
                    "symbol": "circle",
                    "line": {"color": "white", "width": 1.5},
                },
                hovertemplate="%{y:.3f} at n = %{x:,.0f}<extra>measured</extra>",
            )
        )
    fig.add_hline(
        y=target,
        line={"color": theme.TARGET, "dash": "dash", "width": 2},
        # Above the line at the left, where a rising curve is still below its target.
        annotation={
            "text": f"target {target:.3f}",
            "font": {"size": theme.CHART_FONT, "color": theme.TARGET},
            "bgcolor": "rgba(255,255,255,0.85)",
        },
        annotation_position="top left",
    )
    if today_n:
        fig.add_vline(x=today_n, line={"color": theme.TARGET, "dash": "dot", "width": 2})
        # Annotations on a log axis take log10 coordinates (add_vline's own label would not).
        fig.add_annotation(
            x=float(np.log10(today_n)),
            y=0.02,
            yref="paper",
            text=f"today: {today_n:,.0f}",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            xshift=6,
            font={"size": theme.CHART_FONT, "color": theme.TARGET},
        )
    if today_n and today_metric is not None:
        fig.add_trace(
            go.Scatter(
                x=[today_n],
                y=[today_metric],
                mode="markers+text",
                name=f"today {today_metric:.3f}",
                text=[f"today {today_metric:.3f}"],
                textposition="bottom right",
                marker={"color": theme.TARGET, "size": 11, "symbol": "diamond"},
            )
        )
    extra = [today_metric] if today_n and today_metric is not None else []
    ys = np.concatenate([lo, hi, mean, [target], [p[1] for p in points] if points else [], extra])
    y_lo, y_hi = float(np.nanmin(ys)), float(np.nanmax(ys))
    pad = max(0.01, 0.06 * (y_hi - y_lo))
    apply_layout(
        fig,
        "Learning curve with its 90% band",
        "Human-labeled training examples (log scale)",
        "Metric (fraction)",
        width_px=340,
    )
    tickvals, ticktext = log_ticks(float(np.min(n)), float(np.max(n)))
    fig.update_xaxes(type="log", tickvals=tickvals, ticktext=ticktext)
    fig.update_yaxes(
        range=[max(0.0, y_lo - pad), min(1.0, y_hi + pad)],
        tickformat=tick_format(max(0.0, y_lo - pad), min(1.0, y_hi + pad)),
    )
    return fig
