"""Name the catalogue licenses a text holds, word for word: exact copies, modified copies, neither.

No license text ships with owcheck. ``scripts/build_fingerprints.py`` normalises each reference
text with ``tokens`` below, cuts the word sequence into consecutive, non-overlapping blocks of
``BLOCK`` words and stores a salted 32-bit hash of each block, in order (its docstring says why
that shape, and what else is stored). ``identify`` normalises the input the same way, hashes
every run of ``BLOCK`` words of it (a rolling window: inserted or deleted words shift the input,
never the blocks) and looks the hashes up in one sorted index of all references. The hits of
one reference, chained in order, align the input against it: between two consecutive blocks
found, the input must hold exactly the words the reference holds there, or it was changed.

So every word counts. A text is a ``match`` of a license only when every block of it is found,
in order, with nothing between them: one changed, inserted or deleted word anywhere makes it
``modified``, and the difference is shown (``Identification.diff_text``). Numbers, names and
restrictive words are words like any other: nothing normalises them away. Two things between
blocks are not changes, both read off the reference: the words of a replaceable region of the
license's SPDX template (the copyright holder's name in "Neither the name of ACME Corp nor
...", ``Reference.regions``), when they are few and hold no restrictive or other license word
and no number (the words around the region are still checked, ``Reference.bridges``); and a
list number that reflow ran into a sentence, where the reference starts a list item
(``Reference.items``).

Normalisation follows the SPDX License List matching guidelines: case, whitespace and line
breaks, punctuation, quote and dash styles, bullets and list numbering (only where a list item
starts, see ``_Enumerators``: a number that ends a sentence is kept), code-comment prefixes and
separator lines do not count; copyright notices are dropped; ``http`` and ``https`` are the
same; varietal spellings (licence/license, ...) are merged; Markdown and HTML markup is ignored.
A license's title lines, its "how to apply" appendix and its standard notice (the SPDX
``standardLicenseHeader``, before or after the text) are omittable: a text with or without them
matches, unless words put into them carry terms (``OPTIONAL_PARTS``).

The whole text is read. Each license found in it is reported (a license and its acceptable use
policy, MIT and a CC license, Apache and an addendum); text outside every license found is kept
as ``extra``, and extra text in license language (grants, restrictions, "non-commercial") makes
the result ``modified``: an addendum can change what the license above it allows. So does the
notice or appendix of a license whose text is not in the file (Apache's notice over the MIT
text). A license known only by its title (no reference text was available to fingerprint) is at
most ``named``; a standard notice alone points to its license and is ``no-match``, naming it.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from array import array
from binascii import crc32  # zlib's CRC-32; binascii is loaded already, zlib is not
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, overload

from openweights.licensing.catalogue import Catalogue, load_catalogue
from openweights.patterns import lazy
from openweights.records import record, replace
from openweights.resources import bundled_path

BLOCK = 6
"""Words per stored block. Six words cannot be guessed from a hash (a search over any real
vocabulary to the sixth power), and one changed word spoils one block only."""

NORMALISER_VERSION = 3
"""Bump when ``tokens`` changes: stored fingerprints go stale."""

FORMAT_VERSION = 3
"""Layout version of ``fingerprints.json``."""

SALT = b"owcheck-fingerprint-v2"
"""Prefix of every hashed block, so that the stored hashes are owcheck's own, not a plain CRC of
the words that a table made elsewhere would reverse."""

FOUND_BLOCKS = 3
"""A reference counts as present in a text when at least this many of its blocks are found in
order, and at least ``FOUND_SHARE`` of its words: a shared legal phrase is not a license."""

FOUND_SHARE = 0.1
"""See ``FOUND_BLOCKS``."""

MAX_LICENSES = 8
"""At most this many licenses are reported from one text."""

MARKER_WINDOW = 120
"""Title phrases are looked for in this many opening words (after a header, where titles
sit), not in the body, where a license may name others ("compatible with ...")."""

POINTER_WORDS = 40
"""A text this short that names a license we hold the text of, without being it, points to
the license (``see the MIT License``) rather than changing it: ``no-match``, not ``modified``."""

Status = Literal["match", "modified", "named", "no-match"]
PartStatus = Literal["match", "modified"]

PART_LABELS = {
    "license": "license",
    "aup": "acceptable use policy",
    "appendix": "appendix",
    "notice": "standard notice",
}
"""Stored part code -> the label reports use."""

OPTIONAL_PARTS = frozenset({"appendix", "notice"})
"""Parts whose presence or absence never changes the verdict on their license: the "how to
apply" appendix, and the license's standard notice (the SPDX ``standardLicenseHeader``, such
as Apache's "Licensed under the Apache License, Version 2.0 ..." header), which may stand
before or after the text. Words added to them in license language still count."""

_OPTIONAL_LABELS = frozenset(PART_LABELS[part] for part in OPTIONAL_PARTS)

VARIABLE = "qxzjvariableqxzj"
"""The word that stands for a replaceable region in ``Reference.bridges`` hashes."""

REPLACEABLE_WORDS = 12
"""Most words a replaceable region takes (beyond its template's own words, if longer): enough
for "The Board of Trustees of the Leland Stanford Junior University", too few for a clause."""

FILL_NAMES = frozenset(["license", "licenses", "licensed", "licensing", "licensor", "licensors"])
"""License words a filled-in region may hold: they name a party ("THE LICENSOR"), not terms."""

FILL_STOP = frozenset([
    "no", "nobody", "none", "neither", "nor", "nothing", "fee", "fees", "pay", "paid",
    "payment", "payments", "charge", "charges", "price", "cost", "costs",
])
"""Words that never stand in a holder's name although they are not license words: they deny
("NOBODY DISCLAIMS ...") or charge."""


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
_PAIR_STARTS = frozenset(first for first, _ in _EQUIVALENT_PAIRS)

_HTML_COMMENT = lazy(r"<!--.*?-->", re.S)
_AUTOLINK = lazy(r"<((?:https?://|www\.)[^<>\s]+)>")
_HTML_TAG = lazy(r"</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>")
# [text](target) and ![alt](target): keep the text, drop the target (a link's markup).
_MD_LINK = lazy(r"\[([^\]\n]*)\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)")
_MD_ESCAPE = lazy(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
# A word broken across a line with a hyphen: joined, its second half moved up a line so that
# line numbers stay right. Hyphenated compounds are joined too ("non-exclusive" is one token).
_HYPHEN_BREAK = lazy(r"[-\u2010\u2011](?<=[^\W\d_].)\n[ \t]*([^\W\d_]+)")
_HYPHEN_JOIN = lazy(r"[\u2010\u2011-](?<=[^\W\d_].)(?=[^\W\d_])")
_SOFT_HYPHEN = lazy("[\u00ad\u200b\u200c\u200d\ufeff]")
_APOSTROPHE = lazy(r"['\u2018\u2019\u02bc`\u00b4](?<=[^\W_].)(?=[^\W_])")
_DIGIT_GROUP = lazy(r",(?<=\d,)(?=\d{3}(?!\d))")
_SCHEME = lazy(r"https?://")
# Leading code-comment, quote, heading, table and bullet characters of a line.
_LINE_PREFIX = lazy(r"^[ \t#>*+|/;!%=_~\-\u2013\u2014\u2022\u00b7\u25e6\u25aa\u2023\u2219]+",
                          re.M)
# Enumerators: list numbering (1. 1.2 a) (iv) (2)), matched on the original case, decided left
# to right by ``_Enumerators``. A number is list numbering only where a list item starts: at the
# start of a line that follows the end of a sentence (or a blank line), at the start of a line
# that follows a list item and goes on with the list (it is 1, or the number before it was an
# item), or after the end of a sentence or clause on the same line ("...; 2. Users"). Anywhere
# else a number is part of a sentence and kept ("the age of 18.", "paragraph 5.", "thirty (30)
# days", "under section\n7."): a restrictive number is never lost. A number kept that has the
# shape of list numbering is flagged (``Tokens.labels``): where the reference had a list item
# at that very word (``Reference.items``), alignment lets it go (a list run into one line by
# reflow).
# Letters and roman numerals are dropped where an item starts, and before a capitalised word.
_ROMAN = r"(?:i{1,3}|iv|vi{0,3}|ix|xi{0,3}|I{1,3}|IV|VI{0,3}|IX|XI{0,3})"
_ENUM_CANDIDATE = lazy(
    rf"(?:\(|\b)(?:\d{{1,2}}(?:\.\d{{1,2}})*|[a-zA-Z]|{_ROMAN})[.)](?=[\s*_])"
)
_ITEM_PREFIX = " \t*_>#-"
_ITEM_FOLLOW = " \t\n*_\"\u201c'("
_MID_SENTENCE = ",-\u2010\u2011"
"""A line ending in a word, a number or one of these goes on in the next line."""

# Marker words that tokens() turns into Tokens.lines / .items / .labels (never words).
_NEWLINE = "qxzjnewlineqxzj"
_NEWLINE_WORD = f" {_NEWLINE} "
_ITEM = "qxzjitemqxzj"
_ITEM_WORD = f" {_ITEM} "
_LABEL = "qxzjlabelqxzj"
_MARKERS = frozenset({_NEWLINE, _ITEM, _LABEL})


class _Enumerators:
    """The replacement of each ``_ENUM_CANDIDATE`` in one text, left to right: ``_ITEM_WORD``
    for list numbering, a space for another enumerator, the match itself (a number flagged with
    ``_LABEL`` when it looks like list numbering) for anything else. See the comment above."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        """The numbers of the list items met so far (their first component)."""

    def __call__(self, m: re.Match[str]) -> str:
        item = m.group()
        text = m.string
        start = m.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in ".,$(/"):
            return item  # inside a word, a number or a path
        if item == "(c)" or item == "(C)":
            before = text[max(start - 12, 0) : start].rstrip().lower()
            if before.endswith("copyright"):
                return item
        label = item.strip("().")
        at = start
        while at and text[at - 1] in _ITEM_PREFIX:
            at -= 1
        line_start = at == 0 or text[at - 1] == "\n"
        clause_end = not line_start and at < start and _clause_end(text, at - 1)
        if label[0].isdigit():
            number = int(label.split(".")[0])
            if clause_end or (line_start and (_after_sentence(text, at) or (
                (number == 1 or number - 1 in self.seen) and _after_item(text, at)
            ))):
                self.seen.add(number)
                return _ITEM_WORD
            self.seen.add(number)
            return f"{item} {_LABEL} "
        if line_start or text[at - 1] in ".:;":
            return " "  # where a list item starts
        end = m.end()
        while end < len(text) and text[end] in _ITEM_FOLLOW:
            end += 1
        if end < len(text) and text[end].isupper():
            return " "  # an item run into a sentence by reflow
        return item


def _clause_end(text: str, at: int) -> bool:
    """Whether ``text[at]`` ends a sentence or a clause: a colon, a semicolon, or a full stop
    after a number or a word of three letters or more (not "v. 2.0" or "No. 5")."""
    mark = text[at]
    if mark in ":;":
        return True
    if mark != ".":
        return False
    k = at
    while k and text[k - 1].isalnum():
        k -= 1
    word = text[k:at]
    return word.isdigit() or len(word) >= 3


_ITEM_LINE = lazy(
    rf"[ \t*_>#]*(?:[-+\u2022\u00b7\u25e6\u25aa\u2023\u2219]\s"
    rf"|\(?(?:\d{{1,2}}(?:\.\d{{1,2}})*|[a-zA-Z]|{_ROMAN})[.)]\s)"
)


def _after_item(text: str, at: int) -> bool:
    """Whether the line before the one starting at ``at`` is itself a list item (starts with
    a bullet or an enumerator): then a number opening this line is the next item, not the end
    of a sentence wrapped onto it ("under section\n7. This")."""
    end = at - 1  # text[at - 1] is the line break
    start = text.rfind("\n", 0, end) + 1
    return _ITEM_LINE().match(text, start, end) is not None


def _after_sentence(text: str, at: int) -> bool:
    """Whether the line before the one starting at ``at`` ends a sentence or a paragraph (or
    there is none): not with a word, a number or a comma that the line goes on from."""
    k = at - 2  # text[at - 1] is the line break
    while k >= 0 and text[k] in " \t\r":
        k -= 1
    if k < 0 or text[k] == "\n":
        return True
    return not (text[k].isalnum() or text[k] in _MID_SENTENCE)


# Lettered and roman enumerators in parentheses inside a sentence ("(a) the right ...; (b)");
# by then "copyright (c)" and "copyright ©" have been folded into "copyright".
_INLINE_LETTER = lazy(r"\((?:[a-z]|[ivxlc]{1,6})\)")
_COPYRIGHT_SIGN = lazy(r"copyright\s*(?:©|\(c\))")
_YEAR = r"(?:\d{4}|\[yyyy\]|\[year\]|<year>|\{year\}|\[years?\])"
# A copyright notice that opens a paragraph: up to "all rights reserved", or to the end of its
# first sentence when the line goes on (a reflowed notice followed by the license). Only at a
# paragraph's start: a notice inside a sentence (a Llama attribution line) is part of the terms,
# and a reflowed one can land at the start of any line.
_COPYRIGHT_NOTICE = lazy(
    rf"[ \t#>*_/-]*(?:(?:copyright\b|©|\(c\))[\s,:]*(?:©|\(c\))?[\s,:]*{_YEAR}"
    r"|copyright\s*(?:©|\(c\))"
    r"|©"
    rf"|{_YEAR}(?:\s*[-\u2013,]\s*{_YEAR})*[\s,]*(?:copyright\b|©|\(c\)))"
    r"(?:.*?all rights reserved\W*?(?=\s|$)|.*?\.(?=\s+[A-Z])|.*)",
    re.I,
)
_RIGHTS_RESERVED = lazy(r"[ \t#>*_/-]*all rights reserved\W*$", re.I)
_NOTICE_HINT = lazy(r"opyright|©|\([cC]\)|rights reserved", re.I)


def _drop_notices(text: str) -> str:
    """Copyright notices removed from the start of each paragraph (line count kept). A notice
    that ends without a full stop goes on over a short next line (a wrapped notice)."""
    if not _NOTICE_HINT().search(text):
        return text
    lines = text.split("\n")
    at_start = True
    wrapped = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            at_start, wrapped = True, False
            continue
        if wrapped and _notice_tail(stripped, lines, i):
            lines[i] = ""
            continue
        wrapped = False
        if at_start and _NOTICE_HINT().search(line):
            m = _COPYRIGHT_NOTICE().match(line) or _RIGHTS_RESERVED().match(line)
            if m:
                rest = line[m.end():]
                lines[i] = rest
                at_start = not rest.strip()
                wrapped = at_start and not stripped.lower().endswith((".", "reserved"))
                continue
        at_start = False
    return "\n".join(lines)


_WRAPPED_NOTICE_WORDS = 8
"""A line this short right after a notice with no full stop can be the notice's end."""


def _notice_tail(stripped: str, lines: Sequence[str], i: int) -> bool:
    """Whether line ``i`` ends a notice wrapped over two lines: short, the paragraph's last
    line, and without a word that could restrict anything."""
    if len(stripped.split()) > _WRAPPED_NOTICE_WORDS:
        return False
    if i + 1 < len(lines) and lines[i + 1].strip():
        return False
    return RESTRICTIVE_WORDS.isdisjoint(_WORD().findall(stripped.lower()))


# Words: letters and digits; a version number (3.1) stays one token, and "++" stays on its word
# (OpenRAIL++ is not OpenRAIL).
_WORD = lazy(r"[^\W_]+(?:(?<=\d)\.\d+)*(?:\+\+)?")


@record
class Tokens:
    """A text's words after normalisation, each with the line it is on."""

    words: tuple[str, ...]
    """The normalised words, in order."""
    lines: tuple[int, ...]
    """1-based line of each word in the original text."""
    items: tuple[int, ...] = ()
    """Where list numbering was dropped: the index of the word that starts each item."""
    labels: tuple[int, ...] = ()
    """Indexes of numbers kept inside a sentence that have the shape of list numbering."""

    def __len__(self) -> int:
        return len(self.words)


def _blank_keep_lines(match: re.Match[str]) -> str:
    return " " + "\n" * match.group(0).count("\n")


_NEEDLES: dict[Callable[[], re.Pattern[str]], tuple[str, ...]] = {
    _SOFT_HYPHEN: ("\u00ad", "\u200b", "\u200c", "\u200d", "\ufeff"),
    _HTML_COMMENT: ("<!--",),
    _AUTOLINK: ("<",),
    _HTML_TAG: ("<",),
    _MD_LINK: ("](",),
    _MD_ESCAPE: ("\\",),
    _HYPHEN_BREAK: ("-\n", "\u2010\n", "\u2011\n"),
    _COPYRIGHT_SIGN: ("copyright",),
    _INLINE_LETTER: ("(",),
    _SCHEME: ("http",),
    _HYPHEN_JOIN: ("-", "\u2010", "\u2011"),
    _APOSTROPHE: ("'", "\u2018", "\u2019", "\u02bc", "`", "\u00b4"),
    _DIGIT_GROUP: (",",),
}
"""For a normalisation pass of ``tokens``, strings one of which every match of its pattern
holds (a test checks them against the matches in every reference text)."""


def _sub_if(
    pattern: Callable[[], re.Pattern[str]], replacement: str | Callable[[re.Match[str]], str],
    text: str,
) -> str:
    """``pattern().sub(replacement, text)``, skipped when ``text`` holds none of the pattern's
    ``_NEEDLES``: then nothing would match, and the pattern is not even compiled (most license
    files have no markup, so a fresh process compiles and runs half the passes)."""
    if any(needle in text for needle in _NEEDLES[pattern]):
        return pattern().sub(replacement, text)
    return text


def tokens(text: str) -> Tokens:
    """The words of ``text`` after SPDX-style normalisation (see the module docstring), with
    their line numbers. Every transformation keeps the line count, so lines stay right."""
    if not text.isascii():  # NFKC is a no-op on ASCII, and not free
        import unicodedata  # lazy: an ASCII text (most license files) never needs it

        text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _sub_if(_SOFT_HYPHEN, "", text)
    text = _sub_if(_HTML_COMMENT, _blank_keep_lines, text)
    text = _drop_notices(text)
    text = _ENUM_CANDIDATE().sub(_Enumerators(), text)
    text = text.lower()
    text = _sub_if(_AUTOLINK, r"\1", text)
    text = _sub_if(_HTML_TAG, " ", text)
    text = _sub_if(_MD_LINK, r"\1", text)
    text = _sub_if(_MD_ESCAPE, r"\1", text)
    text = _sub_if(_HYPHEN_BREAK, r"\1\n", text)
    text = _LINE_PREFIX().sub("", text)
    text = _sub_if(_COPYRIGHT_SIGN, " copyright ", text).replace("©", " copyright ")
    text = _sub_if(_INLINE_LETTER, " ", text)
    text = _sub_if(_SCHEME, "", text)
    text = _sub_if(_HYPHEN_JOIN, "", text)
    text = _sub_if(_APOSTROPHE, "", text)
    text = _sub_if(_DIGIT_GROUP, "", text)
    text = text.replace("&", " and ")
    get = _EQUIVALENT_WORDS.get
    words: list[str] = []
    lines: list[int] = []
    items: list[int] = []
    labels: list[int] = []
    line = 1
    # One findall over the whole text, with a marker word standing for each line break (and
    # for each list number dropped or kept, see _Enumerators).
    for word in _WORD().findall(text.replace("\n", _NEWLINE_WORD)):
        if word not in _MARKERS:
            words.append(get(word, word))
            lines.append(line)
        elif word == _NEWLINE:
            line += 1
        elif word == _ITEM:
            if not items or items[-1] != len(words):
                items.append(len(words))
        elif words:
            labels.append(len(words) - 1)
    if not _PAIR_STARTS.isdisjoint(words) and not _PAIR_ENDS.isdisjoint(words):
        words, lines, items, labels = _join_pairs(words, lines, items, labels)
    return Tokens(tuple(words), tuple(lines), tuple(items), tuple(labels))


def normalise(text: str) -> list[str]:
    """The normalised words of ``text`` (``tokens`` without the line numbers)."""
    return list(tokens(text).words)


def _join_pairs(
    words: list[str], lines: list[int], items: list[int], labels: list[int]
) -> tuple[list[str], list[int], list[int], list[int]]:
    """Merge two-word spellings (``per cent``) into their one-word form (word indexes in
    ``items`` and ``labels`` moved with them)."""
    joins = [i for i, word in enumerate(words[:-1], 1)
             if word in _PAIR_STARTS and (word, words[i]) in _EQUIVALENT_PAIRS]
    if not joins:
        return words, lines, items, labels
    for i in reversed(joins):  # from the end, so earlier indexes stay valid
        words[i - 1 : i + 1] = [_EQUIVALENT_PAIRS[(words[i - 1], words[i])]]
        del lines[i]
    if items or labels:
        def moved(index: int) -> int:
            return index - bisect_left(joins, index + 1)

        items = sorted(set(map(moved, items)))
        labels = sorted(set(map(moved, labels)))
    return words, lines, items, labels


# --------------------------------------------------------------------------- vocabulary

RESTRICTIVE_WORDS = frozenset([
    "noncommercial", "commercial", "commercially", "research", "academic", "evaluation",
    "evaluate", "personal", "revocable", "irrevocable", "revoke", "revoked", "terminate",
    "terminated", "termination", "suspend", "prohibited", "prohibit", "prohibits", "forbidden",
    "restrict", "restricted", "restriction", "restrictions", "not", "never", "only", "solely",
    "exclusively", "except", "unless", "without", "must", "shall", "may", "cannot", "territory",
    "territories", "country", "countries", "jurisdiction", "users", "monthly", "active",
    "revenue", "revenues", "annual", "million", "billion", "percent", "military", "weapons",
    "surveillance", "harm",
])
"""Words whose change turns what a license allows around. The build script stores where each
occurs in a reference (with numbers), so a diff can name what was taken out; the words are
ours, chosen from the feature flags of ``openweights/licensing/features.py``, not taken from
any text."""

LICENSE_LANGUAGE = RESTRICTIVE_WORDS | frozenset([
    "license", "licenses", "licensed", "licensing", "licensee", "licensees", "licensor",
    "licensors", "sublicense", "sublicensable", "permission", "permissions", "permitted",
    "permit", "permits", "grant", "grants", "granted", "prohibited", "prohibit", "prohibits",
    "restrict", "restricted", "restriction", "restrictions", "noncommercial", "commercial",
    "commercially", "research", "revocable", "irrevocable", "revoke", "terminate", "terminates",
    "terminated", "termination", "royalty", "royaltyfree", "warranty", "warranties", "liability",
    "liable", "redistribute", "redistribution", "redistributions", "distribute", "distribution",
    "derivative", "derivatives", "shall", "must", "agreement", "agree", "agrees", "covenant",
    "indemnify", "infringe", "infringement", "patent", "patents", "trademark", "trademarks",
    "allowed", "forbidden", "require", "requires", "required", "registration", "register",
    "approval", "approve", "consent", "written", "purpose", "purposes", "obligation",
    "obligations", "condition",
])
"""Words that make text outside every known license part of the terms (an addendum, a rider)
rather than a project header or a note: such text makes the result ``modified``."""


def is_substantive(word: str) -> bool:
    """A number or a restrictive word: stored with its place in a reference (for diffs)."""
    return word in RESTRICTIVE_WORDS or any(c.isdigit() for c in word)


# --------------------------------------------------------------------------- hashing


@cache
def _salt_state() -> int:
    return crc32(SALT)


def block_hash(words: Sequence[str]) -> int:
    """The salted CRC-32 of a run of words (stable across runs and platforms)."""
    return crc32(" ".join(words).encode(), _salt_state())


def block_hashes(words: Sequence[str]) -> list[int]:
    """Hashes of the consecutive, non-overlapping ``BLOCK``-word blocks of a reference. The
    last block is the last ``BLOCK`` words (it may overlap the one before), so every word is in
    a block; a reference shorter than a block is one short block."""
    n = len(words)
    if n <= BLOCK:
        return [block_hash(words)] if n else []
    starts = block_starts(n)
    return [block_hash(words[s : s + BLOCK]) for s in starts]


def block_starts(n: int) -> list[int]:
    """Where each block of an ``n``-word reference starts (see ``block_hashes``)."""
    if n <= BLOCK:
        return [0] if n else []
    starts = list(range(0, n - BLOCK + 1, BLOCK))
    if starts[-1] + BLOCK < n:
        starts.append(n - BLOCK)
    return starts


def window_hashes(words: Sequence[str]) -> list[int]:
    """The hash of every run of ``BLOCK`` words of an input text, by start position."""
    n = len(words)
    if n < BLOCK:
        return [block_hash(words)] if n else []
    seed = _salt_state()
    crc = crc32
    encoded = [w.encode() for w in words]
    join = b" ".join
    return [crc(join(encoded[i : i + BLOCK]), seed) for i in range(n - BLOCK + 1)]


def encode_u32(values: Iterable[int]) -> str:
    """32-bit values as base64 of little-endian words (compact, fast to load), in order."""
    data = array("I", values)
    if data.itemsize != 4:  # pragma: no cover - no mainstream platform
        raise ValueError("array('I') is not 32-bit here")
    if sys.byteorder == "big":  # pragma: no cover
        data.byteswap()
    return base64.b64encode(data.tobytes()).decode("ascii")


def decode_u32(text: str) -> array[int]:
    """Inverse of ``encode_u32``."""
    data = array("I")
    data.frombytes(base64.b64decode(text))
    if sys.byteorder == "big":  # pragma: no cover
        data.byteswap()
    return data


# --------------------------------------------------------------------------- fingerprints


@record
class Reference:
    """One reference text as stored: block hashes in order, and what may be shown of it."""

    license_id: str
    """Catalogue id the text belongs to."""
    part: str
    """``license``, ``aup`` (an acceptable use policy) or ``appendix`` (omittable)."""
    source: str
    """Where the text was read (``corpus:mit.txt``, ``licensedcode:mit.LICENSE``)."""
    words: int
    """Number of normalised words (title lines excluded)."""
    blocks: Sequence[int]
    """Hash of each block, in text order (``block_hashes``)."""
    titles: tuple[tuple[int, int], ...] = ()
    """(word count, hash) of each omittable run of title lines (any run of consecutive ones)."""
    marks: Sequence[tuple[int, str]] = ()
    """(word offset, word) of every number and restrictive word (``is_substantive``): a tuple,
    or ``PackedMarks`` as loaded."""
    items: tuple[int, ...] = ()
    """Word offsets where a list item starts (its number was dropped, ``Tokens.items``)."""
    regions: tuple[tuple[int, int, int], ...] = ()
    """(word offset, words, most words) of each replaceable region: where the SPDX template of
    the license lets any words stand (the copyright holder's name in BSD and MIT texts)."""
    bridges: tuple[tuple[int, int, int], ...] = ()
    """(first word, end word, hash) for each stretch of blocks that regions reach into: the
    hash of its words with each region as one ``VARIABLE`` word, so that the words around a
    filled-in region are still checked one by one."""

    @property
    def label(self) -> str:
        """The part as people read it."""
        return PART_LABELS.get(self.part, self.part)

    def marks_between(self, start: int, end: int) -> list[str]:
        """The substantive words stored for word offsets ``start`` to ``end``."""
        offsets = [m[0] for m in self.marks]
        return [w for _, w in self.marks[bisect_left(offsets, start) : bisect_left(offsets, end)]]


@record
class FingerprintSet:
    """Everything ``identify`` compares against, as read from ``fingerprints.json``."""

    references: tuple[Reference, ...]
    """One per reference text (part)."""
    index: Sequence[int]
    """Every block hash of every reference, sorted."""
    owners: Sequence[int]
    """For each ``index`` entry: reference number << 16 | block number."""


EMPTY = FingerprintSet((), (), ())

_MEMBERS: dict[int, tuple[FingerprintSet, frozenset[int] | None]] = {}


def _members(prints: FingerprintSet) -> frozenset[int] | None:
    """The distinct block hashes of ``prints`` as a set (a quick test before the index), from
    the second text looked up in them on; None for the first. Building the set takes longer
    than bisecting the index for every word of one license text (the one LICENSE of a
    pre-commit run); from the second text on, it pays."""
    held = _MEMBERS.get(id(prints))
    if held is None or held[0] is not prints:
        _MEMBERS[id(prints)] = (prints, None)
        return None
    if held[1] is None:
        held = (prints, frozenset(prints.index))
        _MEMBERS[id(prints)] = held
    return held[1]


def build_index(references: Sequence[Reference]) -> tuple[list[int], list[int]]:
    """The sorted block index over ``references`` (``FingerprintSet.index`` and ``owners``)."""
    pairs = sorted(
        (h, (r << 16) | b) for r, ref in enumerate(references) for b, h in enumerate(ref.blocks)
    )
    return [h for h, _ in pairs], [o for _, o in pairs]


def fingerprints_path() -> Path:
    """The fingerprint document shipped with the tool (JSON, one reference per line: what
    reviews and ``scripts/build_fingerprints.py`` read). The tool itself loads its compiled
    form, ``compiled_fingerprints_path``."""
    return bundled_path("licenses") / "fingerprints.json"


def compiled_fingerprints_path() -> Path:
    """The compiled fingerprints the tool loads (``pack_fingerprints``), built beside the
    document by ``scripts/build_fingerprints.py`` from the same references."""
    return bundled_path("licenses") / "fingerprints.bin"


BLOB_FORMAT = 1
"""Layout version of ``fingerprints.bin`` (``pack_fingerprints``)."""

_ROW = 10
"""Numbers per reference in the compiled table: its id, part and source (string numbers), its
word count, and how many blocks, titles, marks, items, regions and bridges it has."""


class PackedMarks(Sequence[tuple[int, str]]):
    """The marks of a loaded reference (``Reference.marks``) as stored: offsets and word
    numbers, flattened. The (offset, word) pairs are made on first use: most references are
    never aligned in a run, and thousands of pairs cost more than the rest of the load."""

    __slots__ = ("_flat", "_pairs", "_strings")

    def __init__(self, flat: Sequence[int], strings: Sequence[str]) -> None:
        self._flat = flat
        self._strings = strings
        self._pairs: tuple[tuple[int, str], ...] | None = None

    def pairs(self) -> tuple[tuple[int, str], ...]:
        """Every (offset, word) pair, in order."""
        if self._pairs is None:
            words = map(self._strings.__getitem__, self._flat[1::2])
            self._pairs = tuple(zip(self._flat[::2], words, strict=True))
        return self._pairs

    def __len__(self) -> int:
        return len(self._flat) // 2

    @overload
    def __getitem__(self, at: int) -> tuple[int, str]: ...

    @overload
    def __getitem__(self, at: slice) -> tuple[tuple[int, str], ...]: ...

    def __getitem__(self, at: int | slice) -> tuple[int, str] | tuple[tuple[int, str], ...]:
        return self.pairs()[at]

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return iter(self.pairs())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedMarks | tuple):
            return self.pairs() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a tuple, so not hashable


def pack_fingerprints(references: Sequence[Reference]) -> bytes:
    """``references`` (in their stored order) compiled for a quick load: a one-line JSON header
    (versions, the strings: ids, parts, sources and marked words), then one little-endian run
    of 32-bit numbers: the index, its owners, a row of ``_ROW`` numbers per reference, then
    each reference's blocks, titles, marks, items, regions and bridges, flattened, in turn.
    Loading it is a few slices, not a parse (``read_fingerprints``)."""
    strings = sorted({s for ref in references for s in (ref.license_id, ref.part, ref.source)}
                     | {word for ref in references for _, word in ref.marks})
    number = {s: i for i, s in enumerate(strings)}
    index, owners = build_index(references)
    rows: list[int] = []
    data: list[int] = []
    for ref in references:
        rows += [number[ref.license_id], number[ref.part], number[ref.source], ref.words,
                 len(ref.blocks), len(ref.titles), len(ref.marks), len(ref.items),
                 len(ref.regions), len(ref.bridges)]
        data += ref.blocks
        data += [n for pair in ref.titles for n in pair]
        data += [n for offset, word in ref.marks for n in (offset, number[word])]
        data += ref.items
        data += [n for triple in (*ref.regions, *ref.bridges) for n in triple]
    head = {"blob": BLOB_FORMAT, "normaliser": NORMALISER_VERSION, "block": BLOCK,
            "salt": SALT.decode(), "hash": "crc32", "references": len(references),
            "index": len(index), "strings": strings}
    numbers = array("I", [*index, *owners, *rows, *data])
    if numbers.itemsize != 4:  # pragma: no cover - no mainstream platform
        raise ValueError("array('I') is not 32-bit here")
    if sys.byteorder == "big":  # pragma: no cover
        numbers.byteswap()
    header = json.dumps(head, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return header.encode("ascii") + b"\n" + numbers.tobytes()


def read_fingerprints(path: Path) -> FingerprintSet:
    """Load compiled fingerprints (``pack_fingerprints``); empty when the file is missing,
    damaged, or was built by another layout, normaliser, block size or salt."""
    try:
        blob = path.read_bytes()
        cut = blob.index(b"\n")
        head: dict[str, Any] = json.loads(blob[:cut])
    except (OSError, ValueError):
        return EMPTY
    wanted = (BLOB_FORMAT, NORMALISER_VERSION, BLOCK, SALT.decode(), "crc32")
    if tuple(head.get(k) for k in ("blob", "normaliser", "block", "salt", "hash")) != wanted:
        return EMPTY
    numbers = array("I")
    try:
        numbers.frombytes(memoryview(blob)[cut + 1 :])
        if sys.byteorder == "big":  # pragma: no cover
            numbers.byteswap()
        refs = _unpack_references(numbers, head)
    except (ValueError, IndexError, KeyError, TypeError):
        return EMPTY
    size = head["index"]
    return FingerprintSet(refs, numbers[:size], numbers[size : 2 * size])


def _unpack_references(numbers: array[int], head: dict[str, Any]) -> tuple[Reference, ...]:
    """The references of a compiled file: its rows read in turn, each taking its data from a
    cursor that moves through the flattened data after the rows."""
    strings: list[str] = head["strings"]
    count = head["references"]
    table = 2 * head["index"]
    at = table + _ROW * count  # where the data starts
    refs = []
    for row in range(table, at, _ROW):
        name, part, source, words, blocks, titles, marks, items, regions, bridges = (
            numbers[row : row + _ROW]
        )
        end = at + blocks
        flat = iter(numbers[end : end + 2 * titles])
        title_pairs = tuple(zip(flat, flat, strict=True))
        end += 2 * titles
        mark_pairs = PackedMarks(numbers[end : end + 2 * marks], strings)
        end += 2 * marks
        flat = iter(numbers[end + items : end + items + 3 * (regions + bridges)])
        triples = tuple(zip(flat, flat, flat, strict=True))
        refs.append(Reference(
            license_id=strings[name],
            part=strings[part],
            source=strings[source],
            words=words,
            blocks=numbers[at : at + blocks],
            titles=title_pairs,
            marks=mark_pairs,
            items=tuple(numbers[end : end + items]),
            regions=triples[:regions],
            bridges=triples[regions:],
        ))
        at = end + items + 3 * (regions + bridges)
    if at != len(numbers):
        raise ValueError("compiled fingerprints: the data does not add up")
    return tuple(refs)


@cache
def load_fingerprints() -> FingerprintSet:
    """The bundled fingerprints, read on first use and kept for the process."""
    return read_fingerprints(compiled_fingerprints_path())


def fingerprinted_ids(catalogue: Catalogue | None = None) -> frozenset[str]:
    """Catalogue ids that have at least one reference text (the others are at most named)."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    found = set()
    for ref in load_fingerprints().references:
        entry_id = catalogue.resolve_id(ref.license_id)
        if entry_id is not None:
            found.add(entry_id)
    return frozenset(found)


@lru_cache(maxsize=4)
def _markers(catalogue: Catalogue) -> tuple[tuple[str, str, str], ...]:
    """(entry id, normalised marker, marker as written) for every marker, longest first."""
    found: list[tuple[str, str, str]] = []
    for entry in catalogue.namings():
        for marker in entry.markers:
            words = normalise(marker)
            if words:
                found.append((entry.id, " ".join(words), marker))
    found.sort(key=lambda m: (-len(m[1]), m[0]))
    return tuple(found)


# --------------------------------------------------------------------------- results

EditKind = Literal["insert", "delete", "replace"]


@record
class Edit:
    """One difference between the text and a reference."""

    kind: EditKind
    """``insert`` (words the reference lacks), ``delete`` (reference words the text lacks) or
    ``replace`` (both)."""
    line: int
    """Line of the text where it is (for a deletion: the line of the word after it)."""
    added: tuple[str, ...]
    """The text's words that the reference does not have (normalised)."""
    removed: int
    """How many reference words the text does not have."""
    removed_known: tuple[str, ...]
    """Of those, the numbers and restrictive words (the rest of the reference is not stored)."""
    before: tuple[str, ...] = ()
    """A few words of the text just before the edit, for context."""
    after: tuple[str, ...] = ()
    """A few words just after it."""

    def wdiff(self) -> str:
        """The edit as a word diff: ``[-removed-]{+added+}`` between context words."""
        removed = ""
        if self.removed:
            known = f": {' '.join(self.removed_known)}" if self.removed_known else ""
            noun = "word" if self.removed == 1 else "words"
            removed = f"[-{self.removed} {noun}{known}-]"
        added = "{+" + " ".join(self.added) + "+}" if self.added else ""
        parts = [" ".join(self.before), removed + added, " ".join(self.after)]
        return " ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "kind": self.kind,
            "line": self.line,
            "added": " ".join(self.added),
            "removed_words": self.removed,
            "removed_known": list(self.removed_known),
        }


@record
class FoundLicense:
    """One license (or one part of it) found in the text."""

    license_id: str
    """Catalogue id."""
    part: str
    """``license``, ``acceptable use policy`` or ``appendix``."""
    status: PartStatus
    """``match`` (every word as in the reference) or ``modified``."""
    similarity: float
    """0..1: twice the reference words found, over the reference's and the span's words."""
    lines: tuple[int, int]
    """First and last line of the text that it spans."""
    edits: tuple[Edit, ...]
    """What differs from the reference (empty for a match)."""
    source: str = ""
    """Which reference text it was compared with."""

    @property
    def optional(self) -> bool:
        """An omittable part (an appendix, a standard notice): never decides by itself."""
        return self.part in _OPTIONAL_LABELS

    def summary(self) -> dict[str, int]:
        """Counts of the edits: words inserted, deleted (from the reference) and changed."""
        return _summary(self.edits)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "id": self.license_id,
            "part": self.part,
            "status": self.status,
            "similarity": round(self.similarity, 4),
            "lines": list(self.lines),
            "diff": self.summary(),
        }


@record
class ExtraText:
    """A run of the text outside every license found in it."""

    lines: tuple[int, int]
    """First and last line."""
    words: tuple[str, ...]
    """Its normalised words."""
    license_language: tuple[str, ...]
    """What makes it part of the terms: its license language (``LICENSE_LANGUAGE``, beyond
    naming the licenses found) and the ids of other licenses its words name; empty for a
    header, a note or a line naming the license."""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "lines": list(self.lines),
            "words": len(self.words),
            "license_language": sorted(set(self.license_language)),
        }


@record
class Identification:
    """Which catalogue licenses a text holds, and how faithfully."""

    status: Status
    """``match`` (only known licenses, word for word), ``modified`` (a known license with
    changes, or with license language added), ``named`` (only a title names a license we hold
    no text for) or ``no-match``."""
    found: tuple[FoundLicense, ...] = ()
    """Every license part found, in text order."""
    extra: tuple[ExtraText, ...] = ()
    """Text outside every license found (only when something was found)."""
    named: str | None = None
    """The catalogue id a title names, for ``named`` (and a claimed title over other words)."""
    title: str | None = None
    """That title as the catalogue writes it."""

    @property
    def licenses(self) -> tuple[str, ...]:
        """The distinct catalogue ids found, in text order (optional parts left out)."""
        return tuple(dict.fromkeys(f.license_id for f in self.found if not f.optional))

    @property
    def license_id(self) -> str | None:
        """The license id when the status is ``match`` and one license was found; else None."""
        ids = self.licenses
        return ids[0] if self.status == "match" and len(ids) == 1 else None

    @property
    def closest(self) -> FoundLicense | None:
        """The modified license part most like the text (for ``modified``), else None: a
        changed license first, else an intact one that had terms added, else a notice or an
        appendix (a text that holds no license but a changed notice of one)."""
        if self.status != "modified":
            return None
        changed = [f for f in self.found if f.status == "modified" and not f.optional]
        if not changed:
            changed = [f for f in self.found if not f.optional] or list(self.found)
        return max(changed, key=lambda f: f.similarity, default=None)

    @property
    def similarity(self) -> float:
        """The best similarity of a license found (0 when none)."""
        return max((f.similarity for f in self.found), default=0.0)

    @property
    def edits(self) -> tuple[Edit, ...]:
        """Every difference from the references, in text order."""
        return tuple(e for f in self.found for e in f.edits)

    @property
    def license_language(self) -> tuple[ExtraText, ...]:
        """The extra text in license language (what makes a set of matches ``modified``)."""
        return tuple(x for x in self.extra if x.license_language)

    def describe(self) -> str:
        """One line for people: ``llama3.1 (match)``, ``modified apache-2.0 (97 % similar)``."""
        if self.status == "no-match":
            if any(f.part == PART_LABELS["notice"] for f in self.found):
                return (f"{self.named} standard notice only (it points to the license; the "
                        "license text is not here)")
            if self.named:
                return f"no catalogue license text (names {self.named}: {self.title!r})"
            return "no catalogue license matches"
        if self.status == "named":
            return (
                f"{self.named} (named by the title {self.title!r} only: owcheck holds no "
                "reference text to compare)"
            )
        if self.status == "match":
            return " + ".join(_part_label(f) for f in self.found if not f.optional) + " (match)"
        closest = self.closest
        if closest is None:
            return f"modified: titled {self.title!r} but not the text of {self.named}"
        bits = []
        n = len(self.edits)
        if n:
            where = " in its notice or appendix" if all(
                f.optional for f in self.found if f.edits
            ) and not closest.optional else ""
            bits.append(f"{n} change{'s' if n != 1 else ''}{where}")
        added = self.license_language
        if added:
            words = sum(len(x.words) for x in added)
            bits.append(f"{words} words of added terms")
        what = ", ".join(bits)
        others = [f for f in self.found if f is not closest and not f.optional]
        also = "".join(
            f"; also {_part_label(f)} ({'match' if f.status == 'match' else 'modified'})"
            for f in others
        )
        if closest.status == "match":  # the license itself is intact: terms were added
            return f"modified: {_part_label(closest)} with {what}{also}"
        return (
            f"modified {_part_label(closest)} ({_percent(closest.similarity)} % similar"
            f"{': ' + what if what else ''}){also}"
        )

    def diff_text(self, path: str = "") -> str:
        """The differences as word diffs, one per line, with their line numbers."""
        where = f"{path}:" if path else "line "
        out = []
        for f in self.found:
            if f.edits:
                out.append(f"against {_part_label(f)} ({f.source}):")
            for e in f.edits:
                out.append(f"  {where}{e.line}: {e.wdiff()}")
        for x in self.license_language:
            words = " ".join(x.words)
            words = words if len(words) <= 400 else words[:397] + "..."
            out.append(f"  {where}{x.lines[0]}-{x.lines[1]}: outside every license: {{+{words}+}}")
        return "\n".join(out)

    def closest_summary(self) -> dict[str, Any] | None:
        """For ``modified``: the closest license, the similarity and counts of what changed
        (the ``closest`` object of the JSON outputs); None otherwise."""
        if self.status != "modified":
            return None
        closest = self.closest
        # An intact license with a changed notice: the notice's edits are what changed.
        diff = closest.summary() if closest and closest.edits else _summary(self.edits)
        diff["added_terms"] = sum(len(x.words) for x in self.license_language)
        return {
            "id": closest.license_id if closest else self.named,
            "similarity": round(closest.similarity, 4) if closest else 0.0,
            "diff": diff,
        }

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output (``owcheck identify --format json``)."""
        return {
            "status": self.status,
            "license": self.license_id,
            "licenses": [f.as_dict() for f in self.found],
            "closest": self.closest_summary(),
            "named": {"id": self.named, "title": self.title} if self.named else None,
            "extra": [x.as_dict() for x in self.extra],
            "edits": [e.as_dict() for e in self.edits],
            "description": self.describe(),
        }


def _summary(edits: Sequence[Edit]) -> dict[str, int]:
    """Counts of ``edits``: words inserted, deleted (from the reference) and changed."""
    inserted = sum(len(e.added) for e in edits if e.kind == "insert")
    deleted = sum(e.removed for e in edits if e.kind == "delete")
    changed = sum(max(e.removed, len(e.added)) for e in edits if e.kind == "replace")
    return {"edits": len(edits), "inserted": inserted, "deleted": deleted, "changed": changed}


def _part_label(found: FoundLicense) -> str:
    return found.license_id if found.part == "license" else f"{found.license_id} {found.part}"


def _percent(value: float) -> int:
    """Whole percent, rounded down so that only identical texts show 100 %."""
    return int(value * 100 + 1e-9)


# --------------------------------------------------------------------------- alignment

_CONTEXT = 4
"""Words of context on each side of an edit in a word diff."""


class _Segment:
    """One reference aligned against a stretch of the text (mutable while being built)."""

    __slots__ = ("chain", "edits", "end", "matched", "ref", "ref_no", "start")

    def __init__(self, ref: Reference, ref_no: int, chain: list[tuple[int, int]]) -> None:
        self.ref = ref
        self.ref_no = ref_no
        self.chain = chain
        """(text position, block number) of the blocks found, in order."""
        self.start = 0
        self.end = 0
        self.matched = 0
        self.edits: list[Edit] = []

    @property
    def similarity(self) -> float:
        span = self.end - self.start
        total = self.ref.words + span
        return 2 * self.matched / total if total else 0.0


_MAX_RUNS = 400
"""Above this many runs of consecutive blocks, chains are found by a plain longest increasing
subsequence (cheaper, and a text this broken up is modified whichever chain is chosen)."""


def _runs(hits: Sequence[tuple[int, int]], starts: Sequence[int]) -> list[list[tuple[int, int]]]:
    """Hits grouped into runs of consecutive blocks at consecutive places in the text."""
    present = set(hits)
    runs = []
    for pos, blk in sorted(hits):
        if blk > 0 and (pos - (starts[blk] - starts[blk - 1]), blk - 1) in present:
            continue  # not the first of its run
        run = [(pos, blk)]
        while blk + 1 < len(starts):
            nxt = (pos + starts[blk + 1] - starts[blk], blk + 1)
            if nxt not in present:
                break
            run.append(nxt)
            pos, blk = nxt
        runs.append(run)
    return runs


def _chain(hits: Sequence[tuple[int, int]], starts: Sequence[int]) -> list[tuple[int, int]]:
    """The blocks found, as one chain increasing in both text position and block number,
    covering as many blocks as possible: runs of consecutive blocks are kept whole (so that of
    two texts of close relatives, each is aligned with its own reference, not half and half)."""
    if not hits:
        return []
    runs = _runs(hits, starts)
    if len(runs) > _MAX_RUNS:
        return _lis_chain(hits, starts)
    runs.sort(key=lambda r: (r[0][0], r[0][1]))
    score = [0] * len(runs)
    back = [-1] * len(runs)
    for i, run in enumerate(runs):
        first_pos, first_blk = run[0]
        best, best_at = 0, -1
        for j in range(i):
            last_pos, last_blk = runs[j][-1]
            if last_blk < first_blk and last_pos + min(
                BLOCK, starts[first_blk] - starts[last_blk]
            ) <= first_pos and score[j] > best:
                best, best_at = score[j], j
        score[i] = best + len(run)
        back[i] = best_at
    i = max(range(len(runs)), key=lambda k: (score[k], -runs[k][0][0]))
    picked = []
    while i >= 0:
        picked.append(runs[i])
        i = back[i]
    return [hit for run in reversed(picked) for hit in run]


def _lis_chain(hits: Sequence[tuple[int, int]], starts: Sequence[int]) -> list[tuple[int, int]]:
    """The longest run of hits increasing in both text position and block number (a longest
    increasing subsequence), thinned so that no two blocks claim the same words of the text."""
    ordered = sorted(hits, key=lambda h: (h[0], -h[1]))  # one block per position at most
    tails: list[int] = []  # block number ending the best chain of each length
    tail_at: list[int] = []  # index into ordered of that chain's last hit
    back: list[int] = [-1] * len(ordered)
    for i, (_, blk) in enumerate(ordered):
        k = bisect_left(tails, blk)
        if k == len(tails):
            tails.append(blk)
            tail_at.append(i)
        else:
            tails[k] = blk
            tail_at[k] = i
        back[i] = tail_at[k - 1] if k > 0 else -1
    out: list[tuple[int, int]] = []
    i = tail_at[-1]
    while i >= 0:
        out.append(ordered[i])
        i = back[i]
    out.reverse()
    kept = [out[0]]
    for pos, blk in out[1:]:
        prev_pos, prev_blk = kept[-1]
        if pos - prev_pos >= min(BLOCK, starts[blk] - starts[prev_blk]):
            kept.append((pos, blk))
    return kept


def _covered_words(chain: Sequence[tuple[int, int]], starts: Sequence[int], words: int) -> int:
    """Reference words inside the blocks of ``chain`` (overlapping last blocks counted once)."""
    total = 0
    reach = 0
    for _, blk in chain:
        s = starts[blk]
        e = min(s + BLOCK, words)
        if e > reach:
            total += e - max(s, reach)
            reach = e
    return total


def _edit(
    kind: EditKind, text: Tokens, a: int, b: int, ref: Reference, ra: int, rb: int
) -> Edit:
    """An edit: text words ``a..b`` stand where reference words ``ra..rb`` were."""
    words = text.words
    at = a if a < len(words) else max(len(words) - 1, 0)
    line = text.lines[at] if text.lines else 1
    return Edit(
        kind=kind,
        line=line,
        added=words[a:b],
        removed=max(rb - ra, 0),
        removed_known=tuple(ref.marks_between(ra, rb)),
        before=words[max(a - _CONTEXT, 0) : a],
        after=words[b : b + _CONTEXT],
    )


def _gap_edit(text: Tokens, a: int, b: int, ref: Reference, ra: int, rb: int) -> Edit | None:
    added, removed = b - a, rb - ra
    if added <= 0 and removed <= 0:
        return None
    kind: EditKind = "replace" if added > 0 and removed > 0 else (
        "insert" if added > 0 else "delete"
    )
    return _edit(kind, text, a, max(a, b), ref, ra, max(ra, rb))


def _title_length(text: Tokens, end: int, floor: int, ref: Reference) -> int:
    """How many words just before ``end`` (not before ``floor``) are one of the reference's
    omittable title runs; 0 when none is."""
    best = 0
    for n, h in ref.titles:
        if n > best and end - n >= floor and block_hash(text.words[end - n : end]) == h:
            best = n
    return best


def _build_segment(
    text: Tokens, ref: Reference, ref_no: int, chain: list[tuple[int, int]], lo: int, hi: int
) -> _Segment:
    """Turn a chain of blocks into a segment of the text ``lo..hi`` with its edits. A gap
    between blocks is no edit when the reference allows what the text holds there: a list
    number run into a sentence (``_list_numbers``) or filled-in replaceable regions
    (``_regions_filled``, ``_filled_lead``, ``_filled_tail``; their words count as found)."""
    starts = block_starts(ref.words)
    seg = _Segment(ref, ref_no, chain)
    edits: list[Edit] = []
    filled = 0  # reference words of spans whose regions were filled in (they count as found)
    first_pos, first_blk = chain[0]
    lead_missing = starts[first_blk]
    # Before the first block: the reference's first words, possibly changed.
    start = _filled_lead(text, ref, first_pos, lead_missing, lo) if lead_missing else None
    if start is not None:
        filled += lead_missing
    else:
        take = min(lead_missing, first_pos - lo)
        start = first_pos - take
        gap = _gap_edit(text, start, first_pos, ref, 0, lead_missing)
        if gap is not None:
            edits.append(gap)
    if not edits:
        start -= _title_length(text, start, lo, ref)
    for (p1, b1), (p2, b2) in pairwise(chain):
        s1, s2 = starts[b1], starts[b2]
        if b2 == b1 + 1 and p2 - p1 == s2 - s1:
            continue
        a, ra = min(p1 + BLOCK, p2), min(s1 + BLOCK, s2)
        if ref.items and text.labels and _list_numbers(text, ref, starts, a, p2, ra, s2):
            continue
        if ref.bridges:
            if _regions_filled(text, ref, a, p2, ra, s2) is not None:
                filled += s2 - ra
                continue
            precise = _region_edits(text, ref, a, p2, ra, s2)
            if precise is not None:  # the words around are right, the filling is not
                edits += precise
                continue
        gap = _gap_edit(text, a, p2, ref, ra, s2)
        if gap is None:  # overlapping last block shifted: a change inside it
            gap = _edit("replace", text, p2, p2, ref, s2, s2)
        edits.append(gap)
    last_pos, last_blk = chain[-1]
    end = last_pos + min(BLOCK, ref.words)
    tail_from = starts[last_blk] + min(BLOCK, ref.words)
    stop = _filled_tail(text, ref, end, tail_from, hi) if tail_from < ref.words else None
    if stop is not None:
        filled += ref.words - tail_from
    else:
        stop = end + min(ref.words - tail_from, hi - end)
        gap = _gap_edit(text, end, stop, ref, tail_from, ref.words)
        if gap is not None:
            edits.append(gap)
    seg.start, seg.end = start, stop
    seg.matched = _covered_words(chain, starts, ref.words) + filled
    seg.edits = edits
    return seg


# --------------------------------------------------------------------------- allowed gaps


def _regions_filled(
    text: Tokens, ref: Reference, a: int, b: int, ra: int, rb: int, clean: bool = True
) -> tuple[int, int, list[int]] | None:
    """When the text's words ``a..b``, between two blocks found in order, are the reference's
    words ``ra..rb`` around filled-in replaceable regions: where the bridge starts in the
    text and in the reference, and the number of words filled into each of its regions
    (``_filled``); else None."""
    for first, stop, digest in ref.bridges:
        if first <= ra and rb <= stop:
            # The words of the bridge outside the gap are in blocks found: take them along.
            ta, tb = a - (ra - first), b + (stop - rb)
            if ta >= 0 and tb <= len(text):
                fills = _filled(text.words[ta:tb], ref, first, stop, digest, clean)
                if fills is not None:
                    return ta, first, fills
    return None


def _region_edits(
    text: Tokens, ref: Reference, a: int, b: int, ra: int, rb: int
) -> list[Edit] | None:
    """The edits of a gap whose words around its regions are the reference's own but whose
    fillings are not allowed (restrictive words, numbers, too long): each filling against its
    region, so that the diff shows exactly what stands where the holder's name goes."""
    found = _regions_filled(text, ref, a, b, ra, rb, clean=False)
    if found is None:
        return None
    at, first, fills = found
    regions = [r for r in ref.regions if r[0] >= first][: len(fills)]
    edits = []
    cursor = first
    for (start, length, most), n in zip(regions, fills, strict=True):
        at += start - cursor
        words = text.words[at : at + n]
        if n > most or not _clean_fill(words, _numbered(ref, start, length)):
            kind: EditKind = "replace" if n and length else ("insert" if n else "delete")
            edits.append(_edit(kind, text, at, at + n, ref, start, start + length))
        at += n
        cursor = start + length
    return edits


def _list_numbers(
    text: Tokens, ref: Reference, starts: Sequence[int], a: int, b: int, ra: int, rb: int
) -> bool:
    """Whether text ``a..b`` is reference ``ra..rb`` word for word once the numbers kept in
    the text that stand just before a list item of the reference are left out."""
    labels = text.labels
    i = bisect_left(labels, a)
    if i == len(labels) or labels[i] >= b:
        return False
    numbers = set()
    while i < len(labels) and labels[i] < b:
        numbers.add(labels[i])
        i += 1
    kept: list[str] = []
    for at in range(a, b):
        if at in numbers:
            offset = ra + len(kept)
            j = bisect_left(ref.items, offset)
            if j == len(ref.items) or ref.items[j] != offset:
                return False  # a number where the reference has no list item: a change
        else:
            kept.append(text.words[at])
    return len(kept) == rb - ra and _same_blocks(kept, ref, starts, ra, rb)


def _same_blocks(
    words: Sequence[str], ref: Reference, starts: Sequence[int], ra: int, rb: int
) -> bool:
    """Whether ``words`` are reference words ``ra..rb``: the blocks inside that span cover it
    and each hashes the same."""
    reach = ra
    for blk in range(bisect_left(starts, ra), len(starts)):
        s = starts[blk]
        if s + BLOCK > rb:
            break
        if s > reach or block_hash(words[s - ra : s - ra + BLOCK]) != ref.blocks[blk]:
            return False
        reach = s + BLOCK
    return reach == rb


_FILL_SPLITS = 2000
"""At most this many ways of sharing words between several regions of one bridge are tried."""


def _filled(
    words: Sequence[str], ref: Reference, first: int, stop: int, digest: int, clean: bool = True
) -> list[int] | None:
    """How many words fill each replaceable region when ``words`` are reference words
    ``first..stop`` with the regions of that span filled in (with clean words of an allowed
    length, ``_clean_fill``, unless ``clean`` is false); None when they are not."""
    regions = [r for r in ref.regions if first <= r[0] and r[0] + r[1] <= stop]
    if not regions:
        return None
    fixed = [regions[0][0] - first]
    fixed += [nxt[0] - (cur[0] + cur[1]) for cur, nxt in pairwise(regions)]
    fixed.append(stop - (regions[-1][0] + regions[-1][1]))
    spare = len(words) - sum(fixed)
    if spare < 0:
        return None
    tries = 0
    fills: list[int] = []

    def fits(k: int, at: int, left: int, out: list[str]) -> bool:
        nonlocal tries
        out = [*out, *words[at : at + fixed[k]]]
        at += fixed[k]
        if k == len(regions):
            return left == 0 and block_hash(out) == digest
        start, length, most = regions[k]
        lengths = [left] if k == len(regions) - 1 else range(min(left, most) + 1)
        for n in lengths:
            tries += 1
            if tries > _FILL_SPLITS:
                return False
            if clean and (n > most or not _clean_fill(words[at : at + n],
                                                       _numbered(ref, start, length))):
                continue
            fills.append(n)
            if fits(k + 1, at + n, left - n, [*out, VARIABLE]):
                return True
            fills.pop()
        return False

    return fills if fits(0, 0, spare, []) else None


def _numbered(ref: Reference, start: int, length: int) -> bool:
    """Whether the reference's own words in a region hold a number (an address): then its
    filling may too."""
    return any(any(c.isdigit() for c in w) for w in ref.marks_between(start, start + length))


def _clean_fill(words: Sequence[str], numbers: bool = False) -> bool:
    """Whether words filled into a replaceable region only name someone: no restrictive or
    other license word (but the nouns of ``FILL_NAMES``), none of ``FILL_STOP``, no number but
    a year (any number when ``numbers``: the region's own text has one, an address)."""
    for word in words:
        if (word in LICENSE_LANGUAGE and word not in FILL_NAMES) or word in FILL_STOP:
            return False
        if not numbers and any(c.isdigit() for c in word) and not (
            len(word) == 4 and word.isdigit() and word[:2] in {"19", "20"}
        ):
            return False
    return True


def _filled_lead(
    text: Tokens, ref: Reference, first_pos: int, lead_missing: int, lo: int
) -> int | None:
    """Where the text starts when the reference's words before its first block found are
    there with their regions filled in (a region may open the reference); else None."""
    for first, stop, digest in ref.bridges:
        if first != 0 or stop < lead_missing:
            continue
        end = first_pos + (stop - lead_missing)
        fixed = stop - first - sum(r[1] for r in ref.regions if r[0] + r[1] <= stop)
        most = sum(r[2] for r in ref.regions if r[0] + r[1] <= stop)
        for n in range(most + 1):  # the fewest words that fit
            begin = end - fixed - n
            if begin < lo:
                break
            if end <= len(text) and _filled(text.words[begin:end], ref, first, stop,
                                            digest) is not None:
                return begin
    return None


def _filled_tail(text: Tokens, ref: Reference, end: int, tail_from: int, hi: int) -> int | None:
    """Where the text ends when the reference's words after its last block found are there
    with their regions filled in; else None."""
    for first, stop, digest in ref.bridges:
        if stop != ref.words or first > tail_from:
            continue
        begin = end - (tail_from - first)
        fixed = stop - first - sum(r[1] for r in ref.regions if r[0] >= first)
        most = sum(r[2] for r in ref.regions if r[0] >= first)
        for n in range(most + 1):
            finish = begin + fixed + n
            if finish > hi:
                break
            if begin >= 0 and _filled(text.words[begin:finish], ref, first, stop,
                                      digest) is not None:
                return finish
    return None


def _hits(windows: Sequence[int], prints: FingerprintSet) -> dict[int, list[tuple[int, int]]]:
    """Text position and block number of every block found, per reference number."""
    index, owners = prints.index, prints.owners
    found: dict[int, list[tuple[int, int]]] = {}
    size = len(index)
    members = _members(prints)
    for pos, h in enumerate(windows):
        if members is not None and h not in members:
            continue
        i = bisect_left(index, h)
        while i < size and index[i] == h:
            owner = owners[i]
            found.setdefault(owner >> 16, []).append((pos, owner & 0xFFFF))
            i += 1
    return found


def _slack(ref: Reference) -> int:
    """Reference words that can count as found without a block of them found: the spans of
    its replaceable regions (``_build_segment``)."""
    return sum(stop - first for first, stop, _ in ref.bridges)


def _free_span(covered: Sequence[tuple[int, int]], pos: int, n: int) -> tuple[int, int]:
    """The stretch of the text around ``pos`` that no earlier segment covers."""
    lo, hi = 0, n
    for a, b in covered:
        if b <= pos:
            lo = max(lo, b)
        elif a > pos:
            hi = min(hi, a)
    return lo, hi


def _segments(text: Tokens, prints: FingerprintSet, usable: frozenset[int]) -> list[_Segment]:
    """The references found in the text, best first, each on its own stretch of it."""
    n = len(text)
    hits = _hits(window_hashes(text.words), prints)
    refs = prints.references
    covered: list[tuple[int, int]] = []
    taken = bytearray(n)  # 1 for each word of the text an earlier segment covers
    chains: dict[int, tuple[int, list[tuple[int, int]]]] = {}  # ref -> (free hits, chain)
    chosen: list[_Segment] = []
    pending = {r: h for r, h in hits.items() if r in usable and len(h) >= FOUND_BLOCKS}
    while pending and len(chosen) < MAX_LICENSES:
        best: _Segment | None = None
        best_key: tuple[float, ...] = ()
        # Most hits first: a reference can match at most BLOCK words per hit, so once that
        # bound falls below the best segment's matched words, no later one can win.
        for r, ref_hits in sorted(pending.items(), key=lambda rh: (-len(rh[1]), rh[0])):
            ref = refs[r]
            if best is not None and min(len(ref_hits) * BLOCK + _slack(ref), ref.words) < (
                best.matched
            ):
                break
            free = [h for h in ref_hits if not taken[h[0]]] if covered else ref_hits
            if len(free) < FOUND_BLOCKS:
                continue
            starts = block_starts(ref.words)
            cached = chains.get(r)
            if cached is not None and cached[0] == len(free):
                chain = cached[1]  # none of its hits was taken since: the same chain
            else:
                chain = _chain(free, starts)
                chains[r] = (len(free), chain)
            if len(chain) < FOUND_BLOCKS:
                continue
            words = _covered_words(chain, starts, ref.words)
            if words < FOUND_SHARE * ref.words:
                continue
            if best is not None and words + _slack(ref) < best.matched:
                continue
            lo, hi = _free_span(covered, chain[0][0], n)
            chain = [h for h in chain if lo <= h[0] < hi]
            if len(chain) < FOUND_BLOCKS:
                continue
            seg = _build_segment(text, ref, r, chain, lo, hi)
            key = (seg.matched, seg.similarity, -len(seg.edits), -r)
            if best is None or key > best_key:
                best, best_key = seg, key
        if best is None:
            break
        chosen.append(best)
        covered.append((best.start, best.end))
        taken[best.start : best.end] = b"\x01" * (best.end - best.start)
        # Every variant of the same part of the same license is now explained here.
        done = {i for i, ref in enumerate(refs)
                if (ref.license_id, ref.part) == (best.ref.license_id, best.ref.part)}
        pending = {r: h for r, h in pending.items() if r not in done}
    chosen.sort(key=lambda s: s.start)
    return chosen


def _extra(
    text: Tokens, segments: Sequence[_Segment], found: Sequence[str], catalogue: Catalogue
) -> list[ExtraText]:
    """The stretches of the text outside every segment, each with its license language."""
    spans = sorted((s.start, s.end) for s in segments)
    names = _naming_words(tuple(sorted(set(found))), catalogue)
    out = []
    at = 0
    for a, b in [*spans, (len(text), len(text))]:
        if a > at:
            words = text.words[at:a]
            out.append(ExtraText((text.lines[at], text.lines[a - 1]), words,
                                 _terms(words, names, found, catalogue)))
        at = max(at, b)
    return out


NAMING_WORDS = frozenset([
    "license", "licence", "licenses", "licensed", "licensing", "agreement", "terms", "the",
    "this", "that", "these", "project", "repository", "repo", "model", "models", "weights",
    "code", "software", "source", "dataset", "data", "is", "are", "be", "under", "released",
    "distributed", "published", "available", "provided", "of", "following", "below", "above",
    "see", "a", "an", "and", "or", "version", "copy", "text", "full", "its", "their", "in",
    "for", "as", "with", "by", "file", "files", "all", "here", "notice", "contents", "to",
])
"""Words of a sentence or heading that only says which license applies ("This project is
licensed under the MIT License:", "The MIT License (MIT)"): with the names of the licenses
found in the text, they are not added terms."""


@lru_cache(maxsize=64)
def _naming_words(found: tuple[str, ...], catalogue: Catalogue) -> frozenset[str]:
    """``NAMING_WORDS`` and every word of the names, ids and titles of ``found``."""
    words = set(NAMING_WORDS)
    for license_id in found:
        entry = catalogue.resolve(license_id)
        if entry is None:
            continue
        for name in (entry.id, entry.name, entry.spdx or "", *entry.aliases, *entry.markers):
            words.update(normalise(name.replace("-", " ")))
    return frozenset(words)


def _terms(
    words: Sequence[str], names: frozenset[str], found: Sequence[str], catalogue: Catalogue
) -> tuple[str, ...]:
    """What makes ``words`` part of the terms: license language beyond naming the licenses
    found, and the title of any other catalogue license (a pointer to other terms)."""
    terms = [w for w in words if w in LICENSE_LANGUAGE and w not in names]
    if len(words) >= 2:
        joined = f" {' '.join(words)} "
        # A phrase made only of the found licenses' own name words ("Creative Commons" over
        # CC0's text) names them, not other terms.
        others = {entry_id for entry_id, phrase in _license_names(catalogue)
                  if entry_id not in found and f" {phrase} " in joined
                  and not set(phrase.split()) <= names}
        terms += sorted(others)
    return tuple(terms)


def _new_terms(
    edit: Edit, names: frozenset[str], found: Sequence[str], catalogue: Catalogue
) -> bool:
    """Whether an edit of a notice or an appendix puts terms in: license language or a
    number (a version, a figure) that the words it replaced did not hold. A deletion from an
    omittable part takes nothing away from the license beside it."""
    known = Counter(edit.removed_known)
    new = []
    for word in edit.added:
        if known[word]:
            known[word] -= 1  # the reference had it there: the block around it changed
        else:
            new.append(word)
    return bool(_terms(new, names, found, catalogue)) or any(
        c.isdigit() for word in new for c in word
    )


@lru_cache(maxsize=4)
def _license_names(catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    """(entry id, normalised phrase) of every name, alias and title of two words or more."""
    found: set[tuple[str, str]] = set()
    for entry in catalogue.namings():
        if entry.kind == "placeholder":
            continue
        for name in (entry.name, *entry.aliases, *entry.markers, entry.id.replace("-", " ")):
            words = normalise(name)
            if len(words) >= 2:
                found.add((entry.id, " ".join(words)))
    return tuple(sorted(found))


def _found(text: Tokens, seg: _Segment) -> FoundLicense:
    edits = tuple(seg.edits)
    first = text.lines[seg.start] if seg.start < len(text) else 1
    last = text.lines[max(seg.end - 1, seg.start)] if len(text) else 1
    return FoundLicense(
        license_id=seg.ref.license_id,
        part=seg.ref.label,
        status="modified" if edits else "match",
        similarity=1.0 if not edits else min(seg.similarity, 0.9999),
        lines=(first, last),
        edits=edits,
        source=seg.ref.source,
    )


def _usable(catalogue: Catalogue, prints: FingerprintSet) -> tuple[frozenset[int], dict[str, str]]:
    """Reference numbers whose id the catalogue knows, and stored id -> catalogue id."""
    ids: dict[str, str] = {}
    usable = set()
    for i, ref in enumerate(prints.references):
        entry_id = catalogue.resolve_id(ref.license_id)
        if entry_id is not None:
            usable.add(i)
            ids[ref.license_id] = entry_id
    return frozenset(usable), ids


@lru_cache(maxsize=4)
def _usable_cached(catalogue: Catalogue) -> tuple[frozenset[int], dict[str, str]]:
    return _usable(catalogue, load_fingerprints())


def _title_claim(
    words: Sequence[str], catalogue: Catalogue, ids: Iterable[str]
) -> tuple[str, str] | None:
    """(entry id, title as written) of the longest catalogue title phrase in the opening words
    naming one of ``ids``."""
    head = f" {' '.join(words[:MARKER_WINDOW])} "
    wanted = set(ids)
    for entry_id, phrase, written in _markers(catalogue):
        if entry_id in wanted and f" {phrase} " in head:
            return entry_id, written
    return None


def identify(
    text: str, catalogue: Catalogue | None = None, fingerprints: FingerprintSet | None = None
) -> Identification:
    """Every catalogue license in ``text``, each a ``match`` or ``modified``; see the module
    docstring for what decides the overall status. ``fingerprints`` defaults to the bundled
    ones (``load_fingerprints``)."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    prepared = tokens(text)
    if not prepared.words:
        return Identification("no-match")
    if fingerprints is None:
        prints = load_fingerprints()
        usable, ids = (
            _usable_cached(catalogue) if catalogue is load_catalogue()
            else _usable(catalogue, prints)
        )
    else:
        prints = fingerprints
        usable, ids = _usable(catalogue, prints)
    segments = _segments(prepared, prints, usable)
    if segments:
        found = [
            _with_id(_found(prepared, s), ids.get(s.ref.license_id, s.ref.license_id))
            for s in segments
        ]
        main_ids = {f.license_id for f in found if not f.optional}
        if main_ids:
            # The notice or appendix of a license whose text is not here points to other
            # terms: its words are left outside every license, where they count as such.
            kept = [i for i, f in enumerate(found) if not f.optional or f.license_id in main_ids]
            segments = [segments[i] for i in kept]
            found = [found[i] for i in kept]
        ids_found = [f.license_id for f in found]
        extra = tuple(_extra(prepared, segments, ids_found, catalogue))
        names = _naming_words(tuple(sorted(set(ids_found))), catalogue)
        added = any(
            _new_terms(e, names, ids_found, catalogue) for f in found if f.optional
            for e in f.edits
        )
        changed = added or any(f.status == "modified" for f in found if not f.optional) or any(
            x.license_language for x in extra
        )
        if main_ids or changed:
            return Identification("modified" if changed else "match", tuple(found), extra)
        # Only a notice or an appendix, unchanged: it points to a license, it is not one.
        notice = next((f for f in found if f.part == PART_LABELS["notice"]), None)
        entry = catalogue.resolve(notice.license_id) if notice else None
        if notice is None or entry is None:
            return Identification("no-match")
        return Identification("no-match", tuple(found), extra, named=entry.id, title=entry.name)
    # No text of any license: a title may still name one.
    printed = {ids[r.license_id] for i, r in enumerate(prints.references) if i in usable}
    unprinted = {e.id for e in catalogue.namings() if e.kind != "placeholder"} - printed
    claim = _title_claim(prepared.words, catalogue, unprinted)
    if claim is not None:
        return Identification("named", named=claim[0], title=claim[1])
    claim = _title_claim(prepared.words, catalogue, printed)
    if claim is not None:
        if len(prepared) < POINTER_WORDS:
            # A line or two naming a license: a pointer to it, not a text of it.
            return Identification("no-match", named=claim[0], title=claim[1])
        # A known license's title over other words: a modified license, never that license.
        return Identification("modified", named=claim[0], title=claim[1])
    return Identification("no-match")


def _with_id(found: FoundLicense, license_id: str) -> FoundLicense:
    """``found`` under the catalogue's own id for its license."""
    return found if found.license_id == license_id else replace(found, license_id=license_id)


def rank(text: str, catalogue: Catalogue | None = None) -> list[tuple[str, str, float]]:
    """(license id, part, similarity) of every reference that shares blocks with ``text``,
    aligned on its own against the whole text, best first (diagnostics and tests)."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    prepared = tokens(text)
    prints = load_fingerprints()
    usable, ids = _usable(catalogue, prints)
    out: list[tuple[str, str, float]] = []
    for r, ref_hits in _hits(window_hashes(prepared.words), prints).items():
        if r not in usable:
            continue
        ref = prints.references[r]
        chain = _chain(ref_hits, block_starts(ref.words))
        seg = _build_segment(prepared, ref, r, chain, 0, len(prepared))
        sim = 1.0 if not seg.edits else min(seg.similarity, 0.9999)
        out.append((ids[ref.license_id], ref.part, sim))
    best: dict[tuple[str, str], float] = {}
    for license_id, part, sim in out:
        best[(license_id, part)] = max(sim, best.get((license_id, part), 0.0))
    return sorted(((i, p, s) for (i, p), s in best.items()), key=lambda x: (-x[2], x[0], x[1]))
