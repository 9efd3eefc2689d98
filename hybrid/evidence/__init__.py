"""Evidence from the team's data: reading and profiling datasets (``profile`` and its parts:
``limits``, ``roles``, ``sketch``, ``agreement``, ``stats``, ``readers``, ``scan``, ``statsfile``)
and measured learning curves and exchange rates (``learning``).

May import: ``hybrid.model`` (the ``Dataset`` and curve types it fills in), ``hybrid.errors``.
"""
