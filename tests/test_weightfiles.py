"""Weight-file header parsers: what GGUF and safetensors headers say, and hostile input."""

from __future__ import annotations

import json
import struct
import tracemalloc

import pytest

from openweights.weightfiles import (
    HEADER_BYTES,
    read_gguf,
    read_header,
    read_safetensors,
)
from tests.weightfile_fixtures import gguf_bytes, safetensors_bytes

LLAMA_GGUF = {
    "general.architecture": "llama",
    "general.name": "Meta Llama 3.1 8B Instruct",
    "general.license": "llama3.1",
    "general.base_model.count": 1,
    "general.base_model.0.name": "Llama 3.1 8B Instruct",
    "general.base_model.0.organization": "Meta Llama",
    "general.base_model.0.repo_url": "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
    "general.tags": ["facebook", "meta"],
    "llama.context_length": 131072,
}


def test_gguf_general_fields_are_read() -> None:
    meta = read_gguf("model.Q4_K_M.gguf", gguf_bytes(LLAMA_GGUF))
    assert meta.complete and meta.problem is None
    assert meta.license == "llama3.1"
    assert meta.name == "Meta Llama 3.1 8B Instruct"
    assert meta.get("general.base_model.count") == "1"
    assert meta.base_models == (
        ("general.base_model.0.name", "Llama 3.1 8B Instruct"),
        ("general.base_model.0.organization", "Meta Llama"),
        (
            "general.base_model.0.repo_url",
            "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
        ),
    )
    # Only general.* scalars are kept; arrays and architecture keys are skipped.
    assert meta.get("llama.context_length") is None
    assert meta.get("general.tags") is None


@pytest.mark.parametrize("version", [1, 2, 3])
def test_gguf_versions_and_big_endian(version: int) -> None:
    data = gguf_bytes({"general.license": "mit"}, version=version)
    if version == 1:
        # Version 1 used 32-bit counts and string lengths: rewrite the little test file.
        data = (
            b"GGUF"
            + struct.pack("<III", 1, 1, 1)
            + struct.pack("<I", 15)
            + b"general.license"
            + struct.pack("<II", 8, 3)
            + b"mit"
        )
    assert read_gguf("a.gguf", data).license == "mit"
    big = gguf_bytes({"general.license": "apache-2.0"}, order=">")
    assert read_gguf("b.gguf", big).license == "apache-2.0"


def test_gguf_header_cut_after_general_keeps_what_was_read() -> None:
    data = gguf_bytes(LLAMA_GGUF, tokens=50_000)
    assert len(data) > HEADER_BYTES
    meta = read_gguf("big.gguf", data[:HEADER_BYTES])
    assert meta.license == "llama3.1" and not meta.complete and meta.problem is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GGU",
        b"GGML" + b"\0" * 40,
        b"GGUF" + struct.pack("<I", 99) + b"\0" * 16,
        # 2**64-1 key/value pairs, then nothing
        b"GGUF" + struct.pack("<IQQ", 3, 0, 2**64 - 1),
        # a key that claims to be an exabyte long
        b"GGUF" + struct.pack("<IQQQ", 3, 0, 1, 2**60) + b"general.license",
        # an array of 2**63 uint64s, and an array of 2**63 strings
        b"GGUF"
        + struct.pack("<IQQ", 3, 0, 1)
        + struct.pack("<Q", 1)
        + b"x"
        + struct.pack("<IIQ", 9, 10, 2**63),
        b"GGUF"
        + struct.pack("<IQQ", 3, 0, 1)
        + struct.pack("<Q", 1)
        + b"x"
        + struct.pack("<IIQ", 9, 8, 2**63)
        + b"\0" * 64,
        # an unknown value type
        b"GGUF"
        + struct.pack("<IQQ", 3, 0, 1)
        + struct.pack("<Q", 1)
        + b"x"
        + struct.pack("<I", 77),
    ],
    ids=[
        "empty",
        "short",
        "ggml",
        "version",
        "huge-count",
        "huge-string",
        "huge-array",
        "huge-string-array",
        "bad-type",
    ],
)
def test_gguf_hostile_input_never_raises_or_allocates(data: bytes) -> None:
    tracemalloc.start()
    try:
        meta = read_gguf("x.gguf", data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert meta.license is None and not meta.complete
    assert peak < 1_000_000


def test_gguf_wrong_magic_is_a_problem() -> None:
    assert read_gguf("x.gguf", b"PK\x03\x04" + b"\0" * 60).problem == (
        "not a GGUF file (wrong magic)"
    )
    assert "unknown value type" in (
        read_gguf(
            "x.gguf",
            b"GGUF"
            + struct.pack("<IQQ", 3, 0, 1)
            + struct.pack("<Q", 1)
            + b"x"
            + struct.pack("<I", 77),
        ).problem
        or ""
    )


def test_safetensors_metadata_is_read() -> None:
    meta = read_safetensors(
        "model.safetensors",
        safetensors_bytes({"format": "pt", "license": "gemma", "base_model": "google/gemma-2-9b"}),
    )
    assert meta.complete and meta.problem is None
    assert meta.license == "gemma"
    assert meta.base_models == (("base_model", "google/gemma-2-9b"),)
    assert read_header("x.safetensors", safetensors_bytes(None)).fields == ()  # type: ignore[union-attr]
    assert read_header("x.bin", b"anything") is None


def test_safetensors_partial_header_still_gives_metadata() -> None:
    data = safetensors_bytes({"modelspec.license": "openrail++"}, tensors=20_000)
    assert len(data) > HEADER_BYTES
    meta = read_safetensors("big.safetensors", data[:HEADER_BYTES])
    assert not meta.complete and meta.license == "openrail++"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\1\0", "file shorter than its header"),
        (struct.pack("<Q", 2**62) + b"{}", "implausible header size (4611686018427387904 bytes)"),
        (struct.pack("<Q", 4) + b"GGUF", "not a safetensors header"),
        (struct.pack("<Q", 4) + b"{1} ", "malformed header: Expecting property name"),
    ],
)
def test_safetensors_hostile_input(data: bytes, problem: str) -> None:
    assert (read_safetensors("x.safetensors", data).problem or "").startswith(problem)


def test_safetensors_values_that_are_not_strings_are_dropped() -> None:
    raw = json.dumps({"__metadata__": {"license": 3, "ok": "yes", "nested": {"a": "b"}}}).encode()
    data = struct.pack("<Q", len(raw)) + raw
    assert read_safetensors("x.safetensors", data).fields == (("ok", "yes"),)
    deep = b"{" + b'"__metadata__":' + b"[" * 100_000
    cut = struct.pack("<Q", len(deep) + 10) + deep
    assert read_safetensors("x.safetensors", cut).fields == ()
