"""ForgeSource through the real HTTP client (httpx2) against the loopback forge (tests/forge)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openweights.check import check_bundle
from openweights.repoids import ForgeRepo, forge_repo_from
from openweights.sources import Bundle, ForgeStatus, ModelMaterial
from openweights.sources.forge import ForgeSource, with_forge
from tests.forge.server import LoopbackForge

TOKEN = "ghp_TESTSECRET1234567890"


def repo(text: str) -> ForgeRepo:
    found = forge_repo_from(text)
    assert found is not None
    return found


def source(forge: LoopbackForge, tmp_path: Path, **kw: object) -> ForgeSource:
    return ForgeSource(github_api=forge.url, gitlab_api=forge.url, cache_dir=tmp_path / "cache",
                       backoff=0.0, **kw)  # type: ignore[arg-type]


def paths(forge: LoopbackForge) -> list[tuple[str, int]]:
    return [(r.path, r.status) for r in forge.requests]


def test_licensed_repository(loopback_forge: LoopbackForge, tmp_path: Path) -> None:
    forge = source(loopback_forge, tmp_path)
    answer = forge.lookup(repo("https://github.com/forge-fixtures/licensed"))
    assert answer.status is ForgeStatus.OK
    assert (answer.license_id, answer.canonical) == ("MIT", "github.com/forge-fixtures/licensed")
    assert paths(loopback_forge) == [("/repos/forge-fixtures/licensed", 200)]


def test_repository_paths_are_case_insensitive(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    answer = source(loopback_forge, tmp_path).lookup(repo("github.com/Forge-Fixtures/LICENSED"))
    assert answer.canonical == "github.com/forge-fixtures/licensed"


def test_noassertion_fetches_the_license_text(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    answer = source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/custom-terms"))
    assert answer.status is ForgeStatus.OK and answer.license_id == "NOASSERTION"
    assert answer.license_path == "LICENSE.txt"
    assert answer.license_text and "House Terms" in answer.license_text
    assert paths(loopback_forge) == [
        ("/repos/forge-fixtures/custom-terms", 200),
        ("/repos/forge-fixtures/custom-terms/license", 200),
    ]


def test_unlicensed_repository(loopback_forge: LoopbackForge, tmp_path: Path) -> None:
    answer = source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/unlicensed"))
    assert answer.status is ForgeStatus.OK and answer.license_id is None


def test_renamed_repository_follows_the_redirect(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    answer = source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/old-name"))
    assert answer.status is ForgeStatus.OK
    assert answer.canonical == "github.com/forge-fixtures/new-name"
    assert answer.license_id == "BSD-3-Clause"
    assert [s for _, s in paths(loopback_forge)] == [301, 200]
    assert paths(loopback_forge)[1][0].startswith("/repositories/")


def test_missing_repository(loopback_forge: LoopbackForge, tmp_path: Path) -> None:
    answer = source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/gone"))
    assert answer.status is ForgeStatus.NOT_FOUND
    assert answer.message and "github.com/forge-fixtures/gone" in answer.message
    # The next run does not spend rate limit on it again (for a day).
    loopback_forge.reset_log()
    again = source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/gone"))
    assert again.status is ForgeStatus.NOT_FOUND and again.cached
    assert loopback_forge.requests == []


@pytest.mark.parametrize("status", [403, 429])
def test_rate_limit_says_why_and_suggests_a_token(
    loopback_forge: LoopbackForge, tmp_path: Path, status: int
) -> None:
    loopback_forge.exhaust(status)
    forge = source(loopback_forge, tmp_path)
    answer = forge.lookup(repo("github.com/forge-fixtures/licensed"))
    assert answer.status is ForgeStatus.RATE_LIMITED
    assert answer.message and "60 requests an hour" in answer.message
    assert "GITHUB_TOKEN" in answer.message
    # The forge said no for this run: the next repository is not even asked.
    second = forge.lookup(repo("github.com/openlab-example/trainer"))
    assert second.status is ForgeStatus.RATE_LIMITED
    assert len(loopback_forge.requests) == 1


def test_rate_limit_counts_down_and_runs_out(
    tmp_path: Path,
) -> None:
    with LoopbackForge(limit=2) as small:
        forge = source(small, tmp_path)
        got = [forge.lookup(repo(f"github.com/forge-fixtures/{n}")).status
               for n in ("licensed", "unlicensed", "new-name")]
    assert got == [ForgeStatus.OK, ForgeStatus.OK, ForgeStatus.RATE_LIMITED]


def test_each_repository_is_asked_once(loopback_forge: LoopbackForge, tmp_path: Path) -> None:
    forge = source(loopback_forge, tmp_path)
    for written in ("https://github.com/forge-fixtures/licensed",
                    "github.com/forge-fixtures/licensed.git",
                    "https://github.com/Forge-Fixtures/licensed/tree/main/src"):
        forge.lookup(repo(written))
    assert len(loopback_forge.requests) == 1
    assert forge.requests_sent == 1


def test_warm_run_revalidates_with_etag_and_spends_no_rate_limit(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    first = source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/custom-terms"))
    used = loopback_forge.state.used
    loopback_forge.reset_log()
    second = source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/custom-terms"))
    log = loopback_forge.requests
    assert [(r.path, r.status) for r in log] == [("/repos/forge-fixtures/custom-terms", 304)]
    assert log[0].if_none_match
    assert loopback_forge.state.used == used
    assert second.cached and second.license_text == first.license_text
    assert second.license_id == first.license_id


def test_cache_files_are_whole_and_a_broken_one_is_ignored(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/licensed"))
    files = list((tmp_path / "cache").rglob("*"))
    assert [f.name for f in files if f.is_file() and f.name.endswith(".tmp")] == []
    [cached] = [f for f in files if f.suffix == ".json"]
    assert json.loads(cached.read_text())["answer"]["license_id"] == "MIT"
    cached.write_text('{"format": 1, "answer": ')  # as if a writer died half-way
    loopback_forge.reset_log()
    answer = source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/licensed"))
    assert answer.license_id == "MIT" and not answer.cached
    assert loopback_forge.requests[0].if_none_match is None


def test_offline_answers_from_the_cache_only(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/licensed"))
    loopback_forge.reset_log()
    offline = source(loopback_forge, tmp_path, offline=True)
    cached = offline.lookup(repo("github.com/forge-fixtures/licensed"))
    missing = offline.lookup(repo("github.com/forge-fixtures/unlicensed"))
    assert cached.status is ForgeStatus.OK and cached.cached and cached.license_id == "MIT"
    assert missing.status is ForgeStatus.NOT_CACHED and missing.message
    assert loopback_forge.requests == []


def test_unreachable_forge_is_an_answer_not_an_error(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    loopback_forge.go_away()
    answer = source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/licensed"))
    assert answer.status is ForgeStatus.UNREACHABLE
    assert answer.message and "did not answer" in answer.message


def test_server_errors_are_retried_then_unreachable(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    loopback_forge.fail_with(503)
    answer = source(loopback_forge, tmp_path, retries=3).lookup(
        repo("github.com/forge-fixtures/licensed"))
    assert answer.status is ForgeStatus.UNREACHABLE and "HTTP 503" in (answer.message or "")
    assert len(loopback_forge.requests) == 3


def test_an_outage_falls_back_to_an_older_cached_answer(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/licensed"))
    loopback_forge.exhaust()
    answer = source(loopback_forge, tmp_path).lookup(repo("github.com/forge-fixtures/licensed"))
    # The conditional request is free even when the limit is spent: 304, the cached answer.
    assert answer.status is ForgeStatus.OK and answer.cached
    loopback_forge.fail_with(502)
    answer = source(loopback_forge, tmp_path, retries=1).lookup(
        repo("github.com/forge-fixtures/licensed"))
    assert answer.status is ForgeStatus.OK and answer.cached and answer.license_id == "MIT"


def test_tokens_are_sent_to_their_own_forge_and_never_shown(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    forge = source(loopback_forge, tmp_path, github_token=TOKEN, gitlab_token="glpat-SECRET99")
    forge.lookup(repo("github.com/forge-fixtures/licensed"))
    forge.lookup(repo("gitlab.com/forge-fixtures/group/data-pipeline"))
    loopback_forge.exhaust()
    limited = forge.lookup(repo("github.com/forge-fixtures/unlicensed"))
    auth = [r.authorization for r in loopback_forge.requests]
    assert auth == [f"Bearer {TOKEN}", "glpat-SECRET99", f"Bearer {TOKEN}"]
    assert limited.message and TOKEN not in limited.message
    assert "token" in limited.message and "60 requests" not in limited.message


def test_gitlab_projects(loopback_forge: LoopbackForge, tmp_path: Path) -> None:
    forge = source(loopback_forge, tmp_path)
    licensed = forge.lookup(repo("https://gitlab.com/forge-fixtures/group/data-pipeline/-/tree/main"))
    bare = forge.lookup(repo("https://gitlab.com/forge-fixtures/unlicensed"))
    gone = forge.lookup(repo("https://gitlab.com/forge-fixtures/nothing-here"))
    assert (licensed.status, licensed.license_id) == (ForgeStatus.OK, "mit")
    assert licensed.canonical == "gitlab.com/forge-fixtures/group/data-pipeline"
    assert licensed.license_path == "LICENSE"
    assert (bare.status, bare.license_id) == (ForgeStatus.OK, None)
    assert gone.status is ForgeStatus.NOT_FOUND
    first = loopback_forge.requests[0]
    assert first.path == "/api/v4/projects/forge-fixtures%2Fgroup%2Fdata-pipeline"
    assert first.query == "license=true"


def test_environment_configures_the_source() -> None:
    forge = ForgeSource.from_environment(environ={
        "GITHUB_API_URL": "http://example.invalid/api/", "GH_TOKEN": "ghp_x",
        "GITLAB_API_URL": "http://gitlab.example.invalid", "HF_HUB_OFFLINE": "1",
    })
    assert forge.bases == {"github": "http://example.invalid/api",
                           "gitlab": "http://gitlab.example.invalid"}
    assert forge.tokens["github"] == "ghp_x" and forge.offline
    default = ForgeSource.from_environment(environ={})
    assert default.bases["github"] == "https://api.github.com" and default.anonymous_github


CARD = """---
license: apache-2.0
---
# Model

## Training

Our training code: https://github.com/forge-fixtures/licensed
Data cleaning scripts: [data pipeline](https://gitlab.com/forge-fixtures/group/data-pipeline).
Run it with [transformers](https://github.com/huggingface/transformers).
"""


def test_with_forge_adds_answers_for_the_models_own_code_only(
    loopback_forge: LoopbackForge, tmp_path: Path
) -> None:
    bundle = Bundle(subject=ModelMaterial(id="x", source="local", card_text=CARD))
    done = with_forge(bundle, source(loopback_forge, tmp_path))
    assert done.forge_consulted
    assert sorted(done.code_repos) == ["github.com/forge-fixtures/licensed",
                                       "gitlab.com/forge-fixtures/group/data-pipeline"]
    assert not any("transformers" in r.path for r in loopback_forge.requests)
    report = check_bundle(done)
    code = report.evidence.code
    assert code.availability == "released"
    assert code.license.entry is not None and code.license.entry.id == "mit"
    assert code.license.source == "forge"
    assert str(code.license.origin).startswith("forge:")
    assert report.grade.components["code"].cells
