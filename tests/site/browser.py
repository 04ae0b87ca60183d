"""A real browser for the site tests: the system's Chromium, driven by Playwright.

Playwright's own browser download is never used (``playwright install`` needs the network):
the browser is the distribution's Chromium (``.ci/run`` installs Debian's ``chromium`` when it
is missing), or the one named by ``OWCHECK_CHROMIUM``. Outside CI, the tests skip with the
reason when no browser is found; under ``CI=true`` a missing browser (or Playwright) fails them,
so CI never passes by skipping.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags this sandbox needs (a closed network, root): without the networking ones Chromium keeps
# trying to reach Google's services, and its refused connections show up as noise.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def find_chromium() -> str | None:
    """The browser to drive: ``OWCHECK_CHROMIUM``, else the first Chromium on PATH."""
    named = os.environ.get("OWCHECK_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> NoReturn:
    """Skip outside CI, fail in CI."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}: browser tests must run in CI", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        unavailable("no Chromium found (install Debian's chromium, or set OWCHECK_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watched:
    """A page and everything it complained about."""

    page: Page
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_quiet(self) -> None:
        assert not self.problems, self.problems
        assert not self.dialogs, self.dialogs


def watch(page: Page) -> Watched:
    """Record console errors and warnings, uncaught exceptions and dialogs on ``page``."""
    watched = Watched(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            watched.problems.append(f"console {message.type}: {message.text}")

    def on_dialog(dialog: Any) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.problems.append(f"page error: {error}"))
    page.on("dialog", on_dialog)
    page.on("requestfailed", lambda req: watched.problems.append(f"request failed: {req.url}"))
    return watched
