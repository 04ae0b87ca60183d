"""Training data by stage: own and inherited stages, corpora named in prose, least open wins."""

from __future__ import annotations

import json
from pathlib import Path

from openweights.check import check_bundle
from openweights.report import Report
from openweights.sources import (
    Bundle,
    DatasetMaterial,
    ForgeAnswer,
    ForgeStatus,
    ModelMaterial,
)
from openweights.sources.local import LocalSource

BASE = """---
license: apache-2.0
datasets: [open-org/web]
---
# Base 1B

Pre-trained on open-org/web.
"""
WEB = "---\nlicense: odc-by\n---\n# Web\n"
NC = "---\nlicense: cc-by-nc-4.0\n---\n# Chats\n"
CODE = "## Training\n\nTo train the model, use [our training code](https://github.com/o/train).\n"
OPEN_CODE = {"github.com/o/train": ForgeAnswer("github.com/o/train", ForgeStatus.OK,
                                               "github.com/o/train", license_id="Apache-2.0")}


def _model(mid: str, card: str) -> ModelMaterial:
    return ModelMaterial(id=mid, source="hub", card_text=card, files=("model.safetensors",))


def _hub(card: str, ancestors: dict[str, str] | None = None,
         datasets: dict[str, str | None] | None = None,
         parents: dict[str, tuple[str, ...]] | None = None,
         relations: dict[str, str] | None = None) -> Report:
    bundle = Bundle(
        subject=_model("me/model", card),
        ancestors={k: _model(k, v) for k, v in (ancestors or {}).items()},
        datasets={k: DatasetMaterial(id=k, card_text=v) if v is not None else None
                  for k, v in (datasets or {}).items()},
        lineage_resolvable=True,
        parents=parents or {},
        relations=relations or {},
        code_repos=OPEN_CODE,
        forge_consulted=True,
    )
    return check_bundle(bundle)


def _stages(report: Report) -> list[tuple[str, str | None, str]]:
    return [(s.stage, s.inherited_from, s.state) for s in report.evidence.stages]


def test_a_base_model_has_its_own_pre_training_stage() -> None:
    report = _hub(BASE + CODE.replace("our training code", "our training and dedup code"),
                  datasets={"open-org/web": WEB})
    assert _stages(report) == [("pre-training", None, "open")]
    assert report.grade.letter == "A"


def test_a_fine_tune_inherits_its_bases_pre_training_and_adds_its_own_data() -> None:
    card = ("---\nlicense: apache-2.0\nbase_model: org/base\ndatasets: [open-org/chats]\n---\n"
            "# Tuned\n\n" + CODE)
    report = _hub(card, ancestors={"org/base": BASE},
                  datasets={"open-org/web": WEB, "open-org/chats": NC},
                  parents={"me/model": ("org/base",), "org/base": ()})
    assert _stages(report) == [("pre-training", "org/base", "open"),
                               ("fine-tuning", None, "not-open")]
    # The data row is as open as its least open stage.
    assert report.evidence.data.license.entry is not None
    assert report.evidence.data.license.entry.id == "cc-by-nc-4.0"
    assert report.grade.letter == "C"


def test_grade_a_needs_every_stage_open() -> None:
    card = ("---\nlicense: apache-2.0\nbase_model: org/closed\ndatasets: [open-org/web]\n---\n"
            "# Tuned\n\n" + CODE.replace("our training code", "our training and dedup code"))
    closed = "---\nlicense: apache-2.0\n---\n# A base that names no data\n"
    report = _hub(card, ancestors={"org/closed": closed}, datasets={"open-org/web": WEB},
                  parents={"me/model": ("org/closed",), "org/closed": ()})
    assert _stages(report) == [("pre-training", "org/closed", "undisclosed"),
                               ("fine-tuning", None, "open")]
    assert report.grade.letter == "C"
    assert "pre-training data: undisclosed" in report.grade.reason


def test_a_quantization_trains_nothing_of_its_own() -> None:
    card = ("---\nlicense: apache-2.0\nbase_model: org/base\nbase_model_relation: quantized\n"
            "---\n# Quant\n")
    report = _hub(card, ancestors={"org/base": BASE}, datasets={"open-org/web": WEB},
                  parents={"me/model": ("org/base",), "org/base": ()},
                  relations={"me/model": "quantized"})
    assert _stages(report) == [("pre-training", "org/base", "open")]


def test_a_base_that_could_not_be_read_leaves_its_stages_unknown() -> None:
    card = "---\nlicense: apache-2.0\nbase_model: org/gone\n---\n# Tuned\n"
    report = _hub(card, parents={"me/model": ("org/gone",)})
    assert ("pre-training", "org/gone", "undisclosed") in _stages(report)


def test_local_mode_cannot_look_bases_up() -> None:
    bundle = Bundle(subject=ModelMaterial(
        id="README.md", source="local",
        card_text="---\nlicense: apache-2.0\nbase_model: org/base\n---\n# Tuned\n"))
    report = check_bundle(bundle)
    assert _stages(report)[0] == ("pre-training", "org/base", "undisclosed")
    assert _stages(report)[1][0] == "fine-tuning"


def test_catalogued_stages_file_preference_data_apart() -> None:
    card = ("---\nlicense: apache-2.0\ndatasets: [open-org/web, openbmb/UltraFeedback]\n---\n"
            "# Aligned\n")
    report = _hub(card, datasets={"open-org/web": WEB, "openbmb/UltraFeedback":
                                  "---\nlicense: mit\n---\n"})
    assert _stages(report) == [("pre-training", None, "open"), ("preference", None, "open")]


def test_a_withdrawn_but_documented_corpus_named_in_prose_is_described() -> None:
    card = "---\nlicense: apache-2.0\n---\n# Model\n\nWe trained the model on the Pile.\n" + CODE
    report = _hub(card)
    [stage] = report.evidence.stages
    assert stage.state == "described"
    [source] = stage.sources
    assert (source.corpus_id, source.availability) == ("the-pile", "not-released")
    assert str(source.license.origin) == "corpus:the-pile"
    assert source.context == "We trained the model on the Pile."
    assert source.origin.line == 6
    # The Pile's own pipeline completes the linked training code: B, with both cited.
    assert report.grade.letter == "B"
    processing = [c for c in report.evidence.code_releases if c.via]
    assert processing and processing[0].role == "data-processing"
    assert processing[0].via == "corpus the-pile"


def test_naming_only_common_crawl_is_not_data_information() -> None:
    card = "---\nlicense: apache-2.0\n---\n# Model\n\nTrained on Common Crawl snapshots.\n" + CODE
    report = _hub(card)
    [stage] = report.evidence.stages
    assert stage.state == "unknown" and not stage.information.sufficient
    assert report.grade.letter == "C"


def test_corpus_names_count_only_where_the_text_is_about_training_data() -> None:
    card = ("---\nlicense: apache-2.0\n---\n# Model\n\n"
            "StarCoder is a model we admire; our model outperforms models trained on RedPajama.\n\n"
            "## Data mix\n\n| Subset | Tokens |\n|---|---|\n| StarCoder | 10B |\n| C4 | 20B |\n")
    report = _hub(card)
    names = [(s.corpus_id, s.name) for st in report.evidence.stages for s in st.sources]
    assert names == [("starcoderdata", "StarCoder"), ("c4", "C4")]


# --------------------------------------------------------------------------- inferred bases


def _local(tmp_path: Path, card: str, files: dict[str, str] | None = None) -> Report:
    (tmp_path / "README.md").write_text(card, encoding="utf-8")
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return check_bundle(LocalSource().fetch(str(tmp_path)))


OWN_DATA = "---\nlicense: apache-2.0\ndatasets: [open-org/chats]\n---\n# Support assistant\n"


def test_a_base_a_tool_wrote_down_is_the_lineage_of_the_stages(tmp_path: Path) -> None:
    # No base_model:, but the adapter's config names an OLMo 2 model whose pre-training data
    # the base-model catalogue records: the stage is inherited, cited to the catalogue.
    config = {"base_model_name_or_path": "allenai/OLMo-2-1124-7B", "peft_type": "LORA"}
    report = _local(tmp_path, OWN_DATA, {"adapter_config.json": json.dumps(config)})
    assert _stages(report) == [("pre-training", "allenai/OLMo-2-1124-7B", "open"),
                               ("fine-tuning", None, "unknown")]
    pre = report.evidence.stages[0]
    assert {s.corpus_id for s in pre.sources} == {"olmo-mix-1124", "dolmino-mix-1124"}
    assert all(str(s.origin) == "base-models:allenai/OLMo-2-1124-7B" for s in pre.sources)
    assert all(str(s.license.origin).startswith("corpus:") for s in pre.sources)
    # The model's own dataset is its fine-tuning data, not its pre-training data.
    assert [s.name for s in report.evidence.stages[1].sources] == ["open-org/chats"]


def test_a_base_with_no_recorded_data_passes_on_an_undisclosed_stage(tmp_path: Path) -> None:
    config = {"_name_or_path": "meta-llama/Llama-3.1-8B", "architectures": ["LlamaForCausalLM"]}
    report = _local(tmp_path, OWN_DATA, {"config.json": json.dumps(config)})
    assert _stages(report)[0] == ("pre-training", "meta-llama/Llama-3.1-8B", "undisclosed")
    assert _stages(report)[1][0] == "fine-tuning"


def test_a_stated_base_the_source_cannot_read_uses_the_catalogue() -> None:
    # Offline, base_model: is not read, but the catalogue records what Falcon 7B was trained
    # on: RefinedWeb, which is public, and curated sets that were not released.
    bundle = Bundle(subject=ModelMaterial(
        id="README.md", source="local",
        card_text="---\nlicense: apache-2.0\nbase_model: tiiuae/falcon-7b\n---\n# Tuned\n"))
    pre = check_bundle(bundle).evidence.stages[0]
    assert (pre.stage, pre.inherited_from) == ("pre-training", "tiiuae/falcon-7b")
    assert [(s.corpus_id, s.availability) for s in pre.sources] == [
        ("refinedweb", "released"), (None, "not-released")]
    assert not pre.open


def test_on_disk_a_title_alone_does_not_make_a_lineage(tmp_path: Path) -> None:
    # A vendor's card names its own family in its title and words; on disk nothing tells it
    # from a derivative's, so only what a tool wrote makes a lineage for the stages.
    card = OWN_DATA.replace("# Support assistant", "# Llama 3.1 8B support assistant")
    report = _local(tmp_path, card)
    assert any(b.applies for b in report.evidence.inferred_bases)  # the weights still see it
    assert [s[1] for s in _stages(report)] == [None]


def test_on_the_hub_the_cards_words_make_a_lineage() -> None:
    card = ("---\nlicense: apache-2.0\ndatasets: [open-org/chats]\n---\n"
            "# Support assistant\n\nFine-tuned from Llama 3.1 8B on our chats.\n")
    report = _hub(card, datasets={"open-org/chats": WEB})
    assert _stages(report) == [("pre-training", "Llama 3.1 8B", "undisclosed"),
                               ("fine-tuning", None, "open")]


def test_a_distillation_teacher_passes_on_no_stage() -> None:
    card = ("---\nlicense: apache-2.0\ndatasets: [open-org/web]\n---\n# Small model\n\n"
            "Distilled from the outputs of Llama 3.1 70B.\n")
    report = _hub(card, datasets={"open-org/web": WEB})
    assert [b.relation for b in report.evidence.inferred_bases] == ["distillation"]
    assert [s[1] for s in _stages(report)] == [None]
