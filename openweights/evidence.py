"""Evidence: what we know about weights, training code and training data, and where it came from.

Built from a source's ``Bundle`` and the catalogue; no I/O. Every fact carries its ``Origin``
(file and line, or a Hub field) so that each verdict downstream can cite it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openweights.card import Card, Section, parse_card
from openweights.licensing.catalogue import Catalogue, LicenseEntry
from openweights.licensing.grader import (
    DEFAULT_THRESHOLDS,
    GradingContext,
    LicenseGrade,
    Thresholds,
    Verdict,
    grade_license,
    least_open,
)
from openweights.sources import Bundle, DatasetMaterial, ModelMaterial

WEIGHT_SUFFIXES = (
    ".safetensors",
    ".bin",
    ".gguf",
    ".onnx",
    ".pt",
    ".pth",
    ".ckpt",
    ".h5",
    ".msgpack",
    ".tflite",
    ".mlmodel",
    ".npz",
    ".pb",
    ".keras",
    ".nemo",
    ".ggml",
    ".exl2",
    ".llamafile",
)
MULTIMODAL_PIPELINES = {
    "image-text-to-text",
    "visual-question-answering",
    "any-to-any",
    "image-to-text",
    "video-text-to-text",
    "audio-text-to-text",
    "document-question-answering",
    "visual-document-retrieval",
}
TEXT_PIPELINES = {
    "text-generation",
    "text2text-generation",
    "fill-mask",
    "feature-extraction",
    "sentence-similarity",
    "text-classification",
    "token-classification",
    "question-answering",
    "summarization",
    "translation",
    "conversational",
    "zero-shot-classification",
    "table-question-answering",
    "text-ranking",
}
_CODE_HOST = re.compile(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org|bitbucket\.org|git\.[\w.-]+)"
    r"/[\w.-]+/[\w.-]+[^\s)\]>\"'`]*",
    re.I,
)
# Links into a code host that are not code: documents, policies, issue trackers, images.
_NOT_CODE = re.compile(
    r"/(issues|discussions|pulls?|releases|wiki|assets)\b|/blob/[^\s]*/"
    r"(licen[cs]e|use_policy|notice|model_card|readme|responsible_use)[\w.-]*$"
    r"|\.(md|txt|pdf|png|jpe?g|gif|svg)$",
    re.I,
)
_HF_DATASET_LINK = re.compile(r"huggingface\.co/datasets/([\w.-]+/[\w.-]+)", re.I)
_HF_MODEL_LINK = re.compile(r"^https?://(?:www\.)?huggingface\.co/([\w.-]+/[\w.-]+)", re.I)
_MULTIMODAL_WORDS = re.compile(
    r"\bmulti-?modal\b|\bvision[- ]language\b|\bimage[- ]text[- ]to[- ]text\b"
    r"|\b[\w.-]*-vision\b|text\s*\\?\+\s*image",
    re.I,
)
_OPEN_SOURCE_CLAIM = re.compile(r"\bopen[- ]source\b", re.I)
_BASE_IN_PROSE = re.compile(
    r"(?i:\b(?:(?:fine[- ]?tuned?|finetuned|trained|quantized|quantised|merged|derived|converted)"
    r"(?:\s+(?:version|model))?\s+from|(?:based|built)\s+(?:up)?on|on\s+top\s+of))"
    r"(?:\s+(?i:the|recent|original|latest)){0,3}\s+"
    r"(?:\[(?P<link>[^\]\n]{2,80})\]"
    r"|(?P<name>https?://huggingface\.co/[\w.-]+/[\w.-]+"
    r"|[A-Za-z][\w.-]*/[\w.-]*[A-Za-z0-9]"
    r"|[A-Z][\w.]*(?:[- ]?v?\d[\w.]*)+(?:-[\w.]+)*))"
    r"(?![\w-]*\s+(?:\w+\s+)?architecture)"
)
_TEMPLATE_BASE = re.compile(r"finetuned from model(?:\s*\[optional\])?[*:\s]+\[?([^\]\n(]+)", re.I)


@dataclass(frozen=True)
class Origin:
    """Where a fact was read: a file and line, or a Hub field."""

    path: str | None = None
    """File inside the repo (``README.md``, ``LICENSE``), or None for a Hub field."""
    line: int | None = None
    """1-based line in that file, when known."""
    field: str | None = None
    """Hub or metadata field name (``gated``, ``base_model``), when not a file line."""
    repo: str | None = None
    """Another repo the fact comes from (a base model, a dataset); None for the subject."""

    def __str__(self) -> str:
        where = self.path or (f"hub:{self.field}" if self.field else "-")
        if self.path and self.line:
            where = f"{self.path}:{self.line}"
        return f"{self.repo}:{where}" if self.repo else where


@dataclass(frozen=True)
class Fact:
    """One thing we know, and where it came from."""

    claim: str
    """What it says, in a short sentence."""
    origin: Origin
    """Where it was read."""


@dataclass(frozen=True)
class LicenseFinding:
    """A license as found for a component: what was said, what it resolves to, and its grade."""

    raw: str | None
    """What the material said (``llama3.1``, ``other:gemma-terms-of-use``, a file name)."""
    entry: LicenseEntry | None
    """The catalogue entry it resolves to, or None."""
    source: str
    """``metadata``, ``license-file``, ``body``, ``gated-prompt``, ``openness``, ``base-model``,
    ``dataset-card`` or ``none``."""
    origin: Origin
    """Where it was read."""
    grade: LicenseGrade | None = None
    """The entry graded for this model (None when unresolved)."""

    @property
    def verdict(self) -> Verdict:
        """The license verdict; unknown when unresolved."""
        return self.grade.verdict if self.grade else Verdict.UNKNOWN


@dataclass(frozen=True)
class LicenseFileEvidence:
    """A LICENSE-like file and what its text was identified as."""

    path: str
    """Path in the repo."""
    status: str
    """``match``, ``near-miss`` or ``no-match``."""
    entry: LicenseEntry | None
    """The entry it matches or nearly matches."""
    part: str
    """Which part of the license it is (``license`` or ``acceptable use policy``)."""
    similarity: float
    """0..1 similarity to the best entry."""
    description: str
    """One line for people (``94 % similar to llama3.1: modified text?``)."""


@dataclass(frozen=True)
class CodeRelease:
    """A training/inference code release found in the card or its openness block."""

    url: str
    """Where it lives."""
    license: LicenseFinding
    """Its license (unknown when the card does not say)."""
    covers: tuple[str, ...]
    """``training``, ``data-processing``, ``evaluation``, ``inference`` (what we could tell)."""
    origin: Origin
    """Where the link was found."""


@dataclass(frozen=True)
class DatasetEvidence:
    """A dataset the model names, and its license when it could be looked up."""

    id: str
    """Hub dataset id."""
    found: bool | None
    """True / False when looked up on the Hub; None when it could not be (local mode)."""
    license: LicenseFinding
    """Its license (most restrictive of a list)."""
    origin: Origin
    """Where the model names it."""
    gated: str | None = None
    """``auto``/``manual`` when the dataset repo is gated."""


@dataclass(frozen=True)
class DataInformation:
    """The rubric's five-point data-information test (§2.3), point by point."""

    inventory: bool
    """1. Per-source inventory with access pointers and sizes or mixture weights."""
    processing_code: bool
    """2. Released code for filtering and deduplication."""
    provenance: bool
    """3. A provenance and licensing statement per source."""
    unshareable: bool
    """4. Nature, scope and reason for each part that is not shared (true when all is shared)."""
    labelling: bool
    """5. Labelling and annotation procedures (or an explicit statement of none)."""

    @property
    def sufficient(self) -> bool:
        """All five points present."""
        return all(self.points.values())

    @property
    def points(self) -> dict[str, bool]:
        """The five points by name, in order."""
        return {
            "source inventory with pointers and sizes": self.inventory,
            "filtering and deduplication code": self.processing_code,
            "provenance and license per source": self.provenance,
            "what was not shared and why": self.unshareable,
            "labelling procedures": self.labelling,
        }


@dataclass(frozen=True)
class LineageLink:
    """One ancestor of the model."""

    id: str
    """Hub id of the ancestor."""
    relation: str | None
    """``adapter``, ``merge``, ``quantized``, ``finetune`` or None when unstated."""
    child: str
    """The id of the model that names it as its base."""
    found: bool
    """False when the repo could not be found."""
    license: LicenseFinding
    """The ancestor's own weights license."""


@dataclass(frozen=True)
class ComponentEvidence:
    """What we know about one component (weights, code or data)."""

    name: str
    """``weights``, ``code`` or ``data``."""
    availability: str
    """``released``, ``gated``, ``not-released`` or ``unknown``."""
    license: LicenseFinding
    """The license that governs it (for weights: after lineage)."""
    facts: tuple[Fact, ...]
    """What was found, with origins."""


@dataclass(frozen=True)
class Evidence:
    """Everything the rules and the grader look at."""

    bundle: Bundle
    """The source's material (read-only)."""
    card: Card | None
    """The parsed card."""
    modality: str | None
    """``text``, ``multimodal`` or None."""
    thresholds: Thresholds
    """The grading cut-offs in force."""
    declared: tuple[LicenseFinding, ...]
    """Licenses the card's metadata declares (one per list item)."""
    license_files: tuple[LicenseFileEvidence, ...]
    """LICENSE-like files and their identification."""
    prose_licenses: tuple[LicenseFinding, ...]
    """Licenses stated in the body or the gate prompt (weights unless said otherwise)."""
    own_license: LicenseFinding
    """The weights license of the repo itself (file beats metadata beats prose)."""
    weights: ComponentEvidence
    """Weights, with lineage applied."""
    code: ComponentEvidence
    """Training code."""
    data: ComponentEvidence
    """Training data."""
    code_releases: tuple[CodeRelease, ...]
    """Code links and openness-block code entries."""
    datasets: tuple[DatasetEvidence, ...]
    """Datasets named by the card."""
    data_information: DataInformation
    """The five-point test."""
    lineage: tuple[LineageLink, ...]
    """Ancestors, nearest first."""
    base_models: tuple[tuple[str, Origin], ...]
    """Raw base_model values as written, with where."""
    openness: Mapping[str, Any] = field(default_factory=dict)
    """The card's ``openness:`` block, if any."""


# --------------------------------------------------------------------------- helpers


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def hub_id_from(value: Any) -> str | None:
    """A Hub repo id from a metadata value (``org/name``, or a huggingface.co URL)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _HF_MODEL_LINK.match(text)
    if m:
        text = m.group(1)
    text = text.strip("/")
    if re.fullmatch(r"[\w.-]+(/[\w.-]+)?", text):
        return text
    return None


def dataset_id_from(value: Any) -> str | None:
    """A dataset repo id from a ``datasets:`` value, dropping configs (``org/name:config``)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = _HF_DATASET_LINK.search(text)
    if m:
        return m.group(1)
    text = text.split(":", 1)[0].strip("/")
    parts = text.split("/")
    if len(parts) > 2:
        text = "/".join(parts[:2])
    return text if re.fullmatch(r"[\w.-]+(/[\w.-]+)?", text) else None


def detect_modality(card: Card | None, api: Mapping[str, Any] | None) -> str | None:
    """``multimodal`` / ``text`` from pipeline_tag, tags and the card title; None if unclear."""
    meta: Mapping[str, Any] = card.metadata if card else {}
    tag = meta.get("pipeline_tag") or (api or {}).get("pipeline_tag")
    tags = {str(t).lower() for t in _as_list(meta.get("tags")) + _as_list((api or {}).get("tags"))}
    if tag in MULTIMODAL_PIPELINES or tags & {"multimodal", "vision", "image-text-to-text"}:
        return "multimodal"
    if tag in TEXT_PIPELINES:
        return "text"
    if card is None or tag:
        return None
    # No pipeline tag: the opening of the card usually says what goes in and out.
    opening = card.body[:3000]
    if _MULTIMODAL_WORDS.search(opening):
        return "multimodal"
    return None


# Words for license matching: letters and numbers split apart ("llama3.1" -> llama, 3.1), so
# "Llama 3.1", "llama-3.1" and "llama3.1" read the same.
_TOKEN = re.compile(r"[a-z]+\+*|\d+(?:\.\d+)*\+*")
_PHRASES: dict[int, tuple[Catalogue, dict[tuple[str, ...], LicenseEntry], int]] = {}


def _phrase_index(catalogue: Catalogue) -> tuple[dict[tuple[str, ...], LicenseEntry], int]:
    """Every license name and alias as a word tuple, built once per catalogue."""
    cached = _PHRASES.get(id(catalogue))
    if cached is not None and cached[0] is catalogue:
        return cached[1], cached[2]
    index: dict[tuple[str, ...], LicenseEntry] = {}
    # Specific licenses before families and placeholders, so a shared phrase names the license.
    for entry in sorted(catalogue, key=lambda e: e.kind != "license"):
        if entry.kind == "placeholder":
            continue
        names = {entry.name, entry.id, *entry.aliases, *entry.markers, entry.spdx or ""}
        for name in names:
            words = tuple(_TOKEN.findall(name.lower()))
            if not words:
                continue
            if len(words) == 1 and not any(c.isdigit() for c in words[0]):
                # One bare word ("deepseek", "gemma", "mit") is a company or a product as often
                # as a license: it counts only as "<word> license".
                index.setdefault((*words, "license"), entry)
                index.setdefault((*words, "licence"), entry)
                continue
            index.setdefault(words, entry)
    longest = max((len(k) for k in index), default=1)
    _PHRASES[id(catalogue)] = (catalogue, index, longest)
    return index, longest


class _Resolver:
    """Resolves license mentions against the catalogue and grades them for one model."""

    def __init__(self, catalogue: Catalogue, modality: str | None, th: Thresholds) -> None:
        self.catalogue = catalogue
        self.ctx = GradingContext(modality=modality)
        self.th = th

    def finding(
        self, raw: str | None, entry: LicenseEntry | None, source: str, origin: Origin
    ) -> LicenseFinding:
        grade = grade_license(entry, self.ctx, self.th) if entry else None
        return LicenseFinding(raw, entry, source, origin, grade)

    def declared(self, meta: Mapping[str, Any], card: Card) -> list[LicenseFinding]:
        """One finding per ``license:`` value; ``other`` resolved through license_name."""
        out = []
        values = _as_list(meta.get("license"))
        name = meta.get("license_name")
        for i, value in enumerate(values):
            line = card.line_of("license", i) if len(values) > 1 else card.line_of("license")
            origin = Origin(card.path, line)
            if not isinstance(value, str) or not value.strip():
                out.append(self.finding(str(value), None, "metadata", origin))
                continue
            entry = self.catalogue.resolve(value)
            if entry is not None and entry.kind == "placeholder" and isinstance(name, str):
                named = self.catalogue.resolve(name)
                if named is not None and named.kind != "placeholder":
                    origin = Origin(card.path, card.line_of("license_name"))
                    out.append(self.finding(f"other:{name}", named, "metadata", origin))
                    continue
            out.append(self.finding(value, entry, "metadata", origin))
        if not values and isinstance(name, str) and name.strip():
            # license_name without license: (seen in the wild) still names the license.
            entry = self.catalogue.resolve(name)
            origin = Origin(card.path, card.line_of("license_name"))
            out.append(self.finding(name, entry, "metadata", origin))
        return out

    def mentions(self, text: str) -> list[tuple[int, int, LicenseEntry]]:
        """License names in ``text``, longest first at each word: (first word, end word, entry)."""
        index, longest = _phrase_index(self.catalogue)
        tokens = _TOKEN.findall(text.lower())
        found: list[tuple[int, int, LicenseEntry]] = []
        i = 0
        while i < len(tokens):
            for n in range(min(longest, len(tokens) - i), 0, -1):
                entry = index.get(tuple(tokens[i : i + n]))
                if entry is not None:
                    found.append((i, i + n, entry))
                    i += n
                    break
            else:
                i += 1
        return found


# --------------------------------------------------------------------------- license evidence


def _identify_files(files: Mapping[str, str], catalogue: Catalogue) -> list[LicenseFileEvidence]:
    if not files:
        return []
    from openweights.licensing.identify import identify  # lazy: only when a LICENSE exists

    out = []
    for path, text in sorted(files.items()):
        result = identify(text, catalogue)
        best = result.best
        entry = catalogue.resolve(best.license_id) if best else None
        out.append(
            LicenseFileEvidence(
                path=path,
                status=result.status,
                entry=entry,
                part=best.part if best else "license",
                similarity=best.similarity if best else 0.0,
                description=result.describe(),
            )
        )
    return out


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[*])")
_YAML_KEY = re.compile(r"^\s*-?\s*licen[cs]e(_name)?\s*:", re.I)
_LICENSE_COLON = re.compile(r"licen[cs]e[*_\s]*[:：][*_\s]*\[?([^\n\](|;,]{2,60})", re.I)
# Sentences about where something came from describe a base model's terms, not this model's.
_LINEAGE_CONTEXT = re.compile(
    r"\b(originally|derived from|based on|base models?|inherit\w*|upstream|original model)\b",
    re.I,
)


def _component_hint(sentence: str) -> str:
    """Which component a license sentence is about: weights, code, data or base."""
    s = sentence.lower()
    weights_words = re.search(r"\b(weights?|models?|checkpoints?|parameters)\b", s)
    if re.search(r"\b(code|source code|software|scripts?)\b", s) and not weights_words:
        return "code"
    if re.search(r"\b(data ?sets?|training data|corpus|corpora)\b", s) and not weights_words:
        return "data"
    if _LINEAGE_CONTEXT.search(sentence):
        return "base"
    return "weights"


def unquote(text: str) -> str:
    """URL-decode link targets (imported lazily: most cards have none)."""
    from urllib.parse import unquote as _unquote

    return _unquote(text)


def _sentences(text: str, first_line: int) -> Iterator[tuple[str, int]]:
    for line_no, line in enumerate(text.splitlines(), start=first_line):
        for sentence in _SENTENCE_END.split(line):
            yield sentence, line_no


def _prose_licenses(
    card: Card, res: _Resolver
) -> tuple[list[LicenseFinding], list[LicenseFinding]]:
    """Licenses named in the body: (weights, code), from License sections and license sentences.

    Each sentence is read on its own and sorted by what it is about: code, data, a base model
    (``originally licensed under``) or the weights. Link targets are decoded, so a link to
    ``Tongyi%20Qianwen%20LICENSE%20AGREEMENT`` names its license.
    """
    weights: list[LicenseFinding] = []
    code: list[LicenseFinding] = []
    sections = card.find_sections(r"licen[cs]e|licensing|terms of use")
    chunks: list[tuple[str, int, bool]] = [(s.body, s.line + 1, True) for s in sections]
    chunks += [(s.title, s.line, True) for s in sections]
    for number, line in enumerate(card.body.splitlines(), start=card.body_start_line):
        if "licen" in line.lower():
            chunks.append((line, number, False))
    seen: set[tuple[str, str]] = set()
    for text, first_line, in_section in chunks:
        for sentence, line_no in _sentences(text, first_line):
            if not in_section and "licen" not in sentence.lower():
                continue
            decoded = unquote(sentence) if "%" in sentence else sentence
            found = [entry for _s, _e, entry in res.mentions(decoded)]
            # A bare "license: x" line is a YAML key that never made it into metadata (broken
            # front matter), not a statement in the card's text.
            colon = () if _YAML_KEY.match(decoded) else _LICENSE_COLON.finditer(decoded)
            for m in colon:
                short = res.catalogue.resolve(m.group(1).strip(" *_`.").split(" (")[0])
                if short is not None and short.kind != "placeholder":
                    found.append(short)
            hint = _component_hint(decoded)
            for entry in found:
                key = (hint, entry.id)
                if key in seen or hint in ("data", "base"):
                    continue
                seen.add(key)
                finding = res.finding(entry.id, entry, "body", Origin(card.path, line_no))
                (code if hint == "code" else weights).append(finding)
    return _most_specific(weights), code


def _most_specific(found: list[LicenseFinding]) -> list[LicenseFinding]:
    """Prose candidates, least open first; family ids only when no member is named."""
    specific = [f for f in found if f.entry is not None and f.entry.kind == "license"]
    chosen = specific or found
    return sorted(chosen, key=lambda f: -f.verdict.rank)


def _gate_prompt_license(card: Card, res: _Resolver, catalogue: Catalogue) -> LicenseFinding | None:
    prompt = card.metadata.get("extra_gated_prompt")
    if not isinstance(prompt, str) or len(prompt) < 40:
        return None
    origin = Origin(card.path, card.line_of("extra_gated_prompt"))
    if len(prompt) > 2000:
        from openweights.licensing.identify import identify

        result = identify(prompt, catalogue)
        if result.best and result.status in ("match", "near-miss"):
            entry = catalogue.resolve(result.best.license_id)
            return res.finding(entry.id if entry else None, entry, "gated-prompt", origin)
    mentions = res.mentions(prompt)
    if mentions:
        entry = mentions[0][2]
        return res.finding(entry.id, entry, "gated-prompt", origin)
    return None


def _choose_own_license(
    declared: list[LicenseFinding],
    files: list[LicenseFileEvidence],
    prose: list[LicenseFinding],
    gate: LicenseFinding | None,
    res: _Resolver,
) -> LicenseFinding:
    # The LICENSE text outranks the metadata (rubric §2.6): a matched file decides.
    matched = [f for f in files if f.status == "match" and f.entry and f.part == "license"]
    if matched:
        f = matched[0]
        return res.finding(f.path, f.entry, "license-file", Origin(f.path, 1))
    resolved = [d for d in declared if d.entry is not None and d.entry.kind != "placeholder"]
    if resolved:
        if len(resolved) == 1 and len(declared) == 1:
            return resolved[0]
        worst = least_open([d.verdict for d in declared])
        return next(d for d in declared if d.verdict is worst)
    if declared and any(d.entry is None for d in declared):
        # An unrecognised id: never guess from elsewhere over what the author wrote.
        return next(d for d in declared if d.entry is None)
    near = [f for f in files if f.status == "near-miss" and f.entry and f.part == "license"]
    for candidate in [*prose, *([gate] if gate else [])]:
        return candidate
    if near:
        f = near[0]
        # A modified text is not the license it resembles: report it, grade it unknown.
        return res.finding(f.path, None, "license-file", Origin(f.path, 1))
    if declared:
        return declared[0]
    if files:
        return res.finding(files[0].path, None, "license-file", Origin(files[0].path, 1))
    return LicenseFinding(None, None, "none", Origin())


# --------------------------------------------------------------------------- code and data


def _openness(card: Card | None) -> Mapping[str, Any]:
    block = card.metadata.get("openness") if card else None
    return block if isinstance(block, dict) else {}


def _code_releases(
    card: Card, res: _Resolver, prose_code: list[LicenseFinding]
) -> list[CodeRelease]:
    out: list[CodeRelease] = []
    block = _openness(card)
    for i, item in enumerate(_as_list(block.get("code"))):
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            continue
        origin = Origin(card.path, card.line_of("openness", "code", i))
        raw = item.get("license")
        entry = res.catalogue.resolve(raw) if isinstance(raw, str) else None
        lic = res.finding(raw if isinstance(raw, str) else None, entry, "openness", origin)
        covers = tuple(str(c) for c in _as_list(item.get("covers")))
        out.append(CodeRelease(item["url"], lic, covers, origin))
    if out:
        return out
    code_license = prose_code[0] if prose_code else None
    seen: set[str] = set()
    for section in card.sections or ():
        title = section.title.lower()
        for m in _CODE_HOST.finditer(section.body):
            url = m.group(0).rstrip(".,;:")
            repo = "/".join(url.split("/")[:5]).lower()
            if repo in seen or _NOT_CODE.search(url):
                continue
            seen.add(repo)
            line = section.line + 1 + section.body.count("\n", 0, m.start())
            context = (title + " " + _line_around(section.body, m.start())).lower()
            covers = _guess_covers(context)
            if not covers:
                continue
            origin = Origin(card.path, line)
            lic = code_license or res.finding(None, None, "none", origin)
            out.append(CodeRelease(url, lic, covers, origin))
    return out


def _line_around(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end != -1 else len(text)]


def _guess_covers(context: str) -> tuple[str, ...]:
    covers = []
    if re.search(r"\b(train(ing)?|pre-?train\w*|fine-?tun\w*|reproduc\w*)\b", context):
        covers.append("training")
    if re.search(
        r"\b(data ?(processing|pipeline|prep\w*)|dedup\w*|filter\w*|preprocess\w*)", context
    ):
        covers.append("data-processing")
    if re.search(r"\b(eval\w*|benchmark\w*)\b", context):
        covers.append("evaluation")
    if re.search(r"\b(inference|serv(e|ing)|usage|demo|repository|code|github)\b", context):
        covers.append("inference")
    return tuple(covers)


def _datasets(card: Card, bundle: Bundle, res: _Resolver) -> list[DatasetEvidence]:
    ids: list[tuple[str, Origin]] = []
    meta = card.metadata
    values = _as_list(meta.get("datasets"))
    for i, value in enumerate(values):
        did = dataset_id_from(value)
        if did:
            line = (
                card.line_of("datasets", i)
                if isinstance(meta.get("datasets"), list)
                else (card.line_of("datasets"))
            )
            ids.append((did, Origin(card.path, line)))
    data_block = _openness(card).get("data")
    if isinstance(data_block, dict):
        for i, value in enumerate(_as_list(data_block.get("datasets"))):
            did = dataset_id_from(value)
            if did and did not in {d for d, _ in ids}:
                ids.append(
                    (did, Origin(card.path, card.line_of("openness", "data", "datasets", i)))
                )
    stated = {
        str(src.get("id")).lower(): src["license"]
        for src in (_as_list(data_block.get("sources")) if isinstance(data_block, dict) else [])
        if isinstance(src, dict) and src.get("id") and isinstance(src.get("license"), str)
    }
    out = []
    for did, origin in ids:
        if not bundle.lineage_resolvable:
            # Local mode cannot look the dataset up; the openness block may name its license.
            raw = stated.get(did.lower())
            entry = res.catalogue.resolve(raw) if raw else None
            lic = res.finding(raw, entry, "openness" if raw else "none", origin)
            out.append(DatasetEvidence(did, None, lic, origin))
            continue
        material = bundle.datasets.get(did)
        if material is None:
            out.append(DatasetEvidence(did, False, res.finding(None, None, "none", origin), origin))
            continue
        out.append(
            DatasetEvidence(did, True, _dataset_license(material, res), origin, material.gated)
        )
    return out


def _dataset_license(material: DatasetMaterial, res: _Resolver) -> LicenseFinding:
    meta: Mapping[str, Any] = {}
    if material.card_text:
        meta = parse_card(material.card_text, "README.md").metadata
    if not meta and material.api_card_data:
        meta = material.api_card_data
    origin = Origin("README.md", None, None, material.id)
    values = [v for v in _as_list(meta.get("license")) if isinstance(v, str)]
    findings = []
    for value in values:
        entry = res.catalogue.resolve(value)
        if entry and entry.kind == "placeholder" and isinstance(meta.get("license_name"), str):
            entry = res.catalogue.resolve(meta["license_name"]) or entry
        findings.append(res.finding(value, entry, "dataset-card", origin))
    if not findings:
        return res.finding(None, None, "dataset-card", origin)
    worst = least_open([f.verdict for f in findings])
    chosen = next(f for f in findings if f.verdict is worst)
    if len(findings) > 1:
        raw = ", ".join(values)
        return LicenseFinding(raw, chosen.entry, chosen.source, origin, chosen.grade)
    return chosen


def _data_information(card: Card, datasets: list[DatasetEvidence]) -> DataInformation:
    block = _openness(card).get("data")
    if isinstance(block, dict):
        sources = [s for s in _as_list(block.get("sources")) if isinstance(s, dict)]
        pointer = all((s.get("id") or s.get("url")) for s in sources) and bool(sources)
        sized = all(s.get("size") is not None or s.get("share") is not None for s in sources)
        proc = block.get("processing_code")
        has_code = isinstance(proc, dict) and isinstance(proc.get("url"), str)
        prov = bool(sources) and all(s.get("license") and s.get("provenance") for s in sources)
        unshared = [s for s in sources if s.get("shared") is False]
        unshareable = all(s.get("reason_not_shared") for s in unshared)
        labelling = isinstance(block.get("labelling"), str) and bool(block["labelling"].strip())
        return DataInformation(pointer and sized, has_code, prov, unshareable, labelling)
    # Prose alone rarely passes: the test needs positive evidence on every point.
    sections = card.find_sections(
        r"(training|pre-?training|fine-?tuning)\s+(data|corpus|set)|^data(sets?)?$"
    )
    text = "\n".join(s.body for s in sections)
    pointers = (
        len(_HF_DATASET_LINK.findall(text)) + len(datasets) + len(re.findall(r"https?://", text))
    )
    sizes = re.search(
        r"\b\d[\d.,]*\s*(%|[KMBT]\b|billion|million|tokens|GB|TB|documents)", text, re.I
    )
    inventory = pointers >= 1 and bool(sizes)
    processing = bool(re.search(r"(dedup|filter|preprocess)\w*", text, re.I)) and bool(
        _CODE_HOST.search(text)
    )
    provenance = bool(
        re.search(r"\bprovenance\b|\bcollected from\b|\bsourced from\b", text, re.I)
    ) and bool(re.search(r"licen[cs]", text, re.I))
    unshareable = bool(
        re.search(r"(not (be )?(released|shared|public))|(proprietary|private) data", text, re.I)
    )
    labelling = bool(re.search(r"\b(annotat\w+|label(l)?ing|labell?ed)\b", text, re.I))
    return DataInformation(inventory, processing, provenance, unshareable, labelling)


# --------------------------------------------------------------------------- lineage


def _base_models(card: Card | None, api: Mapping[str, Any] | None) -> list[tuple[str, Origin]]:
    if card is None:
        return []
    meta = card.metadata
    values = _as_list(meta.get("base_model"))
    if not values and api:
        values = _as_list(api.get("base_model"))
    out = []
    for i, v in enumerate(values):
        line = (
            card.line_of("base_model", i)
            if isinstance(meta.get("base_model"), list)
            else (card.line_of("base_model"))
        )
        out.append((str(v), Origin(card.path, line)))
    return out


def _material_license(
    material: ModelMaterial, res: _Resolver, catalogue: Catalogue
) -> LicenseFinding:
    """An ancestor's own weights license, the same way as the subject's (file wins)."""
    card = parse_card(material.card_text or "", "README.md")
    meta = card.metadata or dict(material.api_card_data or {})
    if not card.metadata and material.api_card_data:
        card = Card(card.path, card.text, dict(material.api_card_data), "ok", None, None)
    declared = res.declared(meta, card)
    files = _identify_files(material.license_files, catalogue)
    finding = _choose_own_license(declared, files, [], None, res)
    return LicenseFinding(
        finding.raw,
        finding.entry,
        finding.source,
        Origin(finding.origin.path, finding.origin.line, finding.origin.field, material.id),
        finding.grade,
    )


def _lineage(bundle: Bundle, res: _Resolver, catalogue: Catalogue) -> list[LineageLink]:
    """Ancestors nearest first, each with its own license, from the source's parent map."""
    if not bundle.lineage_resolvable:
        return []
    out: list[LineageLink] = []
    queue: list[tuple[str, ModelMaterial]] = [(bundle.subject.id, bundle.subject)]
    seen = {bundle.subject.id}
    while queue:
        child_id, child = queue.pop(0)
        parents, relation = _parents_of(bundle, child_id, child)
        for bid in parents:
            if bid in seen:
                continue
            seen.add(bid)
            material = bundle.ancestors.get(bid)
            if material is None or (material.card_text is None and material.missing):
                origin = Origin(None, None, "base_model", bid)
                lic = LicenseFinding(None, None, "base-model", origin)
                out.append(LineageLink(bid, _rel(relation), child_id, material is not None, lic))
                continue
            lic = _material_license(material, res, catalogue)
            out.append(LineageLink(bid, _rel(relation), child_id, True, lic))
            queue.append((bid, material))
    return out


def _parents_of(
    bundle: Bundle, child_id: str, child: ModelMaterial
) -> tuple[list[str], Any]:
    """A model's base ids and stated relation: the source's map, else the card."""
    if child_id in bundle.parents:
        return list(bundle.parents[child_id]), bundle.relations.get(child_id)
    meta: Mapping[str, Any] = parse_card(child.card_text or "", "README.md").metadata or (
        child.api_card_data or {}
    )
    ids = [bid for raw in _as_list(meta.get("base_model")) if (bid := hub_id_from(raw))]
    return ids, meta.get("base_model_relation")


def _rel(value: Any) -> str | None:
    return value if value in ("adapter", "merge", "quantized", "finetune") else None


# --------------------------------------------------------------------------- assembly


def _weights_availability(bundle: Bundle) -> tuple[str, list[Fact]]:
    m = bundle.subject
    facts: list[Fact] = []
    weights = [f for f in m.files if f.lower().endswith(WEIGHT_SUFFIXES)]
    if m.gated:
        facts.append(Fact(f"repo is gated ({m.gated} approval)", Origin(None, None, "gated")))
    if weights:
        facts.append(Fact(f"{len(weights)} weight file(s), e.g. {weights[0]}", Origin(weights[0])))
        return ("gated" if m.gated else "released"), facts
    if m.files:
        facts.append(Fact("no weight files in the repo", Origin(None, None, "files")))
    return ("gated" if m.gated else "unknown"), facts


def build_evidence(
    bundle: Bundle, catalogue: Catalogue, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Evidence:
    """Turn a source's bundle into evidence for rules and grading."""
    m = bundle.subject
    card = parse_card(m.card_text, m.card_path or "README.md") if m.card_text is not None else None
    modality = detect_modality(card, m.api_card_data)
    res = _Resolver(catalogue, modality, thresholds)
    empty = card or parse_card("", m.card_path or "README.md")
    declared = res.declared(empty.metadata, empty) if card else []
    files = _identify_files(m.license_files, catalogue)
    prose_w, prose_c = _prose_licenses(card, res) if card else ([], [])
    gate = _gate_prompt_license(card, res, catalogue) if card else None
    own = _choose_own_license(declared, files, prose_w, gate, res)
    lineage = _lineage(bundle, res, catalogue)

    # Weights: a derivative is never more open than its most restrictive ancestor.
    weights_license = own
    for link in lineage:
        if link.found and link.license.verdict.rank > weights_license.verdict.rank:
            weights_license = link.license
    availability, w_facts = _weights_availability(bundle)
    w_facts.insert(0, Fact(f"license: {own.raw or 'none'} ({own.source})", own.origin))
    for link in lineage:
        w_facts.append(
            Fact(
                f"base model {link.id} ({link.relation or 'derived'}): "
                f"{link.license.entry.id if link.license.entry else 'license unknown'}",
                link.license.origin,
            )
        )
    block = _openness(card)
    wblock = block.get("weights")
    if isinstance(wblock, dict) and wblock.get("released") is False:
        availability = "not-released"
        w_facts.append(
            Fact(
                "openness block: weights not released",
                Origin(empty.path, empty.line_of("openness", "weights")),
            )
        )

    code_releases = _code_releases(card, res, prose_c) if card else []
    c_license = (
        _least_open_license([c.license for c in code_releases])
        if code_releases
        else (LicenseFinding(None, None, "none", Origin()))
    )
    c_facts = [
        Fact(
            f"code: {c.url} ({', '.join(c.covers) or 'role unknown'}; license "
            f"{c.license.entry.id if c.license.entry else 'not stated'})",
            c.origin,
        )
        for c in code_releases
    ]
    c_avail = "released" if code_releases else "unknown"

    datasets = _datasets(card, bundle, res) if card else []
    info = (
        _data_information(card, datasets)
        if card
        else DataInformation(False, False, False, False, False)
    )
    d_license, d_avail, d_facts = _data_component(card, datasets, res)

    return Evidence(
        bundle=bundle,
        card=card,
        modality=modality,
        thresholds=thresholds,
        declared=tuple(declared),
        license_files=tuple(files),
        prose_licenses=tuple([*prose_w, *([gate] if gate else [])]),
        own_license=own,
        weights=ComponentEvidence("weights", availability, weights_license, tuple(w_facts)),
        code=ComponentEvidence("code", c_avail, c_license, tuple(c_facts)),
        data=ComponentEvidence("data", d_avail, d_license, tuple(d_facts)),
        code_releases=tuple(code_releases),
        datasets=tuple(datasets),
        data_information=info,
        lineage=tuple(lineage),
        base_models=tuple(_base_models(card, m.api_card_data)),
        openness=block,
    )


def _least_open_license(findings: Sequence[LicenseFinding]) -> LicenseFinding:
    worst = least_open([f.verdict for f in findings])
    return next(f for f in findings if f.verdict is worst)


def _data_component(
    card: Card | None, datasets: list[DatasetEvidence], res: _Resolver
) -> tuple[LicenseFinding, str, list[Fact]]:
    facts: list[Fact] = []
    none = LicenseFinding(None, None, "none", Origin())
    if card is None:
        return none, "unknown", facts
    block = _openness(card).get("data")
    licenses: list[LicenseFinding] = []
    availability = "unknown"
    if isinstance(block, dict):
        released = block.get("released")
        origin = Origin(card.path, card.line_of("openness", "data"))
        if released is True:
            availability = "released"
        elif released is False:
            availability = "not-released"
        elif released == "partial":
            availability = "released"
            facts.append(Fact("openness block: data partly released", origin))
        raw = block.get("license")
        if isinstance(raw, str):
            licenses.append(res.finding(raw, res.catalogue.resolve(raw), "openness", origin))
        for i, src in enumerate(_as_list(block.get("sources"))):
            if (
                isinstance(src, dict)
                and isinstance(src.get("license"), str)
                and src.get("shared", True)
            ):
                sorigin = Origin(card.path, card.line_of("openness", "data", "sources", i))
                licenses.append(
                    res.finding(
                        src["license"], res.catalogue.resolve(src["license"]), "openness", sorigin
                    )
                )
    for d in datasets:
        facts.append(
            Fact(
                f"dataset {d.id}: "
                + (
                    "not found"
                    if d.found is False
                    else (d.license.entry.id if d.license.entry else "license unknown")
                ),
                d.origin,
            )
        )
        if d.found or (d.found is None and (d.license.entry or not licenses)):
            licenses.append(d.license)
    if datasets and availability == "unknown":
        availability = "released" if all(d.found for d in datasets) else "unknown"
    sections = card.find_sections(r"training\s+data|data\s*sets?|training\s+corpus")
    for s in sections[:2]:
        state = "placeholder" if s.is_placeholder else "described"
        facts.append(Fact(f"section '{s.title}' ({state})", Origin(card.path, s.line)))
    if not licenses:
        return none, availability, facts
    return _least_open_license(licenses), availability, facts


def iter_sections(card: Card | None, pattern: str) -> Iterable[Section]:
    """Sections of ``card`` whose title matches ``pattern`` (nothing when there is no card)."""
    return card.find_sections(pattern) if card else ()


def base_models_in_prose(card: Card) -> list[tuple[str, int]]:
    """Models the body names as a base ("fine-tuned from X", "based on X"), with their lines."""
    out = []
    body = card.body
    for m in _TEMPLATE_BASE.finditer(body):
        name = m.group(1).strip(" *`[")
        if name and not name.lower().startswith(("more information", "n/a", "none")):
            out.append((name, card.body_start_line + body.count("\n", 0, m.start())))
    for m in _BASE_IN_PROSE.finditer(body):
        name = (m.group("link") or m.group("name") or "").strip(" *`")
        if m.group("link") and (
            not re.search(r"\d|/", name) or re.search(r"\b(card|paper|report|blog)\b", name, re.I)
        ):
            continue  # a link to a document, not a model
        if name:
            out.append((name, card.body_start_line + body.count("\n", 0, m.start())))
    return sorted(set(out), key=lambda t: t[1])


def open_source_claims(card: Card) -> list[int]:
    """Lines of the body that call the model open source."""
    body = card.body
    return [
        card.body_start_line + body.count("\n", 0, m.start())
        for m in _OPEN_SOURCE_CLAIM.finditer(body)
    ]
