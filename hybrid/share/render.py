"""Text renderers of a ``ReportData``: self-contained HTML and Markdown (Jinja2 templates under
``templates/``) and JSON, and ``render(data, fmt)`` for any of the four formats.

HTML autoescaping is on, so every piece of user text is escaped; Markdown passes every value through
``md_escape`` (Jinja's ``finalize``) unless it is marked ``MdRaw``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from hybrid.errors import InputError
from hybrid.safetext import json_text
from hybrid.share.figures import figures
from hybrid.share.formats import FORMATS
from hybrid.share.markdown import MdRaw, md_escape  # noqa: F401 (re-exported)
from hybrid.share.pdf import render_pdf
from hybrid.share.report import (
    COLORS,
    LABEL_COLORS,
    REPORT_FORMAT_VERSION,
    YAML_MARKER,
    ReportData,
    json_number,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _md_finalize(value: Any) -> Any:
    return md_escape(value)


@lru_cache(maxsize=1)
def _html_env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined
    )
    return env


@lru_cache(maxsize=1)
def _md_env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=False,
        finalize=_md_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["raw"] = MdRaw
    return env


PLOTLY_BASIC = Path(__file__).resolve().parent / "vendor" / "plotly-basic.min.js"
# Trace types the basic bundle draws; the report's figures must stay within them.
BASIC_TRACES = frozenset({"scatter", "bar", "pie"})


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.js for the HTML report: the vendored basic bundle (1.2 MB against 4.7 MB for the full
    one), falling back to plotly.py's full bundle only if the file is missing."""
    if PLOTLY_BASIC.exists():
        js = PLOTLY_BASIC.read_text(encoding="utf-8")
    else:  # pragma: no cover - the file ships with the package
        from plotly.offline import get_plotlyjs

        js = get_plotlyjs()
    # Inlined inside a <script> element: it must not contain its own end tag.
    if "</script" in js.lower():
        js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
    return js


_CHART_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def chart_html(data: ReportData) -> dict[str, str]:
    """Each figure as an HTML fragment (a div and its plotting script; plotly.js not included)."""
    import plotly.io as pio

    out = {}
    for div_id, fig in figures(data).items():
        height = fig.layout.height or 400
        out[div_id] = pio.to_html(
            fig,
            include_plotlyjs=False,
            full_html=False,
            div_id=div_id,
            config=_CHART_CONFIG,
            default_width="100%",
            default_height=f"{height}px",
        )
    return out


def render_html(data: ReportData) -> str:
    """One self-contained HTML file: plotly.js inlined once, no external resource of any kind."""
    from markupsafe import Markup

    charts = {k: Markup(v) for k, v in chart_html(data).items()}
    return (
        _html_env()
        .get_template("report.html.j2")
        .render(
            r=data,
            charts=charts,
            plotly_js=Markup(plotly_js()),
            colors=COLORS,
            label_color=LABEL_COLORS[data.label],
        )
    )


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render_markdown(data: ReportData) -> str:
    """The same content as text and tables, for wikis and pull requests."""
    yaml_text = (
        data.scenario_yaml if data.scenario_yaml.endswith("\n") else data.scenario_yaml + "\n"
    )
    fence = _fence(yaml_text)
    return (
        _md_env()
        .get_template("report.md.j2")
        .render(
            r=data,
            yaml_block=MdRaw(f"{YAML_MARKER}\n{fence}yaml\n{yaml_text}{fence}"),
        )
    )


def report_json(data: ReportData) -> dict:
    """The ``recommend --json`` object plus the scenario, the resolved inputs and report
    metadata."""
    out = data.recommendation.to_json()
    out["scenario"] = data.scenario.model_dump(mode="json", exclude_none=True)
    out["scenario_yaml"] = data.scenario_yaml
    out["inputs"] = data.inputs
    if data.sensitivity is not None:
        out["sensitivity"] = [
            {
                "input": r.input,
                "title": r.title,
                "low": r.low,
                "high": r.high,
                "share_low": r.share_low,
                "share_high": r.share_high,
                "cpp_low": r.cpp_low,
                "cpp_high": r.cpp_high,
                "flips_label": r.flips_label,
            }
            for r in data.sensitivity
        ]
    if data.uncertainty is not None:
        out["uncertainty"] = {
            r.name: {k: json_number(v) for k, v in r.values.items()} for r in data.uncertainty
        }
    if data.profile is not None:
        out["profile"] = data.profile
    if data.workplan is not None:
        out["workplan"] = data.workplan.plan.to_json()
    if data.rounds is not None:
        out["rounds"] = data.rounds.json
    out["report"] = {
        "format_version": REPORT_FORMAT_VERSION,
        "generated_at": data.generated_at.isoformat().replace("+00:00", "Z"),
        "hybrid_version": data.version,
        "policy": {"source": data.policy_source, "digest": data.policy_digest},
    }
    return out


def render_json(data: ReportData) -> str:
    # Bidi overrides in a name are written as \u202e escapes (the same string to a JSON reader).
    return (
        json_text(json.dumps(report_json(data), indent=2, ensure_ascii=False, allow_nan=False))
        + "\n"
    )


def render(data: ReportData, fmt: str) -> str | bytes:
    """Render ``data`` in one of ``FORMATS``: text for html/md/json, bytes for pdf."""
    if fmt == "html":
        return render_html(data)
    if fmt == "md":
        return render_markdown(data)
    if fmt == "json":
        return render_json(data)
    if fmt == "pdf":
        return render_pdf(data)
    raise InputError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}")
