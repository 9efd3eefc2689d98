"""Label Studio JSON exports (several annotators per task) as a table the profiler and the work
plan read: one row per task, its ``data`` fields as columns, one column per annotator
(``annotator_<id>``) with that annotator's choice, ``label`` the majority choice (ties: the first
annotation's), and ``source`` ``synthetic`` for tasks whose only labels are model predictions
reviewed by no one, else ``human``.

Format: the JSON export of Label Studio (a list of tasks, each with ``data``, ``annotations`` with
``completed_by`` and a ``result`` list of ``choices`` regions, and optional ``predictions``).
Only single-choice classification results are read; cancelled annotations are skipped.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from hybrid.errors import InputError

MAX_BYTES = 200 * 1024 * 1024


def is_label_studio(path: str | Path) -> bool:
    p = Path(path)
    if p.suffix.lower() != ".json" or not p.is_file():
        return False
    with open(p, "rb") as fh:
        head = fh.read(4096).lstrip()
    return (
        head.startswith(b"[")
        and b'"annotations"' in head
        or head.startswith(b"[")
        and b'"data"' in head
    )


def _choice(result: list) -> str | None:
    for region in result or []:
        if isinstance(region, dict) and isinstance(region.get("value"), dict):
            choices = region["value"].get("choices")
            if isinstance(choices, list) and choices:
                return str(choices[0])
    return None


def read_label_studio(path: str | Path):
    """(DataFrame, annotator columns) from a Label Studio JSON export."""
    import pandas as pd

    from hybrid import safeload

    # The safe loader: read no more than the cap (a device or a growing file is refused, not
    # slurped), nesting capped (a deep "annotations" value is a message, not a RecursionError).
    raw = safeload.read_bytes(path, MAX_BYTES, str(path))
    tasks = safeload.load_json(raw, str(path), max_bytes=MAX_BYTES)
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise InputError(f"{path}: a Label Studio export is a list of tasks")
    rows = []
    annotators: list[str] = []
    for task in tasks:
        data = task.get("data") if isinstance(task.get("data"), dict) else {}
        row = {
            str(k): (v if isinstance(v, (str, int, float, bool)) or v is None else json.dumps(v))
            for k, v in data.items()
        }
        votes = []
        for ann in task.get("annotations") or []:
            if not isinstance(ann, dict) or ann.get("was_cancelled"):
                continue
            who = ann.get("completed_by")
            if isinstance(who, dict):
                who = who.get("id", who.get("email"))
            col = f"annotator_{who}"
            choice = _choice(ann.get("result"))
            if choice is None:
                continue
            if col not in annotators:
                annotators.append(col)
            row[col] = choice
            votes.append(choice)
        preds = [
            c
            for c in (
                _choice(pr.get("result"))
                for pr in task.get("predictions") or []
                if isinstance(pr, dict)
            )
            if c
        ]
        if votes:
            top = Counter(votes).most_common()
            best = [c for c, n in top if n == top[0][1]]
            row.setdefault("label", votes[0] if votes[0] in best else best[0])
            row.setdefault("source", "human")
        elif preds:
            row.setdefault("label", preds[0])
            row.setdefault("source", "synthetic")
        else:
            continue
        if preds and votes:
            # a model prediction a human reviewed: keep it as the generator's label of a synthetic
            # row
            row["label"] = preds[0]
            row["source"] = "synthetic"
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no task has a choice annotation or prediction")
    frame = pd.DataFrame(rows)
    return frame, annotators if len(annotators) >= 2 else []
