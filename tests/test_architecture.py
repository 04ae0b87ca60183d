"""The import structure ``docs/architecture.md`` describes, checked from the code's own imports.

Every import counts, including those inside functions and under ``TYPE_CHECKING``: a lazy
import still ties two modules together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGE = ROOT / "openweights"


def _modules() -> dict[str, Path]:
    """``openweights.x.y`` -> file, for every module of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> Iterator[str]:
    """Every ``openweights`` module ``path`` imports (``from openweights import x`` names x)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("openweights"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("openweights"):
                continue
            yield node.module
            for alias in node.names:
                if f"{node.module}.{alias.name}" in MODULES:
                    yield f"{node.module}.{alias.name}"


def _unit(module: str) -> str:
    """The folder or top-level module a module belongs to (``openweights.cli.app`` -> cli)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "openweights"


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every node that can reach itself, with one path back to it."""
    found = []
    for start in sorted(edges):
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(edges.get(node, ())):
                if nxt == start:
                    found.append([*path, start])
                    stack.clear()
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    return found


def _unit_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        here = _unit(module)
        for target in _imports(path):
            there = _unit(target)
            if there not in (here, "openweights"):
                edges.setdefault(here, set()).add(there)
    return edges


def test_no_import_circle_between_folders_and_top_level_modules() -> None:
    assert _cycles(_unit_edges()) == []


def test_no_import_circle_inside_the_command_line() -> None:
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        if _unit(module) == "cli":
            edges[module] = {t for t in _imports(path) if _unit(t) == "cli" and t != module}
    edges.pop("openweights.cli", None)  # the package face re-exports the entry point
    assert _cycles(edges) == []


def test_the_library_never_imports_the_command_line() -> None:
    offenders = sorted(
        f"{module} imports {target}"
        for module, path in MODULES.items()
        if _unit(module) not in ("cli", "__main__")
        for target in _imports(path)
        if _unit(target) == "cli"
    )
    assert offenders == []


@pytest.mark.parametrize(
    "forbidden",
    ["sources", "schema_check", "resources", "config", "check", "session", "formats", "grade"],
)
def test_rules_read_only_the_evidence(forbidden: str) -> None:
    offenders = [
        f"{module} imports {target}"
        for module, path in MODULES.items()
        if _unit(module) == "rules"
        for target in _imports(path)
        if _unit(target) == forbidden
    ]
    assert offenders == []


def test_rules_do_not_load_the_catalogue_or_identify_texts() -> None:
    offenders = [
        f"{module} imports {target}"
        for module, path in MODULES.items()
        if _unit(module) == "rules"
        for target in _imports(path)
        if target in ("openweights.licensing.catalogue", "openweights.licensing.identify")
    ]
    assert offenders == []


CHOICE_SETS = {
    "grade letters": {"A", "B", "C", "D", "F"},
    "tiers": {"fully-open", "open-source-ai", "open-weights", "restricted-weights", "not-open"},
    "severities": {"error", "warning", "info"},
    "formats": {"text", "json", "jsonl", "sarif", "markdown", "github"},
    "colour modes": {"auto", "always", "never"},
    "verdicts": {"open", "restricted", "not-open", "unknown"},
    "cells": {"granted", "limited", "denied", "absent", "unknown"},
    "freedoms": {"use", "study", "modify", "share"},
}
DEFINED_IN = {
    "verdicts": "openweights.licensing.grader",
    "cells": "openweights.licensing.features",
    "freedoms": "openweights.licensing.features",
}
"""Where a set is defined when not in ``openweights.choices`` (the license vocabulary)."""


def test_choices_are_listed_only_where_they_are_defined() -> None:
    """No tuple, list, set or string elsewhere spells out a whole set of choices."""
    offenders = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            values: set[str] | None = None
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
            ):
                values = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            elif isinstance(node, ast.Constant) and node.value == "ABCDF":
                values = CHOICE_SETS["grade letters"]
            for name, choice in CHOICE_SETS.items():
                home = DEFINED_IN.get(name, "openweights.choices")
                if values is not None and choice <= values and module != home:
                    offenders.append(f"{module}:{node.lineno}: {name}")
    assert offenders == []


def _compiled_at_import(tree: ast.Module) -> Iterator[ast.Call]:
    """``re.compile`` calls that run when the module is imported: in module-level statements
    and class bodies, not inside functions (default argument values do run at import)."""
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            todo += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
            if not isinstance(node, ast.Lambda):
                todo += node.decorator_list
            continue
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "re.compile":
            yield node
        todo += list(ast.iter_child_nodes(node))


def test_no_regular_expression_is_compiled_at_import() -> None:
    """Patterns are declared with ``openweights.patterns.lazy``: importing a module compiles
    none, so a run compiles only the patterns its card needs."""
    found = [
        f"{path.relative_to(ROOT)}:{call.lineno}"
        for path in MODULES.values()
        for call in _compiled_at_import(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == []


def test_the_import_check_sees_compiles_at_import() -> None:
    source = (
        "import re\nA = re.compile('a')\nB = (1, re.compile('b'))\n"
        "class C:\n    D = re.compile('d')\n"
        "def f(x=re.compile('e')):\n    return re.compile('not at import')\n"
    )
    found = [ast.unparse(c.args[0]) for c in _compiled_at_import(ast.parse(source))]
    assert sorted(found) == ["'a'", "'b'", "'d'", "'e'"]
