"""Regular expressions compiled on first use, never at import.

Compiling a pattern costs from tens of microseconds to a few milliseconds, and owcheck has
well over a hundred. Compiled at import, every run paid for all of them, although a run of the
pre-commit path uses only the ones its card and files call for (about two thirds). So a module
declares its patterns with ``lazy`` instead of ``re.compile`` (a test in
``tests/test_architecture.py`` keeps it so)::

    _HEADING = lazy(r"^#{1,6}\\s", re.M)
    ...
    if _HEADING().match(line): ...

The first call compiles the pattern; every later call returns the same object, at the cost
of one call (as cheap as ``functools.cache``'s, and the closure is a third of its making).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import AnyStr


def lazy(pattern: AnyStr, flags: int = 0) -> Callable[[], re.Pattern[AnyStr]]:
    """A function returning ``re.compile(pattern, flags)``, compiled on its first call."""
    compiled: re.Pattern[AnyStr] | None = None

    def get() -> re.Pattern[AnyStr]:
        nonlocal compiled
        if compiled is None:
            compiled = re.compile(pattern, flags)
        return compiled

    return get
