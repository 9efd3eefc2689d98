"""What-if tools over the model: comparing scenarios, Monte Carlo uncertainty, the model-collapse
simulator.

May import: ``hybrid.model``, ``hybrid.explain``, ``hybrid.errors``.
"""
