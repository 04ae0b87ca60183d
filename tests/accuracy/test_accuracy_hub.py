"""Real cards graded through the Hub: their base models and datasets served as fixture repos.

Each corpus card with a ``hub_lineage`` expectation becomes a model repo on the loopback Hub;
the base models and datasets it names are served as minimal repos whose cards state the license
the table's ``fixtures`` key records (facts, not copies; ``tests/accuracy/loopback.py`` builds
them). Skips when the corpus is absent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.accuracy.loopback import build_hub, cards, load_table, subject_id
from tests.hub.server import LoopbackHub
from tests.support import requires_corpus, run_owcheck, validate_report

pytestmark = requires_corpus
CASES = cards("hub_lineage")


@pytest.fixture(scope="module")
def corpus_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackHub]:
    hub = build_hub(tmp_path_factory.mktemp("corpus-hub"), CASES).start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.mark.parametrize("key", CASES)
def test_real_card_through_the_hub(key: str, corpus_hub: LoopbackHub, tmp_path: Path) -> None:
    want: dict[str, Any] = load_table()[key]["hub_lineage"]
    done = run_owcheck(subject_id(key), "--format", "json", env=corpus_hub.env(tmp_path))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    weights = data["components"]["weights"]["license"]
    assert weights["verdict"] == want["weights_verdict"], (data["reason"], data["lineage"])
    assert data["grade"] in want["tiers"], data["reason"]
    fired = {f["rule"] for f in data["findings"] if not f["suppressed"]}
    assert set(want.get("findings") or []) <= fired, sorted(fired)
