"""What the index shows of a report: one table of looks, the columns, and one row per model.

Each value a cell can hold has a ``Look``: a symbol and a word (so that nothing relies on
colour), and a tone (the colour class). The index columns are declared once, with how they sort;
the index page, its legend and its script all read them from here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from openweights.choices import Letter
from openweights.grade import COMPONENTS
from openweights.licensing.features import Cell, worst
from openweights.licensing.grader import Verdict
from openweights.records import record

_CELLS = {cell.value: cell for cell in Cell}
LOCAL_ORG = "(local)"
"""The organisation shown for models read from disk."""


@record
class Look:
    """How one value is shown."""

    symbol: str
    """A mark that reads without colour: ✔ ~ ✘ – ?"""
    word: str
    """The value in words, as the cell shows it."""
    tone: str
    """Colour class: good, fair, poor, none, unknown (or a grade letter)."""


GOOD, FAIR, POOR, NONE, UNKNOWN = "good", "fair", "poor", "none", "unknown"
TONES = (GOOD, FAIR, POOR, NONE, UNKNOWN)
TONE_MEANING = {
    GOOD: ("✔", "granted, open, passes"),
    FAIR: ("~", "limited or restricted"),
    POOR: ("✘", "denied, not open, fails"),
    NONE: ("–", "absent: not released"),
    UNKNOWN: ("?", "unknown: not enough information"),
}
"""The legend: one symbol per tone."""

CELL_LOOKS: dict[str, Look] = {
    Cell.GRANTED.value: Look("✔", "granted", GOOD),
    Cell.LIMITED.value: Look("~", "limited", FAIR),
    Cell.UNKNOWN.value: Look("?", "unknown", UNKNOWN),
    Cell.DENIED.value: Look("✘", "denied", POOR),
    Cell.ABSENT.value: Look("–", "absent", NONE),
}
"""Grid cells, most open first (the order ``Cell.rank`` gives)."""
SUMMARY_LOOKS = {**CELL_LOOKS, Cell.GRANTED.value: Look("✔", "open", GOOD)}
"""A component as a whole: its least open cell; all four granted reads ``open``."""
VERDICT_LOOKS: dict[str, Look] = {
    Verdict.OPEN.value: Look("✔", Verdict.OPEN.value, GOOD),
    Verdict.RESTRICTED.value: Look("~", Verdict.RESTRICTED.value, FAIR),
    Verdict.NOT_OPEN.value: Look("✘", Verdict.NOT_OPEN.value, POOR),
    Verdict.UNKNOWN.value: Look("?", Verdict.UNKNOWN.value, UNKNOWN),
}
"""License verdicts, most open first."""
FRAMEWORK_LOOKS: dict[str, dict[str, Look]] = {
    "osaid": {
        "pass": Look("✔", "pass", GOOD),
        "unknown": Look("?", "unknown", UNKNOWN),
        "fail": Look("✘", "fail", POOR),
    },
    "mof": {
        "class-i": Look("✔", "class-i", GOOD),
        "class-ii": Look("✔", "class-ii", GOOD),
        "class-iii": Look("~", "class-iii", FAIR),
        "none": Look("✘", "none", POOR),
    },
    "debian": {
        "free": Look("✔", "free", GOOD),
        "toxic-candy": Look("~", "toxic-candy", FAIR),
        "non-free": Look("✘", "non-free", POOR),
    },
    "fsf": {"free": Look("✔", "free", GOOD), "nonfree": Look("✘", "nonfree", POOR)},
    "open_weights_definition": {
        "pass": Look("✔", "pass", GOOD),
        "fail": Look("✘", "fail", POOR),
    },
}
"""Each framework's verdicts, most open first."""
FRAMEWORK_NAMES = {
    "osaid": ("OSAID", "OSI Open Source AI Definition 1.0"),
    "mof": ("MOF", "Model Openness Framework class"),
    "debian": ("Debian", "Debian ML-Policy"),
    "fsf": ("FSF", "Free Software Foundation"),
    "open_weights_definition": ("OWD", "OSS Capital Open Weights Definition"),
}
"""Short column label and full name of each framework."""
GRADE_LOOKS: dict[str, Look] = {
    letter.value: Look(letter.value, letter.tier.value, f"g{letter.value}") for letter in Letter
}
"""Grades and their tiers, best first."""
TIER_LOOKS: dict[str, Look] = {
    letter.tier.value: Look(letter.value, letter.tier.value, f"g{letter.value}")
    for letter in Letter
}
TRAINING_NAMES = {"weights": "weights", "code": "training code", "data": "training data"}
STAGE_ORDER = ("pre-training", "fine-tuning", "preference")
"""Data stages in pipeline order; other stage names a report brings follow, by name."""
MAX_STAGE_COLUMNS = 5
"""At most this many data-stage columns in the index (the most common stage names)."""
UNKNOWN_LOOK = Look("?", "unknown", UNKNOWN)
STATE_LOOKS: dict[str, Look] = {
    "open": Look("✔", "open", GOOD),
    "described": Look("~", "described", FAIR),
    "restricted": Look("~", "restricted", FAIR),
    "unknown": Look("?", "unknown", UNKNOWN),
    "not-open": Look("✘", "not-open", POOR),
    "undisclosed": Look("–", "undisclosed", NONE),
}
"""A training-data stage's state (report 1.2): released openly, not released but described,
under a restricted or not-open license, unknown, or not disclosed at all."""
_TONE_RANK = {tone: rank for rank, tone in enumerate((GOOD, FAIR, UNKNOWN, POOR, NONE))}
STAGE_WORD_ORDER = tuple(dict.fromkeys(
    item.word
    for item in sorted([*STATE_LOOKS.values(), *SUMMARY_LOOKS.values(), *VERDICT_LOOKS.values()],
                       key=lambda item: _TONE_RANK[item.tone])
))
"""Stage cells show a state, a cell summary or a license verdict; their words sort by tone,
most open first."""


def look(table: Mapping[str, Look], value: object) -> Look:
    """The look of ``value``; a value the table does not know is shown as itself, neutrally."""
    if isinstance(value, str) and value in table:
        return table[value]
    return Look("?", str(value) if value is not None else "unknown", UNKNOWN)


@record
class Column:
    """One column of the index."""

    key: str
    """Stable name (``grade``, ``fw-mof``, ``stage-pre-training``); also the URL state key."""
    label: str
    """Header text."""
    title: str
    """What the column means, in full (the header's ``abbr`` title and the legend)."""
    sort: str
    """``text``, ``num`` or ``rank``."""
    order: tuple[str, ...] = ()
    """For ``rank`` columns, the words the cells show, from most to least open."""
    marked: bool = False
    """Cells start with a symbol and a space; the value sorted and filtered on follows it."""


@record
class CellView:
    """One cell of a row: its text is also its value (after the symbol in marked columns)."""

    text: str
    """What the cell says."""
    tone: str
    """Colour class, or ``""`` for plain cells."""


@record
class Row:
    """One model in the index."""

    subject_id: str
    """The model id as the report gives it."""
    page: str
    """Its page, relative to the site root."""
    org: str
    """Organisation (the part of a Hub id before ``/``), or ``(local)``."""
    license: str
    """Weights license id, or ``none``."""
    grade: str
    """A, B, C, D or F."""
    cells: tuple[CellView, ...]
    """The cells after the model name, in column order."""

    @property
    def org_in_id(self) -> bool:
        """True when the organisation is the id's first part (the script can read it there)."""
        return self.subject_id.split("/", 1)[0] == self.org and "/" in self.subject_id


def organisation(report: Mapping[str, Any]) -> str:
    """Who publishes the model: the Hub namespace, or ``(local)``."""
    subject = report["subject"]
    sid = subject["id"]
    if subject.get("source") == "hub" and "/" in sid:
        return str(sid.split("/", 1)[0])
    return LOCAL_ORG if subject.get("source") == "local" else "(none)"


def component_summary(component: Mapping[str, Any]) -> str:
    """The least open of a component's four cells (``unknown`` for a value owcheck lacks)."""
    marks = [_CELLS.get(value, Cell.UNKNOWN) for value in component.get("freedoms", {}).values()]
    return worst(marks).value if marks else Cell.UNKNOWN.value


def stages(report: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The training-data stages a report lists (schema 1.2), else ``[]``.

    Read from the report's ``stages`` or from ``components.data.stages``, as a list of objects
    naming their stage (``stage`` or ``name``) or as a mapping from stage name to object;
    anything else is ignored (these keys are newer than this reader, so nothing is assumed).
    """
    raw = report.get("stages")
    if not isinstance(raw, (list, Mapping)) or not raw:
        raw = report.get("components", {}).get("data", {}).get("stages")
    out: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(raw, Mapping):
        items = [(k, v) for k, v in raw.items() if isinstance(v, Mapping)]
    elif isinstance(raw, list):
        items = []
        for v in raw:
            if isinstance(v, Mapping):
                name = v.get("stage", v.get("name"))
                if isinstance(name, str):
                    items.append((name, v))
    else:
        return out
    return [(str(name), value) for name, value in items if str(name).strip()]


def stage_summary(stage: Mapping[str, Any]) -> Look:
    """How open one data stage is: its ``state``; else its cells, its license verdict or its
    availability, whichever it has."""
    state = stage.get("state")
    if isinstance(state, str):
        return look(STATE_LOOKS, state)
    if isinstance(stage.get("freedoms"), Mapping):
        return SUMMARY_LOOKS[component_summary(stage)]
    lic = stage.get("license")
    verdict = lic.get("verdict") if isinstance(lic, Mapping) else stage.get("verdict")
    if isinstance(verdict, str):
        return look(VERDICT_LOOKS, verdict)
    available = stage.get("available")
    if available == "not-released":
        return CELL_LOOKS[Cell.ABSENT.value]
    return UNKNOWN_LOOK


def least_open(looks: Sequence[Look]) -> Look:
    """The least open of ``looks`` (by tone; the first of equals); unknown when empty."""
    return max(looks, key=lambda item: _TONE_RANK.get(item.tone, len(_TONE_RANK)),
               default=UNKNOWN_LOOK)


def stage_columns(reports: Sequence[Mapping[str, Any]]) -> list[str]:
    """Stage names that get a column: the most common ones, in pipeline order."""
    counts: Counter[str] = Counter()
    for report in reports:
        counts.update({name for name, _ in stages(report)})
    chosen = sorted(counts, key=lambda n: (-counts[n], n))[:MAX_STAGE_COLUMNS]
    known = [n for n in STAGE_ORDER if n in chosen]
    return known + sorted(n for n in chosen if n not in STAGE_ORDER)


def lineage_depth(report: Mapping[str, Any]) -> int:
    """The longest chain of base models above the subject (0 when it has none).

    Each lineage entry names its ``child``; entries whose child is not reachable from the
    subject hang directly under it. Cycles cannot loop: each repo is placed once.
    """
    root = report["subject"]["id"]
    children: dict[str, list[str]] = defaultdict(list)
    ids: list[str] = []
    for link in report.get("lineage", []):
        children[link["child"]].append(link["id"])
        ids.append(link["id"])
    depth = {root: 0}
    frontier = [root]
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for parent in children.get(node, []):
                if parent not in depth:
                    depth[parent] = depth[node] + 1
                    nxt.append(parent)
        frontier = nxt
    for orphan in ids:
        depth.setdefault(orphan, 1)
    return max(depth.values())


def columns(stage_names: Sequence[str]) -> list[Column]:
    """The index columns after the model name, in order."""
    summary_order = tuple(look.word for look in SUMMARY_LOOKS.values())
    cols = [
        Column("grade", "Grade", "owcheck grade, A (fully open) to F (not open)", "rank",
               tuple(GRADE_LOOKS)),
        Column("tier", "Tier", "the tier the grade stands for", "rank", tuple(TIER_LOOKS)),
    ]
    for name in COMPONENTS:
        cols.append(Column(name, name.capitalize(),
                           "the least open of the four freedoms (use, study, modify, share) "
                           f"for the {TRAINING_NAMES[name]}", "rank", summary_order,
                           marked=True))
    for stage in stage_names:
        cols.append(Column(f"stage-{stage}", f"Data: {stage}",
                           f"training data of the {stage} stage", "rank", STAGE_WORD_ORDER,
                           marked=True))
    cols.append(Column("license", "Weights license", "the license of the weights and its "
                       "verdict", "text", marked=True))
    cols.append(Column("lineage", "Lineage", "base models above this one (0: none)", "num"))
    for key, (short, full) in FRAMEWORK_NAMES.items():
        cols.append(Column(f"fw-{key}", short, full, "rank",
                           tuple(item.word for item in FRAMEWORK_LOOKS[key].values()),
                           marked=True))
    return cols


def _view(item: Look) -> CellView:
    return CellView(f"{item.symbol} {item.word}", item.tone)


def row(report: Mapping[str, Any], page: str, stage_names: Sequence[str]) -> Row:
    """The index row of one (validated) report."""
    comps = report["components"]
    grade = report["grade"]
    tier = report["tier"]
    cells = [CellView(grade, f"g{grade}"), CellView(tier, "")]
    for name in COMPONENTS:
        cells.append(_view(SUMMARY_LOOKS[component_summary(comps[name])]))
    by_stage: dict[str, list[Look]] = defaultdict(list)
    for name, found in stages(report):
        by_stage[name].append(stage_summary(found))
    for name in stage_names:
        cells.append(_view(least_open(by_stage[name])) if name in by_stage
                     else CellView("", ""))
    lic = comps["weights"]["license"]
    lic_id = lic["id"] or "none"
    verdict = look(VERDICT_LOOKS, lic["verdict"])
    cells.append(CellView(f"{verdict.symbol} {lic_id}", verdict.tone))
    cells.append(CellView(str(lineage_depth(report)), ""))
    for key in FRAMEWORK_NAMES:
        cells.append(_view(look(FRAMEWORK_LOOKS[key], report["frameworks"][key])))
    return Row(report["subject"]["id"], page, organisation(report), lic_id, grade, tuple(cells))
