"""pyproject.toml lists hybrid's packages by name (find cannot map data/ to ``hybrid.data``): every
subpackage must be listed, or ``pip install .`` would leave it out. And both layouts find the
bundled files: the clone's data/ here, an installed copy's ``hybrid/data`` first when present."""

from __future__ import annotations

import importlib
import tomllib
import warnings
from pathlib import Path

import pytest
from packaging.version import Version

import hybrid
from hybrid import bundled

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_of_hybrid_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "hybrid").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert config["tool"]["setuptools"]["package-dir"] == {"hybrid.data": "data"}


def test_the_clone_reads_its_data_folder():
    assert bundled.data_dir() == ROOT / "data"
    assert bundled.POLICY_PATH.is_file()
    assert sorted(bundled.EXAMPLES_DIR.glob("*.yaml"))
    assert bundled.default_store_dir() == ROOT / "var"


def test_an_installed_copy_prefers_the_data_inside_the_package(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "hybrid"
    (package / "data").mkdir(parents=True)
    (package / "data" / "policy.yaml").write_text("x", encoding="utf-8")
    (tmp_path / "site-packages" / "data").mkdir()  # someone else's data/ beside site-packages
    monkeypatch.setattr(bundled, "PACKAGE_DIR", package)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert bundled.data_dir() == package / "data"
    assert bundled.checkout_root() is None
    assert bundled.default_store_dir() == tmp_path / "xdg" / "hybrid-data-planner"


def test_the_package_version_is_read_from_hybrid_version():
    """One version: pyproject.toml sets none of its own but reads ``hybrid.__version__``, the value
    the reports' footers and the statistics files print."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in config["project"], "the version is written in hybrid/__init__.py only"
    assert "version" in config["project"]["dynamic"]
    attr = config["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    module, _, name = attr.rpartition(".")
    assert getattr(importlib.import_module(module), name) == hybrid.__version__
    assert Version(hybrid.__version__) > Version("0.1.0")


def test_setuptools_builds_the_version_hybrid_reports():
    pyprojecttoml = pytest.importorskip("setuptools.config.pyprojecttoml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # setuptools calls [tool.setuptools] "beta"
        config = pyprojecttoml.read_configuration(ROOT / "pyproject.toml", expand=True)
    assert config["project"]["version"] == hybrid.__version__
