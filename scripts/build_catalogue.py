"""Validate the bundled catalogues and compile each into its ``index.json``.

Run after editing any catalogue file:

    python scripts/build_catalogue.py                # rewrite every index
    python scripts/build_catalogue.py corpora        # only one catalogue
    python scripts/build_catalogue.py --check        # exit 1 if an index is stale or a file invalid

Each catalogue is a folder of YAML files, one entry per file, described by a row of
``CATALOGUES``: its JSON Schema, the key its index stores the entries under, and which names
must be unique across entries. Checks, for every catalogue: every file validates against its
schema; its ``id`` equals its file name; no name is claimed by two entries; plus the catalogue's
own cross-checks (a corpus's licenses must exist in the license catalogue).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))
from openweights.licensing.catalogue import normalise_id  # noqa: E402


@dataclass(frozen=True)
class CatalogueSpec:
    """One bundled catalogue: where it lives and what makes an entry unique."""

    folder: str
    """Top-level folder of the YAML files (and of ``index.json``)."""
    schema: str
    """File name in ``schemas/``."""
    index_key: str
    """The key of the entry list in ``index.json``."""
    names: Callable[[dict[str, Any]], Iterable[str]]
    """Every name an entry answers to (normalised); none may belong to two entries."""
    cross_check: Callable[[str, dict[str, Any]], list[str]] | None = None
    """Further problems of one entry (file name, data), checked against other catalogues."""

    @property
    def path(self) -> Path:
        """The catalogue's folder."""
        return ROOT / self.folder

    @property
    def index(self) -> Path:
        """The compiled index."""
        return self.path / "index.json"


def _license_names(data: dict[str, Any]) -> Iterable[str]:
    keys = [data.get("id"), data.get("hub_id"), data.get("spdx")]
    keys += list(data.get("aliases") or []) + list(data.get("license_names") or [])
    return {normalise_id(k) for k in keys if isinstance(k, str) and k}


def corpus_name_key(name: str) -> str:
    """A corpus name as matched in cards: case, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s_-]+", "", name.lower())


def _corpus_names(data: dict[str, Any]) -> Iterable[str]:
    names = [data.get("name"), *(data.get("aliases") or []), *(data.get("ambiguous_aliases") or [])]
    ids = [*(data.get("hub_ids") or []), *(data.get("copies") or [])]
    return ({f"name:{corpus_name_key(n)}" for n in names if isinstance(n, str)}
            | {f"hub:{i.lower()}" for i in ids if isinstance(i, str)})


def _corpus_licenses(file: str, data: dict[str, Any]) -> list[str]:
    from openweights.licensing.catalogue import Catalogue

    records = json.loads((ROOT / "licenses" / "index.json").read_text(encoding="utf-8"))["licenses"]
    licenses = Catalogue.from_records(records)
    problems = []
    code = (data.get("documentation") or {}).get("processing_code") or {}
    for where, value in (("license", data.get("license")), ("processing_code.license",
                                                            code.get("license"))):
        if isinstance(value, str) and licenses.resolve(value) is None:
            problems.append(f"{file}: {where}: {value!r} is not in the license catalogue")
    return problems


CATALOGUES: dict[str, CatalogueSpec] = {
    "licenses": CatalogueSpec("licenses", "license.schema.json", "licenses", _license_names),
    "corpora": CatalogueSpec("corpora", "corpus.schema.json", "corpora", _corpus_names,
                             _corpus_licenses),
}
"""Every bundled catalogue, by name (the base-model catalogue joins here)."""


def load_records(spec: CatalogueSpec) -> tuple[list[dict[str, Any]], list[str]]:
    """Parse and validate every entry of one catalogue; return the records and the problems."""
    schema = json.loads((ROOT / "schemas" / spec.schema).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    owners: dict[str, str] = {}
    for path in sorted(spec.path.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for error in validator.iter_errors(data):
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            problems.append(f"{spec.folder}/{path.name}: {where}: {error.message}")
        if not isinstance(data, dict):
            continue
        if data.get("id") != path.stem:
            problems.append(
                f"{spec.folder}/{path.name}: id {data.get('id')!r} does not match the file name"
            )
        for key in sorted(set(spec.names(data))):
            owner = owners.setdefault(key, path.stem)
            if owner != path.stem:
                problems.append(f"{spec.folder}/{path.name}: {key!r} is already claimed by {owner}")
        if spec.cross_check is not None:
            problems += spec.cross_check(f"{spec.folder}/{path.name}", data)
        records.append(data)
    return records, problems


def render_index(spec: CatalogueSpec, records: list[dict[str, Any]]) -> str:
    """The index file's exact text (sorted, stable)."""
    body = {"version": 1, spec.index_key: sorted(records, key=lambda r: r["id"])}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def build(spec: CatalogueSpec, check: bool) -> int:
    """Validate one catalogue and write (or, with ``check``, compare) its index."""
    records, problems = load_records(spec)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    text = render_index(spec, records)
    if check:
        current = spec.index.read_text(encoding="utf-8") if spec.index.exists() else ""
        if current != text:
            print(f"{spec.folder}/index.json is stale: run python scripts/build_catalogue.py",
                  file=sys.stderr)
            return 1
        return 0
    spec.index.write_text(text, encoding="utf-8")
    print(f"wrote {spec.index.relative_to(ROOT)} with {len(records)} {spec.index_key}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="CATALOGUE",
                        help=f"catalogues to build ({', '.join(CATALOGUES)}; default all)")
    parser.add_argument("--check", action="store_true", help="fail if an index is stale")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in CATALOGUES]
    if unknown:
        parser.error(f"unknown catalogue {unknown[0]!r} (choose from {', '.join(CATALOGUES)})")
    status = 0
    for name in args.names or list(CATALOGUES):
        status = max(status, build(CATALOGUES[name], args.check))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
