"""Code links: normalised to repositories, each with a role from its context or the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from openweights.card import parse_card
from openweights.check import check_bundle
from openweights.codelinks import KNOWN_TOOLS, CodeLink, Role, code_links, forge_targets
from openweights.repoids import forge_repo_from
from openweights.sources.local import LocalSource
from tests.support import CORPUS, requires_corpus, validate_report


@pytest.mark.parametrize(
    ("written", "repo"),
    [
        ("https://github.com/Org/Repo", "github.com/Org/Repo"),
        ("https://github.com/org/repo.git", "github.com/org/repo"),
        ("https://github.com/org/repo/tree/main/configs/train.yaml", "github.com/org/repo"),
        ("https://github.com/org/repo/blob/v1/README.md#usage", "github.com/org/repo"),
        ("https://github.com/org/repo?tab=readme-ov-file", "github.com/org/repo"),
        ("https://www.github.com/org/repo#install", "github.com/org/repo"),
        ("http://github.com/org/repo).", "github.com/org/repo"),
        ("see github.com/org/repo.", "github.com/org/repo"),
        ("git clone git@github.com:org/repo.git", "github.com/org/repo"),
        ("pip install git+https://github.com/org/repo.git@v2", "github.com/org/repo"),
        ("https://gitlab.com/group/sub/proj/-/blob/main/LICENSE", "gitlab.com/group/sub/proj"),
        ("https://gitlab.com/group/project/tree/main", "gitlab.com/group/project"),
    ],
)
def test_links_are_normalised_to_the_repository(written: str, repo: str) -> None:
    found = forge_repo_from(written)
    assert found is not None and str(found) == repo
    assert found.key == repo.lower()


@pytest.mark.parametrize(
    "written",
    [
        "https://github.com/org",
        "https://github.com/orgs/org/people",
        "https://github.com/topics/llm",
        "https://gist.github.com/user/abc",
        "https://user.github.io/project",
        "https://raw.githubusercontent.com/org/repo/main/x",
        "https://huggingface.co/org/model",
        "https://gitlab.com/group",
    ],
)
def test_links_that_are_not_repositories(written: str) -> None:
    assert forge_repo_from(written) is None


CARD = """---
license: apache-2.0
---
# Tiny model

Use it with [transformers](https://github.com/huggingface/transformers) or
[llama.cpp](https://github.com/ggml-org/llama.cpp).

## Reproduce it

To train the model from scratch, clone our code:

```bash
git clone https://github.com/example-org/tiny-train.git
pip install git+https://github.com/example-org/tiny-runtime
```

The corpus was built with [our data pipeline](https://github.com/example-org/tiny-data/tree/main/dedup).
Scores come from https://github.com/example-org/tiny-eval/tree/main/eval
A [Colab notebook](https://github.com/someone/finetune-notebooks) shows how to fine-tune it.
It is a fine-tune of [Base-1B](https://github.com/upstream-org/base-1b).
See [the issue](https://github.com/example-org/tiny-train/issues/3).
"""


def _links() -> dict[str, CodeLink]:
    return {str(link.repo): link for link in code_links(parse_card(CARD))}


def test_each_repository_gets_one_role_with_its_reason() -> None:
    links = _links()
    roles = {repo: link.role for repo, link in links.items()}
    assert roles == {
        "github.com/huggingface/transformers": Role.LIBRARY,
        "github.com/ggml-org/llama.cpp": Role.LIBRARY,
        "github.com/example-org/tiny-train": Role.TRAINING,
        "github.com/example-org/tiny-runtime": Role.INFERENCE,
        "github.com/example-org/tiny-data": Role.DATA_PROCESSING,
        "github.com/example-org/tiny-eval": Role.EVALUATION,
        "github.com/someone/finetune-notebooks": Role.UNKNOWN,
        "github.com/upstream-org/base-1b": Role.UNKNOWN,
    }
    train = links["github.com/example-org/tiny-train"]
    assert train.why == "sentence"
    assert "To train the model" in train.context
    assert train.line == 14  # the git clone line
    runtime = links["github.com/example-org/tiny-runtime"]
    assert runtime.why == "install command"
    assert links["github.com/example-org/tiny-data"].why == "link text"
    assert links["github.com/upstream-org/base-1b"].why == "upstream"
    assert links["github.com/someone/finetune-notebooks"].why == "usage example"


def test_only_the_models_own_pipeline_is_looked_up() -> None:
    targets = [str(r) for r in forge_targets(code_links(parse_card(CARD)))]
    assert targets == [
        "github.com/example-org/tiny-train",
        "github.com/example-org/tiny-data",
        "github.com/example-org/tiny-eval",
    ]


def test_a_library_is_never_the_training_code_even_when_the_sentence_says_so() -> None:
    card = parse_card(
        "---\nlicense: mit\n---\n## Training\n\nWe trained the model with "
        "https://github.com/huggingface/trl and https://github.com/microsoft/DeepSpeed.\n"
    )
    links = code_links(card)
    assert [link.role for link in links] == [Role.LIBRARY, Role.LIBRARY]
    assert forge_targets(links) == ()


def test_openness_block_roles_are_kept_but_a_library_stays_a_library() -> None:
    card = parse_card(
        "---\nlicense: mit\nopenness:\n  code:\n"
        "    - url: https://github.com/example-org/x\n      covers: [data-processing]\n"
        "    - url: https://github.com/huggingface/transformers\n      covers: [training]\n"
        "---\n# X\n\nTrain with https://github.com/example-org/x\n"
    )
    links = code_links(card)
    assert [(str(x.repo), x.role, x.why) for x in links] == [
        ("github.com/example-org/x", Role.DATA_PROCESSING, "openness block"),
        ("github.com/huggingface/transformers", Role.LIBRARY, "catalogue"),
    ]


def test_the_tool_catalogue_holds_the_libraries_the_issue_names() -> None:
    for key in ("huggingface/transformers", "huggingface/peft", "huggingface/trl",
                "huggingface/accelerate", "microsoft/deepspeed", "ggml-org/llama.cpp",
                "vllm-project/vllm", "oobabooga/text-generation-webui",
                "eleutherai/lm-evaluation-harness", "ollama/ollama"):
        assert f"github.com/{key}" in KNOWN_TOOLS
    assert all(k == k.lower() for k in KNOWN_TOOLS)


@requires_corpus
def test_pythia_no_longer_says_both_no_link_and_no_license_for_its_link() -> None:
    report = check_bundle(LocalSource().fetch(str(CORPUS / "cards" / "EleutherAI__pythia.md")))
    fired = {f.rule: f.message for f in report.active_findings}
    assert "OW301" not in fired
    assert "github.com/EleutherAI/pythia" in fired["OW302"]
    roles = {c.repo: c.role for c in report.evidence.code_releases}
    assert roles["github.com/EleutherAI/pythia"] == "training"
    assert roles["github.com/EleutherAI/gpt-neox"] == "library"


def test_code_blocks_are_read_by_the_cards_one_fence_reader() -> None:
    # A four-backtick block holding a three-backtick line stays one block (CommonMark), so the
    # clone line after the inner fence is code, read with the prose line before the block; the
    # link after the block is prose again, and a fence line itself is never read for links.
    card = parse_card(
        "# Tiny\n\nTo train the model, clone our code:\n\n````md\n```\n"
        "git clone https://github.com/example-org/tiny-train.git\n````\n\n"
        "```https://github.com/example-org/on-a-fence\n```\n\n"
        "Results: https://github.com/example-org/tiny-results\n"
    )
    links = {str(link.repo): link for link in code_links(card)}
    train = links["github.com/example-org/tiny-train"]
    assert train.role is Role.TRAINING and "To train the model" in train.context
    assert "github.com/example-org/on-a-fence" not in links
    assert links["github.com/example-org/tiny-results"].role is Role.UNKNOWN


def test_covers_values_are_those_of_the_card_schema_and_the_report_schema() -> None:
    import json

    from openweights.codelinks import COVERS_DECLARED
    from tests.support import ROOT

    card = json.loads((ROOT / "schemas" / "model-card.schema.json").read_text(encoding="utf-8"))
    report = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    card_covers = card["$defs"]["codeRelease"]["properties"]["covers"]["items"]["enum"]
    code_item = report["properties"]["code_repositories"]["items"]
    assert tuple(card_covers) == COVERS_DECLARED
    assert tuple(code_item["properties"]["covers"]["items"]["enum"]) == COVERS_DECLARED


def test_declared_covers_outside_the_schema_are_left_out_and_the_report_stays_valid(
    tmp_path: Path,
) -> None:
    # Found by the fuzzer: a mangled covers value reached the report, which then failed its
    # schema; and `fine-tuning`, which the card schema allows, was missing from the report's.
    (tmp_path / "README.md").write_text(
        "---\nlicense: apache-2.0\nopenness:\n  code:\n"
        "    - url: https://github.com/org/tune\n      license: apache-2.0\n"
        "      covers: [fine-tuning, infere for research only]\n---\n# M\n",
        encoding="utf-8",
    )
    report = check_bundle(LocalSource().fetch(str(tmp_path)))
    (release,) = report.evidence.code_releases
    assert release.covers == ("fine-tuning",)
    validate_report(report.to_dict())
    assert any(f.rule == "OW104" for f in report.findings), [f.rule for f in report.findings]
