"""Training code and training data evidence: links, the openness block, datasets, and the
five-point data-information test."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from openweights.card import Card, CardMetadata, parse_card
from openweights.evidence.licenses import Resolver
from openweights.evidence.model import (
    CodeRelease,
    DataInformation,
    DatasetEvidence,
    DataStage,
    LicenseFinding,
    Origin,
)
from openweights.licensing.grader import least_open
from openweights.patterns import lazy
from openweights.repoids import as_list, repo_id_from
from openweights.sources import Bundle, DatasetMaterial, ForgeAnswer, ForgeStatus

_CODE_HOST = lazy(
    r"https?://(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org|bitbucket\.org|git\.[\w.-]+)"
    r"/[\w.-]+/[\w.-]+[^\s)\]>\"'`]*",
    re.I,
)
_HF_DATASET_LINK = lazy(r"huggingface\.co/datasets/([\w.-]+/[\w.-]+)", re.I)


def openness_block(card: Card | None) -> Mapping[str, Any]:
    """The ``openness:`` block, every part of it checked for its type (``Card.meta``)."""
    return card.meta.block("openness") if card else {}


def code_releases(
    card: Card, bundle: Bundle, res: Resolver, prose_code: list[LicenseFinding]
) -> list[CodeRelease]:
    """Every code repository the card links or declares, with its role and license.

    The license of a repository is read where it lives: the forge's answer when the forge was
    asked and answered; otherwise what the card says (its ``openness.code`` entry, or a sentence
    about the code's license, for the model's own code only); otherwise unknown.
    """
    from openweights.codelinks import Role, code_links

    stated = prose_code[0] if prose_code else None
    out: list[CodeRelease] = []
    for link in code_links(card):
        origin = Origin(card.path, link.line)
        on_forge = bool(link.repo.host)
        answer = bundle.code_repos.get(link.repo.key) if on_forge else None
        if link.role is Role.LIBRARY:
            lic = res.finding(None, None, "none", origin)
        else:
            declared = link.declared.get("license") if link.declared else None
            lic = _code_license(
                answer, declared if isinstance(declared, str) else None,
                stated if link.own_code else None, res, origin,
            )
        out.append(
            CodeRelease(
                link.url, lic, link.covers, origin, link.role.value, link.context, link.why,
                str(link.repo) if on_forge else None, answer, link.via,
                link.declared is not None,
            )
        )
    return out


def corpus_code_releases(
    releases: list[CodeRelease], stages: Sequence[DataStage], bundle: Bundle, res: Resolver
) -> list[CodeRelease]:
    """The data-processing code of the corpora the model's own stages were trained on, when
    the card links none of its own: a model trained on a published corpus had its data
    processed by that corpus's published pipeline (the corpus catalogue names it and its
    license). Only when every source of those stages is a catalogued corpus whose pipeline is
    published; otherwise the pipeline is not complete and nothing is added."""
    from openweights.catalogues.corpora import load_corpora
    from openweights.repoids import forge_repo_from

    if not any(r.own_code and "training" in r.covers for r in releases):
        return []  # it completes the model's own training code; it never stands in for it
    if any(r.own_code and "data-processing" in r.covers for r in releases):
        return []
    own = [s for s in stages if s.inherited_from is None and s.sources]
    sources = [src for s in own for src in s.sources]
    corpora = load_corpora()
    found = [corpora.get(src.corpus_id) if src.corpus_id else None for src in sources]
    if not sources or any(c is None or not c.documentation.processing_code for c in found):
        return []
    out: list[CodeRelease] = []
    seen: set[str] = set()
    for src, corpus in zip(sources, found, strict=True):
        assert corpus is not None and corpus.documentation.processing_code is not None
        url = corpus.documentation.processing_code
        if url in seen:
            continue
        seen.add(url)
        raw = corpus.documentation.processing_code_license
        origin = Origin(None, None, "corpus", corpus.id)
        lic = res.finding(raw, res.catalogue.resolve(raw) if raw else None, "corpus-catalogue",
                          origin)
        repo = forge_repo_from(url)
        answer = bundle.code_repos.get(repo.key) if repo else None
        if answer is not None and answer.status is ForgeStatus.OK:
            lic = forge_license(answer, res)
        out.append(CodeRelease(
            url, lic, ("data-processing",), src.origin, "data-processing",
            f"the pipeline that built {corpus.name}", "corpus catalogue",
            str(repo) if repo else None, answer, f"corpus {corpus.id}",
        ))
    return out


def _code_license(
    answer: ForgeAnswer | None,
    declared: str | None,
    stated: LicenseFinding | None,
    res: Resolver,
    origin: Origin,
) -> LicenseFinding:
    """The forge's answer if it has one; else the card's own statement; else unknown."""
    if answer is not None and answer.status is ForgeStatus.OK:
        return forge_license(answer, res)
    if declared:
        return res.finding(declared, res.catalogue.resolve(declared), "openness", origin)
    if stated is not None:
        return stated
    return res.finding(None, None, "none", origin)


def forge_license(answer: ForgeAnswer, res: Resolver) -> LicenseFinding:
    """A repository's license as its forge answered: the id it names, or its text identified
    when the forge could not name it (GitHub's ``NOASSERTION``)."""
    origin = Origin(None, None, "forge", answer.canonical or answer.repo)
    raw = answer.license_id
    entry = None
    if raw and raw.upper() not in ("NOASSERTION", "OTHER"):
        entry = res.catalogue.resolve(raw)
    if entry is None and answer.license_text:
        from openweights.licensing.identify import identify  # lazy: only for custom licenses

        result = identify(answer.license_text, res.catalogue)
        where = answer.license_path or "LICENSE"
        if result.license_id is not None:
            entry = res.catalogue.resolve(result.license_id)
            raw = f"{where} (identified as {result.license_id})"
        elif result.closest is not None:
            # A modified text is not the license it resembles: unknown, said so.
            raw = f"{where}, a modified {result.closest.license_id}"
    if entry is None and raw and raw.upper() in ("NOASSERTION", "OTHER"):
        raw = f"{answer.license_name or 'a license'} the forge does not recognise"
    return res.finding(raw, entry, "forge", origin)


def datasets_named(card: Card, bundle: Bundle, res: Resolver) -> list[DatasetEvidence]:
    ids: list[tuple[str, Origin]] = []
    for value, line in card.meta.located("datasets"):
        did = repo_id_from(value, "dataset")
        if did:
            ids.append((did, Origin(card.path, line)))
    data_block = openness_block(card).get("data")
    if isinstance(data_block, dict):
        for i, value in enumerate(as_list(data_block.get("datasets"))):
            did = repo_id_from(value, "dataset")
            if did and did not in {d for d, _ in ids}:
                ids.append(
                    (did, Origin(card.path, card.line_of("openness", "data", "datasets", i)))
                )
    stated = {
        str(src.get("id")).lower(): src["license"]
        for src in (as_list(data_block.get("sources")) if isinstance(data_block, dict) else [])
        if isinstance(src, dict) and src.get("id") and isinstance(src.get("license"), str)
    }
    out = []
    for did, origin in ids:
        if not bundle.lineage_resolvable or did in bundle.unresolved:
            # Local mode (or a dump without it) cannot look the dataset up; the openness block
            # may name its license.
            raw = stated.get(did.lower())
            entry = res.entry(raw)
            lic = res.finding(raw, entry, "openness" if raw else "none", origin)
            out.append(DatasetEvidence(did, None, lic, origin))
            continue
        material = bundle.datasets.get(did)
        if material is None:
            out.append(DatasetEvidence(did, False, res.finding(None, None, "none", origin), origin))
            continue
        out.append(
            DatasetEvidence(did, True, dataset_license(material, res), origin, material.gated)
        )
    return out


def dataset_license(material: DatasetMaterial, res: Resolver) -> LicenseFinding:
    meta: Mapping[str, Any] = {}
    if material.card_text:
        meta = parse_card(material.card_text, "README.md").metadata
    if not meta and material.api_card_data:
        meta = material.api_card_data
    view = CardMetadata(meta)  # typed: wrong-typed values are left out
    origin = Origin("README.md", None, None, material.id)
    values = view.texts("license")
    name = view.text("license_name")
    findings = []
    for value in values:
        entry = res.catalogue.resolve(value)
        if entry and entry.kind == "placeholder" and name is not None:
            entry = res.catalogue.resolve(name) or entry
        findings.append(res.finding(value, entry, "dataset-card", origin))
    if not findings:
        return res.finding(None, None, "dataset-card", origin)
    worst = least_open([f.verdict for f in findings])
    chosen = next(f for f in findings if f.verdict is worst)
    if len(findings) > 1:
        raw = ", ".join(values)
        return LicenseFinding(raw, chosen.entry, chosen.source, origin, chosen.grade)
    return chosen


def data_information(card: Card, datasets: list[DatasetEvidence]) -> DataInformation:
    block = openness_block(card).get("data")
    if isinstance(block, dict):
        sources = [s for s in as_list(block.get("sources")) if isinstance(s, dict)]
        pointer = all((s.get("id") or s.get("url")) for s in sources) and bool(sources)
        sized = all(s.get("size") is not None or s.get("share") is not None for s in sources)
        proc = block.get("processing_code")
        has_code = isinstance(proc, dict) and isinstance(proc.get("url"), str)
        prov = bool(sources) and all(s.get("license") and s.get("provenance") for s in sources)
        unshared = [s for s in sources if s.get("shared") is False]
        unshareable = all(s.get("reason_not_shared") for s in unshared)
        labelling = isinstance(block.get("labelling"), str) and bool(block["labelling"].strip())
        return DataInformation(pointer and sized, has_code, prov, unshareable, labelling)
    # Prose alone rarely passes: the test needs positive evidence on every point.
    sections = card.find_sections(
        r"(training|pre-?training|fine-?tuning)\s+(data|corpus|set)|^data(sets?)?$"
    )
    text = "\n".join(s.body for s in sections)
    pointers = (
        len(_HF_DATASET_LINK().findall(text)) + len(datasets) + len(re.findall(r"https?://", text))
    )
    # Only at the start of a run of digits: from every digit of "1,1,1,..." it is quadratic.
    sizes = re.search(
        r"(?<![\d.,])\b\d[\d.,]*\s*(%|[KMBT]\b|billion|million|tokens|GB|TB|documents)",
        text,
        re.I,
    )
    inventory = pointers >= 1 and bool(sizes)
    processing = bool(re.search(r"(dedup|filter|preprocess)\w*", text, re.I)) and bool(
        _CODE_HOST().search(text)
    )
    provenance = bool(
        re.search(r"\bprovenance\b|\bcollected from\b|\bsourced from\b", text, re.I)
    ) and bool(re.search(r"licen[cs]", text, re.I))
    unshareable = bool(
        re.search(r"(not (be )?(released|shared|public))|(proprietary|private) data", text, re.I)
    )
    labelling = bool(re.search(r"\b(annotat\w+|label(l)?ing|labell?ed)\b", text, re.I))
    return DataInformation(inventory, processing, provenance, unshareable, labelling)


def datasets_in_prose(card: Card) -> list[tuple[str, int]]:
    """Hub datasets the body links to (``huggingface.co/datasets/org/name``), with their lines."""
    body = card.body
    out = []
    for m in _HF_DATASET_LINK().finditer(body):
        did = repo_id_from(m.group(1), "dataset")
        if did:
            out.append((did, card.body_line(m.start())))
    return out
