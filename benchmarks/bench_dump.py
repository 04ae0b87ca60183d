"""`owcheck batch DUMP.parquet`: cards per second and peak memory, beside a floor.

    python benchmarks/bench_dump.py rate [--rows 20000] [--cards fixtures|corpus|mix] [--jobs 1 2]
    python benchmarks/bench_dump.py memory [--rows 100000] [--cards mix] [--jobs 2]
    (both: [--row-group 1000] rows per Parquet row group, [--json FILE] the figures as JSON)

The dump is made at run time, with the columns of ``librarian-bots/model_cards_with_metadata``
(``tests/hub/dumps.py``): ``rows`` rows cycling over a set of card texts, each row a model of its
own. ``--cards fixtures`` takes our own cards (the loopback Hub's fixture repos, whose lineage
rows the dump holds, and ``tests/fixtures``, ``examples/``); ``corpus`` the real cards of the
shared corpus (``../shared/corpus/cards`` and ``wild/``, read at run time, never copied into the
repo; longer than ours, closer to the Hub's); ``mix`` both.

``rate``: in one run, side by side,

- the **floor**: one process that reads the dump's ``modelId`` and ``card`` columns and parses
  each card's front matter with libyaml (``yaml.CSafeLoader``) and nothing else: what any tool
  reading the dump pays at least;
- ``owcheck batch DUMP -o FILE -j N`` for each ``--jobs``, with start-up.

Each prints wall time, cards per second and the CPU time per card of the whole process tree.

``memory``: one batch of ``rows`` rows; the resident memory of the whole process tree (the
command and its workers) is sampled every 0.2 s. Prints the peak over the first 10 %, the first
half and the whole run (flat memory: close figures), the rate, and the projection for the Hub's
dump of about 1.1 M rows.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import _count_lines, _drain, tree_rss_kib
from hubbench import ROOT, dump, reset_cpu_clock, run_process

FULL_DUMP = 1_100_000
"""Rows of the Hub's bulk card dump (``librarian-bots/model_cards_with_metadata``), about."""
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)

FLOOR = r"""
import re, sys, time
import pyarrow.parquet as pq
import yaml
FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
cards = parsed = 0
for batch in pq.ParquetFile(sys.argv[1]).iter_batches(batch_size=512, columns=["modelId", "card"]):
    for row in batch.to_pylist():
        cards += 1
        match = FRONT.match(row["card"] or "")
        if match:
            try:
                yaml.load(match.group(1), Loader=yaml.CSafeLoader)
                parsed += 1
            except yaml.YAMLError:
                pass
print(cards, parsed)
"""


def fixture_rows() -> list[dict[str, Any]]:
    """Rows of our own cards: the loopback Hub's fixture models, then the other fixtures."""
    from tests.hub.dumps import WHEN, dump_rows
    from tests.hub.server import load_repos

    rows = dump_rows(load_repos().values())
    for path in sorted([*(ROOT / "tests" / "fixtures").rglob("README.md"),
                        *(ROOT / "examples").glob("*/README.md")]):
        rows.append(_row(f"fixtures/{path.parent.name}", path.read_text(encoding="utf-8"), WHEN))
    return rows


def corpus_rows() -> list[dict[str, Any]]:
    """Rows of the shared corpus's real cards (read here, never kept in the repo)."""
    from tests.hub.dumps import WHEN
    from tests.support import CORPUS, corpus_cards

    paths = corpus_cards()
    if not paths:
        raise SystemExit(f"no corpus cards under {CORPUS} (use --cards fixtures)")
    return [_row(f"corpus/{p.stem}", p.read_text(encoding="utf-8", errors="replace"), WHEN)
            for p in paths]


def _row(repo_id: str, card: str, when: Any) -> dict[str, Any]:
    """A dump row for a card, with the tags the Hub computes from its front matter."""
    import yaml

    from tests.hub.server import hub_tags

    meta: Any = None
    match = _FRONT.match(card)
    if match:
        try:
            meta = yaml.load(match.group(1), Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            meta = None
    meta = meta if isinstance(meta, dict) else {}
    return {"modelId": repo_id, "author": repo_id.split("/")[0], "last_modified": when,
            "downloads": 0, "likes": 0, "library_name": _text(meta.get("library_name")),
            "tags": [str(t) for t in hub_tags(meta)], "pipeline_tag": _text(
                meta.get("pipeline_tag")), "createdAt": when, "card": card}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def make_dump(path: Path, rows: int, cards: str, row_group: int) -> dict[str, Any]:
    """``rows`` rows cycling over the chosen cards (the fixture models once under their own ids,
    so the rows naming them as bases are resolved in the dump), written in shards of 50,000
    rows with row groups of ``row_group`` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    seeds = {"fixtures": fixture_rows, "corpus": corpus_rows}
    pool = [r for kind in (["fixtures", "corpus"] if cards == "mix" else [cards])
            for r in seeds[kind]()]
    rng = random.Random(14)
    order = list(range(len(pool)))
    path.mkdir(parents=True, exist_ok=True)
    shard: list[dict[str, Any]] = []
    written = chars = 0
    for n in range(rows):
        if n % len(pool) == 0:
            rng.shuffle(order)
        seed = pool[order[n % len(pool)]] if n >= len(pool) else pool[n]
        row = dict(seed) if n < len(pool) else {**seed, "modelId": f"{seed['modelId']}-{n}"}
        chars += len(row["card"] or "")
        shard.append(row)
        if len(shard) == 50_000 or n == rows - 1:
            pq.write_table(pa.Table.from_pylist(shard), path / f"train-{written:05d}.parquet",
                           row_group_size=row_group)
            written += 1
            shard = []
    return {"rows": rows, "cards": cards, "distinct_cards": len(pool), "shards": written,
            "row_group": row_group,
            "mean_card_chars": chars / max(1, rows),
            "mb": sum(p.stat().st_size for p in path.glob("*.parquet")) / 1e6}


def _env() -> dict[str, str]:
    """This environment without the Hub's variables (a dump needs no Hub)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("HF_")}


def batch_argv(dump_dir: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "openweights", "batch", str(dump_dir), "-o", str(out),
            "--errors", str(out.with_suffix(".errors")), "-j", str(jobs), "--isolated", "-q"]


def rate(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "dump"
        made = make_dump(folder, args.rows, args.cards, args.row_group)
        results["dump"] = made
        print(f"dump: {made['rows']} rows over {made['distinct_cards']} cards ({args.cards}), "
              f"mean card {made['mean_card_chars']:.0f} chars, {made['mb']:.1f} MB Parquet")
        print(f"{'what':<28} {'wall s':>7} {'cards/s':>9} {'cpu ms/card':>12}")
        floor_total = 0.0
        floor_cpu = 0.0
        for shard in sorted(folder.glob("*.parquet")):
            reset_cpu_clock()
            run = run_process([sys.executable, "-c", FLOOR, str(shard)], _env(), ROOT)
            if run.returncode != 0:
                raise SystemExit(run.stderr)
            floor_total += run.wall
            floor_cpu += run.cpu
        results["floor"] = _line("floor: read + libyaml", args.rows, floor_total, floor_cpu)
        for jobs in args.jobs:
            out = Path(tmp) / f"out-{jobs}.jsonl"
            reset_cpu_clock()
            run = run_process(batch_argv(folder, out, jobs), _env(), ROOT)
            done = _count_lines(out)
            if done != args.rows:
                print(f"owcheck -j {jobs}: {done}/{args.rows} reports, exit {run.returncode}: "
                      f"{run.stderr.strip()[-300:]}")
            results[f"owcheck_j{jobs}"] = _line(f"owcheck batch -j {jobs}", args.rows,
                                                run.wall, run.cpu)
            out.unlink(missing_ok=True)
    best = max(v["rate"] for k, v in results.items() if k.startswith("owcheck"))
    print(f"owcheck / floor: {best / results['floor']['rate']:.2f}; the full dump "
          f"({FULL_DUMP:,} rows) at {best:.0f} cards/s: {FULL_DUMP / best / 60:.0f} min")
    return results


def _line(what: str, rows: int, wall: float, cpu: float) -> dict[str, Any]:
    line = {"wall_s": wall, "rate": rows / wall, "cpu_ms_per_card": cpu / rows * 1000}
    print(f"{what:<28} {wall:>7.1f} {line['rate']:>9.0f} {line['cpu_ms_per_card']:>12.2f}")
    return line


def memory(args: argparse.Namespace) -> dict[str, Any]:
    jobs = args.jobs[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "dump"
        made = make_dump(folder, args.rows, args.cards, args.row_group)
        out = Path(tmp) / "out.jsonl"
        samples: list[tuple[int, int]] = []  # (reports written, tree RSS KiB)
        start = time.perf_counter()
        proc = subprocess.Popen(batch_argv(folder, out, jobs), cwd=ROOT, env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        stderr: list[str] = []
        reader = threading.Thread(target=_drain, args=(proc.stderr, stderr), daemon=True)
        reader.start()
        while proc.poll() is None:
            samples.append((_count_lines(out), tree_rss_kib(proc.pid)))
            time.sleep(0.2)
        wall = time.perf_counter() - start
        reader.join()
        done = _count_lines(out)
    n = args.rows

    def peak(upto: float) -> float:
        return max((r for d, r in samples if d <= n * upto), default=0) / 1024

    result = {"dump": made, "jobs": jobs, "done": done, "exit": proc.returncode, "wall_s": wall,
              "rate": done / wall, "peak_10pct_mb": peak(0.1), "peak_50pct_mb": peak(0.5),
              "peak_mb": peak(1.0)}
    print(f"dump: {n} rows over {made['distinct_cards']} cards ({args.cards}), mean card "
          f"{made['mean_card_chars']:.0f} chars, row groups of {args.row_group}; "
          f"owcheck batch -j {jobs}")
    print(f"reports {done}/{n}, exit {proc.returncode}, {wall:.0f} s ({done / wall:.0f} cards/s)")
    print(f"peak RSS of the process tree: first 10 % {result['peak_10pct_mb']:.0f} MB, first half "
          f"{result['peak_50pct_mb']:.0f} MB, whole run {result['peak_mb']:.0f} MB")
    print(f"the full dump ({FULL_DUMP:,} rows) at this rate: {FULL_DUMP / result['rate'] / 60:.0f}"
          " min")
    if proc.returncode != 0:
        print("".join(stderr).strip()[-500:])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("rate")
    r.add_argument("--rows", type=int, default=20_000)
    r.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    m = sub.add_parser("memory")
    m.add_argument("--rows", type=int, default=100_000)
    m.add_argument("--jobs", type=int, nargs=1, default=[2])
    for p in (r, m):
        p.add_argument("--cards", choices=("fixtures", "corpus", "mix"), default="mix")
        p.add_argument("--row-group", type=int, default=1000,
                       help="rows per Parquet row group (the writer's choice; default 1000)")
        p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    dump(args.json, rate(args) if args.what == "rate" else memory(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
