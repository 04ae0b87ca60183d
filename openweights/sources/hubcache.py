"""owcheck's cache of Hub answers, under ``$HF_HOME/owcheck/`` (the client's own cache folder).

Two kinds of entries, both plain files written atomically (a temporary file in the same folder,
then ``os.replace``), so a reader sees a whole entry or none, even with many batch workers
writing at once, and an interrupted run leaves no half-written entry behind:

- ``info/{models,datasets}/{org}--{name}/{revision}.json``: the part of an info answer the source
  uses, by the revision asked for (``main``, a tag) and by its commit sha. Offline runs read them;
  online runs may reuse one younger than a TTL (by file time) instead of asking again.
- ``files/{models,datasets}/{org}--{name}/{commit}/{path}``: a repo file at a commit. A file at a
  commit never changes, so these never expire. Each starts with one header line:
  ``owcheck-file 1 ok LENGTH`` (the bytes follow), ``owcheck-file 1 absent`` (the Hub said the
  file does not exist at that commit) or ``owcheck-file 1 cut SIZE KEPT`` (larger than the size
  limit of the run that read it: only KEPT bytes follow; SIZE is ``?`` when the Hub did not say).
  An entry whose bytes do not match its header (a disk that lost the end of a write) is no
  entry: the file is read from the Hub again.

Refusals that depend on who asks (gated files, private repos) are never cached. Repo ids cannot
contain ``--``, so the flattened folder names cannot collide; paths and revisions are
percent-encoded into one file name.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

SHA = re.compile(r"^[0-9a-f]{40}$")
"""A git commit id: what makes a cache entry immutable."""
_MAGIC = b"owcheck-file 1 "


@dataclass(frozen=True)
class FileEntry:
    """A cached file at a commit."""

    state: Literal["ok", "absent", "cut"]
    """``ok``: whole; ``absent``: not in the repo at that commit; ``cut``: over a size limit."""
    data: bytes = b""
    """The bytes (``ok``), or the first bytes kept (``cut``)."""
    size: int | None = None
    """The full size when known (always for ``ok``)."""


class HubCache:
    """Reads and writes entries under ``root`` (``$HF_HOME/owcheck``); never raises for I/O."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # -- info answers --------------------------------------------------------------------------
    def info_path(self, kind: str, repo_id: str, key: str) -> Path:
        """Where the info answer of ``repo_id`` at revision ``key`` is kept."""
        return (self.root / "info" / f"{kind}s" / repo_id.replace("/", "--")
                / f"{quote(key, safe='')}.json")

    def load_info(self, kind: str, repo_id: str, key: str,
                  max_age: float | None = None) -> dict[str, Any] | None:
        """The cached answer, or None (missing, unreadable, or older than ``max_age`` seconds)."""
        path = self.info_path(kind, repo_id, key)
        try:
            if max_age is not None and time.time() - path.stat().st_mtime > max_age:
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def store_info(self, kind: str, repo_id: str, key: str, data: Mapping[str, Any]) -> None:
        """Keep an info answer (a read-only cache only costs offline runs some evidence)."""
        text = json.dumps(data, sort_keys=True).encode("utf-8")
        _write_atomic(self.info_path(kind, repo_id, key), text)

    # -- files ---------------------------------------------------------------------------------
    def file_path(self, kind: str, repo_id: str, commit: str, path: str) -> Path:
        """Where ``path`` of ``repo_id`` at ``commit`` is kept."""
        return (self.root / "files" / f"{kind}s" / repo_id.replace("/", "--") / commit
                / quote(path, safe=""))

    def load_file(self, kind: str, repo_id: str, commit: str, path: str) -> FileEntry | None:
        """The cached file, or None when there is no usable entry."""
        if not SHA.match(commit):
            return None
        try:
            raw = self.file_path(kind, repo_id, commit, path).read_bytes()
        except OSError:
            return None
        header, _, data = raw.partition(b"\n")
        if not header.startswith(_MAGIC):
            return None
        fields = header[len(_MAGIC):].decode("ascii", "replace").split()
        if len(fields) == 2 and fields[0] == "ok" and fields[1] == str(len(data)):
            return FileEntry("ok", data, len(data))
        if fields == ["absent"]:
            return FileEntry("absent")
        if len(fields) == 3 and fields[0] == "cut" and fields[2] == str(len(data)):
            return FileEntry("cut", data, int(fields[1]) if fields[1].isdigit() else None)
        return None

    def store_file(self, kind: str, repo_id: str, commit: str, path: str,
                   entry: FileEntry) -> None:
        """Keep a file read at ``commit`` (ignored unless ``commit`` is a full sha)."""
        if not SHA.match(commit):
            return
        if entry.state == "cut":
            size = str(entry.size) if entry.size is not None else "?"
            header = f"cut {size} {len(entry.data)}"
        elif entry.state == "ok":
            header = f"ok {len(entry.data)}"
        else:
            header = entry.state
        body = entry.data if entry.state != "absent" else b""
        _write_atomic(self.file_path(kind, repo_id, commit, path),
                      _MAGIC + header.encode("ascii") + b"\n" + body)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see all of it or nothing; never raises."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}."
                         f"{uuid.uuid4().hex[:8]}.tmp")
    try:
        try:
            tmp.write_bytes(data)
        except FileNotFoundError:  # a new folder: made only then (a mkdir per write costs)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
