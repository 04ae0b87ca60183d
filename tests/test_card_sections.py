"""Sections the way the Hub renders them: ATX, Setext and HTML headings (no false OW401)."""

from __future__ import annotations

import json
from pathlib import Path

from openweights.card import parse_card
from tests.support import run_owcheck

CARD = """---
license: apache-2.0
---
My model
========

Intro text.

Training Data
-------------

We trained on 1T tokens of web text, listed below.

<h2 id="eval">Evaluation <em>results</em></h2>

Scores.

## Usage
Run it.
Not a heading
---
- a list item
---

```
Code, not a title
-----------------
<h2>Nor this</h2>
```
"""


def test_setext_and_html_headings_are_sections() -> None:
    card = parse_card(CARD)
    found = [(s.title, s.level, s.line) for s in card.sections]
    assert found == [
        ("My model", 1, 4),
        ("Training Data", 2, 9),
        ("Evaluation results", 2, 14),
        ("Usage", 2, 18),
        ("Not a heading", 2, 20),
    ]
    data = card.find_sections("training data")[0]
    assert data.body.strip() == "We trained on 1T tokens of web text, listed below."
    offset = data.body.index("We trained")
    assert data.line_at(offset) == 12
    assert CARD.splitlines()[data.line_at(offset) - 1].startswith("We trained")


def test_a_setext_training_data_section_is_not_reported_missing(tmp_path: Path) -> None:
    for heading in ("Training Data\n-------------\n", "<h2>Training data</h2>\n",
                    "  <H3 class='x'>Training Data</H3>\n"):
        (tmp_path / "README.md").write_text(
            "---\nlicense: apache-2.0\n---\nModel\n=====\n\n" + heading
            + "\nWeb text: 1T tokens from a public crawl.\n"
        )
        done = run_owcheck(str(tmp_path), "-f", "json", "--select", "OW401")
        data = json.loads(done.stdout)
        assert [f["rule"] for f in data["findings"]] == [], heading
