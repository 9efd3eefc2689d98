"""The PDF report: A4, laid out with fpdf2 (no browser), with the scenario YAML attached as a file
and its inputs, named and rounded, as the last section (``hybrid.whatif.inputs.input_rows``).

The charts are the report's plotly figures (``figures.figures``, the ones the HTML report embeds),
drawn as images by ``static.png``; the PDF defines no chart of its own.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hybrid.money import money
from hybrid.share.figures import figures
from hybrid.share.report import LABEL_COLORS, ReportData, RoundsSection
from hybrid.share.static import png
from hybrid.whatif.inputs import input_rows

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


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _lighten(hex_color: str, amount: float) -> tuple[int, int, int]:
    r, g, b = _rgb(hex_color)
    return tuple(int(round(c + (255 - c) * amount)) for c in (r, g, b))  # type: ignore[return-value]


_LATIN1_MAP = str.maketrans(
    {
        "\u2192": "->",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00d7": "x",
        "\u2003": "  ",
        "\u00b7": "*",
        "\u20ac": "EUR ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2021": "(!)",
        "\u2026": "...",
        "\u2264": "<=",
        "\u2265": ">=",
    }
)


class _Pdf:
    """A thin layout helper over fpdf2: fonts, headings, paragraphs, tables and figures."""

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

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        aligns: Sequence[str] | None = None,
        size: float = 8.5,
        highlight_col: int | None = None,
    ):
        from fpdf.fonts import FontFace

        aligns = aligns or ["LEFT"] * len(widths)
        self.font(size)
        self.pdf.set_draw_color(215, 215, 215)
        self.pdf.set_line_width(0.2)
        self.pdf.set_fill_color(246, 246, 246)
        head = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=(60, 60, 60))
        total = float(sum(widths)) or 1.0
        limits = [cell_chars(self.W * w / total) for w in widths]
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
            for i, cell in enumerate(header):
                r.cell(self.t(cut_cell(cell, limits[i % len(limits)], self.unicode)))
            for row in rows:
                r = tbl.row()
                for i, cell in enumerate(row):
                    style = None
                    if highlight_col is not None and i == highlight_col:
                        style = FontFace(emphasis="BOLD")
                    text = cut_cell(cell, limits[i % len(limits)], self.unicode)
                    r.cell(self.t(text), style=style)
        self.pdf.ln(2)

    def figure(self, fig) -> None:
        """A report figure (``figures.figures``) as an image the full column wide."""
        image, h = png(fig, self.W)
        self.need(h + 2)
        self.pdf.image(io.BytesIO(image), x=self.pdf.l_margin, y=self.pdf.get_y(), w=self.W, h=h)
        self.pdf.set_y(self.pdf.get_y() + h + 2)


# Lines one table cell may take: a row must fit on one page (fpdf2 refuses a taller row: "row
# ... too high ... single page"), and twenty lines of 4.6 mm leave room for the heading.
MAX_CELL_LINES = 20
CUT_MARK = " … (cut)"  # the HTML and JSON reports keep the full text


def cell_chars(width_mm: float) -> int:
    """Characters a cell ``width_mm`` wide holds in ``MAX_CELL_LINES`` lines at 8.5 pt (a
    character is at most about 2 mm wide there; a word longer than the cell wraps by letters)."""
    return max(40, int(width_mm / 2.0 * MAX_CELL_LINES))


def cut_cell(value: Any, limit: int, unicode: bool = True) -> str:
    """A table cell cut to ``limit`` characters with a visible mark, never silently."""
    text = "" if value is None else str(value)
    if len(text) <= limit:
        return text
    mark = CUT_MARK if unicode else CUT_MARK.replace("…", "...")
    return text[: max(1, limit - len(mark))] + mark


def _sentence(text: str) -> str:
    return (text[:1].upper() + text[1:] + ".") if text else ""


def rounds_section(doc: _Pdf, section: RoundsSection) -> None:
    """The staged plan (``report.rounds_section``): round by round, then the staged plan's totals
    beside the recommended plan bought at once, both on the same simulated futures."""
    doc.heading("Buying in rounds", space=80)
    doc.para(section.intro, size=9)
    doc.pdf.ln(1)
    doc.table(
        [
            "Round",
            "New human rows",
            "New synthetic rows",
            "Synthetic reviewed",
            "Spend",
            "Spent so far (expected)",
            "Target reached by then",
        ],
        section.rows,
        widths=(18, 25, 27, 24, 28, 30, 28),
        aligns=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        size=8,
    )
    doc.para(
        "Round 1 is the same in every future; later rounds are averages over the futures. "
        "At once: the recommended plan bought in one go.",
        size=8.5,
        color=(90, 90, 90),
        h=4.3,
    )
    doc.pdf.ln(1)
    if section.comparison:
        doc.table(
            ["", "Bought in rounds", "Bought at once"],
            section.comparison,
            widths=(80, 50, 50),
            aligns=("LEFT", "RIGHT", "RIGHT"),
        )


def render_pdf(data: ReportData) -> bytes:
    """A clean A4 PDF made with fpdf2, charts from the shared figures; the scenario YAML
    attached."""
    doc = _Pdf(data)
    pdf = doc.pdf
    figs = figures(data)
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
        pdf.multi_cell(
            w - 4, 5, doc.t(k.value), new_x="LEFT", new_y="NEXT", max_line_height=5, align="L"
        )
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
        + [
            ("Total", money(rec.plan.spend, cur), "100%", f"of the {money(rec.budget, cur)} budget")
        ],
        widths=(34, 26, 16, 104),
        aligns=("LEFT", "RIGHT", "RIGHT", "LEFT"),
    )
    doc.figure(figs["chart-layers"])

    doc.heading("Plans side by side", space=90)
    doc.table(
        ["", *(c.title for c in data.plans)],
        [(title, *vals) for title, vals in data.plan_rows if title != "Guardrails"]
        + [
            (
                "Guardrails",
                *(
                    "inside" if not c.plan.breaks else f"outside ({len(c.plan.breaks)})"
                    for c in data.plans
                ),
            )
        ],
        widths=(50, 43, 43, 44),
        aligns=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        highlight_col=1,
    )
    for c in data.plans:
        if c.plan.breaks:
            doc.para(
                f"{c.title} is outside the guardrails: " + "; ".join(c.plan.breaks) + ".",
                size=8.5,
                color=(90, 90, 90),
                h=4.3,
            )
    pdf.ln(2)
    doc.figure(figs["chart-cpp"])

    doc.heading("What each plan buys", space=110)
    doc.figure(figs["chart-spend"])
    doc.para(data.chart_description, size=8.5, color=(70, 70, 70), h=4.3)
    pdf.ln(2)
    doc.table(
        ["Spend", *(c.title for c in data.plans)],
        [(s, *vals) for s, vals in data.spend_table],
        widths=(45, 45, 45, 45),
        aligns=("RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    )

    if data.workplan is not None:
        w = data.workplan
        doc.heading("Work plan by slice", space=70)
        doc.para(w.intro, size=9)
        pdf.ln(1)
        if "chart-workplan" in figs:
            doc.figure(figs["chart-workplan"])
        doc.table(
            [
                "Slice",
                "New human",
                "New synthetic",
                "Reviewed",
                "Coverage",
                "Verification",
                "Spend",
            ],
            [
                (r.slice, r.human, r.synthetic, r.reviewed, r.coverage, r.verification, r.spend)
                for r in (*w.rows, w.total)
            ],
            widths=(46, 21, 23, 21, 19, 22, 28),
            aligns=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
            size=8,
        )
        doc.table(
            ["Slice", "Why this allocation", "What would move it"],
            [(r.slice, r.reason, r.moves) for r in w.rows],
            widths=(34, 73, 73),
            size=7.5,
        )
        doc.bullets(w.notes, size=8.5)

    if data.rounds is not None:
        rounds_section(doc, data.rounds)

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
                _sentence(("binds the answer; " if f.binds else "") + "; ".join(f.effects))
                + " "
                + f.reason,
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
        doc.para(
            "No dataset facts given: today's metric comes from the learning curve's largest point."
        )
    if data.profile is not None:
        prof = data.profile
        if prof["columns"]:
            doc.para("Columns: " + ", ".join(prof["columns"]), size=8.5)
        if prof["label_column"]:
            doc.para(f"Label column: {prof['label_column']}", size=8.5)
        if prof["classes"]:
            doc.table(
                ["Class label", "Rows", "Share"],
                prof["classes"],
                widths=(110, 35, 35),
                aligns=("LEFT", "RIGHT", "RIGHT"),
            )

    doc.heading("Assumptions and their sources", space=60)
    doc.table(
        ["Assumption", "Value", "Source"],
        [(f.name, f.value, f.source) for f in data.assumptions],
        widths=(52, 48, 80),
        size=8,
    )

    if data.sensitivity is not None:
        doc.heading("Sensitivity", space=60)
        doc.para(data.sensitivity_note, size=9)
        pdf.ln(1)
        doc.table(
            ["Input", "Range", "Synthetic share", "Cost per point", "Flips label"],
            [
                (r.title, r.range_text, r.share_text, r.cpp_text, "yes" if r.flips_label else "no")
                for r in data.sensitivity
            ],
            widths=(44, 36, 28, 52, 20),
            size=8,
        )
    if data.uncertainty is not None:
        doc.heading("Uncertainty", space=50)
        doc.para(data.uncertainty_note, size=9)
        pdf.ln(1)
        doc.table(
            [
                "Plan",
                "Cost per point: median (5th-95th)",
                "Metric: median (5th-95th)",
                "P(cheapest)",
                "P(target)",
            ],
            [
                (r.title, r.cpp_text, r.metric_text, r.p_cheapest_text, r.p_reaches_text)
                for r in data.uncertainty
            ],
            widths=(28, 56, 48, 24, 24),
            size=8,
        )

    doc.heading("Rationale", space=40)
    doc.bullets(data.rationale, size=9)

    doc.heading("Scenario inputs", space=50)
    doc.para(
        "Every input of the scenario, rounded as a person would type it. The exact scenario is "
        "attached to this PDF as "
        + data.yaml_filename
        + ": open it in the dashboard (or give it to the command line's report command) with the "
        "same policy to get the same numbers.",
        size=8.5,
    )
    doc.table(["Input", "Value"], input_rows(data.scenario), widths=(80, 100), size=8)
    pdf.embed_file(
        bytes=data.scenario_yaml.encode("utf-8"),
        basename=data.yaml_filename,
        mime_type="application/yaml",
        desc="The scenario this report was made from",
        modification_date=data.generated_at,
        compress=False,
    )
    return bytes(pdf.output())
