"""Start-up of the pre-commit path: `owcheck README.md --format json` beside its floors and peer.

    python benchmarks/bench_check.py [--runs 21] [--before DIR]
    python benchmarks/bench_check.py --imports [--top 30] [--runs 11] [--before DIR]

Timing mode (the default). Two small model repos are made in a temporary folder from
``examples/open-model``: the card with its weights, and the same with a LICENSE beside it (the
Apache-2.0 text from ``../shared/corpus/licenses`` or the installed ``licensedcode-data``, so
license identification runs; skipped when neither is there). In each, fresh processes run,
interleaved round-robin so the shared machine's noise hits every command alike (one warm-up
round first, so bytecode caches exist as on a user's machine):

- ``python -c pass``: the interpreter's floor;
- ``python -c 'import yaml ...'``: the interpreter, ``import yaml`` and a libyaml (CSafeLoader)
  parse of the card's front matter, the least any card linter in Python does;
- ``owcheck README.md --format json`` (the console script, as the pre-commit hook runs it), in
  both repos;
- ``reuse lint`` in the repo without LICENSE (the peer a model author already runs in
  pre-commit; it exits 1 there, which does not matter: its time is what counts);
- with ``--before DIR``, the owcheck of another checkout (``git archive main | tar -x -C DIR``)
  on both repos, for a before/after in one run.

Prints per command the median wall time, the interquartile range, min and max, and the median
CPU time (user + system of the child), then owcheck's ratio to ``reuse lint``. Targets: median
wall <= 100 ms and <= 0.35x ``reuse lint``; the exit code is 1 when one is missed.

Import mode (``--imports``): runs the console script under ``python -X importtime`` on the repo
with the LICENSE ``--runs`` times and prints the modules with the largest median cumulative
import time, then the total (the median over runs of the sum of every module's own time) and the
number of modules; with ``--before DIR`` both checkouts side by side.

Figures on the 2-core shared machine, one run of 31 interleaved rounds, main before issue 12's
start-up work (129b681, ``--before``) and after it (median wall / CPU, ms):

    python -c pass                               9.4 /   9.0
    python + import yaml + CSafeLoader parse    24.7 /  24.1
    owcheck [card], before                     108.8 / 108.4    0.53x reuse lint
    owcheck [card + LICENSE], before           130.3 / 129.8    0.63x
    owcheck [card], after                       57.4 /  57.0    0.28x
    owcheck [card + LICENSE], after             65.5 /  65.0    0.32x
    reuse lint [card]                          206.3 / 214.1

    --imports (11 runs): sum of own import times 68.1 ms over 166 modules before, 28.0 ms over
    128 after; openweights.rules 27.5 -> 5.1 ms cumulative, openweights.card 10.8 -> 1.3.

Where the time went, step by step (each measured beside the step before it, in one run):

- records (``openweights/records.py``) instead of frozen dataclasses: no six compiled methods
  per class, no ``dataclasses`` and ``inspect`` imports; ``__init__`` compiled only for a class
  that makes more than 16 instances: card 106 -> 80 ms, card + LICENSE 128 -> 95;
- the corpus-name alternation compiled only when a whole text is searched (4 ms);
- a LICENSE identified from compiled fingerprints (``licenses/fingerprints.bin``), normalisation
  passes skipped when they cannot match, the first text's hashes bisected instead of indexed:
  a LICENSE adds 8 ms instead of 15;
- front matter read without PyYAML (``openweights/frontmatter.py``; 174 of the 175 corpus cards):
  card 68 -> 62 ms, and ``yaml`` no longer imported;
- the card reader's refused-character class compiled in 0.4 ms instead of 3; ``patterns.lazy``
  a plain closure;
- the license catalogue makes an entry when asked for it (2 of 129 in a run), the corpus
  catalogue its patterns and word table when needed: 2-3 ms.

What remains of a card run (~55 ms): the interpreter 9; imports 28 (the standard library's
typing, enum, pathlib with urllib.parse and ipaddress, json, re about 10; our 50 modules the
rest); compiling the ~70 patterns a card calls for 5; the three catalogues 4 (the license
index's JSON alone 2); the checks themselves about 5. A LICENSE adds its identification: the
module 1.5, the fingerprints 1, normalising 2.5, the comparison 2.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "open-model"
CORPUS_APACHE = ROOT.parent / "shared" / "corpus" / "licenses" / "apache-2.0.txt"
TARGET_MS = 100.0
TARGET_RATIO = 0.35

# The floor with yaml: read the card, cut out its front matter, parse it with libyaml.
YAML_FLOOR = (
    "import yaml\n"
    "text = open('README.md', encoding='utf-8').read()\n"
    "yaml.load(text.split('---', 2)[1], Loader=yaml.CSafeLoader)\n"
)


@dataclass
class Command:
    """One command of the round-robin and its samples."""

    label: str
    """What the table calls it."""
    argv: list[str]
    """The command line."""
    cwd: Path
    """The repo it runs in."""
    env: dict[str, str]
    """Its environment."""
    wall: list[float] = field(default_factory=list)
    """Wall milliseconds, one per round."""
    cpu: list[float] = field(default_factory=list)
    """User + system milliseconds of the child, one per round."""

    def run(self) -> tuple[float, float]:
        """One fresh run: (wall ms, CPU ms)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(self.argv, cwd=self.cwd, env=self.env, capture_output=True, check=False)
        wall = (time.perf_counter() - start) * 1000
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000
        return wall, cpu


def license_text() -> str | None:
    """An Apache-2.0 text for the LICENSE repo (never stored in this repository)."""
    if CORPUS_APACHE.is_file():
        return CORPUS_APACHE.read_text(encoding="utf-8")
    spec = importlib.util.find_spec("licensedcode")  # licensedcode-data (the test extra)
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / "data" / "licenses" / "apache-2.0.LICENSE"
        if path.is_file():  # a YAML header, then the text
            return path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    return None


def make_repos(where: Path) -> dict[str, Path]:
    """``card``: a copy of examples/open-model; ``card + LICENSE``: the same with a LICENSE."""
    repos = {"card": where / "open-model"}
    shutil.copytree(EXAMPLE, repos["card"])
    text = license_text()
    if text is not None:
        repos["card + LICENSE"] = where / "open-model-licensed"
        shutil.copytree(EXAMPLE, repos["card + LICENSE"])
        (repos["card + LICENSE"] / "LICENSE").write_text(text, encoding="utf-8")
    return repos


def owcheck_argv() -> list[str]:
    """The console script as a user (and the pre-commit hook) runs it."""
    script = Path(sys.executable).with_name("owcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "openweights"]


def environment(before: Path | None = None) -> dict[str, str]:
    """The inherited environment; ``before`` first on the path (its owcheck is imported)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONPROFILEIMPORTTIME")}
    if before is not None:
        env["PYTHONPATH"] = str(before)
    return env


def commands(repos: dict[str, Path], before: Path | None) -> list[Command]:
    """Everything the round-robin runs."""
    env = environment()
    card = repos["card"]
    out = [
        Command("python -c pass", [sys.executable, "-c", "pass"], card, env),
        Command("python + import yaml + CSafeLoader parse", [sys.executable, "-c", YAML_FLOOR],
                card, env),
    ]
    checkouts = [("", env)] + ([(" (before)", environment(before))] if before else [])
    for suffix, checkout_env in checkouts:
        for name, repo in repos.items():
            out.append(Command(f"owcheck README.md --format json [{name}]{suffix}",
                               [*owcheck_argv(), "README.md", "--format", "json"], repo,
                               checkout_env))
    reuse = shutil.which("reuse") or str(Path(sys.executable).with_name("reuse"))
    if Path(reuse).exists():
        out.append(Command("reuse lint [card]", [reuse, "lint"], card, env))
    return out


def quartiles(values: list[float]) -> tuple[float, float]:
    """First and third quartile."""
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def timing(runs: int, before: Path | None) -> int:
    """The timing table; 1 when a target is missed."""
    with tempfile.TemporaryDirectory() as tmp:
        repos = make_repos(Path(tmp))
        if "card + LICENSE" not in repos:
            print("(no Apache-2.0 text found: the repo with a LICENSE is skipped)")
        todo = commands(repos, before)
        for round_ in range(runs + 1):
            # Rotate the order each round, so no command always follows the same one.
            shift = round_ % len(todo)
            for command in todo[shift:] + todo[:shift]:
                wall, cpu = command.run()
                if round_:  # round 0 warms the caches
                    command.wall.append(wall)
                    command.cpu.append(cpu)
    print(f"{'command':<58} {'median':>7} {'IQR':>13} {'min':>6} {'max':>6} {'CPU':>6}  (ms)")
    for c in todo:
        q1, q3 = quartiles(c.wall)
        print(f"{c.label:<58} {statistics.median(c.wall):7.1f} {q1:6.1f}-{q3:<6.1f} "
              f"{min(c.wall):6.1f} {max(c.wall):6.1f} {statistics.median(c.cpu):6.1f}")
    reuse = next((c for c in todo if c.label.startswith("reuse")), None)
    missed = []
    for c in todo:
        if not c.label.startswith("owcheck") or c.label.endswith("(before)"):
            continue
        median = statistics.median(c.wall)
        line = f"{c.label}: {median:.1f} ms (target <= {TARGET_MS:.0f})"
        if median > TARGET_MS:
            missed.append(line)
        if reuse is not None:
            ratio = median / statistics.median(reuse.wall)
            print(f"{c.label}: {ratio:.2f}x reuse lint (target <= {TARGET_RATIO}x)")
            if ratio > TARGET_RATIO:
                missed.append(f"{c.label}: {ratio:.2f}x reuse lint")
    if reuse is None:
        print("(reuse is not installed: no peer ratio; pip install -e '.[test]')")
    for line in missed:
        print(f"TARGET MISSED: {line}")
    if not missed:
        print(f"targets met: median <= {TARGET_MS:.0f} ms and <= {TARGET_RATIO}x reuse lint")
    return 1 if missed else 0


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


@dataclass
class ImportProfile:
    """Per module, the import times (µs) of several runs."""

    own: dict[str, list[int]] = field(default_factory=dict)
    """The module's own time, per run."""
    cumulative: dict[str, list[int]] = field(default_factory=dict)
    """The module's time with what it imported, per run."""
    totals: list[int] = field(default_factory=list)
    """Sum of every module's own time, per run."""
    counts: list[int] = field(default_factory=list)
    """Modules imported, per run."""

    def add(self, stderr: str) -> None:
        """One run's ``-X importtime`` output."""
        total = count = 0
        for line in stderr.splitlines():
            m = _IMPORT_LINE.match(line)
            if not m:
                continue
            own, cumulative, name = int(m[1]), int(m[2]), m[4]
            self.own.setdefault(name, []).append(own)
            self.cumulative.setdefault(name, []).append(cumulative)
            total += own
            count += 1
        self.totals.append(total)
        self.counts.append(count)

    def median_cumulative(self, name: str) -> float:
        """Median cumulative µs (0 where a run did not import it)."""
        values = self.cumulative.get(name, [])
        return statistics.median(values + [0] * (len(self.totals) - len(values)))


def importtime_run(repo: Path, env: dict[str, str], profile: ImportProfile | None) -> None:
    """One fresh run of the console script under ``-X importtime``, added to ``profile``."""
    script = owcheck_argv()
    argv = [sys.executable, "-X", "importtime",
            *(script[1:] if script[0] == sys.executable else script),
            "README.md", "--format", "json"]
    done = subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True, check=False)
    if profile is not None:
        profile.add(done.stderr)


def imports(runs: int, top: int, before: Path | None) -> int:
    """The import profile table (both checkouts, interleaved, with ``before``)."""
    with tempfile.TemporaryDirectory() as tmp:
        repos = make_repos(Path(tmp))
        repo = repos.get("card + LICENSE", repos["card"])
        envs = {"now": environment()}
        if before is not None:
            envs["before"] = environment(before)
        profiles = {key: ImportProfile() for key in envs}
        for key in envs:
            importtime_run(repo, envs[key], None)  # warm the bytecode caches
        for _ in range(runs):
            for key, profile in profiles.items():
                importtime_run(repo, envs[key], profile)
    # The ranking is by the first column; a module only ``before`` imports shows there too.
    main_profile = profiles.get("before", profiles["now"])
    names = sorted(set().union(*(p.cumulative for p in profiles.values())),
                   key=lambda n: -main_profile.median_cumulative(n))
    columns = list(profiles)[::-1]
    print(f"median import times over {runs} runs of owcheck on {repo.name}/README.md (ms)")
    print(f"{'module':<50}" + "".join(f"{k + ' cumul.':>16}" for k in columns))
    for name in names[:top]:
        print(f"{name:<50}" + "".join(
            f"{profiles[k].median_cumulative(name) / 1000:16.1f}" for k in columns))
    print(f"{'total (sum of own times)':<50}" + "".join(
        f"{statistics.median(profiles[k].totals) / 1000:16.1f}" for k in columns))
    print(f"{'modules imported':<50}" + "".join(
        f"{statistics.median(profiles[k].counts):16.0f}" for k in columns))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=None,
                        help="rounds (default 21; 11 with --imports)")
    parser.add_argument("--imports", action="store_true", help="print the import profile")
    parser.add_argument("--top", type=int, default=30, help="modules the profile lists")
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout of owcheck to run beside this one")
    args = parser.parse_args(argv)
    before = args.before.resolve() if args.before else None
    if args.imports:
        return imports(args.runs or 11, args.top, before)
    return timing(args.runs or 21, before)


if __name__ == "__main__":
    raise SystemExit(main())
