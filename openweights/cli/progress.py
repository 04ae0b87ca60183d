"""``owcheck batch``'s progress bar: count, rate, ETA and failures so far, on standard error.

Shown only when standard error is a terminal and not ``-q``; a pipe or a log file gets the
closing summary alone. tqdm comes with huggingface_hub; it is imported here only, when a bar is
shown (never on the pre-commit path).
"""

from __future__ import annotations

import sys
from typing import Any

from openweights.batch import Tally


class Progress:
    """A bar over ``total`` input lines (None when unknown), updated from the run's tally."""

    def __init__(self, total: int | None, quiet: bool, what: str = "models") -> None:
        self._bar: Any = None
        self._seen = 0
        if quiet or not sys.stderr.isatty():
            return
        import shutil

        from tqdm import tqdm

        # A terminal that reports no width (some pseudo-terminals) gets the usual 80 columns.
        width = shutil.get_terminal_size((80, 24)).columns or 80
        self._bar = tqdm(total=total, unit=" " + what, file=sys.stderr, ncols=width,
                         smoothing=0.05, mininterval=0.25, desc="owcheck batch")

    @property
    def shown(self) -> bool:
        """True when a bar is on the terminal."""
        return self._bar is not None

    def __call__(self, tally: Tally) -> None:
        if self._bar is None:
            return
        done = tally.total
        if done > self._seen:
            self._bar.update(done - self._seen)
            self._seen = done
        bad = tally.failed + tally.refused
        if bad:
            self._bar.set_postfix_str(f"{tally.failed} failed, {tally.refused} refused",
                                      refresh=False)

    def note(self, text: str) -> None:
        """A line above the bar (or plain, without one)."""
        if self._bar is not None:
            self._bar.write(text, file=sys.stderr)

    def close(self) -> None:
        """Remove the bar (the summary follows it)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
