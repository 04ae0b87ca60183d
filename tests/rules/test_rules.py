"""Every rule is documented by its docstring, and both of its examples are executed."""

from __future__ import annotations

import re

import pytest

from openweights.check import check_bundle
from openweights.rules import Severity, all_rules
from tests.rules.examples import bundle_from_example

RULES = all_rules()


def test_there_are_at_least_25_rules_with_stable_codes() -> None:
    assert len(RULES) >= 25
    for code, rule in RULES.items():
        assert re.fullmatch(r"OW[1-5]\d\d", code), code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names)), "rule names must be unique"


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_is_documented(code: str) -> None:
    rule = RULES[code]
    assert rule.summary and rule.summary.endswith("."), f"{code}: first line is the summary"
    assert len(rule.doc.split("\n\n")) >= 3, f"{code}: summary, rationale and examples"
    assert set(rule.examples()) == {"fails", "passes"}, f"{code}: needs Fails:: and Passes::"
    assert rule.fix and rule.severity in Severity


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_fires_on_its_failing_example(code: str) -> None:
    bundle = bundle_from_example(RULES[code].examples()["fails"])
    fired = [f for f in check_bundle(bundle).findings if f.rule == code]
    assert fired, f"{code} did not fire on its own failing example"
    assert all(f.message for f in fired)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_is_silent_on_its_passing_example(code: str) -> None:
    bundle = bundle_from_example(RULES[code].examples()["passes"])
    fired = [f.message for f in check_bundle(bundle).findings if f.rule == code]
    assert not fired, f"{code} fired on its passing example: {fired}"


def test_component_rules_name_their_component() -> None:
    by_prefix = {"OW3": "code", "OW4": "data"}
    for code, rule in RULES.items():
        expected = by_prefix.get(code[:3])
        if expected:
            assert rule.component == expected, code


def test_rule_docs_are_generated_from_the_docstrings() -> None:
    import subprocess
    import sys

    from tests.support import ROOT

    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_docs.py"), "--check"],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
