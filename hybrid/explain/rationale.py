"""The rationale: plain sentences that say what was decided, what bound it, and what would change
it.

A data lead has to defend the recommendation in a budget meeting, so each sentence names a factor,
a number or a plan, never just a verdict. "What would change it" comes from two places: the
guardrail that binds (which answer, one level lower, would lift the cap) and the economics (the
generator accuracy or human label price at which the label flips, found by bisection on the plan
search).
"""

from __future__ import annotations

import numpy as np

from hybrid.explain.sensitivity import label_threshold, plausible_range
from hybrid.model.economics import Inputs
from hybrid.model.policy import Policy, guardrails, regulated_keyword
from hybrid.model.recommend import Recommendation, plan_inputs
from hybrid.model.scenario import (  # noqa: F401 (FACTOR_TITLES re-exported)
    FACTOR_NAMES,
    FACTOR_TITLES,
    Scenario,
)
from hybrid.money import money  # noqa: F401 (re-exported for older callers)
from hybrid.vocabulary import (  # noqa: F401 (LABEL_TITLES re-exported)
    LABEL_TITLES,
    NO_GAIN,
    rounded_count,
    source_text,
)
from hybrid.vocabulary import ratio as ratio_text


def explain(
    scenario: Scenario, policy: Policy, inp: Inputs, rec: Recommendation
) -> tuple[list[str], list[str]]:
    """The rationale as (why, what would change it); the first "why" sentence is the headline."""
    p, h, syn = rec.plan, rec.human_plan, rec.synthetic_plan
    cur = rec.currency
    out: list[str] = [_drop_rows(rec)] if rec.drops_rows_in_hand else []
    if headline(rec) not in out:
        out.append(headline(rec))

    g = inp.guardrails
    if rec.binding == "economics":
        out.append(
            f"Economics chose this share inside every guardrail; the highest share allowed is "
            f"{g.max_synthetic_share:.0%}, set by {g.cap_source.title}."
        )
    else:
        binding = next((b.title for b in g.bounds if b.source == rec.binding), None)
        binding = binding or rec.binding.replace(g.anchor_source.source, g.anchor_source.title)
        out.append(f"The synthetic share is bound by {binding}: {rec.binding_reason}")

    if rec.mode == "target" and p.new_examples == 0 and not rec.drops_rows_in_hand:
        out.append(
            f"Today's metric {rec.today_metric:.3f} already meets the target "
            f"{rec.target_metric:.3f}: "
            "nothing needs to be bought. Ask for the best the budget buys to see what more would "
            "add."
        )
    elif rec.mode == "target":
        out.append(
            f"This plan reaches the target {rec.target_metric:.3f} (today {rec.today_metric:.3f}) "
            f"for "
            f"{money(p.spend, cur)} of the {money(rec.budget, cur)} budget, "
            f"{_cpp(p.cost_per_point, cur)} per percentage point."
        )
    elif rec.today_metric >= rec.target_metric:
        out.append(
            f"Today's metric {rec.today_metric:.3f} already meets the target "
            f"{rec.target_metric:.3f}; "
            f"the plan shows the best the {money(rec.budget, cur)} budget buys: "
            f"{p.expected_metric:.3f}."
        )
    else:
        out.append(
            f"No plan inside the guardrails reaches the target {rec.target_metric:.3f} with "
            f"{money(rec.budget, cur)}; the best the budget buys is {p.expected_metric:.3f} "
            f"(today {rec.today_metric:.3f}), {_cpp(p.cost_per_point, cur)} per point."
        )

    compare = [f"all-human {_cpp(h.cost_per_point, cur)}"]
    syn_txt = f"all-synthetic {_cpp(syn.cost_per_point, cur)}"
    if syn.breaks:
        syn_txt += (
            f" (outside the guardrails; about {syn.wrong_labels:,.0f} wrong labels would reach "
            f"training"
        )
        if syn.escaped_error_cost > 0:
            syn_txt += f", an expected {money(syn.escaped_error_cost, cur)} in escaped errors"
        syn_txt += ")"
    compare.append(syn_txt)
    out.append("Cost per point for comparison: " + ", ".join(compare) + ".")

    rate = float(inp.exchange_rate(p.review_coverage))
    review = (
        f"{p.review_coverage:.0%} review catching {float(inp.catch_rate):.0%} of errors"
        if p.review_coverage > 0
        else "no review"
    )
    out.append(
        f"At generator accuracy {float(inp.accuracy):.0%} and {review}, one synthetic example is "
        f"worth {rate:.2f} human examples in the common cases."
    )
    out.extend(_saturation(inp, rec))
    out.append(
        f"Edge cases carry {float(inp.tail_weight):.0%} of the metric (from "
        f"{FACTOR_TITLES['edge_cases']} = "
        f"{scenario.factors.edge_cases}"
        + (", raised by the dataset's tail share" if _tail_raised(scenario, policy) else "")
        + f"), where synthetic examples count only {float(inp.tail_coverage):.0%} as much."
    )
    if p.synthetic_share > 0:
        out.append(
            f"Review coverage {p.review_coverage:.0%}: the minimum is {g.min_review_coverage:.0%}, "
            f"set by {g.review_source.title}"
            + (
                "."
                if p.review_coverage <= g.min_review_coverage + 1e-9
                else "; more review pays for itself here."
            )
        )
    out.append(
        f"The expert-anchor layer gets {money(p.expert_anchor, cur)} "
        f"({p.expert_anchor / p.spend:.0%} of spend; at least {g.min_anchor_share:.0%}, set by "
        f"{g.anchor_source.title})."
        if p.spend > 0
        else "The expert-anchor layer stays: no spend is needed yet."
    )
    if g.regulated:
        word = regulated_keyword(scenario, policy)
        how = (
            "you marked it regulated"
            if scenario.regulated
            else f"the domain matched \u201c{word}\u201d"
        )
        out.append(
            f"The regulated-domain rule applies ({how}) when the {FACTOR_TITLES['error_cost']} is "
            f"{policy.regulated.min_error_cost} or more; the scenario's answer to whether the "
            "domain is regulated changes it."
        )
    out.extend(inp.notes)
    return out, _what_would_change(scenario, policy, inp, rec)


def headline(rec: Recommendation) -> str:
    """The first sentence every surface shows: what to do, in one line."""
    p = rec.plan
    if p.new_examples <= 0 and rec.drops_rows_in_hand:
        return _drop_rows(rec)
    if p.new_examples <= 0:
        return (
            f"Buy nothing: today's metric {rec.today_metric:.3f} already meets the target "
            f"{rec.target_metric:.3f}."
        )
    if p.synthetic_share > 0:
        return (
            f"{LABEL_TITLES[rec.label]}: make {p.synthetic_share:.0%} of the new examples "
            f"synthetic and have humans review {p.review_coverage:.0%} of those."
        )
    return f"{LABEL_TITLES[rec.label]}: label all new examples with human experts."


def _beyond_saturation(inp: Inputs, ratio: float) -> str:
    """The fitted saturation point beside the pilot's paying range, when they differ: two counts of
    generated rows per human row that a reader could take for one."""
    k = float(np.mean(inp.saturation))
    if not np.isfinite(k) or abs(k - ratio) <= 0.05 * ratio:
        return ""
    return f"; the saturation point, {k:.3g}, is where the fitted curve stops adding"


def _saturation(inp: Inputs, rec: Recommendation) -> list[str]:
    """Where generated rows stop paying, and what repeated generator errors cost.

    Said of the inputs the plan is priced on: without the generated rows in hand when the plan
    drops them, as ``rec.synthetic_peak`` is computed.
    """
    inp = plan_inputs(inp, rec)
    p = rec.plan
    out = []
    humans = p.human_examples if p.synthetic_share > 0 else rec.human_plan.human_examples
    coverage = p.review_coverage if p.synthetic_share > 0 else inp.guardrails.min_review_coverage
    peak = (
        rec.synthetic_peak
        if rec.synthetic_peak is not None
        else inp.peak_synthetic(humans, coverage)
    )
    total_humans = inp.human_now + humans
    ratio = float(inp.measured_ratio)
    cap = ratio * total_humans - inp.synthetic_pool  # new rows the pilot's measured range credits
    if np.isfinite(ratio) and (ratio <= 0.0 or (peak > 0 and abs(peak - cap) <= 0.02 * cap + 1.0)):
        # The pilot's measured range binds before the fitted saturation does.
        if ratio <= 0.0:
            out.append(
                "In the pilot, generated rows added nothing on top of the human rows, so the plan "
                "credits them with nothing; a dollar buys more as human examples."
            )
        else:
            out.append(
                f"Generated rows build on the human rows: the pilot saw them pay up to about "
                f"{ratio_text(ratio)} generated rows per human row and no further (its measured "
                f"paying range{_beyond_saturation(inp, ratio)}), so with {total_humans:,.0f} "
                f"human examples, beyond "
                f"about "
                f"{_round(peak)} generated rows nothing more is credited; past that the next "
                f"dollar buys "
                "more as human seed examples. A pilot with bigger synthetic batches would show "
                "whether "
                "more pays."
            )
    elif peak <= 0.0:
        out.append(
            f"With {total_humans:,.0f} human examples"
            + (
                f" and the {inp.synthetic_pool:,.0f} generated rows in hand"
                if inp.synthetic_pool > 0
                else ""
            )
            + ", one more generated row costs more metric in repeated errors than it adds, unless "
            "it is "
            "reviewed; the next dollar buys more as human examples."
        )
    else:
        out.append(
            f"Generated rows build on the human rows: with {total_humans:,.0f} human examples, "
            f"beyond about "
            f"{_round(peak)} generated rows nothing more is gained "
            f"({source_text(inp.sources['saturation'], reason=False)}; "
            f"saturation point {float(inp.saturation):.3g} generated rows per human row); past "
            "that the next dollar buys "
            f"more as "
            "human seed examples."
        )
    if rec.synthetic_plan.synthetic_examples > peak:
        out.append(
            f"The all-synthetic plan would buy {_round(rec.synthetic_plan.synthetic_examples)} "
            f"generated "
            f"rows, far past that point: it reaches {rec.synthetic_plan.expected_metric:.3f}, "
            f"against {p.expected_metric:.3f} for this plan."
        )
    out += _beyond_the_pilot(inp, rec)
    sigma = float(np.mean(inp.systematic_share))
    if sigma > 0 and float(np.mean(inp.accuracy)) < 1.0:
        lost = sigma * (1.0 - float(np.mean(inp.accuracy)))
        out.append(
            "Generator errors repeat "
            f"({source_text(inp.sources['systematic_share'], reason=False)}): "
            "trained on its rows alone, "
            f"unreviewed, a "
            f"model would lose about {100 * lost:.1f} points to them; human rows and review "
            f"outvote them."
        )
    return out


# A plan buying more synthetic rows per human row than this many times the pilot's largest batch
# is said to be an extrapolation.
_EXTRAPOLATION = 2.0


def _beyond_the_pilot(inp: Inputs, rec: Recommendation) -> list[str]:
    """Say when the all-synthetic plan's figure lies far past anything the pilot measured.

    The model credits nothing past the pilot's paying range, but how much further damage many more
    generated rows do (human rows swamped, the learner fitted to the generator's distribution) is
    beyond what a pilot shows: in the validation benchmark, plans buying 4 to 17 times the
    pilot's largest batch per human row scored 8 to 15 points below their forecast
    (benchmarks/RESULTS-validation.md).
    """
    measured = float(inp.largest_batch_ratio)
    plan = rec.synthetic_plan
    if not np.isfinite(measured) or measured <= 0 or plan.synthetic_examples <= 0:
        return []
    humans = inp.human_now + plan.human_examples
    ratio = (inp.synthetic_pool + plan.synthetic_examples) / max(humans, 1.0)
    if ratio <= _EXTRAPOLATION * measured:
        return []
    return [
        f"The all-synthetic plan's {plan.expected_metric:.3f} is an extrapolation: it trains on "
        f"{ratio_text(ratio)} generated rows per human row, {ratio / measured:.0f} times the most "
        f"the "
        f"pilot measured "
        f"({ratio_text(measured)}). Past the pilot's range the model credits nothing more, but "
        "cannot see "
        f"how much "
        "worse so many generated rows make it; in the validation benchmark such plans scored 8 to "
        "15 "
        "points below their forecast. A pilot with bigger batches would show it."
    ]


_round = rounded_count


def _show(field: str, value: float, currency: str) -> str:
    return f"{value:.0%}" if field == "accuracy" else money(value, currency)


def _drop_rows(rec: Recommendation) -> str:
    """The plan drops the generated rows in the dataset (``recommend.search_rows_in_hand``)."""
    then = "." if rec.plan.new_examples == 0 else "; the new examples below start from there."
    return (
        f"Drop the {rec.rows_in_hand:,.0f} generated rows already in the dataset: by the measured "
        f"response they lower the metric, which rises from {rec.today_metric:.3f} to about "
        f"{rec.metric_without_rows_in_hand:.3f} at no cost{then}"
    )


def _cpp(value: float | None, currency: str) -> str:
    return NO_GAIN if value is None else money(value, currency)


def _tail_raised(scenario: Scenario, policy: Policy) -> bool:
    level = policy.factors.edge_cases.levels[scenario.factors.edge_cases].tail_weight
    return guardrails(scenario, policy).tail_weight > level + 1e-12


def _what_would_change(
    scenario: Scenario, policy: Policy, inp: Inputs, rec: Recommendation
) -> list[str]:
    out: list[str] = []
    g = inp.guardrails
    if rec.binding != "economics" and g.cap_source.key in FACTOR_NAMES:
        key = g.cap_source.key
        level = getattr(scenario.factors, key)
        step = 1 if key == "iteration_maturity" else -1
        if 1 <= level + step <= 5:
            alt = scenario.model_copy(
                update={"factors": scenario.factors.model_copy(update={key: level + step})}
            )
            new_cap = guardrails(alt, policy)
            if new_cap.max_synthetic_share > g.max_synthetic_share:
                out.append(
                    f"If the {FACTOR_TITLES[key]} were {level + step} instead of {level}, the cap "
                    f"would "
                    f"rise to {new_cap.max_synthetic_share:.0%} (then set by "
                    f"{new_cap.cap_source.title})."
                )
    held = []
    directions = {"human": (True,), "synthetic": (False,), "hybrid": (True, False)}[rec.label]
    # Toward more synthetic data the label can only change if the cap lets the share cross the
    # next label line; skip searches the guardrails have already decided.
    next_line = policy.labels.human_below if rec.label == "human" else policy.labels.synthetic_above
    if g.max_synthetic_share <= next_line:
        directions = tuple(d for d in directions if not d)
    for field, title in (("accuracy", "generator accuracy"), ("human_cost", "human label price")):
        hits = [h for d in directions if (h := label_threshold(policy, inp, field, rec.label, d))]
        if not hits:
            lo, hi = plausible_range(inp, field)
            held.append(
                f"any {title} from {_show(field, lo, rec.currency)} to "
                f"{_show(field, hi, rec.currency)}"
            )
        now = float(np.mean(getattr(inp, field)))
        for value, new_label in hits:
            verb = "rises to" if value > now else "falls to"
            out.append(
                f"If the {title} {verb} {_show(field, value, rec.currency)} (today "
                f"{_show(field, now, rec.currency)}), the recommendation becomes "
                f"{LABEL_TITLES[new_label].lower()}."
            )
    if held:
        found_any = len(held) < 2
        tail = (
            ": the guardrails, not prices, decide it."
            if rec.binding != "economics" and not found_any
            else "."
        )
        out.append(
            f"The {LABEL_TITLES[rec.label].lower()} answer holds for " + " and ".join(held) + tail
        )
    return out
