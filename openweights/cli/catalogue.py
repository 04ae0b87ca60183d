"""The catalogue commands: ``licenses``, ``license``, ``identify``, ``rules`` and ``explain``.

They read the bundled license catalogue and the rule registry; no model is graded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from openweights.choices import ListFormat
from openweights.cli.common import ListFormatOption, emit, fail
from openweights.cli.run import terminal_width
from openweights.session import EXIT_GATE


def licenses_command(fmt: ListFormatOption = ListFormat.TEXT.value) -> None:
    """List the license catalogue: id, name, verdict and the four freedoms."""
    from openweights.formats import catalogue as views

    if fmt == ListFormat.JSON:
        emit(json.dumps(views.catalogue_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        emit(views.catalogue_text(terminal_width()))


def license_command(
    license_id: Annotated[str, typer.Argument(metavar="ID", help="A catalogue id or alias.")],
    fmt: ListFormatOption = ListFormat.TEXT.value,
    modality: Annotated[
        str | None, typer.Option("--modality", help="Grade for a text or multimodal model.")
    ] = None,
) -> None:
    """Show one license: the grid, with each clause and our paraphrase."""
    from openweights.formats import catalogue as views
    from openweights.licensing.catalogue import UnknownLicenseError, load_catalogue

    modality = modality.strip().lower() if modality is not None else None
    if modality not in (None, "text", "multimodal"):
        fail("--modality must be text or multimodal")
    try:
        entry = load_catalogue().get(license_id)
    except UnknownLicenseError as exc:
        fail(str(exc))
    if fmt == ListFormat.JSON:
        data = views.license_json(entry, modality)
        emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        emit(views.license_text(entry, modality, terminal_width()))


def identify_command(
    file: Annotated[Path, typer.Argument(help="A LICENSE text.")],
    fmt: ListFormatOption = ListFormat.TEXT.value,
    diff: Annotated[
        bool, typer.Option("--diff", help="Show the word diff of a modified text.")
    ] = False,
) -> None:
    """Name every catalogue license a LICENSE text holds: match, modified (with a diff), named."""
    from openweights.formats import catalogue as views
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
    if fmt == ListFormat.JSON:
        emit(json.dumps(views.identify_json(str(file), result), indent=2) + "\n")
    else:
        emit(views.identify_text(str(file), result, diff))
    if result.status == "no-match":
        raise typer.Exit(EXIT_GATE)


def rules_command(fmt: ListFormatOption = ListFormat.TEXT.value) -> None:
    """List every rule: code, name, severity, summary."""
    from openweights.rules import all_rules

    rules = all_rules()
    if fmt == ListFormat.JSON:
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
        emit(json.dumps(data, indent=2) + "\n")
        return
    from openweights.formats.catalogue import rules_text

    emit(rules_text(rules.values(), terminal_width()))


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
    from openweights.formats.catalogue import rule_text

    emit(rule_text(rule, terminal_width()))
