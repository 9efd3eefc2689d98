"""Evidence from the team's data: reading and profiling datasets (``profile`` and its parts:
``limits``, ``roles``, ``sketch``, ``agreement``, ``stats``, ``readers``, ``scan``, ``statsfile``),
Arrow data (``batches``), object storage (``remote``) and Spark (``spark``; PySpark, fsspec and
pyarrow's S3 client are imported only inside the functions that use them), and measurements on the
data: the fitting ``harness`` and one module per procedure (``learning_curve``, ``exchange``,
``response``), ``calibrate`` (a base scenario filled in from a pilot file, for the command line and
the Dataset page alike), and ``learning`` re-exporting them.

May import: ``hybrid.model`` (the ``Dataset`` and curve types it fills in), ``hybrid.errors``.
"""
