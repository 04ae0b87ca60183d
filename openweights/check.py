"""The pipeline: bundle -> evidence -> rules -> grade -> report, and the settings applied to it
(rule selection, thresholds, per-rule severities, gates). No I/O here.

Inline suppressions live in the card as HTML comments, e.g.
``<!-- owcheck: ignore OW301 -- training code is internal -->`` (read by
``openweights/suppressions.py``). A suppressed finding stays in the report (marked, with its
reason) and counts in the summary; a selector that matches no finding is reported back as
unused; a malformed directive, or one naming no rule, is a finding of its own (OW110).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from openweights.choices import Severity
from openweights.config import Settings
from openweights.evidence import build_evidence
from openweights.grade import grade
from openweights.licensing.catalogue import Catalogue, load_catalogue
from openweights.licensing.grader import DEFAULT_THRESHOLDS, Thresholds
from openweights.records import replace
from openweights.report import Report
from openweights.rules import Finding, all_rules, run_rules
from openweights.sources import Bundle
from openweights.suppressions import Suppression, parse_directives


def apply_suppressions(
    findings: list[Finding], suppressions: Iterable[Suppression]
) -> tuple[list[Finding], list[tuple[str, int]]]:
    """Mark suppressed findings; return them and the selectors that matched nothing.

    A selector covers the rules ``--select`` would (``OW4``: every OW4xx rule); one that names
    no rule at all is OW110's to report, not an unused suppression.
    """
    codes = set(all_rules())
    covered: list[tuple[Suppression, str, set[str]]] = []
    for s in suppressions:
        for selector in s.selectors:
            matched = {c for c in codes if c.startswith(selector) or selector == "ALL"}
            if matched:
                covered.append((s, selector, matched))
    used: set[int] = set()
    out = []
    for f in findings:
        match = next((i for i, (_, _, rules) in enumerate(covered) if f.rule in rules), None)
        if match is None:
            out.append(f)
            continue
        used.add(match)
        out.append(replace(f, suppressed=covered[match][0].reason or "suppressed inline"))
    unused = [(selector, s.line) for i, (s, selector, _) in enumerate(covered) if i not in used]
    return out, unused


def check_bundle(
    bundle: Bundle,
    catalogue: Catalogue | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    selected: Iterable[str] | None = None,
) -> Report:
    """Grade one model's material and lint its card."""
    catalogue = catalogue or load_catalogue()
    evidence = build_evidence(bundle, catalogue, thresholds)
    findings = run_rules(evidence, selected)
    unused: list[tuple[str, int]] = []
    if evidence.card is not None:
        directives = parse_directives(evidence.card.text)
        findings, unused = apply_suppressions(findings, directives.suppressions)
    subject = bundle.subject
    return Report(
        subject_id=subject.id,
        source=subject.source,
        revision=subject.revision,
        grade=grade(evidence),
        evidence=evidence,
        findings=tuple(findings),
        unused_suppressions=tuple(unused),
        last_modified=subject.last_modified,
    )


def check_with(bundle: Bundle, settings: Settings) -> Report:
    """Run the pipeline with these settings: selection, thresholds, severity overrides."""
    report = check_bundle(bundle, thresholds=settings.thresholds, selected=settings.selected())
    return apply_severities(report, settings.severities)


def apply_severities(report: Report, severities: Mapping[str, Severity]) -> Report:
    """The report with each overridden rule's findings at the configured severity."""
    if not severities:
        return report
    findings = tuple(
        replace(f, severity=severities[f.rule]) if f.rule in severities else f
        for f in report.findings
    )
    return replace(report, findings=findings)


def gate_failures(report: Report, settings: Settings) -> list[str]:
    """Why the gates fail, one reason each; empty when every gate passes."""
    out = []
    letter = report.grade.letter
    if settings.fail_under and not letter.at_least(settings.fail_under):
        out.append(
            f"grade {letter} is worse than {settings.gate('fail-under', settings.fail_under)}"
        )
    worst = report.worst_severity()
    if settings.fail_on and worst is not None and worst.rank >= settings.fail_on.rank:
        gate = settings.gate("fail-on", settings.fail_on)
        out.append(f"a finding is {worst.value}, at or above {gate}")
    return out
