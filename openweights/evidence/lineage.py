"""Lineage evidence: the base models a card names, followed through the source's material."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from openweights.card import Card, CardMetadata, parse_card
from openweights.evidence.licenses import Resolver, material_license
from openweights.evidence.model import HUB_RELATIONS, LicenseFinding, LineageLink, Origin
from openweights.licensing.catalogue import Catalogue
from openweights.patterns import lazy
from openweights.repoids import repo_id_from
from openweights.sources import Bundle, ModelMaterial

# The name is matched inside a lookahead and then taken whole by a backreference: an atomic
# group, so that when the name turns out to be followed by "architecture" the engine does not
# try every shorter split of it (exponential on a long run of digits, e.g. "A1111...1").
_BASE_IN_PROSE = lazy(
    r"(?i:\b(?:(?:fine[- ]?tuned?|finetuned|trained|quantized|quantised|merged|derived|converted)"
    r"(?:\s+(?:version|model))?\s+from|(?:based|built)\s+(?:up)?on|on\s+top\s+of))"
    r"(?:\s+(?i:the|recent|original|latest)){0,3}\s+"
    r"(?:\[(?P<link>[^\]\n]{2,80})\]"
    r"|(?=(?P<name>https?://huggingface\.co/[\w.-]+/[\w.-]+"
    r"|[A-Za-z][\w.-]*/[\w.-]*[A-Za-z0-9]"
    r"|[A-Z][\w.]*(?:[- ]?v?\d[\w.]*)+(?:-[\w.]+)*))(?P=name))"
    r"(?![\w-]*\s+(?:\w+\s+)?architecture)"
)
_TEMPLATE_BASE = lazy(r"finetuned from model(?:\s*\[optional\])?[*:\s]+\[?([^\]\n(]+)", re.I)




def base_models(card: Card | None, api: Mapping[str, Any] | None) -> list[tuple[str, Origin]]:
    if card is None:
        return []
    values = card.meta.located("base_model")
    if not values and api:
        values = [(v, None) for v in CardMetadata(api).texts("base_model")]
    return [(v, Origin(card.path, line)) for v, line in values]


def lineage_links(bundle: Bundle, res: Resolver, catalogue: Catalogue) -> list[LineageLink]:
    """Ancestors nearest first, each with its own license, from the source's parent map."""
    if not bundle.lineage_resolvable:
        return []
    out: list[LineageLink] = []
    queue: list[tuple[str, ModelMaterial]] = [(bundle.subject.id, bundle.subject)]
    seen = {bundle.subject.id}
    while queue:
        child_id, child = queue.pop(0)
        parents, relation = _parents_of(bundle, child_id, child)
        for bid in parents:
            if bid in seen or bid in bundle.unresolved:
                continue  # an unresolved base is judged from the catalogue (evidence/bases.py)
            seen.add(bid)
            material = bundle.ancestors.get(bid)
            if material is None or (material.card_text is None and material.missing):
                origin = Origin(None, None, "base_model", bid)
                lic = LicenseFinding(None, None, "base-model", origin)
                out.append(LineageLink(bid, _rel(relation), child_id, material is not None, lic))
                continue
            lic = material_license(material, res, catalogue)
            out.append(LineageLink(bid, _rel(relation), child_id, True, lic))
            queue.append((bid, material))
    return out


def _parents_of(
    bundle: Bundle, child_id: str, child: ModelMaterial
) -> tuple[list[str], Any]:
    """A model's base ids and stated relation: the source's map, else the card."""
    if child_id in bundle.parents:
        return list(bundle.parents[child_id]), bundle.relations.get(child_id)
    card = parse_card(child.card_text or "", "README.md")
    view = card.meta if card.metadata else CardMetadata(child.api_card_data)
    ids = [bid for raw in view.texts("base_model") if (bid := repo_id_from(raw, "model"))]
    return ids, view.text("base_model_relation")


def _rel(value: Any) -> str | None:
    return value if value in HUB_RELATIONS else None


def base_models_in_prose(card: Card) -> list[tuple[str, int]]:
    """Models the body names as a base ("fine-tuned from X", "based on X"), with their lines."""
    out = []
    body = card.body
    for m in _TEMPLATE_BASE().finditer(body):
        name = m.group(1).strip(" *`[")
        if name and not name.lower().startswith(("more information", "n/a", "none")):
            out.append((name, card.body_line(m.start())))
    for m in _BASE_IN_PROSE().finditer(body):
        name = (m.group("link") or m.group("name") or "").strip(" *`")
        if m.group("link") and (
            not re.search(r"\d|/", name) or re.search(r"\b(card|paper|report|blog)\b", name, re.I)
        ):
            continue  # a link to a document, not a model
        if name:
            out.append((name, card.body_line(m.start())))
    return sorted(set(out), key=lambda t: (t[1], t[0]))
