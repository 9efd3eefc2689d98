"""Recommendation reports people can share: HTML, Markdown, JSON and PDF from one ``ReportData``.

``build_report(scenario, policy)`` runs the recommendation and gathers everything a report shows:
the headline and label, the three-layer budget split, the plans side by side, the spend-versus-metric
curves, the factors and what each did to the guardrails, dataset facts, assumptions with their
sources, optional sensitivity and uncertainty results (pre-computed elsewhere and passed in as plain
dicts or dataclasses), and the rationale. The renderers only lay it out:

- ``render_html``: one self-contained file (plotly.js inlined once, no external fonts, scripts or
  images), interactive charts and a print stylesheet, from ``templates/report.html.j2`` with Jinja2
  autoescaping on: every piece of user text (scenario name, domain, column names, class labels) is
  escaped.
- ``render_markdown``: the same content as text and tables from ``templates/report.md.j2``; every
  interpolated value passes through ``md_escape`` (Jinja's ``finalize``) unless marked ``MdRaw``.
- ``render_json``: the ``recommend --json`` object plus the scenario, the resolved model inputs and
  report metadata.
- ``render_pdf``: a clean A4 PDF drawn with fpdf2 alone (tables, text and charts from its drawing
  primitives), with the scenario YAML attached as a file.

Every format embeds the scenario YAML, and ``extract_scenario`` reads it back, so a report reproduces
its own numbers. Pure: no I/O beyond reading the templates and fonts.
"""

from __future__ import annotations

import base64
import dataclasses
import html as html_lib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from hybrid import __version__
from hybrid.model.curves import fit_curve
from hybrid.model.economics import Inputs, resolve_inputs
from hybrid import palette
from hybrid.errors import InputError
from hybrid.model.policy import Bound, Policy, guardrails
from hybrid.explain.rationale import FACTOR_TITLES, LABEL_TITLES, money
from hybrid.explain.recommendation import recommend_inputs
from hybrid.model.recommend import Plan, Recommendation, metric_for_spend
from hybrid.model.scenario import FACTOR_NAMES, Scenario

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("html", "md", "json", "pdf")
EXTENSIONS = {"html": "html", "md": "md", "json": "json", "pdf": "pdf", "yaml": "yaml"}
MIME_TYPES = {
    "html": "text/html",
    "md": "text/markdown",
    "json": "application/json",
    "pdf": "application/pdf",
    "yaml": "application/yaml",
}

# One colour per meaning, shared with the dashboard (hybrid/palette.py).
COLORS = {
    "human": palette.HUMAN,
    "synthetic": palette.SYNTHETIC,
    "review": palette.REVIEW,
    "recommended": palette.RECOMMENDED,
    "low": palette.SKY,
    "high": palette.PURPLE,
    "target": palette.TARGET,
    "today": palette.TODAY,
}
PLAN_COLORS = {"all-human": COLORS["human"], "all-synthetic": COLORS["synthetic"], "recommended": COLORS["recommended"]}
PLAN_TITLES = {"all-human": "All-human", "all-synthetic": "All-synthetic", "recommended": "Recommended"}
PLAN_ORDER = ("recommended", "all-human", "all-synthetic")
LABEL_COLORS = {"human": COLORS["human"], "hybrid": COLORS["recommended"], "synthetic": COLORS["synthetic"]}
LAYERS = (
    ("expert_anchor", "Expert anchor", COLORS["human"], "Human expert labels: the hardest cases, gold examples, rubrics."),
    ("synthetic_extension", "Synthetic extension", COLORS["synthetic"], "Generated examples built on the human foundation."),
    ("human_review", "Human review", COLORS["review"], "Humans validate synthetic output before it is trained on."),
)
DATA_USE_TITLES = {
    "pretraining": "pre-training",
    "midtraining": "mid-training",
    "fine_tuning": "fine-tuning",
    "labeling": "labeling (model pre-labels)",
    "preference": "preference data (RLHF/DPO)",
    "red_teaming": "red-teaming",
    "evaluation": "evaluation set",
}
# How sensitivity inputs are shown; unknown inputs fall back to three significant figures.
SENSITIVITY_TITLES = {
    "accuracy": "generator label accuracy",
    "human_cost": "human cost per example",
    "synthetic_cost": "synthetic cost per example",
    "review_cost": "review cost per example",
    "catch_rate": "review catch rate",
    "tail_coverage": "synthetic tail coverage",
    "synthetic_value": "synthetic example value",
    "exponent": "learning-curve exponent",
}
_PERCENT_INPUTS = {"accuracy", "catch_rate", "tail_coverage"}
_MONEY_INPUTS = {"human_cost", "synthetic_cost", "review_cost"}
SPEND_TABLE_FRACTIONS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0)
YAML_MARKER = "<!-- hybrid-report:scenario-yaml -->"
REPORT_FORMAT_VERSION = 1


# ---------------------------------------------------------------------------------------------
# The report's content
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    note: str


@dataclass(frozen=True)
class LayerRow:
    key: str
    title: str
    color: str
    amount: float
    amount_text: str
    share_text: str
    description: str


@dataclass(frozen=True)
class PlanColumn:
    name: str
    title: str
    color: str
    plan: Plan
    inside_guardrails: bool


@dataclass(frozen=True)
class FactorRow:
    title: str
    question: str
    answer: str
    max_synthetic_share: str
    min_review_coverage: str
    min_anchor_share: str
    reason: str
    effects: tuple[str, ...]
    binds: bool


@dataclass(frozen=True)
class Fact:
    name: str
    value: str
    source: str = ""


@dataclass(frozen=True)
class SensitivityRow:
    input: str
    title: str
    range_text: str
    share_text: str
    cpp_text: str
    flips_label: bool
    low: float
    high: float
    cpp_low: float | None
    cpp_high: float | None
    share_low: float
    share_high: float


@dataclass(frozen=True)
class UncertaintyRow:
    name: str
    title: str
    color: str
    cpp_text: str
    metric_text: str
    p_cheapest_text: str
    p_reaches_text: str
    values: dict


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, computed once; the renderers only lay it out."""

    scenario: Scenario
    recommendation: Recommendation
    policy_source: str
    policy_digest: str
    generated_at: datetime
    version: str
    scenario_yaml: str
    title: str
    subtitle: str
    headline: str
    verdict: str
    summary: tuple[str, ...]
    kpis: tuple[Kpi, ...]
    layers: tuple[LayerRow, ...]
    plans: tuple[PlanColumn, ...]
    plan_rows: tuple[tuple[str, tuple[str, ...]], ...]
    factors: tuple[FactorRow, ...]
    guardrail_summary: tuple[Fact, ...]
    dataset: tuple[Fact, ...]
    profile: dict | None
    assumptions: tuple[Fact, ...]
    curve_spend: tuple[float, ...]
    curve_metric: dict[str, tuple[float, ...]]
    spend_table: tuple[tuple[str, tuple[str, ...]], ...]
    chart_description: str
    rationale: tuple[str, ...]
    inputs: dict
    sensitivity: tuple[SensitivityRow, ...] | None = None
    sensitivity_note: str = ""
    uncertainty: tuple[UncertaintyRow, ...] | None = None
    uncertainty_note: str = ""

    @property
    def label(self) -> str:
        return self.recommendation.label

    @property
    def label_title(self) -> str:
        return LABEL_TITLES[self.recommendation.label]

    @property
    def currency(self) -> str:
        return self.recommendation.currency

    @property
    def generated_text(self) -> str:
        return self.generated_at.strftime("%Y-%m-%d %H:%M UTC")

    @property
    def footer(self) -> str:
        return (
            f"Generated {self.generated_text} by hybrid {self.version}; policy {self.policy_source} "
            f"(sha256 {self.policy_digest})."
        )

    @property
    def yaml_filename(self) -> str:
        return f"{slug(self.scenario.name)}.yaml"

    @property
    def yaml_b64(self) -> str:
        return base64.b64encode(self.scenario_yaml.encode("utf-8")).decode("ascii")


def slug(text: str) -> str:
    """A safe file stem from user text: lowercase ASCII letters, digits and dashes."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60].strip("-") or "scenario"


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _cpp(x: float | None, currency: str) -> str:
    return "n/a (no gain)" if x is None else money(x, currency)


def _count(x: float) -> str:
    return f"{x:,.0f}"


def _when(generated_at: datetime | str | None) -> datetime:
    if generated_at is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if isinstance(generated_at, str):
        try:
            generated_at = datetime.fromisoformat(generated_at)
        except ValueError:
            raise InputError(f"generated_at: not an ISO date and time ({generated_at!r})") from None
    if generated_at.tzinfo is None:
        generated_at = generated_at.replace(tzinfo=timezone.utc)
    return generated_at.astimezone(timezone.utc)


def binding_title(source: str) -> str:
    """``edge_cases = 3`` -> ``importance of edge cases = 3``; other sources unchanged."""
    for key, title in FACTOR_TITLES.items():
        if source.startswith(f"{key} = "):
            return title + source[len(key) :]
    return source


def build_report(
    scenario: Scenario,
    policy: Policy,
    *,
    sensitivity: Sequence[Any] | None = None,
    uncertainty: Mapping[str, Any] | Any | None = None,
    generated_at: datetime | str | None = None,
    profile: Mapping[str, Any] | None = None,
) -> ReportData:
    """Recommend and gather the report's content.

    ``sensitivity``: tornado bars, each a mapping or dataclass with ``input, low, high, share_low,
    share_high, cpp_low, cpp_high, flips_label`` (``title`` optional). ``uncertainty``: ``{plan name:
    {cpp_p5, cpp_p50, cpp_p95, metric_p5, metric_p50, metric_p95, p_cheapest}}`` (``p_reaches_target``
    optional), or an object with ``by_name()``. ``profile``: optional dataset profile facts,
    ``{rows, columns, label_column, class_counts: {label: count}}``. Sections appear only when given.
    """
    inp = resolve_inputs(scenario, policy)
    rec = recommend_inputs(scenario, policy, inp)
    cur = rec.currency
    p, h = rec.plan, rec.human_plan
    plans = {pl.name: pl for pl in rec.plans}

    headline = f"{LABEL_TITLES[rec.label]}: " + (
        f"make {p.synthetic_share:.0%} of the new examples synthetic and have humans review "
        f"{p.review_coverage:.0%} of them"
        if p.synthetic_share > 0
        else "label every new example with human experts"
    )
    verdict = _verdict(rec)
    summary = tuple(_summary(rec))
    kpis = (
        Kpi("Spend", money(p.spend, cur), f"of the {money(rec.budget, cur)} budget ({p.spend / rec.budget:.0%})"),
        Kpi(
            "Expected metric",
            f"{rec.today_metric:.3f} \u2192 {p.expected_metric:.3f}",
            f"target {rec.target_metric:.3f}, " + ("reached" if p.reaches_target else "not reached"),
        ),
        Kpi("Cost per point", _cpp(p.cost_per_point, cur), f"all-human {_cpp(h.cost_per_point, cur)}"),
        Kpi(
            "Bound by",
            "economics" if rec.binding == "economics" else binding_title(rec.binding),
            f"guardrails allow up to {rec.max_synthetic_share:.0%} synthetic"
            if rec.binding == "economics"
            else f"caps synthetic at {rec.max_synthetic_share:.0%} of new examples"
            if p.synthetic_share >= rec.max_synthetic_share - 0.005
            else f"anchor at least {rec.min_anchor_share:.0%} of spend",
        ),
    )
    layers = tuple(
        LayerRow(
            key,
            title,
            color,
            p.layers[key],
            money(p.layers[key], cur),
            _pct(p.layers[key] / p.spend) if p.spend > 0 else "0%",
            desc,
        )
        for key, title, color, desc in LAYERS
    )
    columns = tuple(
        PlanColumn(name, PLAN_TITLES[name], PLAN_COLORS[name], plans[name], not plans[name].breaks)
        for name in PLAN_ORDER
    )
    spend, curves = _curves(inp, rec)
    data = ReportData(
        scenario=scenario,
        recommendation=rec,
        policy_source=policy.source,
        policy_digest=policy.digest,
        generated_at=_when(generated_at),
        version=__version__,
        scenario_yaml=scenario.to_yaml(),
        title=scenario.name,
        subtitle=" \u00b7 ".join(
            x
            for x in (
                DATA_USE_TITLES.get(scenario.data_use, scenario.data_use),
                scenario.domain or "",
                f"budget {money(rec.budget, cur)}",
            )
            if x
        ),
        headline=headline,
        verdict=verdict,
        summary=summary,
        kpis=kpis,
        layers=layers,
        plans=columns,
        plan_rows=tuple(_plan_rows(columns, cur)),
        factors=tuple(_factor_rows(scenario, policy, rec)),
        guardrail_summary=tuple(_guardrail_summary(scenario, policy)),
        dataset=tuple(_dataset_facts(scenario)),
        profile=_profile(profile),
        assumptions=tuple(_assumptions(scenario, policy, inp)),
        curve_spend=tuple(float(x) for x in spend),
        curve_metric={k: tuple(float(x) for x in v) for k, v in curves.items()},
        spend_table=tuple(_spend_table(inp, rec)),
        chart_description=_chart_description(rec),
        rationale=tuple(rec.rationale),
        inputs=_inputs_json(inp),
    )
    if sensitivity is not None:
        rows = tuple(_sensitivity_rows(sensitivity, cur))
        data = dataclasses.replace(data, sensitivity=rows, sensitivity_note=_sensitivity_note(rows, rec))
    if uncertainty is not None:
        rows_u = tuple(_uncertainty_rows(uncertainty, cur))
        data = dataclasses.replace(data, uncertainty=rows_u, uncertainty_note=_uncertainty_note(rows_u))
    return data


def _verdict(rec: Recommendation) -> str:
    p, cur = rec.plan, rec.currency
    if rec.mode == "target":
        return (
            f"Reaches the target {rec.target_metric:.3f} (today {rec.today_metric:.3f}) for "
            f"{money(p.spend, cur)} of the {money(rec.budget, cur)} budget."
        )
    if rec.today_metric >= rec.target_metric:
        return (
            f"Today's metric {rec.today_metric:.3f} already meets the target {rec.target_metric:.3f}; "
            f"the whole {money(rec.budget, cur)} budget would buy {p.expected_metric:.3f}."
        )
    return (
        f"No plan inside the guardrails reaches the target {rec.target_metric:.3f} with "
        f"{money(rec.budget, cur)}; the best the budget buys is {p.expected_metric:.3f} "
        f"(today {rec.today_metric:.3f})."
    )


def _summary(rec: Recommendation) -> list[str]:
    p, h, syn, cur = rec.plan, rec.human_plan, rec.synthetic_plan, rec.currency
    out = []
    if p.cost_per_point is not None and h.cost_per_point is not None and p.name != h.name:
        ratio = h.cost_per_point / p.cost_per_point
        if p.synthetic_share == 0:
            out.append(f"Cost per percentage point gained: {money(p.cost_per_point, cur)}, the all-human plan itself.")
        elif ratio >= 1.05:
            out.append(
                f"Cost per percentage point gained: {money(p.cost_per_point, cur)}, {ratio:.1f}\u00d7 cheaper "
                f"than labeling everything by hand ({money(h.cost_per_point, cur)})."
            )
        else:
            out.append(
                f"Cost per percentage point gained: {money(p.cost_per_point, cur)}, against "
                f"{money(h.cost_per_point, cur)} for labeling everything by hand."
            )
    if syn.breaks:
        s = (
            f"All-synthetic would cost {_cpp(syn.cost_per_point, cur)} per point but breaks "
            f"{len(syn.breaks)} guardrails: about {syn.wrong_labels:,.0f} wrong labels would reach training"
        )
        if syn.escaped_error_cost > 0:
            s += f" (an expected {money(syn.escaped_error_cost, cur)} in escaped errors)"
        out.append(s + ".")
    else:
        out.append(f"All-synthetic stays inside the guardrails at {_cpp(syn.cost_per_point, cur)} per point.")
    if rec.binding == "economics":
        out.append(
            f"Economics chose the mix: the guardrails allow up to {rec.max_synthetic_share:.0%} synthetic."
        )
    else:
        out.append(f"Bound by {binding_title(rec.binding)}: {rec.binding_reason}")
    change = [s for s in rec.changes if s.startswith("If ")]
    holds = [s for s in rec.changes if " holds " in s]
    if change:
        out.append("What would change it: " + change[0][0].lower() + change[0][1:])
    elif holds:
        out.append(holds[0])
    return out


def _plan_rows(columns: tuple[PlanColumn, ...], cur: str) -> list[tuple[str, tuple[str, ...]]]:
    def row(title, fn):
        return (title, tuple(fn(c.plan) for c in columns))

    return [
        row("Synthetic share of new examples", lambda q: _pct(q.synthetic_share)),
        row("Review coverage of synthetic", lambda q: _pct(q.review_coverage) if q.synthetic_share > 0 else "\u2013"),
        row("New examples", lambda q: _count(q.new_examples)),
        row("\u2003human-labeled", lambda q: _count(q.human_examples)),
        row("\u2003synthetic", lambda q: _count(q.synthetic_examples)),
        row("Spend", lambda q: money(q.spend, cur)),
        row("Expected metric", lambda q: f"{q.expected_metric:.3f}"),
        row("Points gained", lambda q: f"{q.points_gained:.2f}"),
        row("Cost per point", lambda q: _cpp(q.cost_per_point, cur)),
        row("Risk-adjusted cost per point", lambda q: _cpp(q.risk_adjusted_cost_per_point, cur)),
        row("Wrong labels reaching training", lambda q: _count(q.wrong_labels)),
        row("Expected cost of escaped errors", lambda q: money(q.escaped_error_cost, cur)),
        row("Reaches the target", lambda q: "yes" if q.reaches_target else "no"),
        row("Guardrails", lambda q: "inside" if not q.breaks else "breaks: " + "; ".join(q.breaks)),
    ]


def _bound_effects(b: Bound, g) -> list[str]:
    out = []
    if b == g.cap_source:
        out.append(f"sets the synthetic cap ({g.max_synthetic_share:.0%})")
    if b == g.review_source:
        out.append(f"sets the review minimum ({g.min_review_coverage:.0%})")
    if b == g.anchor_source:
        out.append(f"sets the expert-anchor minimum ({g.min_anchor_share:.0%})")
    return out


def _factor_rows(scenario: Scenario, policy: Policy, rec: Recommendation) -> list[FactorRow]:
    g = guardrails(scenario, policy)
    rows = []
    for b in g.bounds:
        effects = _bound_effects(b, g)
        if b.key in FACTOR_NAMES:
            level = getattr(scenario.factors, b.key)
            title = FACTOR_TITLES[b.key]
            question = getattr(policy.factors, b.key).question
            answer = f"{level} of 5"
        elif b.key == "data_use":
            title, question = "data use", "What will the data be used for?"
            answer = DATA_USE_TITLES.get(scenario.data_use, scenario.data_use)
        else:
            title, question = "regulated domain", "Is the domain regulated, with costly errors?"
            answer = f"yes: {scenario.domain}, error cost {scenario.factors.error_cost}"
        rows.append(
            FactorRow(
                title=title,
                question=question,
                answer=answer,
                max_synthetic_share=_pct(b.rule.max_synthetic_share),
                min_review_coverage=_pct(b.rule.min_review_coverage),
                min_anchor_share=_pct(b.rule.min_anchor_share),
                reason=b.rule.reason,
                effects=tuple(effects) or ("looser than the binding rules",),
                binds=rec.binding == b.source,
            )
        )
    return rows


def _guardrail_summary(scenario: Scenario, policy: Policy) -> list[Fact]:
    g = guardrails(scenario, policy)
    return [
        Fact("Maximum synthetic share", _pct(g.max_synthetic_share), binding_title(g.cap_source.source)),
        Fact("Minimum review coverage", _pct(g.min_review_coverage), binding_title(g.review_source.source)),
        Fact("Minimum expert-anchor share of spend", _pct(g.min_anchor_share), binding_title(g.anchor_source.source)),
        Fact("Edge-case weight of the metric", _pct(g.tail_weight), "importance of edge cases and the dataset's tail share"),
    ]


def _dataset_facts(scenario: Scenario) -> list[Fact]:
    ds = scenario.dataset
    if ds is None:
        return []
    out = [
        Fact("Human-labeled examples in hand", _count(ds.human_examples)),
        Fact("Synthetic examples in hand", _count(ds.synthetic_examples)),
    ]
    if ds.classes is not None:
        out.append(Fact("Label classes", _count(ds.classes)))
    if ds.tail_share is not None:
        out.append(Fact("Share of rows in rare classes", f"{ds.tail_share:.1%}"))
    if ds.annotator_agreement is not None:
        out.append(Fact("Annotator agreement", f"{ds.annotator_agreement:.1%}"))
    if ds.kappa is not None:
        out.append(Fact("Chance-corrected agreement (kappa)", f"{ds.kappa:.2f}"))
    if ds.synthetic_exchange_rate is not None:
        out.append(Fact("Measured synthetic exchange rate", f"{ds.synthetic_exchange_rate:.2f} human rows per synthetic row"))
    if ds.synthetic_tail_coverage is not None:
        out.append(Fact("Measured synthetic tail coverage", f"{ds.synthetic_tail_coverage:.0%}"))
    if ds.source:
        out.append(Fact("Source of these numbers", ds.source))
    return out


def _profile(profile: Mapping[str, Any] | None) -> dict | None:
    """Normalise an optional dataset profile: rows, column names, label column, class counts."""
    if profile is None:
        return None
    if not isinstance(profile, Mapping):
        profile = _as_dict(profile)
    counts = profile.get("class_counts") or {}
    if isinstance(counts, Mapping):
        classes = [(str(k), int(v)) for k, v in counts.items()]
    else:
        classes = [(str(k), int(v)) for k, v in counts]
    classes.sort(key=lambda kv: -kv[1])
    total = sum(v for _, v in classes) or 1
    return {
        "rows": profile.get("rows"),
        "columns": [str(c) for c in profile.get("columns") or []],
        "label_column": None if profile.get("label_column") is None else str(profile.get("label_column")),
        "classes": [(k, _count(v), f"{v / total:.1%}") for k, v in classes[:25]],
        "more_classes": max(0, len(classes) - 25),
    }


def _assumptions(scenario: Scenario, policy: Policy, inp: Inputs) -> list[Fact]:
    econ, ds, m = scenario.economics, scenario.dataset, policy.model
    cur = inp.currency
    g = inp.guardrails
    out = [
        Fact("Budget", money(econ.budget, cur), "scenario"),
        Fact("Target metric", f"{econ.target_metric:.3f}", "scenario"),
        Fact("Human label cost", money(econ.human_cost_per_example, cur) + " per example", "scenario"),
        Fact("Synthetic generation cost", money(econ.synthetic_cost_per_example, cur) + " per example", "scenario"),
        Fact("Human review cost", money(econ.review_cost_per_example, cur) + " per synthetic example", "scenario"),
        Fact("Generator label accuracy", _pct(econ.synthetic_label_accuracy), "scenario"),
        Fact(
            "Review catch rate",
            _pct(econ.review_catch_rate),
            "scenario" if "review_catch_rate" in econ.model_fields_set else "default: reviewers catch 90% of errors",
        ),
    ]
    if ds is not None and ds.annotator_agreement is not None:
        out.append(
            Fact(
                "Human label error",
                f"{float(inp.human_error):.1%}",
                f"derived from annotator agreement {ds.annotator_agreement:.0%} over {inp.classes:g} classes",
            )
        )
    else:
        out.append(Fact("Human label error", f"{float(inp.human_error):.1%}", f"policy default: {m.default_human_error.reason}"))
    if ds is not None and ds.classes:
        out.append(Fact("Label classes", f"{inp.classes:g}", "dataset"))
    else:
        out.append(Fact("Label classes", f"{inp.classes:g}", f"policy default: {m.default_classes.reason}"))
    if ds is not None and ds.synthetic_exchange_rate is not None:
        out.append(
            Fact(
                "Synthetic example value (noise-free)",
                f"{float(inp.synthetic_value):.2f}",
                f"from the measured exchange rate {ds.synthetic_exchange_rate:.2f}, generator noise divided out",
            )
        )
    else:
        out.append(Fact("Synthetic example value (noise-free)", f"{float(inp.synthetic_value):.2f}", f"policy default: {m.synthetic_value.reason}"))
    if inp.synthetic_now > 0:
        src = (
            "measured exchange rate"
            if ds is not None and ds.synthetic_exchange_rate is not None
            else f"policy default: {m.existing_synthetic_value.reason}"
        )
        out.append(Fact("Value of synthetic examples already in hand", f"{inp.synthetic_now_value:.2f}", src))
    if econ.tail_coverage is not None:
        src = "scenario"
    elif ds is not None and ds.synthetic_tail_coverage is not None:
        src = "measured on the team's data"
    else:
        src = f"policy default: {m.tail_coverage.reason}"
    out.append(Fact("Synthetic tail coverage (phi)", _pct(float(inp.tail_coverage)), src))
    level_tail = policy.factors.edge_cases.levels[scenario.factors.edge_cases].tail_weight
    src = f"policy, importance of edge cases = {scenario.factors.edge_cases}"
    if float(inp.tail_weight) > level_tail + 1e-12:
        src += f" (raised from {level_tail:.0%} by the dataset's tail share)"
    out.append(Fact("Edge-case weight of the metric (tau)", _pct(float(inp.tail_weight)), src))
    out.append(
        Fact(
            "Price of an escaped wrong label",
            money(float(inp.escaped_error_price), cur),
            f"scenario {money(econ.escaped_error_cost, cur)} \u00d7 policy multiplier "
            f"{g.escaped_error_multiplier:g} for error cost {scenario.factors.error_cost}",
        )
    )
    curve = inp.curve
    spec = econ.learning_curve
    if spec.points is not None:
        fit = fit_curve(spec.points, backtest=True)
        src = f"fitted to {len(spec.points)} measured points"
        if fit.rmse is not None:
            src += f" (RMSE {fit.rmse:.4f})" if fit.rmse >= 1e-4 else " (RMSE below 0.0001)"
        src += f"; back-test: {fit.backtest_note}"
    else:
        src = "fitted parameters given in the scenario"
    out.append(
        Fact(
            "Learning curve m(n) = c \u2212 a\u00b7n^(\u2212b)",
            f"c = {curve.ceiling:.4f}, a = {curve.scale:.4g}, b = {curve.exponent:.4f}",
            src,
        )
    )
    out.append(
        Fact(
            "Examples in hand (today's point on the curve)",
            _count(inp.human_now),
            "dataset" if ds is not None and ds.human_examples > 0 else "largest learning-curve point",
        )
    )
    out.append(
        Fact(
            "Label thresholds",
            f"human-led below {policy.labels.human_below:.0%} synthetic, synthetic-led above {policy.labels.synthetic_above:.0%}",
            "policy",
        )
    )
    return out


def _curves(inp: Inputs, rec: Recommendation) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Expected metric over spend (log-spaced from 0.1% of the budget to all of it) per plan mix."""
    top = max(rec.budget, *(pl.spend for pl in rec.plans))
    spend = np.geomspace(top * 1e-3, top, 160)
    spend = np.unique(np.concatenate([spend, [pl.spend for pl in rec.plans if pl.spend > 0]]))
    curves = {
        pl.name: np.asarray(metric_for_spend(inp, pl.synthetic_share, pl.review_coverage, spend), dtype=float)
        for pl in rec.plans
    }
    return spend, curves


def _spend_table(inp: Inputs, rec: Recommendation) -> list[tuple[str, tuple[str, ...]]]:
    spends = [rec.budget * f for f in SPEND_TABLE_FRACTIONS]
    out = []
    plans = {pl.name: pl for pl in rec.plans}
    for s in spends:
        vals = tuple(
            f"{float(metric_for_spend(inp, plans[n].synthetic_share, plans[n].review_coverage, np.array([s]))[0]):.3f}"
            for n in PLAN_ORDER
        )
        out.append((_money_round(s, rec.currency), vals))
    return out


def _chart_description(rec: Recommendation) -> str:
    cur = rec.currency
    parts = []
    for name in PLAN_ORDER:
        pl = next(q for q in rec.plans if q.name == name)
        parts.append(f"{PLAN_TITLES[name].lower()} reaches {pl.expected_metric:.3f} for {money(pl.spend, cur)}")
    return (
        f"Expected metric as spend grows, for each plan's mix (today {rec.today_metric:.3f}, "
        f"target {rec.target_metric:.3f}): " + "; ".join(parts) + "."
    )


def _num(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return [_num(v) for v in x.tolist()]
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return x if math.isfinite(x) else None
    if isinstance(x, np.integer):
        return int(x)
    return x


def _inputs_json(inp: Inputs) -> dict:
    fields = (
        "ceiling scale exponent budget human_cost synthetic_cost review_cost accuracy catch_rate target "
        "classes human_error synthetic_value tail_weight tail_coverage human_now synthetic_now "
        "synthetic_now_value escaped_error_price currency"
    ).split()
    out = {f: _num(getattr(inp, f)) for f in fields}
    g = inp.guardrails
    out["guardrails"] = {
        "max_synthetic_share": g.max_synthetic_share,
        "min_review_coverage": g.min_review_coverage,
        "min_anchor_share": g.min_anchor_share,
        "cap_source": g.cap_source.source,
        "review_source": g.review_source.source,
        "anchor_source": g.anchor_source.source,
        "regulated": g.regulated,
        "escaped_error_multiplier": g.escaped_error_multiplier,
        "bounds": [
            {"source": b.source, "key": b.key, **b.rule.model_dump(mode="json")} for b in g.bounds
        ],
    }
    out["notes"] = list(inp.notes)
    return out


def _as_dict(x: Any) -> dict:
    if isinstance(x, Mapping):
        return dict(x)
    if hasattr(x, "to_dict"):
        return dict(x.to_dict())
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return dataclasses.asdict(x)
    raise InputError(f"report: expected a mapping or dataclass, got {type(x).__name__}")


def _fmt_input(name: str, value: float, cur: str) -> str:
    if name in _PERCENT_INPUTS:
        return f"{value:.0%}"
    if name in _MONEY_INPUTS:
        return money(value, cur)
    return f"{value:.3g}"


def _opt_float(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _sensitivity_rows(bars: Sequence[Any], cur: str) -> list[SensitivityRow]:
    rows = []
    for bar in bars:
        d = _as_dict(bar)
        name = str(d["input"])
        lo, hi = float(d["low"]), float(d["high"])
        c_lo, c_hi = _opt_float(d.get("cpp_low")), _opt_float(d.get("cpp_high"))
        rows.append(
            SensitivityRow(
                input=name,
                title=str(d.get("title") or SENSITIVITY_TITLES.get(name, name.replace("_", " "))),
                range_text=f"{_fmt_input(name, lo, cur)} \u2013 {_fmt_input(name, hi, cur)}",
                share_text=f"{float(d['share_low']):.0%} \u2192 {float(d['share_high']):.0%}",
                cpp_text=f"{_cpp(c_lo, cur)} \u2192 {_cpp(c_hi, cur)}",
                flips_label=bool(d.get("flips_label")),
                low=lo,
                high=hi,
                cpp_low=c_lo,
                cpp_high=c_hi,
                share_low=float(d["share_low"]),
                share_high=float(d["share_high"]),
            )
        )
    return rows


def _sensitivity_note(rows: tuple[SensitivityRow, ...], rec: Recommendation) -> str:
    if not rows:
        return "No input was varied."
    flips = [r.title for r in rows if r.flips_label]
    if flips:
        return (
            "Inputs whose plausible range flips the "
            f"{LABEL_TITLES[rec.label].lower()} label: {', '.join(flips)}. Measure these next."
        )
    top = rows[0].title
    return f"No input's plausible range flips the {LABEL_TITLES[rec.label].lower()} label; {top} moves the cost per point most."


def _uncertainty_rows(unc: Any, cur: str) -> list[UncertaintyRow]:
    if hasattr(unc, "by_name") and not isinstance(unc, Mapping):
        unc = unc.by_name()
    if not isinstance(unc, Mapping):
        raise InputError("report: uncertainty must map plan names to their percentiles")
    rows = []
    names = [n for n in PLAN_ORDER if n in unc] + [n for n in unc if n not in PLAN_ORDER]
    for name in names:
        d = {k: _num(v) for k, v in _as_dict(unc[name]).items()}

        def c(k):
            return _cpp(_opt_float(d.get(k)), cur)

        def m(k):
            v = _opt_float(d.get(k))
            return "n/a" if v is None else f"{v:.3f}"

        p_reach = _opt_float(d.get("p_reaches_target"))
        p_cheap = _opt_float(d.get("p_cheapest"))
        rows.append(
            UncertaintyRow(
                name=str(name),
                title=PLAN_TITLES.get(str(name), str(name)),
                color=PLAN_COLORS.get(str(name), COLORS["today"]),
                cpp_text=f"{c('cpp_p50')} ({c('cpp_p5')} \u2013 {c('cpp_p95')})",
                metric_text=f"{m('metric_p50')} ({m('metric_p5')} \u2013 {m('metric_p95')})",
                p_cheapest_text="n/a" if p_cheap is None else f"{p_cheap:.0%}",
                p_reaches_text="n/a" if p_reach is None else f"{p_reach:.0%}",
                values=d,
            )
        )
    return rows


def _uncertainty_note(rows: tuple[UncertaintyRow, ...]) -> str:
    by = {r.name: r for r in rows}

    def v(name: str, key: str) -> float | None:
        return _opt_float(by[name].values.get(key)) if name in by else None

    parts = []
    cheapest = max(rows, key=lambda r: _opt_float(r.values.get("p_cheapest")) or 0.0, default=None)
    if cheapest is not None:
        p = _opt_float(cheapest.values.get("p_cheapest")) or 0.0
        parts.append(f"Across the input ranges, {cheapest.title.lower()} is the cheapest per point in {p:.0%} of draws")
        if cheapest.name == "all-synthetic":
            parts[-1] += ", but it breaks the guardrails, so it is not on offer"
        parts[-1] += "."
    r95, h5 = v("recommended", "cpp_p95"), v("all-human", "cpp_p5")
    r5, h95 = v("recommended", "cpp_p5"), v("all-human", "cpp_p95")
    if None not in (r95, h5, r5, h95):
        if r95 < h5:
            parts.append("Even at the high end of its interval the recommended plan costs less per point than "
                         "the all-human plan at the low end of its own.")
        elif h95 < r5:
            parts.append("The all-human plan costs less per point than the recommended plan across the whole "
                         "interval: the guardrails or the escaped-error price, not cash, favour the recommendation.")
        else:
            parts.append("The recommended and all-human intervals overlap: which is cheaper per point depends on "
                         "inputs worth measuring (see Sensitivity).")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# Charts (plotly), shared by the HTML report and the dashboard page
# ---------------------------------------------------------------------------------------------

_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif'


def _layout(title: str, **kw) -> dict:
    base = dict(
        title=dict(text=title, x=0, xanchor="left", xref="container", y=0.98, yanchor="top", yref="container",
                   pad=dict(l=10), font=dict(size=16)),
        template="plotly_white",
        font=dict(family=_FONT, size=13, color="#222"),
        margin=dict(l=70, r=24, t=84, b=56),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, traceorder="normal"),
        hoverlabel=dict(font=dict(family=_FONT)),
    )
    base.update(kw)
    return base


def _money_ticks(lo: float, hi: float, cur: str) -> tuple[list[float], list[str]]:
    """1-2-5 ticks between ``lo`` and ``hi`` for a log money axis, labelled $100, $2k, $50k."""
    pre, suf = _prefix(cur)
    vals, text = [], []
    for e in range(int(math.floor(math.log10(max(lo, 1e-9)))), int(math.ceil(math.log10(max(hi, 1e-9)))) + 1):
        for mult in (1, 2, 5):
            v = mult * 10.0**e
            if lo <= v <= hi:
                vals.append(v)
                text.append(f"{pre}{_short(v)}{suf}")
    return vals, text


def _money_short(v: float, cur: str) -> str:
    pre, suf = _prefix(cur)
    return f"{pre}{_short(v)}{suf}"


def _money_round(v: float, cur: str) -> str:
    """Money without cents from 100 up: for tables of round spends."""
    if abs(v) >= 100 and abs(v) < 1e4:
        pre, suf = _prefix(cur)
        return f"{pre}{v:,.0f}{suf}"
    return money(v, cur)


def _short(v: float) -> str:
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:g}{unit}"
    return f"{v:g}"


def _prefix(cur: str) -> tuple[str, str]:
    sym = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3"}.get(cur, "")
    return (sym, "") if sym else ("", f" {cur}")


def figures(data: ReportData) -> dict:
    """The report's plotly figures by id: spend-vs-metric, layers, cost per point, and optional ones."""
    import plotly.graph_objects as go

    rec = data.recommendation
    cur = data.currency
    pre, suf = _prefix(cur)
    figs = {}

    fig = go.Figure()
    spend = list(data.curve_spend)
    for name in ("all-human", "all-synthetic", "recommended"):
        pl = next(q for q in rec.plans if q.name == name)
        title = PLAN_TITLES[name] + (" (outside guardrails)" if pl.breaks else "")
        fig.add_trace(
            go.Scatter(
                x=spend,
                y=list(data.curve_metric[name]),
                mode="lines",
                name=title,
                line=dict(color=PLAN_COLORS[name], width=3.5 if name == "recommended" else 2.5,
                          dash="dot" if pl.breaks else "solid"),
                hovertemplate=f"{PLAN_TITLES[name]}<br>spend {pre}%{{x:,.0f}}{suf}<br>metric %{{y:.3f}}<extra></extra>",
                legendgroup=name,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[pl.spend],
                y=[pl.expected_metric],
                mode="markers",
                marker=dict(color=PLAN_COLORS[name], size=12, symbol="diamond" if name == "recommended" else "circle",
                            line=dict(color="white", width=1.5)),
                name=f"{PLAN_TITLES[name]} plan",
                showlegend=False,
                legendgroup=name,
                hovertemplate=f"{PLAN_TITLES[name]} plan<br>spend {pre}%{{x:,.0f}}{suf}<br>metric %{{y:.3f}}<extra></extra>",
            )
        )
    lo = min(min(v) for v in data.curve_metric.values())
    hi = max(max(v) for v in data.curve_metric.values())
    lo, hi = min(lo, rec.today_metric, rec.target_metric), max(hi, rec.target_metric)
    pad = max(0.005, (hi - lo) * 0.08)
    fig.add_hline(y=rec.target_metric, line=dict(color=COLORS["target"], dash="dash", width=1.5),
                  annotation_text=f"target {rec.target_metric:.3f}", annotation_position="top left")
    fig.add_hline(y=rec.today_metric, line=dict(color=COLORS["today"], dash="dot", width=1.5),
                  annotation_text=f"today {rec.today_metric:.3f}", annotation_position="bottom right")
    fig.add_vline(x=rec.budget, line=dict(color=COLORS["target"], width=1))
    # On a log axis an annotation's x is in log10 units (add_vline's own annotation gets this wrong).
    fig.add_annotation(x=math.log10(rec.budget), y=1, yref="paper", text=f"budget {money(rec.budget, cur)}",
                       showarrow=False, xanchor="right", yanchor="top", xshift=-4, font=dict(size=12))
    x_lo, x_hi = spend[0], spend[-1] * 1.6
    tickvals, ticktext = _money_ticks(x_lo, x_hi, cur)
    fig.update_layout(**_layout("Expected metric by spend, for each plan's mix", height=460))
    fig.update_xaxes(type="log", title_text=f"Spend ({cur}, log scale)", tickvals=tickvals, ticktext=ticktext,
                     range=[math.log10(x_lo), math.log10(x_hi)], showgrid=True)
    fig.update_yaxes(title_text="Expected metric (0 to 1)", tickformat=".3f", range=[lo - pad, hi + pad])
    figs["chart-spend"] = fig

    fig = go.Figure()
    names = list(PLAN_ORDER)[::-1]
    for key, title, color, _ in LAYERS:
        vals = [next(q for q in rec.plans if q.name == n).layers[key] for n in names]
        fig.add_trace(
            go.Bar(
                y=[PLAN_TITLES[n] for n in names],
                x=vals,
                orientation="h",
                name=title,
                marker=dict(color=color),
                hovertemplate=f"{title}: {pre}%{{x:,.0f}}{suf}<extra>%{{y}}</extra>",
            )
        )
    fig.update_layout(**_layout("Where the money goes: the three layers of each plan", barmode="stack",
                                height=320, margin=dict(l=110, r=24, t=96, b=56)))
    fig.update_xaxes(title_text=f"Spend ({cur})", tickprefix=pre, ticksuffix=suf, tickformat="~s")
    figs["chart-layers"] = fig

    fig = go.Figure()
    cols = [c for c in data.plans]
    vals = [c.plan.cost_per_point or 0.0 for c in cols]
    fig.add_trace(
        go.Bar(
            x=[c.title + ("<br>(outside guardrails)" if c.plan.breaks else "") for c in cols],
            y=vals,
            marker=dict(color=[c.color for c in cols],
                        pattern=dict(shape=["/" if c.plan.breaks else "" for c in cols], fgcolor="white")),
            text=[_cpp(c.plan.cost_per_point, cur) for c in cols],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{x}}: {pre}%{{y:,.0f}}{suf} per point<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(**_layout("Cost per percentage point of metric gained", height=340,
                                margin=dict(l=70, r=24, t=64, b=70), showlegend=False))
    fig.update_yaxes(title_text=f"{cur} per point", tickprefix=pre, ticksuffix=suf, tickformat="~s",
                     range=[0, max(vals + [1.0]) * 1.18])
    figs["chart-cpp"] = fig

    if data.sensitivity:
        rows = [r for r in data.sensitivity][::-1]
        base = rec.plan.cost_per_point or 0.0
        fig = go.Figure()
        for side, color, label in (("low", COLORS["low"], "input at its low value"),
                                   ("high", COLORS["high"], "input at its high value")):
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
            fig.add_trace(go.Bar(y=ys, x=xs, base=bases, orientation="h", name=label, marker=dict(color=color),
                                 customdata=texts,
                                 hovertemplate=f"%{{y}} = %{{customdata}}<br>cost per point {pre}%{{x:,.0f}}{suf}<extra></extra>"))
        fig.add_vline(x=base, line=dict(color=COLORS["target"], width=1))
        fig.update_layout(**_layout("Sensitivity: cost per point as each input moves across its range",
                                    barmode="overlay", height=max(320, 130 + 34 * len(rows)),
                                    margin=dict(l=210, r=24, t=84, b=60)))
        ends = [v for r in rows for v in (r.cpp_low, r.cpp_high) if v is not None] + [base]
        span = max(ends) - min(ends) or max(base, 1.0) * 0.1
        fig.update_xaxes(title_text=f"Recommended plan's cost per point ({cur}); line: today's inputs, "
                                    f"{_cpp(base, cur)}" + ("; \u2021 flips the label" if any(r.flips_label for r in rows) else ""),
                         tickprefix=pre, ticksuffix=suf, tickformat="~s",
                         range=[max(0.0, min(ends) - 0.06 * span), max(ends) + 0.06 * span])
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
                    x=[p50], y=[r.title], mode="markers", name=r.title,
                    marker=dict(color=r.color, size=13),
                    error_x=dict(type="data", symmetric=False, array=[(p95 or p50) - p50],
                                 arrayminus=[p50 - (p5 or p50)], color=r.color, thickness=3, width=8),
                    hovertemplate=f"{r.title}: median {pre}%{{x:,.0f}}{suf} per point<extra></extra>",
                    showlegend=False,
                )
            )
        fig.update_layout(**_layout("Uncertainty: cost per point, median and 90% interval", height=280,
                                    margin=dict(l=110, r=24, t=64, b=56), showlegend=False))
        fig.update_xaxes(title_text=f"{cur} per point", tickprefix=pre, ticksuffix=suf, tickformat="~s")
        figs["chart-uncertainty"] = fig
    return figs


# ---------------------------------------------------------------------------------------------
# HTML and Markdown
# ---------------------------------------------------------------------------------------------


class MdRaw(str):
    """Markdown that is already safe (our own markup or a fenced block): not escaped again."""


_MD_INLINE = re.compile(r"([\\`*_\[\]|~$])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=])")
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")


def md_escape(value: Any) -> str:
    """Make user text inert inside Markdown paragraphs and table cells.

    Newlines and other line breaks become spaces (a newline would end a table row), ``&``, ``<``
    and ``>`` become entities (no raw HTML, no comments), and the characters that start emphasis,
    code, links, tables, strikethrough or math are backslash-escaped, as is a leading heading,
    list or quote marker.
    """
    if value is None:
        return ""
    if isinstance(value, MdRaw):
        return str(value)
    s = str(value)
    s = re.sub(r"[\r\n\u0085\u2028\u2029\t\v\f]+", " ", s)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_INLINE.sub(r"\\\1", s)
    s = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), s)
    return _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), s)


def _md_finalize(value: Any) -> Any:
    return md_escape(value)


@lru_cache(maxsize=1)
def _html_env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined)
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


@lru_cache(maxsize=1)
def plotly_js() -> str:
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
    return _html_env().get_template("report.html.j2").render(
        r=data,
        charts=charts,
        plotly_js=Markup(plotly_js()),
        colors=COLORS,
        label_color=LABEL_COLORS[data.label],
    )


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render_markdown(data: ReportData) -> str:
    """The same content as text and tables, for wikis and pull requests."""
    yaml_text = data.scenario_yaml if data.scenario_yaml.endswith("\n") else data.scenario_yaml + "\n"
    fence = _fence(yaml_text)
    return _md_env().get_template("report.md.j2").render(
        r=data,
        yaml_block=MdRaw(f"{YAML_MARKER}\n{fence}yaml\n{yaml_text}{fence}"),
    )


def report_json(data: ReportData) -> dict:
    """The ``recommend --json`` object plus the scenario, the resolved inputs and report metadata."""
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
        out["uncertainty"] = {r.name: {k: _num(v) for k, v in r.values.items()} for r in data.uncertainty}
    if data.profile is not None:
        out["profile"] = data.profile
    out["report"] = {
        "format_version": REPORT_FORMAT_VERSION,
        "generated_at": data.generated_at.isoformat().replace("+00:00", "Z"),
        "hybrid_version": data.version,
        "policy": {"source": data.policy_source, "digest": data.policy_digest},
    }
    return out


def render_json(data: ReportData) -> str:
    return json.dumps(report_json(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


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


# ---------------------------------------------------------------------------------------------
# Reading a report's scenario back
# ---------------------------------------------------------------------------------------------

_HTML_B64 = re.compile(r'<a id="scenario-download"[^>]*?href="data:application/yaml;base64,([A-Za-z0-9+/=]+)"')
_HTML_PRE = re.compile(r'<pre id="scenario-yaml"[^>]*>(.*?)</pre>', re.DOTALL)
_MD_BLOCK = re.compile(r"\A\s*(`{3,})yaml\n(.*?)\n\1[ \t]*$", re.DOTALL | re.MULTILINE)


def extract_yaml(report: str | bytes) -> str:
    """The scenario YAML embedded in an HTML, Markdown, JSON or PDF report."""
    if isinstance(report, (bytes, bytearray)):
        raw = bytes(report)
        if raw.startswith(b"%PDF"):
            return _pdf_yaml(raw)
        try:
            report = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("report: not UTF-8 text and not a PDF") from None
    text = report.lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"report: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("scenario_yaml"), str):
            raise InputError("report: the JSON has no 'scenario_yaml' field")
        return obj["scenario_yaml"]
    if stripped[:200].lower().startswith(("<!doctype html", "<html")):
        m = _HTML_B64.search(text)
        if m:
            try:
                return base64.b64decode(m.group(1), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                pass
        m = _HTML_PRE.search(text)
        if m:
            return html_lib.unescape(m.group(1))
        raise InputError("report: no embedded scenario found in the HTML")
    i = text.find(YAML_MARKER)
    if i >= 0:
        m = _MD_BLOCK.search(text[i + len(YAML_MARKER) :])
        if m:
            return m.group(2) + "\n"
    raise InputError("report: no embedded scenario found (expected an HTML, Markdown, JSON or PDF report)")


def extract_scenario(report: str | bytes) -> Scenario:
    """The scenario a report was made from, validated exactly as a scenario file would be."""
    return Scenario.from_yaml(extract_yaml(report), "report's embedded scenario")


def _pdf_yaml(raw: bytes) -> str:
    """The attached scenario file of a PDF made by ``render_pdf`` (stored uncompressed)."""
    i = raw.find(b"/Type /EmbeddedFile")
    if i < 0:
        raise InputError("report: the PDF has no attached scenario")
    obj = raw.rfind(b" obj", 0, i)
    s = raw.find(b"stream", i)
    m = re.search(rb"/Length (\d+)", raw[obj:s]) if obj >= 0 and s >= 0 else None
    if m is None:
        raise InputError("report: the PDF's attached scenario cannot be read")
    start = s + len(b"stream")
    if raw[start : start + 2] == b"\r\n":
        start += 2
    elif raw[start : start + 1] in (b"\n", b"\r"):
        start += 1
    body = raw[start : start + int(m.group(1))]
    if b"/FlateDecode" in raw[obj:s]:
        import zlib

        try:
            body = zlib.decompress(body)
        except zlib.error:
            raise InputError("report: the PDF's attached scenario cannot be read") from None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("report: the PDF's attached scenario is not UTF-8") from None


# ---------------------------------------------------------------------------------------------
# PDF (fpdf2 only: no browser, nothing downloaded at run time)
# ---------------------------------------------------------------------------------------------

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
