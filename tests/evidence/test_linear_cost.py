"""Every pass over a card is linear in its size: shapes that once made one super-linear.

Each shape was quadratic, cubic or exponential in some evidence pass or rule (a regex that
backtracks, a rescan per match, a suggestion search per value) and took from seconds to hours
at this size; each now grades in well under a second. The bound is generous for a shared CI
machine: the point is the difference between linear and not. The time per size, side by side
with the floor, is measured by benchmarks/bench_scaling.py.

Every format owcheck writes itself is rendered. The BOM formats are not: cyclonedx-python-lib
checks a BOM's dependency graph with a linear search per component (``Bom.validate``), so
thousands of code links or datasets take seconds to tens of seconds there whatever owcheck does.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator

import pytest

from openweights.card import parse_card
from openweights.check import check_bundle
from openweights.formats import FORMATS, renderer
from openweights.sources import Bundle, ModelMaterial

# Formats built on a third-party model whose cost is its own (see the module docstring).
OWN_FORMATS = [f for f in FORMATS if f not in ("cyclonedx", "spdx")]

SIZE = 200_000
BOUND = 5.0
FM = "---\nlicense: apache-2.0\n---\n"

SHAPES: dict[str, Callable[[int], str]] = {
    # heading regex `(.+?)[ \t#]*$`: quadratic in a run of spaces
    "heading-with-spaces": lambda n: FM + "# a" + " " * n + "b\n",
    # the line around each code link rescanned per link
    "code-links-on-one-line": lambda n: FM + "## Training\n"
    + "".join(f"training code https://github.com/a/b{i} " for i in range(n // 40)) + "\n",
    # `<!--.*?-->` from every unclosed opening
    "unclosed-comments": lambda n: FM + "## Training data\n" + "<!-- " * (n // 5) + "\n",
    # the suppression regex: unclosed, and codes followed by spaces
    "unclosed-suppressions": lambda n: FM + "<!-- owcheck: ignore OW101 -- " * (n // 30),
    "suppression-with-spaces": lambda n: FM + "<!-- owcheck: ignore OW1" + " " * n + "x\n",
    # `\b\d[\d.,]*` from every digit of a run
    "digit-run": lambda n: FM + "## Training data\n" + "1," * (n // 2) + "\n",
    # nested quantifiers in the base-model name: exponential in the digits
    "base-model-digits": lambda n: FM + "Fine-tuned from A" + "1" * 60 + " architecture.\n",
    # `/blob/[^\s]*/` from every /blob/ of a long URL
    "long-blob-url": lambda n: FM + "## Training code\nhttps://github.com/a/b"
    + "/blob/x" * (n // 7) + "\n",
    # a "did you mean" search per unknown license id (2,000 ids: 2,000 findings to render)
    "many-unknown-licenses": lambda n: "---\nlicense:\n"
    + "".join(f"  - weird-{i}\n" for i in range(n // 100)) + "---\n",
    # `<[^>]+>` in a heading from every unclosed "<"
    "heading-of-angle-brackets": lambda n: FM + "# " + "<" * n + "\n",
    # Base models from the card's words (openweights/evidence/bases.py):
    # a mergekit line `^\s*-?\s*model:` ran across blank lines: cubic in them
    "blank-lines": lambda n: FM + "# A model\n" + "\n" * n + "x\n",
    # the template anchor `^\s*[-*]*\s*\**\s*(?:finetuned from|...)`: cubic in leading spaces
    "body-starting-with-spaces": lambda n: FM + " " * n + "x\n",
    "finetuned-from-then-spaces": lambda n: FM + "Finetuned from" + " " * n + "x\n",
    # `\[[^\]]*\]` after every "tuned" scanned to the end of the card: quadratic, at C speed,
    # so three times the size to show
    "unclosed-brackets-after-tuned": lambda n: FM + "# A model\n" + "tuned [" * (3 * n // 7),
    # link targets between two base names: `(?:...|\]\([^)]*\)|...)*` overlapped the single
    # brackets, exponential in the "]()" of one sentence
    "links-between-two-bases": lambda n: FM + "# A model\n" + (
        "This model is fine-tuned from Llama 2 7B " + "]()" * 40 + "x and Mistral 7B.\n"
    ) * (n // 170),
    # the title's own-name check tokenised the whole title once per model it names
    "title-naming-many-bases": lambda n: FM + "# " + "Llama 2 " * (n // 8) + "\n",
    # License statements (openweights/evidence/licenses.py): `^\s*-?\s*license:` on a line
    # that starts with spaces, and `research\s+(?:use)?\s*only`: quadratic in the spaces
    "spaces-then-a-license-word": lambda n: FM + "# A model\n" + " " * n + "x license\n",
    "research-then-spaces": lambda n: FM + "# A model\nresearch" + " " * n + "x\n",
    # Code links, license badges and training data named in the text (openweights/codelinks.py,
    # openweights/lookups.py): each mention read its whole line (the text before it, its
    # sentence from the line's start, its cell)...
    "dataset-links-on-one-line": lambda n: FM + "# A model\n"
    + "".join(f"huggingface.co/datasets/a/b{i} " for i in range(n // 30)) + "\n",
    "corpus-names-on-one-line": lambda n: FM + "## Training data\n"
    + "trained on The Pile and C4 and RedPajama " * (n // 42) + "\n",
    "license-badges-on-one-line": lambda n: FM + "# A model\n"
    + "".join(f"license https://github.com/a/b{i}/blob/main/LICENSE " for i in range(n // 50)),
    "links-in-an-open-table-row": lambda n: FM + "# Code\n| "
    + "".join(f"training https://github.com/a/b{i} " for i in range(n // 40)) + "\n",
    # ...a bare domain was looked for from every word boundary of a run of [\w.-]...
    "dotted-run-after-a-code-link": lambda n: FM + "# A model\ntraining code "
    "https://github.com/a/b " + "a." * (n // 2) + "\n",
    # ...and `<[^>]+>` ran from every unclosed "<" to the end of the sentence
    "angle-brackets-after-a-license-badge": lambda n: FM + "# A model\nlicense "
    "https://github.com/a/b/blob/main/LICENSE " + "<" * n + "\n",
}


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail (rather than hang) when a shape takes far longer than the bound."""

    def expired(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"took more than {4 * BOUND:.0f} s: super-linear again?")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, 4 * BOUND)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shape_grades_in_linear_time(shape: str, deadline: None) -> None:
    text = SHAPES[shape](SIZE)
    parse_card.cache_clear()
    start = time.perf_counter()
    report = check_bundle(Bundle(ModelMaterial(id="README.md", source="local", card_text=text)))
    for fmt in OWN_FORMATS:
        renderer(fmt)(report)
    elapsed = time.perf_counter() - start
    assert elapsed < BOUND, f"{shape}: {elapsed:.2f} s for {len(text):,} characters"


def test_directives_on_one_long_line_are_read_in_linear_time(deadline: None) -> None:
    # The backticks before each comment (is it inside a code span?) were counted from the start
    # of its line: quadratic, at C speed, so it takes a 2 MB line to show. Only the directives
    # are read here: grading 50,000 unused suppressions is a matter of output volume.
    from openweights.suppressions import parse_directives

    text = FM + "<!-- owcheck: ignore OW301 --> `x` " * 55_000
    start = time.perf_counter()
    directives = parse_directives(text)
    elapsed = time.perf_counter() - start
    assert len(directives.suppressions) == 55_000
    assert elapsed < BOUND, f"{elapsed:.2f} s for {len(text):,} characters"
