"""The registry API: grade many models from what is already read, in three pure steps.

::

    from openweights import registry

    facts = [registry.extract_row(row) for row in rows]     # 1. extract: one repo's facts
    graph = registry.resolve(facts)                         # 2. resolve: lineage and datasets
    for one in facts:
        report = registry.grade(graph.bundle(one))          # 3. grade: facts + ancestors
        print(report.to_dict()["grade"])

1. **extract** (``extract_row``, ``extract_material``): the card text and Hub metadata of one
   repo (a row of the Hub's bulk card dump, the ``ModelMaterial`` the Hub source or a repo on
   disk gave) become its ``Facts``: the subject's material and the base models, relation and
   datasets its metadata names. Pure, picklable, no I/O.
2. **resolve** (``resolve``, ``Lineage``): the lineage and dataset graph over the facts of a
   run. ``Lineage.bundle(facts)`` follows ``base_model`` through the other facts, nearest first,
   each repo once, cycles and a depth limit guarded as the Hub source does, and assembles the
   ``Bundle`` the pipeline grades. What the run does not hold is *unresolved*: judged from the
   catalogues (``base-models/`` knows the well-known bases and their licenses), never reported
   as missing from the Hub; ``openweights.sources.hub.HubSource.read_repos`` can fill it from
   the Hub first (``owcheck batch --fill-from-hub``). Lookups are memoised.
3. **grade** (``grade``): a bundle and the settings give the ``Report``: the same pipeline as
   ``owcheck TARGET`` (``openweights.check.check_with``), nothing forked.

Every function here is pure: the same facts give the same report, on any process or machine,
so the steps can run on worker processes (``owcheck batch``) or on a distributed engine
(``examples/dask_dump.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from openweights.card import parse_card
from openweights.config import Settings
from openweights.records import field, record, replace
from openweights.repoids import (
    Kind,
    TargetError,
    base_model_ids,
    dataset_ids,
    parse_model_target,
)
from openweights.sources import Bundle, DatasetMaterial, InputError, ModelMaterial

if TYPE_CHECKING:
    from openweights.report import Report

MAX_DEPTH = 5
"""Base models followed above a subject, as the Hub source does."""
DUMP_COLUMNS = ("modelId", "card", "tags", "pipeline_tag", "library_name", "last_modified",
                "sha", "gated")
"""Columns of a card dump row that extract reads (``modelId`` and ``card`` are required; the
others are used where present). ``librarian-bots/model_cards_with_metadata`` has all but the
last two."""


@record
class Facts:
    """What one model repo says about itself: the pure result of *extract*."""

    material: ModelMaterial
    """The repo as read (card, Hub metadata); the subject of a bundle, or an ancestor in one."""
    bases: tuple[str, ...] = ()
    """Base-model ids its metadata names, in order (``base_model:``, else the Hub's
    ``base_model:`` tags)."""
    relation: str | None = None
    """``base_model_relation`` as stated (adapter, merge, quantized, finetune), if any."""
    datasets: tuple[str, ...] = ()
    """Dataset ids it names (``datasets:``, ``openness.data.datasets``, else ``dataset:`` tags)."""

    @property
    def id(self) -> str:
        """The repo id."""
        return self.material.id

    @property
    def version(self) -> str | None:
        """What tells this version of the repo from the next: the commit sha, else the Hub's
        ``last_modified`` (a dump has no sha); None when neither is known."""
        return self.material.revision or self.material.last_modified


# --------------------------------------------------------------------------- 1. extract


def extract_material(material: ModelMaterial) -> Facts:
    """The facts of a model repo a source read (the Hub, a repo on disk, a dump row)."""
    meta: Mapping[str, Any] = {}
    if material.card_text is not None:
        card = parse_card(material.card_text, material.card_path or "README.md")
        if card.front_matter == "ok":
            meta = card.metadata
    if not meta and material.api_card_data:
        meta = material.api_card_data
    bases, base_problems = base_model_ids(meta)
    datasets, data_problems = dataset_ids(meta)
    if not meta.get("base_model"):
        bases = _from_tags(material.tags, "base_model:", "model")
    if not meta.get("datasets"):
        datasets = datasets or _from_tags(material.tags, "dataset:", "dataset")
    relation = meta.get("base_model_relation")
    problems = tuple(p for p in (*base_problems, *data_problems)
                     if p not in material.problems)
    if problems:
        material = replace(material, problems=(*material.problems, *problems))
    return Facts(
        material=material,
        bases=tuple(bases),
        relation=relation.strip() if isinstance(relation, str) and relation.strip() else None,
        datasets=tuple(datasets),
    )


def extract_row(row: Mapping[str, Any]) -> Facts:
    """The facts of one row of a card dump (columns ``DUMP_COLUMNS``; ``modelId`` and ``card``
    required). Raises ``InputError`` for a row without a usable model id."""
    return extract_material(row_material(row))


def row_material(row: Mapping[str, Any]) -> ModelMaterial:
    """A dump row as the material of its model (the Hub's, read from its dump)."""
    repo_id = normal_id(row.get("modelId") or row.get("id"))
    card = row.get("card")
    if isinstance(card, bytes):
        card = card.decode("utf-8", errors="replace")
    tags = row.get("tags")
    sha = row.get("sha")
    gated = row.get("gated")
    return ModelMaterial(
        id=repo_id,
        source="hub",
        revision=sha if isinstance(sha, str) and sha else None,
        card_path="README.md" if isinstance(card, str) else None,
        card_text=card if isinstance(card, str) else None,
        gated=gated if gated in ("auto", "manual") else None,
        tags=tuple(str(t) for t in tags) if isinstance(tags, (list, tuple)) else (),
        pipeline_tag=_text(row.get("pipeline_tag")),
        library_name=_text(row.get("library_name")),
        last_modified=timestamp(row.get("last_modified")),
    )


def normal_id(value: Any) -> str:
    """A model id as the Hub spells it in reports: ``ORG/NAME`` from an id, a Hub URL
    (``https://huggingface.co/ORG/NAME/tree/main``, ``hf.co/ORG/NAME``) or an id with a trailing
    slash (``openweights/repoids.py``'s parser). Raises ``InputError`` for anything else."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"not a model id: {str(value)[:80]!r}")
    try:
        repo_id, _revision = parse_model_target(value.strip().rstrip("/"), ())
    except TargetError as exc:
        raise InputError(str(exc)) from None
    return repo_id


def timestamp(value: Any) -> str | None:
    """A ``last_modified`` value (a datetime from Parquet, or a string) as ISO 8601 in UTC."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return str(value.astimezone(_dt.timezone.utc).isoformat()).replace("+00:00", "Z")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _from_tags(tags: Iterable[str], prefix: str, kind: Kind) -> list[str]:
    """Ids from the Hub's computed tags: ``base_model:ORG/NAME`` (also with a relation,
    ``base_model:finetune:ORG/NAME``) or ``dataset:ORG/NAME``."""
    from openweights.repoids import repo_id_from

    out: list[str] = []
    for tag in tags:
        if not tag.startswith(prefix):
            continue
        value = tag[len(prefix):]
        if kind == "model" and value.count(":") == 1:
            value = value.split(":", 1)[1]  # base_model:quantized:ORG/NAME
        rid = repo_id_from(value, kind) if ":" not in value else None
        if rid and rid not in out:
            out.append(rid)
    return out


# --------------------------------------------------------------------------- 2. resolve

NOT_FOUND = "not-found"
"""A lookup's answer for a repo that was looked up (on the Hub) and does not exist."""

ModelLookup = Callable[[str], Facts | str | None]
"""``id -> Facts`` when the run holds the model, ``NOT_FOUND`` when it was looked up and does
not exist, None when it was not looked up."""
DatasetLookup = Callable[[str], DatasetMaterial | str | None]
"""The same for datasets."""


def _none(_repo_id: str) -> None:
    return None


class Lineage:
    """The lineage and dataset graph of a run: ``bundle(facts)`` for each subject.

    ``models`` and ``datasets`` answer for the repos the run holds (see ``ModelLookup``); each
    answer is memoised (at most ``memo`` of them), so a base shared by thousands of fine-tunes is
    looked up once. Without ``datasets`` no dataset is looked up: the bundle's ``unresolved``
    lists the datasets the metadata declares, and the card's text is not searched for more (the
    datasets a text names matter only when they can be looked up).
    """

    def __init__(self, models: ModelLookup, datasets: DatasetLookup | None = None,
                 max_depth: int = MAX_DEPTH, memo: int = 4096) -> None:
        self._models = models
        self._datasets = datasets or _none
        self._reads_datasets = datasets is not None
        self.max_depth = max(0, max_depth)
        self._memo: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._memo_size = memo

    def _lookup(self, kind: str, repo_id: str) -> Any:
        key = (kind, repo_id)
        if key in self._memo:
            self._memo.move_to_end(key)
            return self._memo[key]
        value = self._models(repo_id) if kind == "model" else self._datasets(repo_id)
        self._memo[key] = value
        if len(self._memo) > self._memo_size:
            self._memo.popitem(last=False)
        return value

    def model(self, repo_id: str) -> Facts | str | None:
        """The facts of a model of the run, ``NOT_FOUND``, or None (not looked up)."""
        value = self._lookup("model", repo_id)
        return value if isinstance(value, (Facts, str)) else None

    def bundle(self, facts: Facts) -> Bundle:
        """The subject, every ancestor reached and its datasets, as the Hub source assembles them
        (nearest first, each repo once; a cycle or the depth limit stops a path)."""
        walk = _Walk(self, facts)
        walk.follow(facts.id, 0, ())
        datasets: dict[str, DatasetMaterial | None] = {}
        wanted = _datasets_wanted(facts, walk) if self._reads_datasets else list(facts.datasets)
        for did in wanted:
            found = self._lookup("dataset", did)
            if isinstance(found, DatasetMaterial):
                datasets[did] = found
            elif found == NOT_FOUND:
                datasets[did] = None
            else:
                walk.unresolved.append(did)
        # A depth cut on one path does not count when a shorter path reached the same repo.
        truncated = tuple(t for t in walk.truncated if not (
            t.endswith(": depth limit") and t.rsplit(":", 1)[0] in walk.ancestors))
        return Bundle(
            subject=facts.material,
            ancestors=walk.ancestors,
            datasets=datasets,
            lineage_resolvable=True,
            lineage_truncated=truncated,
            parents=walk.parents,
            relations=walk.relations,
            unresolved=tuple(dict.fromkeys(walk.unresolved)),
        )


def _meta(material: ModelMaterial) -> Mapping[str, Any]:
    if material.card_text is not None:
        card = parse_card(material.card_text, material.card_path or "README.md")
        if card.front_matter == "ok" and card.metadata:
            return card.metadata
    return material.api_card_data or {}


def _datasets_wanted(facts: Facts, walk: _Walk) -> list[str]:
    """The datasets the Hub source would read for this subject (``lookups.datasets_to_fetch``
    over its card and its bases' cards), and those its Hub tags name."""
    from openweights.lookups import datasets_to_fetch

    cards = [(facts.material.card_text, _meta(facts.material))]
    cards += [(m.card_text, _meta(m)) for m in walk.ancestors.values() if m is not None]
    wanted = datasets_to_fetch(cards)
    return wanted + [d for d in facts.datasets if d not in wanted]


@dataclasses.dataclass
class _Walk:
    """One subject's walk up its lineage (the Hub source's rules: ``sources/hub.py``)."""

    lineage: Lineage
    subject: Facts
    ancestors: dict[str, ModelMaterial | None] = dataclasses.field(default_factory=dict)
    parents: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    relations: dict[str, str] = dataclasses.field(default_factory=dict)
    truncated: list[str] = dataclasses.field(default_factory=list)
    unresolved: list[str] = dataclasses.field(default_factory=list)
    expanded: dict[str, int] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        self._note(self.subject)

    def _note(self, facts: Facts) -> None:
        self.parents[facts.id] = facts.bases
        if facts.relation:
            self.relations[facts.id] = facts.relation

    def _truncate(self, repo_id: str, reason: str) -> None:
        entry = f"{repo_id}: {reason}"
        if entry not in self.truncated:
            self.truncated.append(entry)

    def follow(self, child: str, depth: int, path: tuple[str, ...]) -> None:
        chain = (*path, child)
        for parent in self.parents.get(child, ()):
            if parent in chain:
                self._truncate(parent, "cycle")
                continue
            if depth + 1 > self.lineage.max_depth:
                self._truncate(parent, "depth limit")
                continue
            if self.expanded.get(parent, self.lineage.max_depth + 1) <= depth + 1:
                continue  # already followed from at least as close to the subject
            self.expanded[parent] = depth + 1
            if parent not in self.ancestors and parent not in self.unresolved:
                found = self.lineage.model(parent)
                if isinstance(found, Facts):
                    self._note(found)
                    self.ancestors[parent] = found.material
                elif found == NOT_FOUND:
                    self.ancestors[parent] = None
                else:
                    self.unresolved.append(parent)
            if self.ancestors.get(parent) is not None:
                self.follow(parent, depth + 1, chain)


@record
class Graph:
    """The facts of a run by id, and its ``Lineage`` over them (``resolve``)."""

    models: Mapping[str, Facts | str]
    """Facts by model id (``NOT_FOUND`` for ids looked up on the Hub and missing)."""
    datasets: Mapping[str, DatasetMaterial | str] = field(default_factory=dict)
    """Datasets by id (``NOT_FOUND`` likewise)."""
    lineage: Lineage = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lineage", Lineage(
            self.models.get, self.datasets.get if self.datasets else None))

    def bundle(self, subject: Facts | str) -> Bundle:
        """The bundle of one subject (its facts, or its id in the run)."""
        facts = self.models[subject] if isinstance(subject, str) else subject
        if not isinstance(facts, Facts):
            raise KeyError(subject)
        return self.lineage.bundle(facts)


def resolve(
    facts: Iterable[Facts],
    datasets: Mapping[str, DatasetMaterial | str] | None = None,
    extra: Mapping[str, Facts | str] | None = None,
) -> Graph:
    """The graph over ``facts`` (the later of two facts with one id wins), with ``datasets``
    and ``extra`` models read elsewhere (``HubSource.read_repos``: the Hub's answers for repos
    the run does not hold)."""
    models: dict[str, Facts | str] = dict(extra or {})
    for one in facts:
        models[one.id] = one
    return Graph(models, dict(datasets or {}))


def needed(facts: Iterable[Facts], have: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """Base models and datasets ``facts`` name that ``have`` says the run does not hold: what
    ``--fill-from-hub`` asks the Hub for (each once, in order)."""
    models: dict[str, None] = {}
    datasets: dict[str, None] = {}
    for one in facts:
        for bid in one.bases:
            if not have(bid):
                models[bid] = None
        for did in one.datasets:
            datasets[did] = None
    return list(models), list(datasets)


# --------------------------------------------------------------------------- 3. grade


def grade(bundle: Bundle, settings: Settings | None = None) -> Report:
    """The report for one bundle: ``owcheck TARGET``'s pipeline (``openweights.check``)."""
    from openweights.check import check_with

    return check_with(bundle, settings or Settings())


def report_line(report: Report) -> str:
    """A report as one JSON line (no newline), as ``owcheck batch`` writes it."""
    import json

    return json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":"))
