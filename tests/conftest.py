"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.forge.server import LoopbackForge
from tests.hub.server import LoopbackHub


@pytest.fixture
def loopback_hub() -> Iterator[LoopbackHub]:
    """A loopback Hugging Face Hub serving tests/hub/repos, fresh for each test.

    ``.endpoint`` is its base URL, ``.requests`` the log of requests served so far,
    ``.env(tmp_path)`` the environment for a subprocess (owcheck, or ``tests.hub.run_source``)
    that talks to it only, with its own cache under ``tmp_path``. ``.fail_with(503)`` and
    ``.go_away()`` simulate an unavailable Hub. See tests/hub/server.py.
    """
    hub = LoopbackHub().start()
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture
def loopback_forge() -> Iterator[LoopbackForge]:
    """A loopback GitHub/GitLab API serving tests/forge/repos, fresh for each test.

    ``.url`` is its base URL (``.env()`` sets GITHUB_API_URL and GITLAB_API_URL to it),
    ``.requests`` the log, ``.exhaust()`` spends the rate limit, ``.fail_with(503)`` and
    ``.go_away()`` simulate an unavailable forge. See tests/forge/server.py.
    """
    forge = LoopbackForge().start()
    try:
        yield forge
    finally:
        forge.stop()
