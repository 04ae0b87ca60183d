"""The command line as a user runs it: exit codes, formats, bad input, the catalogue commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support import CORPUS, FIXTURES, requires_corpus, run_owcheck, validate_report

REPOS = FIXTURES / "repos"


def _json(*args: str) -> dict:
    done = run_owcheck(*args, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    return data


@pytest.mark.parametrize(
    ("repo", "grade"),
    [
        ("tier-a", "A"),
        ("tier-b", "B"),
        ("tier-c", "C"),
        ("tier-d", "D"),
        ("tier-f", "F"),
        ("no-license", "F"),
    ],
)
def test_fixture_repos_get_their_tier(repo: str, grade: str) -> None:
    data = _json(str(REPOS / repo))
    assert data["grade"] == grade, data["reason"]
    tiers = {
        "A": "fully-open",
        "B": "open-source-ai",
        "C": "open-weights",
        "D": "restricted-weights",
        "F": "not-open",
    }
    assert data["tier"] == tiers[grade]


def test_json_report_keeps_the_contract_order_and_is_deterministic() -> None:
    first = run_owcheck(str(REPOS / "tier-a"), "--format", "json").stdout
    second = run_owcheck(str(REPOS / "tier-a"), "--format", "json").stdout
    assert first == second
    keys = list(json.loads(first))
    assert keys[:5] == ["schema_version", "tool", "subject", "grade", "tier"]
    assert json.loads(first)["schema_version"] == "1.2"


def test_text_scorecard_leads_with_the_grade_and_fits_100_columns() -> None:
    done = run_owcheck(str(REPOS / "tier-d"))
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].strip().startswith("D") and "restricted-weights" in lines[0]
    assert all(len(line) <= 100 for line in lines), max(lines, key=len)
    assert "\x1b[" not in done.stdout  # NO_COLOR is honoured
    assert "llama3.1" in done.stdout and "§1.b.iv" in done.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl"])
def test_fail_under_gate_exit_codes(fmt: str) -> None:
    repo = str(REPOS / "tier-d")
    assert run_owcheck(repo, "-f", fmt, "--fail-under", "D").returncode == 0
    assert run_owcheck(repo, "-f", fmt, "--fail-under", "C").returncode == 1
    assert run_owcheck(repo, "-f", fmt, "--fail-under", "Z").returncode == 2


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl"])
def test_fail_on_gate_exit_codes(fmt: str) -> None:
    assert run_owcheck(str(REPOS / "no-license"), "-f", fmt, "--fail-on", "error").returncode == 1
    assert run_owcheck(str(REPOS / "tier-a"), "-f", fmt, "--fail-on", "error").returncode == 0
    assert run_owcheck(str(REPOS / "tier-a"), "-f", fmt, "--fail-on", "bad").returncode == 2


def test_select_and_ignore() -> None:
    data = _json(str(REPOS / "no-license"), "--select", "OW2")
    assert {f["rule"][:3] for f in data["findings"]} == {"OW2"}
    data = _json(str(REPOS / "no-license"), "--ignore", "OW201")
    assert "OW201" not in {f["rule"] for f in data["findings"]}
    bad = run_owcheck(str(REPOS / "no-license"), "--select", "XX9")
    assert bad.returncode == 2 and "unknown rule selector" in bad.stderr


def _one_line_error(done: object, code: int = 2) -> str:
    assert done.returncode == code, (done.stdout, done.stderr)  # type: ignore[attr-defined]
    err = done.stderr.strip()  # type: ignore[attr-defined]
    assert err.count("\n") == 0 and err.startswith("owcheck: error:"), err
    assert "Traceback" not in err
    return err


def test_missing_path_and_directory_without_card(tmp_path: Path) -> None:
    _one_line_error(run_owcheck(str(tmp_path / "nope")))
    (tmp_path / "LICENSE").write_text("x")
    assert "no model card" in _one_line_error(run_owcheck(str(tmp_path)))


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "OW101"),
        (b"---\n- just\n- a list\n---\n# Card\n", "OW103"),
        (b"---\nlicense: [apache-2.0\n---\n# Card\n", "OW103"),
        (b"---\nlicense: mit\n# never closed\n", "OW103"),
        (
            b"---\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
            b"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            b"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            b"e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n---\n",
            "OW103",
        ),
        (b"---\n!!python/object/apply:os.system ['echo hi']\n---\n", "OW103"),
    ],
    ids=["empty", "not-mapping", "invalid-yaml", "unclosed", "alias-bomb", "python-tag"],
)
def test_bad_cards_are_findings_not_crashes(tmp_path: Path, content: bytes, rule: str) -> None:
    card = tmp_path / "card.md"
    card.write_bytes(content)
    done = run_owcheck(str(card), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    assert rule in {f["rule"] for f in data["findings"]}
    assert data["grade"] == "F"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"---\nlicense: mit\n---\n\xff\xfe bad bytes", "not valid UTF-8"),
        (b"\x00\x01\x02binary", "binary"),
    ],
)
def test_undecodable_cards_are_one_line_errors(
    tmp_path: Path, content: bytes, message: str
) -> None:
    card = tmp_path / "README.md"
    card.write_bytes(content)
    assert message in _one_line_error(run_owcheck(str(card)))


def test_megabyte_card_is_refused(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_bytes(b"---\nlicense: mit\n---\n" + b"word " * 1_300_000)
    assert "MiB" in _one_line_error(run_owcheck(str(card)))


def test_binary_license_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# Model\n")
    (tmp_path / "LICENSE").write_bytes(b"\x00\x01\x02\x03" * 100)
    done = run_owcheck(str(tmp_path), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    unreadable = [f["message"] for f in data["findings"] if f["rule"] == "OW107"]
    assert unreadable == ["LICENSE is a binary file, not text"]


def test_not_a_path_nor_a_repo_id() -> None:
    _one_line_error(run_owcheck("not a repo id!"))


def test_licenses_command_lists_every_entry() -> None:
    done = run_owcheck("licenses", "--format", "json")
    assert done.returncode == 0
    data = json.loads(done.stdout)
    ids = {d["id"] for d in data}
    assert {"apache-2.0", "llama3.1", "gemma", "deepseek"} <= ids
    llama32 = next(d for d in data if d["id"] == "llama3.2")
    assert llama32["verdict_by_modality"] == {"text": "restricted", "multimodal": "not-open"}
    text = run_owcheck("licenses").stdout
    assert "llama3.2" in text and "[multimodal: not-open]" in text
    assert all(len(line) <= 100 for line in text.splitlines())


def test_license_command_shows_clauses_and_paraphrases() -> None:
    done = run_owcheck("license", "llama2")
    assert done.returncode == 0
    assert "§1.b.v" in done.stdout and "restricted" in done.stdout
    data = json.loads(
        run_owcheck("license", "llama3.2", "--modality", "multimodal", "-f", "json").stdout
    )
    assert data["verdict"] == "not-open"
    assert data["freedoms"]["use"]["cell"] == "denied"


def test_unknown_license_id_suggests_close_ids() -> None:
    err = _one_line_error(run_owcheck("license", "lama3.1"))
    assert "llama3.1" in err


def test_rules_and_explain() -> None:
    done = run_owcheck("rules")
    assert done.returncode == 0 and "OW201" in done.stdout
    rules = json.loads(run_owcheck("rules", "-f", "json").stdout)
    assert len(rules) >= 25
    explained = run_owcheck("explain", "OW503")
    assert explained.returncode == 0
    assert "Fails::" in explained.stdout and "Passes::" in explained.stdout
    assert "launder" in explained.stdout.lower()
    err = _one_line_error(run_owcheck("explain", "OW9999"))
    assert "unknown rule" in err


def test_identify_command_errors(tmp_path: Path) -> None:
    _one_line_error(run_owcheck("identify", str(tmp_path / "missing")))
    blob = tmp_path / "LICENSE"
    blob.write_bytes(b"\x00\x00binary")
    _one_line_error(run_owcheck("identify", str(blob)))


def test_suppression_is_listed_and_unused_ones_reported(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "---\nlicense: apache-2.0\n---\n# Model\n"
        "<!-- owcheck: ignore OW301 -- training code is internal -->\n"
        "<!-- owcheck: ignore OW208 -->\n"
    )
    data = _json(str(tmp_path))
    sup = [f for f in data["findings"] if f["suppressed"]]
    assert [f["rule"] for f in sup] == ["OW301"]
    assert sup[0]["suppressed"] == "training code is internal"
    assert data["summary"]["suppressed"] == 1
    assert data["unused_suppressions"] == [{"rule": "OW208", "line": 6}]
    text = run_owcheck(str(tmp_path)).stdout
    assert "unused suppression: OW208" in text


def test_version() -> None:
    done = run_owcheck("--version")
    assert done.returncode == 0 and done.stdout.startswith("owcheck ")


@requires_corpus
def test_llama_license_text_under_an_apache_tag(tmp_path: Path) -> None:
    # The repo's card says apache-2.0 but its LICENSE is Meta's Llama 3.1 text (copied in from
    # the corpus at test time: the project stores no license text).
    repo = tmp_path / "repo"
    shutil.copytree(REPOS / "llama-under-apache", repo)
    shutil.copy(CORPUS / "licenses" / "llama3.1.txt", repo / "LICENSE")
    (repo / "model.safetensors").write_text("weights\n")
    data = _json(str(repo))
    weights = data["components"]["weights"]
    assert weights["license"]["id"] == "llama3.1"
    assert weights["license"]["source"] == "license-file"
    assert data["grade"] == "D"
    conflict = [f for f in data["findings"] if f["rule"] == "OW205"]
    assert conflict and conflict[0]["severity"] == "error"
    assert "apache-2.0" in conflict[0]["message"] and "llama3.1" in conflict[0]["message"]
