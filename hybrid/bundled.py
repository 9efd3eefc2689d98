"""Where the files the package ships with live: the guardrail policy, the example scenarios and the
sample datasets (``data/`` in the repository), and the default folder for saved scenarios.

Two layouts hold them. In a clone (and an editable install, ``pip install -e .``) they are the
repository's ``data/`` folder beside the ``hybrid`` package. A non-editable install
(``pip install .``) copies ``data/`` into the package as ``hybrid/data`` (pyproject.toml maps it
with ``package-dir``). The installed copy is looked for first, so an installed package never reads a
``data/`` folder that happens to sit beside site-packages.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
APP_NAME = "hybrid-data-planner"


def data_dir() -> Path:
    """The folder holding ``policy.yaml``, ``examples/`` and ``samples/``."""
    installed = PACKAGE_DIR / "data"
    if (installed / "policy.yaml").is_file():
        return installed
    return PACKAGE_DIR.parent / "data"


def checkout_root() -> Path | None:
    """The repository the package runs from (a clone or an editable install), else None."""
    root = PACKAGE_DIR.parent
    return (
        root if (root / "app.py").is_file() and (root / "data" / "policy.yaml").is_file() else None
    )


def default_store_dir() -> Path:
    """Where the SQLite scenario library goes when ``HYBRID_DATA_DIR`` is not set: ``var/`` in a
    clone (as documented in docs/store.md); for an installed package, the XDG data folder
    (``$XDG_DATA_HOME/hybrid-data-planner``, default ``~/.local/share/hybrid-data-planner``),
    never site-packages."""
    root = checkout_root()
    if root is not None:
        return root / "var"
    base = os.environ.get("XDG_DATA_HOME", "").strip() or Path.home() / ".local" / "share"
    return Path(base) / APP_NAME


POLICY_PATH = data_dir() / "policy.yaml"
EXAMPLES_DIR = data_dir() / "examples"
SAMPLES_DIR = data_dir() / "samples"
