"""The import graph of the project's own code: no cycles, no Streamlit in ``hybrid``, and every
``hybrid`` subpackage importing only the layers its ``__init__`` docstring allows.

The graph is read from the source with ``ast``, so it holds every import, including the ones inside
functions and behind ``TYPE_CHECKING``: a cycle hidden in a function-level import is still a cycle
(the plan search once called the rationale, which called the sensitivity analysis, which called the
plan search). Nothing is imported, so the test is fast and cannot be fooled by import order.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("hybrid", "ui")

# Which hybrid subpackages each may import (besides itself and the shared root modules
# hybrid.errors, hybrid.palette and hybrid's own __init__). Mirrors each package's docstring.
ALLOWED = {
    "model": set(),
    "evidence": {"model"},
    "explain": {"model"},
    "whatif": {"model", "explain"},
    "store": {"model"},
    "share": {"model", "evidence", "explain", "whatif"},
    "cli": {"model", "evidence", "explain", "whatif", "store", "share"},
}
# Foundations every layer may use: errors, the palette, the safe loading, writing and text helpers,
# and the money formatter.
ROOT_MODULES = {
    "hybrid",
    "hybrid.errors",
    "hybrid.palette",
    "hybrid.safeload",
    "hybrid.atomic",
    "hybrid.safetext",
    "hybrid.money",
    "hybrid.bundled",
    "hybrid.vocabulary",
}
ENTRY_POINT = "hybrid.__main__"  # python -m hybrid: may import the command line


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    files = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            files[module_name(path)] = path
    for path in sorted((ROOT / "pages").glob("*.py")):
        files["pages." + path.stem] = path
    files["app"] = ROOT / "app.py"
    return files


def imported_names(path: Path, name: str, is_package: bool) -> set[str]:
    """Every module name an import statement in ``path`` mentions, at any depth in the file."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            out.add(target)
            out.update(f"{target}.{alias.name}" for alias in node.names)
    return out


def graph() -> dict[str, set[str]]:
    files = source_files()
    edges: dict[str, set[str]] = {}
    for name, path in files.items():
        deps = set()
        for target in imported_names(path, name, path.name == "__init__.py"):
            # "from ui import state" names a module; "from ui.state import NAV" names an attribute.
            while target and target not in files:
                target = target.rpartition(".")[0]
            if target and target != name:
                deps.add(target)
        edges[name] = deps
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, 1972)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_hybrid_never_imports_streamlit_or_the_dashboard():
    bad = []
    for name, path in source_files().items():
        if name.split(".")[0] != "hybrid":
            continue
        for target in imported_names(path, name, path.name == "__init__.py"):
            if target.split(".")[0] in ("streamlit", "ui", "pages", "app"):
                bad.append(f"{name} imports {target}")
    assert bad == []


def test_ui_never_imports_pages():
    edges = graph()
    assert [
        (a, b)
        for a, deps in edges.items()
        if a.startswith("ui")
        for b in deps
        if b.startswith(("pages", "app"))
    ] == []


def test_hybrid_layers_import_only_downward():
    bad = []
    for name, deps in graph().items():
        if not name.startswith("hybrid.") or name == ENTRY_POINT:
            continue
        own = None if name in ROOT_MODULES else name.split(".")[1]
        allowed = ALLOWED.get(own, set())
        for dep in deps:
            if dep in ROOT_MODULES or not dep.startswith("hybrid."):
                continue
            layer = dep.split(".")[1]
            if layer != own and layer not in allowed:
                bad.append(f"{name} imports {dep}")
    assert sorted(bad) == []


def test_every_hybrid_package_is_in_the_layer_table():
    packages = {p.parent.name for p in (ROOT / "hybrid").glob("*/__init__.py")}
    assert packages == set(ALLOWED)
