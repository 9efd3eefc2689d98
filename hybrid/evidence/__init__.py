"""Evidence from the team's data: reading and profiling datasets, statistics files, and measured
learning curves and exchange rates (``learning``).

May import: ``hybrid.model`` (the ``Dataset`` and curve types it fills in), ``hybrid.errors``.
"""
