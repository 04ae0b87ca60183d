"""The fixed vocabulary of license features, and what each one does to a freedom.

A catalogue entry lists features (``use.non_commercial_only`` at clause 2(a)(1), ...). This
module is the only place that knows what a feature means: its freedom and its effect on that
freedom. ``schemas/license.schema.json`` enumerates the same flags; a test keeps the two equal.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from openweights.records import record


class Freedom(str, enum.Enum):
    """The four freedoms, in the order the scorecard prints them."""

    USE = "use"
    STUDY = "study"
    MODIFY = "modify"
    SHARE = "share"


class Cell(str, enum.Enum):
    """The mark in one cell of the grid. Ordered from most to least open by ``rank``."""

    GRANTED = "granted"
    LIMITED = "limited"
    DENIED = "denied"
    ABSENT = "absent"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Worse marks rank higher; ``worst()`` keeps the highest."""
        return _CELL_RANK[self]


_CELL_RANK = {
    Cell.GRANTED: 0,
    Cell.LIMITED: 1,
    Cell.UNKNOWN: 2,
    Cell.DENIED: 3,
    Cell.ABSENT: 4,
}


def worst(cells: list[Cell]) -> Cell:
    """The least open of ``cells`` (granted when empty)."""
    return max(cells, key=lambda c: c.rank, default=Cell.GRANTED)


class Effect(str, enum.Enum):
    """What a feature does to its freedom before thresholds are applied."""

    GRANT = "grant"
    """The freedom is given (e.g. a royalty-free grant to use for any purpose)."""
    BENIGN = "benign"
    """A condition the OSD and FSF accept (attribution, notices, copyleft): never lowers a cell."""
    LIMIT = "limit"
    """The freedom is given with a restriction that most users can live with."""
    DENY = "deny"
    """A whole class of uses or people is shut out."""
    MAU = "mau"
    """Limit when the monthly-active-user cap is at or above the configured cut-off, else deny."""
    REVENUE = "revenue"
    """Limit when the revenue cap is at or above the configured cut-off, else deny."""
    FIELD = "field"
    """Limit, or deny when the configuration escalates field-of-use exclusions."""
    MUTABLE = "mutable"
    """Limit, or deny when the configuration escalates policies the licensor may change."""


@record
class FlagInfo:
    """The meaning of one feature flag."""

    freedom: Freedom
    """The freedom the flag speaks to."""
    effect: Effect
    """What it does to that freedom."""
    label: str
    """A few words for tables ("non-commercial only")."""


def _f(freedom: Freedom, effect: Effect, label: str) -> FlagInfo:
    return FlagInfo(freedom, effect, label)


U, S, M, H = Freedom.USE, Freedom.STUDY, Freedom.MODIFY, Freedom.SHARE
E = Effect

FLAGS: Mapping[str, FlagInfo] = {
    # use (freedom 0)
    "use.any_purpose": _f(U, E.GRANT, "use for any purpose"),
    "use.law_compliance_only": _f(U, E.BENIGN, "only asks to obey the law"),
    "use.export_control": _f(U, E.BENIGN, "export-control compliance"),
    "use.aup_incorporated": _f(U, E.LIMIT, "acceptable use policy"),
    "use.aup_mutable": _f(U, E.MUTABLE, "policy the licensor may change"),
    "use.enumerated_restrictions": _f(U, E.LIMIT, "list of forbidden uses"),
    "use.field_exclusion": _f(U, E.FIELD, "whole fields excluded (e.g. military)"),
    "use.user_threshold": _f(U, E.MAU, "user cap"),
    "use.revenue_threshold": _f(U, E.REVENUE, "revenue cap"),
    "use.commercial_registration": _f(U, E.LIMIT, "registration for commercial use"),
    "use.non_commercial_only": _f(U, E.DENY, "non-commercial only"),
    "use.research_only": _f(U, E.DENY, "research only"),
    "use.non_production_only": _f(U, E.DENY, "non-production only"),
    "use.geographic_exclusion": _f(U, E.DENY, "people or places excluded"),
    "use.remote_restriction_right": _f(U, E.LIMIT, "licensor may restrict use remotely"),
    "use.must_use_latest_version": _f(U, E.LIMIT, "must use the latest version"),
    "use.revocable_at_will": _f(U, E.DENY, "grant revocable at will"),
    "use.separate_license_for_hosting": _f(U, E.LIMIT, "hosted use needs another license"),
    # study (freedom 1, first half)
    "study.unrestricted": _f(S, E.GRANT, "may study freely"),
    "study.license_bars_analysis": _f(S, E.LIMIT, "analysis or benchmarking barred"),
    # modify (freedom 1, second half; freedom 3's precondition)
    "modify.derivatives_allowed": _f(M, E.GRANT, "derivatives allowed"),
    "modify.no_derivatives": _f(M, E.DENY, "no derivatives"),
    "modify.private_adaptation_only": _f(M, E.LIMIT, "may adapt but not share adaptations"),
    "modify.derivatives_purpose_limited": _f(M, E.DENY, "derivatives only for limited purposes"),
    "modify.output_training_ban": _f(M, E.LIMIT, "outputs may not train other models"),
    "modify.distillation_is_derivative": _f(M, E.LIMIT, "distilled models count as derivatives"),
    "modify.derivatives_inherit_restrictions": _f(M, E.LIMIT, "restrictions bind derivatives"),
    "modify.safety_tamper_ban": _f(M, E.LIMIT, "safety measures may not be removed"),
    # share (freedoms 2 and 3)
    "share.redistribution_allowed": _f(H, E.GRANT, "redistribution allowed"),
    "share.attribution": _f(H, E.BENIGN, "attribution"),
    "share.license_copy": _f(H, E.BENIGN, "ship a copy of the license"),
    "share.notice_file": _f(H, E.BENIGN, "keep the NOTICE file"),
    "share.modification_notices": _f(H, E.BENIGN, "mark modified files"),
    "share.copyleft_same_terms": _f(H, E.BENIGN, "share-alike / copyleft"),
    "share.patent_retaliation": _f(H, E.BENIGN, "rights end on a patent suit"),
    "share.termination_on_breach": _f(H, E.BENIGN, "rights end on breach"),
    "share.no_trademark_grant": _f(H, E.BENIGN, "no trademark rights"),
    "share.flow_down_restrictions": _f(H, E.LIMIT, "restrictions must be passed on"),
    "share.branding_display": _f(H, E.LIMIT, "licensor's brand must be displayed"),
    "share.naming_prefix": _f(H, E.LIMIT, "derivative names must carry the brand"),
    "share.rights_only_from_licensor": _f(H, E.LIMIT, "recipients licensed only by the licensor"),
    "share.hosting_needs_license": _f(H, E.LIMIT, "offering as a service needs a license"),
    "share.commercial_distribution_barred": _f(H, E.DENY, "no commercial distribution"),
    "share.no_redistribution": _f(H, E.DENY, "no redistribution"),
    "share.no_sharing_of_adaptations": _f(H, E.DENY, "adaptations may not be shared"),
}
