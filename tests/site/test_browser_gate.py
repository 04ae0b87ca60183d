"""Without a browser the browser tests skip, saying why; under CI=true they fail instead."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support import ROOT


@pytest.mark.parametrize(("ci", "outcome"), [("", "1 skipped"), ("true", "1 error")])
def test_a_missing_browser_skips_outside_ci_and_fails_in_ci(ci: str, outcome: str) -> None:
    env = {**os.environ, "OWCHECK_CHROMIUM": str(ROOT / "no-such-browser"), "CI": ci}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/site/test_browser.py", "-k", "without_javascript"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert outcome in done.stdout, done.stdout
    if ci:
        assert done.returncode != 0
        assert "CI=true and no Chromium found" in done.stdout
    else:
        assert done.returncode == 0
        assert "no Chromium found (install Debian's chromium, or set OWCHECK_CHROMIUM)" in (
            done.stdout)
