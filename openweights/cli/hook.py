"""The per-card pre-commit hook: ``python -m openweights.cli.hook [options] CARD...``.

pre-commit passes the changed cards in batches; each is graded on its own (a ``README.md``
stands for its directory, so its LICENSE files count) with the configuration found from its
directory. Output is one line per finding, ``path:line: severity CODE name: message``, under a
headline per card. Exit status: 2 if a card could not be read or a config is invalid, else 1
if a gate failed for any card, else 0. Local files only: never the network.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from openweights import session
from openweights.choices import Letter, Severity, SourceChoice
from openweights.config import split_selectors
from openweights.formats.concise import render as render_concise
from openweights.report import Report
from openweights.streams import err, setup_streams


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="owcheck-card", description="Grade each model card given and lint it."
    )
    p.add_argument("cards", nargs="*", metavar="CARD", help="Model cards (README.md files).")
    p.add_argument("--fail-on", type=str.lower, choices=Severity.values(), default=None)
    p.add_argument("--fail-under", type=str.upper, choices=Letter.values(), default=None)
    p.add_argument("--select", action="append", default=None, help="Only these rules.")
    p.add_argument("--extend-select", action="append", default=None, help="Also these rules.")
    p.add_argument("--ignore", action="append", default=None, help="Skip these rules.")
    p.add_argument("--config", type=Path, default=None, help="Configuration file to use.")
    p.add_argument("--isolated", action="store_true", help="Ignore configuration files.")
    return p


def format_report(report: Report) -> str:
    """A headline and one line per active finding (``openweights/formats/concise.py``)."""
    return render_concise(report)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook; returns the exit status."""
    args = _parser().parse_args(argv)
    status = 0
    overrides = session.Overrides(
        select=split_selectors(args.select) if args.select is not None else None,
        extend_select=split_selectors(args.extend_select) if args.extend_select is not None
        else None,
        ignore=split_selectors(args.ignore) if args.ignore is not None else None,
        fail_under=Letter(args.fail_under) if args.fail_under else None,
        fail_on=Severity(args.fail_on) if args.fail_on else None,
    )
    for card in args.cards:
        target = session.Target(card, SourceChoice.LOCAL)
        try:
            outcome = session.run(target, args.config, args.isolated, overrides)
        except session.ERRORS as exc:
            err(f"owcheck: error: {card}: {exc}")
            status = 2
            continue
        sys.stdout.write(format_report(outcome.report))
        for reason in outcome.gate_failures:
            sys.stdout.write(f"  gate failed: {reason}\n")
        if outcome.gate_failures and status == 0:
            status = 1
    return status


if __name__ == "__main__":
    setup_streams()
    raise SystemExit(main())
