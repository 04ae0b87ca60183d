"""The tier decision (``openweights/grade.py``), one row per way a model lands on a tier.

Each row is a card (and its files) built for the case; the evidence is built from it as a
source would hand it over, and the grade is read back: letter, tier and the reason's words.
"""

from __future__ import annotations

import pytest

from openweights.choices import Letter, Tier
from openweights.evidence import build_evidence
from openweights.grade import Grade, grade
from openweights.licensing.catalogue import load_catalogue
from openweights.licensing.features import Cell, Freedom
from tests.rules.examples import bundle_from_example

WEIGHTS = "==> model.safetensors <==\n(weights)\n"
CODE = """\
  code:
    - url: https://github.com/example-org/train
      license: {license}
      covers: [{covers}]
"""
FULL_CODE = CODE.format(license="mit", covers="training, data-processing")
DESCRIBED_DATA = """\
  data:
    released: false
    sources:
      - name: Licensed archive
        url: https://example.org/archive
        size: 30%
        license: proprietary
        provenance: Bought from the publisher in 2024.
        shared: false
        reason_not_shared: The contract forbids redistribution.
    processing_code:
      url: https://github.com/example-org/train/tree/main/dedup
      license: mit
    labelling: none
"""


def card(license_line: str, openness: str = "", files: str = WEIGHTS) -> str:
    """A card with ``license_line`` and an optional ``openness:`` block, then its files."""
    block = f"openness:\n{openness}" if openness else ""
    return f"---\n{license_line}{block}---\n# A model\n\nWritten for the grade tests.\n{files}"


def graded(example: str) -> Grade:
    return grade(build_evidence(bundle_from_example(example), load_catalogue()))


BASE_RESTRICTED = (
    WEIGHTS
    + "==> hub:org/base/README.md <==\n---\nlicense: llama3.1\n---\n# Base\n"
    + "==> hub:org/base/model.safetensors <==\n(weights)\n"
)

TIERS = [
    # (case, example, letter, words of the reason)
    ("weights not released", card("license: apache-2.0\n", "  weights:\n    released: false\n",
                                  files=""), "F", "weights not released"),
    ("no license anywhere", card("pipeline_tag: text-generation\n"), "F",
     "weights license unknown"),
    ("unknown license id", card("license: apache-two\n"), "F",
     "weights license unknown (apache-two)"),
    ("non-commercial weights", card("license: cc-by-nc-4.0\n"), "F",
     "weights license cc-by-nc-4.0 is not open"),
    ("restricted weights", card("license: llama3.1\n"), "D",
     "weights license llama3.1 is open with restrictions"),
    ("a restricted base model wins over the card's own license",
     card("license: apache-2.0\nbase_model: org/base\n", files=BASE_RESTRICTED), "D",
     "weights license llama3.1 (from base org/base) is open with restrictions"),
    ("open weights, no code", card("license: apache-2.0\n"), "C", "no training code linked"),
    ("code without a license", card("license: apache-2.0\n", CODE.format(
        license="null", covers="training, data-processing")), "C",
     "training code license not stated"),
    ("code under a non-commercial license", card("license: apache-2.0\n", CODE.format(
        license="cc-by-nc-4.0", covers="training, data-processing")), "C",
     "training code license not open"),
    ("open code, data neither released nor described",
     card("license: apache-2.0\n", FULL_CODE + "  data:\n    released: false\n"), "C",
     "training data not released, and its description misses 4 of 5 points"),
    ("open code, data released under a non-commercial license",
     card("license: apache-2.0\n",
          FULL_CODE + "  data:\n    released: true\n    license: cc-by-nc-4.0\n"), "C",
     "training data license not open or unknown"),
    ("open code, data described well enough", card("license: apache-2.0\n",
                                                    FULL_CODE + DESCRIBED_DATA), "B",
     "data not released but described"),
    ("everything open", card("license: apache-2.0\n",
                             FULL_CODE + "  data:\n    released: true\n    license: cc-by-4.0\n"),
     "A", "weights, complete training code and training data all open"),
]


@pytest.mark.parametrize(("case", "example", "letter", "reason"), TIERS,
                         ids=[row[0] for row in TIERS])
def test_tier_decision(case: str, example: str, letter: str, reason: str) -> None:
    g = graded(example)
    assert (g.letter, g.tier) == (Letter(letter), Letter(letter).tier), g.reason
    assert reason in g.reason


def test_every_tier_is_reached_by_the_table() -> None:
    assert {Letter(row[2]) for row in TIERS} == set(Letter)


def test_unreleased_weights_are_absent_in_every_cell() -> None:
    g = graded(TIERS[0][1])
    assert {c.mark for c in g.components["weights"].cells.values()} == {Cell.ABSENT}


def test_manual_gate_limits_study_of_open_weights() -> None:
    from openweights.records import replace

    bundle = bundle_from_example(card("license: apache-2.0\n"))
    gated = replace(bundle, subject=replace(bundle.subject, gated="manual"))
    g = grade(build_evidence(gated, load_catalogue()))
    cells = g.components["weights"].cells
    assert cells[Freedom.STUDY].mark is Cell.LIMITED
    assert cells[Freedom.USE].mark is Cell.GRANTED


def test_partial_code_limits_study_only() -> None:
    g = graded(card("license: apache-2.0\n", CODE.format(license="mit", covers="training")))
    cells = g.components["code"].cells
    assert cells[Freedom.STUDY].mark is Cell.LIMITED
    assert cells[Freedom.STUDY].reason == "partial: not the whole pipeline"
    assert {cells[f].mark for f in (Freedom.USE, Freedom.MODIFY, Freedom.SHARE)} == {
        Cell.GRANTED}
    assert g.letter is Letter.C


def test_partial_code_is_named_as_partial_in_the_reason() -> None:
    g = graded(card("license: apache-2.0\n", CODE.format(license="mit", covers="training")))
    assert "covers less than training and data processing" in g.reason


def test_inference_code_alone_is_not_the_models_training_code() -> None:
    g = graded(card("license: apache-2.0\n", CODE.format(license="mit", covers="inference")))
    cells = g.components["code"].cells
    assert {c.mark for c in cells.values()} == {Cell.UNKNOWN}
    assert "no training code linked" in g.reason
    assert g.letter is Letter.C


def test_letters_order_and_tiers() -> None:
    assert [(letter.value, letter.tier.value) for letter in Letter] == [
        ("A", "fully-open"), ("B", "open-source-ai"), ("C", "open-weights"),
        ("D", "restricted-weights"), ("F", "not-open")]
    assert Letter.B.at_least("C") and Letter.C.at_least(Letter.C)
    assert not Letter.D.at_least(Letter.C)
    assert list(Tier) == [letter.tier for letter in Letter]
