"""Benchmarks bring their own fixtures: nothing under benchmarks/ imports tests/.

The tests may import benchmark helpers (tests/media.py takes its stimulus sets
from benchmarks/stimulus_fixtures.py); the other way round, a benchmark would
break whenever a test helper changes.
"""

import ast
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_benchmark_imports_from_tests():
    sources = sorted(BENCHMARKS.rglob("*.py"))
    assert sources
    offenders = {str(path.relative_to(BENCHMARKS)): sorted(found)
                 for path in sources
                 if (found := {n for n in _imported(path) if n.split(".")[0] == "tests"})}
    assert offenders == {}
