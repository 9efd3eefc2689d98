"""The recommendation as callers see it: the plan search's decision with its rationale attached.

``hybrid.model.recommend.decide`` searches the plans and knows nothing of explanations;
``hybrid.explain.rationale.explain`` writes the sentences and, for "what would change it", re-runs
the plan search through ``hybrid.explain.sensitivity``. Composing the two here, above both, keeps
the imports one-way (explain imports model, never the reverse), where they used to run in a circle
recommend -> rationale -> sensitivity -> recommend.
"""

from __future__ import annotations

from dataclasses import replace

from hybrid.explain.rationale import explain
from hybrid.model.economics import Inputs, resolve_inputs
from hybrid.model.policy import Policy
from hybrid.model.recommend import Recommendation, decide
from hybrid.model.scenario import Scenario


def recommend(scenario: Scenario, policy: Policy) -> Recommendation:
    """Stage 1 bounds from the policy, stage 2 economics inside them; pure and deterministic."""
    inp = resolve_inputs(scenario, policy)
    return recommend_inputs(scenario, policy, inp)


def recommend_inputs(scenario: Scenario, policy: Policy, inp: Inputs) -> Recommendation:
    """``recommend`` on inputs already resolved (the dashboard caches them across reruns)."""
    rec = decide(scenario, policy, inp)
    why, changes = explain(scenario, policy, inp, rec)
    return replace(rec, rationale=tuple(why + changes), changes=tuple(changes))
