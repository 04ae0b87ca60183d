"""License evidence: metadata, LICENSE files, prose and the gate prompt, resolved and graded.

The LICENSE text outranks the metadata, the metadata outranks prose. Prose is read sentence by
sentence and sorted by what each sentence is about (weights, code, data, a base model).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from openweights.card import Card, CardMetadata, parse_card
from openweights.evidence.model import LicenseFileEvidence, LicenseFinding, Origin
from openweights.licensing.catalogue import Catalogue, LicenseEntry
from openweights.licensing.expressions import ExpressionError, is_expression, read_expression
from openweights.licensing.grader import (
    GradingContext,
    Thresholds,
    Verdict,
    grade_license,
    least_open,
)
from openweights.sources import ModelMaterial

# Words for license matching: letters and numbers split apart ("llama3.1" -> llama, 3.1), so
# "Llama 3.1", "llama-3.1" and "llama3.1" read the same.
_TOKEN = re.compile(r"[a-z]+\+*|\d+(?:\.\d+)*\+*")
_PHRASES: dict[int, tuple[Catalogue, dict[tuple[str, ...], LicenseEntry], int]] = {}


def phrase_index(catalogue: Catalogue) -> tuple[dict[tuple[str, ...], LicenseEntry], int]:
    """Every license name and alias as a word tuple, built once per catalogue."""
    cached = _PHRASES.get(id(catalogue))
    if cached is not None and cached[0] is catalogue:
        return cached[1], cached[2]
    index: dict[tuple[str, ...], LicenseEntry] = {}
    # Specific licenses before families and placeholders, so a shared phrase names the license.
    for entry in sorted(catalogue, key=lambda e: e.kind != "license"):
        if entry.kind == "placeholder":
            continue
        names = {entry.name, entry.id, *entry.aliases, *entry.markers, entry.spdx or ""}
        for name in names:
            words = tuple(_TOKEN.findall(name.lower()))
            if not words:
                continue
            if len(words) == 1 and not any(c.isdigit() for c in words[0]):
                # One bare word ("deepseek", "gemma", "mit") is a company or a product as often
                # as a license: it counts only as "<word> license".
                index.setdefault((*words, "license"), entry)
                index.setdefault((*words, "licence"), entry)
                continue
            index.setdefault(words, entry)
    longest = max((len(k) for k in index), default=1)
    _PHRASES[id(catalogue)] = (catalogue, index, longest)
    return index, longest


_SPANS: dict[int, tuple[object, dict[str, int]]] = {}


def _first_word_spans(index: dict[tuple[str, ...], LicenseEntry]) -> dict[str, int]:
    """For each word that begins a phrase of ``index``, the length of its longest phrase."""
    cached = _SPANS.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    spans: dict[str, int] = {}
    for words in index:
        spans[words[0]] = max(spans.get(words[0], 0), len(words))
    _SPANS[id(index)] = (index, spans)
    return spans


class Resolver:
    """Resolves license mentions against the catalogue and grades them for one model."""

    def __init__(self, catalogue: Catalogue, modality: str | None, th: Thresholds) -> None:
        self.catalogue = catalogue
        self.ctx = GradingContext(modality=modality)
        self.th = th

    def finding(
        self, raw: str | None, entry: LicenseEntry | None, source: str, origin: Origin
    ) -> LicenseFinding:
        grade = grade_license(entry, self.ctx, self.th) if entry else None
        return LicenseFinding(raw, entry, source, origin, grade)

    def entry(self, raw: Any) -> LicenseEntry | None:
        """The entry a license value names: a catalogue id (Hub id, SPDX id, alias), or an SPDX
        expression reduced as ``openweights/licensing/expressions.py`` says (``MIT OR
        Apache-2.0`` is its most open alternative, ``A AND B`` the least open part)."""
        return self.reading(raw)[0]

    def reading(self, raw: Any) -> tuple[LicenseEntry | None, tuple[str, ...]]:
        """``entry(raw)`` and the catalogue ids ``raw`` names (one, or every id of an
        expression the catalogue knows)."""
        if not isinstance(raw, str) or not raw.strip():
            return None, ()
        entry = self.catalogue.resolve(raw)
        if entry is not None or not is_expression(raw):
            return entry, (entry.id,) if entry else ()
        try:
            found = read_expression(raw, self.catalogue, self.rank)
        except ExpressionError:
            return None, ()
        return found.entry, found.known

    def rank(self, entry: LicenseEntry) -> int:
        """How little ``entry`` allows for this model (higher is less open)."""
        return grade_license(entry, self.ctx, self.th).verdict.rank

    def declared(self, meta: Mapping[str, Any], card: Card) -> list[LicenseFinding]:
        """One finding per ``license:`` value; ``other`` resolved through license_name."""
        out = []
        # The typed view: a value of the wrong type is left out (rule OW109 reports it).
        view = card.meta if meta is card.metadata else CardMetadata(meta, card.key_lines)
        values = view.located("license")
        name = view.text("license_name")
        for value, item_line in values:
            line = item_line if len(values) > 1 else card.line_of("license")
            origin = Origin(card.path, line)
            if not value.strip():
                out.append(self.finding(value, None, "metadata", origin))
                continue
            entry = self.entry(value)
            if entry is not None and entry.kind == "placeholder" and isinstance(name, str):
                named = self.catalogue.resolve(name)
                if named is not None and named.kind != "placeholder":
                    origin = Origin(card.path, card.line_of("license_name"))
                    out.append(self.finding(f"other:{name}", named, "metadata", origin))
                    continue
            out.append(self.finding(value, entry, "metadata", origin))
        if not values and name is not None and name.strip():
            # license_name without license: (seen in the wild) still names the license.
            entry = self.catalogue.resolve(name)
            origin = Origin(card.path, card.line_of("license_name"))
            out.append(self.finding(name, entry, "metadata", origin))
        return out

    def mentions(self, text: str) -> list[tuple[int, int, LicenseEntry]]:
        """License names in ``text``, longest first at each word: (first word, end word, entry)."""
        index, _longest = phrase_index(self.catalogue)
        spans = _first_word_spans(index)
        tokens = _TOKEN.findall(text.lower())
        found: list[tuple[int, int, LicenseEntry]] = []
        i = 0
        count = len(tokens)
        while i < count:
            # Only words that begin a phrase, and only as far as its longest phrase reaches:
            # most words begin none (one dict lookup instead of one per possible length).
            span = spans.get(tokens[i])
            if span is None:
                i += 1
                continue
            for n in range(min(span, count - i), 0, -1):
                entry = index.get(tuple(tokens[i : i + n]))
                if entry is not None:
                    found.append((i, i + n, entry))
                    i += n
                    break
            else:
                i += 1
        return found



def identify_files(files: Mapping[str, str], catalogue: Catalogue) -> list[LicenseFileEvidence]:
    """Each LICENSE-like file identified word for word (``openweights.licensing.identify``)."""
    if not files:
        return []
    from openweights.licensing.identify import identify  # lazy: only when a LICENSE exists

    out = []
    for path, text in sorted(files.items()):
        result = identify(text, catalogue)
        found = [f for f in result.found if not f.optional]
        entries = tuple(
            e for e in dict.fromkeys(catalogue.resolve(f.license_id) for f in found) if e
        )
        closest = result.closest
        if result.status == "match":
            entry = entries[0] if len(entries) == 1 else None
            similarity = 1.0
        elif closest is not None:
            entry, similarity = catalogue.resolve(closest.license_id), closest.similarity
        else:
            entry, similarity = catalogue.resolve(result.named), 0.0
        parts = [f.part for f in found]
        part = "license" if "license" in parts else (parts[0] if parts else "license")
        changes = tuple(sorted(
            [(e.line, e.wdiff()) for e in result.edits]
            + [(x.lines[0], "{+" + _clip(" ".join(x.words)) + "+} (outside every license)")
               for x in result.license_language]
        )) if result.status == "modified" else ()
        first = changes[0][0] if changes else 1
        out.append(
            LicenseFileEvidence(
                path=path,
                status=result.status,
                entry=entry,
                part=part,
                similarity=similarity,
                description=result.describe(),
                entries=entries,
                diff=result.diff_text(path) if result.status == "modified" else "",
                changes=changes,
                first_change=first,
                identification=result.as_dict(),
            )
        )
    return out


def _clip(text: str, size: int = 160) -> str:
    return text if len(text) <= size else text[: size - 3] + "..."


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[*])")
_YAML_KEY = re.compile(r"^\s*-?\s*licen[cs]e(_name)?\s*:", re.I)
_LICENSE_COLON = re.compile(r"licen[cs]e[*_\s]*[:：][*_\s]*\[?([^\n\](|;,]{2,60})", re.I)
# Sentences about where something came from describe a base model's terms, not this model's.
_LINEAGE_CONTEXT = re.compile(
    r"\b(originally|derived from|based on|base models?|inherit\w*|upstream|original model)\b",
    re.I,
)


def _component_hint(sentence: str) -> str:
    """Which component a license sentence is about: weights, code, data or base."""
    s = sentence.lower()
    weights_words = re.search(r"\b(weights?|models?|checkpoints?|parameters)\b", s)
    if re.search(r"\b(code|source code|software|scripts?)\b", s) and not weights_words:
        return "code"
    if re.search(r"\b(data ?sets?|training data|corpus|corpora)\b", s) and not weights_words:
        return "data"
    if _LINEAGE_CONTEXT.search(sentence):
        return "base"
    return "weights"


def unquote(text: str) -> str:
    """URL-decode link targets (imported lazily: most cards have none)."""
    from urllib.parse import unquote as _unquote

    return _unquote(text)


def _sentences(text: str, first_line: int) -> Iterator[tuple[str, int]]:
    for line_no, line in enumerate(text.split("\n"), start=first_line):
        for sentence in _SENTENCE_END.split(line):
            yield sentence, line_no


def prose_licenses(
    card: Card, res: Resolver
) -> tuple[list[LicenseFinding], list[LicenseFinding]]:
    """Licenses named in the body: (weights, code), from License sections and license sentences.

    Each sentence is read on its own and sorted by what it is about: code, data, a base model
    (``originally licensed under``) or the weights. Link targets are decoded, so a link to
    ``Tongyi%20Qianwen%20LICENSE%20AGREEMENT`` names its license.
    """
    weights: list[LicenseFinding] = []
    code: list[LicenseFinding] = []
    sections = card.find_sections(r"licen[cs]e|licensing|terms of use")
    chunks: list[tuple[str, int, bool]] = [(s.body, s.line + 1, True) for s in sections]
    chunks += [(s.title, s.line, True) for s in sections]
    for number, line in enumerate(card.body_lines(), start=card.body_start_line):
        if "licen" in line.lower():
            chunks.append((line, number, False))
    seen: set[tuple[str, str]] = set()
    for text, first_line, in_section in chunks:
        for sentence, line_no in _sentences(text, first_line):
            if not in_section and "licen" not in sentence.lower():
                continue
            decoded = unquote(sentence) if "%" in sentence else sentence
            found = [entry for _s, _e, entry in res.mentions(decoded)]
            # A bare "license: x" line is a YAML key that never made it into metadata (broken
            # front matter), not a statement in the card's text.
            colon = () if _YAML_KEY.match(decoded) else _LICENSE_COLON.finditer(decoded)
            for m in colon:
                short = res.catalogue.resolve(m.group(1).strip(" *_`.").split(" (")[0])
                if short is not None and short.kind != "placeholder":
                    found.append(short)
            hint = _component_hint(decoded)
            for entry in found:
                key = (hint, entry.id)
                if key in seen or hint in ("data", "base"):
                    continue
                seen.add(key)
                finding = res.finding(entry.id, entry, "body", Origin(card.path, line_no))
                (code if hint == "code" else weights).append(finding)
    return _most_specific(weights), code


def _most_specific(found: list[LicenseFinding]) -> list[LicenseFinding]:
    """Prose candidates, least open first; family ids only when no member is named."""
    specific = [f for f in found if f.entry is not None and f.entry.kind == "license"]
    chosen = specific or found
    return sorted(chosen, key=lambda f: -f.verdict.rank)


def gate_prompt_license(card: Card, res: Resolver, catalogue: Catalogue) -> LicenseFinding | None:
    prompt = card.meta.text("extra_gated_prompt")
    if prompt is None or len(prompt) < 40:
        return None
    origin = Origin(card.path, card.line_of("extra_gated_prompt"))
    if len(prompt) > 2000:
        from openweights.licensing.identify import identify

        result = identify(prompt, catalogue)
        # A prompt that holds a license names it, even changed; it never decides the grade on
        # its own (a LICENSE file or the metadata does).
        named = result.license_id or (result.closest.license_id if result.closest else None)
        if named:
            entry = catalogue.resolve(named)
            return res.finding(entry.id if entry else None, entry, "gated-prompt", origin)
    mentions = res.mentions(prompt)
    if mentions:
        entry = mentions[0][2]
        return res.finding(entry.id, entry, "gated-prompt", origin)
    return None


def choose_own_license(
    declared: list[LicenseFinding],
    files: list[LicenseFileEvidence],
    prose: list[LicenseFinding],
    gate: LicenseFinding | None,
    res: Resolver,
) -> LicenseFinding:
    """The weights license of one repo: its LICENSE text first (the text is what binds), then
    the metadata, prose and the gate prompt."""
    # A modified license text is not the license it resembles, and terms added after a known
    # license can take away what it grants: unknown, whatever the metadata says.
    for f in files:
        if f.status == "modified":
            closest = (f.identification or {}).get("closest")
            return LicenseFinding(f.path, None, "license-file", Origin(f.path, f.first_change),
                                  None, closest)
    # Matched texts decide; several licenses in them: the least open.
    matched = [(f, e) for f in files if f.decides_license for e in f.entries]
    if matched:
        findings = [res.finding(f.path, e, "license-file", Origin(f.path, 1)) for f, e in matched]
        return least_open_license(findings)
    chosen = _declared_or_prose(declared, prose, gate, res)
    # A title alone never names the license, but it can say it is less open than claimed.
    named = [res.finding(f.path, f.entry, "license-file", Origin(f.path, 1))
             for f in files if f.status == "named" and f.entry is not None]
    if named:
        worst = least_open_license(named)
        if chosen.source == "none" and worst.verdict is Verdict.OPEN:
            return res.finding(worst.raw, None, "license-file", worst.origin)
        if chosen.source == "none" or worst.verdict.rank > chosen.verdict.rank:
            return worst
    if chosen.source == "none" and files:
        return res.finding(files[0].path, None, "license-file", Origin(files[0].path, 1))
    return chosen


def _declared_or_prose(
    declared: list[LicenseFinding],
    prose: list[LicenseFinding],
    gate: LicenseFinding | None,
    res: Resolver,
) -> LicenseFinding:
    resolved = [d for d in declared if d.entry is not None and d.entry.kind != "placeholder"]
    if resolved:
        if len(resolved) == 1 and len(declared) == 1:
            return resolved[0]
        worst = least_open([d.verdict for d in declared])
        return next(d for d in declared if d.verdict is worst)
    if declared and any(d.entry is None for d in declared):
        # An unrecognised id: never guess from elsewhere over what the author wrote.
        return next(d for d in declared if d.entry is None)
    for candidate in [*prose, *([gate] if gate else [])]:
        return candidate
    if declared:
        return declared[0]
    return LicenseFinding(None, None, "none", Origin())


def material_license(
    material: ModelMaterial, res: Resolver, catalogue: Catalogue
) -> LicenseFinding:
    """An ancestor's own weights license, the same way as the subject's (file wins)."""
    card = parse_card(material.card_text or "", "README.md")
    meta = card.metadata or dict(material.api_card_data or {})
    if not card.metadata and material.api_card_data:
        card = Card(card.path, card.text, dict(material.api_card_data), "ok", None, None)
    declared = res.declared(meta, card)
    files = identify_files(material.license_files, catalogue)
    finding = choose_own_license(declared, files, [], None, res)
    return LicenseFinding(
        finding.raw,
        finding.entry,
        finding.source,
        Origin(finding.origin.path, finding.origin.line, finding.origin.field, material.id),
        finding.grade,
        finding.closest,
    )


def least_open_license(findings: Sequence[LicenseFinding]) -> LicenseFinding:
    worst = least_open([f.verdict for f in findings])
    return next(f for f in findings if f.verdict is worst)
