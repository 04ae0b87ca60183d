"""Training data by stage: pre-training, fine-tuning (instruction / SFT), preference (RL).

A model's own datasets (``datasets:``, the ``openness.data`` block, Hub dataset links and
well-known corpora named in the text) go to the stage the corpus catalogue files them under, or
else to the model's own stage: pre-training for a base model, fine-tuning for a fine-tune or an
adapter (a quantization or a merge adds no training of its own). A derived model inherits every
stage of its bases through the lineage the source followed. When the card states no base, the
bases ``evidence/bases.py`` infers and applies to the weights are its lineage (on disk only those
a tool wrote into a file; a distillation teacher is never a base). A base that could not be read
passes on the pre-training data the base-model catalogue records for it, or else leaves its
pre-training stage unknown. The data row is as open as the least open stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openweights.card import Card, parse_card
from openweights.catalogues.corpora import Corpus, CorpusCatalogue
from openweights.evidence.licenses import Resolver, least_open_license
from openweights.evidence.model import (
    Confidence,
    DataInformation,
    DatasetEvidence,
    DataSource,
    DataStage,
    InferredBase,
    LicenseFinding,
    LineageLink,
    Origin,
    StageState,
)
from openweights.licensing.grader import Verdict
from openweights.lookups import prose_corpora, prose_datasets
from openweights.records import replace
from openweights.repoids import as_list, base_model_ids, repo_id_from
from openweights.sources import Bundle, DatasetMaterial

STAGES = ("pre-training", "fine-tuning", "preference")
"""The stages, in pipeline order."""
POINTS = ("inventory", "processing_code", "provenance", "unshareable", "labelling")
"""The five data-information points, by the names of ``DataInformation``'s fields."""



def primary_stage(card: Card | None, relation: str | None, derived: bool = False) -> str | None:
    """The model's own stage: pre-training without a base model, fine-tuning with one (stated,
    or ``derived`` from an inferred one), none for a quantization or a merge (they train
    nothing)."""
    if card is None:
        return "pre-training"
    ids, _ = base_model_ids(card.meta.values)
    if not ids and not derived:
        return "pre-training"
    if relation in ("quantized", "merge"):
        return None
    return "fine-tuning"


# --------------------------------------------------------------------------- sources


def source_from_dataset(
    d: DatasetEvidence, block_released: Any, res: Resolver, corpora: CorpusCatalogue,
    context: str = "",
) -> DataSource:
    """A dataset the card names, as a stage source.

    Looked up on the Hub, its own card decides (the catalogue fills in a license its card does
    not state); not looked up (local mode), a catalogued corpus is read from the catalogue, cited
    as ``corpus:<id>``; otherwise the ``openness`` block says what it can.
    """
    known = corpora.by_hub_id(d.id)
    corpus = known[0] if known else None
    if d.found is None and corpus is not None:
        source = source_from_corpus(corpus, res, d.origin, context, d.id, bool(known and known[1]))
        return replace(source, kind="dataset", dataset_id=d.id, origin=d.origin)
    if d.found is True:
        availability = "gated" if d.gated else "released"
    elif d.found is False:
        availability = "unknown"
    else:
        availability = {True: "released", False: "not-released"}.get(block_released, "unknown")
    lic = d.license
    unstated = lic.entry is None or lic.entry.kind == "placeholder"
    if corpus is not None and corpus.license and d.found and unstated:
        lic = source_from_corpus(corpus, res, d.origin, context, d.id).license
    return DataSource(
        name=d.id, kind="dataset", dataset_id=d.id, corpus_id=corpus.id if corpus else None,
        availability=availability, license=lic, origin=d.origin, context=context,
        points=corpus.points if corpus else None,
    )


def source_from_corpus(
    corpus: Corpus, res: Resolver, origin: Origin, context: str, written: str,
    copy: bool = False,
) -> DataSource:
    """A catalogued corpus named in the text, as a stage source cited to the catalogue.

    A ``copy`` (a Hub dataset holding the corpus in another form, not looked up) takes the
    corpus's documentation but neither its license nor its availability: only the Hub knows
    those.
    """
    corigin = Origin(None, None, "corpus", corpus.id)
    entry = res.catalogue.resolve(corpus.license) if corpus.license and not copy else None
    raw = corpus.license or (corpus.license_note or "no single license")
    if copy:
        raw = f"a copy of {corpus.name}, not looked up"
    lic = res.finding(raw, entry, "corpus-catalogue", corigin)
    availability = {"public": "released", "gated": "gated"}.get(corpus.availability,
                                                               "not-released")
    if copy:
        availability = "unknown"
    dataset_id = written if "/" in written or written in corpus.hub_ids else None
    return DataSource(
        name=written, kind="dataset" if dataset_id else "corpus", dataset_id=dataset_id,
        corpus_id=corpus.id, availability=availability, license=lic, origin=origin,
        context=context, points=corpus.points,
        availability_note=corpus.availability_note if availability == "not-released" else None,
    )


def own_sources(
    card: Card, bundle: Bundle, res: Resolver, corpora: CorpusCatalogue,
    declared: Sequence[DatasetEvidence], prose_found: Mapping[str, DatasetEvidence],
) -> list[DataSource]:
    """Everything the card names as training data, once per dataset or corpus."""
    from openweights.evidence.code_data import openness_block

    block = openness_block(card).get("data")
    block = block if isinstance(block, Mapping) else {}
    released = block.get("released")
    out: list[DataSource] = []
    seen: set[str] = set()
    for i, src in enumerate(as_list(block.get("sources"))):
        if not isinstance(src, Mapping) or src.get("id"):
            continue  # sources with a Hub id come in through the datasets
        origin = Origin(card.path, card.line_of("openness", "data", "sources", i))
        raw = src.get("license") if isinstance(src.get("license"), str) else None
        lic = res.finding(raw, res.catalogue.resolve(raw) if raw else None,
                          "openness" if raw else "none", origin)
        shared = src.get("shared", released if isinstance(released, bool) else None)
        availability = {True: "released", False: "not-released"}.get(shared, "unknown")
        name = str(src.get("name") or src.get("url") or f"source {i + 1}")
        out.append(DataSource(name, "openness", None, None, availability, lic, origin))
    shared_by_id = {
        str(src["id"]).lower(): src["shared"]
        for src in as_list(block.get("sources"))
        if isinstance(src, Mapping) and src.get("id") and isinstance(src.get("shared"), bool)
    }
    for d in declared:
        seen.add(d.id.lower())
        stated = shared_by_id.get(d.id.lower(), released)
        out.append(source_from_dataset(d, stated, res, corpora))
    for did, line, sentence in prose_datasets(card):
        if did.lower() in seen:
            continue
        seen.add(did.lower())
        found = prose_found.get(did.lower())
        if found is not None:
            out.append(source_from_dataset(found, None, res, corpora, sentence))
            continue
        known = corpora.by_hub_id(did)
        if known is not None:
            out.append(source_from_corpus(known[0], res, Origin(card.path, line), sentence, did,
                                          known[1]))
    named = {s.corpus_id for s in out if s.corpus_id and s.kind == "corpus"}
    named |= {s.corpus_id for s in out if s.corpus_id and s.dataset_id in _main_ids(s, corpora)}
    for corpus, line, sentence, written in prose_corpora(card, corpora):
        if "/" in written:  # a Hub id written out: one source per id
            if written.lower() in seen:
                continue
            seen.add(written.lower())
        elif corpus.id in named:  # a name: one source per corpus
            continue
        else:
            named.add(corpus.id)
        copy = "/" in written and written.lower() in {c.lower() for c in corpus.copies}
        out.append(source_from_corpus(corpus, res, Origin(card.path, line), sentence, written,
                                      copy))
    # The block's own statement about the data as a whole: its license, or (when it names no
    # source) that the data was released or not.
    if isinstance(block.get("license"), str) or ("released" in block and not out):
        raw = block.get("license") if isinstance(block.get("license"), str) else None
        origin = Origin(card.path, card.line_of("openness", "data"))
        lic = res.finding(raw, res.catalogue.resolve(raw) if raw else None,
                          "openness" if raw else "none", origin)
        availability = {True: "released", False: "not-released", "partial": "released"}.get(
            released, "unknown")
        out.insert(0, DataSource("training data (openness block)", "openness", None, None,
                                 availability, lic, origin))
    return out


def _main_ids(source: DataSource, corpora: CorpusCatalogue) -> set[str | None]:
    """The corpus's own Hub ids (not its copies): a source with one of them is the corpus."""
    corpus = corpora.get(source.corpus_id) if source.corpus_id else None
    return set(corpus.hub_ids) if corpus is not None else set()


# --------------------------------------------------------------------------- stages


def build_stage(
    stage: str, inherited_from: str | None, sources: Sequence[DataSource],
    card_info: DataInformation | None, res: Resolver,
) -> DataStage:
    """One stage from its sources (and, for the model's own stage, the card's own data
    information)."""
    none = LicenseFinding(None, None, "none", Origin())
    # The license of what was released; what was not released has no license to give.
    shared = [s for s in sources if s.availability != "not-released"] or list(sources)
    licenses = [s.license for s in shared]
    license = least_open_license(licenses) if licenses else none
    if not sources:
        availability = "unknown"
    elif all(s.availability in ("released", "gated") for s in sources):
        availability = "released"
    elif any(s.availability == "not-released" for s in sources):
        availability = "not-released"
    else:
        availability = "unknown"
    closed = [s for s in sources if not s.open]
    values: dict[str, bool] = {}
    for point in POINTS:
        from_card = bool(card_info and getattr(card_info, point))
        from_sources = bool(sources) and all(
            s.points is not None and s.points.get(point, False) for s in closed
        )
        values[point] = from_card or from_sources
    info = DataInformation(**values)
    verdict = license.verdict
    if not sources:
        state = StageState.DESCRIBED if info.sufficient else StageState.UNDISCLOSED
    elif availability == "released" and verdict is Verdict.OPEN and not closed:
        state = StageState.OPEN
    elif availability == "released" and verdict is Verdict.RESTRICTED:
        state = StageState.RESTRICTED
    elif availability == "released" and verdict is Verdict.NOT_OPEN:
        state = StageState.NOT_OPEN
    elif info.sufficient:
        state = StageState.DESCRIBED
    else:
        state = StageState.UNKNOWN
    return DataStage(stage, inherited_from, tuple(sources), availability, license, info,
                     state.value)


def _stage_of(source: DataSource, corpora: CorpusCatalogue, default: str) -> str:
    corpus = corpora.get(source.corpus_id) if source.corpus_id else None
    return corpus.stage if corpus is not None else default


def _merge(stages: Iterable[DataStage], res: Resolver) -> list[DataStage]:
    """Stages of the same name (the model's own and its bases') joined into one, in order."""
    by_name: dict[str, list[DataStage]] = {}
    for s in stages:
        by_name.setdefault(s.stage, []).append(s)
    out = []
    for name in STAGES:
        group = by_name.get(name)
        if not group:
            continue
        if len(group) == 1:
            out.append(group[0])
            continue
        sources = [src for s in group for src in s.sources]
        origins = sorted({s.inherited_from for s in group if s.inherited_from})
        own = any(s.inherited_from is None for s in group)
        merged = build_stage(name, None if own else ", ".join(origins), sources, None, res)
        # A stage some part of which could not be looked up stays unknown at best.
        closed = (StageState.UNKNOWN.value, StageState.UNDISCLOSED.value)
        if any(s.state in closed for s in group) and merged.open:
            merged = replace(merged, state=StageState.UNKNOWN.value)
        if all(s.information.sufficient for s in group) and not merged.information.sufficient:
            unknown = merged.state == StageState.UNKNOWN.value
            merged = replace(merged, information=DataInformation(True, True, True, True, True),
                             state=StageState.DESCRIBED.value if unknown else merged.state)
        out.append(merged)
    return out


def inherits_from(base: InferredBase) -> bool:
    """An inferred base the model was trained from: neither a distillation teacher (its
    outputs, not its data, were learnt from) nor the model itself."""
    return base.relation not in ("distillation", "same-model")


class StageBuilder:
    """Works out the stages of the subject and, recursively, of each base model it names."""

    def __init__(self, bundle: Bundle, res: Resolver, corpora: CorpusCatalogue,
                 lineage: Sequence[LineageLink], inferred: Sequence[InferredBase] = ()) -> None:
        self.bundle = bundle
        self.res = res
        self.corpora = corpora
        self.lineage = lineage
        # The bases that stand for an unstated lineage: those applied to the weights. On disk
        # only those a tool wrote down (config files, weight-file headers): a vendor's own card
        # names its other models in its title and words, and there nothing tells the vendor's
        # card from a derivative's. On the Hub the subject's organisation does (a licensor's
        # own models are not applied), so the card's title and words count there too.
        least = Confidence.MEDIUM if bundle.lineage_resolvable else Confidence.HIGH
        self.inferred = [
            b for b in inferred
            if b.applies and b.confidence.rank >= least.rank and inherits_from(b)
        ]
        # What the base-model catalogue says a base was pre-trained on, by the id it was found
        # as (``base_model:`` values included, so a base the source could not read has it).
        self._recorded = {
            b.name.lower(): b for b in inferred if b.pretraining and inherits_from(b)
        }
        self._memo: dict[str, list[DataStage]] = {}

    def subject(
        self, card: Card | None, declared: Sequence[DatasetEvidence],
        card_info: DataInformation | None,
    ) -> list[DataStage]:
        """The subject's stages: its own, then those of its bases, merged by stage."""
        sid = self.bundle.subject.id
        relation = self.bundle.relations.get(sid)
        if relation is None and card is not None:
            relation = card.meta.text("base_model_relation")
        extra = self._unstated_bases(sid, card)
        if relation is None and extra:
            relation = extra[0].relation
        own = self._own(card, declared, card_info, relation, None, bool(extra))
        inherited = self._inherited(sid, card, (sid,))
        for base in extra:
            # Named as found (a repo id, or the card's words), never the catalogue's display
            # name: stage origins are listed with commas.
            inherited += self._unread(base.name)
        return _merge([*own, *inherited], self.res)

    def _unstated_bases(self, sid: str, card: Card | None) -> list[InferredBase]:
        """The inferred bases that stand for the lineage when the card states none (one per
        family, or per name when the catalogue does not know it), most trusted first."""
        stated = bool(card is not None and base_model_ids(card.meta.values)[0])
        if stated or any(link.child == sid for link in self.lineage):
            return []
        out: list[InferredBase] = []
        seen: set[str] = set()
        for base in self.inferred:
            key = base.family or base.name.lower()
            if key not in seen:
                seen.add(key)
                out.append(base)
        return out

    def _unread(self, label: str) -> list[DataStage]:
        """The stages a base passes on without its card: the pre-training data the base-model
        catalogue records for it, or one unknown pre-training stage."""
        base = self._recorded.get(label.lower())
        if base is None or base.pretraining is None:
            return [build_stage("pre-training", label, [], None, self.res)]
        data = base.pretraining
        origin = Origin(None, None, "base-models", label)
        sources = [
            source_from_corpus(corpus, self.res, origin, f"pre-training data of {label} "
                               "(base-model catalogue)", corpus.name)
            for corpus in (self.corpora.get(cid) for cid in data.corpora)
            if corpus is not None
        ]
        if not data.complete:
            none = LicenseFinding(None, None, "none", origin)
            sources.append(DataSource(f"other pre-training data of {label}", "corpus", None,
                                      None, "not-released", none, origin, data.source))
        return [build_stage("pre-training", label, sources, None, self.res)]

    def _own(
        self, card: Card | None, declared: Sequence[DatasetEvidence],
        card_info: DataInformation | None, relation: str | None, inherited: str | None,
        derived: bool = False,
    ) -> list[DataStage]:
        primary = primary_stage(card, relation, derived)
        if card is None:
            return [build_stage("pre-training", inherited, [], None, self.res)] if primary else []
        from openweights.evidence.code_data import dataset_license

        prose_found: dict[str, DatasetEvidence] = {}
        if self.bundle.lineage_resolvable:
            for did, _line, _sentence in prose_datasets(card):
                material = self.bundle.datasets.get(did)
                if material is not None:
                    prose_found[did.lower()] = _evidence_of(material, did, card, self.res,
                                                            dataset_license)
        sources = own_sources(card, self.bundle, self.res, self.corpora, declared, prose_found)
        if inherited is not None:
            # A base model's card: its lines are cited as lines of that repo.
            sources = [
                replace(src, origin=Origin(src.origin.path, src.origin.line, src.origin.field,
                                           src.origin.repo or inherited))
                for src in sources
            ]
        default = primary or "pre-training"
        grouped: dict[str, list[DataSource]] = {}
        for source in sources:
            grouped.setdefault(_stage_of(source, self.corpora, default), []).append(source)
        out = []
        for name in STAGES:
            if name in grouped or name == primary:
                info = card_info if name == default else None
                out.append(build_stage(name, inherited, grouped.get(name, []), info, self.res))
        return out

    def _inherited(self, child: str, card: Card | None,
                   path: tuple[str, ...]) -> list[DataStage]:
        parents = [link for link in self.lineage if link.child == child]
        if not parents and card is not None and not self.bundle.lineage_resolvable:
            ids, _ = base_model_ids(card.meta.values)
            return [stage for bid in ids for stage in self._unread(bid)]
        out: list[DataStage] = []
        for link in parents:
            out += self._ancestor(link.id, path)
        return out

    def _ancestor(self, model_id: str, path: tuple[str, ...]) -> list[DataStage]:
        if model_id in self._memo:
            return self._memo[model_id]
        material = self.bundle.ancestors.get(model_id)
        if model_id in path or material is None or material.card_text is None:
            unread = [build_stage("pre-training", model_id, [], None, self.res)]
            if model_id not in path:
                unread = self._unread(model_id)
            self._memo[model_id] = unread
            return unread
        card = parse_card(material.card_text, "README.md")
        if not card.metadata and material.api_card_data:
            card = Card(card.path, card.text, dict(material.api_card_data), "ok", None, None,
                        sections=card.sections)
        declared = _declared_of(card, self.bundle, self.res, model_id)
        relation = self.bundle.relations.get(model_id)
        own = self._own(card, declared, None, relation, model_id)
        stages = _merge([*own, *self._inherited(model_id, card, (*path, model_id))], self.res)
        self._memo[model_id] = stages
        return stages


def _declared_of(card: Card, bundle: Bundle, res: Resolver, model_id: str) -> list[DatasetEvidence]:
    """An ancestor's ``datasets:``, resolved through what the source fetched."""
    from openweights.evidence.code_data import dataset_license

    out = []
    for value, line in card.meta.located("datasets"):
        did = repo_id_from(value, "dataset")
        if not did:
            continue
        origin = Origin("README.md", line, None, model_id)
        material = bundle.datasets.get(did)
        if material is None:
            found = False if did in bundle.datasets else None
            out.append(DatasetEvidence(did, found, res.finding(None, None, "none", origin), origin))
        else:
            out.append(DatasetEvidence(did, True, dataset_license(material, res), origin,
                                       material.gated))
    return out


def _evidence_of(material: DatasetMaterial, did: str, card: Card, res: Resolver,
                 license_of: Any) -> DatasetEvidence:
    origin = Origin(card.path, None)
    return DatasetEvidence(did, True, license_of(material, res), origin, material.gated)


def worst_stage(stages: Sequence[DataStage]) -> DataStage | None:
    """The least open stage (the one the data row shows)."""
    if not stages:
        return None
    return max(stages, key=lambda s: StageState(s.state).rank)
