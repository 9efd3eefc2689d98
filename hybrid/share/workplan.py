"""The work plan in every shared form: CSV quotas for a labeling team, JSON, and the report
section (Markdown and HTML). Standard library only, so the CLI can write it without the report
stack; the report and the page call these functions.
"""

from __future__ import annotations

import csv
import html
import io

from hybrid.money import money
from hybrid.safetext import neutralise_cell, shown

__all__ = [
    "money",
    "neutralise",
    "workplan_csv",
    "workplan_markdown",
    "workplan_html",
    "workplan_bars",
    "CSV_COLUMNS",
    "LAYER_KEYS",
]

# The three layers of spend, in the order every chart stacks them.
LAYER_KEYS = (
    ("expert_anchor", "Expert anchor (new human rows)"),
    ("synthetic_extension", "Synthetic extension"),
    ("human_review", "Human review of synthetic rows"),
)

CSV_COLUMNS = (
    ("slice", "Slice"),
    ("layer", "Layer"),
    ("quota", "Rows"),
    ("unit_cost", "Unit cost"),
    ("spend", "Spend"),
    ("currency", "Currency"),
    ("review_coverage", "Review coverage"),
    ("verification_sample", "Verification sample"),
    ("generator_accuracy", "Generator accuracy"),
    ("reason", "Reason"),
)


# OWASP "CSV Injection": one rule for every CSV the project writes (hybrid.safetext).
neutralise = neutralise_cell


def _rows(wp):
    cur = wp.currency
    for s in wp.slices:
        # The price per row each slice pays: the overall plan's (its spend per row of the layer,
        # ``hybrid.model.workplan.split_spend``), so rows times unit cost is the spend shown.
        layers = (
            ("new human rows (expert anchor)", s.human_examples, wp.human_cost, s.expert_anchor),
            ("new synthetic rows", s.synthetic_examples, wp.synthetic_cost, s.synthetic_extension),
            ("human review of synthetic rows", s.reviewed_examples, wp.review_unit, s.human_review),
        )
        for layer, n, price, spend in layers:
            unit = spend / n if n else price
            yield {
                "slice": s.slice,
                "layer": layer,
                "quota": n,
                "unit_cost": round(unit, 4),
                "spend": round(spend, 2),
                "currency": cur,
                "review_coverage": round(s.review_coverage, 4)
                if layer.startswith("human review")
                else "",
                "verification_sample": s.verification_sample
                if layer.startswith("human review")
                else "",
                "generator_accuracy": round(s.accuracy, 4) if layer != layers[0][0] else "",
                "reason": s.reason,
            }
    t = wp.total()
    yield {
        "slice": "total",
        "layer": "all layers",
        "quota": t["human_examples"] + t["synthetic_examples"],
        "unit_cost": "",
        "spend": round(t["spend"], 2),
        "currency": cur,
        "review_coverage": round(t["review_coverage"], 4),
        "verification_sample": t["verification_sample"],
        "generator_accuracy": "",
        "reason": f"budget {money(wp.budget, cur)}; " + " ".join(wp.notes),
    }


def workplan_csv(wp) -> str:
    """One row per slice and layer: rows to buy, unit cost, spend; a total row with the budget."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([title for _, title in CSV_COLUMNS])
    for row in _rows(wp):
        writer.writerow([neutralise(row[key]) for key, _ in CSV_COLUMNS])
    return buf.getvalue()


def _md_cell(text: str) -> str:
    """Slice names come from the data: escaped as every user string in a Markdown report is
    (markup, raw HTML, line breaks and control characters; hybrid.share.markdown)."""
    from hybrid.share.markdown import md_escape

    return md_escape(text)


def workplan_bars(wp, top: int = 15) -> dict:
    """The chart's data: the ``top`` slices by spend (largest first) and one "other" bar for the
    rest, each with its spend per layer. ``{"names": [...], "other": k, layer key: [...]}``;
    ``other`` is how many slices the last bar holds (0 when every slice has its own bar)."""
    order = sorted(wp.slices, key=lambda s: (-s.spend, s.slice))
    shown_slices = order if len(order) <= top + 1 else order[:top]
    rest = order[len(shown_slices) :]
    out = {"names": [s.slice for s in shown_slices], "other": len(rest)}
    for key, _ in LAYER_KEYS:
        out[key] = [float(getattr(s, key)) for s in shown_slices]
        if rest:
            out[key].append(float(sum(getattr(s, key) for s in rest)))
    if rest:
        out["names"].append(f"{len(rest):,} other slices")
    return out


def workplan_markdown(wp) -> str:
    cur = wp.currency
    out = [
        "## Work plan by slice",
        "",
        f"The overall plan split across {len(wp.slices):,} slices. "
        f"Verification samples know each slice's generator accuracy within ±{wp.margin:.0%} at "
        f"{wp.confidence:.0%} confidence.",
        "",
        "| Slice | New human rows | New synthetic rows | Reviewed | Review coverage | Verification "
        "sample | Spend | Reason |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in wp.slices:
        out.append(
            f"| {_md_cell(s.slice)} | {s.human_examples:,} | {s.synthetic_examples:,} | "
            f"{s.reviewed_examples:,} | "
            f"{s.review_coverage:.0%} | {s.verification_sample:,} | {money(s.spend, cur)} | "
            f"{_md_cell(s.reason)} |"
        )
    t = wp.total()
    out.append(
        f"| **Total** | {t['human_examples']:,} | {t['synthetic_examples']:,} | "
        f"{t['reviewed_examples']:,} | "
        f"{t['review_coverage']:.0%} | {t['verification_sample']:,} | {money(t['spend'], cur)} | |"
    )
    out += ["", "What would move each slice:", ""]
    out += [f"- **{_md_cell(s.slice)}**: {_md_cell(s.moves)}" for s in wp.slices]
    out += [""] + [f"- {_md_cell(n)}" for n in wp.notes]
    return "\n".join(out) + "\n"


def workplan_html(wp) -> str:
    cur = wp.currency

    def e(text) -> str:  # slice names come from the data: control characters shown as escapes
        return html.escape(shown(text))

    rows = "".join(
        f"<tr><td>{e(s.slice)}</td><td>{s.human_examples:,}</td><td>{s.synthetic_examples:,}</td>"
        f"<td>{s.reviewed_examples:,}</td><td>{s.review_coverage:.0%}</td><td>{s.verification_sample:,}</td>"
        f"<td>{e(money(s.spend, cur))}</td><td>{e(s.reason)}</td><td>{e(s.moves)}</td></tr>"
        for s in wp.slices
    )
    t = wp.total()
    notes = "".join(f"<li>{e(n)}</li>" for n in wp.notes)
    return (
        '<section id="work-plan"><h2>Work plan by slice</h2>'
        f"<p>The overall plan split across {len(wp.slices):,} slices. Verification samples know "
        f"each "
        f"slice's generator accuracy within ±{wp.margin:.0%} at {wp.confidence:.0%} confidence.</p>"
        "<table><thead><tr><th>Slice</th><th>New human rows</th><th>New synthetic "
        "rows</th><th>Reviewed</th>"
        "<th>Review coverage</th><th>Verification sample</th><th>Spend</th><th>Reason</th><th>What "
        "would move it</th>"
        f"</tr></thead><tbody>{rows}</tbody><tfoot><tr><th>Total</th><td>{t['human_examples']:,}</td>"
        f"<td>{t['synthetic_examples']:,}</td><td>{t['reviewed_examples']:,}</td><td>{t['review_coverage']:.0%}</td>"
        f"<td>{t['verification_sample']:,}</td><td>{e(money(t['spend'], cur))}</td>"
        "<td></td><td></td></tr></tfoot></table>"
        f"<ul>{notes}</ul></section>"
    )
