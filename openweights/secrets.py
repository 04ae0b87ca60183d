"""Keep tokens out of every message owcheck prints.

``scrub`` masks a text. ``err`` is the one function owcheck's own messages reach standard error
through, so scrubbing is a property of writing there, not a duty of each caller. For what other
code writes there (the argument parser's usage errors, Python warnings, a library's log),
``guard_stderr`` replaces ``sys.stderr`` with a stream that scrubs every write, and makes each
warning one scrubbed line.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Iterable
from typing import Any, TextIO

# Anything shaped like a Hub token, an org API token, or a bearer credential.
_SHAPES = (
    re.compile(r"\bhf_[A-Za-z0-9]{6,}"),
    re.compile(r"\bapi_org_[A-Za-z0-9]{6,}"),
    re.compile(r"(?i)(bearer\s+)\S+"),
)


def scrub(text: str, *extra: str | None) -> str:
    """``text`` with tokens masked: ``extra``, HF_TOKEN, and anything shaped like a token."""
    secrets = [s for s in (*extra, os.environ.get("HF_TOKEN"),
                           os.environ.get("HUGGING_FACE_HUB_TOKEN")) if s and len(s) >= 4]
    for secret in secrets:
        text = text.replace(secret, "***")
    for shape in _SHAPES:
        text = shape.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


class ScrubbedStream:
    """A text stream that scrubs what is written before passing it on, a line at a time.

    Whole lines are scrubbed (a token written in pieces is still caught); ``flush`` passes on
    the rest. It has no ``buffer``: code that looks for the binary stream underneath to write
    around the text layer (click does, when the locale's encoding looks wrong) finds none.
    """

    def __init__(self, stream: TextIO, secrets: Iterable[str] = ()) -> None:
        self.stream = stream
        """The stream written to, after scrubbing."""
        self.secrets: set[str] = {s for s in secrets if s}
        """Values masked besides those ``scrub`` always masks (e.g. a ``--token`` value)."""
        self._pending = ""

    def _pass_on(self, text: str) -> None:
        self.stream.write(scrub(text, *sorted(self.secrets, key=len, reverse=True)))

    def write(self, text: str) -> int:
        """Write ``text``; complete lines go on at once, scrubbed."""
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        head, newline, tail = (self._pending + text).rpartition("\n")
        if newline:
            self._pass_on(head + newline)
            self._pending = tail
        else:
            self._pending = tail
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each line."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Pass on what is pending (scrubbed) and flush the stream underneath."""
        if self._pending:
            pending, self._pending = self._pending, ""
            self._pass_on(pending)
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self.stream, name)


def guard_stderr(*secrets: str | None) -> None:
    """From now on, scrub everything this process writes to standard error.

    ``secrets`` are masked as well as anything shaped like a token (e.g. the ``--token`` value).
    Idempotent: a second call adds its secrets to the guard already in place.
    """
    current: object = sys.stderr
    guard = current if isinstance(current, ScrubbedStream) else ScrubbedStream(sys.stderr)
    sys.stderr = guard
    guard.secrets.update(s for s in secrets if s)
    warnings.showwarning = _show_warning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # One line, without the source line Python would print under it.
    text = " ".join(str(message).split())
    err(f"owcheck: warning: {category.__name__}: {text}")


def token_arguments(argv: Iterable[str]) -> list[str]:
    """The values given to ``--token`` in a command line (to be masked wherever they appear)."""
    args = list(argv)
    found = []
    for i, arg in enumerate(args):
        if arg == "--token" and i + 1 < len(args):
            found.append(args[i + 1])
        elif arg.startswith("--token="):
            found.append(arg.partition("=")[2])
    return found


def err(message: str, *secrets: str | None) -> None:
    """One line to standard error, scrubbed: the way owcheck's own messages get there."""
    line = " ".join(scrub(message, *secrets).splitlines())
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
