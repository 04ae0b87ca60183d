"""Run the loopback forge by hand, to try owcheck's forge lookups without touching GitHub.

From the repository root::

    python -m tests.forge --port 8766

then, in another shell (with the loopback Hub of ``python -m tests.hub`` running too)::

    export GITHUB_API_URL=http://127.0.0.1:8766 GITLAB_API_URL=http://127.0.0.1:8766
    owcheck openlab/fully-open-1b

``--limit N`` sets the rate limit (60 by default, like anonymous GitHub); ``--log`` prints every
request. The fixture repositories are under ``tests/forge/repos/``.
"""

from __future__ import annotations

import argparse

from tests.forge.server import LoopbackForge
from tests.loopback_server import serve_until_interrupted


def main(argv: list[str] | None = None) -> int:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m tests.forge", description=summary)
    parser.add_argument("--port", type=int, default=8766, help="port on 127.0.0.1 (0: any)")
    parser.add_argument("--limit", type=int, default=60, help="requests before the rate limit")
    parser.add_argument("--log", action="store_true", help="print every request as it is served")
    args = parser.parse_args(argv)

    forge = LoopbackForge(port=args.port, limit=args.limit).start()
    print("Loopback forge serving on", forge.url)
    print("Export in another shell:\n")
    print(f"  export GITHUB_API_URL={forge.url} GITLAB_API_URL={forge.url}")
    print("\nRepositories:", " ".join(sorted(f"{h}/{r.path}" for (h, _), r in forge.repos.items())))
    serve_until_interrupted(forge, lambda: forge.requests, args.log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
