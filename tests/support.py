"""Shared helpers for the tests: where the corpus is, and how to run owcheck as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

requires_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="../shared/corpus is not present (fresh clone)"
)


def corpus_cards() -> list[Path]:
    """Every real card in the corpus (empty when the corpus is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(
        p for d in ("cards", "wild") for p in (CORPUS / d).glob("*.md") if p.name != "SOURCES.md"
    )


def run_owcheck(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run the installed command line in a subprocess, as a user would.

    The forge lookups point at a closed port unless ``env`` says otherwise: no test reaches
    api.github.com or sends a real token.
    """
    from tests.forge.server import forge_env

    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("FORCE_COLOR", "HF_", "GITHUB_", "GITLAB_", "GH_"))}
    full_env.update(forge_env(None))
    full_env["NO_COLOR"] = "1"
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "openweights", *args],
        cwd=cwd or ROOT,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@cache
def report_validator() -> Any:
    """A jsonschema validator for schemas/report.schema.json."""
    import jsonschema

    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_report(data: dict[str, Any]) -> None:
    """Fail the test with every schema error in a JSON report."""
    errors = sorted(report_validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@cache
def load_script(path: Path) -> Any:
    """A script of the repository (``scripts/build_fingerprints.py``) imported as a module under
    its file name, once per test process."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # classes look their module up by name
    spec.loader.exec_module(module)
    return module
