"""Weight-file headers: the metadata GGUF and safetensors files carry about themselves.

Pure functions over bytes. A source reads only the first ``HEADER_BYTES`` of a weight file (a
bounded read on disk, a ranged GET on the Hub) and hands the bytes here; nothing in this module
does I/O. The parsers are written for hostile input: a wrong magic, a truncated header, a count of
four billion entries or a string that claims to be a terabyte long ends the parse with a
``problem``, never an exception, and nothing is allocated beyond the bytes already given.

What is kept: GGUF ``general.*`` scalars (``general.license``, ``general.name``,
``general.base_model.N.*``, ``general.source.*``) and the string entries of a safetensors
header's ``__metadata__`` (``license``, ``modelspec.*``, trainer keys such as ``ss_sd_model_name``).
"""

from __future__ import annotations

import json
import struct

from openweights.patterns import lazy
from openweights.records import record

HEADER_BYTES = 256 * 1024
"""How many leading bytes of a weight file a source reads: GGUF writes ``general.*`` first and
safetensors writes ``__metadata__`` first, so this is plenty for both."""
MAX_HEADER_FILES = 8
"""At most this many weight files of one repo have their header read (shards repeat it)."""
HEADER_SUFFIXES = (".gguf", ".safetensors")
"""Weight files whose header format is understood."""

MAX_FIELDS = 64
"""At most this many metadata entries are kept per file."""
MAX_VALUE_CHARS = 1000
"""Longer values are cut to this many characters."""
_MAX_SAFETENSORS_HEADER = 100_000_000
"""The safetensors format caps its JSON header at 100 MB; a larger claim is not a header."""

_GGUF_MAGIC = b"GGUF"
# GGUF value types: 0-7 and 10-12 are fixed-size scalars (struct code), 8 a string, 9 an array.
_GGUF_SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_GGUF_STRING, _GGUF_ARRAY = 8, 9


@record
class WeightFileMetadata:
    """What one weight file's header says about the model, as written (no interpretation)."""

    path: str
    """The file, as a repo path."""
    format: str
    """``gguf`` or ``safetensors``."""
    fields: tuple[tuple[str, str], ...]
    """Metadata entries kept (GGUF ``general.*`` scalars, safetensors ``__metadata__``)."""
    complete: bool
    """True when the whole header was read; False when the bytes ended first."""
    problem: str | None = None
    """Why the header could not be read (wrong magic, implausible size), or None."""

    def get(self, key: str) -> str | None:
        """The value of ``key``, or None."""
        for k, v in self.fields:
            if k == key:
                return v
        return None

    @property
    def license(self) -> str | None:
        """The license the header states (``general.license``, ``license``...), or None."""
        for key in _LICENSE_KEYS:
            value = self.get(key)
            if value and value.strip():
                return value.strip()
        return None

    @property
    def base_models(self) -> tuple[tuple[str, str], ...]:
        """``(key, value)`` of every entry that names a parent model, in key order."""
        out = [
            (k, v.strip())
            for k, v in self.fields
            if v.strip() and (k in _BASE_KEYS or _GGUF_BASE_KEY().match(k))
        ]
        return tuple(out)

    @property
    def name(self) -> str | None:
        """The model's own name as the header states it (``general.name``...), or None."""
        for key in _NAME_KEYS:
            value = self.get(key)
            if value and value.strip():
                return value.strip()
        return None


_LICENSE_KEYS = ("general.license", "general.license.name", "license", "modelspec.license")
_NAME_KEYS = ("general.name", "general.basename", "modelspec.title")
# Parent models: GGUF's base_model block and source block, and the keys trainers write into
# safetensors metadata (kohya's ss_* keys name the checkpoint a LoRA was trained on).
_GGUF_BASE_KEY = lazy(r"^general\.base_model\.\d+\.(name|repo_url|organization)$")
_BASE_KEYS = frozenset(
    {
        "general.source.huggingface.repository",
        "general.source.hugginface.repository",  # the misspelling early llama.cpp releases wrote
        "general.source.repo_url",
        "general.source.url",
        "base_model",
        "base_model_name_or_path",
        "ss_sd_model_name",
        "ss_base_model_version",
        "modelspec.architecture",
    }
)


def _clip(value: str) -> str:
    return value[:MAX_VALUE_CHARS]


def read_header(path: str, data: bytes) -> WeightFileMetadata | None:
    """The header of ``path`` from its leading bytes, by file suffix; None for other formats."""
    lower = path.lower()
    if lower.endswith(".gguf"):
        return read_gguf(path, data)
    if lower.endswith(".safetensors"):
        return read_safetensors(path, data)
    return None


# --------------------------------------------------------------------------------------- GGUF


class _Truncated(Exception):
    """The bytes ended inside the header."""


class _Malformed(Exception):
    """The bytes cannot be a GGUF header."""


class _Cursor:
    """Reads little- or big-endian values from a bytes buffer, never past its end."""

    def __init__(self, data: bytes, order: str, wide: bool) -> None:
        self.data = data
        self.pos = 0
        self.order = order
        self.wide = wide  # GGUF v2+: counts and string lengths are 64-bit

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise _Truncated
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > len(self.data):
            raise _Truncated
        self.pos += n

    def scalar(self, code: str) -> int | float | bool:
        size = struct.calcsize(code)
        value: int | float | bool = struct.unpack(self.order + code, self.take(size))[0]
        return value

    def count(self) -> int:
        return int(self.scalar("Q" if self.wide else "I"))

    def string(self, keep: bool) -> str | None:
        n = self.count()
        if not keep:
            self.skip(n)
            return None
        raw = self.take(n)  # at most the bytes given: a bigger claim raised _Truncated
        return raw[: MAX_VALUE_CHARS * 4].decode("utf-8", "replace")


def _skip_value(cur: _Cursor, vtype: int, depth: int = 0) -> None:
    if vtype in _GGUF_SCALARS:
        cur.skip(struct.calcsize(_GGUF_SCALARS[vtype]))
    elif vtype == _GGUF_STRING:
        cur.string(keep=False)
    elif vtype == _GGUF_ARRAY:
        if depth > 2:
            raise _Malformed("arrays nested too deeply")
        etype = int(cur.scalar("I"))
        n = cur.count()
        if etype in _GGUF_SCALARS:
            cur.skip(n * struct.calcsize(_GGUF_SCALARS[etype]))
        elif etype in (_GGUF_STRING, _GGUF_ARRAY):
            # Each element consumes at least 4 bytes, so the loop ends with the data.
            for _ in range(n):
                _skip_value(cur, etype, depth + 1)
        else:
            raise _Malformed(f"unknown array element type {etype}")
    else:
        raise _Malformed(f"unknown value type {vtype}")


def _gguf_layout(data: bytes) -> tuple[str, int]:
    """Byte order and version of a GGUF header."""
    little = struct.unpack("<I", data[4:8])[0]
    if 1 <= little <= 3:
        return "<", little
    big = struct.unpack(">I", data[4:8])[0]
    if 1 <= big <= 3:
        return ">", big
    raise _Malformed(f"unsupported GGUF version {little}")


def read_gguf(path: str, data: bytes) -> WeightFileMetadata:
    """The ``general.*`` entries of a GGUF header (versions 1-3, either byte order)."""
    if len(data) < 8 or data[:4] != _GGUF_MAGIC:
        return WeightFileMetadata(path, "gguf", (), False, "not a GGUF file (wrong magic)")
    try:
        order, version = _gguf_layout(data)
    except _Malformed as exc:
        return WeightFileMetadata(path, "gguf", (), False, str(exc))
    cur = _Cursor(data, order, wide=version >= 2)
    cur.pos = 8
    fields: dict[str, str] = {}
    complete = False
    problem: str | None = None
    try:
        cur.count()  # tensor count: not needed
        kv_count = cur.count()
        for _ in range(kv_count):
            key = cur.string(keep=True) or ""
            vtype = int(cur.scalar("I"))
            wanted = key.startswith("general.") and len(fields) < MAX_FIELDS
            if wanted and vtype == _GGUF_STRING:
                fields[key] = _clip(cur.string(keep=True) or "")
            elif wanted and vtype in _GGUF_SCALARS:
                fields[key] = str(cur.scalar(_GGUF_SCALARS[vtype]))
            else:
                _skip_value(cur, vtype)
        complete = True
    except _Truncated:
        pass  # the bytes ended: keep what was read
    except (_Malformed, struct.error) as exc:
        problem = f"malformed GGUF header: {exc}"
    return WeightFileMetadata(path, "gguf", tuple(sorted(fields.items())), complete, problem)


# -------------------------------------------------------------------------------- safetensors

_METADATA_KEY = lazy(rb'"__metadata__"\s*:\s*')


def read_safetensors(path: str, data: bytes) -> WeightFileMetadata:
    """The ``__metadata__`` strings of a safetensors header (8-byte size, then JSON)."""
    if len(data) < 8:
        return WeightFileMetadata(path, "safetensors", (), False, "file shorter than its header")
    size = struct.unpack("<Q", data[:8])[0]
    if size < 2 or size > _MAX_SAFETENSORS_HEADER:
        return WeightFileMetadata(
            path, "safetensors", (), False, f"implausible header size ({size} bytes)"
        )
    body = data[8 : 8 + size]
    if body[:1] != b"{":
        return WeightFileMetadata(path, "safetensors", (), False, "not a safetensors header")
    complete = len(body) == size
    metadata: object = None
    try:
        if complete:
            header = json.loads(body.decode("utf-8"))
            if not isinstance(header, dict):
                raise ValueError("header is not an object")
            metadata = header.get("__metadata__")
        else:
            # Only the start of the header is here: decode the metadata object where it sits.
            found = _METADATA_KEY().search(body)
            if found is not None:
                text = body[found.end() :].decode("utf-8", "ignore")
                metadata, _end = json.JSONDecoder().raw_decode(text)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        if complete:
            return WeightFileMetadata(path, "safetensors", (), True, f"malformed header: {exc}")
        metadata = None  # the metadata object itself is cut off
    fields: dict[str, str] = {}
    if isinstance(metadata, dict):
        for key, value in metadata.items():
            if len(fields) >= MAX_FIELDS:
                break
            if isinstance(key, str) and isinstance(value, str):
                fields[_clip(key)] = _clip(value)
    return WeightFileMetadata(path, "safetensors", tuple(sorted(fields.items())), complete)
