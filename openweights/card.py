"""Model-card parsing, as the Hub does it, keeping line numbers.

The front matter is the YAML block between ``---`` lines at the very top, found with the Hub's
own regex and parsed with a safe loader. Every metadata key keeps the line it sits on, so
findings can point at ``README.md:LINE``. The Markdown body is split into sections by heading.

Hostile input never raises out of ``parse_card``: problems with the front matter are recorded on
the ``Card`` (rules turn them into findings). Only text that is not text at all is refused, by the
sources, before it gets here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import yaml

# The regex huggingface_hub documents as "exact same regex as in the Hub server".
FRONT_MATTER = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")
_OPENING = re.compile(r"^\s*---[ \t]*(?:\r\n|\r|\n)")
_ATX = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_SETEXT = re.compile(r"^(?:[-*+>|#]|\d+[.)]\s|<!--|<[a-zA-Z/]|={2,}$|-{2,}$|```|~~~)")
_HTML_HEADING = re.compile(r"(?i)^ {0,3}<h([1-6])(?:\s[^>]*)?>(.*?)</h\1>\s*$")
PLACEHOLDER = "[More Information Needed]"
_NEWLINE = re.compile("\n")

MAX_YAML_NODES = 50_000
"""Front matter that expands to more nodes than this (an alias bomb) is refused."""


@dataclass(frozen=True)
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
    def _newlines(self) -> tuple[int, ...]:
        return newline_offsets(self.body)

    def line_at(self, offset: int) -> int:
        """1-based line in the card file of a character offset into ``body``."""
        first = self.body_line or self.line + 1
        return first + bisect_right(self._newlines, offset - 1)

    @property
    def is_placeholder(self) -> bool:
        """True when the section has no content beyond the template's placeholder."""
        stripped = re.sub(r"<!--.*?-->", "", self.body, flags=re.S)
        stripped = stripped.replace(PLACEHOLDER, "").strip(" \t\r\n-*_:>")
        return not stripped


@dataclass(frozen=True)
class Card:
    """A parsed model (or dataset) card."""

    path: str
    """Path of the card inside its repo, for findings (e.g. ``README.md``)."""
    text: str
    """The whole card as decoded."""
    metadata: Mapping[str, Any]
    """The front-matter mapping; empty when absent or unusable."""
    front_matter: str
    """``ok``, ``absent``, ``empty``, ``unclosed``, ``invalid`` or ``not-mapping``."""
    front_matter_error: str | None
    """One-line reason when ``front_matter`` is not ``ok``/``absent``."""
    front_matter_error_line: int | None
    """1-based line of that problem, where known."""
    key_lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict)
    """Line of every key path in the front matter: ``("license",)``, ``("openness", "code")``."""
    body_start_line: int = 1
    """1-based line where the Markdown body starts."""
    sections: tuple[Section, ...] = ()
    """The body's sections, in order."""

    @cached_property
    def body(self) -> str:
        """The Markdown after the front matter (split once, then kept)."""
        return "\n".join(self.text.splitlines()[self.body_start_line - 1 :])

    @cached_property
    def _text_newlines(self) -> tuple[int, ...]:
        return newline_offsets(self.text)

    @cached_property
    def _body_newlines(self) -> tuple[int, ...]:
        return newline_offsets(self.body)

    @cached_property
    def fenced_lines(self) -> frozenset[int]:
        """Card-file line numbers inside fenced code blocks (examples, configs, outputs),
        fences included."""
        first = self.body_start_line
        blocks = fenced_blocks(self.body.splitlines())
        return frozenset(first + i for start, end in blocks for i in range(start, end))

    def line_of(self, *path: str | int) -> int | None:
        """The line of a metadata key path, or of its nearest parent that has one."""
        while path:
            if path in self.key_lines:
                return self.key_lines[path]
            path = path[:-1]
        return None

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


def fenced_blocks(lines: Sequence[str]) -> list[tuple[int, int]]:
    """The fenced code blocks of ``lines`` as ``(first, end)`` line indexes, fences included.

    A fence is a run of three or more backticks or tildes indented at most three spaces; the
    block ends at a fence of the same character, at least as long, with nothing after it
    (CommonMark), or at the end of the text when it is never closed. Card sections, prose
    statements and suppression comments all skip code by this one reading.
    """
    blocks: list[tuple[int, int]] = []
    fence: str | None = None
    start = 0
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if m is None:
            continue
        marker = m.group(1)
        if fence is None:
            fence, start = marker, i
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not line[m.end() :].strip():
            blocks.append((start, i + 1))
            fence = None
    if fence is not None:
        blocks.append((start, len(lines)))
    return blocks


def newline_offsets(text: str) -> tuple[int, ...]:
    """Offsets of every ``\\n`` in ``text``: the table line numbers are looked up in."""
    return tuple(m.start() for m in _NEWLINE.finditer(text))


# libyaml's safe loader when present (ten times faster); nodes keep their marks either way.
_LineLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _expanded_size(node: yaml.Node, memo: dict[int, int], depth: int = 0) -> int:
    """Node count with aliases expanded; stops early past ``MAX_YAML_NODES``."""
    key = id(node)
    if key in memo:
        return memo[key]
    if depth > 200:
        return MAX_YAML_NODES + 1
    memo[key] = MAX_YAML_NODES + 1  # a cycle counts as too big
    size = 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo, depth + 1) + _expanded_size(v, memo, depth + 1)
            if size > MAX_YAML_NODES:
                break
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            size += _expanded_size(v, memo, depth + 1)
            if size > MAX_YAML_NODES:
                break
    memo[key] = size
    return size


def _record_lines(
    node: yaml.Node, base_line: int, path: tuple[str | int, ...], out: dict[Any, int]
) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                sub = (*path, str(k.value))
                out.setdefault(sub, base_line + k.start_mark.line)
                _record_lines(v, base_line, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            sub = (*path, i)
            out.setdefault(sub, base_line + v.start_mark.line)
            _record_lines(v, base_line, sub, out)


def parse_yaml_block(
    block: str, base_line: int
) -> tuple[Any, dict[tuple[str | int, ...], int], str | None, int | None]:
    """Parse YAML safely: (value, key lines, error, error line). Never raises."""
    loader = _LineLoader(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, None, None
        if _expanded_size(node, {}) > MAX_YAML_NODES:
            return None, {}, "front matter expands too far (YAML alias bomb?)", base_line
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = base_line + mark.line if mark else base_line
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        return None, {}, f"invalid YAML: {problem}", line
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        return None, {}, f"invalid YAML: {type(exc).__name__}", base_line
    finally:
        loader.dispose()
    lines: dict[tuple[str | int, ...], int] = {}
    _record_lines(node, base_line, (), lines)
    return value, lines, None, None


def split_sections(text: str, first_line: int) -> tuple[Section, ...]:
    """Sections of ``text`` (Markdown), skipping headings inside code fences.

    A heading is an ATX line (``## Title``), a Setext one (a text line underlined with ``===``
    or ``---``, as the Hub renders it) or an HTML one on a line of its own (``<h2>Title</h2>``).
    """
    lines = text.splitlines()
    heads: list[tuple[int, int, str, int]] = []  # (heading line, level, title, first body line)
    code = {i for start, end in fenced_blocks(lines) for i in range(start, end)}
    for i, line in enumerate(lines):
        if i in code:
            continue
        h = _ATX.match(line.strip()) if line.startswith(("#", " #", "  #", "   #")) else None
        if h:
            title = re.sub(r"<[^>]+>", "", h.group(2)).strip(" *_`")
            heads.append((i, len(h.group(1)), title, i + 1))
            continue
        u = _SETEXT.match(line)
        if u and i > 0 and _setext_title(lines[i - 1]) and not (heads and heads[-1][0] == i - 1):
            title = re.sub(r"<[^>]+>", "", lines[i - 1]).strip(" *_`")
            heads.append((i - 1, 1 if u.group(1)[0] == "=" else 2, title, i + 1))
            continue
        x = _HTML_HEADING.match(line)
        if x:
            title = re.sub(r"<[^>]+>", "", x.group(2)).strip(" *_`")
            if title:
                heads.append((i, int(x.group(1)), title, i + 1))
    sections = []
    for n, (i, level, title, body_start) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        body = "\n".join(lines[body_start:end])
        sections.append(
            Section(title, level, first_line + i, first_line + end - 1, body,
                    body_line=first_line + body_start)
        )
    return tuple(sections)


def _setext_title(line: str) -> bool:
    """True when ``line`` can be the text of a Setext heading (plain paragraph text)."""
    stripped = line.strip()
    return bool(stripped) and not line.startswith("    ") and _NOT_SETEXT.match(stripped) is None


@lru_cache(maxsize=64)
def parse_card(text: str, path: str = "README.md") -> Card:
    """Parse a card's text. Problems are recorded on the result, never raised.

    Cached: a source and the evidence both read the same cards (the subject's, every
    ancestor's) within one run, and a Card is never modified after parsing.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return Card(path, text, {}, "empty", "the card is empty", 1)
    match = FRONT_MATTER.match(text)
    if match is None:
        if _OPENING.match(text):
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
    yaml_first_line = (
        match.group(1).count("\n")
        + match.group(1).count("\r")
        - text[: match.end(1)].count("\r\n")
        + 1
    )
    body_start = text.count("\n", 0, match.end()) + 1
    if match.group(4) == "":
        body_start = text.count("\n") + 2
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
    meta = {str(k): v for k, v in value.items()}
    return Card(path, text, meta, "ok", None, None, key_lines, body_start, sections)
