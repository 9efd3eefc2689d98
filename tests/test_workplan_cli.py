"""``python -m hybrid workplan``: the JSON the issue specifies, CSV quotas safe to open in a
spreadsheet, Label Studio exports, and one line on stderr with exit 2 for bad input."""

from __future__ import annotations

import csv
import io
import json

from hybrid.cli.main import main
from hybrid.evidence.labelstudio import read_label_studio
from hybrid.evidence.slices import slice_stats_frame
from hybrid.share.workplan import neutralise
from tests.conftest import ROOT

SCN = str(ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml")
DATA = str(ROOT / "data" / "samples" / "support_tickets.csv")
ARGS = [
    "workplan",
    SCN,
    "--data",
    DATA,
    "--slice",
    "channel",
    "--label",
    "label",
    "--annotators",
    "annotator_1,annotator_2",
    "--source",
    "source",
]


def test_json_has_the_issue_fields_and_totals_match(capsys):
    assert main(ARGS + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"slices", "total"}
    assert [s["slice"] for s in out["slices"]] == ["chat", "email", "phone", "social"]
    for s in out["slices"]:
        assert list(s) == [
            "slice",
            "human_examples",
            "synthetic_examples",
            "review_coverage",
            "verification_sample",
            "spend",
            "reason",
        ]
    t = out["total"]
    assert (
        t["human_examples"]
        == sum(s["human_examples"] for s in out["slices"])
        == t["global_plan"]["human_examples"]
    )
    assert t["synthetic_examples"] == t["global_plan"]["synthetic_examples"]
    assert t["matches_global_plan"] is True
    assert t["unit_costs"]["human_example"] == 1.8 and t["budget"] == 60000


def test_csv_quotas_per_slice_and_layer(tmp_path, capsys):
    path = tmp_path / "plan.csv"
    assert main(ARGS + ["-o", str(path)]) == 0
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert len(rows) == 4 * 3 + 1
    human = sum(int(r["Rows"]) for r in rows if r["Layer"].startswith("new human"))
    js = tmp_path / "plan.json"
    assert main(ARGS + ["-o", str(js)]) == 0
    assert human == json.loads(js.read_text())["total"]["human_examples"]


def test_formula_cells_are_neutralised(tmp_path, capsys):
    data = tmp_path / "d.csv"
    lines = ["text,label,a1,a2,seg"] + [
        f"t{i},x{i % 3},x{i % 3},x{i % 3},{'=HYPERLINK(1)' if i % 2 else 'ok'}" for i in range(60)
    ]
    data.write_text("\n".join(lines) + "\n")
    out = tmp_path / "p.csv"
    code = main(["workplan", SCN, "--data", str(data), "--slice", "seg", "-o", str(out)])
    if code == 0:
        assert "\n=HYPERLINK" not in out.read_text() and "'=HYPERLINK" in out.read_text()
    else:  # the reader may refuse formula-looking values outright; either is safe
        assert code == 2
    for bad in ("=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad).startswith("'")
    assert neutralise("plain") == "plain" and neutralise(5) == 5


def test_bad_input_exits_2_with_one_line(capsys, tmp_path):
    for argv in (
        ["workplan", SCN, "--data", DATA, "--slice", "nope"],
        ["workplan", SCN, "--data", str(tmp_path / "missing.csv"), "--slice", "channel"],
        ["workplan", SCN, "--data", DATA, "--slice", "channel", "-o", str(tmp_path / "plan.txt")],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error:") and "\n" not in err and "Traceback" not in err


def _task(i, a, b, pred=None, channel="chat"):
    t = {
        "id": i,
        "data": {"text": f"t{i}", "channel": channel},
        "annotations": [
            {"completed_by": 1, "result": [{"type": "choices", "value": {"choices": [a]}}]},
            {"completed_by": 2, "result": [{"type": "choices", "value": {"choices": [b]}}]},
        ],
    }
    if pred:
        t["predictions"] = [{"result": [{"type": "choices", "value": {"choices": [pred]}}]}]
    return t


def test_label_studio_export(tmp_path, capsys):
    tasks = [
        _task(i, "yes", "yes" if i % 5 else "no", channel="chat" if i % 2 else "email")
        for i in range(100)
    ]
    tasks += [_task(100 + i, "yes", "yes", pred="yes" if i % 10 else "no") for i in range(40)]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks))
    frame, annotators = read_label_studio(path)
    assert annotators == ["annotator_1", "annotator_2"]
    assert (frame["source"] == "synthetic").sum() == 40
    stats = {
        s.name: s
        for s in slice_stats_frame(
            frame, slice="channel", label="label", annotators=annotators, source="source"
        )
    }
    assert stats["chat"].reviewed == 40 and stats["chat"].reviewed_correct == 36
    assert stats["email"].agreement < 1.0
    assert main(["workplan", SCN, "--data", str(path), "--slice", "channel", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {s["slice"] for s in out["slices"]} == {"chat", "email"}
