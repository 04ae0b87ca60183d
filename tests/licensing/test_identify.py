"""License identification from text: normalisation, fingerprints, matching and its limits.

Corpus tests read the reference texts in ``../shared/corpus/licenses`` and skip without them;
everything else runs on a fresh clone, on texts written here.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
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
    MARKER_CONFIDENCE,
    MATCH_THRESHOLD,
    NEAR_MISS_THRESHOLD,
    Candidate,
    Identification,
    identify,
    load_fingerprints,
    normalise,
    rank,
    shingle_hashes,
    similarity,
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
LICENSES = CORPUS / "licenses"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_fingerprints", ROOT / "scripts" / "build_fingerprints.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
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


def _license_file(license_id: str) -> str:
    """The (first) corpus file of the license part of ``license_id``."""
    return next(n for n, i in sorted(CORPUS_IDS.items())
                if i == license_id and build_fingerprints.part_of(n) == "license")


def _replace_every(text: str, nth: int) -> str:
    """Every ``nth`` word replaced by a made-up one, line structure kept (1 in 12 is 8 %)."""
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"zq{count}vx" if count % nth == 0 else match.group(0)

    return re.sub(r"[A-Za-z]{2,}", swap, text)


def _delete_clause(text: str) -> str:
    """The text without one clause: the paragraph closest to 8 % of the words (at least 3 %),
    else a run of lines from the middle holding 8 % of them."""
    total = len(text.split())
    blocks = re.split(r"\n[ \t]*\n", text)
    sized = [(abs(len(b.split()) - 0.08 * total), i) for i, b in enumerate(blocks)
             if 0.03 * total <= len(b.split()) <= 0.25 * total]
    if sized:
        _, at = min(sized)
        return "\n\n".join(blocks[:at] + blocks[at + 1 :])
    lines = text.split("\n")
    start = end = len(lines) // 2
    while end < len(lines) and sum(len(x.split()) for x in lines[start:end]) < 0.08 * total:
        end += 1
    return "\n".join(lines[:start] + lines[end:])


# --------------------------------------------------------------------------- corpus


@pytest.mark.parametrize("name", sorted(CORPUS_IDS))
def test_every_corpus_text_is_its_own_entry(corpus: Path, name: str) -> None:
    result = identify(_text(corpus, name))
    expected = CORPUS_IDS[name]
    assert result.best is not None
    assert (result.status, result.best.license_id) == ("match", expected), result.describe()
    assert result.license_id == expected
    assert result.best.method == "fingerprint"
    if build_fingerprints.part_of(name) == "aup":
        assert result.best.part == "acceptable use policy"
    elif name == "llama3.txt":  # the Llama 3 license file carries its policy
        assert result.best.part == "license and acceptable use policy"
    else:
        assert result.best.part == "license"
    assert result.describe().startswith(f"{expected} (")


@pytest.mark.parametrize("name", sorted(CORPUS_IDS))
def test_modified_copy_is_a_near_miss_naming_the_license(corpus: Path, name: str) -> None:
    result = identify(_replace_every(_text(corpus, name), 12))
    assert result.best is not None
    assert result.status == "near-miss", result.describe()
    assert result.best.license_id == CORPUS_IDS[name]
    assert result.license_id is None
    assert re.fullmatch(rf"\d+ % similar to {re.escape(CORPUS_IDS[name])}.*: modified text\?",
                        result.describe())


@pytest.mark.parametrize("name", sorted(CORPUS_IDS))
def test_deleted_clause_is_a_near_miss_naming_the_license(corpus: Path, name: str) -> None:
    original = _text(corpus, name)
    shortened = _delete_clause(original)
    assert len(shortened.split()) < 0.97 * len(original.split())
    result = identify(shortened)
    assert result.best is not None
    assert (result.status, result.best.license_id) == ("near-miss", CORPUS_IDS[name])


def test_no_two_entries_are_confused(corpus: Path) -> None:
    """Pairwise: every corpus text against every other catalogue entry stays below a match."""
    closest: tuple[float, str, str] = (0.0, "", "")
    for name, own in sorted(CORPUS_IDS.items()):
        others = [c for c in rank(_text(corpus, name)) if c.license_id != own]
        assert others, f"{name}: nothing to compare with"
        top = others[0]
        closest = max(closest, (top.similarity, name, top.license_id))
    score, name, other = closest
    assert score < MATCH_THRESHOLD, f"{name} scores {score:.3f} against {other}"
    # The closest pair is reported for information (pytest -rP shows it).
    print(f"closest different pair: {name} vs {other}: {score:.3f}")


FAMILIES = {
    "llama": ["llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"],
    "cc": ["cc-by-4.0", "cc-by-nc-4.0", "cc-by-sa-4.0"],
    "openrail": ["creativeml-openrail-m", "openrail++"],
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_close_relatives_are_told_apart(corpus: Path, family: str) -> None:
    members = FAMILIES[family]
    for license_id in members:
        text = _text(corpus, _license_file(license_id))
        scores = {c.license_id: c.similarity for c in rank(text)}
        result = identify(text)
        assert result.best is not None and result.best.license_id == license_id
        assert result.status == "match"
        for relative in members:
            if relative != license_id:
                assert scores[relative] < MATCH_THRESHOLD, (license_id, relative, scores[relative])
                # Related, so reported as resembling; never as the same license.
                assert scores[relative] > 0.3, (license_id, relative, scores[relative])
        assert result.runner_up is not None and result.runner_up.license_id in members


@pytest.mark.parametrize("name", ["mit.txt", "llama3.1.txt", "cc-by-4.0.txt", "apple-ascl.txt"])
def test_header_and_copyright_line_still_match(corpus: Path, name: str) -> None:
    header = (
        "Weights of the Kestrel-7B model\n"
        "Released by the Kestrel project under the terms reproduced below.\n"
        "Questions about this file go to the maintainers listed in the README.\n"
        "Copyright (c) 2025 Kestrel Project Contributors\n\n"
    )
    result = identify(header + _text(corpus, name))
    assert result.best is not None
    assert (result.status, result.best.license_id) == ("match", CORPUS_IDS[name])
    assert 0 < result.surrounding < 0.3


@pytest.mark.parametrize("license_id", ["llama2", "llama3.1", "llama3.2", "llama3.3", "llama4"])
def test_license_with_appended_policy_matches_both_parts(corpus: Path, license_id: str) -> None:
    license_text = _text(corpus, f"{license_id}.txt")
    policy = _text(corpus, f"{license_id}-aup.md")
    result = identify(license_text + "\n\n" + policy)
    assert result.best is not None
    assert (result.status, result.best.license_id) == ("match", license_id)
    assert result.best.part == "license and acceptable use policy"


def test_title_of_an_unprinted_license_beats_a_near_miss(corpus: Path) -> None:
    # A modified MIT text under its own title (as NOMERGE does): named by the title, with the
    # resemblance kept as the runner-up.
    body = _text(corpus, "mit.txt").replace("MIT License", "Frobnicator Model License")
    body = body.replace("merge, ", "").replace("sell", "lend")
    result = identify(body, _fake_catalogue())
    assert result.best is not None and result.runner_up is not None
    assert (result.status, result.best.license_id, result.best.method) == (
        "match", "frobnicator-1.0", "marker"
    )
    assert result.runner_up.license_id == "mit"
    assert NEAR_MISS_THRESHOLD <= result.runner_up.similarity < MATCH_THRESHOLD
    assert "% similar to mit" in result.describe()


def test_build_fingerprints_check_passes_on_the_committed_file(corpus: Path) -> None:
    assert build_fingerprints.main(["--check", "--corpus", str(corpus)]) == 0


def test_build_fingerprints_check_fails_on_a_stale_file(corpus: Path, tmp_path: Path) -> None:
    stale = tmp_path / "fingerprints.json"
    stale.write_text('{"format": 0}\n', encoding="utf-8")
    argv = ["--check", "--corpus", str(corpus), "--output", str(stale)]
    assert build_fingerprints.main(argv) == 1


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
        ("// Permission is\n// granted\n# to all\n * parties", "permission is granted to all"
         " parties"),
        ("Terms\n-----\n=====\n*****\nEnd", "terms end"),  # separators
        ("Copyright (c) 2024 Foo Inc.\nPermission granted", "permission granted"),
        ("© 2019-2024 Bar GmbH\nAll rights reserved.\nText", "text"),
        ("2023 Copyright Baz\nText", "text"),
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
        (
            "end of terms and conditions\nAPPENDIX: How to apply the License\nboilerplate",
            "end of terms and conditions",
        ),
    ],
)
def test_normalisation_rule(left: str, right: str) -> None:
    assert normalise(left) == normalise(right)


def test_normalisation_keeps_what_tells_versions_apart() -> None:
    assert normalise("Llama 3.1 Community License, version 2.0.") == [
        "llama", "3.1", "community", "license", "version", "2.0",
    ]
    assert normalise("Open RAIL++-M") != normalise("Open RAIL-M")
    assert normalise("700,000,000 users") == ["700000000", "users"]
    assert normalise("Attribution-NonCommercial") == ["attributionnoncommercial"]


def test_shingles_are_stable_and_ordered() -> None:
    words = normalise("one two three four five")
    hashes = shingle_hashes(words)
    assert len(hashes) == len(words) - ident.SHINGLE + 1
    assert hashes == shingle_hashes(list(words))
    assert shingle_hashes([]) == []
    assert len(shingle_hashes(["lonely"])) == 1
    # CRC-32, not the salted hash(): stored fingerprints stay valid across processes.
    assert shingle_hashes(["a", "b", "c"]) == [zlib.crc32(b"a b c")]


def test_similarity_trims_surrounding_text_and_counts_changes() -> None:
    body = [f"w{i}" for i in range(300)]
    ref = frozenset(shingle_hashes(body))
    none: frozenset[int] = frozenset()
    same, outside = similarity(shingle_hashes(body), ref, none)
    assert (same, outside) == (1.0, 0.0)
    framed, outside = similarity(shingle_hashes(["intro", "words", *body, "outro"]), ref, none)
    assert framed == 1.0 and 0 < outside < 0.05
    changed = list(body)
    changed[150] = "other"
    value, _ = similarity(shingle_hashes(changed), ref, none)
    assert 0.98 < value < 1.0
    # A change where a relative differs weighs more.
    heavy, _ = similarity(shingle_hashes(changed), ref, frozenset(ref))
    assert heavy < value
    assert similarity(shingle_hashes(["x", "y", "z", "q"]), ref, none)[0] == 0.0


def test_fingerprint_file_holds_only_hashes_and_known_ids() -> None:
    path = ident.fingerprints_path()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"format", "normaliser", "shingle", "hash", "distinctive",
                         "distinctive_count", "fingerprints"}
    assert (data["format"], data["normaliser"], data["shingle"]) == (
        ident.FORMAT_VERSION, ident.NORMALISER_VERSION, ident.SHINGLE
    )
    catalogue = load_catalogue()
    loaded = load_fingerprints()
    assert len(loaded.fingerprints) == len(data["fingerprints"]) > 30
    assert len(loaded.distinctive) == data["distinctive_count"]
    for record, fp in zip(data["fingerprints"], loaded.fingerprints, strict=True):
        assert set(record) == {"id", "part", "count", "hashes"}
        assert record["part"] in {"license", "aup"}
        assert len(fp.hashes) == record["count"] > 0
        assert catalogue.resolve(record["id"]) is not None, f"{record['id']} not in the catalogue"
    ids = {fp.license_id for fp in loaded.fingerprints}
    assert {"mit", "apache-2.0", "llama3.1", "cc-by-nc-4.0", "openrail++"} <= ids


def _fake_catalogue() -> Catalogue:
    records: list[Mapping[str, Any]] = [
        {"id": "frobnicator-1.0", "name": "Frobnicator Model License 1.0",
         "markers": ["Frobnicator Model License"]},
        {"id": "frob-family", "name": "Frob licenses", "kind": "family", "markers": ["Frob"]},
        {"id": "mit", "name": "MIT License", "markers": ["MIT License"]},
    ]
    return Catalogue.from_records(records)


def test_title_names_a_license_without_a_fingerprint() -> None:
    text = (
        "# Frobnicator Model License\n\n"
        "You may run the frobnicator weights for any lawful purpose, and pass them on if the\n"
        "recipient gets this notice. The authors promise nothing about what the model says.\n"
    )
    result = identify(text, _fake_catalogue())
    assert result.best is not None
    assert (result.status, result.best.license_id, result.best.method) == (
        "match", "frobnicator-1.0", "marker"
    )
    assert result.best.similarity == MARKER_CONFIDENCE
    assert result.best.marker == "Frobnicator Model License"
    assert "frobnicator-1.0" in result.describe() and "60 % confidence" in result.describe()


def test_title_of_a_fingerprinted_license_is_not_enough() -> None:
    # MIT has a fingerprint: a heading over other words is not the MIT text but a text that
    # claims to be MIT, so it is reported as a modified MIT, never as a match.
    text = "MIT License\n\nUse these weights kindly, and do tell your friends about the robins."
    result = identify(text, _fake_catalogue())
    assert result.status == "near-miss"
    assert result.license_id is None
    assert result.best is not None and result.best.license_id == "mit"
    assert "modified text?" in result.describe()


def test_family_title_names_a_family_only_when_nothing_is_close() -> None:
    result = identify("Frob\n\nWritten for this test: share and enjoy.", _fake_catalogue())
    assert result.best is not None
    assert (result.status, result.best.license_id) == ("match", "frob-family")


def test_title_far_into_the_text_is_ignored() -> None:
    filler = " ".join(f"note{i}" for i in range(200))
    result = identify(f"{filler}\nFrobnicator Model License\n", _fake_catalogue())
    assert result.status == "no-match"


def test_real_catalogue_markers_name_unfingerprinted_licenses() -> None:
    catalogue = load_catalogue()
    printed = {fp.license_id for fp in load_fingerprints().fingerprints}
    entry = next((e for e in catalogue if e.kind == "license" and e.markers
                  and e.id not in printed and len(normalise(e.markers[0])) >= 3), None)
    if entry is None:
        pytest.skip("no unfingerprinted catalogue license with a title marker")
    result = identify(f"{entry.markers[0]}\n\nThe rest of this file is written by us for a test.")
    assert result.best is not None
    assert (result.status, result.best.method) == ("match", "marker")
    named = catalogue.resolve(result.best.license_id)
    assert named is not None and named.markers and named.id not in printed


def test_unrelated_prose_is_no_match() -> None:
    prose = (
        "Tulips want a cold winter before they flower. Plant the bulbs in autumn, pointed end up,\n"
        "about three times as deep as they are tall, and water them once. In spring, pick the\n"
        "faded heads off so the plant feeds the bulb rather than the seeds. " * 3
    )
    result = identify(prose)
    assert result.status == "no-match"
    assert result.license_id is None
    assert result.similarity < NEAR_MISS_THRESHOLD
    assert result.describe().startswith("no catalogue license matches")


@pytest.mark.parametrize("text", ["", "   \n\t ", "!!! --- ***", "§ § ¶"])
def test_text_without_words_is_no_match(text: str) -> None:
    result = identify(text)
    assert (result.status, result.best, result.runner_up) == ("no-match", None, None)
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
    assert result.status in {"no-match", "near-miss"}
    assert isinstance(result.describe(), str)
    assert isinstance(json.dumps(result.as_dict()), str)


def test_describe_formats() -> None:
    def one(status: str, license_id: str, similarity: float, part: str = "license") -> str:
        best = Candidate(license_id, part, similarity, "fingerprint")
        return Identification(status, best, None).describe()  # type: ignore[arg-type]

    assert one("match", "llama3.1", 1.0) == "llama3.1 (100 % match)"
    assert one("match", "llama3.1", 0.995) == "llama3.1 (99 % match)"
    assert one("match", "llama3", 1.0, "acceptable use policy") == (
        "llama3 (acceptable use policy, 100 % match)"
    )
    assert one("near-miss", "llama3.1", 0.94) == "94 % similar to llama3.1: modified text?"
    assert one("no-match", "mit", 0.31) == "no catalogue license matches (best: mit 31 %)"


def test_identification_as_dict() -> None:
    best = Candidate("mit", "license", 1.0, "fingerprint")
    data = Identification("match", best, None, 0.1).as_dict()
    assert data["license"] == "mit" and data["status"] == "match"
    assert data["best"]["similarity"] == 1.0 and data["runner_up"] is None
    assert data["description"] == "mit (100 % match)"


def test_fingerprints_load_lazily() -> None:
    code = (
        "import openweights.licensing.identify as m, sys\n"
        "assert m.load_fingerprints.cache_info().currsize == 0\n"
        "m.identify('a few words of text here')\n"
        "assert m.load_fingerprints.cache_info().currsize == 1\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_build_fingerprints_check_without_corpus_passes(tmp_path: Path) -> None:
    assert build_fingerprints.main(["--check", "--corpus", str(tmp_path / "absent")]) == 0


def test_build_stores_no_text(tmp_path: Path) -> None:
    corpus = tmp_path / "licenses"
    corpus.mkdir()
    words = ["quixotic", "marmalade", "zebras", "tango", "nightly", "beneath", "copper"]
    (corpus / "mit.txt").write_text(" ".join(words * 5), encoding="utf-8")
    (corpus / "unmapped.txt").write_text("anything", encoding="utf-8")
    document, problems = build_fingerprints.build(corpus)
    assert any("unmapped.txt" in p for p in problems)  # unknown files are reported
    assert any("apache-2.0.txt" in p for p in problems)  # so are missing ones
    rendered = build_fingerprints.render(document)
    assert [r["id"] for r in document["fingerprints"]] == ["mit"]
    for word in words:
        assert word not in rendered
    assert rendered == build_fingerprints.render(build_fingerprints.build(corpus)[0])
    out = tmp_path / "out.json"
    assert build_fingerprints.main(["--corpus", str(corpus), "--output", str(out)]) == 1
    assert not out.exists()
