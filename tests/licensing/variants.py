"""A deterministic generator of license-text variants, each with the answer it must get.

Given the reference texts of ``../shared/corpus/licenses`` (file name -> catalogue id), it
makes, for every text, the kinds of change seen in the wild: a term changed, a clause
inserted, the licensor replaced, two texts concatenated, reflowed, Markdown, half a text, the
title removed, an addendum after the license, a copyright header, a number that ends a
sentence changed. Where a text has them, also: the copyright holder filled in (BSD, MIT,
ISC), a holder that carries a restriction, and the license's standard notice above the text,
as written and with a restriction in it. Every variant says what ``identify`` must answer:
``match`` with the license ids, or ``modified`` with the closest id. The words added are ours;
no variant is stored anywhere.
"""

from __future__ import annotations

import random
import re
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """One generated text and the answer it must get."""

    name: str
    """``<file>:<kind>``."""
    kind: str
    """What was done to the text."""
    text: str
    """The variant."""
    expected: str
    """``match`` or ``modified``."""
    licenses: tuple[str, ...]
    """For ``match``: the ids it must name, in text order. For ``modified``: the closest."""


CLAUSE = (
    "Notwithstanding anything above, the Licensee shall use the covered materials for "
    "non-commercial research only, and this permission is revocable at any time."
)
ADDENDUM = (
    "\n\nADDITIONAL TERMS FOR THE MODEL WEIGHTS\n\n"
    "The weights released with this repository are licensed to you for non-commercial "
    "research purposes only. Any commercial use, including offering the model as a service, "
    "requires a separate written agreement with the authors.\n"
)
HEADER = (
    "Copyright (c) 2025 Kestrel Project Contributors\n"
    "All rights reserved.\n\n"
)
HOLDER = "Kestrel Labs"
RESTRICTED_HOLDER = "Kestrel Labs, for non-commercial research only,"
HOLDERS: dict[str, tuple[str, ...]] = {
    "mit": ("AUTHORS OR COPYRIGHT HOLDERS",),
    "bsd-2-clause": ("THE COPYRIGHT HOLDERS AND CONTRIBUTORS",
                     "THE COPYRIGHT HOLDER OR CONTRIBUTORS"),
    "bsd-3-clause": ("the ORGANIZATION", "THE COPYRIGHT HOLDERS AND CONTRIBUTORS",
                     "THE COPYRIGHT HOLDER OR CONTRIBUTORS"),
    "isc": ("THE AUTHOR",),
}
"""Where a license's own text names a placeholder holder (the SPDX templates let any name
stand there), by catalogue id: a few words each, to find in the text."""
NOTICES: dict[str, tuple[str, str]] = {
    "apache-2.0": ("Licensed under the Apache License", "limitations under the License."),
    "gpl-3.0": ("This program is free software", "<https://www.gnu.org/licenses/>."),
    "gpl-2.0": ("This program is free software", "02110-1301 USA."),
}
"""The first and last words of the standard notice inside a license's own "how to apply"
appendix, by catalogue id: the variant lifts the notice from the text itself."""
NOTICE_HEAD = "Kestrel-7B, weights for a small language model\nCopyright 2025 Kestrel Labs\n\n"
_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*)(?![\w.])")
# A number that ends a sentence inside a line: after a word, before a full stop.
_SENTENCE_NUMBER = re.compile(r"(?<=[A-Za-z] )(\d{1,3})(?=\.\s)")
_PROPER = re.compile(r"\b[A-Z][a-z]{2,}\b")
_COMMON = frozenset([
    "The", "This", "That", "These", "Those", "You", "Your", "Licensee", "Licensor", "License",
    "Licenses", "Agreement", "Section", "Work", "Works", "Software", "Materials", "Model",
    "Models", "Terms", "Use", "Uses", "Any", "All", "Each", "Such", "Our", "For", "And", "Not",
    "Notwithstanding", "Subject", "Except", "Unless", "Without", "With", "Without", "Copyright",
    "Contribution", "Derivative", "Definitions", "Grant", "Redistribution", "Permission",
    "Attribution", "Creative", "Commons", "Public", "Legal", "Code", "Database", "Contents",
    "Policy", "Acceptable", "Prohibited", "Version", "Date", "Release", "Community", "Research",
    "Commercial", "Documentation", "Source", "Object", "Form", "Legal", "Entity", "Entities",
    "Except", "Limitation", "Disclaimer", "Warranty", "Liability", "Termination", "General",
    "Additional", "Other", "Products", "Services", "Including", "Includes", "Licensed", "Rights",
    "Share", "Adapted", "Material", "Effective", "Technological", "Measures", "Exceptions",
    "Limitations", "Sui", "Generis", "Database", "International", "Unported", "Generic", "Output",
    "Outputs",
])


def _licensor(text: str) -> str | None:
    """The most frequent capitalised word that names a party (not a defined term)."""
    counts = Counter(w for w in _PROPER.findall(text) if w not in _COMMON)
    frequent = [w for w, n in counts.most_common() if n >= 3]
    return frequent[0] if frequent else None


def term_changed(text: str) -> str | None:
    """The largest number divided by 100, or else "may" turned into "may not". A postal code
    ("02110-1301": a leading zero, or a hyphen beside it) is an address, not a term."""
    numbers = [m for m in _NUMBER.finditer(text) if len(m.group(1).replace(",", "")) >= 2
               and not m.group(1).startswith("0")
               and "-" not in text[m.start() - 1 : m.end() + 1]]
    if numbers:
        m = max(numbers, key=lambda m: int(m.group(1).replace(",", "")))
        value = int(m.group(1).replace(",", ""))
        if value >= 100 and not 1900 <= value <= 2100:
            return text[: m.start()] + str(value // 100) + text[m.end() :]
    at = text.find(" may ")
    if at < 0:
        return None
    return text[:at] + " may not " + text[at + 5 :]


def clause_inserted(text: str) -> str:
    """``CLAUSE`` as a paragraph of its own in the middle of the text."""
    paragraphs = text.split("\n\n")
    middle = len(paragraphs) // 2
    return "\n\n".join([*paragraphs[:middle], CLAUSE, *paragraphs[middle:]])


def licensor_replaced(text: str) -> str | None:
    """Every occurrence of the licensor's name replaced by a made-up one."""
    name = _licensor(text)
    if name is None:
        return None
    return re.sub(rf"\b{re.escape(name)}\b", "Zorblax", text)


def reflowed(text: str) -> str:
    """Every paragraph rewrapped to 52 columns (lines joined, then cut anew)."""
    out = []
    for paragraph in re.split(r"\n[ \t]*\n", text):
        joined = ""
        for line in paragraph.splitlines():
            line = line.strip()
            # A word hyphenated across lines is joined whole, as a reflowing editor does.
            glue = "" if re.search(r"[A-Za-z]-$", joined) else " "
            joined = f"{joined}{glue}{line}" if joined else line
        out.append(textwrap.fill(joined, 52, break_long_words=False, break_on_hyphens=False)
                   if joined else "")
    return "\n\n".join(out)


def markdown(text: str) -> str:
    """The first line as a heading, short lines bold, and list items as Markdown bullets."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if i == 0 and stripped:
            out.append(f"# {stripped}")
        elif re.match(r"^\(?[a-z0-9]{1,3}[.)]\s", stripped):
            out.append(f"- {stripped}")
        elif stripped and len(stripped) < 50 and stripped.upper() == stripped:
            out.append(f"**{stripped}**")
        else:
            out.append(line)
    return "\n".join(out)


def halved(text: str) -> str:
    """The text cut at the end of the line where its first 40 % ends."""
    cut = text.find("\n", int(len(text) * 0.4))
    return text[:cut] if cut > 0 else text[: len(text) * 2 // 5]


def sentence_number_changed(text: str) -> str | None:
    """The first number that ends a sentence inside a line ("paragraph 5.") made one more."""
    for m in _SENTENCE_NUMBER.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text[line_start : m.start()].strip():
            return text[: m.start()] + str(int(m.group(1)) + 1) + text[m.end() :]
    return None


def holder_filled(text: str, phrases: tuple[str, ...], holder: str, count: int = 0) -> str:
    """Each placeholder holder replaced by ``holder`` (only the first ``count`` when set)."""
    for phrase in phrases:
        if phrase.isupper():
            holder = holder.upper()
        text = text.replace(phrase, holder, count or -1)
        if count:
            break
    return text


def notice_of(text: str, ends: tuple[str, str]) -> str | None:
    """The license's standard notice as its appendix gives it, with a made-up holder over it."""
    first, last = ends
    start = text.find(first)
    end = text.find(last, start)
    if start < 0 or end < 0:
        return None
    return NOTICE_HEAD + textwrap.dedent(text[start : end + len(last)]) + "\n\n"


def title_removed(text: str) -> str:
    """The text without its opening paragraph."""
    stripped = text.lstrip()
    cut = re.search(r"\n[ \t]*\n", stripped)
    return stripped[cut.end() :] if cut else stripped


def variants(
    texts: Mapping[str, str],
    ids: Mapping[str, str],
    has_title: Callable[[str], bool],
    seed: int = 10,
) -> Iterator[Variant]:
    """Every variant of every text, in a fixed order (``seed`` picks the concatenated pairs)."""
    rnd = random.Random(seed)
    names = sorted(texts)
    for name in names:
        text, own = texts[name], ids[name]
        changed = term_changed(text)
        if changed is not None and changed != text:
            yield Variant(f"{name}:term", "term changed", changed, "modified", (own,))
        yield Variant(f"{name}:clause", "clause inserted", clause_inserted(text), "modified",
                      (own,))
        replaced = licensor_replaced(text)
        if replaced is not None and replaced != text:
            yield Variant(f"{name}:licensor", "licensor replaced", replaced, "modified", (own,))
        yield Variant(f"{name}:reflow", "reflowed", reflowed(text), "match", (own,))
        yield Variant(f"{name}:markdown", "markdown", markdown(text), "match", (own,))
        yield Variant(f"{name}:half", "half a text", halved(text), "modified", (own,))
        untitled = title_removed(text)
        yield Variant(f"{name}:untitled", "title removed", untitled,
                      "match" if has_title(text) else "modified", (own,))
        yield Variant(f"{name}:addendum", "addendum after the license", text + ADDENDUM,
                      "modified", (own,))
        yield Variant(f"{name}:header", "copyright header", HEADER + text, "match", (own,))
        other = rnd.choice([n for n in names if ids[n] != own])
        yield Variant(f"{name}+{other}:concatenated", "two texts concatenated",
                      text + "\n\n" + texts[other], "match", (own, ids[other]))
        number = sentence_number_changed(text)
        if number is not None:
            yield Variant(f"{name}:sentence-number", "number ending a sentence changed", number,
                          "modified", (own,))
        phrases = tuple(p for p in HOLDERS.get(own, ()) if p in text)
        if phrases:
            yield Variant(f"{name}:holder", "holder filled in",
                          holder_filled(text, phrases, HOLDER), "match", (own,))
            yield Variant(f"{name}:restricted-holder", "holder with a restriction",
                          holder_filled(text, phrases, RESTRICTED_HOLDER, 1), "modified", (own,))
        notice = notice_of(text, NOTICES[own]) if own in NOTICES else None
        if notice is not None:
            body = text.split("END OF TERMS AND CONDITIONS")[0]
            yield Variant(f"{name}:notice", "standard notice above the text", notice + body,
                          "match", (own,))
            last = NOTICES[own][1]
            restricted = notice.replace(last, f"Only for non-commercial research. {last}")
            yield Variant(f"{name}:restricted-notice", "standard notice with a restriction",
                          restricted + text, "modified", (own,))
