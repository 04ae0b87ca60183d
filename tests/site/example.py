"""The example site: every fixture model graded by `owcheck batch` (on disk and through the
loopback Hub), then `owcheck site` over those reports, as CI builds it."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.hub.server import LoopbackHub, iter_repo_ids
from tests.support import FIXTURES, ROOT, run_owcheck


@dataclass(frozen=True)
class ExampleSite:
    """A built example site."""

    directory: Path
    """Where the site is."""
    reports: list[dict[str, Any]]
    """The reports it was built from."""
    inputs: list[Path]
    """The JSONL files those reports are in."""


LOCAL_REPOS = [*sorted((FIXTURES / "repos").iterdir()), ROOT / "examples" / "open-model"]


def fixture_reports(tmp: Path) -> list[Path]:
    """``owcheck batch`` over the fixture repos: on disk, and through the loopback Hub."""
    local_ids = tmp / "local-ids.txt"
    local_ids.write_text("".join(f"{p.relative_to(ROOT)}\n" for p in LOCAL_REPOS))
    local = tmp / "local.jsonl"
    done = run_owcheck("batch", str(local_ids), "-o", str(local))
    assert done.returncode == 0, done.stderr
    hub_out = tmp / "hub.jsonl"
    hub_ids = tmp / "hub-ids.txt"
    hub_ids.write_text("".join(f"{i}\n" for i in iter_repo_ids("models")))
    with LoopbackHub().start() as hub:
        done = subprocess.run(
            [sys.executable, "-m", "openweights", "batch", str(hub_ids), "-o", str(hub_out),
             "--errors", str(tmp / "hub-errors.jsonl")],
            cwd=ROOT, env=hub.env(tmp / "cache"), capture_output=True, text=True, timeout=300,
        )
    assert done.returncode in (0, 2), done.stderr  # a private fixture repo is refused (2)
    return [local, hub_out]


def build_example(tmp: Path) -> ExampleSite:
    """Grade the fixture models into ``tmp`` and build their site in ``tmp/site``."""
    inputs = fixture_reports(tmp)
    out = tmp / "site"
    done = run_owcheck("site", *map(str, inputs), "-o", str(out), "--title", "Fixture models")
    assert done.returncode == 0, done.stderr
    items = [json.loads(line) for path in inputs for line in path.read_text().splitlines()]
    return ExampleSite(out, items, inputs)
