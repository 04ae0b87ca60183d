"""The outside frameworks (``openweights/frameworks.py``), one row per deciding condition.

Each row gives the grade letter and the code row's marks directly (what the grader would pass)
and a card with or without the parts a framework looks at: an evaluation section, a technical
report, a training-data section, code that covers training and evaluation.
"""

from __future__ import annotations

import pytest

from openweights.choices import Letter
from openweights.evidence import Evidence, build_evidence
from openweights.frameworks import FrameworkVerdicts, Marks, judge_frameworks
from openweights.licensing.catalogue import load_catalogue
from openweights.licensing.features import Cell, Freedom
from tests.rules.examples import bundle_from_example


def marks(cell: Cell) -> Marks:
    return dict.fromkeys(Freedom, cell)


GRANTED, DENIED, UNKNOWN = marks(Cell.GRANTED), marks(Cell.DENIED), marks(Cell.UNKNOWN)


def evidence(
    license_id: str = "apache-2.0",
    *,
    evaluation: bool = False,
    report: bool = False,
    data_section: bool = False,
    code_covers: str | None = None,
) -> Evidence:
    """Evidence for a card that has exactly the parts asked for."""
    meta = f"license: {license_id}\n"
    if code_covers is not None:
        meta += (
            "openness:\n  code:\n    - url: https://github.com/example-org/train\n"
            f"      license: mit\n      covers: [{code_covers}]\n"
        )
    body = "# A model\n\nWritten for the framework tests.\n"
    if evaluation:
        body += "\n## Evaluation\n\nAccuracy 71 on a held-out set.\n"
    if report:
        body += "\nSee the technical report for the method.\n"
    if data_section:
        body += "\n## Training data\n\nTwo billion tokens of public-domain books.\n"
    example = f"---\n{meta}---\n{body}==> model.safetensors <==\n(weights)\n"
    return build_evidence(bundle_from_example(example), load_catalogue())


EVERYTHING = {"evaluation": True, "report": True, "data_section": True,
              "code_covers": "training, data-processing, evaluation"}

ROWS = [
    # (case, evidence, letter, code marks, expected verdicts)
    ("fully open with every document", evidence(**EVERYTHING), "A", GRANTED,
     FrameworkVerdicts("pass", "class-i", "free", "free", "pass")),
    ("open source AI: data described, not released", evidence(**EVERYTHING), "B", GRANTED,
     FrameworkVerdicts("pass", "class-ii", "toxic-candy", "nonfree", "pass")),
    ("MOF class II needs code covering evaluation",
     evidence(**{**EVERYTHING, "code_covers": "training, data-processing"}), "B", GRANTED,
     FrameworkVerdicts("pass", "class-iii", "toxic-candy", "nonfree", "pass")),
    ("MOF class III needs an evaluation", evidence(**{**EVERYTHING, "evaluation": False}), "B",
     GRANTED, FrameworkVerdicts("pass", "none", "toxic-candy", "nonfree", "pass")),
    ("MOF class III needs a report", evidence(**{**EVERYTHING, "report": False}), "B", GRANTED,
     FrameworkVerdicts("pass", "none", "toxic-candy", "nonfree", "pass")),
    ("open weights, code not found: OSAID cannot tell", evidence(), "C", UNKNOWN,
     FrameworkVerdicts("unknown", "none", "toxic-candy", "nonfree", "fail")),
    ("open weights, code under closed terms", evidence(code_covers="training"), "C", DENIED,
     FrameworkVerdicts("fail", "none", "toxic-candy", "nonfree", "fail")),
    ("open weights and code, data described in a section", evidence(
        code_covers="training", data_section=True), "C", GRANTED,
     FrameworkVerdicts("fail", "none", "toxic-candy", "nonfree", "pass")),
    ("restricted weights fail every framework", evidence("llama3.1", **EVERYTHING), "D",
     GRANTED, FrameworkVerdicts("fail", "none", "non-free", "nonfree", "fail")),
    ("not-open weights", evidence("cc-by-nc-4.0", **EVERYTHING), "F", GRANTED,
     FrameworkVerdicts("fail", "none", "non-free", "nonfree", "fail")),
]


@pytest.mark.parametrize(("case", "ev", "letter", "code", "expected"), ROWS,
                         ids=[row[0] for row in ROWS])
def test_frameworks(
    case: str, ev: Evidence, letter: str, code: Marks, expected: FrameworkVerdicts
) -> None:
    rows = {"weights": GRANTED, "code": code, "data": UNKNOWN}
    assert judge_frameworks(ev, Letter(letter), rows) == expected


def test_a_model_index_counts_as_an_evaluation() -> None:
    ev = build_evidence(bundle_from_example(
        "---\nlicense: apache-2.0\nmodel-index:\n  - name: m\n    results: []\n"
        "openness:\n  code:\n    - url: https://github.com/example-org/train\n"
        "      license: mit\n      covers: [training, evaluation]\n---\n# A model\n\n"
        "The paper: https://arxiv.org/abs/0000.00000\n\n## Training data\n\nBooks.\n"
        "==> model.safetensors <==\n(weights)\n"), load_catalogue())
    rows = {"weights": GRANTED, "code": GRANTED, "data": UNKNOWN}
    assert judge_frameworks(ev, Letter.C, rows).mof == "class-ii"
