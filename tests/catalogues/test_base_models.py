"""The base-model catalogue: files, schema, build, and what names and ids it recognises."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from openweights.catalogues.base_models import (
    _DIGIT_UNDERSCORE,
    _NOT_A_MODEL_AFTER,
    BaseMatch,
    BaseModelCatalogue,
    _adjacent,
    _tokens,
    load_base_models,
    size_of,
)
from openweights.licensing.catalogue import load_catalogue
from openweights.licensing.grader import Verdict, grade_license
from tests.support import ROOT, corpus_cards, requires_corpus

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


# --------------------------------------------------------------------------- the fast scan


def _reference_mentions(cat: BaseModelCatalogue, text: str) -> list[BaseMatch]:
    """``mentions`` as first written: every word of the text tokenised, then each word that
    starts a name tried. The catalogue's scan must find exactly this."""
    toks = _tokens(text)
    clean = _DIGIT_UNDERSCORE().sub(".", text)
    out: list[BaseMatch] = []
    i = 0
    for at in [j for j, tok in enumerate(toks) if tok[0] in cat._first_words]:
        if at < i:
            continue
        found = cat._match_at(toks, at, clean)
        if found is None:
            continue
        match, nxt = found
        if (
            nxt < len(toks)
            and toks[nxt][0] in _NOT_A_MODEL_AFTER
            and _adjacent(clean, toks[nxt - 1][3], toks[nxt][2])
        ):
            i = nxt + 1
            continue
        out.append(match)
        i = nxt
    return out


_TRICKY = [
    "Fine-tuned from Meta-Llama-3.1-8B-Instruct with llama.cpp, not LLaMA-Factory.",
    "A merge of Mistral 7B and Mixtral 8x7B; Qwen2.5-0.5B, qwen_2_5_7b, Qwen-7B-Chat.",
    "Llama 2 13 B, Llama-2-13b-hf, llama2 7b, 8Bllama 3 70b, Llama 3.1 405 B models",
    "\u212aelvin-llama and İlama and \u017ftable diffusion: Unicode letters that lower to ASCII",
    "gemma",
    "gemma-2-9b",
    "Phi-3-mini-4k, phi 3.5 MoE, Stable Diffusion XL 1.0, SDXL-Turbo, FLUX.1 [dev]",
    "DeepSeek-R1-Distill-Qwen-32B distilled from DeepSeek-R1 on Qwen2.5 32B",
    "Llama Llama Llama 3 3 3 8 x 7 b",
    "",
    "no model here at all, only words and 12_34 numbers 1.2.3",
]


def _texts() -> list[str]:
    readmes = sorted((ROOT / "tests" / "fixtures" / "repos").glob("*/README.md"))
    texts = _TRICKY + [p.read_text("utf-8", errors="replace") for p in readmes]
    # Every name followed by as much as a match reads: a size two words on, four tokens long,
    # a tool's word after it, and the word where the scan resumes.
    names = [n for f in CATALOGUE for n in (*f.names, *f.sized_names, *f.exact_names)]
    texts += [f"{n}-a-b-8x7b-cpp-{n} 7b, {n}-8x7b-models {n} 1.5B" for n in names]
    # Every window a name can sit in: the tricky texts cut at each offset.
    texts += [t[i:] for t in _TRICKY for i in range(len(t))]
    texts += [t[:i] for t in _TRICKY for i in range(len(t))]
    return texts


def test_the_scan_finds_what_full_tokenisation_finds() -> None:
    texts = _texts()
    assert sum(len(_reference_mentions(CATALOGUE, t)) for t in texts) > 100
    for text in texts:
        assert CATALOGUE.mentions(text) == _reference_mentions(CATALOGUE, text), text


@requires_corpus
def test_the_scan_finds_what_full_tokenisation_finds_in_real_cards() -> None:
    cards = corpus_cards()
    assert cards
    for path in cards:
        text = path.read_text("utf-8", errors="replace")
        assert CATALOGUE.mentions(text) == _reference_mentions(CATALOGUE, text), path.name


def test_a_name_that_starts_with_a_number_is_still_found() -> None:
    record = {
        "id": "numbered",
        "name": "01 Model",
        "vendor": "Example",
        "license": "apache-2.0",
        "names": ["01 Model"],
        "members": [{"id": "example/01-model-7b"}],
        "verification": "unverified",
        "sources": "test",
    }
    cat = BaseModelCatalogue.from_records([record])
    for text in ["see 01 model 7b and 01-Model", "x01 model", "1.01 model", "01 model.cpp"]:
        assert cat.mentions(text) == _reference_mentions(cat, text), text
    assert [m.text for m in cat.mentions("see 01 model 7b and 01-Model")] == [
        "01 model 7b",
        "01-Model",
    ]
