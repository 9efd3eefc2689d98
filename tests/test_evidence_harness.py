"""The fitting harness every evidence measurement shares (hybrid/evidence/harness.py): repeats that
thin with size, one growing-subsets loop, fits never repeated, threads sized to the free cores, and
the split modules' public names."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
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


def planned(task, sizes=(40, 120, 400), repeats=2):
    rng = np.random.default_rng(1)
    runs = [(rng.permutation(400), np.arange(400, 600)) for _ in range(repeats)]
    return runs, list(sizes)


def test_fits_made_side_by_side_equal_fits_made_one_at_a_time():
    """``fit_ahead`` on two threads gives every prediction the serial loop gives, counts each fit
    once, and the loop then reads them without fitting again."""
    task = digits_task()
    runs, sizes = planned(task)
    serial = FitRunner(planned_fits(2, sizes), None, None, threads=1)
    one = list(growing_subsets(serial, task, runs, sizes, lambda r, s: ""))
    seen = []
    parallel = FitRunner(planned_fits(2, sizes), lambda f, m: seen.append(f), None, threads=2)
    parallel.fit_ahead(
        task, [fit for _, _, fit in harness.subset_fits(runs, sizes, lambda r, s: str(s))]
    )
    made = parallel.fitted
    two = list(growing_subsets(parallel, task, runs, sizes, lambda r, s: ""))
    # The full 400 rows are one fit in both repeats: made once, read twice.
    assert made == serial.fitted == len(one) - 1 and parallel.fitted == made
    assert parallel.done == serial.done == len(one) and parallel.reused == serial.reused == 1
    assert [(f.run, f.size) for f in one] == [(f.run, f.size) for f in two]
    assert all(np.array_equal(a.pred, b.pred) for a, b in zip(one, two, strict=True))
    assert seen and all(0.0 <= f <= 1.0 for f in seen)


def test_fits_made_ahead_start_with_the_largest():
    task = digits_task()
    runs, sizes = planned(task, sizes=(40, 400, 120), repeats=1)
    messages = []
    runner = FitRunner(3, lambda f, m: messages.append(m), None, threads=1)
    runner.fit_ahead(
        task, [fit for _, _, fit in harness.subset_fits(runs, sizes, lambda r, s: str(s))]
    )
    assert messages == ["400", "120", "40"]


def test_stop_while_fitting_ahead_raises_and_keeps_no_half_made_fit():
    task = digits_task()
    runs, sizes = planned(task)
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 2

    runner = FitRunner(6, None, stop, threads=2)
    fits = [fit for _, _, fit in harness.subset_fits(runs, sizes, lambda r, s: str(s))]
    with pytest.raises(harness.Cancelled):
        runner.fit_ahead(task, fits)
    assert runner.fitted <= 2 and len(runner._ahead) == runner.fitted


@given(
    st.lists(st.integers(1, 100_000), min_size=1, max_size=8, unique=True),
    st.integers(1, 1_000_000),
)
def test_a_batch_too_small_for_its_base_is_not_measured(batches, base):
    from hybrid.evidence.response import MIN_BATCH_SHARE, MIN_BATCHES, measured_batches

    kept = measured_batches(batches, base)
    assert kept[0] == 0 and kept[1:] == sorted(set(kept[1:])) and set(kept[1:]) <= set(batches)
    assert len(kept) - 1 >= min(MIN_BATCHES, len(batches))
    assert all(s in kept for s in batches if s >= MIN_BATCH_SHARE * base)
    left_out = set(batches) - set(kept)
    assert all(s < MIN_BATCH_SHARE * base for s in left_out)
    if min(batches) * 16 >= base:
        assert kept == [0, *sorted(batches)]


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


def test_the_screened_response_fit_finds_the_full_grids_optimum():
    """``fit_response`` refines only the best-screened starts; on the bundled pilot's measured
    points (and the newcomer's) it lands where refining every start of the grid lands, within
    the solver's tolerance."""
    import yaml

    from hybrid.evidence.response import fit_response, response_inputs
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import Scenario

    fixtures = ROOT / "tests" / "fixtures"
    for path in [fixtures / "digits_pilot_measured.yaml", *fixtures.glob("newcomer/out_*.yaml")]:
        scenario = Scenario.from_dict(yaml.safe_load(path.read_text()), path.name)
        measured = scenario.dataset.synthetic_response
        points = [(int(h), int(s), m) for h, s, m in measured.points]
        curve = [(n, m) for n, m in scenario.economics.learning_curve.points]
        base = max(h for h, _, _ in points)
        inp = response_inputs(scenario, load_policy(None), curve, base, measured.accuracy)
        full = fit_response(inp, points, base, measured.accuracy, refined=None)
        screened = fit_response(inp, points, base, measured.accuracy)
        assert full[0] is not None, path.name
        np.testing.assert_allclose(screened[0], full[0], rtol=1e-3, atol=1e-4, err_msg=path.name)


def test_rows_near_a_human_row_by_chance_are_not_called_augmentations():
    """Independent rows in few dimensions fall near some human row now and then (the newcomer's
    pilot: 37 of 600, with 36 expected by chance); perturbed copies of human rows fall near their
    source far more often than chance. The note tells the two apart."""
    from hybrid.evidence.harness import load_frame, split_by_source
    from hybrid.evidence.response import derived_from

    frame, shown = load_frame(
        ROOT / "tests" / "fixtures" / "newcomer" / "pilot_good.csv", None, 0, "p"
    )
    task, human, synthetic, _ = split_by_source(frame, "label", "source", None, None, shown, 60)
    notes: list[str] = []
    derived_from(task, human, synthetic, notes)
    assert len(notes) == 1 and "look generated independently" in notes[0], notes

    digits = load_digits(as_frame=True).frame.head(400)
    rng = np.random.default_rng(0)
    copies = digits.sample(300, random_state=0).reset_index(drop=True)
    features = [c for c in digits.columns if c != "target"]
    jitter = 0.15 * digits[features].std().to_numpy()
    copies[features] = copies[features] + jitter * rng.standard_normal((300, len(features)))
    frame = pd.concat(
        [digits.assign(source="human"), copies.assign(source="synthetic")], ignore_index=True
    )
    frame["target"] = frame["target"].astype(str)
    task, human, synthetic, _ = split_by_source(frame, "target", "source", None, None, "d", 60)
    notes = []
    linked = derived_from(task, human, synthetic, notes)
    assert (linked >= 0).sum() > 250
    assert len(notes) == 1 and "look made from particular human rows" in notes[0], notes


def test_the_measurement_is_the_same_one_fit_at_a_time_or_side_by_side():
    """Fits made side by side on two threads give the very numbers one at a time gives: every
    fit trains on one thread, so neither the order nor the load changes a model."""
    import yaml

    from hybrid.evidence.calibrate import calibrate
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import Scenario

    pilot = ROOT / "tests" / "fixtures" / "newcomer" / "pilot_good.csv"
    data = yaml.safe_load((ROOT / "data" / "samples" / "digits_pilot.yaml").read_text())
    data["economics"]["learning_curve"] = {"points": [[10, 0.5], [100, 0.8], [1000, 0.9]]}
    base = Scenario.from_dict(data, "digits_pilot.yaml")
    runs = [
        calibrate(pilot, base, load_policy(None), label="label", source="source", threads=n)
        for n in (1, 2)
    ]
    one, two = (r.result for r in runs)
    assert one.fits == two.fits and one.reused == two.reused
    assert one.human_points == two.human_points
    assert one.augmentation_points == two.augmentation_points
    assert runs[0].scenario == runs[1].scenario


def test_the_exchange_rate_scores_on_the_rows_marked_held_out():
    """``evidence`` without a scenario measures the exchange rate; rows the source column marks
    held out (never shown to the generator) are its test rows, as for the synthetic response.
    It had drawn its own test rows from every human row, the marked ones among the training rows."""
    from hybrid.evidence.exchange import exchange_rate

    pilot = ROOT / "tests" / "fixtures" / "newcomer" / "pilot_good.csv"
    marked = int((pd.read_csv(pilot)["source"] == "holdout").sum())
    result = exchange_rate(pilot, "label", "source", name="pilot")
    assert result.test_rows == marked
    assert any("marked held out" in n for n in result.notes), result.notes


def test_every_fit_trains_on_one_openmp_thread(monkeypatch):
    """Fits run side by side, one thread each: inside a fit the OpenMP runtime of gradient
    boosting is held to one thread, in each worker thread (an OpenMP limit belongs to the thread
    that sets it), even when the runner was made before the runtime loaded."""
    from threadpoolctl import threadpool_info

    task = digits_task()
    real = harness.make_model
    seen = []

    class Recording:
        def __init__(self, model):
            self.model = model

        def fit(self, X, y):
            seen.append([p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"])
            return self.model.fit(X, y)

        def predict(self, X):
            return self.model.predict(X)

    monkeypatch.setattr(harness, "make_model", lambda *a, **k: Recording(real(*a, **k)))
    runner = FitRunner(4, None, None, threads=2)
    runs, sizes = planned(task)
    runner.fit_ahead(
        task, [fit for _, _, fit in harness.subset_fits(runs, sizes, lambda r, s: str(s))]
    )
    assert seen and all(threads and set(threads) == {1} for threads in seen), seen


def test_the_evidence_command_writes_no_e_notation_and_names_the_saturation_point(capsys, tmp_path):
    """The fit line said '7.45 useful synthetic rows per human row (one standard error: 5.8e-08
    to 9.5e+08)': a raw float range and the old name. It names the saturation point and says
    when the pilot does not pin it down."""
    import re

    import yaml

    from hybrid.cli.main import main

    data = yaml.safe_load((ROOT / "data" / "samples" / "digits_pilot.yaml").read_text())
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump(data))
    pilot = ROOT / "tests" / "fixtures" / "newcomer" / "pilot_bad.csv"
    code = main(
        [
            "evidence",
            str(pilot),
            "--label",
            "label",
            "--source",
            "source",
            "--scenario",
            str(base),
            "--quiet",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    fit = next(line for line in out.splitlines() if "fit:" in line)
    assert "saturation point about" in fit and "useful" not in fit, fit
    assert not re.search(r"\de[+-]\d", out), out
