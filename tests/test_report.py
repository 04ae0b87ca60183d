"""The JSON contract: every key of report 1.2 always present, in the order the schema lists it,
for the four parts 1.2 added (inferred bases, weight files, stages, code repositories) too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openweights.check import check_bundle
from openweights.report import SCHEMA_VERSION
from openweights.sources.local import LocalSource
from tests.support import FIXTURES, ROOT, validate_report
from tests.weightfile_fixtures import gguf_bytes

SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
ADDED_IN_1_2 = ("inferred_bases", "weight_files", "stages", "code_repositories")


def _report(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = check_bundle(LocalSource().fetch(str(root))).to_dict()
    return data


@pytest.fixture()
def everything(tmp_path: Path) -> dict[str, Any]:
    """A repo on disk that fills every part 1.2 added."""
    (tmp_path / "README.md").write_text(
        "---\nlicense: apache-2.0\ndatasets: [openlab/chats]\n---\n# Support assistant\n\n"
        "## Training\n\nTrained with [our training code](https://github.com/openlab/train) "
        "on the Pile.\n", encoding="utf-8")
    (tmp_path / "adapter_config.json").write_text(
        json.dumps({"base_model_name_or_path": "allenai/OLMo-2-1124-7B"}), encoding="utf-8")
    (tmp_path / "model.gguf").write_bytes(gguf_bytes({"general.license": "apache-2.0"}))
    return _report(tmp_path)


def test_top_level_keys_are_the_schemas_in_its_order(everything: dict[str, Any]) -> None:
    assert SCHEMA_VERSION == "1.2" == everything["schema_version"]
    assert list(everything) == SCHEMA["required"] == list(SCHEMA["properties"])
    validate_report(everything)


def test_every_part_1_2_added_is_filled_with_every_key_in_order(
    everything: dict[str, Any],
) -> None:
    for key in ADDED_IN_1_2:
        items = everything[key]
        assert items, key
        wanted = SCHEMA["properties"][key]["items"]["required"]
        assert all(list(item) == wanted for item in items), key


@pytest.mark.parametrize("repo", ["apache-on-llama-base", "tier-d"])
def test_the_parts_are_present_even_when_empty(repo: str) -> None:
    data = _report(FIXTURES / "repos" / repo)
    assert list(data) == SCHEMA["required"]
    assert all(isinstance(data[key], list) for key in ADDED_IN_1_2)
