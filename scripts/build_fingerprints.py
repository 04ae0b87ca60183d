"""Build ``licenses/fingerprints.json``: word-block fingerprints of reference license texts.

The same references are also written compiled, as ``licenses/fingerprints.bin``
(``identify.pack_fingerprints``): what the tool loads, in a few slices instead of a JSON parse.
The JSON document stays the readable record (one reference per line, for reviews and diffs) and
what this script carries absent sources over from; ``--check`` checks both files.

    python scripts/build_fingerprints.py                       # rewrite the fingerprint file
    python scripts/build_fingerprints.py --check               # exit 1 if it is stale
    python scripts/build_fingerprints.py --corpus DIR --licensedcode DIR --vendor DIR --spdx DIR

Where the texts come from (none of them is ever copied into the repository):

- ``corpus``: the project's shared corpus of model license texts (``../shared/corpus/licenses``
  beside the checkout; ``CORPUS_IDS`` maps each file to its catalogue id). Its
  ``SOURCES.md`` says where each text was published (vendors' repositories, choosealicense).
- ``licensedcode``: the license texts of ScanCode's license database, as published on PyPI in
  the ``licensedcode-data`` package (version ``LICENSEDCODE_VERSION``; ``pip download
  --no-deps licensedcode-data==32.1.0`` and unzip the wheel: the texts are in
  ``licensedcode/data/licenses``). A catalogue entry with an SPDX id takes the text whose
  ``spdx_license_key`` is that id; ``SCANCODE_KEYS`` names the rest by ScanCode key.

- ``vendor``: license texts in the vendors' own public git repositories, at the commits
  ``VENDOR_TEXTS`` names (the edition each catalogue entry describes). ``--vendor DIR`` is a
  folder of clones named ``owner+name`` (a bare clone, a clone with ``.git``, or a folder whose
  ``repo`` subfolder is the git directory); each text is read with ``git show COMMIT:PATH``.
- ``spdx``: the SPDX License List's XML templates (``--spdx DIR``, a clone of
  github.com/spdx/license-list-XML, read at the tag ``SPDX_TAG`` with ``git show
  TAG:src/ID.xml`` for each catalogue entry with an SPDX id). They give two things. Where a
  template marks text as replaceable (an ``<alt>`` whose ``match`` pattern takes any text, such
  as the copyright holder's name in BSD, MIT and ISC), the reference texts above get a
  replaceable region there (positions and lengths only, found by aligning the template's words
  with the reference's). And a license's standard notice (``<standardLicenseHeader>``, such
  as Apache's "Licensed under the Apache License ..." header) becomes a reference of its own,
  part ``notice``, so that the notice above or below the full text is part of the license.

A source that is absent is skipped: its records in the current file are kept as they are (and
``--check`` says they were not checked), so the script runs anywhere and never loses data.

What a fingerprint stores, and why that shape. Per reference text (and part: ``license``,
``aup`` for an acceptable use policy, ``appendix`` for an omittable "how to apply" appendix):

- the number of normalised words, and a salted CRC-32 of each consecutive, **non-overlapping**
  block of ``BLOCK`` (6) words, in order. Identification needs order (to tell an exact copy
  from a modified one and to show where they differ), so a set is not enough; but hashes of
  *overlapping* word runs (shingles), or of single words, chain back into the text: knowing
  one run, the next differs by one word, so a dictionary search of one word at a time
  recovers it all. Blocks that do not overlap share no words: each one would have to be
  guessed whole, six words at once. The input side is hashed at every position (it is the
  user's own text), so shifted text still finds the blocks.
- the omittable title: a (word count, hash) pair for each run of consecutive title lines.
- the numbers and the restrictive words (``identify.RESTRICTIVE_WORDS``, our own list) with
  their word offsets, in plain text: facts such as a user threshold, which a word diff shows
  when they are changed or removed. Nothing else of a text is stored in plain text.
- the word offsets where list items start (their numbers are not words of the reference).
- the replaceable regions (word offset, length, most words a filling may have) and, for each
  stretch of blocks that regions reach into, one salted hash of the stretch's other words
  with each region standing as one placeholder word: the words around a filled-in name are
  still compared one by one, the name itself is not.

The index (every block hash, sorted, with its owner) is stored too, so that loading is one
decode and no sort. Nothing in the file can be read back as a sentence of any text.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "licenses"
OUTPUT = ROOT / "licenses" / "fingerprints.json"
LICENSEDCODE_VERSION = "32.1.0"
SPDX_TAG = "v3.28.0"
"""The release of the SPDX License List whose XML templates are read."""
SOURCES = ("corpus", "licensedcode", "vendor", "spdx")

sys.path.insert(0, str(ROOT))
from openweights import records  # noqa: E402
from openweights.licensing.catalogue import Catalogue, load_catalogue  # noqa: E402
from openweights.licensing.identify import (  # noqa: E402
    BLOCK,
    FORMAT_VERSION,
    NORMALISER_VERSION,
    REPLACEABLE_WORDS,
    SALT,
    VARIABLE,
    Reference,
    Tokens,
    block_hash,
    block_hashes,
    block_starts,
    build_index,
    encode_u32,
    is_substantive,
    pack_fingerprints,
    tokens,
)

CORPUS_IDS: dict[str, str] = {
    "apache-2.0.txt": "apache-2.0",
    "apple-amlr.txt": "apple-amlr",
    "apple-ascl.txt": "apple-ascl",
    "cc-by-4.0.txt": "cc-by-4.0",
    "cc-by-nc-4.0.txt": "cc-by-nc-4.0",
    "cc-by-sa-4.0.txt": "cc-by-sa-4.0",
    "cc0-1.0.txt": "cc0-1.0",
    "chameleon-research.txt": "chameleon-research",
    "creativeml-openrail++-m-sd2.txt": "openrail++",
    "openrail++.txt": "openrail++",
    "creativeml-openrail-m.txt": "creativeml-openrail-m",
    "deepseek-model-license.txt": "deepseek",
    "gemma-terms-of-use.txt": "gemma",
    "lfm-open-license-1.0.txt": "lfm1.0",
    "llama2.txt": "llama2",
    "llama2-aup.md": "llama2",
    "llama3.txt": "llama3",
    "llama3-aup.md": "llama3",
    "llama3.1.txt": "llama3.1",
    "llama3.1-aup.md": "llama3.1",
    "llama3.2.txt": "llama3.2",
    "llama3.2-aup.md": "llama3.2",
    "llama3.3.txt": "llama3.3",
    "llama3.3-aup.md": "llama3.3",
    "llama4.txt": "llama4",
    "llama4-aup.md": "llama4",
    "mit.txt": "mit",
    "mit-deepseek.txt": "mit",
    "odbl-1.0.txt": "odbl",
    "qwen-research.txt": "qwen-research",
    "stability-ai-community.txt": "stabilityai-community",
    "stability-noncommercial-research-community.txt": "stabilityai-nc-research-community",
    "stability-sdxl-0.9-research.txt": "stabilityai-sdxl-0.9-research",
    "stability-svd-noncommercial-community.txt": "stabilityai-svd-nc-community",
    "tongyi-qianwen-research.txt": "tongyi-qianwen-research",
    "tongyi-qianwen.txt": "tongyi-qianwen",
}
"""Corpus file name -> catalogue id. Several files may share an id (variants of one license)."""

SCANCODE_KEYS: dict[str, str] = {
    "bigcode-openrail-m": "bigcode-open-rail-m-v1",
    "bigscience-openrail-m": "bigscience-open-rail-m",
    "bigscience-bloom-rail-1.0": "bigscience-rail-1.0",
    "gfdl": "gfdl-1.3",
}
"""Catalogue id -> ScanCode key, for entries whose text ScanCode holds under no SPDX id."""

VENDOR_TEXTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "deepfloyd-if-license": (
        ("deep-floyd/IF", "ffc8163891682beaca0c5eb6b9077860a3bc6509", "LICENSE-MODEL"),
    ),
    "fair-noncommercial-research-license": (  # v1 of 2024-10-16, with its use policy
        ("facebookresearch/pixio", "14de94cbb0dcb4f8f6d788dbc51af7b7ed0f8ae6", "LICENSE"),
    ),
    "flux-1-dev-non-commercial": (
        ("black-forest-labs/flux", "805da8571a0b49b6d4043950bd266a65328c243b",
         "model_licenses/LICENSE-FLUX1-dev"),
    ),
    "open-weights-permissive": (
        ("Open-Weights/Definition", "099e23251456032d2edf30b330c3d790acdb78c3",
         "Open Weights License.MD"),
    ),
    "yi": (  # version 2.1, in its two published wordings
        ("01-ai/Yi", "8c4d78d0a29ab9e506c6f4751514a4bcc89b2fcf", "MODEL_LICENSE_AGREEMENT.txt"),
        ("01-ai/Yi", "90fe5676d3ec5f9e5b54601de4aa5f80a13d5f79", "MODEL_LICENSE_AGREEMENT.txt"),
    ),
}
"""Catalogue id -> (repository, commit, path) of each text in a vendor's repository."""

EMBEDDED_PART = 0.5
"""A license text holds its policy when this share of the policy's word triples occurs in it."""

TITLE_WORDS = 16
"""The opening paragraph is an omittable title when it has at most this many words..."""
TITLE_LINES = 3
"""... on at most this many lines."""

_APPENDIX_START = (("end", "of", "terms", "and", "conditions"), ("how", "to", "apply"))
"""Where an omittable appendix begins (SPDX guideline: instructions after the terms)."""


@dataclass(frozen=True)
class Text:
    """One reference text to fingerprint."""

    license_id: str
    part: str
    source: str
    text: str


def part_of(name: str) -> str:
    """``aup`` for an acceptable use policy file (``*-aup.md``), else ``license``."""
    return "aup" if Path(name).stem.endswith("-aup") else "license"


# --------------------------------------------------------------------------- sources


def corpus_texts(corpus: Path) -> tuple[list[Text], list[str]]:
    """The mapped texts of the shared corpus, and a problem for every file it cannot place."""
    files = sorted(p for p in corpus.iterdir() if p.is_file() and not p.name.startswith("."))
    problems = [f"{p.name}: not in CORPUS_IDS (add its catalogue id)" for p in files
                if p.name not in CORPUS_IDS]
    names = {p.name for p in files}
    problems += [f"{name}: listed in CORPUS_IDS but missing" for name in CORPUS_IDS
                 if name not in names]
    texts = [Text(CORPUS_IDS[p.name], part_of(p.name), f"corpus:{p.name}",
                  p.read_text(encoding="utf-8")) for p in files if p.name in CORPUS_IDS]
    return texts, problems


_FRONT = re.compile(r"\A---\n(.*?)\n---\n?", re.S)
_KEY = re.compile(r"^(key|spdx_license_key):\s*(\S+)\s*$", re.M)


def licensedcode_texts(folder: Path, catalogue: Catalogue) -> tuple[list[Text], list[str]]:
    """The ScanCode texts of the catalogue's entries (by SPDX id, else ``SCANCODE_KEYS``)."""
    by_spdx: dict[str, Path] = {}
    by_key: dict[str, Path] = {}
    for file in sorted(folder.glob("*.LICENSE")):
        front = _FRONT.match(file.read_text(encoding="utf-8"))
        if front is None:
            continue
        fields = {m.group(1): m.group(2) for m in _KEY.finditer(front.group(1))}
        if "key" in fields:
            by_key[fields["key"]] = file
        if "spdx_license_key" in fields:
            by_spdx.setdefault(fields["spdx_license_key"], file)
    texts: list[Text] = []
    for entry in catalogue:
        path: Path | None = None
        if entry.id in SCANCODE_KEYS:
            path = by_key.get(SCANCODE_KEYS[entry.id])
        elif entry.spdx:
            path = by_spdx.get(entry.spdx)
        if path is None:
            continue
        raw = path.read_text(encoding="utf-8")
        head = _FRONT.match(raw)
        body = raw[head.end():] if head else raw
        if len(body.split()) < 20:
            continue
        texts.append(Text(entry.id, "license", f"licensedcode:{path.name}", body))
    return texts, []


def _git_dir(clone: Path) -> Path:
    for candidate in (clone / "repo", clone / ".git"):
        if candidate.is_dir():
            return candidate
    return clone


def vendor_texts(folder: Path) -> tuple[list[Text], list[str]]:
    """The ``VENDOR_TEXTS`` read from the clones in ``folder``; a problem for each missing."""
    texts: list[Text] = []
    problems: list[str] = []
    for license_id, places in sorted(VENDOR_TEXTS.items()):
        for repo, commit, path in places:
            clone = folder / repo.replace("/", "+")
            done = subprocess.run(
                ["git", f"--git-dir={_git_dir(clone)}", "show", f"{commit}:{path}"],
                capture_output=True, check=False,
            )
            if done.returncode != 0:
                problems.append(f"vendor:{repo}@{commit[:7]}:{path}: not readable in {clone}")
                continue
            text = done.stdout.decode("utf-8")
            texts.append(Text(license_id, "license", f"vendor:{repo}@{commit[:7]}:{path}", text))
    return texts, problems


# --------------------------------------------------------------------------- SPDX templates

_REGION_OPEN = "qxzjregionqxzj"
_REGION_CLOSE = "qxzjregionendqxzj"
"""Marker words put around the replaceable text of a template before it is normalised."""

_SKIPPED = frozenset({"titleText", "copyrightText", "bullet", "crossRefs", "notes",
                      "obsoletedBys"})
"""Template elements that are not words of the text: the omittable title, the copyright
notice (dropped by normalisation anyway), list bullets and metadata."""
_BLOCKS = {"p": ("\n\n", "\n\n"), "item": ("\n", ""), "list": ("\n", ""), "br": ("\n", ""),
           "standardLicenseHeader": ("\n\n", "\n\n")}
"""Line breaks before and after each element that starts a line."""


@dataclass(frozen=True)
class Template:
    """What the SPDX template of one catalogue entry gives: its words with their replaceable
    regions, and its standard notices."""

    license_id: str
    source: str
    words: tuple[str, ...]
    """The template's words (its own sample text in each replaceable place)."""
    regions: tuple[tuple[int, int], ...]
    """(word offset, words) of each replaceable region of ``words``."""
    notices: tuple[Text, ...] = field(default=())
    """Each standard notice as a text of part ``notice``, with its regions marked."""


def wildcard_spans(pattern: str, original: str) -> list[tuple[int, int]]:
    """The character spans of ``original`` that an ``<alt>`` pattern's wildcards (``.+``,
    ``.*``, ``.{m,n}``) take when the pattern matches it; empty when it has none or does not
    match. The rest of the pattern is fixed text, which stays fixed."""
    out: list[str] = []
    groups = 0
    i, depth = 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        elif c == "." and not depth:
            m = re.match(r"\.(?:[+*]|\{\d*,?\d*\})\??", pattern[i:])
            if m:
                out.append(f"(?P<w{groups}>{m.group()})")
                groups += 1
                i += m.end()
                continue
        out.append(c)
        i += 1
    if not groups:
        return []
    try:
        found = re.fullmatch("".join(out), original, re.I | re.S)
    except re.error:
        return []
    if found is None:
        return []
    return [found.span(f"w{g}") for g in range(groups) if found.span(f"w{g}")[0] >= 0]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def flatten(element: ET.Element, marked: bool) -> str:
    """The text of a template element: paragraphs and list items on lines of their own, the
    replaceable parts of ``<alt>`` between region markers when ``marked``. A paragraph whose
    words the markers would change (a copyright line that normalisation drops only without
    them) loses its markers."""
    tag = _local(element.tag)
    if tag in _SKIPPED:
        return ""
    if tag == "alt":
        original = re.sub(r"\s+", " ", "".join(element.itertext())).strip()
        if not marked:
            return f" {original} "
        pieces, at = [], 0
        for start, end in wildcard_spans(element.get("match", ""), original):
            pieces += [original[at:start], f" {_REGION_OPEN} ", original[start:end],
                       f" {_REGION_CLOSE} "]
            at = end
        return " " + "".join([*pieces, original[at:]]) + " "
    parts = [re.sub(r"\s+", " ", element.text or "")]
    for child in element:
        parts.append(flatten(child, marked))
        parts.append(re.sub(r"\s+", " ", child.tail or ""))
    inner = "".join(parts)
    if marked and tag == "p":
        plain = flatten(element, False)
        if marked_words(inner)[0] != list(tokens(plain).words):
            inner = plain  # markers that change normalisation (a copyright line): left out
    before, after = _BLOCKS.get(tag, ("", ""))
    return f"{before}{inner}{after}"


def marked_words(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The normalised words of a marked text without its markers, and (offset, words) of each
    region the markers enclose (a marker left alone by normalisation is ignored)."""
    words: list[str] = []
    regions: list[tuple[int, int]] = []
    opened: int | None = None
    for word in tokens(text).words:
        if word == _REGION_OPEN:
            opened = len(words)
        elif word == _REGION_CLOSE:
            if opened is not None:
                regions.append((opened, len(words) - opened))
            opened = None
        else:
            words.append(word)
    return words, regions


def read_template(license_id: str, source: str, xml: str) -> Template | None:
    """The template of one entry from its XML, or None when it holds no text."""
    root = ET.fromstring(xml)
    license_element = next((e for e in root.iter() if _local(e.tag) == "license"), None)
    if license_element is None:
        return None
    text = next((e for e in license_element if _local(e.tag) == "text"), None)
    if text is None:
        return None
    words, regions = marked_words(flatten(text, True))
    notices: list[Text] = []
    seen: set[tuple[str, ...]] = set()
    for header in (e for e in license_element.iter() if _local(e.tag) == "standardLicenseHeader"):
        marked = flatten(header, True)
        key = tuple(marked_words(marked)[0])
        if key and key not in seen:
            seen.add(key)
            notices.append(Text(license_id, "notice", source, marked))
    return Template(license_id, source, tuple(words), tuple(regions), tuple(notices))


def spdx_templates(clone: Path, catalogue: Catalogue) -> tuple[list[Template], list[str]]:
    """The templates of the catalogue's entries with an SPDX id, read at ``SPDX_TAG`` from a
    clone of spdx/license-list-XML; an id the list does not hold is skipped."""
    templates: list[Template] = []
    problems: list[str] = []
    git_dir = _git_dir(clone)
    for entry in catalogue:
        if not entry.spdx:
            continue
        read: list[Template] = []
        # An "-only" id resolves its "-or-later" twin too: that one's notice is the one in use.
        ids = [entry.spdx, *([entry.spdx[:-5] + "-or-later"] if entry.spdx.endswith("-only")
                             else [])]
        for spdx_id in ids:
            path = f"src/{spdx_id}.xml"
            done = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{SPDX_TAG}:{path}"],
                                  capture_output=True, check=False)
            if done.returncode != 0:
                continue  # not on the SPDX list (a model license with a LicenseRef id)
            source = f"spdx:{SPDX_TAG}:{path}"
            try:
                template = read_template(entry.id, source, done.stdout.decode("utf-8"))
            except ET.ParseError as error:
                problems.append(f"{source}: {error}")
                continue
            if template is not None:
                read.append(template)
        if read:
            notices = {tuple(marked_words(n.text)[0]): n for t in read for n in t.notices}
            templates.append(replace(read[0], notices=tuple(notices.values())))
    return templates, problems


_ANCHOR_RUN = 3
"""A region is placed in a reference only between runs of at least this many words that the
template and the reference share (or at either end of both)."""


def place_regions(
    template: Template, words: Sequence[str]
) -> list[tuple[int, int, int]]:
    """The template's regions as (offset, words, most words) in a reference's ``words``: each
    between the same words in both, by aligning the two."""
    if not template.regions:
        return []
    matcher = SequenceMatcher(None, template.words, list(words), autojunk=False)
    where: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        if block.size >= _ANCHOR_RUN:
            for k in range(block.size):
                where[block.a + k] = block.b + k
    placed = []
    for start, length in template.regions:
        end = start + length
        if start == 0:
            first: int | None = 0
        else:
            first = where.get(start - 1)
            first = None if first is None else first + 1
        last = len(words) if end == len(template.words) else where.get(end)
        if first is None or last is None or last < first:
            continue
        most = max(REPLACEABLE_WORDS, length, last - first)
        if last - first > most:
            continue
        placed.append((first, last - first, most))
    return sorted(set(placed))


def bridges(
    words: Sequence[str], regions: Sequence[tuple[int, int, int]]
) -> list[tuple[int, int, int]]:
    """(first word, end word, hash) of the stretch of blocks each group of regions spoils: from
    the end of the last block before to the start of the first block after, the hash over its
    words with each region as ``VARIABLE``. Regions that share a stretch share one hash."""
    n = len(words)
    starts = block_starts(n)
    spans: list[list[int]] = []
    for start, length, _ in sorted(regions):
        end = start + length
        first = max((min(s + BLOCK, n) for s in starts if min(s + BLOCK, n) <= start), default=0)
        stop = min((s for s in starts if s >= end), default=n)
        if spans and first <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], stop)
        else:
            spans.append([first, stop])
    out = []
    for first, stop in spans:
        inside = [r for r in sorted(regions) if first <= r[0] and r[0] + r[1] <= stop]
        fixed: list[str] = []
        at = first
        for start, length, _ in inside:
            fixed += [*words[at:start], VARIABLE]
            at = start + length
        fixed += words[at:stop]
        out.append((first, stop, block_hash(fixed)))
    return out


# --------------------------------------------------------------------------- building


def _triples(words: Sequence[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + 3]) for i in range(max(len(words) - 2, 0))]


def policy_start(words: Sequence[str], policy: Sequence[str]) -> int | None:
    """Where an embedded policy begins in a license text's words, or None if it has none.

    The policy is the suffix where word triples of the policy outnumber the others most (a
    maximum suffix sum, +1 per hit and -1 per miss), so an older wording of the policy with a
    few changed words still counts as one block.
    """
    known = set(_triples(policy))
    triples = _triples(words)
    if sum(t in known for t in set(triples)) < EMBEDDED_PART * len(known):
        return None
    best, best_at, running = 0, None, 0
    for i in range(len(triples) - 1, -1, -1):
        running += 1 if triples[i] in known else -1
        if running > best:
            best, best_at = running, i
    return best_at


def title_lines(text: str) -> int:
    """The last line of the omittable title (the opening paragraph when it is short), or 0."""
    lines = text.replace("\r\n", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return 0
    end = first
    while end < len(lines) and lines[end].strip():
        end += 1
    paragraph = lines[first:end]
    if len(paragraph) > TITLE_LINES:
        return 0
    words = tokens("\n".join(paragraph)).words
    if not words or len(words) > TITLE_WORDS or paragraph[-1].rstrip().endswith((".", ",", ";")):
        return 0
    return end  # 1-based number of the paragraph's last line


def appendix_start(words: Sequence[str]) -> int | None:
    """Where an omittable "how to apply" appendix begins (in the second half of the words), or
    None. "End of terms and conditions" opens it only when the instructions follow: in the
    OpenRAIL licenses it is followed by the use restrictions, which are terms."""
    end_phrase, apply_phrase = _APPENDIX_START
    for i in range(len(words) // 2, len(words) - len(apply_phrase) + 1):
        if tuple(words[i : i + len(apply_phrase)]) != apply_phrase:
            continue
        for j in range(max(i - 12, 0), i):
            if tuple(words[j : j + len(end_phrase)]) == end_phrase:
                return j
        return i
    return None


def _title_runs(prepared: Tokens, last_line: int) -> list[tuple[int, int]]:
    """(word count, hash) of every run of consecutive title lines."""
    by_line: dict[int, list[str]] = {}
    for word, line in zip(prepared.words, prepared.lines, strict=True):
        if line <= last_line:
            by_line.setdefault(line, []).append(word)
    lines = sorted(by_line)
    runs = set()
    for i in range(len(lines)):
        for j in range(i, len(lines)):
            words = [w for line in lines[i : j + 1] for w in by_line[line]]
            runs.add((len(words), block_hash(words)))
    return sorted(runs)


def references(
    texts: Sequence[Text], templates: Mapping[str, Template] | None = None
) -> tuple[list[Reference], list[str]]:
    """Every text as references: policies embedded in licenses split off, titles and
    appendices made omittable, list items noted, and the replaceable regions of the entry's
    SPDX template (``templates``, by catalogue id) placed in its license and appendix."""
    templates = templates or {}
    problems: list[str] = []
    policies = {t.license_id: tokens(t.text).words for t in texts if t.part == "aup"}
    out: list[Reference] = []
    notices = [n for template in templates.values() for n in template.notices]
    for t in [*texts, *notices]:
        if t.part == "notice":
            words, marked = marked_words(t.text)
            prepared = tokens(t.text.replace(_REGION_OPEN, " ").replace(_REGION_CLOSE, " "))
            if list(prepared.words) != words:
                problems.append(f"{t.source}: the notice's markers change its words")
                continue
            own = [(start, length, max(REPLACEABLE_WORDS, length)) for start, length in marked]
            out.append(_reference(t, prepared, 0, len(words), "notice", (), own))
            continue
        prepared = tokens(t.text)
        last_title = title_lines(t.text)
        body_from = next((i for i, line in enumerate(prepared.lines) if line > last_title),
                         len(prepared))
        titles = tuple(_title_runs(prepared, last_title)) if last_title else ()
        words = list(prepared.words[body_from:])
        if not words:
            problems.append(f"{t.source}: no words after normalisation")
            continue
        pieces: list[tuple[str, int, int]] = []  # (part, start, end) in prepared.words
        end = len(prepared)
        policy = policies.get(t.license_id) if t.part == "license" else None
        at = policy_start(words, policy) if policy else None
        if at:
            pieces.append(("aup", body_from + at, end))
            end = body_from + at
        cut = appendix_start(words[: end - body_from]) if t.part == "license" else None
        if cut:
            pieces.append(("appendix", body_from + cut, end))
            end = body_from + cut
        pieces.insert(0, (t.part, body_from, end))
        template = templates.get(t.license_id)
        for part, first, stop in pieces:
            piece = prepared.words[first:stop]
            regions = place_regions(template, piece) if template and part != "aup" else []
            out.append(_reference(t, prepared, first, stop, part,
                                  titles if part == t.part else (), regions))
    # Two sources with the same words for one part add nothing: keep the first.
    unique: dict[tuple[str, str, tuple[int, ...]], Reference] = {}
    for ref in sorted(out, key=lambda r: (r.license_id, r.part, r.source)):
        unique.setdefault((ref.license_id, ref.part, tuple(ref.blocks)), ref)
    return list(unique.values()), problems


def _reference(
    t: Text,
    prepared: Tokens,
    first: int,
    stop: int,
    part: str,
    titles: tuple[tuple[int, int], ...],
    regions: Sequence[tuple[int, int, int]],
) -> Reference:
    """The reference for words ``first..stop`` of a prepared text."""
    piece = prepared.words[first:stop]
    return Reference(
        license_id=t.license_id,
        part=part,
        source=t.source,
        words=len(piece),
        blocks=block_hashes(piece),
        titles=titles,
        marks=tuple((i, w) for i, w in enumerate(piece) if is_substantive(w)),
        items=tuple(i - first for i in prepared.items if first <= i < stop),
        regions=tuple(regions),
        bridges=tuple(bridges(piece, regions)),
    )


def record(ref: Reference) -> dict[str, Any]:
    """One reference as stored."""
    return {
        "id": ref.license_id,
        "part": ref.part,
        "source": ref.source,
        "words": ref.words,
        "blocks": encode_u32(ref.blocks),
        "titles": [list(t) for t in ref.titles],
        "marks": [list(m) for m in ref.marks],
        "items": list(ref.items),
        "regions": [list(r) for r in ref.regions],
        "bridges": [list(b) for b in ref.bridges],
    }


def from_record(data: dict[str, Any]) -> Reference:
    """Inverse of ``record``."""
    from openweights.licensing.identify import decode_u32

    return Reference(data["id"], data["part"], data["source"], data["words"],
                     list(decode_u32(data["blocks"])),
                     tuple((int(n), int(h)) for n, h in data["titles"]),
                     tuple((int(o), str(w)) for o, w in data["marks"]),
                     tuple(int(i) for i in data.get("items", ())),
                     tuple((int(o), int(n), int(m)) for o, n, m in data.get("regions", ())),
                     tuple((int(a), int(b), int(h)) for a, b, h in data.get("bridges", ())))


def document(refs: Sequence[Reference]) -> dict[str, Any]:
    """The fingerprint document for ``refs``."""
    ordered = sorted(refs, key=lambda r: (r.license_id, r.part, r.source))
    index, owners = build_index(ordered)
    return {
        "format": FORMAT_VERSION,
        "normaliser": NORMALISER_VERSION,
        "block": BLOCK,
        "salt": SALT.decode(),
        "hash": "crc32",
        "index": encode_u32(index),
        "owners": encode_u32(owners),
        "references": [record(r) for r in ordered],
    }


def compiled(doc: dict[str, Any]) -> bytes:
    """The compiled form of the document (``fingerprints.bin``): its references, in its
    order, through ``identify.pack_fingerprints``, so both files always hold the same data."""
    return pack_fingerprints([from_record(r) for r in doc["references"]])


def render(doc: dict[str, Any]) -> str:
    """The file's exact text: one reference per line, so diffs stay readable."""
    head = {k: v for k, v in doc.items() if k != "references"}
    lines = [json.dumps(r, sort_keys=True, separators=(",", ":")) for r in doc["references"]]
    opening = json.dumps(head, sort_keys=True, separators=(",", ":"))[:-1]
    return opening + ',"references":[\n' + ",\n".join(lines) + "\n]}\n"


def current_records(path: Path) -> list[dict[str, Any]]:
    """The references of the existing file (empty when it is absent or of another format)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if data.get("format") != FORMAT_VERSION or data.get("normaliser") != NORMALISER_VERSION:
        return []
    return list(data.get("references", []))


def default_licensedcode() -> Path | None:
    """``licensedcode/data/licenses`` of an installed or unpacked ``licensedcode-data``."""
    import importlib.util

    spec = importlib.util.find_spec("licensedcode")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "data" / "licenses"
        if folder.is_dir():
            return folder
    return None


def build(
    corpus: Path | None,
    licensedcode: Path | None,
    previous: Sequence[dict[str, Any]] = (),
    vendor: Path | None = None,
    spdx: Path | None = None,
) -> tuple[dict[str, Any], list[str], list[str]]:
    """(document, problems, sources not checked) from the sources present; records of absent
    sources are carried over from ``previous``, and so are the regions the SPDX templates gave
    a reference that is rebuilt with the same words while the templates are absent."""
    catalogue = load_catalogue()
    texts: list[Text] = []
    problems: list[str] = []
    skipped: list[str] = []
    kept: list[Reference] = []
    templates: dict[str, Template] | None = None
    folders = {"corpus": corpus, "licensedcode": licensedcode, "vendor": vendor, "spdx": spdx}
    for name in SOURCES:
        folder = folders[name]
        if folder is None or not folder.is_dir():
            skipped.append(name)
            kept += [from_record(r) for r in previous if r["source"].startswith(f"{name}:")]
            continue
        if name == "spdx":
            found_templates, trouble = spdx_templates(folder, catalogue)
            templates = {t.license_id: t for t in found_templates}
        else:
            if name == "corpus":
                found, trouble = corpus_texts(folder)
            elif name == "licensedcode":
                found, trouble = licensedcode_texts(folder, catalogue)
            else:
                found, trouble = vendor_texts(folder)
            texts += found
        problems += trouble
    refs, trouble = references(texts, templates)
    problems += trouble
    if templates is None:
        refs = [_with_previous_regions(ref, previous) for ref in refs]
    for ref in [*refs, *kept]:
        if catalogue.resolve(ref.license_id) is None:
            problems.append(f"{ref.source}: {ref.license_id} is not in the catalogue")
    return document([*refs, *kept]), problems, skipped


def _with_previous_regions(ref: Reference, previous: Sequence[dict[str, Any]]) -> Reference:
    """``ref`` with the regions and bridges of its previous record, if its words are the same."""
    for record_ in previous:
        if (record_["id"], record_["part"], record_["source"]) == (
            ref.license_id, ref.part, ref.source
        ):
            old = from_record(record_)
            if list(old.blocks) == list(ref.blocks):
                return records.replace(ref, regions=old.regions, bridges=old.bridges)
    return ref


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder of reference license texts (default: %(default)s)")
    parser.add_argument("--licensedcode", type=Path, default=None,
                        help="licensedcode/data/licenses of licensedcode-data "
                             f"{LICENSEDCODE_VERSION} (default: the installed package, if any)")
    parser.add_argument("--vendor", type=Path, default=None,
                        help="folder of clones of the vendors' repositories (VENDOR_TEXTS)")
    parser.add_argument("--spdx", type=Path, default=None,
                        help="a clone of spdx/license-list-XML (its templates are read at "
                             f"{SPDX_TAG})")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    output: Path = args.output
    licensedcode: Path | None = args.licensedcode or default_licensedcode()
    previous = current_records(output)
    doc, problems, skipped = build(args.corpus, licensedcode, previous, args.vendor, args.spdx)
    for problem in problems:
        print(problem, file=sys.stderr)
    for name in skipped:
        print(f"source {name} absent: its fingerprints kept as they are, not rebuilt",
              file=sys.stderr)
    if len(skipped) == len(SOURCES):
        print("no source texts present: fingerprints not checked", file=sys.stderr)
        return 0 if args.check else 1
    if problems:
        return 1
    text = render(doc)
    blob = compiled(doc)
    compiled_output = output.with_suffix(".bin")
    count = len(doc["references"])
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        current_blob = compiled_output.read_bytes() if compiled_output.exists() else b""
        stale = [path.name for path, same in ((output, current == text),
                                              (compiled_output, current_blob == blob))
                 if not same]
        if stale:
            print(f"{' and '.join(stale)} stale: run python scripts/build_fingerprints.py",
                  file=sys.stderr)
            return 1
        print(f"{output.name} and {compiled_output.name} are current ({count} references)")
        return 0
    output.write_text(text, encoding="utf-8")
    compiled_output.write_bytes(blob)
    print(f"wrote {output} and {compiled_output.name} with {count} references")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
