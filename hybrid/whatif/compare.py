"""Compare scenarios side by side, and measure every change against a baseline.

Meetings are about "what if": two to four scenarios next to each other, with the inputs that differ
picked out, and the headline numbers (label, mix, layers, cost per point) of each. Pure functions
over ``Scenario`` and ``Recommendation``; the Compare page renders them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hybrid.model.recommend import Recommendation
from hybrid.model.scenario import Scenario


def flatten(scenario: Scenario) -> dict[str, object]:
    """Dotted-path view of a scenario's inputs (``economics.budget``), the name left out."""
    out: dict[str, object] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        else:
            out[prefix] = value

    data = scenario.model_dump(mode="json", exclude={"name"})
    walk("", data)
    return out


def differing_inputs(scenarios: list[Scenario]) -> list[str]:
    """Dotted paths whose value is not the same in every scenario, in schema order."""
    flats = [flatten(s) for s in scenarios]
    keys: list[str] = []
    for f in flats:
        keys.extend(k for k in f if k not in keys)
    return [k for k in keys if len({repr(f.get(k)) for f in flats}) > 1]


def outcome_row(rec: Recommendation) -> dict[str, object]:
    """The numbers a meeting compares, flat, in the scenario's currency."""
    p = rec.plan
    return {
        "label": rec.label,
        "synthetic_share": p.synthetic_share,
        "review_coverage": p.review_coverage,
        "expected_metric": p.expected_metric,
        "points_gained": p.points_gained,
        "spend": p.spend,
        "expert_anchor": p.expert_anchor,
        "synthetic_extension": p.synthetic_extension,
        "human_review": p.human_review,
        "cost_per_point": p.cost_per_point,
        "cost_per_point_all_human": rec.human_plan.cost_per_point,
        "cost_per_point_all_synthetic": rec.synthetic_plan.cost_per_point,
        "binding": rec.binding,
    }


@dataclass(frozen=True)
class Delta:
    field: str
    baseline: object
    current: object
    change: float | None  # current - baseline, for numbers


def deltas(baseline: Recommendation, current: Recommendation) -> list[Delta]:
    """Every outcome that moved between the baseline and the current recommendation."""
    a, b = outcome_row(baseline), outcome_row(current)
    out = []
    for k in a:
        x, y = a[k], b[k]
        if x == y:
            continue
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            if abs(y - x) <= 1e-9 * max(1.0, abs(x)):
                continue
            out.append(Delta(k, x, y, float(y) - float(x)))
        else:
            out.append(Delta(k, x, y, None))
    return out
