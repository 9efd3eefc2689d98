"""Peak memory of the dashboard's and the command line's paths on the hostile pilots of issue 23.

    .venv/bin/python -m benchmarks.hostile_pilot_memory [FOLDER]

Writes the inputs into FOLDER (a temporary folder if not given), then for each runs, in a fresh
process, (a) what the dashboard runs: a process with Streamlit and the pages' helpers loaded, then
the page's own code on the input, and (b) the command, each reporting its peak resident memory
(``ru_maxrss``). The target is under 1 GB for both; results are in docs/hostile-input.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"

PAGE = r"""
import resource, sys, time
import streamlit  # noqa: F401  the server's own baseline
import ui.evidence, ui.workplan  # noqa: F401
from hybrid.errors import InputError
case, path = sys.argv[1], sys.argv[2]
t = time.time()
try:
    if case == "curve":
        from hybrid.evidence import learning
        from hybrid.evidence.pilot import measure
        frame = ui.evidence._frame({"path": path, "file": path}, learning)
        measure(learning.learning_curve, frame, "label", name=path)
    elif case == "stats":
        from hybrid.evidence.profile import profile_files
        profile_files([path])
    else:
        from hybrid.evidence.slices import read_slices
        read_slices(path, slice="seg")
    out = "result"
except InputError as exc:
    out = "refused"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{peak:.0f} {time.time() - t:.1f} {out}")
"""


def make_inputs(d: Path) -> dict[str, tuple[str, list[str]]]:
    rng = np.random.default_rng(23)
    many = np.repeat(np.arange(10_000), 5)
    rng.shuffle(many)
    pd.DataFrame({"label": [f"c{v}" for v in many], "text": [f"w{v} x" for v in many]}).to_csv(
        d / "many-classes.csv", index=False
    )
    words = np.array(["alpha", "beta", "gamma", "delta", "eps", "zeta"])
    text = " ".join(rng.choice(words, 160_000))[:900_000]
    with open(d / "long-texts.csv", "w") as fh:
        fh.write("label,text\n")
        for i in range(215):
            fh.write(f"{'ab'[i % 2]}{i % 3},{text[i:]}\n")
    with open(d / "classes.stats.yaml", "w") as fh:
        fh.write("format: hybrid-profile\nversion: 1\nrows: 2400000\nlabel:\n  column: label\n")
        fh.write("  missing: 0\n  counts:\n")
        fh.writelines(f"    c{i}: 1\n" for i in range(2_400_000))
    tasks = [
        {
            "data": {"text": f"t{i}", "seg": f"s{i % 5}"},
            "annotations": [
                {"completed_by": i, "result": [{"value": {"choices": ["ab"[i % 2]]}}]},
                {"completed_by": (i + 1) % 20_000, "result": [{"value": {"choices": ["a"]}}]},
            ],
        }
        for i in range(20_000)
    ]
    (d / "crowd.json").write_text(json.dumps(tasks))
    return {
        "many-classes.csv": ("curve", ["learning-curve", "--label", "label", "--quiet"]),
        "long-texts.csv": ("curve", ["learning-curve", "--label", "label", "--quiet"]),
        "classes.stats.yaml": ("stats", ["profile"]),
        "crowd.json": ("slices", ["workplan", str(SCENARIO), "--slice", "seg", "--data"]),
    }


def cli_peak(args: list[str]) -> tuple[float, float, int]:
    t = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hybrid", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024, time.time() - t, os.waitstatus_to_exitcode(status)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    cases = make_inputs(folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HYBRID_NO_POSTGRES": "1"}
    print("| Input | Dashboard path: peak MB, s, outcome | Command: peak MB, s, exit |")
    print("| --- | --- | --- |")
    for name, (case, command) in cases.items():
        path = str(folder / name)
        page = subprocess.run(
            [sys.executable, "-c", PAGE, case, path], capture_output=True, text=True, env=env
        ).stdout.strip()
        argv = command + [path] if command[0] == "workplan" else [command[0], path, *command[1:]]
        peak, secs, code = cli_peak(argv)
        print(f"| {name} | {page} | {peak:.0f} {secs:.1f} exit {code} |")


if __name__ == "__main__":
    main()
