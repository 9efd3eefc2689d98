"""Dataset profiling: the facts the decision needs, from a file or from statistics about one.

A team brings a dataset (CSV, Parquet, JSON Lines, Excel) or a statistics file computed where the
data lives. Profiling turns either into counts: rows, class counts, annotator value counts and
agreement counts, source and slice counts, missing values, and a bottom-k sketch of row hashes for
duplicates. Every finished number
(tail share, kappa, duplicate share) is derived from those counts, so profiles of shards merge into
exactly the profile of the whole; that is what lets a profile be computed in a warehouse and
uploaded. The statistics file format and every definition are in ``docs/profiling.md``.

DuckDB does the scanning: one streaming pass per file with ``GROUPING SETS``, so a file is parsed
once and memory stays bounded by the number of groups, not rows.

Sources for the definitions: Cohen (1960) and Fleiss (1971) for kappa, Krippendorff (2004) for
alpha, Landis and Koch (1977) for the interpretation bands, Pielou (1966) for evenness, Bar-Yossef
et al. (2002) and Cohen and Kaplan (2007) for bottom-k sketches.
"""

from __future__ import annotations

import base64
import csv
import json
import math
import os
import re
import tempfile
import threading
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import numpy as np
import yaml

from hybrid import __version__
from hybrid.errors import InputError
from hybrid.model.scenario import Dataset

MAX_UPLOAD_MB = 200
MAX_COLUMNS = 2000
MAX_CELL_BYTES = 1_000_000
MAX_CSV_LINE_BYTES = 4_000_000
SKETCH_K = 16384
RESERVOIR_DIRECT = 1_000_000  # read_table samples larger requests only after counting the rows
SAMPLE_FACTOR = 1.25
RARE_FACTOR = 0.5
MIN_CLASS_COUNT = 10
LOW_KAPPA = 0.6
STATS_FORMAT = "hybrid-profile"
STATS_VERSION = 1
HASH_ID = f"duckdb-{duckdb.__version__}/hash"
DEFAULT_MEMORY_LIMIT = os.environ.get("HYBRID_DUCKDB_MEMORY", "512MB")

DATA_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".xlsx": "excel",
    ".xlsm": "excel",
}

# Landis and Koch (1977), "The measurement of observer agreement for categorical data",
# Biometrics 33(1):159-174, Table 1.
KAPPA_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "poor"),
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.0, "almost perfect"),
)

_HUMAN_VALUES = frozenset(
    "human humans manual real gold annotated annotator crowd crowdsourced expert organic "
    "original natural labeled labelled person h".split()
)
_SYNTHETIC_VALUES = frozenset(
    "synthetic synth generated llm model machine augmented augmentation ai gpt simulated "
    "artificial distilled pseudo pseudolabel pseudo_label s".split()
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
_ANNOTATOR_RE = re.compile(
    r"^(annotator|annotation|rater|rating|labeler|labeller|coder|judge|worker|label|labeler)"
    r"_?(\d+|[a-z])$"
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
# OWASP "CSV Injection": spreadsheet programs evaluate a cell that starts with = + - @ (and tab
# or carriage return before them). A plain signed number ("-3", "+1.5") is not a formula.
_FORMULA_RE = re.compile(r"^[\t\r ]*(=|@|[+\-](?![\d.\s]|$))")


# ---------------------------------------------------------------------------------------------
# Limits on what users may send


def max_upload_mb() -> float:
    """The upload limit in MB: ``HYBRID_MAX_UPLOAD_MB`` if set to a positive number, else
    ``MAX_UPLOAD_MB``. Read on every call, so a deployment can change it without a restart."""
    raw = os.environ.get("HYBRID_MAX_UPLOAD_MB")
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise InputError(f"HYBRID_MAX_UPLOAD_MB: not a number ({raw!r})") from None
        if value > 0:
            return value
    return float(MAX_UPLOAD_MB)


def check_upload_size(name: str, nbytes: int) -> None:
    """Refuse an upload over the limit before reading a byte of it."""
    limit = max_upload_mb()
    if nbytes > limit * 1024 * 1024:
        raise InputError(
            f"{name}: {nbytes / 1024 / 1024:.1f} MB is over the {limit:g} MB upload limit; "
            "profile it where it lives (python -m hybrid profile FILE -o stats.yaml) and upload "
            "the statistics file instead"
        )


# ---------------------------------------------------------------------------------------------
# Column roles


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


def _norm_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _find_column(columns: Sequence[str], wanted: str, what: str, file: str) -> str:
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
    norm = {c: _norm_name(c) for c in cols}
    taken: set[str] = set()

    def by_name(names: Sequence[str]) -> str | None:
        for n in names:
            for c in cols:
                if norm[c] == n and c not in taken:
                    return c
        return None

    if annotators:
        ann = tuple(_find_column(cols, a, "annotator", file) for a in annotators)
        if len(set(ann)) < 2:
            raise InputError(f"{file}: --annotators needs two or more different columns")
    else:
        ann = tuple(c for c in cols if _ANNOTATOR_RE.match(norm[c]))
        if len(ann) < 2:
            ann = ()
    taken.update(ann)
    lab = _find_column(cols, label, "label", file) if label else by_name(_LABEL_NAMES)
    if lab in ann:
        raise InputError(f"{file}: column {lab!r} is both the label and an annotator column")
    if lab:
        taken.add(lab)
    src = _find_column(cols, source, "source", file) if source else by_name(_SOURCE_NAMES)
    if src:
        taken.add(src)
    slc = _find_column(cols, slice, "slice", file) if slice else by_name(_SLICE_NAMES)
    if slc:
        taken.add(slc)
    if text:
        txt = _find_column(cols, text, "text", file)
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


def source_kind(value: str | None, column: str | None = None) -> str:
    """Map a source-column value to ``human``, ``synthetic`` or ``other``.

    A boolean column is read by its name: ``is_synthetic`` true means synthetic, ``is_human``
    true means human.
    """
    if value is None:
        return "other"
    v = str(value).strip().lower()
    if v in _HUMAN_VALUES:
        return "human"
    if v in _SYNTHETIC_VALUES:
        return "synthetic"
    col = _norm_name(column or "")
    if v in _TRUE_VALUES or v in _FALSE_VALUES:
        is_true = v in _TRUE_VALUES
        if "human" in col or "manual" in col or "real" in col:
            return "human" if is_true else "synthetic"
        if "synth" in col or "generat" in col or "llm" in col or "ai" in col.split("_"):
            return "synthetic" if is_true else "human"
    return "other"


# ---------------------------------------------------------------------------------------------
# Bottom-k sketch for duplicates


def _b64(arr: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(arr.tobytes(), 6)).decode("ascii")


def _unb64(text: object, dtype: str) -> np.ndarray:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype)


@dataclass
class DupSketch:
    """Rows sampled by the ``k`` smallest distinct sampling keys, with their row hashes.

    The sampling key of a row is the hash of its lower-cased text (or of the whole row when it has
    no text), so every near-duplicate group, and with it every exact-duplicate group, is either
    wholly in the sample or wholly out. Each entry is (key, row hash, has text, count). The
    ``k`` smallest distinct keys of a union are the ``k`` smallest of the shards' ``k`` smallest,
    and an entry's count in the union is the sum of its shard counts, so merging shard sketches
    gives exactly the sketch of the whole (bottom-k sketches: Cohen and Kaplan, PODC 2007;
    Bar-Yossef et al., RANDOM 2002). Duplicate shares are ratios over the sampled rows, exact when
    the data has fewer than ``k`` distinct keys.
    """

    k: int
    keys: np.ndarray
    rows: np.ndarray
    text: np.ndarray
    counts: np.ndarray

    @classmethod
    def build(cls, keys, rows, text, counts, k: int = SKETCH_K) -> DupSketch:
        keys = np.asarray(keys, dtype=np.uint64)
        rows = np.asarray(rows, dtype=np.uint64)
        text = np.asarray(text, dtype=bool)
        counts = np.asarray(counts, dtype=np.uint64)
        if len(keys):
            order = np.lexsort((rows, keys))
            keys, rows, text, counts = keys[order], rows[order], text[order], counts[order]
            new = np.r_[True, (keys[1:] != keys[:-1]) | (rows[1:] != rows[:-1])]
            starts = np.flatnonzero(new)
            counts = np.add.reduceat(counts, starts).astype(np.uint64)
            text = np.logical_or.reduceat(text, starts)
            keys, rows = keys[starts], rows[starts]
            distinct = np.unique(keys)
            if len(distinct) > k:
                keep = keys <= distinct[k - 1]
                keys, rows, text, counts = keys[keep], rows[keep], text[keep], counts[keep]
        return cls(k=k, keys=keys, rows=rows, text=text, counts=counts)

    @property
    def distinct_keys(self) -> int:
        return int(len(np.unique(self.keys)))

    @property
    def complete(self) -> bool:
        """True when the sketch holds every row of the data (fewer than k distinct keys)."""
        return self.distinct_keys < self.k

    @property
    def sampled_rows(self) -> int:
        return int(self.counts.sum())

    def duplicate_share(self) -> float | None:
        rows = self.sampled_rows
        if rows == 0:
            return None
        return 1.0 - len(np.unique(self.rows)) / rows

    def near_duplicate_share(self) -> float | None:
        rows = int(self.counts[self.text].sum())
        if rows == 0:
            return None
        return 1.0 - len(np.unique(self.keys[self.text])) / rows

    def merge(self, other: DupSketch) -> DupSketch:
        return DupSketch.build(
            np.concatenate([self.keys, other.keys]),
            np.concatenate([self.rows, other.rows]),
            np.concatenate([self.text, other.text]),
            np.concatenate([self.counts, other.counts]),
            min(self.k, other.k),
        )

    def to_dict(self) -> dict:
        return {
            "k": self.k,
            "entries": int(len(self.keys)),
            "sampled_rows": self.sampled_rows,
            "keys": _b64(np.diff(self.keys, prepend=np.uint64(0)).astype("<u8")),
            "rows": _b64(self.rows.astype("<u8")),
            "text": _b64(np.packbits(self.text)),
            "counts": _b64(self.counts.astype("<u8")),
        }

    @classmethod
    def from_dict(cls, data: object, where: str) -> DupSketch:
        if not isinstance(data, dict):
            raise InputError(f"{where}: expected a mapping with k, keys, rows, text and counts")
        try:
            k = int(data["k"])
            keys = np.cumsum(_unb64(data["keys"], "<u8"), dtype=np.uint64)
            rows = _unb64(data["rows"], "<u8").astype(np.uint64)
            counts = _unb64(data["counts"], "<u8").astype(np.uint64)
            text = np.unpackbits(_unb64(data["text"], "u1"))[: len(keys)].astype(bool)
        except (KeyError, TypeError, ValueError, zlib.error) as exc:
            raise InputError(f"{where}: not a valid duplicate sketch ({exc})") from None
        if not (len(keys) == len(rows) == len(counts) == len(text)) or k < 1:
            raise InputError(f"{where}: keys, rows, text and counts differ in length")
        return cls.build(keys, rows, text, counts, k)


# ---------------------------------------------------------------------------------------------
# The profile: counts and sums only


@dataclass
class Agreement:
    """Inter-annotator agreement derived from pairwise contingency tables."""

    method: str
    kappa: float | None
    band: str | None
    observed: float
    rows: int
    annotators: int
    alpha: float | None = None
    pairs: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "kappa": self.kappa,
            "band": self.band,
            "observed_agreement": self.observed,
            "rows": self.rows,
            "annotators": self.annotators,
            "krippendorff_alpha": self.alpha,
            "pairs": self.pairs,
        }


@dataclass
class Profile:
    """Mergeable statistics of one dataset (or of shards of one, merged).

    Everything stored is a count or a sum; the properties derive the finished numbers.
    """

    rows: int = 0
    inputs: list[dict] = field(default_factory=list)
    columns: dict[str, dict] = field(default_factory=dict)
    roles: Roles = field(default_factory=Roles)
    class_counts: dict[str, int] = field(default_factory=dict)
    label_missing: int = 0
    class_source_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    annotator_rows: int = 0
    annotator_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    annotator_agree: dict[tuple[str, str], int] = field(default_factory=dict)
    source_counts: dict[str, int] = field(default_factory=dict)
    source_missing: int = 0
    slice_counts: dict[str, int] = field(default_factory=dict)
    slice_missing: int = 0
    text_rows: int = 0
    text_bytes: int = 0
    sketch: DupSketch | None = None
    duplicate_rows_given: int | None = None
    near_duplicate_rows_given: int | None = None
    hash_id: str | None = HASH_ID
    notes: list[str] = field(default_factory=list)
    min_class_count: int = MIN_CLASS_COUNT
    rare_factor: float = RARE_FACTOR

    # ---- derived numbers ----------------------------------------------------------------

    @property
    def name(self) -> str:
        names = [i.get("name", "?") for i in self.inputs]
        if not names:
            return "profile"
        return names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"

    @property
    def label_column(self) -> str | None:
        return self.roles.label

    @property
    def labeled_rows(self) -> int:
        return sum(self.class_counts.values())

    @property
    def classes(self) -> int | None:
        if not self.roles.label:
            return None
        return sum(1 for v in self.class_counts.values() if v > 0)

    def class_shares(self) -> dict[str, float]:
        total = self.labeled_rows
        if total == 0:
            return {}
        return {k: v / total for k, v in sorted(self.class_counts.items()) if v > 0}

    @property
    def rare_classes(self) -> list[str]:
        """Classes whose share of labeled rows is below ``rare_factor / K`` (half of uniform)."""
        k = self.classes or 0
        if k < 2:
            return []
        cut = self.rare_factor / k
        shares = self.class_shares()
        return sorted((c for c, s in shares.items() if s < cut), key=lambda c: shares[c])

    @property
    def tail_share(self) -> float | None:
        if not self.classes or self.labeled_rows == 0:
            return None
        if self.classes < 2:
            return 0.0
        return sum(sorted(self.class_counts[c] for c in self.rare_classes)) / self.labeled_rows

    @property
    def small_classes(self) -> dict[str, int]:
        return {
            c: n for c, n in sorted(self.class_counts.items(), key=lambda kv: kv[1])
            if 0 < n < self.min_class_count
        }

    def imbalance(self) -> dict | None:
        """Pielou's evenness ``J = H / ln K`` and ``imbalance = 1 - J``, plus normalized Gini."""
        k = self.classes or 0
        if k < 2:
            return None
        p = np.sort(np.array(list(self.class_shares().values())))
        entropy = float(-(p * np.log(p)).sum())
        evenness = entropy / math.log(k)
        gini = float(1.0 - (p**2).sum())
        counts = [n for n in self.class_counts.values() if n > 0]
        return {
            "entropy": entropy,
            "evenness": evenness,
            "imbalance": max(0.0, 1.0 - evenness),
            "gini_impurity": gini,
            "gini_normalized": gini / (1.0 - 1.0 / k),
            "max_min_ratio": max(counts) / min(counts),
        }

    @property
    def duplicate_share(self) -> float | None:
        if self.sketch is not None:
            return self.sketch.duplicate_share()
        if self.duplicate_rows_given is not None and self.rows:
            return self.duplicate_rows_given / self.rows
        return None

    @property
    def near_duplicate_share(self) -> float | None:
        if not self.roles.text:
            return None
        if self.sketch is not None:
            return self.sketch.near_duplicate_share()
        if self.near_duplicate_rows_given is not None and self.text_rows:
            return self.near_duplicate_rows_given / self.text_rows
        return None

    def source_kinds(self) -> dict[str, int]:
        out = {"human": 0, "synthetic": 0, "other": 0}
        for value, n in self.source_counts.items():
            out[source_kind(value, self.roles.source)] += n
        out["other"] += self.source_missing
        return out

    @property
    def human_rows(self) -> int:
        if not self.roles.source:
            return self.rows
        return self.source_kinds()["human"]

    @property
    def synthetic_rows(self) -> int:
        if not self.roles.source:
            return 0
        return self.source_kinds()["synthetic"]

    @property
    def synthetic_share(self) -> float | None:
        if not self.roles.source or self.rows == 0:
            return None
        return self.synthetic_rows / self.rows

    def missing(self) -> dict[str, int]:
        return {c: int(v.get("missing", 0)) for c, v in self.columns.items()}

    def agreement(self) -> Agreement | None:
        return agreement_from_counts(
            self.roles.annotators, self.annotator_counts, self.annotator_agree, self.annotator_rows
        )

    def synthetic_tail_share(self) -> float | None:
        """Share of synthetic rows that fall in rare classes (head/tail split of the generator)."""
        if not self.class_source_counts:
            return None
        rare = set(self.rare_classes)
        syn = {c: sum(n for s, n in d.items() if source_kind(s, self.roles.source) == "synthetic")
               for c, d in self.class_source_counts.items()}
        total = sum(syn.values())
        if total == 0:
            return None
        return sum(n for c, n in syn.items() if c in rare) / total

    # ---- advice -------------------------------------------------------------------------

    def warnings(self) -> list[str]:
        out: list[str] = []
        if self.roles.label is None:
            out.append("no label column found: name it with --label to get class statistics")
        elif self.classes is not None and self.classes < 2:
            out.append(f"label column {self.roles.label!r} has fewer than two classes")
        if self.rows and self.label_missing / self.rows > 0.05:
            out.append(
                f"{self.label_missing / self.rows:.0%} of rows have no label in "
                f"{self.roles.label!r}"
            )
        small = self.small_classes
        if small:
            out.append(
                f"{len(small)} {'class has' if len(small) == 1 else 'classes have'} fewer than "
                f"{self.min_class_count} rows "
                f"(e.g. {', '.join(list(small)[:5])}): too few to learn or to evaluate"
            )
        agr = self.agreement()
        if agr is not None and agr.kappa is not None and agr.kappa < LOW_KAPPA:
            out.append(
                f"annotator agreement is {agr.band} ({agr.method} {agr.kappa:.2f}): even human "
                "labels are noisy here; fix the guidelines before buying more of them"
            )
        dup = self.duplicate_share
        if dup is not None and dup > 0.05:
            out.append(f"{dup:.1%} of rows are exact duplicates: deduplicate before training")
        near = self.near_duplicate_share
        if near is not None and near > 0.10:
            out.append(f"{near:.1%} of texts are near-duplicates (the same text ignoring case)")
        if self.roles.source:
            kinds = self.source_kinds()
            if kinds["other"]:
                out.append(
                    f"{kinds['other']} rows in source column {self.roles.source!r} are neither "
                    "human nor synthetic (or empty); they count as neither"
                )
            share = self.synthetic_share or 0.0
            if share > 0.5:
                out.append(f"{share:.0%} of rows are already synthetic")
        for name, stats in self.columns.items():
            if self.rows and stats.get("missing", 0) / self.rows > 0.2:
                out.append(f"column {name!r} is {stats['missing'] / self.rows:.0%} empty")
        return out + list(self.notes)

    # ---- serialisation ------------------------------------------------------------------

    def summary(self) -> dict:
        """The finished numbers, as the CLI's ``--json`` prints them."""
        agr = self.agreement()
        imb = self.imbalance()
        return {
            "name": self.name,
            "rows": self.rows,
            "label_column": self.roles.label,
            "classes": self.classes,
            "class_counts": dict(
                sorted(self.class_counts.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
            "label_missing": self.label_missing,
            "imbalance": imb,
            "tail_share": self.tail_share,
            "rare_classes": self.rare_classes,
            "small_classes": self.small_classes,
            "duplicate_share": self.duplicate_share,
            "duplicates_exact": bool(self.sketch is not None and self.sketch.complete),
            "text_column": self.roles.text,
            "near_duplicate_share": self.near_duplicate_share,
            "mean_text_bytes": (self.text_bytes / self.text_rows) if self.text_rows else None,
            "source_column": self.roles.source,
            "source_counts": self.source_kinds() if self.roles.source else None,
            "synthetic_share": self.synthetic_share,
            "synthetic_tail_share": self.synthetic_tail_share(),
            "annotator_columns": list(self.roles.annotators),
            "agreement": agr.to_dict() if agr else None,
            "slice_column": self.roles.slice,
            "slice_counts": dict(sorted(self.slice_counts.items())) if self.roles.slice else None,
            "missing": self.missing(),
            "inputs": self.inputs,
            "warnings": self.warnings(),
            "suggested_edge_case_level": suggest_edge_case_level(self),
        }

    def to_stats(self) -> dict:
        """The statistics file: counts and sums (format in docs/profiling.md)."""
        out: dict = {
            "format": STATS_FORMAT,
            "version": STATS_VERSION,
            "generator": f"hybrid {__version__}, duckdb {duckdb.__version__}",
            "inputs": self.inputs,
            "rows": self.rows,
            "columns": self.columns,
            "settings": {"min_class_count": self.min_class_count, "rare_factor": self.rare_factor},
        }
        if self.roles.label:
            out["label"] = {
                "column": self.roles.label,
                "counts": dict(sorted(self.class_counts.items())),
                "missing": self.label_missing,
            }
            if self.class_source_counts:
                out["label"]["by_source"] = {
                    c: dict(sorted(d.items())) for c, d in sorted(self.class_source_counts.items())
                }
        if self.roles.annotators:
            out["annotators"] = {
                "columns": list(self.roles.annotators),
                "rows": self.annotator_rows,
                "counts": {
                    a: dict(sorted(self.annotator_counts.get(a, {}).items()))
                    for a in self.roles.annotators
                },
                "agreements": [
                    {"columns": list(pair), "agree": n} for pair, n in self.annotator_agree.items()
                ],
            }
        if self.roles.source:
            out["source"] = {
                "column": self.roles.source,
                "counts": dict(sorted(self.source_counts.items())),
                "missing": self.source_missing,
            }
        if self.roles.text:
            out["text"] = {"column": self.roles.text, "rows": self.text_rows, "bytes": self.text_bytes}
        if self.roles.slice:
            out["slice"] = {
                "column": self.roles.slice,
                "counts": dict(sorted(self.slice_counts.items())),
                "missing": self.slice_missing,
            }
        dup: dict = {}
        if self.sketch is not None:
            dup["hash"] = self.hash_id
            dup["sketch"] = self.sketch.to_dict()
        else:
            if self.duplicate_rows_given is not None:
                dup["duplicate_rows"] = self.duplicate_rows_given
            if self.near_duplicate_rows_given is not None:
                dup["near_duplicate_rows"] = self.near_duplicate_rows_given
        if dup:
            out["duplicates"] = dup
        if self.notes:
            out["notes"] = list(self.notes)
        summary = self.summary()
        out["summary"] = {
            k: summary[k]
            for k in (
                "classes",
                "tail_share",
                "duplicate_share",
                "near_duplicate_share",
                "synthetic_share",
                "agreement",
                "imbalance",
            )
        }
        return out


# ---------------------------------------------------------------------------------------------
# Agreement


def kappa_band(kappa: float | None) -> str | None:
    """Landis and Koch (1977) band: <0 poor, to .20 slight, .40 fair, .60 moderate,
    .80 substantial, above almost perfect."""
    if kappa is None or math.isnan(kappa):
        return None
    if kappa < 0:
        return "poor"
    for upper, name in KAPPA_BANDS[1:]:
        if kappa <= upper + 1e-12:
            return name
    return "almost perfect"


def agreement_from_counts(
    annotators: Sequence[str],
    counts: dict[str, dict[str, int]],
    agree: dict[tuple[str, str], int],
    rows: int,
) -> Agreement | None:
    """Cohen's kappa for two annotators; Fleiss' kappa and Krippendorff's alpha for more.

    All on the ``rows`` where every annotator column has a value. Cohen's kappa needs only the
    observed agreement and each rater's marginal counts (Cohen 1960). Fleiss' ``P_bar`` is the mean
    share of agreeing rater pairs per row, which is the total pairwise agreement count divided by
    ``N * m(m-1)/2``, and ``p_j`` pools the raters' marginals (Fleiss 1971). Krippendorff's nominal
    alpha for complete data follows from the same numbers (Krippendorff, "Content Analysis", 2004,
    ch. 11). Counts and sums only, so agreement merges across shards.
    """
    m = len(annotators)
    if m < 2:
        return None
    pairs = []
    for (a, b), n_agree in agree.items():
        ca, cb = counts.get(a, {}), counts.get(b, {})
        p_o = n_agree / rows if rows else 0.0
        p_e = sum(ca[v] * cb.get(v, 0) for v in sorted(ca)) / (rows * rows) if rows else 1.0
        k = None if not rows or p_e >= 1.0 - 1e-15 else (p_o - p_e) / (1.0 - p_e)
        pairs.append(
            {"columns": [a, b], "kappa": k, "band": kappa_band(k), "observed_agreement": p_o,
             "rows": rows}
        )
    method = "cohen" if m == 2 else "fleiss"
    if rows == 0:
        return Agreement(method, None, None, 0.0, 0, m, None, pairs)
    n_pairs = m * (m - 1) // 2
    agree_total = sum(agree.values())
    observed = agree_total / (rows * n_pairs)
    if m == 2:
        only = pairs[0]
        return Agreement("cohen", only["kappa"], only["band"], observed, rows, 2, None, pairs)
    marg: Counter[str] = Counter()
    for a in annotators:
        marg.update(counts.get(a, {}))
    total = rows * m
    p = np.array([marg[v] / total for v in sorted(marg)])
    p_e = float((p**2).sum())
    kappa = None if p_e >= 1 - 1e-15 else (observed - p_e) / (1 - p_e)
    # Krippendorff's alpha: 1 - (n.. - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k, where the
    # off-diagonal coincidences are the disagreeing ordered rater pairs over (m - 1).
    n_vals = float(total)
    d_o = 2.0 * (rows * n_pairs - agree_total) / (m - 1)
    nc = np.array([marg[v] for v in sorted(marg)], dtype=float)
    d_e = n_vals**2 - float((nc**2).sum())
    alpha = None if d_e <= 0 else 1.0 - (n_vals - 1.0) * d_o / d_e
    return Agreement("fleiss", kappa, kappa_band(kappa), observed, rows, m, alpha, pairs)


# ---------------------------------------------------------------------------------------------
# Reading files


@dataclass
class _Input:
    path: Path
    name: str
    kind: str
    encoding: str = "utf-8"
    delimiter: str = ","
    columns: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    sample: dict[str, list] = field(default_factory=dict)
    est_rows: int = 0
    view: str | None = None


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_LOCAL = threading.local()
_EXCEL_VIEW = "__hybrid_excel"


@contextmanager
def _connection(memory_limit: str | None = None, threads: int | None = None):
    """A DuckDB connection for this thread, kept between calls with the default settings.

    Opening and closing a connection costs about as much as profiling 50,000 rows, and a page
    profiles one upload after another on the same thread. Connections are not shared between
    threads (DuckDB connections are not thread-safe); other settings get a fresh one.
    """
    if memory_limit is None and threads is None:
        con = getattr(_LOCAL, "con", None)
        if con is None:
            con = _LOCAL.con = _new_connection(None, None)
        try:
            yield con
        finally:
            con.unregister(_EXCEL_VIEW)
        return
    con = _new_connection(memory_limit, threads)
    try:
        yield con
    finally:
        con.close()


def _new_connection(memory_limit: str | None, threads: int | None):
    config = {
        "memory_limit": memory_limit or DEFAULT_MEMORY_LIMIT,
        "preserve_insertion_order": False,
        "temp_directory": os.path.join(tempfile.gettempdir(), "hybrid-duckdb"),
    }
    if threads:
        config["threads"] = threads
    con = duckdb.connect(":memory:", config=config)
    # DuckDB's own progress bar writes to stdout, which must stay clean for --json.
    con.execute("SET enable_progress_bar = false")
    return con


def _check_file(path: Path, name: str) -> bytes:
    if not path.exists():
        raise InputError(f"{name}: file not found")
    if path.is_dir():
        raise InputError(f"{name}: is a directory, expected a file")
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    if not head:
        raise InputError(f"{name}: the file is empty")
    return head


def _content_kind(head: bytes) -> str:
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"%PDF"):
        return "pdf"
    sample = head[:8192]
    if b"\x00" in sample:
        return "binary"
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    if controls > max(2, len(sample) // 100):
        return "binary"
    return "text"


_KIND_WORDS = {
    "parquet": "a Parquet file",
    "zip": "a zip archive (an .xlsx workbook?)",
    "ole": "a legacy Office file (.xls); save it as .xlsx or CSV",
    "utf16": "UTF-16 text; save it as UTF-8",
    "gzip": "gzip-compressed; decompress it first",
    "pdf": "a PDF document",
    "binary": "binary data, not text",
}


def _classify(path: Path, name: str, head: bytes) -> str:
    ext = path.suffix.lower()
    content = _content_kind(head)
    kind = DATA_EXTENSIONS.get(ext)
    if kind is None:
        if ext in (".yaml", ".yml"):
            return "stats"
        allowed = ", ".join(sorted(set(DATA_EXTENSIONS) | {".yaml", ".yml"}))
        raise InputError(f"{name}: unsupported file type {ext or '(no extension)'!r}; expected one of {allowed}")
    if kind == "parquet":
        if content != "parquet":
            raise InputError(
                f"{name}: the extension says Parquet but the content is "
                f"{_KIND_WORDS.get(content, 'text')}; check the file or its extension"
            )
        return "parquet"
    if kind == "excel":
        if content != "zip":
            raise InputError(
                f"{name}: the extension says Excel (.xlsx) but the content is "
                f"{_KIND_WORDS.get(content, 'text')}; check the file or its extension"
            )
        return "excel"
    if content != "text":
        raise InputError(
            f"{name}: the extension says {ext} text but the content is {_KIND_WORDS[content]}"
        )
    if ext == ".json":
        stripped = head.lstrip()
        if stripped.startswith(b"{") and b'"format"' in head and STATS_FORMAT.encode() in head:
            return "stats"
        if stripped.startswith(b"["):
            raise InputError(
                f"{name}: a JSON array; give one JSON object per line (JSON Lines, .jsonl)"
            )
    return kind


def _detect_encoding(path: Path, name: str, head: bytes) -> str:
    """UTF-8 if the head decodes; Latin-1 when the bad bytes are printable Latin-1 letters.

    Bytes 0x80-0x9F are control characters in Latin-1 and never appear in real Latin-1 text, so
    their presence means some other encoding (often Windows-1252), which is refused by name.
    """
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(body) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    return _latin1_or_refuse(path, name)


def _latin1_or_refuse(path: Path, name: str) -> str:
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            arr = np.frombuffer(chunk, dtype=np.uint8)
            bad = np.flatnonzero((arr >= 0x80) & (arr <= 0x9F))
            if len(bad):
                pos = offset + int(bad[0])
                raise InputError(
                    f"{name}: undecodable bytes: not UTF-8 and not Latin-1 text (byte "
                    f"0x{int(arr[bad[0]]):02X} at offset {pos}); save the file as UTF-8"
                )
            offset += len(chunk)
    return "latin-1"


def _sniff_delimiter(first_line: str, ext: str) -> str:
    if ext in (".tsv", ".tab"):
        return "\t"
    counts = {d: 0 for d in (",", ";", "\t", "|")}
    in_quote = False
    for ch in first_line:
        if ch == '"':
            in_quote = not in_quote
        elif not in_quote and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unique_names(raw: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for i, n in enumerate(raw):
        n = n.strip() or f"column{i}"
        base, k = n, 1
        while n in seen:
            n = f"{base}_{k}"
            k += 1
        seen.add(n)
        out.append(n)
    return out


def _open_csv(inp: _Input, head: bytes) -> None:
    ext = inp.path.suffix.lower()
    inp.encoding = _detect_encoding(inp.path, inp.name, head)
    text = head.decode(inp.encoding, errors="ignore").lstrip("\ufeff")
    newline = text.find("\n")
    first = text if newline < 0 else text[:newline]
    if not first.strip():
        raise InputError(f"{inp.name}: the first line is empty; expected a header row of column names")
    if len(first) >= len(text) and len(head) >= 1 << 16:
        longest = max(first.count(d) for d in ",;\t|") + 1
        if longest > MAX_COLUMNS:
            raise InputError(
                f"{inp.name}: about {longest} columns, more than the {MAX_COLUMNS} the profiler "
                "accepts; select the columns that matter first"
            )
    delim = _sniff_delimiter(first, ext)
    inp.delimiter = delim
    try:
        header = next(csv.reader([first], delimiter=delim))
    except (csv.Error, StopIteration):
        raise InputError(f"{inp.name}: cannot read the header row") from None
    if len(header) > MAX_COLUMNS:
        raise InputError(
            f"{inp.name}: {len(header)} columns, more than the {MAX_COLUMNS} the profiler accepts; "
            "select the columns that matter first"
        )
    inp.columns = _unique_names(header)
    inp.types = {c: "VARCHAR" for c in inp.columns}
    body = text[newline + 1 :] if newline >= 0 else ""
    lines = body.splitlines()
    complete = lines[:-1] if len(head) >= 1 << 16 and lines else lines
    if not any(line.strip() for line in complete) and len(head) < 1 << 16:
        raise InputError(f"{inp.name}: no data rows, only a header")
    sample: dict[str, list] = {c: [] for c in inp.columns}
    try:
        for row in csv.reader(complete[:500], delimiter=delim):
            for c, v in zip(inp.columns, row):
                sample[c].append(v)
    except csv.Error:
        pass
    inp.sample = sample
    mean_line = max(1.0, (len(head) - len(first)) / max(1, len(complete)))
    inp.est_rows = int(inp.path.stat().st_size / mean_line) + 1


def _csv_sql(inp: _Input) -> str:
    """The CSV reader with every dialect choice made here, so DuckDB does not sniff.

    Sniffing a sample can guess the dialect from rows that are not representative and turns a
    ragged row into an unhelpful "could not detect the dialect"; with the dialect fixed, DuckDB
    reports the line and the field counts. Every column is read as text: hashes and class names
    then do not depend on type guesses that differ between shards.
    """
    spec = "{" + ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in inp.columns) + "}"
    enc = "" if inp.encoding == "utf-8" else f", encoding={_sql_str(inp.encoding)}"
    return (
        f"read_csv({_sql_str(str(inp.path))}, auto_detect=false, header=true, "
        f"delim={_sql_str(inp.delimiter)}, quote='\"', escape='\"', columns={spec}, "
        f"max_line_size={MAX_CSV_LINE_BYTES}{enc})"
    )


def _from_sql(inp: _Input) -> str:
    if inp.kind == "csv":
        return _csv_sql(inp)
    if inp.kind == "parquet":
        return f"read_parquet({_sql_str(str(inp.path))})"
    if inp.kind == "jsonl":
        return (
            f"read_json({_sql_str(str(inp.path))}, format='newline_delimited', "
            "maximum_object_size=64000000)"
        )
    assert inp.view is not None
    return _ident(inp.view)


def _describe(con, inp: _Input) -> None:
    try:
        rel = con.execute(f"DESCRIBE SELECT * FROM {_from_sql(inp)}")
        desc = rel.fetchall()
    except duckdb.Error as exc:
        raise _duckdb_input_error(inp, exc) from None
    if len(desc) > MAX_COLUMNS:
        raise InputError(
            f"{inp.name}: {len(desc)} columns, more than the {MAX_COLUMNS} the profiler accepts; "
            "select the columns that matter first"
        )
    inp.columns = [r[0] for r in desc]
    inp.types = {r[0]: str(r[1]) for r in desc}
    try:
        rows = con.execute(f"SELECT * FROM {_from_sql(inp)} LIMIT 500").fetchall()
    except duckdb.Error as exc:
        raise _duckdb_input_error(inp, exc) from None
    inp.sample = {c: [r[i] for r in rows] for i, c in enumerate(inp.columns)}


def _cell_to_str(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def _read_excel(path: Path, name: str) -> tuple[list[str], list[list[str | None]]]:
    """The first worksheet as strings; formulas are refused because their values are unknown."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputError(f"{name}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        ws = wb.worksheets[0]
        if (ws.max_column or 0) > MAX_COLUMNS:
            raise InputError(
                f"{name}: {ws.max_column} columns, more than the {MAX_COLUMNS} the profiler "
                "accepts; select the columns that matter first"
            )
        rows_iter = ws.iter_rows()
        header_cells = next(rows_iter, None)
        if header_cells is None:
            raise InputError(f"{name}: the first worksheet is empty")
        header = [_cell_to_str(c.value) or "" for c in header_cells]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise InputError(f"{name}: the first worksheet has no header row")
        if len(header) > MAX_COLUMNS:
            raise InputError(
                f"{name}: {len(header)} columns, more than the {MAX_COLUMNS} the profiler "
                "accepts; select the columns that matter first"
            )
        data: list[list[str | None]] = []
        width = len(header)
        for r, cells in enumerate(rows_iter, start=2):
            values: list[str | None] = []
            for c in cells[:width]:
                if getattr(c, "data_type", None) == "f":
                    ref = getattr(c, "coordinate", f"row {r}")
                    raise InputError(
                        f"{name}: cell {ref} holds a formula ({str(c.value)[:40]}); the profiler "
                        "reads values only: paste the sheet as values and save again"
                    )
                values.append(_cell_to_str(c.value))
            values += [None] * (width - len(values))
            if any(v is not None and v != "" for v in values):
                data.append(values)
    finally:
        wb.close()
    if not data:
        raise InputError(f"{name}: no data rows, only a header")
    return _unique_names(header), data


def _open_input(con, path: Path, name: str, kind: str, head: bytes) -> _Input:
    inp = _Input(path=path, name=name, kind=kind)
    if kind == "csv":
        _open_csv(inp, head)
        return inp
    if kind == "excel":
        import pandas as pd

        columns, data = _read_excel(path, name)
        frame = pd.DataFrame(data, columns=columns, dtype=object)
        inp.view = _EXCEL_VIEW
        con.register(inp.view, frame)
        inp.est_rows = len(frame)
    elif kind == "parquet":
        try:
            inp.est_rows = int(
                con.execute(f"SELECT count(*) FROM {_from_sql(inp)}").fetchone()[0]  # type: ignore[index]
            )
        except duckdb.Error as exc:
            raise _duckdb_input_error(inp, exc) from None
    else:
        inp.encoding = _detect_encoding(path, name, head)
        if inp.encoding != "utf-8":
            raise InputError(f"{name}: JSON Lines must be UTF-8 text")
        inp.est_rows = int(path.stat().st_size / max(1, len(head) / max(1, head.count(b"\n")))) + 1
    _describe(con, inp)
    return inp


_LINE_RE = re.compile(r"on Line: (\d+)|in line (\d+)")


def _duckdb_input_error(inp: _Input, exc: Exception) -> InputError:
    """Turn a DuckDB reader error into one line that names the file and the problem."""
    msg = str(exc)
    m = _LINE_RE.search(msg)
    line = next((g for g in m.groups() if g), None) if m else None
    at = f"line {line}" if line else "a line"
    cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", msg)
    if cols:
        return InputError(
            f"{inp.name}: ragged rows: {at} has {cols.group(2)} fields, the header has "
            f"{cols.group(1)}"
        )
    if "unterminated quote" in msg:
        return InputError(f"{inp.name}: {at} has an unterminated quote (a \" inside a field must be doubled)")
    if "Maximum line size" in msg:
        return InputError(
            f"{inp.name}: {at} is longer than {MAX_CSV_LINE_BYTES / 1e6:g} MB; cells over "
            f"{MAX_CELL_BYTES / 1e6:g} MB are refused"
        )
    if "Invalid unicode" in msg or "not utf-8" in msg.lower():
        return InputError(f"{inp.name}: undecodable bytes near {at}: the file is not UTF-8 text")
    if "sniffing" in msg or "detect the CSV" in msg:
        return InputError(
            f"{inp.name}: cannot parse as delimited text (rows do not split into the same "
            "columns); check the delimiter and quoting"
        )
    if "Malformed JSON" in msg or "JSON" in msg and "parse" in msg.lower():
        return InputError(f"{inp.name}: not valid JSON Lines at {at}")
    if "Parquet" in msg or "parquet" in msg:
        return InputError(f"{inp.name}: not a readable Parquet file")
    if "Out of Memory" in msg or "memory" in msg.lower() and "limit" in msg.lower():
        return InputError(
            f"{inp.name}: ran out of the profiler's memory ({DEFAULT_MEMORY_LIMIT}); set "
            "HYBRID_DUCKDB_MEMORY higher"
        )
    first = msg.strip().splitlines()[0] if msg.strip() else type(exc).__name__
    return InputError(f"{inp.name}: cannot be read ({first[:200]})")


# ---------------------------------------------------------------------------------------------
# The scan


def _as_text(expr: str, dtype: str) -> str:
    return expr if dtype == "VARCHAR" else f"CAST({expr} AS VARCHAR)"


@dataclass
class _Plan:
    """The one query of a scan, and where each statistic sits in its result."""

    inner: list[str]
    derived: list[str]
    sets: dict[str, list[str]]
    keys: list[str]
    other: list[str]
    aggs: list[str]


def _plan(inp: _Input, roles: Roles, threshold: int | None) -> _Plan:
    """One ``GROUP BY GROUPING SETS`` over derived columns; every aggregate is ``count(*)``.

    Grouping sets (each a small hash table over one pass of the data):

    - ``main``: label, source and slice together (class counts, class x source, slices);
    - ``ann:i``: annotator i with a flag for complete rows and, for each later annotator, a flag
      for agreeing with it (marginals and pairwise agreement without a confusion table);
    - ``sketch``: text length, sampling key and row hash of the sampled rows (the rest fall into
      one group per length), giving text sizes, missing text and the duplicate sketch.

    Aggregates other than ``count(*)`` are evaluated for every grouping set, so they are used
    only for the columns that play no role (missing values and cell size).
    """
    cols, typ = inp.columns, inp.types
    q = {c: _ident(c) for c in cols}
    ann = list(roles.annotators)
    inner = [f"{_as_text(q[c], typ[c])} AS {_ident('__k_' + c)}" for c in roles.categorical()]
    row_hash = "hash(" + ", ".join(q[c] for c in cols) + ")"
    if len(ann) >= 2:
        # NULL (a missing value) or '' in any annotator column leaves __cpl NULL or false.
        inner.append("(" + " AND ".join(f"{_ident('__k_' + a)} <> ''" for a in ann) + ") AS __cpl")
        for i in range(len(ann)):
            for j in range(i + 1, len(ann)):
                inner.append(f"{_ident('__k_' + ann[i])} = {_ident('__k_' + ann[j])} AS __eq_{i}_{j}")
    if roles.text:
        t = _as_text(q[roles.text], typ[roles.text])
        inner.append(f"strlen({t}) AS __tl")
        key = f"CASE WHEN coalesce({t}, '') <> '' THEN hash(lower({t})) ELSE {row_hash} END"
    else:
        key = row_hash
    inner.append(f"{key} AS __g")
    if threshold is None:
        derived = ["__g AS __gs", (f"{row_hash} AS __hs" if roles.text else "__g AS __hs")]
    else:
        cond = f"__g < {threshold}::UBIGINT"
        derived = [
            f"CASE WHEN {cond} THEN __g END AS __gs",
            f"CASE WHEN {cond} THEN {row_hash if roles.text else '__g'} END AS __hs",
        ]
    other = [c for c in cols if c not in roles.categorical() and c != roles.text]
    inner += [f"{q[c]} AS __o{i}" for i, c in enumerate(other)]

    sets: dict[str, list[str]] = {
        "main": [f"__k_{c}" for c in (roles.label, roles.source, roles.slice) if c]
    }
    for i, a in enumerate(ann):
        sets[f"ann:{i}"] = [f"__k_{a}", "__cpl"] + [f"__eq_{i}_{j}" for j in range(i + 1, len(ann))]
    sets["sketch"] = (["__tl"] if roles.text else []) + ["__gs", "__hs"]
    keys = list(dict.fromkeys(k for s in sets.values() for k in s))
    aggs = ["count(*) AS __n"]
    for i, c in enumerate(other):
        if typ[c] == "VARCHAR":
            aggs += [f"count(nullif(__o{i}, '')) AS __m{i}", f"max(strlen(__o{i})) AS __l{i}"]
        else:
            aggs.append(f"count(__o{i}) AS __m{i}")
    return _Plan(inner, derived, sets, keys, other, aggs)


def _scan_sql(plan: _Plan, src: str) -> str:
    def ref(k: str) -> str:
        return _ident(k) if k.startswith("__k_") else k

    keys = ", ".join(ref(k) for k in plan.keys)
    sets = ", ".join("(" + ", ".join(ref(k) for k in s) + ")" for s in plan.sets.values())
    body = (
        f"SELECT *, {', '.join(plan.derived)} FROM (SELECT *, {', '.join(plan.inner)} FROM {src})"
    )
    return (
        f"SELECT {keys}, GROUPING({keys}) AS __grp, {', '.join(plan.aggs)} FROM ({body}) "
        f"GROUP BY GROUPING SETS ({sets})"
    )


def _run_scan(con, inp: _Input, plan: _Plan):
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
            return con.execute(_scan_sql(plan, _from_sql(inp))).to_arrow_table()
    except duckdb.Error as exc:
        if inp.kind == "csv" and inp.encoding == "utf-8" and "nvalid unicode" in str(exc):
            inp.encoding = _latin1_or_refuse(inp.path, inp.name)
            return _run_scan(con, inp, plan)
        raise _duckdb_input_error(inp, exc) from None


class _Sets:
    """The rows of each grouping set of a scan result, as Python lists or numpy arrays."""

    def __init__(self, table, plan: _Plan):
        import pyarrow.compute as pc

        self.table = table
        self.plan = plan
        grp = table.column("__grp")
        width = len(plan.keys)
        self.parts = {}
        for name, keys in plan.sets.items():
            mask = (1 << width) - 1
            for k in keys:
                mask &= ~(1 << (width - 1 - plan.keys.index(k)))
            self.parts[name] = table.filter(pc.equal(grp, mask))

    def values(self, name: str, key: str) -> list:
        return [None if v == "" else v for v in self.parts[name].column(key).to_pylist()]

    def counts(self, name: str) -> list[int]:
        return self.parts[name].column("__n").to_pylist()


def _scan(con, inp: _Input, roles: Roles, k: int) -> Profile:
    """One pass over the file, then every statistic from the grouped result.

    Rows are sampled for the duplicate sketch by value (sampling key below a threshold), aiming at
    about ``1.25k`` distinct keys whatever the size of the file; a further pass with a higher
    threshold is needed only when heavy duplication leaves fewer than ``k`` distinct keys.
    """
    frac = min(1.0, SAMPLE_FACTOR * k / max(1, inp.est_rows))
    threshold = None if frac >= 1.0 else int(frac * 2.0**64)
    plan = _plan(inp, roles, threshold)
    sets = _Sets(_run_scan(con, inp, plan), plan)
    sketch = _sketch_of(sets.parts["sketch"], k)
    while threshold is not None and sketch.distinct_keys < k:
        frac = min(1.0, frac * max(2.0, 1.5 * k / max(sketch.distinct_keys, 1)))
        threshold = None if frac >= 1.0 else int(frac * 2.0**64)
        sketch = _sketch_of(_rescan_sketch(con, inp, _plan(inp, roles, threshold)), k)

    prof = Profile(roles=roles)
    counts = sets.counts("main")
    prof.rows = sum(counts)
    if prof.rows == 0:
        raise InputError(f"{inp.name}: no data rows, only a header")
    columns: dict[str, dict] = {}

    def note(col: str, vals: list, ns: list[int]) -> None:
        columns[col] = {
            "missing": sum(n for v, n in zip(vals, ns) if v is None),
            "max_bytes": max((len(v.encode()) for v in vals if v is not None), default=None),
        }

    lab, src, slc = roles.label, roles.source, roles.slice
    main = {c: sets.values("main", f"__k_{c}") for c in (lab, src, slc) if c}
    for c, vals in main.items():
        note(c, vals, counts)
    for j, n in enumerate(counts):
        lv = main[lab][j] if lab else None
        sv = main[src][j] if src else None
        if lab:
            if lv is None:
                prof.label_missing += n
            else:
                prof.class_counts[lv] = prof.class_counts.get(lv, 0) + n
                if src:
                    d = prof.class_source_counts.setdefault(lv, {})
                    d[sv or ""] = d.get(sv or "", 0) + n
        if src:
            if sv is None:
                prof.source_missing += n
            else:
                prof.source_counts[sv] = prof.source_counts.get(sv, 0) + n
        if slc:
            cv = main[slc][j]
            if cv is None:
                prof.slice_missing += n
            else:
                prof.slice_counts[cv] = prof.slice_counts.get(cv, 0) + n

    ann = list(roles.annotators)
    seen_values: dict[str, set[str]] = {}
    for i, a in enumerate(ann):
        name = f"ann:{i}"
        vals = sets.values(name, f"__k_{a}")
        ns = sets.counts(name)
        note(a, vals, ns)
        seen_values[a] = {v for v in vals if v is not None}
        complete = sets.parts[name].column("__cpl").to_pylist()
        marg: dict[str, int] = {}
        for v, n, c in zip(vals, ns, complete):
            if c:
                marg[v] = marg.get(v, 0) + n
        prof.annotator_counts[a] = marg
        if i == 0:
            prof.annotator_rows = sum(marg.values())
        for j in range(i + 1, len(ann)):
            eq = sets.parts[name].column(f"__eq_{i}_{j}").to_pylist()
            prof.annotator_agree[(a, ann[j])] = sum(
                n for n, c, e in zip(ns, complete, eq) if c and e
            )

    if roles.text:
        part = sets.parts["sketch"]
        ns = part.column("__n").to_numpy().astype(np.int64)
        lengths = part.column("__tl").fill_null(0).to_numpy().astype(np.int64)
        has_text = lengths > 0
        prof.text_rows = int(ns[has_text].sum())
        prof.text_bytes = int((lengths * ns).sum())
        columns[roles.text] = {
            "missing": prof.rows - prof.text_rows,
            "max_bytes": int(lengths.max()) if has_text.any() else None,
        }
    for i, c in enumerate(plan.other):
        part = sets.parts["main"]
        entry: dict = {"missing": prof.rows - int(np.nansum(_floats(part.column(f"__m{i}"))))}
        if inp.types[c] == "VARCHAR":
            longest = _floats(part.column(f"__l{i}"))
            entry["max_bytes"] = None if np.all(np.isnan(longest)) else int(np.nanmax(longest))
        columns[c] = entry
    prof.columns = {c: columns[c] for c in inp.columns if c in columns}
    for c, entry in prof.columns.items():
        if (entry.get("max_bytes") or 0) > MAX_CELL_BYTES:
            raise InputError(
                f"{inp.name}: column {c!r} has a cell of {entry['max_bytes'] / 1e6:.1f} MB; "
                f"cells over {MAX_CELL_BYTES / 1e6:g} MB are refused"
            )

    prof.sketch = sketch
    entry_in: dict = {"name": inp.name, "format": inp.kind, "rows": prof.rows}
    if inp.kind == "csv":
        entry_in["encoding"] = inp.encoding
    prof.inputs = [entry_in]
    _check_formulas(inp.name, prof, seen_values)
    return prof


def _sketch_of(part, k: int) -> DupSketch:
    """The sketch from the sketch grouping set: rows with a sampling key, text when length > 0."""
    sampled = part.filter(part.column("__gs").is_valid())
    if "__tl" in sampled.column_names:
        has_text = sampled.column("__tl").fill_null(0).to_numpy(zero_copy_only=False) > 0
    else:
        has_text = np.zeros(sampled.num_rows, dtype=bool)
    return DupSketch.build(
        sampled.column("__gs").to_numpy(zero_copy_only=False),
        sampled.column("__hs").to_numpy(zero_copy_only=False),
        has_text,
        sampled.column("__n").to_numpy(zero_copy_only=False),
        k,
    )


def _rescan_sketch(con, inp: _Input, plan: _Plan):
    """The sketch alone at a higher sampling threshold (heavily duplicated data only)."""
    cols = (["__tl"] if "__tl" in plan.keys else []) + ["__gs", "__hs"]
    body = (
        f"SELECT *, {', '.join(plan.derived)} FROM (SELECT *, {', '.join(plan.inner)} "
        f"FROM {_from_sql(inp)})"
    )
    sql = (
        f"SELECT {', '.join(cols)}, count(*) AS __n FROM ({body}) WHERE __gs IS NOT NULL "
        f"GROUP BY {', '.join(cols)}"
    )
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Arrow output on a DB-API result")
            return con.execute(sql).to_arrow_table()
    except duckdb.Error as exc:
        raise _duckdb_input_error(inp, exc) from None


def _floats(column) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in column.to_pylist()], dtype=float)


def _check_formulas(name: str, prof: Profile, annotator_values: dict[str, set[str]]) -> None:
    """Refuse formula-looking values in the columns whose values are echoed into reports."""
    checks: list[tuple[str, Iterable[str]]] = []
    if prof.roles.label:
        checks.append((prof.roles.label, prof.class_counts))
    if prof.roles.source:
        checks.append((prof.roles.source, prof.source_counts))
    if prof.roles.slice:
        checks.append((prof.roles.slice, prof.slice_counts))
    checks += list(annotator_values.items())
    for col, values in checks:
        for v in values:
            if _FORMULA_RE.match(v):
                raise InputError(
                    f"{name}: column {col!r} has a formula-looking value {v[:40]!r}; spreadsheet "
                    "programs run such cells when results are opened. Remove the leading "
                    "= + - @ or prefix the value with an apostrophe"
                )


# ---------------------------------------------------------------------------------------------
# Public entry points


def profile_file(
    path: str | Path,
    *,
    label: str | None = None,
    annotators: Sequence[str] | None = None,
    source: str | None = None,
    text: str | None = None,
    slice: str | None = None,
    name: str | None = None,
    sketch_k: int = SKETCH_K,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Profile:
    """Profile one data file (CSV, Parquet, JSON Lines, Excel) or load one statistics file."""
    p = Path(path)
    shown = name or str(path)
    head = _check_file(p, shown)
    kind = _classify(p, shown, head)
    if kind == "stats":
        return read_stats(p, name=shown)
    with _connection(memory_limit, threads) as con:
        inp = _open_input(con, p, shown, kind, head)
        roles = detect_roles(
            inp.columns,
            inp.sample,
            file=shown,
            label=label,
            annotators=annotators,
            source=source,
            text=text,
            slice=slice,
        )
        prof = _scan(con, inp, roles, sketch_k)
    if source is None and prof.roles.source:
        kinds = prof.source_kinds()
        if kinds["human"] + kinds["synthetic"] < 0.5 * prof.rows:
            prof.notes.append(
                f"column {prof.roles.source!r} does not mark rows human or synthetic; "
                "not used as the source column"
            )
            prof.roles = Roles(prof.roles.label, prof.roles.annotators, None, prof.roles.text,
                               prof.roles.slice)
            prof.source_counts, prof.source_missing, prof.class_source_counts = {}, 0, {}
    return prof


def profile_files(
    paths: Sequence[str | Path],
    *,
    progress: Callable[[float, str], None] | None = None,
    **options,
) -> Profile:
    """Profile several files (shards, or statistics files) and merge them into one profile."""
    if not paths:
        raise InputError("profile: give at least one file")
    profiles = []
    for i, path in enumerate(paths):
        if progress:
            progress(i / len(paths), f"profiling {path}")
        profiles.append(profile_file(path, **options))
    if progress:
        progress(1.0, "done")
    return merge_profiles(profiles)


def profile_frame(frame, *, name: str = "data", **options) -> Profile:
    """Profile an in-memory pandas DataFrame (a page's upload already parsed), via Parquet."""
    mixed = [c for c in frame.columns if frame[c].dtype == object]
    if mixed:
        frame = frame.astype({c: "string" for c in mixed})
    frame = frame.rename(columns=str)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frame.parquet"
        frame.to_parquet(path, index=False)
        return profile_file(path, name=name, **options)


def read_table(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    max_rows: int | None = None,
    seed: int = 0,
    name: str | None = None,
):
    """Load a data file as a pandas DataFrame, with the same checks as profiling.

    CSV columns come back as text (as profiled); the model code converts numeric-looking ones.

    With ``max_rows`` a larger file is reduced to a reproducible reservoir sample of that many
    rows, so model training on a huge file stays bounded in memory and time.
    """
    p = Path(path)
    shown = name or str(path)
    if max_rows is not None and (
        isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)) or max_rows < 0
    ):
        raise InputError(f"max_rows: must be a whole number >= 0 (got {max_rows!r})")
    head = _check_file(p, shown)
    kind = _classify(p, shown, head)
    if kind == "stats":
        raise InputError(f"{shown}: a statistics file has no rows to train on; give the data file")
    with _connection() as con:
        inp = _open_input(con, p, shown, kind, head)
        wanted = list(inp.columns)
        if columns is not None:
            wanted = [_find_column(inp.columns, c, "requested", shown) for c in columns]

        def fetch():
            sql = f"SELECT {', '.join(_ident(c) for c in wanted)} FROM {_from_sql(inp)}"
            limit = max_rows
            if limit and limit > RESERVOIR_DIRECT:
                # DuckDB sizes the reservoir by the requested count: count first, and sample
                # only a file that is really larger.
                total = con.execute(f"SELECT count(*) FROM {_from_sql(inp)}").fetchone()[0]
                limit = limit if total > limit else None
            if limit:
                sql = (
                    f"SELECT * FROM ({sql}) USING SAMPLE reservoir({int(limit)} ROWS) "
                    f"REPEATABLE ({int(seed)})"
                )
            return con.execute(sql).fetchdf()

        try:
            frame = fetch()
        except duckdb.Error as exc:
            if not (kind == "csv" and inp.encoding == "utf-8" and "nvalid unicode" in str(exc)):
                raise _duckdb_input_error(inp, exc) from None
            inp.encoding = _latin1_or_refuse(p, shown)
            try:
                frame = fetch()
            except duckdb.Error as exc2:
                raise _duckdb_input_error(inp, exc2) from None
    if frame.empty:
        raise InputError(f"{shown}: no data rows, only a header")
    return frame


def merge_profiles(profiles: Sequence[Profile]) -> Profile:
    """Sum the counts of shard profiles; the result equals the profile of the concatenation."""
    if not profiles:
        raise InputError("merge: nothing to merge")
    first = profiles[0]
    out = Profile(
        roles=first.roles,
        hash_id=first.hash_id,
        min_class_count=first.min_class_count,
        rare_factor=first.rare_factor,
    )
    for p in profiles:
        if p.roles != first.roles:
            raise InputError(
                f"merge: {p.name} has different column roles ({_roles_text(p.roles)}) from "
                f"{first.name} ({_roles_text(first.roles)}); name them with --label etc."
            )
        out.rows += p.rows
        out.inputs += p.inputs
        for c, stats in p.columns.items():
            cur = out.columns.setdefault(c, {"missing": 0})
            cur["missing"] = cur.get("missing", 0) + int(stats.get("missing", 0))
            if "max_bytes" in stats:
                vals = [v for v in (cur.get("max_bytes"), stats.get("max_bytes")) if v is not None]
                cur["max_bytes"] = max(vals) if vals else None
        _add(out.class_counts, p.class_counts)
        out.label_missing += p.label_missing
        for c, d in p.class_source_counts.items():
            _add(out.class_source_counts.setdefault(c, {}), d)
        out.annotator_rows += p.annotator_rows
        for a, d in p.annotator_counts.items():
            _add(out.annotator_counts.setdefault(a, {}), d)
        _add(out.annotator_agree, p.annotator_agree)
        _add(out.source_counts, p.source_counts)
        out.source_missing += p.source_missing
        _add(out.slice_counts, p.slice_counts)
        out.slice_missing += p.slice_missing
        out.text_rows += p.text_rows
        out.text_bytes += p.text_bytes
        out.notes += [n for n in p.notes if n not in out.notes]
    sketches = [p.sketch for p in profiles]
    same_hash = all(p.hash_id == first.hash_id for p in profiles)
    if all(sk is not None for sk in sketches) and same_hash:
        merged = sketches[0]
        for sk in sketches[1:]:
            merged = merged.merge(sk)  # type: ignore[union-attr, arg-type]
        out.sketch = merged
        return out
    if not same_hash:
        out.notes.append(
            "duplicate sketches were made with different hash functions; duplicates are counted "
            "within each shard only"
        )
    if len(profiles) == 1:
        out.duplicate_rows_given = first.duplicate_rows_given
        out.near_duplicate_rows_given = first.near_duplicate_rows_given
        return out
    dups = [p.duplicate_share for p in profiles]
    if all(d is not None for d in dups):
        out.duplicate_rows_given = sum(int(round(d * p.rows)) for d, p in zip(dups, profiles))
        out.notes.append("duplicates counted within each shard only (no sketch to merge)")
    near = [p.near_duplicate_share for p in profiles]
    if first.roles.text and all(d is not None for d in near):
        out.near_duplicate_rows_given = sum(
            int(round(d * p.text_rows)) for d, p in zip(near, profiles)
        )
    return out


def _roles_text(r: Roles) -> str:
    parts = [f"{k}={v}" for k, v in r.as_dict().items() if v]
    return ", ".join(parts) or "none"


def _add(into: dict, other: dict) -> None:
    for key, v in other.items():
        into[key] = into.get(key, 0) + v


# ---------------------------------------------------------------------------------------------
# Statistics files


def write_stats(profile: Profile, path: str | Path) -> None:
    """YAML by default; JSON when the name ends in .json."""
    p = Path(path)
    data = profile.to_stats()
    try:
        if p.suffix.lower() == ".json":
            p.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            p.write_text(
                yaml.safe_dump(
                    data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
                ),
                encoding="utf-8",
            )
    except OSError as exc:
        raise InputError(f"{p}: cannot write ({exc.strerror})") from None


def read_stats(path: str | Path, name: str | None = None) -> Profile:
    from hybrid.model.scenario import load_yaml_text, read_text_file

    shown = name or str(path)
    text = read_text_file(path)
    if str(path).lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{shown}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    else:
        data = load_yaml_text(text, shown)
    return stats_to_profile(data, shown)


def _int(data: dict, key: str, where: str, default: int | None = None) -> int:
    v = data.get(key, default)
    if v is None and default is None and key not in data:
        raise InputError(f"{where}.{key}: required field is missing")
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise InputError(f"{where}.{key}: must be a whole number >= 0 (got {v!r})")
    return v


def _counts(data: object, where: str) -> dict[str, int]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping of value -> count")
    out = {}
    for key, v in data.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InputError(f"{where}.{key}: count must be a whole number >= 0 (got {v!r})")
        out[str(key)] = v
    return out


def _section(data: dict, key: str, where: str) -> dict | None:
    v = data.get(key)
    if v is None:
        return None
    if not isinstance(v, dict):
        raise InputError(f"{where}.{key}: expected a mapping")
    return v


def stats_to_profile(data: object, where: str = "statistics") -> Profile:
    """Validate a statistics mapping (written by the profiler or by hand) into a Profile."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping at the top level")
    if data.get("format") != STATS_FORMAT:
        raise InputError(f"{where}.format: must be {STATS_FORMAT!r} (got {data.get('format')!r})")
    if data.get("version") != STATS_VERSION:
        raise InputError(f"{where}.version: must be {STATS_VERSION} (got {data.get('version')!r})")
    prof = Profile()
    prof.rows = _int(data, "rows", where)
    inputs = data.get("inputs") or [{"name": where}]
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise InputError(f"{where}.inputs: expected a list of mappings")
    prof.inputs = [dict(i) for i in inputs]
    cols = data.get("columns") or {}
    if not isinstance(cols, dict):
        raise InputError(f"{where}.columns: expected a mapping of column -> {{missing: n}}")
    for c, v in cols.items():
        if not isinstance(v, dict):
            raise InputError(f"{where}.columns.{c}: expected a mapping like {{missing: 0}}")
        entry = {"missing": _int(v, "missing", f"{where}.columns.{c}", 0)}
        if v.get("max_bytes") is not None:
            entry["max_bytes"] = _int(v, "max_bytes", f"{where}.columns.{c}")
        prof.columns[str(c)] = entry
    settings = _section(data, "settings", where) or {}
    prof.min_class_count = _int(settings, "min_class_count", f"{where}.settings", MIN_CLASS_COUNT)
    rf = settings.get("rare_factor", RARE_FACTOR)
    if not isinstance(rf, (int, float)) or not 0 < rf <= 1:
        raise InputError(f"{where}.settings.rare_factor: must be in (0, 1] (got {rf!r})")
    prof.rare_factor = float(rf)
    label = ann_cols = source = text = slice_ = None
    lab = _section(data, "label", where)
    if lab:
        label = _column_name(lab, f"{where}.label")
        prof.class_counts = _counts(lab.get("counts"), f"{where}.label.counts")
        prof.label_missing = _int(lab, "missing", f"{where}.label", 0)
        by_source = lab.get("by_source") or {}
        if not isinstance(by_source, dict):
            raise InputError(f"{where}.label.by_source: expected a mapping")
        prof.class_source_counts = {
            str(c): _counts(d, f"{where}.label.by_source.{c}") for c, d in by_source.items()
        }
    ann = _section(data, "annotators", where)
    if ann:
        aw = f"{where}.annotators"
        ann_cols = ann.get("columns")
        if not isinstance(ann_cols, list) or len(ann_cols) < 2:
            raise InputError(f"{aw}.columns: list two or more column names")
        ann_cols = [str(a) for a in ann_cols]
        prof.annotator_rows = _int(ann, "rows", aw)
        counts = ann.get("counts") or {}
        if not isinstance(counts, dict) or set(map(str, counts)) != set(ann_cols):
            raise InputError(f"{aw}.counts: give value counts for each of {', '.join(ann_cols)}")
        for a in ann_cols:
            prof.annotator_counts[a] = _counts(counts.get(a), f"{aw}.counts.{a}")
            if sum(prof.annotator_counts[a].values()) != prof.annotator_rows:
                raise InputError(
                    f"{aw}.counts.{a}: adds up to {sum(prof.annotator_counts[a].values())}, "
                    f"but annotators.rows is {prof.annotator_rows}"
                )
        agreements = ann.get("agreements") or []
        if not isinstance(agreements, list):
            raise InputError(f"{aw}.agreements: expected a list of {{columns: [a, b], agree: n}}")
        for i, entry in enumerate(agreements):
            ew = f"{aw}.agreements[{i}]"
            if (not isinstance(entry, dict) or not isinstance(entry.get("columns"), list)
                    or len(entry["columns"]) != 2):
                raise InputError(f"{ew}: expected {{columns: [a, b], agree: n}}")
            n = _int(entry, "agree", ew)
            if n > prof.annotator_rows:
                raise InputError(f"{ew}.agree: {n} is more than annotators.rows")
            prof.annotator_agree[(str(entry["columns"][0]), str(entry["columns"][1]))] = n
        expected = [(ann_cols[i], ann_cols[j]) for i in range(len(ann_cols))
                    for j in range(i + 1, len(ann_cols))]
        if sorted(prof.annotator_agree) != sorted(expected):
            raise InputError(
                f"{aw}.agreements: need one entry for each pair of {', '.join(ann_cols)} "
                f"({len(expected)}), got {len(prof.annotator_agree)}"
            )
    src = _section(data, "source", where)
    if src:
        source = _column_name(src, f"{where}.source")
        prof.source_counts = _counts(src.get("counts"), f"{where}.source.counts")
        prof.source_missing = _int(src, "missing", f"{where}.source", 0)
    txt = _section(data, "text", where)
    if txt:
        text = _column_name(txt, f"{where}.text")
        prof.text_rows = _int(txt, "rows", f"{where}.text", 0)
        prof.text_bytes = _int(txt, "bytes", f"{where}.text", 0)
    slc = _section(data, "slice", where)
    if slc:
        slice_ = _column_name(slc, f"{where}.slice")
        prof.slice_counts = _counts(slc.get("counts"), f"{where}.slice.counts")
        prof.slice_missing = _int(slc, "missing", f"{where}.slice", 0)
    prof.roles = Roles(label, tuple(ann_cols or ()), source, text, slice_)
    dup = _section(data, "duplicates", where)
    if dup:
        prof.hash_id = str(dup.get("hash") or "")
        if dup.get("sketch") is not None:
            prof.sketch = DupSketch.from_dict(dup["sketch"], f"{where}.duplicates.sketch")
        if dup.get("duplicate_rows") is not None:
            prof.duplicate_rows_given = _int(dup, "duplicate_rows", f"{where}.duplicates")
        if dup.get("near_duplicate_rows") is not None:
            prof.near_duplicate_rows_given = _int(dup, "near_duplicate_rows", f"{where}.duplicates")
    notes = data.get("notes") or []
    prof.notes = [str(n) for n in notes] if isinstance(notes, list) else []
    for section, column, counts, missing in (
        ("label", label, prof.class_counts, prof.label_missing),
        ("source", source, prof.source_counts, prof.source_missing),
        ("slice", slice_, prof.slice_counts, prof.slice_missing),
    ):
        total = sum(counts.values()) + missing
        if column and total != prof.rows:
            raise InputError(
                f"{where}.{section}: counts plus missing add up to {total}, but rows is {prof.rows}"
            )
    return prof


def _column_name(section: dict, where: str) -> str:
    col = section.get("column")
    if not isinstance(col, str) or not col:
        raise InputError(f"{where}.column: name the column (a non-empty string)")
    return col


# ---------------------------------------------------------------------------------------------
# Into the decision


def require_classes(profile: Profile, what: str = "the decision") -> None:
    """Refuse what cannot make a classifier: no label column, or one class."""
    if not profile.roles.label:
        raise InputError(f"{profile.name}: no label column found; name it with --label")
    k = profile.classes or 0
    if k < 2:
        only = next(iter(profile.class_counts), None)
        detail = f" ({only!r})" if only is not None else ""
        raise InputError(
            f"{profile.name}: label column {profile.roles.label!r} has {k} class{detail}; "
            f"{what} needs at least two"
        )


def profile_to_dataset(profile: Profile) -> Dataset:
    """The Scenario's dataset section, filled from a profile.

    Rows count as human unless a source column marks them synthetic; annotator agreement is the
    observed pairwise agreement (the share of rater pairs that agree), kappa its chance-corrected
    form.
    """
    if profile.roles.label:
        require_classes(profile)
    agr = profile.agreement()
    inputs = ", ".join(i.get("name", "?") for i in profile.inputs[:3])
    if len(profile.inputs) > 3:
        inputs += f" and {len(profile.inputs) - 3} more"
    desc = f"profile of {inputs}: {profile.rows:,} rows"
    if profile.classes:
        desc += f", {profile.classes} classes"
    return Dataset(
        human_examples=profile.human_rows,
        synthetic_examples=profile.synthetic_rows,
        classes=profile.classes if profile.classes and profile.classes >= 2 else None,
        tail_share=profile.tail_share,
        annotator_agreement=agr.observed if agr and agr.rows else None,
        kappa=max(-1.0, min(1.0, agr.kappa)) if agr and agr.kappa is not None else None,
        source=desc[:500],
    )


def suggest_edge_case_level(profile: Profile) -> int:
    """Edge-case factor level (1-5) suggested by the tail of the class distribution.

    Data alone cannot say the tail does not matter, so a balanced set suggests 2, not 1:
    tail share under 2% -> 2, under 8% -> 3, under 20% -> 4, else 5; classes below the minimum
    count add one (they are edge cases the model barely sees). No label column -> 3, the
    policy default.
    """
    tail = profile.tail_share
    if tail is None:
        return 3
    level = 2 if tail < 0.02 else 3 if tail < 0.08 else 4 if tail < 0.20 else 5
    if profile.small_classes:
        level += 1
    return max(1, min(5, level))
