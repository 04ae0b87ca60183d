"""Configuration files: discovery, every key, command-line overrides, one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from openweights.config import ConfigError, Settings, find_config, load_config, parse_config
from openweights.licensing.grader import Thresholds
from openweights.rules import Severity
from tests.support import FIXTURES, ROOT, run_owcheck, validate_report

REPOS = FIXTURES / "repos"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git checkout holding the tier-d model (llama3.1, grade D) at its root."""
    shutil.copytree(REPOS / "tier-d", tmp_path / "repo")
    (tmp_path / "repo" / ".git").mkdir()
    return tmp_path / "repo"


def _json(repo: Path, *args: str) -> dict:
    done = run_owcheck(".", "-f", "json", *args, cwd=repo)
    assert done.returncode in (0, 1), done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    return data


def _error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    err = done.stderr.strip()
    assert err.startswith("owcheck: error:") and "\n" not in err, err
    return err


# --------------------------------------------------------------------------- discovery


def test_standalone_files_win_over_pyproject_and_dotfile_first(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.owcheck]\nfail-on = 'error'\n")
    assert find_config(tmp_path) == (tmp_path / "pyproject.toml").resolve()
    (tmp_path / "owcheck.toml").write_text("fail-on = 'warning'\n")
    assert find_config(tmp_path) == (tmp_path / "owcheck.toml").resolve()
    (tmp_path / ".owcheck.toml").write_text("fail-on = 'info'\n")
    assert find_config(tmp_path) == (tmp_path / ".owcheck.toml").resolve()


def test_pyproject_without_owcheck_table_is_skipped_and_search_goes_up(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "owcheck.toml").write_text("fail-under = 'B'\n")
    model = tmp_path / "models" / "tiny"
    model.mkdir(parents=True)
    (model / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    assert find_config(model) == (tmp_path / "owcheck.toml").resolve()
    assert find_config(model / "README.md") == (tmp_path / "owcheck.toml").resolve()


def test_search_stops_at_the_checkout_root(tmp_path: Path) -> None:
    (tmp_path / "owcheck.toml").write_text("fail-under = 'B'\n")
    inner = tmp_path / "checkout"
    (inner / ".git").mkdir(parents=True)
    assert find_config(inner) is None


# --------------------------------------------------------------------------- keys


def test_parse_every_key() -> None:
    settings = parse_config(
        {
            "select": ["OW2", "OW3"],
            "extend-select": ["OW501"],
            "ignore": ["OW213"],
            "fail-under": "c",
            "fail-on": "Warning",
            "rules": {"OW301": {"severity": "error"}, "lineage-not-checked": {"severity": "info"}},
            "thresholds": {"mau": 5, "revenue-usd": 0, "field-exclusion-denies": True},
        }
    )
    assert settings.select == ("OW2", "OW3") and settings.extend_select == ("OW501",)
    assert settings.fail_under == "C" and settings.fail_on == "warning"
    assert settings.severities == {"OW301": Severity.ERROR, "OW501": Severity.INFO}
    assert settings.thresholds == Thresholds(mau=5, revenue_usd=0, field_exclusion_denies=True)
    chosen = settings.selected()
    assert "OW213" not in chosen and "OW501" in chosen and "OW201" in chosen
    assert not any(code.startswith("OW1") for code in chosen)


def test_select_ignore_and_extend_select_from_the_file(repo: Path) -> None:
    (repo / "owcheck.toml").write_text('select = ["OW3"]\nextend-select = ["OW213"]\n')
    rules = {f["rule"] for f in _json(repo)["findings"]}
    assert rules == {"OW301", "OW213"}
    (repo / "owcheck.toml").write_text('ignore = ["OW3", "OW4"]\n')
    rules = {f["rule"] for f in _json(repo)["findings"]}
    assert rules == {"OW213", "OW501"}


def test_command_line_overrides_the_file_key_by_key(repo: Path) -> None:
    (repo / "owcheck.toml").write_text('select = ["OW3"]\nfail-under = "C"\n')
    assert run_owcheck(".", cwd=repo).returncode == 1
    assert run_owcheck(".", "--fail-under", "D", cwd=repo).returncode == 0
    rules = {f["rule"] for f in _json(repo, "--select", "OW2")["findings"]}
    assert rules == {"OW213"}


def test_gates_from_the_file(repo: Path) -> None:
    (repo / "owcheck.toml").write_text('fail-on = "warning"\n')
    done = run_owcheck(".", "-f", "json", cwd=repo)
    assert done.returncode == 1
    # A gate from the file is named as the file's key, not as a command-line flag.
    assert "gate failed: a finding is warning, at or above fail-on warning in owcheck.toml" in (
        done.stderr)
    assert "--fail-on" not in done.stderr
    flagged = run_owcheck(".", "-f", "json", "--fail-on", "WARNING", cwd=repo)
    assert "at or above --fail-on warning" in flagged.stderr
    (repo / "owcheck.toml").write_text('fail-on = "error"\n')
    assert run_owcheck(".", "-f", "json", cwd=repo).returncode == 0
    (repo / "owcheck.toml").unlink()
    (repo / "pyproject.toml").write_text('[tool.owcheck]\nfail-under = "c"\n')
    done = run_owcheck(".", "-f", "json", cwd=repo)
    assert done.returncode == 1
    assert "grade D is worse than fail-under C in pyproject.toml [tool.owcheck]" in done.stderr
    assert run_owcheck(".", "-f", "json", "--exit-zero", cwd=repo).returncode == 0


def test_show_settings_names_where_each_setting_came_from(repo: Path) -> None:
    (repo / "owcheck.toml").write_text(
        'ignore = ["OW5"]\nfail-under = "C"\n[rules.OW213]\nseverity = "error"\n'
        "[thresholds]\nmau = 5\n")
    done = run_owcheck(".", "--show-settings", "--fail-on", "Warning", "--select", "OW2,OW5",
                       cwd=repo, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()
            if line and not line.startswith(" ")}
    assert rows["ignore"] == ["OW5", "owcheck.toml"]
    assert rows["fail-under"] == ["C", "owcheck.toml"]
    assert rows["fail-on"] == ["warning", "--fail-on"]
    assert rows["select"] == ["OW2,", "OW5", "--select"]
    assert rows["rules.OW213.severity"] == ["error", "owcheck.toml"]
    assert rows["thresholds.mau"] == ["5", "owcheck.toml"]
    assert rows["thresholds.revenue-usd"] == ["100000000", "default"]
    from openweights.rules import all_rules

    ow2 = [code for code in all_rules() if code.startswith("OW2")]
    assert f"rules run ({len(ow2)}): {ow2[0]}" in done.stdout  # OW2 and OW5, less ignored OW5
    assert all(len(line) <= 80 and line == line.rstrip() for line in done.stdout.splitlines())
    data = json.loads(run_owcheck("--show-settings", "-f", "json", cwd=repo).stdout)
    assert data["configuration"].endswith("owcheck.toml")
    assert data["settings"]["fail-under"] == {"value": "C", "from": "owcheck.toml"}
    assert data["settings"]["fail-on"] == {"value": None, "from": "default"}


def test_per_rule_severity_changes_report_and_gate(repo: Path) -> None:
    (repo / "owcheck.toml").write_text('fail-on = "error"\n[rules.OW213]\nseverity = "error"\n')
    done = run_owcheck(".", "-f", "json", cwd=repo)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    validate_report(data)
    ow213 = next(f for f in data["findings"] if f["rule"] == "OW213")
    assert ow213["severity"] == "error"
    assert data["summary"]["error"] == 1
    sarif = json.loads(run_owcheck(".", "-f", "sarif", cwd=repo).stdout)
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "OW213")
    assert result["level"] == "error"


def test_thresholds_reach_the_license_grader(repo: Path) -> None:
    # Llama 3.1's cap is 700M monthly users: below a 1B threshold it denies use.
    assert _json(repo)["grade"] == "D"
    (repo / "owcheck.toml").write_text("[thresholds]\nmau = 1_000_000_000\n")
    data = _json(repo)
    assert data["grade"] == "F"
    assert data["components"]["weights"]["freedoms"]["use"] == "denied"


def test_pyproject_table_and_explicit_config_and_isolated(repo: Path, tmp_path: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.owcheck]\nfail-under = "A"\n'
    )
    assert run_owcheck(".", cwd=repo).returncode == 1
    assert run_owcheck(".", "--isolated", cwd=repo).returncode == 0
    other = tmp_path / "elsewhere.toml"
    other.write_text('fail-under = "D"\n')
    assert run_owcheck(".", "--config", str(other), cwd=repo).returncode == 0
    err = _error(run_owcheck(".", "--config", str(tmp_path / "nope.toml"), cwd=repo))
    assert "nope.toml" in err


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("content", "names"),
    [
        ('selct = ["OW2"]\n', "selct: unknown key (did you mean 'select'?)"),
        ('select = "OW2, XX3"\n', "select: unknown rule selector 'XX3'"),
        ('select = ["XX9"]\n', "select: unknown rule selector 'XX9'"),
        ("ignore = [1]\n", "ignore must be a list"),
        ('fail-under = "Z"\n', "fail-under must be one of A, B, C, D, F"),
        ('fail-on = "warnings"\n', "fail-on must be one of error, warning, info"),
        ('[rules.OW999]\nseverity = "error"\n', "rules.OW999: unknown rule"),
        ('[rules.OW213]\nsevrity = "error"\n', "rules.OW213.sevrity: unknown rule option"),
        ('[rules.OW213]\nseverity = "fatal"\n', "rules.OW213.severity must be one of"),
        ("[thresholds]\nmau = -1\n", "thresholds.mau must be a whole number"),
        ("[thresholds]\nmau = true\n", "thresholds.mau must be a whole number"),
        ('[thresholds]\nfield-exclusion-denies = "yes"\n', "thresholds.field-exclusion-denies"),
        ("[thresholds]\nmaus = 1\n", "thresholds.maus: unknown key (did you mean 'mau'?)"),
        ("select = [\n", "invalid TOML"),
        ("\xff", "not valid UTF-8"),
    ],
)
def test_invalid_config_is_a_one_line_error_naming_the_key(
    repo: Path, content: str, names: str
) -> None:
    (repo / "owcheck.toml").write_bytes(content.encode("latin-1"))
    err = _error(run_owcheck(".", "-f", "json", cwd=repo))
    assert names in err and "owcheck.toml" in err


def test_pyproject_errors_name_the_full_key(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.owcheck]\nfail-on = "never"\n')
    err = _error(run_owcheck(".", cwd=repo))
    assert "pyproject.toml: tool.owcheck.fail-on must be one of" in err


def test_load_config_api(tmp_path: Path) -> None:
    path = tmp_path / "owcheck.toml"
    path.write_text('fail-under = "B"\n')
    assert load_config(path) == Settings(path=path, fail_under="B")
    path.write_text("oops = 1\n")
    with pytest.raises(ConfigError, match="oops: unknown key"):
        load_config(path)


def test_the_pre_commit_path_stays_light(repo: Path) -> None:
    """Config reading adds no heavy import to `owcheck PATH -f json`."""
    (repo / "owcheck.toml").write_text('fail-on = "error"\n[thresholds]\nmau = 100\n')
    code = (
        "import sys\n"
        "from openweights.cli import main\n"
        "try:\n    main(['.', '-f', 'json'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'rich', 'huggingface_hub', 'jsonschema', 'httpx'})\n"
        "sys.stderr.write('HEAVY=' + ','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=repo,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert '"grade": "D"' in done.stdout, done.stderr
    assert done.stderr.strip().endswith("HEAVY="), done.stderr
