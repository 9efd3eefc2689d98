"""The navigation lists every page, and every listed page exists (no page appears or disappears
with its file)."""

from pathlib import Path

from ui import nav

ROOT = Path(__file__).resolve().parent.parent


def test_every_page_file_is_in_the_navigation_and_every_entry_has_a_file():
    listed = [p.path for p in nav.PAGES]
    assert sorted(listed) == sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
    assert len(set(listed)) == len(listed)
    assert len({p.url_path for p in nav.PAGES}) == len(nav.PAGES)
