"""Benchmarks for dataset profiling and evidence; the numbers in ``PROFILE_RESULTS.md``.

Run from the repository root (data is generated with a fixed seed under ``var/bench/`` on the
first run, about 2.5 GB, and reused):

    .venv/bin/python -m benchmarks.bench_profile                 # everything
    .venv/bin/python -m benchmarks.bench_profile --only profile  # one or more of:
        profile, baselines, memory, curve

What is measured, against the targets of the profiling issue:

- ``profile``: ``profile_file`` on a 1,000,000-row CSV (~90 MB: text, a 200-class long-tail label,
  two annotators, a source and a slice column) against one bare DuckDB aggregate scan of the same
  file (``count(*)`` and ``count(col)`` of every column, fresh connection), interleaved in the same
  run; target: at most 2x.
- ``baselines``: pandas (``read_csv`` + ``value_counts`` + ``duplicated``) and ydata-profiling's
  minimal mode on the same file. ydata-profiling runs from its own virtualenv (``--ydata-python``,
  default ``/tmp/ydata-venv/bin/python``) so that its pins never touch the project's; target: the
  profile at least 20x faster.
- ``memory``: peak resident memory of a child process profiling a Parquet file over 1 GB; target:
  under 1 GB.
- ``curve``: ``learning_curve`` on 50,000 rows of the CSV, pinned to two cores; target: under 20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

DATA = ROOT / "var" / "bench"
CSV = DATA / "profile_1m.csv"
CSV_50K = DATA / "curve_50k.csv"
PARQUET = DATA / "profile_big.parquet"
COLUMNS = ("text", "label", "annotator_1", "annotator_2", "source", "slice")


def make_csv(path: Path, rows: int = 1_000_000, classes: int = 200, seed: int = 0) -> None:
    """Text of eight words, half of them from a class's own vocabulary; Zipf(1.1) labels;
    annotators agreeing with the label 90% and 85% of the time; 30% synthetic; 2% duplicates."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, classes + 1) ** 1.1
    p /= p.sum()
    y = rng.choice(classes, size=rows, p=p)
    vocab = np.array([f"w{i}" for i in range(5000)])
    own = rng.integers(0, 5000, size=(classes, 8))
    words = []
    for _ in range(8):
        pick = np.where(
            rng.random(rows) < 0.5, own[y, rng.integers(0, 8, rows)], rng.integers(0, 5000, rows)
        )
        words.append(pd.Series(vocab[pick]))
    text = words[0].str.cat(words[1:], sep=" ")
    names = np.array([f"class_{i:03d}" for i in range(classes)])

    def annotator(acc: float) -> np.ndarray:
        out = y.copy()
        flip = rng.random(rows) > acc
        out[flip] = rng.choice(classes, size=int(flip.sum()), p=p)
        return names[out]

    frame = pd.DataFrame(
        {
            "text": text,
            "label": names[y],
            "annotator_1": annotator(0.90),
            "annotator_2": annotator(0.85),
            "source": np.where(rng.random(rows) < 0.3, "synthetic", "human"),
            "slice": np.array(["en", "de", "fr", "es", "ja"])[rng.integers(0, 5, rows)],
        }
    )
    dup = rng.random(rows) < 0.02
    frame.loc[dup] = frame.iloc[rng.integers(0, rows, int(dup.sum()))].to_numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)


def make_parquet(path: Path, rows: int = 24_000_000) -> None:
    """Over 1 GB: a random 96-character text per row (md5 hex, hardly compressible) plus the same
    kinds of columns as the CSV, written by DuckDB without loading it in Python."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": "2GB", "preserve_insertion_order": False})
    con.execute(f"""
        COPY (
          SELECT md5(i::VARCHAR) || md5((i * 7)::VARCHAR) || md5((i * 13)::VARCHAR) AS text,
                 'class_' || lpad(y::VARCHAR, 3, '0') AS label,
                 'class_' || lpad((CASE WHEN r1 < 0.9 THEN y ELSE (hash(i, 1) % 200) END)::VARCHAR,
                                  3, '0') AS annotator_1,
                 'class_' || lpad((CASE WHEN r2 < 0.85 THEN y ELSE (hash(i, 2) % 200) END)::VARCHAR,
                                  3, '0') AS annotator_2,
                 CASE WHEN r3 < 0.3 THEN 'synthetic' ELSE 'human' END AS source,
                 ['en', 'de', 'fr', 'es', 'ja'][1 + (hash(i, 3) % 5)::INTEGER] AS slice
          FROM (
            SELECT i, CAST(floor(200 * pow(random(), 3)) AS INTEGER) AS y,
                   random() AS r1, random() AS r2, random() AS r3
            FROM range({rows}) t(i)
          )
        ) TO '{path}' (FORMAT parquet)
    """)
    con.close()


def ensure_data(need: set[str]) -> None:
    if need & {"profile", "baselines", "curve"} and not CSV.exists():
        print(f"generating {CSV} ...", flush=True)
        make_csv(CSV)
    if "curve" in need and not CSV_50K.exists():
        pd.read_csv(CSV, nrows=50_000).to_csv(CSV_50K, index=False)
    if "memory" in need and not PARQUET.exists():
        print(f"generating {PARQUET} ...", flush=True)
        make_parquet(PARQUET)


def bare_scan_sql(path: Path) -> str:
    counts = ", ".join(f"count({c})" for c in COLUMNS)
    return f"SELECT count(*), {counts} FROM read_csv('{path}')"


def bench_profile(repeats: int) -> dict:
    """Interleave bare scans and profiles so that both see the same machine load."""
    from hybrid.evidence.profile import profile_file

    profile_file(CSV)
    bare, prof, ratios = [], [], []
    for _ in range(repeats):
        con = duckdb.connect()
        t = time.perf_counter()
        con.execute(bare_scan_sql(CSV)).fetchall()
        b = time.perf_counter() - t
        con.close()
        t = time.perf_counter()
        result = profile_file(CSV)
        p = time.perf_counter() - t
        bare.append(b)
        prof.append(p)
        ratios.append(p / b)
    return {
        "rows": result.rows,
        "file_mb": CSV.stat().st_size / 1e6,
        "bare_scan_s": statistics.median(bare),
        "profile_s": statistics.median(prof),
        "ratio_median_of_pairs": statistics.median(ratios),
        "ratio_of_best": min(prof) / min(bare),
        "repeats": repeats,
        "duplicate_share": result.duplicate_share,
        "near_duplicate_share": result.near_duplicate_share,
        "tail_share": result.tail_share,
        "kappa": result.agreement().kappa,
    }


PANDAS_BASELINE = """
import sys, time
import pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
df["label"].value_counts()
df.duplicated().mean()
print(time.perf_counter() - t)
"""

YDATA_BASELINE = """
import sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from ydata_profiling import ProfileReport
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
ProfileReport(df, minimal=True, progress_bar=False).to_json()
print(time.perf_counter() - t)
"""


def bench_baselines(ydata_python: str, profile_s: float | None) -> dict:
    from hybrid.evidence.profile import profile_file

    if profile_s is None:
        t = time.perf_counter()
        profile_file(CSV)
        profile_s = time.perf_counter() - t
    out: dict = {"profile_s": profile_s}
    run = subprocess.run(
        [sys.executable, "-c", PANDAS_BASELINE, str(CSV)],
        capture_output=True,
        text=True,
        check=True,
    )
    out["pandas_s"] = float(run.stdout.strip().splitlines()[-1])
    out["pandas_over_profile"] = out["pandas_s"] / profile_s
    if not Path(ydata_python).exists():
        out["ydata"] = f"not run: {ydata_python} not found"
        return out
    version = subprocess.run(
        [ydata_python, "-W", "ignore", "-c", "import ydata_profiling as y; print(y.__version__)"],
        capture_output=True,
        text=True,
    )
    run = subprocess.run(
        [ydata_python, "-c", YDATA_BASELINE, str(CSV)], capture_output=True, text=True
    )
    if run.returncode != 0:
        out["ydata"] = f"failed: {run.stderr.strip().splitlines()[-1:]}"
        return out
    out["ydata_version"] = version.stdout.strip()
    out["ydata_minimal_s"] = float(run.stdout.strip().splitlines()[-1])
    out["ydata_over_profile"] = out["ydata_minimal_s"] / profile_s
    return out


MEMORY_CHILD = """
import resource, sys, time
from hybrid.evidence.profile import profile_file
t = time.perf_counter()
p = profile_file(sys.argv[1])
took = time.perf_counter() - t
print(p.rows, took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bench_memory() -> dict:
    run = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(PARQUET)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows, took, rss_kb = run.stdout.strip().splitlines()[-1].split()
    return {
        "file_gb": PARQUET.stat().st_size / 1e9,
        "rows": int(rows),
        "profile_s": float(took),
        "peak_rss_mb": int(rss_kb) / 1024,
    }


CURVE_CHILD = """
import os, sys, time
os.sched_setaffinity(0, {0, 1})
from hybrid.evidence.learning import learning_curve
t = time.perf_counter()
r = learning_curve(sys.argv[1], "label")
took = time.perf_counter() - t
import json
print(json.dumps({"seconds": took, "backtest_error": r.backtest_error, "points": r.points,
                  "model": r.model}))
"""


def bench_curve() -> dict:
    run = subprocess.run(
        [sys.executable, "-c", CURVE_CHILD, str(CSV_50K)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="profile,baselines,memory,curve")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--ydata-python", default="/tmp/ydata-venv/bin/python")
    parser.add_argument("--out", default=str(DATA / "results.json"))
    args = parser.parse_args(argv)
    need = {s.strip() for s in args.only.split(",") if s.strip()}
    ensure_data(need)
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "load_average": os.getloadavg(),
        }
    }
    if "profile" in need:
        results["profile"] = bench_profile(args.repeats)
        print(json.dumps(results["profile"], indent=1), flush=True)
    if "baselines" in need:
        prof_s = results.get("profile", {}).get("profile_s")
        results["baselines"] = bench_baselines(args.ydata_python, prof_s)
        print(json.dumps(results["baselines"], indent=1), flush=True)
    if "memory" in need:
        results["memory"] = bench_memory()
        print(json.dumps(results["memory"], indent=1), flush=True)
    if "curve" in need:
        results["curve"] = bench_curve()
        print(json.dumps(results["curve"], indent=1), flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(textwrap.dedent(f"results written to {args.out}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
