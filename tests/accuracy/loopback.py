"""The real corpus cards on a loopback Hub and a loopback forge, built from the answer key.

``expected.yaml``'s ``fixtures`` key says which license each base model and dataset declares
(served as minimal Hub repos whose cards state it), ``forge_fixtures`` what GitHub answers for
each code repository the cards link (an SPDX id, ``NOASSERTION`` or ``missing``), and
``forge_license_texts`` which license text a ``NOASSERTION`` repository's /license endpoint
serves: a catalogue id, read from ``../shared/corpus/licenses/`` at run time (never copied into
the repo), or ``unidentifiable``. The subject cards are served as they are.

``OWCHECK_ACCURACY_TABLE`` may name another answer key (a table branch's, before it lands).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import yaml

from openweights.licensing.catalogue import load_catalogue
from openweights.repoids import forge_repo_from
from tests.accuracy.evaluate import EXPECTED
from tests.forge.server import FixtureRepo, LoopbackForge
from tests.hub.server import LoopbackHub
from tests.support import CORPUS


def table_path() -> Path:
    """The answer key in use."""
    other = os.environ.get("OWCHECK_ACCURACY_TABLE")
    return Path(other) if other else EXPECTED


def load_table() -> dict[str, Any]:
    """The whole answer key, fixtures included."""
    data: dict[str, Any] = yaml.safe_load(table_path().read_text(encoding="utf-8"))
    return data


def cards(block: str) -> list[str]:
    """Corpus keys whose entry has ``block`` (``hub_lineage``, ``hub_forge``)."""
    if not CORPUS.is_dir():
        return []
    return sorted(k for k, v in load_table().items() if isinstance(v, dict) and v.get(block))


def subject_id(key: str) -> str:
    """The Hub id a corpus card is served as (``cards/org__name.md`` -> ``org/name``)."""
    return Path(key).stem.replace("__", "/", 1)


def license_card(license_id: str) -> str:
    """A minimal card stating ``license_id`` the way the Hub's cards do."""
    entry = load_catalogue().get(license_id)
    if entry.hub_id:
        return f"---\nlicense: {entry.hub_id}\n---\n# Fixture\n"
    name = entry.license_names[0] if entry.license_names else entry.id
    return f"---\nlicense: other\nlicense_name: {name}\n---\n# Fixture\n"


def write_repo(root: Path, kind: str, repo_id: str, files: dict[str, str]) -> None:
    """One fixture repo for the loopback Hub."""
    folder = root / kind / repo_id / "main"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def build_hub(root: Path, keys: list[str]) -> LoopbackHub:
    """A loopback Hub serving the table's fixture repos and the given corpus cards."""
    fixtures = load_table().get("fixtures") or {}
    for repo_id, license_id in (fixtures.get("models") or {}).items():
        write_repo(root, "models", repo_id, {"README.md": license_card(license_id),
                                             "model.safetensors": "weights\n"})
    for repo_id, license_id in (fixtures.get("datasets") or {}).items():
        write_repo(root, "datasets", repo_id, {"README.md": license_card(license_id)})
    for key in keys:
        card = (CORPUS / key).read_text(encoding="utf-8", errors="replace")
        write_repo(root, "models", subject_id(key), {"README.md": card,
                                                     "model.safetensors": "weights\n"})
    return LoopbackHub(repos_dir=root)


def license_text(license_id: str) -> str:
    """The text a NOASSERTION repository serves: a corpus license file, or one URL line."""
    if license_id == "unidentifiable":
        return "See https://example.org/the-terms-live-elsewhere\n"
    folder = CORPUS / "licenses"
    files = sorted(folder.glob("*.*"))
    exact = [f for f in files if f.stem == license_id]
    prefixed = [f for f in files if f.stem.startswith(license_id + "-")
                and not f.stem.endswith("-aup")]
    chosen = (exact or prefixed)[0]
    return chosen.read_text(encoding="utf-8")


def forge_repos() -> dict[tuple[str, str], FixtureRepo]:
    """The table's forge answers as loopback-forge repositories (``missing`` ones left out)."""
    table = load_table()
    texts: dict[str, str] = table.get("forge_license_texts") or {}
    out: dict[tuple[str, str], FixtureRepo] = {}
    for url, answer in (table.get("forge_fixtures") or {}).items():
        repo = forge_repo_from(url)
        if repo is None or answer == "missing":
            continue
        text = license_text(texts[url]) if answer == "NOASSERTION" and url in texts else None
        out[(repo.host, repo.path.lower())] = FixtureRepo(
            host=repo.host, path=repo.path,
            id=int(hashlib.sha1(repo.key.encode()).hexdigest()[:8], 16),
            license=str(answer), license_name="Other" if answer == "NOASSERTION" else None,
            license_text=text,
            etag=f'W/"{hashlib.sha1(f"{repo.key}:{answer}".encode()).hexdigest()}"',
        )
    return out


def build_forge(empty: Path) -> LoopbackForge:
    """A loopback forge answering only what the table says (``empty``: a folder without
    fixture files, so the repository's own forge fixtures stay out)."""
    empty.mkdir(parents=True, exist_ok=True)
    return LoopbackForge(repos_dir=empty, limit=10_000, extra=forge_repos())
