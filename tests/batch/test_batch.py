"""`owcheck batch`: many models, JSONL in input order, errors apart, resumable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openweights.batch import read_targets
from tests.support import FIXTURES, run_owcheck, validate_report

REPOS = FIXTURES / "repos"


def test_read_targets_skips_comments_blanks_and_duplicates() -> None:
    lines = ["# models", "acme/a", "", "acme/b  # second", "acme/a"]
    assert read_targets(lines) == ["acme/a", "acme/b"]


def test_batch_over_the_hub_and_local_paths(loopback_hub: Any, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join([
        "acme/plain-7b", "launder/llama-style-lora", "acme/does-not-exist",
        str(REPOS / "tier-f"), "openlab/fully-open-1b",
    ]) + "\n")
    out, errors = tmp_path / "reports.jsonl", tmp_path / "errors.jsonl"
    env = loopback_hub.env(tmp_path)
    done = run_owcheck("batch", str(ids), "-o", str(out), "--errors", str(errors), "-j", "3",
                       env=env)
    assert done.returncode == 2, done.stderr  # one id does not exist
    reports = [json.loads(line) for line in out.read_text().splitlines()]
    for report in reports:
        validate_report(report)
    assert [r["subject"]["id"] for r in reports] == [
        "acme/plain-7b", "launder/llama-style-lora", str(REPOS / "tier-f"),
        "openlab/fully-open-1b"]
    assert [r["grade"] for r in reports] == ["C", "D", "F", "A"]
    failed = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [(e["target"], e["exit_code"]) for e in failed] == [("acme/does-not-exist", 2)]
    assert "5 lines: 4 graded, 1 refused, 0 failed, 0 duplicate, 0 skipped" in done.stderr

    # Resume: nothing is written twice; a new id is graded and appended.
    with ids.open("a") as handle:
        handle.write("acme/three-data\n")
    loopback_hub.reset_log()
    again = run_owcheck("batch", str(ids), "-o", str(out), "--errors", str(errors), "--resume",
                        env=env)
    assert again.returncode == 0, again.stderr
    assert "6 lines: 1 graded, 0 refused, 0 failed, 0 duplicate, 5 skipped" in again.stderr
    assert [json.loads(line)["subject"]["id"] for line in out.read_text().splitlines()][-1] == (
        "acme/three-data")
    # A model reported before costs one info request (is its sha the same?), no file: its
    # files are in the cache by commit, and its unchanged report is not written again.
    assert [r.path for r in loopback_hub.requests if "plain-7b" in r.path] == [
        "/api/models/acme/plain-7b"]


def test_batch_gate_and_stdout(tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{REPOS / 'tier-a'}\n{REPOS / 'tier-d'}\n")
    done = run_owcheck("batch", str(ids), "--fail-under", "C")
    assert done.returncode == 1
    grades = [json.loads(line)["grade"] for line in done.stdout.splitlines()]
    assert grades == ["A", "D"]
    assert run_owcheck("batch", str(tmp_path / "missing.txt")).returncode == 2
    assert run_owcheck("batch", str(ids), "--resume").returncode == 2
