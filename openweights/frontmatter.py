"""Front matter in the plain block YAML nearly every model card is written in, read without PyYAML.

``read_simple`` reads one subset of YAML: block mappings and sequences indented with spaces,
keys on one line each; plain scalars (over several lines too, without blank or comment lines
among them); single- and double-quoted scalars (over several lines too; the usual escapes);
literal and folded block scalars (``|``, ``|-``, ``>``, ``>-``, their indentation that of
their first line); one-line flow sequences of scalars (``[a, "b", 3]``); the empty flow
mapping ``{}``; comments and blank lines. It gives exactly what the full reader
(``openweights/yamlplain.py``, libyaml or PyYAML's own scanner, with our constructors) gives
for such a block, the value and the line of every key path, and declines (returns None)
anything else, so that the caller asks the full reader: anchors, aliases, tags, other block
scalar headers, other flow collections, complex and merge keys, directives and document
markers, tabs, carriage returns and characters YAML does not allow, duplicate keys, and every
scalar the YAML 1.1 resolver reads as other than a string, a decimal int, a float with a dot,
a boolean or null (dates, sexagesimal, octal, hexadecimal and binary numbers, ``.inf``,
``.nan``, ``<<``, ``=``). Numbers longer than ``_MAX_NUMBER`` characters, very long keys and
blocks near the full reader's size and depth limits are declined too: the full reader decides
what becomes of them.

Importing this module imports no YAML library: a card in the subset is read without one, which
is most of the start-up time the pre-commit path saves (``benchmarks/bench_check.py``).

One pass over the lines, with an explicit stack (no recursion), and every scan of a line moves
forward only: linear in the size of the block.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from openweights.patterns import lazy

MAX_YAML_NODES = 50_000
"""Front matter that expands to more nodes than this (an alias bomb) is refused."""
MAX_YAML_DEPTH = 200
"""Front matter nested deeper than this is refused."""
MAX_NUMBER_DIGITS = 4300
"""A YAML number written with more characters than this is refused (Python's own int limit)."""

KeyPath: TypeAlias = tuple[str | int, ...]
"""A path into the metadata: ``("license",)``, ``("openness", "code", 0, "url")``."""

# Well inside the full reader's limits, so that a block near them is left to the full reader.
_MAX_NODES = MAX_YAML_NODES // 2
_MAX_DEPTH = MAX_YAML_DEPTH // 4
_MAX_NUMBER = 100
# libyaml refuses a key longer than 1024 characters; the full reader reports that.
_MAX_KEY = 1000

# Characters outside YAML's printable set, and those YAML reads as line breaks (NEL, LS, PS),
# tabs, carriage returns and byte order marks: any of them and the block is declined. Written as
# the characters refused (the complement of the printable set but the newline): compiled in
# 0.4 ms, where the printable set's negation takes 3 ms (tests/test_frontmatter.py compares
# the two over every code point).
_UNSUPPORTED_CHARACTER = lazy(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
# Where a plain scalar inside a flow sequence may end (or something we do not read starts).
# libyaml and PyYAML's own scanner differ on "?" there: it is declined.
_FLOW_STOP = lazy(r"[,\[\]{}#:?]")
# What may follow a ":" inside a plain scalar in a flow sequence (a URL's "https://"): not a
# blank, the line's end, or a character after which either scanner ends or refuses the scalar.
_AFTER_FLOW_COLON = frozenset(" ,?[]{}")

_BOOLEANS = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
"""The YAML 1.1 booleans, in exactly the spellings PyYAML's resolver accepts."""
_NULLS = frozenset(("~", "null", "Null", "NULL"))
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_NUMBER_START = frozenset("-+.0123456789")
# A scalar starting with one of these is an indicator or a reserved character, never plain.
_NOT_PLAIN = frozenset("-?:,[]{}#&*!|>'\"%@`")
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}
"""Double-quoted escapes of one character and what they stand for."""
_CODE_ESCAPES = {"x": 2, "u": 4, "U": 8}
"""Escapes by code point, and how many hex digits follow them."""


class _Decline(Exception):
    """The block is outside the subset; the reason is for tests and curious readers."""


def plain_key(key: Any) -> str:
    """A mapping key as the string the Hub's YAML reader would make of it."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (int, float)):
        return str(key)
    raise TypeError(f"a key must be a plain value, not a {type(key).__name__}")


def read_simple(block: str, base_line: int) -> tuple[Any, dict[KeyPath, int]] | None:
    """``block`` read as the full reader would, ``(value, key lines)``, or None when it is
    outside the subset (see the module docstring). Never raises."""
    try:
        return _read(block, base_line)
    except _Decline:
        return None
    except Exception:  # a flaw here must not cost a card its metadata: the full reader answers
        return None


def decline_reason(block: str) -> str | None:
    """Why ``read_simple`` declines ``block``, or None when it reads it. An error other than
    a decline (a flaw, which ``read_simple`` hides) is raised: the tests look for them."""
    try:
        _read(block, 1)
    except _Decline as exc:
        return str(exc)
    return None


# --- scalars --------------------------------------------------------------------------------


def _resolve(raw: str) -> Any:
    """A plain scalar (one line, no surrounding spaces) as PyYAML's safe loader reads it."""
    first = raw[0]
    if first in "yYnNtTfFoO":
        if raw in _BOOLEANS:
            return _BOOLEANS[raw]
        return None if raw in _NULLS else raw
    if first == "~":
        return None if raw == "~" else raw
    if raw in ("<<", "="):
        raise _Decline(f"the plain scalar {raw!r} (merge or value tag)")
    if first in _NUMBER_START:
        return _number(raw)
    return raw


def _number(raw: str) -> Any:
    """A plain scalar starting like a number: an int, a float, the text, or declined.

    Every int, float and timestamp form of the YAML 1.1 resolver, after its sign, starts with a
    digit or a dot and is either ``0b``/``0x`` digits, a date (four digits and a dash), or of
    the shape digits-underscores-colons, then maybe a dot and digits-underscores, then maybe an
    exponent with a sign. Text of no such shape is a string; of that shape, only decimal ints
    and floats with a dot (underscores allowed) are read here, the rest declined.
    """
    body = raw[1:] if raw[0] in "+-" else raw
    if not body or body[0] == ".":
        raise _Decline(f"the plain scalar {raw[:40]!r} (a sign alone, .inf, .nan or .5)")
    if body[0] not in _DIGITS:
        return raw
    if body[:2] in ("0b", "0x"):
        raise _Decline(f"the plain scalar {raw[:40]!r} (binary or hexadecimal)")
    if len(body) > 4 and body[4] == "-" and all(c in _DIGITS for c in body[:4]):
        raise _Decline(f"the plain scalar {raw[:40]!r} (maybe a date)")
    end, size = 0, len(body)
    while end < size and (body[end] in _DIGITS or body[end] in "_:"):
        end += 1
    dotted = end < size and body[end] == "."
    if dotted:
        end += 1
        while end < size and (body[end] in _DIGITS or body[end] == "_"):
            end += 1
    exponent = end < size and body[end] in "eE"
    if exponent:
        digits = end + 2
        if digits >= size or body[end + 1] not in "+-":
            return raw
        if not all(c in _DIGITS for c in body[digits:]):
            return raw
        end = size
    if end != size:
        return raw
    if exponent and not dotted:
        return raw  # YAML 1.1 floats need a dot: "1e+5" is text
    if ":" in body:
        raise _Decline(f"the plain scalar {raw[:40]!r} (sexagesimal)")
    if len(raw) > _MAX_NUMBER:
        raise _Decline("a very long number")
    sign = -1 if raw[0] == "-" else 1
    text = body.replace("_", "")  # as PyYAML's constructors do: "1_000" is 1000
    if dotted:
        return sign * float(text)
    if body != "0" and body[0] == "0":
        raise _Decline(f"the plain scalar {raw[:40]!r} (octal)")
    return sign * int(text)


def _single_quoted(line: str, start: int) -> tuple[str, int]:
    """The text of a single-quoted scalar from ``line[start]`` to its closing quote or to the
    line's end, and the index after the closing quote (-1: the line ended first)."""
    parts: list[str] = []
    i = start
    while True:
        close = line.find("'", i)
        if close < 0:
            parts.append(line[i:])
            return "".join(parts), -1
        parts.append(line[i:close])
        if line.startswith("'", close + 1):
            parts.append("'")
            i = close + 2
            continue
        return "".join(parts), close + 1


def _double_quoted(line: str, start: int) -> tuple[str, int]:
    """The same for a double-quoted scalar, its escapes read."""
    parts: list[str] = []
    i = start
    close = -1
    while True:
        if close < i:  # the quote found last was escaped: find the next one
            close = line.find('"', i)
            if close < 0:
                close = len(line)
        slash = line.find("\\", i, close)
        if slash < 0:
            parts.append(line[i:close])
            return "".join(parts), close + 1 if close < len(line) else -1
        parts.append(line[i:slash])
        code = line[slash + 1 : slash + 2]
        if code in _ESCAPES:
            parts.append(_ESCAPES[code])
            i = slash + 2
        elif code in _CODE_ESCAPES:
            digits = line[slash + 2 : slash + 2 + _CODE_ESCAPES[code]]
            if len(digits) != _CODE_ESCAPES[code] or not all(c in _HEX for c in digits):
                raise _Decline("a malformed escape")
            point = int(digits, 16)
            if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
                raise _Decline("an escape of no character")
            parts.append(chr(point))
            i = slash + 2 + len(digits)
        else:
            raise _Decline(f"the escape \\{code!s} (or an escaped line break)")


def _quoted(line: str, start: int) -> tuple[str, int]:
    """The quoted scalar opening at ``line[start]``, closed on its line, and the index after."""
    scan = _single_quoted if line[start] == "'" else _double_quoted
    text, end = scan(line, start + 1)
    if end < 0:
        raise _Decline("a quoted scalar over several lines here")
    return text, end


def _plain_end(line: str, start: int) -> tuple[int, bool]:
    """Where a plain scalar in block context starting at ``start`` ends, and whether a ``:``
    (a key's) ends it rather than a comment or the line's end."""
    colon = line.find(": ", start)
    if colon < 0 and line.endswith(":") and len(line) - 1 >= start:
        colon = len(line) - 1
    comment = line.find(" #", start)
    if comment >= 0 and (colon < 0 or comment < colon):
        return comment, False
    if colon >= 0:
        return colon, True
    return len(line), False


def _skip_spaces(line: str, i: int) -> int:
    size = len(line)
    while i < size and line[i] == " ":
        i += 1
    return i


def _line_end(line: str, i: int) -> None:
    """Only spaces and a comment (after a space) may follow a value."""
    j = _skip_spaces(line, i)
    if j < len(line) and not (line[j] == "#" and j > i):
        raise _Decline("something after a value")


def _flow_sequence(line: str, start: int) -> tuple[list[Any], int]:
    """The one-line flow sequence of scalars opening at ``line[start]``, and the index after
    its ``]``."""
    items: list[Any] = []
    i = _skip_spaces(line, start + 1)
    size = len(line)
    if i < size and line[i] == "]":
        return items, i + 1
    stop = _FLOW_STOP()
    while True:
        if i >= size:
            raise _Decline("a flow sequence over several lines")
        char = line[i]
        if char in "'\"":
            value, i = _quoted(line, i)
            items.append(value)
        elif char in _NOT_PLAIN:
            raise _Decline(f"{char!r} in a flow sequence")
        else:
            found = stop.search(line, i)
            while (found and found.group() == ":" and found.end() < size
                   and line[found.end()] not in _AFTER_FLOW_COLON):
                found = stop.search(line, found.end())
            end = found.start() if found else size
            if end < size and line[end] not in ",]":
                raise _Decline(f"{line[end]!r} in a flow sequence")
            items.append(_resolve(line[i:end].rstrip(" ")))
            i = end
        i = _skip_spaces(line, i)
        if i < size and line[i] == ",":
            i = _skip_spaces(line, i + 1)
            if i < size and line[i] == "]":
                raise _Decline("a trailing comma in a flow sequence")
            continue
        if i < size and line[i] == "]":
            return items, i + 1
        raise _Decline("a flow sequence over several lines")


def _value(line: str, start: int) -> tuple[Any, str | None]:
    """The scalar or flow sequence filling ``line`` from ``start`` (not a comment), and its
    text when it is a plain scalar that runs to the line's end (and may go on below)."""
    char = line[start]
    value: Any
    if char == "[":
        value, end = _flow_sequence(line, start)
    elif char == "{":  # only the empty flow mapping: "{}" is how a card says "no metadata"
        end = _skip_spaces(line, start + 1)
        if not line.startswith("}", end):
            raise _Decline("a flow mapping")
        value, end = {}, end + 1
    elif char in "'\"":
        value, end = _quoted(line, start)
    elif char in _NOT_PLAIN and not (char == "-" and line[start + 1 : start + 2] not in ("", " ")):
        raise _Decline(f"a value starting with {char!r}")
    else:
        end, is_key = _plain_end(line, start)
        if is_key:
            raise _Decline("': ' inside a value")
        raw = line[start:end].rstrip(" ")
        return _resolve(raw), raw if end == len(line) else None
    _line_end(line, end)
    return value, None


def _continued(line: str, start: int) -> str:
    """A line going on with the plain scalar above it: its text, or declined."""
    if line[start] in _NOT_PLAIN:
        raise _Decline("a plain scalar going on with an indicator")
    end, _ = _plain_end(line, start)
    if end != len(line):
        raise _Decline("a plain scalar going on with ': ' or a comment")
    return line[start:].rstrip(" ")


def _key(line: str, start: int) -> tuple[str, int] | None:
    """The key of a ``key: ...`` entry at ``start`` and the index after its ``:``, or None when
    the line there is not a mapping entry."""
    char = line[start]
    if char in "'\"":
        key, end = (_single_quoted if char == "'" else _double_quoted)(line, start + 1)
        if end < 0:
            return None  # a quoted value going on below (a key cannot)
        end = _skip_spaces(line, end)
        if line.startswith(":", end) and (end + 1 == len(line) or line[end + 1] == " "):
            if end - start > _MAX_KEY:
                raise _Decline("a very long key")
            return key, end + 1
        return None
    if char in _NOT_PLAIN:
        return None  # a sequence item, a flow sequence, or what no reading here accepts
    end, is_key = _plain_end(line, start)
    if not is_key:
        return None
    if end - start > _MAX_KEY:
        raise _Decline("a very long key")
    return plain_key(_resolve(line[start:end].rstrip(" "))), end + 1


# --- structure ------------------------------------------------------------------------------


class _Node:
    """An open block mapping or sequence: where it is and what it holds so far."""

    __slots__ = ("compact", "indent", "items", "path")

    def __init__(
        self, indent: int, items: dict[str, Any] | list[Any], path: KeyPath, compact: bool
    ) -> None:
        self.indent = indent
        """The column of its keys or dashes."""
        self.items = items
        """The mapping or list being filled."""
        self.path = path
        """Its key path from the root."""
        self.compact = compact
        """A sequence at its parent mapping's own indent (``key:`` then ``- item`` below)."""


_Pending: TypeAlias = tuple[_Node, str | int, int]
"""A key or item left empty on its line: its node, its key or index, and that line."""
_Plain: TypeAlias = tuple["dict[str, Any] | list[Any]", str | int, list[str]]
"""A plain scalar that may go on over the next lines: where it is held, and its lines' text."""


class _Reader:
    """One pass over a block's lines, with the open nodes on a stack."""

    def __init__(self) -> None:
        self.lines: dict[KeyPath, int] = {}
        self.stack: list[_Node] = []
        self.nodes = 0
        self.plain: _Plain | None = None
        """The plain scalar the last line ended with, which the next lines may go on with."""
        self.text_lines: list[str] = []
        self.index = 0
        """The next line to read (a block scalar reads ahead)."""

    def read(self, block: str, base_line: int) -> tuple[Any, dict[KeyPath, int]]:
        bad = _UNSUPPORTED_CHARACTER().search(block)
        if bad is not None:
            raise _Decline(f"the character {bad.group()!r}")
        stack = self.stack
        root: dict[str, Any] | list[Any] | None = None
        pending: _Pending | None = None
        gap = False  # blank or comment lines since the last line read
        self.text_lines = block.split("\n")
        while self.index < len(self.text_lines):
            line = self.text_lines[self.index]
            number = base_line + self.index
            self.index += 1
            start = _skip_spaces(line, 0)
            if start == len(line) or line[start] == "#":
                gap = True
                continue
            if start == 0 and line.startswith(("---", "...", "%")):
                raise _Decline("a document marker or directive")
            if self.plain is not None:
                if start > stack[-1].indent:
                    if gap:
                        raise _Decline("a plain scalar going on after a blank or comment line")
                    self.plain[2].append(_continued(line, start))
                    continue
                self._close_plain()
            gap = False
            item = line.startswith("- ", start) or (len(line) == start + 1 and line[start] == "-")
            if pending is not None:
                settled = self._settle(pending, line, start, item, number)
                pending = None
                if settled:
                    continue
            elif not stack:
                if root is not None:
                    raise _Decline("a second node after the root")
                if line[start] == "{":
                    root = _value(line, start)[0]
                    continue
                if not item and _key(line, start) is None:
                    raise _Decline("a scalar at the root")
                root = [] if item else {}
                stack.append(_Node(start, root, (), False))
            while stack and stack[-1].indent > start:
                stack.pop()
            if not stack or stack[-1].indent != start:
                raise _Decline("an indentation that matches no open node")
            top = stack[-1]
            if isinstance(top.items, list) and not item and top.compact:
                stack.pop()
                top = stack[-1]
            self.nodes += 2
            if self.nodes > _MAX_NODES:
                raise _Decline("many nodes")
            if item:
                pending = self._sequence_item(line, start, number, top)
            else:
                pending = self._mapping_entry(line, start, number, top)
        if pending is not None:
            owner, slot, slot_line = pending
            if isinstance(slot, int):
                self.lines.setdefault((*owner.path, slot), slot_line)
        self._close_plain()
        return root, self.lines

    def _close_plain(self) -> None:
        """Resolve the plain scalar over several lines, folded: one space for each break."""
        if self.plain is not None:
            items, slot, parts = self.plain
            self.plain = None
            if len(parts) > 1:
                items[slot] = _resolve(" ".join(parts))  # type: ignore[index]

    def _settle(self, pending: _Pending, line: str, start: int, item: bool, number: int) -> bool:
        """The empty key or item before ``line``: null, the node ``line`` opens, or the plain
        scalar ``line`` holds (then True: the line is read)."""
        owner, slot, slot_line = pending
        nested = start > owner.indent or (
            item and start == owner.indent and isinstance(owner.items, dict)
        )
        if not nested:
            if isinstance(slot, int):
                self.lines.setdefault((*owner.path, slot), slot_line)
            return False
        if len(self.stack) > _MAX_DEPTH:
            raise _Decline("deep nesting")
        if not item and _key(line, start) is None:
            text = _continued(line, start)
            owner.items[slot] = _resolve(text)  # type: ignore[index]
            if isinstance(slot, int):
                self.lines.setdefault((*owner.path, slot), number)
            self.plain = (owner.items, slot, [text])
            return True
        items: dict[str, Any] | list[Any] = [] if item else {}
        node = _Node(start, items, (*owner.path, slot), start == owner.indent)
        if isinstance(owner.items, dict):
            assert isinstance(slot, str)
            owner.items[slot] = items
        else:
            assert isinstance(slot, int)
            owner.items[slot] = items
            self.lines.setdefault(node.path, number)
        self.stack.append(node)
        return False

    def _value(
        self, node: _Node, slot: str | int, line: str, start: int, path: KeyPath, number: int,
    ) -> Any:
        """The value filling the line from ``start``; a flow sequence's items get its line."""
        if line[start] in "|>":
            return self._block_scalar(line, start, node.indent)
        if line[start] in "'\"":
            return self._quoted(line, start)
        value, plain = _value(line, start)
        if plain is not None:
            self.plain = (node.items, slot, [plain])
        if isinstance(value, list):
            self.nodes += len(value)
            if self.nodes > _MAX_NODES:
                raise _Decline("many nodes")
            for index in range(len(value)):
                self.lines.setdefault((*path, index), number)
        return value

    def _quoted(self, line: str, start: int) -> str:
        """The quoted scalar opening at ``line[start]``, read over as many lines as it takes,
        folded as YAML folds it: the spaces around each line break dropped, a single break
        read as a space, ``n`` breaks in a row (blank lines between) as ``n - 1`` newlines."""
        scan = _single_quoted if line[start] == "'" else _double_quoted
        # Spaces before a line break are dropped: a quote that closes on the line is not
        # among them, so reading the line without them finds it all the same.
        text, end = scan(line.rstrip(" "), start + 1)
        parts = [text]
        lines, i = self.text_lines, self.index
        breaks = 0
        while end < 0:
            if i == len(lines):
                raise _Decline("a quoted scalar that never closes")
            line = lines[i]
            i += 1
            if line.startswith(("---", "...")):
                raise _Decline("a document marker inside a quoted scalar")
            begin = _skip_spaces(line, 0)
            if begin == len(line):
                breaks += 1
                continue
            parts.append("\n" * breaks if breaks else " ")
            breaks = 0
            text, end = scan(line.rstrip(" "), begin)
            parts.append(text)
        self.index = i
        _line_end(line, end)
        return "".join(parts)

    def _block_scalar(self, line: str, start: int, parent: int) -> str:
        """The literal (``|``) or folded (``>``) scalar whose header is at ``line[start]``,
        clipped or stripped (``-``), read from the lines below it, as libyaml reads it.

        Its indentation is that of its first line, which must hold text, deeper than the
        ``parent`` node's; it ends before the first line with text less indented, or at the
        block's end (no line break follows the block's last line: clipping adds none there).
        """
        folded = line[start] == ">"
        after = start + 1
        strip = line.startswith("-", after)
        after += strip
        end = _skip_spaces(line, after)
        if end < len(line) and not (line[end] == "#" and end > after):
            raise _Decline("a block scalar header with an indentation or keep indicator")
        lines, i = self.text_lines, self.index
        last = len(lines) - 1
        if i > last:
            raise _Decline("a block scalar header on the last line")
        indent = _skip_spaces(lines[i], 0)
        if indent == len(lines[i]) or indent <= parent:
            raise _Decline("a block scalar without text right below its header")
        parts: list[str] = []
        leading_break = trailing_breaks = ""
        leading_blank = False
        while True:  # at the text of line i, at the block scalar's indentation
            text = lines[i]
            trailing_blank = text[indent] == " "
            if folded and leading_break and not leading_blank and not trailing_blank:
                if not trailing_breaks:
                    parts.append(" ")  # a single break between two lines of text folds
            else:
                parts.append(leading_break)
            parts.append(trailing_breaks)
            leading_break = trailing_breaks = ""
            leading_blank = trailing_blank
            parts.append(text[indent:])
            i += 1
            if i > last:
                break
            leading_break = "\n"
            column = -1
            while i <= last:  # lines blank up to the indentation are breaks
                text = lines[i]
                column = _skip_spaces(text[:indent], 0)
                if column < len(text):
                    break
                if i == last:
                    i += 1
                    break
                trailing_breaks += "\n"
                i += 1
            if i > last or column != indent:
                break
        self.index = i
        self.nodes += 1
        if not strip:
            parts.append(leading_break)
        return "".join(parts)

    def _sequence_item(self, line: str, start: int, number: int, node: _Node) -> _Pending | None:
        """Read the item ``- ...`` at ``start`` into ``node``; what waits for the next line."""
        items = node.items
        if not isinstance(items, list):
            raise _Decline("a sequence item where a mapping entry belongs")
        index = len(items)
        items.append(None)
        begin = _skip_spaces(line, start + 1)
        if begin == len(line) or line[begin] == "#":
            return node, index, number
        path = (*node.path, index)
        self.lines.setdefault(path, number)
        if line.startswith("-", begin) and (begin + 1 == len(line) or line[begin + 1] == " "):
            raise _Decline("a sequence inside a sequence item on one line")
        if _key(line, begin) is None:
            items[index] = self._value(node, index, line, begin, path, number)
            return None
        if len(self.stack) > _MAX_DEPTH:
            raise _Decline("deep nesting")
        mapping: dict[str, Any] = {}
        items[index] = mapping
        inner = _Node(begin, mapping, path, False)
        self.stack.append(inner)
        return self._mapping_entry(line, begin, number, inner)

    def _mapping_entry(self, line: str, start: int, number: int, node: _Node) -> _Pending | None:
        """Read the entry ``key: ...`` at ``start`` into ``node``; what waits for the next line."""
        items = node.items
        if not isinstance(items, dict):
            raise _Decline("a mapping entry where a sequence item belongs")
        found = _key(line, start)
        if found is None:
            raise _Decline("a line that is not a mapping entry")
        key, after = found
        if key in items:
            raise _Decline(f"the duplicate key {key[:40]!r}")
        path = (*node.path, key)
        self.lines[path] = number
        items[key] = None
        begin = _skip_spaces(line, after)
        if begin == len(line) or line[begin] == "#":
            return node, key, number
        if line.startswith("-", begin) and (begin + 1 == len(line) or line[begin + 1] == " "):
            raise _Decline("a sequence item on its key's line")
        items[key] = self._value(node, key, line, begin, path, number)
        return None


def _read(block: str, base_line: int) -> tuple[Any, dict[KeyPath, int]]:
    return _Reader().read(block, base_line)
