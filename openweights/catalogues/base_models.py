"""Well-known base model families: their Hub ids, the names cards give them, and their licenses.

``base-models/*.yaml`` is the source (one file per family, validated by
``schemas/base-model.schema.json``); ``scripts/build_catalogue.py`` compiles it into
``base-models/index.json``, which is what the tool loads. The catalogue answers three questions
without the network: which family (and which member) a repo id or a phrase names, which
licenses that could mean, and, where the vendor's card states it, what a member was pre-trained
on. It does not grade: the evidence picks the license that applies.

Names are matched word by word, ignoring case and separators, so ``Llama 3.1``, ``llama-3.1``
and ``Meta-Llama-3.1-8B`` all name Llama 3.1 (the last with its size, 8B). ``exact_names`` keep
their capitalisation (``LLaMA`` is Meta's first release), ``sized_names`` count only before a
parameter count (``Qwen-7B``), and a family's ``brand`` alone (``Llama``, ``Qwen``) names every
family of the line, so it stands for the most open of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from functools import cache, cached_property
from typing import Any

from openweights.patterns import lazy
from openweights.records import record
from openweights.resources import catalogue_records

_WORD = lazy(r"[A-Za-z]+|\d+(?:\.\d+)*")
_GAP = lazy(r"[ \t\-_.]{0,2}")
_DIGIT_UNDERSCORE = lazy(r"(?<=\d)_(?=\d)")
_LETTERS = lazy(r"([A-Za-z]+)")
# Words that may follow a family's name in the id of the same weights (a mirror, a conversion or a
# quantization), as opposed to a fine-tune that carries the family's name with its own.
VARIANT_WORDS = frozenset(
    [
        "instruct",
        "chat",
        "base",
        "hf",
        "it",
        "pt",
        "sft",
        "dpo",
        "rlhf",
        "v",
        "vision",
        "text",
        "code",
        "python",
        "math",
        "coder",
        "preview",
        "original",
        "latest",
        "release",
        "fp",
        "fp16",
        "bf16",
        "fp32",
        "fp8",
        "int",
        "int4",
        "int8",
        "bit",
        "bits",
        "bnb",
        "gguf",
        "ggml",
        "gptq",
        "awq",
        "exl",
        "exl2",
        "bpw",
        "q",
        "k",
        "m",
        "s",
        "l",
        "xs",
        "xl",
        "quantized",
        "quant",
        "mlx",
        "onnx",
        "unsloth",
        "ov",
        "gs",
        "act",
        "order",
        "nf",
        "nf4",
        "hqq",
        "marlin",
        "dynamic",
        "w",
        "a",
        "safetensors",
        "sharded",
        "pytorch",
        "torch",
        "transformers",
        "model",
        "models",
        "weights",
        "checkpoint",
        "ckpt",
        "dev",
        "schnell",
        "turbo",
        "refiner",
        "mini",
        "small",
        "medium",
        "large",
        "tiny",
        "lite",
        "hd",
        "the",
    ]
)
# Tools and projects named after a family (llama.cpp, LLaMA-Factory): never the model itself.
_NOT_A_MODEL_AFTER = frozenset({"cpp", "factory", "recipes", "stack", "index", "models", "cli"})
# The most tokens ``mentions`` reads after a name: a size that starts up to two words on and is
# up to four tokens long (``_size_at``), the word after it (``_NOT_A_MODEL_AFTER``) and the one
# after that (where the scan resumes).
_READ_PAST_NAME = 8


@record
class PretrainingData:
    """What a member was pre-trained on, as its vendor states it."""

    corpora: tuple[str, ...]
    """Corpus catalogue ids (``corpora/``)."""
    complete: bool
    """True when these corpora are the whole pre-training data."""
    source: str
    """Where the statement was read."""


@record
class BaseMember:
    """One Hub repo of a family."""

    id: str
    """The repo id today."""
    renamed: tuple[str, ...]
    """Earlier ids and well-known mirrors of the same weights."""
    license: str
    """Catalogue license id of its weights."""
    modality: str | None
    """What it takes in and puts out, when it decides a scoped license feature."""
    pretraining: PretrainingData | None = None
    """Its pre-training data, where the catalogue records it."""

    @cached_property
    def size(self) -> str | None:
        """Parameter count read from the id (``8b``, ``0.5b``, ``8x7b``), or None; read when
        first asked: a run needs the sizes of the few families its card names, not all."""
        return size_of(self.id.rsplit("/", 1)[-1])


@record
class BaseFamily:
    """A family of base models and its license."""

    id: str
    """Family id (the file name)."""
    name: str
    """Display name."""
    vendor: str
    """Who releases it and sets its license."""
    orgs: tuple[str, ...]
    """The licensor's Hub organisations."""
    brand: str | None
    """The bare word for the vendor's whole line, if any."""
    license: str
    """Catalogue license id of members that do not say otherwise."""
    modality: str | None
    """Default modality of members."""
    names: tuple[str, ...]
    """Names that identify the family."""
    sized_names: tuple[str, ...]
    """Names that identify it only before a parameter count."""
    exact_names: tuple[str, ...]
    """Names matched with their exact capitalisation."""
    derived_from: tuple[str, ...]
    """Families it was built on."""
    members: tuple[BaseMember, ...]
    """Its repos."""
    verification: str
    """``verified``, ``partial`` or ``unverified``."""
    sources: str
    """Where the facts were read."""
    notes: str | None = None
    """Anything a reader should know."""

    def candidates(self, size: str | None = None) -> tuple[tuple[str, str | None], ...]:
        """``(license, modality)`` pairs the family (of that size) may be under, sorted."""
        members = [m for m in self.members if size is None or m.size == size] or (
            [] if size is not None and any(m.size for m in self.members) else list(self.members)
        )
        pairs = {(m.license, m.modality) for m in members}
        if not pairs:
            pairs = {(self.license, self.modality)}
        return tuple(sorted(pairs, key=lambda p: (p[0], p[1] or "")))


@record
class BaseMatch:
    """A base model the catalogue recognises in a repo id or a phrase."""

    families: tuple[BaseFamily, ...]
    """The family, or every family of a brand when only the brand was named."""
    member: BaseMember | None
    """The exact repo, when the id or the name and size pin it down."""
    licenses: tuple[tuple[str, str | None], ...]
    """``(license, modality)`` pairs it may be under; one pair when certain."""
    how: str
    """``id``, ``renamed id``, ``name and size``, ``name`` or ``brand``."""
    text: str
    """The words matched, as written."""
    start: int = 0
    """Offset of the first word in the scanned text."""
    end: int = 0
    """Offset just after the last word (size included)."""
    size: str | None = None
    """Parameter count named with it, if any."""
    same_weights: bool = False
    """For a repo name: nothing but family, size and variant words (a mirror or quantization)."""

    @property
    def family(self) -> BaseFamily | None:
        """The one family matched, or None for a brand."""
        return self.families[0] if len(self.families) == 1 else None

    @property
    def certain(self) -> bool:
        """One license only: the match decides it."""
        return len({lic for lic, _m in self.licenses}) == 1

    @property
    def label(self) -> str:
        """How to name it in a message (``Llama 3.1 8B``, ``meta-llama/Llama-2-7b-hf``)."""
        if self.member is not None and self.how in ("id", "renamed id"):
            return self.member.id
        if self.family is not None:
            return f"{self.family.name} {self.size.upper()}" if self.size else self.family.name
        return self.text


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """``(lowercase word, word as written, start, end)`` for every word and number."""
    text = _DIGIT_UNDERSCORE().sub(".", text)
    return [(m.group().lower(), m.group(), m.start(), m.end()) for m in _WORD().finditer(text)]


def _tokens_from(clean: str, start: int, count: int) -> list[tuple[str, str, int, int]]:
    """The first ``count`` tokens of ``clean`` (a text ``_tokens`` has cleaned) from the word at
    ``start``: the same tokens ``_tokens`` gives there, as nothing before a word ends inside it."""
    return [
        (m.group().lower(), m.group(), m.start(), m.end())
        for m in itertools.islice(_WORD().finditer(clean, start), count)
    ]


def name_key(name: str) -> tuple[str, ...]:
    """A family name as matched in text: its words and numbers, lower case (the build script
    uses it to refuse a name two families claim)."""
    return tuple(t for t, _w, _s, _e in _tokens(name))


def _adjacent(text: str, end: int, start: int) -> bool:
    return _GAP().fullmatch(text[end:start]) is not None


_SIZE_UNITS = {"b", "m"}


def _size_at(
    toks: list[tuple[str, str, int, int]], i: int, text: str, reach: int
) -> tuple[str, int] | None:
    """A parameter count starting within ``reach`` words after index ``i``: (size, end index)."""
    for j in range(i, min(i + reach, len(toks))):
        if j > 0 and not _adjacent(text, toks[j - 1][3], toks[j][2]):
            return None
        word = toks[j][0]
        if word[0].isdigit() and j + 1 < len(toks) and _adjacent(text, toks[j][3], toks[j + 1][2]):
            nxt = toks[j + 1][0]
            if nxt in _SIZE_UNITS:
                return f"{word}{nxt}", j + 2
            if (
                nxt == "x"
                and j + 3 < len(toks)
                and toks[j + 2][0][0].isdigit()
                and toks[j + 3][0] == "b"
            ):
                return f"{word}x{toks[j + 2][0]}b", j + 4
    return None


def size_of(name: str) -> str | None:
    """The parameter count a repo name or phrase carries (``Llama-2-13b-hf`` -> ``13b``)."""
    toks = _tokens(name)
    for i in range(len(toks)):
        found = _size_at(toks, i, _DIGIT_UNDERSCORE().sub(".", name), 1)
        if found:
            return found[0]
    return None


class BaseModelCatalogue:
    """Every family, indexed by repo id and by name."""

    def __init__(self, families: list[BaseFamily]) -> None:
        self.families: tuple[BaseFamily, ...] = tuple(sorted(families, key=lambda f: f.id))
        self._by_id: dict[str, tuple[BaseFamily, BaseMember, str]] = {}
        self._names: dict[tuple[str, ...], BaseFamily] = {}
        self._sized: dict[tuple[str, ...], BaseFamily] = {}
        self._exact: dict[tuple[str, ...], BaseFamily] = {}
        self._brands: dict[tuple[str, ...], list[BaseFamily]] = {}
        for fam in self.families:
            for member in fam.members:
                self._by_id.setdefault(member.id.lower(), (fam, member, "id"))
                for old in member.renamed:
                    self._by_id.setdefault(old.lower(), (fam, member, "renamed id"))
            for name in fam.names:
                self._names.setdefault(name_key(name), fam)
            for name in fam.sized_names:
                self._sized.setdefault(name_key(name), fam)
            for name in fam.exact_names:
                self._exact.setdefault(tuple(w for _t, w, _s, _e in _tokens(name)), fam)
            if fam.brand:
                self._brands.setdefault(name_key(fam.brand), []).append(fam)
        self._first_words = {
            key[0]
            for table in (self._names, self._sized, self._brands)
            for key in table
            if key
        } | {key[0].lower() for key in self._exact if key}
        # Every bundled name starts with a word of letters; ``_name_starts`` finds those fast.
        self._names_start_with_letters = all(
            w.isascii() and w.isalpha() for w in self._first_words
        )
        self._longest = max(
            (
                len(k)
                for table in (self._names, self._sized, self._exact, self._brands)
                for k in table
            ),
            default=1,
        )

    @classmethod
    def from_records(cls, records: list[Mapping[str, Any]]) -> BaseModelCatalogue:
        """Build from plain dicts (the parsed YAML files or the compiled index)."""
        return cls([_family_from_dict(r) for r in records])

    def __iter__(self) -> Iterator[BaseFamily]:
        return iter(self.families)

    def __len__(self) -> int:
        return len(self.families)

    def get(self, family_id: str) -> BaseFamily | None:
        """A family by id."""
        return next((f for f in self.families if f.id == family_id), None)

    def match_repo(self, repo_id: str) -> BaseMatch | None:
        """The family a Hub repo id belongs to: by id, by an earlier id, else by its name."""
        key = repo_id.strip().lower()
        hit = self._by_id.get(key)
        if hit is not None:
            fam, member, how = hit
            return BaseMatch(
                (fam,),
                member,
                ((member.license, member.modality),),
                how,
                repo_id,
                0,
                len(repo_id),
                member.size,
                same_weights=True,
            )
        name = repo_id.rsplit("/", 1)[-1]
        found = self.mentions(name)
        if not found:
            return None
        first = found[0]
        words = [t for t, _w, s, _e in _tokens(name) if s >= first.end or s < first.start]
        same = first.start == 0 and all(w in VARIANT_WORDS or w[0].isdigit() for w in words)
        org = repo_id.split("/", 1)[0].lower() if "/" in repo_id else ""
        same = same or any(org == o.lower() for f in first.families for o in f.orgs)
        return BaseMatch(
            first.families,
            first.member,
            first.licenses,
            first.how,
            repo_id,
            0,
            len(repo_id),
            first.size,
            same_weights=same,
        )

    def mentions(self, text: str) -> list[BaseMatch]:
        """Every family or brand named in ``text``, in order, longest name first at each word."""
        starts = self._name_starts(text)
        if not starts:
            return []
        clean = _DIGIT_UNDERSCORE().sub(".", text)
        out: list[BaseMatch] = []
        resume = 0
        for start in starts:
            if start < resume:
                continue  # inside the name just matched
            # The words from here on, as many as a match reads (its name, a size, the word after).
            toks = _tokens_from(clean, start, self._longest + _READ_PAST_NAME)
            found = self._match_at(toks, 0, clean)
            if found is None:
                continue
            match, nxt = found
            if (
                nxt < len(toks)
                and toks[nxt][0] in _NOT_A_MODEL_AFTER
                and _adjacent(clean, toks[nxt - 1][3], toks[nxt][2])
            ):
                nxt += 1
            else:
                out.append(match)
            resume = toks[nxt][2] if nxt < len(toks) else len(clean) + 1
        return out

    def _name_starts(self, text: str) -> list[int]:
        """Offsets of the words of ``text`` that start a name, found without a tuple per word:
        a card has thousands of words and a few names."""
        first = self._first_words
        if not self._names_start_with_letters:
            return [s for t, _w, s, _e in _tokens(text) if t in first]
        # A word of letters is a whole run of ASCII letters (numbers never take letters), so
        # the runs of ``text`` are those of its cleaned form. Splitting on them keeps them at odd
        # places; the lengths before each one give its offset.
        parts = _LETTERS().split(text)
        ends = list(itertools.accumulate(map(len, parts)))
        lowered = " ".join(parts[1::2]).lower().split(" ")
        return [ends[2 * k] for k, word in enumerate(lowered) if word in first]

    def _match_at(
        self, toks: list[tuple[str, str, int, int]], i: int, text: str
    ) -> tuple[BaseMatch, int] | None:
        if toks[i][0] not in self._first_words:
            return None  # most words start no name: the common case stays cheap
        for n in range(min(self._longest, len(toks) - i), 0, -1):
            span = toks[i : i + n]
            lower = tuple(t for t, _w, _s, _e in span)
            written = tuple(w for _t, w, _s, _e in span)
            fam = self._names.get(lower) or self._exact.get(written)
            if fam is None and lower not in self._sized and lower not in self._brands:
                continue
            if any(not _adjacent(text, a[3], b[2]) for a, b in itertools.pairwise(span)):
                continue
            size = _size_at(toks, i + n, text, 3)
            if fam is None and size is not None:
                fam = self._sized.get(lower)
            if fam is not None:
                return self._family_match(fam, toks, i, n, size, text), (size[1] if size else i + n)
            brand = self._brands.get(lower)
            if brand:
                return self._brand_match(brand, toks, i, n, size, text), (
                    size[1] if size else i + n
                )
        return None

    def _family_match(
        self,
        fam: BaseFamily,
        toks: list[tuple[str, str, int, int]],
        i: int,
        n: int,
        size: tuple[str, int] | None,
        text: str,
    ) -> BaseMatch:
        end = toks[(size[1] if size else i + n) - 1][3]
        start = toks[i][2]
        sz = size[0] if size else None
        members = [m for m in fam.members if sz is not None and m.size == sz]
        member = members[0] if len(members) == 1 else None
        return BaseMatch(
            (fam,),
            member,
            fam.candidates(sz),
            "name and size" if sz else "name",
            text[start:end],
            start,
            end,
            sz,
        )

    def _brand_match(
        self,
        families: list[BaseFamily],
        toks: list[tuple[str, str, int, int]],
        i: int,
        n: int,
        size: tuple[str, int] | None,
        text: str,
    ) -> BaseMatch:
        end = toks[(size[1] if size else i + n) - 1][3]
        start = toks[i][2]
        sz = size[0] if size else None
        pairs: set[tuple[str, str | None]] = set()
        fams = []
        for fam in families:
            if sz is not None and not any(m.size == sz for m in fam.members):
                continue
            fams.append(fam)
            pairs.update(fam.candidates(sz))
        if not pairs:  # no member of that size: any member of the brand
            fams = list(families)
            for fam in families:
                pairs.update(fam.candidates())
        return BaseMatch(
            tuple(fams),
            None,
            tuple(sorted(pairs, key=lambda p: (p[0], p[1] or ""))),
            "brand",
            text[start:end],
            start,
            end,
            sz,
        )


def _pretraining(data: Mapping[str, Any] | None) -> PretrainingData | None:
    if not data:
        return None
    return PretrainingData(tuple(data["corpora"]), bool(data["complete"]), data["source"])


def _family_from_dict(data: Mapping[str, Any]) -> BaseFamily:
    modality = data.get("modality")
    members = tuple(
        BaseMember(
            id=m["id"],
            renamed=tuple(m.get("renamed") or ()),
            license=m.get("license") or data["license"],
            modality=m.get("modality", modality),
            pretraining=_pretraining(m.get("pretraining_data")),
        )
        for m in data.get("members") or ()
    )
    return BaseFamily(
        id=data["id"],
        name=data["name"],
        vendor=data["vendor"],
        orgs=tuple(data.get("orgs") or ()),
        brand=data.get("brand"),
        license=data["license"],
        modality=modality,
        names=tuple(data.get("names") or ()),
        sized_names=tuple(data.get("sized_names") or ()),
        exact_names=tuple(data.get("exact_names") or ()),
        derived_from=tuple(data.get("derived_from") or ()),
        members=members,
        verification=data["verification"],
        sources=data["sources"],
        notes=data.get("notes"),
    )


@cache
def load_base_models() -> BaseModelCatalogue:
    """The bundled catalogue (compiled index), loaded once per process."""
    return BaseModelCatalogue.from_records(catalogue_records("base-models", "families"))
