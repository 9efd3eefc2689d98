"""The PDF report: A4, drawn with fpdf2 (no browser), with the scenario YAML attached as a file."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hybrid.explain.rationale import money
from hybrid.share.report import COLORS, LABEL_COLORS, LAYERS, PLAN_COLORS, PLAN_ORDER, PLAN_TITLES, ReportData, _cpp, _money_short


_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)


def _find_fonts() -> dict[str, Path] | None:
    want = {
        "": "DejaVuSans.ttf",
        "B": "DejaVuSans-Bold.ttf",
        "I": "DejaVuSans-Oblique.ttf",
        "mono": "DejaVuSansMono.ttf",
    }
    for d in _FONT_DIRS:
        found = {k: d / v for k, v in want.items()}
        if all(p.is_file() for p in found.values()):
            return found
    return None


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round ticks from at or below ``lo`` to at or above ``hi``: steps of 1, 2, 2.5 or 5 x 10^k."""
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / n
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * 0.999)
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    return [round(k * step, 12) for k in range(first, last + 1)]


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _lighten(hex_color: str, amount: float) -> tuple[int, int, int]:
    r, g, b = _rgb(hex_color)
    return tuple(int(round(c + (255 - c) * amount)) for c in (r, g, b))  # type: ignore[return-value]


_LATIN1_MAP = str.maketrans({
    "\u2192": "->", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00d7": "x", "\u2003": "  ",
    "\u00b7": "*", "\u20ac": "EUR ", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2021": "(!)", "\u2026": "...", "\u2264": "<=", "\u2265": ">=",
})


class _Pdf:
    """A thin layout helper over fpdf2: fonts, headings, paragraphs, tables and charts."""

    W = 180.0  # content width in mm (A4, 15 mm margins)

    def __init__(self, data: ReportData):
        from fpdf import FPDF

        d = data
        outer = self

        class Doc(FPDF):
            def footer(self):
                self.set_y(-12)
                outer.font(7.5, "", color=(110, 110, 110))
                self.cell(0, 4, outer.t(f"{d.footer}   Page {self.page_no()}/{{nb}}"), align="C")

        self.data = data
        self.pdf = Doc(orientation="P", unit="mm", format="A4")
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(True, margin=18)
        self.pdf.alias_nb_pages()
        self.pdf.set_title(f"Recommendation report: {data.title}")
        self.pdf.set_author(f"hybrid {data.version}")
        self.pdf.set_subject(data.headline)
        self.pdf.set_creator(f"hybrid {data.version} (fpdf2)")
        self.pdf.set_creation_date(data.generated_at)
        fonts = _find_fonts()
        self.unicode = fonts is not None
        if fonts is not None:
            self.pdf.add_font("Sans", "", str(fonts[""]))
            self.pdf.add_font("Sans", "B", str(fonts["B"]))
            self.pdf.add_font("Sans", "I", str(fonts["I"]))
            self.pdf.add_font("Mono", "", str(fonts["mono"]))
            self.sans, self.mono = "Sans", "Mono"
        else:
            self.sans, self.mono = "helvetica", "courier"
        self.pdf.add_page()

    def t(self, text: Any) -> str:
        """Text the current fonts can draw: core PDF fonts are Latin-1 only."""
        s = "" if text is None else str(text)
        if self.unicode:
            return s
        return s.translate(_LATIN1_MAP).encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, style: str = "", color=(34, 34, 34), mono: bool = False):
        self.pdf.set_font(self.mono if mono else self.sans, "" if mono else style, size)
        self.pdf.set_text_color(*color)

    def need(self, h: float):
        if self.pdf.get_y() + h > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()

    def heading(self, text: str, space: float = 40):
        self.need(space)
        self.pdf.ln(3)
        self.font(13, "B", color=(20, 20, 20))
        self.pdf.cell(0, 8, self.t(text), new_x="LMARGIN", new_y="NEXT")
        y = self.pdf.get_y()
        self.pdf.set_draw_color(200, 200, 200)
        self.pdf.set_line_width(0.3)
        self.pdf.line(15, y, 15 + self.W, y)
        self.pdf.ln(2)

    def para(self, text: str, size: float = 9.5, style: str = "", color=(34, 34, 34), h: float = 5):
        self.font(size, style, color)
        self.pdf.multi_cell(0, h, self.t(text), new_x="LMARGIN", new_y="NEXT", align="L")

    def bullets(self, items: Sequence[str], size: float = 9.5):
        for s in items:
            self.font(size)
            x = self.pdf.get_x()
            self.pdf.cell(5, 5, self.t("\u2022") if self.unicode else "-")
            self.pdf.multi_cell(self.W - 5, 5, self.t(s), new_x="LMARGIN", new_y="NEXT", align="L")
            self.pdf.set_x(x)
            self.pdf.ln(0.8)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
              aligns: Sequence[str] | None = None, size: float = 8.5, highlight_col: int | None = None):
        from fpdf.fonts import FontFace

        aligns = aligns or ["LEFT"] * len(widths)
        self.font(size)
        self.pdf.set_draw_color(215, 215, 215)
        self.pdf.set_line_width(0.2)
        self.pdf.set_fill_color(246, 246, 246)
        head = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=(60, 60, 60))
        with self.pdf.table(
            col_widths=tuple(widths),
            width=self.W,
            text_align=tuple(aligns),
            headings_style=head,
            line_height=4.6,
            padding=1.2,
            borders_layout="HORIZONTAL_LINES",
            cell_fill_color=(246, 246, 246),
            cell_fill_mode="ROWS",
            repeat_headings=1,
        ) as tbl:
            r = tbl.row()
            for cell in header:
                r.cell(self.t(cell))
            for row in rows:
                r = tbl.row()
                for i, cell in enumerate(row):
                    style = None
                    if highlight_col is not None and i == highlight_col:
                        style = FontFace(emphasis="BOLD")
                    r.cell(self.t(cell), style=style)
        self.pdf.ln(2)

    def hbars(self, title: str, groups: Sequence[tuple[str, Sequence[tuple[float, str]]]],
              legend: Sequence[tuple[str, str]], unit_fmt, height_per: float = 8.0):
        """Horizontal stacked bars: ``groups`` of (row label, [(value, colour), ...])."""
        pdf = self.pdf
        h = 14 + height_per * len(groups) + 12
        self.need(h)
        self.font(10, "B")
        pdf.cell(0, 6, self.t(title), new_x="LMARGIN", new_y="NEXT")
        x0, label_w = 15.0, 32.0
        plot_w = self.W - label_w - 4
        top = max(sum(v for v, _ in segs) for _, segs in groups) or 1.0
        y = pdf.get_y() + 2
        for label, segs in groups:
            self.font(8.5)
            pdf.set_xy(x0, y + 1)
            pdf.cell(label_w, height_per - 3, self.t(label), align="R")
            x = x0 + label_w + 2
            for v, color in segs:
                w = plot_w * v / top
                if w > 0.05:
                    pdf.set_fill_color(*_rgb(color))
                    pdf.rect(x, y + 1, w, height_per - 3, style="F")
                x += w
            total = sum(v for v, _ in segs)
            self.font(8)
            txt = unit_fmt(total)
            tw = pdf.get_string_width(txt)
            if x + 1 + tw > x0 + self.W:
                pdf.set_xy(x - tw - 1, y + 1)
                pdf.set_text_color(255, 255, 255)
            else:
                pdf.set_xy(x + 1, y + 1)
            pdf.cell(tw, height_per - 3, self.t(txt))
            y += height_per
        self._legend(legend, y + 1)
        pdf.set_y(y + 9)

    def _legend(self, legend: Sequence[tuple[str, str]], y: float, dashed: Sequence[bool] | None = None):
        pdf = self.pdf
        x = 15.0 + 34
        self.font(8)
        for i, (label, color) in enumerate(legend):
            pdf.set_fill_color(*_rgb(color))
            pdf.rect(x, y + 1, 4, 3, style="F")
            pdf.set_xy(x + 5, y)
            w = pdf.get_string_width(self.t(label)) + 2
            pdf.cell(w, 5, self.t(label))
            x += w + 9

    def vbars(self, title: str, bars: Sequence[tuple[str, float | None, str, str, bool]], ylabel: str):
        """Vertical bars: (label, value, value text, colour, hatched)."""
        pdf = self.pdf
        h = 70
        self.need(h + 10)
        self.font(10, "B")
        pdf.cell(0, 6, self.t(title), new_x="LMARGIN", new_y="NEXT")
        top_y = pdf.get_y() + 6
        plot_h = 40.0
        x0 = 15.0 + 22
        plot_w = self.W - 22
        base_y = top_y + plot_h
        ticks = _nice_ticks(0.0, max([v for _, v, _, _, _ in bars if v] + [1.0]) * 1.08, 4)
        vmax = ticks[-1] if ticks[-1] > 0 else 1.0
        pdf.set_draw_color(215, 215, 215)
        pdf.set_line_width(0.2)
        for tv in ticks:
            yy = base_y - plot_h * tv / vmax
            pdf.line(x0, yy, x0 + plot_w, yy)
            self.font(7, color=(90, 90, 90))
            pdf.set_xy(15, yy - 2)
            pdf.cell(20, 4, self.t(_money_short(tv, self.data.currency)), align="R")
        slot = plot_w / len(bars)
        bw = min(30.0, slot * 0.5)
        for i, (label, v, text, color, hatched) in enumerate(bars):
            cx = x0 + slot * (i + 0.5)
            bh = plot_h * (v or 0.0) / vmax
            pdf.set_fill_color(*_rgb(color))
            pdf.rect(cx - bw / 2, base_y - bh, bw, bh, style="F")
            if hatched and bh > 0:
                pdf.set_draw_color(255, 255, 255)
                pdf.set_line_width(0.6)
                with pdf.rect_clip(cx - bw / 2, base_y - bh, bw, bh):
                    k = -bh
                    while k < bw:
                        pdf.line(cx - bw / 2 + k, base_y, cx - bw / 2 + k + bh, base_y - bh)
                        k += 3
            self.font(8.5, "B")
            pdf.set_xy(cx - slot / 2, base_y - bh - 5)
            pdf.cell(slot, 4, self.t(text), align="C")
            self.font(8.5)
            pdf.set_xy(cx - slot / 2, base_y + 1.5)
            pdf.multi_cell(slot, 4, self.t(label), align="C")
        self.font(7.5, color=(90, 90, 90))
        pdf.set_xy(15, top_y - 6)
        pdf.cell(0, 4, self.t(ylabel))
        pdf.set_y(base_y + 12)

    def line_chart(self):
        """Expected metric by spend (log x), one line per plan, target and today as dashed lines."""
        d = self.data
        rec = d.recommendation
        pdf = self.pdf
        self.need(95)
        self.font(10, "B")
        pdf.cell(0, 6, self.t("Expected metric by spend, for each plan's mix"), new_x="LMARGIN", new_y="NEXT")
        top_y = pdf.get_y() + 3
        x0, plot_w, plot_h = 15.0 + 16, self.W - 20, 62.0
        base_y = top_y + plot_h
        xs = np.log10(np.asarray(d.curve_spend))
        xmin, xmax = float(xs.min()), float(xs.max())
        allv = np.concatenate([np.asarray(v) for v in d.curve_metric.values()])
        lo = min(float(allv.min()), rec.today_metric, rec.target_metric)
        hi = max(float(allv.max()), rec.target_metric)
        pad = max(0.003, (hi - lo) * 0.06)
        yticks = _nice_ticks(lo - pad, hi + pad, 6)
        lo, hi = yticks[0], yticks[-1]

        def px(s):
            return x0 + plot_w * (math.log10(s) - xmin) / (xmax - xmin)

        def py(m):
            return base_y - plot_h * (m - lo) / (hi - lo)

        pdf.set_draw_color(225, 225, 225)
        pdf.set_line_width(0.2)
        self.font(7, color=(90, 90, 90))
        for m in yticks:
            pdf.line(x0, py(m), x0 + plot_w, py(m))
            pdf.set_xy(15, py(m) - 2)
            pdf.cell(15, 4, f"{m:.3f}", align="R")
        for e in range(int(math.floor(xmin)), int(math.ceil(xmax)) + 1):
            for mult in (1, 2, 5):
                s = mult * 10.0**e
                if xmin - 1e-9 <= math.log10(s) <= xmax + 1e-9:
                    pdf.set_draw_color(225, 225, 225)
                    pdf.line(px(s), top_y, px(s), base_y)
                    pdf.set_xy(px(s) - 10, base_y + 1)
                    pdf.cell(20, 4, self.t(_money_short(s, d.currency)), align="C")
        pdf.set_draw_color(120, 120, 120)
        pdf.line(x0, base_y, x0 + plot_w, base_y)
        for value, color, text in ((rec.target_metric, COLORS["target"], f"target {rec.target_metric:.3f}"),
                                   (rec.today_metric, COLORS["today"], f"today {rec.today_metric:.3f}")):
            pdf.set_draw_color(*_rgb(color))
            pdf.set_line_width(0.35)
            pdf.set_dash_pattern(dash=1.5, gap=1.2)
            pdf.line(x0, py(value), x0 + plot_w, py(value))
            pdf.set_dash_pattern()
            self.font(7, color=_rgb(color))
            pdf.set_xy(x0 + 1, py(value) - (4.5 if value == rec.target_metric else -0.5))
            pdf.cell(30, 4, text)
        if xmin <= math.log10(rec.budget) <= xmax + 1e-9:
            bx = px(rec.budget)
            pdf.set_draw_color(*_rgb(COLORS["target"]))
            pdf.set_line_width(0.3)
            pdf.line(bx, top_y, bx, base_y)
            self.font(7, color=_rgb(COLORS["target"]))
            label = self.t(f"budget {money(rec.budget, d.currency)}")
            pdf.set_xy(bx - pdf.get_string_width(label) - 1.5, top_y)
            pdf.cell(pdf.get_string_width(label) + 1, 4, label)
        for name in ("all-human", "all-synthetic", "recommended"):
            pl = next(q for q in rec.plans if q.name == name)
            pts = [(px(s), py(m)) for s, m in zip(d.curve_spend, d.curve_metric[name])]
            pdf.set_draw_color(*_rgb(PLAN_COLORS[name]))
            pdf.set_line_width(0.9 if name == "recommended" else 0.6)
            if pl.breaks:
                pdf.set_dash_pattern(dash=1.0, gap=1.0)
            pdf.polyline(pts)
            pdf.set_dash_pattern()
            if pl.spend > 0:
                pdf.set_fill_color(*_rgb(PLAN_COLORS[name]))
                pdf.set_draw_color(255, 255, 255)
                pdf.set_line_width(0.3)
                pdf.circle(x=px(pl.spend), y=py(pl.expected_metric), radius=1.4, style="FD")
        self.font(7.5, color=(90, 90, 90))
        pdf.set_xy(x0, base_y + 5)
        pdf.cell(plot_w, 4, self.t(f"Spend ({d.currency}, log scale)"), align="C")
        legend = [(PLAN_TITLES[n] + (" (outside guardrails)" if next(q for q in rec.plans if q.name == n).breaks else ""),
                   PLAN_COLORS[n]) for n in PLAN_ORDER]
        self._legend(legend, base_y + 10)
        pdf.set_y(base_y + 17)


def _sentence(text: str) -> str:
    return (text[:1].upper() + text[1:] + ".") if text else ""


def render_pdf(data: ReportData) -> bytes:
    """A clean A4 PDF made with fpdf2 alone; the scenario YAML is attached as a file."""
    doc = _Pdf(data)
    pdf = doc.pdf
    rec = data.recommendation
    cur = data.currency

    doc.font(8, color=(100, 100, 100))
    pdf.cell(0, 4, doc.t("Recommendation report"), new_x="LMARGIN", new_y="NEXT")
    doc.para(data.title, size=18, style="B", color=(20, 20, 20), h=8)
    doc.para(data.subtitle, size=9.5, color=(90, 90, 90))
    pdf.ln(3)

    # Executive summary: a coloured headline band, four key numbers, a few sentences.
    color = LABEL_COLORS[data.label]
    pdf.set_fill_color(*_lighten(color, 0.85))
    y = pdf.get_y()
    doc.font(12.5, "B", color=(20, 20, 20))
    lines = pdf.multi_cell(doc.W - 10, 6, doc.t(data.headline), dry_run=True, output="LINES")
    band_h = 6 * len(lines) + 13
    pdf.rect(15, y, doc.W, band_h, style="F")
    pdf.set_fill_color(*_rgb(color))
    pdf.rect(15, y, 2.2, band_h, style="F")
    pdf.set_xy(21, y + 2.5)
    pdf.multi_cell(doc.W - 10, 6, doc.t(data.headline), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_x(21)
    doc.font(9.5, color=(40, 40, 40))
    pdf.multi_cell(doc.W - 10, 5, doc.t(data.verdict), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_y(y + band_h + 3)

    y = pdf.get_y()
    w = (doc.W - 6) / 4
    for i, k in enumerate(data.kpis):
        x = 15 + i * (w + 2)
        pdf.set_fill_color(246, 246, 246)
        pdf.rect(x, y, w, 24, style="F")
        pdf.set_xy(x + 2, y + 1.5)
        doc.font(7.5, color=(100, 100, 100))
        pdf.cell(w - 4, 4, doc.t(k.label.upper()))
        pdf.set_xy(x + 2, y + 6)
        doc.font(10.5 if len(k.value) < 24 else 8.5, "B", color=(20, 20, 20))
        pdf.multi_cell(w - 4, 5, doc.t(k.value), new_x="LEFT", new_y="NEXT", max_line_height=5, align="L")
        pdf.set_x(x + 2)
        doc.font(7, color=(90, 90, 90))
        note = k.note if len(k.note) < 90 else k.note[:87] + "..."
        pdf.multi_cell(w - 4, 3.3, doc.t(note), new_x="LEFT", new_y="NEXT", align="L")
    pdf.set_y(y + 27)
    doc.bullets(data.summary)

    doc.heading("Budget split: the three layers")
    doc.table(
        ["Layer", "Amount", "Share", "What it buys"],
        [(lr.title, lr.amount_text, lr.share_text, lr.description) for lr in data.layers]
        + [("Total", money(rec.plan.spend, cur), "100%", f"of the {money(rec.budget, cur)} budget")],
        widths=(34, 26, 16, 104),
        aligns=("LEFT", "RIGHT", "RIGHT", "LEFT"),
    )
    doc.hbars(
        "Where the money goes: the three layers of each plan",
        [
            (c.title, [(c.plan.layers[key], col) for key, _, col, _ in LAYERS])
            for c in data.plans
        ],
        [(title, col) for _, title, col, _ in LAYERS],
        lambda v: money(v, cur),
    )

    doc.heading("Plans side by side", space=90)
    doc.table(
        ["", *(c.title for c in data.plans)],
        [(title, *vals) for title, vals in data.plan_rows if title != "Guardrails"]
        + [("Guardrails", *("inside" if not c.plan.breaks else f"outside ({len(c.plan.breaks)})" for c in data.plans))],
        widths=(50, 43, 43, 44),
        aligns=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        highlight_col=1,
    )
    for c in data.plans:
        if c.plan.breaks:
            doc.para(f"{c.title} is outside the guardrails: " + "; ".join(c.plan.breaks) + ".", size=8.5,
                     color=(90, 90, 90), h=4.3)
    pdf.ln(2)
    doc.vbars(
        "Cost per percentage point of metric gained",
        [
            (c.title + (" (outside guardrails)" if c.plan.breaks else ""), c.plan.cost_per_point,
             _cpp(c.plan.cost_per_point, cur), c.color, bool(c.plan.breaks))
            for c in data.plans
        ],
        f"{cur} per point",
    )

    doc.heading("What each plan buys", space=110)
    doc.line_chart()
    doc.para(data.chart_description, size=8.5, color=(70, 70, 70), h=4.3)
    pdf.ln(2)
    doc.table(
        ["Spend", *(c.title for c in data.plans)],
        [(s, *vals) for s, vals in data.spend_table],
        widths=(45, 45, 45, 45),
        aligns=("RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    )

    doc.heading("The factors and what each did to the guardrails", space=70)
    doc.table(
        ["Factor", "Answer", "Max synth.", "Min review", "Min anchor", "Effect and reason"],
        [
            (
                f.title,
                f.answer,
                f.max_synthetic_share,
                f.min_review_coverage,
                f.min_anchor_share,
                _sentence(("binds the answer; " if f.binds else "") + "; ".join(f.effects)) + " " + f.reason,
            )
            for f in data.factors
        ],
        widths=(30, 26, 16, 16, 16, 76),
        aligns=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        size=8,
    )
    doc.table(
        ["Guardrail", "Value", "Set by"],
        [(f.name, f.value, f.source) for f in data.guardrail_summary],
        widths=(70, 20, 90),
        aligns=("LEFT", "RIGHT", "LEFT"),
    )

    doc.heading("Dataset", space=50)
    if data.dataset:
        doc.table(["Fact", "Value"], [(f.name, f.value) for f in data.dataset], widths=(80, 100))
    else:
        doc.para("No dataset facts given: today's metric comes from the learning curve's largest point.")
    if data.profile is not None:
        prof = data.profile
        if prof["columns"]:
            doc.para("Columns: " + ", ".join(prof["columns"]), size=8.5)
        if prof["label_column"]:
            doc.para(f"Label column: {prof['label_column']}", size=8.5)
        if prof["classes"]:
            doc.table(["Class label", "Rows", "Share"], prof["classes"], widths=(110, 35, 35),
                      aligns=("LEFT", "RIGHT", "RIGHT"))

    doc.heading("Assumptions and their sources", space=60)
    doc.table(["Assumption", "Value", "Source"], [(f.name, f.value, f.source) for f in data.assumptions],
              widths=(52, 48, 80), size=8)

    if data.sensitivity is not None:
        doc.heading("Sensitivity", space=60)
        doc.para(data.sensitivity_note, size=9)
        pdf.ln(1)
        doc.table(
            ["Input", "Range", "Synthetic share", "Cost per point", "Flips label"],
            [(r.title, r.range_text, r.share_text, r.cpp_text, "yes" if r.flips_label else "no")
             for r in data.sensitivity],
            widths=(44, 36, 28, 52, 20),
            size=8,
        )
    if data.uncertainty is not None:
        doc.heading("Uncertainty", space=50)
        doc.para(data.uncertainty_note, size=9)
        pdf.ln(1)
        doc.table(
            ["Plan", "Cost per point: median (5th-95th)", "Metric: median (5th-95th)", "P(cheapest)", "P(target)"],
            [(r.title, r.cpp_text, r.metric_text, r.p_cheapest_text, r.p_reaches_text) for r in data.uncertainty],
            widths=(28, 56, 48, 24, 24),
            size=8,
        )

    doc.heading("Rationale", space=40)
    doc.bullets(data.rationale, size=9)

    doc.heading("Reproduce this report", space=50)
    doc.para(
        "The scenario below is attached to this PDF as " + data.yaml_filename + ". Open it in the dashboard "
        "(or run python -m hybrid report on it) with the same policy to get the same numbers.",
        size=8.5,
    )
    pdf.ln(1)
    doc.font(7.5, mono=True, color=(40, 40, 40))
    pdf.set_fill_color(246, 246, 246)
    pdf.multi_cell(0, 3.6, doc.t(data.scenario_yaml.rstrip("\n")), fill=True, new_x="LMARGIN", new_y="NEXT",
                   wrapmode="CHAR")
    pdf.embed_file(
        bytes=data.scenario_yaml.encode("utf-8"),
        basename=data.yaml_filename,
        mime_type="application/yaml",
        desc="The scenario this report was made from",
        modification_date=data.generated_at,
        compress=False,
    )
    return bytes(pdf.output())
