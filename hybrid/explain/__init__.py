"""Explanations above the plan search: the rationale's sentences, the sensitivity analysis (tornado,
label thresholds) and ``recommendation.recommend``, the plan search with its rationale attached.

May import: ``hybrid.model``, ``hybrid.errors``. The model never imports this package.
"""
