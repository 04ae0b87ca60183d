"""Validate ``base-models/*.yaml`` and compile them into ``base-models/index.json``.

Run after editing any family file:

    python scripts/build_base_models.py          # rewrite the index
    python scripts/build_base_models.py --check  # exit 1 if the index is stale or a file is invalid

Checks: every file validates against ``schemas/base-model.schema.json``; its ``id`` equals its
file name; every license it names is a license catalogue id; every family in ``derived_from``
exists; no repo id (or renamed id) and no name belongs to two families.

Kept apart from ``scripts/build_catalogue.py`` (the license catalogue) on purpose: it has the same
shape (folder, schema, id rules, index), so it can become one more row of a generic catalogue
build when there is one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "base-models"
SCHEMA = ROOT / "schemas" / "base-model.schema.json"
INDEX = FOLDER / "index.json"
LICENSE_INDEX = ROOT / "licenses" / "index.json"

sys.path.insert(0, str(ROOT))
from openweights.catalogues.base_models import _key  # noqa: E402
from openweights.licensing.catalogue import Catalogue  # noqa: E402


def load_records(folder: Path = FOLDER) -> tuple[list[dict[str, Any]], list[str]]:
    """Parse and validate every family; return the records and a list of problems."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    licenses = Catalogue.from_records(
        json.loads(LICENSE_INDEX.read_text(encoding="utf-8"))["licenses"]
    )
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    repo_owner: dict[str, str] = {}
    name_owner: dict[tuple[str, ...], str] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for error in validator.iter_errors(data):
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            problems.append(f"{path.name}: {where}: {error.message}")
        if not isinstance(data, dict):
            continue
        fid = data.get("id")
        if fid != path.stem:
            problems.append(f"{path.name}: id {fid!r} does not match the file name")
        members = data.get("members") or []
        for lic in [data.get("license"), *(m.get("license") for m in members)]:
            if isinstance(lic, str) and licenses.resolve(lic) is None:
                problems.append(f"{path.name}: license {lic!r} is not in licenses/")
        for member in members:
            for rid in [member.get("id"), *(member.get("renamed") or [])]:
                if not isinstance(rid, str):
                    continue
                owner = repo_owner.setdefault(rid.lower(), path.stem)
                if owner != path.stem:
                    problems.append(f"{path.name}: repo {rid} is already in {owner}")
        for key in ("names", "sized_names"):
            for name in data.get(key) or []:
                owner = name_owner.setdefault(_key(name), path.stem)
                if owner != path.stem:
                    problems.append(f"{path.name}: name {name!r} is already used by {owner}")
        records.append(data)
    ids = {r.get("id") for r in records}
    for record in records:
        for parent in record.get("derived_from") or []:
            if parent not in ids:
                problems.append(f"{record.get('id')}.yaml: derived_from {parent!r} is unknown")
    return records, problems


def render_index(records: list[dict[str, Any]]) -> str:
    """The index file's exact text (sorted, stable)."""
    body = {"version": 1, "families": sorted(records, key=lambda r: r["id"])}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the index is stale")
    args = parser.parse_args(argv)
    records, problems = load_records()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    text = render_index(records)
    if args.check:
        current = INDEX.read_text(encoding="utf-8") if INDEX.exists() else ""
        if current != text:
            print(
                "base-models/index.json is stale: run python scripts/build_base_models.py",
                file=sys.stderr,
            )
            return 1
        return 0
    INDEX.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX.relative_to(ROOT)} with {len(records)} families")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
