"""The decision model: scenario and policy schemas, learning curves, economics, the plan search.

May import: ``hybrid.errors``, ``hybrid.money`` (the money formatter) and third-party numerics
(NumPy, SciPy, pydantic, PyYAML). Nothing else in ``hybrid``: every other layer builds on this one.
"""
