"""License values written as SPDX expressions: ``MIT OR Apache-2.0``, ``Apache-2.0 AND
CC-BY-4.0``, ``Apache-2.0 WITH LLVM-exception``.

Each id in an expression is read against the catalogue, and the expression is reduced to one
entry, the one whose terms decide what a user may do:

- ``A OR B``: the user may take either, so the **most open** alternative the catalogue knows
  (an unknown alternative cannot be chosen on faith);
- ``A AND B``: both bind at once, so the **least open** of them, and unknown as soon as one
  part is unknown (its terms apply too, and nobody can say what they are);
- ``A WITH exception``: the license ``A`` (an exception only adds permissions, so ``A`` is the
  cautious reading).

``license-expression`` parses; it is imported only when a value reads as an expression (has
``OR``/``AND``/``WITH`` or parentheses), so a card with plain ids never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openweights.licensing.catalogue import Catalogue, LicenseEntry
from openweights.patterns import lazy
from openweights.records import record

_OPERATOR = lazy(r"(?i)\s(?:or|and|with)\s|[()]")


@record
class Reading:
    """What an expression comes to."""

    entry: LicenseEntry | None
    """The entry that decides (see the module's rules), or None when that is unknown."""
    named: tuple[str, ...]
    """Every license id the expression names, as written."""
    known: tuple[str, ...]
    """The catalogue ids of the named licenses the catalogue knows."""


class ExpressionError(ValueError):
    """A value that looks like an expression but does not parse; the message says why."""


def is_expression(text: str) -> bool:
    """True when ``text`` has an operator or parentheses, so it is read as an expression."""
    return bool(_OPERATOR().search(f" {text.strip()} "))


def read_expression(
    text: str, catalogue: Catalogue, rank: Callable[[LicenseEntry], int]
) -> Reading:
    """Reduce the expression ``text`` to one entry; ``rank`` orders entries, less open higher.

    ExpressionError when ``text`` does not parse as an SPDX expression.
    """
    import license_expression

    try:
        tree = license_expression.Licensing().parse(text)
    except license_expression.ExpressionError as exc:
        raise ExpressionError(f"{text!r} is not a license expression: {exc}") from None
    if tree is None:
        raise ExpressionError(f"{text!r} is empty")
    named: list[str] = []
    known: list[str] = []

    def walk(node: Any) -> LicenseEntry | None:
        if isinstance(node, license_expression.LicenseWithExceptionSymbol):
            return walk(node.license_symbol)
        if isinstance(node, license_expression.LicenseSymbol):
            named.append(str(node.key))
            entry = catalogue.resolve(str(node.key))
            if entry is not None:
                known.append(entry.id)
            return entry
        parts = [walk(arg) for arg in node.args]
        if isinstance(node, license_expression.OR):
            choices = [p for p in parts if p is not None]
            return min(choices, key=rank) if choices else None
        if any(p is None for p in parts):
            return None  # AND with an unknown part: its terms bind too
        return max((p for p in parts if p is not None), key=rank)

    entry = walk(tree)
    return Reading(entry, tuple(dict.fromkeys(named)), tuple(dict.fromkeys(known)))
