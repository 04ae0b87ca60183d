"""Validate ``licenses/*.yaml`` and compile them into ``licenses/index.json``.

Run after editing any catalogue file:

    python scripts/build_catalogue.py          # rewrite the index
    python scripts/build_catalogue.py --check  # exit 1 if the index is stale or a file is invalid

Checks: every file validates against ``schemas/license.schema.json``; its ``id`` equals its file
name; no id, alias or license_name is claimed by two entries.
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
LICENSES = ROOT / "licenses"
SCHEMA = ROOT / "schemas" / "license.schema.json"
INDEX = LICENSES / "index.json"

sys.path.insert(0, str(ROOT))
from openweights.licensing.catalogue import normalise_id  # noqa: E402


def load_records(folder: Path = LICENSES) -> tuple[list[dict[str, Any]], list[str]]:
    """Parse and validate every entry; return the records and a list of problems."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    owners: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for error in validator.iter_errors(data):
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            problems.append(f"{path.name}: {where}: {error.message}")
        if not isinstance(data, dict):
            continue
        if data.get("id") != path.stem:
            problems.append(f"{path.name}: id {data.get('id')!r} does not match the file name")
        keys = [data.get("id"), data.get("hub_id"), data.get("spdx")]
        keys += list(data.get("aliases") or []) + list(data.get("license_names") or [])
        for key in {normalise_id(k) for k in keys if isinstance(k, str) and k}:
            owner = owners.setdefault(key, path.stem)
            if owner != path.stem:
                problems.append(f"{path.name}: {key!r} is already claimed by {owner}")
        records.append(data)
    return records, problems


def render_index(records: list[dict[str, Any]]) -> str:
    """The index file's exact text (sorted, stable)."""
    body = {"version": 1, "licenses": sorted(records, key=lambda r: r["id"])}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
                "licenses/index.json is stale: run python scripts/build_catalogue.py",
                file=sys.stderr,
            )
            return 1
        return 0
    INDEX.write_text(text, encoding="utf-8")
    print(f"wrote {INDEX.relative_to(ROOT)} with {len(records)} licenses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
