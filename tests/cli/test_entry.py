"""The console script's fast path: same options and results as the full command line, and a
light start-up (no typer, rich, jsonschema or hub client on the pre-commit path)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from openweights.cli.app import app
from openweights.cli.check import check_command
from openweights.cli.entry import COMMANDS, OPTIONS, parse_fast, route
from tests.support import FIXTURES, ROOT

REPOS = FIXTURES / "repos"


def _typer_check_options() -> dict[str, object]:
    """Option -> "flag", "value" or the tuple of choices, read from the check command's
    signature (typer's Annotated metadata), which is what typer builds its parser from."""
    import enum
    import inspect
    import types
    import typing

    hints = typing.get_type_hints(check_command, include_extras=True)
    out: dict[str, object] = {}
    for name in inspect.signature(check_command).parameters:
        base, *meta = typing.get_args(hints[name])
        info = next(m for m in meta if hasattr(m, "param_decls"))
        if isinstance(base, types.UnionType):
            base = next(a for a in typing.get_args(base) if a is not type(None))
        # In Annotated form typer reads the first declaration from ``default``.
        first = [info.default] if isinstance(info.default, str) else []
        decls = [*first, *(info.param_decls or ())]
        if not decls:
            continue  # the positional TARGET
        kind: object = "flag" if base is bool else (
            tuple(m.value for m in base) if isinstance(base, type) and issubclass(base, enum.Enum)
            else "value")
        for decl in decls:
            out[decl] = kind
    return out


def test_fast_option_table_equals_the_typer_check_command() -> None:
    typer_opts = _typer_check_options()
    fast = {opt: ("value" if isinstance(k, str) and k in ("str", "path", "many") else k)
            for opt, (_field, k) in OPTIONS.items()}
    assert set(fast) == set(typer_opts)
    for opt, kind in typer_opts.items():
        if isinstance(kind, tuple):
            assert set(kind) == set(fast[opt]), opt  # type: ignore[arg-type]
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


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("args", [
    [str(REPOS / "tier-d"), "-f", "json"],
    [str(REPOS / "no-license"), "--fail-on", "error"],
    [str(REPOS / "tier-b"), "-f", "markdown", "--fail-under", "A"],
])
def test_fast_path_and_full_command_line_agree(args: list[str]) -> None:
    fast = _run(f"from openweights.cli.entry import main; main({args!r})")
    full = _run(f"from openweights.cli.app import main; main({['check', *args]!r})")
    assert (fast.returncode, fast.stdout, fast.stderr) == (full.returncode, full.stdout,
                                                           full.stderr)


def test_pre_commit_path_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from openweights.cli.entry import main\n"
        "try:\n"
        f"    main([{str(REPOS / 'tier-a')!r}, '--fail-on', 'error', '-f', 'json'])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "import json\n"
        "heavy = ['typer', 'click', 'rich', 'jsonschema', 'huggingface_hub', 'httpx2', "
        "'pydantic']\n"
        "print(json.dumps({'code': code, 'loaded': [m for m in heavy if m in sys.modules]}))\n"
    )
    done = _run(code)
    result = json.loads(done.stdout.splitlines()[-1])
    assert result == {"code": 0, "loaded": []}, done.stderr
