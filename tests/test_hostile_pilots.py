"""Hostile pilots (issue 23): the evidence path, Label Studio exports, the work plan and statistics
files hold the line profiling holds. Each command-line case runs in a fresh process under the same
address-space limit as tests/test_hostile_input.py, and its peak resident memory is read from the
kernel (``wait4``), so a case that passes by luck under the limit still fails past 1 GB.
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
import pytest
import yaml

from hybrid.errors import InputError
from hybrid.evidence.pilot import BLANK, check_pilot

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"
MEMORY_LIMIT = 2048 * 2**20
PEAK_LIMIT_MB = 1024
# A refusal before any training or parsing stays near the interpreter and its libraries: 170 to 260
# MB alone, 426 to 437 MB measured inside the full suite on a loaded machine. Training on 10,000
# classes took 3.1 GB and parsing 2.4 million classes 2.1 GB, so this still tells them apart.
REFUSED_PEAK_MB = 600


def run(
    *args: str, timeout: int = 300, env: dict | None = None, address_space: int = MEMORY_LIMIT
) -> tuple[int, str, str, float]:
    """``python -m hybrid ARGS`` in a fresh process under the address-space limit: (exit code,
    stdout, stderr, peak resident MB of that process alone)."""
    import resource

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hybrid", *args],
            cwd=ROOT,
            stdout=out,
            stderr=err,
            text=True,
            preexec_fn=limits,
            env={**os.environ, "HYBRID_DATABASE_URL": "", **(env or {})},
        )
        # wait4, not wait: the kernel's resource usage of this child alone
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise AssertionError(f"python -m hybrid {' '.join(args)}: over {timeout} s")
            time.sleep(0.05)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return code, out.read(), err.read(), usage.ru_maxrss / 1024


def one_line(code: int, err: str, *needles: str) -> str:
    assert code == 2, (code, err[-2000:])
    assert "Traceback" not in err, err[-2000:]
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def answered(code: int, out: str, err: str) -> str:
    assert code == 0, (code, err[-2000:])
    assert "Traceback" not in err
    return out


RNG = np.random.default_rng(23)
N = 300


def labels(n: int = N) -> np.ndarray:
    return RNG.choice(["a", "b", "c"], n)


@pytest.fixture(scope="module")
def pilots(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("pilots")
    y = labels()
    cat = RNG.choice(["x", "y", "z"], N).astype(object)
    cat[RNG.random(N) < 0.1] = ""
    pd.DataFrame({"label": y, "cat": cat, "num": RNG.normal(size=N)}).to_csv(
        d / "blank-categories.csv", index=False
    )
    sparse = np.full(N, "", object)
    filled = RNG.random(N) < 0.05
    sparse[filled] = RNG.normal(size=filled.sum()).round(3).astype(str)
    pd.DataFrame({"label": y, "sparse": sparse, "cat": RNG.choice(["x", "y"], N)}).to_csv(
        d / "sparse.csv", index=False
    )
    pd.DataFrame({"label": y, "text": RNG.choice(["hello world", "good bye"], N)}).to_csv(
        d / "two-texts.csv", index=False
    )
    pd.DataFrame({"label": [f"id{i}" for i in range(N)], "f": RNG.normal(size=N)}).to_csv(
        d / "id-label.csv", index=False
    )
    # The label is noisy against f: the honest accuracy is well under 1.
    noisy = np.where(RNG.random(N) < 0.6, y, RNG.choice(["a", "b", "c"], N))
    with open(d / "duplicate-header.csv", "w") as fh:
        fh.write("label,f,label\n")
        for lab in noisy:
            fh.write(f"{lab},{RNG.normal():.3f},{lab}\n")
    with open(d / "nested.jsonl", "w") as fh:
        for i in range(N):
            row = {"label": str(y[i]), "meta": {"a": int(RNG.integers(3))}, "f": float(i % 7)}
            fh.write(json.dumps(row) + "\n")
    pd.DataFrame(
        {"label": y[:40], "text": ["w " * 600_000 if i == 0 else f"hi {i}" for i in range(40)]}
    ).to_csv(d / "big-cell.csv", index=False)
    many = np.repeat(np.arange(10_000), 5)
    RNG.shuffle(many)
    pd.DataFrame({"label": [f"c{v}" for v in many], "text": [f"w{v} x" for v in many]}).to_csv(
        d / "many-classes.csv", index=False
    )
    return d


# --- the evidence path ---------------------------------------------------------------------------


def test_blank_categories_are_a_category(pilots):
    """Issue 23: 10% blank cells in a category column failed every run ("Encoders require ...";
    with --model linear "boolean value of NA is ambiguous")."""
    code, out, err, peak = run(
        "learning-curve", str(pilots / "blank-categories.csv"), "--label", "label", "--quiet",
        "--model", "linear",
    )  # fmt: skip
    assert f"read as the category '{BLANK}' in column 'cat'" in answered(code, out, err)
    assert peak < PEAK_LIMIT_MB


def test_a_sparse_numeric_column_is_used(pilots):
    code, out, err, _ = run("learning-curve", str(pilots / "sparse.csv"), "--label", "label")
    assert "column 'sparse' is filled on " in answered(code, out, err)


@pytest.mark.parametrize(
    "file, needles",
    [
        ("two-texts.csv", ["two-texts.csv", "only 2 different texts in column 'text'"]),
        ("id-label.csv", ["id-label.csv", "label column 'label'", "is it an identifier?"]),
        ("big-cell.csv", ["big-cell.csv", "column 'text'", "more than the 1,000,000"]),
    ],
)
def test_pilots_without_an_answer_are_one_line(pilots, file, needles):
    code, _, err, _ = run("learning-curve", str(pilots / file), "--label", "label", "--quiet")
    one_line(code, err, *needles)


def test_a_duplicated_label_header_is_named_and_not_learned_from(pilots):
    """Issue 23: the second `label` became a feature and the curve said 1.0000. Branch i35
    (FINDINGS F1): a header naming a column twice is refused by name, since when the two differ
    the first was taken as the label without a word (679 "classes" of a measurement)."""
    code, _, err, _ = run(
        "learning-curve", str(pilots / "duplicate-header.csv"), "--label", "label", "--json",
        "--quiet", "--model", "linear",
    )  # fmt: skip
    one_line(code, err, "duplicate-header.csv", "'label' twice (columns 1 and 3)")


def test_nested_values_are_read_as_json_text(pilots):
    # DuckDB's JSON reader reserves address space (not memory) that, with the learners' thread
    # pools, now and then passes 2 GB; the peak resident memory is what is held to 1 GB here.
    code, out, err, peak = run(
        "learning-curve", str(pilots / "nested.jsonl"), "--label", "label",
        address_space=4 * MEMORY_LIMIT,
    )  # fmt: skip
    assert peak < PEAK_LIMIT_MB
    answered(code, out, err)


def test_ten_thousand_classes_are_refused_before_any_training(pilots):
    """Issue 23: 10,000 classes took the server from 285 MB to 3.1 GB and the CLI past 400 s."""
    code, _, err, peak = run(
        "learning-curve", str(pilots / "many-classes.csv"), "--label", "label", "--quiet"
    )
    one_line(code, err, "many-classes.csv", "10,000 classes", "merge rare classes")
    assert peak < REFUSED_PEAK_MB


def test_memory_estimate_names_the_rows_that_fit_and_the_setting(pilots):
    code, _, err, _ = run(
        "learning-curve", str(pilots / "blank-categories.csv"), "--label", "label", "--quiet",
        env={"HYBRID_EVIDENCE_MEMORY_MB": "0.01"},
    )  # fmt: skip
    one_line(code, err, "blank-categories.csv", "HYBRID_EVIDENCE_MEMORY_MB", "MB to measure")


def test_evidence_command_goes_through_the_same_edge(pilots, tmp_path):
    y = labels()
    frame = pd.DataFrame(
        {"label": y, "cat": np.where(RNG.random(N) < 0.2, "", "k"), "source": "human"}
    )
    frame.loc[150:, "source"] = "synthetic"
    frame.to_csv(tmp_path / "e.csv", index=False)
    code, out, err, _ = run("evidence", str(tmp_path / "e.csv"), "--label", "label", "--quiet")
    assert "Traceback" not in err and code in (0, 2), err


def test_check_pilot_in_process():
    frame = pd.DataFrame(
        {
            "label": ["a", "b", "c"] * 20 + ["rare"],
            "flag": pd.array([True, None, False] * 20 + [True], dtype="boolean"),
            "const": ["k"] * 61,
            "blob": [b"\x00\xff"] * 61,
            "obj": [{"k": 1}, [1, 2], "x"] * 20 + [None],
        }
    )
    pilot = check_pilot(frame, "label", name="p.parquet")
    assert "rare" not in set(pilot.frame["label"])
    assert any("1 class with fewer than 3 rows (1 row)" in n for n in pilot.notes)
    assert any("'const' left out" in n for n in pilot.notes)
    assert set(pilot.frame["obj"]) == {'{"k": 1}', "[1, 2]", "x"}
    with pytest.raises(InputError, match="p.parquet: label column 'label' holds lists"):
        check_pilot(pd.DataFrame({"label": [[1]] * 40, "f": range(40)}), "label", name="p.parquet")


# --- Label Studio and the work plan --------------------------------------------------------------


def _ls_task(i: int, who, choice="a") -> dict:
    return {
        "data": {"text": f"t{i}", "seg": f"s{i % 5}"},
        "annotations": [{"completed_by": who, "result": [{"value": {"choices": [choice]}}]}],
    }


def test_twenty_thousand_annotators_stay_under_a_gigabyte(tmp_path):
    """Issue 23: each annotator became a column past the 2,000-column cap: 5.1 GB."""
    tasks = []
    for i in range(20_000):
        t = _ls_task(i, i, str(RNG.choice(["a", "b"])))
        t["annotations"].append(
            {"completed_by": (i + 1) % 20_000, "result": [{"value": {"choices": ["a"]}}]}
        )
        tasks.append(t)
    p = tmp_path / "crowd.json"
    p.write_text(json.dumps(tasks))
    code, out, err, peak = run("workplan", str(EXAMPLE), "--data", str(p), "--slice", "seg")
    answered(code, out, err)
    assert peak < PEAK_LIMIT_MB


def test_label_studio_reader_counts_what_it_skips(tmp_path):
    from hybrid.evidence.labelstudio import is_label_studio, read_label_studio

    tasks = [_ls_task(i, i % 3) for i in range(30)]
    tasks[0]["meta"] = {"m": "x" * 6000}  # past the old 4 KB sniff
    tasks[1]["annotations"].append({"completed_by": 9, "result": "oops"})
    tasks[2]["annotations"].append(
        {"completed_by": 8, "result": [{"value": {"choices": [{"a": 1}]}}]}
    )
    tasks[3]["annotations"].append({"result": [{"value": {"choices": ["b"]}}]})
    tasks[4]["data"]["label"] = "from-data"
    p = tmp_path / "export.json"
    p.write_text(json.dumps(tasks))
    assert is_label_studio(p)
    frame, annotators = read_label_studio(p)
    notes = " ".join(frame.attrs["notes"])
    assert "2 annotations or predictions with a malformed result skipped" in notes
    assert "1 annotations name no annotator" in notes
    assert "annotator_None" not in frame.columns and "{'a': 1}" not in set(frame["label"])
    assert frame.loc[4, "label"] == "a" and frame.loc[4, "data.label"] == "from-data"
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    assert is_label_studio(empty)
    with pytest.raises(InputError, match="no task"):
        read_label_studio(empty)


def test_nullable_boolean_source_and_many_slices(tmp_path):
    """Issue 23: a nullable boolean source was a traceback; 19,999 slices x 200,000 rows 140 s."""
    from hybrid.evidence.slices import read_slices

    n = 200_000
    pd.DataFrame(
        {
            "seg": [f"s{i % 19_999}" for i in range(n)],
            "label": RNG.choice(["a", "b"], n),
            "is_synthetic": pd.array([False, True, None, False] * (n // 4), dtype="boolean"),
        }
    ).to_parquet(tmp_path / "s.parquet")
    t0 = time.perf_counter()
    stats = read_slices(tmp_path / "s.parquet", slice="seg", label="label", source="is_synthetic")
    assert time.perf_counter() - t0 < 30  # was minutes; a bound, not a benchmark
    assert len(stats) == 19_999 and sum(s.rows for s in stats) == n // 2


def test_slice_names_are_read_as_people_see_them():
    from hybrid.evidence.slices import slice_stats_frame

    frame = pd.DataFrame({"seg": ["caf\u00e9", "cafe\u0301", bytearray(b"bin"), None, "  "]})
    names = {s.name for s in slice_stats_frame(frame, slice="seg")}
    assert names == {"caf\u00e9", "bin", "(no value)"}


# --- reports and CSV -----------------------------------------------------------------------------


def test_pdf_cells_are_cut_with_a_mark():
    from hybrid.share.pdf import CUT_MARK, cell_chars, cut_cell

    limit = cell_chars(30)
    cut = cut_cell("x" * 5000, limit)
    assert len(cut) == limit and cut.endswith(CUT_MARK)
    assert cut_cell("short", limit) == "short"


def test_pdf_report_with_a_5000_character_slice(tmp_path):
    """Issue 23: the PDF report failed ("row ... too high ... single page")."""
    n = 120
    pd.DataFrame(
        {
            "seg": np.array(["short", "x" * 5000, "word " * 1000], dtype=object)[
                RNG.integers(0, 3, n)
            ],
            "label": RNG.choice(["a", "b"], n),
        }
    ).to_csv(tmp_path / "long.csv", index=False)
    out = tmp_path / "r.pdf"
    code, _, err, _ = run(
        "report", str(EXAMPLE), "--format", "pdf", "--data", str(tmp_path / "long.csv"),
        "--slice", "seg", "-o", str(out),
    )  # fmt: skip
    assert code == 0 and "Traceback" not in err, err[-2000:]
    assert out.read_bytes().startswith(b"%PDF")


def test_csv_cells_escape_control_and_direction_characters():
    from hybrid.safetext import neutralise_cell

    assert neutralise_cell("a\x1b[2Jb\x07\u202ec") == "a\\u001b[2Jb\\u0007\\u202ec"
    assert neutralise_cell("=1+1") == "'=1+1" and neutralise_cell("-0.5") == "-0.5"
    assert neutralise_cell("two\nlines") == "two\nlines"


def test_a_budget_of_five_e_minus_324_is_refused():
    from hybrid.model.scenario import Scenario

    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["economics"]["budget"] = 5e-324
    with pytest.raises(InputError, match="economics.budget"):
        Scenario.from_dict(data, "s.yaml")


# --- statistics files ----------------------------------------------------------------------------

BASE = {"format": "hybrid-profile", "version": 1}


def _stats(tmp_path: Path, name: str, data: dict) -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump({**BASE, **data}, sort_keys=False))
    return p


def _lab(counts: dict, **extra) -> dict:
    return {"column": "label", "missing": 0, "counts": counts, **extra}


def test_two_million_classes_are_refused_in_bounded_memory(tmp_path):
    """Issue 23: a 37 MB statistics file with 2.4 million classes took 2.4 GB."""
    p = tmp_path / "big.stats.yaml"
    with open(p, "w") as fh:
        fh.write("format: hybrid-profile\nversion: 1\nrows: 2400000\nlabel:\n  column: label\n")
        fh.write("  missing: 0\n  counts:\n")
        for i in range(2_400_000):
            fh.write(f"    c{i}: 1\n")
    code, _, err, peak = run("profile", str(p))
    one_line(code, err, "big.stats.yaml", "more than 1,000,000 values")
    assert peak < REFUSED_PEAK_MB


@pytest.mark.parametrize(
    "data, needle",
    [
        ({"rows": 10**13, "label": _lab({"a": 10**13 - 1, "b": 1})}, "rows: 10,000,000,000,000"),
        (
            {
                "rows": 2000,
                "label": _lab({"a": 1000, "b": 1000}),
                "duplicates": {"duplicate_rows": 10**9},
            },  # noqa: E501
            "duplicate_rows: 1,000,000,000 is more than the file's 2,000 rows",
        ),
        (
            {
                "rows": 2000,
                "columns": {"x": {"missing": 10**6}},
                "label": _lab({"a": 1000, "b": 1000}),
            },  # noqa: E501
            "columns.x.missing",
        ),
        (
            {
                "rows": 2000,
                "label": _lab({"a": 1000, "b": 1000}, by_source={"a": {"human": 5000}}),
                "source": {"column": "source", "missing": 0, "counts": {"human": 2000}},
            },
            "label.by_source.a: adds up to 5,000",
        ),
        ({"rows": 20, "label": _lab({1: 10, "1": 10})}, "listed twice"),
        (
            {
                "rows": 2000,
                "label": _lab({"a": 1000, "b": 1000}),
                "text": {"column": "t", "rows": 2_000_000},
            },  # noqa: E501
            "text.rows",
        ),
    ],
)
def test_contradictory_statistics_are_refused(tmp_path, data, needle):
    from hybrid.evidence.statsfile import read_stats

    p = _stats(tmp_path, "s.stats.yaml", data)
    with pytest.raises(InputError, match="s.stats.yaml") as info:
        read_stats(p)
    assert needle in str(info.value)


def test_merges_refuse_different_settings_and_the_same_shard_twice(tmp_path):
    from hybrid.evidence.profile import profile_files

    a = _stats(
        tmp_path, "a.stats.yaml",
        {"rows": 1000, "settings": {"min_class_count": 5, "rare_factor": 0.5},
         "label": _lab({"a": 900, "b": 60, "c": 40})},
    )  # fmt: skip
    b = _stats(
        tmp_path, "b.stats.yaml",
        {"rows": 1200, "settings": {"min_class_count": 5, "rare_factor": 0.3},
         "label": _lab({"a": 1100, "b": 60, "c": 40})},
    )  # fmt: skip
    for order in ([a, b], [b, a]):
        with pytest.raises(InputError, match="rare_factor"):
            profile_files(order)
    with pytest.raises(InputError, match="same shard given twice"):
        profile_files([a, a])


# --- encodings -----------------------------------------------------------------------------------


def test_one_stray_byte_past_64_kb_is_refused_by_every_reader(tmp_path):
    """Issue 23: `profile` read the whole file as Latin-1 (cafÃ©) while `workplan` printed café."""
    from hybrid.evidence.profile import profile_files, read_table

    p = tmp_path / "stray.csv"
    with open(p, "wb") as fh:
        fh.write(b"label,text\n")
        for i in range(3000):
            fh.write(f"caf\u00e9,row {i} some text here\n".encode())
        fh.write(b"th\xff,x\n")
    for read in (lambda: profile_files([p]), lambda: read_table(p, columns=["label"])):
        with pytest.raises(InputError, match="stray.csv: mixed encodings"):
            read()
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"label,text\n" + b"".join(b"caf\xe9,x%d\nb,y\n" % i for i in range(50)))
    prof = profile_files([latin], label="label")
    assert "caf\u00e9" in prof.class_counts
    assert any("read as latin-1" in n for n in prof.notes)


def test_cr_only_line_endings_and_a_key_per_line(tmp_path):
    from hybrid.evidence.profile import profile_files

    cr = tmp_path / "cr.csv"
    cr.write_bytes(b"label,text\ra,x\rb,y\r")
    with pytest.raises(InputError, match="cr.csv: lines end in a carriage return alone"):
        profile_files([cr])
    keys = tmp_path / "keys.jsonl"
    keys.write_text(
        "".join(json.dumps({"label": "ab"[i % 2], f"k{i}": i}) + "\n" for i in range(50))
    )
    assert profile_files([keys], label="label").rows == 50  # was DuckDB's "Binder Error"


def test_measured_ratio_true_is_not_one():
    import pydantic

    from hybrid.model.scenario import SyntheticResponse

    valid = {
        "value": 0.5,
        "saturation": 1.0,
        "floor": 0.0,
        "systematic_share": 0.5,
        "accuracy": 0.9,
        "human_rows": 100,
        "synthetic_rows": 100,
    }
    assert SyntheticResponse.model_validate({**valid, "measured_ratio": 1.0}).measured_ratio == 1
    with pytest.raises(pydantic.ValidationError, match="measured_ratio"):
        SyntheticResponse.model_validate({**valid, "measured_ratio": True})


# --- the Dataset page's path ---------------------------------------------------------------------


def test_the_dataset_page_measures_through_the_same_edge(tmp_path):
    """ui/evidence.py runs measure() as the command line does: the answer for blank categories,
    one line (an InputError, shown in the page's error box) where there is none."""
    from hybrid.evidence import learning
    from ui import evidence as page

    rng = np.random.default_rng(5)
    n = 90
    cat = rng.choice(["x", "y", ""], n)
    frame = pd.DataFrame({"label": rng.choice(["a", "b"], n), "cat": cat, "v": rng.normal(size=n)})
    frame.to_csv(tmp_path / "blank.csv", index=False)
    cols = {"path": tmp_path / "blank.csv", "file": "blank.csv", "label": "label", "text": "",
            "source": ""}  # fmt: skip
    result, _ = page._measure_curve(cols, "accuracy", learning, None, None)
    assert any(f"'{BLANK}'" in n for n in result.notes)
    pd.DataFrame({"label": ["a", "b", "c"] * 30, "text": ["same text"] * 90}).to_csv(
        tmp_path / "same.csv", index=False
    )
    cols.update(path=tmp_path / "same.csv", file="same.csv")
    with pytest.raises(InputError, match="same.csv: only 1 different text in column"):
        page._measure_curve(cols, "accuracy", learning, None, None)


def test_1998_columns_by_2000_rows_fit_the_profilers_memory(tmp_path):
    """Issue 23: 8 MB of numbers, under the 2,000-column cap, ran out of DuckDB's 512 MB."""
    rng = np.random.default_rng(0)
    p = tmp_path / "wide.csv"
    with open(p, "w") as fh:
        fh.write(",".join(["label"] + [f"c{i}" for i in range(1998)]) + "\n")
        for r in range(2000):
            fh.write(",".join(["ab"[r % 2]] + [str(v) for v in rng.integers(0, 1000, 1998)]))
            fh.write("\n")
    code, out, err, peak = run("profile", str(p), "--label", "label", "--json")
    assert json.loads(answered(code, out, err))["rows"] == 2000
    assert peak < PEAK_LIMIT_MB
