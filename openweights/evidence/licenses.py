"""License evidence: metadata, LICENSE files, prose and the gate prompt, resolved and graded.

The LICENSE text outranks the metadata, the metadata outranks prose. Prose is read sentence by
sentence and sorted by what each sentence is about (weights, code, data, a base model).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from openweights.card import Card, CardMetadata, parse_card
from openweights.evidence.model import LicenseFileEvidence, LicenseFinding, Origin
from openweights.licensing.catalogue import Catalogue, LicenseEntry, LicenseFeature
from openweights.licensing.expressions import ExpressionError, is_expression, read_expression
from openweights.licensing.grader import (
    GradingContext,
    LicenseGrade,
    Thresholds,
    Verdict,
    grade_license,
    least_open,
)
from openweights.patterns import lazy
from openweights.records import record
from openweights.sources import ModelMaterial

# Words for license matching: letters and numbers split apart ("llama3.1" -> llama, 3.1), so
# "Llama 3.1", "llama-3.1" and "llama3.1" read the same.
_TOKEN = lazy(r"[a-z]+\+*|\d+(?:\.\d+)*\+*")
_PHRASES: dict[int, tuple[Catalogue, dict[tuple[str, ...], str], int]] = {}


def phrase_index(catalogue: Catalogue) -> tuple[dict[tuple[str, ...], str], int]:
    """Every license name and alias as a word tuple, with the id of the entry it names; built
    once per catalogue from its namings (no entry is made for it)."""
    cached = _PHRASES.get(id(catalogue))
    if cached is not None and cached[0] is catalogue:
        return cached[1], cached[2]
    index: dict[tuple[str, ...], str] = {}
    # Specific licenses before families and placeholders, so a shared phrase names the license.
    for entry in sorted(catalogue.namings(), key=lambda e: e.kind != "license"):
        if entry.kind == "placeholder":
            continue
        names = {entry.name, entry.id, *entry.aliases, *entry.markers, entry.spdx or ""}
        for name in names:
            words = tuple(_TOKEN().findall(name.lower()))
            if not words:
                continue
            if len(words) == 1 and not any(c.isdigit() for c in words[0]):
                # One bare word ("deepseek", "gemma", "mit") is a company or a product as often
                # as a license: it counts only as "<word> license".
                index.setdefault((*words, "license"), entry.id)
                index.setdefault((*words, "licence"), entry.id)
                continue
            index.setdefault(words, entry.id)
    longest = max((len(k) for k in index), default=1)
    _PHRASES[id(catalogue)] = (catalogue, index, longest)
    return index, longest


_SPANS: dict[int, tuple[object, dict[str, int]]] = {}


def _first_word_spans(index: dict[tuple[str, ...], str]) -> dict[str, int]:
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
        self._grades: dict[str, LicenseGrade] = {}
        self._graded: dict[str, LicenseEntry] = {}

    def grade(self, entry: LicenseEntry) -> LicenseGrade:
        """``entry`` graded for this model, once per entry: a long card names the same license
        many times, and expressions rank their parts."""
        grade = self._grades.get(entry.id)
        if grade is None or self._graded.get(entry.id) is not entry:
            grade = grade_license(entry, self.ctx, self.th)
            self._grades[entry.id] = grade
            self._graded[entry.id] = entry
        return grade

    def finding(
        self,
        raw: str | None,
        entry: LicenseEntry | None,
        source: str,
        origin: Origin,
        names: tuple[str, ...] = (),
    ) -> LicenseFinding:
        grade = self.grade(entry) if entry is not None else None
        return LicenseFinding(raw, entry, source, origin, grade, names=names)

    def stated(self, raw: str, source: str, origin: Origin) -> LicenseFinding:
        """A license field's value (``license:``, the openness block, a weight-file header) read
        as a catalogue id or an SPDX expression, with every catalogue id it names."""
        entry, names = self.reading(raw)
        return self.finding(raw, entry, source, origin, names)

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
        return self.grade(entry).verdict.rank

    def declared(self, meta: Mapping[str, Any], card: Card) -> list[LicenseFinding]:
        """One finding per ``license:`` value; ``other`` resolved through license_name."""
        out = []
        # The typed view: a value of the wrong type is left out (rule OW109 reports it).
        view = card.meta if meta is card.metadata else CardMetadata(meta, card.key_lines)
        values = view.located("license")
        name = view.text("license_name")
        by_link = self.by_link(view.text("license_link"))
        for value, item_line in values:
            line = item_line if len(values) > 1 else card.line_of("license")
            origin = Origin(card.path, line)
            if not value.strip():
                out.append(self.finding(value, None, "metadata", origin))
                continue
            entry, names = self.reading(value)
            if entry is not None and entry.kind == "placeholder" and isinstance(name, str):
                named = self.catalogue.resolve(name)
                if named is not None and named.kind != "placeholder":
                    origin = Origin(card.path, card.line_of("license_name"))
                    out.append(self.finding(f"other:{name}", named, "metadata", origin))
                    continue
            if entry is not None and entry.kind == "placeholder" and by_link is not None:
                # A custom license named only by where its text lives (license_link).
                origin = Origin(card.path, card.line_of("license_link"))
                raw = f"other:{name}" if isinstance(name, str) else "other"
                out.append(self.finding(raw, by_link, "metadata", origin))
                continue
            out.append(self.finding(value, entry, "metadata", origin, names))
        if not values and name is not None and name.strip():
            # license_name without license: (seen in the wild) still names the license.
            entry = self.catalogue.resolve(name)
            origin = Origin(card.path, card.line_of("license_name"))
            out.append(self.finding(name, entry, "metadata", origin))
        return out

    def by_link(self, link: Any) -> LicenseEntry | None:
        """The entry whose canonical URL ``license_link`` points at, if any."""
        if not isinstance(link, str) or "://" not in link:
            return None
        key = _url_key(link)
        for entry in self.catalogue:
            if entry.url and entry.kind == "license" and _url_key(entry.url) == key:
                return entry
        return None

    def mentions(self, text: str) -> list[tuple[int, int, LicenseEntry]]:
        """License names in ``text``, longest first at each word: (first word, end word, entry)."""
        index, _longest = phrase_index(self.catalogue)
        spans = _first_word_spans(index)
        tokens = _TOKEN().findall(text.lower())
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
                entry_id = index.get(tuple(tokens[i : i + n]))
                entry = None if entry_id is None else self.catalogue.by_id(entry_id)
                if entry is not None:
                    found.append((i, i + n, entry))
                    i += n
                    break
            else:
                i += 1
        return found

    def mention_offsets(self, text: str) -> list[tuple[int, LicenseEntry]]:
        """License names in ``text`` with the character offset where each starts."""
        starts = [m.start() for m in _TOKEN().finditer(text.lower())]
        return [(starts[i], entry) for i, _end, entry in self.mentions(text)]


def _url_key(url: str) -> str:
    """A URL without scheme, ``www.``, revision part and trailing slash, lowercased: two links to
    one license text compare equal (``github.com/o/r/blob/main/LICENSE`` and ``.../raw/v1/...``)."""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://(www\.)?", "", url.strip().lower())
    text = re.sub(r"/(?:blob|raw|resolve|tree)/[^/]+/", "/", text)
    return text.split("#", 1)[0].split("?", 1)[0].rstrip("/")


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


_SENTENCE_END = lazy(r"(?<=[.!?])\s+(?=[A-Z\[*])")
# ``\s*(?:-\s*)?``, not ``\s*-?\s*``: two quantifiers side by side split a run of spaces every
# way before giving up (quadratic in the spaces a line starts with).
_YAML_KEY = lazy(r"^\s*(?:-\s*)?licen[cs]e(_name)?\s*:", re.I)
_LICENSE_COLON = lazy(r"licen[cs]e[*_\s]*[:：][*_\s]*\[?([^\n\](|;,]{2,60})", re.I)
# Sentences about where something came from describe a base model's terms, not this model's.
_LINEAGE_CONTEXT = lazy(
    r"\b(originally|derived from|based on|base\s+(?:[\w'-]+\s+){0,3}models?|inherit\w*|upstream"
    r"|original model)\b",
    re.I,
)


_WEIGHTS_WORDS = lazy(r"\b(weights?|models?|checkpoints?|parameters|adapters?)\b", re.I)
_CODE_WORDS = lazy(r"\b(code|source code|software|scripts?|codebase)\b", re.I)
_DATA_WORDS = lazy(r"\b(data ?sets?|training data|corpus|corpora)\b", re.I)
_THIS_MODEL = lazy(
    r"\b(?:this|our|these|the\s+present)\s+(?:models?|checkpoints?|adapters?|lora|weights)"
    r"\s+(?:is|are|was|were|can|may|must|shall|should|remains?)\b",
    re.I,
)
# The words just before a license name say what it covers when a sentence lists several things
# ("trained on CC0 images, with a text encoder under MIT").
_NEAR_DATA = lazy(
    r"\b(images?|photos?|pictures?|data|datasets?|corpus|corpora|recordings?|audio|texts)\b", re.I
)
_NEAR_PART = lazy(
    r"\b(encoders?|tokeni[sz]ers?|vae|vocoders?|decoders?|backbones?|code|software)\b", re.I
)
_NEAR_WINDOW = 90
_NEAR_LIMIT = 20


def _nearest_noun(sentence: str, offset: int) -> str | None:
    """What the words closest to a license name (before it, or just after) say it covers."""
    best: tuple[int, str] | None = None
    before = sentence[max(0, offset - _NEAR_WINDOW) : offset]
    after = sentence[offset : offset + 30]
    near = (("data", _NEAR_DATA()), ("code", _NEAR_PART()), ("weights", _WEIGHTS_WORDS()))
    for place, rx in near:
        for hit in rx.finditer(before):
            distance = len(before) - hit.end()
            if best is None or distance < best[0]:
                best = (distance, place)
        following = rx.search(after)
        if following and place == "data" and (best is None or following.start() < best[0]):
            best = (following.start(), place)
    # Only a noun right next to the name governs it ("CC0 images", "scripts, MIT License");
    # farther words belong to the sentence, which is placed as a whole.
    return best[1] if best and best[1] != "weights" and best[0] <= _NEAR_LIMIT else None


_SOURCE_CONTEXT = lazy(
    r"\b(distill\w*|teacher|generated (?:by|with|using)|outputs? (?:of|from))\b", re.I
)


def _component_hint(sentence: str, section: str = "") -> str:
    """Which component a license sentence governs: weights, code, data, base or source.

    "This model is ..." is about the weights whatever else the sentence names; otherwise a
    sentence that names only the code (or only the data) is about that; a sentence about where
    the model came from states a base's (or a teacher's) terms; a Training Data or Code section
    places what is left; the rest is about the weights."""
    weights_words = _WEIGHTS_WORDS().search(sentence)
    if _THIS_MODEL().search(sentence):
        return "weights"
    if _CODE_WORDS().search(sentence) and not weights_words:
        return "code"
    if _DATA_WORDS().search(sentence) and not weights_words:
        return "data"
    if _LINEAGE_CONTEXT().search(sentence):
        return "base"
    if _SOURCE_CONTEXT().search(sentence):
        return "source"
    if section and not _WEIGHTS_WORDS().search(section) and not re.search("licen", section, re.I):
        if _CODE_WORDS().search(section):
            return "code"
        if _DATA_WORDS().search(section) or re.search(r"\bdata\b", section, re.I):
            return "data"
    return "weights"


def unquote(text: str) -> str:
    """URL-decode link targets (imported lazily: most cards have none)."""
    from urllib.parse import unquote as _unquote

    return _unquote(text)


# A sentence that licenses two things in two clauses ("our code is available under MIT, the
# weights are licensed CC BY-NC"; "...; the weights ...") is read clause by clause.
_CLAUSE_BREAK = lazy(
    r";\s+|,\s+(?:and\s+|while\s+|whereas\s+|but\s+)?(?=(?:the\s+)?[\w-]+(?:\s+[\w-]+){0,3}\s+"
    r"(?:is|are)\s+(?:released|licensed|available|distributed|subject|provided)\b)",
    re.I,
)
# "released under MIT": a short name after "under", resolved like a license: line.
_UNDER = lazy(
    r"\b(?:released|licensed|available|distributed|provided)\s+under\s+(?:the\s+)?\[?"
    r"([A-Za-z][\w.+-]*(?:[ -][\w.+]+){0,3}?)(?:\s+licen[cs]e)?\s*(?:[\].,;)]|$)",
    re.I,
)


def _sentences(text: str, first_line: int) -> Iterator[tuple[str, int, str]]:
    """``(clause, line, whole sentence)`` for every clause of every sentence of ``text``."""
    for line_no, line in enumerate(text.split("\n"), start=first_line):
        for sentence in _SENTENCE_END().split(line):
            for clause in _CLAUSE_BREAK().split(sentence):
                yield clause, line_no, sentence


# Restrictions a card states in its own words, without naming a license. They are graded like a
# license with that one feature (derived by the grader, never typed as a verdict).
_STATED_TERMS = {
    "non-commercial": LicenseEntry(
        id="stated:non-commercial", name="non-commercial use only (stated in the card)",
        kind="license", hub_id=None, spdx=None, aliases=(), license_names=(), url=None,
        osi_approved=False, fsf_free=False, revision_date=None, verification="verified",
        features=(LicenseFeature("use.non_commercial_only", "the card's text",
                                 "The card says the model may not be used commercially."),),
    ),
    "research-only": LicenseEntry(
        id="stated:research-only", name="research use only (stated in the card)",
        kind="license", hub_id=None, spdx=None, aliases=(), license_names=(), url=None,
        osi_approved=False, fsf_free=False, revision_date=None, verification="verified",
        features=(LicenseFeature("use.research_only", "the card's text",
                                 "The card says the model is for research use only."),),
    ),
}
_NON_COMMERCIAL = lazy(
    r"\bnon-?commercial\s+(?:use|purposes?|licen[cs]e|only)\b(?!\s+(?:and|or)\s+commercial)"
    r"|\bnot\s+(?:be\s+)?(?:used\s+)?for\s+commercial\b"
    r"|\b(?:cannot|can\s*not|may\s+not|must\s+not)\s+be\s+used\s+(?:for\s+)?commercial"
    r"|\bcommercial\s+use\s+is\s+(?:not\s+(?:permitted|allowed)|prohibited|forbidden)\b"
    r"|\bno\s+commercial\s+use\b",
    re.I,
)
_RESEARCH_ONLY = lazy(
    # ``research\s+(?:purposes?|use|uses)?\s*only`` written so that no two quantifiers can share
    # a run of spaces (split every way, it was quadratic in the spaces).
    r"\b(?:for\s+)?(?:academic\s+|non-?commercial\s+)?research(?:\s+(?:purposes?|uses?)\s*|\s+)"
    r"only\b"
    r"|\bresearch[- ]only\b|\bonly\s+for\s+(?:academic\s+|non-?commercial\s+)?research\b",
    re.I,
)
# Outside a License section, a research-only sentence must say it binds, not merely intend.
_BINDING = lazy(
    r"\b(restricted|cannot|can ?not|may not|must not|prohibited|licen[cs]e)", re.I
)
_MIXED_COMMERCIAL = lazy(r"\bcommercial\s+(?:and|or)\s+non-?commercial\b", re.I)


@record
class ProseStatement:
    """One license statement in the card's text, placed on the component it governs."""

    finding: LicenseFinding
    """The license (or stated restriction) and where it was read."""
    component: str
    """``weights``, ``code``, ``data``, ``base`` (a base model's original terms) or ``source``
    (a teacher's or data generator's terms)."""
    explicit: bool
    """True when the sentence names the weights (or the model) itself."""
    sentence: str
    """The sentence, shortened."""


def _section_titles(card: Card) -> list[tuple[int, int, str]]:
    return [(sec.line, sec.end_line, sec.title) for sec in card.sections]


def _section_of(titles: list[tuple[int, int, str]], starts: list[int], line: int) -> str:
    """The innermost section holding ``line`` (sections come in document order)."""
    i = bisect_right(starts, line) - 1
    while i >= 0:
        start, end, title = titles[i]
        if start <= line <= end:
            return title
        i -= 1
    return ""


def _stated_terms(sentence: str, in_section: bool) -> list[LicenseEntry]:
    """Restrictions the sentence states without naming a license."""
    out = []
    if _NON_COMMERCIAL().search(sentence) and not _MIXED_COMMERCIAL().search(sentence):
        out.append(_STATED_TERMS["non-commercial"])
    if _RESEARCH_ONLY().search(sentence) and (in_section or _BINDING().search(sentence)):
        out.append(_STATED_TERMS["research-only"])
    return out


def read_prose(card: Card, res: Resolver) -> list[ProseStatement]:
    """Every license statement of the body, each placed on the component it governs.

    Sentences are read in License sections, in lines that mention a license, and, for stated
    restrictions ("for research purposes only", "cannot be used commercially"), anywhere. Each
    sentence is placed by its own words first (the code, the data, a base model's original
    terms, a teacher's terms, or the weights) and by its section's title second. Link targets are
    decoded, so a link to ``Tongyi%20Qianwen%20LICENSE%20AGREEMENT`` names its license.
    """
    titles = _section_titles(card)
    title_starts = [start for start, _end, _title in titles]
    sections = card.find_sections(r"licen[cs]e|licensing|terms of use")
    chunks: list[tuple[str, int, bool]] = [(s.body, s.line_at(0), True) for s in sections]
    chunks += [(s.title, s.line, True) for s in sections]
    for number, line in enumerate(card.body_lines(), start=card.body_start_line):
        lower = line.lower()
        if ("licen" in lower or "commercial" in lower or "research" in lower
                or _UNDER().search(line)):
            chunks.append((line, number, False))
    out: list[ProseStatement] = []
    seen: set[tuple[str, str, int]] = set()
    fenced = card.fenced_lines
    for text, first_line, in_section in chunks:
        for sentence, line_no, whole in _sentences(text, first_line):
            if line_no in fenced and not in_section:
                # Example inputs, configs and outputs are not the card's statements; a License
                # section's fenced block is the license notice itself.
                continue
            has_license_word = "licen" in whole.lower() or bool(_UNDER().search(whole))
            decoded = unquote(sentence) if "%" in sentence else sentence
            found: list[LicenseEntry] = []
            near: dict[str, str] = {}
            if in_section or has_license_word:
                for offset, entry in res.mention_offsets(decoded):
                    found.append(entry)
                    place = _nearest_noun(decoded, offset)
                    if place:
                        near[entry.id] = place
                # A bare "license: x" line is a YAML key that never made it into metadata
                # (broken front matter), not a statement in the card's text.
                colon = () if _YAML_KEY().match(decoded) else _LICENSE_COLON().finditer(decoded)
                for m in [*colon, *_UNDER().finditer(decoded)]:
                    short = res.catalogue.resolve(m.group(1).strip(" *_`.").split(" (")[0])
                    if short is not None and short.kind != "placeholder" and short not in found:
                        found.append(short)
            if not any(e.kind == "license" for e in found):
                found += _stated_terms(decoded, in_section or has_license_word)
            if not found:
                continue
            section = _section_of(titles, title_starts, line_no)
            hint = _component_hint(decoded, section)
            explicit = hint == "weights" and bool(_WEIGHTS_WORDS().search(decoded))
            for entry in found:
                component = near.get(entry.id, hint) if hint == "weights" else hint
                key = (component, entry.id, line_no)
                if key in seen:
                    continue
                seen.add(key)
                finding = res.finding(entry.id, entry, "body", Origin(card.path, line_no))
                out.append(ProseStatement(
                    finding, component, explicit and component == "weights",
                    " ".join(decoded.split())[:200],
                ))
    return out


def prose_licenses(
    card: Card, res: Resolver, statements: Sequence[ProseStatement] | None = None
) -> tuple[list[LicenseFinding], list[LicenseFinding]]:
    """Licenses named in the body for the weights and for the code: ``(weights, code)``."""
    if statements is None:
        statements = read_prose(card, res)
    weights: list[LicenseFinding] = []
    code: list[LicenseFinding] = []
    seen: set[tuple[str, str]] = set()
    for st in statements:
        if st.component not in ("weights", "code") or st.finding.entry is None:
            continue
        key = (st.component, st.finding.entry.id)
        if key in seen:
            continue
        seen.add(key)
        (code if st.component == "code" else weights).append(st.finding)
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
    statements: Sequence[LicenseFinding] = (),
) -> LicenseFinding:
    """The repo's own weights license.

    The LICENSE text outranks the metadata, the metadata outranks prose (rubric §2.6); an
    unnamed ``other`` in a license list is read from the prose like a lone ``other``. Then every
    other statement about the weights (``statements``: the card's explicit sentences about the
    weights, the openness block, weight-file headers) is weighed too, and the least open reading
    wins: a disagreement is reported (OW214), never resolved towards the more open side. When
    nothing else names a license, the openness block's counts (it is the author's own statement
    of the terms); a sentence or a file header only ever lowers.
    """
    chosen = _first_reading(declared, files, prose, gate, res)
    if chosen.source == "none":
        chosen = next(
            (s for s in statements
             if s.source == "openness" and s.entry is not None and s.entry.kind != "placeholder"),
            chosen,
        )
    for statement in statements:
        if statement.entry is None or statement.entry.kind == "placeholder":
            continue
        rank, current = statement.verdict.rank, chosen.verdict.rank
        # At the same rank a named license beats a restriction stated in words: it has clauses.
        named_over_words = (
            rank == current
            and chosen.entry is not None
            and chosen.entry.id.startswith("stated:")
            and not statement.entry.id.startswith("stated:")
        )
        if rank > current or named_over_words:
            chosen = statement
    return chosen


def _first_reading(
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
        # An unnamed `other` beside named ids: the prose says what it is, when it says so.
        members = [
            prose[0] if d.entry is not None and d.entry.kind == "placeholder" and prose else d
            for d in declared
        ]
        worst = least_open([d.verdict for d in members])
        return next(d for d in members if d.verdict is worst)
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
    if not card.metadata and material.api_card_data:
        card = Card(card.path, card.text, dict(material.api_card_data), "ok", None, None)
    declared = res.declared(card.metadata, card)  # read through card.meta, the typed view
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


def license_link_finding(
    card: Card, answers: Mapping[str, Any], res: Resolver
) -> tuple[LicenseFinding, LicenseFinding] | None:
    """The license a card states by linking its repository's LICENSE file (a badge), read from
    that repository's forge: (the statement, cited to the card line; the forge's answer).

    Only a link whose words are not about code alone, and only when the forge answered with a
    license the catalogue knows. It is a statement in the text, so it ranks with prose.
    """
    from openweights.codelinks import license_links
    from openweights.evidence.code_data import forge_license
    from openweights.sources import ForgeStatus

    for link in license_links(card):
        answer = answers.get(link.repo.key)
        if answer is None or answer.status is not ForgeStatus.OK:
            continue
        if _component_hint(link.context) not in ("weights",):
            continue
        forge = forge_license(answer, res)
        if forge.entry is None:
            continue
        said = f"{forge.entry.id} (the LICENSE of {link.repo}, as its forge answered)"
        statement = res.finding(said, forge.entry, "body", Origin(card.path, link.line))
        return statement, forge
    return None
