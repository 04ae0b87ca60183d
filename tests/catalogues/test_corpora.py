"""The corpus catalogue: its files, its build script, and how cards' prose resolves through it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from openweights.catalogues.corpora import CorpusCatalogue, load_corpora
from openweights.licensing.catalogue import load_catalogue
from tests.support import ROOT, corpus_cards

SCRIPT = ROOT / "scripts" / "build_catalogue.py"


def test_the_corpora_the_issue_names_are_catalogued() -> None:
    corpora = load_corpora()
    for name in ("The Pile", "Dolma", "RedPajama", "RedPajama v2", "RefinedWeb", "FineWeb",
                 "FineWeb-Edu", "The Stack", "The Stack v2", "StarCoderData", "C4", "SlimPajama",
                 "ROOTS", "LAION-5B", "OSCAR", "Wikipedia", "Tulu 3 SFT mixture", "OpenHermes 2.5",
                 "UltraFeedback"):
        assert [m.corpus.name for m in corpora.mentions(f"trained on {name}.")], name


def test_availability_and_documentation_are_recorded() -> None:
    corpora = load_corpora()
    pile = corpora.get("the-pile")
    laion = corpora.get("laion-5b")
    assert pile is not None and laion is not None
    assert pile.availability == "withdrawn" and not pile.released
    assert pile.documented  # paper, datasheet and processing code: the five points
    assert laion.availability == "withdrawn" and laion.availability_note
    common_crawl = corpora.get("common-crawl")
    assert common_crawl is not None and not common_crawl.documented
    assert corpora.by_hub_id("EleutherAI/pile-deduped-pythia-preshuffled") == (pile, True)
    assert corpora.by_hub_id("eleutherai/PILE") == (pile, False)


def test_every_license_is_in_the_license_catalogue() -> None:
    licenses = load_catalogue()
    for corpus in load_corpora():
        for lic in (corpus.license, corpus.documentation.processing_code_license):
            assert lic is None or licenses.resolve(lic) is not None, (corpus.id, lic)


def test_names_match_as_cards_write_them() -> None:
    corpora = load_corpora()

    def ids(text: str) -> list[str]:
        return [m.corpus.id for m in corpora.mentions(text)]

    assert ids("a mix of RedPajama v2, Refined-Web and refined_web") == [
        "redpajama-v2", "refinedweb", "refinedweb"]
    assert ids("FineWeb-Edu, then FineWeb") == ["fineweb-edu", "fineweb"]
    assert ids("the tokenized EleutherAI/pythia_deduped_pile_idxmaps") == ["the-pile"]
    assert ids("Cinderella and Wikipediaesque pages, pile-up, C4D") == []
    [starcoder] = list(corpora.mentions("StarCoder writes code"))
    assert starcoder.ambiguous  # a model's name too: counts only where the text is about data


def test_narrowed_to_a_document_the_answers_are_the_same() -> None:
    # CorpusCatalogue.within searches a document's lines with the names whose words all occur
    # in it: every line of our cards, the corpus's when present, and odd case foldings.
    corpora = load_corpora()
    odd = ("Trained on the \u017ftack v2 and re\u017ffined web; \u0130-less TH\u0130NGS; "
           "\u212a-something; ThePile, the_pile, The  Pile, slim-pajama, C4")
    documents = [odd, *(p.read_text(encoding="utf-8", errors="replace") for p in [
        *sorted((ROOT / "tests").rglob("README.md")), *corpus_cards()])]
    narrowed = 0
    for document in documents:
        within = corpora.within(document)
        if within is None:  # no corpus can be named in it
            assert not any(list(corpora.mentions(line)) for line in document.splitlines())
            continue
        narrowed += within.args[0] is not corpora._every_name()  # fewer names than all
        for line in document.splitlines():
            assert list(within(line)) == list(corpora.mentions(line)), line[:200]
    assert narrowed >= 5  # no document names every corpus
    odd_within = corpora.within(odd)
    assert odd_within is not None
    assert {m.corpus.id for m in odd_within(odd)} == {"the-pile", "slimpajama", "c4"}


def test_build_script_checks_and_rebuilds(tmp_path: Path) -> None:
    check = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr
    unknown = subprocess.run([sys.executable, str(SCRIPT), "nothing"], capture_output=True,
                             text=True)
    assert unknown.returncode == 2 and "unknown catalogue" in unknown.stderr


def _copy_tree(tmp_path: Path) -> Path:
    """A copy of what the build script reads, to break without touching the checkout."""
    root = tmp_path / "repo"
    for folder in ("corpora", "licenses", "schemas", "scripts"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copytree(ROOT / "openweights", root / "openweights")
    return root


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(id="renamed"), "does not match the file name"),
        (lambda d: d.update(availability="sometimes"), "availability"),
        (lambda d: d.update(license="no-such-license"), "not in the license catalogue"),
        (lambda d: d.update(aliases=["Dolma"]), "already claimed by dolma"),
        (lambda d: d.update(hub_ids=["allenai/c4"]), "already claimed by c4"),
    ],
)
def test_build_script_refuses_bad_entries(tmp_path: Path, change: object, message: str) -> None:
    root = _copy_tree(tmp_path)
    path = root / "corpora" / "the-pile.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    done = subprocess.run([sys.executable, str(root / "scripts" / "build_catalogue.py"),
                           "corpora", "--check"], capture_output=True, text=True)
    assert done.returncode == 1 and message in done.stderr, done.stderr


def test_a_stale_index_is_reported_and_rebuilt(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    index = root / "corpora" / "index.json"
    (root / "corpora" / "c4.yaml").unlink()
    script = str(root / "scripts" / "build_catalogue.py")
    stale = subprocess.run([sys.executable, script, "--check"], capture_output=True, text=True)
    assert stale.returncode == 1 and "corpora/index.json is stale" in stale.stderr
    built = subprocess.run([sys.executable, script, "corpora"], capture_output=True, text=True)
    assert built.returncode == 0
    records = json.loads(index.read_text(encoding="utf-8"))["corpora"]
    assert "c4" not in {r["id"] for r in records}
    assert len(CorpusCatalogue.from_records(records)) == len(load_corpora()) - 1


def test_the_words_found_are_every_word_in_the_document() -> None:
    """Skipping a word with an absent word inside it loses none: the same words as a search
    for each one."""
    cat = load_corpora()
    assert any(inside for _w, inside in cat._words_within)  # the skip has something to skip
    texts = [p.read_text("utf-8", errors="replace") for p in (ROOT / "tests").rglob("README.md")]
    texts += [p.read_text("utf-8", errors="replace") for p in corpus_cards()]
    texts += [" ".join(cat._all_words), " ".join(cat._all_words[::3]), "c4", ""]
    found = 0
    for text in texts:
        low = text.lower()
        present = cat._present_words(low)
        assert present == {w for w in cat._all_words if w in low}
        found += len(present)
    assert found > 100


def test_short_and_long_documents_find_the_same_words() -> None:
    # _present_words searches a short document word by word and a long one with the table of
    # words inside words: both must find the same words (the table only skips searches).
    from openweights.catalogues import corpora as module

    corpora = load_corpora()
    documents = [p.read_text(encoding="utf-8", errors="replace").lower() for p in [
        *sorted((ROOT / "tests").rglob("README.md")), *corpus_cards()]]
    documents.append("allenai/c4 and the pile, redpajama-v2; slimpajama")
    for low in documents:
        short = low[: module._SHORT_DOCUMENT - 1]
        fresh = CorpusCatalogue(corpora.corpora)
        one_by_one = fresh._present_words(short)  # the first short document: word by word
        assert fresh._words_within is None
        assert fresh._present_words(short) == one_by_one  # the second: with the table
        assert fresh._words_within is not None
        padded = short + " " * module._SHORT_DOCUMENT
        assert CorpusCatalogue(corpora.corpora)._present_words(padded) == one_by_one
