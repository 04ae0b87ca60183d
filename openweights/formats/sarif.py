"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning (``upload-sarif``).

One ``reportingDescriptor`` per owcheck rule (all of them, so ``ruleIndex`` is stable), with the
rule's docstring as help and its documentation link. One result per finding; suppressed findings
are results with an ``inSource`` suppression, so code scanning shows them as dismissed. Every
result has a physical location, because GitHub rejects results without one: a finding that has
no line points at line 1 of its file (the card, when it names no file). Paths run from the root
of the git checkout (``openweights/formats/locations.py``); a Hub subject's files are named
``hf.co/ORG/NAME/FILE`` without ``%SRCROOT%`` (they are not in the checkout), and its messages
start with the model id.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from openweights import __version__
from openweights.formats.locations import as_uri, finding_path, in_checkout, repo_path
from openweights.report import Report
from openweights.rules import Finding, Rule, Severity, all_rules

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/owcheck/owcheck"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "owcheck/v1"
"""Key of our ``partialFingerprints``: rule, file and message, not the line, so that an alert
survives lines moving in the card."""


def _plain(text: str) -> str:
    """Docstring markup (``code``) as plain text."""
    return text.replace("``", "")


def _markdown(text: str) -> str:
    """Docstring markup as Markdown: ``code`` spans and ``Label::`` literal blocks."""
    out: list[str] = []
    lines = text.replace("``", "`").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::") and not line.startswith("    "):
            out.append(f"**{line.rstrip()[:-2]}:**")
            i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                block.append(lines[i][4:])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            while block and not block[0].strip():
                block.pop(0)
            out += ["", "```markdown", *block, "```", ""]
            continue
        out.append(line)
        i += 1
    return "\n".join(out).strip() + "\n"


def _description(rule: Rule) -> str:
    """The paragraph after the summary line: why the rule exists."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", rule.doc) if p.strip()]
    why = paragraphs[1] if len(paragraphs) > 1 and not paragraphs[1].endswith("::") else ""
    return _plain(" ".join((rule.summary + " " + why).split()))


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A SARIF ``reportingDescriptor`` for one rule."""
    tags = ["openness", "license" if rule.code.startswith("OW2") else "model-card"]
    if rule.component:
        tags.append(rule.component)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _plain(rule.summary)},
        "fullDescription": {"text": _description(rule)},
        "help": {
            "text": f"{_plain(rule.doc)}\n\nFix: {rule.fix}\nDocs: {rule.url}\n",
            "markdown": (
                f"{_markdown(rule.doc)}\n**Fix:** {rule.fix}\n\n[Documentation]({rule.url})\n"
            ),
        },
        "helpUri": rule.url,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": tags, "precision": "high"},
    }


def _location(report: Report, uri: str, line: int | None) -> dict[str, Any]:
    artifact: dict[str, Any] = {"uri": as_uri(uri)}
    if in_checkout(report):
        artifact["uriBaseId"] = "%SRCROOT%"  # a Hub file is not under the checkout's root
    return {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {"startLine": max(1, line or 1)},
        }
    }


def _result(report: Report, f: Finding, index: int) -> dict[str, Any]:
    path = finding_path(report, f)
    digest = hashlib.sha256(f"{f.rule}\0{path}\0{f.message}".encode()).hexdigest()[:32]
    text = f"{f.message} (fix: {f.fix})"
    if not in_checkout(report):
        where = f"{f.path or report.evidence.bundle.subject.card_path or 'README.md'}"
        text = f"{report.subject_id} {where}{f':{f.line}' if f.line else ''}: {text}"
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": LEVELS[f.severity],
        "message": {"text": text},
        "locations": [_location(report, path, f.line)],
        "partialFingerprints": {FINGERPRINT: digest},
        "properties": {"component": f.component, "name": f.name},
    }
    if f.suppressed is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": f.suppressed}]
    return result


def to_sarif(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log (a dict ready for ``json.dumps``)."""
    rules = all_rules()
    index = {code: i for i, code in enumerate(rules)}
    results = [_result(report, f, index[f.rule]) for f in report.findings if f.rule in index]
    notifications = [
        {
            "level": "warning",
            "message": {"text": f"unused suppression: {code} matches no finding"},
            "locations": [_location(report, repo_path(report, None), line)],
        }
        for code, line in report.unused_suppressions
    ]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    g = report.grade
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "owcheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(r) for r in rules.values()],
                    }
                },
                "invocations": [invocation],
                "results": results,
                "properties": {
                    "subject": report.subject_id,
                    "source": report.source,
                    "revision": report.revision,
                    "grade": g.letter,
                    "tier": g.tier,
                    "reason": g.reason,
                },
            }
        ],
    }


def render(report: Report) -> str:
    """The report as SARIF 2.1.0 JSON."""
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"
