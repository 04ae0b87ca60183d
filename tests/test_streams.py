"""openweights/secrets.py and streams.py: no token reaches standard error, whoever writes.

Usage errors (typer), warnings and internal errors all go through one scrubbed stream; the
tests run owcheck as a user would, in subprocesses, with tokens in the places they leak from.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from openweights.secrets import scrub, token_arguments
from openweights.streams import ScrubbedStream
from tests.support import ROOT, run_owcheck

TOKEN = "hf_" + "Zq8" * 12
OWN_TOKEN = "not-shaped-like-a-token-4711"


@pytest.mark.parametrize(
    "args",
    [
        ["acme/model", TOKEN],  # a token pasted where a second target would go
        ["check", "acme/model", TOKEN],
        ["acme/model", "--token", OWN_TOKEN, OWN_TOKEN],  # its --token value, echoed back
        ["acme/model", f"--token={OWN_TOKEN}", "extra", OWN_TOKEN],
        ["batch", TOKEN, "--token", OWN_TOKEN],
        ["acme/model", "--format", TOKEN],
    ],
)
@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_usage_errors_never_echo_a_token(args: list[str], locale: str) -> None:
    done = run_owcheck(*args, env={"LC_ALL": locale, "LANG": locale})
    assert done.returncode == 2
    assert done.stderr.strip(), "a usage error says what is wrong"
    for secret in (TOKEN, OWN_TOKEN):
        assert secret not in done.stderr and secret not in done.stdout
    assert "***" in done.stderr


def test_token_from_the_environment_is_masked_in_usage_errors() -> None:
    secret = "my-env-token-value-123"
    done = run_owcheck("acme/model", secret, env={"HF_TOKEN": secret})
    assert done.returncode == 2 and secret not in done.stderr


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", code], cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )


def test_warnings_are_one_scrubbed_line() -> None:
    done = _python(
        "from openweights.streams import setup_streams\n"
        f"setup_streams({OWN_TOKEN!r})\n"
        "import warnings\n"
        f"warnings.warn('cache at /tmp/x for {OWN_TOKEN}\\nand {TOKEN}')\n"
    )
    assert done.stderr == "owcheck: warning: UserWarning: cache at /tmp/x for *** and ***\n"


def test_every_writer_to_stderr_is_scrubbed_even_in_pieces() -> None:
    done = _python(
        "import logging, sys\n"
        "from openweights.streams import setup_streams\n"
        "setup_streams()\n"
        f"print({TOKEN[:5]!r}, end='', file=sys.stderr)\n"
        f"print({TOKEN[5:]!r}, file=sys.stderr)\n"
        f"logging.getLogger('lib').error('auth %s failed', {TOKEN!r})\n"
        f"sys.stderr.write('no newline at exit {TOKEN}')\n"
    )
    assert TOKEN not in done.stderr
    assert done.stderr == "***\nauth *** failed\nno newline at exit ***"


def test_internal_errors_are_scrubbed() -> None:
    # What the entry points print for a bug: one line through err(), multi-line messages joined.
    done = _python(
        "from openweights.streams import err, setup_streams\n"
        "setup_streams()\n"
        f"err('owcheck: internal error: KeyError: {TOKEN}\\nsecond line', {OWN_TOKEN!r})\n"
        f"err('owcheck: error: {OWN_TOKEN}', {OWN_TOKEN!r})\n"
    )
    assert done.stderr == (
        "owcheck: internal error: KeyError: *** second line\nowcheck: error: ***\n"
    )


def test_the_stream_hides_its_buffer_and_refuses_bytes() -> None:
    stream = ScrubbedStream(sys.__stdout__)  # type: ignore[arg-type]
    assert not hasattr(stream, "buffer")
    with pytest.raises(TypeError):
        stream.write(b"bytes")  # type: ignore[arg-type]


def test_token_arguments() -> None:
    assert token_arguments(["x", "--token", "a", "--token=b", "--token"]) == ["a", "b"]


def test_scrub_shapes() -> None:
    assert scrub(f"Authorization: Bearer abc.def {TOKEN} api_org_abcdefgh") == (
        "Authorization: Bearer *** *** ***"
    )
