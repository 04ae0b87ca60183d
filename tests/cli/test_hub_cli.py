"""`owcheck ORG/NAME` end to end: the real huggingface_hub client against the loopback Hub."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support import run_owcheck, validate_report


def _grade(hub: Any, tmp_path: Path, target: str, *extra: str) -> dict[str, Any]:
    done = run_owcheck(target, "--format", "json", *extra, env=hub.env(tmp_path))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    return data


def _rules(data: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in data["findings"] if not f["suppressed"]}


def test_plain_open_model_records_the_revision_sha(loopback_hub: Any, tmp_path: Path) -> None:
    data = _grade(loopback_hub, tmp_path, "acme/plain-7b")
    assert data["subject"] == {"id": "acme/plain-7b", "source": "hub",
                               "revision": loopback_hub.sha("models", "acme/plain-7b", "main"),
                               "last_modified": None}
    assert data["grade"] == "C"
    assert data["components"]["weights"]["available"] == "released"
    assert data["components"]["weights"]["license"]["id"] == "apache-2.0"


def test_fully_open_model_with_open_datasets_is_grade_a(loopback_hub: Any, tmp_path: Path) -> None:
    data = _grade(loopback_hub, tmp_path, "openlab/fully-open-1b")
    assert data["grade"] == "A", data["reason"]
    assert {d["id"]: d["license"]["verdict"] for d in data["datasets"]} == {
        "openlab/web-text": "open", "openlab/books-odc": "open"}
    assert data["frameworks"]["osaid"] == "pass" and data["frameworks"]["fsf"] == "free"


def test_gated_llama_style_model(loopback_hub: Any, tmp_path: Path) -> None:
    data = _grade(loopback_hub, tmp_path, "examplemeta/llama-style-8b")
    weights = data["components"]["weights"]
    assert data["grade"] == "D"
    assert weights["available"] == "gated"
    assert weights["license"]["id"] == "llama3.1"
    assert weights["freedoms"]["study"] == "limited"  # manual approval
    # The gated use policy could not be read: the report says so instead of guessing.
    missing = [f["message"] for f in data["findings"] if f["rule"] == "OW108"]
    assert any("USE_POLICY.md" in m for m in missing), missing


def test_apache_adapter_on_llama_base_is_laundering(loopback_hub: Any, tmp_path: Path) -> None:
    data = _grade(loopback_hub, tmp_path, "launder/llama-style-lora")
    assert data["grade"] == "D"
    assert data["components"]["weights"]["license"]["id"] == "llama3.1"
    assert data["lineage"][0]["id"] == "examplemeta/llama-style-8b"
    assert data["lineage"][0]["relation"] == "adapter"
    launder = [f for f in data["findings"] if f["rule"] == "OW503"]
    assert launder and launder[0]["severity"] == "error"
    assert "examplemeta/llama-style-8b" in launder[0]["message"]
    assert "llama3.1" in launder[0]["message"] and "§" in launder[0]["message"]
    text = run_owcheck("launder/llama-style-lora", env=loopback_hub.env(tmp_path)).stdout
    assert "lineage" in text and "adapter: examplemeta/llama-style-8b" in text


def test_merge_takes_the_most_restrictive_base(loopback_hub: Any, tmp_path: Path) -> None:
    data = _grade(loopback_hub, tmp_path, "mergers/two-base-merge")
    assert {link["id"] for link in data["lineage"]} == {"basesco/mit-base", "basesco/nc-base"}
    assert data["components"]["weights"]["license"]["id"] == "cc-by-nc-4.0"
    assert data["grade"] == "F"
    assert "OW503" in _rules(data)


def test_quantization_chain_three_deep(loopback_hub: Any, tmp_path: Path) -> None:
    data = _grade(loopback_hub, tmp_path, "quants/chain-q4-gguf")
    assert [link["id"] for link in data["lineage"]] == [
        "tuners/chain-ft", "basesco/chain-base"][: len(data["lineage"])]
    assert len(data["lineage"]) >= 2
    assert "OW506" in _rules(data)  # base_model written as a URL


def test_cycle_in_base_model_is_reported(loopback_hub: Any, tmp_path: Path) -> None:
    data = _grade(loopback_hub, tmp_path, "loops/model-a")
    assert "OW505" in _rules(data)


def test_missing_repo_is_exit_2(loopback_hub: Any, tmp_path: Path) -> None:
    done = run_owcheck("acme/does-not-exist", env=loopback_hub.env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip().startswith("owcheck: error:") and "\n" not in done.stderr.strip()


def test_missing_license_file(loopback_hub: Any, tmp_path: Path) -> None:
    # The card says MIT and the repo ships no LICENSE: graded from the metadata, no crash.
    data = _grade(loopback_hub, tmp_path, "acme/no-license")
    assert data["grade"] == "C"
    assert data["components"]["weights"]["license"] == {
        "id": "mit", "name": "MIT License", "verdict": "open", "source": "metadata",
        "closest": None}
    assert "OW201" not in _rules(data)


def test_dataset_with_a_list_of_licenses_takes_the_worst(loopback_hub: Any, tmp_path: Path) -> None:
    data = _grade(loopback_hub, tmp_path, "acme/three-data")
    mixed = next(d for d in data["datasets"] if d["id"] == "mixdata/mixed-licenses")
    assert mixed["license"] == {"id": "cc-by-nc-4.0", "verdict": "not-open"}
    assert data["components"]["data"]["license"]["verdict"] == "not-open"
    assert "OW407" in _rules(data)


def test_revision_pin(loopback_hub: Any, tmp_path: Path) -> None:
    main = _grade(loopback_hub, tmp_path, "acme/relicensed")
    pinned = _grade(loopback_hub, tmp_path, "acme/relicensed@v1.0")
    flag = _grade(loopback_hub, tmp_path, "acme/relicensed", "--revision", "v1.0")
    assert main["components"]["weights"]["license"]["id"] == "apache-2.0"
    assert pinned["components"]["weights"]["license"]["id"] == "cc-by-nc-4.0"
    assert flag["subject"]["revision"] == pinned["subject"]["revision"]
    assert pinned["subject"]["revision"] != main["subject"]["revision"]
    missing = run_owcheck("acme/relicensed@no-such-rev", env=loopback_hub.env(tmp_path))
    assert missing.returncode == 2


def test_offline_after_a_first_run(loopback_hub: Any, tmp_path: Path) -> None:
    online = _grade(loopback_hub, tmp_path, "launder/llama-style-lora")
    loopback_hub.reset_log()
    offline = _grade(loopback_hub, tmp_path, "launder/llama-style-lora", "--offline")
    assert not loopback_hub.requests, "offline mode must not touch the network"
    assert offline["grade"] == online["grade"]
    assert offline["components"]["weights"]["license"] == online["components"]["weights"]["license"]
    never = run_owcheck("acme/plain-7b", "--offline", env=loopback_hub.env(tmp_path))
    assert never.returncode == 2 and "cache" in never.stderr


def test_hub_unreachable_is_exit_3(loopback_hub: Any, tmp_path: Path) -> None:
    loopback_hub.fail_with(503)
    done = run_owcheck("acme/plain-7b", env=loopback_hub.env(tmp_path))
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().count("\n") == 0


def test_token_never_appears_in_output(loopback_hub: Any, tmp_path: Path) -> None:
    secret = "hf_TESTSECRET123456"
    env = {**loopback_hub.env(tmp_path), "HF_TOKEN": secret}
    for args in (["acme/plain-7b"], ["acme/plain-7b", "-f", "json"], ["acme/nope"],
                 ["acme/plain-7b", "--token", secret]):
        done = run_owcheck(*args, env=env)
        assert secret not in done.stdout + done.stderr
    assert any(r.authorization for r in loopback_hub.requests)


def test_no_request_is_made_twice(loopback_hub: Any, tmp_path: Path) -> None:
    _grade(loopback_hub, tmp_path, "mergers/diamond-merge")
    seen = [(r.method, r.path) for r in loopback_hub.requests]
    assert len(seen) == len(set(seen)), sorted(seen)
