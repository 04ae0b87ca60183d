"""Base models from every signal: metadata, files, weight-file headers, Hub tags, title, prose.

In order of trust: ``base_model:`` (stated), ``adapter_config.json`` and ``config.json``, the
headers of GGUF and safetensors files and the Hub's model-tree tags (high: written by a tool or by
the Hub), the card's title and sentences that name a base ("fine-tuned from", "merge of",
"distilled from": medium), and bare tags or architecture names (low: reported, never applied).

Each base is looked up in the base-model catalogue (``openweights.catalogues.base_models``), so
that its license is known without fetching it: offline, in the pre-commit hook, and when the Hub
cannot answer (gated, renamed, deleted). A base applies to the weights (it can lower the verdict,
never raise it) when the reading is at least medium, its license is known, its licensor did not
relicense the model itself, and, for a distillation source, its license reaches models trained on
its outputs.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from typing import Any

from openweights.card import Card, CardMetadata
from openweights.catalogues.base_models import (
    VARIANT_WORDS,
    BaseMatch,
    BaseModelCatalogue,
    _tokens,
)
from openweights.evidence.model import (
    HUB_RELATIONS,
    Confidence,
    InferredBase,
    LicenseFinding,
    LineageLink,
    Origin,
    Signal,
)
from openweights.licensing.catalogue import Catalogue
from openweights.licensing.grader import GradingContext, Thresholds, grade_license
from openweights.patterns import lazy
from openweights.records import record, replace
from openweights.repoids import repo_id_from
from openweights.sources import Bundle, ModelMaterial
from openweights.weightfiles import WeightFileMetadata

_QUOTE = 120
# A sentence that says where the weights came from, and the relation it implies. The base is
# looked for in the words that follow, up to the end of the sentence. With each pattern, words
# one of which every match contains (lower case): a card without any of them skips the pattern
# (``_may_match``), as most cards name no distillation, adapter or merge. None: always run it.
_ANCHORS: tuple[
    tuple[Callable[[], re.Pattern[str]], str | None, tuple[str, ...] | None], ...
] = tuple(
    (lazy(p, re.I), rel, words)
    for p, rel, words in (
        (
            r"\b(?:distill(?:ed|ing|ation)|teachers?)\b(?:\s+\w+){0,3}?\s+(?:from|of|sources?)\b"
            r"|\bdistillation\s+sources?\s*:|\bteacher\s+models?\s*:",
            "distillation",
            ("distill", "teacher"),
        ),
        (
            r"\b(?:quanti[sz](?:ed|ation|ations)|quants?|gguf|ggml|gptq|awq|exl2|bnb|mlx|onnx)"
            r"(?:\s+(?:version|versions|format|model|files?|weights?))?\s+(?:of|from|for)\b",
            "quantized",
            ("quant", "gguf", "ggml", "gptq", "awq", "exl2", "bnb", "mlx", "onnx"),
        ),
        (
            r"\b(?:q?lora|adapters?|peft)(?:\s+(?:weights|adapter|model))?\s+(?:of|for|on|over)\b",
            "adapter",
            ("lora", "adapter", "peft"),
        ),
        (
            r"\bmerged?\s+(?:of|with|from|between)\b|\bmerge\s+of\b|\bmerging\b",
            "merge",
            ("merg",),
        ),
        (
            r"\b(?:fine[- ]?tun(?:ed|ing|e)|finetun(?:ed|ing|e)|trained|tuned|pre-?trained|"
            r"initiali[sz]ed|continued(?:\s+pre-?training)?|adapted|derived|converted|replica|version)"
            # A bracketed word (a link's text) is bounded: unbounded, an unclosed "[" after every
            # "trained" rescanned the rest of the card (quadratic).
            r"(?:\s+(?:\w+|\[[^\]\n]{0,200}\])){0,3}?\s+(?:from|of|on|upon|over|atop)\b",
            "finetune",
            (
                "fine",
                "trained",
                "tuned",
                "initiali",
                "continued",
                "adapted",
                "derived",
                "converted",
                "replica",
                "version",
            ),
        ),
        (
            r"\b(?:based|built)\s+(?:up)?on\b|\bon\s+top\s+of\b|基于",
            None,
            ("based", "built", "top", "基于"),
        ),
        (
            # Bullets, stars and spaces as ``\s*[-*]*\s*\**\s*`` allows them, written so that no
            # two quantifiers can share a run of spaces (that form was cubic in the spaces when the
            # words did not follow).
            r"^\s*(?:[-*]+(?:\s+\*+)?\s*)?(?:finetuned\s+from(?:\s+model)?|fine-tuned\s+from|"
            r"base\s+model|original\s+model|parent\s+model|model\s+creator)"
            r"\s*(?:\[optional\]\s*)?(?:\*+\s*)?[:：]",
            None,
            None,  # anchored at the start of the body: cheap as it is
        ),
    )
)
# The non-ASCII characters that ``re.I`` takes for ASCII letters (Kelvin sign, long s, dotted
# and dotless i). A text with one of them may match a pattern without containing its words in
# lower case, so it runs every pattern.
_ASCII_LOOKALIKES = "\u0130\u0131\u017f\u212a"


def _lowered(text: str) -> str | None:
    """``text`` in lower case, to look for an anchor's words in; None when it has one of
    ``_ASCII_LOOKALIKES`` (every pattern runs)."""
    return None if any(c in text for c in _ASCII_LOOKALIKES) else text.lower()


def _may_match(lowered: str | None, words: tuple[str, ...] | None) -> bool:
    """False when a pattern whose every match contains one of ``words`` cannot match the text
    ``lowered`` is the lower case of (``_lowered``)."""
    return lowered is None or words is None or any(w in lowered for w in words)
_SENTENCE_END = lazy(r"(?<=[A-Za-z)\]*`])[.!?](?=\s)|\n\s*\n|[。；;]")
_NEGATION = lazy(
    r"\b(?:not|isn'?t|unlike|than|versus|vs\.?|compared\s+(?:to|with)|nor|outperform\w*|beats?"
    r"|surpass\w*|exceeds?|rivals?)\b[^.;:\n]{0,25}$",
    re.I,
)
_DATA_WORDS = lazy(
    r"\b(?:generated|outputs?|responses|synthetic|samples|data\s+from)\b", re.I
)
_WINDOW = 160
_FIRST_REACH = 90
# Sentences about the design, not the weights: "the architecture is based on Llama 2",
# "based on the Llama 2 architecture", "trained from scratch".
_DESIGN_ONLY = lazy(
    r"\b(?:architecture|tokeni[sz]er|design|structure|recipe|vocabulary|code(?:base)?)\b[^.;]*$",
    re.I,
)
_DESIGN_AFTER = lazy(
    r"(?:[\s-]+[\w.]+){0,1}[\s-]+(?:architecture|tokeni[sz]er|design|structure|recipe)\b", re.I
)
_SCRATCH = lazy(r"\bfrom\s+scratch\b", re.I)
# What may stand between two models listed as the object of one phrase.
# Link targets ("](https://...)") are taken out first (``_connected``): as an alternative here,
# ``\]\([^)]*\)`` overlapped the single brackets, and a failing check was exponential in "]()".
_LINK_TARGET = lazy(r"\]\([^)]*\)")
_CONNECTOR = lazy(
    r"(?:[\s,;&+/*`'\"()\[\]]|\b(?:and|or|with|the|both|plus|as well as|models?"
    r"|checkpoints?|weights|instruct|chat|base|version|variants?)\b)*",
    re.I,
)
# Spaces within the line only (``[^\S\n]``): ``^\s*-?\s*`` ran across blank lines and split
# them between two quantifiers, cubic in a run of blank lines.
_MERGEKIT_LINE = lazy(
    r"^[^\S\n]*(?:-[^\S\n]*)?(?:model|base_model)[^\S\n]*:\s*([\w.-]+/[\w.-]+)[^\S\n]*$",
    re.M,
)
# Words that may surround a family's name in a title without making it a different model.
_TITLE_WORDS = VARIANT_WORDS | {
    "card",
    "for",
    "of",
    "official",
    "readme",
    "introducing",
    "introduction",
    "meet",
    "welcome",
    "to",
    "by",
    "release",
    "series",
    "family",
    "repository",
    "repo",
    "and",
}
_DISTILLING_FLAGS = ("modify.distillation_is_derivative",)


@record
class _Found:
    """One reading before it is looked up."""

    name: str
    signal: Signal
    confidence: Confidence
    relation: str | None
    quote: str
    origin: Origin
    match: BaseMatch | None


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE else text[: _QUOTE - 1] + "…"


def _repo_id(value: Any) -> str | None:
    """A Hub repo id from a metadata value, a URL, or the last two parts of a local path."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    rid = repo_id_from(text, "model")
    if rid:
        return rid
    parts = [p for p in re.split(r"[\\/]", text) if p and p not in (".", "..")]
    if (
        len(parts) >= 2
        and re.fullmatch(r"[\w.-]+", parts[-2])
        and re.fullmatch(r"[\w.-]+", parts[-1])
    ):
        return f"{parts[-2]}/{parts[-1]}"
    return None


# --------------------------------------------------------------------------- the signals


def _declared(
    card: Card | None, material: ModelMaterial, cat: BaseModelCatalogue
) -> Iterator[_Found]:
    # The typed view: a value of the wrong type is left out (rule OW109 reports it).
    meta = card.meta if card else CardMetadata(material.api_card_data)
    values = meta.located("base_model")
    relation = meta.text("base_model_relation")
    relation = relation if relation in HUB_RELATIONS else None  # the report's closed set
    for raw, item_line in values:
        rid = repo_id_from(raw, "model")
        if rid is None:
            continue
        line = None
        if card is not None:
            line = item_line if len(values) > 1 else card.line_of("base_model")
        yield _Found(
            rid,
            Signal.BASE_MODEL,
            Confidence.STATED,
            relation,
            f"base_model: {raw}",
            Origin(card.path if card else None, line),
            cat.match_repo(rid),
        )


def _from_configs(material: ModelMaterial, cat: BaseModelCatalogue) -> Iterator[_Found]:
    for path, key, relation in (
        ("adapter_config.json", "base_model_name_or_path", "adapter"),
        ("config.json", "_name_or_path", None),
    ):
        text = material.config_files.get(path)
        if not text:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        if not isinstance(data, dict):
            continue
        raw = data.get(key)
        rid = _repo_id(raw)
        signal = Signal.ADAPTER_CONFIG if path == "adapter_config.json" else Signal.CONFIG
        if rid and rid.lower() != material.id.lower():
            match = cat.match_repo(rid)
            if match is None and isinstance(raw, str) and repo_id_from(raw, "model") is None:
                continue  # a local training path the catalogue does not know: not a base
            yield _Found(
                rid,
                signal,
                Confidence.HIGH,
                relation,
                f"{path}: {key} = {raw}",
                Origin(path, _line_of(text, key)),
                match,
            )
        if path == "config.json":
            arch = data.get("architectures")
            names = [a for a in arch if isinstance(a, str)] if isinstance(arch, list) else []
            model_type = data.get("model_type")
            if isinstance(model_type, str):
                names.append(model_type)
            for name in names[:2]:
                found = cat.mentions(_architecture_stem(name))
                if found:
                    yield _Found(
                        name,
                        Signal.CONFIG,
                        Confidence.LOW,
                        None,
                        f"config.json: architecture {name}",
                        Origin(path, _line_of(text, "architectures")),
                        found[0],
                    )


_WORD_RUN = lazy(r"\w*")


def _architecture_stem(name: str) -> str:
    """An architecture without its head (``LlamaForCausalLM`` -> ``Llama``, ``GPT2Model`` ->
    ``GPT2``): what ``re.sub(r"(For\\w+|Model)$", "", name)`` gives, in linear time (that regex
    tries every "For" of a long word to its end)."""
    run = _WORD_RUN().match(name[::-1])
    tail = len(name) - (run.end() if run else 0)  # where the last run of \w starts
    at = name.find("For", tail)
    if at != -1 and at + 3 < len(name):
        return name[:at]
    return name[:-5] if name.endswith("Model") else name


def _line_of(text: str, key: str) -> int | None:
    at = text.find(f'"{key}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _from_headers(headers: list[WeightFileMetadata], cat: BaseModelCatalogue) -> Iterator[_Found]:
    for meta in headers:
        origin = Origin(meta.path, None, meta.format)
        seen_ids: set[str] = set()
        for key, value in meta.base_models:
            rid = (
                _repo_id(value)
                if key.endswith(("repo_url", "repository", "url")) or "/" in value
                else None
            )
            if key.endswith(".organization"):
                continue
            if rid and rid not in seen_ids:
                seen_ids.add(rid)
                yield _Found(
                    rid,
                    Signal.WEIGHT_HEADER,
                    Confidence.HIGH,
                    None,
                    f"{key} = {value}",
                    origin,
                    cat.match_repo(rid),
                )
                continue
            found = cat.mentions(value)
            if found:
                yield _Found(
                    value,
                    Signal.WEIGHT_HEADER,
                    Confidence.HIGH,
                    None,
                    f"{key} = {value}",
                    origin,
                    found[0],
                )
        name = meta.name
        if name:
            found = cat.mentions(name)
            if found:
                yield _Found(
                    name,
                    Signal.WEIGHT_HEADER,
                    Confidence.HIGH,
                    "same-model",
                    f"name = {name}",
                    origin,
                    found[0],
                )


_TREE_TAG = lazy(r"^base_model:(?:(adapter|quantized|finetune|merge):)?(.+)$")


def _from_tags(
    card: Card | None, material: ModelMaterial, cat: BaseModelCatalogue
) -> Iterator[_Found]:
    card_tags = card.meta.texts("tags") if card else []
    hub_tags = list(material.tags)
    for tag, source in [*((t, "card") for t in card_tags), *((t, "hub") for t in hub_tags)]:
        m = _TREE_TAG().match(tag.strip())
        origin = (
            Origin(card.path, card.line_of("tags"))
            if source == "card" and card
            else Origin(None, None, "tags")
        )
        if m:
            rid = repo_id_from(m.group(2), "model")
            if rid:
                yield _Found(
                    rid,
                    Signal.MODEL_TREE,
                    Confidence.HIGH,
                    m.group(1),
                    f"tag {tag}",
                    origin,
                    cat.match_repo(rid),
                )
            continue
        if source == "card":
            found = cat.mentions(tag)
            if found and found[0].start == 0:
                yield _Found(tag, Signal.TAGS, Confidence.LOW, None, f"tag {tag}", origin, found[0])


def title_of(card: Card) -> tuple[str, int] | None:
    """The card's title: its first level-1 heading, else its first heading; with its line."""
    if not card.sections:
        return None
    first = next((s for s in card.sections if s.level == 1), card.sections[0])
    title = first.title.strip().strip("#*_` ").strip()
    return (title, first.line) if title else None


def _connected(between: str) -> bool:
    """True when only connecting words, punctuation and link targets stand between two names."""
    return _CONNECTOR().fullmatch(_LINK_TARGET().sub(" ", between)) is not None


def _naming_words(title: str) -> tuple[int, int] | None:
    """Where the title's first and last words that are not filler start (None: all filler)."""
    starts = [s for t, _w, s, _e in _tokens(title) if t not in _TITLE_WORDS and not t[0].isdigit()]
    return (starts[0], starts[-1]) if starts else None


def _identity(naming: tuple[int, int] | None, match: BaseMatch) -> bool:
    """True when the title is nothing but the model's own name (the vendor's card, a mirror):
    every word of it outside ``match`` is filler (``naming`` from ``_naming_words``; the title is
    read once, not once per name it holds)."""
    return naming is None or (naming[0] >= match.start and naming[1] < match.end)


_URL = lazy(r"https?://[^\s)\]>\"']+")
_REPO_IN_TEXT = lazy(r"(?<![\w.-])([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*[A-Za-z0-9])")


def _inside(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    """``pos`` falls in one of ``spans`` (disjoint, sorted, ``starts`` their starts)."""
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < spans[i][1]


def text_mentions(text: str, cat: BaseModelCatalogue) -> list[BaseMatch]:
    """Catalogue models a text names: Hub links and repo ids the catalogue knows, then family
    names outside links and ids; negated names ("not Mixtral", "better than Llama 2") are
    dropped. Linear in the text (spans are looked up by bisection)."""
    out: list[BaseMatch] = []
    links: list[tuple[int, int]] = []
    for u in _URL().finditer(text):
        links.append((u.start(), u.end()))
        rid = repo_id_from(u.group().rstrip(".,"), "model")
        match = cat.match_repo(rid) if rid else None
        if match is not None and rid is not None:
            out.append(replace(match, start=u.start(), end=u.end(), text=rid))
    link_starts = [a for a, _b in links]
    ids: list[tuple[int, int]] = []
    for m in _REPO_IN_TEXT().finditer(text):
        if _inside(links, link_starts, m.start()):
            continue
        rid = m.group(1)
        match = cat.match_repo(rid)
        if match is not None:
            ids.append((m.start(), m.end()))
            out.append(replace(match, start=m.start(), end=m.end(), text=rid))
    taken = sorted(links + ids)
    taken_starts = [a for a, _b in taken]
    for match in cat.mentions(text):
        if _inside(taken, taken_starts, match.start):
            continue
        if _NEGATION().search(text[max(0, match.start - 40) : match.start]):
            continue
        out.append(match)
    return sorted(out, key=lambda x: x.start)


def _confidence(match: BaseMatch, signal_confidence: Confidence) -> Confidence:
    """A bare brand ("Llama", "Qwen") in words says too little to apply."""
    return Confidence.LOW if match.how == "brand" else signal_confidence


def _from_title(card: Card, cat: BaseModelCatalogue) -> tuple[list[_Found], _Found | None]:
    """Families the title names, and the title's own identity when it is one."""
    found = title_of(card)
    if found is None:
        return [], None
    title, line = found
    naming = _naming_words(title)
    quote = _clip(f"title: {title}")  # once: a title naming many models is one quote, shortened
    out: list[_Found] = []
    identity: _Found | None = None
    for match in text_mentions(title, cat):
        item = _Found(
            match.text,
            Signal.TITLE,
            _confidence(match, Confidence.MEDIUM),
            None,
            quote,
            Origin(card.path, line),
            match,
        )
        if identity is None and match.family is not None and _identity(naming, match):
            identity = replace(item, relation="same-model")
            continue
        out.append(item)
    return out, identity


def _from_prose(card: Card, cat: BaseModelCatalogue) -> Iterator[_Found]:
    body = card.body
    mentions = text_mentions(body, cat)
    starts = [m.start for m in mentions]
    seen: set[tuple[str, int]] = set()

    def found(match: BaseMatch, rel: str | None, quote: str) -> Iterator[_Found]:
        line = card.body_line(match.start)
        key = (match.text.lower(), line)
        if key not in seen:
            seen.add(key)
            yield _Found(
                match.text,
                Signal.PROSE,
                _confidence(match, Confidence.MEDIUM),
                rel,
                _clip(quote),
                Origin(card.path, line),
                match,
            )

    fenced = card.fenced_lines
    lowered = _lowered(body)
    for pattern, relation, words in _ANCHORS:
        if not _may_match(lowered, words):
            continue
        for anchor in pattern().finditer(body):
            if card.body_line(anchor.start()) in fenced:
                continue  # example inputs and outputs (mergekit configs are read below)
            start = anchor.end()
            stop = start + _WINDOW
            end = _SENTENCE_END().search(body, start, stop)
            stop = end.start() if end else stop
            opening = body[max(0, anchor.start() - 80) : anchor.start()]
            opening = _SENTENCE_END().split(opening)[-1]
            if _DESIGN_ONLY().search(opening) or _SCRATCH().search(body[anchor.start() : stop]):
                continue  # "the architecture is based on X", "trained from scratch like X"
            # The object of the phrase: the first model named soon after it, and the models
            # listed with it ("a merge of X and Y"); later names are something else ("...,
            # which outperforms Llama 2 13B").
            previous = -1
            for match in mentions[bisect_left(starts, start) : bisect_left(starts, stop)]:
                if _DESIGN_AFTER().match(body, match.end):
                    break  # "based on the Llama 2 architecture"
                if previous < 0 and match.start - start > _FIRST_REACH:
                    break
                if previous >= 0 and not _connected(body[previous : match.start]):
                    break
                if match.how != "brand":  # a bare brand is often a link's text before its id
                    previous = match.end
                rel = relation
                if rel in (None, "finetune") and _DATA_WORDS().search(body[start : match.start]):
                    rel = "distillation"
                yield from found(match, rel, body[anchor.start() : match.end])
    # "Llama 2-based", "Qwen-based": the family is named before the anchor.
    for match in mentions:
        if card.body_line(match.start) in fenced:
            continue
        if re.match(r"[- ]based\b", body[match.end : match.end + 7], re.I):
            yield from found(match, None, body[match.start : match.end + 6])
    # mergekit configurations list their models by repo id.
    for m in _MERGEKIT_LINE().finditer(body):
        repo = cat.match_repo(m.group(1))
        if repo is not None:
            yield from found(replace(repo, start=m.start(1), end=m.end(1)), "merge", m.group(0))


# --------------------------------------------------------------------------- the result


def _grade(
    match: BaseMatch | None,
    licenses: Catalogue,
    modality: str | None,
    th: Thresholds,
    origin: Origin,
    name: str,
) -> LicenseFinding:
    """The license a match stands for: its only license, or the most open it may be under."""
    where = Origin(origin.path, origin.line, origin.field, name)
    if match is None:
        return LicenseFinding(None, None, "base-model", where)
    best: LicenseFinding | None = None
    for lic_id, lic_modality in match.licenses:
        entry = licenses.resolve(lic_id)
        if entry is None:
            continue
        grade = grade_license(entry, GradingContext(modality=lic_modality or modality), th)
        finding = LicenseFinding(entry.id, entry, "base-model", where, grade)
        if best is None or finding.verdict.rank < best.verdict.rank:
            best = finding
    return best or LicenseFinding(None, None, "base-model", where)


def _reaches_students(lic: LicenseFinding) -> bool:
    if lic.entry is None:
        return False
    for f in lic.entry.features:
        if f.flag in _DISTILLING_FLAGS:
            return True
        if f.flag == "share.naming_prefix" and "outputs" in (f.params.get("triggers") or ()):
            return True
    return False


def _org(repo_id: str) -> str:
    return repo_id.split("/", 1)[0].lower() if "/" in repo_id else ""


def inferred_bases(
    bundle: Bundle,
    card: Card | None,
    headers: list[WeightFileMetadata],
    links: list[LineageLink],
    bases: BaseModelCatalogue,
    licenses: Catalogue,
    modality: str | None,
    th: Thresholds,
) -> list[InferredBase]:
    """Every base the material shows, most trusted first, each with its license and whether it
    applies to the weights."""
    m = bundle.subject
    found: list[_Found] = list(_declared(card, m, bases))
    found += list(_from_configs(m, bases))
    found += list(_from_headers(headers, bases))
    found += list(_from_tags(card, m, bases))
    identity: _Found | None = None
    if card is not None:
        title_found, identity = _from_title(card, bases)
        if identity is None:
            # The vendor's own card talks about its other models; a derivative's words are
            # about its own bases.
            found += title_found
            found += list(_from_prose(card, bases))
        else:
            found.append(identity)
    # Bases the Hub answered for are graded from their repos (lineage links), not from here.
    answered = {link.id.lower() for link in links if link.found and link.license.entry is not None}
    subject_orgs = {_org(m.id)} if bundle.lineage_resolvable else set()
    if identity is not None and identity.match is not None:
        subject_orgs |= {o.lower() for f in identity.match.families for o in f.orgs}
    out: list[InferredBase] = []
    seen: set[tuple[str, str, str | None, str]] = set()
    for item in found:
        if item.name.lower() in answered:
            continue  # the Hub answered for this repo: its own card decides (a lineage link)
        family = item.match.family.id if item.match and item.match.family else None
        key = (
            item.signal.value,
            family or f"name:{item.name.lower()}",
            item.relation,
            item.confidence.value,
        )
        if key in seen:
            continue
        seen.add(key)
        lic = _grade(
            item.match,
            licenses,
            modality,
            th,
            item.origin,
            item.match.label if item.match else item.name,
        )
        vendor_org = {_org(m.id)} if bundle.lineage_resolvable else set()
        licensor = item.match is not None and any(
            o.lower() in (vendor_org if item.relation == "same-model" else subject_orgs)
            for f in item.match.families
            for o in f.orgs
        )
        # A licensor may relicense its own model: a base from the subject's own vendor does not
        # bind it, and on the Hub the vendor's own repo is not overruled by the catalogue's
        # record of the same model (its current terms are what the repo says).
        own_licensor = licensor
        applies = (
            item.confidence.rank >= Confidence.MEDIUM.rank
            and lic.entry is not None
            and not own_licensor
            and (item.relation != "distillation" or _reaches_students(lic))
        )
        out.append(
            InferredBase(
                name=item.name,
                signal=item.signal,
                confidence=item.confidence,
                relation=item.relation,
                quote=item.quote,
                origin=item.origin,
                family=family,
                license=lic,
                applies=applies,
                pretraining=item.match.member.pretraining
                if item.match is not None and item.match.member is not None
                else None,
            )
        )
    return out
