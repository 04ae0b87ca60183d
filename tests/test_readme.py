"""The README's commands and example output do not drift from the code."""

from __future__ import annotations

import re

from tests.support import ROOT, run_owcheck

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r'^TEST_COMMAND="(.+)"$', ci, re.M)
    assert command is not None
    assert f"```sh\n{command.group(1)}\n```" in README


def test_readme_scorecard_is_the_real_output() -> None:
    block = re.search(r"```text\n(.*?)```", README, re.S)
    assert block is not None
    done = run_owcheck("examples/open-model", env={"COLUMNS": "80"})
    assert done.returncode == 0
    assert block.group(1) == done.stdout


def test_readme_documents_every_command() -> None:
    from openweights.cli.entry import COMMANDS

    for command in COMMANDS:
        if command != "check":
            assert f"owcheck {command}" in README, command


def test_readme_counts_the_rules() -> None:
    from openweights.rules import all_rules

    assert f"{len(all_rules())} rules with stable codes" in README
