"""Evidence from data: learning curves on scikit-learn's datasets, and the exchange rate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_wine

from hybrid.cli.main import main
from hybrid.errors import InputError
from hybrid.evidence.learning import (
    Cancelled,
    equivalent_size,
    exchange_rate,
    learning_curve,
    prepare,
    text_features,
)
from hybrid.model.curves import curve_from_spec
from hybrid.model.scenario import Dataset

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"
LOADERS = {"digits": load_digits, "wine": load_wine, "breast_cancer": load_breast_cancer}
# Back-test errors measured when this was written (fit on n <= N/4, predict the full fold);
# recorded in benchmarks/PROFILE_RESULTS.md. The bound leaves room for library drift.
BACKTEST_BOUND = 0.08


def sklearn_frame(name: str) -> pd.DataFrame:
    data = LOADERS[name](as_frame=True)
    frame = data.frame.copy()
    frame["target"] = np.asarray(data.target_names)[data.target].astype(str)
    return frame


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_learning_curve_and_backtest_on_sklearn_data(name):
    frame = sklearn_frame(name)
    result = learning_curve(frame, "target", name=name)
    n = len(frame)
    sizes = [s for s, _ in result.points]
    assert result.kind == "tabular" and result.classes == frame["target"].nunique()
    assert sizes == sorted(sizes) and len(sizes) >= 6
    assert 0.6 * n < max(sizes) <= 2 * n / 3
    assert sum(s <= n // 4 for s in sizes) >= 3
    assert result.points[-1][1] > result.points[0][1]
    assert result.points[-1][1] > 0.85
    assert result.fit is not None and 0 < result.fit.ceiling <= 1
    assert result.backtest["at"] == max(sizes)
    assert result.backtest_error == pytest.approx(
        abs(result.backtest["predicted"] - result.backtest["observed"])
    )
    assert result.backtest_error < BACKTEST_BOUND, (name, result.backtest_error)
    print(f"{name}: back-test error {result.backtest_error:.4f}, points {result.points}")
    spec = result.to_spec()
    assert curve_from_spec(spec).predict(max(sizes)) == pytest.approx(
        result.fit.predict(max(sizes))
    )


def test_learning_curve_cli_json_on_text(capsys):
    code = main(["learning-curve", str(SAMPLE), "--label", "label", "--json", "--quiet"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "text"
    assert len(out["points"]) >= 6
    assert all(len(p) == 2 and p[0] > 0 and 0 <= p[1] <= 1 for p in out["points"])
    for key in ("ceiling", "scale", "exponent"):
        assert out["params"][key] == out[key]
    assert isinstance(out["backtest_error"], float) and out["backtest_error"] < 0.1
    assert out["points"][-1][1] > 0.9


def test_learning_curve_reports_progress_and_can_be_cancelled():
    frame = sklearn_frame("wine")
    seen: list[tuple[float, str]] = []
    learning_curve(frame, "target", progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("fold 2/3" in m for _, m in seen)

    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    fits: list[float] = []
    with pytest.raises(Cancelled):
        learning_curve(frame, "target", progress=lambda f, m: fits.append(f), should_stop=stop)
    assert len(fits) == 3


def test_exchange_rate_on_sample_shows_weaker_synthetic_and_tail():
    result = exchange_rate(SAMPLE, "label", "source")
    assert result.kind == "text"
    assert result.synthetic_rows > 300 and result.human_rows > 1000
    assert 0 < result.exchange_rate < 1
    assert result.synthetic_per_human == pytest.approx(1 / result.exchange_rate)
    assert result.rare_classes and result.tail_coverage is not None
    assert result.tail_coverage < 0.6
    assert len(result.per_size) == len(result.synthetic_points) >= 4
    ds = result.apply_to(Dataset(human_examples=1400, classes=12))
    assert ds.human_examples == 1400
    assert ds.synthetic_exchange_rate == pytest.approx(result.exchange_rate)
    assert ds.synthetic_tail_coverage == pytest.approx(result.tail_coverage)


def test_exchange_rate_is_near_one_when_synthetic_rows_are_really_human():
    frame = pd.read_csv(SAMPLE)
    frame = frame[frame["source"] == "human"].reset_index(drop=True)
    rng = np.random.default_rng(0)
    frame["source"] = np.where(rng.random(len(frame)) < 0.4, "synthetic", "human")
    result = exchange_rate(frame, "label", "source", repeats=3, name="relabelled")
    assert 0.5 < result.exchange_rate < 2.0, result.per_size
    assert result.tail_coverage is None or result.tail_coverage > 0.5


def test_exchange_rate_cli(capsys):
    code = main(["evidence", str(SAMPLE), "--label", "label", "--json", "--quiet"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert 0 < out["exchange_rate"] < 1
    assert out["dataset"]["synthetic_exchange_rate"] == pytest.approx(out["exchange_rate"])
    assert out["dataset"]["synthetic_tail_coverage"] == pytest.approx(out["tail_coverage"])
    code = main(["evidence", str(SAMPLE), "--label", "label", "--quiet"])
    text = capsys.readouterr().out
    assert code == 0 and "synthetic rows per human row" in text


def test_exchange_rate_needs_both_kinds_of_rows(tmp_path, capsys):
    frame = pd.read_csv(SAMPLE)
    frame["source"] = "human"
    with pytest.raises(InputError, match="0 rows synthetic"):
        exchange_rate(frame, "label", "source", name="allhuman")
    p = tmp_path / "allhuman.csv"
    frame.to_csv(p, index=False)
    code = main(["evidence", str(p), "--label", "label", "--quiet"])
    assert code == 2 and "allhuman.csv" in capsys.readouterr().err


def test_equivalent_size_reads_the_human_curve():
    pts = [(10, 0.5), (100, 0.7), (1000, 0.8)]
    assert equivalent_size(pts, 0.7) == (100.0, "interpolated")
    n, how = equivalent_size(pts, 0.75)
    assert how == "interpolated" and n == pytest.approx(np.sqrt(100 * 1000))
    assert equivalent_size(pts, 0.3, floor=0.1) == (pytest.approx(5.0), "below_range")
    assert equivalent_size(pts, 0.05, floor=0.1) == (0.0, "below_range")
    n, how = equivalent_size(pts, 0.85)
    assert how in ("extrapolated", "at_least") and n >= 1000
    wobbly = [(10, 0.5), (20, 0.45), (40, 0.6)]
    assert equivalent_size(wobbly, 0.5) == (10.0, "interpolated")


def test_prepare_picks_features():
    frame = sklearn_frame("wine")
    frame["row_id"] = [f"id{i}" for i in range(len(frame))]
    frame["annotator_1"] = frame["target"]
    frame["annotator_2"] = frame["target"]
    frame["source"] = "human"
    frame["colour"] = np.where(frame.index % 2 == 0, "red", "white")
    task = prepare(frame, "target")
    assert task.kind == "tabular"
    assert "row_id" not in task.features and "annotator_1" not in task.features
    assert "source" not in task.features and "colour" in task.features
    assert any("identifier" in n for n in task.notes)
    assert str(task.X["colour"].dtype) == "category"
    assert text_features(200) == 1 << 16 and text_features(10) == 1 << 18


def test_evidence_errors_are_input_errors():
    frame = sklearn_frame("wine").sample(36, random_state=0)
    with pytest.raises(InputError, match="too few"):
        learning_curve(frame, "target", name="tiny")
    with pytest.raises(InputError, match="metric"):
        learning_curve(sklearn_frame("wine"), "target", metric="auc")
    with pytest.raises(InputError, match="no label column 'nope'"):
        learning_curve(sklearn_frame("wine"), "nope")


# --- review fixes: numeric CSV columns, human rows only, CLI arguments, strict JSON ------------


def numeric_csv(path: Path, n: int = 300) -> Path:
    """Two continuous features (distinct on every row, as text in a CSV), a row number and a
    label that depends on the features."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=n), rng.normal(size=n)
    pd.DataFrame(
        {"row": range(n), "x": x, "y": y, "label": np.where(x + 0.5 * y > 0, "pos", "neg")}
    ).to_csv(path, index=False)
    return path


def test_numeric_csv_columns_are_features_not_identifiers(tmp_path, capsys):
    p = numeric_csv(tmp_path / "points.csv")
    code = main(["learning-curve", str(p), "--label", "label", "--json", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = json.loads(captured.out)
    assert out["kind"] == "tabular" and out["points"][-1][1] > 0.85
    assert any("'row' left out: an identifier" in n for n in out["notes"])
    from hybrid.evidence.profile import read_table

    frame = read_table(p)
    task = prepare(frame, "label", name="points.csv")
    assert task.features == ["x", "y"]
    assert all(str(task.X[c].dtype) == "float64" for c in task.features)
    # The dashboard reads the upload the same way and gets the same features.
    frame["id"] = [f"t{i}" for i in range(len(frame))]
    assert prepare(frame, "label").features == ["x", "y"]


def test_numeric_text_with_a_few_bad_cells_still_converts():
    rng = np.random.default_rng(1)
    values = [f"{v:.4f}" for v in rng.normal(size=100)]
    values[3], values[7] = "n/a", "inf"
    frame = pd.DataFrame({"v": values, "label": ["a", "b"] * 50})
    task = prepare(frame, "label")
    assert task.features == ["v"]
    assert task.X["v"].isna().sum() == 2  # the unparsable cell and the infinity are missing


def test_no_usable_columns_names_the_file_and_what_was_left_out(tmp_path, capsys):
    p = tmp_path / "ids-only.csv"
    pd.DataFrame(
        {
            "ticket": [f"T-{i}" for i in range(60)],
            "source": "human",
            "label": ["a", "b"] * 30,
        }
    ).to_csv(p, index=False)
    code = main(["learning-curve", str(p), "--label", "label", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "ids-only.csv" in err and "no usable feature columns" in err
    assert "'ticket' (an identifier" in err and "'source' (the source column)" in err


def test_learning_curve_trains_on_human_rows_when_a_source_column_marks_them():
    frame = pd.read_csv(SAMPLE)
    humans = int((frame["source"] == "human").sum())
    assert humans >= 200 and humans < len(frame)
    result = learning_curve(frame, "label", source="source", name="tickets")
    assert result.human_only and result.source == "source" and result.input_rows == humans
    everything = learning_curve(frame, "label", name="tickets")
    assert not everything.human_only and everything.input_rows == len(frame)
    assert result.points != everything.points
    found = learning_curve(frame, "label", find_source=True, name="tickets")
    assert found.human_only and found.points == result.points
    with pytest.raises(InputError, match="tickets: no source column 'origin'"):
        learning_curve(frame, "label", source="origin", name="tickets")


def test_the_learning_curve_never_trains_on_synthetic_rows():
    frame = sklearn_frame("wine")
    frame["source"] = np.where(np.arange(len(frame)) % 2 == 0, "human", "synthetic")
    humans = int((frame["source"] == "human").sum())
    assert humans < 200  # the old code switched to every row below 200 human rows
    result = learning_curve(frame, "target", source="source", name="wine")
    assert result.human_only and result.input_rows == humans
    assert not any("synthetic ones included" in n for n in result.notes)
    assert "source" not in prepare(frame, "target", exclude=["source"]).features


def test_too_few_human_rows_is_a_clear_message_with_the_minimum(capsys, tmp_path):
    from hybrid.evidence.learning_curve import MIN_HUMAN_ROWS

    frame = sklearn_frame("wine")
    frame["source"] = "synthetic"
    frame.loc[: MIN_HUMAN_ROWS - 2, "source"] = "human"
    with pytest.raises(InputError) as err:
        learning_curve(frame, "target", source="source", name="wine")
    message = str(err.value)
    assert f"{MIN_HUMAN_ROWS - 1} usable rows are marked human" in message
    assert f"at least {MIN_HUMAN_ROWS} human rows" in message
    path = tmp_path / "wine.csv"
    frame.to_csv(path, index=False)
    assert main(["learning-curve", str(path), "--label", "target", "--quiet"]) == 2
    assert f"at least {MIN_HUMAN_ROWS} human rows" in capsys.readouterr().err


def test_cli_and_dashboard_measure_the_same_curve(capsys):
    from hybrid.evidence.learning import MAX_ROWS
    from hybrid.evidence.profile import read_table

    code = main(["learning-curve", str(SAMPLE), "--label", "label", "--json", "--quiet"])
    assert code == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["human_only"] and cli["source"] == "source"
    # What ui/evidence.py runs on an upload of the same file.
    frame = read_table(SAMPLE, max_rows=MAX_ROWS, name=SAMPLE.name)
    page = learning_curve(frame, "label", source="source", name=SAMPLE.name)
    assert [[n, pytest.approx(m)] for n, m in page.points] == cli["points"]
    assert cli["input_rows"] == page.input_rows

    assert (
        main(
            [
                "learning-curve",
                str(SAMPLE),
                "--label",
                "label",
                "--source",
                "source",
                "--json",
                "--quiet",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["points"] == cli["points"]
    assert (
        main(["learning-curve", str(SAMPLE), "--label", "label", "--all-rows", "--json", "--quiet"])
        == 0
    )
    every = json.loads(capsys.readouterr().out)
    assert not every["human_only"] and every["input_rows"] == 2000
    assert main(["learning-curve", str(SAMPLE), "--label", "label", "--quiet"]) == 0
    assert "human (synthetic rows left out" in capsys.readouterr().out
    assert main(["learning-curve", str(SAMPLE), "--label", "label", "--source", "nope"]) == 2
    assert "no source column 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, words",
    [
        (["learning-curve", "--max-rows", "-5"], ["--max-rows", ">= 0", "-5"]),
        (["evidence", "--max-rows", "-1"], ["--max-rows"]),
        (["learning-curve", "--max-rows", "lots"], ["--max-rows", "whole number"]),
        (["learning-curve", "--cv", "1"], ["--cv", "from 2"]),
        (["learning-curve", "--seed", "-3"], ["--seed"]),
    ],
)
def test_numeric_cli_arguments_are_checked_by_argparse(capsys, args, words):
    with pytest.raises(SystemExit) as exc:
        main([args[0], str(SAMPLE), "--label", "label", "--quiet", *args[1:]])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "Traceback" not in err and "Parser Error" not in err
    for w in words:
        assert w in err, (w, err)


def test_more_folds_than_rows_is_an_input_error():
    frame = sklearn_frame("wine").head(60)
    with pytest.raises(InputError, match="100 cross-validation folds need at least 100"):
        learning_curve(frame, "target", cv=100, name="wine")
    with pytest.raises(InputError, match="max_rows"):
        learning_curve(frame, "target", max_rows=-5)


def test_json_output_is_strict():
    from hybrid.cli.io import json_dump

    text = json_dump(
        {
            "nan": float("nan"),
            "inf": np.float64("inf"),
            "n": np.int64(3),
            "pair": (1.5, -np.inf),
            "path": Path("a.csv"),
            2: None,
        }
    )

    def refuse(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    out = json.loads(text, parse_constant=refuse)
    assert out == {
        "nan": None,
        "inf": None,
        "n": 3,
        "pair": [1.5, None],
        "path": "a.csv",
        "2": None,
    }
