"""License identification: normalisation, word blocks, exact or modified, diffs, every license.

Corpus tests read the reference texts in ``../shared/corpus/licenses`` and skip without them;
everything else runs on a fresh clone, on texts written here (made-up licenses fingerprinted
in the test, with the build script's own functions).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
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
from tests.licensing.variants import ADDENDUM, HOLDERS, NOTICES, holder_filled, notice_of, variants
from tests.support import load_script, run_owcheck

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
LICENSES = CORPUS / "licenses"


build_fingerprints = load_script(ROOT / "scripts" / "build_fingerprints.py")
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


def _wrong_and_missed(made: list[Any]) -> tuple[list[str], list[str]]:
    """Confident wrong answers (a match on a text that is not exactly those licenses) and
    answers short of the expected one (a modified text not flagged with its closest)."""
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
    return wrong, missed


def test_generated_variants_get_their_answers(corpus: Path) -> None:
    """Every variant kind over every corpus text: zero confident wrong answers (a match on a
    text that is not exactly those licenses), every modified text flagged with the closest."""
    made = _variants(corpus)
    assert len(made) > 300
    assert {v.kind for v in made} == {
        "term changed", "clause inserted", "licensor replaced", "reflowed", "markdown",
        "half a text", "title removed", "addendum after the license", "copyright header",
        "two texts concatenated", "number ending a sentence changed", "holder filled in",
        "holder with a restriction", "standard notice above the text",
        "standard notice with a restriction",
    }
    wrong, missed = _wrong_and_missed(made)
    assert not wrong, "confident wrong answers:\n" + "\n".join(wrong)
    assert not missed, "\n".join(missed)


LICENSEDCODE_TEXTS = {
    "bsd-new.LICENSE": "bsd-3-clause",
    "bsd-simplified.LICENSE": "bsd-2-clause",
    "isc.LICENSE": "isc",
    "gpl-2.0.LICENSE": "gpl-2.0",
    "gpl-3.0.LICENSE": "gpl-3.0",
}
"""Texts of ``licensedcode-data`` (the build script's source) that the generator also runs
over, when the package is installed: BSD and ISC with their holders, the GPL with its notice."""


def test_generated_variants_of_bsd_isc_and_gpl_texts(corpus: Path) -> None:
    folder = build_fingerprints.default_licensedcode()
    if folder is None:
        pytest.skip("licensedcode-data is not installed (pip install licensedcode-data)")
    texts = {name: _text(corpus, name) for name in CORPUS_IDS}
    ids = dict(CORPUS_IDS)
    for name, license_id in LICENSEDCODE_TEXTS.items():
        raw = (folder / name).read_text(encoding="utf-8")
        texts[name] = raw.split("\n---\n", 1)[1]
        ids[name] = license_id
    made = [v for v in variants(texts, ids, _has_title) if v.name.split(":")[0].split("+")[0]
            in LICENSEDCODE_TEXTS]
    kinds = {v.kind for v in made}
    assert {"holder filled in", "holder with a restriction", "standard notice above the text",
            "standard notice with a restriction", "reflowed"} <= kinds
    assert sum(v.kind == "holder filled in" for v in made) == 3  # BSD-2, BSD-3, ISC
    wrong, missed = _wrong_and_missed(made)
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


def test_mit_with_its_holder_filled_in_is_mit(corpus: Path) -> None:
    text = _text(corpus, "mit.txt")
    filled = holder_filled(text, HOLDERS["mit"], "Kestrel Labs")
    assert filled != text
    assert identify(filled).license_id == "mit"
    restricted = holder_filled(text, HOLDERS["mit"], "Kestrel Labs, for research use only,")
    result = identify(restricted)
    assert result.status == "modified" and result.closest is not None
    assert result.closest.license_id == "mit"
    assert "[-5 words-]{+the kestrel labs for research use only+} be liable" in (
        result.diff_text()
    )


def test_apache_notice_above_or_below_the_text_is_apache(corpus: Path) -> None:
    text = _text(corpus, "apache-2.0.txt")
    notice = notice_of(text, NOTICES["apache-2.0"])
    assert notice is not None
    above = identify(notice + text)
    assert (above.status, above.license_id) == ("match", "apache-2.0"), above.describe()
    assert [f.part for f in above.found] == ["standard notice", "license", "appendix"]
    below = identify(text + "\n\n" + notice)
    assert (below.status, below.license_id) == ("match", "apache-2.0"), below.describe()
    # The notice says "Apache" but the text is MIT's: a pointer to other terms.
    other = identify(notice + _text(corpus, "mit.txt"))
    assert other.status == "modified" and other.licenses == ("mit",)
    assert any("apache-2.0" in x.license_language for x in other.license_language)
    # A changed notice is not the standard one, even above an intact license.
    changed = identify(notice.replace("in compliance with", "for research under") + text)
    assert changed.status == "modified", changed.describe()
    assert "research" in changed.diff_text()


@pytest.mark.parametrize(
    ("card_license", "make", "verdict"),
    [
        ("mit", lambda t: holder_filled(t["mit.txt"], HOLDERS["mit"], "Kestrel Labs"), "open"),
        ("apache-2.0", lambda t: notice_of(t["apache-2.0.txt"], NOTICES["apache-2.0"])
         + t["apache-2.0.txt"], "open"),
        ("mit", lambda t: holder_filled(t["mit.txt"], HOLDERS["mit"], "Kestrel Labs (research "
                                        "use only)"), "unknown"),
    ],
    ids=["mit-holder", "apache-notice", "mit-restricted-holder"],
)
def test_license_files_grade_as_their_text_says(
    corpus: Path, tmp_path: Path, card_license: str, make: Any, verdict: str
) -> None:
    """End to end: a filled-in holder and a standard notice grade as the license; a holder
    with a restriction leaves the weights unknown, with the words cited."""
    repo = tmp_path / "kestrel"
    repo.mkdir()
    card = f"---\nlicense: {card_license}\n---\n# Kestrel-7B\n\nWeights, terms in LICENSE.\n"
    (repo / "README.md").write_text(card, encoding="utf-8")
    texts = {name: _text(corpus, name) for name in ("mit.txt", "apache-2.0.txt")}
    (repo / "LICENSE").write_text(make(texts), encoding="utf-8")
    (repo / "model.safetensors").write_bytes(b"\0" * 16)
    done = run_owcheck(str(repo), "--format", "json")
    assert done.returncode == 0, done.stderr
    weights = json.loads(done.stdout)["components"]["weights"]
    assert weights["license"]["verdict"] == verdict
    if verdict == "open":
        assert weights["license"]["id"] == card_license and weights["license"]["closest"] is None
    else:
        assert weights["license"]["closest"]["id"] == card_license
        assert any("research use only" in e["claim"] for e in weights["evidence"])


def test_copyright_line_after_the_text_still_matches(corpus: Path) -> None:
    for name in ("mit.txt", "apache-2.0.txt", "llama3.1.txt"):
        result = identify(_text(corpus, name) + "\n\nCopyright (c) 2025 Kestrel Labs\n")
        assert result.license_id == CORPUS_IDS[name], result.describe()


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


# --------------------------------------------------------------------------- templates

WREN = """WREN WEIGHTS LICENSE

Copyright (c) 2031 The Wren Project

1. The Wren Project grants you the right to use, copy and change the weights, subject to
the conditions below.

2. You may share the weights with anyone who is at least 16. A copy you share must carry
this license and the names of the authors.

3. The weights must not be used to:
   1. harm a person
   2. break a law
   3. train a rival model without credit

4. THE WEIGHTS COME AS THEY ARE. IN NO EVENT SHALL THE WREN PROJECT BE LIABLE FOR ANY
HARM THAT USING THEM CAUSES.
"""

# An SPDX-style template of WREN (ours): the holder is replaceable in clause 1 (any words)
# and in clause 4 (after a fixed "the"); the standard notice names the holder too.
WREN_TEMPLATE = """<SPDXLicenseCollection xmlns="http://www.spdx.org/license">
  <license licenseId="Wren-1.0" name="Wren Weights License">
    <text>
      <titleText><p>WREN WEIGHTS LICENSE</p></titleText>
      <copyrightText><p>Copyright (c) &lt;year&gt; &lt;holder&gt;</p></copyrightText>
      <list>
        <item><bullet>1.</bullet>
          <alt match=".+" name="holder">The Wren Project</alt> grants you the right to use,
          copy and change the weights, subject to the conditions below.</item>
        <item><bullet>2.</bullet> You may share the weights with anyone who is at least 16. A
          copy you share must carry this license and the names of the authors.</item>
        <item><bullet>3.</bullet> The weights must not be used to:
          <list>
            <item><bullet>1.</bullet> harm a person</item>
            <item><bullet>2.</bullet> break a law</item>
            <item><bullet>3.</bullet> train a rival model without credit</item>
          </list>
        </item>
        <item><bullet>4.</bullet> THE WEIGHTS COME AS THEY ARE. IN NO EVENT SHALL
          <alt match="(?i:the\\s+.+)" name="holderLiability">THE WREN PROJECT</alt> BE
          LIABLE FOR ANY HARM THAT USING THEM CAUSES.</item>
      </list>
    </text>
    <standardLicenseHeader>
      <p>Copyright <alt match=".+" name="copyright">[year] [holder]</alt></p>
      <p>These weights are released under the Wren Weights License. You may use them only as
      that license allows; a copy of it is in the file next to them, or ask
      <alt match=".+" name="holderNotice">the Wren Project</alt> for one.</p>
    </standardLicenseHeader>
  </license>
</SPDXLicenseCollection>
"""

WREN_NOTICE = """Copyright 2032 Osprey Labs

These weights are released under the Wren Weights License. You may use them only as
that license allows; a copy of it is in the file next to them, or ask Osprey Labs for one.

"""


def _wren_template() -> Any:
    template = build_fingerprints.read_template("wren-1.0", "test:wren.xml", WREN_TEMPLATE)
    assert template is not None
    return template


def _wren_prints() -> FingerprintSet:
    texts = [
        build_fingerprints.Text("wren-1.0", "license", "test:wren", WREN),
        build_fingerprints.Text("heron", "license", "test:heron", HERON),
    ]
    refs, problems = build_fingerprints.references(texts, {"wren-1.0": _wren_template()})
    assert not problems
    ordered = sorted(refs, key=lambda r: (r.license_id, r.part, r.source))
    index, owners = build_index(ordered)
    return FingerprintSet(tuple(ordered), index, owners)


def _wren(text: str) -> Identification:
    catalogue = Catalogue.from_records([
        {"id": "wren-1.0", "name": "Wren Weights License", "markers": ["Wren Weights License"]},
        {"id": "heron", "name": "Heron Data Terms", "markers": ["Heron Data Terms"]},
    ])
    return identify(text, catalogue, _wren_prints())


def test_template_regions_are_read_from_the_alt_patterns() -> None:
    template = _wren_template()
    spans = [" ".join(template.words[s : s + n]) for s, n in template.regions]
    assert spans == ["the wren project", "wren project"]  # the fixed "the" of clause 4 stays
    (notice,) = template.notices
    words, regions = build_fingerprints.marked_words(notice.text)
    assert words[:4] == ["these", "weights", "are", "released"]  # the copyright line dropped
    assert [" ".join(words[s : s + n]) for s, n in regions] == ["the wren project"]
    pattern = r"(Nobody\s+at.+may\s+sign)|(The\s+names?\s+.+may)"  # alternatives, fixed words
    original = "Nobody at the holder may sign"
    (span,) = build_fingerprints.wildcard_spans(pattern, original)
    assert original[span[0] : span[1]].strip() == "the holder"
    assert build_fingerprints.wildcard_spans("Software|Materials", "Software") == []
    assert build_fingerprints.wildcard_spans("[.]+x", "..x") == []  # a class, not a wildcard


def test_reference_stores_region_places_never_their_words() -> None:
    (license_ref,) = [r for r in _wren_prints().references if r.license_id == "wren-1.0"
                      and r.part == "license"]
    assert [n for _, n, _ in license_ref.regions] == [3, 2]
    assert all(most >= ident.REPLACEABLE_WORDS for _, _, most in license_ref.regions)
    assert len(license_ref.bridges) == 2 and license_ref.items  # and the list's items
    rendered = build_fingerprints.render(build_fingerprints.document(_wren_prints().references))
    for word in ("project", "grants", "person", "rival", "liable"):
        assert word not in rendered


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("The Wren Project grants", "Osprey Labs Ltd grants"),
        ("THE WREN PROJECT BE", "THE OSPREY LABS OF NORTH WALES BE"),
        ("THE WREN PROJECT BE", "THE LICENSOR BE"),  # a party, not terms
        ("THE WREN PROJECT BE", "THE OSPREY 2031 TRUST BE"),  # a year
    ],
)
def test_a_filled_in_holder_is_a_match(old: str, new: str) -> None:
    assert old in WREN
    result = _wren(WREN.replace(old, new))
    assert (result.status, result.license_id) == ("match", "wren-1.0"), result.diff_text()
    assert not result.edits and not result.extra[1:]


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        # restrictive words inside the region
        ("THE WREN PROJECT BE", "THE OSPREY LABS, FOR NON-COMMERCIAL RESEARCH ONLY, BE",
         "noncommercial"),
        ("THE WREN PROJECT BE", "THE OSPREY LABS, WHO MAY REVOKE THIS LICENSE, BE", "revoke"),
        ("THE WREN PROJECT BE", "THE OSPREY 700 BE", "700"),  # a number that is not a year
        ("THE WREN PROJECT BE", "THE " + "OSPREY " * 13 + "BE", "osprey"),  # too long
        ("THE WREN PROJECT BE", "THE OSPREY LABS. A FEE IS DUE. THE OSPREY LABS BE", "fee"),
        ("THE WREN PROJECT BE", "THE PROJECT, NOR ANYONE ELSE, BE", "nor"),  # a denial
        # the fixed words around a region
        ("THE WREN PROJECT BE", "OSPREY LABS BE", "osprey"),  # the template's own "the"
        ("Project grants you the right", "Project grants them the right", "them"),
        ("SHALL THE WREN PROJECT BE LIABLE", "SHALL THE OSPREY LABS BE HELD LIABLE", "held"),
        # a name outside every region
        ("the names of the authors", "the names of Osprey Labs", "osprey"),
    ],
)
def test_a_region_never_takes_terms_and_its_neighbours_stay_fixed(
    old: str, new: str, shown: str
) -> None:
    assert old in WREN
    result = _wren(WREN.replace(old, new))
    assert result.status == "modified" and result.license_id is None
    assert result.closest is not None and result.closest.license_id == "wren-1.0"
    assert shown in result.diff_text(), result.diff_text()


def test_a_restrictive_opening_holder_is_added_terms() -> None:
    """The first region opens the license: what stands there that no region may take stays
    outside the license, as added terms."""
    result = _wren(WREN.replace("The Wren Project grants", "Osprey Research Labs grants"))
    assert result.status == "modified" and result.license_language
    assert "research" in result.license_language[0].license_language


def test_standard_notice_is_part_of_its_license() -> None:
    both = _wren(WREN_NOTICE + WREN)
    assert (both.status, both.license_id) == ("match", "wren-1.0"), both.diff_text()
    assert [f.part for f in both.found] == ["standard notice", "license"]
    after = _wren(WREN + "\n" + WREN_NOTICE)
    assert (after.status, after.license_id) == ("match", "wren-1.0")
    alone = _wren(WREN_NOTICE)
    assert (alone.status, alone.named, alone.license_id) == ("no-match", "wren-1.0", None)
    assert "standard notice only" in alone.describe()


@pytest.mark.parametrize(
    "text",
    [
        WREN_NOTICE.replace("as\nthat license allows", "for research") + WREN,  # changed
        WREN_NOTICE + "The weights may not be used commercially.\n\n" + WREN,  # a sentence
        WREN_NOTICE.replace("as\nthat license allows", "for research"),  # a changed notice alone
        WREN_NOTICE + HERON,  # the notice of a license that is not here
    ],
    ids=["changed", "sentence", "alone", "other-license"],
)
def test_notice_with_terms_added_is_modified(text: str) -> None:
    result = _wren(text)
    assert result.status == "modified", result.describe()
    assert result.closest is not None
    assert result.closest.license_id in {"wren-1.0", "heron"}
    assert result.diff_text()


def test_numbers_that_end_a_sentence_are_kept() -> None:
    assert normalise("the age of 18. Users must") == ["the", "age", "of", "18", "users", "must"]
    assert normalise("Meta Llama 3. 2. Users") == ["meta", "llama", "3", "users"]
    assert normalise("added under section\n    7.  This") == ["added", "under", "section", "7",
                                                             "this"]
    assert normalise("cost of source, or\n(2) access") == ["cost", "of", "source", "or", "2",
                                                           "access"]
    assert normalise("within four (4) days") == ["within", "four", "4", "days"]
    assert normalise("License, v. 2.0. If") == ["license", "v", "2.0", "if"]  # not a clause end
    for old, new in (("at least 16.", "at least 18."), ("at least 16. A", "at least\n21. A")):
        result = _wren(WREN.replace(old, new))
        assert result.status == "modified", result.describe()
        assert "16" in result.edits[0].removed_known


@pytest.mark.parametrize(
    ("old", "new", "status"),
    [
        ("to:\n   1. harm a person\n   2. break a law\n   3. train",
         "to: 1. harm a person 2. break a law 3. train", "match"),  # a list run into a line
        ("at least 16. A copy", "at least\n16. A copy", "match"),  # a number wrapped
        ("   2. break a law\n   3. train", "   - break a law\n   - train", "match"),  # bullets
        ("a rival model without", "a rival model 4. without", "modified"),  # not an item
        ("you share must", "you share 9. must", "modified"),  # a number where no item starts
        ("break a law\n", "break a law 9.\n", "match"),  # a number just before an item: its
        # number (reflowed lists keep it there)
    ],
)
def test_list_numbers_go_only_where_the_reference_has_an_item(
    old: str, new: str, status: str
) -> None:
    assert old in WREN
    result = _wren(WREN.replace(old, new))
    assert result.status == status, result.diff_text()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_templates_are_read_from_a_clone_at_the_pinned_tag(tmp_path: Path) -> None:
    clone = tmp_path / "spdx+license-list-XML"
    (clone / "src").mkdir(parents=True)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(tmp_path)}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(clone), *args], capture_output=True, check=True,
                       env=env)

    git("init", "-q")
    # Under real SPDX ids of the catalogue: MIT's template, and the "-or-later" twin of an
    # "-only" id, whose notice joins the entry's.
    (clone / "src" / "MIT.xml").write_text(WREN_TEMPLATE, encoding="utf-8")
    (clone / "src" / "GPL-3.0-or-later.xml").write_text(WREN_TEMPLATE, encoding="utf-8")
    git("add", "src")
    git("commit", "-qm", "templates")
    git("tag", build_fingerprints.SPDX_TAG)
    (clone / "src" / "MIT.xml").write_text("<broken", encoding="utf-8")  # not at the tag
    templates, problems = build_fingerprints.spdx_templates(clone, load_catalogue())
    assert not problems
    by_id = {t.license_id: t for t in templates}
    assert set(by_id) == {"mit", "gpl-3.0"}
    assert by_id["mit"].regions == _wren_template().regions
    assert by_id["mit"].source == f"spdx:{build_fingerprints.SPDX_TAG}:src/MIT.xml"
    gpl = by_id["gpl-3.0"]  # GPL-3.0-only is not in this clone: its twin is read
    assert gpl.source.endswith("src/GPL-3.0-or-later.xml") and len(gpl.notices) == 1


def test_absent_templates_keep_the_regions_they_gave(tmp_path: Path) -> None:
    corpus = tmp_path / "licenses"
    corpus.mkdir()
    (corpus / "mit.txt").write_text(WREN, encoding="utf-8")
    text = build_fingerprints.Text("mit", "license", "corpus:mit.txt", WREN)
    with_regions, _ = build_fingerprints.references([text], {"mit": _wren_template()})
    previous = [build_fingerprints.record(r) for r in with_regions]
    assert any(r["regions"] for r in previous)
    absent = tmp_path / "absent"
    document, _, skipped = build_fingerprints.build(corpus, absent, previous, absent, absent)
    assert skipped == ["licensedcode", "vendor", "spdx"]
    kept = [r for r in previous if r["source"] == "corpus:mit.txt"]
    assert document["references"] == kept  # the regions kept: same words, same places
    (corpus / "mit.txt").write_text(WREN.replace("at least 16", "at least 17"), encoding="utf-8")
    changed, _, _ = build_fingerprints.build(corpus, absent, previous, absent, absent)
    assert [r["regions"] for r in changed["references"]] == [[]]  # other words: not carried


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
