"""What a recommendation report shows, gathered once as a ``ReportData`` for every format.

``build_report(scenario, policy)`` runs the recommendation and gathers everything a report shows:
the headline and label, the three-layer budget split, the plans side by side, the
spend-versus-metric
curves, the factors and what each did to the guardrails, dataset facts, assumptions with their
sources, optional sensitivity and uncertainty results (pre-computed by ``analyses`` and passed in
as plain dicts or dataclasses), and the rationale. The renderers only lay it out:

- ``render.render_html``: one self-contained file (plotly.js inlined once, no external fonts,
  scripts or images), interactive charts and a print stylesheet, from ``templates/report.html.j2``
  with Jinja2 autoescaping on: every piece of user text is escaped.
- ``render.render_markdown``: the same content as text and tables from ``templates/report.md.j2``.
- ``render.render_json``: the ``recommend --json`` object plus the scenario, the resolved model
  inputs and report metadata.
- ``pdf.render_pdf``: an A4 PDF made with fpdf2, with the scenario YAML attached as a file.

The charts are defined once, in ``figures``. Every format embeds the scenario YAML, and
``extract.extract_scenario`` reads it back, so a report reproduces its own numbers. Pure: no I/O.
"""

from __future__ import annotations

import base64
import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from hybrid import __version__, palette, vocabulary
from hybrid.errors import InputError
from hybrid.explain.sensitivity import Bar
from hybrid.model.policy import Bound, Policy, guardrails
from hybrid.model.recommend import Plan, Recommendation
from hybrid.model.scenario import DATA_USE_TITLES, FACTOR_NAMES, FACTOR_TITLES, Scenario
from hybrid.money import money
from hybrid.safetext import shown
from hybrid.share.formats import slug
from hybrid.vocabulary import (
    LABEL_TITLES,
    NO_GAIN,
    PLAN_ORDER,
    PLAN_TITLES,
    input_title,
    input_value,
    interval,
    probability,
    sensitivity_title,
    source_text,
)
from hybrid.whatif.analysis import Analysis, build_analysis

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
PLAN_COLORS = palette.PLAN_COLORS
LABEL_COLORS = {
    "human": COLORS["human"],
    "hybrid": COLORS["recommended"],
    "synthetic": COLORS["synthetic"],
}
_LAYER_COLORS = {
    "expert_anchor": COLORS["human"],
    "synthetic_extension": COLORS["synthetic"],
    "human_review": COLORS["review"],
}
LAYERS = tuple((key, title, _LAYER_COLORS[key], desc) for key, title, desc in vocabulary.LAYERS)
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
class WorkPlanRow:
    slice: str
    human: str
    synthetic: str
    reviewed: str
    coverage: str
    verification: str
    spend: str
    reason: str = ""
    moves: str = ""


@dataclass(frozen=True)
class WorkPlanSection:
    """The work plan (``hybrid.model.workplan.WorkPlan``) as the report shows it."""

    intro: str
    rows: tuple[WorkPlanRow, ...]
    total: WorkPlanRow
    notes: tuple[str, ...]
    plan: Any  # the WorkPlan itself: the JSON report and the chart read it


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
    workplan: WorkPlanSection | None = None
    rounds: RoundsSection | None = None

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
            f"Generated {self.generated_text} by hybrid {self.version}; policy "
            f"{self.policy_source} "
            f"(sha256 {self.policy_digest})."
        )

    @property
    def yaml_filename(self) -> str:
        return f"{slug(self.scenario.name)}.yaml"

    @property
    def yaml_b64(self) -> str:
        return base64.b64encode(self.scenario_yaml.encode("utf-8")).decode("ascii")


def _pct(x: float) -> str:
    return f"{x:.0%}"


def cpp_text(x: float | None, currency: str) -> str:
    """Cost per point as text; a plan that gains nothing has none."""
    return NO_GAIN if x is None else money(x, currency)


def _count(x: float) -> str:
    return f"{x:,.0f}"


def _when(generated_at: datetime | str | None) -> datetime:
    if generated_at is None:
        return datetime.now(UTC).replace(microsecond=0)
    if isinstance(generated_at, str):
        try:
            generated_at = datetime.fromisoformat(generated_at)
        except ValueError:
            raise InputError(f"generated_at: not an ISO date and time ({generated_at!r})") from None
    if generated_at.tzinfo is None:
        generated_at = generated_at.replace(tzinfo=UTC)
    return generated_at.astimezone(UTC)


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
    analysis: Analysis | None = None,
    sensitivity: Sequence[Any] | None = None,
    uncertainty: Mapping[str, Any] | Any | None = None,
    generated_at: datetime | str | None = None,
    profile: Mapping[str, Any] | None = None,
    workplan: Any | None = None,
    rounds: Any | None = None,
) -> ReportData:
    """Gather the report's content from the scenario's one ``Analysis`` (built here when not given).

    ``sensitivity``: tornado bars (``sensitivity.Bar`` or their ``to_dict()``), used when the
    analysis has none. ``uncertainty``: ``{plan name: {cpp_p5, cpp_p50, cpp_p95, metric_p5,
    metric_p50, metric_p95, p_cheapest}}`` (``p_reaches_target`` optional), or an object with
    ``by_name()``, used when the analysis has none. ``profile``: optional dataset profile facts,
    ``{rows, columns, label_column, class_counts: {label: count}}``. ``workplan``: a
    ``hybrid.model.workplan.WorkPlan`` of this scenario (``slice_plan``), shown as the work plan by
    slice. ``rounds``: a ``hybrid.whatif.rounds.RoundsPlan``, shown as the staged plan. Sections
    appear only when given.
    """
    a = analysis if analysis is not None else build_analysis(scenario, policy)
    if sensitivity is not None and a.sensitivity is None:
        a = dataclasses.replace(a, sensitivity=tuple(_as_bar(b) for b in sensitivity))
    return report_from(a, policy, uncertainty, generated_at, profile, workplan, rounds)


def _as_bar(bar: Any) -> Bar:
    if isinstance(bar, Bar):
        return bar
    d = _as_dict(bar)
    name = str(d["input"])
    return Bar(
        input=name,
        title=str(d.get("title") or sensitivity_title(name)),
        low=float(d["low"]),
        high=float(d["high"]),
        share_low=float(d["share_low"]),
        share_high=float(d["share_high"]),
        cpp_low=finite_or_none(d.get("cpp_low")),
        cpp_high=finite_or_none(d.get("cpp_high")),
        label_low=str(d.get("label_low", "")),
        label_high=str(d.get("label_high", "")),
        flips_label=bool(d.get("flips_label")),
    )


def report_from(
    a: Analysis,
    policy: Policy,
    uncertainty: Mapping[str, Any] | Any | None = None,
    generated_at: datetime | str | None = None,
    profile: Mapping[str, Any] | None = None,
    workplan: Any | None = None,
    rounds: Any | None = None,
) -> ReportData:
    """The report of one analysis: every number is the analysis's, only formatted here."""
    scenario, rec = a.scenario, a.recommendation
    cur = rec.currency
    p, h = rec.plan, rec.human_plan
    plans = {pl.name: pl for pl in rec.plans}

    headline = a.headline
    verdict = verdict_sentence(rec)
    summary = tuple(_summary(rec))
    kpis = (
        Kpi(
            "Spend",
            money(p.spend, cur),
            f"of the {money(rec.budget, cur)} budget ({p.spend / rec.budget:.0%})",
        ),
        Kpi(
            "Expected metric",
            f"{rec.today_metric:.3f} \u2192 {p.expected_metric:.3f}",
            f"target {rec.target_metric:.3f}, "
            + ("reached" if p.reaches_target else "not reached"),
        ),
        Kpi(
            "Cost per point",
            cpp_text(p.cost_per_point, cur),
            f"all-human {cpp_text(h.cost_per_point, cur)}",
        ),
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
            layer.key,
            layer.title,
            _LAYER_COLORS[layer.key],
            layer.amount,
            money(layer.amount, cur),
            _pct(layer.share),
            layer.description,
        )
        for layer in a.layers
    )
    columns = tuple(
        PlanColumn(name, PLAN_TITLES[name], PLAN_COLORS[name], plans[name], not plans[name].breaks)
        for name in PLAN_ORDER
    )
    data = ReportData(
        scenario=scenario,
        recommendation=rec,
        policy_source=a.policy_source,
        policy_digest=a.policy_digest,
        generated_at=_when(generated_at),
        version=__version__,
        scenario_yaml=scenario.to_yaml(),
        title=shown(scenario.name),
        subtitle=shown(
            " \u00b7 ".join(
                x
                for x in (
                    DATA_USE_TITLES.get(scenario.data_use, scenario.data_use),
                    scenario.domain or "",
                    f"budget {money(rec.budget, cur)}",
                )
                if x
            )
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
        assumptions=tuple(_assumptions(a, policy)),
        # The report's charts have a logarithmic spend axis: the analysis's curves above zero.
        curve_spend=tuple(float(x) for x in a.spend[a.spend > 0]),
        curve_metric={k: tuple(float(x) for x in v[a.spend > 0]) for k, v in a.curves.items()},
        spend_table=tuple(_spend_table(a)),
        chart_description=_chart_description(rec),
        rationale=tuple(rec.rationale),
        inputs=_inputs_json(a),
    )
    if a.sensitivity is not None:
        rows = tuple(_sensitivity_rows(a.sensitivity, cur))
        data = dataclasses.replace(data, sensitivity=rows, sensitivity_note=a.sensitivity_headline)
    if uncertainty is None and a.uncertainty is not None:
        uncertainty = a.uncertainty
    if uncertainty is not None:
        rows_u = tuple(_uncertainty_rows(uncertainty, cur))
        data = dataclasses.replace(
            data, uncertainty=rows_u, uncertainty_note=_uncertainty_note(rows_u)
        )
    workplan = workplan if workplan is not None else a.workplan
    if workplan is not None:
        data = dataclasses.replace(data, workplan=workplan_section(workplan))
    if rounds is not None:
        data = dataclasses.replace(data, rounds=rounds_section(rounds))
    return data


@dataclass(frozen=True)
class RoundsSection:
    """The staged plan (``hybrid.whatif.rounds.RoundsPlan``) as the report shows it."""

    json: dict
    intro: str
    # round, human, synthetic, reviewed, spend, spent so far, reached
    rows: tuple[tuple[str, ...], ...]
    # (figure, bought in rounds, bought at once): the two plans' totals on the same futures
    comparison: tuple[tuple[str, str, str], ...] = ()


def _rounds_count(n: int) -> str:
    return "one round" if n == 1 else f"{n} rounds"


def rounds_section(plan: Any) -> RoundsSection:
    cur = plan.currency
    o = plan.one_shot
    rows = tuple(
        (
            str(r.round),
            _count(r.human_examples),
            _count(r.synthetic_examples),
            _pct(r.review_coverage) if r.synthetic_examples else "\u2014",
            money(r.spend, cur),
            money(r.expected_spend_to_date, cur),
            f"{r.probability_target:.0%}",
        )
        for r in plan.rounds
    ) + (
        (
            "At once",
            _count(o.human_examples),
            _count(o.synthetic_examples),
            _pct(o.review_coverage) if o.synthetic_examples else "\u2014",
            money(o.spend, cur),
            money(o.spend, cur),
            f"{o.probability_target:.0%}",
        ),
    )
    intro = (
        f"Bought in {_rounds_count(len(plan.rounds))}, measuring between them, over {plan.draws:,} "
        f"simulated futures, with a cost of missing the target of {money(plan.miss_penalty, cur)}: "
        f"expected spend {money(plan.expected_spend, cur)} and the target reached in "
        f"{plan.probability_target:.0%} of the futures, against {money(o.spend, cur)} and "
        f"{o.probability_target:.0%} for the recommended plan bought at once. Rounds after the "
        "first are averages: each buys what the measurement before it calls for."
    )
    comparison = (
        ("Expected spend", money(plan.expected_spend, cur), money(o.spend, cur)),
        (
            "Target reached by the last round",
            f"{plan.probability_target:.0%}",
            f"{o.probability_target:.0%}",
        ),
        ("Expected metric", f"{plan.expected_metric:.1%}", f"{o.expected_metric:.1%}"),
        (
            "Expected spend plus the cost of missing",
            money(plan.expected_cost, cur),
            money(plan.one_shot_cost, cur),
        ),
    )
    return RoundsSection(json=plan.to_json(), intro=intro, rows=rows, comparison=comparison)


def workplan_section(wp: Any) -> WorkPlanSection:
    """A work plan's rows as text (slice names with control characters made visible)."""
    cur = wp.currency
    rows = tuple(
        WorkPlanRow(
            slice=shown(s.slice),
            human=_count(s.human_examples),
            synthetic=_count(s.synthetic_examples),
            reviewed=_count(s.reviewed_examples),
            coverage=_pct(s.review_coverage) if s.synthetic_examples else "\u2014",
            verification=_count(s.verification_sample) if s.synthetic_examples else "\u2014",
            spend=money(s.spend, cur),
            reason=shown(s.reason),
            moves=shown(s.moves),
        )
        for s in wp.slices
    )
    t = wp.total()
    total = WorkPlanRow(
        slice="Total",
        human=_count(t["human_examples"]),
        synthetic=_count(t["synthetic_examples"]),
        reviewed=_count(t["reviewed_examples"]),
        coverage=_pct(t["review_coverage"]),
        verification=_count(t["verification_sample"]),
        spend=money(t["spend"], cur),
    )
    intro = (
        f"The recommended plan split across {len(wp.slices):,} slices of the data: the slices add "
        f"up to its "
        f"{_count(t['global_plan']['human_examples'])} new human rows, "
        f"{_count(t['global_plan']['synthetic_examples'])} "
        f"synthetic rows and {money(wp.plan.spend, cur)} spend (every layer at the plan's unit "
        f"prices). "
        f"Each slice that gets synthetic rows has a verification sample: the reviewed rows that "
        f"measure its "
        f"generator's accuracy within \u00b1{100 * wp.margin:g} percentage points at "
        f"{wp.confidence:.0%} confidence (Wilson interval)."
    )
    return WorkPlanSection(
        intro=intro, rows=rows, total=total, notes=tuple(shown(n) for n in wp.notes), plan=wp
    )


def verdict_sentence(rec: Recommendation) -> str:
    p, cur = rec.plan, rec.currency
    if rec.mode == "target":
        return (
            f"Reaches the target {rec.target_metric:.3f} (today {rec.today_metric:.3f}) for "
            f"{money(p.spend, cur)} of the {money(rec.budget, cur)} budget."
        )
    if rec.today_metric >= rec.target_metric:
        return (
            f"Today's metric {rec.today_metric:.3f} already meets the target "
            f"{rec.target_metric:.3f}; "
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
    # A plan that only drops rows in hand costs nothing per point: no ratio to state.
    if p.cost_per_point and h.cost_per_point is not None and p.name != h.name:
        ratio = h.cost_per_point / p.cost_per_point
        if p.synthetic_share == 0:
            out.append(
                f"Cost per percentage point gained: {money(p.cost_per_point, cur)}, the all-human "
                f"plan itself."
            )
        elif ratio >= 1.05:
            out.append(
                f"Cost per percentage point gained: {money(p.cost_per_point, cur)}, "
                f"{ratio:.1f}\u00d7 cheaper "
                f"than labeling everything by hand ({money(h.cost_per_point, cur)})."
            )
        else:
            out.append(
                f"Cost per percentage point gained: {money(p.cost_per_point, cur)}, against "
                f"{money(h.cost_per_point, cur)} for labeling everything by hand."
            )
    if syn.breaks:
        s = (
            f"All-synthetic would cost {cpp_text(syn.cost_per_point, cur)} per point but breaks "
            f"{len(syn.breaks)} guardrails: about {syn.wrong_labels:,.0f} wrong labels would reach "
            f"training"
        )
        if syn.escaped_error_cost > 0:
            s += f" (an expected {money(syn.escaped_error_cost, cur)} in escaped errors)"
        out.append(s + ".")
    else:
        out.append(
            f"All-synthetic stays inside the guardrails at {cpp_text(syn.cost_per_point, cur)} per "
            f"point."
        )
    if rec.binding == "economics":
        out.append(
            f"Economics chose the mix: the guardrails allow up to {rec.max_synthetic_share:.0%} "
            f"synthetic."
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
        row(
            "Review coverage of synthetic",
            lambda q: _pct(q.review_coverage) if q.synthetic_share > 0 else "\u2013",
        ),
        row("New examples", lambda q: _count(q.new_examples)),
        row("\u2003human-labeled", lambda q: _count(q.human_examples)),
        row("\u2003synthetic", lambda q: _count(q.synthetic_examples)),
        row("Spend", lambda q: money(q.spend, cur)),
        row("Expected metric", lambda q: f"{q.expected_metric:.3f}"),
        row("Points gained", lambda q: f"{q.points_gained:.2f}"),
        row("Cost per point", lambda q: cpp_text(q.cost_per_point, cur)),
        row(
            "Risk-adjusted cost per point", lambda q: cpp_text(q.risk_adjusted_cost_per_point, cur)
        ),
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
        Fact(
            "Maximum synthetic share",
            _pct(g.max_synthetic_share),
            binding_title(g.cap_source.source),
        ),
        Fact(
            "Minimum review coverage",
            _pct(g.min_review_coverage),
            binding_title(g.review_source.source),
        ),
        Fact(
            "Minimum expert-anchor share of spend",
            _pct(g.min_anchor_share),
            binding_title(g.anchor_source.source),
        ),
        Fact(
            "Edge-case weight of the metric",
            _pct(g.tail_weight),
            "importance of edge cases and the dataset's tail share",
        ),
    ]


def _dataset_facts(scenario: Scenario) -> list[Fact]:
    ds = scenario.dataset
    if ds is None:
        return []
    out = [
        Fact(input_title("human_now"), _count(ds.human_examples)),
        Fact(input_title("synthetic_now"), _count(ds.synthetic_examples)),
    ]
    if ds.classes is not None:
        out.append(Fact(input_title("classes"), _count(ds.classes)))
    if ds.tail_share is not None:
        out.append(Fact("Share of rows in rare classes", f"{ds.tail_share:.1%}"))
    if ds.annotator_agreement is not None:
        out.append(Fact("Annotator agreement", f"{ds.annotator_agreement:.1%}"))
    if ds.kappa is not None:
        out.append(Fact("Chance-corrected agreement (kappa)", f"{ds.kappa:.2f}"))
    if ds.synthetic_exchange_rate is not None:
        out.append(
            Fact(
                "Measured synthetic exchange rate",
                f"{ds.synthetic_exchange_rate:.2f} human rows per synthetic row",
            )
        )
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
        "label_column": None
        if profile.get("label_column") is None
        else str(profile.get("label_column")),
        "classes": [(k, _count(v), f"{v / total:.1%}") for k, v in classes[:25]],
        "more_classes": max(0, len(classes) - 25),
    }


def _assumptions(a: Analysis, policy: Policy) -> list[Fact]:
    """Every input with its value and where it came from: the analysis's ``sources``, formatted."""
    out = [
        Fact(
            input_title(src.key),
            input_value(src.key, src.value, a.currency),
            source_text(src.source),
        )
        for src in a.sources
    ]
    out.append(
        Fact(
            "Label thresholds",
            f"human-led below {policy.labels.human_below:.0%} synthetic, synthetic-led above "
            f"{policy.labels.synthetic_above:.0%}",
            "policy",
        )
    )
    return out


def _spend_table(a: Analysis) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (money(spend, a.currency), tuple(f"{metrics[n]:.3f}" for n in PLAN_ORDER))
        for spend, metrics in a.spend_table
    ]


def _chart_description(rec: Recommendation) -> str:
    cur = rec.currency
    parts = []
    for name in PLAN_ORDER:
        pl = next(q for q in rec.plans if q.name == name)
        parts.append(
            f"{PLAN_TITLES[name].lower()} reaches {pl.expected_metric:.3f} for "
            f"{money(pl.spend, cur)}"
        )
    return (
        f"Expected metric as spend grows, for each plan's mix (today {rec.today_metric:.3f}, "
        f"target {rec.target_metric:.3f}): " + "; ".join(parts) + "."
    )


def json_number(x: Any) -> Any:
    """A value JSON can hold: NumPy scalars and arrays as Python numbers, inf and NaN as null."""
    if isinstance(x, np.ndarray):
        return [json_number(v) for v in x.tolist()]
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return x if math.isfinite(x) else None
    if isinstance(x, np.integer):
        return int(x)
    return x


def _inputs_json(a: Analysis) -> dict:
    """The resolved model inputs, with every input's value and source (``Analysis.sources``)."""
    inp = a.inputs
    fields = (
        "ceiling scale exponent budget human_cost synthetic_cost review_cost accuracy catch_rate "
        "target "
        "classes human_error synthetic_value tail_weight tail_coverage human_now synthetic_now "
        "synthetic_now_value escaped_error_price currency"
    ).split()
    out = {f: json_number(getattr(inp, f)) for f in fields}
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
    out["sources"] = {src.key: src.to_json() for src in a.sources}
    return out


def _as_dict(x: Any) -> dict:
    if isinstance(x, Mapping):
        return dict(x)
    if hasattr(x, "to_dict"):
        return dict(x.to_dict())
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return dataclasses.asdict(x)
    raise InputError(f"report: expected a mapping or dataclass, got {type(x).__name__}")


def finite_or_none(x: Any) -> float | None:
    """A float, or None for a missing or non-finite value."""
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
        c_lo, c_hi = finite_or_none(d.get("cpp_low")), finite_or_none(d.get("cpp_high"))
        rows.append(
            SensitivityRow(
                input=name,
                title=str(d.get("title") or sensitivity_title(name)),
                range_text=f"{input_value(name, lo, cur)} \u2013 {input_value(name, hi, cur)}",
                share_text=f"{float(d['share_low']):.0%} \u2192 {float(d['share_high']):.0%}",
                cpp_text=f"{cpp_text(c_lo, cur)} \u2192 {cpp_text(c_hi, cur)}",
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


def _uncertainty_rows(unc: Any, cur: str) -> list[UncertaintyRow]:
    if hasattr(unc, "by_name") and not isinstance(unc, Mapping):
        unc = unc.by_name()
    if not isinstance(unc, Mapping):
        raise InputError("report: uncertainty must map plan names to their percentiles")
    rows = []
    names = [n for n in PLAN_ORDER if n in unc] + [n for n in unc if n not in PLAN_ORDER]
    for name in names:
        d = {k: json_number(v) for k, v in _as_dict(unc[name]).items()}

        def c(k, d=d):
            return cpp_text(finite_or_none(d.get(k)), cur)

        def m(k, d=d):
            v = finite_or_none(d.get(k))
            return "n/a" if v is None else f"{v:.3f}"

        p_reach = finite_or_none(d.get("p_reaches_target"))
        p_cheap = finite_or_none(d.get("p_cheapest"))
        rows.append(
            UncertaintyRow(
                name=str(name),
                title=PLAN_TITLES.get(str(name), str(name)),
                color=PLAN_COLORS.get(str(name), COLORS["today"]),
                cpp_text=interval(c("cpp_p50"), c("cpp_p5"), c("cpp_p95")),
                metric_text=interval(m("metric_p50"), m("metric_p5"), m("metric_p95")),
                p_cheapest_text="n/a" if p_cheap is None else probability(p_cheap),
                p_reaches_text="n/a" if p_reach is None else probability(p_reach),
                values=d,
            )
        )
    return rows


def _uncertainty_note(rows: tuple[UncertaintyRow, ...]) -> str:
    by = {r.name: r for r in rows}

    def v(name: str, key: str) -> float | None:
        return finite_or_none(by[name].values.get(key)) if name in by else None

    parts = []
    same = by["recommended"].values.get("same_as") if "recommended" in by else None
    if same:
        titles = " and ".join(PLAN_TITLES.get(n, n).lower() for n in same)
        parts.append(
            f"The recommended plan is the {titles} plan: they are the cheapest in the same draws."
        )
    cheapest = max(
        rows, key=lambda r: finite_or_none(r.values.get("p_cheapest")) or 0.0, default=None
    )
    if cheapest is not None and not same:
        p = finite_or_none(cheapest.values.get("p_cheapest")) or 0.0
        parts.append(
            f"Across the input ranges, {cheapest.title.lower()} is the cheapest per point in "
            f"{probability(p)} of draws"
        )
        if cheapest.name == "all-synthetic":
            parts[-1] += ", but it breaks the guardrails, so it is not on offer"
        parts[-1] += "."
    r95, h5 = v("recommended", "cpp_p95"), v("all-human", "cpp_p5")
    r5, h95 = v("recommended", "cpp_p5"), v("all-human", "cpp_p95")
    if None not in (r95, h5, r5, h95) and "all-human" not in (same or ()):
        if r95 < h5:
            parts.append(
                "Even at the high end of its interval the recommended plan costs less per point "
                "than "
                "the all-human plan at the low end of its own."
            )
        elif h95 < r5:
            parts.append(
                "The all-human plan costs less per point than the recommended plan across the "
                "whole "
                "interval: the guardrails or the escaped-error price, not cash, favour the "
                "recommendation."
            )
        else:
            parts.append(
                "The recommended and all-human intervals overlap: which is cheaper per point "
                "depends on "
                "inputs worth measuring (see Sensitivity)."
            )
    return " ".join(parts)
