"""Make the small sample datasets in this folder, reproducibly (fixed seed).

``support_tickets.csv``: 2,000 customer-support tickets with an intent label in a long tail
(12 classes), two independent annotator columns, a ``source`` column (human or synthetic) and a
``channel`` slice. The synthetic rows imitate what a generator does: they come from a few
templates, use a narrower vocabulary, carry some label noise, under-represent the rare intents
and write them like the common ones (generation clusters at the centre); so the evidence commands
measure an exchange rate below one and a low tail coverage.

``support_tickets.stats.yaml``: the profiler's statistics file for the CSV.

``digits_pilot.csv``: a pilot file on real data a package ships (scikit-learn's handwritten
digits, 8x8 pixels): 400 human rows plus 1,200 rows generated near each class's centre (the class
mean of the pilot's human rows plus a little pixel noise), 20% of them labelled one class up, the
same way every time. 120 of the human rows were set aside before generating and are marked
``holdout``: the generator never saw them, so the evidence scores on them (docs/model.md,
"Held-out rows"). Generated rows like these cluster at the centre and repeat their errors, so
the augmentation curve levels off and then falls: the plan must stop buying them where they stop
paying. ``digits_pilot.yaml`` is the scenario to fill with ``evidence --scenario``.

Run: ``python data/samples/make_samples.py`` with the package installed (``pip install -e .``;
``bash scripts/run`` does it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20240601
ROWS = 2000
SYNTHETIC_SHARE = 0.3

INTENTS = {
    "billing": "invoice charge charged payment card bill amount overcharged receipt vat price",
    "login": "password login sign locked reset code authenticator session email access",
    "shipping": "delivery package courier tracking parcel arrived late address shipped box",
    "refund": "refund money back return returned credit reimburse order damaged item",
    "cancel_subscription": "cancel subscription plan renewal stop membership auto renew monthly",
    "bug_report": "crash error bug broken freezes button screen update loading fails",
    "feature_request": "feature suggest wish add option dark mode export integration support",
    "account_deletion": "delete account remove erase close profile permanently data forget",
    "data_export": "export download csv archive copy portability records history backup",
    "security_incident": "hacked suspicious breach phishing unauthorized stolen fraud alert",
    "accessibility": "screen reader contrast font size keyboard blind captions zoom",
    "legal_request": "subpoena lawyer court gdpr request legal notice compliance police",
}
FILLER = (
    "hi hello please help me my the a i we our team since yesterday today again urgent thanks "
    "thank you can could would you this it is was not why how when app website order account"
).split()
TEMPLATES = (
    "Hello, I have an issue with {a} and {b}. Please help.",
    "I need help regarding my {a}. The {b} is not working.",
    "Could you assist me with {a}? It concerns {b}.",
    "Hi support team, my question is about {a} and {b}.",
)
CHANNELS = ("email", "chat", "phone", "social")


def _zipf(n: int, s: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def _human_text(rng: np.random.Generator, words: list[str]) -> str:
    k = int(rng.integers(3, 6))
    picked = list(rng.choice(words, size=k, replace=True))
    filler = list(rng.choice(FILLER, size=int(rng.integers(4, 9))))
    tokens = picked + filler
    rng.shuffle(tokens)
    text = " ".join(tokens)
    return text[0].upper() + text[1:] + rng.choice([".", "!", "?", ""])


def _synthetic_text(rng: np.random.Generator, words: list[str], head: list[str], rare: bool) -> str:
    if rare and rng.random() < 0.6:
        a, b = rng.choice(head, size=2, replace=False)
    else:
        a, b = rng.choice(words[:5], size=2, replace=False)
    return str(rng.choice(TEMPLATES)).format(a=a, b=b)


def make_tickets(rows: int = ROWS, seed: int = SEED) -> pd.DataFrame:
    """The support-ticket sample as a DataFrame (see the module docstring)."""
    rng = np.random.default_rng(seed)
    names = list(INTENTS)
    vocab = {k: v.split() for k, v in INTENTS.items()}
    human_p = _zipf(len(names), 1.3)
    synth_p = _zipf(len(names), 2.2)
    is_syn = rng.random(rows) < SYNTHETIC_SHARE
    out = []
    for syn in is_syn:
        y = int(rng.choice(len(names), p=synth_p if syn else human_p))
        true = names[y]
        if syn:
            head = vocab[names[int(rng.integers(0, 3))]]
            text = _synthetic_text(rng, vocab[true], head, rare=y >= 4)
            label = true if rng.random() > 0.08 else names[int(rng.choice(len(names), p=synth_p))]
        else:
            text = _human_text(rng, vocab[true])
            label = true

        def annotate(acc: float) -> str:
            if rng.random() < acc:
                return label
            return names[int(rng.choice(len(names), p=human_p))]

        out.append(
            {
                "text": text,
                "label": label,
                "annotator_1": annotate(0.9),
                "annotator_2": annotate(0.85),
                "source": "synthetic" if syn else "human",
                "channel": str(rng.choice(CHANNELS, p=[0.4, 0.35, 0.15, 0.1])),
            }
        )
    frame = pd.DataFrame(out)
    dup = rng.choice(rows, size=rows // 50, replace=False)
    frame.iloc[dup[: len(dup) // 2]] = frame.iloc[dup[len(dup) // 2 :]].to_numpy()
    return frame


def make_digits_pilot(seed: int = SEED) -> pd.DataFrame:
    """The digits pilot (see the module docstring): real human rows, centroid-generated rows."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(seed)
    human = rng.permutation(len(y))[:400]
    cols = [f"px{i}" for i in range(X.shape[1])]
    hx, hy = X[human], y[human]
    held = np.zeros(len(human), dtype=bool)
    held[:120] = True
    means = {c: hx[~held & (hy == c)].mean(axis=0) for c in range(10)}
    cls = rng.integers(0, 10, 1200)
    gen = np.clip(
        np.rint(np.array([means[c] + rng.normal(0.0, 1.0, X.shape[1]) for c in cls])), 0, 16
    )
    labels = np.where(rng.random(1200) < 0.2, (cls + 1) % 10, cls)
    h = pd.DataFrame(hx.astype(int), columns=cols).assign(
        label=hy, source=np.where(held, "holdout", "human")
    )
    g = pd.DataFrame(gen.astype(int), columns=cols).assign(label=labels, source="synthetic")
    return pd.concat([h, g], ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    from hybrid.evidence.profile import profile_file
    from hybrid.evidence.statsfile import write_stats

    frame = make_tickets()
    csv_path = HERE / "support_tickets.csv"
    frame.to_csv(csv_path, index=False)
    write_stats(
        profile_file(csv_path, name="support_tickets.csv"), HERE / "support_tickets.stats.yaml"
    )
    print(f"wrote {csv_path.name} ({len(frame)} rows) and support_tickets.stats.yaml")
    pilot = make_digits_pilot()
    pilot.to_csv(HERE / "digits_pilot.csv", index=False)
    print(f"wrote digits_pilot.csv ({len(pilot)} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
