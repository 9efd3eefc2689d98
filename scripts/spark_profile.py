"""The Spark engine's entry point for a cluster, the same as ``python -m hybrid profile --engine
spark`` with the master chosen by spark-submit:

    zip -qr hybrid.zip hybrid
    spark-submit --py-files hybrid.zip scripts/spark_profile.py 's3://bucket/shards/*.parquet' \\
        -o stats.yaml [--partitions N] [--label COL ...]

The script does not patch ``sys.path``: the ``hybrid`` package must be importable where Spark runs
this file and its tasks. ``--py-files hybrid.zip`` puts it on the path of the driver and of every
executor; the other way is the package installed on the driver and the executors (``pip install .``
from this repository, or in the cluster's image). From a checkout with neither, run it as
``python -m scripts.spark_profile`` from the repository root. The executors also need this
project's requirements.txt installed (duckdb, numpy, pyarrow, PyYAML); see docs/object-storage.md
and docs/scale.md.
"""

from __future__ import annotations

import sys

from hybrid.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main(["profile", "--engine", "spark", "--spark-master", "", *sys.argv[1:]]))
