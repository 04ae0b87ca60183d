"""The console script's fast path: same options and results as the full command line, and a
light start-up (no typer, rich, jsonschema or hub client on the pre-commit path)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from openweights.cli.app import app
from openweights.cli.entry import COMMANDS, OPTIONS, parse_fast, route
from tests.support import FIXTURES, ROOT

REPOS = FIXTURES / "repos"


def _typer_check_options() -> dict[str, object]:
    """Option -> "flag", "count", "value" or the tuple of choices, read from the click command
    typer builds for `check` (a choice option shows its values as ``[a|b|c]``)."""
    import typer

    command = typer.main.get_command(app).commands["check"]  # type: ignore[attr-defined]
    out: dict[str, object] = {}
    for param in command.params:
        if param.param_type_name != "option":
            continue  # the positional TARGET
        metavar = param.metavar or ""
        kind: object = (
            "count" if param.count else "flag" if param.is_flag
            else tuple(metavar[1:-1].split("|")) if metavar.startswith("[") else "value"
        )
        for decl in param.opts:
            out[decl] = kind
    return out


def test_fast_option_table_equals_the_typer_check_command() -> None:
    typer_opts = _typer_check_options()
    fast = {opt: ("value" if isinstance(k, str) and k in ("str", "path", "many", "seconds") else k)
            for opt, (_field, k) in OPTIONS.items()}
    assert set(fast) == set(typer_opts)
    for opt, kind in typer_opts.items():
        if isinstance(kind, tuple):
            assert set(kind) == set(fast[opt].values()), opt  # type: ignore[union-attr]
        else:
            assert fast[opt] == kind, opt


def test_command_names_equal_the_typer_app() -> None:
    assert set(COMMANDS) == {c.name for c in app.registered_commands}


@pytest.mark.parametrize(
    ("argv", "taken"),
    [
        (["x"], True),
        (["x", "-f", "json", "--fail-on", "error"], True),
        (["x", "--format=sarif", "--select", "OW2", "--select", "OW3"], True),
        (["x", "--format", "JSON", "--fail-under", "c", "--fail-on", "Error"], True),
        (["x", "-q", "-qq", "-vv", "--exit-zero", "--ignore", "OW2,OW3"], True),
        (["--show-settings"], True),
        (["-qx"], False),
        (["x", "--help"], False),
        (["x", "--format", "yaml"], False),
        (["x", "--unknown"], False),
        (["x", "y"], False),
        (["--fail-on"], False),
        (["licenses"], False),
    ],
)
def test_fast_parser_takes_only_what_it_fully_understands(argv: list[str], taken: bool) -> None:
    assert (parse_fast(route(argv)) is not None) is taken


def test_fast_parser_values() -> None:
    opts = parse_fast(route(["card.md", "--format=json", "--select", "OW2", "--select", "OW3",
                             "-o", "out.json", "--hub", "--revision", "v1"]))
    assert opts is not None
    assert (opts.target, opts.fmt, opts.select, opts.hub, opts.revision) == (
        "card.md", "json", ("OW2", "OW3"), True, "v1")
    assert str(opts.output) == "out.json"


def test_fast_parser_conventions() -> None:
    opts = parse_fast(route(["m", "-qq", "-v", "--fail-under", "c", "-f", "SARIF",
                             "--ignore", "OW2,ow3", "--ignore", "OW401", "--exit-zero"]))
    assert opts is not None
    assert (opts.quiet, opts.verbose, opts.verbosity) == (2, 1, 0)
    assert (opts.fail_under, opts.fmt, opts.exit_zero) == ("C", "sarif", True)
    assert opts.overrides().ignore == ("OW2", "OW3", "OW401")
    settings_only = parse_fast(route(["--show-settings"]))
    assert settings_only is not None and settings_only.target is None


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("args", [
    [str(REPOS / "tier-d"), "-f", "json"],
    [str(REPOS / "tier-d"), "-f", "JSON", "--ignore", "OW2,OW3", "--fail-under", "c"],
    [str(REPOS / "tier-d"), "-q", "--fail-on", "Warning", "--exit-zero"],
    [str(REPOS / "tier-d"), "-qq", "--fail-under", "A"],
    [str(REPOS / "tier-d"), "-v", "--color", "NEVER"],
    [str(REPOS / "tier-d"), "--show-settings", "--select", "ow2"],
    [str(REPOS / "no-license"), "--fail-on", "error"],
    [str(REPOS / "tier-b"), "-f", "markdown", "--fail-under", "A"],
])
def test_fast_path_and_full_command_line_agree(args: list[str]) -> None:
    fast = _run(f"from openweights.cli.entry import main; main({args!r})")
    full = _run(f"from openweights.cli.app import main; main({['check', *args]!r})")
    assert (fast.returncode, fast.stdout, fast.stderr) == (full.returncode, full.stdout,
                                                           full.stderr)


HEAVY = [
    # The full command line and what it brings.
    "typer", "click", "rich", "pydantic",
    # Validation and license-expression parsing (the bundled validator and parser do it).
    "jsonschema", "license_expression",
    # The Hub and forge clients, and the network: a repo on disk is checked offline.
    "huggingface_hub", "httpx2", "httpx", "http.client", "urllib.request", "ssl", "socket",
    "email", "asyncio", "concurrent.futures",
    # Processes, packaging metadata (the version is a constant), optional format extras.
    "subprocess", "importlib.metadata", "pkg_resources", "cyclonedx", "spdx_python_model",
    "numpy", "pyarrow", "dask", "tqdm",
    # PyYAML: plain block front matter is read without it (openweights/frontmatter.py).
    "yaml",
]
"""Modules the pre-commit path (``owcheck PATH`` on a repo on disk) must never load."""


@pytest.mark.parametrize("extra", [
    ["-f", "json"],
    ["-q", "--ignore", "OW3,OW4", "--fail-under", "c"],
    ["--show-settings", "--exit-zero"],
])
def test_pre_commit_path_imports_nothing_heavy(extra: list[str]) -> None:
    code = (
        "import sys\n"
        "from openweights.cli.entry import main\n"
        "try:\n"
        f"    main([{str(REPOS / 'tier-a')!r}, '--fail-on', 'error', *{extra!r}])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "import json\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps({'code': code, 'loaded': [m for m in heavy if m in sys.modules]}))\n"
    )
    done = _run(code)
    result = json.loads(done.stdout.splitlines()[-1])
    assert result == {"code": 0, "loaded": []}, done.stderr


def test_front_matter_outside_the_plain_subset_is_read_by_pyyaml(tmp_path: Path) -> None:
    # The tier-a card with its license written once and referred to (a YAML anchor and alias):
    # the same grade and findings, read through the full reader, which loads PyYAML then.
    shutil.copytree(REPOS / "tier-a", tmp_path / "tier-a")
    card = tmp_path / "tier-a" / "README.md"
    text = card.read_text(encoding="utf-8")
    text = text.replace("license: apache-2.0\n", "license: &lic apache-2.0\n", 1)
    text = text.replace("    license: apache-2.0\n", "    license: *lic\n", 1)
    card.write_text(text, encoding="utf-8")
    reports = []
    for repo in (REPOS / "tier-a", tmp_path / "tier-a"):
        code = (
            "import io, sys\n"
            "from contextlib import redirect_stdout\n"
            "from openweights.cli.entry import main\n"
            "out = io.StringIO()\n"
            "with redirect_stdout(out):\n"
            "    try:\n"
            f"        main([{str(repo)!r}, '-f', 'json'])\n"
            "    except SystemExit:\n"
            "        pass\n"
            "print(json.dumps({'yaml': 'yaml' in sys.modules, 'report': out.getvalue()}))\n"
        )
        done = _run("import json\n" + code)
        result = json.loads(done.stdout.splitlines()[-1])
        reports.append((result["yaml"], json.loads(result["report"].replace(str(repo), "REPO"))))
    (plain_yaml, plain), (anchored_yaml, anchored) = reports
    assert (plain_yaml, anchored_yaml) == (False, True)
    assert anchored == plain
    assert plain["grade"]


LIGHT = ["dataclasses", "inspect"]
"""Standard-library modules the hooks have no use for: records are built without dataclasses
(openweights/records.py), rule documentation imports inspect only when read."""


def _hook_run(hook_id: str, repo: str) -> tuple[int, list[str]]:
    """Run the pre-commit hook ``hook_id`` as `.pre-commit-hooks.yaml` declares it (its entry and
    args) in-process on ``repo``, and return its exit code and the modules it should not load."""
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks[hook_id]
    entry = hook["entry"].split()
    if entry[:2] == ["python", "-m"]:
        argv = [*hook["args"], "README.md"]
        call = f"from {entry[2]} import main; raise SystemExit(main({argv!r}))"
    else:
        assert entry[0] == "owcheck", entry
        call = f"from openweights.cli.entry import main; main({[*entry[1:], *hook['args']]!r})"
    code = (
        "import os, sys\n"
        f"os.chdir({repo!r})\n"
        "try:\n"
        f"    {call}\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "import json\n"
        f"unwanted = {[*HEAVY, *LIGHT]!r}\n"
        "print(json.dumps({'code': code, 'loaded': [m for m in unwanted if m in sys.modules]}))\n"
    )
    done = _run(code)
    assert done.stdout, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    return result["code"], result["loaded"]


@pytest.mark.parametrize("hook_id", ["owcheck", "owcheck-cards"])
def test_each_pre_commit_hook_as_declared_imports_nothing_heavy(hook_id: str) -> None:
    # The hooks' own entries and args, not a chosen format: the default output must stay light.
    assert _hook_run(hook_id, str(REPOS / "tier-a")) == (0, [])
    code, loaded = _hook_run(hook_id, str(REPOS / "no-license"))
    assert (code, loaded) == (1, [])
