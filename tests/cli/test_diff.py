"""`owcheck diff` and `owcheck batch --changed-since` as a user runs them, against the loopback
Hub for revisions and snapshots."""

from __future__ import annotations

import json
from pathlib import Path

from tests.hub.server import LoopbackHub
from tests.support import FIXTURES, run_owcheck

REPOS = FIXTURES / "repos"


def _hub(hub: LoopbackHub, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    done = run_owcheck(*args, env=hub.env(tmp_path))
    return done.returncode, done.stdout, done.stderr


def test_relicensed_repo_diffed_both_ways(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    v1 = loopback_hub.sha("models", "acme/relicensed", "v1.0")
    main = loopback_hub.sha("models", "acme/relicensed", "main")
    code, out, err = _hub(loopback_hub, tmp_path, "diff", "acme/relicensed@v1.0",
                          "acme/relicensed")
    assert code == 0, err  # cc-by-nc-4.0 -> apache-2.0: more open, the gate passes
    assert out.splitlines()[0] == f"acme/relicensed  {v1[:12]} → {main[:12]}  more open"
    assert "▲ grade" in out and "F → C" in out
    assert "cc-by-nc-4.0 (not-open) → apache-2.0 (open)" in out
    assert "▼" not in out

    code, out, err = _hub(loopback_hub, tmp_path, "diff", "acme/relicensed",
                          "acme/relicensed@v1.0", "--format", "json")
    assert code == 1
    assert err.strip() == "owcheck: gate failed: terms got less open for 1 model(s)"
    data = json.loads(out)
    [model] = data["models"]
    assert data["less_open"] and model["less_open"]
    assert model["revision"] == {"old": main, "new": v1}
    fields = {c["field"]: c for c in model["changes"]}
    assert fields["components.weights.license"]["new"] == {"id": "cc-by-nc-4.0",
                                                           "verdict": "not-open"}
    assert fields["components.weights.freedoms.use"] == {
        "field": "components.weights.freedoms.use", "old": "granted", "new": "denied",
        "direction": "less-open"}

    code, out, _ = _hub(loopback_hub, tmp_path, "diff", "acme/relicensed", "acme/relicensed",
                        "-f", "markdown")
    assert code == 0 and out.startswith("## owcheck diff: no change")


def test_two_batch_snapshots(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    before_ids = tmp_path / "before.txt"
    before_ids.write_text("acme/relicensed@v1.0\nacme/plain-7b\nacme/no-license\n")
    after_ids = tmp_path / "after.txt"
    after_ids.write_text("acme/relicensed\nacme/plain-7b\nacme/three-data\n")
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    assert _hub(loopback_hub, tmp_path, "batch", str(before_ids), "-o", str(before))[0] == 0
    assert _hub(loopback_hub, tmp_path, "batch", str(after_ids), "-o", str(after))[0] == 0

    code, out, err = _hub(loopback_hub, tmp_path, "diff", str(before), str(after))
    assert code == 0, err
    assert "acme/relicensed" in out and "acme/three-data" in out and "acme/no-license" in out
    assert "acme/plain-7b" not in out  # unchanged: counted, not listed
    assert out.splitlines()[-1] == (
        "4 models compared: 1 changed, 1 unchanged, 1 added, 1 removed; none got less open")
    code, out, _ = _hub(loopback_hub, tmp_path, "diff", str(after), str(before), "--all")
    assert code == 1 and "acme/plain-7b  " in out

    # Batch can write only what changed since the earlier snapshot.
    changed = tmp_path / "changed.jsonl"
    code, _, err = _hub(loopback_hub, tmp_path, "batch", str(after_ids), "-o", str(changed),
                        "--changed-since", str(before))
    assert code == 0
    ids = [json.loads(line)["subject"]["id"] for line in changed.read_text().splitlines()]
    assert ids == ["acme/relicensed", "acme/three-data"]
    assert f"1 unchanged since {before} (not written)" in err


def test_a_local_checkout_against_the_report_of_the_last_release(tmp_path: Path) -> None:
    released = tmp_path / "release.json"
    done = run_owcheck(str(REPOS / "tier-c"), "-f", "json", "-o", str(released))
    assert done.returncode == 0
    assert run_owcheck("diff", str(released), str(REPOS / "tier-c")).returncode == 0
    tightened = run_owcheck("diff", str(released), str(REPOS / "tier-f"), "-f", "markdown")
    assert tightened.returncode == 1
    assert tightened.stdout.startswith("## owcheck diff: 🔻 terms got less open (1 model)")
    # A report without a .json name is still read as a report, not as a card.
    renamed = tmp_path / "release.txt"
    renamed.write_text(released.read_text())
    assert run_owcheck("diff", str(renamed), str(REPOS / "tier-f")).returncode == 1


def test_bad_input_is_exit_2_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    report = json.loads(run_owcheck(str(REPOS / "tier-a"), "-f", "json").stdout)
    broken.write_text(json.dumps(report) + "\n{not json\n")
    future = tmp_path / "future.json"
    future.write_text(json.dumps({**report, "schema_version": "2.0"}))
    cases = {
        str(broken): f"{broken}: line 2: not JSON",
        str(future): f"{future}: report schema_version 2.0 is not supported",
        str(tmp_path / "missing.json"): "no such file or directory",
    }
    for old, message in cases.items():
        done = run_owcheck("diff", old, str(REPOS / "tier-a"))
        assert done.returncode == 2 and not done.stdout
        assert len(done.stderr.splitlines()) == 1 and message in done.stderr
    assert run_owcheck("diff", str(REPOS / "tier-a")).returncode == 2  # NEW is missing
    bad = run_owcheck("batch", "-", "--changed-since", str(future), stdin="x\n")
    assert bad.returncode == 2 and "not supported" in bad.stderr


def test_bom_formats_refuse_a_bad_source_date_epoch_in_one_line() -> None:
    done = run_owcheck(str(REPOS / "tier-a"), "-f", "spdx", env={"SOURCE_DATE_EPOCH": "soon"})
    assert done.returncode == 2 and not done.stdout
    assert done.stderr == "owcheck: error: SOURCE_DATE_EPOCH must be whole seconds, not 'soon'\n"
