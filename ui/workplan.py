"""The Work plan page's helpers: its column choices kept in the session, the cached slice plan, the
spend chart and the slice table. The Report page asks ``for_report`` for the same plan.

The data is the Dataset page's upload (``ui.upload``: the file kept on this server, its detected
columns); the plan is ``hybrid.model.workplan.slice_plan`` of the session's scenario, cached here
(never in ``hybrid/``) per scenario, policy, file contents and choices.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from hybrid.errors import InputError
from hybrid.model.scenario import Scenario
from hybrid.money import money
from hybrid.share.chart_layout import chart_layout
from hybrid.share.workplan import LAYER_KEYS, workplan_bars
from ui import compute, theme, upload
from ui.theme import html_text

SPEC = "hd.workplan"  # the page's choices for the current upload (survives leaving the page)
USING_SAMPLE = "hd.workplan.sample"  # the bundled sample is sliced (the scenario is left alone)
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "samples" / "support_tickets.csv"
TOP = 15  # slices with their own bar; the rest share one
NAME_CHARS = 28  # a slice name on the chart's axis (the hover and the table show it whole)
KEYS = {
    "slice": "workplan.slice",
    "annotators": "workplan.annotators",
    "source": "workplan.source",
    "margin": "workplan.margin",
    "confidence": "workplan.confidence",
}


def loaded() -> tuple[dict | None, dict | None]:
    """The current upload and its profile (``ui.upload``); else the bundled sample when the page
    was asked to use it; else Nones."""
    ss = st.session_state
    up = ss.get(upload.UPLOAD)
    if up or not ss.get(USING_SAMPLE):
        return up, ss.get(upload.PROFILE)
    return _sample()


def using_sample() -> bool:
    """Whether the page slices the bundled sample (no upload of the team's own)."""
    ss = st.session_state
    return bool(ss.get(USING_SAMPLE)) and not ss.get(upload.UPLOAD)


def use_sample() -> None:
    """Slice the bundled sample. Only the work plan reads it: the scenario's dataset numbers stay
    the team's (loading it as the Dataset page's upload rewrote them without a word, moving the
    synthetic share from 78% to 64% and today's metric from 0.890 to 0.825)."""
    st.session_state[USING_SAMPLE] = True


def stop_sample() -> None:
    st.session_state.pop(USING_SAMPLE, None)


@st.cache_data(show_spinner="Reading the bundled sample…", max_entries=1)
def _sample() -> tuple[dict, dict]:
    """The bundled sample as an upload and the profile fields the page reads (columns, roles)."""
    import hashlib

    from hybrid.evidence.profile import profile_file

    prof = profile_file(SAMPLE, name=SAMPLE.name)
    roles = prof.roles
    up = {
        "name": SAMPLE.name,
        "digest": hashlib.sha256(SAMPLE.read_bytes()).hexdigest(),
        "path": str(SAMPLE),
    }
    return up, {
        "columns": [str(c) for c in prof.columns],
        "roles": {
            "label": roles.label,
            "annotators": list(roles.annotators),
            "source": roles.source,
            "text": roles.text,
        },
        "data": True,
    }


def defaults(prof: dict, margin: float, confidence: float) -> dict[str, Any]:
    """The choices a new file starts with: its classes as slices, its detected annotators and
    source."""
    from hybrid.evidence.slices import slice_columns

    cols = prof["columns"]
    found = slice_columns(cols, prof["roles"])
    return {
        "slice": found.label or (cols[0] if cols else ""),
        "annotators": list(found.annotators),
        "source": found.source or "",
        "margin": round(100.0 * margin, 2),
        "confidence": round(100.0 * confidence, 2),
    }


def seed(up: dict, prof: dict, margin: float, confidence: float) -> None:
    """Put the saved choices (or a new file's defaults) into the widgets before they are drawn."""
    ss = st.session_state
    spec = ss.get(SPEC)
    if not spec or spec.get("digest") != up["digest"]:
        spec = {"digest": up["digest"], **defaults(prof, margin, confidence)}
        ss[SPEC] = spec
        for key in KEYS.values():
            ss.pop(key, None)
    for name, key in KEYS.items():
        if key not in ss:
            ss[key] = spec[name]


def remember(up: dict, prof: dict) -> dict[str, Any]:
    """Save the widgets' values as the page's choices; returns them with the label column."""
    ss = st.session_state
    spec = {"digest": up["digest"], **{name: ss.get(key) for name, key in KEYS.items()}}
    spec["annotators"] = list(spec["annotators"] or [])
    spec["label"] = label_column(prof)
    ss[SPEC] = spec
    return spec


def label_column(prof: dict) -> str | None:
    """The label column chosen on the Dataset page (or detected): the generator's labels are checked
    against the annotators on it."""
    from hybrid.evidence.slices import slice_columns

    chosen = st.session_state.get("dataset.col.label")
    label = slice_columns(prof["columns"], prof["roles"], label=chosen or None).label
    return label if label in prof["columns"] else None


@st.cache_data(show_spinner="Counting rows per slice…", max_entries=16)
def slice_stats(
    digest: str,
    _path: str,
    name: str,
    slice_col: str,
    label: str | None,
    annotators: tuple[str, ...],
    source: str | None,
):
    """Per-slice counts, once per file contents and columns (``_path`` is not part of the key)."""
    from hybrid.evidence.slices import read_slices

    return read_slices(
        _path,
        slice=slice_col,
        label=label,
        annotators=annotators or None,
        source=source or None,
        name=name,
    )


@st.cache_data(show_spinner="Splitting the plan across slices…", max_entries=32)
def _plan(
    scenario_json: str,
    policy_text: str | None,
    digest: str,
    _path: str,
    name: str,
    slice_col: str,
    label: str | None,
    annotators: tuple[str, ...],
    source: str | None,
    margin: float,
    confidence: float,
):
    from hybrid.model.workplan import slice_plan

    stats = slice_stats(digest, _path, name, slice_col, label, annotators, source)
    scenario = Scenario.model_validate_json(scenario_json)
    return slice_plan(
        scenario, compute.policy(policy_text), stats, margin=margin, confidence=confidence
    )


def plan_for(scenario: Scenario, policy_text: str | None, up: dict, spec: dict):
    """The work plan for the page's choices (raises InputError on a bad choice)."""
    if len(spec["annotators"]) == 1:
        raise InputError("annotator columns: choose two or more, or none")
    return _plan(
        scenario.model_dump_json(),
        policy_text,
        up["digest"],
        up["path"],
        up["name"],
        spec["slice"],
        spec["label"],
        tuple(spec["annotators"]),
        spec["source"] or None,
        float(spec["margin"]) / 100.0,
        float(spec["confidence"]) / 100.0,
    )


def for_report(scenario: Scenario, policy_text: str | None):
    """The Work plan page's plan for the Report page, or None when the page has none (no data file,
    no choices yet, or a choice that cannot be planned)."""
    up, prof = loaded()
    spec = st.session_state.get(SPEC)
    if not up or not prof or not prof.get("data") or not spec or spec.get("digest") != up["digest"]:
        return None
    if "label" not in spec:
        return None
    try:
        return plan_for(scenario, policy_text, up, spec)
    except Exception:  # noqa: BLE001 - the Work plan page shows what is wrong; the report leaves it out
        return None


def report_key() -> str:
    """The Work plan page's choices as one string: the Report page's cache key for its plan."""
    import json

    return json.dumps(st.session_state.get(SPEC) or {}, sort_keys=True, default=str)


def _short(name: str) -> str:
    name = " ".join(str(name).split())
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def spend_figure(wp, top: int = TOP) -> go.Figure:
    """Spend by slice and layer: horizontal stacked bars, the largest slice on top, the ``top``
    largest with a bar each and the rest in one "other" bar, so many slices stay readable."""
    bars = workplan_bars(wp, top)
    names = bars["names"]
    # Distinct, escaped axis labels (two long names may shorten alike; Plotly would merge them).
    labels, seen = [], set()
    for n in names:
        lab = html_text(_short(n))
        while lab in seen:
            lab += "\u200b"
        seen.add(lab)
        labels.append(lab)
    cur = wp.currency
    fig = go.Figure()
    for key, title in LAYER_KEYS:
        fig.add_trace(
            go.Bar(
                y=labels,
                x=bars[key],
                orientation="h",
                name=title,
                marker=dict(color=theme.LAYER_COLOURS[key]),
                customdata=[
                    [html_text(n), money(v, cur)] for n, v in zip(names, bars[key], strict=True)
                ],
                hovertemplate="%{customdata[0]}<br>"
                + html_text(title)
                + ": %{customdata[1]}<extra></extra>",
            )
        )
    title = f"Spend by slice and layer ({len(wp.slices):,} slices" + (
        f"; the {len(names) - 1} largest, then the other {bars['other']:,} together)"
        if bars["other"]
        else ")"
    )
    height = 90 + 40 * len(names)
    layout = chart_layout(
        title,
        f"Spend ({html_text(cur)})",
        "",
        height=height,
        legend_names=[t for _, t in LAYER_KEYS],
        font=theme.CHART_FONT,
        title_font=theme.CHART_TITLE_FONT,
        width_px=760,
    )
    xaxis, _ = layout.pop("xaxis"), layout.pop("yaxis")
    fig.update_layout(template="plotly_white", barmode="stack", bargap=0.25, **layout)
    from ui.charts import currency_axis

    fig.update_xaxes(
        title_text=xaxis["title"]["text"],
        automargin=True,
        showline=True,
        linecolor="#888888",
        tickformat="~s",
        **currency_axis(cur),
    )
    fig.update_yaxes(
        autorange="reversed", automargin=True, showline=True, linecolor="#888888", title_text=""
    )
    return fig


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def table(wp) -> dict[str, list]:
    """The slice table with the names people read (a dict of columns, for ``neutralise_frame``)."""
    cur = wp.currency
    cols: dict[str, list] = {
        k: []
        for k in (
            "Slice",
            "Rows today",
            "Edge case",
            "Annotator agreement",
            "Generator accuracy",
            "New human rows",
            "New synthetic rows",
            "Synthetic share",
            "Synthetic cap",
            "Reviewed rows",
            "Review coverage",
            "Verification sample",
            "Spend",
            "Why this allocation",
            "What would move it",
        )
    }
    for s in wp.slices:
        cols["Slice"].append(s.slice)
        cols["Rows today"].append(f"{s.rows:,}")
        cols["Edge case"].append("yes" if s.tail else "no")
        cols["Annotator agreement"].append(_pct(s.agreement))
        cols["Generator accuracy"].append(f"{s.accuracy:.0%}")
        cols["New human rows"].append(f"{s.human_examples:,}")
        cols["New synthetic rows"].append(f"{s.synthetic_examples:,}")
        cols["Synthetic share"].append(f"{s.synthetic_share:.0%}")
        cols["Synthetic cap"].append(f"{s.max_synthetic_share:.0%}")
        cols["Reviewed rows"].append(f"{s.reviewed_examples:,}")
        cols["Review coverage"].append(f"{s.review_coverage:.0%}" if s.synthetic_examples else "—")
        cols["Verification sample"].append(
            f"{s.verification_sample:,}" if s.synthetic_examples else "—"
        )
        cols["Spend"].append(money(s.spend, cur))
        cols["Why this allocation"].append(s.reason)
        cols["What would move it"].append(s.moves)
    return cols
