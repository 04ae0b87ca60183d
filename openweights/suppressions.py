"""Inline suppression comments in a card: ``<!-- owcheck: ignore OW301 -- reason -->``.

The syntax only; applying them is ``openweights/check.py``'s work, judging selectors is the
rules' (``openweights/rules/card.py``, OW110). Each HTML comment is read on its own, from its
``<!--`` to its first ``-->``: a reason never runs past its comment, and two comments on
consecutive lines are two directives. Comments inside fenced code blocks (and inline code
spans) are examples, not directives. A selector is a rule code or a prefix, as ``--select``
takes them (``OW4`` covers every OW4xx rule), separated by commas or spaces; the reason follows
``--``. A comment that starts with ``owcheck`` but does not read as a directive is kept as a
problem, so that a typo is reported instead of silently ignored.

One linear pass over the card; cached, because the check and OW110 both read it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from openweights.card import fenced_blocks, newline_offsets
from openweights.patterns import lazy
from openweights.records import record

_DIRECTIVE = lazy(r"(?is)^owcheck\b\s*(?P<colon>:?)\s*(?P<verb>[\w-]*)(?P<rest>.*)$")
_SELECTOR = lazy(r"(?i)^(?:ALL|[A-Z]{1,4}[0-9]{0,4})$")
VERBS = ("ignore",)
"""The directives there are."""


@record
class Suppression:
    """One ``owcheck: ignore`` directive, as written."""

    selectors: tuple[str, ...]
    """Rule codes or prefixes it names, upper-cased (``OW301``, ``OW4``)."""
    line: int
    """1-based line of the comment in the card."""
    reason: str
    """Why, as written after ``--`` (may be empty)."""


@record
class Problem:
    """A comment meant as a directive that does not read as one."""

    line: int
    """1-based line of the comment in the card."""
    message: str
    """What is wrong, in one line."""


@record
class Directives:
    """Every directive of a card and every malformed one."""

    suppressions: tuple[Suppression, ...]
    """Well-formed ``ignore`` directives, in card order."""
    problems: tuple[Problem, ...]
    """Comments that start with ``owcheck`` but are not well-formed directives."""


class _CodeSpans:
    """Whether offsets (visited in increasing order) sit inside an inline code span on their
    line (an odd number of backticks before them). Backticks are counted once, from the last
    offset asked: many comments on one long line cost linear time, not quadratic."""

    def __init__(self, text: str, newlines: Sequence[int]) -> None:
        self.text = text
        self.newlines = newlines
        self.line_start = -1
        self.counted_to = 0
        self.ticks = 0

    def inside(self, start: int) -> bool:
        """True when ``start`` is inside a code span."""
        index = bisect_right(self.newlines, start - 1)
        line_start = self.newlines[index - 1] + 1 if index else 0
        if line_start != self.line_start:
            self.line_start, self.counted_to, self.ticks = line_start, line_start, 0
        self.ticks += self.text.count("`", self.counted_to, start)
        self.counted_to = start
        return self.ticks % 2 == 1


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _read(body: str, line: int) -> Suppression | Problem | None:
    """The directive in one comment's body, a problem, or None when it is not meant for us."""
    m = _DIRECTIVE().match(body.strip())
    if m is None:
        return None
    written = _shown(body.strip())
    verb = m.group("verb").lower()
    if not m.group("colon") or verb not in VERBS:
        return Problem(line, f"'{written}' is not a directive; write "
                             "'owcheck: ignore CODE -- reason'")
    codes, _, reason = m.group("rest").partition("--")
    selectors = [s for s in re.split(r"[\s,]+", codes.strip()) if s]
    if not selectors:
        return Problem(line, f"'{written}' names no rule to ignore")
    odd = [s for s in selectors if not _SELECTOR().match(s)]
    if odd:
        return Problem(line, f"'{written}': {odd[0]!r} is not a rule code or prefix "
                             "(put the reason after --)")
    return Suppression(tuple(s.upper() for s in selectors), line, reason.strip())


@lru_cache(maxsize=64)
def parse_directives(text: str) -> Directives:
    """Every owcheck directive in a card's text, with the malformed ones."""
    code = fenced_blocks(text)
    starts = [s for s, _ in code]
    newlines = newline_offsets(text)
    spans = _CodeSpans(text, newlines)
    suppressions: list[Suppression] = []
    problems: list[Problem] = []
    pos = 0
    while (start := text.find("<!--", pos)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break  # an unclosed comment: nothing after it is a comment either
        pos = end + 3
        i = bisect_right(starts, start) - 1
        if (i >= 0 and start < code[i][1]) or spans.inside(start):
            continue
        found = _read(text[start + 4 : end], bisect_right(newlines, start - 1) + 1)
        if isinstance(found, Suppression):
            suppressions.append(found)
        elif isinstance(found, Problem):
            problems.append(found)
    return Directives(tuple(suppressions), tuple(problems))
