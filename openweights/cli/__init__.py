"""Every way into owcheck; nothing below this package imports it.

- ``entry``: the console script ``owcheck`` (and ``python -m openweights``): a fast path for
  ``owcheck TARGET`` that never loads typer, and the typer app for everything else.
- ``app``: the typer app; one module per command group: ``check`` (the default command),
  ``catalogue`` (licenses, license, identify, rules, explain), ``init``, ``batch``, ``badge``,
  ``site``.
- ``common``: option types, choices and error helpers the typer commands share.
- ``run``: the check command's work without a parser (options, writing, gates).
- ``hook``: the per-card pre-commit hook (``python -m openweights.cli.hook``).
- ``action``: the GitHub Action (``python -m openweights.cli.action``).

Each door runs one session (``openweights/session.py``): settings -> fetch -> check -> gates.
"""

from openweights.cli.entry import main

__all__ = ["main"]
