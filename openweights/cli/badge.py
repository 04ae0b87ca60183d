"""``owcheck badge TARGET``: the grade as a shields.io endpoint document or an SVG.

Grades through the session like ``check`` (the configuration's rules and thresholds apply) and
renders with ``openweights/formats/badge.py``. Gates do not apply: a badge always shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openweights.choices import BadgeFormat
from openweights.cli.common import (
    ConfigFile,
    HubFlag,
    Isolated,
    Offline,
    Revision,
    Token,
    choice_option,
    emit,
    fail,
    hub_target,
)


def badge_command(
    target: Annotated[str, typer.Argument(help="Model repo directory, card file, or Hub id.")],
    fmt: Annotated[
        str, choice_option(BadgeFormat, "--format", "-f", help="json or svg.")
    ] = BadgeFormat.JSON.value,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the badge to this file.")
    ] = None,
    label: Annotated[str, typer.Option("--label", help="Left-hand text.")] = "openness",
    hub: HubFlag = False,
    revision: Revision = None,
    token: Token = None,
    offline: Offline = False,
    config: ConfigFile = None,
    isolated: Isolated = False,
) -> None:
    """The grade as a badge: a shields.io endpoint JSON, or an SVG."""
    from openweights import session
    from openweights.formats import badge

    try:
        outcome = session.run(hub_target(target, hub, revision, token, offline), config, isolated)
    except session.ERRORS as exc:
        fail(str(exc), exc.exit_code)
    emit(badge.render(outcome.report, BadgeFormat(fmt), label), output)
