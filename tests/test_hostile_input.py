"""Hostile, broken and faulty input (issue 13): every case ends in one clear refusal (exit code 2,
one line on stderr naming the file or field, no traceback) or in the right answer, and each command
line case runs in a fresh process under an address-space limit, so a bomb fails the test by running
out of memory instead of passing quietly.
"""

from __future__ import annotations

import base64
import errno
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml

from hybrid.errors import InputError
from hybrid.safeload import MAX_DEPTH, MAX_NODES, inflate, load_json, load_yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"
# Everything the CLI legitimately does fits in this address space (DuckDB, SciPy and scikit-learn
# loaded): `workplan` on the sample needs about 1.45 GB of it (OpenBLAS and DuckDB reserve
# per-thread
# buffers), so 1.5 GB failed now and then on a fresh clone. The bombs of the issue needed 2 to 23 GB
# of real memory, and every test here checks they are refused, not merely stopped by the limit.
MEMORY_LIMIT = 2048 * 2**20


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def cli(
    *args: str,
    env: dict | None = None,
    stdout=subprocess.PIPE,
    timeout: int = 120,
    file_size: int | None = None,
) -> subprocess.CompletedProcess:
    """``python -m hybrid ARGS`` in a fresh process under the memory limit; with ``file_size``, no
    file it writes may grow past that many bytes (RLIMIT_FSIZE: a write past it fails with EFBIG,
    as on a full disk; Python ignores the SIGXFSZ signal that comes with it)."""

    def limits() -> None:
        _limit()
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    return subprocess.run(
        [sys.executable, "-m", "hybrid", *args],
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limits,
        timeout=timeout,
        env={**os.environ, "HYBRID_DATABASE_URL": "", **(env or {})},
    )


def refused(result: subprocess.CompletedProcess, *needles: str) -> str:
    """Exit 2, one line on stderr starting ``error:``, containing every needle, no traceback."""
    err = result.stderr
    assert result.returncode == 2, (result.returncode, err[-2000:])
    assert "Traceback" not in err and "MemoryError" not in err, err[-2000:]
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: "), lines
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def scenario_dict() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
)


def stats_header(rows: int = 4) -> dict:
    return {"format": "hybrid-profile", "version": 1, "rows": rows}


# --- the safe loader ------------------------------------------------------------------------------


def test_alias_bomb_is_refused_without_expanding():
    with pytest.raises(InputError, match=rf"bomb.yaml: expands to more than {MAX_NODES:,} values"):
        load_yaml(ALIAS_BOMB + "\nnotes: [*a8, *a8]\n", "bomb.yaml")


def test_recursive_alias_is_refused():
    with pytest.raises(InputError, match="refers to the value that contains it"):
        load_yaml("a: &x [1, *x]\n", "loop.yaml")


def test_modest_aliases_still_load():
    assert load_yaml("a: &x [1, 2]\nb: *x\n", "ok.yaml") == {"a": [1, 2], "b": [1, 2]}


@pytest.mark.parametrize(
    "text", ["[" * 5000 + "]" * 5000, "a:\n" + "".join("  " * i + "- \n" for i in range(200))]
)
def test_deep_yaml_is_refused_by_depth(text):
    with pytest.raises(InputError, match=f"deep.yaml: nested more than {MAX_DEPTH} levels"):
        load_yaml(text, "deep.yaml")


def test_deep_and_non_finite_json_are_refused():
    with pytest.raises(InputError, match="x.json: nested more than"):
        load_json("[" * 100_000 + "]" * 100_000, "x.json", max_bytes=10**6)
    with pytest.raises(InputError, match="x.json: nested more than"):
        load_json("[" * 100 + "]" * 100, "x.json")
    for text in ('{"a": NaN}', '{"a": 1e400}', '{"a": Infinity}'):
        with pytest.raises(InputError, match="x.json: not valid JSON"):
            load_json(text, "x.json")


def test_inflate_is_capped_by_output_not_input():
    bomb = zlib.compress(b"\0" * (64 * 2**20), 9)
    assert len(bomb) < 100_000
    with pytest.raises(InputError, match="sketch: decompresses to more than 1 MB"):
        inflate(bomb, "sketch", 2**20)
    assert inflate(zlib.compress(b"abc"), "x") == b"abc"


# --- statistics files -----------------------------------------------------------------------------


def test_stats_alias_bomb_in_notes(tmp_path):
    p = tmp_path / "bomb.stats.yaml"
    p.write_text(
        "format: hybrid-profile\nversion: 1\nrows: 1\n" + ALIAS_BOMB + "\nnotes: [*a8,*a8,*a8]\n"
    )
    assert p.stat().st_size < 1000
    refused(cli("profile", str(p), "--quiet"), "bomb.stats.yaml", "expands to more than")


def test_stats_zlib_sketch_bomb(tmp_path):
    big = base64.b64encode(zlib.compress(b"\0" * (256 * 2**20), 9)).decode()
    data = {
        **stats_header(1),
        "duplicates": {
            "hash": "x",
            "sketch": {"k": 16384, "keys": big, "rows": big, "text": big, "counts": big},
        },
    }
    p = write_yaml(tmp_path / "sketch.stats.yaml", data)
    refused(
        cli("profile", str(p), "--quiet"),
        "sketch.stats.yaml",
        "duplicates.sketch",
        "decompresses to more than",
    )


def test_stats_agreement_that_values_make_impossible(tmp_path):
    data = {
        **stats_header(10),
        "annotators": {
            "columns": ["a", "b"],
            "rows": 10,
            "counts": {"a": {"x": 10}, "b": {"y": 10}},
            "agreements": [{"columns": ["a", "b"], "agree": 10}],
        },
    }
    p = write_yaml(tmp_path / "kappa.stats.yaml", data)
    refused(
        cli("profile", str(p), "--quiet"), "kappa.stats.yaml", "annotators.agreements", "contradict"
    )


@pytest.mark.parametrize(
    "extra, needle",
    [
        (
            {"label": {"column": "label", "counts": {'=HYPERLINK("http://evil/","x")': 2, "b": 2}}},
            "formula",
        ),
        ({"label": {"column": "lab\x1b[31mel", "counts": {"a": 2, "b": 2}}}, "control characters"),
        ({"notes": {"not": "a list"}}, "notes"),
    ],
)
def test_stats_names_and_notes(tmp_path, extra, needle):
    p = tmp_path / "names.stats.json"
    p.write_text(json.dumps({**stats_header(4), **extra}))
    refused(cli("profile", str(p), "--quiet"), "names.stats.json", needle)


# --- scenarios, policies, reports -----------------------------------------------------------------


@pytest.mark.parametrize(
    "change, needle",
    [
        ({"budget": 1e307}, "economics.budget: must be at most 1,000,000,000,000"),
        ({"budget": True}, "economics.budget: expected a number, got true"),
        ({"human_cost_per_example": 1e13}, "economics.human_cost_per_example"),
    ],
)
def test_scenario_numbers_out_of_range(tmp_path, change, needle):
    data = scenario_dict()
    data["economics"].update(change)
    refused(cli("recommend", str(write_yaml(tmp_path / "s.yaml", data))), "s.yaml", needle)


def test_scenario_count_out_of_range(tmp_path):
    data = scenario_dict()
    data.setdefault("dataset", {})["human_examples"] = 1e29
    refused(
        cli("recommend", str(write_yaml(tmp_path / "s.yaml", data))),
        "dataset.human_examples: far too large a number",
    )


@pytest.mark.parametrize(
    "bad", ["pay\x1b]0;owned\x07", "two\nlines", "tab\tbed", "nul\x00", "del\x7f"]
)
def test_scenario_name_with_control_characters_is_refused_at_entry(tmp_path, bad):
    """C0 controls and DEL are refused in a name (the library refuses the same in a saved name);
    the message names the field and shows the character as an escape, never raw."""
    data = scenario_dict()
    data["name"] = bad
    line = refused(
        cli("recommend", str(write_yaml(tmp_path / "s.yaml", data))),
        "s.yaml",
        "name: must not contain control characters",
    )
    assert not any(c in line for c in "\x1b\x07\x00\x7f\t")


def test_scenario_name_with_bidi_overrides_is_accepted_and_escaped_where_shown(tmp_path):
    """Bidi controls are legitimate in right-to-left names, so they are accepted, and written as
    visible escapes in the terminal and in the scenario YAML (a report's listing, an export)."""
    data = scenario_dict()
    data["name"] = "pay \u202eevil\u202c \u05e9\u05dc\u05d5\u05dd\u200f"
    p = write_yaml(tmp_path / "s.yaml", data)
    r = cli("recommend", str(p))
    assert r.returncode == 0, r.stderr
    assert "\u202e" not in r.stdout and "\u200f" not in r.stdout
    assert r.stdout.startswith(
        "pay \\u202eevil\\u202c \u05e9\u05dc\u05d5\u05dd\\u200f\n"
    )  # Hebrew kept as itself
    from hybrid.model.scenario import Scenario

    s = Scenario.from_yaml(p.read_text(encoding="utf-8"))
    text = s.to_yaml()
    assert 'name: "pay \\u202eevil\\u202c \u05e9\u05dc\u05d5\u05dd\\u200f"' in text
    assert Scenario.from_yaml(text) == s


def test_deep_scenario_and_policy(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 3000 + "]" * 3000 + "\n")
    refused(cli("recommend", str(deep)), "deep.yaml", "nested more than")
    refused(cli("recommend", str(EXAMPLE), "--policy", str(deep)), "deep.yaml", "nested more than")


DEEP = "name: x\nz: " + "[" * 3000 + "]" * 3000


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_deep_yaml_embedded_in_a_report_is_refused(tmp_path, fmt):
    """A report opened on the Start page (or read back) whose embedded scenario is nested 3,000
    deep."""
    import base64 as b64
    import re

    from hybrid.share.extract import extract_scenario
    from hybrid.share.report import YAML_MARKER

    out = tmp_path / f"r.{fmt}"
    assert cli("report", str(EXAMPLE), "--format", fmt, "-o", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "md":
        i = text.find("```yaml\n", text.find(YAML_MARKER)) + len("```yaml\n")
        text = text[:i] + DEEP + text[text.find("\n```", i) :]
    elif fmt == "html":
        text = re.sub(
            r'(id="scenario-download"[^>]*?base64,)[A-Za-z0-9+/=]+',
            lambda m: m.group(1) + b64.b64encode(DEEP.encode()).decode(),
            text,
        )
    else:
        text = json.dumps({**json.loads(text), "scenario_yaml": DEEP})
    with pytest.raises(InputError, match="report's embedded scenario: nested more than 64 levels"):
        extract_scenario(text)


def test_deep_yaml_in_a_zip_member_is_refused_naming_it(tmp_path, monkeypatch):
    from hybrid.store.scenarios import ScenarioStore
    from ui import library

    store = ScenarioStore(f"sqlite:///{tmp_path / 'hybrid.sqlite'}")
    monkeypatch.setattr(library, "store", lambda: store)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("good.yaml", EXAMPLE.read_text(encoding="utf-8"))
        zf.writestr("dir/deep.yaml", DEEP)
    with pytest.raises(InputError, match=r"lib.zip: dir/deep.yaml: nested more than 64 levels"):
        library.import_upload("lib.zip", buf.getvalue(), "tester")
    assert store.list_scenarios() == []  # every file is checked before anything is written
    store.close()


def test_batch_report_writes_the_good_ones_when_one_is_deep(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "good.yaml")
    (folder / "deep.yaml").write_text("a: " + "[" * 3000 + "]" * 3000 + "\n")
    out = tmp_path / "out"
    r = cli("report", str(folder), "--format", "md", "-o", str(out))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "deep.yaml: nested more than" in r.stderr
    assert (out / "good.md").stat().st_size > 1000


def test_huge_and_endless_inputs_are_refused_unread(tmp_path):
    sparse = tmp_path / "huge.yaml"
    with sparse.open("wb") as fh:
        fh.truncate(2 * 2**30)
    refused(cli("recommend", str(sparse)), "huge.yaml", "more than the 1 MB")
    refused(
        cli("scenarios", "import", "/dev/zero", env={"HYBRID_DATA_DIR": str(tmp_path / "lib")}),
        "/dev/zero",
        "more than the 1 MB",
    )
    refused(cli("profile", "/dev/zero", "--quiet"), "/dev/zero")


def test_caps_on_numeric_arguments(tmp_path):
    refused(
        cli("report", str(EXAMPLE), "--uncertainty", "--draws", "1000000000"),
        "--draws: must be from 100 to 200,000",
    )
    lib = {"HYBRID_DATA_DIR": str(tmp_path)}
    refused(
        cli("scenarios", "show", "x", "--version", "9" * 23, env=lib),
        "--version: must be a version number from 1 to 2,147,483,647",
    )
    refused(cli("scenarios", "restore", "x", "-1", env=lib), "version: must be a version number")
    refused(
        cli(
            "learning-curve",
            str(ROOT / "data" / "samples" / "support_tickets.csv"),
            "--label",
            "label",
            "--seed",
            "9" * 30,
        ),
        "--seed",
    )
    refused(cli("recommend"), "the following arguments are required: scenario")


def test_draws_at_the_cap_fit_in_the_memory_limit(tmp_path):
    """200,000 draws (the documented cap) ran out of memory under this limit and ended in a numpy
    traceback; the draws are now evaluated in chunks (same numbers)."""
    out = tmp_path / "r.md"
    r = cli(
        "report",
        str(EXAMPLE),
        "--uncertainty",
        "--draws",
        "200000",
        "--format",
        "md",
        "-o",
        str(out),
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "cheapest per point in" in out.read_text(
        encoding="utf-8"
    )  # the Monte Carlo section is there


def test_chunked_monte_carlo_gives_the_same_numbers(policy, monkeypatch):
    import numpy as np

    from hybrid.explain.recommendation import recommend
    from hybrid.model.economics import resolve_inputs
    from hybrid.model.scenario import load_scenario
    from hybrid.whatif import uncertainty

    s = load_scenario(EXAMPLE)
    rec = recommend(s, policy)
    plans = [(p.name, p.synthetic_share, p.review_coverage) for p in rec.plans]
    whole = uncertainty.monte_carlo(
        resolve_inputs(s, policy), plans, policy.ranges, rec.mode, draws=3001, seed=5
    )
    monkeypatch.setattr(uncertainty, "CHUNK", 499)
    chunked = uncertainty.monte_carlo(
        resolve_inputs(s, policy), plans, policy.ranges, rec.mode, draws=3001, seed=5
    )
    assert chunked.plans == whole.plans and chunked.p_no_gain == whole.p_no_gain
    assert np.array_equal(chunked.cost_per_point, whole.cost_per_point, equal_nan=True)


@pytest.mark.parametrize(
    "argv, knob, absent",
    [
        (["recommend", str(EXAMPLE)], "give it less data", "--draws"),
        (["report", str(EXAMPLE), "--uncertainty"], "lower --draws", "--max-rows"),
        (["learning-curve", "pilot.csv", "--label", "y"], "--max-rows", "--draws"),
        (["evidence", "pilot.csv", "--label", "y"], "--max-rows", "--draws"),
        (["profile", "pilot.csv"], "HYBRID_DUCKDB_MEMORY", "--draws"),
    ],
)
def test_running_out_of_memory_is_one_line(monkeypatch, capsys, argv, knob, absent):
    """Issue 23: the backstop named --draws for commands that have none, named no file and
    exited 1; now exit 2, the file and the knob of the command that ran."""
    from hybrid.cli import main as cli_main

    def hungry(args):
        raise MemoryError

    parser = cli_main.build_parser()
    real = parser.parse_args(argv)
    real.func = hungry
    monkeypatch.setattr(cli_main, "build_parser", lambda: parser)
    monkeypatch.setattr(parser, "parse_args", lambda argv=None: real)
    assert cli_main.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "not enough memory" in err and knob in err and absent not in err
    if "pilot.csv" in argv:
        assert "pilot.csv" in err


@pytest.mark.parametrize(
    "args, name, limit",
    [
        (["report", str(EXAMPLE), "--format", "html"], "old.html", 64 * 1024),
        (["report", str(EXAMPLE), "--format", "pdf"], "new.pdf", 4096),
        (
            [
                "profile",
                str(ROOT / "data" / "samples" / "support_tickets.csv"),
                "--label",
                "label",
                "--quiet",
            ],
            "s.stats.yaml",
            2048,
        ),
        (
            [
                "workplan",
                str(EXAMPLE),
                "--data",
                str(ROOT / "data" / "samples" / "support_tickets.csv"),
                "--slice",
                "label",
            ],
            "plan.csv",
            100,
        ),
    ],
)
def test_output_files_on_a_full_disk_leave_nothing_behind(tmp_path, args, name, limit):
    """``-o`` on a disk that fills up mid-write: one line, exit 2, the old file intact (or no file),
    no temporary file left (the issue found 0-byte reports)."""
    target = tmp_path / name
    if name.startswith("old"):
        target.write_text("the old report")
    line = refused(
        cli(*args, "-o", str(target), file_size=limit, timeout=300),
        name,
        "File too large",
        "nothing was written",
    )
    assert "Traceback" not in line
    if name.startswith("old"):
        assert target.read_text() == "the old report"
        assert [p.name for p in tmp_path.iterdir()] == [name]
    else:
        assert list(tmp_path.iterdir()) == []


def test_output_to_a_full_device_is_one_line():
    with open("/dev/full", "w") as full:
        r = cli("recommend", str(EXAMPLE), stdout=full)
    refused(r, "cannot write the output", "No space left")


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    from hybrid import atomic

    target = tmp_path / "report.html"
    target.write_text("the old report")
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(InputError, match="No space left on device"):
        atomic.write_text(target, "x" * 10_000)
    monkeypatch.setattr(atomic.os, "fsync", real_fsync)
    assert target.read_text() == "the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    new = tmp_path / "new.md"
    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(InputError):
        atomic.write_text(new, "x")
    assert not new.exists() and [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_pdf_report_with_a_flate_bomb_is_refused_in_bounded_memory():
    bomb = zlib.compress(b" " * (512 * 2**20), 9)
    pdf = (
        b"%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Filter /FlateDecode /Length "
        + str(len(bomb)).encode()
        + b" >>\nstream\n"
        + bomb
        + b"\nendstream\nendobj\n%%EOF\n"
    )
    code = (
        "import sys; from hybrid.share.extract import extract_scenario\n"
        "from hybrid.errors import InputError\n"
        "try:\n    extract_scenario(sys.stdin.buffer.read())\nexcept InputError as e:\n    "
        "print(e); sys.exit(2)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        input=pdf,
        capture_output=True,
        cwd=ROOT,
        preexec_fn=_limit,
        timeout=120,
    )
    assert r.returncode == 2, r.stderr[-1000:]
    assert b"decompresses to more than 1 MB" in r.stdout


# --- data files -----------------------------------------------------------------------------------


def _xlsx(path: Path, rows: int, dim: str | None = None) -> Path:
    from hostile_files import xlsx

    xlsx(path, rows, dim)
    return path


def test_excel_is_read_by_its_cells_not_its_stated_dimension(tmp_path):
    p = _xlsx(tmp_path / "dim.xlsx", 300, "A1:C10")
    r = cli("profile", str(p), "--label", "label", "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows"] == 300


def test_excel_past_the_row_cap_is_refused_not_truncated(tmp_path):
    from hybrid.evidence.limits import MAX_EXCEL_ROWS

    p = _xlsx(tmp_path / "rows.xlsx", MAX_EXCEL_ROWS + 10, "A1:C10")
    refused(
        cli("profile", str(p), "--label", "label", "--quiet"),
        "rows.xlsx",
        f"more than {MAX_EXCEL_ROWS:,} data rows",
    )


def test_the_issues_small_excel_file_of_four_million_rows(tmp_path):
    """Under 1 MB, 4 million rows of shared-string cells, a stated dimension of A1:B10: it ran
    212 s and used 1.7 GB; now refused from the sheet XML in seconds. 400,000 rows (under the cap)
    are all read, whatever the dimension says."""
    from hostile_files import xlsx_shared

    big = tmp_path / "four-million.xlsx"
    xlsx_shared(big, 4_000_000)
    assert big.stat().st_size < 2**20
    refused(
        cli("profile", str(big), "--label", "label", "--quiet"),
        "four-million.xlsx",
        "more than 500,000 data rows",
    )
    ok = tmp_path / "under.xlsx"
    xlsx_shared(ok, 400_000)
    r = cli("profile", str(ok), "--label", "label", "--json", "--quiet", timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows"] == 400_000


def test_parquet_with_time_zone_aware_timestamps(tmp_path):
    import pandas as pd

    p = tmp_path / "tz.parquet"
    pd.DataFrame(
        {
            "text": ["a", "b", "c", "d"],
            "label": ["x", "y", "x", "y"],
            "at": pd.to_datetime(
                ["2024-01-01", "2024-01-02", "2024-03-01", "2024-06-01"]
            ).tz_localize("Europe/Paris"),
        }
    ).to_parquet(p)
    r = cli("profile", str(p), "--label", "label", "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows"] == 4


@pytest.mark.parametrize(
    "name, body, needle",
    [
        ("arrays.jsonl", b'["a","x"]\n["b","y"]\n', "line 1 is an array"),
        (
            "broken.jsonl",
            b'{"text":"a","label":"x"}\n{"text":"b",\n{"text":"c","label":"y"}\n',
            "at line 2",
        ),
        ("wide.csv", "text,label\na,x\n".encode("utf-32"), "UTF-32"),
    ],
)
def test_data_file_errors_name_the_right_thing(tmp_path, name, body, needle):
    p = tmp_path / name
    p.write_bytes(body)
    refused(cli("profile", str(p), "--quiet"), name, needle)


def _label_studio(path: Path, slices: list[str], tasks: int = 120) -> Path:
    rows = []
    for i in range(tasks):
        votes = [
            {
                "completed_by": a,
                "result": [{"value": {"choices": ["xy"[(i + (a == 2 and i % 7 == 0)) % 2]]}}],
            }
            for a in (1, 2)
        ]
        rows.append(
            {"data": {"text": f"t{i}", "seg": slices[i % len(slices)]}, "annotations": votes}
        )
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def test_label_studio_exports_go_through_the_safe_loader(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text(
        '[{"data": {"text": "a"}, "annotations": ' + "[" * 100_000 + "]" * 100_000 + "}]"
    )
    refused(
        cli("workplan", str(EXAMPLE), "--data", str(deep), "--slice", "seg"),
        "deep.json",
        "nested more than",
    )
    nan = tmp_path / "nan.json"
    nan.write_text('[{"data": {"text": NaN}, "annotations": []}]')
    refused(
        cli("workplan", str(EXAMPLE), "--data", str(nan), "--slice", "seg"),
        "nan.json",
        "not valid JSON",
    )


@pytest.mark.parametrize("kind", ["csv", "label-studio"])
def test_work_plan_refuses_formula_values_as_profiling_does(tmp_path, kind):
    """Slice, label and annotator values are echoed into the work plan's CSV: a formula-looking one
    is refused naming the file and column, from a data file and from a Label Studio export alike
    (the Label Studio path skipped the check)."""
    if kind == "csv":
        data = tmp_path / "d.csv"
        rows = ["text,label,a1,a2,seg"] + [
            f"t{i},x{i % 3},x{i % 3},x{i % 3},{'=HYPERLINK(1)' if i % 2 else 'ok'}"
            for i in range(60)
        ]
        data.write_text("\n".join(rows) + "\n")
    else:
        data = _label_studio(tmp_path / "d.json", ['=HYPERLINK("http://evil/","x")', "ok"])
    out = tmp_path / "plan.csv"
    refused(
        cli("workplan", str(EXAMPLE), "--data", str(data), "--slice", "seg", "-o", str(out)),
        data.name,
        "column 'seg'",
        "formula-looking",
    )
    assert not out.exists()


def test_work_plan_csv_neutralises_every_text_cell(policy):
    """Defence in depth: whatever reaches the CSV writer is neutralised (OWASP), not dropped."""
    import csv
    import dataclasses

    from hybrid.evidence.slices import read_slices
    from hybrid.model.scenario import load_scenario
    from hybrid.model.workplan import slice_plan
    from hybrid.share.workplan import workplan_csv

    stats = read_slices(
        ROOT / "data" / "samples" / "support_tickets.csv",
        slice="channel",
        label="label",
        annotators=["annotator_1", "annotator_2"],
        source="source",
    )
    wp = slice_plan(load_scenario(EXAMPLE), policy, stats)
    formulas = [
        '=HYPERLINK("http://evil/","x")',
        "+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "-2+3",
        "\tTAB",
        "\rCR",
    ]
    assert len(wp.slices) >= 2
    wp = dataclasses.replace(
        wp,
        slices=tuple(
            dataclasses.replace(
                sl,
                slice=formulas[i % len(formulas)] + str(i),
                reason=formulas[(i + 1) % len(formulas)],
            )
            for i, sl in enumerate(wp.slices)
        ),
    )
    cells = [c for row in csv.reader(io.StringIO(workplan_csv(wp))) for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'" + formulas[0] + "0" in cells and "'" + formulas[1] in cells


def test_work_plan_output_escapes_control_characters(tmp_path):
    data = _label_studio(tmp_path / "ls.json", ["a\x1b[2Jb", "c\u202ed", "plain"])
    scn = scenario_dict()
    scn["name"] = "pay \u202eevil"
    scn_path = write_yaml(tmp_path / "s.yaml", scn)
    r = cli("workplan", str(scn_path), "--data", str(data), "--slice", "seg")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout
    assert r.stdout.startswith("pay \\u202eevil: work plan")
    assert "a\\u001b[2Jb" in r.stdout and "c\\u202ed" in r.stdout
    j = cli("workplan", str(scn_path), "--data", str(data), "--slice", "seg", "--json")
    assert j.returncode == 0 and "\u202e" not in j.stdout
    assert "c\u202ed" in {
        s["slice"] for s in json.loads(j.stdout)["slices"]
    }  # the same text to a JSON reader
    plan = tmp_path / "plan.json"
    assert (
        cli(
            "workplan", str(scn_path), "--data", str(data), "--slice", "seg", "-o", str(plan)
        ).returncode
        == 0
    )
    assert "\u202e" not in plan.read_text(encoding="utf-8")
    assert "c\u202ed" in {
        s["slice"] for s in json.loads(plan.read_text(encoding="utf-8"))["slices"]
    }


def test_json_reports_write_bidi_controls_as_escapes(tmp_path):
    from hybrid.share.extract import extract_scenario

    data = scenario_dict()
    data["name"] = "pay \u202eevil\u2066x"
    out = tmp_path / "r.json"
    assert (
        cli(
            "report", str(write_yaml(tmp_path / "s.yaml", data)), "--format", "json", "-o", str(out)
        ).returncode
        == 0
    )
    raw = out.read_bytes()
    assert "\u202e".encode() not in raw and "\u2066".encode() not in raw
    assert extract_scenario(raw).name == data["name"]  # the same text to a JSON reader


def test_work_plan_markdown_and_html_escape_slice_names():
    from types import SimpleNamespace

    from hybrid.share.workplan import workplan_html, workplan_markdown

    evil = "<script>x</script> **b** |\x1b[2J\u202e"
    sl = SimpleNamespace(
        slice=evil,
        human_examples=1,
        synthetic_examples=2,
        reviewed_examples=2,
        review_coverage=1.0,
        verification_sample=3,
        spend=10.0,
        reason=evil,
        moves=evil,
    )
    wp = SimpleNamespace(
        currency="USD",
        slices=[sl],
        margin=0.05,
        confidence=0.95,
        notes=[evil],
        total=lambda: {
            "human_examples": 1,
            "synthetic_examples": 2,
            "reviewed_examples": 2,
            "review_coverage": 1.0,
            "verification_sample": 3,
            "spend": 10.0,
        },
    )
    for text in (workplan_markdown(wp), workplan_html(wp)):
        assert "<script>" not in text and "\x1b" not in text and "\u202e" not in text
        assert "\\u001b" in text and "\\u202e" in text


# --- the store ------------------------------------------------------------------------------------


def test_corrupt_and_foreign_database_files(tmp_path):
    import sqlite3

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "hybrid.sqlite").write_bytes(os.urandom(8192))
    refused(
        cli("scenarios", "list", env={"HYBRID_DATA_DIR": str(bad)}),
        "hybrid.sqlite",
        "not a database",
        "move it aside",
    )
    other = tmp_path / "other"
    other.mkdir()
    con = sqlite3.connect(other / "hybrid.sqlite")
    con.execute("CREATE TABLE scenarios (x)")
    con.commit()
    con.close()
    refused(cli("scenarios", "list", env={"HYBRID_DATA_DIR": str(other)}), "not a scenario library")
    con = sqlite3.connect(other / "hybrid.sqlite")
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")] == [
        "scenarios"
    ]


def test_a_read_only_library_can_be_listed_and_refuses_changes(tmp_path):
    lib = tmp_path / "lib"
    env = {"HYBRID_DATA_DIR": str(lib)}
    assert cli("scenarios", "import", str(EXAMPLE), env=env).returncode == 0
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(lib)], capture_output=True).returncode != 0:
            pytest.skip(
                "running as root on a file system without chattr +i: cannot make a folder read-only"
            )
        undo = ["chattr", "-i", str(lib)]
    else:
        os.chmod(lib, 0o555)
        undo = ["chmod", "755", str(lib)]
    try:
        r = cli("scenarios", "list", env=env)
        assert r.returncode == 0, r.stderr
        assert "Support intent" in r.stdout
        assert cli("scenarios", "show", "Support intent classifier", env=env).returncode == 0
        refused(cli("scenarios", "delete", "Support intent classifier", env=env), "read-only")
    finally:
        subprocess.run(undo, check=True)


def test_every_zip_member_is_accounted_for(tmp_path, monkeypatch):
    from hybrid.store.scenarios import ScenarioStore
    from ui import library

    store = ScenarioStore(f"sqlite:///{tmp_path / 'hybrid.sqlite'}")
    monkeypatch.setattr(library, "store", lambda: store)
    base = scenario_dict()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i, member in enumerate(["a.yaml", "dir/b.yaml", "..\\..\\x.yaml", "c.yml"]):
            zf.writestr(member, yaml.safe_dump({**base, "name": f"zip scenario {i}"}))
        zf.writestr("README.txt", "hello")
        zf.writestr("__MACOSX/._a.yaml", "junk")
    results = library.import_upload("lib.zip", buf.getvalue(), "tester")
    # Printed in the dashboard as "4 new, 2 skipped": the two files that are not scenarios are
    # listed with their reason, so the zip's six members are all accounted for.
    by_status: dict[str, list[str]] = {}
    for r in results:
        by_status.setdefault(r.status, []).append(r.source)
    assert len(by_status["created"]) == 4
    assert "lib.zip: ..\\..\\x.yaml" in by_status["created"]
    assert sorted(by_status["skipped"]) == ["lib.zip: README.txt", "lib.zip: __MACOSX/._a.yaml"]
    assert len(store.list_scenarios()) == 4
    store.close()


def test_a_zip_member_that_lies_about_its_size_is_refused_not_inflated(tmp_path, monkeypatch):
    """zipfile stops a member at its declared size and then fails its CRC check, so a member that
    claims 100 bytes but inflates to 64 MB is refused with the member named."""
    from ui import library

    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = bomb.compress(b"name: x\n" + b" " * (64 * 2**20)) + bomb.flush()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("small.yaml", "name: placeholder\n")
    raw = bytearray(buf.getvalue())
    # Rebuild the archive by hand: the same headers (declared sizes small), the bomb as the data.
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).infolist()[0]
    local = bytes(raw[: 30 + len(info.filename)])
    local = local[:18] + len(body).to_bytes(4, "little") + local[22:]
    central_at = raw.find(b"PK\x01\x02")
    central = bytearray(raw[central_at:])
    central[20:24] = len(body).to_bytes(4, "little")
    end = central.find(b"PK\x05\x06")
    central[end + 16 : end + 20] = (len(local) + len(body)).to_bytes(4, "little")
    lying = local + body + bytes(central)
    assert len(lying) < 200_000
    with pytest.raises(InputError, match=r"bomb.zip: small.yaml: cannot be read"):
        library.import_upload("bomb.zip", lying, "tester")


# --- where text lands -----------------------------------------------------------------------------


def test_formula_cells_are_neutralised_and_numbers_kept():
    import pandas as pd

    from hybrid.safetext import neutralise_frame

    frame = pd.DataFrame(
        {
            "Name": ['=HYPERLINK("http://evil/","x")', "+1", "@SUM(A1)", "\tx", "plain"],
            "n": [-1, 2, 3, 4, 5],
        }
    )
    out = neutralise_frame(frame)
    assert list(out["Name"]) == [
        '\'=HYPERLINK("http://evil/","x")',
        "'+1",
        "'@SUM(A1)",
        "'\tx",
        "plain",
    ]
    assert list(out["n"]) == [-1, 2, 3, 4, 5]
    # Text that is one plain number is a number to a spreadsheet, not a formula: left as it is.
    plain = neutralise_frame(
        pd.DataFrame({"x": ["-0.50", "-5%", "-1,200", "-1e5", "-2+3", "-5 pts", "-", "--1", "+5"]})
    )
    assert list(plain["x"]) == [
        "-0.50",
        "-5%",
        "-1,200",
        "-1e5",
        "'-2+3",
        "'-5 pts",
        "'-",
        "'--1",
        "'+5",
    ]
    assert list(frame["Name"])[0].startswith("=")  # the input is not changed


def test_control_characters_never_reach_documents_raw(policy):
    from hybrid.model.scenario import Scenario
    from hybrid.share.render import render
    from hybrid.share.report import build_report

    good = Scenario.from_yaml(EXAMPLE.read_text(encoding="utf-8"))
    hostile = good.model_copy(update={"name": "evil\x1b[2J\x07\u202e name"})
    data = build_report(hostile, policy)
    for fmt in ("html", "md"):
        text = render(data, fmt)
        yaml_at = text.find("scenario-yaml") if fmt == "html" else text.find("```yaml")
        shown = text[:yaml_at]  # everything before the embedded scenario file, which is exact YAML
        assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    html = render(data, "html")
    assert "<title>Recommendation report: evil\\u001b[2J\\u0007\\u202e name</title>" in html


# --- the documented caps --------------------------------------------------------------------------

# Constants named MAX_*/MIN_* that are not limits on what users send, with the reason.
NOT_INPUT_CAPS = {
    "hybrid.evidence.stats.MIN_CLASS_COUNT": "the rare-class threshold of the statistics, not a "
    "limit",
    "ui.baseline.MAX_INPUTS_LISTED": "how many changed inputs a caption lists",
    "hybrid.model.economics.MIN_HUMAN_SIGNAL": "the least label signal the noise model keeps, "
    "not a limit on input",
    "hybrid.evidence.response.MIN_BATCH_SHARE": "the least synthetic batch worth a fit, as a share "
    "of its human base: a measurement design, not a limit on input",
    "hybrid.evidence.response.MIN_BATCHES": "the fewest batches measured at a base: a measurement "
    "design, not a limit on input",
}


def _documented_caps() -> dict[str, str]:
    text = (ROOT / "docs" / "hostile-input.md").read_text(encoding="utf-8")
    section = text[text.index("## The caps") :]
    caps: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[2].startswith("`"):
            continue
        for name in re.findall(r"`([a-z_.]+\.[A-Z_]+)`", cells[2]):
            caps[name] = cells[1]
    return caps


def _code_caps() -> set[str]:
    found = set()
    for folder in ("hybrid", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            for m in re.finditer(
                r"^((?:MAX|MIN)_[A-Z_]+|DEFAULT_MEMORY_LIMIT) *=",
                path.read_text(encoding="utf-8"),
                re.M,
            ):
                module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
                found.add(f"{module}.{m.group(1)}")
    return found


def _shown(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def test_documented_caps_match_the_code():
    """docs/hostile-input.md lists every cap with its number; a number changed in the code, or a
    cap added without a row, fails here."""
    import importlib

    caps = _documented_caps()
    assert len(caps) > 40, sorted(caps)
    for name, cell in caps.items():
        module, const = name.rsplit(".", 1)
        value = getattr(importlib.import_module(module), const)
        if const == "DEFAULT_MEMORY_LIMIT" and os.environ.get("HYBRID_DUCKDB_MEMORY"):
            continue
        assert _shown(value) in cell, (
            f"{name} is {_shown(value)} in the code; docs/hostile-input.md says {cell!r}"
        )
    missing = _code_caps() - set(caps) - set(NOT_INPUT_CAPS)
    assert not missing, f"caps in the code with no row in docs/hostile-input.md: {sorted(missing)}"
