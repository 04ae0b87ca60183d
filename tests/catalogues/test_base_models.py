"""The base-model catalogue: files, schema, build, and what names and ids it recognises."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from openweights.catalogues.base_models import (
    BaseModelCatalogue,
    load_base_models,
    size_of,
)
from openweights.licensing.catalogue import load_catalogue
from openweights.licensing.grader import Verdict, grade_license
from tests.support import ROOT

FOLDER = ROOT / "base-models"
CATALOGUE = load_base_models()


def test_every_file_validates_and_the_index_is_current() -> None:
    schema = json.loads((ROOT / "schemas" / "base-model.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(FOLDER.glob("*.yaml"))
    assert len(files) >= 40
    for path in files:
        data = yaml.safe_load(path.read_text("utf-8"))
        assert not list(validator.iter_errors(data)), path.name
        assert data["id"] == path.stem
    done = subprocess.run(
        [sys.executable, "scripts/build_catalogue.py", "base-models", "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(CATALOGUE) == len(files)


def test_build_refuses_unknown_licenses_and_shared_ids(tmp_path: pytest.TempPathFactory) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_catalogue
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    folder = tmp_path / "families"  # type: ignore[operator]
    folder.mkdir()
    base = {
        "id": "one", "name": "One", "vendor": "Example", "orgs": ["example"],
        "license": "no-such-license", "names": ["One"], "verification": "unverified",
        "sources": "a test", "members": [{"id": "example/one-7b"}],
    }
    (folder / "one.yaml").write_text(yaml.safe_dump(base), "utf-8")
    recorded = {"corpora": ["no-such-corpus"], "complete": True, "source": "a test"}
    members = [{"id": "example/one-7b"}, {"id": "example/two-1b", "pretraining_data": recorded}]
    other = dict(base, id="two", name="Two", license="mit", names=["One"], derived_from=["zero"],
                 members=members)
    (folder / "two.yaml").write_text(yaml.safe_dump(other), "utf-8")
    spec = build_catalogue.CATALOGUES["base-models"]
    _records, problems = build_catalogue.load_records(spec, folder)
    assert any("one.yaml: license: 'no-such-license' is not in" in p for p in problems)
    assert any("'repo:example/one-7b' is already claimed by one" in p for p in problems)
    assert any("'name:one' is already claimed by one" in p for p in problems)
    assert any("two.yaml: derived_from 'zero' is not a family here" in p for p in problems)
    assert any("'no-such-corpus' is not in the corpus catalogue" in p for p in problems)


def test_recorded_pre_training_data_names_catalogued_corpora() -> None:
    from openweights.catalogues.corpora import load_corpora

    corpora = load_corpora()
    recorded = {m.id: m.pretraining for f in CATALOGUE for m in f.members if m.pretraining}
    assert {"allenai/OLMo-2-1124-7B", "tiiuae/falcon-7b", "bigscience/bloom"} <= set(recorded)
    for data in recorded.values():
        assert data.corpora and all(corpora.get(c) is not None for c in data.corpora)
        assert "shared corpus" in data.source  # read in a card we hold, not from memory
    falcon = recorded["tiiuae/falcon-7b"]
    assert falcon is not None and not falcon.complete


def test_every_license_a_family_names_is_in_the_license_catalogue() -> None:
    licenses = load_catalogue()
    for family in CATALOGUE:
        for member in family.members:
            assert licenses.resolve(member.license) is not None, (family.id, member.id)


@pytest.mark.parametrize(
    ("repo", "family", "license_id", "how", "same"),
    [
        ("meta-llama/Llama-3.1-8B", "llama-3.1", "llama3.1", "id", True),
        ("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3.1", "llama3.1", "renamed id", True),
        ("unsloth/meta-llama-3.1-8b-bnb-4bit", "llama-3.1", "llama3.1", "name and size", True),
        ("decapoda-research/llama-7b-hf", "llama-1", "llama1", "renamed id", True),
        ("Qwen/Qwen1.5-0.5B", "qwen-1.5", "tongyi-qianwen-research", "id", True),
        ("unsloth/Qwen2.5-3B-Instruct-bnb-4bit", "qwen-2.5", "qwen-research", "name and size",
         True),
        ("someone/Llama-3.1-8B-RainbowMix", "llama-3.1", "llama3.1", "name and size", False),
        ("stabilityai/stable-diffusion-xl-base-1.0", "sdxl", "openrail++", "id", True),
        ("unsloth/DeepSeek-R1-Distill-Llama-8B-bnb-4bit", "deepseek-r1-distill", "llama3.1",
         "name and size", True),
    ],
)
def test_repo_ids_are_recognised(
    repo: str, family: str, license_id: str, how: str, same: bool
) -> None:
    match = CATALOGUE.match_repo(repo)
    assert match is not None and match.family is not None
    assert match.family.id == family
    assert {lic for lic, _m in match.licenses} == {license_id}
    assert match.how == how
    assert match.same_weights is same


def test_unknown_repos_and_tools_named_after_a_family_are_not_models() -> None:
    assert CATALOGUE.match_repo("example/my-own-model") is None
    assert CATALOGUE.mentions("run it with llama.cpp or LLaMA-Factory") == []
    assert CATALOGUE.mentions("TinyLlama and Llamafile") == []


@pytest.mark.parametrize(
    ("text", "family", "size", "how"),
    [
        ("Nous-Hermes-Llama2-70b", "llama-2", "70b", "name and size"),
        ("fine-tuned from Llama 3.1 405B", "llama-3.1", "405b", "name and size"),
        ("based on LLaMA with 13 billion parameters", "llama-1", None, "name"),
        ("Ziya-LLaMA-13B-v1", "llama-1", "13b", "name and size"),
        ("the Qwen-7B weights", "qwen-1", "7b", "name and size"),
        ("Qwen2.5-14B-Instruct", "qwen-2.5", "14b", "name and size"),
        ("Mixtral 8x7B", "mixtral", None, "name"),
        ("an SDXL LoRA", "sdxl", None, "name"),
        ("Alpaca Native Enhanced 7B", "alpaca", "7b", "name and size"),
        ("an Alpaca-style 13B chatbot", "alpaca", "13b", "name and size"),
    ],
)
def test_names_in_text(text: str, family: str, size: str | None, how: str) -> None:
    first = CATALOGUE.mentions(text)[0]
    assert first.family is not None and first.family.id == family
    assert first.size == size and first.how == how


def test_a_bare_brand_stands_for_its_most_open_member() -> None:
    llama = CATALOGUE.mentions("built on Llama")[0]
    assert llama.how == "brand" and llama.family is None
    licenses = load_catalogue()
    verdicts = {
        grade_license(licenses.get(lic)).verdict for lic, _m in llama.licenses
    }
    # Every Llama is at least restricted; the most open reading is restricted, never open.
    assert Verdict.OPEN not in verdicts and Verdict.RESTRICTED in verdicts
    # "Alpaca" names the model only with a size; alone it is the dataset or the prompt format.
    assert CATALOGUE.mentions("the Alpaca dataset") == []
    assert CATALOGUE.mentions("Qwen is great")[0].how == "brand"


def test_sizes_are_read_from_ids() -> None:
    assert size_of("Llama-2-13b-chat-hf") == "13b"
    assert size_of("Mixtral-8x7B-v0.1") == "8x7b"
    assert size_of("Qwen-1_8B-Chat") == "1.8b"
    assert size_of("opt-125m") == "125m"
    assert size_of("gemma-2-it") is None


def test_catalogue_from_records_round_trips_the_index() -> None:
    records = json.loads((FOLDER / "index.json").read_text("utf-8"))["families"]
    again = BaseModelCatalogue.from_records(records)
    assert [f.id for f in again] == [f.id for f in CATALOGUE]
