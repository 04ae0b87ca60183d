"""License values as SPDX expressions: OR takes the most open alternative, AND the least open
part; the openness block's weights license is checked against the metadata and LICENSE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openweights.licensing.catalogue import load_catalogue
from openweights.licensing.expressions import ExpressionError, is_expression, read_expression
from openweights.licensing.grader import grade_license
from tests.support import run_owcheck, validate_report


def _rank(entry: object) -> int:
    return grade_license(entry).verdict.rank  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "decides"),
    [
        ("MIT OR Apache-2.0", "mit"),
        ("apache-2.0 or mit", "apache-2.0"),
        ("CC-BY-NC-4.0 OR MIT", "mit"),
        ("cc-by-nc-4.0 OR llama3.1", "llama3.1"),
        ("MIT AND CC-BY-NC-4.0", "cc-by-nc-4.0"),
        ("(MIT AND llama3.1) OR cc-by-nc-4.0", "llama3.1"),
        ("Apache-2.0 WITH LLVM-exception", "apache-2.0"),
        ("no-such-license OR mit", "mit"),
        ("no-such-license AND mit", None),
    ],
)
def test_expressions_reduce_to_the_deciding_entry(text: str, decides: str | None) -> None:
    assert is_expression(text)
    reading = read_expression(text, load_catalogue(), _rank)
    assert (reading.entry.id if reading.entry else None) == decides


def test_plain_ids_are_not_expressions() -> None:
    assert not is_expression("apache-2.0") and not is_expression("other")
    with pytest.raises(ExpressionError):
        read_expression("MIT OR", load_catalogue(), _rank)


CARD = "---\nlicense: {license}\nopenness:\n  weights: {{released: true, license: {stated}}}\n" \
       "---\n# Model\n"


def _grade(tmp_path: Path, license: str, stated: str) -> dict:
    (tmp_path / "README.md").write_text(CARD.format(license=license, stated=stated))
    (tmp_path / "model.safetensors").write_text("weights\n")
    done = run_owcheck(str(tmp_path), "-f", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    return data


def test_a_block_that_contradicts_the_metadata_is_a_finding_and_the_least_open_wins(
    tmp_path: Path,
) -> None:
    data = _grade(tmp_path, "apache-2.0", "cc-by-nc-4.0")
    assert data["grade"] == "F"
    assert data["components"]["weights"]["license"]["id"] == "cc-by-nc-4.0"
    (hit,) = [f for f in data["findings"] if f["rule"] == "OW214"]
    assert hit["severity"] == "error" and hit["location"]["line"] == 4
    assert "cc-by-nc-4.0" in hit["message"] and "apache-2.0" in hit["message"]


def test_a_block_less_restrictive_than_the_metadata_does_not_raise_the_grade(
    tmp_path: Path,
) -> None:
    data = _grade(tmp_path, "cc-by-nc-4.0", "apache-2.0")
    assert data["grade"] == "F"
    assert data["components"]["weights"]["license"]["id"] == "cc-by-nc-4.0"
    assert any(f["rule"] == "OW214" for f in data["findings"])


def test_an_or_expression_in_the_block_is_graded_not_unknown(tmp_path: Path) -> None:
    data = _grade(tmp_path, "apache-2.0", "MIT OR Apache-2.0")
    assert data["components"]["weights"]["license"]["verdict"] == "open"
    assert data["grade"] == "C"
    assert not any(f["rule"] == "OW214" for f in data["findings"])


def test_an_unknown_value_in_the_block_is_reported(tmp_path: Path) -> None:
    data = _grade(tmp_path, "apache-2.0", "my-own-terms")
    (hit,) = [f for f in data["findings"] if f["rule"] == "OW214"]
    assert "my-own-terms" in hit["message"]
    assert data["components"]["weights"]["license"]["id"] == "apache-2.0"


def test_the_block_alone_names_the_license(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "---\nopenness:\n  weights: {released: true, license: MIT OR Apache-2.0}\n---\n# M\n")
    (tmp_path / "model.safetensors").write_text("weights\n")
    data = json.loads(run_owcheck(str(tmp_path), "-f", "json").stdout)
    assert data["components"]["weights"]["license"]["source"] == "openness"
    assert data["components"]["weights"]["license"]["verdict"] == "open"
