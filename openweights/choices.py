"""Every closed set of values owcheck takes or gives, defined once.

The command line (its option types), the configuration parser, the pre-commit hook, the
GitHub Action and the report all derive their choices from these enums; nothing else lists
grade letters, tiers, severities, formats or colour modes. The license-level sets live with
the license grader: ``Verdict`` in ``openweights/licensing/grader.py``, ``Freedom`` and
``Cell`` in ``openweights/licensing/features.py``.

Each member is a ``str`` equal to its value (``Letter.A == "A"``), prints as its value, and
serialises to JSON as its value, so reports and messages stay plain text. Importing this
module costs nothing: it is on the pre-commit path. ``parse`` reads a value in any case: every
door accepts ``--fail-under c`` and ``--format JSON``.
"""

from __future__ import annotations

import enum
from typing import TypeVar

_C = TypeVar("_C", bound="Choice")


class Choice(str, enum.Enum):
    """A closed set of strings; members print and compare as their values."""

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Every value, in definition order."""
        return tuple(member.value for member in cls)

    @classmethod
    def parse(cls: type[_C], text: str) -> _C:
        """The member ``text`` names, in any case (``c`` is ``C``, ``JSON`` is ``json``);
        ValueError, saying what is allowed, otherwise."""
        wanted = text.strip().casefold()
        for member in cls:
            if member.value.casefold() == wanted:
                return member
        raise ValueError(f"must be {cls.spelled()}, not {text!r}")

    @classmethod
    def metavar(cls) -> str:
        """The values for a usage line: ``[text|json|sarif]``."""
        return "[" + "|".join(cls.values()) + "]"

    @classmethod
    def spelled(cls) -> str:
        """The values for a message: ``A, B, C, D or F``."""
        *head, last = cls.values()
        return f"{', '.join(head)} or {last}" if head else last


class Tier(Choice):
    """How open a model is, most open first (the grade letter's name)."""

    FULLY_OPEN = "fully-open"
    OPEN_SOURCE_AI = "open-source-ai"
    OPEN_WEIGHTS = "open-weights"
    RESTRICTED_WEIGHTS = "restricted-weights"
    NOT_OPEN = "not-open"


class Letter(Choice):
    """The grade letter, best first; gates (``--fail-under``) and badges use it."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    F = "F"

    @property
    def tier(self) -> Tier:
        """The tier this letter stands for."""
        return _TIERS[self]

    @property
    def rank(self) -> int:
        """0 for A, higher for worse grades."""
        return list(Letter).index(self)

    def at_least(self, threshold: Letter | str) -> bool:
        """True when this grade is as good as ``threshold`` or better (A best)."""
        return self.rank <= Letter(threshold).rank


_TIERS = {
    Letter.A: Tier.FULLY_OPEN,
    Letter.B: Tier.OPEN_SOURCE_AI,
    Letter.C: Tier.OPEN_WEIGHTS,
    Letter.D: Tier.RESTRICTED_WEIGHTS,
    Letter.F: Tier.NOT_OPEN,
}


class Severity(Choice):
    """How bad a finding is; ``--fail-on`` gates on it."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Format(Choice):
    """Report formats of ``owcheck TARGET`` (renderers in ``openweights/formats/``)."""

    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    GITHUB = "github"
    CYCLONEDX = "cyclonedx"
    SPDX = "spdx"


class DiffFormat(Choice):
    """Formats of ``owcheck diff`` (renderers in ``openweights/formats/diff.py``)."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


class ListFormat(Choice):
    """Formats of the catalogue commands (``licenses``, ``license``, ``identify``, ``rules``)."""

    TEXT = "text"
    JSON = "json"


class BatchFormat(Choice):
    """Formats of ``owcheck batch`` results: JSON lines, or Parquet rows (formats/parquet.py)."""

    JSONL = "jsonl"
    PARQUET = "parquet"


class BadgeFormat(Choice):
    """Badge formats: a shields.io endpoint document or a self-contained SVG."""

    JSON = "json"
    SVG = "svg"


class ColorMode(Choice):
    """When the text scorecard gets ANSI colours."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class SourceChoice(Choice):
    """Where a target is read from: ``auto`` takes an existing path, else a Hub repo id."""

    AUTO = "auto"
    LOCAL = "local"
    HUB = "hub"
