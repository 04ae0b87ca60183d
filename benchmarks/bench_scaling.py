"""How owcheck's cost grows with the card: CPU time and peak memory from 1 KB to 5 MB.

    python benchmarks/bench_scaling.py [--runs 3] [--shape lines|long-line|both] [--source DIR]

``--source`` measures the owcheck of another checkout (e.g. ``git archive main | tar -x -C DIR``)
with the same cards, for a before/after.

Synthetic cards are built from our own fixture text (``examples/`` and ``tests/fixtures/repos/``):
the example card's front matter once, then the bodies of every fixture card repeated up to the
size. ``lines`` keeps their line structure; ``long-line`` joins each repetition into one line (a
card with a huge table row or an inlined image), which is where regular expressions that
backtrack show up.

Each size runs in a fresh process (``owcheck CARD --format json``), beside the floor: a process
that reads and decodes the same file, splits it into lines and parses its front matter with
libyaml. Per size: median CPU time (user + system) and peak resident memory, each also as the
excess over the smallest card (start-up cost removed). The exponent is the least-squares slope of
log(excess) on log(size) over the sizes from 256 KB up, and between the two largest sizes: 1.0 is
linear, 2.0 quadratic. Target: close to 1 for owcheck, as for the floor.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 4_000, 16_000, 64_000, 256_000, 1_000_000, 2_500_000, 5_000_000)
FIT_FROM = 256_000

# Peak memory is the process's own high-water mark (VmHWM), printed at exit: getrusage's
# ru_maxrss would count the benchmark's own memory, which the child inherits until it execs.
PEAK = r"""
import atexit, sys
def _peak():
    with open("/proc/self/status") as f:
        kb = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
    sys.stderr.write(f"\nPEAK_KB {kb}\n")
atexit.register(_peak)
"""
FLOOR = PEAK + r"""
import re, yaml
text = open(sys.argv[1], encoding="utf-8").read()
lines = text.splitlines()
m = re.match(r"---\n(.*?)\n---\n", text, re.S)
yaml.load(m.group(1), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
"""
# The console script's own body (``owcheck = "openweights.cli:main"`` in pyproject.toml),
# behind the same peak report.
OWCHECK = PEAK + r"""
try:
    from openweights.cli.entry import main
except ImportError:  # a checkout from before the command line became a package
    from openweights.entry import main
sys.argv[0] = "owcheck"
main()
"""


def _split_front_matter(text: str) -> tuple[str, str]:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[: end + 5], text[end + 5 :]
    return "", text


def synthetic_card(size: int, shape: str) -> str:
    """A card of about ``size`` bytes (UTF-8) made of our fixtures' text."""
    example = (ROOT / "examples" / "open-model" / "README.md").read_text(encoding="utf-8")
    head, first_body = _split_front_matter(example)
    bodies = [first_body]
    for card in sorted((ROOT / "tests" / "fixtures" / "repos").glob("*/README.md")):
        bodies.append(_split_front_matter(card.read_text(encoding="utf-8"))[1])
    unit = "\n".join(bodies)
    if shape == "long-line":
        unit = " ".join(unit.split("\n")) + "\n"
    parts = [head]
    total = len(head.encode("utf-8"))
    unit_bytes = len(unit.encode("utf-8"))
    while total + unit_bytes <= size:
        parts.append(unit)
        total += unit_bytes
    parts.append(unit.encode("utf-8")[: size - total].decode("utf-8", "ignore"))
    return "".join(parts)


def measure(cmd: Sequence[str], source: Path) -> tuple[float, float]:
    """(CPU seconds, peak RSS in MiB) of one fresh process running ``cmd``."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        # Run outside any checkout, so that ``openweights`` is the one in ``source``.
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, env=env, cwd=source.parent)
        _pid, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    peak = re.search(r"^PEAK_KB (\d+)$", stderr, re.M)
    rest = re.sub(r"\s*PEAK_KB \d+\s*", "", stderr)
    if code not in (0, 1) or peak is None or (rest.strip() and "gate failed" not in rest):
        raise SystemExit(f"{' '.join(cmd[:2])}... failed ({code}): {stderr[:300]}")
    if cmd[2] == OWCHECK:
        json.loads(stdout)  # a report, not an error that happened to exit 0 or 1
    return usage.ru_utime + usage.ru_stime, int(peak.group(1)) / 1024


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of log(y) on log(x); nan with fewer than two usable points."""
    logs = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(logs) < 2:
        return math.nan
    mx = statistics.fmean(x for x, _ in logs)
    my = statistics.fmean(y for _, y in logs)
    den = sum((x - mx) ** 2 for x, _ in logs)
    return sum((x - mx) * (y - my) for x, y in logs) / den if den else math.nan


def run_shape(shape: str, runs: int, workdir: Path, source: Path) -> None:
    rows: dict[str, list[tuple[int, float, float]]] = {"owcheck": [], "floor": []}
    print(f"\n== shape: {shape}  (median of {runs} runs; excess = over the 1 KB card)")
    print(f"{'size':>9}  {'owcheck cpu':>11} {'excess':>9} {'rss':>7} {'excess':>8}"
          f"   {'floor cpu':>9} {'excess':>9} {'rss':>7} {'excess':>8}")
    for size in SIZES:
        card = workdir / f"{shape}-{size}" / "README.md"
        card.parent.mkdir(exist_ok=True)
        card.write_text(synthetic_card(size, shape), encoding="utf-8")
        cmds = {
            "owcheck": [sys.executable, "-c", OWCHECK, str(card), "--format", "json"],
            "floor": [sys.executable, "-c", FLOOR, str(card)],
        }
        for name, cmd in cmds.items():
            measure(cmd, source)  # warm-up: bytecode and page caches, as on a user's machine
            samples = [measure(cmd, source) for _ in range(runs)]
            rows[name].append(
                (size, statistics.median(s[0] for s in samples),
                 statistics.median(s[1] for s in samples))
            )
        o, f = rows["owcheck"][-1], rows["floor"][-1]
        o0, f0 = rows["owcheck"][0], rows["floor"][0]
        print(f"{size:>9,}  {o[1] * 1000:>9.0f}ms {(o[1] - o0[1]) * 1000:>7.0f}ms"
              f" {o[2]:>5.0f}M {o[2] - o0[2]:>6.1f}M"
              f"   {f[1] * 1000:>7.0f}ms {(f[1] - f0[1]) * 1000:>7.0f}ms"
              f" {f[2]:>5.0f}M {f[2] - f0[2]:>6.1f}M")
    for name, data in rows.items():
        base = data[0]
        cpu = [(s, t - base[1]) for s, t, _ in data if s >= FIT_FROM]
        mem = [(s, m - base[2]) for s, _, m in data if s >= FIT_FROM]
        print(f"{name:>8} exponent  cpu {slope(cpu):.2f} (last pair {slope(cpu[-2:]):.2f})"
              f"   memory {slope(mem):.2f} (last pair {slope(mem[-2:]):.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shape", choices=("lines", "long-line", "both"), default="both")
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to measure")
    args = parser.parse_args(argv)
    source = args.source.resolve()
    print(f"owcheck from {source}")
    shapes = ("lines", "long-line") if args.shape == "both" else (args.shape,)
    with tempfile.TemporaryDirectory(prefix="owcheck-scaling-") as tmp:
        for shape in shapes:
            run_shape(shape, args.runs, Path(tmp), source)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
