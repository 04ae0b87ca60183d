"""`owcheck batch DUMP`: the Hub's card dumps graded whole, with nothing lost.

Dumps are made at test time from the loopback Hub's fixture repos (``tests/hub/dumps.py``):
one row per model with the columns of ``librarian-bots/model_cards_with_metadata``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.hub.dumps import DUMP_ID, dump_repo, dump_rows, parquet_bytes
from tests.hub.server import Fault, LoopbackHub, load_repos
from tests.support import run_owcheck, validate_report

pytest.importorskip("pyarrow")

ROWS = dump_rows(load_repos().values())


def _verdicts(report: dict[str, Any]) -> tuple[Any, ...]:
    comps = report["components"]
    return (report["grade"], report["tier"],
            *(comps[c]["license"]["verdict"] for c in ("weights", "code", "data")),
            *(tuple(comps[c]["freedoms"].values()) for c in ("weights", "code", "data")))


def _reports(path: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        report = json.loads(line)
        out[report["subject"]["id"]] = report
    return out


def _write_dump(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_bytes(parquet_bytes(rows))
    return path


def test_a_dump_on_the_hub_grades_like_the_hub(tmp_path: Path) -> None:
    # The dump is a dataset repo of two Parquet shards, downloaded through huggingface_hub;
    # --fill-from-hub reads the datasets the cards name (a model dump has none of them). The
    # dump also has the optional `gated` column (a manual gate limits the study of weights).
    with LoopbackHub(extra_repos=dump_repo(dump_rows(load_repos().values(), gated=True),
                                           shards=2)) as hub:
        env = hub.env(tmp_path)
        out, errors = tmp_path / "dump.jsonl", tmp_path / "dump-errors.jsonl"
        done = run_owcheck("batch", f"hf://datasets/{DUMP_ID}", "--fill-from-hub", "-o",
                           str(out), "--errors", str(errors), env=env)
        assert done.returncode == 0, done.stderr
        shards = [r.path for r in hub.requests if r.path.endswith(".parquet")]
        assert len(set(shards)) == 2
        # No model is asked for: every row's material is the dump's.
        subjects = {r["modelId"] for r in ROWS}
        asked = {r.path.split("/", 4)[3] + "/" + r.path.split("/", 5)[4]
                 for r in hub.requests if r.path.startswith("/api/models/")}
        assert not asked & subjects, asked & subjects
        ids = tmp_path / "ids.txt"
        ids.write_text("".join(f"{r['modelId']}\n" for r in ROWS))
        through_hub = tmp_path / "hub.jsonl"
        # A dump's batch asks no forge (GitHub's limits do not allow one call per model).
        assert run_owcheck("batch", str(ids), "-o", str(through_hub), "--no-forge", env=env
                           ).returncode == 0
    from_dump, from_hub = _reports(out), _reports(through_hub)
    assert set(from_dump) == set(from_hub) == subjects and len(subjects) >= 15
    for repo_id in sorted(subjects):
        validate_report(from_dump[repo_id])
        assert _verdicts(from_dump[repo_id]) == _verdicts(from_hub[repo_id]), repo_id
        assert from_dump[repo_id]["subject"]["last_modified"] == "2024-06-01T00:00:00Z"
        assert from_dump[repo_id]["subject"]["revision"] is None  # a dump has no sha
    assert f"{len(ROWS)} lines: {len(ROWS)} graded, 0 refused, 0 failed, 0 duplicate, " \
        "0 skipped" in done.stderr


def test_what_a_dump_without_gating_cannot_know(tmp_path: Path) -> None:
    # The Hub's dump has no `gated` column: a manually gated model's weights read as freely
    # studied (the Hub path limits that cell); the rest of its grade is the same.
    row = next(r for r in ROWS if r["modelId"] == "examplemeta/llama-style-8b")
    done = run_owcheck("batch", str(_write_dump(tmp_path / "d.parquet", [row])))
    plain = json.loads(done.stdout)
    gated = json.loads(run_owcheck("batch", str(_write_dump(
        tmp_path / "g.parquet", [{**row, "gated": "manual"}]))).stdout)
    assert plain["components"]["weights"]["freedoms"]["study"] == "granted"
    assert gated["components"]["weights"]["freedoms"]["study"] == "limited"
    assert (plain["grade"], plain["tier"]) == (gated["grade"], gated["tier"])


def test_without_the_hub_missing_repos_are_unresolved_never_missing(tmp_path: Path) -> None:
    # Only the laundering LoRA's row: its base is not in the dump. The base-model catalogue
    # still knows the family's license (the license is laundered: OW503), the base is "not
    # looked up" (OW501), never "not found on the Hub" (OW504).
    row = next(r for r in ROWS if r["modelId"] == "launder/llama-style-lora")
    dump = _write_dump(tmp_path / "one.parquet", [row])
    done = run_owcheck("batch", str(dump))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    rules = {f["rule"] for f in report["findings"]}
    assert {"OW501", "OW503"} <= rules and "OW504" not in rules
    assert report["grade"] == "D"
    # With its base in the dump, the base's own card decides, and nothing is unresolved.
    base = next(r for r in ROWS if r["modelId"] == "examplemeta/llama-style-8b")
    both = _write_dump(tmp_path / "two.parquet", [row, base])
    done = run_owcheck("batch", str(both))
    lora = json.loads(done.stdout.splitlines()[0])
    assert "OW501" not in {f["rule"] for f in lora["findings"]}
    assert [link["id"] for link in lora["lineage"]] == ["examplemeta/llama-style-8b"]


def test_a_folder_of_shards_and_parquet_results(tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    folder.mkdir()
    _write_dump(folder / "b.parquet", ROWS[10:])
    _write_dump(folder / "a.parquet", ROWS[:10])
    out = tmp_path / "results.parquet"
    done = run_owcheck("batch", str(folder), "--format", "parquet", "-o", str(out))
    assert done.returncode == 0, done.stderr
    import pyarrow.parquet as pq

    table = pq.read_table(out)
    assert table.column_names == ["id", "revision", "last_modified", "grade", "tier", "weights",
                                  "code", "data", "report"]
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == [r["modelId"] for r in ROWS]  # shards in name order
    for row in rows:
        report = json.loads(row["report"])
        assert (row["grade"], row["tier"]) == (report["grade"], report["tier"])
        freedoms = report["components"]["weights"]["freedoms"]
        assert (row["weights"] == "open") == all(v == "granted" for v in freedoms.values())
        assert row["last_modified"] == "2024-06-01T00:00:00Z"
    fully_open = next(r for r in rows if r["id"] == "openlab/fully-open-1b")
    assert (fully_open["weights"], fully_open["code"]) == ("open", "open")


def test_unusable_dumps_are_one_line_errors(tmp_path: Path) -> None:
    not_cards = _write_dump(tmp_path / "other.parquet", [{"name": "x", "value": 1}])
    done = run_owcheck("batch", str(not_cards))
    assert done.returncode == 2
    assert done.stderr.startswith("owcheck: error: ") and "no column modelId, card" in done.stderr
    assert len(done.stderr.splitlines()) == 1
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    done = run_owcheck("batch", str(broken))
    assert done.returncode == 2 and "not a readable Parquet file" in done.stderr
    assert "Traceback" not in done.stderr
    done = run_owcheck("batch", str(tmp_path / "missing.parquet"))
    assert done.returncode == 2 and "no such file" in done.stderr
    done = run_owcheck("batch", str(tmp_path / "missing.parquet"), "--format", "parquet")
    assert done.returncode == 2 and "needs --output" in done.stderr


# --------------------------------------------------------------------------- nothing lost


def test_every_row_is_accounted_for(tmp_path: Path) -> None:
    rows = [
        *ROWS[:5],
        dict(ROWS[0]),                                     # the same model again
        {**ROWS[1], "modelId": f"https://huggingface.co/{ROWS[1]['modelId']}/"},  # a URL
        {**ROWS[2], "modelId": "not a model id"},          # unusable
        {**ROWS[3], "modelId": None},                      # no id at all
        {**ROWS[4], "modelId": "acme/empty-card", "card": None},  # no card: graded
    ]
    dump = _write_dump(tmp_path / "mixed.parquet", rows)
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    done = run_owcheck("batch", str(dump), "-o", str(out), "--errors", str(errors))
    assert done.returncode == 2, done.stderr
    assert "10 lines: 6 graded, 2 refused, 0 failed, 2 duplicate, 0 skipped" in done.stderr
    refused = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [(e["target"], e["exit_code"]) for e in refused] == [("not a model id", 2),
                                                                ("?", 2)]
    assert len(out.read_text().splitlines()) == 6


def test_resume_by_id_and_last_modified(tmp_path: Path) -> None:
    dump = _write_dump(tmp_path / "d.parquet", ROWS)
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    assert run_owcheck("batch", str(dump), "-o", str(out), "--errors", str(errors)
                       ).returncode == 0
    # A second run into the same output, without --resume, is refused: nothing appended.
    again = run_owcheck("batch", str(dump), "-o", str(out))
    assert again.returncode == 2 and "--resume" in again.stderr
    assert len(out.read_text().splitlines()) == len(ROWS)
    # A day later, two models changed: only they are graded again.
    later = [dict(r) for r in ROWS]
    for r in later[:2]:
        r["last_modified"] = dt.datetime(2024, 6, 2, tzinfo=dt.timezone.utc)
    _write_dump(dump, later)
    done = run_owcheck("batch", str(dump), "-o", str(out), "--errors", str(errors), "--resume")
    assert done.returncode == 0, done.stderr
    assert f"{len(ROWS)} lines: 2 graded, 0 refused, 0 failed, 0 duplicate, " \
        f"{len(ROWS) - 2} skipped" in done.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["subject"]["id"] for r in lines[-2:]] == [r["modelId"] for r in ROWS[:2]]
    assert lines[-1]["subject"]["last_modified"] == "2024-06-02T00:00:00Z"


def test_resume_of_parquet_results_keeps_one_row_per_model(tmp_path: Path) -> None:
    dump = _write_dump(tmp_path / "d.parquet", ROWS[:6])
    out = tmp_path / "out.parquet"
    assert run_owcheck("batch", str(dump), "-f", "parquet", "-o", str(out)).returncode == 0
    later = [dict(r) for r in ROWS[:8]]
    later[0]["last_modified"] = dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc)
    _write_dump(dump, later)
    done = run_owcheck("batch", str(dump), "-f", "parquet", "-o", str(out), "--resume")
    assert "8 lines: 3 graded, 0 refused, 0 failed, 0 duplicate, 5 skipped" in done.stderr
    import pyarrow.parquet as pq

    rows = pq.read_table(out).to_pylist()
    assert sorted(r["id"] for r in rows) == sorted(r["modelId"] for r in later)
    first = next(r for r in rows if r["id"] == ROWS[0]["modelId"])
    assert first["last_modified"] == "2024-07-01T00:00:00Z"
    assert not (tmp_path / "out.parquet.partial").exists()


def test_fill_from_hub_honours_retry_after_and_the_breaker(tmp_path: Path) -> None:
    row = next(r for r in ROWS if r["modelId"] == "acme/three-data")  # names three datasets
    lora = next(r for r in ROWS if r["modelId"] == "launder/llama-style-lora")
    dump = _write_dump(tmp_path / "d.parquet", [row, lora])
    with LoopbackHub() as hub:
        env = {**hub.env(tmp_path), "OWCHECK_HTTP_BACKOFF": "0.05"}
        hub.inject(Fault("status", match="/api/*", status=429, count=1,
                         headers={"Retry-After": "1"}))
        done = run_owcheck("batch", str(dump), "--fill-from-hub", env=env)
        assert done.returncode == 0, done.stderr
        infos = [r for r in hub.requests if r.path.startswith("/api/")]
        limited = next(r for r in infos if r.status == 429)
        # Requests already on their way arrive with it; after that, nothing is sent until the
        # Retry-After has passed, by any thread: the retry and the next wave wait for it.
        gaps = [r.time - limited.time for r in hub.requests if r.time > limited.time]
        assert not [g for g in gaps if 0.1 < g < 0.95], gaps
        assert [g for g in gaps if g >= 0.95]
        retried = [r for r in hub.requests if r.path == limited.path]
        assert [r.status for r in retried] == [429, 200]
        reports = [json.loads(line) for line in done.stdout.splitlines()]
        assert [d["found"] for d in reports[0]["datasets"]] == [True, True, True]
        # The Hub down: the fill gives up with exit 3 and says how to go on; nothing written.
        hub.fail_with(503)
        home = tmp_path / "other"
        home.mkdir()
        out = tmp_path / "out.jsonl"
        down = run_owcheck("batch", str(dump), "--fill-from-hub", "-o", str(out),
                           env={**hub.env(home), "OWCHECK_HTTP_ATTEMPTS": "1"})
        assert down.returncode == 3, down.stderr
        assert "run the same command again" in down.stderr
        assert not out.exists() or out.read_text() == ""
