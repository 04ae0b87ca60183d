"""`owcheck batch` against the loopback Hub with 50 ms of latency: throughput and memory.

    python benchmarks/bench_batch.py throughput [--jobs 1 8 32 64] [--per-job 20] [--code DIR]
    python benchmarks/bench_batch.py memory [--models 10000] [--jobs 32] [--code DIR]

``throughput``: for each ``-j``, a batch of ``per-job x j`` generated models (at least 40; see
``synthetic_repos`` in tests/hub/server.py: plain models, fine-tunes of shared bases, models naming
shared datasets) with a cold cache. Prints models per second, the latency-bound ideal (``j``
models in flight, each taking its ideal round trips; ``benchmarks/hubbench.py``), their ratio, and
the CPU time of the whole process tree per model. The wall time includes start-up.

``memory``: one batch of ``models`` generated models; the resident memory of the whole process
tree (the command and every worker it starts) is sampled every 0.2 s. Prints the peak over the
first 10 %, first half and the whole batch (flat memory: the three are close), and the time taken.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hubbench import (
    LATENCY,
    ROOT,
    code_dir,
    dump,
    env_for,
    ideal_round_trips,
    reset_cpu_clock,
    run_process,
)

from tests.hub.server import LoopbackHub, synthetic_repos


def batch_argv(ids: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "openweights", "batch", str(ids), "-o", str(out),
            "--errors", str(out.with_suffix(".errors")), "-j", str(jobs)]


def throughput(args: argparse.Namespace) -> list[dict[str, Any]]:
    largest = max(max(40, args.per_job * j) for j in args.jobs)
    rows: list[dict[str, Any]] = []
    with LoopbackHub(latency=LATENCY, extra_repos=synthetic_repos(largest),
                     log_requests=False).start() as hub:
        print(f"owcheck from {args.code or ROOT}; loopback Hub latency {LATENCY * 1000:.0f} ms")
        print(f"{'-j':>4} {'models':>7} {'wall s':>7} {'models/s':>9} {'ideal/s':>8} "
              f"{'ratio':>6} {'cpu ms/model':>13} {'req/model':>10}")
        for jobs in args.jobs:
            count = max(40, args.per_job * jobs)
            targets = [f"synth/model-{i}" for i in range(count)]
            ideal_each = statistics.mean(ideal_round_trips(hub, t) for t in targets) * LATENCY
            ideal_rate = jobs / ideal_each
            with tempfile.TemporaryDirectory() as tmp:
                ids = Path(tmp) / "ids.txt"
                ids.write_text("\n".join(targets) + "\n", encoding="utf-8")
                out = Path(tmp) / "out.jsonl"
                hub.reset_log()
                reset_cpu_clock()
                run = run_process(batch_argv(ids, out, jobs), env_for(hub, Path(tmp), args.code),
                                  code_dir(args.code))
                done = len(out.read_text().splitlines()) if out.exists() else 0
            if run.returncode != 0 or done != count:
                print(f"{jobs:>4} {count:>7}  failed (exit {run.returncode}, {done} reports): "
                      f"{run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ''}")
                rows.append({"jobs": jobs, "models": count, "failed": True})
                continue
            rate = count / run.wall
            row = {"jobs": jobs, "models": count, "wall_s": run.wall, "rate": rate,
                   "ideal_rate": ideal_rate, "ratio": rate / ideal_rate,
                   "cpu_ms_per_model": run.cpu / count * 1000,
                   "requests_per_model": hub.request_count / count}
            rows.append(row)
            print(f"{jobs:>4} {count:>7} {run.wall:>7.1f} {rate:>9.1f} {ideal_rate:>8.1f} "
                  f"{row['ratio']:>5.0%} {row['cpu_ms_per_model']:>13.1f} "
                  f"{row['requests_per_model']:>10.2f}")
    return rows


def tree_rss_kib(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, in KiB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, ppid = int(entry.name), int(fields.get("PPid", "0").strip())
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def memory(args: argparse.Namespace) -> dict[str, Any]:
    targets = [f"synth/model-{i}" for i in range(args.models)]
    with LoopbackHub(latency=LATENCY, extra_repos=synthetic_repos(args.models),
                     log_requests=False).start() as hub, tempfile.TemporaryDirectory() as tmp:
        ids = Path(tmp) / "ids.txt"
        ids.write_text("\n".join(targets) + "\n", encoding="utf-8")
        out = Path(tmp) / "out.jsonl"
        samples: list[tuple[int, int]] = []  # (reports written, tree RSS KiB)
        start = time.perf_counter()
        proc = subprocess.Popen(batch_argv(ids, out, args.jobs), cwd=code_dir(args.code),
                                env=env_for(hub, Path(tmp), args.code),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        stderr: list[str] = []
        reader = threading.Thread(target=_drain, args=(proc.stderr, stderr), daemon=True)
        reader.start()
        while proc.poll() is None:
            rss = tree_rss_kib(proc.pid)
            done = _count_lines(out)
            samples.append((done, rss))
            time.sleep(0.2)
        wall = time.perf_counter() - start
        reader.join()
        done = _count_lines(out)
    n = args.models

    def peak(upto: float) -> float:
        return max((r for d, r in samples if d <= n * upto), default=0) / 1024

    result = {"models": n, "jobs": args.jobs, "done": done, "exit": proc.returncode,
              "wall_s": wall, "peak_10pct_mb": peak(0.1), "peak_50pct_mb": peak(0.5),
              "peak_mb": peak(1.0)}
    print(f"owcheck from {args.code or ROOT}; {n} generated models, -j {args.jobs}, latency "
          f"{LATENCY * 1000:.0f} ms")
    print(f"reports {done}/{n}, exit {proc.returncode}, {wall:.0f} s ({done / wall:.1f} models/s)")
    print(f"peak RSS of the process tree: first 10 % {result['peak_10pct_mb']:.0f} MB, first half "
          f"{result['peak_50pct_mb']:.0f} MB, whole batch {result['peak_mb']:.0f} MB")
    if proc.returncode != 0:
        print("".join(stderr).strip()[-500:])
    return result


def _drain(stream: IO[str] | None, into: list[str]) -> None:
    if stream is not None:
        into.append(stream.read())


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--jobs", type=int, nargs="+", default=[1, 8, 32, 64])
    t.add_argument("--per-job", type=int, default=20)
    m = sub.add_parser("memory")
    m.add_argument("--models", type=int, default=10_000)
    m.add_argument("--jobs", type=int, default=32)
    for p in (t, m):
        p.add_argument("--code", type=Path, default=None,
                       help="run the owcheck in this directory (default: this checkout)")
        p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    dump(args.json, throughput(args) if args.what == "throughput" else memory(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
