"""Evidence: what we know about weights, training code and training data, and where it came from.

Built from a source's ``Bundle`` and the catalogue; no I/O. Every fact carries its ``Origin``
(file and line, or a Hub field) so that each verdict downstream can cite it. The work is split
by subject: ``licenses`` (the weights license), ``code_data`` (training code and data),
``lineage`` (base models); ``model`` holds the records.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from openweights.card import Card, CardMetadata, parse_card
from openweights.catalogues.corpora import load_corpora
from openweights.evidence.bases import inferred_bases
from openweights.evidence.code_data import (
    code_releases,
    corpus_code_releases,
    data_information,
    datasets_in_prose,
    datasets_named,
    openness_block,
)
from openweights.evidence.licenses import (
    ProseStatement,
    Resolver,
    choose_own_license,
    gate_prompt_license,
    identify_files,
    least_open_license,
    license_link_finding,
    prose_licenses,
    read_prose,
)
from openweights.evidence.lineage import base_models, base_models_in_prose, lineage_links
from openweights.evidence.model import (
    MULTIMODAL_PIPELINES,
    TEXT_PIPELINES,
    WEIGHT_SUFFIXES,
    CodeRelease,
    ComponentEvidence,
    Confidence,
    DataInformation,
    DatasetEvidence,
    DataSource,
    DataStage,
    Evidence,
    Fact,
    InferredBase,
    LicenseFileEvidence,
    LicenseFinding,
    LicenseLink,
    LineageLink,
    Origin,
    Signal,
)
from openweights.evidence.stages import STAGES, StageBuilder
from openweights.licensing.catalogue import Catalogue
from openweights.licensing.grader import DEFAULT_THRESHOLDS, Thresholds, Verdict
from openweights.patterns import lazy
from openweights.repoids import is_url, license_link_path
from openweights.sources import Bundle, ForgeStatus
from openweights.weightfiles import WeightFileMetadata, read_header

__all__ = [
    "STAGES",
    "WEIGHT_SUFFIXES",
    "CodeRelease",
    "ComponentEvidence",
    "Confidence",
    "DataInformation",
    "DataSource",
    "DataStage",
    "DatasetEvidence",
    "Evidence",
    "Fact",
    "InferredBase",
    "LicenseFileEvidence",
    "LicenseFinding",
    "LicenseLink",
    "LineageLink",
    "Origin",
    "Signal",
    "base_models_in_prose",
    "build_evidence",
    "code_fact",
    "code_facts",
    "datasets_in_prose",
    "detect_modality",
    "open_source_claims",
]

_MULTIMODAL_WORDS = lazy(
    r"\bmulti-?modal\b|\bvision[- ]language\b|\bimage[- ]text[- ]to[- ]text\b"
    r"|\b[\w.-]*-vision\b|text\s*\\?\+\s*image",
    re.I,
)
_OPEN_SOURCE_CLAIM = lazy(r"\bopen[- ]source\b", re.I)


_DIFF_FACTS = 10
"""Changes of a modified LICENSE text listed as evidence (``owcheck identify --diff`` shows all)."""

MAX_SUGGESTED = 10
"""At most this many unknown license ids get "did you mean" suggestions."""


def detect_modality(card: Card | None, api: Mapping[str, Any] | None) -> str | None:
    """``multimodal`` / ``text`` from pipeline_tag, tags and the card title; None if unclear."""
    meta = card.meta if card else CardMetadata(None)
    api_meta = CardMetadata(api)
    tag = meta.text("pipeline_tag") or api_meta.text("pipeline_tag")
    tags = {t.lower() for t in meta.texts("tags") + api_meta.texts("tags")}
    if tag in MULTIMODAL_PIPELINES or tags & {"multimodal", "vision", "image-text-to-text"}:
        return "multimodal"
    if tag in TEXT_PIPELINES:
        return "text"
    if card is None or tag:
        return None
    # No pipeline tag: the opening of the card usually says what goes in and out.
    opening = card.body[:3000]
    if _MULTIMODAL_WORDS().search(opening):
        return "multimodal"
    return None


def weights_availability(bundle: Bundle) -> tuple[str, list[Fact]]:
    m = bundle.subject
    facts: list[Fact] = []
    weights = [f for f in m.files if f.lower().endswith(WEIGHT_SUFFIXES)]
    if m.gated:
        facts.append(Fact(f"repo is gated ({m.gated} approval)", Origin(None, None, "gated")))
    if weights:
        facts.append(Fact(f"{len(weights)} weight file(s), e.g. {weights[0]}", Origin(weights[0])))
        return ("gated" if m.gated else "released"), facts
    if m.files:
        facts.append(Fact("no weight files in the repo", Origin(None, None, "files")))
    return ("gated" if m.gated else "unknown"), facts


def weight_file_headers(bundle: Bundle) -> list[WeightFileMetadata]:
    """The headers of the weight files the source read, parsed (bytes in, metadata out)."""
    out = []
    for path, data in sorted(bundle.subject.weight_headers.items()):
        meta = read_header(path, data)
        if meta is not None:
            out.append(meta)
    return out


def weights_statements(
    card: Card | None, res: Resolver, prose: list[ProseStatement],
    headers: list[WeightFileMetadata],
) -> list[LicenseFinding]:
    """Statements about the weights' license besides ``license:`` and LICENSE files: the card's
    sentences that name the weights, the openness block, and weight-file headers."""
    out: list[LicenseFinding] = [
        st.finding for st in prose if st.component == "weights" and st.explicit
    ]
    raw = card.meta.text("openness", "weights", "license") if card else None
    if card and raw is not None and raw.strip():
        origin = Origin(card.path, card.line_of("openness", "weights", "license"))
        out.append(res.stated(raw, "openness", origin))
    for meta in headers:
        if meta.license:
            origin = Origin(meta.path, None, meta.format)
            out.append(res.stated(meta.license, "weight-file", origin))
    return out


def build_evidence(
    bundle: Bundle, catalogue: Catalogue, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Evidence:
    """Turn a source's bundle into evidence for rules and grading."""
    m = bundle.subject
    card = parse_card(m.card_text, m.card_path or "README.md") if m.card_text is not None else None
    modality = detect_modality(card, m.api_card_data)
    res = Resolver(catalogue, modality, thresholds)
    empty = card or parse_card("", m.card_path or "README.md")
    declared = res.declared(empty.metadata, empty) if card else []
    files = identify_files(m.license_files, catalogue)
    prose = read_prose(card, res) if card else []
    prose_w, prose_c = prose_licenses(card, res, prose) if card else ([], [])
    linked = license_link_finding(card, bundle.code_repos, res) if card else None
    if linked is not None:
        prose_w = [*prose_w, linked[0]]
    gate = gate_prompt_license(card, res, catalogue) if card else None
    headers = weight_file_headers(bundle)
    statements = weights_statements(card, res, prose, headers)
    own = choose_own_license(declared, files, prose_w, gate, res, statements)
    lineage = lineage_links(bundle, res, catalogue)
    from openweights.catalogues.base_models import load_base_models

    inferred = inferred_bases(
        bundle, card, headers, lineage, load_base_models(), catalogue, modality, thresholds
    )

    # Weights: a derivative is never more open than its most restrictive ancestor, whether the
    # Hub answered for it or the catalogue knows it; a licensor may relicense its own models.
    weights_license = own
    subject_org = bundle.subject.id.split("/", 1)[0].lower() if bundle.lineage_resolvable else ""
    for link in lineage:
        same_owner = subject_org and link.id.split("/", 1)[0].lower() == subject_org
        stricter = link.license.verdict.rank > weights_license.verdict.rank
        if link.found and not same_owner and stricter:
            weights_license = link.license
    # An inferred base lowers a license that is known; an unknown license stays unknown.
    for base in inferred:
        if (
            base.applies
            and own.verdict is not Verdict.UNKNOWN
            and base.license.verdict.rank > weights_license.verdict.rank
        ):
            weights_license = base.license
    availability, w_facts = weights_availability(bundle)
    w_facts.insert(0, Fact(f"license: {own.raw or 'none'} ({own.source})", own.origin))
    for f in files:
        if f.status == "modified":
            # The word diff behind an unknown verdict: what the text changed or added.
            w_facts.append(Fact(f"{f.path}: {f.description}", Origin(f.path, f.first_change)))
            w_facts += [Fact(f"{f.path} differs: {wdiff}", Origin(f.path, line))
                        for line, wdiff in f.changes[:_DIFF_FACTS]]


    if linked is not None and own is linked[0]:
        w_facts.insert(1, Fact(f"license file of the linked repository: {linked[1].raw}",
                               linked[1].origin))
    for link in lineage:
        w_facts.append(
            Fact(
                f"base model {link.id} ({link.relation or 'derived'}): "
                f"{link.license.entry.id if link.license.entry else 'license unknown'}",
                link.license.origin,
            )
        )
    for base in inferred:
        if base.confidence is Confidence.LOW and not base.license.entry:
            continue
        lic = base.license.entry.id if base.license.entry else "license unknown"
        how = "applied" if base.applies else "not applied"
        w_facts.append(
            Fact(
                f"base {base.license.origin.repo or base.name} from {base.signal.value} "
                f"({base.confidence.value}, {base.relation or 'derived'}): {lic}, {how}",
                base.origin,
            )
        )
    block = openness_block(card)
    wblock = block.get("weights")
    w_facts += [Fact(f"openness block: weights license {s.raw}", s.origin)
                for s in statements if s.source == "openness"]
    if isinstance(wblock, dict) and wblock.get("released") is False:
        availability = "not-released"
        w_facts.append(
            Fact(
                "openness block: weights not released",
                Origin(empty.path, empty.line_of("openness", "weights")),
            )
        )

    datasets = datasets_named(card, bundle, res) if card else []
    card_info = (
        data_information(card, datasets)
        if card
        else DataInformation(False, False, False, False, False)
    )
    stages = StageBuilder(bundle, res, load_corpora(), lineage, inferred).subject(
        card, datasets, card_info if card else None
    )
    d_license, d_avail, info = data_from_stages(stages, card_info)
    d_facts = data_facts(card, stages)

    releases = code_releases(card, bundle, res, prose_c) if card else []
    releases += corpus_code_releases(releases, stages, bundle, res)
    own_code = [c for c in releases if c.own_code]
    c_license = (
        least_open_license([c.license for c in own_code])
        if own_code
        else LicenseFinding(None, None, "none", Origin())
    )
    c_facts = [fact for c in releases for fact in code_facts(c)]
    c_avail = "released" if own_code else "unknown"


    return Evidence(
        bundle=bundle,
        card=card,
        modality=modality,
        thresholds=thresholds,
        declared=tuple(declared),
        license_files=tuple(files),
        prose_licenses=tuple([*prose_w, *([gate] if gate else [])]),
        own_license=own,
        weights=ComponentEvidence("weights", availability, weights_license, tuple(w_facts)),
        code=ComponentEvidence("code", c_avail, c_license, tuple(c_facts)),
        data=ComponentEvidence("data", d_avail, d_license, tuple(d_facts)),
        code_releases=tuple(releases),
        datasets=tuple(datasets),
        data_information=info,
        lineage=tuple(lineage),
        base_models=tuple(base_models(card, m.api_card_data)),
        openness=block,
        license_link=license_link(card),
        close_license_ids=close_license_ids(declared, catalogue),
        metadata_issues=metadata_issues(card),
        inferred_bases=tuple(inferred),
        weight_files=tuple(headers),
        statements=tuple(statements),
        stages=tuple(stages),
        ignored_metadata=ignored_metadata(card),
    )


def license_link(card: Card | None) -> LicenseLink | None:
    """The card's ``license_link`` and the repo file it names (the sources read it the same way)."""
    value = card.meta.text("license_link") if card else None
    if card is None or value is None or not value.strip():
        return None
    origin = Origin(card.path, card.line_of("license_link"))
    return LicenseLink(value, license_link_path(value), is_url(value), origin)


def close_license_ids(
    declared: list[LicenseFinding], catalogue: Catalogue
) -> dict[str, tuple[str, ...]]:
    """For each declared id the catalogue does not know (not ``other:``), the closest ids."""
    out: dict[str, tuple[str, ...]] = {}
    for d in declared:
        raw = str(d.raw) if d.raw else ""
        if d.entry is None and raw and not raw.startswith("other:") and raw not in out:
            # A search costs milliseconds: a few are help, thousands (a hostile list) a hang.
            out[raw] = tuple(catalogue.suggest(raw)) if len(out) < MAX_SUGGESTED else ()
    return out


def metadata_issues(card: Card | None) -> tuple[Fact, ...]:
    """Where the card's metadata breaks ``schemas/model-card.schema.json`` (values the typed
    view left out aside: ``ignored_metadata`` says those)."""
    if card is None or not card.metadata:
        return ()
    from openweights.schema_check import load_schema, validate

    ignored = [p.path for p in card.meta.problems]
    issues = validate(dict(card.metadata), load_schema("model-card.schema.json"))
    return tuple(
        Fact(i.message, Origin(card.path, card.line_of(*i.path)))
        for i in issues
        if not any(i.path[: len(path)] == path for path in ignored)
    )


def ignored_metadata(card: Card | None) -> tuple[Fact, ...]:
    """Metadata values of the wrong type, which the evidence left out (``CardMetadata``)."""
    if card is None or not card.meta.problems:
        return ()
    from openweights.schema_check import describe_value, where

    return tuple(
        Fact(
            f"{where(p.path)} must be {p.expected}, not {describe_value(p.value)}: ignored",
            Origin(card.path, card.line_of(*p.path)),
        )
        for p in card.meta.problems
    )


def data_from_stages(
    stages: list[DataStage], card_info: DataInformation
) -> tuple[LicenseFinding, str, DataInformation]:
    """The data row from its stages: the least open license, the availability (released only
    when every stage is), and the five points over every stage not openly released."""
    with_sources = [s for s in stages if s.sources]
    lic = (
        least_open_license([s.license for s in with_sources])
        if with_sources
        else LicenseFinding(None, None, "none", Origin())
    )
    if stages and all(s.availability == "released" for s in stages):
        availability = "released"
    elif any(s.availability == "not-released" for s in stages):
        availability = "not-released"
    else:
        availability = "unknown"
    closed = [s for s in stages if not s.open]
    if not closed:
        return lic, availability, card_info
    points = {
        name: all(getattr(s.information, name) for s in closed)
        for name in ("inventory", "processing_code", "provenance", "unshareable", "labelling")
    }
    return lic, availability, DataInformation(**points)


def data_facts(card: Card | None, stages: list[DataStage]) -> list[Fact]:
    """Evidence for the data row: each stage and its state, each source with the sentence that
    names it, each catalogued corpus cited to the catalogue."""
    facts: list[Fact] = []
    for stage in stages:
        where = f" (from {stage.inherited_from})" if stage.inherited_from else ""
        first = stage.sources[0].origin if stage.sources else Origin()
        facts.append(Fact(f"{stage.stage}{where}: {stage.state}", first))
        for src in stage.sources:
            lic = src.license.entry.id if src.license.entry else (src.license.raw or "no license")
            said = f": \"{src.context}\"" if src.context else ""
            facts.append(Fact(f"{stage.stage} data {src.name} ({src.availability}; {lic}){said}",
                              src.origin))
            if src.license.source == "corpus-catalogue":
                facts.append(Fact(f"{src.corpus_id}: {src.availability}, {lic} (corpus catalogue)",
                                  src.license.origin))
    if card is not None:
        sections = card.find_sections(r"training\s+data|data\s*sets?|training\s+corpus")
        for s in sections[:2]:
            state = "placeholder" if s.is_placeholder else "described"
            facts.append(Fact(f"section '{s.title}' ({state})", Origin(card.path, s.line)))
    return facts


def code_facts(c: CodeRelease) -> list[Fact]:
    """Evidence for one linked repository: its role and why (cited to the card line), and,
    when a forge answered, its license cited to that answer."""
    facts = [code_fact(c)]
    if c.license.source == "forge" and c.forge is not None:
        lic = c.license.entry.id if c.license.entry else (c.license.raw or "no license file")
        canonical = c.forge.canonical or c.forge.repo
        renamed = f" (now {canonical})" if canonical.lower() != c.forge.repo.lower() else ""
        facts.append(Fact(f"{c.forge.repo}{renamed}: license {lic}, as its forge answered",
                          c.license.origin))
    return facts


def code_fact(c: CodeRelease) -> Fact:
    """One line of evidence per linked repository: its role, why, and its license."""
    where = c.repo or c.url
    if c.role == "library":
        return Fact(f"library {where}: not the model's own code ({c.context})", c.origin)
    if c.role == "unknown":
        return Fact(f"linked {where}: role unknown, not counted ({c.why}: {c.context})", c.origin)
    lic = c.license.entry.id if c.license.entry else (c.license.raw or "no license found")
    if c.forge is not None and c.forge.status is not ForgeStatus.OK:
        lic += f"; forge lookup {c.forge.status.value}"
    via = f", named by {c.via}" if c.via else ""
    return Fact(
        f"{c.role} code {where} ({', '.join(c.covers)}{via}; license {lic} from "
        f"{c.license.source}; {c.why}: {c.context})",
        c.origin,
    )


def open_source_claims(card: Card) -> list[int]:
    """Lines of the body that call the model open source."""
    return [card.body_line(m.start()) for m in _OPEN_SOURCE_CLAIM().finditer(card.body)]
