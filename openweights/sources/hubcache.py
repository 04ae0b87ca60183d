"""owcheck's cache of Hub answers, under ``$HF_HOME/owcheck/`` (the client's own cache folder).

One record per repo and revision asked for, ``repos/{models,datasets}/{org}--{name}@{revision}``
``.json``: the part of the info answer the source uses, and every file read at the commit that
answer pinned (``ok`` with its bytes, ``absent`` when the Hub said the file does not exist, or
``cut`` with the first bytes of a file over the size limit). A run writes each repo's record
once, at its end, whole: a temporary file in the same folder, then ``os.replace``, so a reader
sees a whole record or none, even with many batch workers writing at once; an interrupted run
leaves no half-written record, and a record that does not parse (a disk that lost the end of a
write) is no record. One file per repo, not per file: on common disks each file written costs
about as much CPU as grading a model.

A record serves a later run when the Hub still pins the same commit (its files are then reused:
a warm run makes only the info calls), offline runs, and runs that may reuse an info answer
younger than a TTL (the record's file time). Refusals that depend on who asks (gated files,
private repos) are never kept. Repo ids contain neither ``--`` nor ``@``, and revisions are
percent-encoded, so record names cannot collide. ``info/`` holds info answers in the layout of
earlier owcheck versions; it is still read (offline), never written.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from openweights.patterns import lazy
from openweights.records import field, record

SHA = lazy(r"^[0-9a-f]{40}$")
"""A git commit id: what a pinned revision looks like."""
FORMAT = 2
"""Version of the record layout; records of another version are ignored."""


@record
class FileEntry:
    """A file at a commit, as read from the Hub."""

    state: Literal["ok", "absent", "cut"]
    """``ok``: whole; ``absent``: not in the repo at that commit; ``cut``: over a size limit."""
    data: bytes = b""
    """The bytes (``ok``), or the first bytes kept (``cut``)."""
    size: int | None = None
    """The full size when known (always for ``ok``)."""


@record
class RepoRecord:
    """What a run learnt of one repo at one revision."""

    info: Mapping[str, Any]
    """The info answer, as the source keeps it (with ``sha``)."""
    files: Mapping[str, FileEntry] = field(default_factory=dict)
    """Files read at ``info["sha"]``, by name (a path, or a path and a byte range)."""
    written: float = 0.0
    """When the record was written (``time.time()``), for TTLs."""


class HubCache:
    """Reads and writes records under ``root`` (``$HF_HOME/owcheck``); never raises for I/O."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def record_path(self, kind: str, repo_id: str, key: str) -> Path:
        """Where the record of ``repo_id`` at revision ``key`` is kept."""
        name = f"{repo_id.replace('/', '--')}@{quote(key, safe='')}.json"
        return self.root / "repos" / f"{kind}s" / name

    def load(self, kind: str, repo_id: str, key: str) -> RepoRecord | None:
        """The record, or None when there is no usable one."""
        path = self.record_path(kind, repo_id, key)
        try:
            written = path.stat().st_mtime
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return self._legacy(kind, repo_id, key)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        info, files = data.get("info"), data.get("files")
        if not isinstance(info, dict) or not isinstance(files, dict):
            return None
        entries = {name: entry for name, raw in files.items()
                   if (entry := _entry_from_json(raw)) is not None}
        return RepoRecord(info, entries, written)

    def store(self, kind: str, repo_id: str, key: str, record: RepoRecord) -> None:
        """Keep ``record`` as the one for ``repo_id`` at ``key`` (replacing any earlier one)."""
        data = {
            "format": FORMAT,
            "info": dict(record.info),
            "files": {name: _entry_to_json(e) for name, e in sorted(record.files.items())},
        }
        _write_atomic(self.record_path(kind, repo_id, key),
                      json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8"))

    def touch(self, kind: str, repo_id: str, key: str) -> None:
        """Mark the record as confirmed now (its TTL starts again) without rewriting it."""
        with contextlib.suppress(OSError):
            os.utime(self.record_path(kind, repo_id, key))

    def _legacy(self, kind: str, repo_id: str, key: str) -> RepoRecord | None:
        """An info answer kept by an earlier owcheck (``info/``), without files."""
        path = (self.root / "info" / f"{kind}s" / repo_id.replace("/", "--")
                / f"{quote(key, safe='')}.json")
        try:
            written = path.stat().st_mtime
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        return RepoRecord(data, {}, written) if isinstance(data, dict) else None


def _entry_to_json(entry: FileEntry) -> list[Any]:
    if entry.state == "absent":
        return ["absent"]
    return [entry.state, base64.b64encode(entry.data).decode("ascii"), entry.size]


def _entry_from_json(raw: Any) -> FileEntry | None:
    if raw == ["absent"]:
        return FileEntry("absent")
    if not (isinstance(raw, list) and len(raw) == 3 and raw[0] in ("ok", "cut")
            and isinstance(raw[1], str) and (raw[2] is None or isinstance(raw[2], int))):
        return None
    try:
        data = base64.b64decode(raw[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    if raw[0] == "ok":
        return FileEntry("ok", data, len(data)) if raw[2] == len(data) else None
    return FileEntry("cut", data, raw[2])


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see all of it or nothing; never raises."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}."
                         f"{uuid.uuid4().hex[:8]}.tmp")
    try:
        try:
            tmp.write_bytes(data)
        except FileNotFoundError:  # the first record of its kind: make the folder only then
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
