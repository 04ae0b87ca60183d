"""The process's standard streams, as owcheck's console entry points set them up.

Standard output carries UTF-8 whatever the locale (the same bytes everywhere: a Latin-1 stream
cannot even encode the scorecard's marks). Standard error is scrubbed of tokens: ``err`` is the
one function owcheck's own messages reach it through, and ``setup_streams`` replaces
``sys.stderr`` with a stream that scrubs every write, for what other code writes there (the
argument parser's usage errors, Python warnings, a library's log). Scrubbing is a property of
writing there, not a duty of each caller.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable
from typing import Any, TextIO

from openweights.secrets import scrub


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


def setup_streams(*secrets: str | None) -> None:
    """From now on: UTF-8 on standard output and error, and everything written to standard
    error scrubbed.

    ``secrets`` are masked as well as anything shaped like a token (e.g. the ``--token`` value).
    Idempotent: a second call adds its secrets to the guard already in place.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (getattr(stream, "encoding", "") or "").lower() != "utf-8":
            reconfigure(encoding="utf-8")
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


def err(message: str, *secrets: str | None) -> None:
    """One line to standard error, scrubbed: the way owcheck's own messages get there."""
    line = " ".join(scrub(message, *secrets).splitlines())
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
