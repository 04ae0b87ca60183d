"""Rendering of the license catalogue for ``owcheck licenses`` and ``owcheck license ID``."""

from __future__ import annotations

import io
from typing import Any

from openweights.licensing.catalogue import LicenseEntry, load_catalogue
from openweights.licensing.features import FLAGS, Cell, Freedom
from openweights.licensing.grader import GradingContext, grade_license, verdicts_by_modality

SHORT = {
    Cell.GRANTED: "G",
    Cell.LIMITED: "L",
    Cell.DENIED: "D",
    Cell.UNKNOWN: "?",
    Cell.ABSENT: "-",
}


def catalogue_json() -> list[dict[str, Any]]:
    """Every entry: id, name, ids, verdict (and per modality), freedoms."""
    out = []
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
            }
        )
    return out


def catalogue_text() -> str:
    """A table of the catalogue, one line per license, within 100 columns."""
    buf = io.StringIO()
    buf.write(f"{'id':<34} {'verdict':<10} U S M H  name\n")
    for entry in load_catalogue():
        g = grade_license(entry)
        marks = " ".join(SHORT[g.freedoms[f].cell] for f in Freedom)
        split = {m: v.value for m, v in verdicts_by_modality(entry).items()
                 if v is not g.verdict}
        note = "".join(f"[{m}: {v}] " for m, v in split.items())
        name = note + entry.name
        name = name if len(name) <= 43 else name[:40] + "..."
        buf.write(f"{entry.id:<34} {g.verdict.value:<10} {marks}  {name}\n")
    buf.write("\nU S M H = use, study, modify, share: G granted, L limited, D denied, ? unknown\n")
    return buf.getvalue()


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


def license_text(entry: LicenseEntry, modality: str | None) -> str:
    """One entry as a readable grid: per freedom, its mark and the clauses behind it."""
    g = grade_license(entry, GradingContext(modality=modality))
    buf = io.StringIO()
    buf.write(f"{entry.name} ({entry.id})\n")
    ids = [
        f"hub: {entry.hub_id}" if entry.hub_id else "hub: via license: other",
        f"spdx: {entry.spdx}" if entry.spdx else None,
        f"OSI approved: {'yes' if entry.osi_approved else 'no'}",
        f"text checked: {entry.verification}",
    ]
    buf.write("  " + " · ".join(i for i in ids if i) + "\n")
    if entry.url:
        buf.write(f"  {entry.url}\n")
    ctx = f" for {modality} models" if modality else ""
    buf.write(f"\nverdict{ctx}: {g.verdict.value}")
    split = verdicts_by_modality(entry)
    if split and not modality:
        buf.write("  (" + ", ".join(f"{m}: {v.value}" for m, v in split.items()) + ")")
    buf.write("\n")
    for freedom in Freedom:
        fg = g.freedoms[freedom]
        buf.write(f"\n{freedom.value.upper():<7} {fg.cell.value}\n")
        shown = [ft for ft in entry.features if FLAGS[ft.flag].freedom is freedom]
        for ft in shown:
            label = FLAGS[ft.flag].label
            scope = (
                f" [only {', '.join(ft.scope['modalities'])}]" if ft.scope.get("modalities") else ""
            )
            buf.write(f"  {ft.clause:<14} {label}{scope}\n")
            buf.write(f"  {'':<14} {ft.summary}\n")
        if not shown:
            buf.write("  (nothing in the license speaks to this)\n")
    if entry.notes:
        buf.write(f"\nnotes: {entry.notes}\n")
    return buf.getvalue()
