"""Issue 20, item 7: things that were written twice, now written once; each test fails on the code
that had two copies."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

from hybrid import palette
from hybrid.model import scenario as schema
from hybrid.model.scenario import load_scenario
from hybrid.safetext import file_stem
from hybrid.share import urlstate
from hybrid.share.formats import slug
from hybrid.store.scenarios import ScenarioStore, safe_filename

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "examples" / "support-intent-fine-tuning.yaml"


def test_an_exported_scenario_has_the_permissions_of_every_other_file(tmp_path):
    """The store's own atomic writer left exported YAML owner-only (0600) where reports are 0644:
    it writes through hybrid.atomic now."""
    mask = os.umask(0o022)
    os.umask(mask)
    with ScenarioStore(f"sqlite:///{tmp_path / 'lib.db'}") as store:
        store.save("Plan A", load_scenario(EXAMPLE), author="lee")
        out = store.export("Plan A", tmp_path)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask


def test_one_scenario_gets_one_file_name():
    """store.safe_filename and share/formats.slug named one scenario's files differently."""
    for name in ("Support intent classifier", "Q3 plan: v2 (draft)", "../../etc", "ünïcode", ""):
        assert safe_filename(name) == slug(name) == file_stem(name)
    assert file_stem("../../etc") == "etc"


def test_the_link_checks_no_limit_of_its_own():
    """share/urlstate.py re-checked money and count limits the schema enforces, with its own
    copies of the constants."""
    assert urlstate.MAX_MONEY is schema.MAX_MONEY
    assert urlstate.MAX_EXAMPLES is schema.MAX_COUNT


def test_one_colour_per_plan():
    """PLAN_COLORS (reports) and PLAN_COLOURS (dashboard) were two dictionaries."""
    from hybrid.share.report import PLAN_COLORS
    from ui import theme

    assert PLAN_COLORS is palette.PLAN_COLORS
    assert theme.PLAN_COLORS is palette.PLAN_COLORS
    assert not hasattr(theme, "PLAN_COLOURS")


# Files still importing another module's underscore names, owned by other branches of issue 20/21/23
# (evidence's split, the work plan, the CLI's data commands, the dashboard charts).
ELSEWHERE = {
    "hybrid/evidence/learning.py",
    "hybrid/evidence/profile.py",
    "hybrid/evidence/scan.py",
    "hybrid/evidence/slices.py",
    "hybrid/evidence/statsfile.py",
    "hybrid/model/workplan.py",
    "hybrid/cli/workplan.py",
    "ui/whatif_charts.py",
}


def test_no_underscore_name_is_imported_across_modules():
    found = []
    for path in sorted(
        [*ROOT.glob("hybrid/**/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py")]
    ):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ELSEWHERE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{rel}: {node.module}.{alias.name}")
    assert not found, found
