"""Issue 20, item 7: things that were written twice, now written once; each test fails on the code
that had two copies."""

from __future__ import annotations

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


# No underscore name imported across modules: tests/test_public_names.py (imports and attribute
# use, with the remaining hybrid/evidence crossings listed by name).
