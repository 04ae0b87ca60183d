"""Model-card parsing, as the Hub does it, keeping line numbers.

The front matter is the YAML block between ``---`` lines at the very top, found with the Hub's
own regex and parsed with a safe loader. Every metadata key keeps the line it sits on, so
findings can point at ``README.md:LINE``. The Markdown body is split into sections by heading.

The contract: whatever text a card holds, ``parse_card`` returns a ``Card`` and never raises.
Problems with the front matter are recorded on the ``Card`` (rules turn them into findings);
only bytes that are not text at all are refused, by the sources, before they get here. Every YAML
construct becomes plain, deterministic data (strings, numbers, booleans, None, lists, mappings
with string keys: dates become ISO strings, sets sorted lists) or a one-line error. The values
the evidence reads are then checked for their type by ``CardMetadata`` (``Card.meta``): a value
of the wrong type is left out of the view and recorded as a ``TypeProblem``, never a crash.

Lines are ``\\n``-separated (``\\r\\n`` and a lone ``\\r`` are normalised to ``\\n`` first, as YAML
and editors count them), and every pass over the text is linear in its size: line numbers come
from one table of newline offsets per text, searched by bisection.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property, lru_cache
from typing import Any

from openweights.frontmatter import MAX_NUMBER_DIGITS as MAX_NUMBER_DIGITS
from openweights.frontmatter import MAX_YAML_DEPTH as MAX_YAML_DEPTH
from openweights.frontmatter import MAX_YAML_NODES as MAX_YAML_NODES
from openweights.frontmatter import KeyPath as KeyPath
from openweights.frontmatter import read_simple
from openweights.patterns import lazy
from openweights.records import field, record

# The regex huggingface_hub documents as "exact same regex as in the Hub server".
FRONT_MATTER = lazy(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")
_OPENING = lazy(r"^\s*---[ \t]*(?:\r\n|\r|\n)")
# Greedy title, trailing spaces and #s stripped afterwards: ``(.+?)[ \t#]*$`` backtracks
# quadratically on a heading with a long run of spaces.
_ATX = lazy(r"^(#{1,6})[ \t]+(.+)$")
# A fence line: its marker (three or more backticks or tildes) and what follows it on the line.
# The one definition of a fence: fenced_blocks reads blocks with it, others skip fence lines.
FENCE_LINE = lazy(r"^[ \t]{0,3}(`{3,}|~{3,})([^\n]*)", re.M)
_SETEXT = lazy(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_SETEXT = lazy(r"^(?:[-*+>|#]|\d+[.)]\s|<!--|<[a-zA-Z/]|={2,}$|-{2,}$|```|~~~)")
_HTML_HEADING = lazy(r"(?i)^ {0,3}<h([1-6])(?:\s[^>]*)?>(.*?)</h\1>\s*$")
# A line that may be a fence or a heading (ATX, a Setext underline, HTML): the only lines
# split_sections has to read.
_CANDIDATE_LINE = lazy(
    r"^(?:[ \t]{0,3}(?:```|~~~)| {0,3}#| {0,3}(?:=+|-+)[ \t]*$| {0,3}<[hH][1-6])[^\n]*", re.M
)
_TAG = lazy(r"<[^<>\n]{0,500}>")
HTML_TAG = lazy(r"<[^<>]*>")
"""An HTML tag in a sentence: from "<" to the next ">" with no "<" between (``<[^>]+>`` would
scan from every unclosed "<" to the next ">", however far: quadratic)."""
PLACEHOLDER = "[More Information Needed]"
_NEWLINE = lazy("\n")
# How much of the body ``Card.body_lines`` splits at once (then up to the next line's end).
_LINE_BLOCK = 1 << 16


def line_of(key_lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    """The line of a metadata key path, or of its nearest parent that has one."""
    while path:
        if path in key_lines:
            return key_lines[path]
        path = path[:-1]
    return None


def newline_offsets(text: str) -> Sequence[int]:
    """Offsets of every ``\\n`` in ``text``: the table line numbers are looked up in."""
    return array("q", [m.start() for m in _NEWLINE().finditer(text)])


def strip_comments(text: str) -> str:
    """``text`` without its HTML comments (``<!-- ... -->``); one linear pass.

    An unclosed comment is left in place, as before: a regex such as ``<!--.*?-->`` would rescan
    the rest of the text from every unclosed opening (quadratic).
    """
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start == -1:
            break
        end = text.find("-->", start + 4)
        if end == -1:
            break
        out.append(text[pos:start])
        pos = end + 3
    out.append(text[pos:])
    return "".join(out)


@record
class Section:
    """One Markdown section of the card body."""

    title: str
    """Heading text, without the ``#`` marks."""
    level: int
    """Heading level (1-6)."""
    line: int
    """1-based line of the heading in the card file."""
    end_line: int
    """1-based last line of the section (before the next heading of any level)."""
    body: str
    """Text under the heading, up to the next heading of any level."""
    body_line: int = 0
    """1-based line in the card file where ``body`` starts (0: the line after ``line``)."""

    @cached_property
    def _newlines(self) -> Sequence[int]:
        return newline_offsets(self.body)

    def line_at(self, offset: int) -> int:
        """1-based line in the card file of a character offset into ``body``."""
        first = self.body_line or self.line + 1
        return first + bisect_right(self._newlines, offset - 1)

    @cached_property
    def is_placeholder(self) -> bool:
        """True when the section has no content beyond the template's placeholder."""
        stripped = strip_comments(self.body)
        stripped = stripped.replace(PLACEHOLDER, "").strip(" \t\r\n-*_:>")
        return not stripped


# --- the typed view of the metadata ---------------------------------------------------------


@record
class TypeProblem:
    """A metadata value the evidence reads, of the wrong type: left out of ``CardMetadata``."""

    path: KeyPath
    """Where it is: ``("license",)``, ``("openness", "code", 0, "url")``."""
    expected: str
    """What it should be, as a phrase: ``a string or a list of strings``."""
    value: Any
    """What was found (plain data, as parsed)."""


class _Shape:
    """What a metadata value must look like; ``clean`` returns it checked, or ``_WRONG``."""

    expected: str

    def clean(self, value: Any, path: KeyPath, problems: list[TypeProblem]) -> Any:
        raise NotImplementedError


_WRONG = object()


class _Scalar(_Shape):
    def __init__(self, expected: str, *types: type) -> None:
        self.expected = expected
        self.types = types

    def fits(self, value: Any) -> bool:
        # A bool is an int in Python, not a number in YAML or JSON.
        if isinstance(value, bool):
            return bool in self.types
        return isinstance(value, self.types)

    def clean(self, value: Any, path: KeyPath, problems: list[TypeProblem]) -> Any:
        if self.fits(value):
            return value
        problems.append(TypeProblem(path, self.expected, value))
        return _WRONG


class _Many(_Shape):
    """A list of items (a lone item is a one-item list). A wrong item becomes None in place,
    so that the others keep their index (and their line)."""

    def __init__(self, item: _Shape, expected: str) -> None:
        self.item = item
        self.expected = expected

    def clean(self, value: Any, path: KeyPath, problems: list[TypeProblem]) -> Any:
        if isinstance(value, list):
            out: list[Any] = []
            for i, item in enumerate(value):
                if item is None:
                    out.append(None)
                    continue
                cleaned = self.item.clean(item, (*path, i), problems)
                out.append(None if cleaned is _WRONG else cleaned)
            return out
        if isinstance(value, dict) and not isinstance(self.item, _Fields):
            problems.append(TypeProblem(path, self.expected, value))
            return _WRONG
        before = len(problems)
        cleaned = self.item.clean(value, path, problems)
        if cleaned is _WRONG:
            # One message for the key, phrased for the list it may also be.
            del problems[before:]
            problems.append(TypeProblem(path, self.expected, value))
            return _WRONG
        return cleaned


class _Fields(_Shape):
    """A mapping whose known keys have shapes; other keys pass through unchecked."""

    def __init__(self, expected: str, fields: Mapping[str, _Shape]) -> None:
        self.expected = expected
        self.fields = fields

    def clean(self, value: Any, path: KeyPath, problems: list[TypeProblem]) -> Any:
        if not isinstance(value, dict):
            problems.append(TypeProblem(path, self.expected, value))
            return _WRONG
        out = {}
        for key, item in value.items():
            shape = self.fields.get(key)
            if shape is None or item is None:
                out[key] = item
                continue
            cleaned = shape.clean(item, (*path, key), problems)
            if cleaned is not _WRONG:
                out[key] = cleaned
        return out


_TEXT = _Scalar("a string", str)
_TEXTS = _Many(_TEXT, "a string or a list of strings")
_FLAG = _Scalar("true or false", bool)
_NUMBER = _Scalar("a number", int, float)

METADATA_SHAPE = _Fields(
    "a mapping of keys",
    {
        "license": _TEXTS,
        "license_name": _TEXT,
        "license_link": _TEXT,
        "base_model": _TEXTS,
        "base_model_relation": _TEXT,
        "datasets": _TEXTS,
        "pipeline_tag": _TEXT,
        "library_name": _TEXT,
        "tags": _TEXTS,
        "extra_gated_prompt": _TEXT,
        "openness": _Fields(
            "a mapping with weights, code and data",
            {
                "weights": _Fields(
                    "a mapping {released, license, url}",
                    {
                        "released": _Scalar("true, false or gated", bool, str),
                        "license": _TEXT,
                        "url": _TEXT,
                    },
                ),
                "code": _Many(
                    _Fields(
                        "a mapping {url, license, covers}",
                        {"url": _TEXT, "license": _TEXT, "covers": _TEXTS},
                    ),
                    "a list of code releases, each a mapping {url, license, covers}",
                ),
                "data": _Fields(
                    "a mapping {released, license, datasets, sources, processing_code, labelling}",
                    {
                        "released": _Scalar("true, false or partial", bool, str),
                        "license": _TEXT,
                        "datasets": _TEXTS,
                        "sources": _Many(
                            _Fields(
                                "a mapping {name, id, url, license, size, provenance, ...}",
                                {
                                    "name": _TEXT,
                                    "id": _TEXT,
                                    "url": _TEXT,
                                    "license": _TEXT,
                                    "size": _Scalar("a number or a string", int, float, str),
                                    "share": _NUMBER,
                                    "provenance": _TEXT,
                                    "shared": _FLAG,
                                    "reason_not_shared": _TEXT,
                                },
                            ),
                            "a list of data sources, each a mapping",
                        ),
                        "processing_code": _Fields(
                            "a mapping {url, license}", {"url": _TEXT, "license": _TEXT}
                        ),
                        "labelling": _TEXT,
                    },
                ),
            },
        ),
    },
)
"""The type of every metadata value the evidence reads (the rest passes through unchecked)."""


class CardMetadata:
    """A typed view of card metadata: each value the evidence reads, checked for its type.

    A value of the wrong type is left out (a wrong item of a list becomes None, so the others
    keep their index) and recorded in ``problems``; readers get only what they expect. Built
    from a card's front matter (``Card.meta``) or from the Hub API's card data.
    """

    def __init__(
        self, raw: Mapping[str, Any] | None, key_lines: Mapping[KeyPath, int] | None = None
    ) -> None:
        self.raw: Mapping[str, Any] = raw or {}
        """The metadata as parsed."""
        self.key_lines: Mapping[KeyPath, int] = key_lines or {}
        """The line of every key path, where known."""
        problems: list[TypeProblem] = []
        cleaned = METADATA_SHAPE.clean(dict(self.raw), (), problems) if self.raw else {}
        self.values: Mapping[str, Any] = cleaned if isinstance(cleaned, dict) else {}
        """The metadata with every wrong-typed value left out."""
        self.problems: tuple[TypeProblem, ...] = tuple(problems)
        """Every value left out, in the order of the metadata."""

    def line_of(self, *path: str | int) -> int | None:
        """The line of a key path, or of its nearest parent that has one."""
        return line_of(self.key_lines, path)

    def get(self, *path: str | int) -> Any:
        """The checked value at ``path`` (None when absent or of the wrong type)."""
        value: Any = self.values
        for step in path:
            if isinstance(step, int):
                value = value[step] if isinstance(value, list) and step < len(value) else None
            else:
                value = value.get(step) if isinstance(value, dict) else None
            if value is None:
                return None
        return value

    def text(self, *path: str | int) -> str | None:
        """A string value, or None."""
        value = self.get(*path)
        return value if isinstance(value, str) else None

    def texts(self, *path: str | int) -> list[str]:
        """A string-or-list-of-strings value as a list (wrong items left out)."""
        return [value for value, _line in self.located(*path)]

    def located(self, *path: str | int) -> list[tuple[str, int | None]]:
        """Each string of a string-or-list value with its line: a list's items their own."""
        value = self.get(*path)
        if isinstance(value, str):
            return [(value, self.line_of(*path))]
        if isinstance(value, list):
            return [
                (v, self.line_of(*path, i)) for i, v in enumerate(value) if isinstance(v, str)
            ]
        return []

    def is_list(self, *path: str | int) -> bool:
        """True when the value at ``path`` was written as a list."""
        return isinstance(self.get(*path), list)

    def block(self, *path: str | int) -> Mapping[str, Any]:
        """A mapping value (checked), or an empty mapping."""
        value = self.get(*path)
        return value if isinstance(value, dict) else {}


# --- the card ------------------------------------------------------------------------------


@record
class Card:
    """A parsed model (or dataset) card."""

    path: str
    """Path of the card inside its repo, for findings (e.g. ``README.md``)."""
    text: str
    """The whole card as decoded, with line endings normalised to ``\\n``."""
    metadata: Mapping[str, Any]
    """The front-matter mapping (plain data, string keys); empty when absent or unusable."""
    front_matter: str
    """``ok``, ``absent``, ``empty``, ``unclosed``, ``invalid`` or ``not-mapping``."""
    front_matter_error: str | None
    """One-line reason when ``front_matter`` is not ``ok``/``absent``."""
    front_matter_error_line: int | None
    """1-based line of that problem, where known."""
    key_lines: Mapping[KeyPath, int] = field(default_factory=dict)
    """Line of every key path in the front matter: ``("license",)``, ``("openness", "code")``."""
    body_start_line: int = 1
    """1-based line where the Markdown body starts."""
    sections: tuple[Section, ...] = ()
    """The body's sections, in order."""

    @cached_property
    def meta(self) -> CardMetadata:
        """The metadata, typed: what the evidence reads (see ``CardMetadata``)."""
        return CardMetadata(self.metadata, self.key_lines)

    @cached_property
    def _text_newlines(self) -> Sequence[int]:
        return newline_offsets(self.text)

    @cached_property
    def body(self) -> str:
        """The Markdown after the front matter (one slice of ``text``, then kept)."""
        skip = self.body_start_line - 1
        if skip <= 0:
            return self.text
        newlines = self._text_newlines
        return self.text[newlines[skip - 1] + 1 :] if skip <= len(newlines) else ""

    @cached_property
    def _body_newlines(self) -> Sequence[int]:
        return newline_offsets(self.body)

    @cached_property
    def fenced_lines(self) -> frozenset[int]:
        """Card-file line numbers inside fenced code blocks (examples, configs, outputs),
        fences included."""
        return frozenset(
            line
            for start, end in fenced_blocks(self.body)
            for line in range(self.body_line(start), self.body_line(end - 1) + 1)
        )

    def body_lines(self) -> Iterator[str]:
        """The body's lines, one at a time (``\\n``-separated: they agree with every line
        number here; not kept, a list of every line would double the card in memory). They
        are split a block of about ``_LINE_BLOCK`` characters at a time: one ``split`` per
        block costs a fraction of a ``find`` and a slice per line."""
        body = self.body
        start = 0
        while start < len(body):
            end = body.find("\n", start + _LINE_BLOCK)
            if end == -1:
                lines = body[start:].split("\n")
                if body.endswith("\n"):
                    lines.pop()  # the last line's end starts no line
                yield from lines
                return
            yield from body[start:end].split("\n")
            start = end + 1

    def line_of(self, *path: str | int) -> int | None:
        """The line of a metadata key path, or of its nearest parent that has one."""
        return line_of(self.key_lines, path)

    @cached_property
    def _section_starts(self) -> list[int]:
        return [s.line for s in self.sections]

    @cached_property
    def _parents(self) -> list[int]:
        """For each section, the index of the nearest section before it of a higher level (one
        with fewer ``#``), or -1."""
        parents: list[int] = []
        open_: list[int] = []  # the chain of the section before, outermost first
        for i, section in enumerate(self.sections):
            while open_ and self.sections[open_[-1]].level >= section.level:
                open_.pop()
            parents.append(open_[-1] if open_ else -1)
            open_.append(i)
        return parents

    def heading_chain(self, line: int) -> list[str]:
        """Titles of the section holding card line ``line`` and of the sections it sits in,
        nearest first (a table of parents: no walk back over the card's headings per line)."""
        i = bisect_right(self._section_starts, line) - 1
        chain: list[str] = []
        while i >= 0:
            chain.append(self.sections[i].title)
            i = self._parents[i]
        return chain

    def find_sections(self, pattern: str) -> list[Section]:
        """Sections whose title matches ``pattern`` (a case-insensitive regex)."""
        rx = re.compile(pattern, re.I)
        return [s for s in self.sections if rx.search(s.title)]

    def line_at_offset(self, offset: int) -> int:
        """1-based line of a character offset into ``text`` (binary search, not a rescan)."""
        return bisect_right(self._text_newlines, offset - 1) + 1

    def body_line(self, offset: int) -> int:
        """1-based line in the card file of a character offset into ``body``."""
        return self.body_start_line + bisect_right(self._body_newlines, offset - 1)


def fenced_blocks(text: str) -> list[tuple[int, int]]:
    """The fenced code blocks of ``text`` as character ranges ``(start, end)``, fences included:
    from the start of the opening fence's line to the end of the closing fence's line (its
    newline included), or to the end of the text when the block is never closed.

    A fence is a run of three or more backticks or tildes indented at most three spaces; the
    block ends at a fence of the same character, at least as long, with nothing after it
    (CommonMark). Card sections, prose statements, lineage and suppression comments all skip
    code by this one reading. Only fence lines are looked at (one regex pass): linear.
    """
    blocks: list[tuple[int, int]] = []
    fence: str | None = None
    start = 0
    for m in FENCE_LINE().finditer(text):
        marker = m.group(1)
        if fence is None:
            fence, start = marker, m.start()
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not m.group(2).strip():
            blocks.append((start, min(m.end() + 1, len(text))))
            fence = None
    if fence is not None:
        blocks.append((start, len(text)))
    return blocks


# --- YAML, as plain data --------------------------------------------------------------------


def parse_yaml_block(
    block: str, base_line: int
) -> tuple[Any, dict[KeyPath, int], str | None, int | None]:
    """Parse YAML safely into plain data: (value, key lines, error, error line). Never raises.

    The plain block YAML of most cards is read without PyYAML (``openweights/frontmatter.py``),
    which the pre-commit path then never imports; anything else goes to the full reader.
    """
    simple = read_simple(block, base_line)
    if simple is not None:
        return simple[0], simple[1], None, None
    from openweights.yamlplain import read_yaml

    return read_yaml(block, base_line)


# --- the Markdown body ----------------------------------------------------------------------


def split_sections(text: str, first_line: int) -> tuple[Section, ...]:
    """Sections of ``text`` (Markdown), skipping headings inside code fences.

    A heading is an ATX line (``## Title``), a Setext one (a text line underlined with ``===``
    or ``---``, as the Hub renders it) or an HTML one on a line of its own (``<h2>Title</h2>``).
    Only the lines that can be a fence or a heading are looked at (found by one regex), and each
    section's body is one slice of ``text``: no list of every line is built.
    """
    # (offset of the heading's first line, offset of its body, its line index, level, title,
    # line index of its body)
    heads: list[tuple[int, int, int, int, str, int]] = []
    code = fenced_blocks(text)
    block = 0  # the first code block that does not end before the candidate
    index = 0  # line index of the candidate: newlines before it, counted as we go
    counted = 0
    for m in _CANDIDATE_LINE().finditer(text):
        line, start = m.group(0), m.start()
        index += text.count("\n", counted, start)
        counted = start
        while block < len(code) and code[block][1] <= start:
            block += 1
        if block < len(code) and code[block][0] <= start:
            continue  # a fence, or a line inside a code block
        after = m.end() + 1  # the next line
        h = _ATX().match(line.strip()) if line.startswith(("#", " #", "  #", "   #")) else None
        if h:
            title = _TAG().sub("", h.group(2).rstrip(" \t#")).strip(" *_`")
            heads.append((start, after, index, len(h.group(1)), title, index + 1))
            continue
        u = _SETEXT().match(line)
        if u and index > 0 and not (heads and heads[-1][2] == index - 1):
            above_start = text.rfind("\n", 0, start - 1) + 1
            above = text[above_start : start - 1]
            if _setext_title(above):
                title = _TAG().sub("", above).strip(" *_`")
                level = 1 if u.group(1)[0] == "=" else 2
                heads.append((above_start, after, index - 1, level, title, index + 1))
                continue
        x = _HTML_HEADING().match(line)
        if x:
            title = _TAG().sub("", x.group(2)).strip(" *_`")
            if title:
                heads.append((start, after, index, int(x.group(1)), title, index + 1))
    if not heads:
        return ()
    # Lines of the text, a final newline ending the last line rather than opening another.
    ends_with_newline = text.endswith("\n")
    total = index + text.count("\n", counted) + (0 if ends_with_newline else 1)
    sections = []
    for n, (_start, after, i, level, title, body_index) in enumerate(heads):
        if n + 1 < len(heads):
            end, stop = heads[n + 1][2], heads[n + 1][0] - 1
        else:
            end, stop = total, len(text) - (1 if ends_with_newline else 0)
        body = text[after:stop] if after <= stop else ""
        sections.append(
            Section(title, level, first_line + i, first_line + end - 1, body,
                    body_line=first_line + body_index)
        )
    return tuple(sections)


def _setext_title(line: str) -> bool:
    """True when ``line`` can be the text of a Setext heading (plain paragraph text)."""
    stripped = line.strip()
    return bool(stripped) and not line.startswith("    ") and _NOT_SETEXT().match(stripped) is None


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` and a lone ``\\r`` as ``\\n``: the line breaks YAML and editors count."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=64)
def parse_card(text: str, path: str = "README.md") -> Card:
    """Parse a card's text. Problems are recorded on the result, never raised.

    Cached: a source and the evidence both read the same cards (the subject's, every
    ancestor's) within one run, and a Card is never modified after parsing.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = normalise_newlines(text)
    if not text.strip():
        return Card(path, text, {}, "empty", "the card is empty", 1)
    match = FRONT_MATTER().match(text)
    if match is None:
        if _OPENING().match(text):
            # Opens like front matter but never closes: the Hub sees no metadata at all.
            return Card(
                path,
                text,
                {},
                "unclosed",
                "front matter has no closing '---' line",
                1,
                sections=split_sections(text, 1),
            )
        return Card(path, text, {}, "absent", None, None, sections=split_sections(text, 1))
    yaml_first_line = match.group(1).count("\n") + 1
    body_start = match.group(0).count("\n") + 1
    if match.group(4) == "":
        body_start += 1  # the closing '---' is the last line, without a newline
    sections = split_sections(text[match.end() :], body_start)
    value, key_lines, error, error_line = parse_yaml_block(match.group(2), yaml_first_line)
    if error:
        return Card(path, text, {}, "invalid", error, error_line, {}, body_start, sections)
    if value is None:
        return Card(path, text, {}, "ok", None, None, {}, body_start, sections)
    if not isinstance(value, dict):
        kind = type(value).__name__
        return Card(
            path,
            text,
            {},
            "not-mapping",
            f"front matter is a {kind}, not a mapping of keys",
            yaml_first_line,
            {},
            body_start,
            sections,
        )
    return Card(path, text, value, "ok", None, None, key_lines, body_start, sections)
