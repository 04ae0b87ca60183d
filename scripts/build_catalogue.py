"""Validate the bundled catalogues and compile each into its ``index.json``.

Run after editing any catalogue file:

    python scripts/build_catalogue.py                # rewrite every index
    python scripts/build_catalogue.py base-models    # only one catalogue (or several)
    python scripts/build_catalogue.py --check        # exit 1 if an index is stale or a file invalid

Each catalogue is a folder of YAML files, one entry per file, described by a row of
``CATALOGUES`` (``licenses``, ``corpora``, ``base-models``): its JSON Schema, the key its index
stores the entries under, and which names must be unique across entries. Checks, for every
catalogue: every file validates against its schema; its ``id`` equals its file name; no name is
claimed by two entries; plus the catalogue's own cross-checks (a corpus's or a base model's
licenses must exist in the license catalogue, a base model's pre-training corpora in the corpus
catalogue; a base model family's ``derived_from`` must name a family of the catalogue).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))
from openweights.catalogues import base_models, corpora  # noqa: E402
from openweights.licensing import catalogue as licensing  # noqa: E402
from openweights.licensing.catalogue import Catalogue, normalise_id  # noqa: E402


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
    whole_check: Callable[[str, list[dict[str, Any]]], list[str]] | None = None
    """Further problems of the catalogue as a whole (folder, every record): references between
    its entries."""
    render: Callable[[list[dict[str, Any]]], str] | None = None
    """The index's text when the tool reads it in its own layout (the licenses': namings first,
    a record a line); else one JSON line (``render_index``)."""

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


def _corpus_names(data: dict[str, Any]) -> Iterable[str]:
    names = [data.get("name"), *(data.get("aliases") or []), *(data.get("ambiguous_aliases") or [])]
    ids = [*(data.get("hub_ids") or []), *(data.get("copies") or [])]
    return ({f"name:{corpora.name_key(n)}" for n in names if isinstance(n, str)}
            | {f"hub:{i.lower()}" for i in ids if isinstance(i, str)})


@cache
def _license_catalogue() -> Catalogue:
    """The license catalogue as compiled (its row is built first)."""
    records = json.loads((ROOT / "licenses" / "index.json").read_text(encoding="utf-8"))
    return Catalogue.from_records(records["licenses"])


def _unknown_licenses(file: str, named: Iterable[tuple[str, object]]) -> list[str]:
    """A problem for each (where, value) whose value is not a license catalogue id."""
    licenses = _license_catalogue()
    return [
        f"{file}: {where}: {value!r} is not in the license catalogue"
        for where, value in named
        if isinstance(value, str) and licenses.resolve(value) is None
    ]


def _corpus_licenses(file: str, data: dict[str, Any]) -> list[str]:
    code = (data.get("documentation") or {}).get("processing_code") or {}
    return _unknown_licenses(
        file, [("license", data.get("license")), ("processing_code.license", code.get("license"))]
    )


def _base_model_names(data: dict[str, Any]) -> Iterable[str]:
    ids = [
        rid
        for member in data.get("members") or []
        for rid in [member.get("id"), *(member.get("renamed") or [])]
    ]
    names = [*(data.get("names") or []), *(data.get("sized_names") or [])]
    return ({f"repo:{rid.lower()}" for rid in ids if isinstance(rid, str)}
            | {f"name:{' '.join(base_models.name_key(n))}" for n in names if isinstance(n, str)})


@cache
def _corpus_ids() -> frozenset[str]:
    """The corpus catalogue's ids as compiled (its row is built before the base models')."""
    records = json.loads((ROOT / "corpora" / "index.json").read_text(encoding="utf-8"))
    return frozenset(r["id"] for r in records["corpora"])


def _base_model_references(file: str, data: dict[str, Any]) -> list[str]:
    members = data.get("members") or []
    problems = _unknown_licenses(
        file,
        [("license", data.get("license"))]
        + [(f"members/{i}/license", m.get("license")) for i, m in enumerate(members)],
    )
    for i, member in enumerate(members):
        for corpus in (member.get("pretraining_data") or {}).get("corpora") or []:
            if corpus not in _corpus_ids():
                problems.append(f"{file}: members/{i}/pretraining_data: {corpus!r} is not in "
                                "the corpus catalogue")
    return problems


def _base_model_parents(folder: str, records: list[dict[str, Any]]) -> list[str]:
    ids = {r.get("id") for r in records}
    return [
        f"{folder}/{record.get('id')}.yaml: derived_from {parent!r} is not a family here"
        for record in records
        for parent in record.get("derived_from") or []
        if parent not in ids
    ]


CATALOGUES: dict[str, CatalogueSpec] = {
    "licenses": CatalogueSpec("licenses", "license.schema.json", "licenses", _license_names,
                              render=licensing.render_index),
    "corpora": CatalogueSpec("corpora", "corpus.schema.json", "corpora", _corpus_names,
                             _corpus_licenses),
    "base-models": CatalogueSpec("base-models", "base-model.schema.json", "families",
                                 _base_model_names, _base_model_references, _base_model_parents),
}
"""Every bundled catalogue, by name, each after the catalogues its entries refer to."""


def load_records(
    spec: CatalogueSpec, folder: Path | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Parse and validate every entry of one catalogue (from ``folder`` instead of its own when
    given); return the records and the problems."""
    schema = json.loads((ROOT / "schemas" / spec.schema).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    owners: dict[str, str] = {}
    for path in sorted((folder or spec.path).glob("*.yaml")):
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
    if spec.whole_check is not None:
        problems += spec.whole_check(spec.folder, records)
    return records, problems


def render_index(spec: CatalogueSpec, records: list[dict[str, Any]]) -> str:
    """The index file's exact text (sorted, stable)."""
    if spec.render is not None:
        return spec.render(records)
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
