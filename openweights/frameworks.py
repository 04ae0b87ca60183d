"""The outside frameworks, side by side: OSAID 1.0, MOF, Debian ML-Policy, FSF, OSS Capital.

They disagree mostly about training data; owcheck reports all of them so that the disagreement
stays visible. Each is approximated from what a card shows;
docs/accuracy.md lists where the approximation can differ from a human assessment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from openweights.choices import Letter
from openweights.evidence import Evidence
from openweights.licensing.features import Cell, Freedom
from openweights.licensing.grader import Verdict
from openweights.records import record

Marks = Mapping[Freedom, Cell]
"""One row of the grid as marks only (the grader's cells without their reasons)."""


@record
class FrameworkVerdicts:
    """Each framework's verdict."""

    osaid: str
    """OSI Open Source AI Definition 1.0: pass / fail / unknown."""
    mof: str
    """Model Openness Framework class: class-i / class-ii / class-iii / none."""
    debian: str
    """Debian ML-Policy: free / toxic-candy / non-free."""
    fsf: str
    """FSF (2024 statement): free / nonfree."""
    open_weights_definition: str
    """OSS Capital Open Weights definition: pass / fail."""


def _granted(marks: Marks) -> bool:
    return all(mark is Cell.GRANTED for mark in marks.values())


def _has_section(ev: Evidence, pattern: str) -> bool:
    card = ev.card
    return bool(card) and any(
        not s.is_placeholder for s in (card.find_sections(pattern) if card else [])
    )


def judge_frameworks(ev: Evidence, letter: Letter, rows: Mapping[str, Marks]) -> FrameworkVerdicts:
    """Derive every framework's verdict from the evidence, the grade and the grid's marks."""
    weights_open = ev.weights.license.verdict is Verdict.OPEN and letter.at_least(Letter.C)
    code_open = _granted(rows["code"])
    # OSAID: open weights + complete open code + data information (or open data).
    if letter.at_least(Letter.B):
        osaid = "pass"
    elif not weights_open:
        osaid = "fail"
    elif ev.code.availability == "unknown" or rows["code"][Freedom.USE] is Cell.UNKNOWN:
        osaid = "unknown"
    else:
        osaid = "fail"
    # MOF: gated, cumulative classes (approximated from the card).
    card_text = ev.card.text if ev.card else ""
    has_eval = bool(
        ev.card
        and (
            ev.card.metadata.get("model-index") or _has_section(ev, r"evaluation|results|benchmark")
        )
    )
    has_report = bool(
        re.search(r"arxiv\.org/(abs|pdf)/|technical report|\bpaper\b", card_text, re.I)
    )
    data_card = _has_section(ev, r"training\s+data|data\s*sets?") or bool(ev.datasets)
    class_iii = weights_open and has_eval and has_report and data_card
    covers = {
        c for r in ev.code_releases if r.role not in ("library", "unknown") for c in r.covers
    }
    class_ii = class_iii and code_open and {"training", "evaluation"} <= covers
    class_i = class_ii and letter == Letter.A
    mof = "class-i" if class_i else "class-ii" if class_ii else "class-iii" if class_iii else "none"
    # Debian ML-Policy: free model needs free data and complete training code.
    debian = "free" if letter == Letter.A else "toxic-candy" if weights_open else "non-free"
    fsf = "free" if letter == Letter.A else "nonfree"
    # OSS Capital: open weights, training software open, data described with provenance.
    described = _has_section(ev, r"training\s+data|data\s*sets?") or ev.data_information.inventory
    owd = "pass" if weights_open and code_open and described else "fail"
    return FrameworkVerdicts(osaid, mof, debian, fsf, owd)
