"""The license catalogue: entries read from ``licenses/`` and looked up by any of their ids.

``licenses/*.yaml`` is the source (one file per license, validated by
``schemas/license.schema.json``). ``scripts/build_catalogue.py`` compiles them into
``licenses/index.json``, which is what the tool loads at run time: one small JSON read instead of
a hundred YAML parses keeps start-up fast. A test keeps the index equal to the YAML files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from openweights.patterns import lazy
from openweights.records import field, record
from openweights.resources import catalogue_records


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
        for raw in (self.id, self.hub_id, self.spdx, *self.aliases, *self.license_names):
            if raw:
                yield normalise_id(raw)


_ID_SEP = lazy(r"[\s_/]+")


def normalise_id(raw: str) -> str:
    """Lowercase, trim and join words with hyphens: ``Llama 3.1`` -> ``llama-3.1``."""
    return _ID_SEP().sub("-", raw.strip().lower()).strip("-")


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
    """All license entries, indexed by every id they answer to."""

    def __init__(self, entries: list[LicenseEntry]) -> None:
        self.entries: tuple[LicenseEntry, ...] = tuple(sorted(entries, key=lambda e: e.id))
        self._by_key: dict[str, LicenseEntry] = {}
        for entry in self.entries:
            for key in entry.keys:
                self._by_key.setdefault(key, entry)

    @classmethod
    def from_records(cls, records: list[Mapping[str, Any]]) -> Catalogue:
        """Build from plain dicts (the parsed YAML files or the compiled index)."""
        return cls([_entry_from_dict(r) for r in records])

    def resolve(self, raw: str | None) -> LicenseEntry | None:
        """The entry ``raw`` names (a Hub id, SPDX id, alias or license_name), or None."""
        if not raw or not isinstance(raw, str):
            return None
        return self._by_key.get(normalise_id(raw))

    def get(self, raw: str) -> LicenseEntry:
        """Like ``resolve`` but raises ``UnknownLicenseError`` with suggestions."""
        entry = self.resolve(raw)
        if entry is None:
            raise UnknownLicenseError(raw, self.suggest(raw))
        return entry

    def suggest(self, raw: str, n: int = 3) -> list[str]:
        """The closest catalogue ids to ``raw``."""
        import difflib

        ids = [e.id for e in self.entries]
        close = difflib.get_close_matches(normalise_id(raw), ids, n=n, cutoff=0.5)
        if close:
            return close
        keys = difflib.get_close_matches(normalise_id(raw), list(self._by_key), n=n, cutoff=0.5)
        return list(dict.fromkeys(self._by_key[k].id for k in keys))

    def __iter__(self) -> Iterator[LicenseEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


@cache
def load_catalogue() -> Catalogue:
    """The bundled catalogue (compiled index), loaded once per process."""
    return Catalogue.from_records(catalogue_records("licenses", "licenses"))
