"""openweights/card.py: any text parses to a card of plain data; the typed view of its metadata.

The crashes found by mutating real cards (issue 12) are regression tests here: YAML tags that
escaped the parser, a ``pipeline_tag`` that is a list, a ``!!set`` printed in hash order.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from openweights.card import (
    MAX_YAML_DEPTH,
    CardMetadata,
    parse_card,
    parse_yaml_block,
    strip_comments,
)
from openweights.check import check_bundle
from openweights.formats import FORMATS, renderer
from openweights.sources import Bundle, ModelMaterial
from tests.support import validate_report


def card_of(front_matter: str, body: str = "# Model\n") -> str:
    return f"---\n{front_matter}\n---\n{body}"


def graded(text: str) -> dict[str, Any]:
    """Grade a card in-process; every format must render; the JSON must be schema-valid."""
    report = check_bundle(Bundle(ModelMaterial(id="README.md", source="local", card_text=text)))
    for fmt in FORMATS:
        assert renderer(fmt)(report)
    data: dict[str, Any] = json.loads(renderer("json")(report))
    validate_report(data)
    return data


def rules_fired(data: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in data["findings"]}


# --- YAML becomes plain data, or a clear error ------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("license: !!set {mit, apache-2.0, bsd}", {"license": ["apache-2.0", "bsd", "mit"]}),
        ("license: 2024-01-01", {"license": "2024-01-01"}),
        ("at: 2001-12-14 21:59:43.10 -5", {"at": "2001-12-14T21:59:43.100000-05:00"}),
        ("license: !!binary YXBhY2hlLTIuMA==", {"license": "YXBhY2hlLTIuMA=="}),
        ("license: =", {"license": "="}),
        ("1: a\ntrue: b\nnull: c\n1.5: d", {"1": "a", "true": "b", "null": "c", "1.5": "d"}),
        ("2024-01-01: a", {"2024-01-01": "a"}),
        ("k: !!omap [b: 1, a: 2]", {"k": {"b": 1, "a": 2}}),
        ("k: !!pairs [a: 1, a: 2]", {"k": [["a", 1], ["a", 2]]}),
        ("base: &b {license: mit, x: 1}\nk:\n  <<: *b\n  x: 2", {
            "base": {"license": "mit", "x": 1}, "k": {"license": "mit", "x": 2}}),
        ("k: !!str 5", {"k": "5"}),
        ("k: 0x1F", {"k": 31}),
    ],
    ids=["set", "date", "timestamp", "binary", "value-tag", "non-string-keys", "date-key", "omap",
         "pairs", "merge-key", "str-tag", "hex"],
)
def test_yaml_constructs_become_plain_data(yaml_text: str, expected: dict[str, Any]) -> None:
    card = parse_card(card_of(yaml_text))
    assert card.front_matter == "ok", card.front_matter_error
    assert dict(card.metadata) == expected
    json.dumps(card.metadata)  # plain data: JSON can hold it as it is


@pytest.mark.parametrize(
    ("yaml_text", "error"),
    [
        ("license: !!bool maybe", "invalid YAML: !!bool 'maybe' is not true or false"),
        ("license: !!int ''", "invalid YAML: !!int '' is not a whole number"),
        ("license: !!float ''", "invalid YAML: !!float '' is not a number"),
        ("license: !!timestamp xyz", "invalid YAML: !!timestamp 'xyz' is not a date"),
        ("license: !!binary YQ", "invalid YAML: failed to decode base64 data"),
        ("license: !!python/name:os.system", "the tag !!python/name:os.system is not allowed"),
        ("!!python/object/apply:os.system ['echo hi']", "is not allowed in card metadata"),
        ("license: !custom x", "the tag !custom is not allowed in card metadata"),
        ("? [a, b]\n: c", "a key must be a plain value, not a list"),
        ("k: !!set [a]", "!!set must be a mapping of keys"),
        ("n: " + "9" * 5000, "!!int longer than 4300 characters"),
        ("a: &a [*a]", "front matter refers to itself"),
        ("x: \x01", "character #x0001 is not allowed"),
        ("a: " + "[" * (MAX_YAML_DEPTH + 5) + "]" * (MAX_YAML_DEPTH + 5), "nests deeper than"),
    ],
    ids=["bool", "int", "float", "timestamp", "bad-binary", "python-name", "python-apply",
         "custom-tag", "list-key", "set-of-list", "huge-int", "alias-loop", "control-char",
         "deep"],
)
def test_unusable_yaml_is_a_one_line_error(yaml_text: str, error: str) -> None:
    card = parse_card(card_of(yaml_text))
    assert card.front_matter == "invalid"
    assert card.front_matter_error is not None
    assert error in card.front_matter_error
    assert "\n" not in card.front_matter_error
    assert card.front_matter_error_line == 2
    assert card.metadata == {}


def test_parse_yaml_block_never_raises_on_any_byte() -> None:
    for code in range(0x110000 // 97):
        char = chr(code * 97)
        value, _lines, error, _line = parse_yaml_block(f"k: a{char}b\n{char}: [{char}]", 1)
        assert error is None or "\n" not in error
        json.dumps(value)


def test_nan_and_infinity_stay_numbers() -> None:
    meta = parse_card(card_of("a: .nan\nb: -.inf")).metadata
    assert math.isnan(meta["a"]) and meta["b"] == -math.inf


# --- the crashes of issue 12, through the whole pipeline ----------------------------------------


@pytest.mark.parametrize(
    "front_matter",
    ["license: mit\npipeline_tag: [text-generation]", "license: mit\npipeline_tag: {a: b}",
     "license: mit\ntags: [1, {a: b}, [c]]", "license: [mit, 5, {a: b}]",
     "license: mit\nbase_model: {a: b}\ndatasets: 7", "license: mit\nlicense_name: [x]",
     "license: mit\nopenness: [1]", "license: mit\nopenness: {code: 5, data: [x]}",
     "license: mit\nopenness: {data: {sources: [5, {id: [1], size: {}, shared: maybe}]}}",
     "license: mit\nopenness: {weights: {released: [false]}, code: [{url: 5, covers: [1]}]}",
     "license: mit\nextra_gated_prompt: {a: b}"],
)
def test_wrong_types_are_findings_not_crashes(front_matter: str) -> None:
    data = graded(card_of(front_matter))
    assert "OW109" in rules_fired(data)


@pytest.mark.parametrize(
    "tag", ["!!bool maybe", "!!int ''", "!!float ''", "!!timestamp xyz"]
)
def test_bad_tagged_license_is_front_matter_unusable(tag: str) -> None:
    data = graded(card_of(f"license: {tag}"))
    unusable = [f for f in data["findings"] if f["rule"] == "OW103"]
    assert len(unusable) == 1 and unusable[0]["location"]["line"] == 2
    assert data["grade"] == "F"


def test_a_set_of_licenses_is_sorted() -> None:
    data = graded(card_of("license: !!set {mit, apache-2.0, bsd}"))
    message = next(f["message"] for f in data["findings"] if f["rule"] == "OW211")
    assert "(apache-2.0, bsd, mit)" in message


def test_pipeline_tag_list_is_ignored_with_its_line() -> None:
    data = graded(card_of("license: mit\npipeline_tag: [text-generation]"))
    [finding] = [f for f in data["findings"] if f["rule"] == "OW109"]
    assert finding["location"]["line"] == 3
    assert finding["message"] == "pipeline_tag must be a string, not a list: ignored"
    # OW104 does not report the same value a second time.
    assert not [f for f in data["findings"] if f["rule"] == "OW104" and "pipeline_tag" in
                f["message"]]


# --- the typed view ---------------------------------------------------------------------------


def test_typed_view_keeps_good_values_and_records_the_rest() -> None:
    card = parse_card(card_of(
        "license: [mit, 5, apache-2.0]\n"
        "pipeline_tag: text-generation\n"
        "tags: vision\n"
        "openness:\n"
        "  code:\n"
        "    - url: 7\n"
        "    - url: https://example.org/x\n"
        "      covers: [training, 3]\n"
        "  data: {released: partial, sources: [{id: a/b, size: 10, share: yes}]}\n"
    ))
    view = card.meta
    assert view.located("license") == [("mit", 2), ("apache-2.0", 2)]
    assert view.text("pipeline_tag") == "text-generation"
    assert view.texts("tags") == ["vision"]
    code = view.get("openness", "code")
    assert code[0] == {} and code[1]["url"] == "https://example.org/x"
    assert code[1]["covers"] == ["training", None]
    assert view.get("openness", "data", "sources", 0) == {"id": "a/b", "size": 10}
    assert [(p.path, p.expected) for p in view.problems] == [
        (("license", 1), "a string"),
        (("openness", "code", 0, "url"), "a string"),
        (("openness", "code", 1, "covers", 1), "a string"),
        (("openness", "data", "sources", 0, "share"), "a number"),
    ]


def test_typed_view_of_hub_api_data() -> None:
    view = CardMetadata({"pipeline_tag": ["x"], "tags": ["a", 1], "base_model": "org/base"})
    assert view.text("pipeline_tag") is None
    assert view.texts("tags") == ["a"]
    assert view.texts("base_model") == ["org/base"]
    assert {p.path for p in view.problems} == {("pipeline_tag",), ("tags", 1)}


def test_null_is_absent_not_a_problem() -> None:
    view = parse_card(card_of("license:\npipeline_tag:\ndatasets: [a/b, null]")).meta
    assert view.problems == ()
    assert view.texts("datasets") == ["a/b"]


# --- lines --------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_agree_whatever_the_line_endings(newline: str) -> None:
    text = newline.join([
        "---", "license: mit", "tags:", "- a", "---", "# Model", "", "## Training data",
        "Trained on open source books.", "",
    ])
    card = parse_card(text)
    assert card.front_matter == "ok"
    assert card.key_lines[("license",)] == 2 and card.key_lines[("tags", 0)] == 4
    assert card.body_start_line == 6
    assert [(s.title, s.line, s.end_line) for s in card.sections] == [
        ("Model", 6, 7), ("Training data", 8, 9)]
    offset = card.body.index("open source")
    assert card.body_line(offset) == 9
    assert card.line_at_offset(card.text.index("open source")) == 9
    assert card.sections[1].line_at(card.sections[1].body.index("open")) == 9


def test_other_unicode_line_separators_are_not_line_breaks() -> None:
    card = parse_card("---\nlicense: mit\n---\n# A\u2028still the heading line\x0c\n## B\n")
    assert [(s.title, s.line) for s in card.sections][1] == ("B", 5)


def test_body_starts_after_a_closing_line_at_the_very_end() -> None:
    card = parse_card("---\nlicense: mit\n---")
    assert card.front_matter == "ok" and card.body == "" and card.body_start_line == 4


def test_strip_comments_is_the_regex_it_replaces() -> None:
    import re

    for text in ["a <!-- x --> b <!-- y", "<!-- a <!-- b --> c -->", "<!---->", "a", "<!-- x"]:
        assert strip_comments(text) == re.sub(r"<!--.*?-->", "", text, flags=re.S)


def _split_sections_by_lines(text: str, first_line: int) -> list[tuple[Any, ...]]:
    """The straightforward version (a list of every line) that split_sections must agree with."""
    import re

    from openweights.card import _setext_title

    tag = re.compile(r"<[^<>\n]{0,500}>")
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    heads: list[tuple[int, int, str, int]] = []
    fence: str | None = None
    for i, line in enumerate(lines):
        # CommonMark: a fence closes at the same character, at least as long, nothing after.
        m = re.match(r"^[ \t]{0,3}(`{3,}|~{3,})(.*)$", line)
        if m:
            marker, rest = m.groups()
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not rest.strip():
                fence = None
            continue
        if fence:
            continue
        h = re.match(r"^(#{1,6})[ \t]+(.+)$", line.strip()) if line.startswith(
            ("#", " #", "  #", "   #")) else None
        if h:
            heads.append((i, len(h.group(1)), tag.sub("", h.group(2).rstrip(" \t#")).strip(" *_`"),
                          i + 1))
            continue
        u = re.match(r"^ {0,3}(=+|-+)[ \t]*$", line)
        if u and i > 0 and _setext_title(lines[i - 1]) and not (heads and heads[-1][0] == i - 1):
            heads.append((i - 1, 1 if u.group(1)[0] == "=" else 2,
                          tag.sub("", lines[i - 1]).strip(" *_`"), i + 1))
            continue
        x = re.match(r"(?i)^ {0,3}<h([1-6])(?:\s[^>]*)?>(.*?)</h\1>\s*$", line)
        if x and tag.sub("", x.group(2)).strip(" *_`"):
            heads.append((i, int(x.group(1)), tag.sub("", x.group(2)).strip(" *_`"), i + 1))
    out = []
    for n, (i, level, title, body_start) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        out.append((title, level, first_line + i, first_line + end - 1,
                    "\n".join(lines[body_start:end]), first_line + body_start))
    return out


def test_split_sections_agrees_with_the_line_by_line_version() -> None:
    import random

    from openweights.card import split_sections

    pieces = ["# A", "## B ##", "   ### C", "    # not", "#D", "```", "~~~", " ```py", "text",
              "", "####### seven", "# <b>T</b> `x`", "\t# tab", "# ", "\u2028", "x\x0cy",
              "````", "~~~~ ", "``` x", "  ~~~",
              "===", "---", " -- ", "   ===  ", "    ---", "- item", "<h2>H</h2>",
              "<H3 class=x>T <i>i</i></h3>", "<h1></h1>", "<!-- c -->", "1. x", "> q"]
    rng = random.Random(12)
    for _ in range(3000):
        lines = [rng.choice(pieces) for _ in range(rng.randint(0, 12))]
        text = "\n".join(lines) + rng.choice(["", "\n", "\n\n"])
        got = [(s.title, s.level, s.line, s.end_line, s.body, s.body_line)
               for s in split_sections(text, 5)]
        assert got == _split_sections_by_lines(text, 5), repr(text)


def test_heading_chain_agrees_with_a_walk_back_over_the_headings() -> None:
    import random

    from openweights.card import parse_card

    rng = random.Random(7)
    for _ in range(300):
        lines = [rng.choice(["text", "", "#" * rng.randint(1, 6) + " H"]) for _ in range(30)]
        card = parse_card("\n".join(f"{line}{i}" if line.startswith("#") else line
                                    for i, line in enumerate(lines)))
        for line in range(0, 33):
            expected: list[str] = []
            level = 7
            for section in reversed(card.sections):
                if section.line <= line and section.level < level:
                    expected.append(section.title)
                    level = section.level
            assert card.heading_chain(line) == expected, (lines, line)


def _lines_one_by_one(body: str) -> list[str]:
    """``Card.body_lines`` as first written: a find and a slice per line."""
    out, start = [], 0
    while start < len(body):
        end = body.find("\n", start)
        if end == -1:
            out.append(body[start:])
            break
        out.append(body[start:end])
        start = end + 1
    return out


@pytest.mark.parametrize("ending", ["", "\n", "\n\n", "x", "\r\n"])
def test_body_lines_split_by_blocks_are_the_lines(ending: str) -> None:
    # Lines around and across the block boundary, long lines, blank runs.
    pieces = ["", "a", "b" * 70_000, "\r", "", "c d", "e" * 65_535, "f" * 65_536, "", ""]
    for n in range(1, len(pieces) + 1):
        body = "\n".join(pieces[:n]) + ending
        card = parse_card(card_of("license: mit", body))
        assert len(card.body) >= len(body) - body.count("\r")
        assert list(card.body_lines()) == _lines_one_by_one(card.body)
    short = parse_card(card_of("license: mit", "one\n\ntwo\n"))
    assert list(short.body_lines()) == ["one", "", "two"]
