"""The license catalogue: schema, ids, and the verdicts derived from features."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from openweights.licensing.catalogue import LicenseEntry, load_catalogue
from openweights.licensing.features import FLAGS, Cell, Effect, Freedom
from openweights.licensing.grader import (
    GradingContext,
    Thresholds,
    Verdict,
    grade_license,
    verdicts_by_modality,
)
from openweights.records import replace
from tests.support import ROOT

CATALOGUE = load_catalogue()

# The Hub's license: identifiers (hub-docs repositories-licenses.md, 83 ids).
HUB_IDS = [
    "apache-2.0",
    "mit",
    "openrail",
    "bigscience-openrail-m",
    "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m",
    "afl-3.0",
    "artistic-2.0",
    "bsl-1.0",
    "bsd",
    "bsd-2-clause",
    "bsd-3-clause",
    "bsd-3-clause-clear",
    "c-uda",
    "cc",
    "cc0-1.0",
    "cc-by-2.0",
    "cc-by-2.5",
    "cc-by-3.0",
    "cc-by-4.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "cc-by-nc-2.0",
    "cc-by-nc-3.0",
    "cc-by-nc-4.0",
    "cc-by-nd-4.0",
    "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0",
    "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0",
    "cc-by-nc-sa-4.0",
    "cdla-sharing-1.0",
    "cdla-permissive-1.0",
    "cdla-permissive-2.0",
    "wtfpl",
    "ecl-2.0",
    "epl-1.0",
    "epl-2.0",
    "etalab-2.0",
    "eupl-1.1",
    "eupl-1.2",
    "agpl-3.0",
    "gfdl",
    "gpl",
    "gpl-2.0",
    "gpl-3.0",
    "lgpl",
    "lgpl-2.1",
    "lgpl-3.0",
    "isc",
    "h-research",
    "intel-research",
    "lppl-1.3c",
    "ms-pl",
    "apple-ascl",
    "apple-amlr",
    "mpl-2.0",
    "odc-by",
    "odbl",
    "openmdw-1.0",
    "openmdw-1.1",
    "openrail++",
    "osl-3.0",
    "postgresql",
    "ofl-1.1",
    "ncsa",
    "unlicense",
    "zlib",
    "pddl",
    "lgpl-lr",
    "deepfloyd-if-license",
    "fair-noncommercial-research-license",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "grok2-community",
    "gemma",
    "unknown",
    "other",
]

# (id, modality, verdict, a clause that must be among those deciding it)
REQUIRED = [
    ("apache-2.0", None, Verdict.OPEN, None),
    ("mit", None, Verdict.OPEN, None),
    ("cc-by-4.0", None, Verdict.OPEN, None),
    ("openmdw-1.0", None, Verdict.OPEN, None),
    ("llama2", None, Verdict.RESTRICTED, "§1.b.v"),
    ("llama3.1", None, Verdict.RESTRICTED, "§1.b.iv"),
    ("llama3.3", None, Verdict.RESTRICTED, "§1.b.iv"),
    ("gemma", None, Verdict.RESTRICTED, "§3.2"),
    ("bigscience-openrail-m", None, Verdict.RESTRICTED, "§5"),
    ("creativeml-openrail-m", None, Verdict.RESTRICTED, "§5"),
    ("deepseek", None, Verdict.RESTRICTED, "§5"),
    ("llama4", None, Verdict.NOT_OPEN, "AUP"),
    ("llama3.2", "multimodal", Verdict.NOT_OPEN, "AUP"),
    ("llama3.2", "text", Verdict.RESTRICTED, "§1.b.iv"),
    ("cc-by-nc-4.0", None, Verdict.NOT_OPEN, "§2(a)(1)"),
    ("mrl", None, Verdict.NOT_OPEN, "§3.2"),
    ("stabilityai-nc-research-community", None, Verdict.NOT_OPEN, None),
]


def test_every_catalogue_file_validates_and_the_index_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_catalogue.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert len(list((ROOT / "licenses").glob("*.yaml"))) == len(CATALOGUE)


def test_schema_flag_vocabulary_equals_the_code() -> None:
    schema = json.loads((ROOT / "schemas" / "license.schema.json").read_text())
    assert set(schema["$defs"]["feature"]["properties"]["flag"]["enum"]) == set(FLAGS)


@pytest.mark.parametrize("hub_id", HUB_IDS)
def test_every_hub_license_id_resolves_to_its_own_entry(hub_id: str) -> None:
    entry = CATALOGUE.resolve(hub_id)
    assert entry is not None, hub_id
    assert entry.hub_id == hub_id


def test_hub_list_has_83_ids_and_at_least_25_custom_licenses() -> None:
    assert len(set(HUB_IDS)) == 83
    custom = [e for e in CATALOGUE if e.hub_id is None]
    assert len(custom) >= 25, [e.id for e in custom]


@pytest.mark.parametrize(("license_id", "modality", "verdict", "clause"), REQUIRED)
def test_required_verdicts_with_the_deciding_clause(
    license_id: str, modality: str | None, verdict: Verdict, clause: str | None
) -> None:
    grade = grade_license(CATALOGUE.get(license_id), GradingContext(modality=modality))
    assert grade.verdict is verdict
    if clause is not None:
        deciding = [f.clause for f in grade.decisive_clauses()]
        assert any(clause in c for c in deciding), deciding


def test_llama_versions_differ_where_their_texts_differ() -> None:
    def flags(lid: str) -> set[str]:
        return {f.flag for f in CATALOGUE.get(lid).features}

    # Llama 2 and 3 ban improving other LLMs with outputs; 3.1 dropped that clause.
    assert "modify.output_training_ban" in flags("llama2")
    assert "modify.output_training_ban" in flags("llama3")
    assert "modify.output_training_ban" not in flags("llama3.1")
    # Llama 3 added the naming duty; 3.1 extended it to models trained on outputs.
    assert "share.naming_prefix" not in flags("llama2")
    prefix3 = next(f for f in CATALOGUE.get("llama3").features if f.flag == "share.naming_prefix")
    prefix31 = next(
        f for f in CATALOGUE.get("llama3.1").features if f.flag == "share.naming_prefix"
    )
    assert "outputs" not in prefix3.params.get("triggers", [])
    assert "outputs" in prefix31.params.get("triggers", [])
    # The EU exclusion for multimodal models starts with 3.2.
    assert "use.geographic_exclusion" not in flags("llama3.1")
    assert verdicts_by_modality(CATALOGUE.get("llama3.2"))["multimodal"] is Verdict.NOT_OPEN
    assert grade_license(CATALOGUE.get("llama4")).verdict is Verdict.NOT_OPEN


def test_every_entry_states_its_grants_or_is_a_placeholder() -> None:
    for entry in CATALOGUE:
        verdict = grade_license(entry).verdict
        if entry.kind == "placeholder":
            assert verdict is Verdict.UNKNOWN and not entry.features, entry.id
        else:
            assert verdict is not Verdict.UNKNOWN, f"{entry.id}: a freedom has no feature"


def test_benign_conditions_never_lower_a_cell() -> None:
    for entry in CATALOGUE:
        if entry.kind == "placeholder":
            continue
        benign_free = replace(
            entry,
            features=tuple(f for f in entry.features if FLAGS[f.flag].effect is not Effect.BENIGN),
        )
        with_benign = grade_license(entry)
        without = grade_license(benign_free)
        for freedom in Freedom:
            if without.freedoms[freedom].cell is not Cell.UNKNOWN:
                assert with_benign.freedoms[freedom].cell is without.freedoms[freedom].cell, (
                    entry.id,
                    freedom,
                )


def _entry_with(flag: str, **params: int) -> LicenseEntry:
    base = CATALOGUE.get("apache-2.0")
    extra = replace(base.features[0], flag=flag, params=params)
    return replace(base, features=(*base.features, extra))


@pytest.mark.parametrize(
    ("flag", "params", "default", "cut_off_above"),
    [
        ("use.user_threshold", {"mau": 700_000_000}, Cell.LIMITED, Thresholds(mau=800_000_000)),
        ("use.user_threshold", {"mau": 1_000_000}, Cell.DENIED, Thresholds(mau=500_000)),
        ("use.revenue_threshold", {"usd": 1_000_000}, Cell.DENIED, Thresholds(revenue_usd=1_000)),
    ],
)
def test_thresholds_are_configurable(
    flag: str, params: dict[str, int], default: Cell, cut_off_above: Thresholds
) -> None:
    entry = _entry_with(flag, **params)
    assert grade_license(entry).freedoms[Freedom.USE].cell is default
    flipped = Cell.DENIED if default is Cell.LIMITED else Cell.LIMITED
    assert grade_license(entry, thresholds=cut_off_above).freedoms[Freedom.USE].cell is flipped


def test_escalation_switches_turn_limits_into_denials() -> None:
    entry = CATALOGUE.get("llama3.1")
    assert grade_license(entry).verdict is Verdict.RESTRICTED
    strict = Thresholds(field_exclusion_denies=True)
    assert grade_license(entry, thresholds=strict).verdict is Verdict.NOT_OPEN


def test_aliases_and_license_names_resolve() -> None:
    assert CATALOGUE.resolve("Apache 2.0").id == "apache-2.0"  # type: ignore[union-attr]
    assert CATALOGUE.resolve("MIT").id == "mit"  # type: ignore[union-attr]
    assert CATALOGUE.resolve("gemma-terms-of-use").id == "gemma"  # type: ignore[union-attr]
    assert CATALOGUE.resolve("deepseek").id == "deepseek"  # type: ignore[union-attr]
    assert CATALOGUE.resolve("no-such-license") is None


def test_unknown_id_gets_close_suggestions() -> None:
    assert "llama3.1" in CATALOGUE.suggest("lama3.1")
    assert "apache-2.0" in CATALOGUE.suggest("apache2.0")


def test_namings_are_the_entries_names_without_making_them() -> None:
    from openweights.licensing.catalogue import Catalogue
    from openweights.resources import catalogue_records

    catalogue = Catalogue.from_records(catalogue_records("licenses", "licenses"))
    namings = list(catalogue.namings())
    assert catalogue._made.count(None) == len(catalogue)  # nothing made yet
    assert catalogue.resolve_id("Apache 2.0") == "apache-2.0"
    assert catalogue._made.count(None) == len(catalogue)
    assert catalogue.resolve("Apache-2.0") is catalogue.resolve("apache_2.0")
    assert len(catalogue) - catalogue._made.count(None) == 1  # only what was asked for
    expected = [(e.id, e.kind, e.name, e.aliases, e.markers, e.spdx, e.hub_id, e.license_names)
                for e in catalogue]
    assert namings == expected


def test_normalise_id_without_a_separator_takes_the_short_way_to_the_same_id() -> None:
    import re

    from openweights.licensing.catalogue import normalise_id
    from openweights.resources import catalogue_records

    def slow(raw: str) -> str:
        return re.sub(r"[\s_/]+", "-", raw.strip().lower()).strip("-")

    names = [str(x) for r in catalogue_records("licenses", "licenses")
             for x in (r["id"], r.get("hub_id"), r.get("spdx"), r["name"],
                       *(r.get("aliases") or ()), *(r.get("license_names") or ())) if x]
    odd = ["", "-", "--x--", " Apache 2.0 ", "cc-by_4.0", "a/b", "x\u00a0y", "MIT+", "\u01c5x",
           "llama-3.1", "-mit-", "gpl-3.0+", "a.b", "\u2003", "Ⅻ", "x\u2028y"]
    for raw in [*names, *odd]:
        assert normalise_id(raw) == slow(raw), raw


def test_the_index_read_entry_by_entry_is_the_index_parsed_whole() -> None:
    import json

    from openweights.licensing.catalogue import Catalogue, read_index
    from openweights.resources import bundled_path

    text = (bundled_path("licenses") / "index.json").read_text(encoding="utf-8")
    whole = Catalogue.from_records(json.loads(text)["licenses"])  # the index is one document
    lazy = read_index(text)
    assert list(lazy.namings()) == list(whole.namings())
    assert lazy._made.count(None) == len(lazy)  # nothing parsed beyond the namings yet
    assert lazy.resolve("llama3.1") == whole.resolve("llama3.1")
    assert lazy.entries == whole.entries
    # Another layout of the same document (a hand edit, an older build) is parsed whole.
    relaid = read_index(json.dumps(json.loads(text), indent=1))
    assert relaid.entries == whole.entries and list(relaid.namings()) == list(whole.namings())
