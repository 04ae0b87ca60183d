"""``tokens`` skips a normalisation pass when the text holds none of its pattern's needles
(``identify._NEEDLES``): every match of each pattern holds one, checked over texts made to
match every pattern and, when the shared corpus is there, over every reference text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from openweights.licensing import identify as ident

LICENSES = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "licenses"

MADE_UP = [
    "Soft\u00adhyphen, zero\u200bwidth\u200c join\u200d and a \ufeffbyte order mark.",
    "<!-- a comment\nover two lines --> <https://example.org/terms> <b>bold</b> <br/>",
    "[the terms](https://example.org/t \"Terms\") and ![logo](logo.png) \\*not\\* \\_this\\_",
    "a word bro-\n  ken over lines, a dash\u2010\nbreak, and non\u2011\nbreaking",
    "Copyright (c) 2025 Kestrel Labs. copyright \u00a9 Heron. (a) first; (iv) fourth",
    "see http://example.org and https://example.org for well-known non\u2010exclusive "
    "rights, the user\u2019s and the author's and the owner`s and o\u00b4s and x\u02bcs, "
    "1,000,000 users, 700,000,000 monthly",
]


def _texts() -> list[str]:
    texts = list(MADE_UP)
    if LICENSES.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(LICENSES.iterdir())
                  if p.is_file()]
    # The later passes run on lowered text: check both cases.
    return texts + [t.lower() for t in texts]


@pytest.mark.parametrize("pattern", list(ident._NEEDLES), ids=lambda p: p().pattern[:24])
def test_every_match_holds_a_needle(pattern: Callable[[], re.Pattern[str]]) -> None:
    needles = ident._NEEDLES[pattern]
    matches = [m.group() for text in _texts() for m in pattern().finditer(text)]
    assert matches, "the made-up texts must exercise every pattern"
    for found in matches:
        assert any(needle in found for needle in needles), (found, needles)


def test_a_text_without_markup_skips_those_passes() -> None:
    text = "Permission is granted to use this model, subject to the terms below.\n"
    assert ident._sub_if(ident._HTML_TAG, " ", text) is text
    assert ident._sub_if(ident._MD_LINK, r"\1", "[a](b) and c") == "a and c"
