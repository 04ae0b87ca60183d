"""The GitHub Action: action.yml's contract, and its steps run locally as a runner would.

The steps are taken from action.yml and run with bash the way GitHub runs ``shell: bash``
(``bash --noprofile --norc -eo pipefail``), with ``${{ inputs.* }}`` evaluated into the step's
``env:`` and the ``GITHUB_*``/``RUNNER_*`` variables pointed at temporary files. The install
step builds a real virtual environment from this checkout once per module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from openweights.cli import action
from tests.forge.server import LoopbackForge, forge_env
from tests.formats.test_formats import check_sarif
from tests.hub.server import LoopbackHub, hub_env
from tests.support import FIXTURES, ROOT, validate_report

ACTION_FILE = ROOT / "action.yml"
ACTION: dict[str, Any] = yaml.safe_load(ACTION_FILE.read_text(encoding="utf-8"))
STEPS = {step["id"]: step for step in ACTION["runs"]["steps"]}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
REPOS = FIXTURES / "repos"
TOKEN = "hf_actiontesttoken0123456789"


# --------------------------------------------------------------------------- the contract


def test_every_input_used_is_declared_and_every_declared_input_is_used() -> None:
    text = ACTION_FILE.read_text(encoding="utf-8")
    used = set(re.findall(r"\binputs\.([\w-]+)", text))
    declared = set(ACTION["inputs"])
    assert used == declared
    assert set(action.INPUTS) == declared
    for name, spec in ACTION["inputs"].items():
        assert spec["description"].strip(), name
        assert spec.get("required") is False and "default" in spec, name


def test_every_output_is_declared_and_set_by_the_run_step() -> None:
    outputs = ACTION["outputs"]
    assert set(outputs) == set(action.OUTPUTS)
    for name, spec in outputs.items():
        assert spec["description"].strip()
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


def test_inputs_reach_scripts_through_env_only() -> None:
    for step in ACTION["runs"]["steps"]:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], f"step {step['id']} interpolates into shell text"
    env = STEPS["run"]["env"]
    expected = {
        "INPUT_" + n.upper().replace("-", "_"): f"${{{{ inputs.{n} }}}}" for n in action.INPUTS
    }
    assert env == expected
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["branding"]["icon"] and ACTION["branding"]["color"]


# --------------------------------------------------------------------------- running the steps


def _evaluate(value: str, inputs: Mapping[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        expr = m.group(1)
        if expr.startswith("inputs."):
            name = expr[len("inputs.") :]
            return inputs.get(name, str(ACTION["inputs"][name].get("default", "")))
        if expr == "github.action_path":
            return str(ROOT)
        raise AssertionError(f"the test does not know how to evaluate {expr!r}")

    return EXPRESSION.sub(one, value)


def run_step(
    step_id: str,
    runner_temp: Path,
    workspace: Path,
    inputs: Mapping[str, str] | None = None,
    base_env: Mapping[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """Run one step; returns the process, the GITHUB_OUTPUT file and the summary file."""
    step = STEPS[step_id]
    outputs = runner_temp / f"output-{step_id}-{len(list(runner_temp.glob('output-*')))}"
    summary = outputs.with_name(outputs.name.replace("output-", "summary-"))
    outputs.touch()
    summary.touch()
    source = os.environ if base_env is None else base_env
    env = {
        k: v
        for k, v in source.items()
        if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_")) and k != "PYTHONPATH"
    }
    if base_env is None:  # never the real Hub
        env = {k: v for k, v in env.items() if not k.startswith("HF_")}
        env.update(HF_HUB_OFFLINE="1", HF_ENDPOINT="http://127.0.0.1:9")
    # Never the real GitHub either: a test's own loopback forge, or a closed port.
    env.update(forge_env(None))
    if base_env is not None:
        env.update({k: base_env[k] for k in ("GITHUB_API_URL", "GITLAB_API_URL")
                    if k in base_env})
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(
        RUNNER_TEMP=str(runner_temp),
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_OUTPUT=str(outputs),
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_ACTION_PATH=str(ROOT),
        GITHUB_ACTIONS="true",
        NO_COLOR="1",
    )
    env.update({k: _evaluate(str(v), inputs or {}) for k, v in step.get("env", {}).items()})
    script = runner_temp / f"{step_id}.sh"
    script.write_text(step["run"], encoding="utf-8")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done, outputs, summary


def read_outputs(path: Path) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT file (``name=value`` and ``name<<DELIM`` forms)."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            name, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        name, value = line.split("=", 1)
        out[name] = value
        i += 1
    return out


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """RUNNER_TEMP after the install step: a venv with owcheck installed from this checkout."""
    if shutil.which("bash") is None:
        pytest.skip("bash is needed to run the action's steps")
    temp = tmp_path_factory.mktemp("runner-temp")
    done, _, _ = run_step("install", temp, temp)
    assert done.returncode == 0, done.stdout + done.stderr
    python = temp / "owcheck-venv" / "bin" / "python"
    probe = subprocess.run(
        [str(python), "-c", "import openweights; print(openweights.__file__)"],
        capture_output=True,
        text=True,
        cwd=temp,
    )
    assert "site-packages" in probe.stdout, "owcheck must come from the venv, not the checkout"
    return temp


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout with two models: models/tiny (grade D) and models/bare (no license, F)."""
    ws = tmp_path / "workspace"
    (ws / ".git").mkdir(parents=True)
    shutil.copytree(REPOS / "tier-d", ws / "models" / "tiny")
    shutil.copytree(REPOS / "no-license", ws / "models" / "bare")
    return ws


def _annotations(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if re.match(r"::(error|warning|notice) ", line)]


def test_gate_fails_with_summary_outputs_annotations_and_sarif(
    runner_temp: Path, workspace: Path
) -> None:
    done, outputs, summary = run_step(
        "run",
        runner_temp,
        workspace,
        {"target": "models/tiny", "fail-under": "C", "sarif": "results/owcheck.sarif"},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    out = read_outputs(outputs)
    report_path = runner_temp / "owcheck-report.json"
    assert out == {
        "grade": "D",
        "tier": "restricted-weights",
        "findings": "5",
        "report": str(report_path),
        "sarif": "results/owcheck.sarif",
        "tightened": "",
    }
    report = json.loads(report_path.read_text(encoding="utf-8"))
    validate_report(report)
    assert report["grade"] == "D"
    check_sarif(json.loads((workspace / "results" / "owcheck.sarif").read_text()), cwd=workspace)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## owcheck: **D** · restricted-weights")
    assert "| **weights**<br>released<br>llama3.1 |" in text
    assert "**Gates failed:** grade D is worse than input fail-under C" in text
    notes = _annotations(done.stdout)
    assert notes[0].startswith(
        "::warning file=models/tiny/README.md,line=2,title=OW213 weights-not-open::"
    )
    assert [n.split(" ")[0] for n in notes] == ["::warning"] * 3 + ["::notice"] * 2
    # The scorecard is printed with workflow commands paused, so card text cannot inject any.
    token = re.search(r"^::stop-commands::(\w+)$", done.stdout, re.M)
    assert token and f"\n::{token.group(1)}::\n" in done.stdout
    assert "owcheck: gate failed: grade D is worse than input fail-under C" in done.stdout


def test_gates_pass_and_findings_alone_never_fail_the_step(
    runner_temp: Path, workspace: Path
) -> None:
    done, outputs, summary = run_step(
        "run",
        runner_temp,
        workspace,
        {"target": "models/tiny", "fail-under": "D", "fail-on": "error"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "**Gates passed:** input fail-under D, input fail-on error." in summary.read_text(
        "utf-8")
    assert read_outputs(outputs)["sarif"] == ""
    done, outputs, summary = run_step("run", runner_temp, workspace, {"target": "models/bare"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert read_outputs(outputs)["grade"] == "F"
    assert _annotations(done.stdout)[0].startswith(
        "::error file=models/bare/README.md,line=1,title=OW201 no-license::"
    )
    assert "**Gates:** none set" in summary.read_text("utf-8")
    done, _, _ = run_step(
        "run", runner_temp, workspace, {"target": "models/bare", "fail-on": "error"}
    )
    assert done.returncode == 1


def test_config_file_gates_apply_and_inputs_override_them(
    runner_temp: Path, workspace: Path
) -> None:
    (workspace / "owcheck.toml").write_text('fail-under = "B"\n')
    done, _, summary = run_step("run", runner_temp, workspace, {"target": "models/tiny"})
    assert done.returncode == 1
    assert "fail-under B" in summary.read_text("utf-8")
    done, _, _ = run_step(
        "run", runner_temp, workspace, {"target": "models/tiny", "fail-under": "F"}
    )
    assert done.returncode == 0


def _git(ws: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=owcheck tests", "-c", "user.email=tests@example.org", *args],
        cwd=ws, check=True, capture_output=True,
    )


@pytest.fixture
def released(tmp_path: Path) -> Path:
    """A git checkout whose model was released (tag v1.0) under Apache-2.0 (grade C)."""
    if shutil.which("git") is None:
        pytest.skip("git is needed for a ref baseline")
    ws = tmp_path / "released"
    shutil.copytree(REPOS / "tier-c", ws / "models" / "m")
    _git(ws, "init", "-q")
    _git(ws, "add", "-A")
    _git(ws, "commit", "-q", "-m", "release")
    _git(ws, "tag", "v1.0")
    return ws


def test_baseline_ref_fails_a_release_that_tightens_the_terms(
    runner_temp: Path, released: Path
) -> None:
    done, outputs, summary = run_step(
        "run", runner_temp, released, {"target": "models/m", "baseline": "v1.0"}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert read_outputs(outputs)["tightened"] == "false"
    assert "## owcheck diff: no change" in summary.read_text("utf-8")
    assert "**Gates passed:** baseline v1.0." in summary.read_text("utf-8")

    # Relicensed to non-commercial in the working tree: less open than the v1.0 release.
    shutil.copy(REPOS / "tier-f" / "README.md", released / "models" / "m" / "README.md")
    done, outputs, summary = run_step(
        "run", runner_temp, released, {"target": "models/m", "baseline": "v1.0"}
    )
    assert done.returncode == 1, done.stdout + done.stderr
    out = read_outputs(outputs)
    assert (out["grade"], out["tightened"]) == ("F", "true")
    text = summary.read_text("utf-8")
    assert "## owcheck diff: 🔻 terms got less open (1 model)" in text
    assert "| 🔻 | weights license | apache-2.0 (open) | cc-by-nc-4.0 (not-open) |" in text
    assert "**Gates failed:** terms got less open than the baseline." in text
    assert "▼ grade" in done.stdout and "C → F" in done.stdout
    assert "owcheck: gate failed: terms got less open than the baseline" in done.stdout


def test_baseline_report_of_the_last_release(runner_temp: Path, workspace: Path) -> None:
    done, _, _ = run_step("run", runner_temp, workspace, {"target": "models/bare",
                                                          "report": "bare.json"})
    assert done.returncode == 0
    # The D-graded model against the F report: more open, the step passes.
    done, outputs, summary = run_step(
        "run", runner_temp, workspace, {"target": "models/tiny", "baseline": "bare.json"}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert read_outputs(outputs)["tightened"] == "false"
    assert "🔺 terms got more open" in summary.read_text("utf-8")
    done, _, _ = run_step("run", runner_temp, workspace, {"target": "models/tiny",
                                                          "report": "tiny.json"})
    done, outputs, _ = run_step(
        "run", runner_temp, workspace, {"target": "models/bare", "baseline": "tiny.json"}
    )
    assert done.returncode == 1 and read_outputs(outputs)["tightened"] == "true"


def test_baseline_hub_revision(runner_temp: Path, workspace: Path, tmp_path: Path) -> None:
    hub = LoopbackHub().start()
    try:
        env = hub_env(hub.endpoint, tmp_path)
        v1 = hub.sha("models", "acme/relicensed", "v1.0")
        # Relicensed from cc-by-nc-4.0 (v1.0) to apache-2.0 (main): more open, the step passes.
        done, outputs, _ = run_step(
            "run", runner_temp, workspace,
            {"target": "acme/relicensed", "baseline": "v1.0"}, base_env=env,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert read_outputs(outputs)["tightened"] == "false"
        # The v1.0 release against main as its baseline: less open, the step fails.
        done, outputs, summary = run_step(
            "run", runner_temp, workspace,
            {"target": "acme/relicensed", "revision": "v1.0", "baseline": "main"}, base_env=env,
        )
    finally:
        hub.stop()
    assert done.returncode == 1, done.stdout + done.stderr
    out = read_outputs(outputs)
    assert (out["grade"], out["tightened"]) == ("F", "true")
    assert json.loads(Path(out["report"]).read_text("utf-8"))["subject"]["revision"] == v1
    assert "| 🔻 | weights license | apache-2.0 (open) | cc-by-nc-4.0 (not-open) |" in (
        summary.read_text("utf-8"))


@pytest.mark.parametrize(
    ("baseline", "message"),
    [
        ("missing.json", "input baseline: no such report: missing.json"),
        ("no-such-tag", "no such git ref in "),
        ("--upload-pack=x", "not a git ref: '--upload-pack=x'"),
    ],
)
def test_bad_baseline_is_an_error_annotation_and_exit_2(
    runner_temp: Path, released: Path, baseline: str, message: str
) -> None:
    done, _, _ = run_step("run", runner_temp, released, {"target": "models/m",
                                                         "baseline": baseline})
    assert done.returncode == 2, done.stdout + done.stderr
    [error] = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert message in error


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"fail-under": "Z"}, "input fail-under must be A, B, C, D or F"),
        ({"fail-on": "fatal"}, "input fail-on must be error, warning or info"),
        ({"target": "no/such/dir/here"}, "no such file or directory, and not a Hub repo id"),
        ({"config": "missing.toml"}, "no such configuration file"),
    ],
)
def test_bad_inputs_are_one_error_annotation_and_exit_2(
    runner_temp: Path, workspace: Path, inputs: dict[str, str], message: str
) -> None:
    done, outputs, summary = run_step(
        "run", runner_temp, workspace, {"target": "models/tiny", **inputs}
    )
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and errors[0].startswith("::error title=owcheck::")
    assert message in errors[0]
    assert "could not grade" in summary.read_text("utf-8")
    assert outputs.read_text("utf-8") == ""  # no grade was made, so no outputs
    assert "Traceback" not in done.stdout + done.stderr


def test_inputs_are_never_run_as_shell(runner_temp: Path, workspace: Path) -> None:
    evil = 'x"; touch pwned; echo "$(touch pwned2)'
    done, _, _ = run_step("run", runner_temp, workspace, {"target": evil, "revision": "`touch p3`"})
    assert done.returncode == 2
    assert not list(workspace.glob("pwned*")) and not (workspace / "p3").exists()


def test_hub_target_with_token(runner_temp: Path, workspace: Path, tmp_path: Path) -> None:
    hub = LoopbackHub().start()
    try:
        env = hub_env(hub.endpoint, tmp_path)
        done, outputs, summary = run_step(
            "run",
            runner_temp,
            workspace,
            {"target": "acme/no-license", "token": TOKEN, "sarif": "hub.sarif"},
            base_env=env,
        )
        requests = hub.requests
    finally:
        hub.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    assert {r.authorization for r in requests} == {f"Bearer {TOKEN}"}
    out = read_outputs(outputs)
    report = json.loads(Path(out["report"]).read_text("utf-8"))
    assert report["subject"]["source"] == "hub" and out["grade"] == report["grade"]
    notes = _annotations(done.stdout)
    assert notes
    for note in notes:
        assert " file=" not in note  # the Hub's files are not in the checkout
        assert "::acme/no-license README.md" in note  # so the message names the model
    sarif = json.loads((workspace / "hub.sarif").read_text("utf-8"))
    check_sarif(sarif)
    for result in sarif["runs"][0]["results"]:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        # Never %SRCROOT%/README.md, the checkout's own card: the file on the Hub, by model id.
        assert artifact == {"uri": "hf.co/acme/no-license/README.md"}
        assert result["message"]["text"].startswith("acme/no-license README.md")
    everything = done.stdout + done.stderr + summary.read_text("utf-8") + outputs.read_text()
    assert TOKEN not in everything + Path(out["report"]).read_text("utf-8")


def test_forge_lookups_use_the_workflow_token(
    runner_temp: Path, workspace: Path, tmp_path: Path
) -> None:
    token = "ghs_WORKFLOWTOKEN1234567"
    card = workspace / "README.md"
    card.write_text(
        "---\nlicense: mit\n---\n# Model\n\n## Training\n\n"
        "To train the model, use [our training code](https://github.com/forge-fixtures/licensed).\n",
        encoding="utf-8",
    )
    with LoopbackForge() as forge:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "GITHUB_"))}
        # No HF_HUB_OFFLINE here: it would keep the forge lookups offline too.
        env.update(HF_ENDPOINT="http://127.0.0.1:9", HF_HOME=str(tmp_path))
        done, outputs, summary = run_step(
            "run", runner_temp, workspace, {"github-token": token}, base_env=env | forge.env()
        )
        requests = forge.requests
        assert done.returncode == 0, done.stdout + done.stderr
        report = json.loads(Path(read_outputs(outputs)["report"]).read_text("utf-8"))
        off, _, _ = run_step("run", runner_temp, workspace, {"forge": "false"},
                             base_env=env | forge.env())
        assert off.returncode == 0 and len(forge.requests) == len(requests)
    assert [r.authorization for r in requests] == [f"Bearer {token}"]
    assert report["components"]["code"]["license"]["source"] == "forge"
    assert token not in done.stdout + done.stderr + summary.read_text("utf-8")


def test_outputs_with_newlines_use_a_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "out"
    path.touch()
    action.set_outputs({"GITHUB_OUTPUT": str(path)}, {"a": "1", "b": "x\ny"})
    assert read_outputs(path) == {"a": "1", "b": "x\ny"}
