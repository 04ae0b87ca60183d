"""`owcheck ORG/NAME` with the forge lookups: the real Hub client and the real HTTP client
against the loopback Hub and the loopback forge, end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.forge.server import LoopbackForge
from tests.hub.server import LoopbackHub
from tests.support import run_owcheck, validate_report

TOKEN = "ghp_FORGESECRET123456"


def _run(
    hub: LoopbackHub, forge: LoopbackForge | None, tmp_path: Path, target: str, *extra: str,
    env: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], str]:
    full = hub.env(tmp_path)
    if forge is not None:
        full.update(forge.env())
    full.update(env or {})
    done = run_owcheck(target, "--format", "json", *extra, env=full)
    assert done.returncode in (0, 1), done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    return done.returncode, data, done.stderr


def _active(data: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in data["findings"]:
        if not f["suppressed"]:
            out.setdefault(f["rule"], []).append(f["message"])
    return out


def _evidence(data: dict[str, Any], component: str) -> list[str]:
    return [e["claim"] for e in data["components"][component]["evidence"]]


def test_code_linked_only_in_prose_is_graded_from_the_forge(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    _, data, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/prose-linked")
    code = data["components"]["code"]
    assert code["available"] == "released"
    assert (code["license"]["id"], code["license"]["verdict"], code["license"]["source"]) == (
        "mit", "open", "forge")
    assert set(code["freedoms"].values()) == {"granted"}
    assert data["grade"] == "A", data["reason"]
    claims = " | ".join(_evidence(data, "code"))
    origins = {e["origin"] for e in data["components"]["code"]["evidence"]}
    assert {"forge:github.com/forge-fixtures/licensed",
            "forge:gitlab.com/forge-fixtures/group/data-pipeline"} <= origins
    assert "training code github.com/forge-fixtures/licensed" in claims
    assert "data-processing code gitlab.com/forge-fixtures/group/data-pipeline" in claims
    assert "library github.com/huggingface/transformers" in claims
    # Libraries are not looked up; each repository is asked once.
    asked = [r.path for r in loopback_forge.requests]
    assert sorted(asked) == ["/api/v4/projects/forge-fixtures%2Fgroup%2Fdata-pipeline",
                             "/repos/forge-fixtures/licensed"]


def test_without_the_forge_the_same_card_is_not_promoted(
    loopback_hub: LoopbackHub, tmp_path: Path
) -> None:
    _, data, _ = _run(loopback_hub, None, tmp_path, "openlab/prose-linked")
    assert data["components"]["code"]["license"]["id"] is None
    assert data["grade"] == "C"
    assert "OW304" in _active(data)


def test_warm_run_costs_no_rate_limit(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    _, cold, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/prose-linked")
    used = loopback_forge.state.used
    loopback_forge.reset_log()
    _, warm, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/prose-linked")
    assert {r.status for r in loopback_forge.requests} == {304}
    assert len(loopback_forge.requests) == 2
    assert loopback_forge.state.used == used
    assert warm["grade"] == cold["grade"] == "A"


def test_rate_limit_leaves_the_code_row_unknown_and_suggests_a_token(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    loopback_forge.exhaust()
    code, data, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/prose-linked")
    assert code == 0
    assert data["grade"] == "C"
    assert set(data["components"]["code"]["freedoms"].values()) == {"unknown"}
    [message, *_] = _active(data)["OW304"]
    assert "rate limit" in message and "GITHUB_TOKEN" in message


def test_unreachable_forge_never_makes_exit_3(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    loopback_forge.fail_with(503)
    code, data, stderr = _run(loopback_hub, loopback_forge, tmp_path, "openlab/prose-linked")
    assert code == 0 and data["grade"] == "C"
    assert "OW304" in _active(data)
    assert "Traceback" not in stderr


def test_noassertion_license_text_that_matches_nothing_stays_unknown(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    _, data, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/custom-code")
    code = data["components"]["code"]
    assert code["license"]["verdict"] == "unknown" and code["license"]["source"] == "forge"
    assert data["grade"] == "C"
    assert any("does not recognise" in m for m in _active(data)["OW302"])
    assert "/repos/forge-fixtures/custom-terms/license" in [r.path for r in loopback_forge.requests]


def test_renamed_repository_is_followed(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    _, data, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/renamed-code")
    assert data["components"]["code"]["license"]["id"] == "bsd-3-clause"
    cited = {e["origin"]: e["claim"] for e in data["components"]["code"]["evidence"]}
    claim = cited["forge:github.com/forge-fixtures/new-name"]
    assert "github.com/forge-fixtures/old-name (now github.com/forge-fixtures/new-name)" in claim


def test_missing_and_unlicensed_repositories(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    _, gone, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/gone-code")
    assert any("not found" in m for m in _active(gone)["OW304"])
    assert gone["grade"] == "C"
    _, bare, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/unlicensed-code")
    assert any("no license file" in m for m in _active(bare)["OW302"])
    assert bare["grade"] == "C"


def test_token_is_sent_to_github_and_never_printed(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    loopback_forge.exhaust()
    full = loopback_hub.env(tmp_path)
    full.update(loopback_forge.env())
    full["GITHUB_TOKEN"] = TOKEN
    for fmt in ("json", "text", "sarif", "markdown"):
        done = run_owcheck("openlab/prose-linked", "--format", fmt, env=full)
        assert TOKEN not in done.stdout + done.stderr
    assert {r.authorization for r in loopback_forge.requests
            if r.path.startswith("/repos/")} == {f"Bearer {TOKEN}"}


# --------------------------------------------------------------------------- where the network goes


def test_no_forge_on_the_hub_path(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    _, data, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/prose-linked",
                      "--no-forge")
    assert loopback_forge.requests == []
    assert data["components"]["code"]["license"]["id"] is None
    assert all(c["forge"] is None for c in data["code_repositories"])


def test_offline_reads_forge_answers_from_the_cache_only(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    _, online, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/prose-linked")
    loopback_forge.reset_log()
    _, offline, _ = _run(loopback_hub, loopback_forge, tmp_path, "openlab/prose-linked",
                         "--offline")
    assert loopback_forge.requests == []
    assert offline["grade"] == online["grade"] == "A"
    loopback_forge.reset_log()
    env = loopback_hub.env(tmp_path)
    env.update(loopback_forge.env())
    env["HF_HUB_OFFLINE"] = "1"
    done = run_owcheck("openlab/prose-linked", "--format", "json", env=env)
    assert json.loads(done.stdout)["grade"] == "A" and loopback_forge.requests == []


def test_the_local_path_never_asks_the_forge_unless_online(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    repo = tmp_path / "model"
    repo.mkdir()
    card = (Path(__file__).resolve().parents[1] / "hub" / "repos" / "models" / "openlab"
            / "prose-linked" / "main" / "README.md")
    (repo / "README.md").write_text(card.read_text(encoding="utf-8"), encoding="utf-8")
    (repo / "model.safetensors").write_text("weights\n", encoding="utf-8")
    env = loopback_hub.env(tmp_path)
    env.update(loopback_forge.env())
    local = json.loads(run_owcheck(str(repo), "--format", "json", env=env).stdout)
    assert loopback_forge.requests == [] and loopback_hub.requests == []
    assert local["grade"] == "C"
    done = run_owcheck(str(repo), "--format", "json", "--online", env=env)
    online = json.loads(done.stdout)
    validate_report(online)
    assert len(loopback_forge.requests) == 2
    # The datasets the card names were looked up on the Hub.
    assert {p for r in loopback_hub.requests for p in [r.path]
            if p.startswith("/api/datasets/")} >= {"/api/datasets/openlab/web-text"}
    assert online["grade"] == "A"
    assert online["components"]["code"]["license"]["source"] == "forge"


def test_batch_says_once_that_anonymous_github_is_limited(
    loopback_hub: LoopbackHub, loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("openlab/prose-linked\nopenlab/custom-code\n", encoding="utf-8")
    env = loopback_hub.env(tmp_path)
    env.update(loopback_forge.env())
    done = run_owcheck("batch", str(ids), "-j", "1", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("60 requests an hour without a token") == 1
    # Each repository is asked once across the batch (both cards link the data pipeline).
    asked = [r.path for r in loopback_forge.requests]
    assert asked.count("/api/v4/projects/forge-fixtures%2Fgroup%2Fdata-pipeline") == 1
    env["GITHUB_TOKEN"] = TOKEN
    quiet = run_owcheck("batch", str(ids), "--no-forge", env=env)
    assert "requests an hour" not in quiet.stderr
    with_token = run_owcheck("batch", str(ids), env=env)
    assert "requests an hour" not in with_token.stderr and TOKEN not in with_token.stderr
