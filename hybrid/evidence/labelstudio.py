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


# Read this much of a .json file to decide whether it is a Label Studio export: a first task
# can carry a long ``data`` or ``meta`` block before its annotations.
DETECT_BYTES = 1 << 20
# Annotators kept as columns (the ones with most annotations); the others' choices still count in
# each task's majority label. A crowd export has thousands, and each column costs a row's width.
MAX_ANNOTATORS = 200


def is_label_studio(path: str | Path) -> bool:
    p = Path(path)
    if p.suffix.lower() != ".json" or not p.is_file():
        return False
    with open(p, "rb") as fh:
        head = fh.read(DETECT_BYTES).lstrip()
    if not head.startswith(b"["):
        return False
    if head[1:].lstrip() in (b"]", b"]\n") or head[1:].lstrip().startswith(b"]"):
        return True  # an empty export: read_label_studio says so
    return b'"annotations"' in head or b'"data"' in head


def _choice(result, skipped: list[int]) -> str | None:
    """The first single-choice value of an annotation's result; a malformed result or a choice
    that is not one plain value is counted in ``skipped`` (never read as its Python repr)."""
    if result is None:
        return None
    if not isinstance(result, list):
        skipped[0] += 1
        return None
    for region in result:
        if isinstance(region, dict) and isinstance(region.get("value"), dict):
            choices = region["value"].get("choices")
            if choices is None:
                continue
            if (
                isinstance(choices, list)
                and choices
                and isinstance(choices[0], (str, int, float))
                and not isinstance(choices[0], bool)
            ):
                return str(choices[0])
            skipped[0] += 1
            return None
        skipped[0] += 1
        return None
    return None


def _annotator(who) -> str | None:
    if isinstance(who, dict):
        who = who.get("id", who.get("email"))
    if who is None or isinstance(who, (dict, list)) or str(who).strip() == "":
        return None
    return f"annotator_{who}"


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
    skipped = [0]
    anonymous = 0
    parsed = []  # (task data, [(annotator column or None, choice)], predictions)
    per_annotator: Counter = Counter()
    for task in tasks:
        data = task.get("data") if isinstance(task.get("data"), dict) else {}
        votes = []
        for ann in task.get("annotations") or []:
            if not isinstance(ann, dict) or ann.get("was_cancelled"):
                continue
            choice = _choice(ann.get("result"), skipped)
            if choice is None:
                continue
            col = _annotator(ann.get("completed_by"))
            if col is None:
                anonymous += 1
            else:
                per_annotator[col] += 1
            votes.append((col, choice))
        preds = [
            c
            for c in (
                _choice(pr.get("result"), skipped)
                for pr in task.get("predictions") or []
                if isinstance(pr, dict)
            )
            if c
        ]
        parsed.append((data, votes, preds))
    kept = {a for a, _ in per_annotator.most_common(MAX_ANNOTATORS)}
    annotators = [a for a in per_annotator if a in kept]
    rows = []
    renamed = 0
    for data, votes, preds in parsed:
        row = {}
        for k, v in data.items():
            key = str(k)
            # A data field named like a column this reader makes is kept under "data.NAME":
            # it never silently replaces the annotators' majority label or the source.
            if key in ("label", "source") or key.startswith("annotator_"):
                key = f"data.{key}"
                renamed += 1
            row[key] = v if isinstance(v, (str, int, float, bool)) or v is None else json.dumps(v)
        for col, choice in votes:
            if col in kept:
                row[col] = choice
        choices = [c for _, c in votes]
        if choices:
            top = Counter(choices).most_common()
            best = [c for c, n in top if n == top[0][1]]
            row["label"] = choices[0] if choices[0] in best else best[0]
            row["source"] = "human"
        elif preds:
            row["label"] = preds[0]
            row["source"] = "synthetic"
        else:
            continue
        if preds and choices:
            # a model prediction a human reviewed: keep it as the generator's label of a synthetic
            # row
            row["label"] = preds[0]
            row["source"] = "synthetic"
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no task has a choice annotation or prediction")
    frame = pd.DataFrame(rows)
    notes = []
    if skipped[0]:
        notes.append(f"{skipped[0]:,} annotations or predictions with a malformed result skipped")
    if anonymous:
        notes.append(
            f"{anonymous:,} annotations name no annotator: counted in the label, not in agreement"
        )
    if len(per_annotator) > MAX_ANNOTATORS:
        notes.append(
            f"{len(per_annotator):,} annotators: the {MAX_ANNOTATORS} with most annotations are "
            "compared for agreement; every annotation counts in the label"
        )
    if renamed:
        notes.append("data fields named label, source or annotator_* kept as data.NAME")
    frame.attrs["notes"] = notes
    return frame, annotators if len(annotators) >= 2 else []
