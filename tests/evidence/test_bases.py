"""Lineage from every signal, on a repo on disk: one test per signal, and the rules that keep
an inference from raising a verdict or reading too much into a word."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from openweights.check import check_bundle
from openweights.evidence import Confidence, Signal
from openweights.evidence.bases import _ANCHORS, _ASCII_LOOKALIKES, _lowered, _may_match
from openweights.report import Report
from openweights.sources.local import LocalSource
from openweights.weightfiles import HEADER_BYTES
from tests.support import corpus_cards, validate_report
from tests.weightfile_fixtures import gguf_bytes, safetensors_bytes


def _repo(root: Path, card: str, files: dict[str, str | bytes] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(card, encoding="utf-8")
    for name, content in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def _grade(root: Path) -> Report:
    return check_bundle(LocalSource().fetch(str(root)))


def _fired(report: Report, code: str) -> list[str]:
    return [f.message for f in report.active_findings if f.rule == code]


APACHE = "---\nlicense: apache-2.0\n---\n# Support-desk assistant\n\nA model for tests.\n"


def test_adapter_config_names_the_base(tmp_path: Path) -> None:
    config = {"base_model_name_or_path": "meta-llama/Llama-2-7b-hf", "peft_type": "LORA"}
    report = _grade(_repo(tmp_path, APACHE, {"adapter_config.json": json.dumps(config),
                                             "adapter_model.safetensors": safetensors_bytes({})}))
    base = next(b for b in report.evidence.inferred_bases if b.signal is Signal.ADAPTER_CONFIG)
    assert base.confidence is Confidence.HIGH and base.relation == "adapter" and base.applies
    assert base.family == "llama-2" and base.origin.path == "adapter_config.json"
    weights = report.grade.components["weights"].evidence.license
    assert weights.entry is not None and weights.entry.id == "llama2"
    assert report.grade.letter == "D"
    [launder] = _fired(report, "OW503")
    assert "adapter_config.json says" in launder and "meta-llama/Llama-2-7b-hf" in launder
    assert _fired(report, "OW507")  # the files name a base that base_model: does not list


def test_config_name_or_path_names_the_base(tmp_path: Path) -> None:
    config = {"_name_or_path": "google/gemma-2-9b", "architectures": ["Gemma2ForCausalLM"]}
    report = _grade(_repo(tmp_path, APACHE, {"config.json": json.dumps(config)}))
    signals = {(b.signal, b.confidence) for b in report.evidence.inferred_bases}
    assert (Signal.CONFIG, Confidence.HIGH) in signals
    # The architecture alone is reported at low confidence and never applied.
    arch = [b for b in report.evidence.inferred_bases if b.confidence is Confidence.LOW]
    assert arch and not any(b.applies for b in arch)
    assert report.grade.components["weights"].evidence.license.verdict.value == "restricted"
    assert "config.json says" in _fired(report, "OW503")[0]


def test_config_naming_the_model_itself_is_not_a_base(tmp_path: Path) -> None:
    config = {"_name_or_path": "./output/checkpoint-1200", "architectures": ["MyForCausalLM"]}
    report = _grade(_repo(tmp_path, APACHE, {"config.json": json.dumps(config)}))
    assert report.evidence.inferred_bases == ()
    assert report.grade.components["weights"].evidence.license.verdict.value == "open"


def test_gguf_header_names_base_and_license(tmp_path: Path) -> None:
    header = gguf_bytes({
        "general.architecture": "llama",
        "general.name": "Llama 3.1 8B Instruct",
        "general.license": "llama3.1",
        "general.base_model.count": 1,
        "general.base_model.0.repo_url": "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
    }, tokens=200)
    report = _grade(_repo(tmp_path, APACHE, {"model-Q4_K_M.gguf": header}))
    [meta] = report.evidence.weight_files
    assert meta.format == "gguf" and meta.license == "llama3.1"
    bases = [b for b in report.evidence.inferred_bases if b.signal is Signal.WEIGHT_HEADER]
    assert {b.relation for b in bases} == {None, "same-model"}
    assert all(b.applies and b.origin.path == "model-Q4_K_M.gguf" for b in bases)
    assert report.grade.letter == "D"
    assert "the weight file's header says" in _fired(report, "OW503")[0]
    # The header's own license disagrees with the card: reported, least open applied.
    [disagree] = _fired(report, "OW214")
    assert "the weight file's header" in disagree and "llama3.1" in disagree
    data = report.to_dict()
    assert data["weight_files"][0]["license"] == "llama3.1"
    assert any(b["signal"] == "weight_header" and b["applied"] for b in data["inferred_bases"])


def test_safetensors_header_names_the_base(tmp_path: Path) -> None:
    meta = {"ss_sd_model_name": "sd_xl_base_1.0.safetensors", "ss_network_module": "networks.lora"}
    card = "---\nlicense: mit\n---\n# Watercolour LoRA\n\nA style adapter.\n"
    report = _grade(_repo(tmp_path, card, {"pytorch_lora_weights.safetensors":
                                           safetensors_bytes(meta)}))
    [base] = [b for b in report.evidence.inferred_bases if b.signal is Signal.WEIGHT_HEADER]
    assert base.family == "sdxl" and base.applies
    assert report.grade.components["weights"].evidence.license.entry.id == "openrail++"  # type: ignore[union-attr]
    assert _fired(report, "OW503")


def test_model_tree_tag_in_the_card_names_the_base(tmp_path: Path) -> None:
    card = (
        "---\nlicense: apache-2.0\ntags:\n"
        "- base_model:adapter:mistralai/Ministral-8B-Instruct-2410\n---\n# An adapter\n"
    )
    report = _grade(_repo(tmp_path, card))
    [base] = [b for b in report.evidence.inferred_bases if b.signal is Signal.MODEL_TREE]
    assert base.relation == "adapter" and base.confidence is Confidence.HIGH
    assert report.grade.components["weights"].evidence.license.verdict.value == "not-open"
    assert report.grade.letter == "F"


def test_title_names_the_base_family(tmp_path: Path) -> None:
    card = "---\nlicense: mit\n---\n# Model Card: Orca-Hermes-Llama2-13b\n\nA chat model.\n"
    report = _grade(_repo(tmp_path, card))
    [base] = [b for b in report.evidence.inferred_bases if b.signal is Signal.TITLE]
    assert base.family == "llama-2" and base.confidence is Confidence.MEDIUM and base.applies
    assert "the card's title says" in _fired(report, "OW503")[0]
    assert "Orca-Hermes-Llama2-13b" in _fired(report, "OW503")[0]


@pytest.mark.parametrize(
    ("sentence", "family", "relation"),
    [
        ("This model is a fine-tuned version of [google/gemma-2-2b](https://huggingface.co/"
         "google/gemma-2-2b) on our support tickets.", "gemma-2", "finetune"),
        ("A GGUF quantization of Qwen/Qwen2.5-72B-Instruct made with llama.cpp.", "qwen-2.5",
         "quantized"),
        ("This is a merge of Llama 3.1 8B Instruct and a roleplay LoRA.", "llama-3.1", "merge"),
        ("Built on top of Llama 3.3 70B.", "llama-3.3", None),
        ("We distilled the logits of Llama 3.1 405B into a smaller student.", "llama-3.1",
         "distillation"),
    ],
)
def test_prose_names_the_base(tmp_path: Path, sentence: str, family: str, relation: str) -> None:
    report = _grade(_repo(tmp_path, APACHE + "\n" + sentence + "\n"))
    prose = [b for b in report.evidence.inferred_bases if b.signal is Signal.PROSE]
    assert prose and prose[0].family == family and prose[0].relation == relation
    assert prose[0].applies
    assert report.grade.components["weights"].evidence.license.verdict.value != "open"
    assert _fired(report, "OW503") and _fired(report, "OW502")


def test_words_that_do_not_make_a_base(tmp_path: Path) -> None:
    card = APACHE + (
        "\nIt beats Llama 2 13B and is not Mixtral. It runs with llama.cpp.\n"
        "Many projects are built upon Llama.\n"
        "Fine-tuned on the Alpaca dataset.\n"
        "The architecture is based on Llama 2 with grouped-query attention.\n"
        "It is based on the Llama 3 architecture but trained from scratch.\n"
        "Fine-tuned from Mistral-7B-v0.1, it outperforms Llama 2 70B.\n"
        "We distilled from Qwen2.5-72B-Instruct, whose license does not reach students.\n"
    )
    report = _grade(_repo(tmp_path, card))
    applied = [b for b in report.evidence.inferred_bases if b.applies]
    assert [b.family for b in applied] == ["mistral"]  # the one real base: Apache-2.0
    assert report.grade.components["weights"].evidence.license.verdict.value == "open"
    assert not _fired(report, "OW503")


def test_a_tag_alone_is_reported_but_not_applied(tmp_path: Path) -> None:
    card = "---\nlicense: apache-2.0\ntags:\n- llama-2\n---\n# A model\n"
    report = _grade(_repo(tmp_path, card))
    [tag] = [b for b in report.evidence.inferred_bases if b.signal is Signal.TAGS]
    assert tag.confidence is Confidence.LOW and not tag.applies
    assert report.grade.components["weights"].evidence.license.verdict.value == "open"


def test_a_vendors_own_card_is_not_lowered_by_its_words(tmp_path: Path) -> None:
    # The card is the model itself (its title is nothing but a catalogued name): what it says
    # about its siblings and its predecessor does not bind it; a licensor relicenses its own.
    card = (
        "---\nlicense: mit\n---\n# DeepSeek-R1\n\nDeepSeek-R1 is trained based on "
        "DeepSeek-V3-Base. We also release checkpoints based on Llama 3.3 70B.\n"
    )
    report = _grade(_repo(tmp_path, card))
    [identity] = report.evidence.inferred_bases
    assert identity.relation == "same-model" and identity.family == "deepseek-r1"
    assert report.grade.components["weights"].evidence.license.verdict.value == "open"
    assert not _fired(report, "OW503")


def test_an_unknown_license_stays_unknown(tmp_path: Path) -> None:
    card = "---\nlicense: other\n---\n# Vicuna-style delta\n\nFine-tuned from LLaMA-13B.\n"
    report = _grade(_repo(tmp_path, card))
    assert any(b.applies for b in report.evidence.inferred_bases)
    assert report.grade.components["weights"].evidence.license.verdict.value == "unknown"


def test_more_open_base_never_raises_a_verdict(tmp_path: Path) -> None:
    card = "---\nlicense: cc-by-nc-4.0\nbase_model: mistralai/Mistral-7B-v0.1\n---\n# A model\n"
    report = _grade(_repo(tmp_path, card))
    assert report.grade.components["weights"].evidence.license.entry.id == "cc-by-nc-4.0"  # type: ignore[union-attr]
    assert not _fired(report, "OW503")


def test_local_source_reads_only_the_header_bytes(tmp_path: Path) -> None:
    big = tmp_path / "repo"
    _repo(big, APACHE)
    header = gguf_bytes({"general.license": "mit", "general.name": "Tiny"})
    with open(big / "huge.gguf", "wb") as fh:
        fh.write(header)
        fh.seek(64 * 1024 * 1024)  # a sparse 64 MiB file: only its first bytes may be read
        fh.write(b"\0")
    bundle = LocalSource().fetch(str(big))
    assert len(bundle.subject.weight_headers["huge.gguf"]) == HEADER_BYTES
    (big / "broken.safetensors").write_bytes(b"\xff" * 10)
    report = _grade(big)
    broken = next(m for m in report.evidence.weight_files if m.path == "broken.safetensors")
    assert broken.problem is not None  # reported, never a crash


def test_wrong_typed_lineage_metadata_is_reported_not_read(tmp_path: Path) -> None:
    # base_model, its relation and the tags are read through the typed view (Card.meta): a
    # value of the wrong type is an OW109 finding, never a crash or a str() of a mapping.
    card = (
        "---\nlicense: apache-2.0\nbase_model: {id: meta-llama/Llama-2-7b-hf}\n"
        "base_model_relation: [adapter]\ntags: [1, {base_model: x}]\n---\n# A model\n"
    )
    report = _grade(_repo(tmp_path, card))
    ignored = " | ".join(_fired(report, "OW109"))
    assert "base_model" in ignored and "base_model_relation" in ignored and "tags" in ignored
    assert not [b for b in report.evidence.inferred_bases
                if b.signal in (Signal.BASE_MODEL, Signal.TAGS, Signal.MODEL_TREE)]
    validate_report(json.loads(json.dumps(report.to_dict())))


def test_a_relation_outside_the_hubs_set_is_no_relation(tmp_path: Path) -> None:
    card = (
        "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n"
        "base_model_relation: cc-by-4.0\n---\n# A model\n"
    )
    report = _grade(_repo(tmp_path, card))
    [base] = [b for b in report.evidence.inferred_bases if b.signal is Signal.BASE_MODEL]
    assert base.relation is None and base.family == "llama-2"
    validate_report(json.loads(json.dumps(report.to_dict())))  # relation is a closed set there


# --------------------------------------------------------------------------- anchor words


_ANCHOR_PHRASES = [
    "Distilled from Llama 2. Distillation sources: X. Teacher model: Y. teachers of Z",
    "A quantised version of X, quantizations of Y, quants for Z, GGUF files of X, ggml of Y",
    "GPTQ weights from X, AWQ of Y, EXL2 of Z, bnb of X, MLX format of Y, ONNX version of Z",
    "QLoRA adapter for X, LoRA weights of Y, adapters on Z, PEFT model over X",
    "Merged with X, merge of Y, merging Z, merged between X and Y",
    "Fine-tuned on X, fine tuning of Y, finetuned from Z, trained on X, tuned from Y",
    "pre-trained on X, pretrained on Y, initialised from Z, initialized from X",
    "continued pre-training on Y, adapted from Z, derived from X, converted from Y",
    "a replica of Z, a version of X, trained with [the data](x) from Y",
    "based on X, built upon Y, on top of Z, 基于 Qwen",
    "- **Finetuned from model [optional]:** X",
]


def _anchor_texts() -> list[str]:
    readmes = sorted((Path(__file__).parents[1] / "fixtures" / "repos").glob("*/README.md"))
    texts = _ANCHOR_PHRASES + [p.read_text("utf-8", errors="replace") for p in readmes]
    return texts + [card.read_text("utf-8", errors="replace") for card in corpus_cards()]


def test_every_anchor_match_contains_one_of_its_words() -> None:
    """The words that let a card skip a pattern are in every match (else a skip would lose
    one), and a text without them has no match."""
    seen = 0
    for text in _anchor_texts():
        lowered = _lowered(text)
        assert lowered is not None
        for pattern, _relation, words in _ANCHORS:
            matches = list(pattern().finditer(text))
            seen += len(matches)
            if words is None:
                continue
            for m in matches:
                assert any(w in m.group().lower() for w in words), m.group()
            if not _may_match(lowered, words):
                assert not matches
    assert seen > 40


def test_a_text_with_a_letter_lookalike_runs_every_pattern() -> None:
    # re.I takes these for ASCII letters: "diſtilled" matches as "distilled" does.
    lookalikes = [
        c
        for c in map(chr, range(sys.maxunicode + 1))
        if not c.isascii() and re.fullmatch("[a-z]", c, re.I)
    ]
    assert "".join(lookalikes) == _ASCII_LOOKALIKES
    text = "Diſtilled from Llama 2"
    distillation = next(a for a in _ANCHORS if a[1] == "distillation")
    assert distillation[0]().search(text)
    assert not _may_match(text.lower(), distillation[2])  # why such a text skips no pattern
    assert _lowered(text) is None
    assert _may_match(_lowered(text), distillation[2])
