"""Card dumps for tests and benchmarks, made at run time from fixture repos we wrote.

``dump_rows`` gives one row per model repo with the columns of the Hub's bulk dump
(``librarian-bots/model_cards_with_metadata``: modelId, author, last_modified, downloads, likes,
library_name, tags, pipeline_tag, createdAt, card), the tags computed as the Hub computes them
(the loopback Hub's ``hub_tags``); ``dump_repo`` wraps a Parquet file of them as a dataset repo
the loopback Hub serves (``hf://datasets/owcheck-tests/model-cards``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from tests.hub.server import FixtureRepo, card_data, hub_tags, make_revision

DUMP_ID = "owcheck-tests/model-cards"
"""The dataset repo the loopback Hub serves the dump as."""
WHEN = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
"""``last_modified`` of every row (the loopback Hub's fixed timestamp)."""


def dump_rows(repos: Iterable[FixtureRepo], when: dt.datetime = WHEN,
              gated: bool = False) -> list[dict[str, Any]]:
    """One dump row per model repo (its ``main`` revision), as the Hub's dump has it; with
    ``gated``, also the optional ``gated`` column (the Hub's dump has none)."""
    rows: list[dict[str, Any]] = []
    for repo in repos:
        if repo.kind != "models" or repo.private:
            continue
        rev = repo.resolve("main")
        if rev is None:
            continue
        readme = rev.files.get("README.md")
        card = card_data(repo)
        rows.append({
            "modelId": repo.id,
            "author": repo.id.split("/")[0],
            "last_modified": when,
            "downloads": 0,
            "likes": 0,
            "library_name": (card or {}).get("library_name"),
            "tags": hub_tags(card),
            "pipeline_tag": (card or {}).get("pipeline_tag"),
            "createdAt": when,
            "card": readme.decode("utf-8-sig", errors="replace") if readme is not None else None,
        })
        if gated:
            rows[-1]["gated"] = repo.gated if repo.gated in ("auto", "manual") else None
    return rows


def parquet_bytes(rows: list[dict[str, Any]]) -> bytes:
    """``rows`` as one Parquet file (pyarrow infers the dump's column types)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink)
    return sink.getvalue()


def dump_repo(rows: list[dict[str, Any]], shards: int = 2,
              repo_id: str = DUMP_ID) -> dict[tuple[str, str], FixtureRepo]:
    """A dataset repo holding ``rows`` as ``shards`` Parquet files under ``data/``, for
    ``LoopbackHub(extra_repos=...)``."""
    size = -(-len(rows) // shards)
    files = {"README.md": b"---\nlicense: cc0-1.0\n---\n# Model cards (test dump)\n"}
    for n in range(shards):
        files[f"data/train-{n:05d}-of-{shards:05d}.parquet"] = parquet_bytes(
            rows[n * size:(n + 1) * size])
    repo = FixtureRepo("datasets", repo_id, {"main": make_revision("datasets", repo_id, "main",
                                                                     files)})
    return {("datasets", repo_id): repo}
