"""Real cards through the loopback Hub and the loopback forge, against the ``hub_forge`` blocks
of the answer key (written before owcheck was run on them; see tests/accuracy/README.md).

Each card with a ``hub_forge`` block is served as it is; its bases and datasets answer what the
key's ``fixtures`` say, and the code repositories it links answer what ``forge_fixtures`` and
``forge_license_texts`` say. Skips when the corpus is absent or the key has no such block.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.accuracy.loopback import build_forge, build_hub, cards, load_table, subject_id
from tests.forge.server import LoopbackForge
from tests.hub.server import LoopbackHub
from tests.support import requires_corpus, run_owcheck, validate_report

pytestmark = requires_corpus
CASES = cards("hub_forge")


@pytest.fixture(scope="module")
def loopback(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopbackHub,
                                                                          LoopbackForge]]:
    hub = build_hub(tmp_path_factory.mktemp("forge-hub"), CASES).start()
    forge = build_forge(tmp_path_factory.mktemp("forge-empty")).start()
    try:
        yield hub, forge
    finally:
        hub.stop()
        forge.stop()


def grade_through(key: str, hub: LoopbackHub, forge: LoopbackForge, tmp: Path) -> dict[str, Any]:
    """The JSON report of one corpus card graded through the loopback Hub and forge."""
    env = hub.env(tmp)
    env.update(forge.env())
    done = run_owcheck(subject_id(key), "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    validate_report(data)
    return data


def _repo(url: str) -> str:
    return url.split("://", 1)[-1].lower().rstrip("/")


def code_verdict(data: dict[str, Any]) -> str:
    """The code row as the key spells it: absent when no repository counts."""
    counted = [c for c in data["code_repositories"] if c["counts"]]
    if not counted:
        return "absent"
    return str(data["components"]["code"]["license"]["verdict"])


def data_verdict(data: dict[str, Any]) -> str:
    """The data row as the key spells it: open, limited (all described) or undisclosed."""
    states = [s["state"] for s in data["stages"]]
    if states and all(s == "open" for s in states):
        return "open"
    if states and all(s["state"] == "open" or all(s["data_information"].values())
                      for s in data["stages"]):
        return "limited"
    return "undisclosed"


@pytest.mark.parametrize("key", CASES)
def test_real_card_through_hub_and_forge(
    key: str, loopback: tuple[LoopbackHub, LoopbackForge], tmp_path: Path
) -> None:
    want: dict[str, Any] = load_table()[key]["hub_forge"]
    hub, forge = loopback
    data = grade_through(key, hub, forge, tmp_path)
    weights = data["components"]["weights"]["license"]
    assert weights["verdict"] == want["weights_verdict"], (data["reason"], weights)
    assert data["grade"] in want["tiers"], data["reason"]
    fired = {f["rule"] for f in data["findings"] if not f["suppressed"]}
    assert set(want.get("findings") or []) <= fired, sorted(fired)

    code = want.get("code") or {}
    counted = {_repo(c["repository"] or c["url"]) for c in data["code_repositories"]
               if c["counts"]}
    own = [_repo(u) for u in (code.get("training") or []) + (code.get("data_processing") or [])]
    never = [_repo(u) for role in ("evaluation", "other_roles", "not_training")
             for u in code.get(role) or []]
    # A library, an evaluation suite, another model's repository never makes the code row.
    assert not counted & set(never), sorted(counted & set(never))
    if own:
        assert counted & set(own), (sorted(counted), own)
    if own and code.get("verdict") == "open":
        assert code_verdict(data) == "open", data["code_repositories"]
    elif not own:
        # The key names no training code: whatever its verdict line hopes, nothing it lists
        # may make the row open.
        assert code_verdict(data) != "open", data["code_repositories"]

    if len(want["tiers"]) == 1 and "data" in want:
        assert data_verdict(data) == want["data"]["verdict"], data["stages"]


@pytest.mark.parametrize("key", CASES)
def test_every_a_or_b_rests_on_positive_evidence(
    key: str, loopback: tuple[LoopbackHub, LoopbackForge], tmp_path: Path
) -> None:
    hub, forge = loopback
    data = grade_through(key, hub, forge, tmp_path)
    if data["grade"] not in ("A", "B"):
        return
    counted = [c for c in data["code_repositories"] if c["counts"]]
    training = [c for c in counted if c["role"] == "training"]
    assert training and all(c["license"]["source"] == "forge" for c in training), counted
    assert all((c["license"]["origin"] or "").startswith(("forge:", "corpus:")) for c in counted)
    for stage in data["stages"]:
        for source in stage["sources"]:
            if stage["state"] == "open":
                assert source["license"]["verdict"] == "open", source
                assert source["license"]["origin"], source
    assert all(s["state"] in ("open", "described") or all(s["data_information"].values())
               for s in data["stages"]), data["stages"]
