"""Fuzzing: mutated cards are graded with a valid report or refused with one line, never more.

The mutator and the harness are in tests/fuzzing.py. A fixed number of cases runs here, in
process (``OWCHECK_FUZZ_CASES`` raises it, ``OWCHECK_FUZZ_SEED`` picks other cases); a small
sample runs through the command line under two hash seeds, which must give the same bytes.
A long run: ``python -m tests.fuzzing --cases 10000``.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.fuzzing import DEFAULT_SEED, Case, Summary, make_case, run_cases, write_repo
from tests.support import run_owcheck, validate_report

CASES = int(os.environ.get("OWCHECK_FUZZ_CASES", "300"))
SEED = int(os.environ.get("OWCHECK_FUZZ_SEED", str(DEFAULT_SEED)))
CLI_CASES = 6


def test_mutated_cards_are_graded_or_refused(tmp_path: Path) -> None:
    summary = Summary()
    for outcome in run_cases(SEED, range(CASES), tmp_path):
        summary.add(outcome)
    assert not summary.failures, summary.report()
    # The mutants reach both outcomes: the mutator is not only producing garbage.
    assert summary.graded > CASES // 2 and summary.refused > 0, summary.report()


def _cli_sample() -> list[Case]:
    """A few cases after the in-process ones: two the source must refuse, the rest graded."""
    refused: list[Case] = []
    graded: list[Case] = []
    number = CASES
    while len(refused) < 2 or len(graded) < CLI_CASES - 2:
        case = make_case(SEED, number)
        bad_bytes = "invalid-utf8" in case.mutations
        if bad_bytes and len(refused) < 2:
            refused.append(case)
        elif not bad_bytes and "truncate" not in case.mutations and len(graded) < CLI_CASES - 2:
            graded.append(case)
        number += 1
    return refused + graded


def test_command_line_sample_gives_the_same_bytes_under_two_hash_seeds(tmp_path: Path) -> None:
    cases = _cli_sample()
    repos = [write_repo(case, tmp_path / f"case-{case.number}") for case in cases]
    runs = [(repo, fmt, seed) for repo in repos for fmt in ("json", "text")
            for seed in ("1", "2")]

    def run(item: tuple[Path, str, str]) -> tuple[int, str, str]:
        repo, fmt, seed = item
        done = run_owcheck(str(repo), "--format", fmt, env={"PYTHONHASHSEED": seed})
        return done.returncode, done.stdout, done.stderr

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(runs, pool.map(run, runs), strict=True))
    for case, repo in zip(cases, repos, strict=True):
        where = f"case {case.number} ({case.seed}; {', '.join(case.mutations)})"
        for fmt in ("json", "text"):
            first, second = results[(repo, fmt, "1")], results[(repo, fmt, "2")]
            assert first == second, f"{where}: {fmt} differs between hash seeds"
        code, stdout, stderr = results[(repo, "json", "1")]
        assert "internal error" not in stderr, f"{where}: {stderr}"
        if code == 2:
            assert stdout == "" and stderr.count("\n") == 1, f"{where}: {stderr!r}"
            assert stderr.startswith("owcheck: error: "), f"{where}: {stderr!r}"
        else:
            assert code in (0, 1), f"{where}: exit {code}: {stderr}"
            validate_report(json.loads(stdout))
    assert sum(results[(r, "json", "1")][0] == 2 for r in repos) >= 2
