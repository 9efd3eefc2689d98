"""Static images of the report's plotly figures, for the PDF: the same figure objects the HTML
report
embeds, drawn again by matplotlib (Agg, no display, no browser).

Why not plotly's own export: since Kaleido 1.0 (plotly 6.1 and later) static export drives an
installed Chrome, and the project promises a PDF without a browser, offline, on a laptop that may
have none (Kaleido's README: "As of version 1.0.0, Kaleido requires Chrome to be installed").
Matplotlib is a wheel from PyPI with its own fonts. So this module reads the plotly figure (traces,
axes, shapes, annotations, colours) and draws exactly that, for the subset of plotly that
``figures.py`` uses: line and marker scatters with horizontal error bars, vertical and horizontal
bars (stacked, overlaid, with a base, hatched, labelled), log axes with explicit ticks, lines across
the plot and their labels. A trace or option outside that subset raises, so a new kind of chart is
noticed by the PDF tests rather than drawn wrong.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

from hybrid.money import short_number as _short

PX_PER_MM = 700 / 180  # plotly's default figure width (700 px) spans the PDF's 180 mm column
DPI = 150
_DASHES = {"solid": "-", "dot": ":", "dash": "--", "dashdot": "-."}
_MARKERS = {"circle": "o", "diamond": "D", "square": "s"}


def _text(s: Any) -> str:
    """Plotly label text for matplotlib: line breaks, HTML entities read back (user text in a plotly
    label is escaped). ``$`` stays as it is: ``png`` draws with ``text.parse_math`` off, so no label
    turns into mathtext, and an escaped ``\\$`` would print its backslash ("\\$1k" on a money
    axis)."""
    return html.unescape(re.sub(r"<br\s*/?>", "\n", "" if s is None else str(s)))


def _formatter(axis):
    fmt = axis.tickformat
    pre, suf = axis.tickprefix or "", axis.ticksuffix or ""

    def f(v, _pos=None):
        if fmt == "~s":
            return f"{pre}{_short(v)}{suf}"
        if fmt and fmt.startswith(".") and fmt.endswith("f"):
            return f"{pre}{v:{fmt}}{suf}"
        return f"{pre}{v:g}{suf}"

    return f


def _axis(ax, axis, which: str) -> None:
    from matplotlib.ticker import FuncFormatter, NullLocator

    set_scale = ax.set_xscale if which == "x" else ax.set_yscale
    set_lim = ax.set_xlim if which == "x" else ax.set_ylim
    set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
    target = ax.xaxis if which == "x" else ax.yaxis
    log = axis.type == "log"
    if log:
        set_scale("log")
    if axis.range is not None:
        lo, hi = axis.range
        set_lim(10**lo, 10**hi) if log else set_lim(lo, hi)
    if axis.title and axis.title.text:
        set_label(_text(axis.title.text))
    if axis.tickvals is not None:
        target.set_ticks(list(axis.tickvals))
        target.set_ticklabels([_text(t) for t in axis.ticktext or axis.tickvals])
        target.set_minor_locator(NullLocator())
    elif which == ("y" if ax.name != "hbar" else "x"):
        target.set_major_formatter(FuncFormatter(_formatter(axis)))


def _bars(ax, traces, layout) -> None:
    horizontal = traces[0].orientation == "h"
    cats = list(traces[0].y if horizontal else traces[0].x)
    pos = range(len(cats))
    stack = [0.0] * len(cats)
    for tr in traces:
        vals = [float(v) for v in (tr.x if horizontal else tr.y)]
        if tr.base is not None:
            base = [float(b) for b in tr.base]
        elif layout.barmode == "stack":
            base = list(stack)
        else:
            base = [0.0] * len(cats)
        colors = tr.marker.color
        hatch = tr.marker.pattern.shape if tr.marker.pattern else None
        kw = dict(
            label=_text(tr.name)
            if tr.showlegend is not False and layout.showlegend is not False
            else None,
            color=colors,
            edgecolor="white",
            linewidth=0.6,
        )
        bars = (
            ax.barh(list(pos), vals, left=base, height=0.62, **kw)
            if horizontal
            else ax.bar(list(pos), vals, bottom=base, width=0.62, **kw)
        )
        if hatch is not None and not isinstance(hatch, str):
            for b, h in zip(bars, hatch, strict=True):
                b.set_hatch("//" if h == "/" else "")
        if tr.text is not None:
            ax.bar_label(
                bars, labels=[_text(t) for t in tr.text], padding=3, fontsize=8, fontweight="bold"
            )
        if layout.barmode == "stack":
            stack = [s + v for s, v in zip(stack, vals, strict=True)]
    labels = [_text(c) for c in cats]
    if horizontal:
        ax.set_yticks(list(pos), labels)
    else:
        ax.set_xticks(list(pos), labels)


def _scatter(ax, tr) -> None:
    x, y = list(tr.x), list(tr.y)
    label = _text(tr.name) if tr.showlegend is not False else None
    if tr.mode == "lines":
        ax.plot(
            x,
            y,
            color=tr.line.color,
            linewidth=(tr.line.width or 2) * 0.7,
            linestyle=_DASHES[tr.line.dash or "solid"],
            label=label,
        )
        return
    if tr.mode != "markers":
        raise ValueError(f"static: scatter mode {tr.mode!r} is not drawn")
    xerr = None
    if tr.error_x and tr.error_x.array is not None:
        xerr = [list(tr.error_x.arrayminus), list(tr.error_x.array)]
        ax.errorbar(x, y, xerr=xerr, fmt="none", ecolor=tr.error_x.color, elinewidth=2, capsize=4)
    ax.scatter(
        x,
        y,
        color=tr.marker.color,
        s=(tr.marker.size or 8) ** 2 * 0.5,
        marker=_MARKERS[tr.marker.symbol or "circle"],
        edgecolors="white",
        linewidths=1,
        zorder=3,
        label=label,
    )


def _shapes_and_notes(ax, layout) -> None:
    xlog = layout.xaxis.type == "log"
    for sh in layout.shapes:
        if sh.type != "line":
            raise ValueError(f"static: shape {sh.type!r} is not drawn")
        style = dict(
            color=sh.line.color,
            linestyle=_DASHES[sh.line.dash or "solid"],
            linewidth=(sh.line.width or 1) * 0.7,
        )
        if sh.xref == "x domain":
            ax.axhline(sh.y0, **style)
        elif sh.yref == "y domain":
            ax.axvline(sh.x0, **style)
        else:
            raise ValueError("static: only lines across the plot are drawn")
    for note in layout.annotations:
        x = note.x
        if note.xref == "x domain" or note.xref == "paper":
            tx = (
                ax.get_xaxis_transform() if note.yref not in ("paper", "y domain") else ax.transAxes
            )
            xdata = x
        else:
            xdata = 10**x if xlog else x
            tx = ax.get_xaxis_transform() if note.yref in ("paper", "y domain") else ax.transData
        if note.xref in ("x domain", "paper") and note.yref not in ("paper", "y domain"):
            from matplotlib.transforms import blended_transform_factory

            tx = blended_transform_factory(ax.transAxes, ax.transData)
        ax.text(
            xdata,
            note.y,
            _text(note.text),
            transform=tx,
            fontsize=7.5,
            color="#333",
            ha={"left": "left", "right": "right", "center": "center"}.get(
                note.xanchor or "center", "center"
            ),
            va={"top": "top", "bottom": "bottom", "middle": "center"}.get(
                note.yanchor or "middle", "center"
            ),
        )


def png(fig, width_mm: float = 180.0) -> tuple[bytes, float]:
    """The figure as PNG bytes, and its height in mm at ``width_mm`` (the plotly figure's
    height)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    layout = fig.layout
    height_mm = (layout.height or 450) / PX_PER_MM * width_mm / 180.0
    rc = {
        "text.parse_math": False,
        "font.family": "DejaVu Sans",
        "font.size": 8,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#e5e5e5",
        "axes.axisbelow": True,
        "svg.hashsalt": "hybrid",
        "path.simplify": False,
    }
    with plt.rc_context(rc):
        f, ax = plt.subplots(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=DPI)
        try:
            traces = list(fig.data)
            kinds = {t.type for t in traces}
            if kinds == {"bar"}:
                horizontal = traces[0].orientation == "h"
                ax.name = "hbar" if horizontal else "vbar"
                _bars(ax, traces, layout)
                ax.grid(axis="y" if horizontal else "x", visible=False)
            elif kinds == {"scatter"}:
                for tr in traces:
                    _scatter(ax, tr)
            else:
                raise ValueError(f"static: traces {sorted(kinds)} are not drawn")
            _axis(ax, layout.xaxis, "x")
            _axis(ax, layout.yaxis, "y")
            _shapes_and_notes(ax, layout)
            ax.set_title(_text(layout.title.text), pad=18 if layout.showlegend is not False else 8)
            if layout.showlegend is not False and ax.get_legend_handles_labels()[0]:
                ax.legend(
                    loc="lower left",
                    bbox_to_anchor=(0, 1.0),
                    ncol=4,
                    frameon=False,
                    fontsize=7.5,
                    borderaxespad=0.2,
                    handlelength=1.6,
                )
            f.tight_layout()
            buf = io.BytesIO()
            f.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
        finally:
            plt.close(f)
    return buf.getvalue(), height_mm
