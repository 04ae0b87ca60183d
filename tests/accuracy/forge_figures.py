"""Figures for the forge lookups: every corpus card graded locally and through the loopback Hub
and forge, with the forge requests each one cost, cold and warm.

    python -m tests.accuracy.forge_figures                 # this checkout
    python -m tests.accuracy.forge_figures --checkout DIR  # another one (e.g. an export of main)

Prints a Markdown table: the card, its local grade, its grade through the Hub and forge, and
the forge requests of a cold run (empty cache) and of a warm one (same cache). Another checkout
is run with its own code (``PYTHONPATH=DIR``) against the same loopback servers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.accuracy.loopback import build_forge, build_hub, subject_id
from tests.support import CORPUS, ROOT


def _run(args: list[str], env: dict[str, str], checkout: Path) -> dict[str, object] | None:
    full = {k: v for k, v in os.environ.items()
            if not k.startswith(("HF_", "GITHUB_", "GITLAB_", "GH_", "FORCE_COLOR"))}
    full.update(env)
    full["PYTHONPATH"] = str(checkout)
    full["NO_COLOR"] = "1"
    done = subprocess.run([sys.executable, "-m", "openweights", *args, "--format", "json"],
                          cwd=checkout, env=full, capture_output=True, text=True, timeout=300)
    if done.returncode not in (0, 1):
        return None
    data: dict[str, object] = json.loads(done.stdout)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the owcheck to measure")
    args = parser.parse_args(argv)
    keys = sorted(str(p.relative_to(CORPUS)) for p in (CORPUS / "cards").glob("*.md"))
    work = Path(tempfile.mkdtemp(prefix="forge-figures-"))
    hub = build_hub(work / "hub", keys).start()
    forge = build_forge(work / "empty").start()
    print("| card | local | hub + forge | forge requests, cold | warm (304 / charged) |")
    print("|---|---|---|---|---|")
    total_cold = total_warm = 0
    try:
        for key in keys:
            local = _run([str(CORPUS / key)], {}, args.checkout)
            home = work / "homes" / Path(key).stem
            env = hub.env(home)
            env.update(forge.env())
            env.pop("PYTHONPATH", None)
            forge.reset_log()
            cold = _run([subject_id(key)], env, args.checkout)
            cold_requests = len(forge.requests)
            forge.reset_log()
            _run([subject_id(key)], env, args.checkout)
            warm = forge.requests
            revalidated = sum(r.status == 304 for r in warm)
            total_cold += cold_requests
            total_warm += len(warm) - revalidated
            print(f"| {Path(key).stem} | {local['grade'] if local else 'error'} | "
                  f"{cold['grade'] if cold else 'error'} | {cold_requests} | "
                  f"{revalidated} / {len(warm) - revalidated} |")
    finally:
        hub.stop()
        forge.stop()
    print(f"| total | | | {total_cold} | {total_warm} charged |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
