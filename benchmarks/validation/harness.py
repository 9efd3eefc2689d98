"""The harness: split real rows, write the pilot file and scenario, ask the CLI, train on plans.

One *case* is (dataset, generator, budget, unit costs). ``prepare_case`` splits the real rows into
a held-out test set, a pilot human set and a pool; fits the generator; draws the pilot's
synthetic rows. ``write_inputs`` writes the pilot CSV and the base scenario YAML. ``run_cli`` is
the one function that talks to ``python -m hybrid`` (evidence, then recommend). ``train_on_plan``
trains the evidence learner on what a plan buys, for real, and scores it on the test set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import generators as gens
from .datasets import RealData, load
from .learners import Features, make_model, stack

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 1000  # synthetic streams are drawn in seeded chunks so every prefix is the same rows


@dataclass
class Case:
    name: str
    dataset: str
    generator: str
    budget: float
    human_cost: float = 1.0
    synthetic_cost: float = 0.1
    review_cost: float = 0.3
    catch_rate: float = 0.9
    pilot_human: int = 300
    pilot_synthetic: int = 300
    test_rows: int = 400
    model: str | None = None  # --model for the evidence (None: the CLI's default for the data)
    gen_params: dict = field(default_factory=dict)
    split_seed: int = 0
    # synthetic shares of the same-spend grid, when coarser than the default (slow learners)
    grid_shares: list | None = None
    # share of the pilot's human rows set aside before the generator is fitted, marked
    # ``source: holdout`` in the pilot file: the rows the evidence scores on (0: the generator
    # sees every pilot row and the evidence cross-fits, the leak docs/model.md describes)
    holdout: float = 0.3


@dataclass
class Prepared:
    case: Case
    data: RealData
    features: Features
    test_idx: np.ndarray
    pilot_idx: np.ndarray
    pool_idx: np.ndarray
    gen: gens.Generator
    pilot_syn: gens.Stream
    held_idx: np.ndarray  # pilot human rows the generator never saw
    accuracy: float  # measured on the pilot's synthetic rows: what a team reviewing a sample sees
    population_accuracy: float  # on a large fresh draw
    notes: list[str] = field(default_factory=list)
    _streams: dict = field(default_factory=dict)
    _human_perm: dict = field(default_factory=dict)
    _syn_perm: dict = field(default_factory=dict)

    @property
    def classes(self) -> int:
        return len(self.data.classes)

    # -- the synthetic stream of a seed, in chunks -------------------------------------------
    def _chunk(self, seed: int, j: int):
        key = (seed, j)
        if key not in self._streams:
            rng = np.random.default_rng([self.case.split_seed, seed, 7, j])
            st = self.gen.stream(CHUNK, rng)
            self._streams[key] = (st, self.features.encode(st.X))
        return self._streams[key]

    def synthetic(self, seed: int, n: int, humans: np.ndarray):
        """The first ``n`` synthetic rows of the seed's stream (features, stream), capped for
        prelabel."""
        if n <= 0:
            return None, None
        if self.gen.finite:
            if seed not in self._syn_perm:
                rng = np.random.default_rng([self.case.split_seed, seed, 11])
                self._syn_perm[seed] = rng.permutation(self.pool_idx)
            perm = self._syn_perm[seed]
            order = perm[~np.isin(perm, humans)][:n]
            st = gens.Stream(
                self.data.X[order],
                self.gen.prelabel(order),
                np.asarray(self.data.y[order], dtype=object),
                np.random.default_rng([self.case.split_seed, seed, 13]).random(len(self.pool_idx))[
                    : len(order)
                ],
                order,
            )
            return self.features.rows(order), st
        chunks = [self._chunk(seed, j) for j in range((n + CHUNK - 1) // CHUNK)]
        st = gens.Stream(
            np.concatenate([c[0].X for c in chunks])[:n],
            np.concatenate([c[0].y_given for c in chunks])[:n],
            np.concatenate([c[0].y_true for c in chunks])[:n],
            np.concatenate([c[0].u for c in chunks])[:n],
        )
        return stack([c[1] for c in chunks])[:n], st

    def humans(self, seed: int, n: int) -> np.ndarray:
        if seed not in self._human_perm:
            rng = np.random.default_rng([self.case.split_seed, seed, 3])
            self._human_perm[seed] = rng.permutation(self.pool_idx)
        return self._human_perm[seed][:n]


def _stratified_take(idx: np.ndarray, y: np.ndarray, n: int, rng: np.random.Generator):
    from sklearn.model_selection import train_test_split

    take, rest = train_test_split(
        idx, train_size=n, stratify=y[idx], random_state=int(rng.integers(2**31))
    )
    return np.sort(take), rest


def prepare_case(case: Case) -> Prepared:
    data = load(case.dataset)
    rng = np.random.default_rng([case.split_seed, 1])
    all_idx = np.arange(len(data))
    test_idx, rest = _stratified_take(all_idx, data.y, case.test_rows, rng)
    pilot_idx, pool = _stratified_take(rest, data.y, case.pilot_human, rng)
    pool = rng.permutation(pool)
    features = Features(data)
    gen = gens.make(case.generator, **case.gen_params)
    held = np.array([], dtype=int)
    seen = pilot_idx
    if case.holdout > 0:
        held, seen = _stratified_take(
            pilot_idx,
            data.y,
            int(round(case.holdout * len(pilot_idx))),
            np.random.default_rng([case.split_seed, 23]),
        )
    aside = None
    if case.gen_params.get("aside_rows"):
        # real rows the first-pass model is trained on, kept out of the pilot, pool and test
        aside, pool = _stratified_take(pool, data.y, int(case.gen_params["aside_rows"]), rng)
        pool = rng.permutation(pool)
        gen.fit(data, seen, rng, unlabeled_idx=pool, aside_idx=aside)
    else:
        gen.fit(data, seen, rng, unlabeled_idx=pool)
    pilot_syn = gen.stream(case.pilot_synthetic, np.random.default_rng([case.split_seed, 5]))
    notes = []
    if gen.finite:
        pool = np.setdiff1d(pool, pilot_syn.pool_idx)  # their inputs are in the pilot now
        big = gen.prelabel(pool)
        population = float(np.mean(big == data.y[pool]))
    else:
        population = gen.stream(5000, np.random.default_rng([case.split_seed, 99])).accuracy
    if len(pilot_syn) < case.pilot_synthetic:
        notes.append(
            f"pilot asked for {case.pilot_synthetic} synthetic rows, the pool gave {len(pilot_syn)}"
        )
    return Prepared(
        case,
        data,
        features,
        test_idx,
        pilot_idx,
        pool,
        gen,
        pilot_syn,
        np.sort(held),
        pilot_syn.accuracy,
        population,
        notes,
    )


# ---------------------------------------------------------------------------------------------
# The files the CLI reads


def pilot_frame(p: Prepared) -> pd.DataFrame:
    d = p.data
    if d.kind == "text":
        h = pd.DataFrame({"text": d.X[p.pilot_idx]})
        s = pd.DataFrame({"text": p.pilot_syn.X})
    else:
        h = pd.DataFrame(d.X[p.pilot_idx], columns=d.features)
        s = pd.DataFrame(np.asarray(p.pilot_syn.X, dtype=float), columns=d.features)
    h["label"] = d.y[p.pilot_idx]
    h["source"] = np.where(np.isin(p.pilot_idx, p.held_idx), "holdout", "human")
    s["label"] = p.pilot_syn.y_given
    s["source"] = "synthetic"
    frame = pd.concat([h, s], ignore_index=True)
    order = np.random.default_rng([p.case.split_seed, 17]).permutation(len(frame))
    return frame.iloc[order].reset_index(drop=True)


@lru_cache(maxsize=1)
def economics_fields() -> frozenset[str]:
    """Fields the project's scenario schema accepts under ``economics`` (unknown keys are
    refused)."""
    from hybrid.model.scenario import Economics

    return frozenset(Economics.model_fields)


def base_scenario(p: Prepared) -> dict:
    c = p.case
    econ = {
        "budget": float(c.budget),
        "human_cost_per_example": float(c.human_cost),
        "synthetic_cost_per_example": float(c.synthetic_cost),
        "review_cost_per_example": float(c.review_cost),
        "synthetic_label_accuracy": round(float(p.accuracy), 4),
        "review_catch_rate": float(c.catch_rate),
        "target_metric": 0.999,  # unreachable: the best metric the budget buys
        "learning_curve": {
            "points": [[50, 0.7], [100, 0.8], [300, 0.9]]
        },  # replaced by the evidence
    }
    fields = economics_fields()
    if "generation" in fields:
        econ["generation"] = p.gen.generation
    if "objective" in fields:
        econ["objective"] = "best_for_budget"
    if "synthetic_available" in fields and p.gen.finite:
        econ["synthetic_available"] = int(len(p.pool_idx))  # the real inputs left to pre-label
    return {
        "name": f"{c.name} validation",
        # caps fully off (policy: pretraining, every risk factor 1, a mature task): the economics,
        # not the guardrails, decides the mix, which is what this benchmark checks
        "data_use": "pretraining",
        "factors": {
            "error_cost": 1,
            "domain_judgment": 1,
            "edge_cases": 1,
            "iteration_maturity": 5,
            "cultural_sensitivity": 1,
        },
        "dataset": {
            "human_examples": int(len(p.pilot_idx)),
            "synthetic_examples": int(len(p.pilot_syn)),
            "classes": int(p.classes),
        },
        "economics": econ,
    }


def write_inputs(p: Prepared, workdir: Path) -> tuple[Path, Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    pilot = workdir / "pilot.csv"
    pilot_frame(p).to_csv(pilot, index=False)
    base = workdir / "base.yaml"
    base.write_text(
        yaml.safe_dump(base_scenario(p), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return pilot, base


# ---------------------------------------------------------------------------------------------
# The CLI step


def python_exe() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _env() -> dict:
    env = dict(os.environ)
    env.update(
        OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0"
    )
    return env


def _run(args: list[str]) -> str:
    proc = subprocess.run(
        [python_exe(), "-m", "hybrid", *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"python -m hybrid {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}"
        )
    return proc.stdout


@lru_cache(maxsize=1)
def evidence_help() -> str:
    return _run(["evidence", "--help"])


def cli_has_scenario_evidence() -> bool:
    return "--scenario" in evidence_help()


def run_cli(p: Prepared, pilot: Path, base: Path, workdir: Path) -> tuple[dict, dict]:
    """Evidence on the pilot file into a scenario, then recommend. Returns (recommend JSON, info).

    With main's ``evidence --scenario BASE -o OUT`` the CLI writes OUT itself. Until then the
    stand-in builds OUT from ``learning-curve --json`` (the curve of the pilot's human rows) and
    ``evidence --json`` (the measured exchange rate and tail coverage).
    """
    out = workdir / "scenario.yaml"
    common = ["--label", "label", "--source", "source", "--quiet"]
    if p.data.kind == "text":
        common += ["--text", "text"]
    info: dict = {}
    if cli_has_scenario_evidence():
        args = ["evidence", str(pilot), *common, "--scenario", str(base), "-o", str(out)]
        if p.case.model and "--model" in evidence_help():
            args += ["--model", p.case.model]
        _run(args)
        info["cli"] = "evidence --scenario -o"
    else:
        lc = json.loads(_run(["learning-curve", str(pilot), *common, "--json"]))
        ev = json.loads(_run(["evidence", str(pilot), *common, "--json"]))
        scen = yaml.safe_load(base.read_text(encoding="utf-8"))
        scen["economics"]["learning_curve"] = {
            "points": [[float(n), float(m)] for n, m in lc["points"]]
        }
        ds = scen["dataset"]
        if ev.get("exchange_rate"):
            ds["synthetic_exchange_rate"] = float(min(10.0, max(1e-3, ev["exchange_rate"])))
            ds["synthetic_exchange_accuracy"] = scen["economics"]["synthetic_label_accuracy"]
        if ev.get("tail_coverage") is not None:
            ds["synthetic_tail_coverage"] = float(ev["tail_coverage"])
        ds["source"] = "validation stand-in: learning-curve + evidence on the pilot file"
        out.write_text(yaml.safe_dump(scen, sort_keys=False, allow_unicode=True), encoding="utf-8")
        info.update(
            cli="stand-in (learning-curve + evidence --json)",
            exchange_rate=ev.get("exchange_rate"),
            tail_coverage=ev.get("tail_coverage"),
            curve_points=lc["points"],
        )
    scen = yaml.safe_load(out.read_text(encoding="utf-8"))
    info["scenario"] = scen
    rec = json.loads(_run(["recommend", str(out), "--json"]))
    return rec, info


def model_metric(scenario_path: Path):
    """The project's own metric function for this scenario: f(new_examples, share, coverage), or
    None.

    Read-only use of hybrid's internals, for diagnostics (predicted value of each grid mix).
    """
    from hybrid.model.economics import resolve_inputs
    from hybrid.model.policy import load_policy
    from hybrid.model.scenario import load_scenario

    inp = resolve_inputs(load_scenario(scenario_path), load_policy())
    return lambda n, s, v: float(np.asarray(inp.metric(n, s, v)))


# ---------------------------------------------------------------------------------------------
# Training on a plan


def apply_review(
    st: gens.Stream, coverage: float, catch_rate: float
) -> tuple[np.ndarray, int, int]:
    """Labels after humans review the first ``round(coverage * n)`` rows of the (random-order)
    stream.

    Each wrong label in a reviewed row is caught, and replaced by the true label, when its row's
    uniform draw is below the catch rate. Returns (labels, reviewed rows, labels fixed).
    """
    y = st.y_given.copy()
    n_rev = int(round(coverage * len(st)))
    reviewed = np.zeros(len(st), dtype=bool)
    reviewed[:n_rev] = True
    fix = reviewed & (st.y_given != st.y_true) & (st.u < catch_rate)
    y[fix] = st.y_true[fix]
    return y, n_rev, int(fix.sum())


def train_on_plan(
    p: Prepared, human: int, synthetic: int, coverage: float, seed: int, keep_in_hand: bool = True
) -> dict:
    """Train on pilot rows + ``human`` new pool rows + ``synthetic`` new generated rows; score on
    test. ``keep_in_hand=False``: without the pilot's generated rows, as a plan that drops the
    generated rows already in the dataset trains (``rows_in_hand.dropped`` in the JSON)."""
    h_req, s_req = max(0, int(round(human))), max(0, int(round(synthetic)))
    h_idx = p.humans(seed, h_req)
    Xs, st = p.synthetic(seed, s_req, h_idx)
    parts, labels, wrong = [p.features.rows(p.pilot_idx)], [p.data.y[p.pilot_idx]], 0
    if keep_in_hand:
        parts.append(p.features.encode(p.pilot_syn.X))
        labels.append(p.pilot_syn.y_given)
        wrong = int(np.sum(p.pilot_syn.y_given != p.pilot_syn.y_true))
    parts.append(p.features.rows(h_idx))
    labels.append(p.data.y[h_idx])
    reviewed = fixed = 0
    s_used = 0
    if st is not None and len(st):
        y_s, reviewed, fixed = apply_review(st, coverage, p.case.catch_rate)
        parts.append(Xs)
        labels.append(y_s)
        wrong += int(np.sum(y_s != st.y_true))
        s_used = len(st)
    X = stack(parts)
    y = np.concatenate([np.asarray(v, dtype=object) for v in labels]).astype(str)
    model = make_model(p.data.kind, p.case.model)
    model.fit(X, y)
    pred = model.predict(p.features.rows(p.test_idx))
    acc = float(np.mean(pred == p.data.y[p.test_idx].astype(str)))
    return {
        "accuracy": acc,
        "human_requested": h_req,
        "synthetic_requested": s_req,
        "human_used": int(len(h_idx)),
        "synthetic_used": int(s_used),
        "reviewed": int(reviewed),
        "fixed": int(fixed),
        "wrong_labels_in_training": wrong,
        "train_rows": int(len(y)),
    }


def measure(
    p: Prepared, human: float, synthetic: float, coverage: float, seeds, keep_in_hand: bool = True
) -> dict:
    runs = [train_on_plan(p, human, synthetic, coverage, s, keep_in_hand) for s in seeds]
    accs = np.array([r["accuracy"] for r in runs])
    first = runs[0]
    return {
        "measured": float(accs.mean()),
        "sem": float(accs.std(ddof=1) / np.sqrt(len(accs))) if len(accs) > 1 else None,
        "per_seed": accs.tolist(),
        "human_used": first["human_used"],
        "synthetic_used": first["synthetic_used"],
        "human_requested": first["human_requested"],
        "synthetic_requested": first["synthetic_requested"],
        "capped": first["human_used"] < first["human_requested"]
        or first["synthetic_used"] < first["synthetic_requested"],
        "wrong_labels_in_training": float(np.mean([r["wrong_labels_in_training"] for r in runs])),
        "fixed": float(np.mean([r["fixed"] for r in runs])),
    }


# ---------------------------------------------------------------------------------------------
# Costs of grid mixes


def review_unit_cost(p: Prepared) -> tuple[float, str]:
    """Cash per reviewed synthetic row, by the formula the project's economics uses.

    Model v2 (hybrid/economics.py ``review_unit_cost``): every reviewed row is checked, the wrong
    ones found are fixed at a fresh human label (no fix cost is set in these scenarios). The flat
    formula (review cost per row) is the fallback when the project has no such method.
    """
    c = p.case
    from hybrid.model.economics import Inputs

    if hasattr(Inputs, "review_unit_cost"):
        found = (1.0 - p.accuracy) * c.catch_rate
        fix = max(c.human_cost, c.review_cost)
        return (
            1.0 - found
        ) * c.review_cost + found * fix, "v2: review + found errors fixed at a human label"
    return c.review_cost, "flat: review cost per reviewed row"


def grid_mix(p: Prepared, share: float, coverage: float) -> tuple[float, float]:
    """(human, synthetic) rows the whole budget buys at this mix."""
    c = p.case
    rev, _ = review_unit_cost(p)
    unit = (1 - share) * c.human_cost + share * (c.synthetic_cost + coverage * rev)
    n = c.budget / unit
    return (1 - share) * n, share * n
