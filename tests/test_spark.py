"""The Spark engine (issue 22): per-partition statistics from ``mapInArrow`` running the project's
scan, merged with ``treeReduce``, equal to the command line's statistics file on the same shards,
on one partition and on several. One Spark session (local mode) serves every test in the session;
the tests run wherever Java is installed (scripts/test installs it when missing).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hybrid.cli.main import main
from tests.conftest import ROOT

SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"

pytestmark = [
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java"),
    # mapInArrow does not use pandas; PySpark warns about pandas 3 on every DataFrame job.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


@pytest.fixture(scope="session")
def spark():
    """One local session for every test. Its Python workers keep the environment the session
    started with, so the (fake) credentials of the moto server below are set first."""
    from hybrid.evidence.spark import spark_session

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", "spark-tests")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "spark-tests")
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        session = spark_session("local[2]", app_name="hybrid-tests")
        yield session
        session.stop()


@pytest.fixture(scope="session")
def s3_shards(shards):
    """The shards on a moto S3 server on 127.0.0.1 (no authentication: the credentials are fake)."""
    from pyarrow import fs as pafs

    from tests.test_object_storage import free_port, wait_for

    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(port, proc)
        fs = pafs.S3FileSystem(
            access_key="spark-tests",
            secret_key="spark-tests",
            endpoint_override=f"127.0.0.1:{port}",
            scheme="http",
            region="us-east-1",
            allow_bucket_creation=True,
        )
        fs.create_dir("spark-shards")
        for p in sorted(shards.glob("*.parquet")):
            pafs.copy_files(str(p), f"spark-shards/{p.name}", destination_filesystem=fs)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def shards(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark-shards")
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    for i in range(4):
        frame.iloc[i::4].to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


def _stats(path) -> dict:
    data = yaml.safe_load(path.read_text())
    for key in ("generator", "inputs"):
        data.pop(key, None)
    return data


@pytest.fixture(scope="session")
def cli_stats(shards, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "stats.yaml"
    files = sorted(str(p) for p in shards.glob("*.parquet"))
    assert main(["profile", *files, "-o", str(out), "--quiet"]) == 0
    return _stats(out)


@pytest.mark.parametrize("partitions", [1, 5])
def test_spark_statistics_equal_the_cli(spark, shards, cli_stats, tmp_path, partitions, capsys):
    out = tmp_path / "spark.yaml"
    code = main(
        [
            "profile",
            "--engine",
            "spark",
            str(shards / "*.parquet"),
            "--partitions",
            str(partitions),
            "-o",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert _stats(out) == cli_stats
    written = yaml.safe_load(out.read_text())["inputs"]
    assert written == [
        {
            "name": str(shards / "*.parquet"),
            "format": "spark",
            "rows": 2000,
            "partitions": partitions,
        }
    ]


def test_staged_merge_of_many_partitions_equals_the_cli(spark, shards, cli_stats):
    from hybrid.evidence.spark import profile_spark

    prof = profile_spark(str(shards / "*.parquet"), spark=spark, partitions=12, depth=3)
    data = prof.to_stats()
    data.pop("generator")
    data.pop("inputs")
    assert data == cli_stats


def test_an_s3_url_read_by_the_workers(spark, s3_shards, cli_stats, monkeypatch):
    """Objects listed on the driver, each task reading its share with pyarrow's S3 client."""
    from hybrid.evidence.remote import use_endpoint
    from hybrid.evidence.spark import profile_spark

    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(var, "spark-tests")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with use_endpoint(s3_shards):
        prof = profile_spark("s3://spark-shards/*.parquet", spark=spark, partitions=2)
    data = prof.to_stats()
    assert data["inputs"] == [
        {"name": "s3://spark-shards/*.parquet", "format": "s3", "rows": 2000, "partitions": 2}
    ]
    data.pop("generator")
    data.pop("inputs")
    assert data == cli_stats


def test_a_table_name(spark, shards, cli_stats):
    from hybrid.evidence.spark import profile_spark

    spark.read.parquet(str(shards / "*.parquet")).createOrReplaceTempView("tickets")
    data = profile_spark("tickets", spark=spark, partitions=3).to_stats()
    assert data["inputs"][0]["name"] == "tickets"
    data.pop("generator")
    data.pop("inputs")
    assert data == cli_stats


def test_a_missing_source_is_one_line(spark, tmp_path, capsys):
    out = tmp_path / "stats.yaml"
    code = main(
        ["profile", "--engine", "spark", str(tmp_path / "none" / "*.parquet"), "-o", str(out)]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1].startswith("error: ") and "Spark cannot read it" in err[-1]
    assert not any("Traceback" in line for line in err) and not out.exists()


def test_without_pyspark_the_engine_says_how_to_install_it(tmp_path):
    """Run in a fresh interpreter where ``import pyspark`` fails."""
    code = (
        "import sys; sys.modules['pyspark'] = None\n"
        "from hybrid.cli.main import main\n"
        "raise SystemExit(main(['profile', '--engine', 'spark', 'x.parquet']))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install -r requirements-spark.txt" in lines[0]
    assert not (tmp_path / "x.yaml").exists()


def test_hybrid_has_no_engine_imports_at_module_level():
    """hybrid/ imports pyspark, fsspec and boto only inside the functions that need them."""
    code = (
        "import sys, hybrid.cli.main, hybrid.evidence.profile, hybrid.evidence.spark, "
        "hybrid.evidence.remote, hybrid.evidence.batches\n"
        "bad = [m for m in ('pyspark', 'fsspec', 'boto3', 'botocore', 'py4j')"
        " if m in sys.modules]\n"
        "print(bad)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.stdout.strip() == "[]", run.stderr


def test_merge_depth_keeps_each_stage_small():
    from hybrid.evidence.spark import MERGE_FAN_IN, merge_depth

    assert merge_depth(1) == merge_depth(64) == merge_depth(4096) == 2
    assert merge_depth(20_000) == 3 and merge_depth(80_000) == 3
    for n in (5, 5000, 20_000, 10**6):
        d = merge_depth(n)
        assert round(n ** (1 / d)) <= MERGE_FAN_IN
