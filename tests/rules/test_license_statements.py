"""OW214, one rule for every disagreement between statements of the weights' license: the
metadata, the LICENSE file, the openness block, the card's sentences and weight-file headers,
each read by one resolver (catalogue ids and SPDX expressions alike)."""

from __future__ import annotations

from pathlib import Path

from openweights.card import parse_card
from openweights.check import check_bundle
from openweights.choices import Severity
from openweights.evidence.licenses import Resolver, read_prose
from openweights.licensing.catalogue import load_catalogue
from openweights.licensing.grader import DEFAULT_THRESHOLDS
from openweights.report import Report
from openweights.rules import Finding
from openweights.sources.local import LocalSource
from openweights.suppressions import parse_directives
from tests.weightfile_fixtures import gguf_bytes


def _grade(root: Path, card: str, files: dict[str, bytes] | None = None) -> Report:
    (root / "README.md").write_text(card, encoding="utf-8")
    for name, data in (files or {"model.safetensors": b"weights\n"}).items():
        (root / name).write_bytes(data)
    return check_bundle(LocalSource().fetch(str(root)))


def _ow214(report: Report) -> list[Finding]:
    return [f for f in report.active_findings if f.rule == "OW214"]


def test_every_place_is_named_and_the_finding_sits_on_the_first_that_departs(
    tmp_path: Path,
) -> None:
    card = (
        "---\nlicense: apache-2.0\nopenness:\n  weights: {released: true, license: apache-2.0}\n"
        "---\n# A model\n\nThe model weights are released under the CC BY-NC 4.0 license.\n"
    )
    report = _grade(tmp_path, card)
    [hit] = _ow214(report)
    assert hit.name == "license-statements-disagree" and hit.severity is Severity.ERROR
    assert hit.line == 8  # the sentence; the metadata and the block agree with each other
    assert hit.message.startswith("metadata says apache-2.0; the card's text (README.md:8) says ")
    assert hit.message.endswith("the least open reading applies: cc-by-nc-4.0 (not-open)")
    assert report.evidence.own_license.entry.id == "cc-by-nc-4.0"  # type: ignore[union-attr]
    assert report.grade.letter == "F"


def test_an_expression_agrees_with_any_license_it_names_wherever_it_is_written(
    tmp_path: Path,
) -> None:
    # In the metadata, against the block; then in the block, against a weight-file header.
    for sub, card, files in [
        ("a", "---\nlicense: MIT OR Apache-2.0\nopenness:\n  weights: {license: apache-2.0}\n"
         "---\n# M\n", None),
        ("b", "---\nopenness:\n  weights: {license: MIT OR Apache-2.0}\n---\n# M\n",
         {"model.gguf": gguf_bytes({"general.license": "apache-2.0"})}),
    ]:
        (tmp_path / sub).mkdir()
        report = _grade(tmp_path / sub, card, files)
        assert not _ow214(report), sub
        assert report.grade.components["weights"].evidence.license.verdict.value == "open"


def test_a_header_expression_is_read_by_the_same_resolver(tmp_path: Path) -> None:
    # `A AND B` binds both parts: the header is as open as its least open part.
    header = gguf_bytes({"general.license": "apache-2.0 AND cc-by-nc-4.0"})
    report = _grade(tmp_path, "---\nlicense: apache-2.0\n---\n# M\n", {"m.gguf": header})
    [statement] = [s for s in report.evidence.statements if s.source == "weight-file"]
    assert statement.entry is not None and statement.entry.id == "cc-by-nc-4.0"
    assert set(statement.ids) == {"apache-2.0", "cc-by-nc-4.0"}
    # It names apache-2.0 too, so it agrees with the metadata; the least open reading still
    # applies to the weights.
    assert not _ow214(report)
    assert report.evidence.own_license.entry.id == "cc-by-nc-4.0"  # type: ignore[union-attr]


def test_the_block_alone_names_the_license_a_header_alone_does_not(tmp_path: Path) -> None:
    header = {"m.gguf": gguf_bytes({"general.license": "mit"})}
    (tmp_path / "block").mkdir()
    block = _grade(tmp_path / "block",
                   "---\nopenness:\n  weights: {license: apache-2.0}\n---\n# M\n", header)
    assert block.evidence.own_license.source == "openness"
    assert block.evidence.own_license.entry.id == "apache-2.0"  # type: ignore[union-attr]
    [hit] = _ow214(block)
    assert "the weight file's header (m.gguf) says mit" in hit.message
    (tmp_path / "header").mkdir()
    alone = _grade(tmp_path / "header", "---\ntags: [gguf]\n---\n# M\n", header)
    assert alone.evidence.own_license.source == "none"  # a header only ever lowers


def test_a_named_license_beats_the_same_restriction_stated_in_words(tmp_path: Path) -> None:
    card = (
        "---\nlicense: apache-2.0\nopenness:\n  weights: {license: cc-by-nc-4.0}\n---\n"
        "# A model\n\nThe model weights are released for non-commercial use only.\n"
    )
    report = _grade(tmp_path, card)
    assert report.evidence.own_license.entry.id == "cc-by-nc-4.0"  # type: ignore[union-attr]
    [hit] = _ow214(report)
    assert "stated:" not in hit.message and hit.line == 4


FENCED = """---
license: apache-2.0
---
# A model

````markdown
```python
## Not a section
```
<!-- owcheck: ignore OW301 -- an example inside the fence -->
The model weights are released under the CC BY-NC 4.0 license.
````

License
-------
The model weights are released under the Apache 2.0 license.
"""


def test_sections_statements_and_suppressions_read_fences_alike() -> None:
    card = parse_card(FENCED, "README.md")
    # A four-backtick fence is not closed by the three-backtick lines inside it.
    assert [s.title for s in card.sections] == ["A model", "License"]
    assert set(range(6, 13)) <= card.fenced_lines and 14 not in card.fenced_lines
    assert not parse_directives(FENCED).suppressions
    res = Resolver(load_catalogue(), None, DEFAULT_THRESHOLDS)
    placed = {(st.finding.entry.id, st.finding.origin.line) for st in read_prose(card, res)
              if st.finding.entry is not None}
    # The Setext License section's sentence is read on its own line.
    assert placed == {("apache-2.0", 16)}
