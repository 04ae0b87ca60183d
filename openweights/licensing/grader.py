"""Features -> per-freedom cells -> license verdict.

Verdicts are derived here and nowhere else: a catalogue entry only lists features. The cut-offs
that split "limited" from "denied" live in ``Thresholds`` (configurable, documented defaults).
"""

from __future__ import annotations

import enum

from openweights.licensing.catalogue import LicenseEntry, LicenseFeature
from openweights.licensing.features import FLAGS, Cell, Effect, Freedom, worst
from openweights.records import field, record


class Verdict(str, enum.Enum):
    """The license-level verdict."""

    OPEN = "open"
    RESTRICTED = "restricted"
    NOT_OPEN = "not-open"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Less open verdicts rank higher."""
        return {"open": 0, "restricted": 1, "unknown": 2, "not-open": 3}[self.value]


def least_open(verdicts: list[Verdict]) -> Verdict:
    """The most restrictive of ``verdicts`` (unknown when empty)."""
    return max(verdicts, key=lambda v: v.rank, default=Verdict.UNKNOWN)


@record
class Thresholds:
    """The cut-offs that decide whether a cap or a clause limits or denies a freedom."""

    mau: int = 100_000_000
    """A user cap at or above this many monthly active users only limits use (else denies)."""
    revenue_usd: int = 100_000_000
    """A revenue cap at or above this yearly figure (US$) only limits use (else denies)."""
    field_exclusion_denies: bool = False
    """Escalate whole-field exclusions (military, nuclear, ...) from limited to denied."""
    mutable_policy_denies: bool = False
    """Escalate policies the licensor may change at will from limited to denied."""


DEFAULT_THRESHOLDS = Thresholds()


@record
class GradingContext:
    """What we know of the model a license is applied to."""

    modality: str | None = None
    """``text``, ``multimodal`` or ``None`` when unknown; decides scoped features."""


@record
class FeatureEffect:
    """One feature as applied: the cell it yields and why."""

    feature: LicenseFeature
    """The catalogue feature."""
    cell: Cell
    """The mark it gives its freedom."""
    benign: bool
    """True for conditions that never lower a cell (attribution, copyleft, ...)."""


@record
class FreedomGrade:
    """One freedom of one license: the mark and the features behind it."""

    freedom: Freedom
    """Which freedom."""
    cell: Cell
    """granted / limited / denied / unknown."""
    decisive: tuple[FeatureEffect, ...]
    """The features that set the mark (the worst ones); empty when nothing covers it."""
    conditions: tuple[FeatureEffect, ...]
    """Benign conditions and grants that apply, for display."""


@record
class LicenseGrade:
    """A license graded in a context: four freedoms and the verdict they make."""

    entry_id: str
    """Catalogue id of the license."""
    verdict: Verdict
    """open / restricted / not-open / unknown."""
    freedoms: dict[Freedom, FreedomGrade] = field(hash=False)
    """Each freedom's grade."""

    def decisive_clauses(self) -> list[LicenseFeature]:
        """The features behind every non-granted freedom, worst freedom first."""
        grades = sorted(self.freedoms.values(), key=lambda g: -g.cell.rank)
        return [fe.feature for g in grades if g.cell is not Cell.GRANTED for fe in g.decisive]


def _applies(feature: LicenseFeature, entry: LicenseEntry, ctx: GradingContext) -> bool:
    modalities = feature.scope.get("modalities") if feature.scope else None
    if not modalities:
        return True
    modality = ctx.modality or entry.default_modality
    return modality in modalities if modality else False


def _effect_cell(feature: LicenseFeature, th: Thresholds) -> Cell:
    effect = FLAGS[feature.flag].effect
    if effect in (Effect.GRANT, Effect.BENIGN):
        return Cell.GRANTED
    if effect is Effect.LIMIT:
        return Cell.LIMITED
    if effect is Effect.DENY:
        return Cell.DENIED
    if effect is Effect.MAU:
        mau = feature.params.get("mau")
        return Cell.LIMITED if isinstance(mau, int) and mau >= th.mau else Cell.DENIED
    if effect is Effect.REVENUE:
        usd = feature.params.get("usd")
        return Cell.LIMITED if isinstance(usd, int) and usd >= th.revenue_usd else Cell.DENIED
    if effect is Effect.FIELD:
        return Cell.DENIED if th.field_exclusion_denies else Cell.LIMITED
    # Effect.MUTABLE
    return Cell.DENIED if th.mutable_policy_denies else Cell.LIMITED


def grade_license(
    entry: LicenseEntry,
    ctx: GradingContext | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> LicenseGrade:
    """Grade ``entry`` for a model described by ``ctx``.

    A freedom no feature speaks to is ``unknown``: an entry must state its grants, so that a
    half-written entry can never come out open. Placeholders (``other``, ``unknown``) are unknown.
    """
    ctx = ctx or GradingContext()
    freedoms: dict[Freedom, FreedomGrade] = {}
    applied = [
        FeatureEffect(f, _effect_cell(f, thresholds), FLAGS[f.flag].effect is Effect.BENIGN)
        for f in entry.features
        if _applies(f, entry, ctx)
    ]
    for freedom in Freedom:
        mine = [fe for fe in applied if FLAGS[fe.feature.flag].freedom is freedom]
        if not mine:
            # Study is about availability more than text: a license that says nothing of it
            # does not bar it. Every other freedom needs an explicit grant.
            cell = Cell.GRANTED if freedom is Freedom.STUDY and applied else Cell.UNKNOWN
            freedoms[freedom] = FreedomGrade(freedom, cell, (), ())
            continue
        cell = worst([fe.cell for fe in mine])
        decisive = tuple(fe for fe in mine if fe.cell is cell and not fe.benign)
        conditions = tuple(fe for fe in mine if fe.cell is Cell.GRANTED)
        freedoms[freedom] = FreedomGrade(freedom, cell, decisive, conditions)
    if entry.kind == "placeholder":
        verdict = Verdict.UNKNOWN
    else:
        cells = [g.cell for g in freedoms.values()]
        if Cell.DENIED in cells:
            verdict = Verdict.NOT_OPEN
        elif Cell.UNKNOWN in cells:
            verdict = Verdict.UNKNOWN
        elif Cell.LIMITED in cells:
            verdict = Verdict.RESTRICTED
        else:
            verdict = Verdict.OPEN
    return LicenseGrade(entry.id, verdict, freedoms)


def verdicts_by_modality(
    entry: LicenseEntry, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> dict[str, Verdict]:
    """The verdict for text and multimodal models when the entry has scoped features."""
    if not any(f.scope.get("modalities") for f in entry.features if f.scope):
        return {}
    return {
        m: grade_license(entry, GradingContext(modality=m), thresholds).verdict
        for m in ("text", "multimodal")
    }
