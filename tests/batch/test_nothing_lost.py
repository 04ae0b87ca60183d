"""Nothing lost: crashes, duplicates, URLs, resumes, the errors file and the circuit breaker.

Cards that crash owcheck are being fixed elsewhere; here a grading function that fails on
purpose stands in for them (``DumpJob.grader``), in this process and on worker processes.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

from openweights import batch, dumps, registry
from openweights.config import Settings
from openweights.report import Report
from openweights.sources import Bundle
from tests.hub.dumps import dump_rows
from tests.hub.server import LoopbackHub, load_repos, make_revision
from tests.support import FIXTURES, run_owcheck

ROWS = dump_rows(load_repos().values())


def crashy_grade(bundle: Bundle, settings: Settings) -> Report:
    """``registry.grade``, except that it fails on cards holding the word CRASH (and ends its
    process at once on EXIT, as a crash in native code would)."""
    text = bundle.subject.card_text or ""
    if "EXIT" in text:
        os._exit(7)
    if "CRASH" in text:
        raise RecursionError("maximum recursion depth exceeded (injected)")
    return registry.grade(bundle, settings)


def _mutants(count: int, seed: int = 14) -> list[dict[str, Any]]:
    """Rows whose cards are the fixtures' cards cut, spliced, doubled and salted with bytes
    YAML and Markdown parsers choke on; one in five carries the CRASH marker."""
    rng = random.Random(seed)
    cards = [r["card"] or "" for r in ROWS]
    junk = ["\x00", "---\n", ": : :\n", "&a [*a, *a]\n", "\ufeff", "\udcff"[:0] + "\u202e",
            "```\n", "<!-- owcheck: ignore -->", "\t- [", "\r\n---\r\n", "é" * 50]
    out = []
    for n in range(count):
        text = rng.choice(cards)
        for _ in range(rng.randint(1, 4)):
            cut = rng.randint(0, len(text))
            op = rng.randrange(4)
            if op == 0:
                text = text[:cut]
            elif op == 1:
                text = text[:cut] + rng.choice(junk) + text[cut:]
            elif op == 2:
                text = text[cut:] + text[:cut]
            else:
                text = text + text[: rng.randint(0, 200)]
        if n % 5 == 2:
            text += "\nCRASH\n"
        out.append({**rng.choice(ROWS), "modelId": f"fuzz/model-{n}", "card": text})
    return out


def test_cards_that_crash_grading_never_stop_the_batch() -> None:
    rows = _mutants(60)
    job = dumps.DumpJob(grader=crashy_grade)
    tally = batch.Tally()
    items: list[batch.BatchItem] = []
    batch.run(rows, job, 4, lambda item: items.append(item) is None, tally, processes=0)
    assert len(items) == 60 and tally.total == 60
    crashed = [i for i in items if i.internal]
    assert [i.target for i in crashed] == [f"fuzz/model-{n}" for n in range(2, 60, 5)]
    for item in crashed:
        assert item.exit_code == 2 and item.report is None
        assert item.error is not None and item.error.startswith("internal error: RecursionError")
        assert "\n" not in item.error
    assert tally.graded == 48 and tally.failed == 12 and tally.refused == 0
    assert all(json.loads(i.report)["subject"]["id"] == i.target for i in items if i.report)


def test_a_worker_process_that_dies_costs_only_the_rows_it_held(tmp_path: Path) -> None:
    rows = [{**ROWS[n % len(ROWS)], "modelId": f"w/m-{n}"} for n in range(40)]
    rows[7] = {**rows[7], "card": "EXIT"}
    job = dumps.DumpJob(grader=crashy_grade)
    items = list(batch.grade_all(rows, job, jobs=4, processes=2))
    assert [i.target for i in items] == [r["modelId"] for r in rows]
    assert items[7].exit_code == 3 and "worker process" in (items[7].error or "")
    # The rows the dead worker held (two threads each: jobs / processes) fail with it, retried
    # on resume; a replacement grades the rest.
    lost = [n for n, i in enumerate(items) if i.report is None]
    assert 7 in lost and len(lost) <= 2, lost
    assert all("worker process" in (items[n].error or "") for n in lost)


def test_crashes_go_to_the_errors_file_and_are_retried_on_resume(tmp_path: Path) -> None:
    rows = _mutants(10, seed=3)
    job = dumps.DumpJob(grader=crashy_grade)
    errors = tmp_path / "errors.jsonl"
    out = tmp_path / "out.jsonl"
    for attempt in range(2):
        outputs = batch.Outputs(out, errors, resume=attempt > 0)
        ledger = batch.Ledger.read(out, errors)
        todo = [r for r in rows if not ledger.settled(r["modelId"], None)]
        tally = batch.run(todo, job if attempt == 0 else dumps.DumpJob(), 2,
                          lambda item, out=outputs: out.write(item) is None, batch.Tally(),
                          processes=0)
        outputs.close()
        if attempt == 0:
            failing = [json.loads(line) for line in errors.read_text().splitlines()]
            assert [e["id"] for e in failing] == ["fuzz/model-2", "fuzz/model-7"]
            assert all(e["internal"] and e["exit_code"] == 2 for e in failing)
    # The fixed grader graded the two the first run lost; nothing is failing any more.
    assert tally.graded == 2 and errors.read_text() == ""
    assert len(out.read_text().splitlines()) == 10


def test_ids_are_normalised_duplicates_counted_and_errors_kept_only_while_failing(
        loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join([
        "acme/plain-7b", "https://huggingface.co/acme/plain-7b", "hf.co/acme/no-license/",
        "acme/no-license", "acme/does-not-exist", "acme/gone-for-now", "# a comment", "",
        str(FIXTURES / "repos" / "tier-a"), str(FIXTURES / "repos" / "tier-a"),
    ]) + "\n")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    env = loopback_hub.env(tmp_path)
    done = run_owcheck("batch", str(ids), "-o", str(out), "--errors", str(errors), env=env)
    assert done.returncode == 2
    assert "8 lines: 3 graded, 2 refused, 0 failed, 3 duplicate, 0 skipped" in done.stderr
    reported = [json.loads(line)["subject"]["id"] for line in out.read_text().splitlines()]
    assert reported == ["acme/plain-7b", "acme/no-license", str(FIXTURES / "repos" / "tier-a")]
    # acme/gone-for-now appears on the Hub; the resumed run grades it, skips the rest (URLs
    # included), and the errors file keeps only the id that still fails.
    loopback_hub.repos[("models", "acme/gone-for-now")] = loopback_hub.repos[
        ("models", "acme/plain-7b")]
    ids.write_text(ids.read_text().replace("acme/does-not-exist", "acme/does-not-exist\n"
                                           "https://huggingface.co/acme/gone-for-now"))
    again = run_owcheck("batch", str(ids), "-o", str(out), "--errors", str(errors), "--resume",
                        env=env)
    assert "9 lines: 0 graded, 0 refused, 0 failed, 4 duplicate, 5 skipped" in again.stderr
    # Refusals are settled (a resumed run skips them); remove the line to try again.
    errors.write_text("".join(line + "\n" for line in errors.read_text().splitlines()
                              if "gone-for-now" not in line))
    third = run_owcheck("batch", str(ids), "-o", str(out), "--errors", str(errors), "--resume",
                        env=env)
    assert "1 graded" in third.stderr, third.stderr
    left = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [e["id"] for e in left] == ["acme/does-not-exist"]


def test_resuming_an_ids_file_regrades_only_models_updated_since(
        loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    local = str(FIXTURES / "repos" / "tier-a")
    ids.write_text(f"acme/plain-7b\nhttps://huggingface.co/acme/no-license\n{local}\n")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    env = loopback_hub.env(tmp_path)
    assert run_owcheck("batch", str(ids), "-o", str(out), "--errors", str(errors), env=env
                       ).returncode == 0
    before = [json.loads(line)["subject"] for line in out.read_text().splitlines()]
    # A new commit of acme/plain-7b: its card gains a line, so its sha changes.
    repo = loopback_hub.repos[("models", "acme/plain-7b")]
    files = dict(repo.revisions["main"].files)
    files["README.md"] = files["README.md"] + b"\nUpdated: a note on evaluation.\n"
    repo.revisions["main"] = make_revision("models", repo.id, "main", files)
    done = run_owcheck("batch", str(ids), "-o", str(out), "--errors", str(errors), "--resume",
                       env=env)
    assert done.returncode == 0, done.stderr
    assert "3 lines: 1 graded, 0 refused, 0 failed, 0 duplicate, 2 skipped" in done.stderr
    after = [json.loads(line)["subject"] for line in out.read_text().splitlines()]
    assert after[:3] == before and len(after) == 4
    assert after[3]["id"] == "acme/plain-7b"
    assert after[3]["revision"] == loopback_hub.sha("models", "acme/plain-7b")
    assert after[3]["revision"] != before[0]["revision"]


def test_the_circuit_breaker_stops_a_batch_when_the_hub_is_down(
        loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("".join(f"down/model-{n}\n" for n in range(batch.BREAKER + 6)))
    loopback_hub.fail_with(503)
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    env = {**loopback_hub.env(tmp_path), "OWCHECK_HTTP_ATTEMPTS": "1"}
    done = run_owcheck("batch", str(ids), "-o", str(out), "--errors", str(errors), "-j", "1",
                       env=env)
    assert done.returncode == 3
    assert f"the Hub failed {batch.BREAKER} models in a row" in done.stderr
    assert "--resume" in done.stderr.splitlines()[-2]
    assert f"{batch.BREAKER + 6} lines: 0 graded, 0 refused, {batch.BREAKER} failed" \
        in done.stderr and "6 not run" in done.stderr
    failed = [json.loads(line) for line in errors.read_text().splitlines()]
    assert len(failed) == batch.BREAKER and all(e["exit_code"] == 3 for e in failed)


@pytest.mark.parametrize("args", [["batch", "IDS"], ["batch", "IDS", "-f", "jsonl"]])
def test_an_ids_batch_never_imports_pyarrow(tmp_path: Path, args: list[str]) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{FIXTURES / 'repos' / 'tier-a'}\n")
    argv = [str(ids) if a == "IDS" else a for a in args]
    code = (
        "import sys\n"
        "from openweights.cli.app import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print([m for m in ('pyarrow', 'dask', 'tqdm') if m in sys.modules], file=sys.stderr)\n"
    )
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stderr.splitlines()[-1] == "[]", done.stderr


class SlowFirst:
    """A job whose first item takes a while and the others none: the ordering window fills."""

    def run(self, item: Any) -> batch.BatchItem:
        if item == 0:
            import time

            time.sleep(0.5)
        return batch.BatchItem(str(item), "{}", None, None, 0)


def test_a_full_ordering_window_never_stalls_the_workers() -> None:
    # With the first result late, the others fill the window and the hand-out stops; once the
    # first arrives and the window drains, every worker is idle: the batch must go on.
    items = list(batch.grade_all(range(60), SlowFirst(), jobs=2, processes=2))
    assert [i.target for i in items] == [str(n) for n in range(60)]
