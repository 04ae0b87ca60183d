"""One run on one target: settings -> fetch -> check -> gates. Prints nothing.

Every way in (the ``check`` command and its fast path, the pre-commit hook, the GitHub Action,
``badge`` and ``batch``) goes through here, so they all find the configuration, pick the
source and apply the gates the same way; each then renders the ``Outcome`` its own way.

Errors are the library's own, each with its exit code: ``ConfigError`` (exit 2) for unusable
settings, ``SourceError`` (2 unusable input, 3 the Hub could not be reached) for the material.
``ERRORS`` names both for callers that catch them. The hub client is imported only when a Hub
id is fetched: the pre-commit path never loads it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from openweights import records
from openweights.choices import Letter, Severity, SourceChoice
from openweights.config import ConfigError, Settings, resolve_settings
from openweights.records import record
from openweights.repoids import (
    TargetError,
    hub_url_path,
    is_url,
    looks_like_path,
    parse_model_target,
)
from openweights.sources import DEFAULT_TIMEOUT, Bundle, InputError, SourceError

if TYPE_CHECKING:
    from openweights.report import Report
    from openweights.sources.hub import HubSource

EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_HUB = 0, 1, 2, 3
"""Exit codes: graded and every gate passed; a gate failed; unusable input; Hub unreachable."""
ERRORS = (ConfigError, SourceError)
"""What a session raises for bad settings or material (each has ``exit_code``)."""


def names_a_path(name: str) -> bool:
    """True when a target means a path, so it is read from disk and never sent to the Hub.

    A path is a target that exists, looks like a path (``.``, ``/``, ``~``, a file suffix such
    as ``.md``: ``openweights/repoids.py``), or whose first segment is an existing directory
    (``examples/open-modle`` when ``examples/`` is here). Anything else is a Hub repo id.
    """
    if name in (".", "..") or looks_like_path(name) or Path(name).exists():
        return True
    first = name.strip().split("/", 1)[0]
    return "/" in name and bool(first) and Path(first).is_dir()


@record
class Target:
    """What to grade and where to read it from."""

    name: str
    """A path, or a Hub repo id (``ORG/NAME``, ``ORG/NAME@REV``, a Hub URL)."""
    source: SourceChoice = SourceChoice.AUTO
    """``auto``: an existing path, else a Hub id; ``local``: a path only; ``hub``: the Hub."""
    revision: str | None = None
    """Hub revision (branch, tag or commit) when the id has no ``@REV``."""
    token: str | None = None
    """Hub token (None: the client's own lookup)."""
    offline: bool = False
    """Read the Hub from the client's cache only (the forge lookups too)."""
    git_ref: str | None = None
    """For a path: read it as committed at this git ref (tag, branch or commit), not as it is
    in the working tree (None)."""
    forge: bool | None = None
    """Ask GitHub/GitLab for the license of the code the card links: None means on for a Hub
    id (and with ``online``), off for a path (the pre-commit path never touches the network)."""
    online: bool = False
    """For a path: look its base models and datasets up on the Hub, and ask the forge."""
    timeout: float | None = DEFAULT_TIMEOUT
    """Seconds the Hub may take for this target, retries included (None: no deadline)."""
    lineage_ttl: float | None = None
    """Seconds a cached info answer of a base model or dataset is reused (None: as for the
    subject, ``OWCHECK_HUB_INFO_TTL``, default 0)."""

    @property
    def is_local(self) -> bool:
        """Read from disk: an existing path wins over a repo id unless the Hub is forced."""
        if self.source is SourceChoice.LOCAL:
            return True
        if self.source is SourceChoice.HUB:
            return False
        return names_a_path(self.name)


@record
class Overrides:
    """Settings given on the command line (or as Action inputs); None means "not given"."""

    select: tuple[str, ...] | None = None
    """Replaces ``select``."""
    extend_select: tuple[str, ...] | None = None
    """Replaces ``extend-select``."""
    ignore: tuple[str, ...] | None = None
    """Replaces ``ignore``."""
    fail_under: Letter | None = None
    """Replaces ``fail-under``."""
    fail_on: Severity | None = None
    """Replaces ``fail-on``."""
    origin: str = "--{key}"
    """How these were given, for messages (``{key}`` is the key's config name): ``--{key}``
    for options, ``input {key}`` for the GitHub Action's inputs."""


@record
class Outcome:
    """A graded target and the verdict of its gates."""

    report: Report
    """The report every format renders."""
    settings: Settings
    """The settings in force (file and overrides merged)."""
    gate_failures: tuple[str, ...]
    """Why each failed gate failed, one line each; empty when every gate passed."""

    @property
    def exit_code(self) -> int:
        """0 when every gate passed, 1 when one failed."""
        return EXIT_GATE if self.gate_failures else EXIT_OK


def at_ref(target: Target, ref: str) -> Target:
    """``target`` as it was at ``ref``: a git ref of the checkout for a path, a Hub revision for
    a Hub id (the Action's ``baseline``)."""
    if target.is_local:
        return records.replace(target, git_ref=ref)
    return records.replace(target, revision=ref)


def settings_for(
    target: Target,
    config: Path | None = None,
    isolated: bool = False,
    overrides: Overrides | None = None,
) -> Settings:
    """The settings for ``target``: the configuration found from the model repo (from the
    working directory for a Hub id), or ``config``, with ``overrides`` applied; validated."""
    start = Path(target.name) if target.is_local else Path.cwd()
    settings = resolve_settings(start, config, isolated)
    if overrides is not None:
        values = records.asdict(overrides)
        settings = settings.override(values.pop("origin"), **values)
    settings.selected()  # an unknown rule selector is a ConfigError now, not after fetching
    return settings


def fetch(target: Target) -> Bundle:
    """The material for ``target`` from the source it names, then the forge's answers about
    the code it links when ``target.forge`` allows (a second step: sources never call each
    other)."""
    if target.is_local and target.git_ref is not None:
        from openweights.sources.git import fetch_at_ref

        return fetch_at_ref(target.name, target.git_ref)
    if target.is_local:
        from openweights.sources.local import LocalSource

        bundle = LocalSource().fetch(target.name)
        if target.online:
            bundle = _hub(target, None).resolve(bundle)
        use_forge = target.online if target.forge is None else target.forge
    else:
        endpoint = os.environ.get("HF_ENDPOINT", "")
        try:
            parse_model_target(target.name, [urlsplit(endpoint).netloc] if endpoint else [])
        except TargetError as exc:
            if target.source is SourceChoice.AUTO and not is_url(target.name) and (
                hub_url_path(target.name) is None
            ):
                raise InputError(
                    f"no such file or directory, and not a Hub repo id: {target.name}"
                ) from None
            raise InputError(str(exc)) from None
        bundle = _hub(target, target.revision).fetch(target.name)
        use_forge = target.forge is not False
    if use_forge:
        from openweights.sources.forge import shared_forge, with_forge

        bundle = with_forge(bundle, shared_forge(offline=target.offline))
    return bundle


def _hub(target: Target, revision: str | None) -> HubSource:
    """The Hub source with the target's token, offline mode, deadline and lineage TTL."""
    from openweights.sources.hub import HubSource

    return HubSource(revision=revision, token=target.token, offline=target.offline,
                     timeout=target.timeout, lineage_ttl=target.lineage_ttl)


def check(target: Target, settings: Settings) -> Outcome:
    """Fetch ``target``, check it with ``settings`` and judge the gates."""
    from openweights.check import check_with, gate_failures

    report = check_with(fetch(target), settings)
    return Outcome(report, settings, tuple(gate_failures(report, settings)))


def run(
    target: Target,
    config: Path | None = None,
    isolated: bool = False,
    overrides: Overrides | None = None,
) -> Outcome:
    """The whole session: settings, fetch, check, gates."""
    return check(target, settings_for(target, config, isolated, overrides))
