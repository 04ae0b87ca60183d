"""Wall time of `owcheck CARD --format json` (the pre-commit path), beside `python -c pass`.

    python benchmarks/bench_check.py [--runs 21] [CARD ...]

Each command runs in a fresh process, after one warm-up run (so bytecode caches exist, as on a
user's machine). Prints the median and the spread, in milliseconds. Target: under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CARDS = [ROOT / "examples" / "open-model" / "README.md"]


def wall_times(cmd: list[str], runs: int) -> list[float]:
    """Milliseconds for ``runs`` fresh runs of ``cmd`` (after one warm-up)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, env=env, capture_output=True, check=False)
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        out.append((time.perf_counter() - start) * 1000)
    return out


def describe(label: str, times: list[float]) -> str:
    """One line: median, min and max."""
    return (f"{label:<52} median {statistics.median(times):6.1f} ms"
            f"   (min {min(times):.1f}, max {max(times):.1f}, n={len(times)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("cards", nargs="*", type=Path, default=DEFAULT_CARDS)
    args = parser.parse_args(argv)
    # The console script, as a user (and the pre-commit hook) runs it.
    script = Path(sys.executable).with_name("owcheck")
    owcheck = [str(script)] if script.exists() else [sys.executable, "-m", "openweights"]
    print(describe("python -c pass", wall_times([sys.executable, "-c", "pass"], args.runs)))
    for card in args.cards:
        times = wall_times([*owcheck, str(card), "--format", "json"], args.runs)
        print(describe(f"owcheck {card.relative_to(ROOT) if card.is_relative_to(ROOT) else card}"
                       " --format json", times))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
