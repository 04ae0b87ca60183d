"""Code repositories a card links, each with the role it plays for this model.

A card links many repositories: the model's own training code, its data pipeline, evaluation
suites, inference servers, and general libraries it is used with (transformers, llama.cpp, ...).
Only the model's own training and data-processing code counts for the code row, so every link
gets a role, decided from

1. a small catalogue of well-known tools and libraries (``KNOWN_TOOLS``): a library is never the
   model's training code, whatever the sentence around it says;
2. the link itself: its text (``[Training Code](...)``), the folder it points into
   (``/tree/main/eval``), an install command (``pip install git+...``) around it;
3. the sentence it sits in (for a link inside a code block, the prose line before the block);
4. the headings above it.

Pure functions over a parsed card, shared by the evidence (what the code row is made of) and by
the forge lookups (which repositories to ask about: ``forge_targets``). No I/O.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from openweights.card import FENCE_LINE, HTML_TAG, Card
from openweights.patterns import lazy
from openweights.records import record
from openweights.repoids import ForgeRepo, as_list, forge_repo_from


class Role(str, enum.Enum):
    """What a linked repository is to the model."""

    TRAINING = "training"
    DATA_PROCESSING = "data-processing"
    EVALUATION = "evaluation"
    INFERENCE = "inference"
    LIBRARY = "library"
    UNKNOWN = "unknown"

    @property
    def counts_for_code(self) -> bool:
        """True for the model's own training and data-processing code (the code row)."""
        return self in (Role.TRAINING, Role.DATA_PROCESSING)


COVERS = (Role.TRAINING, Role.DATA_PROCESSING, Role.EVALUATION, Role.INFERENCE)
"""The parts of a model's pipeline a code release can cover, in order of weight."""
COVERS_DECLARED = (*(r.value for r in COVERS), "fine-tuning")
"""What ``openness.code[].covers`` may say (the card schema's list): the pipeline's parts, and
``fine-tuning`` (code to adapt the released weights further, not how they were made)."""

LOOKED_UP = frozenset({Role.TRAINING, Role.DATA_PROCESSING, Role.EVALUATION})
"""Roles whose repositories the forge is asked about (the model's own pipeline); libraries,
inference servers and links of unknown role are not, to save the forge's rate limit."""

KNOWN_TOOLS: Mapping[str, str] = {
    # Hugging Face libraries
    "github.com/huggingface/transformers": "transformers",
    "github.com/huggingface/peft": "PEFT",
    "github.com/huggingface/trl": "TRL",
    "github.com/huggingface/accelerate": "Accelerate",
    "github.com/huggingface/datasets": "datasets",
    "github.com/huggingface/diffusers": "diffusers",
    "github.com/huggingface/tokenizers": "tokenizers",
    "github.com/huggingface/optimum": "Optimum",
    "github.com/huggingface/safetensors": "safetensors",
    "github.com/huggingface/huggingface_hub": "huggingface_hub",
    "github.com/huggingface/text-generation-inference": "text-generation-inference",
    "github.com/huggingface/nanotron": "nanotron",
    "github.com/huggingface/datatrove": "datatrove",
    "github.com/huggingface/lighteval": "lighteval",
    "github.com/huggingface/candle": "candle",
    "github.com/huggingface/alignment-handbook": "alignment-handbook",
    # training frameworks
    "github.com/microsoft/deepspeed": "DeepSpeed",
    "github.com/deepspeedai/deepspeed": "DeepSpeed",
    "github.com/nvidia/megatron-lm": "Megatron-LM",
    "github.com/nvidia/nemo": "NeMo",
    "github.com/nvidia/apex": "Apex",
    "github.com/eleutherai/gpt-neox": "GPT-NeoX",
    "github.com/mosaicml/llm-foundry": "LLM Foundry",
    "github.com/mosaicml/composer": "Composer",
    "github.com/openaccess-ai-collective/axolotl": "axolotl",
    "github.com/axolotl-ai-cloud/axolotl": "axolotl",
    "github.com/hiyouga/llama-factory": "LLaMA-Factory",
    "github.com/unslothai/unsloth": "Unsloth",
    "github.com/pytorch/pytorch": "PyTorch",
    "github.com/pytorch/torchtune": "torchtune",
    "github.com/lightning-ai/litgpt": "LitGPT",
    "github.com/lightning-ai/pytorch-lightning": "PyTorch Lightning",
    "github.com/facebookresearch/fairseq": "fairseq",
    "github.com/facebookresearch/xformers": "xFormers",
    "github.com/dao-ailab/flash-attention": "FlashAttention",
    "github.com/google/jax": "JAX",
    "github.com/jax-ml/jax": "JAX",
    "github.com/keras-team/keras": "Keras",
    "github.com/lm-sys/fastchat": "FastChat",
    # inference and serving
    "github.com/ggerganov/llama.cpp": "llama.cpp",
    "github.com/ggml-org/llama.cpp": "llama.cpp",
    "github.com/ggerganov/ggml": "ggml",
    "github.com/ggml-org/ggml": "ggml",
    "github.com/vllm-project/vllm": "vLLM",
    "github.com/sgl-project/sglang": "SGLang",
    "github.com/oobabooga/text-generation-webui": "text-generation-webui",
    "github.com/ollama/ollama": "Ollama",
    "github.com/mlc-ai/mlc-llm": "MLC LLM",
    "github.com/nvidia/tensorrt-llm": "TensorRT-LLM",
    "github.com/internlm/lmdeploy": "LMDeploy",
    "github.com/microsoft/onnxruntime": "ONNX Runtime",
    "github.com/ml-explore/mlx": "MLX",
    "github.com/ml-explore/mlx-examples": "MLX examples",
    "github.com/turboderp/exllamav2": "ExLlamaV2",
    "github.com/lostruins/koboldcpp": "KoboldCpp",
    "github.com/nomic-ai/gpt4all": "GPT4All",
    "github.com/timdettmers/bitsandbytes": "bitsandbytes",
    "github.com/bitsandbytes-foundation/bitsandbytes": "bitsandbytes",
    "github.com/facebookresearch/bitsandbytes": "bitsandbytes",
    "github.com/autogptq/autogptq": "AutoGPTQ",
    "github.com/casper-hansen/autoawq": "AutoAWQ",
    "github.com/mit-han-lab/llm-awq": "AWQ",
    # evaluation suites
    "github.com/eleutherai/lm-evaluation-harness": "lm-evaluation-harness",
    "github.com/bigcode-project/bigcode-evaluation-harness": "bigcode-evaluation-harness",
    "github.com/open-compass/opencompass": "OpenCompass",
    # tokenizers, utilities, model-family toolkits used with many models
    "github.com/openai/tiktoken": "tiktoken",
    "github.com/google/sentencepiece": "SentencePiece",
    "github.com/mistralai/mistral-common": "mistral-common",
    "github.com/meta-llama/llama-recipes": "llama-recipes",
    "github.com/meta-llama/llama-cookbook": "llama-cookbook",
    "github.com/meta-llama/llama-stack": "Llama Stack",
    "github.com/meta-llama/llama-agentic-system": "llama-agentic-system",
    "github.com/meta-llama/purplellama": "PurpleLlama",
    "github.com/facebookresearch/purplellama": "PurpleLlama",
    "github.com/pytorch/executorch": "ExecuTorch",
    "github.com/mlfoundations/open_clip": "OpenCLIP",
    "github.com/all-hands-ai/openhands": "OpenHands",
    "github.com/langchain-ai/langchain": "LangChain",
    "github.com/run-llama/llama_index": "LlamaIndex",
    "github.com/comfyanonymous/comfyui": "ComfyUI",
    "github.com/automatic1111/stable-diffusion-webui": "stable-diffusion-webui",
}
"""General tools and libraries, by repository key: used with many models, never one model's own
training code."""

_WORDS: tuple[tuple[Role, Callable[[], re.Pattern[str]]], ...] = (
    (Role.DATA_PROCESSING, lazy(
        r"\b(data[- _]?(prep\w*|process\w*|pipelines?|curation|cleaning|collection|filter\w*)"
        r"|pre-?process\w*|dedup\w*|near-?dup\w*|filtering|crawl\w*|(build|construct)\w* the"
        r" (data|corpus)|tokeni[sz]\w* the (data|corpus)"
        r"|(annotat|label)\w*\s+(\w+\s+){0,2}(data|datasets?|corpus|corpora))\b", re.I)),
    (Role.EVALUATION, lazy(r"\b(eval\w*|benchmark\w*|metrics?|harness)\b", re.I)),
    (Role.TRAINING, lazy(
        r"\b(train(ing|ed|er)?|pre-?train\w*|fine-?tun\w*|finetun\w*|reproduc\w*|replicat\w*"
        r"|recipes?)\b", re.I)),
    (Role.INFERENCE, lazy(
        r"\b(inference|serv(e|er|ing)|deploy\w*|demo|chat|quanti[sz]\w*|hosting|gguf|onnx"
        r"|run(ning)? (the|this|our) models?)\b", re.I)),
)
# Folders inside a repository that say what the link points at.
_PATH_ROLES: tuple[tuple[Role, Callable[[], re.Pattern[str]]], ...] = (
    (Role.DATA_PROCESSING, lazy(r"^(data\w*|dedup\w*|preprocess\w*|filter\w*)$", re.I)),
    (Role.EVALUATION, lazy(r"^(eval\w*|benchmark\w*)$", re.I)),
    (Role.TRAINING, lazy(r"^(train\w*|pretrain\w*|finetun\w*|configs?|recipes?)$", re.I)),
    (Role.INFERENCE, lazy(r"^(inference|serv\w*|demo\w*|deploy\w*)$", re.I)),
)
# Words just before a link that make it the model's upstream (a base model, the project it forks),
# not code of its own: "derived from [X]", "a fine-tune of [X]", "based on [X]".
_UPSTREAM = lazy(
    r"\b((derived|fine-?tuned|finetuned|distilled|converted|quanti[sz]ed|trained|modified|forked)"
    r" from|(fine-?tune|finetune|version|fork|variant|port) of|based (up)?on|built (up)?on"
    r"|on top of|originally)\W+(\w+\W+){0,4}\[?$",
    re.I,
)
# Links for people using the model, not the model's own pipeline.
_EXAMPLE = lazy(r"\b(notebooks?|colab|tutorials?|examples?|quick-?start|how[- ]to|guides?)\b",
                      re.I)
# Headings that are about code: only those give a role to a link nothing else explains.
_CODE_HEADING = lazy(
    r"\b(code|codebase|reproduc\w*|scripts?|implementation|repositor(y|ies)|recipes?)\b", re.I
)
_LINKS = lazy(r"\]\(|(?<!\()https?://")
MAX_LINKS_IN_SENTENCE = 2
"""A sentence with more links than this is a list of other projects: it gives no role."""
# A card's field label just before a link: "- **Codebase:** [...]".
_FIELD_LABEL = lazy(r"\*\*([^*\n]{2,40}?):?\*\*:?\s*$")
_CODEBASE = lazy(r"^\s*(code\s*base|training\s+code|pre-?training\s+code)\s*$", re.I)
_LIBRARY_WORDS = lazy(r"\b(library|libraries|framework|toolkit|package|sdk)\b", re.I)
_INSTALL = lazy(r"\b(pip3?|uv pip|conda|poetry|pipx)\s+(install|add)\b", re.I)
# Links into a code host that are not code: documents, policies, trackers, images (and a
# document under /blob/ or /raw/: _not_code).
_NOT_CODE = lazy(
    r"/(issues|discussions|pulls?|releases|wiki|assets|actions|stargazers|network)\b"
    r"|\.(md|txt|pdf|png|jpe?g|gif|svg|webp)([?#][^\s]*)?$",
    re.I,
)
_BLOB = lazy(r"/(?:blob|raw)/", re.I)
_DOCUMENT_AT_END = lazy(
    r"/(licen[cs]e|use_policy|notice|model_card|readme|responsible_use)[\w.%-]*([?#]\S*)?$", re.I
)
_TABLE_ROW = lazy(r"\s*\|")
_REACH = 300
"""Characters either side of a link read for its sentence, table cell and the words before it:
bounded, so that many links on one long line (a table row, a list run together) cost linear
time, not quadratic."""
_URL = lazy(
    r"(?i)(?:(?:git\+)?(?:https?|git|ssh)://(?:[\w.-]+@)?|git@|(?<![\w.@/-]))"
    r"(?:www\.)?(?:github\.com|gitlab\.com)[:/][^\s)\]>\"'`|]*"
)
_MD_LINK_BEFORE = lazy(r"\[([^\[\]\n]{1,120})\]\(\s*<?$")
_SENTENCE = lazy(r"(?<=[.!?。])\s+")
MAX_CONTEXT = 240
"""Characters of the sentence kept as evidence."""


@record
class CodeLink:
    """One repository the card links, with its role and the words that decided it."""

    repo: ForgeRepo
    """The repository, normalised."""
    url: str
    """The first link to it, as written (trailing punctuation removed)."""
    role: Role
    """Its main role for this model (``library`` wins over anything the sentence says)."""
    covers: tuple[str, ...]
    """Parts of the pipeline it was linked for (``training``, ``data-processing``, ...)."""
    line: int | None
    """Card line of the mention that decided the role (the ``openness`` entry, or the link)."""
    context: str
    """The sentence (or link text, install line, heading) behind the role, shortened."""
    why: str
    """How the role was decided: ``catalogue``, ``openness block``, ``link text``, ``path``,
    ``install command``, ``sentence``, ``heading`` or ``none``."""
    declared: Mapping[str, Any] | None = None
    """The card's ``openness.code`` entry for it, when there is one."""
    via: str | None = None
    """For a repository not linked by the card: what named it (a corpus of the training data)."""

    @property
    def own_code(self) -> bool:
        """The model's own training or data-processing code (what the code row is made of)."""
        return self.role.counts_for_code


@record
class _Mention:
    repo: ForgeRepo
    url: str
    line: int
    roles: tuple[Role, ...]
    why: str
    context: str


def _shorten(text: str) -> str:
    """Spaces collapsed, at most ``MAX_CONTEXT`` characters (only the words that fit are read:
    a long line is not split whole for each link on it)."""
    words: list[str] = []
    size = -1
    for m in _WORD_OR_SPACE().finditer(text):
        words.append(m.group())
        size += len(m.group()) + 1
        if size > MAX_CONTEXT:
            break
    text = " ".join(words)
    return text if len(text) <= MAX_CONTEXT else text[: MAX_CONTEXT - 1] + "…"


# A bare domain starts where a run of [\w.-] starts: from every word boundary inside the run
# (``\b``), the greedy run was rescanned (quadratic in "a.a.a.a...").
_ANY_URL = lazy(
    r"(?i)\b(?:https?://|git@|www\.)\S+|(?<![\w.-])[\w.-]+\.(?:com|org|io|ai)/\S*"
)
_WORD_OR_SPACE = lazy(r"\S+")


def _not_code(url: str) -> bool:
    """A link to a document, not code: an issue tracker, an image, ``/blob/REF/LICENSE``.

    The document is looked for after the first ``/blob/`` or ``/raw/`` only: a pattern such as
    ``/blob/[^\\s]*/LICENSE...$`` rescans the rest of a long URL from every ``/blob/`` in it.
    """
    if _NOT_CODE().search(url):
        return True
    blob = _BLOB().search(url)
    return blob is not None and _DOCUMENT_AT_END().search(url, blob.end()) is not None


def _words(text: str) -> str:
    """``text`` without its URLs: an address says nothing about what a link is for."""
    return _ANY_URL().sub(" ", text)


def _roles_in(text: str) -> tuple[Role, ...]:
    text = _words(text)
    found = [role for role, rx in _WORDS if rx().search(text)]
    if Role.EVALUATION in found and Role.TRAINING in found and not re.search(
        r"\b(train(ing|ed|er)?|pre-?train\w*|fine-?tun\w*|finetun\w*)\b", text, re.I
    ):
        # "evaluation scripts to reproduce our results": reproducing a score is not training.
        found.remove(Role.TRAINING)
    return tuple(r for r in COVERS if r in found)


def _path_roles(url: str) -> tuple[Role, ...]:
    m = re.search(r"/(?:-/)?(?:tree|blob)/[^/\s]+/([^?#\s]*)", url)
    if not m:
        return ()
    found: list[Role] = []
    for part in m.group(1).split("/"):
        for role, rx in _PATH_ROLES:
            if rx().match(part) and role not in found:
                found.append(role)
    return tuple(r for r in COVERS if r in found)


def _mentions(card: Card) -> list[_Mention]:
    out: list[_Mention] = []
    fenced = card.fenced_lines  # the card's one reading of code fences
    last_prose = ""  # inside a code block: the last prose line before it
    for line, text in enumerate(card.body_lines(), start=card.body_start_line):
        in_code = line in fenced
        if in_code and FENCE_LINE().match(text):
            continue
        if not in_code and text.strip():
            last_prose = text
        if "github" not in text.lower() and "gitlab" not in text.lower():
            continue
        for m in _URL().finditer(text):
            url = m.group(0).rstrip(".,;:!?'\"*_")
            repo = forge_repo_from(url)
            if repo is None or _not_code(url):
                continue
            out.append(_judge(card, repo, url, text, m.start(), line, in_code, last_prose))
    return out


def _judge(
    card: Card, repo: ForgeRepo, url: str, text: str, pos: int, line: int, in_code: bool,
    prose_before: str,
) -> _Mention:
    """The role of one mention, from the strongest signal present."""
    if repo.key in KNOWN_TOOLS:
        return _Mention(repo, url, line, (Role.LIBRARY,), "catalogue",
                        f"{KNOWN_TOOLS[repo.key]} is a general library or tool")
    before = text[max(0, pos - _REACH) : pos]
    label = _MD_LINK_BEFORE().search(before)
    lead = before[: label.start()] if label else before
    if _UPSTREAM().search(lead[-80:]):
        return _Mention(repo, url, line, (), "upstream", _shorten(sentence_at(text, pos)))
    if label:
        words = label.group(1)
        if _LIBRARY_WORDS().search(words):
            return _Mention(repo, url, line, (Role.LIBRARY,), "link text", _shorten(words))
        roles = _roles_in(words)
        if _EXAMPLE().search(words):
            return _Mention(repo, url, line, (), "usage example", _shorten(words))
        if roles:
            return _Mention(repo, url, line, roles, "link text", _shorten(words))
    field = _FIELD_LABEL().search(lead)
    if field and _CODEBASE().search(field.group(1)):
        # "- **Codebase:** [org/model](...)": the card's field for its own code base.
        return _Mention(repo, url, line, (Role.TRAINING,), "link text", field.group(1))
    roles = _path_roles(url)
    if roles:
        return _Mention(repo, url, line, roles, "path", url)
    if in_code:
        context = prose_before
        roles = _roles_in(context)
        if _INSTALL().search(text, max(0, pos - _REACH), pos + _REACH):
            # Installed as a package: a dependency, or the model's own runtime; its training
            # code is cloned, not pip-installed.
            return _Mention(repo, url, line, (Role.INFERENCE,), "install command",
                            _shorten(text))
        if roles:
            return _Mention(repo, url, line, roles, "sentence", _shorten(context))
    else:
        sentence = _cell_at(text, pos) if _TABLE_ROW().match(text) else sentence_at(text, pos)
        crowded = len(_LINKS().findall(sentence)) > MAX_LINKS_IN_SENTENCE
        roles = () if crowded else _roles_in(sentence)
        if _EXAMPLE().search(_words(sentence)) and not re.search(r"\b(our|we)\b", sentence, re.I):
            return _Mention(repo, url, line, (), "usage example", _shorten(sentence))
        if roles:
            return _Mention(repo, url, line, roles, "sentence", _shorten(sentence))
    for title in card.heading_chain(line):
        roles = _roles_in(title) if _CODE_HEADING().search(title) else ()
        if roles:
            return _Mention(repo, url, line, roles, "heading", f"section '{title}'")
    return _Mention(repo, url, line, (), "none", _shorten(text))


def sentence_at(text: str, pos: int) -> str:
    """The sentence of ``text`` that holds character ``pos``, at most ``_REACH`` characters
    either side of it."""
    low, high = max(0, pos - _REACH), min(len(text), pos + _REACH)
    start = low
    for m in _SENTENCE().finditer(text, low, high):
        if m.start() >= pos:
            return text[start : m.start()]
        start = m.end()
    return text[start:high]


def _cell_at(row: str, pos: int) -> str:
    """The table cell of a Markdown table row that holds character ``pos`` (at most ``_REACH``
    characters either side of it)."""
    low, high = max(0, pos - _REACH), min(len(row), pos + _REACH)
    start = row.rfind("|", low, pos) + 1 or low
    end = row.find("|", pos, high)
    return row[start : end if end != -1 else high]


def _from_block(card: Card) -> list[CodeLink]:
    # The typed view: a wrong-typed entry or value is left out (rule OW109 reports it).
    items = as_list(card.meta.get("openness", "code"))
    out: list[CodeLink] = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("url"), str):
            continue
        url = item["url"].strip()
        repo = forge_repo_from(url) or ForgeRepo("", url)
        # A value outside the schema's list is left out (the card's schema check reports it).
        declared = card.meta.texts("openness", "code", i, "covers")
        covers = tuple(c for c in declared if c in COVERS_DECLARED)
        line = card.line_of("openness", "code", i)
        if repo.key in KNOWN_TOOLS:
            out.append(CodeLink(repo, url, Role.LIBRARY, covers, line,
                                f"{KNOWN_TOOLS[repo.key]} is a general library or tool",
                                "catalogue", item))
            continue
        role = next((r for r in COVERS if r.value in covers), Role.UNKNOWN)
        out.append(CodeLink(repo, url, role, covers, line, "openness.code", "openness block",
                            item))
    return out


def code_links(card: Card) -> list[CodeLink]:
    """Every code repository the card links or declares, once each, in order of appearance.

    ``openness.code`` entries come first and keep the roles their author gave (a catalogued
    library excepted); each other repository's role is the union of what its mentions say,
    with the strongest mention kept as evidence.
    """
    declared = _from_block(card)
    seen = {link.repo.key for link in declared if link.repo.host}
    grouped: dict[str, list[_Mention]] = {}
    for mention in _mentions(card):
        if mention.repo.key not in seen:
            grouped.setdefault(mention.repo.key, []).append(mention)
    out = list(declared)
    for mentions in grouped.values():
        out.append(_merge(mentions))
    return out


def _merge(mentions: list[_Mention]) -> CodeLink:
    first = mentions[0]
    if any(Role.LIBRARY in m.roles for m in mentions):
        lib = next(m for m in mentions if Role.LIBRARY in m.roles)
        return CodeLink(first.repo, first.url, Role.LIBRARY, (), lib.line, lib.context, lib.why)
    covers = tuple(r for r in COVERS if any(r in m.roles for m in mentions))
    if not covers:
        return CodeLink(first.repo, first.url, Role.UNKNOWN, (), first.line, first.context,
                        first.why)
    role = covers[0]
    best = min((m for m in mentions if role in m.roles), key=lambda m: _STRENGTH[m.why])
    return CodeLink(first.repo, best.url, role, tuple(r.value for r in covers), best.line,
                    best.context, best.why)


_STRENGTH = {"link text": 0, "sentence": 1, "path": 2, "install command": 3, "heading": 4}


def forge_targets(links: Iterable[CodeLink]) -> tuple[ForgeRepo, ...]:
    """Repositories worth a forge lookup: the model's own pipeline on GitHub or GitLab, once
    each, in order (libraries, inference servers and links of unknown role are skipped)."""
    out: list[ForgeRepo] = []
    seen: set[str] = set()
    for link in links:
        if not link.repo.host or link.repo.key in seen or link.repo.key in KNOWN_TOOLS:
            continue
        if link.role in LOOKED_UP or any(c in {r.value for r in LOOKED_UP} for c in link.covers):
            seen.add(link.repo.key)
            out.append(link.repo)
    return tuple(out)


_LICENSE_FILE_LINK = lazy(
    r"/(?:-/)?(?:blob|raw)/[^/\s]+/(licen[cs]e|copying)(\.(md|txt|rst))?/?(?:[?#]\S*)?$", re.I
)


@record
class LicenseFileLink:
    """A link to the license file at the root of a forge repository (a license badge)."""

    repo: ForgeRepo
    """The repository whose license the link points at."""
    url: str
    """The link as written."""
    line: int
    """Card line of the link."""
    context: str
    """The sentence or badge around it, without the address."""


def license_links(card: Card) -> list[LicenseFileLink]:
    """Links to a repository's root LICENSE (or COPYING) file on GitHub or GitLab, in order.

    Such a link (usually a license badge) says where the card's license text is; its forge
    knows which license that is. Files named otherwise (``LICENSE-MODEL``, ``LICENSE-CODE``)
    are not the repository's license and are left out.
    """
    out: list[LicenseFileLink] = []
    seen: set[str] = set()
    lines = itertools.chain(card.body_lines(), [""])
    for line, (text, following) in enumerate(itertools.pairwise(lines),
                                             start=card.body_start_line):
        if "licen" not in text.lower() and "copying" not in text.lower():
            continue
        for m in _URL().finditer(text):
            url = m.group(0).rstrip(".,;:!?'\"*_")
            repo = forge_repo_from(url)
            if repo is None or not _LICENSE_FILE_LINK().search(url) or repo.key in seen:
                continue
            seen.add(repo.key)
            # A badge's words are its image's alt text, often on the next line.
            around = text[max(0, m.start() - _REACH) : m.end() + _REACH]
            if m.end() + _REACH > len(text):
                around += " " + following[:_REACH]
            alts = re.findall(r'alt="([^"]*)"', around)
            prose = HTML_TAG().sub(" ", _words(sentence_at(text, m.start())))
            context = _shorten(" ".join(alts) if alts else prose)
            out.append(LicenseFileLink(repo, url, line, context))
    return out
