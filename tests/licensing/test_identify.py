"""License identification: normalisation, word blocks, exact or modified, diffs, every license.

Corpus tests read the reference texts in ``../shared/corpus/licenses`` and skip without them;
everything else runs on a fresh clone, on texts written here (made-up licenses fingerprinted
in the test, with the build script's own functions).
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
import shutil
import subprocess
import sys
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from openweights.licensing import identify as ident
from openweights.licensing.catalogue import Catalogue, load_catalogue
from openweights.licensing.identify import (
    BLOCK,
    FingerprintSet,
    Identification,
    block_hash,
    block_hashes,
    build_index,
    identify,
    is_substantive,
    load_fingerprints,
    normalise,
    rank,
    tokens,
    window_hashes,
)
from tests.licensing.variants import ADDENDUM, variants

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
LICENSES = CORPUS / "licenses"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_fingerprints", ROOT / "scripts" / "build_fingerprints.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_fingerprints"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


build_fingerprints = _load_script()
CORPUS_IDS: dict[str, str] = build_fingerprints.CORPUS_IDS


@pytest.fixture
def corpus() -> Path:
    """The reference license texts; skips the test when the shared corpus is absent."""
    if not LICENSES.is_dir():
        pytest.skip("shared corpus absent")
    return LICENSES


def _text(corpus: Path, name: str) -> str:
    return (corpus / name).read_text(encoding="utf-8")


def _has_title(text: str) -> bool:
    """Whether removing the opening paragraph removes only omittable words."""
    opening = text.lstrip().split("\n\n")[0]
    return build_fingerprints.title_lines(text) > 0 or not tokens(opening).words


# --------------------------------------------------------------------------- corpus


@pytest.mark.parametrize("name", sorted(CORPUS_IDS))
def test_every_corpus_text_is_its_own_entry(corpus: Path, name: str) -> None:
    result = identify(_text(corpus, name))
    expected = CORPUS_IDS[name]
    assert (result.status, result.license_id) == ("match", expected), result.describe()
    assert result.closest is None and not result.edits
    parts = [f.part for f in result.found]
    if build_fingerprints.part_of(name) == "aup":
        assert parts == ["acceptable use policy"]
    elif name == "llama3.txt":  # the Llama 3 license file carries its policy
        assert parts == ["license", "acceptable use policy"]
    else:
        assert parts[0] == "license"
    assert result.describe().startswith(expected)


def _variants(corpus: Path) -> list[Any]:
    texts = {name: _text(corpus, name) for name in CORPUS_IDS}
    return list(variants(texts, CORPUS_IDS, _has_title))


def test_generated_variants_get_their_answers(corpus: Path) -> None:
    """Every variant kind over every corpus text: zero confident wrong answers (a match on a
    text that is not exactly those licenses), every modified text flagged with the closest."""
    made = _variants(corpus)
    assert len(made) > 300
    assert {v.kind for v in made} == {
        "term changed", "clause inserted", "licensor replaced", "reflowed", "markdown",
        "half a text", "title removed", "addendum after the license", "copyright header",
        "two texts concatenated",
    }
    wrong, missed = [], []
    for v in made:
        result = identify(v.text)
        if result.status == "match" and (
            v.expected != "match" or set(result.licenses) != set(v.licenses)
        ):
            wrong.append(f"{v.name}: {result.describe()}")
        elif v.expected == "modified":
            closest = result.closest.license_id if result.closest else result.named
            if result.status != "modified" or closest != v.licenses[0]:
                missed.append(f"{v.name}: {result.describe()}")
        elif result.status != "match" or list(result.licenses) != list(v.licenses):
            missed.append(f"{v.name}: {result.describe()}")
    assert not wrong, "confident wrong answers:\n" + "\n".join(wrong)
    assert not missed, "\n".join(missed)


def test_changed_threshold_is_modified_with_the_numbers_in_the_diff(corpus: Path) -> None:
    text = _text(corpus, "llama3.1.txt")
    assert "700 million" in text
    result = identify(text.replace("700 million", "7 million", 1))
    assert result.status == "modified" and result.license_id is None
    assert result.closest is not None and result.closest.license_id == "llama3.1"
    (edit,) = result.edits
    assert edit.kind == "replace" and "7" in edit.added and "700" in edit.removed_known
    assert "[-6 words: 700 million monthly-]{+is greater than 7 million monthly+}" in (
        result.diff_text()
    )
    data = result.as_dict()
    assert data["license"] is None and data["closest"]["id"] == "llama3.1"
    assert data["closest"]["diff"] == {
        "edits": 1, "inserted": 0, "deleted": 0, "changed": 6, "added_terms": 0
    }


def test_revocable_grant_and_renamed_licensor_are_modified(corpus: Path) -> None:
    text = _text(corpus, "llama3.1.txt")
    revocable = re.sub(r"non-exclusive,", "revocable, non-exclusive,", text, count=1)
    renamed = text.replace("Meta Platforms, Inc.", "Frobozz Holdings Ltd.")
    for changed, added in ((revocable, "revocable"), (renamed, "frobozz")):
        assert changed != text
        result = identify(changed)
        assert result.status == "modified", result.describe()
        assert result.closest is not None and result.closest.license_id == "llama3.1"
        assert any(added in e.added for e in result.edits)


def test_apache_with_a_noncommercial_addendum_is_modified(corpus: Path) -> None:
    result = identify(_text(corpus, "apache-2.0.txt") + ADDENDUM)
    assert result.status == "modified" and result.license_id is None
    assert [f.status for f in result.found if not f.optional] == ["match"]
    (added,) = result.license_language
    assert "noncommercial" in added.words and "noncommercial" in added.license_language
    assert "outside every license" in result.diff_text("LICENSE")
    assert "words of added terms" in result.describe()


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("The MIT License (MIT)\n\nCopyright (c) 2024 Foo Bar\n\n", "match"),
        ("# License\n\nThis project is licensed under the MIT License:\n\n", "match"),
        ("The weights are licensed under the Llama 3.1 Community License.\n\n", "modified"),
        ("The weights are for non-commercial use only.\n\n", "modified"),
    ],
)
def test_a_line_naming_the_license_is_not_added_terms(
    corpus: Path, header: str, status: str
) -> None:
    result = identify(header + _text(corpus, "mit.txt"))
    assert (result.status, result.licenses) == (status, ("mit",)), result.describe()


def test_two_licenses_in_one_file_are_both_reported(corpus: Path) -> None:
    text = _text(corpus, "mit.txt") + "\n\n" + _text(corpus, "cc-by-nc-4.0.txt")
    result = identify(text)
    assert result.status == "match"
    assert result.licenses == ("mit", "cc-by-nc-4.0")
    assert result.license_id is None  # two licenses: the caller takes the least open
    first, second = result.found
    assert first.lines[1] < second.lines[0]


def test_license_and_its_policy_are_two_parts(corpus: Path) -> None:
    for license_id in ("llama2", "llama3.1", "llama3.2", "llama3.3", "llama4"):
        text = _text(corpus, f"{license_id}.txt") + "\n\n" + _text(corpus, f"{license_id}-aup.md")
        result = identify(text)
        assert (result.status, result.license_id) == ("match", license_id), result.describe()
        assert [f.part for f in result.found] == ["license", "acceptable use policy"]


FAMILIES = {
    "llama": ["llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"],
    "cc": ["cc-by-4.0", "cc-by-nc-4.0", "cc-by-sa-4.0"],
    "openrail": ["creativeml-openrail-m", "openrail++"],
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_close_relatives_are_told_apart(corpus: Path, family: str) -> None:
    members = FAMILIES[family]
    for license_id in members:
        name = next(n for n, i in sorted(CORPUS_IDS.items())
                    if i == license_id and build_fingerprints.part_of(n) == "license")
        text = _text(corpus, name)
        assert identify(text).license_id == license_id
        scores = {i: s for i, part, s in rank(text) if part == "license"}
        for relative in members:
            if relative != license_id and relative in scores:
                assert scores[relative] < 1.0, (license_id, relative)
        # The untitled text still names its own version, never a relative.
        untitled = identify(text.split("\n\n", 1)[1])
        assert license_id in untitled.licenses or untitled.named == license_id


@pytest.mark.parametrize("name", ["mit.txt", "llama3.1.txt", "cc-by-4.0.txt", "apple-ascl.txt"])
def test_header_and_copyright_line_still_match(corpus: Path, name: str) -> None:
    header = (
        "Weights of the Kestrel-7B model\n"
        "Released by the Kestrel project under the terms reproduced below.\n"
        "Questions about this file go to the maintainers listed in the README.\n\n"
        "Copyright (c) 2025 Kestrel Project Contributors\n\n"
    )
    result = identify(header + _text(corpus, name))
    assert (result.status, result.license_id) == ("match", CORPUS_IDS[name]), result.describe()
    assert result.extra and not result.license_language  # the header is kept, as a header


def test_build_fingerprints_check_passes_on_the_committed_file(corpus: Path) -> None:
    assert build_fingerprints.main(["--check", "--corpus", str(corpus)]) == 0


def test_build_fingerprints_check_fails_on_a_stale_file(corpus: Path, tmp_path: Path) -> None:
    stale = tmp_path / "fingerprints.json"
    stale.write_text('{"format": 0}\n', encoding="utf-8")
    argv = ["--check", "--corpus", str(corpus), "--output", str(stale)]
    assert build_fingerprints.main(argv) == 1


def test_no_stored_mark_or_title_spells_out_a_corpus_sentence(corpus: Path) -> None:
    """The plain words stored (numbers and restrictive words) never make up a run of text:
    no two consecutive stored words of any reference are both ordinary words."""
    for ref in load_fingerprints().references:
        for (a, wa), (b, wb) in zip(ref.marks, ref.marks[1:], strict=False):
            assert is_substantive(wa) and is_substantive(wb)
            if b == a + 1:
                assert wa in ident.RESTRICTIVE_WORDS or any(c.isdigit() for c in wa)


# --------------------------------------------------------------------------- made-up licenses

KESTREL = """KESTREL MODEL LICENSE

Version 2, 5 March 2031

1. Grant. The Licensor grants You a worldwide, royalty-free, non-exclusive license to use,
copy, modify and share the Kestrel weights, for any purpose, subject to section 2.

2. Notices. Every copy You share must carry this license and a notice of the changes You
made. You may not remove the names of the authors from the weights or their documentation.

3. Size. Services with more than 250 million monthly active users need a separate license
from the Licensor, which it may grant at its discretion.

4. No warranty. The weights come as they are, without any promise that they work or are
fit for a purpose, and the Licensor is not liable for anything that using them causes.

How to apply this license: put the line "Kestrel Model License 2" in your model card and ship
this file next to the weights, unchanged.
"""

HERON = """Heron Data Terms

You may read, copy and redistribute the Heron tables, in whole or in part, by any means,
provided that each copy names the Heron survey team as its source and links to these terms.
Nothing here lets anyone claim the tables as their own work or sell access to them alone.
The team offers the tables without warranty of any kind.
"""


def _fake_catalogue() -> Catalogue:
    records: list[Mapping[str, Any]] = [
        {"id": "kestrel-2", "name": "Kestrel Model License 2",
         "markers": ["Kestrel Model License"]},
        {"id": "heron", "name": "Heron Data Terms", "markers": ["Heron Data Terms"]},
        {"id": "frobnicator-1.0", "name": "Frobnicator Model License 1.0",
         "markers": ["Frobnicator Model License"]},
        {"id": "frob-family", "name": "Frob licenses", "kind": "family", "markers": ["Frob"]},
    ]
    return Catalogue.from_records(records)


def _fake_prints() -> FingerprintSet:
    texts = [
        build_fingerprints.Text("kestrel-2", "license", "test:kestrel", KESTREL),
        build_fingerprints.Text("heron", "license", "test:heron", HERON),
    ]
    refs, problems = build_fingerprints.references(texts)
    assert not problems
    ordered = sorted(refs, key=lambda r: (r.license_id, r.part, r.source))
    index, owners = build_index(ordered)
    return FingerprintSet(tuple(ordered), index, owners)


def _identify(text: str) -> Identification:
    return identify(text, _fake_catalogue(), _fake_prints())


def test_made_up_license_matches_itself_and_without_title_or_appendix() -> None:
    assert _identify(KESTREL).license_id == "kestrel-2"
    body = KESTREL.split("\n\n", 1)[1]
    assert _identify(body).license_id == "kestrel-2"  # title omitted
    assert _identify(KESTREL.split("How to apply")[0]).license_id == "kestrel-2"
    reflowed = re.sub(r"(?<=[a-z,])\n(?=[a-z])", " ", KESTREL)
    assert reflowed != KESTREL and _identify(reflowed).license_id == "kestrel-2"
    markdown = KESTREL.replace("KESTREL MODEL LICENSE", "# KESTREL MODEL LICENSE").replace(
        "1. Grant.", "- **1. Grant.**"
    )
    assert _identify(markdown).license_id == "kestrel-2"


@pytest.mark.parametrize(
    ("old", "new", "added"),
    [
        ("250 million", "2 million", "2"),  # a threshold
        ("for any purpose", "for non-commercial purposes", "noncommercial"),  # a restriction
        ("The Licensor grants", "The Licensor revocably grants", "revocably"),  # one word in
        ("Kestrel weights", "Osprey weights", "osprey"),  # a name
    ],
)
def test_one_changed_word_is_modified_and_shown(old: str, new: str, added: str) -> None:
    assert old in KESTREL
    result = _identify(KESTREL.replace(old, new, 1))
    assert result.status == "modified" and result.license_id is None
    assert result.closest is not None and result.closest.license_id == "kestrel-2"
    assert any(added in e.added for e in result.edits), result.diff_text()
    line = next(i for i, text in enumerate(KESTREL.splitlines(), 1) if old in text)
    assert {e.line for e in result.edits} == {line}


def test_a_deleted_sentence_is_modified_with_its_numbers_named() -> None:
    result = _identify(KESTREL.replace(
        "3. Size. Services with more than 250 million monthly active users need a separate "
        "license\nfrom the Licensor, which it may grant at its discretion.\n\n", ""))
    assert result.status == "modified"
    (edit,) = result.edits
    # Blocks do not fall on sentence ends: a deleted sentence takes a few words around it.
    assert edit.kind in {"delete", "replace"} and edit.removed >= 20
    assert len(edit.added) < 2 * BLOCK
    assert {"250", "million", "monthly", "active", "users"} <= set(edit.removed_known)


def test_addendum_with_license_language_makes_it_modified_a_note_does_not() -> None:
    note = _identify(KESTREL + "\nThe weights were trained on public-domain bird songs.\n")
    assert note.status == "match" and note.extra and not note.license_language
    rider = _identify(KESTREL + "\nAddendum: commercial use of the weights is prohibited.\n")
    assert rider.status == "modified"
    assert set(rider.license_language[0].license_language) == {"commercial", "prohibited"}


def test_two_made_up_licenses_and_the_json_contract() -> None:
    result = _identify(KESTREL + "\n\n" + HERON)
    assert result.status == "match" and result.licenses == ("kestrel-2", "heron")
    data = result.as_dict()
    assert list(data) == ["status", "license", "licenses", "closest", "named", "extra", "edits",
                          "description"]
    assert data["license"] is None and data["closest"] is None
    assert [lic["id"] for lic in data["licenses"]] == ["kestrel-2", "kestrel-2", "heron"]
    assert json.loads(json.dumps(data)) == data


def test_half_a_text_is_modified() -> None:
    half = KESTREL[: len(KESTREL) // 2]
    result = _identify(half)
    assert result.status == "modified"
    assert result.closest is not None and result.closest.similarity < 0.8


def test_title_alone_is_named_never_a_match() -> None:
    text = (
        "# Frobnicator Model License\n\n"
        "You may run the frobnicator weights for any lawful purpose, and pass them on if the\n"
        "recipient gets this notice. The authors promise nothing about what the model says.\n"
    )
    result = _identify(text)
    assert (result.status, result.named, result.license_id) == ("named", "frobnicator-1.0", None)
    assert "named by the title" in result.describe()


def test_known_title_over_other_words_is_modified_a_pointer_is_not() -> None:
    long = "Kestrel Model License\n\n" + " ".join(
        f"The holder may do thing number {i} with the weights." for i in range(10)
    )
    result = _identify(long)
    assert (result.status, result.named) == ("modified", "kestrel-2")
    pointer = _identify("These weights are under the Kestrel Model License, version 2.")
    assert (pointer.status, pointer.named) == ("no-match", "kestrel-2")


def test_family_title_is_named_and_far_titles_are_ignored() -> None:
    assert _identify("Frob\n\nWritten for this test: share and enjoy.").named == "frob-family"
    filler = " ".join(f"note{i}" for i in range(200))
    assert _identify(f"{filler}\nFrobnicator Model License\n").status == "no-match"


# --------------------------------------------------------------------------- corpus-free


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Hello   WORLD\n\n\tagain", "hello world again"),  # case, whitespace
        ("the “Work”, the 'Work' and the «Work»!", "the work the work and the work"),  # quotes
        ("Licensor’s rights; the Licensee's duty", "licensors rights the licensees duty"),
        ("non-exclusive, non‑exclusive", "nonexclusive nonexclusive"),  # hyphens of any kind
        ("a royalty-\n   free grant", "a royaltyfree grant"),  # word broken across lines
        ("terms — including; terms -- including", "terms including terms including"),  # dashes
        (
            "1. Grant\na) Use\n(iv) Share\n- item\n* star\n• dot\n2.1. Scope",
            "grant use share item star dot scope",
        ),
        ("1. Violence or terrorism\n   2. Exploitation", "violence or terrorism exploitation"),
        ("4. laws; or\n 5. directly export", "laws or directly export"),
        ("the terms.\n5. Users\n\n6. Data", "the terms users data"),  # after a sentence
        ("the terms; 5. Users. 6) Data", "the terms users data"),  # after a clause end
        ("// Permission is\n// granted\n# to all\n * parties", "permission is granted to all"
         " parties"),
        ("Terms\n-----\n=====\n*****\nEnd", "terms end"),  # separators
        ("Copyright (c) 2024 Foo Inc.\nPermission granted", "permission granted"),
        ("Copyright (c) 2024 Foo Inc. Permission granted", "permission granted"),  # reflowed
        ("© 2019-2024 Bar GmbH\nAll rights reserved.\nText", "text"),
        ("2023 Copyright Baz\n\nText", "text"),
        ("Copyright 2030 Foo Open Model\nLicense, 1 June 2030\n\nText", "text"),  # wrapped
        ("Copyright 2030 Foo\nYou may not sell it\n\nText", "you may not sell it text"),
        ("Copyright (C) Qux Ltd. All Rights Reserved.\nText", "text"),
        ("Copyright and Similar Rights means rights", "copyright and similar rights means rights"),
        ("held by Copyright © Meta; Copyright (c) Meta", "held by copyright meta copyright meta"),
        ("see https://example.org/terms", "see http://example.org/terms"),  # http = https
        ("this licence, sub-licence, sub licence", "this license sublicense sublicense"),
        ("the organisation's behaviour per cent", "the organizations behavior percent"),
        ("Tom & Jerry", "tom and jerry"),
        ("# Title\n**bold** _it_ [link text](https://x.example/z) `code`", "title bold it link"
         " text code"),
        ("<p>in <b>bold</b></p><!-- note -->", "in bold"),
        ("llama3\\_3 and <https://a.example/b>", "llama3_3 and a.example/b"),
    ],
)
def test_normalisation_rule(left: str, right: str) -> None:
    assert normalise(left) == normalise(right)


def test_normalisation_keeps_numbers_names_and_restrictive_words() -> None:
    assert normalise("Llama 3.1 Community License, version 2.0.") == [
        "llama", "3.1", "community", "license", "version", "2.0",
    ]
    assert normalise("Open RAIL++-M") != normalise("Open RAIL-M")
    assert normalise("700,000,000 users") == ["700000000", "users"]
    assert normalise("within thirty (30) days") == ["within", "thirty", "30", "days"]
    assert normalise("Attribution-NonCommercial") == ["attributionnoncommercial"]
    assert normalise("for research only, not commercial") == [
        "for", "research", "only", "not", "commercial"
    ]
    # A notice inside a sentence is part of the terms (Llama's attribution line).
    assert "meta" in normalise("Llama is licensed under it, Copyright © Meta Platforms, Inc.")


def test_all_of_the_text_is_read() -> None:
    text = "end of terms and conditions\nAPPENDIX: How to apply the License\nno commercial use"
    assert normalise(text)[-3:] == ["no", "commercial", "use"]


def test_tokens_carry_their_lines() -> None:
    text = "one two\n\nthree-\nfour five\n<!-- a\nb -->six\n\nCopyright 2020 X\nseven\neight"
    prepared = tokens(text)
    assert list(zip(prepared.words, prepared.lines, strict=True)) == [
        ("one", 1), ("two", 1), ("threefour", 3), ("five", 4), ("six", 6), ("seven", 9),
        ("eight", 10),
    ]


def test_blocks_do_not_overlap_and_windows_slide() -> None:
    words = [f"w{i}" for i in range(20)]
    hashes = block_hashes(words)
    assert len(hashes) == 4  # 0-5, 6-11, 12-17 and the last six words (14-19)
    assert hashes[0] == block_hash(words[:BLOCK]) and hashes[-1] == block_hash(words[-BLOCK:])
    windows = window_hashes(words)
    assert len(windows) == len(words) - BLOCK + 1
    assert [windows[i] for i in (0, 6, 12, 14)] == hashes
    # Salted: not the plain CRC-32 of the words, so no outside table reverses a block.
    assert block_hash(["a", "b"]) != zlib.crc32(b"a b")
    assert block_hashes([]) == [] and len(block_hashes(["lonely"])) == 1


def test_fingerprint_file_holds_only_hashes_counts_and_known_words() -> None:
    path = ident.fingerprints_path()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"format", "normaliser", "block", "salt", "hash", "index", "owners",
                         "references"}
    catalogue = load_catalogue()
    loaded = load_fingerprints()
    assert len(loaded.references) == len(data["references"]) > 60
    assert len(loaded.index) == len(loaded.owners) == sum(len(r.blocks) for r in loaded.references)
    assert list(loaded.index) == sorted(loaded.index)
    for record, ref in zip(data["references"], loaded.references, strict=True):
        assert set(record) == {"id", "part", "source", "words", "blocks", "titles", "marks",
                               "items", "regions", "bridges"}
        assert record["part"] in {"license", "aup", "appendix", "notice"}
        assert record["source"].split(":")[0] in {"corpus", "licensedcode", "vendor", "spdx"}
        assert len(ref.blocks) == len(block_hashes(["x"] * ref.words)) > 0
        assert catalogue.resolve(record["id"]) is not None, f"{record['id']} not in catalogue"
        assert all(is_substantive(word) for _, word in ref.marks)
    ids = {ref.license_id for ref in loaded.references}
    assert {"mit", "apache-2.0", "llama3.1", "cc-by-nc-4.0", "openrail++"} <= ids


def test_unrelated_prose_is_no_match() -> None:
    prose = (
        "Tulips want a cold winter before they flower. Plant the bulbs in autumn, pointed end up,\n"
        "about three times as deep as they are tall, and water them once. In spring, pick the\n"
        "faded heads off so the plant feeds the bulb rather than the seeds. " * 3
    )
    result = identify(prose)
    assert result.status == "no-match" and result.license_id is None and not result.found
    assert result.describe() == "no catalogue license matches"


@pytest.mark.parametrize("text", ["", "   \n\t ", "!!! --- ***", "§ § ¶"])
def test_text_without_words_is_no_match(text: str) -> None:
    result = identify(text)
    assert (result.status, result.found, result.extra) == ("no-match", (), ())
    assert result.describe() == "no catalogue license matches"


def _binaryish() -> Iterator[str]:
    yield bytes(range(256)).decode("latin-1") * 40
    rnd = random.Random(42)
    yield bytes(rnd.randrange(256) for _ in range(20_000)).decode("utf-8", errors="replace")
    yield "\x00" * 1000 + "MIT License" + "\ufffd" * 500
    yield "\u202e\u200b" * 300 + "[](" * 200 + "<" * 300 + "-\n" * 200


@pytest.mark.parametrize("text", list(_binaryish()), ids=["latin1", "random", "nul", "odd"])
def test_binaryish_text_does_not_crash(text: str) -> None:
    result = identify(text)
    assert result.status in {"no-match", "modified"}
    assert isinstance(result.describe(), str)
    assert isinstance(json.dumps(result.as_dict()), str)


def test_fingerprints_load_lazily() -> None:
    code = (
        "import openweights.licensing.identify as m, sys\n"
        "assert m.load_fingerprints.cache_info().currsize == 0\n"
        "m.identify('a few words of text here')\n"
        "assert m.load_fingerprints.cache_info().currsize == 1\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_build_fingerprints_check_without_texts_passes(tmp_path: Path) -> None:
    argv = ["--check", "--corpus", str(tmp_path / "absent"), "--licensedcode",
            str(tmp_path / "absent")]
    assert build_fingerprints.main(argv) == 0


def test_build_stores_no_text_and_is_deterministic(tmp_path: Path) -> None:
    corpus = tmp_path / "licenses"
    corpus.mkdir()
    words = ["quixotic", "marmalade", "zebras", "tango", "nightly", "beneath", "copper"]
    (corpus / "mit.txt").write_text(" ".join(words * 5), encoding="utf-8")
    (corpus / "unmapped.txt").write_text("anything", encoding="utf-8")
    absent = tmp_path / "absent"
    document, problems, skipped = build_fingerprints.build(corpus, absent)
    assert skipped == ["licensedcode", "vendor", "spdx"]
    assert any("unmapped.txt" in p for p in problems)  # unknown files are reported
    assert any("apache-2.0.txt" in p for p in problems)  # so are missing ones
    rendered = build_fingerprints.render(document)
    assert [r["id"] for r in document["references"]] == ["mit"]
    for word in words:
        assert word not in rendered
    assert rendered == build_fingerprints.render(build_fingerprints.build(corpus, absent)[0])
    out = tmp_path / "out.json"
    argv = ["--corpus", str(corpus), "--licensedcode", str(absent), "--output", str(out)]
    assert build_fingerprints.main(argv) == 1  # problems: nothing written
    assert not out.exists()


def test_absent_source_keeps_its_records(tmp_path: Path) -> None:
    corpus = tmp_path / "licenses"
    corpus.mkdir()
    (corpus / "mit.txt").write_text(HERON, encoding="utf-8")
    kept = [build_fingerprints.record(r) for r in _fake_prints().references]
    for record in kept:
        record["source"] = "licensedcode:" + record["source"]
        record["id"] = "mit"
    document, _, skipped = build_fingerprints.build(corpus, tmp_path / "absent", kept)
    assert skipped == ["licensedcode", "vendor", "spdx"]
    sources = sorted(r["source"] for r in document["references"])
    assert sources == ["corpus:mit.txt", "licensedcode:test:heron", "licensedcode:test:kestrel",
                       "licensedcode:test:kestrel"]  # the license and its appendix


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_vendor_texts_are_read_from_clones_at_their_commit(tmp_path: Path) -> None:
    clone = tmp_path / "vendors" / "kestrel-org+weights"
    clone.mkdir(parents=True)

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(clone), *args], capture_output=True, text=True,
                              check=True, env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                                               "GIT_COMMITTER_NAME": "t",
                                               "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(tmp_path)})
        return done.stdout.strip()

    git("init", "-q")
    (clone / "LICENSE-MODEL").write_text(KESTREL, encoding="utf-8")
    git("add", "LICENSE-MODEL")
    git("commit", "-qm", "license")
    commit = git("rev-parse", "HEAD")
    (clone / "LICENSE-MODEL").write_text("replaced later", encoding="utf-8")
    table = {"kestrel-2": (("kestrel-org/weights", commit, "LICENSE-MODEL"),),
             "heron": (("kestrel-org/weights", "0" * 40, "HERON"),)}
    original = build_fingerprints.VENDOR_TEXTS
    build_fingerprints.VENDOR_TEXTS = table
    try:
        texts, problems = build_fingerprints.vendor_texts(tmp_path / "vendors")
    finally:
        build_fingerprints.VENDOR_TEXTS = original
    assert [(t.license_id, t.text) for t in texts] == [("kestrel-2", KESTREL)]
    assert texts[0].source == f"vendor:kestrel-org/weights@{commit[:7]}:LICENSE-MODEL"
    assert len(problems) == 1 and "HERON" in problems[0]
