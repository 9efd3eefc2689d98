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


def test_file_numbers_follow_the_navigation_order():
    """A page's file number is its place in the navigation, so a listing of pages/ reads in the
    order a person walks through them (7 is kept for the Rounds page)."""
    numbers = [int(Path(p.path).name.split("_", 1)[0]) for p in nav.PAGES]
    assert numbers == sorted(numbers), numbers
    assert len(set(numbers)) == len(numbers)


def test_no_private_streamlit_attribute_is_read_or_written():
    """Navigation and cancelling use Streamlit's public API only: no import from
    streamlit.runtime (PagesManager, the script-run context) and no underscore attribute of a
    Streamlit object in the dashboard's code."""
    import re

    sources = [ROOT / "app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]
    problems = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for pattern in (r"streamlit\.runtime", r"PagesManager", r"script_requests", r"\bst\._"):
            if re.search(pattern, text):
                problems.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not problems, problems


def test_every_page_path_named_in_the_code_exists():
    """A page link or switch names a file that exists (a renumbered page left a Rounds link to
    ``pages/11_workplan.py`` that only failed when clicked in a browser)."""
    import re

    root = Path(__file__).resolve().parent.parent
    named = {}
    for path in [root / "app.py", *root.glob("pages/*.py"), *root.glob("ui/*.py")]:
        for m in re.finditer(r"pages/\d+_\w+\.py", path.read_text(encoding="utf-8")):
            named.setdefault(m.group(0), path.name)
    missing = {p: where for p, where in named.items() if not (root / p).is_file()}
    assert named and not missing
