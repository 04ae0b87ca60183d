"""One model through the Hub path, against the loopback Hub with 50 ms of latency per request.

    python benchmarks/bench_hub.py [--runs 3] [--code DIR] [--json FILE]

For each case, with a cold cache (a fresh ``HF_HOME``) and then warm (the same one again):

- ``fetch``: wall time of ``HubSource().fetch(ID)`` in a fresh process (the client's modules
  imported beforehand, whichever of them the version under test imports lazily), and its ratio
  to the latency-bound ideal (``benchmarks/hubbench.py`` explains the ideal);
- ``hot``: the same in a process that first fetched an unrelated model (its session and
  connections are up, as in a batch worker), cache still cold for the case, and its ratio;
- requests the loopback Hub received, cold and warm (HEAD requests counted apart);
- ``cli``: wall and CPU time of the whole command ``owcheck ID --format json``, cold, which adds
  the interpreter's start-up, the imports and the grading.

Cases: the fixture repos of the tests (tests/hub/repos) and two generated for this benchmark
(a GGUF four levels above its root model, a model trained on 19 datasets).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hubbench import (
    LATENCY,
    ROOT,
    code_dir,
    dump,
    env_for,
    ideal_round_trips,
    lineage_repos,
    reset_cpu_clock,
    run_process,
)

from tests.hub.server import LoopbackHub

CASES = {
    "plain model": "acme/plain-7b",
    "no LICENSE file": "acme/no-license",
    "gated llama-style base": "examplemeta/llama-style-8b",
    "adapter on a gated base": "launder/llama-style-lora",
    "three datasets": "acme/three-data",
    "fully open, two datasets": "openlab/fully-open-1b",
    "merge of two bases": "mergers/two-base-merge",
    "diamond merge": "mergers/diamond-merge",
    "quantization chain, three deep": "quants/chain-q4-gguf",
    "GGUF, four deep (generated)": "benchdeep/q4-gguf",
    "19 datasets (generated)": "benchdata/trained-on-19",
}

# The client's modules are imported before the clock starts, whichever of them the version under
# test imports lazily: ``fetch`` measures the network and the fetching work, not imports (the
# ``cli`` columns include everything).
FETCH = (
    "import sys, time\n"
    "import huggingface_hub.hf_api, huggingface_hub.file_download, huggingface_hub.repocard_data\n"
    "import huggingface_hub.utils._http, huggingface_hub.utils._headers, huggingface_hub.errors\n"
    "from openweights.sources.hub import HubSource\n"
    "if sys.argv[2:]:\n"
    "    HubSource().fetch(sys.argv[2])\n"
    "source = HubSource()\n"
    "start = time.perf_counter()\n"
    "source.fetch(sys.argv[1])\n"
    "print(time.perf_counter() - start)\n"
)
WARM_UP = "benchwarm/warm-up"
"""Fetched first in the ``hot`` runs: the process, the client's session and its connections are
up, as in a batch worker, but nothing of the case is cached."""


def fetch_once(hub: LoopbackHub, home: Path, target: str, code: Path | None, hot: bool = False
               ) -> tuple[float, int, int]:
    """(fetch seconds, requests, HEAD requests) for one fresh process (``hot``: which first
    fetched an unrelated model; its requests are counted too)."""
    hub.reset_log()
    argv = [sys.executable, "-c", FETCH, target, *([WARM_UP] if hot else [])]
    run = run_process(argv, env_for(hub, home, code), code_dir(code))
    if run.returncode != 0:
        raise SystemExit(f"fetch of {target} failed: {run.stderr.strip()[-400:]}")
    log = hub.requests
    return float(run.stdout.strip().splitlines()[-1]), len(log), sum(
        r.method == "HEAD" for r in log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--code", type=Path, default=None,
                        help="run the owcheck in this directory (default: this checkout)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)

    rows: list[dict[str, Any]] = []
    with LoopbackHub(latency=LATENCY, extra_repos=lineage_repos()).start() as hub:
        print(f"owcheck from {args.code or ROOT}; loopback Hub latency {LATENCY * 1000:.0f} ms; "
              f"median of {args.runs} runs")
        print(f"{'case':<32} {'ideal':>6} {'fetch':>7} {'ratio':>6} {'hot':>5} {'ratio':>6} "
              f"{'req cold':>9} {'(HEAD)':>6} {'req warm':>9} {'warm ms':>8} {'cli ms':>7} "
              f"{'cli cpu':>8}")
        for label, target in CASES.items():
            ideal = ideal_round_trips(hub, target) * LATENCY
            cold, warm, hot, cli_wall, cli_cpu = [], [], [], [], []
            req_cold = heads = req_warm = 0
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory() as tmp:
                    seconds, req_cold, heads = fetch_once(hub, Path(tmp), target, args.code)
                    cold.append(seconds)
                    seconds, req_warm, _ = fetch_once(hub, Path(tmp), target, args.code)
                    warm.append(seconds)
                with tempfile.TemporaryDirectory() as tmp:
                    hot.append(fetch_once(hub, Path(tmp), target, args.code, hot=True)[0])
                with tempfile.TemporaryDirectory() as tmp:
                    reset_cpu_clock()
                    run = run_process(
                        [sys.executable, "-m", "openweights", target, "--format", "json"],
                        env_for(hub, Path(tmp), args.code), code_dir(args.code))
                    if run.returncode not in (0, 1):
                        raise SystemExit(f"owcheck {target} failed: {run.stderr.strip()}")
                    cli_wall.append(run.wall)
                    cli_cpu.append(run.cpu)
            row = {
                "case": label, "target": target, "ideal_ms": ideal * 1000,
                "fetch_ms": statistics.median(cold) * 1000,
                "ratio": statistics.median(cold) / ideal,
                "hot_ms": statistics.median(hot) * 1000,
                "hot_ratio": statistics.median(hot) / ideal,
                "requests_cold": req_cold, "heads_cold": heads, "requests_warm": req_warm,
                "warm_ms": statistics.median(warm) * 1000,
                "cli_ms": statistics.median(cli_wall) * 1000,
                "cli_cpu_ms": statistics.median(cli_cpu) * 1000,
            }
            rows.append(row)
            print(f"{label:<32} {row['ideal_ms']:>6.0f} {row['fetch_ms']:>7.0f} "
                  f"{row['ratio']:>5.2f}x {row['hot_ms']:>5.0f} {row['hot_ratio']:>5.2f}x "
                  f"{req_cold:>9} {heads:>6} {req_warm:>9} "
                  f"{row['warm_ms']:>8.0f} {row['cli_ms']:>7.0f} {row['cli_cpu_ms']:>8.0f}")
        ratios = [r["ratio"] for r in rows]
        hots = [r["hot_ratio"] for r in rows]
        print(f"\nfetch over ideal: median {statistics.median(ratios):.2f}x, "
              f"worst {max(ratios):.2f}x; hot median {statistics.median(hots):.2f}x, worst "
              f"{max(hots):.2f}x; requests cold {sum(r['requests_cold'] for r in rows)} "
              f"({sum(r['heads_cold'] for r in rows)} HEAD), warm "
              f"{sum(r['requests_warm'] for r in rows)}")
    dump(args.json, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
