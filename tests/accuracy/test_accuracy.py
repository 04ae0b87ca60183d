"""Accuracy on real model cards: owcheck against the hand-written table in tests/accuracy/.

Skips cleanly when ../shared/corpus is absent. Thresholds from the issue: weights verdict
agreement >= 97 %, tier within the acceptable set >= 95 %, every expected finding fired.
"""

from __future__ import annotations

import pytest

from tests.accuracy.evaluate import evaluate, figures, grade_card, load_expected
from tests.support import CORPUS, corpus_cards, requires_corpus, validate_report

pytestmark = requires_corpus


def test_every_corpus_card_has_an_expectation() -> None:
    keys = set(load_expected())
    cards = {str(p.relative_to(CORPUS)) for p in corpus_cards()}
    assert cards == keys, (sorted(cards - keys), sorted(keys - cards))


@pytest.mark.parametrize("card", corpus_cards(), ids=lambda p: p.name)
def test_every_card_grades_and_reports_valid_json(card: object) -> None:
    report = grade_card(card)  # type: ignore[arg-type]
    validate_report(report.to_dict())
    for finding in report.findings:
        assert finding.message and finding.rule.startswith("OW")


def test_agreement_with_the_expected_table() -> None:
    results = evaluate()
    fig = figures(results)
    wrong_verdict = [f"{r.key}: {r.verdict} (want {r.expected['weights_verdict']})"
                     for r in results if not r.verdict_ok]
    wrong_tier = [f"{r.key}: {r.grade} (want {r.expected['tiers']})"
                  for r in results if not r.tier_ok]
    missing = [f"{r.key}: {r.missing_findings}" for r in results if r.missing_findings]
    missed_laundering = [r.key for r in results if r.laundering and not r.laundering_caught]
    assert fig["laundering_cases"] > 0 and not missed_laundering, missed_laundering
    assert fig["weights_verdict"] >= 0.97, wrong_verdict
    assert fig["tier"] >= 0.95, wrong_tier
    assert not missing, missing


def test_no_card_is_graded_more_open_than_its_table_entry() -> None:
    order = {"open": 0, "restricted": 1, "unknown": 2, "not-open": 3}
    too_open = [r.key for r in evaluate()
                if order[r.verdict] < order[r.expected["weights_verdict"]]
                and r.verdict == "open"]
    assert not too_open, too_open
