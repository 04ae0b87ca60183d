"""The catalogue of well-known training corpora (``corpora/``): names as cards write them, Hub
ids, license, availability, and what is documented about each.

Cards often name their training data only in prose ("trained on the Pile", "Dolma",
"RedPajama"); the catalogue turns such a mention into a license, an availability (public,
gated, withdrawn) and the data-information points the corpus's own documentation passes, each
citable as ``corpus:<id>``. Loaded from the compiled index (``scripts/build_catalogue.py``).
No I/O beyond reading the bundled index once.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache, partial
from typing import Any

from openweights.patterns import lazy
from openweights.records import record
from openweights.resources import catalogue_records


@record
class CorpusDocumentation:
    """What is published about a corpus, by point of the data-information test."""

    paper: str | None
    """Paper or technical report describing it."""
    datasheet: str | None
    """Datasheet or data card, when separate from the paper."""
    processing_code: str | None
    """URL of the code that built it (filtering, deduplication)."""
    processing_code_license: str | None
    """License catalogue id of that code, as read where it lives."""
    inventory: bool
    """Its sources are listed with pointers and sizes."""
    provenance: bool
    """Provenance and licensing are described source by source."""
    labelling: str | None
    """How it was labelled, or that it was not; None when undocumented."""


@record
class Corpus:
    """One catalogued training corpus."""

    id: str
    """Catalogue id (the file name)."""
    name: str
    """Its own name."""
    aliases: tuple[str, ...]
    """Other names cards use."""
    ambiguous_aliases: tuple[str, ...]
    """Names that count only where the text is about training data."""
    hub_ids: tuple[str, ...]
    """Hub dataset ids of the corpus itself, main one first."""
    copies: tuple[str, ...]
    """Hub datasets holding it in another form (tokenized, shuffled)."""
    stage: str
    """``pre-training``, ``fine-tuning`` or ``preference``."""
    modality: str
    """``text``, ``code``, ``image-text``, ..."""
    license: str | None
    """License catalogue id, or None when no single license governs it."""
    license_note: str | None
    """What else governs it."""
    availability: str
    """``public``, ``gated`` or ``withdrawn``."""
    availability_note: str | None
    """Why it is gated or withdrawn."""
    documentation: CorpusDocumentation
    """What is published about it."""

    @property
    def released(self) -> bool:
        """Anyone can get it (public, or gated behind a click-through)."""
        return self.availability in ("public", "gated")

    @property
    def points(self) -> dict[str, bool]:
        """The five data-information points its documentation passes, by point name."""
        doc = self.documentation
        return {
            "inventory": doc.inventory,
            "processing_code": doc.processing_code is not None,
            "provenance": doc.provenance,
            "unshareable": self.availability == "public" or bool(self.availability_note),
            "labelling": doc.labelling is not None,
        }

    @property
    def documented(self) -> bool:
        """All five points are documented for it."""
        return all(self.points.values())


@record
class CorpusMention:
    """A corpus named in a text."""

    corpus: Corpus
    """The corpus."""
    start: int
    """Offset of the name in the text."""
    end: int
    """Offset just after it."""
    ambiguous: bool
    """True when matched through an ambiguous alias (count it only in a data context)."""
    written: str
    """The name as written."""


_WORD_SPLIT = lazy(r"[\s_-]+")
"""What separates the words of a name (any run of them matches any other, or none)."""
_FOLDS = (("\u0131", "i"), ("\u017f", "s"))
"""Letters a case-insensitive regex matches to an ASCII letter that ``str.lower`` keeps apart
(dotless i, long s); the others (Kelvin sign, dotted I) lower to theirs."""


def _name_pattern(name: str) -> str:
    """A name as a regex: case-insensitive words, spaces, hyphens and underscores alike."""
    parts = [re.escape(p) for p in _WORD_SPLIT().split(name.strip()) if p]
    return r"[\s_-]*".join(parts)


_SHORT_DOCUMENT = 50_000
"""Characters under which the first document's words are searched for one by one
(``_present_words``): the table that skips words costs more to build than it saves on one
short card, and pays from the second on."""


class CorpusCatalogue:
    """Every catalogued corpus, indexed by id, Hub id and name."""

    def __init__(self, corpora: Iterable[Corpus]) -> None:
        self.corpora: tuple[Corpus, ...] = tuple(sorted(corpora, key=lambda c: c.id))
        self._by_id = {c.id: c for c in self.corpora}
        self._by_hub: dict[str, tuple[Corpus, bool]] = {}
        for c in self.corpora:
            for hid in c.hub_ids:
                self._by_hub.setdefault(hid.lower(), (c, False))
            for hid in c.copies:
                self._by_hub.setdefault(hid.lower(), (c, True))
        names: list[tuple[str, Corpus, bool]] = []
        for c in self.corpora:
            names += [(n, c, False) for n in (c.name, *c.aliases)]
            names += [(n, c, True) for n in c.ambiguous_aliases]
            names += [(h, c, False) for h in (*c.hub_ids, *c.copies) if "/" in h]
        # Longest first, so "RedPajama v2" wins over "RedPajama" at the same place.
        names.sort(key=lambda t: (-len(t[0]), t[0].lower()))
        self._names = {(name_key(n)): (c, amb) for n, c, amb in reversed(names)}
        self._spellings = tuple(n for n, _c, _a in names)  # made into patterns when compiled
        # The words of each name, lower case (None: a name with non-ASCII letters, always kept).
        self._words = tuple(
            None if not n.isascii() else frozenset(
                w.lower() for w in _WORD_SPLIT().split(n.strip()) if w)
            for n, _c, _a in names)
        self._all_words = tuple(sorted({w for ws in self._words if ws for w in ws}))
        self._words_within: tuple[tuple[str, tuple[str, ...]], ...] | None = None
        self._searched = False  # a document was searched for without the table
        self._full: re.Pattern[str] | None = None  # every name: compiled when first needed
        self._narrowed: OrderedDict[tuple[int, ...], re.Pattern[str]] = OrderedDict()
        self._last: tuple[str, Callable[[str], Iterator[CorpusMention]] | None] | None = None

    @staticmethod
    def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
        alternation = "|".join(patterns)
        return re.compile(rf"(?<![\w/.-])(?:{alternation})(?![\w/]|[.-]\w)", re.I)

    def _compile(self, keep: tuple[int, ...]) -> re.Pattern[str]:
        return self._alternation(_name_pattern(self._spellings[i]) for i in keep)

    def _every_name(self) -> re.Pattern[str]:
        # Compiled on first use: a card is searched with the names its words allow (``within``),
        # and the alternation of all of them is the costliest pattern a run would compile.
        if self._full is None:
            self._full = self._compile(tuple(range(len(self._spellings))))
        return self._full

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> CorpusCatalogue:
        """Build from plain dicts (the YAML files or the compiled index)."""
        return cls(_corpus(r) for r in records)

    def get(self, corpus_id: str) -> Corpus | None:
        """The corpus with this catalogue id."""
        return self._by_id.get(corpus_id)

    def by_hub_id(self, dataset_id: str) -> tuple[Corpus, bool] | None:
        """The corpus a Hub dataset id is (or is a copy of: the flag), or None."""
        return self._by_hub.get(dataset_id.lower())

    def mentions(self, text: str) -> Iterator[CorpusMention]:
        """Every corpus name in ``text``, left to right, longest name first at each place."""
        return self._mentions(self._every_name(), text)

    def within(self, document: str) -> Callable[[str], Iterator[CorpusMention]] | None:
        """``mentions`` for the parts of ``document`` (its lines): the same answers, faster;
        None when ``document`` cannot name any corpus.

        One regex tries every name at every place of a line, which is most of a long card's
        cost; a name can only match where each of its words occurs, so the lines are searched
        with the names whose words are all somewhere in the document (each one a substring
        search over it). The narrowed patterns are kept for the last 64 sets of names.
        """
        if self._last is not None and self._last[0] == document:
            return self._last[1]  # a card's text is searched by more than one reader
        low = document.lower()
        if not low.isascii():
            for letter, ascii_letter in _FOLDS:
                low = low.replace(letter, ascii_letter)
        present = self._present_words(low)
        keep = tuple(i for i, words in enumerate(self._words)
                     if words is None or words <= present)
        if not keep:
            self._last = (document, None)
            return None
        pattern = self._narrowed.get(keep)
        if pattern is None:
            pattern = self._every_name() if len(keep) == len(self._words) else self._compile(keep)
            self._narrowed[keep] = pattern
            if len(self._narrowed) > 64:
                self._narrowed.popitem(last=False)
        else:
            self._narrowed.move_to_end(keep)
        found = partial(self._mentions, pattern)
        self._last = (document, found)
        return found

    def _present_words(self, low: str) -> set[str]:
        """The names' words that occur in ``low`` (a document in lower case). A word with an
        absent word inside it is not searched for (about a third of them on real cards), by a
        table built for the second document or a first long one: the first short document of a
        process (a pre-commit run's one card) is searched for each word, without the table."""
        if self._words_within is None and len(low) < _SHORT_DOCUMENT and not self._searched:
            self._searched = True
            return {word for word in self._all_words if word in low}
        present: set[str] = set()
        absent: set[str] = set()
        for word, inside in self._inside_words():
            if absent.isdisjoint(inside) and word in low:
                present.add(word)
            else:
                absent.add(word)
        return present

    def _inside_words(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each word, shortest first, with the shorter words found inside it ("c4" in
        "allenai/c4"): where one of those is not in a document, neither is the word."""
        if self._words_within is None:
            self._words_within = tuple(
                (w, tuple(v for v in self._all_words if v != w and v in w))
                for w in sorted(self._all_words, key=len)
            )
        return self._words_within

    def _mentions(self, pattern: re.Pattern[str], text: str) -> Iterator[CorpusMention]:
        for m in pattern.finditer(text):
            found = self._names.get(name_key(m.group(0)))
            if found is not None:
                yield CorpusMention(found[0], m.start(), m.end(), found[1], m.group(0))

    def __iter__(self) -> Iterator[Corpus]:
        return iter(self.corpora)

    def __len__(self) -> int:
        return len(self.corpora)


def name_key(name: str) -> str:
    """A corpus name as matched in cards: case, spaces, hyphens and underscores ignored (the
    build script uses it to refuse a name two corpora claim)."""
    return re.sub(r"[\s_-]+", "", name.lower())


def _corpus(data: Mapping[str, Any]) -> Corpus:
    doc = data.get("documentation") or {}
    code = doc.get("processing_code") or None
    return Corpus(
        id=str(data["id"]),
        name=str(data["name"]),
        aliases=tuple(data.get("aliases") or ()),
        ambiguous_aliases=tuple(data.get("ambiguous_aliases") or ()),
        hub_ids=tuple(data.get("hub_ids") or ()),
        copies=tuple(data.get("copies") or ()),
        stage=str(data["stage"]),
        modality=str(data["modality"]),
        license=data.get("license"),
        license_note=data.get("license_note"),
        availability=str(data["availability"]),
        availability_note=data.get("availability_note"),
        documentation=CorpusDocumentation(
            paper=doc.get("paper"),
            datasheet=doc.get("datasheet"),
            processing_code=code.get("url") if code else None,
            processing_code_license=code.get("license") if code else None,
            inventory=bool(doc.get("inventory")),
            provenance=bool(doc.get("provenance")),
            labelling=doc.get("labelling"),
        ),
    )


@cache
def load_corpora() -> CorpusCatalogue:
    """The bundled corpus catalogue, loaded once per process."""
    return CorpusCatalogue.from_records(catalogue_records("corpora", "corpora"))
