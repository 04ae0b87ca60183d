"""Rendering of the license catalogue for ``owcheck licenses`` and ``owcheck license ID``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from openweights.formats.layout import fold, table, wrap
from openweights.licensing.catalogue import LicenseEntry, load_catalogue
from openweights.licensing.features import FLAGS, Cell, Freedom
from openweights.licensing.grader import GradingContext, grade_license, verdicts_by_modality
from openweights.rules import Rule

if TYPE_CHECKING:
    from openweights.licensing.identify import Identification

SHORT = {
    Cell.GRANTED: "G",
    Cell.LIMITED: "L",
    Cell.DENIED: "D",
    Cell.UNKNOWN: "?",
    Cell.ABSENT: "-",
}


IDENTIFIED_BY = {"text": "T", "title": "t", "none": "-"}
"""How ``owcheck identify`` can recognise an entry: its reference text was fingerprinted
(word for word: ``match`` or ``modified``), only its title is known (at most ``named``), or
neither."""


def identified_by(entry: LicenseEntry, fingerprinted: frozenset[str]) -> str:
    """``text``, ``title`` or ``none`` (see ``IDENTIFIED_BY``)."""
    if entry.id in fingerprinted:
        return "text"
    return "title" if entry.markers else "none"


def _fingerprinted() -> frozenset[str]:
    from openweights.licensing.identify import fingerprinted_ids  # lazy: reads fingerprints

    return fingerprinted_ids()


def catalogue_json() -> list[dict[str, Any]]:
    """Every entry: id, name, ids, verdict (and per modality), freedoms, how it is identified."""
    out = []
    fingerprinted = _fingerprinted()
    for entry in load_catalogue():
        g = grade_license(entry)
        out.append(
            {
                "id": entry.id,
                "name": entry.name,
                "kind": entry.kind,
                "hub_id": entry.hub_id,
                "spdx": entry.spdx,
                "verdict": g.verdict.value,
                "verdict_by_modality": {m: v.value for m, v in verdicts_by_modality(entry).items()},
                "freedoms": {f.value: g.freedoms[f].cell.value for f in Freedom},
                "verification": entry.verification,
                "identified_by": identified_by(entry, fingerprinted),
            }
        )
    return out


def catalogue_text(width: int = 80) -> str:
    """A table of the catalogue, one row per license, within ``width`` (names wrap)."""
    rows = [("id", "verdict", "U S M H", "X", "name")]
    fingerprinted = _fingerprinted()
    for entry in load_catalogue():
        g = grade_license(entry)
        marks = " ".join(SHORT[g.freedoms[f].cell] for f in Freedom)
        split = {m: v.value for m, v in verdicts_by_modality(entry).items()
                 if v is not g.verdict}
        note = "".join(f"[{m}: {v}] " for m, v in split.items())
        known = IDENTIFIED_BY[identified_by(entry, fingerprinted)]
        rows.append((entry.id, g.verdict.value, marks, known, note + entry.name))
    lines = table(rows, width, flexible=-1, gap=1)
    lines.append("")
    lines += wrap("U S M H = use, study, modify, share: G granted, L limited, D denied, "
                  "? unknown", width)
    lines += wrap("X = identified in a LICENSE text by: T its words (owcheck holds a "
                  "fingerprint of the text), t its title only (no text to compare: at most "
                  "named), - neither", width, "", "    ")
    return "\n".join(lines) + "\n"


def identify_json(path: str, result: Identification) -> dict[str, Any]:
    """``owcheck identify --format json``: the file and its identification (``license`` is
    an id only for a match of one license; ``closest`` for a modified text)."""
    return {"file": path, **result.as_dict()}


def identify_text(path: str, result: Identification, diff: bool) -> str:
    """``owcheck identify``: one line, and with ``diff`` the word diff of a modified text."""
    out = f"{path}: {result.describe()}\n"
    if diff and result.status == "modified":
        shown = result.diff_text(path)
        out += (shown + "\n") if shown else ""
    return out


def license_json(entry: LicenseEntry, modality: str | None) -> dict[str, Any]:
    """One entry graded, with every feature and its effect."""
    g = grade_license(entry, GradingContext(modality=modality))
    return {
        "id": entry.id,
        "name": entry.name,
        "kind": entry.kind,
        "hub_id": entry.hub_id,
        "spdx": entry.spdx,
        "url": entry.url,
        "osi_approved": entry.osi_approved,
        "fsf_free": entry.fsf_free,
        "revision_date": entry.revision_date,
        "verification": entry.verification,
        "identified_by": identified_by(entry, _fingerprinted()),
        "modality": modality,
        "verdict": g.verdict.value,
        "verdict_by_modality": {m: v.value for m, v in verdicts_by_modality(entry).items()},
        "freedoms": {
            f.value: {
                "cell": g.freedoms[f].cell.value,
                "decided_by": [
                    {
                        "flag": fe.feature.flag,
                        "clause": fe.feature.clause,
                        "summary": fe.feature.summary,
                    }
                    for fe in g.freedoms[f].decisive
                ],
            }
            for f in Freedom
        },
        "features": [
            {
                "flag": ft.flag,
                "freedom": FLAGS[ft.flag].freedom.value,
                "clause": ft.clause,
                "summary": ft.summary,
                "params": dict(ft.params),
                "scope": dict(ft.scope),
            }
            for ft in entry.features
        ],
        "notes": entry.notes,
    }


def license_text(entry: LicenseEntry, modality: str | None, width: int = 80) -> str:
    """One entry as a readable grid within ``width``: per freedom, its mark and the clauses
    behind it, each with our paraphrase."""
    g = grade_license(entry, GradingContext(modality=modality))
    lines = wrap(f"{entry.name} ({entry.id})", width)
    ids = [
        f"hub: {entry.hub_id}" if entry.hub_id else "hub: via license: other",
        f"spdx: {entry.spdx}" if entry.spdx else None,
        f"OSI approved: {'yes' if entry.osi_approved else 'no'}",
        f"text checked: {entry.verification}",
    ]
    lines += wrap(" · ".join(i for i in ids if i), width, "  ")
    how = {
        "text": "identified in LICENSE files word for word (owcheck holds its fingerprint)",
        "title": "identified in LICENSE files by its title only (no reference text: named)",
        "none": "not identified in LICENSE files (no reference text, no title)",
    }
    lines += wrap(how[identified_by(entry, _fingerprinted())], width, "  ")
    if entry.url:
        lines += fold(f"  {entry.url}", width, "  ")
    ctx = f" for {modality} models" if modality else ""
    verdict = f"verdict{ctx}: {g.verdict.value}"
    split = verdicts_by_modality(entry)
    if split and not modality:
        verdict += "  (" + ", ".join(f"{m}: {v.value}" for m, v in split.items()) + ")"
    lines += ["", *wrap(verdict, width)]
    hang = " " * 17
    for freedom in Freedom:
        fg = g.freedoms[freedom]
        lines += ["", f"{freedom.value.upper():<7} {fg.cell.value}"]
        shown = [ft for ft in entry.features if FLAGS[ft.flag].freedom is freedom]
        for ft in shown:
            label = FLAGS[ft.flag].label
            scope = (
                f" [only {', '.join(ft.scope['modalities'])}]" if ft.scope.get("modalities") else ""
            )
            lines += wrap(f"{ft.clause:<14} {label}{scope}", width, "  ", hang)
            lines += wrap(ft.summary, width, hang)
        if not shown:
            lines += wrap("(nothing in the license speaks to this)", width, "  ")
    if entry.notes:
        lines += ["", *wrap(f"notes: {entry.notes}", width)]
    return "\n".join(lines) + "\n"


def rules_text(rules: Iterable[Rule], width: int = 80) -> str:
    """Every rule, one row each: code, name, severity, summary (wrapping within ``width``)."""
    rows = [(r.code, r.name, r.severity.value, r.summary) for r in rules]
    return "\n".join(table(rows, width, flexible=-1)) + "\n"


def rule_text(rule: Rule, width: int = 80) -> str:
    """One rule's documentation within ``width``: prose paragraphs wrapped, the ``Fails::`` and
    ``Passes::`` examples kept as written (a line longer than the width is folded)."""
    head = f"{rule.code} {rule.name} ({rule.severity.value}"
    head += f", {rule.component})" if rule.component else ")"
    lines = [*wrap(head, width), ""]
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            lines.extend(wrap(" ".join(paragraph), width))
            paragraph.clear()

    for line in rule.doc.splitlines():
        if line.startswith("    ") or not line.strip():
            flush()
            lines.extend(fold(line.rstrip(), width, "    ") if line.strip() else [""])
        else:
            paragraph.append(line.strip())
    flush()
    lines.append("")
    lines += wrap(f"Fix: {rule.fix}", width, "", "     ")
    lines += fold(f"Docs: {rule.url}", width, "      ")
    return "\n".join(lines) + "\n"
