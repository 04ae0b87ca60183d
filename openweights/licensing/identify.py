"""Name the catalogue license a text is, by comparing word-shingle fingerprints.

No license text ships with owcheck. ``scripts/build_fingerprints.py`` reads the reference texts
(the shared corpus), normalises them with ``normalise`` below, cuts the words into overlapping
runs of ``SHINGLE`` words and stores only a 32-bit hash of each run in
``licenses/fingerprints.json``. ``identify`` treats a text the same way and compares hash sets.

Normalisation follows the SPDX License List matching guidelines where they apply to word
shingles: case, whitespace, punctuation, quote and dash styles, bullets and list numbering,
code-comment prefixes and separator lines do not count; copyright notice lines are dropped;
``http`` and ``https`` are the same; varietal spellings (licence/license, ...) are merged;
Markdown and HTML markup is ignored; a "how to apply" appendix after the terms is dropped.
License titles are kept, unlike the guideline: the version in a title (Llama 3.1 vs 3.2) is
much of what tells close relatives apart.

Similarity is Sørensen-Dice between the reference and the part of the text it covers: the text
is trimmed to the span between the first and last place the reference matches, so a short
project header, a copyright line or notes after the license do not lower the figure, while
clauses added or changed inside the license do. Close relatives (Llama 3.1/3.2/3.3/4, CC BY vs
BY-NC, the OpenRAIL-M variants) differ in a few dozen words only, so the shingles that tell them
apart are stored too and weigh more when missing or extra. A Llama license with its acceptable
use policy appended matches both parts together. Licenses with no reference text can still be
named by a title phrase (the catalogue's ``markers``), with a capped confidence.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import sys
import unicodedata
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from openweights.licensing.catalogue import Catalogue, load_catalogue
from openweights.resources import bundled_path

SHINGLE = 3
"""Words per shingle. Short, so that one changed word spoils only three shingles and modified
copies stay recognisable; relatives are told apart by the distinctive weighting instead. Model
card prose still scores under 0.05 against every license."""

NORMALISER_VERSION = 1
"""Bump when ``normalise`` or ``shingle_hashes`` changes: stored fingerprints go stale."""

FORMAT_VERSION = 1
"""Layout version of ``fingerprints.json``."""

MATCH_THRESHOLD = 0.98
"""At or above: the text is this license. A verbatim copy scores 1.0 (a header or trailing notes
lie outside the compared span); one changed word costs about 0.003 in a 1,000-word license and
0.018 in the 170-word MIT text, so a fixed typo still matches, while a deleted section (a few
percent of the words) does not. Different catalogue licenses score at most 0.89 against each
other (OpenRAIL-M vs OpenRAIL++-M)."""

NEAR_MISS_THRESHOLD = 0.5
"""At or above (and below a match): a modified copy of the license. Copies with one word in
twelve replaced score 0.55 or more; licenses outside a family score under 0.4 against each
other and model-card prose under 0.05."""

PART_PRESENT = 0.5
"""A second part of a license (the Llama acceptable use policy) counts as present in the text
when at least this share of its shingles is found there."""

MARKER_CONFIDENCE = 0.6
"""Similarity reported when only a title phrase names the license: the text was not compared."""

TIE_MARGIN = 0.02
"""Two fingerprint scores this close are a tie, which a title phrase in the text may break."""

RELATIVES = 0.85
"""Two texts of different licenses at or above this plain Dice are close relatives. Lower, and
whole texts of loosely related licenses become "distinctive", which makes modified copies of
them score too low."""

DISTINCTIVE_WEIGHT = 15
"""How much more a shingle that tells close relatives apart weighs than shared phrasing. Plain
Dice puts CreativeML OpenRAIL-M and OpenRAIL++-M at 0.99 (one sentence, a name and a date
differ); weighting what differs pulls relatives well below a match while a verbatim copy still
scores 1."""

SAMPLE_BELOW = 1 << 29
"""Hashes under this value (an eighth of the range) form the sample used to shortlist."""

_SHORTLIST_SHARE = 0.5
"""Licenses whose estimated containment is under this share of the best one's are not compared
in full (they cannot win, and the runner-up is among the rest)."""

_SAMPLE_MIN = 400
"""Fingerprints smaller than this are shortlisted on all their hashes (a sample would be noisy)."""

_CANDIDATES = 6
"""How many best-containing licenses get the full comparison (the Llama family has six)."""

MARKER_WINDOW = 120
"""Title phrases are looked for in this many opening words (after a header, where titles
sit), not in the body, where a license may name others ("compatible with ...")."""

Status = Literal["match", "near-miss", "no-match"]
Method = Literal["fingerprint", "marker"]

PART_LABELS = {"license": "license", "aup": "acceptable use policy"}
"""Stored part code -> the label ``Candidate.part`` uses."""
_BOTH_PARTS = "license and acceptable use policy"


# --------------------------------------------------------------------------- normalisation

# A subset of the SPDX equivalent-words list (British/American and similar spellings). Hyphenated
# forms are already joined ("sub-licence" -> "sublicence") when this applies.
_EQUIVALENT_WORDS: dict[str, str] = {
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "licencing": "licensing",
    "licencor": "licensor",
    "sublicence": "sublicense",
    "sublicences": "sublicenses",
    "sublicenced": "sublicensed",
    "acknowledgement": "acknowledgment",
    "acknowledgements": "acknowledgments",
    "analogue": "analog",
    "analyse": "analyze",
    "artefact": "artifact",
    "artefacts": "artifacts",
    "authorisation": "authorization",
    "authorise": "authorize",
    "authorised": "authorized",
    "behaviour": "behavior",
    "calibre": "caliber",
    "cancelled": "canceled",
    "catalogue": "catalog",
    "categorise": "categorize",
    "centre": "center",
    "colour": "color",
    "defence": "defense",
    "emphasised": "emphasized",
    "favour": "favor",
    "favourite": "favorite",
    "fulfil": "fulfill",
    "fulfilment": "fulfillment",
    "initialise": "initialize",
    "judgement": "judgment",
    "labelling": "labeling",
    "labour": "labor",
    "maximise": "maximize",
    "modelled": "modeled",
    "modelling": "modeling",
    "offence": "offense",
    "optimise": "optimize",
    "organisation": "organization",
    "organisations": "organizations",
    "organise": "organize",
    "practise": "practice",
    "programme": "program",
    "realise": "realize",
    "recognise": "recognize",
    "signalling": "signaling",
    "utilisation": "utilization",
    "whilst": "while",
    "wilful": "willful",
}
# Two-word spellings of one word (checked on adjacent tokens).
_EQUIVALENT_PAIRS: dict[tuple[str, str], str] = {
    ("per", "cent"): "percent",
    ("sub", "license"): "sublicense",  # "licence" is already "license" here
    ("non", "commercial"): "noncommercial",
    ("e", "mail"): "email",
}

_PAIR_ENDS = frozenset(second for _, second in _EQUIVALENT_PAIRS)

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_AUTOLINK = re.compile(r"<((?:https?://|www\.)[^<>\s]+)>")
_HTML_TAG = re.compile(r"</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>")
# [text](target) and ![alt](target): keep the text, drop the target (a link's markup).
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
# A word broken across a line with a hyphen, and hyphenated compounds: joined, so that
# "non-exclusive", "non-\nexclusive" and "nonexclusive" are one token. Runs of two or more
# dashes, and en/em dashes, stay separators ("copyright--then").
_HYPHEN_BREAK = re.compile(r"[-\u2010\u2011](?<=[^\W\d_].)\n[ \t]*(?=[^\W\d_])")
_HYPHEN_JOIN = re.compile(r"[\u2010\u2011-](?<=[^\W\d_].)(?=[^\W\d_])")
_SOFT_HYPHEN = re.compile("[\u00ad\u200b\u200c\u200d\ufeff]")
_APOSTROPHE = re.compile(r"['\u2018\u2019\u02bc`\u00b4](?<=[^\W_].)(?=[^\W_])")
_DIGIT_GROUP = re.compile(r",(?<=\d,)(?=\d{3}(?!\d))")
_SCHEME = re.compile(r"https?://")
# Leading code-comment, quote, heading, table and bullet characters of a line.
_LINE_PREFIX = re.compile(r"^[\s#>*+|/;!%=_~\-\u2013\u2014\u2022\u00b7\u25e6\u25aa\u2023\u2219]+")
# List numbering at the start of a line: 1. 1.2 a) (iv) ... followed by a space.
_LIST_MARKER = re.compile(
    r"^(?:\(?(?:\d{1,3}(?:\.\d{1,3})*|[a-z]|[ivxlc]{1,6})[.)]|\((?:\d{1,3}|[a-z]|[ivxlc]{1,6})\))"
    r"[\s\u2022]+"
)
# Parenthesised enumerators inside a line: (a), (iv), (2). By then "copyright (c)" and
# "copyright ©" have been folded into "copyright" and a lone © into the word itself.
_INLINE_ENUMERATOR = re.compile(r"\((?:[a-z]|[ivxlc]{1,6}|\d{1,3})\)")
_COPYRIGHT_SIGN = re.compile(r"copyright\s*(?:©|\(c\))")
_YEAR = r"(?:\d{4}|\[yyyy\]|\[year\]|<year>|\{year\}|\[years?\])"
_COPYRIGHT_LINE = re.compile(
    rf"^(?:(?:copyright\b|©|\(c\))[\s,:]*(?:©|\(c\))?[\s,:]*{_YEAR}"
    r"|copyright\s*(?:©|\(c\))"
    r"|©"
    rf"|{_YEAR}(?:\s*[-\u2013,]\s*{_YEAR})*[\s,]*(?:copyright\b|©|\(c\))"
    r"|copyright\b.*\ball rights reserved\W*$"
    r"|all rights reserved\W*$)"
)
# Words: letters and digits; a version number (3.1) stays one token, and "++" stays on its word
# (OpenRAIL++ is not OpenRAIL).
_WORD = re.compile(r"[^\W_]+(?:(?<=\d)\.\d+)*(?:\+\+)?")
_APPENDIX = ("appendix", "how", "to", "apply")


def _clean_line(line: str) -> str | None:
    """One line without comment/bullet prefixes and list numbering; None for a copyright line."""
    line = _LINE_PREFIX.sub("", line)
    for _ in range(3):  # nested numbering such as "1. a. "
        stripped = _LIST_MARKER.sub("", line, count=1)
        if stripped == line:
            break
        if _COPYRIGHT_LINE.match(line):
            return None
        line = stripped
    if _COPYRIGHT_LINE.match(line):
        return None
    return line


def normalise(text: str) -> list[str]:
    """The words of ``text`` after SPDX-style normalisation (see the module docstring)."""
    if not text.isascii():  # NFKC is a no-op on ASCII, and not free
        text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SOFT_HYPHEN.sub("", text)
    text = _HTML_COMMENT.sub(" ", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub(" ", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = _HYPHEN_BREAK.sub("", text)
    lines = (_clean_line(line) for line in text.split("\n"))
    text = "\n".join(line for line in lines if line is not None)
    text = _COPYRIGHT_SIGN.sub(" copyright ", text).replace("©", " copyright ")
    text = _INLINE_ENUMERATOR.sub(" ", text)
    text = _SCHEME.sub("", text)
    text = _HYPHEN_JOIN.sub("", text)
    text = _APOSTROPHE.sub("", text)
    text = _DIGIT_GROUP.sub("", text)
    text = text.replace("&", " and ")
    get = _EQUIVALENT_WORDS.get
    words = [get(word, word) for word in _WORD.findall(text)]
    if not _PAIR_ENDS.isdisjoint(words):
        words = _join_pairs(words)
    return _drop_appendix(words)


def _join_pairs(words: list[str]) -> list[str]:
    """Merge two-word spellings (``per cent``) into their one-word form."""
    joined: list[str] = []
    for word in words:
        if joined and (joined[-1], word) in _EQUIVALENT_PAIRS:
            joined[-1] = _EQUIVALENT_PAIRS[(joined[-1], word)]
        else:
            joined.append(word)
    return joined


def _drop_appendix(words: list[str]) -> list[str]:
    """Cut a "how to apply this license" appendix: instructions, not terms (SPDX guideline)."""
    first = _APPENDIX[0]
    size = len(_APPENDIX)
    start = 0
    while True:
        try:
            at = words.index(first, start)
        except ValueError:
            return words
        if tuple(words[at : at + size]) == _APPENDIX:
            return words[:at]
        start = at + 1


def shingle_hashes(words: Sequence[str]) -> list[int]:
    """The CRC-32 of every run of ``SHINGLE`` consecutive words, in text order.

    CRC-32 is stable across runs and platforms (``hash()`` is salted) and fast; at a few
    thousand shingles per license, collisions are too rare to move a similarity figure.
    """
    if not words:
        return []
    encoded = [w.encode() for w in words]
    if len(encoded) <= SHINGLE:
        return [zlib.crc32(b" ".join(encoded))]
    crc = zlib.crc32
    join = b" ".join
    return [crc(join(encoded[i : i + SHINGLE])) for i in range(len(encoded) - SHINGLE + 1)]


# --------------------------------------------------------------------------- fingerprints


@dataclass(frozen=True)
class Fingerprint:
    """The shingle hashes of one reference text."""

    license_id: str
    """Catalogue id the text belongs to."""
    part: str
    """``license`` or ``aup`` (a Llama acceptable use policy)."""
    hashes: frozenset[int]
    """Distinct shingle hashes of the normalised text."""
    sample: frozenset[int] = frozenset()
    """The hashes below ``SAMPLE_BELOW`` (about one in eight), for a quick first comparison;
    empty means "compare in full"."""


@dataclass(frozen=True)
class FingerprintSet:
    """Everything ``identify`` compares against, as read from ``fingerprints.json``."""

    fingerprints: tuple[Fingerprint, ...]
    """One per reference text."""
    distinctive: frozenset[int]
    """Shingles found in one of two close relatives but not the other: they weigh
    ``DISTINCTIVE_WEIGHT`` times as much as shared phrasing."""


def encode_hashes(hashes: Iterable[int]) -> str:
    """Sorted distinct 32-bit hashes as base64 of little-endian words (compact, fast to load)."""
    ordered = sorted(set(hashes))
    return base64.b64encode(struct.pack(f"<{len(ordered)}I", *ordered)).decode("ascii")


def _decode_sorted(data: str) -> Sequence[int]:
    raw = base64.b64decode(data)
    words = array("I")
    if words.itemsize != 4:  # pragma: no cover - no mainstream platform
        return struct.unpack(f"<{len(raw) // 4}I", raw)
    words.frombytes(raw)
    if sys.byteorder == "big":  # pragma: no cover - stored little-endian
        words.byteswap()
    return words


def decode_hashes(data: str) -> frozenset[int]:
    """Inverse of ``encode_hashes``."""
    return frozenset(_decode_sorted(data))


def _fingerprint(license_id: str, part: str, data: str) -> Fingerprint:
    ordered = _decode_sorted(data)
    # Stored sorted, so the sample is a prefix: no per-hash Python work at load time.
    sample = frozenset(ordered[: bisect_left(ordered, SAMPLE_BELOW)])
    return Fingerprint(license_id, part, frozenset(ordered), sample)


def dice(a: frozenset[int] | set[int], b: frozenset[int] | set[int]) -> float:
    """Plain Sørensen-Dice of two hash sets."""
    total = len(a) + len(b)
    return 2 * len(a & b) / total if total else 0.0


def distinctive_hashes(fingerprints: Sequence[Fingerprint]) -> set[int]:
    """Shingles that tell close relatives apart: for every two texts of different licenses that
    share at least ``RELATIVES`` of their shingles, those in one but not the other."""
    found: set[int] = set()
    for i, a in enumerate(fingerprints):
        for b in fingerprints[i + 1 :]:
            if a.license_id != b.license_id and dice(a.hashes, b.hashes) >= RELATIVES:
                found |= a.hashes ^ b.hashes
    return found


def fingerprints_path() -> Path:
    """The fingerprint file shipped with the tool."""
    return bundled_path("licenses") / "fingerprints.json"


def read_fingerprints(path: Path) -> FingerprintSet:
    """Parse a fingerprint file; empty when it is missing or was built by another normaliser."""
    empty = FingerprintSet((), frozenset())
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if (data.get("format"), data.get("normaliser"), data.get("shingle")) != (
        FORMAT_VERSION,
        NORMALISER_VERSION,
        SHINGLE,
    ):
        return empty
    prints = tuple(_fingerprint(r["id"], r["part"], r["hashes"]) for r in data["fingerprints"])
    return FingerprintSet(prints, decode_hashes(data.get("distinctive", "")))


@cache
def load_fingerprints() -> FingerprintSet:
    """The bundled fingerprints, read on first use and kept for the process."""
    return read_fingerprints(fingerprints_path())


@dataclass(frozen=True)
class _Reference:
    """Fingerprints of one catalogue entry, as ``identify`` uses them."""

    entry_id: str
    parts: tuple[Fingerprint, ...]


@lru_cache(maxsize=4)
def _references(catalogue: Catalogue) -> tuple[_Reference, ...]:
    """Fingerprints grouped by the catalogue entry their id resolves to (others are skipped)."""
    grouped: dict[str, list[Fingerprint]] = {}
    for fp in load_fingerprints().fingerprints:
        entry = catalogue.resolve(fp.license_id)
        if entry is not None:
            grouped.setdefault(entry.id, []).append(fp)
    return tuple(_Reference(k, tuple(v)) for k, v in sorted(grouped.items()))


@lru_cache(maxsize=4)
def _markers(catalogue: Catalogue) -> tuple[tuple[str, str, str], ...]:
    """(entry id, normalised marker, marker as written) for every marker, longest first."""
    found: list[tuple[str, str, str]] = []
    for entry in catalogue:
        for marker in entry.markers:
            words = normalise(marker)
            if words:
                found.append((entry.id, " ".join(words), marker))
    found.sort(key=lambda m: (-len(m[1]), m[0]))
    return tuple(found)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Candidate:
    """One catalogue license the text was compared with, and how close it came."""

    license_id: str
    """Catalogue id."""
    part: str
    """What the text is of it: ``license``, ``acceptable use policy`` or both."""
    similarity: float
    """0..1: Dice over shingles (``fingerprint``) or the fixed marker confidence (``marker``)."""
    method: Method
    """``fingerprint`` (text compared) or ``marker`` (only a title phrase names it)."""
    marker: str | None = None
    """The title phrase found in the text, for ``marker``."""


@dataclass(frozen=True)
class Identification:
    """Which catalogue license a text is, if any."""

    status: Status
    """``match`` (this license), ``near-miss`` (a modified copy) or ``no-match``."""
    best: Candidate | None
    """The closest license; None only when the text has no words."""
    runner_up: Candidate | None
    """The next closest different license, if any came close at all."""
    surrounding: float = 0.0
    """Share of the text outside the span the best license covers (headers, notes), 0..1."""

    @property
    def license_id(self) -> str | None:
        """The best license's id when the status is ``match``, else None."""
        return self.best.license_id if self.best and self.status == "match" else None

    @property
    def similarity(self) -> float:
        """The best similarity (0 when nothing was compared)."""
        return self.best.similarity if self.best else 0.0

    def describe(self) -> str:
        """One line for people: ``llama3.1 (100 % match)``, ``94 % similar to ...``."""
        best = self.best
        pct = _percent(best.similarity) if best else 0
        if best is None or (self.status == "no-match" and pct == 0):
            return "no catalogue license matches"
        if self.status == "no-match":
            return f"no catalogue license matches (best: {best.license_id} {pct} %)"
        if best.method == "marker" and self.status == "near-miss":
            return (
                f"titled {best.marker!r} but only {pct} % similar to {best.license_id}: "
                "modified text?"
            )
        if best.method == "marker":
            what = "" if best.part == "license" else f"{best.part}, "
            near = self.runner_up
            closest = (
                f"; text {_percent(near.similarity)} % similar to {near.license_id}"
                if near and near.method == "fingerprint" and near.similarity >= NEAR_MISS_THRESHOLD
                else ""
            )
            return (
                f"{best.license_id} ({what}named by the title {best.marker!r}; "
                f"no reference text to compare, {pct} % confidence{closest})"
            )
        if self.status == "near-miss":
            part = "" if best.part == "license" else f" ({best.part})"
            return f"{pct} % similar to {best.license_id}{part}: modified text?"
        what = "" if best.part == "license" else f"{best.part}, "
        return f"{best.license_id} ({what}{pct} % match)"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""

        def one(c: Candidate | None) -> dict[str, Any] | None:
            if c is None:
                return None
            return {
                "license": c.license_id,
                "part": c.part,
                "similarity": round(c.similarity, 4),
                "method": c.method,
                "marker": c.marker,
            }

        return {
            "status": self.status,
            "license": self.license_id,
            "best": one(self.best),
            "runner_up": one(self.runner_up),
            "surrounding": round(self.surrounding, 4),
            "description": self.describe(),
        }


def _percent(value: float) -> int:
    """Whole percent, rounded down so that only identical texts show 100 %."""
    return int(value * 100 + 1e-9)


# --------------------------------------------------------------------------- identification


@dataclass(frozen=True)
class _Text:
    """A text prepared for comparison: its shingles, as a list and a set."""

    shingles: Sequence[int]
    present: frozenset[int]
    distinctive: frozenset[int]
    marked: frozenset[int]
    """The distinctive shingles the text has."""

    @classmethod
    def of(cls, shingles: Sequence[int], distinctive: frozenset[int]) -> _Text:
        present = frozenset(shingles)
        return cls(shingles, present, distinctive, distinctive.intersection(present))


@lru_cache(maxsize=256)
def _marked_count(ref: frozenset[int], distinctive: frozenset[int]) -> int:
    # Cached: a reference is compared with many texts (frozensets cache their own hash).
    return len(distinctive.intersection(ref))


def _first_pair(shingles: Iterable[int], ref: frozenset[int]) -> int | None:
    """Index (in iteration order) of the first of two consecutive shingles both in ``ref``."""
    previous = False
    for i, h in enumerate(shingles):
        hit = h in ref
        if hit and previous:
            return i - 1
        previous = hit
    return None


def similarity(
    shingles: Sequence[int], ref: frozenset[int], distinctive: frozenset[int]
) -> tuple[float, float]:
    """Dice between ``ref`` and the span of the text it covers, with distinctive mismatches
    weighted up; and the share of the text outside that span.

    ``2·common / (2·common + extra + missing)`` where a shingle in ``distinctive`` counts
    ``DISTINCTIVE_WEIGHT`` times in ``extra`` and ``missing``: shared phrasing is worth the same
    whoever shares it, but lacking what tells a license from its relative costs more. A verbatim
    copy scores 1 whatever the weights. The span runs from the first to the last place where two
    consecutive shingles both match, so one stray shared phrase in a header does not stretch it.
    """
    return _similarity(_Text.of(shingles, distinctive), ref)


def _similarity(text: _Text, ref: frozenset[int]) -> tuple[float, float]:
    shingles = text.shingles
    n = len(shingles)
    if not n or not ref:
        return 0.0, 1.0 if n else 0.0
    first = _first_pair(shingles, ref)
    # Searching backwards, the pair's first member is the span's last shingle.
    from_end = _first_pair(reversed(shingles), ref) if first is not None else None
    if first is None or from_end is None or (first == 0 and from_end == 0):
        window: Sequence[int] = shingles
        seen, seen_marked = text.present, text.marked
    else:
        window = shingles[first : n - from_end]
        seen = frozenset(window)
        seen_marked = text.marked.intersection(seen)
    common = ref.intersection(seen)
    common_marked = len(seen_marked.intersection(ref))
    heavier = DISTINCTIVE_WEIGHT - 1
    extra = len(seen) - len(common) + heavier * (len(seen_marked) - common_marked)
    missing = (
        len(ref) - len(common) + heavier * (_marked_count(ref, text.distinctive) - common_marked)
    )
    matched = 2 * len(common)
    return matched / (matched + extra + missing), 1 - len(window) / n


def _score(text: _Text, ref: _Reference) -> tuple[Candidate, float]:
    """Compare the text with one entry's fingerprints: best variant per part, parts combined."""
    best_per_part: dict[str, tuple[float, Fingerprint]] = {}
    for fp in ref.parts:
        contained = len(fp.hashes.intersection(text.present)) / max(len(fp.hashes), 1)
        held = best_per_part.get(fp.part)
        if held is None or contained > held[0]:
            best_per_part[fp.part] = (contained, fp)
    ranked = sorted(best_per_part.values(), key=lambda cf: -cf[0])
    chosen = [fp for contained, fp in ranked if contained >= PART_PRESENT] or [ranked[0][1]]
    if len(chosen) == 1:
        hashes = chosen[0].hashes
        part = PART_LABELS.get(chosen[0].part, chosen[0].part)
    else:
        hashes = frozenset().union(*(f.hashes for f in chosen))
        part = _BOTH_PARTS
    value, outside = _similarity(text, hashes)
    return Candidate(ref.entry_id, part, value, "fingerprint"), outside


def _status(similarity: float) -> Status:
    if similarity >= MATCH_THRESHOLD:
        return "match"
    if similarity >= NEAR_MISS_THRESHOLD:
        return "near-miss"
    return "no-match"


def _marker_hits(
    head: str, catalogue: Catalogue, ids: set[str], kinds: frozenset[str]
) -> list[Candidate]:
    """Entries in ``ids`` of a kind in ``kinds`` whose title phrase occurs in ``head`` (the
    normalised opening words, space-padded), longest phrase first."""
    hits: list[Candidate] = []
    seen: set[str] = set()
    for entry_id, phrase, written in _markers(catalogue):
        if entry_id in seen or entry_id not in ids:
            continue
        entry = catalogue.resolve(entry_id)
        if entry is None or entry.kind not in kinds:
            continue
        if f" {phrase} " in head:
            seen.add(entry_id)
            part = PART_LABELS["aup"] if PART_LABELS["aup"] in phrase else "license"
            hits.append(Candidate(entry_id, part, MARKER_CONFIDENCE, "marker", written))
    return hits


_ANY_KIND = frozenset({"license", "family"})
_LICENSE_KIND = frozenset({"license"})


def _scored(text: _Text, references: Sequence[_Reference]) -> list[tuple[Candidate, float]]:
    """Full comparison with each reference, best first (ties by id, for stable output)."""
    return sorted(
        (_score(text, ref) for ref in references),
        key=lambda cs: (-cs[0].similarity, cs[0].license_id),
    )


def _shortlist(text: _Text, references: Sequence[_Reference]) -> list[_Reference]:
    """The likeliest few references, by the share of each found anywhere in the text (on the
    sampled hashes: an estimate is enough to choose whom to compare in full)."""
    present = text.present
    sampled = {h for h in present if h < SAMPLE_BELOW}

    def containment(fp: Fingerprint) -> float:
        if len(fp.hashes) < _SAMPLE_MIN or not fp.sample:
            return len(fp.hashes.intersection(present)) / max(len(fp.hashes), 1)
        return len(fp.sample.intersection(sampled)) / len(fp.sample)

    estimates = sorted(
        ((max(containment(fp) for fp in ref.parts), ref) for ref in references),
        key=lambda er: -er[0],
    )[:_CANDIDATES]
    if not estimates:
        return []
    floor = estimates[0][0] * _SHORTLIST_SHARE
    return [ref for i, (est, ref) in enumerate(estimates) if i < 2 or est >= floor]


def rank(text: str, catalogue: Catalogue | None = None) -> list[Candidate]:
    """How close ``text`` comes to every fingerprinted catalogue license, best first.

    ``identify`` compares in full only the few likeliest licenses; this compares all of them
    (for diagnostics and tests).
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    shingles = shingle_hashes(normalise(text))
    if not shingles:
        return []
    text_ = _Text.of(shingles, load_fingerprints().distinctive)
    return [c for c, _ in _scored(text_, _references(catalogue))]


def identify(text: str, catalogue: Catalogue | None = None) -> Identification:
    """The catalogue license ``text`` is (``match``), resembles (``near-miss``), or neither."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    words = normalise(text)
    shingles = shingle_hashes(words)
    if not shingles:
        return Identification("no-match", None, None)
    references = _references(catalogue)
    prepared = _Text.of(shingles, load_fingerprints().distinctive)
    scored = _scored(prepared, _shortlist(prepared, references))
    head = f" {' '.join(words[:MARKER_WINDOW])} "
    if len(scored) >= 2 and scored[0][0].similarity - scored[1][0].similarity < TIE_MARGIN:
        # Near-identical scores for two relatives: prefer the one whose title the text carries.
        first, second = scored[0][0].license_id, scored[1][0].license_id
        titled = {c.license_id for c in _marker_hits(head, catalogue, {first, second}, _ANY_KIND)}
        if titled == {second}:
            scored[0], scored[1] = scored[1], scored[0]

    best, outside = scored[0] if scored else (None, 0.0)
    runner = scored[1][0] if len(scored) > 1 else None
    status = _status(best.similarity) if best else "no-match"
    if status != "match":
        # A license we hold no text for can still be named by its title. It overrides a near
        # miss only when it is a single license (not a family): a modified OpenRAIL-M text is
        # better described as that than as the "openrail" family its title also names.
        unprinted = {e.id for e in catalogue} - {ref.entry_id for ref in references}
        kinds = _ANY_KIND if status == "no-match" else _LICENSE_KIND
        named = _marker_hits(head, catalogue, unprinted, kinds)
        if named:
            second_best = best if best is not None else (named[1] if len(named) > 1 else None)
            return Identification("match", named[0], second_best)
        if status == "no-match":
            # A text that carries a known license's title but not its words is a modified
            # license: report it as a near miss of the license it claims to be.
            printed = {ref.entry_id for ref in references}
            claimed = _marker_hits(head, catalogue, printed, _LICENSE_KIND)
            if claimed:
                claim = claimed[0]
                own = [r for r in references if r.entry_id == claim.license_id]
                sim = _scored(prepared, own)[0][0].similarity if own else 0.0
                titled_as = Candidate(claim.license_id, claim.part, sim, "marker", claim.marker)
                return Identification("near-miss", titled_as, best)
    return Identification(status, best, runner, outside if best else 0.0)
