"""The pre-commit hooks: the manifest, the ``files`` patterns, and a real ``pre-commit try-repo``.

The try-repo test snapshots this checkout (tracked and untracked files, not ignored ones) into a
fresh git repository, so it tests the working tree in CI and during development alike, then runs
both hooks on a temporary model repo: once on a card that passes, once on one that fails.
pre-commit builds the hooks' environment with ``pip install`` from that snapshot (the package
registries are the only network it needs); the hooks themselves never use the network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import FIXTURES, ROOT

HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
HOOKS: dict[str, dict[str, Any]] = {
    h["id"]: h for h in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
}
REPOS = FIXTURES / "repos"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "owcheck tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "owcheck tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def test_manifest_is_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {h["id"]: h for h in load_manifest(str(HOOKS_FILE))}
    assert set(hooks) == {"owcheck", "owcheck-cards"}
    for hook in hooks.values():
        assert hook["language"] == "python"
    # Both print the short form: the card hook always, the repo hook by --quiet.
    assert hooks["owcheck"]["args"] == ["--fail-on", "error", "--quiet"]
    assert hooks["owcheck-cards"]["args"] == ["--fail-on", "error"]
    assert hooks["owcheck"]["pass_filenames"] is False
    assert hooks["owcheck"]["entry"] == "owcheck check ."
    assert hooks["owcheck-cards"]["pass_filenames"] is True


@pytest.mark.parametrize(
    ("path", "repo_hook", "card_hook"),
    [
        ("README.md", True, True),
        ("readme.md", True, True),
        ("LICENSE", True, False),
        ("LICENSE.txt", True, False),
        ("LICENCE-weights.md", True, False),
        ("USE_POLICY.md", True, False),
        ("NOTICE", True, False),
        ("owcheck.toml", True, False),
        (".owcheck.toml", True, False),
        ("pyproject.toml", True, False),
        ("models/tiny/README.md", False, True),
        ("docs/README.md", False, True),
        ("models/tiny/LICENSE", False, False),
        ("config.json", False, False),
        ("README.md.bak", False, False),
        ("NOT_A_README.md", False, False),
        ("model.safetensors", False, False),
    ],
)
def test_hook_file_patterns(path: str, repo_hook: bool, card_hook: bool) -> None:
    # pre-commit matches `files` with re.search against the repo-relative path.
    assert bool(re.search(HOOKS["owcheck"]["files"], path)) is repo_hook
    assert bool(re.search(HOOKS["owcheck-cards"]["files"], path)) is card_hook


def test_card_hook_entry_grades_each_card(tmp_path: Path) -> None:
    shutil.copytree(REPOS / "tier-a", tmp_path / "a")
    shutil.copytree(REPOS / "no-license", tmp_path / "b")
    (tmp_path / ".git").mkdir()
    cmd = [sys.executable, "-m", "openweights.cli.hook", "--fail-on", "error"]
    done = subprocess.run(
        [*cmd, "a/README.md"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("a/README.md: grade A (fully-open)")
    done = subprocess.run(
        [*cmd, "a/README.md", "b/README.md", "missing/README.md"], cwd=tmp_path,
        capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 2  # an unreadable card outranks a failed gate
    assert "b/README.md:1: error OW201 no-license:" in done.stdout
    assert "gate failed: a finding is error" in done.stdout
    assert "owcheck: error: missing/README.md:" in done.stderr


def test_card_hook_takes_comma_lists_and_choices_in_any_case(tmp_path: Path) -> None:
    shutil.copytree(REPOS / "no-license", tmp_path / "b")
    (tmp_path / ".git").mkdir()
    cmd = [sys.executable, "-m", "openweights.cli.hook", "--fail-on", "ERROR", "--ignore",
           "OW2,OW3", "b/README.md"]
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert " OW2" not in done.stdout and " OW3" not in done.stdout


def test_hook_fails_offline_on_an_apache_card_over_a_llama_base(tmp_path: Path) -> None:
    shutil.copytree(REPOS / "apache-on-llama-base", tmp_path / "m")
    (tmp_path / ".git").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    # No Hub at all: offline mode, and an endpoint nothing listens on.
    env.update(PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", HF_ENDPOINT="http://127.0.0.1:9")
    done = subprocess.run(
        [sys.executable, "-m", "openweights.cli.hook", "--fail-on", "error", "m/README.md"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error OW503 license-launders-base" in done.stdout
    assert "meta-llama/Llama-3.1-8B-Instruct" in done.stdout and "llama3.1" in done.stdout
    assert "gate failed" in done.stdout
    relabelled = (tmp_path / "m" / "README.md").read_text(encoding="utf-8")
    (tmp_path / "m" / "README.md").write_text(
        relabelled.replace("license: apache-2.0", "license: llama3.1"), encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "openweights.cli.hook", "--fail-on", "error", "m/README.md"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OW503" not in done.stdout


# --------------------------------------------------------------------------- try-repo


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
        timeout=120,
    )


def _snapshot(dest: Path) -> Path:
    """This checkout as a fresh one-commit git repository (what a clean clone would hold)."""
    dest.mkdir()
    if (ROOT / ".git").exists():
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout.decode("utf-8")
        for rel in filter(None, listed.split("\0")):
            src = ROOT / rel
            if src.is_file():  # skips files deleted in the working tree
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / rel)
    else:
        shutil.copytree(
            ROOT,
            dest,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", ".*_cache"
            ),
        )
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "-m", "snapshot", cwd=dest)
    return dest


def _try_repo(snapshot: Path, model: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "HF_"))}
    env.update(GIT_ENV, PRE_COMMIT_HOME=str(home), NO_COLOR="1")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("PYTHONPATH", None)  # the hooks must run the owcheck pre-commit installed
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(snapshot),
         "--all-files", "--verbose", "--color", "never"],
        cwd=model, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def _model_repo(path: Path, fixture: str) -> Path:
    shutil.copytree(REPOS / fixture, path)
    _git("init", "-q", cwd=path)
    _git("add", "-A", cwd=path)
    return path


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed for pre-commit")
def test_pre_commit_try_repo_passes_a_good_card_and_fails_a_bad_one(tmp_path: Path) -> None:
    started = time.monotonic()
    snapshot = _snapshot(tmp_path / "owcheck")
    home = tmp_path / "pre-commit-home"

    good = _try_repo(snapshot, _model_repo(tmp_path / "good", "tier-a"), home)
    output = good.stdout + good.stderr
    assert good.returncode == 0, output
    assert re.search(r"owcheck \(model repo\)\.+Passed", output), output
    assert re.search(r"owcheck \(model cards\)\.+Passed", output), output
    assert "fully-open" in output  # --verbose shows the scorecard
    assert "README.md: grade A (fully-open)" in output

    bad = _try_repo(snapshot, _model_repo(tmp_path / "bad", "no-license"), home)
    output = bad.stdout + bad.stderr
    assert bad.returncode == 1, output
    assert re.search(r"owcheck \(model repo\)\.+Failed", output), output
    assert re.search(r"owcheck \(model cards\)\.+Failed", output), output
    assert "- exit code: 1" in output
    assert "OW201" in output and "no-license" in output
    assert "README.md:1: error OW201 no-license:" in output
    assert "gate failed: a finding is error, at or above --fail-on error" in output
    print(f"pre-commit try-repo test took {time.monotonic() - started:.1f} s", file=sys.stderr)
