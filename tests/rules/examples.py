"""Turn a rule's docstring example into a source Bundle.

An example is a card, optionally followed by other files, each introduced by a line
``==> PATH <==``. ``hub:ORG/NAME/FILE`` files make up base-model repos and
``hub-dataset:ORG/NAME/FILE`` dataset repos; their presence switches the bundle to hub mode
(lineage can be followed). ``forge:HOST/ORG/NAME`` is a forge's answer about a code repository,
as YAML (``license:`` the id the forge names, ``status:`` when the lookup failed, ``message:``,
``license_text:``). Other paths are files of the model's own repo.
"""

from __future__ import annotations

import re

import yaml

from openweights.card import parse_card
from openweights.repoids import forge_repo_from, repo_id_from
from openweights.sources import (
    CONFIG_FILES,
    LICENSE_FILE,
    Bundle,
    DatasetMaterial,
    ForgeAnswer,
    ForgeStatus,
    ModelMaterial,
)

_MARK = re.compile(r"^==> (.+?) <==$", re.M)


def split_files(example: str) -> dict[str, str]:
    """``{path: text}``; the part before the first marker is README.md."""
    parts = _MARK.split(example)
    files = {"README.md": parts[0]}
    for i in range(1, len(parts), 2):
        files[parts[i].strip()] = parts[i + 1].lstrip("\n")
    return files


def _repo_of(path: str) -> tuple[str, str]:
    org, name, *rest = path.split("/")
    return f"{org}/{name}", "/".join(rest)


def forge_answers(files: dict[str, str]) -> dict[str, ForgeAnswer]:
    """The ``forge:`` files of an example as forge answers, by repository key."""
    out: dict[str, ForgeAnswer] = {}
    for path, text in files.items():
        if not path.startswith("forge:"):
            continue
        repo = forge_repo_from("https://" + path[len("forge:"):])
        assert repo is not None, path
        data = yaml.safe_load(text) or {}
        status = ForgeStatus(data.get("status", "ok"))
        out[repo.key] = ForgeAnswer(
            repo=str(repo), status=status,
            canonical=data.get("canonical", str(repo)) if status is ForgeStatus.OK else None,
            license_id=data.get("license"), license_name=data.get("license_name"),
            license_text=data.get("license_text"), message=data.get("message"),
        )
    return out


def bundle_from_example(example: str) -> Bundle:
    """The Bundle a source would have produced for the example's repo(s)."""
    files = split_files(example)
    own = {p: t for p, t in files.items() if ":" not in p}
    models: dict[str, dict[str, str]] = {}
    datasets: dict[str, dict[str, str]] = {}
    for path, text in files.items():
        if path.startswith("hub:"):
            repo, name = _repo_of(path[4:])
            models.setdefault(repo, {})[name] = text
        elif path.startswith("hub-dataset:"):
            repo, name = _repo_of(path[12:])
            datasets.setdefault(repo, {})[name] = text
    hub = bool(models or datasets)
    # Two special files: "(binary)" content stands for a file a source could not decode, and
    # a "(missing)" file lists evidence a source could not fetch, one item per line.
    missing = tuple(line for line in own.pop("(missing)", "").splitlines() if line.strip())
    problems = tuple(f"{p} is a binary file, not text" for p, t in own.items()
                     if t.strip() == "(binary)")
    own = {p: t for p, t in own.items() if t.strip() != "(binary)" or p == "README.md"}
    listing = tuple(sorted(own)) if len(own) > 1 or hub or problems else ()
    subject = ModelMaterial(
        id="example/model" if hub else "README.md",
        source="hub" if hub else "local",
        card_text=own["README.md"],
        files=listing,
        license_files={p: t for p, t in own.items() if LICENSE_FILE().match(p)} if listing else {},
        config_files={p: t for p, t in own.items() if p in CONFIG_FILES},
        problems=problems,
        missing=missing,
    )
    ancestors: dict[str, ModelMaterial | None] = {}
    truncated: list[str] = []
    if hub:
        # Follow base_model like the hub source does: each repo once, cycles cut.
        queue = [subject]
        seen = {subject.id}
        while queue:
            current = queue.pop(0)
            meta = parse_card(current.card_text or "").metadata
            bases = meta.get("base_model")
            for raw in bases if isinstance(bases, list) else [bases] if bases else []:
                bid = repo_id_from(raw, "model")
                if not bid:
                    continue
                if bid in seen:
                    truncated.append(f"{bid}: cycle")
                    continue
                seen.add(bid)
                repo = models.get(bid)
                if repo is None:
                    ancestors[bid] = None
                    continue
                material = ModelMaterial(
                    id=bid,
                    source="hub",
                    card_text=repo.get("README.md"),
                    files=tuple(sorted(repo)),
                    license_files={p: t for p, t in repo.items() if LICENSE_FILE().match(p)},
                )
                ancestors[bid] = material
                queue.append(material)
    found_datasets: dict[str, DatasetMaterial | None] = {}
    if hub:
        meta = parse_card(subject.card_text or "").metadata
        raw_ds = meta.get("datasets")
        for raw in raw_ds if isinstance(raw_ds, list) else [raw_ds] if raw_ds else []:
            did = repo_id_from(raw, "dataset")
            if did:
                repo = datasets.get(did)
                found_datasets[did] = (
                    DatasetMaterial(id=did, card_text=repo.get("README.md")) if repo else None
                )
    forge = forge_answers(files)
    return Bundle(
        subject=subject,
        ancestors=ancestors,
        datasets=found_datasets,
        lineage_resolvable=hub,
        lineage_truncated=tuple(truncated),
        code_repos=forge,
        forge_consulted=bool(forge),
    )
