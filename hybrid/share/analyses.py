"""The report's optional sections as plain data, read from the one analysis.

Kept for callers that want the tornado bars and Monte Carlo percentiles as dicts; the command line
and the Report page pass the ``Analysis`` itself to ``build_report``.
"""

from __future__ import annotations

from hybrid.model.policy import Policy
from hybrid.model.scenario import Scenario
from hybrid.whatif.analysis import build_analysis
from hybrid.whatif.uncertainty import DEFAULT_DRAWS


def compute_analyses(
    scenario: Scenario,
    policy: Policy,
    *,
    sensitivity: bool = True,
    uncertainty: bool = True,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
):
    """Tornado bars and Monte Carlo percentiles of ``build_analysis`` as plain data.

    Returns ``(sensitivity, uncertainty)``, each None when not asked for.
    """
    if not (sensitivity or uncertainty):
        return None, None
    a = build_analysis(
        scenario, policy, sensitivity=sensitivity, uncertainty=uncertainty, draws=draws, seed=seed
    )
    sens = [b.to_dict() for b in a.sensitivity] if a.sensitivity is not None else None
    unc = a.uncertainty.by_name() if a.uncertainty is not None else None
    return sens, unc
