"""HubSource through the real huggingface_hub client against the loopback Hub (tests/hub).

huggingface_hub reads HF_ENDPOINT, HF_HOME, HF_HUB_OFFLINE, ... at import time, so every fetch
runs in a fresh subprocess (``python -m tests.hub.run_source``) with the loopback Hub's
environment; the client is never patched. Pure helpers (id parsing) are tested in-process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.hub.server import LoggedRequest, LoopbackHub

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "hf_TESTSECRET123"
WEIGHT_SUFFIXES = (".safetensors", ".gguf", ".bin")


@dataclass
class Run:
    """One subprocess run of the source."""

    returncode: int
    stdout: str
    stderr: str
    data: dict[str, Any]

    @property
    def bundle(self) -> dict[str, Any]:
        assert self.data["ok"], self.data
        bundle: dict[str, Any] = self.data["bundle"]
        return bundle

    @property
    def subject(self) -> dict[str, Any]:
        subject: dict[str, Any] = self.bundle["subject"]
        return subject


def fetch(
    hub: LoopbackHub, tmp_path: Path, target: str, *args: str,
    env: dict[str, str] | None = None,
) -> Run:
    full_env = hub.env(tmp_path)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "tests.hub.run_source", target, *args],
        cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120,
    )
    assert proc.stdout.strip(), proc.stderr
    return Run(proc.returncode, proc.stdout, proc.stderr, json.loads(proc.stdout))


def requested(hub: LoopbackHub) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in hub.requests]


def assert_no_repeats(hub: LoopbackHub) -> None:
    repeats = {k: n for k, n in Counter(requested(hub)).items() if n > 1}
    assert not repeats, repeats


def assert_no_weights_requested(hub: LoopbackHub) -> None:
    """Weight files are never downloaded: at most their header is read by a ranged GET."""
    assert not [r.path for r in hub.requests
                if r.path.endswith(WEIGHT_SUFFIXES) and not (r.range or "").startswith("bytes=0-")]


# --------------------------------------------------------------------------- one model


def test_plain_model(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    run = fetch(loopback_hub, tmp_path, "acme/plain-7b")
    sha = loopback_hub.sha("models", "acme/plain-7b")
    s = run.subject
    assert run.returncode == 0
    assert (s["id"], s["source"], s["revision"], s["requested_revision"]) == (
        "acme/plain-7b", "hub", sha, None)
    assert s["card_path"] == "README.md" and "license: apache-2.0" in s["card_text"]
    assert list(s["license_files"]) == ["LICENSE"]
    assert "stand-in for the Apache License 2.0" in s["license_files"]["LICENSE"]
    assert set(s["files"]) == {"LICENSE", "README.md", "config.json", "model.safetensors"}
    assert s["gated"] is None
    assert s["api_card_data"]["license"] == "apache-2.0"
    assert "license:apache-2.0" in s["tags"]
    assert (s["pipeline_tag"], s["library_name"]) == ("text-generation", "transformers")
    assert (s["problems"], s["missing"]) == ([], [])
    b = run.bundle
    assert b["ancestors"] == {} and b["datasets"] == {} and b["lineage_truncated"] == []
    assert b["lineage_resolvable"] is True and b["offline"] is False
    assert b["parents"] == {"acme/plain-7b": []}
    # One info call asking only for what is needed, then, together, one GET each (no HEAD) at
    # the commit: README and LICENSE, the config (lineage evidence) and one ranged read of the
    # weight file's header.
    log = requested(loopback_hub)
    assert log[0] == ("GET", "/api/models/acme/plain-7b")
    assert sorted(log[1:]) == [
        ("GET", f"/acme/plain-7b/resolve/{sha}/LICENSE"),
        ("GET", f"/acme/plain-7b/resolve/{sha}/README.md"),
        ("GET", f"/acme/plain-7b/resolve/{sha}/config.json"),
        ("GET", f"/acme/plain-7b/resolve/{sha}/model.safetensors"),
    ]
    header = [r for r in loopback_hub.requests if r.path.endswith("model.safetensors")]
    assert [(r.status, r.range) for r in header] == [(206, "bytes=0-262143")]
    assert "config.json" in s["config_files"]
    assert s["weight_headers"]["model.safetensors"]["bytes"] > 0
    query = loopback_hub.requests[0].query
    for prop in ("cardData", "gated", "sha", "siblings", "tags", "pipeline_tag", "library_name"):
        assert f"expand={prop}" in query
    assert "expand=config" not in query and "blobs" not in query


def test_second_run_reuses_the_download_cache(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    fetch(loopback_hub, tmp_path, "acme/plain-7b")
    loopback_hub.reset_log()
    run = fetch(loopback_hub, tmp_path, "acme/plain-7b")
    assert list(run.subject["license_files"]) == ["LICENSE"]
    # The commit has not moved, so owcheck's cache answers for every file, the weight file's
    # header included: only the info call.
    assert requested(loopback_hub) == [("GET", "/api/models/acme/plain-7b")]
    assert run.subject["weight_headers"]["model.safetensors"]["bytes"] > 0
    assert "config.json" in run.subject["config_files"]


def test_fully_open_model_with_datasets(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    run = fetch(loopback_hub, tmp_path, "openlab/fully-open-1b")
    b = run.bundle
    assert list(b["datasets"]) == ["openlab/web-text", "openlab/books-odc"]
    web, books = b["datasets"]["openlab/web-text"], b["datasets"]["openlab/books-odc"]
    assert web["api_card_data"]["license"] == "cc-by-4.0"
    assert "Creative Commons Attribution 4.0" in web["license_files"]["LICENSE"]
    assert "license: cc-by-4.0" in web["card_text"]
    assert web["revision"] == loopback_hub.sha("datasets", "openlab/web-text")
    assert "data/train.jsonl" in web["files"]
    assert books["api_card_data"]["license"] == "odc-by" and books["license_files"] == {}
    openness = run.subject["api_card_data"]["openness"]
    assert openness["code"][0]["license"] == "apache-2.0"
    assert_no_repeats(loopback_hub)
    paths = [p for _, p in requested(loopback_hub)]
    assert "/api/datasets/openlab/web-text" in paths
    assert not [p for p in paths if p.endswith(".jsonl")]  # data files are never downloaded


def test_gated_base_behind_an_apache_adapter(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    run = fetch(loopback_hub, tmp_path, "launder/llama-style-lora")
    b = run.bundle
    assert run.subject["api_card_data"]["license"] == "apache-2.0"
    base = b["ancestors"]["examplemeta/llama-style-8b"]
    assert base["gated"] == "manual"
    assert base["api_card_data"]["license"] == "llama3.1"
    assert "extra_gated_prompt" in base["api_card_data"]
    # Card and LICENSE of a gated repo are readable; a gated file is missing evidence.
    assert "license: llama3.1" in base["card_text"]
    assert "Llama 3.1 Community License" in base["license_files"]["LICENSE"]
    assert base["missing"] == [
        "USE_POLICY.md of examplemeta/llama-style-8b is gated: request access on the Hub to read it"
    ]
    assert b["parents"] == {
        "launder/llama-style-lora": ["examplemeta/llama-style-8b"],
        "examplemeta/llama-style-8b": [],
    }
    assert b["relations"] == {"launder/llama-style-lora": "adapter"}
    assert_no_weights_requested(loopback_hub)
    assert_no_repeats(loopback_hub)
    # Two infos; README and LICENSE of each; the base's USE_POLICY.md (gated: 401); the
    # adapter's adapter_config.json and its weight file's header (one ranged GET).
    assert len(loopback_hub.requests) == 9
    assert "adapter_config.json" in run.subject["config_files"]


def test_merge_of_two_bases(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    b = fetch(loopback_hub, tmp_path, "mergers/two-base-merge").bundle
    assert list(b["ancestors"]) == ["basesco/mit-base", "basesco/nc-base"]
    assert b["ancestors"]["basesco/mit-base"]["api_card_data"]["license"] == "mit"
    nc = b["ancestors"]["basesco/nc-base"]
    assert nc["api_card_data"]["license"] == "cc-by-nc-4.0"
    assert list(nc["license_files"]) == ["LICENSE.md"]
    assert b["relations"] == {"mergers/two-base-merge": "merge"}
    assert b["parents"]["mergers/two-base-merge"] == ["basesco/mit-base", "basesco/nc-base"]


def test_shared_base_is_looked_up_once(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    b = fetch(loopback_hub, tmp_path, "mergers/diamond-merge").bundle
    assert list(b["ancestors"]) == ["tuners/chain-ft", "basesco/chain-base", "tuners/sibling-ft"]
    assert b["parents"]["tuners/sibling-ft"] == ["basesco/chain-base"]
    assert b["lineage_truncated"] == []
    paths = [p for _, p in requested(loopback_hub)]
    assert paths.count("/api/models/basesco/chain-base") == 1
    assert_no_repeats(loopback_hub)


def test_quantization_chain(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    b = fetch(loopback_hub, tmp_path, "quants/chain-q4-gguf").bundle
    # base_model is written as a https://huggingface.co/ URL in the quant's card.
    assert list(b["ancestors"]) == ["tuners/chain-ft", "basesco/chain-base"]
    assert b["parents"] == {
        "quants/chain-q4-gguf": ["tuners/chain-ft"],
        "tuners/chain-ft": ["basesco/chain-base"],
        "basesco/chain-base": [],
    }
    assert b["relations"] == {"quants/chain-q4-gguf": "quantized", "tuners/chain-ft": "finetune"}
    assert list(b["subject"]["license_files"]) == ["LICENSE.txt"]
    assert b["subject"]["library_name"] == "gguf"
    assert b["lineage_truncated"] == []


def test_depth_limit(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    b = fetch(loopback_hub, tmp_path, "quants/chain-q4-gguf", "--max-depth", "1").bundle
    assert list(b["ancestors"]) == ["tuners/chain-ft"]
    assert b["lineage_truncated"] == ["basesco/chain-base: depth limit"]
    assert b["parents"]["tuners/chain-ft"] == ["basesco/chain-base"]
    assert "/api/models/basesco/chain-base" not in [p for _, p in requested(loopback_hub)]


def test_cycle(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    b = fetch(loopback_hub, tmp_path, "loops/model-a").bundle
    assert list(b["ancestors"]) == ["loops/model-b"]
    assert b["lineage_truncated"] == ["loops/model-a: cycle"]
    assert b["parents"] == {"loops/model-a": ["loops/model-b"], "loops/model-b": ["loops/model-a"]}
    paths = [p for _, p in requested(loopback_hub)]
    assert paths.count("/api/models/loops/model-a") == 1
    assert_no_repeats(loopback_hub)


def test_model_without_license_file(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    s = fetch(loopback_hub, tmp_path, "acme/no-license").subject
    assert s["license_files"] == {} and s["problems"] == [] and s["missing"] == []
    assert s["api_card_data"]["license"] == "mit"
    # The file list says there is no LICENSE: it is not even asked for (info, README, one
    # ranged read of the weight file's header).
    assert len(loopback_hub.requests) == 3


def test_three_datasets_and_a_license_list(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    b = fetch(loopback_hub, tmp_path, "acme/three-data").bundle
    assert list(b["datasets"]) == [
        "openlab/web-text", "openlab/books-odc", "mixdata/mixed-licenses"]
    mixed = b["datasets"]["mixdata/mixed-licenses"]
    assert mixed["api_card_data"]["license"] == ["cc-by-4.0", "cc-by-nc-4.0"]
    assert "license:\n  - cc-by-4.0\n  - cc-by-nc-4.0" in mixed["card_text"]
    assert_no_repeats(loopback_hub)
    # subject 4 (with the weight file's header) + web-text 3 (info, README, LICENSE) + books-odc
    # 2 (no LICENSE) + mixed 3
    assert len(loopback_hub.requests) == 12
    infos = [p for _, p in requested(loopback_hub) if p.startswith("/api/")]
    assert len(infos) == 4


def test_odd_references_and_unreadable_files(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    b = fetch(loopback_hub, tmp_path, "acme/odd-refs").bundle
    s = b["subject"]
    assert b["ancestors"] == {"ghost/missing-base": None}
    # "openlab/web-text:en" names a config: the repo is openlab/web-text.
    assert list(b["datasets"]) == ["ghost/missing-data", "openlab/web-text"]
    assert b["datasets"]["ghost/missing-data"] is None
    assert b["datasets"]["openlab/web-text"] is not None
    # license_link names TERMS.md, which is read although it is not called LICENSE.
    assert list(s["license_files"]) == ["TERMS.md"]
    assert "LICENSE of acme/odd-refs is not UTF-8 text; not read" in s["problems"]
    assert "NOTICE of acme/odd-refs is binary, not text; not read" in s["problems"]
    assert "base_model value 'not a repo id!' is not a Hub model id" in s["problems"]
    assert "datasets value 'Common Crawl' is not a Hub dataset id" in s["problems"]


def test_file_size_cap(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    run = fetch(loopback_hub, tmp_path, "acme/plain-7b", "--max-file-bytes", "120")
    s = run.subject
    assert run.returncode == 0
    assert s["card_text"] is None and list(s["license_files"]) == ["LICENSE"]
    assert any(p.startswith("README.md of acme/plain-7b is") and "over the 120-byte limit" in p
               for p in s["problems"])


# --------------------------------------------------------------------------- revisions


def test_revision_pin(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    main_sha = loopback_hub.sha("models", "acme/relicensed", "main")
    v1_sha = loopback_hub.sha("models", "acme/relicensed", "v1.0")
    assert main_sha != v1_sha
    s = fetch(loopback_hub, tmp_path, "acme/relicensed@v1.0").subject
    assert (s["revision"], s["requested_revision"]) == (v1_sha, "v1.0")
    assert s["api_card_data"]["license"] == "cc-by-nc-4.0"
    assert "license: cc-by-nc-4.0" in s["card_text"]
    assert "NonCommercial" in s["license_files"]["LICENSE"]
    paths = [p for _, p in requested(loopback_hub)]
    assert paths[0] == "/api/models/acme/relicensed/revision/v1.0"
    assert all(v1_sha in p for p in paths[1:])

    loopback_hub.reset_log()
    main = fetch(loopback_hub, tmp_path, "acme/relicensed").subject
    assert (main["revision"], main["api_card_data"]["license"]) == (main_sha, "apache-2.0")


@pytest.mark.parametrize(
    ("target", "args"),
    [
        ("acme/relicensed@main", ("--revision", "v1.0")),  # the option overrides @REV
        ("https://huggingface.co/acme/relicensed/tree/v1.0", ()),
    ],
)
def test_revision_forms(
    loopback_hub: LoopbackHub, tmp_path: Path, target: str, args: tuple[str, ...]
) -> None:
    s = fetch(loopback_hub, tmp_path, target, *args).subject
    assert s["revision"] == loopback_hub.sha("models", "acme/relicensed", "v1.0")
    assert s["id"] == "acme/relicensed"


def test_revision_by_sha(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    v1_sha = loopback_hub.sha("models", "acme/relicensed", "v1.0")
    s = fetch(loopback_hub, tmp_path, f"acme/relicensed@{v1_sha}").subject
    assert s["revision"] == v1_sha and s["api_card_data"]["license"] == "cc-by-nc-4.0"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("target", "needle"),
    [
        ("acme/not-there", "acme/not-there was not found on the Hub"),
        ("acme/private-model", "acme/private-model was not found on the Hub"),
        ("acme/relicensed@v9", "acme/relicensed has no revision 'v9'"),
        ("https://huggingface.co/datasets/openlab/web-text", "is a dataset, not a model"),
    ],
)
def test_unusable_subject_is_an_input_error(
    loopback_hub: LoopbackHub, tmp_path: Path, target: str, needle: str
) -> None:
    run = fetch(loopback_hub, tmp_path, target)
    assert run.returncode == 2
    assert run.data["error"] == "InputError" and run.data["exit_code"] == 2
    assert needle in run.data["message"] and "\n" not in run.data["message"]
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("target", ["bad--id", "a/b/c/d", "org/name@", "x" * 120])
def test_malformed_id_makes_no_request(
    loopback_hub: LoopbackHub, tmp_path: Path, target: str
) -> None:
    run = fetch(loopback_hub, tmp_path, target)
    assert (run.returncode, run.data["error"]) == (2, "InputError")
    assert loopback_hub.requests == []


def test_hub_failing_is_unavailable_after_bounded_retries(
    loopback_hub: LoopbackHub, tmp_path: Path
) -> None:
    loopback_hub.fail_with(503)
    run = fetch(loopback_hub, tmp_path, "acme/plain-7b")
    assert run.returncode == 3
    assert run.data["error"] == "HubUnavailableError"
    assert "after 3 attempts (HTTP 503)" in run.data["message"]
    assert [r.status for r in loopback_hub.requests] == [503, 503, 503]


def test_transient_429_is_retried(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    loopback_hub.fail_with(429, count=2)
    run = fetch(loopback_hub, tmp_path, "acme/plain-7b")
    assert run.returncode == 0
    assert [r.status for r in loopback_hub.requests][:3] == [429, 429, 200]
    assert list(run.subject["license_files"]) == ["LICENSE"]


def test_hub_gone_is_unavailable(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    loopback_hub.go_away()
    run = fetch(loopback_hub, tmp_path, "acme/plain-7b")
    assert (run.returncode, run.data["error"]) == (3, "HubUnavailableError")
    assert "ConnectError" in run.data["message"]


# --------------------------------------------------------------------------- offline


def test_offline_after_an_online_run(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    online = fetch(loopback_hub, tmp_path, "launder/llama-style-lora").bundle
    loopback_hub.go_away()
    offline = fetch(loopback_hub, tmp_path, "launder/llama-style-lora", "--offline").bundle
    assert offline["offline"] is True
    assert offline["subject"]["revision"] == online["subject"]["revision"]
    assert offline["subject"]["license_files"] == online["subject"]["license_files"]
    assert offline["subject"]["card_text"] == online["subject"]["card_text"]
    assert offline["subject"]["api_card_data"] == online["subject"]["api_card_data"]
    base = offline["ancestors"]["examplemeta/llama-style-8b"]
    assert base["gated"] == "manual" and "LICENSE" in base["license_files"]
    # The gated file was never downloaded, so offline it is simply not in the cache.
    assert base["missing"] == ["USE_POLICY.md of examplemeta/llama-style-8b not in cache"]
    assert offline["relations"] == online["relations"]


def test_offline_via_environment(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    fetch(loopback_hub, tmp_path, "acme/relicensed@v1.0")
    loopback_hub.reset_log()
    run = fetch(loopback_hub, tmp_path, "acme/relicensed@v1.0", env={"HF_HUB_OFFLINE": "1"})
    assert run.bundle["offline"] is True
    assert run.subject["revision"] == loopback_hub.sha("models", "acme/relicensed", "v1.0")
    assert run.subject["api_card_data"]["license"] == "cc-by-nc-4.0"
    assert loopback_hub.requests == []  # the server is up, but nothing was asked


def test_offline_lists_what_is_not_cached(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    fetch(loopback_hub, tmp_path, "quants/chain-q4-gguf", "--max-depth", "1")
    loopback_hub.reset_log()
    b = fetch(loopback_hub, tmp_path, "quants/chain-q4-gguf", "--offline").bundle
    base = b["ancestors"]["basesco/chain-base"]
    assert base is not None and base["card_text"] is None and base["revision"] is None
    assert base["missing"] == [
        "model info for basesco/chain-base not in cache",
        "README.md of basesco/chain-base not in cache",
    ]
    assert b["lineage_truncated"] == ["basesco/chain-base: not in cache"]
    assert b["ancestors"]["tuners/chain-ft"]["license_files"]
    assert loopback_hub.requests == []


def test_offline_dataset_not_cached(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    fetch(loopback_hub, tmp_path, "acme/three-data")
    home = tmp_path / "hf-home"
    # Forget one dataset: the record of its info answer and files kept for offline runs.
    (home / "owcheck" / "repos" / "datasets" / "mixdata--mixed-licenses@main.json").unlink()
    b = fetch(loopback_hub, tmp_path, "acme/three-data", "--offline").bundle
    mixed = b["datasets"]["mixdata/mixed-licenses"]
    assert mixed is not None and mixed["card_text"] is None
    assert mixed["missing"] == [
        "dataset info for mixdata/mixed-licenses not in cache",
        "README.md of mixdata/mixed-licenses not in cache",
    ]
    web = b["datasets"]["openlab/web-text"]
    assert web["api_card_data"]["license"] == "cc-by-4.0" and web["missing"] == []


def test_offline_without_cache_is_an_input_error(
    loopback_hub: LoopbackHub, tmp_path: Path
) -> None:
    run = fetch(loopback_hub, tmp_path, "acme/plain-7b", "--offline")
    assert (run.returncode, run.data["error"]) == (2, "InputError")
    assert "not in the local cache" in run.data["message"]
    assert loopback_hub.requests == []


# --------------------------------------------------------------------------- tokens


def test_token_is_sent_but_never_shown(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    run = fetch(loopback_hub, tmp_path, "launder/llama-style-lora", "--token", TOKEN)
    assert run.returncode == 0
    assert {r.authorization for r in loopback_hub.requests} == {f"Bearer {TOKEN}"}
    # With a token and no access, the gated file answers 403: still only missing evidence.
    assert [r.status for r in loopback_hub.requests if r.path.endswith("USE_POLICY.md")] == [403]
    assert TOKEN not in run.stdout + run.stderr
    cached = [p.read_bytes() for p in (tmp_path / "hf-home").rglob("*") if p.is_file()]
    assert cached and not [c for c in cached if TOKEN.encode() in c]


@pytest.mark.parametrize("status", [403, 400])
def test_token_is_scrubbed_from_error_messages(
    loopback_hub: LoopbackHub, tmp_path: Path, status: int
) -> None:
    loopback_hub.echo_auth = True  # a hostile server that echoes the Authorization header
    loopback_hub.fail_with(status)
    run = fetch(loopback_hub, tmp_path, "acme/plain-7b", "--token", TOKEN)
    assert loopback_hub.requests[0].authorization == f"Bearer {TOKEN}"
    assert (run.returncode, run.data["error"]) == (2, "InputError")
    assert f"HTTP {status}" in run.data["message"] and "***" in run.data["message"]
    assert TOKEN not in run.stdout + run.stderr


def test_token_from_environment_is_scrubbed(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    loopback_hub.echo_auth = True
    loopback_hub.fail_with(403)
    run = fetch(loopback_hub, tmp_path, "acme/plain-7b", env={"HF_TOKEN": TOKEN})
    assert loopback_hub.requests[0].authorization == f"Bearer {TOKEN}"
    assert run.returncode == 2
    assert TOKEN not in run.stdout + run.stderr


# --------------------------------------------------------------------------- helpers, in-process


def test_local_path_does_not_import_the_client() -> None:
    code = (
        "import sys, openweights.sources; "
        "assert 'huggingface_hub' not in sys.modules, 'imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_target_forms() -> None:
    from openweights.sources import InputError
    from openweights.sources.hub import parse_target

    assert parse_target("org/name") == ("org/name", None)
    assert parse_target(" org/name@v1.0 ") == ("org/name", "v1.0")
    assert parse_target("https://huggingface.co/org/name") == ("org/name", None)
    assert parse_target("https://hf.co/org/name/blob/refs%2Fpr%2F1/README.md") == (
        "org/name", "refs/pr/1")
    assert parse_target("http://127.0.0.1:9/org/name", "http://127.0.0.1:9") == ("org/name", None)
    assert parse_target("gpt2") == ("gpt2", None)
    for bad in ("https://example.com/org/name", "https://huggingface.co/spaces/org/app",
                "org/na me", "../etc", ""):
        with pytest.raises(InputError):
            parse_target(bad)


def test_card_reference_forms() -> None:
    from openweights.repoids import base_model_ids, dataset_ids, repo_id_from

    assert repo_id_from("https://huggingface.co/org/base/tree/main") == "org/base"
    assert repo_id_from("https://huggingface.co/datasets/org/d", "model") is None
    assert repo_id_from("https://huggingface.co/datasets/org/d", "dataset") == "org/d"
    assert repo_id_from("org/d:config", "dataset") == "org/d"
    assert repo_id_from("org/d/subset/extra", "dataset") == "org/d"
    assert repo_id_from(42) is None
    assert base_model_ids({"base_model": ["a/b", "a/b", "https://hf.co/c/d"]}) == (
        ["a/b", "c/d"], [])
    ids, problems = dataset_ids({
        "datasets": "org/one",
        "openness": {"data": {"released": True, "datasets": ["org/two", "org/one", {"id": "o/3"}]}},
    })
    assert ids == ["org/one", "org/two", "o/3"] and problems == []
    assert dataset_ids({"datasets": ["The Pile"]}) == (
        [], ["datasets value 'The Pile' is not a Hub dataset id"])


def test_license_link_forms() -> None:
    from openweights.sources.hub import HubSource

    source = HubSource(endpoint="http://127.0.0.1:9")
    link = source._license_link_path
    assert link("LICENSE.md", "org/m", "model") == "LICENSE.md"
    assert link("./docs/TERMS.txt", "org/m", "model") == "docs/TERMS.txt"
    assert link("https://huggingface.co/org/m/blob/main/LICENSE", "org/m", "model") == "LICENSE"
    assert link("http://127.0.0.1:9/datasets/org/d/resolve/main/LICENSE.txt", "org/d",
                "dataset") == "LICENSE.txt"
    # Another repo, a remote page, or a path escaping the repo: not fetched.
    assert link("https://huggingface.co/other/base/blob/main/LICENSE", "org/m", "model") is None
    assert link("https://ai.google.dev/gemma/terms", "org/m", "model") is None
    assert link("../LICENSE", "org/m", "model") is None
    assert link(None, "org/m", "model") is None


def test_server_runs_by_hand() -> None:
    import urllib.request

    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.hub", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Loopback Hub serving on http://127.0.0.1:")
        endpoint = first.split()[-1]
        with urllib.request.urlopen(f"{endpoint}/api/models/acme/plain-7b") as answer:
            info = json.loads(answer.read())
        assert info["id"] == "acme/plain-7b" and info["cardData"]["license"] == "apache-2.0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --------------------------------------------------------------------------- waves and the cache


def waves(log: list[LoggedRequest], gap: float) -> list[list[str]]:
    """Requests grouped by arrival: a pause longer than ``gap`` starts the next round trip."""
    groups: list[list[str]] = []
    last = -1e9
    for entry in sorted(log, key=lambda r: r.time):
        if entry.time - last > gap:
            groups.append([])
        groups[-1].append(entry.path)
        last = entry.time
    return groups


@pytest.mark.parametrize(
    ("target", "levels"),
    [
        ("acme/plain-7b", 1),
        ("acme/three-data", 2),  # the datasets are one level
        ("launder/llama-style-lora", 2),
        ("mergers/diamond-merge", 3),
        ("quants/chain-q4-gguf", 3),
    ],
)
def test_a_cold_run_takes_one_round_trip_per_lineage_level_plus_one(
    tmp_path: Path, target: str, levels: int
) -> None:
    with LoopbackHub(latency=0.3) as hub:
        fetch(hub, tmp_path, target)
        rounds = waves(hub.requests, gap=0.15)
    assert len(rounds) == levels + 1, rounds
    # The first round is the subject's info alone; every info call of a level goes out together.
    assert rounds[0] == [f"/api/models/{target}"]
    assert not [p for p in rounds[-1] if p.startswith("/api/")]


def test_a_card_naming_more_than_its_card_data_is_still_followed(
    loopback_hub: LoopbackHub, tmp_path: Path
) -> None:
    b = fetch(loopback_hub, tmp_path, "acme/stale-card-data").bundle
    # The API's cardData names neither; the card read in the second round does.
    assert b["subject"]["api_card_data"] == {"license": "mit"}
    assert list(b["ancestors"]) == ["basesco/mit-base"]
    assert list(b["subject"]["license_files"]) == ["TERMS.md"]
    assert_no_repeats(loopback_hub)


def test_info_ttl_and_pinned_commits_skip_the_info_call(
    loopback_hub: LoopbackHub, tmp_path: Path
) -> None:
    fetch(loopback_hub, tmp_path, "launder/llama-style-lora")
    loopback_hub.reset_log()
    again = fetch(loopback_hub, tmp_path, "launder/llama-style-lora",
                  env={"OWCHECK_HUB_INFO_TTL": "600"})
    # Within the TTL nothing is asked, except the gated file (refusals are never cached).
    assert [p for _, p in requested(loopback_hub)] == [
        f"/examplemeta/llama-style-8b/resolve/"
        f"{loopback_hub.sha('models', 'examplemeta/llama-style-8b')}/USE_POLICY.md"]
    assert again.subject["license_files"]
    sha = loopback_hub.sha("models", "launder/llama-style-lora")
    fetch(loopback_hub, tmp_path, f"launder/llama-style-lora@{sha}")
    loopback_hub.reset_log()
    # A commit's info never changes: a second run pinned to it does not ask again.
    pinned = fetch(loopback_hub, tmp_path, f"launder/llama-style-lora@{sha}")
    assert pinned.subject["revision"] == sha
    assert pinned.subject["license_files"] == again.subject["license_files"]
    assert not [p for _, p in requested(loopback_hub) if p.startswith("/api/models/launder/")]


def test_damaged_cache_records_are_read_again(loopback_hub: LoopbackHub, tmp_path: Path) -> None:
    first = fetch(loopback_hub, tmp_path, "acme/plain-7b").subject
    sha = first["revision"]
    folder = tmp_path / "hf-home" / "owcheck" / "repos" / "models"
    record = folder / "acme--plain-7b@main.json"
    data = json.loads(record.read_text())
    assert sorted(data["files"]) == [
        "LICENSE", "README.md", "config.json", "model.safetensors#bytes=0-262143"]
    assert data["info"]["sha"] == sha
    # One entry whose bytes do not match its size (a disk that lost part of a write) ...
    data["files"]["LICENSE"][2] += 1
    record.write_text(json.dumps(data))
    (folder / ".acme--plain-7b@main.json.1.2.tmp").write_text("{")  # a writer that died
    loopback_hub.reset_log()
    again = fetch(loopback_hub, tmp_path, "acme/plain-7b").subject
    assert (again["license_files"], again["card_text"]) == (
        first["license_files"], first["card_text"])
    # ... is read again, alone.
    assert [p for _, p in requested(loopback_hub)] == [
        "/api/models/acme/plain-7b", f"/acme/plain-7b/resolve/{sha}/LICENSE"]
    # A record cut short does not parse: everything is read again, nothing half-read is used.
    record.write_bytes(record.read_bytes()[:-20])
    loopback_hub.reset_log()
    third = fetch(loopback_hub, tmp_path, "acme/plain-7b").subject
    assert third["license_files"] == first["license_files"]
    assert len(loopback_hub.requests) == 5  # the info and the four files
    assert json.loads(record.read_text())["info"]["sha"] == sha  # and kept whole again


def test_file_urls_are_the_clients() -> None:
    from huggingface_hub import constants, hf_hub_url

    from openweights.sources.hub import file_url

    cases = [("model", "org/m", "0" * 40, "LICENSE"),
             ("dataset", "org/d", "refs/pr/1", "docs/TERMS file.md"),
             ("model", "gpt2", "main", "README.md")]
    for kind, repo_id, revision, path in cases:
        expected = hf_hub_url(repo_id, path, repo_type=kind, revision=revision)
        assert file_url(constants.ENDPOINT, kind, repo_id, revision, path) == expected
        other = "http://127.0.0.1:9"
        assert file_url(other, kind, repo_id, revision, path) == hf_hub_url(
            repo_id, path, repo_type=kind, revision=revision, endpoint=other)


def test_the_hub_path_imports_only_the_clients_http_layer(
    loopback_hub: LoopbackHub, tmp_path: Path
) -> None:
    code = (
        "import sys\n"
        "from openweights.cli.entry import main\n"
        "try:\n"
        "    main(['acme/plain-7b', '--format', 'json'])\n"
        "except SystemExit as done:\n"
        "    code = done.code\n"
        "heavy = ['huggingface_hub.hf_api', 'huggingface_hub.file_download', 'tqdm', 'typer']\n"
        "print(code, [m for m in heavy if m in sys.modules], file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env=loopback_hub.env(tmp_path), timeout=120)
    assert proc.stderr.strip() == "0 []", proc.stderr
    assert json.loads(proc.stdout)["subject"]["id"] == "acme/plain-7b"
