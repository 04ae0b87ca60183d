"""What users of ruff, REUSE and check-jsonschema expect of a command line: -h, -V, -q/-v,
one-line usage errors, comma lists, choices in any case, --exit-zero; and targets that look
like paths never sent to the Hub."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import FIXTURES, ROOT, run_owcheck

REPOS = FIXTURES / "repos"
TIER_D = str(REPOS / "tier-d")


def _one_line_error(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert done.returncode == code, (done.stdout, done.stderr)
    err = done.stderr.strip()
    assert "\n" not in err and err.startswith("owcheck: error:"), err
    assert "Traceback" not in err and "Usage:" not in err
    return err


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["check", "-h"], ["licenses", "-h"],
                                  [TIER_D, "-h"]])
def test_short_and_long_help(args: list[str]) -> None:
    done = run_owcheck(*args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: owcheck")


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_flags(flag: str) -> None:
    from openweights import __version__

    done = run_owcheck(flag)
    assert (done.returncode, done.stdout) == (0, f"owcheck {__version__}\n")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([TIER_D, "--bogus"], "No such option: --bogus"),
        ([TIER_D, "--fail-under", "Z"], "must be A, B, C, D or F, not 'Z'"),
        ([TIER_D, "--format", "yaml"], "must be text, json, jsonl, sarif, markdown, "),
        (["check"], "missing argument TARGET"),
        (["license"], "Missing argument 'ID'"),
        (["licenses", "-f", "xml"], "must be text or json"),
        (["badge", TIER_D, "-f", "png"], "must be json or svg"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], says: str) -> None:
    err = _one_line_error(run_owcheck(*args))
    assert says in err
    assert "--help" in err  # where to read more, on the same line


def test_choices_are_case_insensitive_everywhere(tmp_path: Path) -> None:
    assert run_owcheck(TIER_D, "--fail-under", "c").returncode == 1
    assert run_owcheck(TIER_D, "--fail-under", "d", "--fail-on", "ERROR").returncode == 0
    data = json.loads(run_owcheck(TIER_D, "--format", "JSON", "--color", "Never").stdout)
    assert data["grade"] == "D"
    assert json.loads(run_owcheck("licenses", "-f", "JSON").stdout)
    assert json.loads(run_owcheck("license", "llama3.2", "--modality", "Multimodal", "-f",
                                  "Json").stdout)["verdict"] == "not-open"
    svg = run_owcheck("badge", TIER_D, "-f", "SVG")
    assert svg.returncode == 0 and svg.stdout.startswith("<svg")
    ids = tmp_path / "ids.txt"
    ids.write_text(TIER_D + "\n")
    batch = run_owcheck("batch", str(ids), "--fail-under", "c")
    assert batch.returncode == 1, batch.stderr


def test_comma_lists_for_rule_selectors() -> None:
    data = json.loads(run_owcheck(TIER_D, "-f", "json", "--ignore", "OW2,OW3").stdout)
    rules = {f["rule"] for f in data["findings"]}
    assert rules and not any(r.startswith(("OW2", "OW3")) for r in rules)
    data = json.loads(run_owcheck(TIER_D, "-f", "json", "--select", "ow2, OW501").stdout)
    assert {f["rule"] for f in data["findings"]} == {"OW213", "OW501"}
    data = json.loads(run_owcheck(TIER_D, "-f", "json", "--select", "OW2",
                                  "--extend-select", "OW3,OW4").stdout)
    assert {f["rule"][:3] for f in data["findings"]} == {"OW2", "OW3", "OW4"}
    assert "unknown rule selector 'XX9'" in _one_line_error(
        run_owcheck(TIER_D, "--ignore", "OW2,XX9"))


def test_quiet_and_verbose_are_counters() -> None:
    normal = run_owcheck(TIER_D, env={"COLUMNS": "100"})
    quiet = run_owcheck(TIER_D, "-q", "--fail-under", "C")
    assert quiet.returncode == 1
    lines = quiet.stdout.splitlines()
    assert lines[0].endswith("grade D (restricted-weights): weights license llama3.1 is open "
                             "with restrictions")
    active = json.loads(run_owcheck(TIER_D, "-f", "json").stdout)["summary"]
    assert len(lines) == 1 + active["error"] + active["warning"] + active["info"]
    assert all(line.startswith("  tests/fixtures/repos/tier-d/README.md:") for line in lines[1:])
    assert "gate failed" in quiet.stderr
    silent = run_owcheck(TIER_D, "-qq", "--fail-under", "C")
    assert (silent.returncode, silent.stdout, silent.stderr) == (1, "", "")
    verbose = run_owcheck(TIER_D, "-v", env={"COLUMNS": "100"})
    assert "evidence" in verbose.stdout.splitlines()
    assert len(verbose.stdout) > len(normal.stdout)
    assert run_owcheck(TIER_D, "-v", "-q", env={"COLUMNS": "100"}).stdout == normal.stdout
    # Data asked for is complete at any verbosity.
    assert json.loads(run_owcheck(TIER_D, "-qq", "-f", "json").stdout)["grade"] == "D"


def test_exit_zero_keeps_errors_but_not_gate_failures() -> None:
    done = run_owcheck(TIER_D, "--fail-under", "A", "--exit-zero")
    assert done.returncode == 0 and "gate failed" in done.stderr
    assert run_owcheck("no/such/path.md", "--exit-zero").returncode == 2


# --------------------------------------------------------------------------- targets


@pytest.mark.parametrize(
    "target",
    ["READM.md", "examples/open-modle", "./open-model", "/nonexistent/model", "notes.txt",
     "tests/fixtures/repos/tier-z", "~/no-such-model", "..\\model"],
)
def test_a_missing_path_is_never_sent_to_the_hub(
    target: str, loopback_hub: Any, tmp_path: Path
) -> None:
    done = run_owcheck(target, cwd=ROOT, env=loopback_hub.env(tmp_path))
    err = _one_line_error(done)
    assert err == f"owcheck: error: no such file or directory: {target}"
    assert loopback_hub.requests == []


@pytest.mark.parametrize(
    "target",
    ["hf.co/acme/plain-7b", "huggingface.co/acme/plain-7b", "https://hf.co/acme/plain-7b",
     "https://huggingface.co/acme/plain-7b/tree/main", "acme/plain-7b@main"],
)
def test_hub_url_forms_reach_the_hub(target: str, loopback_hub: Any, tmp_path: Path) -> None:
    done = run_owcheck(target, "-f", "json", env=loopback_hub.env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["subject"]["id"] == "acme/plain-7b"


def test_a_target_that_is_neither_is_one_message(loopback_hub: Any, tmp_path: Path) -> None:
    err = _one_line_error(run_owcheck("not a repo!", env=loopback_hub.env(tmp_path)))
    assert err == "owcheck: error: no such file or directory, and not a Hub repo id: not a repo!"
    err = _one_line_error(run_owcheck("hf.co/datasets/org/d", env=loopback_hub.env(tmp_path)))
    assert "is a dataset, not a model" in err
    assert loopback_hub.requests == []
