"""The sarif, markdown and github formats, and the exit codes of every format."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sarif_pydantic import Sarif
from sarif_pydantic.sarif import Notification

from openweights import __version__, records
from openweights.check import check_bundle
from openweights.formats import FORMATS, renderer
from openweights.formats.github import MAX_PER_LEVEL, escape_data, escape_property
from openweights.formats.locations import repo_path
from openweights.formats.markdown import escape
from openweights.report import Report
from openweights.rules import Finding, Severity, all_rules
from openweights.sources.local import LocalSource
from tests.support import FIXTURES, ROOT, run_owcheck, validate_report

REPOS = FIXTURES / "repos"
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())
SUBJECTS = [*EXAMPLES, *sorted(p for p in REPOS.iterdir() if p.is_dir())]
# sarif-pydantic names a result's suppressions "suppression" (singular) and has no field for
# toolExecutionNotifications; both are checked by hand below. Anything else unknown is a typo.
ALLOWED_EXTRAS = {("Result", "suppressions"), ("Invocation", "toolExecutionNotifications")}


def _report(path: Path) -> Report:
    return check_bundle(LocalSource().fetch(str(path)))


def _extras(model: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(model, BaseModel):
        out += [(type(model).__name__, key) for key in (model.model_extra or {})]
        for name in type(model).model_fields:
            _extras(getattr(model, name), out)
    elif isinstance(model, list | tuple):
        for item in model:
            _extras(item, out)
    elif isinstance(model, dict):
        for item in model.values():
            _extras(item, out)


def check_sarif(data: dict[str, Any], cwd: Path | None = None) -> Sarif:
    """Validate a SARIF log as SARIF 2.1.0 and as GitHub code scanning needs it."""
    assert data["version"] == "2.1.0"
    assert "sarif-schema-2.1.0" in data["$schema"]
    log = Sarif.model_validate(data)
    extras: list[tuple[str, str]] = []
    _extras(log, extras)
    assert set(extras) <= ALLOWED_EXTRAS, extras
    assert len(log.runs) == 1
    run = log.runs[0]
    driver = run.tool.driver
    assert driver.name == "owcheck"
    assert driver.version == __version__ == driver.semantic_version
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:[-+].*)?", driver.semantic_version or "")
    assert (driver.information_uri or "").startswith("https://")
    rules = all_rules()
    assert [r.id for r in driver.rules or []] == list(rules)
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    for descriptor in driver.rules or []:
        rule = rules[descriptor.id]
        assert descriptor.help_uri == rule.url
        assert descriptor.help and descriptor.help.text
        assert rule.summary.replace("``", "") in descriptor.help.text
        assert descriptor.help.markdown and "**Fails:**" in descriptor.help.markdown
        assert descriptor.short_description and descriptor.short_description.text
        assert descriptor.default_configuration
        assert descriptor.default_configuration.level == levels[rule.severity]
    for result in run.results or []:
        assert result.rule_id in rules
        assert result.rule_index is not None
        assert (driver.rules or [])[result.rule_index].id == result.rule_id
        assert result.level and result.level.value in ("error", "warning", "note")
        assert result.message.text
        assert result.locations, "GitHub rejects results without a location"
        for loc in result.locations:
            phys = loc.physical_location
            assert phys and phys.artifact_location and phys.region
            uri = phys.artifact_location.uri or ""
            assert uri and not re.match(r"^[a-z]+:|/", uri), uri
            assert (phys.region.start_line or 0) >= 1
            if cwd is not None:
                assert (cwd / uri).is_file(), f"{uri} is not a file of the checkout"
        assert "owcheck/v1" in (result.partial_fingerprints or {})
        for suppression in (result.model_extra or {}).get("suppressions", []):
            assert suppression["kind"] == "inSource"
            assert isinstance(suppression["justification"], str)
    for invocation in run.invocations or []:
        for note in (invocation.model_extra or {}).get("toolExecutionNotifications", []):
            Notification.model_validate(note)
    return log


# --------------------------------------------------------------------------- SARIF


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda p: p.name)
def test_sarif_of_every_example_is_valid_for_code_scanning(subject: Path) -> None:
    rel = subject.relative_to(ROOT)
    done = run_owcheck(str(rel), "--format", "sarif")
    assert done.returncode == 0, done.stderr
    log = check_sarif(json.loads(done.stdout), cwd=ROOT)
    results = log.runs[0].results or []
    findings = json.loads(run_owcheck(str(rel), "--format", "json").stdout)["findings"]
    assert [r.rule_id for r in results] == [f["rule"] for f in findings]
    for result in results:
        assert result.locations
        loc = result.locations[0].physical_location
        assert loc and loc.artifact_location
        assert (loc.artifact_location.uri or "").startswith(f"{rel.as_posix()}/")


def test_sarif_marks_suppressed_findings_and_reports_unused_suppressions(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "---\nlicense: apache-2.0\n---\n# Model\n"
        "<!-- owcheck: ignore OW301 -- training code is internal -->\n"
        "<!-- owcheck: ignore OW208 -->\n"
    )
    done = run_owcheck(".", "--format", "sarif", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    check_sarif(data, cwd=tmp_path)
    run = data["runs"][0]
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["OW301"]
    assert suppressed[0]["suppressions"] == [
        {"kind": "inSource", "justification": "training code is internal"}
    ]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert "OW208" in notes[0]["message"]["text"]
    assert notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 6


def test_sarif_result_without_a_line_points_at_line_one_of_the_card(tmp_path: Path) -> None:
    shutil.copytree(REPOS / "no-license", tmp_path / "model")
    report = _report(tmp_path / "model")
    lineless = records.replace(report.findings[0], line=None, path=None)
    data = json.loads(renderer("sarif")(records.replace(report, findings=(lineless,))))
    loc = data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["region"]["startLine"] == 1
    assert loc["artifactLocation"]["uri"] == "README.md"  # no checkout: from the model repo


def test_sarif_is_deterministic() -> None:
    first = run_owcheck("examples/open-model", "-f", "sarif").stdout
    assert first == run_owcheck("examples/open-model", "-f", "sarif").stdout


# --------------------------------------------------------------------------- paths


def test_paths_are_relative_to_the_checkout_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "models" / "tiny"
    shutil.copytree(REPOS / "no-license", model)
    (tmp_path / "card.md").write_text("---\nlicense: mit\n---\n# Card\n")
    (tmp_path / ".git").mkdir()
    for cwd in (tmp_path, tmp_path / "models", model):
        monkeypatch.chdir(cwd)
        rel = Path(os.path.relpath(model, cwd))
        as_dir = _report(rel)
        assert repo_path(as_dir, None) == "models/tiny/README.md"
        assert repo_path(as_dir, "LICENSE") == "models/tiny/LICENSE"
        as_file = _report(rel / "README.md")
        assert repo_path(as_file, "README.md") == "models/tiny/README.md"
        lone = _report(Path(os.path.relpath(tmp_path / "card.md", cwd)))
        assert repo_path(lone, None) == "card.md"
        absolute = _report(model.resolve())
        assert repo_path(absolute, None) == "models/tiny/README.md"


def test_outside_a_checkout_paths_run_from_the_model_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "models" / "tiny"
    shutil.copytree(REPOS / "no-license", model)
    monkeypatch.chdir(tmp_path)
    assert repo_path(_report(Path("models/tiny")), "LICENSE") == "LICENSE"


def test_sarif_and_annotations_from_a_subdirectory_name_checkout_files(tmp_path: Path) -> None:
    model = tmp_path / "models" / "tiny"
    shutil.copytree(REPOS / "no-license", model)
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "models"
    sarif = json.loads(run_owcheck("tiny", "-f", "sarif", cwd=sub).stdout)
    check_sarif(sarif, cwd=tmp_path)  # every uri is a file of the checkout, from its root
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]}
    assert uris == {"models/tiny/README.md"}
    notes = run_owcheck("tiny", "-f", "github", cwd=sub).stdout
    assert "::error file=models/tiny/README.md," in notes


# --------------------------------------------------------------------------- markdown


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def _cells(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_markdown_scorecard_has_headline_grid_frameworks_and_findings() -> None:
    done = run_owcheck("tests/fixtures/repos/tier-d", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("## owcheck: **D** · restricted-weights\n")
    rows = _table_rows(text)
    grid = rows[:5]
    assert grid[0] == "| | use | study | modify | share |"
    assert [r.split("|")[1].strip().split("<br>")[0] for r in grid[2:]] == [
        "**weights**",
        "**code**",
        "**data**",
    ]
    assert "~ limited<br><sub>llama3.1 §1.b.iv: acceptable use policy</sub>" in grid[2]
    assert all(_cells(r) == 5 for r in grid)
    assert "**Frameworks:** OSAID fail" in text
    assert "### Findings (5)" in text
    findings = rows[5:]
    assert findings[0] == "| severity | rule | where | message |"
    assert all(_cells(r) == 4 for r in findings)
    assert "`tests/fixtures/repos/tier-d/README.md:2`" in findings[2]
    assert "[OW213](https://" in findings[2]


def test_markdown_escapes_card_text(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: 'evil|<script>x</script>'\n---\n# Model\n")
    text = run_owcheck(str(tmp_path), "--format", "markdown").stdout
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    for row in _table_rows(text):
        if row.startswith("| **"):
            assert _cells(row) == 5, row
    assert escape("a|b\nc<d>") == "a\\|b c&lt;d&gt;"


def test_markdown_lists_suppressed_and_unused(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "---\nlicense: apache-2.0\n---\n# Model\n"
        "<!-- owcheck: ignore OW301 -- internal -->\n<!-- owcheck: ignore OW208 -->\n"
    )
    text = run_owcheck(str(tmp_path), "--format", "markdown").stdout
    assert "Suppressed (1): OW301 (internal)" in text
    assert "Unused suppression: OW208 at line 6" in text


# --------------------------------------------------------------------------- github


def test_github_escaping_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotations_format_and_order() -> None:
    done = run_owcheck("tests/fixtures/repos/no-license", "--format", "github")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(
        "::error file=tests/fixtures/repos/no-license/README.md,line=1,title=OW201 no-license::"
    )
    commands = [line.split(" ", 1)[0] for line in lines if line.startswith("::")]
    order = {"::error": 0, "::warning": 1, "::notice": 2}
    assert [order[c] for c in commands] == sorted(order[c] for c in commands)
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert lines[-1].startswith("owcheck: tests/fixtures/repos/no-license: grade F (not-open)")


def _finding(code: str, severity: Severity, n: int, message: str = "m") -> Finding:
    rule = all_rules()[code]
    return Finding(code, rule.name, severity, f"{message} {n}", None, "README.md", n, "f", "u")


def test_github_caps_annotations_at_ten_per_level_worst_first() -> None:
    report = _report(REPOS / "tier-a")
    many = tuple(
        [_finding("OW404", Severity.INFO, i) for i in range(1, 13)]
        + [_finding("OW301", Severity.WARNING, i) for i in range(1, 15)]
        + [_finding("OW201", Severity.ERROR, i) for i in range(1, 4)]
    )
    text = renderer("github")(records.replace(report, findings=many))
    commands = [line.split(" ", 1)[0] for line in text.splitlines() if line.startswith("::")]
    assert commands == ["::error"] * 3 + ["::warning"] * MAX_PER_LEVEL + ["::notice"] * 10
    assert "6 more finding(s) not annotated" in text
    assert ",line=1," in text.splitlines()[3]  # the first warnings, in report order


def test_github_annotation_escapes_messages_and_properties() -> None:
    report = _report(REPOS / "tier-a")
    nasty = _finding("OW203", Severity.WARNING, 3, "50%,off:\nnext")
    nasty = records.replace(nasty, path="dir,x/READ:ME.md")
    line = renderer("github")(records.replace(report, findings=(nasty,))).splitlines()[0]
    assert "file=tests/fixtures/repos/tier-a/dir%2Cx/READ%3AME.md" in line
    assert line.endswith("::50%25,off:%0Anext 3%0Afix: f%0Au")


def test_github_hub_subjects_have_no_file_property() -> None:
    report = _report(REPOS / "no-license")
    hub = records.replace(report, source="hub")
    line = renderer("github")(hub).splitlines()[0]
    assert line.startswith("::error title=OW201 no-license::")


# --------------------------------------------------------------------------- exit codes


@pytest.mark.parametrize("fmt", FORMATS)
def test_fail_under_exit_codes_for_every_format(fmt: str) -> None:
    repo = "tests/fixtures/repos/tier-d"
    passed = run_owcheck(repo, "-f", fmt, "--fail-under", "D")
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout
    failed = run_owcheck(repo, "-f", fmt, "--fail-under", "C")
    assert failed.returncode == 1
    assert failed.stdout == passed.stdout  # the report is written either way
    assert "gate failed: grade D is worse than --fail-under C" in failed.stderr
    assert run_owcheck(repo, "-f", fmt, "--fail-under", "Z").returncode == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_fail_on_exit_codes_for_every_format(fmt: str) -> None:
    assert (
        run_owcheck("tests/fixtures/repos/tier-a", "-f", fmt, "--fail-on", "error").returncode == 0
    )
    failed = run_owcheck("tests/fixtures/repos/no-license", "-f", fmt, "--fail-on", "error")
    assert failed.returncode == 1 and failed.stdout
    bad = run_owcheck("tests/fixtures/repos/tier-a", "-f", fmt, "--fail-on", "bad")
    assert bad.returncode == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_unusable_input_is_exit_2_for_every_format(fmt: str, tmp_path: Path) -> None:
    done = run_owcheck(str(tmp_path / "missing"), "-f", fmt)
    assert done.returncode == 2 and not done.stdout


def test_json_report_keeps_its_schema_with_new_formats_around() -> None:
    data = json.loads(run_owcheck("tests/fixtures/repos/tier-d", "-f", "json").stdout)
    validate_report(data)
    assert data["schema_version"] == "1.3"
