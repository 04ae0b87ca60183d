"""Grade Hub targets in this process and print each report in several formats, one JSON line each.

``python -m tests.hub.render_reports TARGET... [--format F ...]``

Prints ``{"target": T, "ok": true, "outputs": {"json": "...", "cyclonedx": "..."}}`` per target
(or ``{"target": T, "ok": false, "exit_code": N, "message": "..."}``). huggingface_hub reads its
environment at import time, so tests run this module in a fresh process with the loopback Hub's
environment (``LoopbackHub.env``), grading every fixture repo in one process instead of one
``owcheck`` run per repo and format.
"""

from __future__ import annotations

import argparse
import json
import sys

from openweights.check import check_bundle
from openweights.formats import renderer
from openweights.sources import SourceError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hub.render_reports")
    parser.add_argument("targets", nargs="+")
    parser.add_argument("--format", dest="formats", action="append", default=[])
    args = parser.parse_args(argv)

    from openweights.sources.http import RetryPolicy
    from openweights.sources.hub import HubSource

    source = HubSource(policy=RetryPolicy(attempts=1))
    for target in args.targets:
        try:
            report = check_bundle(source.fetch(target))
        except SourceError as exc:
            record = {"target": target, "ok": False, "exit_code": exc.exit_code,
                      "message": str(exc)}
        else:
            outputs = {fmt: renderer(fmt)(report) for fmt in args.formats or ["json"]}
            record = {"target": target, "ok": True, "outputs": outputs}
        sys.stdout.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
