"""The report's optional sections as plain data: tornado bars and Monte Carlo percentiles.

The report builder takes these results as data and never imports the analysis modules, so a report
without the two sections needs neither; the command line and the Report page call this.
"""

from __future__ import annotations

from hybrid.errors import InputError
from hybrid.explain.recommendation import recommend_inputs
from hybrid.explain.sensitivity import tornado
from hybrid.model.economics import resolve_inputs
from hybrid.model.policy import Policy
from hybrid.model.scenario import Scenario
from hybrid.whatif.uncertainty import DEFAULT_DRAWS, monte_carlo


def compute_analyses(
    scenario: Scenario,
    policy: Policy,
    *,
    sensitivity: bool = True,
    uncertainty: bool = True,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
):
    """Tornado bars and Monte Carlo percentiles as plain data for ``build_report``.

    Returns ``(sensitivity, uncertainty)``, each None when not asked for.
    """
    if not (sensitivity or uncertainty):
        return None, None
    inp = resolve_inputs(scenario, policy)
    sens = unc = None
    if sensitivity:
        sens = [b.to_dict() for b in tornado(inp, policy)]
    if uncertainty:
        if draws < 100:
            raise InputError(f"--draws: at least 100 draws are needed, got {draws}")
        rec = recommend_inputs(scenario, policy, inp)
        plans = [(p.name, p.synthetic_share, p.review_coverage) for p in rec.plans]
        unc = monte_carlo(inp, plans, policy.ranges, rec.mode, draws=draws, seed=seed).by_name()
    return sens, unc
