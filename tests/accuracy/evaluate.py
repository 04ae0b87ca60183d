"""Grade every corpus card and compare with ``expected.yaml``.

Run as a script for the figures (``python -m tests.accuracy.evaluate``); the test module asserts
the thresholds. Cards are graded in local mode, each as a lone README (no LICENSE, no file list).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from openweights.check import check_bundle
from openweights.report import Report
from openweights.sources.local import LocalSource
from tests.support import CORPUS

EXPECTED = Path(__file__).with_name("expected.yaml")


@dataclass
class CardResult:
    """One card: what owcheck said against what the table expects."""

    key: str
    expected: dict[str, Any]
    license_id: str | None
    verdict: str
    grade: str
    fired: set[str]
    missing_findings: list[str] = field(default_factory=list)
    own_license_id: str | None = None

    @property
    def verdict_ok(self) -> bool:
        return self.verdict == self.expected["weights_verdict"]

    @property
    def license_ok(self) -> bool:
        # The table gives the card's own license for laundering cases and the license that
        # governs the weights otherwise; either reading counts.
        want = self.expected.get("weights_license")
        got = {self.license_id, self.own_license_id}
        if want in (None, "other", "unknown"):
            return bool(got & {None, "other", "unknown"})
        return want in got

    @property
    def laundering(self) -> bool:
        """A licence-laundering case of the table (issue 17)."""
        return bool(self.expected.get("laundering"))

    @property
    def laundering_caught(self) -> bool:
        """The laundering case gets the base's verdict and every finding it lists."""
        return self.laundering and self.verdict_ok and not self.missing_findings

    @property
    def tier_ok(self) -> bool:
        return self.grade in self.expected["tiers"]


# Top-level keys of the table that hold fixtures for the loopback Hub and forge, not cards.
FIXTURE_KEYS = frozenset({"fixtures", "forge_fixtures", "forge_license_texts"})


def load_expected() -> dict[str, dict[str, Any]]:
    """The table without its fixture keys."""
    data = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in FIXTURE_KEYS}


def grade_card(path: Path) -> Report:
    """Grade one corpus card as a lone README."""
    return check_bundle(LocalSource().fetch(str(path)))


def evaluate() -> list[CardResult]:
    """Every card in the table, graded."""
    out = []
    for key, exp in sorted(load_expected().items()):
        report = grade_card(CORPUS / key)
        lic = report.grade.components["weights"].evidence.license
        own = report.evidence.own_license
        fired = {f.rule for f in report.active_findings}
        result = CardResult(
            key, exp, lic.entry.id if lic.entry else None, lic.verdict.value,
            report.grade.letter, fired,
            own_license_id=own.entry.id if own.entry else None,
        )
        result.missing_findings = [c for c in exp.get("findings") or [] if c not in fired]
        out.append(result)
    return out


def figures(results: list[CardResult]) -> dict[str, float | int]:
    """Agreement rates (0..1)."""
    n = len(results)
    want = sum(len(r.expected.get("findings") or []) for r in results)
    got = want - sum(len(r.missing_findings) for r in results)
    return {
        "cards": n,
        "weights_verdict": sum(r.verdict_ok for r in results) / n,
        "weights_license": sum(r.license_ok for r in results) / n,
        "tier": sum(r.tier_ok for r in results) / n,
        "findings": got / want if want else 1.0,
        "laundering_cases": sum(r.laundering for r in results),
        "laundering_caught": sum(r.laundering_caught for r in results),
    }


def main() -> None:
    results = evaluate()
    for r in results:
        marks = "".join("." if ok else "x" for ok in (r.license_ok, r.verdict_ok, r.tier_ok))
        extra = f" missing {r.missing_findings}" if r.missing_findings else ""
        if marks != "..." or extra:
            print(f"{marks} {r.key}: got {r.license_id}/{r.verdict}/{r.grade}, want "
                  f"{r.expected.get('weights_license')}/{r.expected['weights_verdict']}/"
                  f"{r.expected['tiers']}{extra}")
    for name, value in figures(results).items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")


if __name__ == "__main__":
    main()
