"""Column roles: which column is the label, the annotators, the source, the text and the slice,
found by name and content or named by the user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hybrid.errors import InputError

_HUMAN_VALUES = frozenset(
    "human humans manual real gold annotated annotator crowd crowdsourced expert organic "
    "original natural labeled labelled person h".split()
)


_SYNTHETIC_VALUES = frozenset(
    "synthetic synth generated llm model machine augmented augmentation ai gpt simulated "
    "artificial distilled pseudo pseudolabel pseudo_label s".split()
)


# Human rows set aside before any synthetic row was made: the generator never saw them, so they
# are the only rows on which what synthetic rows add can be scored without a leak (a generator
# that paraphrases, augments or averages a row has, in effect, seen its label).
_HOLDOUT_VALUES = frozenset(
    "holdout held_out heldout held-out unseen human_holdout holdout_human human-holdout".split()
)


_TRUE_VALUES = frozenset("true t yes y 1 1.0".split())
_FALSE_VALUES = frozenset("false f no n 0 0.0".split())
_LABEL_NAMES = (
    "label",
    "labels",
    "target",
    "class",
    "gold_label",
    "gold",
    "y",
    "category",
    "intent",
    "sentiment",
    "tag",
)


# annotator_1, rater_b, annot_a, labeler_alice, worker-7, judge_x: the common prefixes with any
# suffix; plain "label" only with a number or a single letter (label_text is not an annotator).
_ANNOTATOR_RE = re.compile(
    r"^(?:annotator|annot|rater|labeler|labeller|coder|judge|worker|label|annotation|rating)"
    r"(?:[_\- ]?\d+|_[a-z])$"
    r"|^(?:annotator|annot|rater|labeler|labeller|coder|judge|worker)[_\- ][a-z0-9]+$"
)


_SOURCE_NAMES = (
    "source",
    "data_source",
    "label_source",
    "origin",
    "provenance",
    "is_synthetic",
    "synthetic",
    "is_generated",
    "generated",
    "is_human",
)


_TEXT_NAMES = (
    "text",
    "sentence",
    "content",
    "body",
    "document",
    "review",
    "comment",
    "message",
    "utterance",
    "prompt",
    "question",
    "tweet",
    "input",
    "description",
    "title",
)


_SLICE_NAMES = (
    "slice",
    "channel",
    "segment",
    "subgroup",
    "group",
    "cohort",
    "domain",
    "language",
    "lang",
    "locale",
    "region",
)


@dataclass(frozen=True)
class Roles:
    """Which column plays which part; None (or empty) where a role is absent."""

    label: str | None = None
    annotators: tuple[str, ...] = ()
    source: str | None = None
    text: str | None = None
    slice: str | None = None

    def categorical(self) -> list[str]:
        cols = [self.label, *self.annotators, self.source, self.slice]
        return list(dict.fromkeys(c for c in cols if c))

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "annotators": list(self.annotators),
            "source": self.source,
            "text": self.text,
            "slice": self.slice,
        }


def norm_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def find_column(columns: Sequence[str], wanted: str, what: str, file: str) -> str:
    """The column named ``wanted`` (exactly, else ignoring case), or one message listing the
    columns there are."""
    if wanted in columns:
        return wanted
    by_norm = {c.lower(): c for c in columns}
    if wanted.lower() in by_norm:
        return by_norm[wanted.lower()]
    shown = ", ".join(columns[:20]) + (", ..." if len(columns) > 20 else "")
    raise InputError(f"{file}: no {what} column {wanted!r} (columns: {shown})")


def detect_roles(
    columns: Sequence[str],
    sample: dict[str, list] | None = None,
    *,
    file: str = "data",
    label: str | None = None,
    annotators: Sequence[str] | None = None,
    source: str | None = None,
    text: str | None = None,
    slice: str | None = None,
) -> Roles:
    """Roles named explicitly win; the rest are found by column name, then (text) by content.

    ``sample`` maps column names to a few hundred values from the top of the file; the text column
    is the string column with the longest mean length (at least 20 characters) that is mostly
    distinct, when no column is named like one.
    """
    cols = list(columns)
    norm = {c: norm_name(c) for c in cols}
    taken: set[str] = set()

    def by_name(names: Sequence[str]) -> str | None:
        for n in names:
            for c in cols:
                if norm[c] == n and c not in taken:
                    return c
        return None

    if annotators:
        ann = tuple(find_column(cols, a, "annotator", file) for a in annotators)
        if len(set(ann)) < 2:
            raise InputError(f"{file}: --annotators needs two or more different columns")
    else:
        ann = tuple(c for c in cols if _ANNOTATOR_RE.match(norm[c]))
        if len(ann) < 2:
            ann = ()
    taken.update(ann)
    lab = find_column(cols, label, "label", file) if label else by_name(_LABEL_NAMES)
    if lab in ann:
        raise InputError(f"{file}: column {lab!r} is both the label and an annotator column")
    if lab:
        taken.add(lab)
    src = find_column(cols, source, "source", file) if source else by_name(_SOURCE_NAMES)
    if src:
        taken.add(src)
    slc = find_column(cols, slice, "slice", file) if slice else by_name(_SLICE_NAMES)
    if slc:
        taken.add(slc)
    if text:
        txt = find_column(cols, text, "text", file)
    else:
        txt = by_name(_TEXT_NAMES)
        if txt is None and sample:
            best, best_len = None, 20.0
            for c in cols:
                vals = [v for v in sample.get(c, []) if isinstance(v, str) and v]
                if c in taken or len(vals) < 2:
                    continue
                mean_len = sum(len(v) for v in vals) / len(vals)
                if mean_len > best_len and len(set(vals)) > 0.5 * len(vals):
                    best, best_len = c, mean_len
            txt = best
    return Roles(label=lab, annotators=ann, source=src, text=txt, slice=slc)


def is_holdout(value: str | None) -> bool:
    """A human row the generator never saw (``holdout``, ``unseen``): see ``_HOLDOUT_VALUES``."""
    return value is not None and str(value).strip().lower() in _HOLDOUT_VALUES


def source_kind(value: str | None, column: str | None = None) -> str:
    """Map a source-column value to ``human``, ``synthetic`` or ``other``.

    Held-out human rows (``is_holdout``) are human rows.

    A boolean column is read by its name: ``is_synthetic`` true means synthetic, ``is_human``
    true means human.
    """
    if value is None:
        return "other"
    v = str(value).strip().lower()
    if v in _HUMAN_VALUES or v in _HOLDOUT_VALUES:
        return "human"
    if v in _SYNTHETIC_VALUES:
        return "synthetic"
    col = norm_name(column or "")
    if v in _TRUE_VALUES or v in _FALSE_VALUES:
        is_true = v in _TRUE_VALUES
        if "human" in col or "manual" in col or "real" in col:
            return "human" if is_true else "synthetic"
        if "synth" in col or "generat" in col or "llm" in col or "ai" in col.split("_"):
            return "synthetic" if is_true else "human"
    return "other"
