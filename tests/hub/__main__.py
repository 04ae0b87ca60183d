"""Run the loopback Hub by hand, to try owcheck without touching huggingface.co.

From the repository root::

    python -m tests.hub --port 8765

It prints the environment to export in another shell, for example::

    export HF_ENDPOINT=http://127.0.0.1:8765
    export HF_HOME="$(mktemp -d)"            # a throwaway cache
    export HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_XET=1
    owcheck acme/plain-7b
    owcheck launder/llama-style-lora

Then stop the server (Ctrl-C) and run again with ``HF_HUB_OFFLINE=1`` to see
owcheck grade from the cache alone. ``--fail 503`` starts it answering 503 to everything (exit
code 3 in owcheck); ``--latency 50`` delays every answer by 50 ms, the shape of a real Hub.
The fixture repos are under ``tests/hub/repos/``.
"""

from __future__ import annotations

import argparse

from tests.hub.server import LoopbackHub, iter_repo_ids
from tests.loopback_server import serve_until_interrupted


def main(argv: list[str] | None = None) -> int:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m tests.hub", description=summary)
    parser.add_argument("--port", type=int, default=8765,
                        help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--fail", type=int, default=None, metavar="STATUS",
                        help="answer every request with this status (e.g. 503)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS",
                        help="delay every answer by this many milliseconds (50: a real Hub)")
    parser.add_argument("--log", action="store_true", help="print every request as it is served")
    args = parser.parse_args(argv)

    hub = LoopbackHub(port=args.port, latency=args.latency / 1000).start()
    if args.fail:
        hub.fail_with(args.fail)
    print("Loopback Hub serving on", hub.endpoint)
    print("Export in another shell:\n")
    print(f"  export HF_ENDPOINT={hub.endpoint}")
    print('  export HF_HOME="$(mktemp -d)"   # a throwaway cache, kept for offline runs')
    print("  export HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_XET=1")
    print("\nModels:  ", " ".join(iter_repo_ids("models")))
    print("Datasets:", " ".join(iter_repo_ids("datasets")))
    serve_until_interrupted(hub, lambda: hub.requests, args.log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
