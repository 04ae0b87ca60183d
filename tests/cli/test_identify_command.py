"""``owcheck identify`` and a modified LICENSE end to end: the text, not the tag, decides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import CORPUS, requires_corpus, run_owcheck, validate_report

ADDENDUM = (
    "\n\nADDITIONAL TERMS FOR THE MODEL WEIGHTS\n\n"
    "The weights in this repository are licensed to you for non-commercial research purposes\n"
    "only. Commercial use requires a separate written agreement with the authors.\n"
)
CARD = """---
license: apache-2.0
---
# Kestrel-7B

Weights of a small language model, released with the terms in LICENSE.
"""


def _repo(tmp_path: Path, license_text: str) -> Path:
    repo = tmp_path / "kestrel"
    repo.mkdir()
    (repo / "README.md").write_text(CARD, encoding="utf-8")
    (repo / "LICENSE").write_text(license_text, encoding="utf-8")
    (repo / "model.safetensors").write_bytes(b"\0" * 16)
    return repo


def _apache() -> str:
    return (CORPUS / "licenses" / "apache-2.0.txt").read_text(encoding="utf-8")


@requires_corpus
def test_apache_with_a_noncommercial_addendum_is_never_graded_open(tmp_path: Path) -> None:
    repo = _repo(tmp_path, _apache() + ADDENDUM)
    done = run_owcheck(str(repo), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    weights = data["components"]["weights"]
    assert data["grade"] == "F"
    assert weights["license"]["id"] is None and weights["license"]["verdict"] == "unknown"
    assert weights["license"]["source"] == "license-file"
    closest = weights["license"]["closest"]
    assert closest["id"] == "apache-2.0" and closest["diff"]["added_terms"] > 10
    assert "open" not in {weights["freedoms"][f] for f in weights["freedoms"]}
    # The diff is cited in the evidence and in the finding.
    claims = [e["claim"] for e in weights["evidence"]]
    assert any("noncommercial research" in c for c in claims), claims
    (finding,) = [f for f in data["findings"] if f["rule"] == "OW212"]
    assert "noncommercial research" in finding["message"]
    assert finding["location"]["path"] == "LICENSE" and finding["location"]["line"] > 200


@requires_corpus
def test_the_same_repo_with_plain_apache_is_open(tmp_path: Path) -> None:
    data = json.loads(run_owcheck(str(_repo(tmp_path, _apache())), "--format", "json").stdout)
    weights = data["components"]["weights"]
    assert weights["license"]["id"] == "apache-2.0" and weights["license"]["closest"] is None
    assert weights["license"]["verdict"] == "open"


@requires_corpus
def test_identify_diff_and_json(tmp_path: Path) -> None:
    text = (CORPUS / "licenses" / "llama3.1.txt").read_text(encoding="utf-8")
    changed = tmp_path / "LICENSE"
    changed.write_text(text.replace("700 million", "7 million", 1), encoding="utf-8")
    plain = run_owcheck("identify", str(changed))
    assert plain.returncode == 0 and "modified llama3.1" in plain.stdout
    assert "{+" not in plain.stdout
    diff = run_owcheck("identify", str(changed), "--diff")
    assert "[-6 words: 700 million monthly-]{+is greater than 7 million monthly+}" in diff.stdout
    data = json.loads(run_owcheck("identify", str(changed), "--format", "json").stdout)
    assert (data["status"], data["license"]) == ("modified", None)
    assert data["closest"]["id"] == "llama3.1" and data["closest"]["diff"]["edits"] == 1
    same = tmp_path / "LICENSE-plain"
    same.write_text(text, encoding="utf-8")
    data = json.loads(run_owcheck("identify", str(same), "--format", "json").stdout)
    assert (data["status"], data["license"], data["closest"]) == ("match", "llama3.1", None)


@pytest.mark.parametrize("text", ["Tulips want a cold winter.\n", ""])
def test_identify_no_match_exits_1(tmp_path: Path, text: str) -> None:
    path = tmp_path / "NOTES"
    path.write_text(text, encoding="utf-8")
    done = run_owcheck("identify", str(path), "--format", "json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["status"] == "no-match"


def test_licenses_say_which_entries_have_a_reference_text() -> None:
    data = json.loads(run_owcheck("licenses", "--format", "json").stdout)
    by = {e["id"]: e["identified_by"] for e in data}
    assert by["apache-2.0"] == by["mit"] == by["gpl-3.0"] == "text"
    assert by["grok2-community"] == "title"  # no public text was read for it
    text = run_owcheck("licenses").stdout
    assert "t its title only" in text
    assert max(len(line) for line in text.splitlines()) <= 100
