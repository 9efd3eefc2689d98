"""Benchmarks for object storage and the Spark engine; the numbers in ``STORAGE_SPARK_RESULTS.md``.

Run from the repository root (the shards are generated with a fixed seed under ``var/bench/`` on
the first run and reused):

    .venv/bin/python -m benchmarks.bench_storage_spark                  # both
    .venv/bin/python -m benchmarks.bench_storage_spark --only storage   # or: spark, merge

What is measured:

- ``storage``: ``profile_files`` on ``s3://bench/shards/*.parquet`` (8 Parquet shards, 1,000,000
  rows, served by a moto S3 server on 127.0.0.1) against ``profile_files`` on the same 8 local
  files, interleaved in the same run; target: at most 2x.
- ``spark``: the Spark session's start-up alone, then ``profile_spark`` on the 8 shards
  repartitioned into 8 and into 64 partitions (local[2], the machine's two cores), against the
  command line's ``profile_files`` on the same shards in the same run.
- ``merge``: the size of one partition's statistics document and the time of one merge step
  (two documents parsed, merged, written), the numbers docs/scale.md extrapolates from.

Each figure is printed with the load average (``os.getloadavg``) read just before it: the machine
is shared, and a load above its two cores stretches every time.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

DATA = ROOT / "var" / "bench" / "shards_1m"
ROWS = 1_000_000
SHARDS = 8


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (5 min {five:.1f})"


def make_shards() -> list[Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    paths = [DATA / f"part-{i}.parquet" for i in range(SHARDS)]
    if all(p.exists() for p in paths):
        return paths
    rng = np.random.default_rng(7)
    classes = np.array([f"class_{i:03d}" for i in range(200)])
    weights = 1.0 / np.arange(1, 201) ** 1.1
    label = rng.choice(classes, ROWS, p=weights / weights.sum())
    words = np.array("the a order refund parcel login late account billing card help".split())
    text = [" ".join(rng.choice(words, 8)) + f" {i % 700_000}" for i in range(ROWS)]
    flip = rng.random(ROWS) < 0.15
    frame = pd.DataFrame(
        {
            "text": text,
            "label": label,
            "annotator_1": label,
            "annotator_2": np.where(flip, rng.choice(classes, ROWS), label),
            "source": rng.choice(["human", "synthetic"], ROWS, p=[0.7, 0.3]),
            "slice": rng.choice(["chat", "email", "phone", "social"], ROWS),
        }
    )
    for i, path in enumerate(paths):
        frame.iloc[i::SHARDS].to_parquet(path, index=False)
    return paths


def start_moto() -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not start")


def bench_storage(paths: list[Path], repeats: int) -> dict:
    from pyarrow import fs as pafs

    from hybrid.evidence.profile import profile_files

    proc, port = start_moto()
    try:
        os.environ.update(
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        )
        fs = pafs.S3FileSystem(
            endpoint_override=f"127.0.0.1:{port}",
            scheme="http",
            region="us-east-1",
            allow_bucket_creation=True,
        )
        fs.create_dir("bench")
        for p in paths:
            pafs.copy_files(str(p), f"bench/shards/{p.name}", destination_filesystem=fs)
        url = "s3://bench/shards/*.parquet"
        local_files = [str(p) for p in paths]
        profile_files(local_files)  # warm-up: imports, connection
        same = _doc(profile_files(local_files)) == _doc(profile_files([url]))
        pairs = []
        for _ in range(repeats):
            before = load()
            t0 = time.perf_counter()
            profile_files(local_files)
            t1 = time.perf_counter()
            profile_files([url])
            t2 = time.perf_counter()
            pairs.append({"local": t1 - t0, "s3": t2 - t1, "load": before})
            print(f"  local {t1 - t0:.2f} s, s3 {t2 - t1:.2f} s ({before})", flush=True)
        ratio = statistics.median(p["s3"] / p["local"] for p in pairs)
        return {
            "rows": ROWS,
            "shards": len(paths),
            "bytes": sum(p.stat().st_size for p in paths),
            "pairs": pairs,
            "median_local": statistics.median(p["local"] for p in pairs),
            "median_s3": statistics.median(p["s3"] for p in pairs),
            "median_ratio": ratio,
            "equal_statistics": same,
        }
    finally:
        proc.terminate()
        proc.wait(10)


def _doc(prof) -> dict:
    data = prof.to_stats()
    data.pop("generator", None)
    data.pop("inputs", None)
    return data


def bench_spark(paths: list[Path], partitions: list[int]) -> dict:
    from hybrid.evidence.profile import profile_files
    from hybrid.evidence.spark import profile_spark, spark_session

    glob = str(DATA / "*.parquet")
    before = load()
    t0 = time.perf_counter()
    spark = spark_session("local[2]", app_name="hybrid-bench")
    spark.range(1).collect()
    startup = time.perf_counter() - t0
    print(f"  Spark session start-up {startup:.1f} s ({before})", flush=True)
    out: dict = {"startup_s": startup, "startup_load": before, "runs": []}
    profile_spark(glob, spark=spark, partitions=2)  # warm-up: Python workers, imports
    for n in partitions:
        before = load()
        t0 = time.perf_counter()
        cli = profile_files([str(p) for p in paths])
        t_cli = time.perf_counter() - t0
        before_spark = load()
        t0 = time.perf_counter()
        prof = profile_spark(glob, spark=spark, partitions=n)
        t_spark = time.perf_counter() - t0
        same = _doc(prof) == _doc(cli)
        print(
            f"  {n} partitions: Spark {t_spark:.1f} s ({before_spark}), CLI {t_cli:.1f} s "
            f"({before}), equal statistics: {same}",
            flush=True,
        )
        out["runs"].append(
            {
                "partitions": n,
                "spark_s": t_spark,
                "spark_load": before_spark,
                "cli_s": t_cli,
                "cli_load": before,
                "equal_statistics": same,
            }
        )
    spark.stop()
    return out


def bench_merge(paths: list[Path]) -> dict:
    import pyarrow.parquet as pq

    from hybrid.evidence.batches import profile_batches
    from hybrid.evidence.spark import document, from_document, merge_two

    table = pq.read_table(paths[0])
    half = table.num_rows // 2
    a = profile_batches(table.slice(0, half), name="a")
    b = profile_batches(table.slice(half), name="b")
    doc_a, doc_b = document(a), document(b)
    parse, merge, pickled = [], [], 0
    for _ in range(7):
        t0 = time.perf_counter()
        pa_, pb_ = from_document(doc_a), from_document(doc_b)
        t1 = time.perf_counter()
        merged = merge_two(pa_, pb_)
        t2 = time.perf_counter()
        parse.append((t1 - t0) / 2)
        merge.append(t2 - t1)
        pickled = len(pickle.dumps(merged))
    rows = table.num_rows
    before = load()
    scans = []
    for _ in range(3):
        t0 = time.perf_counter()
        profile_batches(table, name="whole")
        scans.append(time.perf_counter() - t0)
    return {
        "document_bytes": len(doc_a),
        "pickled_profile_bytes": pickled,
        "parse_document_s": statistics.median(parse),
        "merge_step_s": statistics.median(merge),
        "partition_rows": rows,
        "partition_parquet_bytes": paths[0].stat().st_size,
        "partition_arrow_bytes": table.nbytes,
        "partition_scan_s": min(scans),
        "load": before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="storage,spark,merge")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--partitions", default="8,64")
    args = parser.parse_args()
    only = set(args.only.split(","))
    paths = make_shards()
    results: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    if "storage" in only:
        print("object storage vs local:", flush=True)
        results["storage"] = bench_storage(paths, args.repeats)
    if "merge" in only:
        print("one partition's document and one merge step:", flush=True)
        results["merge"] = bench_merge(paths)
        print(f"  {results['merge']}", flush=True)
    if "spark" in only:
        print("Spark:", flush=True)
        results["spark"] = bench_spark(paths, [int(n) for n in args.partitions.split(",")])
    out = ROOT / "var" / "bench" / "storage_spark.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"results in {out}")


if __name__ == "__main__":
    main()
