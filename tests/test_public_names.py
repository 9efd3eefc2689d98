"""No module of the project uses another module's underscore names.

An underscore name is private to its module: once another module imports it, it is public in
everything but its name, and nothing warns whoever renames or changes it. So hybrid/, ui/, pages/
and app.py use only public names of each other: neither ``from x import _y`` nor ``x._y`` where
``x`` is a module of the project. Read from the source with ``ast`` (nothing is imported), so
imports inside functions count too. Dunder names (``__version__``) are public.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("hybrid", "ui")


def checked_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("hybrid", "ui", "pages"):
        files += sorted((ROOT / folder).rglob("*.py"))
    return files


def module_of(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str, root: Path) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def absolute(node: ast.ImportFrom, here: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = here.split(".") if is_package else here.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def crossings(path: Path, root: Path = ROOT) -> set[str]:
    """Every ``module.name`` of another project module's underscore name this file uses."""
    here = module_of(path, root)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: dict[str, str] = {}  # a local name bound to a project module, and that module
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PROJECT:
                    local = alias.asname or alias.name.split(".")[0]
                    modules[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom):
            source = absolute(node, here, path.name == "__init__.py")
            if source.split(".")[0] not in PROJECT:
                continue
            for alias in node.names:
                if is_module(f"{source}.{alias.name}", root):
                    modules[alias.asname or alias.name] = f"{source}.{alias.name}"
                elif private(alias.name) and source != here:
                    found.add(f"{source}.{alias.name}")
    for node in ast.walk(tree):  # m._x, and a.b._x with a.b reached through its package
        names: list[str] = []
        value: ast.AST = node
        while isinstance(value, ast.Attribute):
            names.insert(0, value.attr)
            value = value.value
        if not names or not isinstance(value, ast.Name) or value.id not in modules:
            continue
        owner = modules[value.id]
        for name in names:
            if is_module(f"{owner}.{name}", root):
                owner = f"{owner}.{name}"
                continue
            if private(name) and owner != here:
                found.add(f"{owner}.{name}")
            break
    return found


def all_crossings() -> set[tuple[str, str]]:
    return {
        (path.relative_to(ROOT).as_posix(), name)
        for path in checked_files()
        for name in crossings(path)
    }


def test_no_module_uses_another_modules_underscore_names():
    """No exceptions: the last ones (hybrid/evidence's readers, scan and roles, split out of
    profile.py) are public now."""
    unexpected = sorted(all_crossings())
    assert unexpected == [], "make these public (a name without the underscore) and use that"


def test_the_checker_sees_each_form(tmp_path):
    package = tmp_path / "hybrid"
    (package / "cli").mkdir(parents=True)
    for name in ("__init__.py", "cli/__init__.py", "cli/data.py", "cli/store.py"):
        (package / name).write_text("", encoding="utf-8")
    user = package / "cli" / "user.py"
    user.write_text(
        "import hybrid.cli.data\n"
        "from hybrid.cli import store\n"
        "from hybrid.cli.data import _columns, dump\n"
        "from . import data as d\n"
        "def _own():\n"
        "    from .data import _write_text\n"
        "    return store._open, d._dump, hybrid.cli.data._plain, hybrid.__version__, dump._x\n"
        "_own()\n",
        encoding="utf-8",
    )
    assert crossings(user, tmp_path) == {
        "hybrid.cli.data._columns",
        "hybrid.cli.data._write_text",
        "hybrid.cli.store._open",
        "hybrid.cli.data._dump",
        "hybrid.cli.data._plain",
    }
