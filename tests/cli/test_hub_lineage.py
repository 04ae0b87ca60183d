"""Lineage from every signal and license placement through the Hub: the real client against the
loopback Hub, serving repos written by the test (tiny GGUF and safetensors files generated here).

The Hub answers for the subject; its bases are not served (renamed, deleted or gated repos look
the same to a client), so their terms come from owcheck's base-model catalogue.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hub.server import LoopbackHub
from tests.support import run_owcheck, validate_report
from tests.weightfile_fixtures import gguf_bytes, safetensors_bytes

APACHE = "---\nlicense: apache-2.0\n---\n# Support-desk assistant\n\nA model for tests.\n"
REPOS: dict[str, dict[str, str | bytes]] = {
    "t/adapter": {
        "README.md": APACHE,
        "adapter_config.json": json.dumps(
            {"base_model_name_or_path": "meta-llama/Llama-2-7b-hf", "peft_type": "LORA"}
        ),
        "adapter_model.safetensors": safetensors_bytes({"format": "pt"}),
    },
    "t/config": {
        "README.md": APACHE,
        "config.json": json.dumps({"_name_or_path": "google/gemma-2-9b"}),
        "model.safetensors": safetensors_bytes({"format": "pt"}),
    },
    "t/gguf": {
        "README.md": APACHE,
        # A vocabulary after general.* makes the file larger than the bytes owcheck reads.
        "model-Q4_K_M.gguf": gguf_bytes(
            {
                "general.name": "Llama 3.1 8B Instruct",
                "general.license": "llama3.1",
                "general.base_model.count": 1,
                "general.base_model.0.repo_url":
                    "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
            },
            tokens=60_000,
        ),
    },
    "t/lora": {
        "README.md": "---\nlicense: mit\n---\n# Watercolour style\n\nA style adapter.\n",
        "pytorch_lora_weights.safetensors": safetensors_bytes(
            {"ss_sd_model_name": "sd_xl_base_1.0.safetensors"}
        ),
    },
    "t/renamed-base": {
        "README.md": "---\nlicense: apache-2.0\nbase_model: meta-llama/Meta-Llama-3.1-8B-Instruct\n"
        "---\n# A fine-tune\n",
        "model.safetensors": safetensors_bytes({"format": "pt"}),
    },
    "t/title": {
        "README.md": "---\nlicense: mit\n---\n# Model Card: Orca-Hermes-Llama2-13b\n\nA chat.\n",
        "model.safetensors": safetensors_bytes({"format": "pt"}),
    },
    "t/prose": {
        "README.md": APACHE + "\nThis is a merge of Llama 3.3 70B Instruct and a roleplay LoRA.\n",
        "model.safetensors": safetensors_bytes({"format": "pt"}),
    },
    # The same card in the vendor's own repo and in a mirror: the vendor may relicense its model,
    # a mirror may not (the catalogue records the research license of Qwen2.5-3B).
    "Qwen/Qwen2.5-3B-Instruct": {
        "README.md": "---\nlicense: apache-2.0\n---\n# Qwen2.5-3B-Instruct\n\nAn assistant.\n",
        "model.safetensors": safetensors_bytes({"format": "pt"}),
    },
    "mirror/Qwen2.5-3B-Instruct": {
        "README.md": "---\nlicense: apache-2.0\n---\n# Qwen2.5-3B-Instruct\n\nAn assistant.\n",
        "model.safetensors": safetensors_bytes({"format": "pt"}),
    },
    "t/placement": {
        "README.md": "---\nlicense: mit\n---\n# Music model\n\n**License:** Our code is available "
        "under MIT, the weights are released under CC-BY-NC 4.0.\n",
        "model.safetensors": safetensors_bytes({"format": "pt"}),
    },
}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackHub]:
    root = tmp_path_factory.mktemp("lineage-hub")
    for repo_id, files in REPOS.items():
        folder = root / "models" / repo_id / "main"
        folder.mkdir(parents=True)
        for name, content in files.items():
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            (folder / name).write_bytes(data)
    server = LoopbackHub(repos_dir=root).start()
    try:
        yield server
    finally:
        server.stop()


def _grade(hub: LoopbackHub, tmp_path: Path, target: str) -> dict[str, Any]:
    done = run_owcheck(target, "--format", "json", env=hub.env(tmp_path))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    return data


def _messages(data: dict[str, Any], code: str) -> list[str]:
    return [f["message"] for f in data["findings"] if f["rule"] == code and not f["suppressed"]]


def _bases(data: dict[str, Any], signal: str) -> list[dict[str, Any]]:
    return [b for b in data["inferred_bases"] if b["signal"] == signal]


def test_adapter_config_on_the_hub(hub: LoopbackHub, tmp_path: Path) -> None:
    data = _grade(hub, tmp_path, "t/adapter")
    [base] = _bases(data, "adapter_config")
    assert base["name"] == "meta-llama/Llama-2-7b-hf" and base["applied"]
    assert data["components"]["weights"]["license"]["id"] == "llama2"
    assert data["grade"] == "D"
    assert "adapter_config.json says" in _messages(data, "OW503")[0]
    assert _messages(data, "OW507")


def test_config_json_on_the_hub(hub: LoopbackHub, tmp_path: Path) -> None:
    data = _grade(hub, tmp_path, "t/config")
    [base] = _bases(data, "config")
    assert base["family"] == "gemma-2" and base["license"]["id"] == "gemma"
    assert data["grade"] == "D"


def test_gguf_header_by_one_ranged_get(hub: LoopbackHub, tmp_path: Path) -> None:
    hub.requests.clear()
    data = _grade(hub, tmp_path, "t/gguf")
    [meta] = data["weight_files"]
    assert meta["path"] == "model-Q4_K_M.gguf" and meta["license"] == "llama3.1"
    assert meta["complete"] is False  # only the header's first bytes were read
    assert data["components"]["weights"]["license"]["id"] == "llama3.1"
    assert any(b["applied"] for b in _bases(data, "weight_header"))
    assert "the weight file's header says" in _messages(data, "OW503")[0]
    assert "the weight file's header" in _messages(data, "OW214")[0]
    weight_reads = [r for r in hub.requests if r.path.endswith("/model-Q4_K_M.gguf")]
    assert [(r.method, r.status) for r in weight_reads] == [("GET", 206)]


def test_safetensors_header_on_the_hub(hub: LoopbackHub, tmp_path: Path) -> None:
    data = _grade(hub, tmp_path, "t/lora")
    [base] = _bases(data, "weight_header")
    assert base["family"] == "sdxl" and base["license"]["id"] == "openrail++"
    assert data["grade"] == "D" and _messages(data, "OW503")


def test_a_base_the_hub_cannot_answer_for_comes_from_the_catalogue(
    hub: LoopbackHub, tmp_path: Path
) -> None:
    data = _grade(hub, tmp_path, "t/renamed-base")
    assert data["lineage"][0]["found"] is False  # the old id answers 404
    assert _messages(data, "OW504")
    [base] = _bases(data, "base_model")
    assert base["license"]["id"] == "llama3.1" and base["applied"]
    assert data["components"]["weights"]["license"]["id"] == "llama3.1"
    assert "known offline from" in _messages(data, "OW503")[0]


def test_title_and_prose_on_the_hub(hub: LoopbackHub, tmp_path: Path) -> None:
    title = _grade(hub, tmp_path, "t/title")
    assert _bases(title, "title")[0]["family"] == "llama-2"
    assert title["grade"] == "D" and "the card's title says" in _messages(title, "OW503")[0]
    prose = _grade(hub, tmp_path, "t/prose")
    [base] = _bases(prose, "prose")
    assert base["family"] == "llama-3.3" and base["relation"] == "merge"
    assert prose["grade"] == "D" and _messages(prose, "OW502")


def test_code_license_is_not_the_weights_license_on_the_hub(
    hub: LoopbackHub, tmp_path: Path
) -> None:
    data = _grade(hub, tmp_path, "t/placement")
    assert data["components"]["weights"]["license"]["id"] == "cc-by-nc-4.0"
    assert data["grade"] == "F"
    assert "metadata says mit" in _messages(data, "OW214")[0]


def test_a_vendor_may_relicense_its_own_model_a_mirror_may_not(
    hub: LoopbackHub, tmp_path: Path
) -> None:
    vendor = _grade(hub, tmp_path, "Qwen/Qwen2.5-3B-Instruct")
    [identity] = _bases(vendor, "title")
    assert identity["relation"] == "same-model" and not identity["applied"]
    assert vendor["components"]["weights"]["license"]["id"] == "apache-2.0"
    mirror = _grade(hub, tmp_path, "mirror/Qwen2.5-3B-Instruct")
    [identity] = _bases(mirror, "title")
    assert identity["applied"] and identity["license"]["id"] == "qwen-research"
    assert mirror["grade"] == "F" and _messages(mirror, "OW503")
