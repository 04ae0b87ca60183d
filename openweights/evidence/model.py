"""The evidence records: what is known per component, each fact with its origin."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openweights.card import Card
from openweights.licensing.catalogue import LicenseEntry
from openweights.licensing.grader import LicenseGrade, Thresholds, Verdict
from openweights.sources import Bundle

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
    closest: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)
    """For a modified LICENSE text: the closest license, similarity and a diff summary
    (``Identification.closest_summary``)."""

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
    """``match`` (known licenses, word for word), ``modified`` (a known license changed, or
    with terms added), ``named`` (only a title names a license owcheck has no text of) or
    ``no-match``."""
    entry: LicenseEntry | None
    """The license it is (``match``, one license), the closest one (``modified``) or the one
    its title names (``named``)."""
    part: str
    """Which part of the license it is (``license``, ``acceptable use policy``, ...)."""
    similarity: float
    """0..1 similarity to ``entry`` (1 for a match; 0 for a title)."""
    description: str
    """One line for people (``modified apache-2.0 (99 % similar: 1 change)``)."""
    entries: tuple[LicenseEntry, ...] = ()
    """Every license found in the text, matched or modified, in text order."""
    diff: str = ""
    """For ``modified``: the word diff against the closest reference, one edit per line."""
    changes: tuple[tuple[int, str], ...] = ()
    """For ``modified``: (line, word diff) of each change, added terms included."""
    first_change: int = 1
    """Line of the first difference (1 when unknown)."""
    identification: dict[str, Any] | None = None
    """The identification as plain data (``Identification.as_dict``), for the JSON report."""

    @property
    def decides_license(self) -> bool:
        """A matched text holding a license (not only an acceptable use policy)."""
        return self.status == "match" and bool(self.entries) and "license" in self.part


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
    """The five-point data-information test (OSAID "data information"), point by point."""

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
class LicenseLink:
    """The card's ``license_link`` and the repo file it names."""

    value: str
    """The link as written."""
    path: str | None
    """The repo file it names (normalised), or None: a URL, or a path that leaves the repo."""
    remote: bool
    """True when the link is a URL (a license page, or a file addressed by its Hub URL)."""
    origin: Origin
    """Where the card sets it."""


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
    license_link: LicenseLink | None = None
    """The card's ``license_link``, when it is a non-empty string."""
    close_license_ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Each declared license id the catalogue does not know (``other:`` names aside), with the
    closest catalogue ids (possibly none)."""
    metadata_issues: tuple[Fact, ...] = ()
    """Where the metadata breaks ``schemas/model-card.schema.json``: message and line."""
    openness_license: LicenseFinding | None = None
    """The weights license the ``openness:`` block states (``openness.weights.license``)."""
    openness_license_ids: tuple[str, ...] = ()
    """The catalogue ids that value names (every known id of an expression)."""
    ignored_metadata: tuple[Fact, ...] = ()
    """Metadata values of the wrong type, left out of the evidence: message and line."""
