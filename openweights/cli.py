"""The command line. It only wires sources, the pipeline and formats together.

``owcheck TARGET`` grades a model (a path, or a Hub repo id); the other commands are
``licenses``, ``license``, ``identify``, ``rules`` and ``explain``. Exit codes (DESIGN.md):
0 graded and passed every gate; 1 a gate failed; 2 usage error or unusable input; 3 the Hub
could not be reached.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from openweights import __version__

if TYPE_CHECKING:
    from openweights.config import Settings
    from openweights.sources import Bundle

from openweights.run import EXIT_GATE, EXIT_INPUT, EXIT_OK

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Grade an AI model's weights, training code and training data against the four "
    "freedoms. `owcheck TARGET` checks a model repo on disk or a Hugging Face repo id.",
)


class Fmt(str, Enum):
    """Report formats."""

    text = "text"
    json = "json"
    jsonl = "jsonl"
    sarif = "sarif"
    markdown = "markdown"
    github = "github"


class SimpleFmt(str, Enum):
    """Formats of the catalogue commands."""

    text = "text"
    json = "json"


class Level(str, Enum):
    """Finding severities for --fail-on."""

    error = "error"
    warning = "warning"
    info = "info"


class GradeLetter(str, Enum):
    """Grades for --fail-under."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    F = "F"


class ColorMode(str, Enum):
    """When to colour the text scorecard."""

    auto = "auto"
    always = "always"
    never = "never"


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print a one-line error and exit."""
    typer.echo(f"owcheck: error: {message}", err=True)
    raise typer.Exit(code)


def _write(text: str, output: Path | None) -> None:
    from openweights.run import CommandError, write

    try:
        write(text, output)
    except CommandError as exc:
        fail(str(exc), exc.exit_code)


@app.command("check")
def check_command(
    target: Annotated[
        str,
        typer.Argument(
            help="Model repo directory, card file, or Hub repo id (ORG/NAME or ORG/NAME@REV)."
        ),
    ],
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="Output format.")] = Fmt.text,
    fail_under: Annotated[
        GradeLetter | None,
        typer.Option("--fail-under", help="Exit 1 when the grade is worse than this."),
    ] = None,
    fail_on: Annotated[
        Level | None,
        typer.Option("--fail-on", help="Exit 1 when a finding has this severity or worse."),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Only these rules (codes or prefixes, e.g. OW2)."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Skip these rules (codes or prefixes).")
    ] = None,
    hub: Annotated[
        bool,
        typer.Option(
            "--hub", help="Treat TARGET as a Hub repo id even if a path of that name exists."
        ),
    ] = False,
    revision: Annotated[
        str | None, typer.Option("--revision", help="Hub revision (branch, tag or commit).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Hub token (default: HF_TOKEN or the client's login).",
            show_default=False,
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Grade from the Hub cache only.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    color: Annotated[
        ColorMode, typer.Option("--color", help="Colour the text scorecard.")
    ] = ColorMode.auto,
    extend_select: Annotated[
        list[str] | None,
        typer.Option("--extend-select", help="Run these rules too, on top of the selection."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Read this configuration file instead of looking for one."),
    ] = None,
    isolated: Annotated[
        bool, typer.Option("--isolated", help="Ignore every configuration file.")
    ] = False,
) -> None:
    """Grade one model and lint its card."""
    from openweights.run import CheckOptions, run_check

    opts = CheckOptions(
        target=target,
        fmt=fmt.value,
        fail_under=fail_under.value if fail_under else None,
        fail_on=fail_on.value if fail_on else None,
        select=tuple(select) if select is not None else None,
        ignore=tuple(ignore) if ignore is not None else None,
        extend_select=tuple(extend_select) if extend_select is not None else None,
        hub=hub,
        revision=revision,
        token=token,
        offline=offline,
        output=output,
        color=color.value,
        config=config,
        isolated=isolated,
    )
    raise typer.Exit(run_check(opts))


def _settings(target: str, force_hub: bool, config: Path | None, isolated: bool) -> Settings:
    """The configuration for ``target`` (see ``openweights.run.settings_for``)."""
    from openweights.run import settings_for

    return settings_for(target, force_hub, config, isolated)


def _fetch(
    target: str, force_hub: bool, revision: str | None, token: str | None, offline: bool
) -> Bundle:
    """The material for ``target`` (see ``openweights.run.fetch``)."""
    from openweights.run import fetch

    return fetch(target, force_hub, revision, token, offline)


@app.command("licenses")
def licenses_command(
    fmt: Annotated[SimpleFmt, typer.Option("--format", "-f")] = SimpleFmt.text,
) -> None:
    """List the license catalogue: id, name, verdict and the four freedoms."""
    from openweights.formats import catalogue as views

    if fmt is SimpleFmt.json:
        _write(json.dumps(views.catalogue_json(), indent=2, ensure_ascii=False) + "\n", None)
    else:
        _write(views.catalogue_text(), None)


@app.command("license")
def license_command(
    license_id: Annotated[str, typer.Argument(metavar="ID", help="A catalogue id or alias.")],
    fmt: Annotated[SimpleFmt, typer.Option("--format", "-f")] = SimpleFmt.text,
    modality: Annotated[
        str | None, typer.Option("--modality", help="Grade for a text or multimodal model.")
    ] = None,
) -> None:
    """Show one license: the grid, with each clause and our paraphrase."""
    from openweights.formats import catalogue as views
    from openweights.licensing.catalogue import UnknownLicenseError, load_catalogue

    if modality not in (None, "text", "multimodal"):
        fail("--modality must be text or multimodal")
    try:
        entry = load_catalogue().get(license_id)
    except UnknownLicenseError as exc:
        fail(str(exc))
    if fmt is SimpleFmt.json:
        data = views.license_json(entry, modality)
        _write(json.dumps(data, indent=2, ensure_ascii=False) + "\n", None)
    else:
        _write(views.license_text(entry, modality), None)


@app.command("identify")
def identify_command(
    file: Annotated[Path, typer.Argument(help="A LICENSE text.")],
    fmt: Annotated[SimpleFmt, typer.Option("--format", "-f")] = SimpleFmt.text,
) -> None:
    """Name the catalogue license a LICENSE text is, with a similarity figure."""
    from openweights.licensing.identify import identify
    from openweights.sources import InputError
    from openweights.sources.local import decode_text

    try:
        if not file.is_file():
            raise InputError(f"no such file: {file}")
        if file.stat().st_size > 2 * 1024 * 1024:
            raise InputError(f"{file} is larger than 2 MiB; not a license text")
        text = decode_text(file.read_bytes(), str(file))
    except InputError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    result = identify(text)
    if fmt is SimpleFmt.json:
        best = result.best
        data = {
            "file": str(file),
            "status": result.status,
            "license": best.license_id if best else None,
            "part": best.part if best else None,
            "similarity": round(best.similarity, 4) if best else None,
            "method": best.method if best else None,
            "description": result.describe(),
        }
        _write(json.dumps(data, indent=2) + "\n", None)
    else:
        _write(f"{file}: {result.describe()}\n", None)
    if result.status == "no-match":
        raise typer.Exit(EXIT_GATE)


@app.command("rules")
def rules_command(
    fmt: Annotated[SimpleFmt, typer.Option("--format", "-f")] = SimpleFmt.text,
) -> None:
    """List every rule: code, name, severity, summary."""
    from openweights.rules import all_rules

    rules = all_rules()
    if fmt is SimpleFmt.json:
        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "component": r.component,
                "summary": r.summary,
                "fix": r.fix,
                "url": r.url,
            }
            for r in rules.values()
        ]
        _write(json.dumps(data, indent=2) + "\n", None)
        return
    lines = [f"{r.code}  {r.name:<32} {r.severity.value:<8} {r.summary}" for r in rules.values()]
    _write("\n".join(lines) + "\n", None)


@app.command("explain")
def explain_command(
    code: Annotated[str, typer.Argument(help="A rule code, e.g. OW201, or its name.")],
) -> None:
    """Print a rule's documentation, with a failing and a passing example."""
    from openweights.rules import all_rules

    rules = all_rules()
    key = code.strip().upper()
    rule = rules.get(key) or next((r for r in rules.values() if r.name == code.strip()), None)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(key, list(rules), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        fail(f"unknown rule {code!r}{hint}")
    head = f"{rule.code} {rule.name} ({rule.severity.value}"
    head += f", {rule.component})" if rule.component else ")"
    _write(f"{head}\n\n{rule.doc}\n\nFix: {rule.fix}\nDocs: {rule.url}\n", None)


class BadgeFmt(str, Enum):
    """Badge formats."""

    json = "json"
    svg = "svg"


@app.command("init")
def init_command(
    target: Annotated[
        Path, typer.Argument(help="Model repo directory or card file (default: here).")
    ] = Path("."),
    weights_released: Annotated[
        str | None, typer.Option("--weights-released", help="true, false or gated.")
    ] = None,
    weights_license: Annotated[
        str | None, typer.Option("--weights-license", help="License id of the weights.")
    ] = None,
    weights_url: Annotated[
        str | None, typer.Option("--weights-url", help="Where the weights can be obtained.")
    ] = None,
    code: Annotated[
        list[str] | None,
        typer.Option("--code", help="URL of a code release (repeat it); 'none': no code."),
    ] = None,
    code_license: Annotated[
        str | None, typer.Option("--code-license", help="License of the code.")
    ] = None,
    code_covers: Annotated[
        str | None,
        typer.Option(
            "--code-covers",
            help="What the code covers, comma-separated: training, data-processing, "
            "evaluation, inference, fine-tuning.",
        ),
    ] = None,
    data_released: Annotated[
        str | None, typer.Option("--data-released", help="true, false or partial.")
    ] = None,
    data_license: Annotated[
        str | None, typer.Option("--data-license", help="License of the data as a whole.")
    ] = None,
    dataset: Annotated[
        list[str] | None,
        typer.Option("--dataset", help="Hub dataset id of released data (repeat it)."),
    ] = None,
    processing_code: Annotated[
        str | None, typer.Option("--processing-code", help="URL of the data processing code.")
    ] = None,
    labelling: Annotated[
        str | None, typer.Option("--labelling", help="How the data was labelled, or 'none'.")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Ask nothing: use the flags and what was found.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the change as a diff; write nothing.")
    ] = False,
) -> None:
    """Write or update the card's `openness:` block; every other byte stays as it was."""
    from openweights import init as ini
    from openweights.sources import SourceError

    try:
        answers = ini.Answers(
            weights_released=ini.parse_choice(
                weights_released, ini.WEIGHTS_RELEASED, "--weights-released"
            )
            if weights_released is not None
            else None,
            weights_license=weights_license,
            weights_url=weights_url,
            code_urls=tuple(u for c in code for u in ini.split_list(c)) if code else None,
            code_license=code_license,
            code_covers=ini.covers_of(ini.split_list(code_covers)) if code_covers else None,
            data_released=ini.parse_choice(data_released, ini.DATA_RELEASED, "--data-released")
            if data_released is not None
            else None,
            data_license=data_license,
            datasets=tuple(dataset) if dataset else None,
            processing_code=processing_code,
            labelling=labelling,
        )
        card_file, data, plan = ini.prepare(target, answers)
        if not yes and sys.stdin.isatty():
            answers = ini.ask(
                plan, answers, lambda q, d: typer.prompt(q, default=d, show_default=bool(d))
            )
            card_file, data, plan = ini.prepare(target, answers)
        problems = ini.validate_block(plan)
        if problems:
            raise ini.InitError(problems[0])
        new = ini.update_card(data, plan)
    except (ini.InitError, SourceError) as exc:
        fail(str(exc))
    if new == data:
        typer.echo(f"{card_file}: the openness block is already up to date", err=True)
        return
    if dry_run:
        _write(ini.diff(data, new, str(card_file)), None)
        return
    try:
        ini.write_atomic(card_file, new)
    except OSError as exc:
        fail(f"cannot write {card_file}: {exc.strerror or exc}")
    skipped = ini.missing_parts(plan)
    note = f"; left out {', '.join(skipped)} (say whether released)" if skipped else ""
    parts = ", ".join(plan) or "empty"
    typer.echo(f"{card_file}: wrote the openness block ({parts}){note}", err=True)


@app.command("badge")
def badge_command(
    target: Annotated[str, typer.Argument(help="Model repo directory, card file, or Hub id.")],
    fmt: Annotated[BadgeFmt, typer.Option("--format", "-f", help="json or svg.")] = BadgeFmt.json,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the badge to this file.")
    ] = None,
    label: Annotated[str, typer.Option("--label", help="Left-hand text.")] = "openness",
    hub: Annotated[bool, typer.Option("--hub", help="Treat TARGET as a Hub repo id.")] = False,
    revision: Annotated[str | None, typer.Option("--revision", help="Hub revision.")] = None,
    token: Annotated[
        str | None, typer.Option("--token", help="Hub token.", show_default=False)
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Hub cache only.")] = False,
    config: Annotated[Path | None, typer.Option("--config", help="Configuration file.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore config files.")] = False,
) -> None:
    """The grade as a badge: a shields.io endpoint JSON, or an SVG."""
    from openweights import badge
    from openweights.config import ConfigError, check_with
    from openweights.sources import SourceError

    try:
        settings = _settings(target, hub, config, isolated)
        settings.selected()
    except ConfigError as exc:
        fail(str(exc))
    try:
        bundle = _fetch(target, hub, revision, token, offline)
    except SourceError as exc:
        fail(str(exc), exc.exit_code)
    report = check_with(bundle, settings)
    render = badge.render_svg if fmt is BadgeFmt.svg else badge.render_json
    _write(render(report, label), output)


@app.command("batch")
def batch_command(
    ids: Annotated[Path, typer.Argument(help="File with one Hub id (or path) per line; - for "
                                             "standard input.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Append JSONL reports "
                                                                      "here (default: stdout).")]
    = None,
    errors: Annotated[Path | None, typer.Option("--errors", help="Append targets that could not "
                                                               "be graded here (JSONL).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Skip targets already in --output "
                                                          "or refused in --errors.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=32, help="Models graded at "
                                                                          "once.")] = 4,
    fail_under: Annotated[GradeLetter | None, typer.Option(
        "--fail-under", help="Exit 1 when any model is graded worse than this.")] = None,
    revision: Annotated[str | None, typer.Option("--revision", help="Hub revision for ids "
                                                                   "without @REV.")] = None,
    token: Annotated[str | None, typer.Option("--token", help="Hub token.",
                                              show_default=False)] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Hub cache only.")] = False,
    config: Annotated[Path | None, typer.Option("--config", help="Configuration file.")] = None,
    isolated: Annotated[bool, typer.Option("--isolated", help="Ignore config files.")] = False,
) -> None:
    """Grade many models: one JSON report per line, in input order, resumable."""
    from openweights import batch
    from openweights.config import ConfigError
    from openweights.grade import grade_at_least
    from openweights.run import fetch

    if resume and output is None:
        fail("--resume needs --output (the file to resume)")
    try:
        lines = sys.stdin.read().splitlines() if str(ids) == "-" else (
            ids.read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {ids}: {getattr(exc, 'strerror', None) or exc}")
    try:
        settings = _settings(".", True, config, isolated)
        selected = settings.selected()
    except ConfigError as exc:
        fail(str(exc))
    targets = batch.read_targets(lines)
    done = batch.done_targets(output, errors) if resume else set()
    todo = [t for t in targets if batch.subject_key(t) not in done]
    worst = EXIT_OK
    graded = failed = 0
    out = output.open("a", encoding="utf-8") if output else sys.stdout
    err_file = errors.open("a", encoding="utf-8") if errors else None
    try:
        items = batch.grade_all(
            todo, lambda t: fetch(t, False, revision, token, offline),
            settings.thresholds, selected, jobs,
        )
        for item in items:
            batch.write_item(item, out, err_file)
            if item.report is None:
                failed += 1
                worst = max(worst, item.exit_code)
                if err_file is None:
                    typer.echo(f"owcheck: error: {item.target}: {item.error}", err=True)
                continue
            graded += 1
            if fail_under and not grade_at_least(item.report.grade.letter, fail_under.value):
                worst = max(worst, EXIT_GATE)
    finally:
        if output:
            out.close()
        if err_file:
            err_file.close()
    typer.echo(f"owcheck: batch: {graded} graded, {failed} failed, "
               f"{len(targets) - len(todo)} skipped (already done)", err=True)
    raise typer.Exit(worst)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"owcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """owcheck: open-weights license checker and model-card linter."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; never shows a traceback."""
    from openweights.entry import route

    args = route(list(sys.argv[1:] if argv is None else argv))
    try:
        app(args=args, prog_name="owcheck", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("owcheck: interrupted", err=True)
        raise SystemExit(130) from None
    except Exception as exc:  # a bug: one line, no traceback, never a token
        from openweights.secrets import scrub

        typer.echo(f"owcheck: internal error: {scrub(f'{type(exc).__name__}: {exc}')}", err=True)
        raise SystemExit(EXIT_INPUT) from None
