"""The layout of ``generator/`` (docs/generator.md, "Layout"): imports run one way.

Every module under ``generator/`` is parsed with ``ast`` (nothing is imported),
and every ``import`` counts, the ones inside functions too: a lazy import hides
a cycle from the interpreter, not from the reader. The test fails on any cycle
between modules or between the subpackages, and on ``generator.models``
importing the stimulus sets or the command line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "generator"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.Module, name: str, is_package: bool) -> set[str]:
    """Every module name ``tree`` imports, relative imports resolved."""
    here = name if is_package else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return out


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """{module: the modules of ``root``'s package it imports}."""
    paths = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    return {name: {m for m in imported(ast.parse(path.read_text()), name,
                                       path.name == "__init__.py")
                   if m in paths and m != name}
            for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def part_of(module: str) -> str:
    """``generator.models.etad`` -> ``models``; a top-level module is its own part."""
    return module.split(".")[1] if "." in module else module


def part_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    parts: dict[str, set[str]] = {}
    for module, deps in graph.items():
        parts.setdefault(part_of(module), set()).update(
            part_of(d) for d in deps if part_of(d) != part_of(module))
    return parts


def test_cycle_finder_on_small_graphs():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}) == [["a", "b"], ["c", "d"]]


def test_import_graph_sees_lazy_relative_and_package_imports(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from pkg.sub import b\n")
    (pkg / "sub" / "b.py").write_text("from ..a import f\nfrom . import c\n")
    (pkg / "sub" / "c.py").write_text("import os\n")
    graph = import_graph(pkg)
    assert graph["pkg.a"] == {"pkg.sub", "pkg.sub.b"}
    assert graph["pkg.sub.b"] == {"pkg.a", "pkg.sub", "pkg.sub.c"}
    assert cycles(graph) == [["pkg.a", "pkg.sub.b"]]


def test_no_import_cycle_between_generator_modules():
    assert cycles(import_graph()) == []


def test_no_import_cycle_between_generator_parts():
    """rig, speech, render, models, sets, cli, common: each only imports the ones below it."""
    assert cycles(part_graph(import_graph())) == []


@pytest.mark.parametrize("forbidden", ["sets", "cli", "__main__"])
def test_models_do_not_import_the_sets_or_the_command_line(forbidden):
    graph = import_graph()
    offenders = sorted(m for m, deps in graph.items() if part_of(m) == "models"
                       for d in deps if part_of(d) == forbidden)
    assert offenders == []
