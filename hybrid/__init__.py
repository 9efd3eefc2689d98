"""Human vs synthetic training data: the decision core, without any UI.

Subpackages, lowest layer first; each may import only the layers listed before it (and the shared
``hybrid.errors``, ``hybrid.palette``, ``hybrid.money`` and this module's ``__version__``), never
Streamlit.
tests/test_import_graph.py enforces both rules.

- ``model``: the scenario and policy schemas, learning curves, economics, the plan search.
- ``evidence``: reading and profiling datasets, statistics files, measured learning curves.
- ``explain``: the rationale and the sensitivity analysis above the plan search, and
  ``explain.recommendation.recommend``, the search and its explanation composed.
- ``whatif``: comparing scenarios, Monte Carlo uncertainty, the model-collapse simulator.
- ``store``: the scenario library (SQLite or PostgreSQL).
- ``share``: reports (HTML, Markdown, JSON, PDF) and the shareable URL codec.
- ``cli``: ``python -m hybrid``, one module per command group.
"""

# The one place the version is written: pyproject.toml reads it (setuptools dynamic version).
__version__ = "0.17.0"
