"""Rules: small checks with stable codes. A rule's docstring is its documentation.

Each rule is a function decorated with ``@rule(code, name, severity, component, fix)`` that
looks at the ``Evidence`` and yields ``Hit``s. Its docstring has a one-line summary, a paragraph
of why, and a ``Fails::`` and a ``Passes::`` example (a card, optionally with other files
introduced by ``==> PATH <==`` lines). ``owcheck rules``, ``owcheck explain CODE``, docs/rules.md
and the SARIF rule help all come from that one docstring, and the tests run both examples.

Codes: OW1xx card and metadata, OW2xx weights and license, OW3xx training code, OW4xx training
data, OW5xx lineage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from openweights.choices import Severity
from openweights.evidence import Evidence
from openweights.records import record

__all__ = [
    "DOCS_URL",
    "REGISTRY",
    "Finding",
    "Hit",
    "Rule",
    "Severity",
    "all_rules",
    "iter_codes",
    "rule",
    "run_rules",
]

DOCS_URL = "https://github.com/owcheck/owcheck/blob/main/docs/rules.md"


@record
class Hit:
    """One place where a rule fires."""

    message: str
    """What is wrong, in one line."""
    line: int | None = None
    """1-based line in ``path``."""
    path: str | None = None
    """File in the repo; None means the card."""


@record
class Rule:
    """A registered rule."""

    code: str
    """Stable code, e.g. ``OW201``."""
    name: str
    """Stable kebab-case name, e.g. ``no-license``."""
    severity: Severity
    """Default severity."""
    component: str | None
    """``weights``, ``code``, ``data`` or None (card-level)."""
    fix: str
    """How to fix it, in one line."""
    check: Callable[[Evidence], Iterable[Hit]]
    """The check itself."""

    @property
    def doc(self) -> str:
        """The full documentation (the check's docstring, dedented)."""
        import inspect  # only documentation reads it; a run need not pay the import

        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        """The docstring's first line."""
        return self.doc.splitlines()[0] if self.doc else self.name

    @property
    def url(self) -> str:
        """Link to the rule's documentation."""
        return f"{DOCS_URL}#{self.code.lower()}-{self.name}"

    def examples(self) -> dict[str, str]:
        """The ``Fails::`` and ``Passes::`` example blocks from the docstring, dedented."""
        out: dict[str, str] = {}
        lines = self.doc.splitlines()
        i = 0
        while i < len(lines):
            head = lines[i].strip()
            if head in ("Fails::", "Passes::"):
                block: list[str] = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                    block.append(lines[i][4:] if lines[i].startswith("    ") else "")
                    i += 1
                out[head[:-2].lower()] = "\n".join(block).strip("\n") + "\n"
                continue
            i += 1
        return out


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str, name: str, severity: Severity, component: str | None, fix: str
) -> Callable[[Callable[[Evidence], Iterable[Hit]]], Callable[[Evidence], Iterable[Hit]]]:
    """Register a check under ``code``."""

    def register(fn: Callable[[Evidence], Iterable[Hit]]) -> Callable[[Evidence], Iterable[Hit]]:
        if code in REGISTRY:
            raise ValueError(f"duplicate rule code {code}")
        REGISTRY[code] = Rule(code, name, severity, component, fix, fn)
        return fn

    return register


@record
class Finding:
    """A rule's hit, ready for the report."""

    rule: str
    """Rule code."""
    name: str
    """Rule name."""
    severity: Severity
    """Severity."""
    message: str
    """One-line message."""
    component: str | None
    """Component the finding is about, if any."""
    path: str | None
    """File in the repo."""
    line: int | None
    """1-based line."""
    fix: str
    """How to fix it."""
    url: str
    """Rule documentation link."""
    suppressed: str | None = None
    """The reason given when an inline comment suppresses it; None when active."""


def all_rules() -> dict[str, Rule]:
    """Every rule, by code (imports the rule modules on first use)."""
    from openweights.rules import card, code, data, lineage, weights  # noqa: F401

    return dict(sorted(REGISTRY.items()))


def run_rules(evidence: Evidence, selected: Iterable[str] | None = None) -> list[Finding]:
    """Run the selected rules (all when None) and return their findings in code order."""
    rules = all_rules()
    codes = sorted(set(selected) if selected is not None else rules)
    card_path = evidence.card.path if evidence.card else evidence.bundle.subject.card_path
    out: list[Finding] = []
    for code in codes:
        r = rules[code]
        for hit in r.check(evidence):
            out.append(
                Finding(
                    r.code,
                    r.name,
                    r.severity,
                    hit.message,
                    r.component,
                    hit.path or card_path,
                    hit.line,
                    r.fix,
                    r.url,
                )
            )
    return out


def iter_codes(patterns: Iterable[str]) -> Iterator[str]:
    """Expand selectors (``OW2``, ``OW201``, ``ALL``) into rule codes."""
    rules = all_rules()
    for p in patterns:
        p = p.strip().upper()
        matched = [c for c in rules if p == "ALL" or c.startswith(p)]
        if not matched:
            raise KeyError(p)
        yield from matched
