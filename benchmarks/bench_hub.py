"""HTTP requests and wall time of `owcheck ORG/NAME` against the loopback Hub.

    python benchmarks/bench_hub.py

Starts the loopback Hub of the tests (tests/hub, fixture repos written for owcheck), runs the
real command line in a fresh process with a cold cache, then again with the cache warm, and
counts the requests the server saw. Cases: a plain model, a fine-tune (an adapter on a gated
base), a model with three datasets, and a three-deep quantization chain.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.hub.server import LoopbackHub  # noqa: E402

CASES = {
    "plain model": "acme/plain-7b",
    "fine-tune (adapter on a gated base)": "launder/llama-style-lora",
    "model with three datasets": "acme/three-data",
    "quantization chain, three deep": "quants/chain-q4-gguf",
}
RUNS = 5


def run_once(hub: LoopbackHub, target: str, cache: Path) -> tuple[float, int]:
    """(milliseconds, requests) for one run of owcheck with the cache in ``cache``."""
    hub.reset_log()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "openweights", target, "--format", "json"],
                   env=hub.env(cache), capture_output=True, check=True)
    return (time.perf_counter() - start) * 1000, len(hub.requests)


def main() -> int:
    with LoopbackHub().start() as hub:
        print(f"{'case':<40} {'cold: requests':>15} {'cold ms':>9} {'warm: requests':>15} "
              f"{'warm ms':>9}")
        for label, target in CASES.items():
            cold, warm = [], []
            cold_requests = warm_requests = 0
            for _ in range(RUNS):
                with tempfile.TemporaryDirectory() as tmp:
                    ms, cold_requests = run_once(hub, target, Path(tmp))
                    cold.append(ms)
                    ms, warm_requests = run_once(hub, target, Path(tmp))
                    warm.append(ms)
            print(f"{label:<40} {cold_requests:>15} {statistics.median(cold):>9.0f} "
                  f"{warm_requests:>15} {statistics.median(warm):>9.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
