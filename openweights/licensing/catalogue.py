"""The license catalogue: entries read from ``licenses/`` and looked up by any of their ids.

``licenses/*.yaml`` is the source (one file per license, validated by
``schemas/license.schema.json``). ``scripts/build_catalogue.py`` compiles them into
``licenses/index.json``, which is what the tool loads at run time: one JSON document instead of
a hundred YAML parses, laid out (``render_index``) so that a run parses the names of every entry
and the record of only those it resolves. A test keeps the index equal to the YAML files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple

from openweights.patterns import lazy
from openweights.records import field, record
from openweights.resources import bundled_path


@record
class LicenseFeature:
    """One feature of a license: a flag from the vocabulary, the clause and our paraphrase."""

    flag: str
    """A flag from ``openweights.licensing.features.FLAGS`` (e.g. ``use.non_commercial_only``)."""
    clause: str
    """Where the license says it (e.g. ``§1.b.iv`` or ``Attachment A``)."""
    summary: str
    """A short paraphrase in our own words."""
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """Figures the flag needs (``mau``, ``usd``, ``text``, ``prefix``, ...)."""
    scope: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """Where it applies (``modalities``, ``persons``, ``territories``); empty = everywhere."""


@record
class LicenseEntry:
    """One catalogue entry: a license (or a family of licenses) described feature by feature."""

    id: str
    """Catalogue id; equals the Hub's ``license:`` id where the Hub has one."""
    name: str
    """Full name."""
    kind: str
    """``license``, ``family`` (graded by its most restrictive plausible member) or
    ``placeholder`` (``other``/``unknown``: never resolves to a verdict)."""
    hub_id: str | None
    """The Hub ``license:`` identifier, if any."""
    spdx: str | None
    """SPDX identifier, if any."""
    aliases: tuple[str, ...]
    """Other spellings seen in ``license:`` fields in the wild."""
    license_names: tuple[str, ...]
    """``license_name`` slugs used with ``license: other``."""
    url: str | None
    """Canonical URL of the text."""
    osi_approved: bool
    """On the OSI-approved list."""
    fsf_free: bool | None
    """The FSF calls it free (None when the FSF has not said)."""
    revision_date: str | None
    """Date of the text this entry describes (YYYY-MM-DD)."""
    verification: str
    """``verified`` (clauses checked against a full text), ``partial`` or ``unverified``."""
    features: tuple[LicenseFeature, ...]
    """The features, in clause order."""
    default_modality: str | None = None
    """Modality to assume for scoped features when the model's is unknown (Llama 4: multimodal)."""
    notes: str | None = None
    """Anything a reader should know (e.g. how a family is graded)."""
    text_source: str | None = None
    """Where the text we read lives (repository and path, or URL)."""
    markers: tuple[str, ...] = ()
    """Short title phrases that name this license inside a text (used by identification)."""

    @property
    def keys(self) -> Iterator[str]:
        """Every id this entry answers to, normalised."""
        return _keys(self.id, self.hub_id, self.spdx, self.aliases, self.license_names)


def _keys(*ids: str | Iterable[str] | None) -> Iterator[str]:
    for raw in ids:
        for one in (raw,) if raw is None or isinstance(raw, str) else raw:
            if one:
                yield normalise_id(one)


class Naming(NamedTuple):
    """How an entry is named and what ids it answers to, read from its record without making
    the entry (identification looks at every entry's names; a run resolves only a few)."""

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...]
    markers: tuple[str, ...]
    spdx: str | None
    hub_id: str | None
    license_names: tuple[str, ...]


def naming_of(record: Mapping[str, Any]) -> Naming:
    """The naming of an entry's record (the build script writes them at the head of the index)."""
    return Naming(str(record["id"]), str(record.get("kind", "license")), str(record["name"]),
                  tuple(record.get("aliases") or ()), tuple(record.get("markers") or ()),
                  record.get("spdx"), record.get("hub_id"),
                  tuple(record.get("license_names") or ()))


_ID_SEP = lazy(r"[\s_/]+")


def normalise_id(raw: str) -> str:
    """Lowercase, trim and join words with hyphens: ``Llama 3.1`` -> ``llama-3.1``."""
    low = raw.strip().lower()
    if low.replace("-", "").replace(".", "").replace("+", "").isalnum():
        return low.strip("-")  # no separator to join (most ids): no regex
    return _ID_SEP().sub("-", low).strip("-")


def _entry_from_dict(data: Mapping[str, Any]) -> LicenseEntry:
    features = tuple(
        LicenseFeature(
            flag=f["flag"],
            clause=f.get("clause", ""),
            summary=f.get("summary", ""),
            params=dict(f.get("params") or {}),
            scope=dict(f.get("scope") or {}),
        )
        for f in data.get("features") or ()
    )
    return LicenseEntry(
        id=data["id"],
        name=data["name"],
        kind=data.get("kind", "license"),
        hub_id=data.get("hub_id"),
        spdx=data.get("spdx"),
        aliases=tuple(data.get("aliases") or ()),
        license_names=tuple(data.get("license_names") or ()),
        url=data.get("url"),
        osi_approved=bool(data.get("osi_approved", False)),
        fsf_free=data.get("fsf_free"),
        revision_date=str(data["revision_date"]) if data.get("revision_date") else None,
        verification=data.get("verification", "unverified"),
        features=features,
        default_modality=data.get("default_modality"),
        notes=data.get("notes"),
        text_source=data.get("text_source"),
        markers=tuple(data.get("markers") or ()),
    )


class UnknownLicenseError(LookupError):
    """Raised by ``Catalogue.get`` for an id no entry answers to."""

    def __init__(self, key: str, suggestions: list[str]) -> None:
        self.key = key
        self.suggestions = suggestions
        hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"unknown license id {key!r}{hint}")


class Catalogue:
    """All license entries, indexed by every id they answer to.

    Built from the entries' namings and a way to read each one's record; an entry is made from
    its record the first time it is asked for: a run resolves a few of the 130 entries and
    their 1,100 features, and the bundled index is parsed entry by entry (``load_catalogue``).
    """

    def __init__(self, namings: Sequence[Naming], record: Callable[[int], Mapping[str, Any]]
                 ) -> None:
        self._namings = tuple(namings)
        self._record = record
        self._made: list[LicenseEntry | None] = [None] * len(self._namings)
        self._by_id = {n.id: i for i, n in enumerate(self._namings)}
        self._by_key: dict[str, int] = {}
        for i, n in enumerate(self._namings):
            for key in _keys(n.id, n.hub_id, n.spdx, n.aliases, n.license_names):
                self._by_key.setdefault(key, i)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> Catalogue:
        """Build from plain dicts (the parsed YAML files or the compiled index)."""
        ordered = sorted(records, key=lambda r: str(r["id"]))
        return cls([naming_of(r) for r in ordered], ordered.__getitem__)

    @property
    def entries(self) -> tuple[LicenseEntry, ...]:
        """Every entry, by id."""
        return tuple(self._entry(i) for i in range(len(self._namings)))

    def namings(self) -> Iterator[Naming]:
        """How every entry is named, by id, without making the entries."""
        return iter(self._namings)

    def by_id(self, entry_id: str) -> LicenseEntry | None:
        """The entry with exactly this catalogue id (``namings`` gives them)."""
        i = self._by_id.get(entry_id)
        return None if i is None else self._entry(i)

    def _entry(self, i: int) -> LicenseEntry:
        entry = self._made[i]
        if entry is None:
            entry = self._made[i] = _entry_from_dict(self._record(i))
        return entry

    def resolve_id(self, raw: str | None) -> str | None:
        """The id of the entry ``raw`` names, as ``resolve`` finds it, without making the entry."""
        if not raw or not isinstance(raw, str):
            return None
        i = self._by_key.get(normalise_id(raw))
        return None if i is None else self._namings[i].id

    def resolve(self, raw: str | None) -> LicenseEntry | None:
        """The entry ``raw`` names (a Hub id, SPDX id, alias or license_name), or None."""
        if not raw or not isinstance(raw, str):
            return None
        i = self._by_key.get(normalise_id(raw))
        return None if i is None else self._entry(i)

    def get(self, raw: str) -> LicenseEntry:
        """Like ``resolve`` but raises ``UnknownLicenseError`` with suggestions."""
        entry = self.resolve(raw)
        if entry is None:
            raise UnknownLicenseError(raw, self.suggest(raw))
        return entry

    def suggest(self, raw: str, n: int = 3) -> list[str]:
        """The closest catalogue ids to ``raw``."""
        import difflib

        ids = [n.id for n in self._namings]
        close = difflib.get_close_matches(normalise_id(raw), ids, n=n, cutoff=0.5)
        if close:
            return close
        keys = difflib.get_close_matches(normalise_id(raw), list(self._by_key), n=n, cutoff=0.5)
        return list(dict.fromkeys(ids[self._by_key[k]] for k in keys))

    def __iter__(self) -> Iterator[LicenseEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self._namings)


INDEX_HEAD = '{"version":1,'
INDEX_NAMINGS = '"namings":'
INDEX_ENTRIES = '"licenses":['
INDEX_END = "]}"
"""The lines that frame ``licenses/index.json`` (``render_index``): the head, the namings of
every entry on one line, then each entry's record on a line of its own, then the end."""


def render_index(records: Iterable[Mapping[str, Any]]) -> str:
    """The text of ``licenses/index.json`` (``scripts/build_catalogue.py`` writes it): one JSON
    document, laid out so that ``load_catalogue`` can parse the namings alone and each record
    when its entry is asked for."""
    ordered = sorted(records, key=lambda r: str(r["id"]))

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    lines = [INDEX_HEAD, INDEX_NAMINGS + dumps([list(naming_of(r)) for r in ordered]) + ",",
             INDEX_ENTRIES, ",\n".join(dumps(r) for r in ordered), INDEX_END]
    return "\n".join(lines) + "\n"


def read_index(text: str) -> Catalogue:
    """The catalogue of an index's text: its namings parsed now, each record when its entry is
    first asked for; an index not laid out as ``render_index`` lays it out is parsed whole."""
    lines = text.split("\n")
    framed = (len(lines) > 5 and lines[0] == INDEX_HEAD and lines[1].startswith(INDEX_NAMINGS)
              and lines[2] == INDEX_ENTRIES and lines[-2:] == [INDEX_END, ""])
    if not framed:
        return Catalogue.from_records(json.loads(text)["licenses"])
    # JSON gives lists where a Naming holds tuples.
    namings = [Naming(i, kind, name, tuple(aliases), tuple(markers), spdx, hub, tuple(names))
               for i, kind, name, aliases, markers, spdx, hub, names
               in json.loads(lines[1][len(INDEX_NAMINGS):-1])]
    rows = lines[3:-2]
    if len(rows) != len(namings):
        return Catalogue.from_records(json.loads(text)["licenses"])
    parsed: dict[int, Mapping[str, Any]] = {}

    def record(i: int) -> Mapping[str, Any]:
        if i not in parsed:
            parsed[i] = json.loads(rows[i].removesuffix(","))
        return parsed[i]

    return Catalogue(namings, record)


@cache
def load_catalogue() -> Catalogue:
    """The bundled catalogue (compiled index), loaded once per process."""
    return read_index((bundled_path("licenses") / "index.json").read_text(encoding="utf-8"))
