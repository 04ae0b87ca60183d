"""Tiny GGUF and safetensors files, written by the tests themselves (no real weights).

``gguf_bytes`` writes a valid GGUF v3 header with the given metadata and one tiny tensor;
``safetensors_bytes`` writes a valid safetensors file with the given ``__metadata__`` and one
tensor. Both are a few hundred bytes.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping

_STRING, _UINT32, _ARRAY = 8, 4, 9


def _gguf_string(text: str, order: str = "<") -> bytes:
    raw = text.encode("utf-8")
    return struct.pack(order + "Q", len(raw)) + raw


def gguf_bytes(
    metadata: Mapping[str, str | int | list[str]],
    *,
    version: int = 3,
    order: str = "<",
    tokens: int = 0,
) -> bytes:
    """A GGUF file: header with ``metadata`` (strings, uint32s, string arrays), one F32 tensor.

    ``tokens`` appends a ``tokenizer.ggml.tokens`` array of that many strings after the metadata,
    the way real files carry a big vocabulary after ``general.*``.
    """
    kvs = b""
    items = list(metadata.items())
    if tokens:
        items.append(("tokenizer.ggml.tokens", [f"tok{i}" for i in range(tokens)]))
    for key, value in items:
        kvs += _gguf_string(key, order)
        if isinstance(value, str):
            kvs += struct.pack(order + "I", _STRING) + _gguf_string(value, order)
        elif isinstance(value, int):
            kvs += struct.pack(order + "II", _UINT32, value)
        else:
            kvs += struct.pack(order + "IIQ", _ARRAY, _STRING, len(value))
            kvs += b"".join(_gguf_string(v, order) for v in value)
    head = b"GGUF" + struct.pack(order + "IQQ", version, 1, len(items))
    tensor_info = _gguf_string("w", order) + struct.pack(order + "IQIQ", 1, 4, 0, 0)
    body = head + kvs + tensor_info
    body += b"\0" * (-len(body) % 32)
    return body + struct.pack(order + "4f", 0.0, 0.0, 0.0, 0.0)


def safetensors_bytes(metadata: Mapping[str, str] | None, *, tensors: int = 1) -> bytes:
    """A safetensors file with ``__metadata__`` first and ``tensors`` tiny F32 tensors."""
    header: dict[str, object] = {}
    if metadata is not None:
        header["__metadata__"] = dict(metadata)
    for i in range(tensors):
        header[f"layer.{i}.weight"] = {
            "dtype": "F32",
            "shape": [1],
            "data_offsets": [4 * i, 4 * i + 4],
        }
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + b"\0" * (4 * tensors)
