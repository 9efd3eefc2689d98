"""Bad input: every case gets one clear line naming the file and the problem, and exit code 2.

Each test makes its own file. After every failure the next command must still work: the
``healthy`` check runs a good profile in the same process.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from hybrid.cli.main import main
from hybrid.errors import InputError
from hybrid.evidence.limits import MAX_COLUMNS, check_upload_size
from hybrid.evidence.profile import profile_file


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def expect_refusal(capsys, path, *words: str, args: tuple[str, ...] = ()) -> str:
    code, out, err = run_cli(capsys, "profile", str(path), "--quiet", *args)
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("error: ") and path.name in lines[0], lines[0]
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


@pytest.fixture
def healthy(tmp_path, capsys):
    """A good file that must still profile after each failure (the app goes on working)."""
    good = tmp_path / "good.csv"
    pd.DataFrame({"text": ["a b", "c d", "e f", "g h"], "label": ["x", "y", "x", "y"]}).to_csv(
        good, index=False
    )

    def check() -> None:
        code, out, _ = run_cli(capsys, "profile", str(good), "--json", "--quiet")
        assert code == 0 and json.loads(out)["rows"] == 4

    return check


def test_empty_file(tmp_path, capsys, healthy):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    expect_refusal(capsys, p, "empty")
    healthy()


def test_header_only(tmp_path, capsys, healthy):
    p = tmp_path / "header.csv"
    p.write_text("text,label\n", encoding="utf-8")
    expect_refusal(capsys, p, "no data rows")
    healthy()


def test_binary_junk(tmp_path, capsys, healthy):
    p = tmp_path / "junk.csv"
    p.write_bytes(np.random.default_rng(0).bytes(20_000))
    expect_refusal(capsys, p, "binary")
    healthy()


def test_wrong_extensions(tmp_path, capsys, healthy):
    frame = pd.DataFrame({"text": ["a", "b"], "label": ["x", "y"]})
    parquet_named_csv = tmp_path / "really_parquet.csv"
    frame.to_parquet(parquet_named_csv)
    expect_refusal(capsys, parquet_named_csv, "Parquet")
    csv_named_parquet = tmp_path / "really_csv.parquet"
    frame.to_csv(csv_named_parquet, index=False)
    expect_refusal(capsys, csv_named_parquet, "extension says Parquet")
    csv_named_xlsx = tmp_path / "really_csv.xlsx"
    frame.to_csv(csv_named_xlsx, index=False)
    expect_refusal(capsys, csv_named_xlsx, "Excel")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    expect_refusal(capsys, pdf, "unsupported file type")
    healthy()


def test_ragged_rows(tmp_path, capsys, healthy):
    p = tmp_path / "ragged.csv"
    p.write_text("a,b,label\n" + "1,2,x\n" * 50 + "1,2,y,9\n" + "3,4,x\n", encoding="utf-8")
    expect_refusal(capsys, p, "ragged", "line 52", "4 fields", "3")
    short = tmp_path / "short.csv"
    short.write_text("a,b,label\n1,2,x\n1,2\n", encoding="utf-8")
    expect_refusal(capsys, short, "ragged", "line 3")
    healthy()


def test_unterminated_quote(tmp_path, capsys, healthy):
    p = tmp_path / "quote.csv"
    p.write_text('text,label\nok,a\n"hello world,a\nbye,b\n', encoding="utf-8")
    expect_refusal(capsys, p, "quote")
    healthy()


def test_undecodable_bytes(tmp_path, capsys, healthy):
    p = tmp_path / "cp1252.csv"
    p.write_bytes(b"text,label\n" + b"fine,a\n" * 30_000 + b"\x93smart quotes\x94,b\n")
    line = expect_refusal(capsys, p, "not UTF-8", "0x93")
    assert "offset" in line
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("text,label\na,b\n".encode("utf-16"))
    expect_refusal(capsys, utf16, "UTF-16")
    healthy()


def test_latin1_is_read_not_refused(tmp_path, capsys):
    p = tmp_path / "latin.csv"
    p.write_bytes(b"text,label\n" + "crème brûlée,a\nnaïve,b\n".encode("latin-1") * 3)
    code, out, _ = run_cli(capsys, "profile", str(p), "--json", "--quiet")
    assert code == 0 and json.loads(out)["inputs"][0]["encoding"] == "latin-1"


def test_missing_label_column(tmp_path, capsys, healthy):
    p = tmp_path / "nolabel.csv"
    pd.DataFrame({"text": ["a", "b"], "y": ["x", "z"]}).to_csv(p, index=False)
    expect_refusal(
        capsys, p, "no label column 'target'", "columns: text, y", args=("--label", "target")
    )
    code, _, err = run_cli(capsys, "learning-curve", str(p), "--label", "target", "--quiet")
    assert code == 2 and "nolabel.csv" in err and "target" in err
    code, _, err = run_cli(capsys, "profile", str(p), "--quiet", "--annotators", "text,nope")
    assert code == 2 and "annotator column 'nope'" in err
    healthy()


def test_single_class_label(tmp_path, capsys, healthy):
    p = tmp_path / "oneclass.csv"
    pd.DataFrame({"text": [f"t{i}" for i in range(50)], "label": ["spam"] * 50}).to_csv(
        p, index=False
    )
    expect_refusal(capsys, p, "1 class", "'spam'", "at least two")
    code, _, err = run_cli(capsys, "learning-curve", str(p), "--label", "label", "--quiet")
    assert code == 2 and "oneclass.csv" in err and "at least two" in err
    code, _, _ = run_cli(capsys, "profile", str(p), "--shard", "--quiet")
    assert code == 0
    healthy()


def test_ten_thousand_columns(tmp_path, capsys, healthy):
    p = tmp_path / "wide.csv"
    p.write_text(
        ",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n",
        encoding="utf-8",
    )
    expect_refusal(capsys, p, "10000 columns", str(MAX_COLUMNS))
    pq = tmp_path / "wide.parquet"
    pd.DataFrame(np.zeros((2, 3000)), columns=[f"c{i}" for i in range(3000)]).to_parquet(pq)
    expect_refusal(capsys, pq, "3000 columns")
    healthy()


def test_ten_megabyte_cell(tmp_path, capsys, healthy):
    big = "x" * (10 * 1024 * 1024)
    p = tmp_path / "bigcell.csv"
    p.write_text(f"text,label\nok,a\n{big},b\n", encoding="utf-8")
    expect_refusal(capsys, p, "line 3", "MB")
    j = tmp_path / "bigcell.jsonl"
    j.write_text(
        json.dumps({"text": "ok", "label": "a"})
        + "\n"
        + json.dumps({"text": big, "label": "b"})
        + "\n",
        encoding="utf-8",
    )
    expect_refusal(capsys, j, "column 'text'", "10.5 MB")
    healthy()


def test_formula_looking_cells(tmp_path, capsys, healthy):
    p = tmp_path / "formula.csv"
    pd.DataFrame(
        {
            "text": ["a", "b", "c"],
            "label": ['=HYPERLINK("http://example.com","x")', "b", "b"],
        }
    ).to_csv(p, index=False)
    expect_refusal(capsys, p, "column 'label'", "formula-looking", "=HYPERLINK")
    at = tmp_path / "at.csv"
    pd.DataFrame({"text": ["a", "b"], "label": ["ok", "x"], "segment": ["@SUM(A1)", "b"]}).to_csv(
        at, index=False
    )
    expect_refusal(capsys, at, "column 'segment'", "@SUM")
    numbers = tmp_path / "numbers.csv"
    pd.DataFrame({"text": ["a", "b", "c"], "label": ["-3", "+1.5", "-3"]}).to_csv(
        numbers, index=False
    )
    assert run_cli(capsys, "profile", str(numbers), "--quiet")[0] == 0

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["text", "label"])
    ws.append(["a", "x"])
    ws.append(["b", "=1+1"])
    x = tmp_path / "formula.xlsx"
    wb.save(x)
    expect_refusal(capsys, x, "B3", "formula")
    healthy()


def test_malformed_json_lines_and_arrays(tmp_path, capsys, healthy):
    p = tmp_path / "broken.jsonl"
    p.write_text('{"text": "a", "label": "x"}\n{"text": "b", "label": \n', encoding="utf-8")
    expect_refusal(capsys, p, "not valid JSON Lines")
    arr = tmp_path / "array.json"
    arr.write_text('[{"text": "a", "label": "x"}]', encoding="utf-8")
    expect_refusal(capsys, arr, "JSON array")
    healthy()


def test_bad_statistics_files(tmp_path, capsys, healthy):
    p = tmp_path / "stats.yaml"
    p.write_text("format: hybrid-profile\nversion: 1\nrows: -3\n", encoding="utf-8")
    expect_refusal(capsys, p, "rows", ">= 0")
    q = tmp_path / "mismatch.yaml"
    q.write_text(
        "format: hybrid-profile\nversion: 1\nrows: 10\nlabel: {column: y, counts: {a: 5}}\n",
        encoding="utf-8",
    )
    expect_refusal(capsys, q, "add up to 5", "rows is 10")
    r = tmp_path / "other.yaml"
    r.write_text("name: a scenario, not statistics\n", encoding="utf-8")
    expect_refusal(capsys, r, "format")
    s = tmp_path / "unsafe.yaml"
    s.write_text("format: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    expect_refusal(capsys, s)
    healthy()


def test_missing_file_and_directory(tmp_path, capsys):
    code, _, err = run_cli(capsys, "profile", str(tmp_path / "nope.csv"))
    assert code == 2 and "nope.csv: file not found" in err
    code, _, err = run_cli(capsys, "profile", str(tmp_path))
    assert code == 2 and "directory" in err


def test_upload_size_refused_up_front(monkeypatch):
    monkeypatch.setenv("HYBRID_MAX_UPLOAD_MB", "5")
    with pytest.raises(InputError) as err:
        check_upload_size("huge.parquet", 6 * 1024 * 1024)
    assert "huge.parquet" in str(err.value) and "5 MB upload limit" in str(err.value)
    check_upload_size("fine.csv", 4 * 1024 * 1024)
    monkeypatch.setenv("HYBRID_MAX_UPLOAD_MB", "lots")
    with pytest.raises(InputError, match="HYBRID_MAX_UPLOAD_MB"):
        check_upload_size("fine.csv", 1)


def test_library_raises_input_error_not_crashes(tmp_path):
    p = tmp_path / "junk.parquet"
    p.write_bytes(b"PAR1" + os.urandom(200))
    with pytest.raises(InputError) as err:
        profile_file(p)
    assert "junk.parquet" in str(err.value)


def test_statistics_source_and_slice_counts_must_add_up_to_rows(tmp_path, capsys, healthy):
    p = tmp_path / "inflated.yaml"
    p.write_text(
        "format: hybrid-profile\nversion: 1\nrows: 2000\n"
        "label: {column: y, counts: {a: 1500, b: 500}}\n"
        "source: {column: origin, counts: {human: 14090, synthetic: 59100}}\n",
        encoding="utf-8",
    )
    expect_refusal(capsys, p, "source", "add up to 73190", "rows is 2000")
    q = tmp_path / "short.yaml"
    q.write_text(
        "format: hybrid-profile\nversion: 1\nrows: 100\n"
        "source: {column: origin, counts: {human: 60, synthetic: 30}, missing: 5}\n",
        encoding="utf-8",
    )
    expect_refusal(capsys, q, "source", "add up to 95", "rows is 100")
    r = tmp_path / "slices.yaml"
    r.write_text(
        "format: hybrid-profile\nversion: 1\nrows: 100\n"
        "slice: {column: lang, counts: {en: 80, de: 30}}\n",
        encoding="utf-8",
    )
    expect_refusal(capsys, r, "slice", "add up to 110")
    ok = tmp_path / "ok.yaml"
    ok.write_text(
        "format: hybrid-profile\nversion: 1\nrows: 100\n"
        "source: {column: origin, counts: {human: 60, synthetic: 30}, missing: 10}\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(capsys, "profile", str(ok), "--json", "--quiet")
    assert code == 0 and json.loads(out)["synthetic_share"] == pytest.approx(0.3), err
    healthy()
