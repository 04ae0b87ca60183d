"""What to look up beyond the model repo itself: pure functions over the material a source read.

The sources never decide this on their own: the forge lookups (``with_forge``: which code
repositories) and the Hub source (``datasets_to_fetch``: which datasets) ask these functions,
and the evidence reads the same training-data mentions (``prose_corpora``, ``prose_datasets``),
so "what matters to this model" is decided in one place. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from openweights.card import HTML_TAG, Card, parse_card
from openweights.catalogues.corpora import Corpus, CorpusCatalogue, load_corpora
from openweights.codelinks import code_links, forge_targets, license_links, sentence_at
from openweights.patterns import lazy
from openweights.repoids import ForgeRepo, dataset_ids, repo_id_from

MAX_EXTRA_DATASETS = 24
"""At most this many datasets named only in prose (or by a base model) are fetched per run."""

_HF_DATASET_LINK = lazy(r"huggingface\.co/datasets/([\w.-]+(?:/[\w.-]+)?)", re.I)
# A sentence or heading about training data: where an ambiguous corpus name counts.
_DATA_WORDS = lazy(
    r"\b(train(ed|ing)?\s+(on|with|data|corpus|mix)|pre-?train\w*|data\s*(set|mix)|datasets?"
    r"|corpus|corpora|tokens|data\s*sources?|subsets?|mixture|fine-?tun\w*\s+(on|with))\b"
    r"|\btrain\w*\b[^.]{0,60}\b(on|with)\b",
    re.I,
)
_DATA_HEADING = lazy(
    r"(\bdata|datasets?\b|\bcorpus|\bcorpora|mix(ture)?\b|\bpre-?training\b)", re.I
)
# Just before an ambiguous name: "trained on", "fine-tuned with ... of".
_TRAINED_ON = lazy(
    r"\b(train\w*|fine-?tun\w*|finetun\w*)\s+(\w+\s+){0,3}(on|with|using|from)\s+(\w+\s+){0,3}$",
    re.I,
)
_LISTED = lazy(r"^\s*(\||[-*+]\s|\d+[.)]\s)")
# Comparisons name other models' data, not this model's.
_COMPARISON = lazy(r"\b(outperform\w*|compared (to|with)|than|versus|vs\.?)\b", re.I)


def forge_lookups(card_text: str | None, card_path: str = "README.md") -> tuple[ForgeRepo, ...]:
    """Code repositories of a model worth asking a forge about, in card order.

    The model's own training, data-processing and evaluation code, as the card links or
    declares it, and the repositories whose root LICENSE file the card links (a license badge);
    general libraries and links of unknown role are skipped (they never count for the code row,
    and GitHub allows 60 anonymous requests an hour).
    """
    if card_text is None:
        return ()
    card = parse_card(card_text, card_path)
    repos = list(forge_targets(code_links(card)))
    keys = {r.key for r in repos}
    for link in license_links(card):
        if link.repo.key not in keys:
            keys.add(link.repo.key)
            repos.append(link.repo)
    return tuple(repos)


# ------------------------------------------------------------- training data named in the text


_REACH = 300
"""Characters before a name read for "trained on": bounded, so that many names on one long
line cost linear time."""


def _clean(sentence: str) -> str:
    """A sentence as evidence: HTML tags dropped, spaces collapsed, at most 240 characters."""
    return " ".join(HTML_TAG().sub(" ", sentence).split())[:240]


def prose_corpora(card: Card, corpora: CorpusCatalogue) -> list[tuple[Corpus, int, str, str]]:
    """Catalogued corpora the card's text names as training data: (corpus, line, sentence,
    name as written). A name counts in a sentence or under a heading about training data, never
    in a comparison with other models; an ambiguous name ("StarCoder") only in such a place."""
    out: list[tuple[Corpus, int, str, str]] = []
    mentions = corpora.within(card.text)
    if mentions is None:
        return out
    for line, raw_line in enumerate(card.body_lines(), start=card.body_start_line):
        if not raw_line.strip():
            continue
        listed = bool(_LISTED().match(raw_line))
        for m in mentions(raw_line):
            sentence = sentence_at(raw_line, m.start)
            headings = card.heading_chain(line)
            data_heading = any(_DATA_HEADING().search(h) for h in headings)
            if m.ambiguous:
                # A name that is also a model's: only in a list or table under a data heading,
                # or right after "trained on".
                about_data = (data_heading and listed) or bool(
                    _TRAINED_ON().search(raw_line[max(0, m.start - _REACH) : m.start])
                )
            else:
                about_data = bool(_DATA_WORDS().search(sentence)) or data_heading
            if not about_data or _COMPARISON().search(sentence):
                continue
            out.append((m.corpus, line, _clean(sentence), m.written))
    return out


def prose_datasets(card: Card) -> list[tuple[str, int, str]]:
    """Hub dataset ids the text links or names in code (``repo_id="org/x"`` with
    ``repo_type="dataset"``): (id, line, sentence)."""
    out: list[tuple[str, int, str]] = []
    if not _HF_DATASET_LINK().search(card.text):
        return out  # one scan of the card: most link no dataset
    for line, raw_line in enumerate(card.body_lines(), start=card.body_start_line):
        for m in _HF_DATASET_LINK().finditer(raw_line):
            did = repo_id_from(m.group(1), "dataset")
            if did:
                sentence = _clean(sentence_at(raw_line, m.start()))
                out.append((did, line, sentence))
    return out




@lru_cache(maxsize=64)
def datasets_in_text(text: str) -> tuple[str, ...]:
    """The Hub dataset ids a card's text names as training data: its Hub dataset links, and the
    Hub ids of the catalogued corpora it names. Kept for the last cards read (the Hub source
    asks again after each wave of reads)."""
    corpora = load_corpora()
    card = parse_card(text, "README.md")
    named = [did for did, _line, _sentence in prose_datasets(card)]
    for corpus, _line, _sentence, written in prose_corpora(card, corpora):
        hub = written if "/" in written else (corpus.hub_ids[0] if corpus.hub_ids else None)
        if hub:
            named.append(hub)
    return tuple(named)


def datasets_to_fetch(cards: Iterable[tuple[str | None, Mapping[str, Any]]]) -> list[str]:
    """Hub dataset ids worth fetching for the training data of a model and its bases.

    ``cards`` are (card text, metadata) pairs, the subject's first, then each base model's:
    every ``datasets:`` and ``openness.data.datasets`` id, then the Hub dataset links in the
    text and the Hub ids of catalogued corpora the text names as training data, each once, in
    order. The ids named only in prose (or by a base) are capped at ``MAX_EXTRA_DATASETS``.
    """
    out: list[str] = []
    seen: set[str] = set()
    extra = 0
    for index, (text, meta) in enumerate(cards):
        declared, _problems = dataset_ids(meta)
        named = list(datasets_in_text(text)) if text else []
        for did in (declared if index == 0 else []) + (named if index == 0 else declared + named):
            key = did.lower()
            if key in seen:
                continue
            from_prose = index > 0 or did not in declared
            if from_prose and extra >= MAX_EXTRA_DATASETS:
                continue
            seen.add(key)
            extra += from_prose
            out.append(did)
    return out
