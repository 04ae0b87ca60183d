"""Control characters quoted from a card never reach the reader's terminal raw: every format read
by people shows them as escapes, and the text scorecard still fits its width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openweights.check import check_with
from openweights.config import Settings
from openweights.formats import concise, github, markdown, text
from openweights.formats.visible import visible, visible_keeping_colour
from openweights.report import Report
from openweights.sources.local import LocalSource

# A window title (OSC), a hyperlink (OSC 8), clear screen, cursor up, carriage return, a C1
# control, and a right-to-left override: in the metadata and in the body the findings quote.
HOSTILE = (
    "---\n"
    'license: "apache-2.0\\e]0;title\\a\\e[31m"\n'
    'base_model: "org/x\\e[2J"\n'
    'license_name: "mine\\u202eevil"\n'
    "---\n"
    "# Model\x1b[1A\r\x85\n\n"
    "Trained on \x1b]8;;http://example.invalid\x07things\x1b]8;;\x07.\n"
)
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What must not be printed (tab and line feed are allowed)."""
SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    repo: Path = tmp_path_factory.mktemp("hostile")
    (repo / "README.md").write_text(HOSTILE, encoding="utf-8")
    return check_with(LocalSource().fetch(str(repo)), Settings())


def test_visible_escapes_controls_and_bidi_and_keeps_tab_and_newline() -> None:
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("\r\x00\x7f\x85") == "\\x0d\\x00\\x7f\\x85"
    assert visible("x\u202ey\u2066") == "x\\u202ey\\u2066"
    assert visible("tab\there\nnext é ✔") == "tab\there\nnext é ✔"


def test_visible_keeping_colour_keeps_only_colour_sequences() -> None:
    coloured = "\x1b[1;31mF\x1b[0m \x1b]0;t\x07 \x1b[2J"
    assert visible_keeping_colour(coloured) == "\x1b[1;31mF\x1b[0m \\x1b]0;t\\x07 \\x1b[2J"


def test_the_hostile_card_is_quoted_in_the_report(report: Report) -> None:
    # The check itself: the hostile values are there to be shown (else this file tests nothing).
    assert "\x1b" in report.evidence.weights.license.raw


@pytest.mark.parametrize("width", [40, 80, 120])
def test_text_shows_escapes_and_fits(report: Report, width: int) -> None:
    out = text.render(report, color=False, width=width, details=True)
    assert not RAW.search(out), repr(RAW.search(out))
    assert "\\x1b]0;title" in out
    assert all(len(line) <= width for line in out.splitlines())


def test_coloured_text_writes_no_escape_but_colours(report: Report) -> None:
    out = text.render(report, color=True, width=100)
    assert SGR.search(out), "not coloured"
    assert not RAW.search(SGR.sub("", out))


@pytest.mark.parametrize("render", [concise.render, markdown.render, github.render],
                         ids=["concise", "markdown", "github"])
def test_other_formats_for_people_show_escapes(report: Report, render: object) -> None:
    out = render(report)  # type: ignore[operator]
    assert not RAW.search(out), repr(RAW.search(out))
    assert "\\x1b" in out
