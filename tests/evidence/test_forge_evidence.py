"""The code row from forge answers: which answer wins, and how a custom license is identified."""

from __future__ import annotations

from openweights.check import check_bundle
from openweights.sources import Bundle, ForgeAnswer, ForgeStatus, ModelMaterial
from tests.support import CORPUS, requires_corpus

CARD = """---
license: apache-2.0
openness:
  code:
    - url: https://github.com/example-org/train
      license: apache-2.0
      covers: [training, data-processing]
---
# Model
"""


def _bundle(card: str, answer: ForgeAnswer | None) -> Bundle:
    repos = {"github.com/example-org/train": answer} if answer else {}
    return Bundle(subject=ModelMaterial(id="m", source="local", card_text=card),
                  code_repos=repos, forge_consulted=answer is not None)


def _code(bundle: Bundle) -> tuple[str | None, str, str]:
    lic = check_bundle(bundle).evidence.code.license
    return (lic.entry.id if lic.entry else None), lic.verdict.value, lic.source


def test_the_forge_answer_outranks_what_the_card_declares() -> None:
    answer = ForgeAnswer("github.com/example-org/train", ForgeStatus.OK,
                         "github.com/example-org/train", license_id="GPL-3.0")
    assert _code(_bundle(CARD, answer)) == ("gpl-3.0", "open", "forge")
    nc = ForgeAnswer("github.com/example-org/train", ForgeStatus.OK,
                     "github.com/example-org/train", license_id="CC-BY-NC-4.0")
    report = check_bundle(_bundle(CARD, nc))
    assert report.evidence.code.license.verdict.value == "not-open"
    assert "OW303" in {f.rule for f in report.active_findings}
    assert report.grade.letter == "C"


def test_a_failed_lookup_keeps_the_cards_own_statement() -> None:
    failed = ForgeAnswer("github.com/example-org/train", ForgeStatus.RATE_LIMITED,
                         message="rate limit")
    assert _code(_bundle(CARD, failed)) == ("apache-2.0", "open", "openness")
    assert "OW304" in {f.rule for f in check_bundle(_bundle(CARD, failed)).active_findings}


def test_a_repository_without_license_is_never_open() -> None:
    bare = ForgeAnswer("github.com/example-org/train", ForgeStatus.OK,
                       "github.com/example-org/train", license_id=None)
    assert _code(_bundle(CARD, bare)) == (None, "unknown", "forge")


@requires_corpus
def test_noassertion_text_is_identified_with_the_catalogue() -> None:
    text = (CORPUS / "licenses" / "chameleon-research.txt").read_text(encoding="utf-8")
    answer = ForgeAnswer("github.com/example-org/train", ForgeStatus.OK,
                         "github.com/example-org/train", license_id="NOASSERTION",
                         license_name="Other", license_path="LICENSE", license_text=text)
    lic_id, verdict, source = _code(_bundle(CARD, answer))
    assert (lic_id, verdict, source) == ("chameleon-research", "not-open", "forge")


def test_noassertion_text_that_matches_nothing_is_unknown() -> None:
    answer = ForgeAnswer("github.com/example-org/train", ForgeStatus.OK,
                         "github.com/example-org/train", license_id="NOASSERTION",
                         license_name="Other", license_text="Use this code only on Tuesdays.")
    lic_id, verdict, _ = _code(_bundle(CARD, answer))
    assert (lic_id, verdict) == (None, "unknown")
