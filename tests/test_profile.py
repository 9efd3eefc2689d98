"""Profiling: numbers checked against independent computations on real and generated data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.metrics import cohen_kappa_score

from hybrid.cli.main import main
from hybrid.evidence.agreement import agreement_from_counts, kappa_band
from hybrid.evidence.limits import check_upload_size
from hybrid.evidence.profile import (
    dataset_json,
    profile_file,
    profile_files,
    profile_frame,
    profile_to_dataset,
)
from hybrid.evidence.roles import Roles
from hybrid.evidence.sketch import DupSketch
from hybrid.evidence.stats import Profile, merge_profiles, suggest_edge_case_level
from hybrid.evidence.statsfile import read_stats, stats_to_profile, write_stats

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "support_tickets.csv"
LOADERS = {"digits": load_digits, "wine": load_wine, "breast_cancer": load_breast_cancer}


def sklearn_frame(name: str, seed: int = 0) -> pd.DataFrame:
    """A scikit-learn dataset with class names as labels, two noisy annotators, a source column
    and a slice, so that every statistic has something to count."""
    data = LOADERS[name]()
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(data.data, columns=[f"f{i}" for i in range(data.data.shape[1])])
    names = np.array([str(n) for n in data.target_names])
    y = data.target
    k = len(names)

    def noisy(acc: float) -> np.ndarray:
        flip = rng.random(len(y)) > acc
        out = y.copy()
        out[flip] = rng.integers(0, k, flip.sum())
        return names[out]

    frame["label"] = names[y]
    frame["annotator_1"] = noisy(0.9)
    frame["annotator_2"] = noisy(0.7)
    frame["source"] = np.where(rng.random(len(y)) < 0.25, "synthetic", "human")
    frame["segment"] = rng.choice(["a", "b", "c"], len(y))
    return frame


def expected_duplicate_share(frame: pd.DataFrame) -> float:
    return float(frame.astype(str).duplicated().mean())


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_profile_matches_independent_counts_on_sklearn_data(tmp_path, name):
    frame = sklearn_frame(name)
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False)
    prof = profile_file(path)

    assert prof.roles.label == "label"
    assert prof.roles.annotators == ("annotator_1", "annotator_2")
    assert prof.roles.source == "source"
    assert prof.roles.slice == "segment"
    assert prof.rows == len(frame)
    assert prof.class_counts == frame["label"].value_counts().to_dict()
    assert prof.classes == frame["label"].nunique()
    assert prof.slice_counts == frame["segment"].value_counts().to_dict()
    assert prof.source_kinds()["synthetic"] == int((frame["source"] == "synthetic").sum())
    assert prof.synthetic_share == pytest.approx((frame["source"] == "synthetic").mean())
    assert prof.missing() == {c: 0 for c in frame.columns}

    agr = prof.agreement()
    assert agr.method == "cohen"
    assert agr.kappa == pytest.approx(cohen_kappa_score(frame["annotator_1"], frame["annotator_2"]))
    assert agr.observed == pytest.approx((frame["annotator_1"] == frame["annotator_2"]).mean())
    assert agr.band == kappa_band(agr.kappa)

    csv_text = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert prof.duplicate_share == pytest.approx(expected_duplicate_share(csv_text))
    assert prof.sketch.complete

    counts = frame["label"].value_counts()
    k = len(counts)
    rare = counts[counts / counts.sum() < 0.5 / k]
    assert prof.tail_share == pytest.approx(rare.sum() / counts.sum())
    p = counts / counts.sum()
    evenness = float(-(p * np.log(p)).sum() / np.log(k))
    assert prof.imbalance()["evenness"] == pytest.approx(evenness)


def test_same_numbers_from_parquet_jsonl_and_excel(tmp_path):
    frame = sklearn_frame("wine")
    frame.loc[3, "annotator_2"] = None
    frame.loc[[5, 9], "segment"] = None
    paths = {
        "csv": tmp_path / "w.csv",
        "parquet": tmp_path / "w.parquet",
        "jsonl": tmp_path / "w.jsonl",
        "excel": tmp_path / "w.xlsx",
    }
    frame.to_csv(paths["csv"], index=False)
    frame.to_parquet(paths["parquet"], index=False)
    frame.to_json(paths["jsonl"], orient="records", lines=True)
    frame.to_excel(paths["excel"], index=False)
    results = {k: profile_file(p) for k, p in paths.items()}
    complete = frame.dropna(subset=["annotator_1", "annotator_2"])
    kappa = cohen_kappa_score(complete["annotator_1"], complete["annotator_2"])
    for kind, prof in results.items():
        assert prof.rows == len(frame), kind
        assert prof.class_counts == frame["label"].value_counts().to_dict(), kind
        assert prof.missing()["annotator_2"] == 1, kind
        assert prof.slice_missing == 2, kind
        assert prof.annotator_rows == len(complete), kind
        assert prof.agreement().kappa == pytest.approx(kappa), kind
        assert prof.duplicate_share == pytest.approx(0.0), kind


def test_fleiss_kappa_and_krippendorff_alpha_match_direct_formulas(tmp_path):
    rng = np.random.default_rng(3)
    n, cats = 600, np.array(["x", "y", "z", "w"])
    truth = rng.integers(0, 4, n)
    ratings = []
    for acc in (0.9, 0.75, 0.6):
        r = truth.copy()
        flip = rng.random(n) > acc
        r[flip] = rng.integers(0, 4, flip.sum())
        ratings.append(r)
    frame = pd.DataFrame({f"rater_{i + 1}": cats[r] for i, r in enumerate(ratings)})
    frame["label"] = cats[truth]
    frame.loc[7, ["rater_2", "rater_3"]] = (
        None  # one annotation left: nothing to agree on, not counted
    )
    path = tmp_path / "three.csv"
    frame.to_csv(path, index=False)
    prof = profile_file(path, annotators=["rater_1", "rater_2", "rater_3"])
    agr = prof.agreement()
    assert agr.method == "fleiss"
    assert agr.rows == n - 1

    data = frame.dropna(subset=["rater_1", "rater_2", "rater_3"])
    counts = np.stack([(data[[f"rater_{i}" for i in (1, 2, 3)]] == c).sum(axis=1) for c in cats], 1)
    m = 3
    p_i = ((counts * (counts - 1)).sum(1)) / (m * (m - 1))
    p_bar = p_i.mean()
    p_j = counts.sum(0) / counts.sum()
    p_e = (p_j**2).sum()
    assert agr.kappa == pytest.approx((p_bar - p_e) / (1 - p_e))

    # Krippendorff's alpha from the coincidence matrix (Krippendorff 2004, ch. 11).
    o = np.zeros((4, 4))
    for row in counts:
        o += (np.outer(row, row) - np.diag(row)) / (m - 1)
    n_c = o.sum(1)
    n_total = n_c.sum()
    d_o = o.sum() - np.trace(o)
    d_e = (n_total**2 - (n_c**2).sum()) / (n_total - 1)
    assert agr.alpha == pytest.approx(1 - d_o / d_e)
    for pair in agr.pairs:
        a, b = pair["columns"]
        assert pair["kappa"] == pytest.approx(cohen_kappa_score(data[a], data[b]))


def test_agreement_counts_only_rows_with_two_annotations():
    """Synthetic rows nobody annotated neither dilute agreement nor make the annotator columns
    "empty". Known answer: on the four annotated rows a = x x y y, b = x y y y, so p_o = 3/4,
    p_e = (2*1 + 2*3) / 16 = 1/2 and Cohen's kappa = (3/4 - 1/2) / (1 - 1/2) = 1/2."""
    frame = pd.DataFrame(
        {
            "text": [f"t{i}" for i in range(7)],
            "label": ["x", "x", "y", "y", "x", "y", "x"],
            "annot_a": ["x", "x", "y", "y", None, None, "x"],
            "annot_b": ["x", "y", "y", "y", None, None, None],
            "source": ["human"] * 4 + ["synthetic", "synthetic", "human"],
        }
    )
    prof = profile_frame(frame)
    assert prof.roles.annotators == ("annot_a", "annot_b")
    agr = prof.agreement()
    assert (agr.method, agr.rows) == ("cohen", 4)
    assert agr.observed == pytest.approx(0.75)
    assert agr.kappa == pytest.approx(0.5)
    assert not [w for w in prof.warnings() if "empty" in w]
    assert profile_to_dataset(prof).annotator_agreement == pytest.approx(0.75)


def _alpha_direct(frame: pd.DataFrame, cols: list[str]) -> tuple[float, float, int]:
    """Krippendorff's nominal alpha with missing values, observed pairwise agreement and the rows
    with two or more annotations, straight from the rows (Krippendorff 2004, ch. 11)."""
    cats = sorted({v for c in cols for v in frame[c].dropna()})
    o = np.zeros((len(cats), len(cats)))
    agree = compared = used = 0
    for _, r in frame[cols].iterrows():
        vals = [v for v in r if isinstance(v, str)]
        if len(vals) < 2:
            continue
        used += 1
        row = np.array([vals.count(c) for c in cats], dtype=float)
        o += (np.outer(row, row) - np.diag(row)) / (len(vals) - 1)
        agree += sum(vals[i] == vals[j] for i in range(len(vals)) for j in range(i + 1, len(vals)))
        compared += len(vals) * (len(vals) - 1) // 2
    n_c = o.sum(1)
    n = n_c.sum()
    d_o = o.sum() - np.trace(o)
    d_e = (n**2 - (n_c**2).sum()) / (n - 1)
    return 1 - d_o / d_e, agree / compared, used


def test_krippendorff_alpha_when_some_rows_miss_an_annotator(tmp_path):
    """Three annotators, each row labeled by two or three of them. Known answer for the first five
    rows: x x x | x y - | y y - | - - - | x - -: three usable rows, 4 of 5 comparable pairs agree,
    n = 7 values (4 x, 3 y), disagreeing coincidences 2, alpha = 1 - 6 * 2 / (49 - 25) = 0.5."""
    small = pd.DataFrame(
        {
            "label": ["x", "x", "y", "y", "x"],
            "rater_1": ["x", "x", "y", None, "x"],
            "rater_2": ["x", "y", "y", None, None],
            "rater_3": ["x", None, None, None, None],
        }
    )
    cols = ["rater_1", "rater_2", "rater_3"]
    agr = profile_frame(small, annotators=cols).agreement()
    assert (agr.method, agr.rows, agr.kappa) == ("krippendorff", 3, None)
    assert agr.observed == pytest.approx(0.8)
    assert agr.alpha == pytest.approx(0.5)

    rng = np.random.default_rng(5)
    n, cats = 500, np.array(["x", "y", "z"])
    truth = rng.integers(0, 3, n)
    frame = pd.DataFrame({"label": cats[truth]})
    for i, acc in enumerate((0.9, 0.7, 0.6)):
        r = np.where(rng.random(n) < acc, truth, rng.integers(0, 3, n))
        frame[cols[i]] = np.where(rng.random(n) < 0.3, None, cats[r])
    alpha, observed, used = _alpha_direct(frame, cols)
    prof = profile_frame(frame, annotators=cols)
    agr = prof.agreement()
    assert (agr.method, agr.rows) == ("krippendorff", used)
    assert agr.alpha == pytest.approx(alpha) and agr.observed == pytest.approx(observed)
    # The statistics file and sharded profiles give the same numbers.
    write_stats(prof, tmp_path / "p.stats.yaml")
    again = read_stats(tmp_path / "p.stats.yaml").agreement()
    assert again.alpha == pytest.approx(alpha) and again.rows == used
    halves = [
        profile_frame(frame.iloc[:200], annotators=cols),
        profile_frame(frame.iloc[200:], annotators=cols),
    ]
    merged = merge_profiles(halves).agreement()
    assert merged.alpha == pytest.approx(alpha) and merged.observed == pytest.approx(observed)


def test_shards_merge_to_the_profile_of_the_whole(tmp_path):
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    whole_path = tmp_path / "whole.csv"
    frame.to_csv(whole_path, index=False)
    shard_files = []
    for i, idx in enumerate(np.array_split(np.arange(len(frame)), 3)):
        p = tmp_path / f"shard{i}.csv"
        frame.iloc[idx].to_csv(p, index=False)
        shard_files.append(p)
    for k in (64, 16384):
        whole = profile_file(whole_path, sketch_k=k)
        stats = []
        for i, p in enumerate(shard_files):
            out = tmp_path / f"shard{i}-{k}.yaml"
            write_stats(profile_file(p, sketch_k=k), out)
            stats.append(read_stats(out))
        merged = merge_profiles(stats)
        a, b = whole.to_stats(), merged.to_stats()
        a.pop("inputs"), b.pop("inputs")
        assert a == b, k
        assert merged.duplicate_share == whole.duplicate_share
        assert merged.near_duplicate_share == whole.near_duplicate_share
        assert merged.agreement().kappa == whole.agreement().kappa
        assert whole.sketch.complete == (k > 2000)
    exact = pd.read_csv(whole_path, dtype=str, keep_default_na=False)
    assert whole.duplicate_share == pytest.approx(exact.duplicated().mean())


def test_bottom_k_sketch_merge_is_exact_and_estimate_is_close():
    rng = np.random.default_rng(1)
    distinct = rng.integers(0, 2**63, 20_000, dtype=np.uint64)
    rows = np.concatenate([distinct, distinct[:2_000]])
    keys = rows.copy()
    keys[5_000:6_000] = keys[4_000:5_000]
    rng_order = rng.permutation(len(rows))
    rows, keys = rows[rng_order], keys[rng_order]
    text = np.ones(len(rows), dtype=bool)
    parts = np.array_split(np.arange(len(rows)), 4)

    def sketch(idx):
        return DupSketch.build(keys[idx], rows[idx], text[idx], np.ones(len(idx)), k=2048)

    whole = sketch(np.arange(len(rows)))
    merged = sketch(parts[0])
    for p in parts[1:]:
        merged = merged.merge(sketch(p))
    for field in ("keys", "rows", "text", "counts"):
        assert np.array_equal(getattr(whole, field), getattr(merged, field)), field
    assert whole.distinct_keys == 2048 and not whole.complete
    assert whole.duplicate_share() == pytest.approx(2_000 / 22_000, abs=0.02)
    assert whole.near_duplicate_share() == pytest.approx(3_000 / 22_000, abs=0.02)
    round_trip = DupSketch.from_dict(whole.to_dict(), "x")
    for field in ("keys", "rows", "text", "counts"):
        assert np.array_equal(getattr(whole, field), getattr(round_trip, field)), field


def test_duplicate_sampling_on_larger_data_estimates_the_share(tmp_path):
    rng = np.random.default_rng(5)
    n = 60_000
    base = pd.DataFrame(
        {"text": [f"row {i} text" for i in range(n)], "label": rng.choice(["a", "b"], n)}
    )
    dup = base.sample(3_000, random_state=1)
    frame = pd.concat([base, dup], ignore_index=True)
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    prof = profile_file(path, sketch_k=4096)
    assert not prof.sketch.complete
    assert prof.duplicate_share == pytest.approx(frame.duplicated().mean(), abs=0.01)


def test_heavy_duplication_takes_a_second_pass_and_still_merges_exactly(tmp_path, monkeypatch):
    import hybrid.evidence.scan as profile_module

    passes = []
    real = profile_module._rescan_sketch
    monkeypatch.setattr(profile_module, "_rescan_sketch", lambda *a: passes.append(1) or real(*a))
    rng = np.random.default_rng(9)
    base = pd.DataFrame(
        {
            "text": [f"Item number {i}" for i in range(3_000)],
            "label": rng.choice(["a", "b", "c"], 3_000),
        }
    )
    frame = base.sample(30_000, replace=True, random_state=2).reset_index(drop=True)
    frame.loc[::7, "text"] = frame.loc[::7, "text"].str.upper()
    whole_path = tmp_path / "dups.csv"
    frame.to_csv(whole_path, index=False)
    whole = profile_file(whole_path, sketch_k=512)
    assert passes
    assert whole.sketch.distinct_keys == 512 and not whole.sketch.complete
    truth = frame.duplicated().mean()
    assert whole.duplicate_share == pytest.approx(truth, abs=0.03)
    near_truth = frame["text"].str.lower().duplicated().mean()
    assert whole.near_duplicate_share == pytest.approx(near_truth, abs=0.03)
    csv_shards = []
    for i, idx in enumerate(np.array_split(np.arange(len(frame)), 2)):
        p = tmp_path / f"dups{i}.csv"
        frame.iloc[idx].to_csv(p, index=False)
        csv_shards.append(p)
    merged = profile_files(csv_shards, sketch_k=512)
    assert merged.duplicate_share == whole.duplicate_share
    assert merged.near_duplicate_share == whole.near_duplicate_share


def test_near_duplicates_ignore_case(tmp_path):
    frame = pd.DataFrame(
        {
            "text": [
                "Refund please",
                "refund PLEASE",
                "Where is my parcel",
                "where is my parcel",
                "Another one",
                "",
            ],
            "label": ["refund", "refund", "shipping", "shipping", "other", "other"],
        }
    )
    path = tmp_path / "near.csv"
    frame.to_csv(path, index=False)
    prof = profile_file(path)
    assert prof.text_rows == 5
    assert prof.near_duplicate_share == pytest.approx(2 / 5)
    assert prof.duplicate_share == 0.0
    assert prof.missing()["text"] == 1


def test_latin1_and_other_delimiters(tmp_path):
    rows = [("café crème", "food"), ("naïve façade", "build"), ("übung", "food")] * 4
    text = "text;label\n" + "".join(f"{a};{b}\n" for a, b in rows)
    p = tmp_path / "latin.csv"
    p.write_bytes(text.encode("latin-1"))
    prof = profile_file(p)
    assert prof.inputs[0]["encoding"] == "latin-1"
    assert prof.class_counts == {"food": 8, "build": 4}
    assert prof.columns["text"]["max_bytes"] == len("naïve façade".encode())
    t = tmp_path / "tabs.tsv"
    t.write_text("text\tlabel\n" + "".join(f"{a}\t{b}\n" for a, b in rows), encoding="utf-8")
    assert profile_file(t).class_counts == {"food": 8, "build": 4}
    q = tmp_path / "quoted.csv"
    q.write_text('text,label\n"hello, world",a\n"say ""hi""",b\n', encoding="utf-8")
    prof = profile_file(q)
    assert prof.class_counts == {"a": 1, "b": 1}
    assert prof.columns["text"]["max_bytes"] == len("hello, world")


def test_explicit_columns_override_detection(tmp_path):
    frame = pd.DataFrame(
        {
            "y_true": ["a", "b", "a", "b"] * 5,
            "r1": ["a", "b", "a", "a"] * 5,
            "r2": ["a", "b", "b", "b"] * 5,
            "origin_flag": ["human", "llm", "human", "human"] * 5,
            "body": ["some text here"] * 20,
        }
    )
    path = tmp_path / "custom.csv"
    frame.to_csv(path, index=False)
    prof = profile_file(
        path, label="y_true", annotators=["r1", "r2"], source="origin_flag", text="body"
    )
    assert prof.roles == Roles("y_true", ("r1", "r2"), "origin_flag", "body", None)
    assert prof.synthetic_rows == 5
    assert prof.agreement().kappa == pytest.approx(cohen_kappa_score(frame.r1, frame.r2))
    assert prof.near_duplicate_share == pytest.approx(19 / 20)


def test_text_column_found_by_content(tmp_path):
    frame = pd.DataFrame(
        {
            "utt": [f"this is a longer free text message number {i}" for i in range(30)],
            "label": ["a", "b", "c"] * 10,
        }
    )
    path = tmp_path / "content.csv"
    frame.to_csv(path, index=False)
    assert profile_file(path).roles.text == "utt"


def test_source_column_that_is_not_human_or_synthetic_is_dropped(tmp_path):
    frame = pd.DataFrame(
        {
            "text": [f"t{i}" for i in range(20)],
            "label": ["a", "b"] * 10,
            "source": ["reddit", "twitter"] * 10,
        }
    )
    path = tmp_path / "src.csv"
    frame.to_csv(path, index=False)
    prof = profile_file(path)
    assert prof.roles.source is None
    assert prof.synthetic_share is None
    assert any("does not mark rows human or synthetic" in w for w in prof.warnings())


def test_profile_to_dataset_and_advice():
    prof = stats_to_profile(
        {
            "format": "hybrid-profile",
            "version": 1,
            "rows": 1000,
            "label": {"column": "y", "counts": {"a": 700, "b": 200, "c": 60, "d": 35, "e": 5}},
            "source": {"column": "src", "counts": {"human": 800, "synthetic": 200}},
            "annotators": {
                "columns": ["r1", "r2"],
                "rows": 100,
                "counts": {"r1": {"a": 70, "b": 30}, "r2": {"a": 60, "b": 40}},
                "agreements": [{"columns": ["r1", "r2"], "agree": 50}],
            },
        }
    )
    ds = profile_to_dataset(prof)
    assert ds.human_examples == 800
    assert ds.synthetic_examples == 200
    assert ds.classes == 5
    # Rare: share below 0.5 / 5 = 0.1, so c, d, e.
    assert ds.tail_share == pytest.approx(0.1)
    assert ds.annotator_agreement == pytest.approx(0.5)
    table = [("a", "a")] * 40 + [("b", "b")] * 10 + [("a", "b")] * 30 + [("b", "a")] * 20
    assert ds.kappa == pytest.approx(
        cohen_kappa_score([t[0] for t in table], [t[1] for t in table])
    )
    assert any("annotator agreement" in w and "noisy" in w for w in prof.warnings())
    assert "e" in prof.small_classes
    assert suggest_edge_case_level(prof) == 5


def test_no_source_column_means_all_rows_human_and_levels():
    balanced = stats_to_profile(
        {
            "format": "hybrid-profile",
            "version": 1,
            "rows": 400,
            "label": {"column": "y", "counts": {"a": 100, "b": 100, "c": 100, "d": 100}},
        }
    )
    ds = profile_to_dataset(balanced)
    assert ds.human_examples == 400 and ds.synthetic_examples == 0
    assert ds.tail_share == 0.0
    assert suggest_edge_case_level(balanced) == 2
    unlabeled = stats_to_profile({"format": "hybrid-profile", "version": 1, "rows": 10})
    assert suggest_edge_case_level(unlabeled) == 3
    assert profile_to_dataset(unlabeled).classes is None


def test_dataset_json_is_the_models_dump_and_refuses_what_the_model_refuses(monkeypatch):
    """profile --json builds the dataset section without pydantic; it must be the model's dump."""
    from pydantic import ValidationError

    import hybrid.evidence.profile as profile_module

    def dump(prof):
        return profile_to_dataset(prof).model_dump(mode="json", exclude_none=True)

    profiles = [
        profile_file(SAMPLE),
        profile_file(ROOT / "data" / "samples" / "digits_pilot.csv"),
        read_stats(ROOT / "data" / "samples" / "support_tickets.stats.yaml"),
        stats_to_profile({"format": "hybrid-profile", "version": 1, "rows": 10}),
        stats_to_profile(
            {
                "format": "hybrid-profile",
                "version": 1,
                "rows": 300,
                "label": {"column": "y", "counts": {"a": 100, "b": 100, "c": 100}},
            }
        ),
    ]
    for prof in profiles:
        got, want = dataset_json(prof), dump(prof)
        assert got == want and list(got) == list(want)
        assert [type(v) for v in got.values()] == [type(v) for v in want.values()]
        assert json.dumps(got) == json.dumps(want)
    prof = profiles[0]
    real = profile_module._dataset_fields
    # Values of another type or at or past the model's bounds take the model's route: the same
    # dump, or the same refusal.
    for field, value in [
        ("tail_share", 0),
        ("kappa", np.float64(0.25)),
        ("human_examples", np.int64(5)),
        ("classes", 2),
        ("classes", 1_000_000),
        ("classes", 1_000_001),
        ("tail_share", 1.5),
        ("tail_share", float("nan")),
        ("kappa", -1.01),
        ("human_examples", -1),
        ("synthetic_examples", 10**12),
        ("synthetic_examples", 10**12 + 1),
        ("human_examples", True),
        ("source", "x" * 500),
        ("source", "x" * 501),
        ("annotator_agreement", "0.5"),
    ]:
        monkeypatch.setattr(
            profile_module, "_dataset_fields", lambda p, f=field, v=value: {**real(p), f: v}
        )
        try:
            want = dump(prof)
        except ValidationError as exc:
            with pytest.raises(ValidationError) as got_exc:
                dataset_json(prof)
            assert str(got_exc.value) == str(exc)
            continue
        got = dataset_json(prof)
        assert got == want and [type(v) for v in got.values()] == [type(v) for v in want.values()]


def test_hand_written_warehouse_statistics(tmp_path):
    text = """
format: hybrid-profile
version: 1
rows: 5000
label:
  column: intent
  counts: {billing: 3000, login: 1500, legal: 500}
source:
  column: origin
  counts: {human: 4000, generated: 1000}
duplicates:
  duplicate_rows: 250
"""
    p = tmp_path / "warehouse.yaml"
    p.write_text(text, encoding="utf-8")
    prof = profile_file(p)
    assert prof.rows == 5000
    assert prof.duplicate_share == pytest.approx(0.05)
    assert prof.synthetic_share == pytest.approx(0.2)
    from hybrid.errors import InputError

    with pytest.raises(InputError, match="same shard given twice"):
        merge_profiles([prof, read_stats(p)])  # issue 23: counted twice without a word
    other = read_stats(p)
    other.notes = ["a second warehouse shard with the same counts"]
    twice = merge_profiles([prof, other])
    assert twice.rows == 10_000
    assert twice.duplicate_share == pytest.approx(0.05)
    assert any("within each shard" in n for n in twice.notes)


def test_profile_frame_and_profile_files_progress(tmp_path):
    frame = sklearn_frame("wine")
    prof = profile_frame(frame, name="wine")
    assert prof.rows == 178 and prof.inputs[0]["name"] == "wine"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    frame.iloc[:100].to_csv(a, index=False)
    frame.iloc[100:].to_csv(b, index=False)
    seen = []
    merged = profile_files([a, b], progress=lambda f, m: seen.append(f))
    assert merged.class_counts == frame["label"].value_counts().to_dict()
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_upload_limit(monkeypatch):
    check_upload_size("small.csv", 10 * 1024 * 1024)
    with pytest.raises(Exception) as err:
        check_upload_size("big.csv", 201 * 1024 * 1024)
    assert "big.csv" in str(err.value) and "200 MB" in str(err.value)
    monkeypatch.setenv("HYBRID_MAX_UPLOAD_MB", "1")
    with pytest.raises(Exception, match="1 MB upload limit"):
        check_upload_size("x.csv", 2 * 1024 * 1024)


def test_agreement_helpers():
    assert kappa_band(-0.1) == "poor"
    assert kappa_band(0.15) == "slight"
    assert kappa_band(0.4) == "fair"
    assert kappa_band(0.55) == "moderate"
    assert kappa_band(0.7) == "substantial"
    assert kappa_band(0.95) == "almost perfect"
    same = agreement_from_counts(("a", "b"), {"a": {"x": 10}, "b": {"x": 10}}, {("a", "b"): 10}, 10)
    assert same.kappa is None and same.observed == 1.0


def test_cli_profile_json_and_stats_roundtrip(tmp_path, capsys):
    stats = tmp_path / "stats.yaml"
    assert main(["profile", str(SAMPLE), "--json", "-o", str(stats)]) == 0
    out = json.loads(capsys.readouterr().out)
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    assert out["rows"] == len(frame)
    assert out["label_column"] == "label"
    assert out["classes"] == frame["label"].nunique()
    assert out["class_counts"] == frame["label"].value_counts().to_dict()
    assert out["synthetic_share"] == pytest.approx((frame["source"] == "synthetic").mean())
    assert out["duplicate_share"] == pytest.approx(frame.duplicated().mean())
    assert out["agreement"]["method"] == "cohen"
    assert out["agreement"]["kappa"] == pytest.approx(
        cohen_kappa_score(frame["annotator_1"], frame["annotator_2"])
    )
    assert 0 < out["tail_share"] < 1
    assert out["dataset"]["human_examples"] == int((frame["source"] == "human").sum())

    assert main(["profile", str(stats), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    for key in (
        "rows",
        "class_counts",
        "tail_share",
        "duplicate_share",
        "agreement",
        "near_duplicate_share",
        "synthetic_share",
    ):
        assert again[key] == out[key], key

    plain = tmp_path / "plain.csv"
    frame[["text", "label"]].to_csv(plain, index=False)
    assert main(["profile", str(plain), "--json"]) == 0
    bare = json.loads(capsys.readouterr().out)
    assert bare["synthetic_share"] is None
    assert bare["agreement"] is None

    assert main(["profile", str(SAMPLE)]) == 0
    text = capsys.readouterr().out
    assert "2,000 rows" in text and "kappa" in text


def test_cli_merges_shards_given_as_files(tmp_path, capsys):
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    frame.iloc[:700].to_csv(a, index=False)
    frame.iloc[700:].to_csv(b, index=False)
    sa = tmp_path / "a.json"
    assert main(["profile", str(a), "-o", str(sa), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["profile", str(sa), str(b), "--json", "--quiet"]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert main(["profile", str(SAMPLE), "--json"]) == 0
    whole = json.loads(capsys.readouterr().out)
    for key in (
        "rows",
        "class_counts",
        "duplicate_share",
        "near_duplicate_share",
        "agreement",
        "tail_share",
        "slice_counts",
        "missing",
    ):
        assert merged[key] == whole[key], key


def test_profile_is_a_plain_dataclass():
    prof = Profile(rows=3, roles=Roles(label="y"), class_counts={"a": 2, "b": 1})
    assert prof.tail_share == 0.0
    assert Counter(prof.class_counts)["a"] == 2


def test_read_table_checks_max_rows_and_reads_small_files_under_a_large_limit(tmp_path):
    from hybrid.errors import InputError
    from hybrid.evidence.profile import read_table

    p = tmp_path / "small.csv"
    sklearn_frame("wine").to_csv(p, index=False)
    # DuckDB sizes a reservoir by the requested count; a huge limit on a small file reads it all.
    assert len(read_table(p, max_rows=1_000_000_000)) == 178
    assert len(read_table(p, max_rows=50)) == 50
    with pytest.raises(InputError, match="max_rows: must be a whole number >= 0"):
        read_table(p, max_rows=-5)


@pytest.mark.parametrize(
    "pair",
    [
        ("annot_a", "annot_b"),
        ("annotator_1", "annotator_2"),
        ("rater_x", "rater_y"),
        ("labeler_ann", "labeler_bob"),
        ("worker_7", "worker_9"),
        ("judge_a", "judge_b"),
    ],
)
def test_annotator_columns_found_by_common_names(pair):
    from hybrid.evidence.roles import detect_roles

    roles = detect_roles(["text", "label", *pair, "ratings", "label_text"])
    assert roles.annotators == pair
    assert roles.label == "label"
