"""A bottom-k sketch of row hashes for exact and near duplicates, mergeable across shards
(Bar-Yossef et al., 2002; Cohen and Kaplan, 2007).
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass

import duckdb
import numpy as np

from hybrid.errors import InputError

SKETCH_K = 16384
# A statistics file's sketch arrays are refused when one decompresses past this (a zlib bomb in a
# 1 MB file would otherwise inflate to gigabytes): 2 million 8-byte entries, over 100 times what
# a sketch of k = 16,384 holds. k itself is capped at MAX_SKETCH_K.
MAX_SKETCH_ARRAY_BYTES = 16 * 1024 * 1024
MAX_SKETCH_K = 1_000_000
HASH_ID = f"duckdb-{duckdb.__version__}/hash"


def _b64(arr: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(arr.tobytes(), 6)).decode("ascii")


def _unb64(text: object, dtype: str, where: str = "sketch") -> np.ndarray:
    from hybrid.safeload import inflate

    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    raw = inflate(base64.b64decode(text), where, MAX_SKETCH_ARRAY_BYTES)
    if len(raw) % np.dtype(dtype).itemsize:
        raise ValueError("array length is not a whole number of entries")
    return np.frombuffer(raw, dtype=dtype)


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
            k = data["k"]
            if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_SKETCH_K:
                raise InputError(
                    f"{where}.k: must be a whole number from 1 to {MAX_SKETCH_K:,} (got {k!r})"
                )
            keys = np.cumsum(_unb64(data["keys"], "<u8", f"{where}.keys"), dtype=np.uint64)
            rows = _unb64(data["rows"], "<u8", f"{where}.rows").astype(np.uint64)
            counts = _unb64(data["counts"], "<u8", f"{where}.counts").astype(np.uint64)
            text = np.unpackbits(_unb64(data["text"], "u1", f"{where}.text"))[: len(keys)].astype(
                bool
            )
        except (KeyError, TypeError, ValueError, zlib.error) as exc:
            raise InputError(f"{where}: not a valid duplicate sketch ({exc})") from None
        if not (len(keys) == len(rows) == len(counts) == len(text)) or k < 1:
            raise InputError(f"{where}: keys, rows, text and counts differ in length")
        return cls.build(keys, rows, text, counts, k)
