"""The profile as mergeable statistics: counts and sums only, so profiles of shards merge into
exactly the profile of the whole, and every finished number (tail share, kappa, duplicate share) is
derived from them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np

from hybrid import __version__
from hybrid.errors import InputError
from hybrid.evidence.agreement import LOW_KAPPA, Agreement, agreement_from_counts
from hybrid.evidence.roles import Roles, source_kind
from hybrid.evidence.sketch import HASH_ID, DupSketch

RARE_FACTOR = 0.5
MIN_CLASS_COUNT = 10
STATS_FORMAT = "hybrid-profile"
STATS_VERSION = 1


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
    # Rows where both columns of a pair hold a value; empty means every pair covers all
    # ``annotator_rows`` (complete data, as statistics files written before it say).
    annotator_pair_rows: dict[tuple[str, str], int] = field(default_factory=dict)
    # Sum over rows of (agreeing pairs in the row) / (annotations in the row - 1): Krippendorff's
    # alpha
    # with missing annotations. Complete data gives sum(agree) / (m - 1).
    annotator_weighted_agree: float = 0.0
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
            c: n
            for c, n in sorted(self.class_counts.items(), key=lambda kv: kv[1])
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
            self.roles.annotators,
            self.annotator_counts,
            self.annotator_agree,
            self.annotator_rows,
            pair_rows=self.annotator_pair_rows or None,
            weighted_agree=self.annotator_weighted_agree if self.annotator_pair_rows else None,
        )

    def synthetic_tail_share(self) -> float | None:
        """Share of synthetic rows that fall in rare classes (head/tail split of the generator)."""
        if not self.class_source_counts:
            return None
        rare = set(self.rare_classes)
        syn = {
            c: sum(n for s, n in d.items() if source_kind(s, self.roles.source) == "synthetic")
            for c, d in self.class_source_counts.items()
        }
        total = sum(syn.values())
        if total == 0:
            return None
        return sum(n for c, n in syn.items() if c in rare) / total

    # ---- advice -------------------------------------------------------------------------

    def warnings(self) -> list[str]:
        out: list[str] = []
        if self.roles.label is None:
            out.append("no label column found: choose the label column to get class statistics")
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
        alike: dict[str, list[str]] = {}
        for c in self.class_counts:
            alike.setdefault(" ".join(str(c).split()).casefold(), []).append(str(c))
        spelled = [sorted(g) for g in alike.values() if len(g) > 1]
        if spelled:
            # "spam", "Spam" and "SPAM " are three classes to the learner; say so rather than
            # let the tail share and the class count grow without a word.
            shown = "; ".join(", ".join(repr(c) for c in g[:4]) for g in spelled[:3])
            out.append(
                f"{len(spelled)} {'label is' if len(spelled) == 1 else 'labels are'} spelled "
                f"more than one way, differing only in case or spaces ({shown}): each spelling "
                "counts as a class of its own"
            )
        agr = self.agreement()
        chance_corrected = (
            None if agr is None else (agr.kappa if agr.kappa is not None else agr.alpha)
        )
        if agr is not None and chance_corrected is not None and chance_corrected < LOW_KAPPA:
            stat = f"{agr.method} {chance_corrected:.2f}"
            out.append(
                f"annotator agreement is {agr.band} ({stat}): even human "
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
            if kinds["human"] == 0:
                # Read as "not given", 0 human rows would let the plan start from the learning
                # curve's largest size without a word.
                out.append(
                    f"no row in source column {self.roles.source!r} is marked human: the file "
                    "holds no human-labeled rows, so it cannot say how many the plan starts from"
                )
            elif share > 0.5:
                out.append(f"{share:.0%} of rows are already synthetic")
        for name, stats in self.columns.items():
            # Annotator columns are empty wherever nobody annotated (synthetic rows): agreement
            # counts only rows with two annotations, so their gaps are not a data problem.
            if name in self.roles.annotators:
                continue
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
            "class_counts": dict(sorted(self.class_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
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
                    {
                        "columns": list(pair),
                        "agree": n,
                        "rows": self.annotator_pair_rows.get(pair, self.annotator_rows),
                    }
                    for pair, n in self.annotator_agree.items()
                ],
            }
            if self.annotator_pair_rows:
                out["annotators"]["weighted_agree"] = self.annotator_weighted_agree
        if self.roles.source:
            out["source"] = {
                "column": self.roles.source,
                "counts": dict(sorted(self.source_counts.items())),
                "missing": self.source_missing,
            }
        if self.roles.text:
            out["text"] = {
                "column": self.roles.text,
                "rows": self.text_rows,
                "bytes": self.text_bytes,
            }
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


def merge_profiles(profiles: Sequence[Profile]) -> Profile:
    """Sum the counts of shard profiles; the result equals the profile of the concatenation."""
    if not profiles:
        raise InputError("merge: nothing to merge")
    first = profiles[0]
    _check_mergeable(profiles)
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
                f"{first.name} ({_roles_text(first.roles)}); choose the label, text and source "
                "columns for all of them"
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
        pair_rows = p.annotator_pair_rows or {pair: p.annotator_rows for pair in p.annotator_agree}
        _add(out.annotator_pair_rows, pair_rows)
        m = len(p.roles.annotators)
        out.annotator_weighted_agree += (
            p.annotator_weighted_agree
            if p.annotator_pair_rows
            else (sum(p.annotator_agree.values()) / (m - 1) if m >= 2 else 0.0)
        )
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
        out.duplicate_rows_given = sum(
            int(round(d * p.rows)) for d, p in zip(dups, profiles, strict=False)
        )
        out.notes.append("duplicates counted within each shard only (no sketch to merge)")
    near = [p.near_duplicate_share for p in profiles]
    if first.roles.text and all(d is not None for d in near):
        out.near_duplicate_rows_given = sum(
            int(round(d * p.text_rows)) for d, p in zip(near, profiles, strict=False)
        )
    return out


def _check_mergeable(profiles: Sequence[Profile]) -> None:
    """Shards merge in any order to the same profile, so every setting that shapes a figure must
    agree (no shard's settings may win by coming first), and one shard must not be counted twice.
    """
    import hashlib
    import json
    from pathlib import PurePath

    first = profiles[0]
    for p in profiles[1:]:
        for setting in ("min_class_count", "rare_factor"):
            a, b = getattr(first, setting), getattr(p, setting)
            if a != b:
                raise InputError(
                    f"merge: {p.name} was profiled with {setting} {b:g}, {first.name} with "
                    f"{a:g}; profile the shards with the same settings"
                )
    if len(profiles) < 2:
        return
    seen: dict[str, str] = {}
    for p in profiles:
        if not p.rows:
            continue
        stats = p.to_stats()
        stats.pop("generator", None)
        stats.pop("inputs", None)
        if isinstance(stats.get("annotators"), dict):
            # Written only while some pairs share fewer rows; a statistics file read back drops it
            # when none does, so a file and its own statistics file differed by this key alone.
            stats["annotators"] = {
                k: v for k, v in stats["annotators"].items() if k != "weighted_agree"
            }
        digest = hashlib.sha256(
            json.dumps(stats, sort_keys=True, default=str).encode("utf-8")
        ).hexdigest()
        if digest in seen and PurePath(seen[digest]).name == PurePath(p.name).name:
            # A statistics file carries the name of the file it was made from.
            raise InputError(
                f"merge: {p.name} is given twice (itself, or with a statistics file made from "
                "it): the same shard given twice would count its rows twice"
            )
        if digest in seen:
            raise InputError(
                f"merge: {p.name} and {seen[digest]} hold the same counts: the same shard given "
                "twice would count its rows twice"
            )
        seen[digest] = p.name


def _roles_text(r: Roles) -> str:
    parts = [f"{k}={v}" for k, v in r.as_dict().items() if v]
    return ", ".join(parts) or "none"


def _add(into: dict, other: dict) -> None:
    for key, v in other.items():
        into[key] = into.get(key, 0) + v


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
