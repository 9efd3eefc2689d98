"""Evidence from the team's data: reading and profiling datasets (``profile`` and its parts:
``limits``, ``roles``, ``sketch``, ``agreement``, ``stats``, ``readers``, ``scan``, ``statsfile``),
Arrow data (``batches``), object storage (``remote``) and Spark (``spark``; PySpark, fsspec and
pyarrow's S3 client are imported only inside the functions that use them), and measured learning
curves and exchange rates (``learning``).

May import: ``hybrid.model`` (the ``Dataset`` and curve types it fills in), ``hybrid.errors``.
"""
