"""Grade: the 3x4 grid (component x freedom), the tier and its letter.

A cell is decided by the license that covers the component and by whether the component was
released at all: you cannot study or modify what was not published. Benign conditions never
lower a cell (the license grader already treats them as granted).
"""

from __future__ import annotations

from openweights.choices import Letter, Tier
from openweights.evidence import ComponentEvidence, Evidence, LicenseFinding
from openweights.evidence.stages import worst_stage
from openweights.frameworks import FrameworkVerdicts, judge_frameworks
from openweights.licensing.features import Cell, Freedom
from openweights.licensing.grader import Verdict
from openweights.records import field, record

COMPONENTS = ("weights", "code", "data")


@record
class CellVerdict:
    """One cell of the grid and the reason behind it."""

    mark: Cell
    """granted / limited / denied / absent / unknown."""
    reason: str
    """Short reason citing the clause or the card line."""


@record
class ComponentGrade:
    """One row of the grid."""

    evidence: ComponentEvidence
    """What the row was graded from."""
    cells: dict[Freedom, CellVerdict] = field(hash=False)
    """The four cells."""

    @property
    def name(self) -> str:
        """``weights``, ``code`` or ``data``."""
        return self.evidence.name


@record
class Grade:
    """The headline: letter, tier, the grid and the frameworks."""

    letter: Letter
    """A, B, C, D or F."""
    tier: Tier
    """fully-open, open-source-ai, open-weights, restricted-weights or not-open."""
    reason: str
    """One line: why this tier."""
    components: dict[str, ComponentGrade] = field(hash=False)
    """The grid rows by component name."""
    frameworks: FrameworkVerdicts
    """OSAID, MOF, Debian, FSF and OSS Capital verdicts."""


def _license_reason(lic: LicenseFinding, freedom: Freedom) -> str:
    if lic.grade is None or lic.entry is None:
        return "license unknown"
    g = lic.grade.freedoms[freedom]
    if g.decisive:
        fe = g.decisive[0]
        from openweights.licensing.features import FLAGS

        return f"{lic.entry.id} {fe.feature.clause}: {FLAGS[fe.feature.flag].label}"
    grant = next((c for c in g.conditions if not c.benign), None)
    if grant:
        return f"{lic.entry.id} {grant.feature.clause}"
    return lic.entry.id


def _license_cells(comp: ComponentEvidence) -> dict[Freedom, CellVerdict]:
    lic = comp.license
    out: dict[Freedom, CellVerdict] = {}
    for freedom in Freedom:
        if lic.grade is None:
            out[freedom] = CellVerdict(
                Cell.UNKNOWN,
                "no license found" if lic.raw is None else f"license {lic.raw!r} not recognised",
            )
        else:
            g = lic.grade.freedoms[freedom]
            out[freedom] = CellVerdict(g.cell, _license_reason(lic, freedom))
    return out


def _absent(reason: str) -> dict[Freedom, CellVerdict]:
    return {f: CellVerdict(Cell.ABSENT, reason) for f in Freedom}


def grade_weights(ev: Evidence) -> dict[Freedom, CellVerdict]:
    """The weights row."""
    comp = ev.weights
    if comp.availability == "not-released":
        return _absent("weights not released")
    cells = _license_cells(comp)
    if ev.bundle.subject.gated == "manual" and cells[Freedom.STUDY].mark is Cell.GRANTED:
        cells[Freedom.STUDY] = CellVerdict(Cell.LIMITED, "gated: access needs manual approval")
    return cells


def code_complete(ev: Evidence) -> bool:
    """The model's own code covers both training and data processing."""
    covers = {c for rel in ev.code_releases if rel.own_code for c in rel.covers}
    return {"training", "data-processing"} <= covers


def grade_code(ev: Evidence) -> dict[Freedom, CellVerdict]:
    """The training-code row."""
    comp = ev.code
    if comp.availability == "not-released":
        return _absent("training code not released")
    if comp.availability == "unknown":
        return {f: CellVerdict(Cell.UNKNOWN, "no training code found") for f in Freedom}
    cells = _license_cells(comp)
    if not code_complete(ev) and cells[Freedom.STUDY].mark is Cell.GRANTED:
        cells[Freedom.STUDY] = CellVerdict(Cell.LIMITED, "partial: not the whole pipeline")
    return cells


def data_open(ev: Evidence) -> bool:
    """Every training stage's data released under open terms."""
    return bool(ev.stages) and all(s.open for s in ev.stages)


def data_described(ev: Evidence) -> bool:
    """Every stage open, or what is not is described well enough (OSAID data information)."""
    return bool(ev.stages) and all(s.described for s in ev.stages)


def grade_data(ev: Evidence) -> dict[Freedom, CellVerdict]:
    """The training-data row: as open as the least open stage."""
    comp = ev.data
    if data_open(ev):
        return _license_cells(comp)
    if data_described(ev):
        # Described well enough to rebuild (OSAID data information), but not all released.
        return {
            Freedom.USE: CellVerdict(Cell.ABSENT, "data not released"),
            Freedom.STUDY: CellVerdict(Cell.LIMITED, "data information passes the five-point test"),
            Freedom.MODIFY: CellVerdict(Cell.LIMITED, "can be rebuilt from the data information"),
            Freedom.SHARE: CellVerdict(Cell.ABSENT, "data not released"),
        }
    if comp.availability == "released":
        return _license_cells(comp)
    if comp.availability == "not-released":
        return _absent("data not released, description insufficient")
    return {
        f: CellVerdict(Cell.UNKNOWN, "training data not released or not found") for f in Freedom
    }


def _all_granted(cells: dict[Freedom, CellVerdict]) -> bool:
    return all(c.mark is Cell.GRANTED for c in cells.values())


def decide_tier(
    ev: Evidence, rows: dict[str, dict[Freedom, CellVerdict]]
) -> tuple[Letter, str]:
    """The grade letter and a one-line reason."""
    w = ev.weights
    verdict = w.license.verdict
    lic = w.license.entry.id if w.license.entry else "unknown"
    inherited = f" (from base {w.license.origin.repo})" if w.license.origin.repo else ""
    if w.availability == "not-released":
        return Letter.F, "weights not released"
    if verdict is Verdict.UNKNOWN:
        raw = f" ({w.license.raw})" if w.license.raw else ""
        return Letter.F, "weights license unknown" + raw
    if verdict is Verdict.NOT_OPEN:
        return Letter.F, f"weights license {lic}{inherited} is not open"
    if verdict is Verdict.RESTRICTED:
        return Letter.D, f"weights license {lic}{inherited} is open with restrictions"
    code_ok = _all_granted(rows["code"]) and code_complete(ev)
    all_open = data_open(ev) and _all_granted(rows["data"])
    if code_ok and all_open:
        return Letter.A, "weights, complete training code and training data all open"
    if code_ok and data_described(ev):
        return (
            Letter.B,
            "open weights and code; data not released but described (OSAID data information)",
        )
    short = [_code_gap(ev, rows["code"])] if not code_ok else []
    if not (all_open or data_described(ev)):
        short.append(_data_gap(ev))
    return Letter.C, f"open weights ({lic}); " + "; ".join(short)


def _code_gap(ev: Evidence, cells: dict[Freedom, CellVerdict]) -> str:
    if not any(rel.own_code for rel in ev.code_releases):
        return "no training code linked"
    if cells[Freedom.USE].mark is Cell.UNKNOWN:
        return "training code license not stated"
    if cells[Freedom.USE].mark is not Cell.GRANTED:
        return "training code license not open"
    if not code_complete(ev):
        return "training code covers less than training and data processing"
    return "training code license not open"


def _data_gap(ev: Evidence) -> str:
    missing = sum(not ok for ok in ev.data_information.points.values())
    worst = worst_stage(ev.stages)
    where = f" ({worst.stage} data: {worst.state})" if worst and len(ev.stages) > 1 else ""
    if ev.data.availability == "released":
        return f"training data license not open or unknown{where}"
    state = "not released" if ev.data.availability == "not-released" else "not shown released"
    return f"training data {state}, and its description misses {missing} of 5 points{where}"


def grade(ev: Evidence) -> Grade:
    """Grade the evidence: grid, tier, frameworks."""
    rows = {"weights": grade_weights(ev), "code": grade_code(ev), "data": grade_data(ev)}
    letter, reason = decide_tier(ev, rows)
    comps = {
        "weights": ComponentGrade(ev.weights, rows["weights"]),
        "code": ComponentGrade(ev.code, rows["code"]),
        "data": ComponentGrade(ev.data, rows["data"]),
    }
    marks = {name: {f: c.mark for f, c in cells.items()} for name, cells in rows.items()}
    frameworks = judge_frameworks(ev, letter, marks)
    return Grade(letter, letter.tier, reason, comps, frameworks)
