"""Run ``HubSource.fetch`` in this process and print the result as JSON (for subprocess tests).

``python -m tests.hub.run_source TARGET [--revision R] [--token T] [--offline] [--max-depth N]
[--max-file-bytes N] [--retries N] [--backoff S] [--timeout S] [--endpoint URL]``

Prints ``{"ok": true, "bundle": {...}}`` (the Bundle as ``records.asdict``) and exits 0, or
``{"ok": false, "error": "InputError", "message": "...", "exit_code": 2}`` and exits with that
code. huggingface_hub reads its environment at import time, so tests run this module in a fresh
process with the loopback Hub's environment (``LoopbackHub.env``).
"""

from __future__ import annotations

import argparse
import json
import sys

from openweights import records
from openweights.sources import SourceError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hub.run_source")
    parser.add_argument("target")
    parser.add_argument("--revision")
    parser.add_argument("--token")
    parser.add_argument("--endpoint")
    parser.add_argument("--offline", action="store_true")
    parser.add_argument("--max-depth", type=int, default=5)
    parser.add_argument("--max-file-bytes", type=int, default=None)
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("--backoff", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)

    from openweights.records import replace
    from openweights.sources.http import RetryPolicy
    from openweights.sources.hub import MAX_FILE_BYTES, HubSource

    # The environment's OWCHECK_HTTP_* settings, with the attempts and first wait given here.
    policy = replace(RetryPolicy.from_env(), attempts=args.retries, backoff=args.backoff)
    source = HubSource(
        revision=args.revision, token=args.token, offline=args.offline,
        max_depth=args.max_depth, endpoint=args.endpoint,
        max_file_bytes=args.max_file_bytes or MAX_FILE_BYTES,
        timeout=args.timeout, policy=policy,
    )
    try:
        bundle = source.fetch(args.target)
    except SourceError as exc:
        print(json.dumps({"ok": False, "error": type(exc).__name__, "message": str(exc),
                          "exit_code": exc.exit_code}))
        return exc.exit_code
    # Weight-file headers are bytes: shown as their length, enough for the tests.
    print(json.dumps({"ok": True, "bundle": records.asdict(bundle)}, indent=1,
                     default=lambda o: {"bytes": len(o)} if isinstance(o, bytes) else str(o)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
