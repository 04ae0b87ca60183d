"""Real cards graded through the Hub: their base models and datasets served as fixture repos.

Each corpus card with a ``hub_lineage`` expectation becomes a model repo on the loopback Hub;
the base models and datasets it names are served as minimal repos whose cards state the license
the table's ``fixtures`` key records (facts, not copies). Skips when the corpus is absent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from openweights.licensing.catalogue import load_catalogue
from tests.accuracy.evaluate import EXPECTED, load_expected
from tests.hub.server import LoopbackHub
from tests.support import CORPUS, requires_corpus, run_owcheck, validate_report

pytestmark = requires_corpus


def _lineage_cases() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(k for k, v in load_expected().items() if v.get("hub_lineage"))


def _subject_id(key: str) -> str:
    return Path(key).stem.replace("__", "/", 1)


def _license_card(license_id: str) -> str:
    entry = load_catalogue().get(license_id)
    if entry.hub_id:
        return f"---\nlicense: {entry.hub_id}\n---\n# Fixture\n"
    name = entry.license_names[0] if entry.license_names else entry.id
    return f"---\nlicense: other\nlicense_name: {name}\n---\n# Fixture\n"


def _write(root: Path, kind: str, repo_id: str, files: dict[str, str]) -> None:
    folder = root / kind / repo_id / "main"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def corpus_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackHub]:
    root = tmp_path_factory.mktemp("corpus-hub")
    fixtures = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))["fixtures"]
    for repo_id, license_id in fixtures["models"].items():
        _write(root, "models", repo_id, {"README.md": _license_card(license_id),
                                         "model.safetensors": "weights\n"})
    for repo_id, license_id in fixtures["datasets"].items():
        _write(root, "datasets", repo_id, {"README.md": _license_card(license_id)})
    for key in _lineage_cases():
        card = (CORPUS / key).read_text(encoding="utf-8", errors="replace")
        _write(root, "models", _subject_id(key), {"README.md": card,
                                                   "model.safetensors": "weights\n"})
    hub = LoopbackHub(repos_dir=root).start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.mark.parametrize("key", _lineage_cases())
def test_real_card_through_the_hub(key: str, corpus_hub: LoopbackHub, tmp_path: Path) -> None:
    want: dict[str, Any] = load_expected()[key]["hub_lineage"]
    done = run_owcheck(_subject_id(key), "--format", "json", env=corpus_hub.env(tmp_path))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    weights = data["components"]["weights"]["license"]
    assert weights["verdict"] == want["weights_verdict"], (data["reason"], data["lineage"])
    assert data["grade"] in want["tiers"], data["reason"]
    fired = {f["rule"] for f in data["findings"] if not f["suppressed"]}
    assert set(want.get("findings") or []) <= fired, sorted(fired)
