"""The shape of hero_core, read from the source (no module is imported):

1. the module-level imports of hero_core form no cycle;
2. the rules modules (what the compact decides, not how it stores) reach no database, session, service or UI;
3. hero_core imports no Streamlit anywhere: the UI lives in hero_app.

An import inside a function runs when the function is called, so it does not take part in a cycle; it still
counts for rules 2 and 3, which are about what a module depends on at all.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "hero_core"

#: The pure rules. impact.py joins once it passes: its `__getattr__` still hands out the names that moved to
#: services/impact_reads by importing that service on demand.
RULES_MODULES = [
    "hero_core.impact",
    "hero_core.workflow",
    "hero_core.permissions",
    "hero_core.risk",
    "hero_core.sla",
    "hero_core.vocab",
    "hero_core.errors",
    "hero_core.lifecycle",
]

#: What a rules module may not reach: a prefix matches the module and everything under it.
FORBIDDEN_FOR_RULES = [
    "sqlalchemy",
    "hero_core.db",
    "hero_core.models",
    "hero_core.services",
    "streamlit",
]


@dataclass(frozen=True)
class Import:
    target: str  # the module imported, resolved to the most specific module of hero_core that exists
    line: int
    module_level: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def hero_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


MODULES = hero_modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(name: str) -> str:
    """`hero_core.a.b.c` -> the longest prefix that is a module of hero_core (names inside it are dropped)."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in MODULES:
            return candidate
    return name


def _imports_of(node: ast.AST, module: str, is_package: bool, module_level: bool) -> list[Import]:
    found: list[Import] = []
    if isinstance(node, ast.Import):
        found.extend(Import(_resolve(alias.name), node.lineno, module_level) for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        for alias in node.names:
            # `from hero_core import x` imports the module hero_core.x when there is one, else a name of hero_core.
            full = f"{origin}.{alias.name}"
            found.append(Import(_resolve(full) if full in MODULES else _resolve(origin), node.lineno, module_level))
    return found


def imports(module: str) -> list[Import]:
    """Every import statement of a module of hero_core, marked module-level or not (TYPE_CHECKING blocks skipped)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def walk(statements: list[ast.stmt], module_level: bool) -> None:
        for stmt in statements:
            found.extend(_imports_of(stmt, module, is_package, module_level))
            if isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
                walk(stmt.orelse, module_level)
                continue
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                walk(stmt.body, False)
                continue
            # Class bodies, if/else, try/except/finally, with and loops run at import time when they sit at
            # module level.
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(stmt, field, []) or []:
                    if isinstance(child, ast.ExceptHandler):
                        walk(child.body, module_level)
                    elif isinstance(child, ast.stmt):
                        walk([child], module_level)
            if isinstance(stmt, ast.Match):
                for case in stmt.cases:
                    walk(case.body, module_level)

    walk(tree.body, True)
    return found


IMPORTS = {m: imports(m) for m in MODULES}


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of hero_core it imports at module level."""
    return {
        m: {i.target for i in found if i.module_level and i.target in MODULES and i.target != m}
        for m, found in IMPORTS.items()
    }


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a -> b -> ... -> a) for each strongly connected component with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0

    def strongconnect(v: str) -> None:  # Tarjan; hero_core is small enough for recursion
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)

    cycles = []
    for component in components:
        start = min(component)
        # Shortest way back to start inside the component (breadth first), so the message is short.
        previous: dict[str, str] = {}
        frontier = [start]
        seen = {start}
        end = None
        while frontier and end is None:
            following = []
            for v in frontier:
                for w in sorted(graph[v] & component):
                    if w == start:
                        end = v
                        break
                    if w not in seen:
                        seen.add(w)
                        previous[w] = v
                        following.append(w)
                if end is not None:
                    break
            frontier = following
        path = [end]
        while path[-1] != start:
            path.append(previous[path[-1]])
        cycles.append([*reversed(path), start])
    return cycles


def where(source: str, target: str) -> str:
    lines = sorted({i.line for i in IMPORTS[source] if i.target == target and i.module_level})
    return f"{MODULES[source].relative_to(ROOT)}:{','.join(map(str, lines))}"


def test_the_graph_is_read():
    graph = import_graph()
    assert len(graph) > 30
    # A few edges that must be found, of each kind of import statement.
    assert "hero_core.cli.base" in graph["hero_core.cli.ideas"]  # from hero_core.cli.base import ...
    assert "hero_core.cli.base" in graph["hero_core.cli"]  # from hero_core.cli import <module>
    assert "hero_core.errors" in graph["hero_core.cli.base"]


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]


def test_relative_imports_are_resolved():
    resolved = _imports_of(ast.parse("from . import base\nfrom ..errors import HeroError").body[0], "hero_core.cli",
                           True, True)
    assert [i.target for i in resolved] == ["hero_core.cli.base"]
    resolved = _imports_of(ast.parse("from ..errors import HeroError").body[0], "hero_core.cli.ideas", False, True)
    assert [i.target for i in resolved] == ["hero_core.errors"]


def test_hero_core_has_no_import_cycle():
    cycles = find_cycles(import_graph())
    described = [
        " -> ".join(cycle) + "\n    " + "\n    ".join(where(a, b) for a, b in itertools.pairwise(cycle))
        for cycle in cycles
    ]
    assert not cycles, "import cycles at module level (the lines that import):\n" + "\n".join(described)


def _reach(module: str) -> dict[str, list[str]]:
    """Every module a module reaches through imports at any level, with one path to it."""
    paths = {module: [module]}
    todo = [module]
    while todo:
        m = todo.pop()
        for i in IMPORTS.get(m, []):
            if i.target not in paths:
                paths[i.target] = [*paths[m], i.target]
                if i.target in MODULES:
                    todo.append(i.target)
    return paths


def _forbidden(name: str, prefixes: list[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("module", RULES_MODULES)
def test_rules_modules_reach_no_database_service_or_ui(module):
    assert module in MODULES, f"{module} is not a module of hero_core"
    bad = {t: path for t, path in _reach(module).items() if _forbidden(t, FORBIDDEN_FOR_RULES)}
    assert not bad, f"{module} reaches " + "; ".join(" -> ".join(p) for p in bad.values())


def test_hero_core_imports_no_streamlit():
    bad = [
        f"{MODULES[m].relative_to(ROOT)}:{i.line}"
        for m, found in IMPORTS.items()
        for i in found
        if _forbidden(i.target, ["streamlit"])
    ]
    assert not bad, "Streamlit belongs to hero_app, imported at " + ", ".join(bad)
