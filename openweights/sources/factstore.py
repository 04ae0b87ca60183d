"""The facts a run's subjects need from other repos, on disk, shared by worker processes.

A batch over a card dump grades each row on a worker process; the row's base models (and
datasets, with ``--fill-from-hub``) are other rows of the dump or the Hub's answers. Those are
extracted once, by the parent, into one SQLite file: the workers open it read-only and look up
what each subject needs (``openweights.registry.Lineage`` memoises the answers), so a base
shared by thousands of fine-tunes is neither held in every process nor sent with every row.

Values are pickled ``Facts`` (models), ``DatasetMaterial`` (datasets) or ``NOT_FOUND``; a repo
the store does not list was not looked up.
"""

from __future__ import annotations

import pickle
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_SCHEMA = ("CREATE TABLE IF NOT EXISTS facts "
           "(kind TEXT, id TEXT, value BLOB, PRIMARY KEY (kind, id))")


class FactStore:
    """One SQLite file of facts by ``(kind, id)``; ``kind`` is ``model`` or ``dataset``."""

    def __init__(self, path: Path, *, write: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        if write:
            self._db = sqlite3.connect(str(path), check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=OFF")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute(_SCHEMA)
        else:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                       check_same_thread=False)

    def put(self, kind: str, items: Iterable[tuple[str, Any]]) -> int:
        """Store values (the last of two for one id wins); returns how many."""
        rows = [(kind, repo_id, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
                for repo_id, value in items]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?, ?)", rows)
            self._db.commit()
        return len(rows)

    def get(self, kind: str, repo_id: str) -> Any:
        """The value stored for a repo, or None when it was not looked up."""
        with self._lock:
            row = self._db.execute("SELECT value FROM facts WHERE kind = ? AND id = ?",
                                   (kind, repo_id)).fetchone()
        return pickle.loads(row[0]) if row is not None else None

    def holds(self, kind: str) -> bool:
        """True when the store lists any repo of ``kind``."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM facts WHERE kind = ? LIMIT 1",
                                    (kind,)).fetchone() is not None

    def ids(self, kind: str) -> set[str]:
        """Every id of ``kind`` the store lists."""
        with self._lock:
            return {r[0] for r in self._db.execute("SELECT id FROM facts WHERE kind = ?",
                                                    (kind,))}

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()
