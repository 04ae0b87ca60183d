"""The evidence records: what is known per component, each fact with its origin."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from openweights.card import Card
from openweights.catalogues.base_models import PretrainingData
from openweights.licensing.catalogue import LicenseEntry
from openweights.licensing.grader import LicenseGrade, Thresholds, Verdict
from openweights.records import field, record
from openweights.sources import Bundle, ForgeAnswer, ForgeStatus
from openweights.weightfiles import WeightFileMetadata

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
HUB_RELATIONS = ("adapter", "merge", "quantized", "finetune")
"""The values of ``base_model_relation`` (and of the Hub's model-tree tags); any other value is
no relation (``schemas/model-card.schema.json``)."""
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
@record
class Origin:
    """Where a fact was read: a file and line, or a Hub field."""

    path: str | None = None
    """File inside the repo (``README.md``, ``LICENSE``), or None for a Hub field."""
    line: int | None = None
    """1-based line in that file, when known."""
    field: str | None = None
    """Hub or metadata field name (``gated``, ``base_model``), when not a file line."""
    repo: str | None = None
    """Another repo the fact comes from (a base model, a dataset, a code repository on a forge,
    a corpus of the catalogue); None for the subject."""

    def __str__(self) -> str:
        if self.field in ("forge", "corpus", "base-models") and self.repo:
            # An answer of a forge's API, or an entry of the corpus or base-model catalogue.
            return f"{self.field}:{self.repo}"
        where = self.path or (f"hub:{self.field}" if self.field else "-")
        if self.path and self.line:
            where = f"{self.path}:{self.line}"
        return f"{self.repo}:{where}" if self.repo else where


@record
class Fact:
    """One thing we know, and where it came from."""

    claim: str
    """What it says, in a short sentence."""
    origin: Origin
    """Where it was read."""


@record
class LicenseFinding:
    """A license as found for a component: what was said, what it resolves to, and its grade."""

    raw: str | None
    """What the material said (``llama3.1``, ``other:gemma-terms-of-use``, a file name)."""
    entry: LicenseEntry | None
    """The catalogue entry it resolves to, or None."""
    source: str
    """``metadata``, ``license-file``, ``body``, ``gated-prompt``, ``openness``, ``base-model``,
    ``dataset-card``, ``forge``, ``corpus-catalogue`` or ``none``."""
    origin: Origin
    """Where it was read."""
    grade: LicenseGrade | None = None
    """The entry graded for this model (None when unresolved)."""
    closest: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)
    """For a modified LICENSE text: the closest license, similarity and a diff summary
    (``Identification.closest_summary``)."""
    names: tuple[str, ...] = ()
    """The catalogue ids of the licenses the value names, when it was read as a license field
    (an SPDX expression such as ``MIT OR Apache-2.0`` names every known id in it); may be empty,
    ``ids`` then falls back on the entry."""

    @property
    def verdict(self) -> Verdict:
        """The license verdict; unknown when unresolved."""
        return self.grade.verdict if self.grade else Verdict.UNKNOWN

    @property
    def ids(self) -> tuple[str, ...]:
        """Every catalogue id the value names: each known id of an expression, else its
        entry's id (none when unresolved). Two statements agree when these meet."""
        return self.names or ((self.entry.id,) if self.entry else ())


@record
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


@record
class CodeRelease:
    """A code repository the card links or declares, with its role and its license."""

    url: str
    """Where it lives."""
    license: LicenseFinding
    """Its license: the forge's answer when there is one, else what the card says."""
    covers: tuple[str, ...]
    """``training``, ``data-processing``, ``evaluation``, ``inference`` (what we could tell)."""
    origin: Origin
    """Where the link was found."""
    role: str = "unknown"
    """``training``, ``data-processing``, ``evaluation``, ``inference``, ``library`` or
    ``unknown`` (see ``openweights.codelinks.Role``)."""
    context: str = ""
    """The sentence, link text or heading behind the role."""
    why: str = ""
    """How the role was decided (``catalogue``, ``link text``, ``sentence``, ...)."""
    repo: str | None = None
    """``host/path`` of the repository, when it is on a forge owcheck knows."""
    forge: ForgeAnswer | None = None
    """The forge's answer about it; None when the forge was not asked."""
    via: str | None = None
    """What named it when the card did not link it (a corpus of the training data)."""
    declared: bool = False
    """True when the card's ``openness.code`` block lists it."""

    @property
    def own_code(self) -> bool:
        """The model's own training or data-processing code: what the code row is made of."""
        return self.role in ("training", "data-processing")

    @property
    def lookup_failed(self) -> bool:
        """The forge was asked and did not answer (gone, rate-limited, unreachable...)."""
        return self.forge is not None and self.forge.status is not ForgeStatus.OK

    @property
    def forge_found_no_license(self) -> bool:
        """The forge answered that the repository has no license file."""
        return (self.forge is not None and self.forge.status is ForgeStatus.OK
                and self.forge.license_id is None)


@record
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


@record
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


class StageState(str, enum.Enum):
    """How open one training stage's data is, most open first."""

    OPEN = "open"
    """Every source released under open terms."""
    DESCRIBED = "described"
    """Not all openly released, but described well enough to rebuild (data information)."""
    RESTRICTED = "restricted"
    """Released under restricted terms."""
    NOT_OPEN = "not-open"
    """Released under terms that deny a whole class of uses or people."""
    UNKNOWN = "unknown"
    """Sources named, but their terms or availability unknown and not documented."""
    UNDISCLOSED = "undisclosed"
    """Nothing named."""

    @property
    def rank(self) -> int:
        """Higher is less open."""
        return list(StageState).index(self)


@record
class DataSource:
    """One source of a training stage: a Hub dataset, a catalogued corpus, or an entry of the
    card's ``openness.data`` block."""

    name: str
    """What the model calls it (a dataset id, a corpus name)."""
    kind: str
    """``dataset`` (a Hub dataset), ``corpus`` (the corpus catalogue) or ``openness``."""
    dataset_id: str | None
    """Hub dataset id, when there is one."""
    corpus_id: str | None
    """Corpus catalogue id, when the catalogue knows it."""
    availability: str
    """``released``, ``gated``, ``not-released`` (withdrawn, or not shared) or ``unknown``."""
    license: LicenseFinding
    """Its license (the dataset card's, the catalogue's, or the block's)."""
    origin: Origin
    """Where the model names it."""
    context: str = ""
    """The sentence that names it (empty for metadata)."""
    points: Mapping[str, bool] | None = None
    """Data-information points its own documentation passes (catalogued corpora), by name."""
    availability_note: str | None = None
    """Why it is no longer distributed, when the corpus catalogue says it was withdrawn."""

    @property
    def open(self) -> bool:
        """Released (or gated behind a click-through) under an open license."""
        return self.availability in ("released", "gated") and self.license.verdict is Verdict.OPEN


@record
class DataStage:
    """One stage of the model's training pipeline and the data that went into it."""

    stage: str
    """``pre-training``, ``fine-tuning`` or ``preference``."""
    inherited_from: str | None
    """The base model the stage comes from; None for the model's own stage."""
    sources: tuple[DataSource, ...]
    """What the stage was trained on, as far as named."""
    availability: str
    """``released`` when every source is, ``not-released`` when one is not, else ``unknown``."""
    license: LicenseFinding
    """The least open license among the sources."""
    information: DataInformation
    """The five-point test for what is not openly released."""
    state: str
    """``open``, ``restricted``, ``not-open``, ``described``, ``unknown`` or ``undisclosed``."""

    @property
    def open(self) -> bool:
        """Every source released under open terms."""
        return self.state == StageState.OPEN.value

    @property
    def described(self) -> bool:
        """Open, or what is not open is described well enough (OSAID data information)."""
        return self.open or self.information.sufficient


@record
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


class Signal(str, enum.Enum):
    """Where a base model was read, in order of trust."""

    BASE_MODEL = "base_model"
    """The card's ``base_model:`` metadata."""
    ADAPTER_CONFIG = "adapter_config"
    """``base_model_name_or_path`` in ``adapter_config.json``."""
    CONFIG = "config"
    """``_name_or_path`` (or the architecture) in ``config.json``."""
    WEIGHT_HEADER = "weight_header"
    """A GGUF or safetensors header (``general.base_model.*``, ``general.name``...)."""
    MODEL_TREE = "model_tree"
    """The Hub's model-tree tags (``base_model:adapter:ORG/NAME``...)."""
    TITLE = "title"
    """The card's title (its first heading)."""
    PROSE = "prose"
    """A sentence of the card ("fine-tuned from", "merge of", "distilled from")."""
    TAGS = "tags"
    """A family named in the card's ``tags:``."""


class Confidence(str, enum.Enum):
    """How sure an inferred base is. Only ``medium`` and above may lower a verdict."""

    STATED = "stated"
    """Written as the base in metadata."""
    HIGH = "high"
    """Written by a tool into a file of the repo, or by the Hub."""
    MEDIUM = "medium"
    """Said in the card's words: its title or a sentence that names the base."""
    LOW = "low"
    """Only suggested (a tag, an architecture name): reported, never applied."""

    @property
    def rank(self) -> int:
        """Higher is surer."""
        return {"stated": 3, "high": 2, "medium": 1, "low": 0}[self.value]


@record
class InferredBase:
    """A base model found from one signal, with how sure the reading is and its license."""

    name: str
    """The base as found: a repo id, or the words that name it."""
    signal: Signal
    """Where it was read."""
    confidence: Confidence
    """How sure the reading is."""
    relation: str | None
    """``adapter``, ``merge``, ``quantized``, ``finetune``, ``distillation``, ``same-model``,
    or None when unstated."""
    quote: str
    """The words (or the metadata entry) it was read from, shortened."""
    origin: Origin
    """Where those words are."""
    family: str | None
    """The base-model catalogue family, when the catalogue knows it."""
    license: LicenseFinding
    """Its license as the catalogue records it (unknown when not known)."""
    applies: bool = False
    """True when it is applied to the weights (confidence medium or above, license known, not
    relicensed by its own licensor, and for a distillation source, a license that reaches
    students)."""
    pretraining: PretrainingData | None = None
    """What the base was pre-trained on, when the base-model catalogue records it for the
    member found (a derived model inherits it as its pre-training stage)."""


@record
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


@record
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


@record
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
    """The five-point test, over every stage that is not openly released."""
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
    inferred_bases: tuple[InferredBase, ...] = ()
    """Bases found from every signal (files, tags, title, prose), including those the Hub could
    not be asked about; the ones that apply lower the weights license."""
    weight_files: tuple[WeightFileMetadata, ...] = ()
    """The headers of the weight files that were read."""
    statements: tuple[LicenseFinding, ...] = ()
    """The statements about the weights' license besides ``license:`` and LICENSE files: the
    ``openness:`` block's (also when it names no license owcheck knows), the card's sentences
    that name the weights, and weight-file headers, each with its origin."""
    stages: tuple[DataStage, ...] = ()
    """The training stages and their data, the model's own and those inherited from its
    bases; the data row is as open as the least open of them."""
    ignored_metadata: tuple[Fact, ...] = ()
    """Metadata values of the wrong type, left out of the evidence: message and line."""
