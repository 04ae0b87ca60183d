"""The reader of plain block YAML (``openweights/frontmatter.py``) against the full reader.

Whatever block the simple reader accepts, it must give exactly what the full reader
(``openweights/yamlplain.py``, libyaml) gives: the same value, compared with its types (``True``
is not ``1``, ``1`` is not ``1.0``), and the same key lines in the same order. It may decline
anything. Checked over every card we have (our fixtures, examples, rule examples, the loopback
Hub's repos, the shared corpus when present), over mutants of them (the fuzz test's mutator and
one that targets the subset's edges), over random scalars, and on cases for each construct.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from openweights.card import FRONT_MATTER, normalise_newlines, parse_yaml_block
from openweights.frontmatter import decline_reason, read_simple
from openweights.yamlplain import read_yaml
from tests.fuzzing import make_case, seeds
from tests.support import FIXTURES, corpus_cards, requires_corpus

BASE_LINE = 3
FUZZ_CASES = 1500
EDGE_MUTANTS = 20_000
RANDOM_SCALARS = 10_000
BLOCK_SCALARS = 10_000
PURE_CASES = 3000


def tagged(value: Any) -> Any:
    """``value`` with the type of every part spelled out, so that equal means identical."""
    if isinstance(value, dict):
        return ("dict", [(tagged(k), tagged(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [tagged(v) for v in value])
    return (type(value).__name__, repr(value))


def agrees(block: str, pure: bool = False) -> bool:
    """True when the simple reader reads ``block``, False when it declines; fails the test
    when what it reads differs from the full reader's reading (with libyaml, or with PyYAML's
    Python scanner when ``pure``)."""
    simple = read_simple(block, BASE_LINE)
    if simple is None:
        # A decline, with its reason, and not a flaw hidden as one (decline_reason raises it).
        assert decline_reason(block), block
        return False
    value, lines, error, _ = read_yaml(block, BASE_LINE, pure=pure)
    assert error is None, f"the full reader refuses what the simple one read: {error}\n{block}"
    assert tagged(simple[0]) == tagged(value), block
    assert list(simple[1].items()) == list(lines.items()), block
    return True


def front_matter(text: str) -> str | None:
    """The YAML block of a card, as ``parse_card`` cuts it out."""
    match = FRONT_MATTER().match(normalise_newlines(text.lstrip("\ufeff")))
    return match.group(2) if match else None


@cache
def seed_blocks() -> tuple[tuple[str, str], ...]:
    """(name, block) of every card we have with front matter: the fuzz seeds (fixtures,
    examples, the Hub's repos, rule examples, the corpus) and every card under fixtures."""
    found: dict[str, str] = {}
    for seed in seeds():
        found[seed.name] = seed.card.decode("utf-8", "replace")
    for path in sorted(FIXTURES.rglob("*.md")):
        found.setdefault(str(path.relative_to(FIXTURES)), path.read_text("utf-8", "replace"))
    blocks = ((name, front_matter(text)) for name, text in found.items())
    return tuple((name, block) for name, block in blocks if block is not None)


def test_every_card_we_have_reads_the_same_or_is_declined() -> None:
    accepted = sum(agrees(block) for _name, block in seed_blocks())
    # Most of our own cards are plain block YAML: the reader is exercised, not declining all.
    assert accepted > len(seed_blocks()) * 0.6, (accepted, len(seed_blocks()))


@requires_corpus
def test_most_corpus_cards_are_read_without_pyyaml() -> None:
    blocks = [b for b in (front_matter(p.read_text("utf-8", "replace")) for p in corpus_cards())
              if b is not None]
    declined = [decline_reason(b) for b in blocks if not agrees(b)]
    accepted = len(blocks) - len(declined)
    reasons = sorted({str(r) for r in declined})
    # Shown with -s (and in the integrator's report): the share the pre-commit path gains on.
    sys.stdout.write(f"\nfrontmatter: {accepted}/{len(blocks)} corpus cards read without PyYAML;"
                     f" declined for: {'; '.join(reasons)}\n")
    assert accepted >= 0.85 * len(blocks), (accepted, len(blocks), reasons)


def test_mutants_of_the_fuzz_test_read_the_same_or_are_declined() -> None:
    accepted = total = 0
    for number in range(FUZZ_CASES):
        text = make_case(20_261_130, number).card.decode("utf-8", "surrogateescape")
        block = front_matter(text)
        if block is not None:
            total += 1
            accepted += agrees(block)
    assert total > FUZZ_CASES // 2 and accepted > total // 10, (accepted, total)


# --- a mutator at the subset's edges --------------------------------------------------------

TRICKY_SCALARS = (
    # numbers of every YAML 1.1 shape, and text that only looks like one
    "0", "-0", "+0", "7", "-12", "+12", "012", "09", "0o17", "0x1F", "0b101", "1_000", "1:30",
    "1:30.5", "190:20:30", "1.5", "-1.5", "+1.5", "1.", "00.5", ".5", "-.5", "+.5", "1.5e+3",
    "1.5E-3", "1.5e3", "1e+5", "1e5", "3e-4", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "1.2.3",
    "1.5B", "7b", "2B-v2", "0.5x", "1 2", "1-2", "2024-01-01", "2024-1-1 10:00:00",
    "2001-12-14t21:59:43.10-05:00", "20240101", "12:99", "-", "+", "--1", "-x", "-1x",
    "9" * 120, "1." + "0" * 120,
    # booleans and nulls in every case, and near misses
    "yes", "Yes", "YES", "yEs", "no", "No", "NO", "true", "True", "TRUE", "tRue", "false",
    "False", "FALSE", "on", "On", "ON", "oN", "off", "Off", "OFF", "y", "n", "Y", "N", "null",
    "Null", "NULL", "nULL", "~", "~x", "None", "none", "=", "==", "<<", "<",
    # quoting, escapes, comments, indicators
    "'a''b'", "''", '""', "'it''s' # c", '"a\\"b"', '"\\u00e9\\x41\\U0001F600"', '"\\ud800"',
    '"\\q"', '"\\/\\t\\n\\\\\\0\\N\\_\\L\\P\\e\\ "', '"a\\', "'open", '"open', "x #c", "x#c",
    "x # c: d", "a: b", "a:b", "a:", "http://x.y/z", "[a, b]", "[a,b]", "[ ]", "[]", "[a, [b]]",
    "[a,]", "[a, , b]", "[a: b]", "[a, 'b, c', \"d\"]", "[1, 1.5, yes, ~, null, x y]",
    "[http://x, y]", "[a:b, c]", "[a:, b]", "[a:?b]", "[a?b]", "[a:]", "[a] #c", "[a]#c",
    "[a] x", "['a'b]", "{a: b}", "{}", "&x a", "*x", "!!str 1", "!x y", "|", "|-", ">", ">-",
    "|\n  x\n\n   y", ">-\n x\n y\n", "|+\n  x", ">1\n  x", "%x", "@x", "`x", "?x", "? x",
    ":x", "- a", "-  a", "a  b", "a   ",
    "é", "日本語", "a\u00a0", "\u00a0a",
)
KEY_WORDS = ("license", "tags", "a", "1", "1.0", "yes", "null", "~", "'q k'", '"d k"', "x y",
             "<<", "on", "-k", "[k]", "k#", "k #c")


def _mutate(rng: random.Random, block: str) -> str:
    lines = block.split("\n")
    for _ in range(rng.choice((1, 1, 2, 3))):
        if not lines:
            lines = [""]
        i = rng.randrange(len(lines))
        line = lines[i]
        indent = len(line) - len(line.lstrip(" "))
        roll = rng.randrange(11)
        if roll == 0 and ": " in line:  # a new value
            head = line[: line.index(": ") + 2]
            lines[i] = head + rng.choice(TRICKY_SCALARS)
        elif roll == 1 and line.lstrip().startswith("- "):  # a new item
            lines[i] = line[: line.index("- ") + 2] + rng.choice(TRICKY_SCALARS)
        elif roll == 2:  # indented differently
            shift = rng.choice((-2, -1, 1, 2))
            lines[i] = " " * max(0, indent + shift) + line.lstrip(" ")
        elif roll == 3:
            lines.insert(i, line)
        elif roll == 4:
            lines.insert(i, " " * rng.randrange(6) + rng.choice(("", "#", "# c", "  ")))
        elif roll == 5 and " " in line.strip():  # broken over two lines
            cut = rng.choice([j for j, c in enumerate(line) if c == " " and j > indent])
            lines[i : i + 1] = [line[:cut], " " * rng.randrange(8) + line[cut + 1 :]]
        elif roll == 6:
            del lines[i]
        elif roll == 7:  # an item or an entry more or less
            stripped = line.lstrip(" ")
            lines[i] = (" " * indent + stripped[2:] if stripped.startswith("- ")
                        else " " * indent + "- " + stripped)
        elif roll == 8:
            lines[i] = line + rng.choice((" # c", "#c", "  ", " :", ":", " - x"))
        elif roll == 9:  # a new entry
            key = rng.choice(KEY_WORDS)
            lines.insert(i, " " * indent + f"{key}: {rng.choice(TRICKY_SCALARS)}")
        else:  # an entry left empty, something below it
            lines.insert(i, " " * indent + rng.choice(KEY_WORDS) + ":")
            lines.insert(i + 1, " " * (indent + rng.choice((0, 1, 2, 4))) + rng.choice(
                ("- " + rng.choice(TRICKY_SCALARS), rng.choice(TRICKY_SCALARS), "k: v", "-")))
    return "\n".join(lines)


def edge_mutants(count: int) -> Iterator[str]:
    """``count`` mutants of our cards by ``_mutate``."""
    blocks = [block for _name, block in seed_blocks() if block.strip()]
    for number in range(count):
        rng = random.Random(f"frontmatter:{number}")
        yield _mutate(rng, rng.choice(blocks))


def block_scalar_cases(count: int) -> Iterator[str]:
    """``count`` blocks holding a block scalar: headers, places, indentations and blank,
    comment-like or less indented lines in and after it, at random."""
    rng = random.Random("frontmatter-block-scalars")
    texts = ("a", "b c", "", "", " ", "   ", "# x", "- y", "k: v", "'q", "x  ")
    for _ in range(count):
        header = rng.choice(("|", "|-", ">", ">-", "|", ">", "| # c", ">-  ", "|+", ">2", "|x"))
        where = rng.choice(("", "  ", "- ", "k:\n- ", "k:\n  - ", "k:\n  j: 1\n  "))
        indent = len(where.rsplit("\n", 1)[-1])
        body = [" " * rng.choice((indent + 1, indent + 2, indent + 4, indent, 1))
                + rng.choice(texts[:2])]
        body += [" " * rng.randrange(indent + 6) + rng.choice(texts)
                 for _ in range(rng.randrange(6))]
        after = rng.choice(("", "", "\n", "\nz: 1", "\n- z", "\n  z: 1", "\n# c"))
        yield f"{where}v: {header}\n" + "\n".join(body) + after


def scalar_cases(count: int) -> Iterator[str]:
    """Blocks holding ``count`` random scalars made of digits, signs, dots, underscores,
    colons, letters of booleans, nulls and exponents, quotes and flow indicators: as a value,
    an item, in a flow sequence, as a key."""
    rng = random.Random("frontmatter-scalars")
    alphabet = "0123456789" * 3 + ".-+_:eExXbo~ nNuUlLtTrRyYsSfFaA'\"#[],?/"
    for _ in range(count):
        scalar = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))).strip()
        if scalar:
            yield from (f"k: {scalar}", f"- {scalar}", f"k: [{scalar}, x]", f"{scalar}: v")


def test_mutants_at_the_subsets_edges_read_the_same_or_are_declined() -> None:
    accepted = sum(agrees(block) for block in edge_mutants(EDGE_MUTANTS))
    # The mutants stay inside the subset often enough to test it, and leave it too.
    assert EDGE_MUTANTS // 5 < accepted < EDGE_MUTANTS, accepted


def test_random_block_scalars_read_as_libyaml_reads_them() -> None:
    accepted = sum(agrees(block) for block in block_scalar_cases(BLOCK_SCALARS))
    assert accepted > BLOCK_SCALARS // 6, accepted


def test_random_scalars_resolve_as_pyyaml_resolves_them() -> None:
    accepted = sum(agrees(block) for block in scalar_cases(RANDOM_SCALARS))
    assert accepted > RANDOM_SCALARS, accepted


def test_pyyamls_own_scanner_agrees_too() -> None:
    # Where libyaml is missing the full reader runs on PyYAML's Python scanner, which differs
    # from libyaml in places ("?" in a flow sequence): the subset avoids them. Fewer cases:
    # that scanner is ten times slower.
    blocks = [
        *(block for _name, block in seed_blocks()), *edge_mutants(PURE_CASES),
        *block_scalar_cases(PURE_CASES), *scalar_cases(PURE_CASES),
    ]
    accepted = sum(agrees(block, pure=True) for block in blocks)
    assert accepted > len(blocks) // 4, (accepted, len(blocks))


# --- constructs, one by one -----------------------------------------------------------------

READ = {
    # scalars
    "a: 1": {"a": 1},
    "a: -0": {"a": 0},
    "a: +12": {"a": 12},
    "a: 1.5": {"a": 1.5},
    "a: -0.0": {"a": -0.0},
    "a: 1.": {"a": 1.0},
    "a: 1.5e+3": {"a": 1500.0},
    "a: 1e5": {"a": "1e5"},
    "a: 1e+5": {"a": "1e+5"},
    "a: 1.0e5": {"a": "1.0e5"},
    "a: 1.5B": {"a": "1.5B"},
    "a: 1_000": {"a": 1000},
    "a: -1__": {"a": -1},
    "a: 1_0.5_": {"a": 10.5},
    "a: 1.2.3": {"a": "1.2.3"},
    "a: yes": {"a": True},
    "a: Off": {"a": False},
    "a: yEs": {"a": "yEs"},
    "a: ~": {"a": None},
    "a: NULL": {"a": None},
    "a: nULL": {"a": "nULL"},
    "a:": {"a": None},
    "a: # nothing": {"a": None},
    "a: b # c": {"a": "b"},
    "a: b#c": {"a": "b#c"},
    "a: 'it''s'": {"a": "it's"},
    "a: ' x '": {"a": " x "},
    'a: "\\t\\"\\u00e9\\/"': {"a": '\t"\u00e9/'},
    "a: -x": {"a": "-x"},
    "a: http://x.y": {"a": "http://x.y"},
    "a: b, c": {"a": "b, c"},
    "a: [b, 'c', \"d\", 1, yes, ~]": {"a": ["b", "c", "d", 1, True, None]},
    "a: []": {"a": []},
    "a: [b c ,d]": {"a": ["b c", "d"]},
    "a: [https://x.y/z, b:c]": {"a": ["https://x.y/z", "b:c"]},
    # keys
    "1: a": {"1": "a"},
    "1.50: a": {"1.5": "a"},
    "yes: a": {"true": "a"},
    "~: a": {"null": "a"},
    "'a b': c": {"a b": "c"},
    '"a": c': {"a": "c"},
    "a  : b": {"a": "b"},
    # structure
    "a:\n- b\n- c\nd: e": {"a": ["b", "c"], "d": "e"},
    "a:\n  - b\n  -\n  - c": {"a": ["b", None, "c"]},
    "- a: 1\n  b: 2\n- c": [{"a": 1, "b": 2}, "c"],
    "a:\n  b:\n    c: 1\n  d: 2\ne: 3": {"a": {"b": {"c": 1}, "d": 2}, "e": 3},
    "a: b\n  c\n  d": {"a": "b c d"},
    "a:\n  b\n c": {"a": "b c"},
    "a: 1\n  2": {"a": "1 2"},
    "a: |\n  b\n   c\n\n  d\ne: f": {"a": "b\n c\n\nd\n", "e": "f"},
    "a: |-\n  b\n  c\n": {"a": "b\nc"},
    "a: |\n  b": {"a": "b"},
    "a: 'x\n y  \n\n\n   z'": {"a": "x y\n\nz"},
    "a: '\n  x'\nb: 'y\n\n'": {"a": " x", "b": "y\n"},
    'a: "x\\ty\n  \\"z\\"" # c': {"a": 'x\ty "z"'},
    "- 'x\n# y\n  ---'": ["x # y ---"],
    "a: 'x   \n  y  '": {"a": "x y  "},
    "- 'x\n  y'\n- \"z\n\n  w\"": ["x y", "z\nw"],
    "a: >\n  b\n  c\n\n  d\n   e\n  f\n": {"a": "b c\nd\n e\nf\n"},
    "- >- # c\n  b\n  c\n- d": ["b c", "d"],
    "- a\n  b": ["a b"],
    "# only a comment\n\n": None,
    "# the Hub's template\n{}\n": {},
    "a: { }\nb: {} # c": {"a": {}, "b": {}},
    "": None,
}
"""Blocks the simple reader reads, and the value (the full reader agrees: checked too)."""

DECLINED = [
    "a: &x 1\nb: *x", "a: !!str 1", "a: !x 1", "a: |+\n  b", "a: >2\n  b", "a: 'b",
    "a: 'b\n---\n  c'", 'a: "b\\\n  c"', "'a\n b': c", "a: 'b\n  c' d", "a: {b: c}",
    "{}\na: 1", "{a: 1}", "a: [b, [c]]", "a: [b,\n  c]", "? a\n: b", "<<: {a: 1}",
    "%YAML 1.1\n---\na: 1", "a: 1\n---\nb: 2", "a: 1\n...", "a:\n\t- b", "a: b\tc", "a: b\r",
    "a: 1\na: 2", "yes: 1\ntrue: 2", "a: 2024-01-01", "a: 1:20", "a: 012", "a: 0x1f",
    "a: 0b1", "a: 0_1", "a: 09", "a: .inf", "a: -.inf", "a: .nan", "a: .5", "a: =", "a: <<",
    "a: b: c", "a: - b", "- - a", "a: b\n\n  c", "a: b\n  # c\n  d", "a: b #c\n  d",
    "a:\n  'b'", "plain text", "a: 1\n b: 2", "  a: 1\nb: 2", "a: [b,]", "a: 'b'c",
    "a: [b:]", "a: [b:, c]", "a: [b:?c]", "a: [b?c]",
    'a: "\\q"', 'a: "\\\'"', 'a: "\\ud800"', "a: \x85", "a: \ufeff", "a: \x7f",
    # past the limits: a long number, many nodes, deep nesting
    "a: " + "1" * 200, "a: [" + "b, " * 50_000 + "c]",
    "a:\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(1, 80)),
]
"""Blocks outside the subset: each is left to the full reader."""


@pytest.mark.parametrize("block", list(READ), ids=repr)
def test_read(block: str) -> None:
    assert agrees(block), decline_reason(block)
    assert tagged(parse_yaml_block(block, 1)[0]) == tagged(READ[block])


@pytest.mark.parametrize("block", DECLINED, ids=lambda b: repr(b)[:40])
def test_declined_and_read_by_the_full_reader(block: str) -> None:
    assert read_simple(block, 1) is None
    assert decline_reason(block)
    # parse_yaml_block still answers, through the full reader: same as it.
    assert parse_yaml_block(block, 1) == read_yaml(block, 1)


def test_lines_of_keys_and_items() -> None:
    block = "a: 1\n\nb:\n- x\n-\n  - y\n-\n- k: v\n  l: [m, n]\nc:\n  d: e\n"
    value, lines = read_simple(block, 5) or (None, {})
    assert value == {"a": 1, "b": ["x", ["y"], None, {"k": "v", "l": ["m", "n"]}],
                     "c": {"d": "e"}}
    assert lines == {
        ("a",): 5, ("b",): 7, ("b", 0): 8, ("b", 1): 10, ("b", 1, 0): 10, ("b", 2): 11,
        ("b", 3): 12, ("b", 3, "k"): 12, ("b", 3, "l"): 13, ("b", 3, "l", 0): 13,
        ("b", 3, "l", 1): 13, ("c",): 14, ("c", "d"): 15,
    }
    assert agrees(block)


# --- cost -----------------------------------------------------------------------------------

SIZE = 200_000


def _shapes() -> Iterator[tuple[str, str]]:
    yield "escapes", 'a: "' + "\\n" * (SIZE // 2) + '"'
    yield "quotes", "a: '" + "''" * (SIZE // 2) + "'"
    yield "long-flow", "a: [" + "b, " * (SIZE // 3) + "c]"
    yield "unclosed-flow", "a: [" + "b, " * (SIZE // 3)
    yield "colons", "a: " + "b:" * (SIZE // 2)
    yield "hashes", "a: " + "b#" * (SIZE // 2)
    yield "many-lines", "".join(f"k{i}: v\n" for i in range(SIZE // 10))
    yield "long-continuation", "a: b\n" + "  c\n" * (SIZE // 4)
    yield "deep-items", "".join(" " * i + "- \n" for i in range(200))


@pytest.mark.parametrize(("name", "block"), list(_shapes()), ids=[n for n, _ in _shapes()])
def test_linear_in_the_blocks_size(name: str, block: str) -> None:
    began = time.perf_counter()
    read_simple(block, 1)
    # Generous for a shared machine: quadratic work on 200,000 characters takes minutes.
    assert time.perf_counter() - began < 2.0, name


def test_the_refused_characters_are_those_outside_the_yaml_printable_set() -> None:
    # YAML 1.1's printable set (as libyaml and PyYAML's reader take it), less what the reader
    # declines besides: tabs, carriage returns, NEL, LS, PS and byte order marks. The pattern
    # lists what it refuses; here the set it must refuse is worked out from the ranges allowed.
    from openweights.frontmatter import _UNSUPPORTED_CHARACTER

    allowed = [(0x0A, 0x0A), (0x20, 0x7E), (0xA0, 0x2027), (0x202A, 0xD7FF), (0xE000, 0xFEFE),
               (0xFF00, 0xFFFD), (0x10000, 0x10FFFF)]
    every = "".join(map(chr, range(0x110000)))
    refused = {ord(c) for c in _UNSUPPORTED_CHARACTER().findall(every)}
    expected = set(range(0x110000)) - {c for lo, hi in allowed for c in range(lo, hi + 1)}
    assert refused == expected
