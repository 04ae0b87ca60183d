"""``owcheck init``: write or update the ``openness:`` block of a card's front matter.

The work (what to write, and writing only the block) is ``openweights/init.py``; this module
asks the questions and reports what it did.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from openweights.cli.common import emit, fail


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
            datasets=tuple(d for x in dataset for d in ini.split_list(x)) if dataset else None,
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
        emit(ini.diff(data, new, str(card_file)))
        return
    try:
        ini.write_atomic(card_file, new)
    except OSError as exc:
        fail(f"cannot write {card_file}: {exc.strerror or exc}")
    skipped = ini.missing_parts(plan)
    note = f"; left out {', '.join(skipped)} (say whether released)" if skipped else ""
    parts = ", ".join(plan) or "empty"
    typer.echo(f"{card_file}: wrote the openness block ({parts}){note}", err=True)
