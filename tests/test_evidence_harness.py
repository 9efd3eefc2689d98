"""The fitting harness every evidence measurement shares (hybrid/evidence/harness.py): repeats that
thin with size, one growing-subsets loop, fits never repeated, threads sized to the free cores, and
the split modules' public names."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import load_digits

from hybrid.evidence import harness
from hybrid.evidence.harness import (
    REPEAT_ROWS,
    FitRunner,
    free_cores,
    growing_subsets,
    planned_fits,
    prepare,
    runs_at,
)

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "hybrid" / "evidence"


def digits_task():
    data = load_digits(as_frame=True)
    frame = data.frame.copy()
    frame["target"] = frame["target"].astype(str)
    return prepare(frame.head(600), "target", name="digits")


@given(st.integers(1, 10_000_000), st.integers(1, 12))
def test_repeats_thin_with_size_but_never_below_one(size, runs):
    n = runs_at(size, runs)
    assert 1 <= n <= runs
    if size <= REPEAT_ROWS:
        assert n == runs
    assert runs_at(size * 2, runs) <= n


def test_a_fit_of_the_same_rows_is_answered_from_memory():
    task = digits_task()
    runner = FitRunner(3, None, None, threads=1)
    train, test = np.arange(400), np.arange(400, 600)
    first = runner.fit_predict(task, train, test, "a")
    again = runner.fit_predict(task, train[::-1].copy(), test, "b")  # same rows, other order
    other = runner.fit_predict(task, train[:300], test, "c")
    assert runner.fitted == 2 and runner.reused == 1 and runner.done == 3
    assert np.array_equal(first, again) and other is not None


def test_growing_subsets_are_nested_and_counted_for_progress():
    task = digits_task()
    seen = []
    runner = FitRunner(1, lambda f, m: seen.append(f), None, threads=1)
    rng = np.random.default_rng(0)
    runs = [(rng.permutation(400), np.arange(400, 600)) for _ in range(3)]
    sizes = [50, 100, 400]
    fits = list(growing_subsets(runner, task, runs, sizes, lambda r, s: f"{r} {s}"))
    assert [(f.run, f.size) for f in fits] == [(r, s) for r in range(3) for s in sizes]
    assert planned_fits(3, sizes) == len(fits)
    assert seen == sorted(seen) and all(0.0 <= f <= 1.0 for f in seen)


def test_large_points_use_fewer_repeats():
    task = digits_task()
    big = 4 * REPEAT_ROWS
    runner = FitRunner(1, None, None, threads=1)
    # Indices may repeat: only the counting matters here.
    order = np.resize(np.arange(600), big)
    runs = [(order, np.arange(100)) for _ in range(4)]
    fits = list(growing_subsets(runner, task, runs, [50, big], lambda r, s: ""))
    assert sum(f.size == 50 for f in fits) == 4
    assert sum(f.size == big for f in fits) == runs_at(big, 4) == 1


def test_free_cores_is_between_one_and_the_machine():
    assert 1 <= free_cores() <= (os.cpu_count() or 1)
    assert FitRunner(1, None, None).threads >= 1


def test_the_synthetic_response_repeats_no_fit(monkeypatch):
    """A pilot with held-out rows trains the same rows more than once in its plan (the full base
    in each repeat, the human curve's bases): those are answered from memory."""
    import yaml

    from hybrid.evidence.response import synthetic_response
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import Scenario

    pilot = ROOT / "data" / "samples" / "digits_pilot.csv"
    data = yaml.safe_load((ROOT / "data" / "samples" / "digits_pilot.yaml").read_text())
    data["economics"]["learning_curve"] = {"points": [[10, 0.5], [100, 0.8], [1000, 0.9]]}
    base = Scenario.from_dict(data, "digits_pilot.yaml")
    calls = []
    real = harness.make_model

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(harness, "make_model", counting)
    result = synthetic_response(pilot, "label", "source", base, load_policy(None), name="pilot")
    assert result.held_out and result.reused > 0
    assert len(calls) == result.fits


MEASUREMENT_MODULES = {
    f"hybrid.evidence.{m}"
    for m in ("harness", "learning_curve", "exchange", "response", "calibrate", "learning")
}


def test_no_underscore_name_is_imported_into_or_out_of_the_measurement_modules():
    """Public names for what other modules use (issue 21, issue 20 item 7): nothing imports an
    underscore name from the measurement modules, and they import none from elsewhere."""
    offenders = []
    folders = ("hybrid", "ui", "pages", "benchmarks", "tests")
    for path in [p for f in folders for p in ROOT.joinpath(f).rglob("*.py")]:
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if node.module not in MEASUREMENT_MODULES and module not in MEASUREMENT_MODULES:
                continue
            offenders += [
                f"{module}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")
            ]
    assert offenders == []


def test_learning_keeps_its_names_for_older_callers():
    from hybrid.evidence import learning

    for name in learning.__all__:
        assert hasattr(learning, name), name
    assert len(EVIDENCE.joinpath("learning.py").read_text().splitlines()) < 100


def test_prepare_is_unchanged_by_the_split():
    frame = pd.DataFrame({"x": np.arange(60) % 7, "label": ["a", "b", "c"] * 20})
    task = prepare(frame, "label")
    assert task.kind == "tabular" and task.features == ["x"]
