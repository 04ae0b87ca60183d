"""Batch mode over the Hub's card dumps: every row graded, no API call per model.

Three passes over the dump (``openweights.sources.dump``), each streaming:

1. **index**: the ``modelId``, ``tags`` and ``last_modified`` columns only: which rows repeat an
   id (duplicates: the first is graded), which a resumed run already graded at that version
   (skipped), and which models the rows name as bases (the Hub's computed ``base_model:`` tags;
   a dump without ``tags`` has its cards' front matter read instead).
2. **ancestors**: the rows named as bases are extracted (``openweights.registry.extract_row``)
   into a ``FactStore`` the workers share. With ``fill``, bases the dump does not hold, and the
   datasets the rows name, are read from the Hub (``HubSource.read_repos``), wave after wave for
   the bases of those bases, through the rate-limited client (``openweights.sources.http``).
3. **grade**: the rows, in order, on worker processes (``openweights.batch.grade_all``): each
   is extracted, resolved against the store (``registry.Lineage``) and graded
   (``registry.grade``) by ``DumpJob.run``, which never raises.

What is not in the dump nor filled from the Hub is judged from the catalogues (``base-models/``,
``licenses/``) and reported as not looked up (OW501), never as missing from the Hub.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from openweights import registry
from openweights.batch import BatchItem, Settled, crashed
from openweights.config import Settings
from openweights.records import field, record
from openweights.sources import DEFAULT_TIMEOUT, InputError, SourceError
from openweights.sources.dump import Dump
from openweights.sources.factstore import FactStore

FILL_CHUNK = 64
"""Repos read from the Hub per wave of ``--fill-from-hub`` (each chunk has one deadline)."""
PREFETCH = 16
"""Rows handed to each worker process ahead (``batch.grade_all``'s ``in_flight``): a row is a
millisecond of CPU, so a worker given one row at a time waits on the pipe as long as it grades."""


# --------------------------------------------------------------------------- grading one row


Grader = Callable[[Any, Settings], Any]
"""``registry.grade``'s shape: (bundle, settings) -> report."""


@record
class DumpJob:
    """How each row of a dump is graded; picklable, for worker processes."""

    settings: Settings = field(default_factory=Settings)
    """Rules, thresholds and severity overrides."""
    store: Path | None = None
    """The run's ``FactStore`` (bases and datasets); None: the rows stand alone."""
    grader: Grader = registry.grade
    """The grading step (``registry.grade``; a test may pass one that fails on purpose)."""

    def run(self, row: Any) -> BatchItem:
        """Extract, resolve and grade one row; never raises."""
        name = str(row.get("modelId") or row.get("id") or "?") if isinstance(row, Mapping) else "?"
        try:
            facts = registry.extract_row(row)
        except SourceError as exc:
            return BatchItem(name, None, None, str(exc), exc.exit_code)
        except Exception as exc:  # a row that breaks extraction must not stop the batch
            return crashed(name, exc)
        try:
            report = self.grader(_lineage(self.store).bundle(facts), self.settings)
            line = registry.report_line(report)
        except Exception as exc:  # a bug on one card must not stop the others
            return crashed(name, exc, subject=facts.id, version=facts.version)
        return BatchItem(name, line, report.grade.letter, None, 0, facts.id, facts.version)


_lineages: dict[Path | None, registry.Lineage] = {}


def _lineage(store: Path | None) -> registry.Lineage:
    """The process's lineage resolver over ``store`` (opened once per process)."""
    found = _lineages.get(store)
    if found is None:
        if store is None:
            found = registry.Lineage(lambda _id: None)
        else:
            facts = FactStore(store)
            # Without datasets in the store (no --fill-from-hub), none is looked up.
            found = registry.Lineage(
                lambda rid: facts.get("model", rid),
                (lambda did: facts.get("dataset", did)) if facts.holds("dataset") else None)
        _lineages[store] = found
    return found


# --------------------------------------------------------------------------- planning


@dataclasses.dataclass
class Plan:
    """What the index pass found."""

    rows: int = 0
    """Rows in the dump."""
    duplicates: set[int] = dataclasses.field(default_factory=set)
    """Positions of rows whose id an earlier row already has."""
    skipped: set[int] = dataclasses.field(default_factory=set)
    """Positions of rows a resumed run already settled at this version."""
    bases: set[str] = dataclasses.field(default_factory=set)
    """Base ids the rows name."""
    datasets: set[str] = dataclasses.field(default_factory=set)
    """Dataset ids the rows name."""
    held: set[str] = dataclasses.field(default_factory=set)
    """Ids the dump holds."""
    stored: int = 0
    """Ancestors extracted into the store."""
    filled: int = 0
    """Repos read from the Hub."""


def plan(dump: Dump, settled: Callable[[str, str | None], bool] | None = None) -> Plan:
    """The index pass: duplicates, rows already settled, bases and datasets named."""
    out = Plan()
    position = 0
    use_tags = "tags" in dump.columns
    cards = None if use_tags else _front_matter_links(dump)
    for ids, tags, modified in dump.ids():
        for i, raw in enumerate(ids):
            try:
                repo_id = registry.normal_id(raw)
            except InputError:
                position += 1
                continue  # refused when graded
            if repo_id in out.held:
                out.duplicates.add(position)
            else:
                out.held.add(repo_id)
                version = registry.timestamp(modified[i]) if modified is not None else None
                if settled is not None and settled(repo_id, version):
                    out.skipped.add(position)
            if tags is not None and tags[i]:
                row_tags = [str(t) for t in tags[i]]
                out.bases.update(registry._from_tags(row_tags, "base_model:", "model"))
                out.datasets.update(registry._from_tags(row_tags, "dataset:", "dataset"))
            position += 1
    if cards is not None:
        out.bases.update(cards[0])
        out.datasets.update(cards[1])
    out.rows = position
    return out


def _front_matter_links(dump: Dump) -> tuple[set[str], set[str]]:
    """Bases and datasets from every card's front matter (a dump without ``tags``)."""
    bases: set[str] = set()
    datasets: set[str] = set()
    for batch in dump.batches():
        for row in batch:
            try:
                facts = registry.extract_row(row)
            except Exception:  # graded (and refused or failed) later, row by row
                continue
            bases.update(facts.bases)
            datasets.update(facts.datasets)
    return bases, datasets


def store_ancestors(dump: Dump, found: Plan, store: FactStore) -> None:
    """The ancestors pass: every row the others name as a base, extracted into ``store``."""
    wanted = found.bases & found.held
    if not wanted:
        return
    batch: list[tuple[str, Any]] = []
    for row in dump.rows_of(wanted):
        try:
            facts = registry.extract_row(row)
        except Exception:  # the row itself is refused or fails when graded
            continue
        batch.append((facts.id, facts))
        if len(batch) >= 512:
            found.stored += store.put("model", batch)
            batch = []
    found.stored += store.put("model", batch)


def fill_from_hub(
    found: Plan, store: FactStore, read: Callable[[list[str], list[str]], tuple[
        Mapping[str, Any], Mapping[str, Any]]],
    on_wave: Callable[[int], None] | None = None,
) -> None:
    """Bases the dump does not hold and the datasets named, read with ``read(models,
    datasets)`` (``HubSource.read_repos``), in waves until no new base appears. Raises
    ``HubUnavailableError`` when a chunk cannot be read (the caller's circuit breaker)."""
    known = set(found.held)
    models = sorted(found.bases - known)
    datasets = sorted(found.datasets)
    while models or datasets:
        next_models: set[str] = set()
        for start in range(0, max(len(models), len(datasets)), FILL_CHUNK):
            chunk_m = models[start:start + FILL_CHUNK]
            chunk_d = datasets[start:start + FILL_CHUNK]
            got_models, got_datasets = read(chunk_m, chunk_d)
            model_rows: list[tuple[str, Any]] = []
            for rid in chunk_m:
                known.add(rid)
                if rid not in got_models:
                    continue  # not looked up (offline without a cached copy)
                material = got_models[rid]
                if material is None:
                    model_rows.append((rid, registry.NOT_FOUND))
                    continue
                facts = registry.extract_material(material)
                model_rows.append((rid, facts))
                next_models.update(b for b in facts.bases if b not in known)
            found.filled += store.put("model", model_rows)
            found.filled += store.put("dataset", [
                (did, got_datasets[did] if got_datasets[did] is not None else registry.NOT_FOUND)
                for did in chunk_d if did in got_datasets])
            if on_wave is not None:
                on_wave(len(chunk_m) + len(chunk_d))
        models, datasets = sorted(next_models - known), []


def hub_reader(token: str | None, offline: bool, timeout: float | None = DEFAULT_TIMEOUT
               ) -> Callable[[list[str], list[str]], tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """``read(models, datasets)`` for ``fill_from_hub``: one ``HubSource`` for the run."""
    from openweights.sources.hub import HubSource

    hub = HubSource(token=token, offline=offline, timeout=timeout)
    return hub.read_repos


# --------------------------------------------------------------------------- the rows


def rows(dump: Dump, found: Plan) -> Iterator[dict[str, Any] | Settled]:
    """The dump's rows in order, each a row to grade or a ``Settled`` one."""
    position = 0
    for batch in dump.batches():
        for row in batch:
            if position in found.duplicates:
                yield Settled(str(row.get("modelId")), "duplicate")
            elif position in found.skipped:
                yield Settled(str(row.get("modelId")), "skipped")
            else:
                yield row
            position += 1


def row_json(row: Mapping[str, Any]) -> str:
    """A row as JSON (tests and examples)."""
    return json.dumps(dict(row), default=str, ensure_ascii=False)
