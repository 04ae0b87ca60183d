"""Card dumps: the Hub's cards in bulk, as Parquet (``librarian-bots/model_cards_with_metadata``).

A dump is a Parquet file, a folder of Parquet shards (read in name order), or a dataset on the
Hub, ``hf://datasets/ORG/NAME[@REV]``, whose ``*.parquet`` files are downloaded through
``huggingface_hub`` (``snapshot_download``: its cache, endpoint, token and errors). Rows are
read in batches of the columns owcheck uses (``openweights.registry.DUMP_COLUMNS``; ``modelId``
and ``card`` are required), so memory does not grow with the dump.

``pyarrow`` is an optional dependency (``pip install 'owcheck[registry]'``), imported only here
and only when a dump is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openweights.patterns import lazy
from openweights.records import record
from openweights.sources import HubUnavailableError, InputError

if TYPE_CHECKING:
    import pyarrow.parquet as pq

REQUIRED = ("modelId", "card")
"""Columns a dump must have."""
BATCH_ROWS = 512
"""Rows read at a time."""
READ_BUFFER = 1 << 20
"""Bytes read from a Parquet file at a time."""
_HF_DATASET = lazy(r"^hf://datasets/(?P<id>[^@\s]+?)/?(?:@(?P<rev>[^\s]+))?$")


def is_dump(spec: str) -> bool:
    """True when a batch input names a dump rather than a list of ids: ``hf://datasets/...``, a
    ``.parquet`` file, or a folder holding Parquet files."""
    if spec.startswith("hf://"):
        return True
    path = Path(spec)
    if path.suffix.lower() == ".parquet":
        return True
    return path.is_dir() and any(path.rglob("*.parquet"))


def pyarrow_parquet() -> Any:
    """``pyarrow.parquet``, or a one-line error saying how to install it."""
    try:
        import pyarrow.parquet
    except ImportError:
        raise InputError(
            "reading or writing Parquet needs pyarrow: pip install 'owcheck[registry]'"
        ) from None
    return pyarrow.parquet


@record
class Dump:
    """The shards of one dump and what they hold."""

    name: str
    """The dump as given (a path or ``hf://datasets/ORG/NAME@REV``)."""
    files: tuple[Path, ...]
    """Its Parquet files, in reading order."""
    columns: tuple[str, ...]
    """The columns read (the wanted ones the dump has)."""
    rows: int
    """Rows in all shards (from their footers)."""

    def batches(self, batch_rows: int = BATCH_ROWS) -> Iterator[list[dict[str, Any]]]:
        """The rows, a batch at a time, as dicts of the columns read."""
        pq = pyarrow_parquet()
        for path in self.files:
            try:
                handle = _open(pq, path)
                for batch in handle.iter_batches(batch_size=batch_rows,
                                                 columns=list(self.columns)):
                    yield batch.to_pylist()
            except (OSError, ValueError) as exc:
                raise InputError(f"{path}: not a readable Parquet file ({_one_line(exc)})"
                                 ) from None

    def rows_of(self, wanted: set[str], batch_rows: int = BATCH_ROWS
                ) -> Iterator[dict[str, Any]]:
        """Only the rows whose ``modelId`` is in ``wanted`` (the other cards are not decoded)."""
        import pyarrow.compute as pc

        pq = pyarrow_parquet()
        import pyarrow as pa

        keys = pa.array(sorted(wanted), type=pa.string())
        for path in self.files:
            handle = _open(pq, path)
            for group in range(handle.num_row_groups):
                ids = handle.read_row_group(group, columns=["modelId"]).column("modelId")
                if not pc.any(pc.is_in(ids, value_set=keys)).as_py():
                    continue
                for batch in handle.iter_batches(batch_size=batch_rows, row_groups=[group],
                                                 columns=list(self.columns)):
                    mask = pc.is_in(batch.column("modelId"), value_set=keys)
                    if pc.any(mask).as_py():
                        yield from batch.filter(mask).to_pylist()

    def ids(self, batch_rows: int = 65536) -> Iterator[tuple[list[Any], list[Any] | None,
                                                            list[Any] | None]]:
        """``(modelId, tags, last_modified)`` column slices (None for a column the dump lacks),
        without reading the cards."""
        pq = pyarrow_parquet()
        cols = [c for c in ("modelId", "tags", "last_modified") if c in self.columns]
        for path in self.files:
            handle = _open(pq, path)
            for batch in handle.iter_batches(batch_size=batch_rows, columns=cols):
                data = batch.to_pydict()
                yield data["modelId"], data.get("tags"), data.get("last_modified")


def open_dump(spec: str, wanted: Sequence[str], token: str | None = None,
              offline: bool = False) -> Dump:
    """The dump ``spec`` names: its shards (downloaded first for ``hf://``) and the ``wanted``
    columns it has. Raises ``InputError`` (exit 2) for a dump that cannot be used and
    ``HubUnavailableError`` (exit 3) when the Hub does not answer."""
    pq = pyarrow_parquet()
    if spec.startswith("hf://"):
        files = _download(spec, token, offline)
    else:
        path = Path(spec)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.parquet") if p.is_file())
        elif path.is_file():
            files = [path]
        else:
            raise InputError(f"no such file or directory: {spec}")
    if not files:
        raise InputError(f"{spec}: no Parquet files")
    names: list[str] | None = None
    rows = 0
    for path in files:
        try:
            meta = pq.ParquetFile(path)
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: not a readable Parquet file ({_one_line(exc)})") from None
        these = list(meta.schema_arrow.names)
        missing = [c for c in REQUIRED if c not in these]
        if missing:
            raise InputError(f"{path}: not a card dump (no column {', '.join(missing)}; "
                             f"it has {', '.join(these[:12])})")
        names = these if names is None else [n for n in names if n in these]
        rows += meta.metadata.num_rows
    columns = tuple(c for c in wanted if c in (names or ()))
    return Dump(spec, tuple(files), columns, rows)


def _download(spec: str, token: str | None, offline: bool) -> list[Path]:
    """The Parquet files of ``hf://datasets/ORG/NAME[@REV]``, through the client's cache."""
    match = _HF_DATASET().match(spec)
    if match is None:
        raise InputError(f"{spec!r}: expected hf://datasets/ORG/NAME[@REVISION]")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )
    from huggingface_hub.utils import logging as hf_logging

    from openweights.secrets import scrub

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    repo_id, revision = match.group("id"), match.group("rev")
    try:
        folder = snapshot_download(repo_id, repo_type="dataset", revision=revision,
                                   allow_patterns=["*.parquet"], token=token,
                                   local_files_only=offline)
    except GatedRepoError:
        raise InputError(f"dataset {repo_id} is gated: request access on the Hub") from None
    except RepositoryNotFoundError:
        raise InputError(f"dataset {repo_id} was not found on the Hub") from None
    except RevisionNotFoundError:
        raise InputError(f"dataset {repo_id} has no revision {revision!r}") from None
    except LocalEntryNotFoundError as exc:
        if offline:
            raise InputError(f"dataset {repo_id} is not in the local cache (offline)") from None
        raise HubUnavailableError(scrub(f"the Hub did not serve {repo_id} ({_one_line(exc)})",
                                        token)) from None
    except (HfHubHTTPError, OSError) as exc:
        raise HubUnavailableError(scrub(f"the Hub did not serve {repo_id} ({_one_line(exc)})",
                                        token)) from None
    return sorted(p for p in Path(str(folder)).rglob("*.parquet") if p.is_file())


def _open(pq: Any, path: Path) -> Any:
    """A Parquet file read a page at a time: a row group is not held whole (the writer chose
    its size: one of 50,000 cards is hundreds of megabytes)."""
    return pq.ParquetFile(path, buffer_size=READ_BUFFER, pre_buffer=False)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def write_table(rows: list[dict[str, Any]], path: Path) -> None:
    """Write ``rows`` (dicts of plain values) as one Parquet file (tests, benchmarks)."""
    import pyarrow as pa

    pq_mod: pq = pyarrow_parquet()
    pq_mod.write_table(pa.Table.from_pylist(rows), path)
