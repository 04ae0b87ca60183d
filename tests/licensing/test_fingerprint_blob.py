"""The compiled fingerprints (``licenses/fingerprints.bin``): the same references as the JSON
document, read back exactly, refused when they are of another layout or damaged, and checked
by ``scripts/build_fingerprints.py --check`` beside the document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from openweights.licensing import identify as ident
from openweights.licensing.identify import (
    EMPTY,
    FingerprintSet,
    Reference,
    decode_u32,
    load_fingerprints,
    pack_fingerprints,
    read_fingerprints,
)
from tests.support import load_script

ROOT = Path(__file__).resolve().parents[2]
LICENSES = ROOT.parent / "shared" / "corpus" / "licenses"


build_fingerprints = load_script(ROOT / "scripts" / "build_fingerprints.py")


def _fields(ref: Reference) -> tuple[object, ...]:
    """Every field of a reference as plain tuples (blocks are arrays in one form)."""
    return (ref.license_id, ref.part, ref.source, ref.words, tuple(ref.blocks), ref.titles,
            tuple(ref.marks), ref.items, ref.regions, ref.bridges)


def _made_up() -> list[Reference]:
    """References with every kind of field filled, some empty, in stored order."""
    return [
        Reference("heron", "license", "test:heron", 14, [7, 2**32 - 1, 7],
                  titles=((3, 12345), (5, 0)), marks=((0, "30"), (4, "only"), (9, "30")),
                  items=(0, 6), regions=((2, 3, 12),), bridges=((0, 12, 99),)),
        Reference("heron", "notice", "spdx:heron", 4, [11]),
        Reference("kestrel-2", "license", "test:kestrel", 6, [5],
                  marks=((1, "non\u00e9commercial"),)),
    ]


def test_compiled_file_holds_the_documents_references() -> None:
    document = json.loads(ident.fingerprints_path().read_text(encoding="utf-8"))
    loaded = load_fingerprints()
    expected = [build_fingerprints.from_record(r) for r in document["references"]]
    assert len(loaded.references) == len(expected) > 60
    for ref, want in zip(loaded.references, expected, strict=True):
        assert _fields(ref) == _fields(want)
    assert list(loaded.index) == list(decode_u32(document["index"]))
    assert list(loaded.owners) == list(decode_u32(document["owners"]))


def test_pack_and_read_give_back_every_field(tmp_path: Path) -> None:
    refs = _made_up()
    path = tmp_path / "fingerprints.bin"
    path.write_bytes(pack_fingerprints(refs))
    loaded = read_fingerprints(path)
    assert [_fields(r) for r in loaded.references] == [_fields(r) for r in refs]
    index, owners = ident.build_index(refs)
    assert (list(loaded.index), list(loaded.owners)) == (index, owners)
    assert pack_fingerprints(loaded.references) == path.read_bytes()  # deterministic


def test_empty_set_packs_and_reads(tmp_path: Path) -> None:
    path = tmp_path / "fingerprints.bin"
    path.write_bytes(pack_fingerprints([]))
    assert read_fingerprints(path) == FingerprintSet((), ident.array("I"), ident.array("I"))


def _with_header(blob: bytes, changes: dict[str, object]) -> bytes:
    cut = blob.index(b"\n")
    head = json.loads(blob[:cut])
    head.update(changes)
    return json.dumps(head).encode() + blob[cut:]


@pytest.mark.parametrize("change", [
    {"blob": ident.BLOB_FORMAT + 1},
    {"normaliser": ident.NORMALISER_VERSION - 1},
    {"block": ident.BLOCK + 1},
    {"salt": "another salt"},
    {"references": 2},
    {"strings": []},
])
def test_another_layout_or_a_damaged_header_loads_nothing(
    tmp_path: Path, change: dict[str, object]
) -> None:
    path = tmp_path / "fingerprints.bin"
    path.write_bytes(_with_header(pack_fingerprints(_made_up()), change))
    assert read_fingerprints(path) is EMPTY


@pytest.mark.parametrize("damage", ["truncated", "extra", "odd", "no header", "missing"])
def test_damaged_data_loads_nothing(tmp_path: Path, damage: str) -> None:
    blob = pack_fingerprints(_made_up())
    path = tmp_path / "fingerprints.bin"
    damaged = {"truncated": blob[:-8], "extra": blob + b"\0" * 4, "odd": blob + b"\0",
               "no header": blob[blob.index(b"\n") + 1 :], "missing": None}[damage]
    if damaged is not None:
        path.write_bytes(damaged)
    assert read_fingerprints(path) is EMPTY


def test_check_fails_when_only_the_compiled_file_is_stale(tmp_path: Path) -> None:
    if not LICENSES.is_dir():
        pytest.skip("shared corpus absent")
    output = tmp_path / "fingerprints.json"
    shutil.copy(ident.fingerprints_path(), output)
    shutil.copy(ident.compiled_fingerprints_path(), output.with_suffix(".bin"))
    argv = ["--check", "--corpus", str(LICENSES), "--output", str(output)]
    assert build_fingerprints.main(argv) == 0
    output.with_suffix(".bin").write_bytes(pack_fingerprints(_made_up()))
    assert build_fingerprints.main(argv) == 1
    output.with_suffix(".bin").unlink()
    assert build_fingerprints.main(argv) == 1


def test_hits_are_the_same_before_and_after_the_member_set_is_built() -> None:
    bundled = load_fingerprints()
    prints = FingerprintSet(bundled.references, bundled.index, bundled.owners)  # a new set
    text = " ".join(
        ["permission", "is", "hereby", "granted", "free", "of", "charge", "to", "any"] * 3
        + ["unrelated", "words", "about", "tulips", "and", "winter", "bulbs", "here"]
    )
    windows = ident.window_hashes(ident.tokens(text).words)
    windows += [h for ref in bundled.references[:5] for h in ref.blocks]  # many hits
    first = ident._hits(windows, prints)  # bisects every window
    assert ident._members(prints) is not None  # from the second text on: the set
    assert ident._hits(windows, prints) == first
    assert sum(len(h) for h in first.values()) >= 5


def test_loaded_marks_read_as_the_tuples_they_were(tmp_path: Path) -> None:
    refs = _made_up()
    path = tmp_path / "fingerprints.bin"
    path.write_bytes(pack_fingerprints(refs))
    marks = read_fingerprints(path).references[0].marks
    assert isinstance(marks, ident.PackedMarks)
    assert marks == refs[0].marks and refs[0].marks == marks
    assert len(marks) == 3 and marks[1] == (4, "only") and marks[1:] == refs[0].marks[1:]
    assert list(marks) == list(refs[0].marks) and marks != ((0, "30"),)
    assert read_fingerprints(path).references[0].marks_between(1, 10) == ["only", "30"]
