"""The Spark engine's entry point for a cluster, the same as ``python -m hybrid profile --engine
spark`` with the master chosen by spark-submit:

    zip -qr hybrid.zip hybrid
    spark-submit --py-files hybrid.zip scripts/spark_profile.py 's3://bucket/shards/*.parquet' \\
        -o stats.yaml [--partitions N] [--label COL ...]

The executors need this project's requirements.txt installed (duckdb, numpy, pyarrow, PyYAML);
see docs/scale.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hybrid.cli.main import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(["profile", "--engine", "spark", "--spark-master", "", *sys.argv[1:]]))
