"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
