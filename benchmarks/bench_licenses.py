"""Time the license catalogue and license identification, side by side with the floor.

    python benchmarks/bench_licenses.py

Prints, in one run so that the shared machine's noise hits all alike:

- warm: the median time to identify a 10 KB text, next to the floor (lowercasing the text and
  splitting it into words, the least any word-level identifier does), for a license padded
  with notes, a license with a changed word, a text with two licenses, a license under its
  standard notice, a policy whose lists were run into lines (numbers kept mid-sentence) and
  generated words;
- cold: the median wall time of ``owcheck identify FILE`` in a fresh process, next to
  ``python -c pass`` (the interpreter's floor) and the import of the identify module, the
  runs interleaved;
- the cold catalogue and fingerprint loads.

The texts come from the shared corpus when it is present, else only the generated words run.
Target: identification of a 10 KB text under 10 ms.
"""

from __future__ import annotations

import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "licenses"
SIZE = 10 * 1024
RUNS = 50
COLD_RUNS = 7

sys.path.insert(0, str(ROOT))
from openweights.licensing.identify import identify  # noqa: E402

_COLD = """
import sys, time
sys.path.insert(0, {root!r})
started = time.perf_counter()
from openweights.licensing import catalogue, identify
imported = time.perf_counter()
catalogue.load_catalogue()
loaded = time.perf_counter()
identify.load_fingerprints()
printed = time.perf_counter()
print(imported - started, loaded - imported, printed - loaded)
"""


def cold_loads() -> tuple[float, float, float]:
    """Median seconds, each in a fresh interpreter: import, ``load_catalogue()``, fingerprints."""
    samples: list[tuple[float, ...]] = []
    for _ in range(COLD_RUNS):
        done = subprocess.run(
            [sys.executable, "-c", _COLD.format(root=str(ROOT))],
            capture_output=True, text=True, check=True,
        )
        samples.append(tuple(float(x) for x in done.stdout.split()))
    first, second, third = (statistics.median(column) for column in zip(*samples, strict=True))
    return first, second, third


def to_size(text: str, filler_seed: int = 7) -> str:
    """``text`` cut to ``SIZE`` bytes, or padded with made-up notes after it."""
    data = text.encode("utf-8")
    if len(data) >= SIZE:
        return data[:SIZE].decode("utf-8", errors="ignore")
    rnd = random.Random(filler_seed)
    notes = ["model", "weights", "release", "notes", "checkpoint", "tokenizer", "eval", "data"]
    padding = "\n\nRelease notes:\n"
    while len(data) + len(padding.encode()) < SIZE:
        padding += " ".join(rnd.choice(notes) for _ in range(12)) + ".\n"
    return (text + padding).encode("utf-8")[:SIZE].decode("utf-8", errors="ignore")


def reflow(text: str) -> str:
    """Each paragraph's lines joined into one (lists run into sentences, numbers and all)."""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text))


def generated() -> str:
    """10 KB of pseudo-words (no corpus needed)."""
    rnd = random.Random(1)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < SIZE:
        words.append("".join(rnd.choice(letters) for _ in range(rnd.randint(2, 9))))
    return " ".join(words)[:SIZE]


def texts() -> list[tuple[str, str]]:
    """(label, 10 KB text) pairs to time."""
    found: list[tuple[str, str]] = []
    if CORPUS.is_dir():
        llama = (CORPUS / "llama3.1.txt").read_text(encoding="utf-8")
        mit = (CORPUS / "mit.txt").read_text(encoding="utf-8")
        nc = (CORPUS / "cc-by-nc-4.0.txt").read_text(encoding="utf-8")
        found.append(("llama3.1 padded with notes", to_size(llama)))
        found.append(("llama3.1, one figure changed", to_size(llama.replace("700", "7", 1))))
        found.append(("mit + cc-by-nc-4.0", to_size(mit + "\n\n" + nc)))
        apache = (CORPUS / "apache-2.0.txt").read_text(encoding="utf-8")
        terms, _, _ = apache.partition("END OF TERMS AND CONDITIONS")
        notice = apache[apache.find("Licensed under the Apache") :]
        # Whole (a little over 10 KB): the notice over the terms, as many LICENSE files are.
        found.append(("apache-2.0 notice + terms", notice + "\n\n" + terms))
        policy = (CORPUS / "llama3.1-aup.md").read_text(encoding="utf-8")
        found.append(("llama3.1 policy reflowed", to_size(reflow(policy))))
    found.append(("generated words", generated()))
    return found


_FLOOR_WORD = re.compile(r"\w+")


def floor(text: str) -> list[str]:
    """The least a word-level identifier does: lowercase the text and split it into words."""
    return _FLOOR_WORD.findall(text.lower())


def median_seconds(work: Callable[[], object]) -> float:
    """Median seconds of ``work()`` over ``RUNS`` runs (after one warm-up)."""
    work()
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def cold_commands(path: Path) -> dict[str, float]:
    """Median wall seconds of each command in a fresh process, runs interleaved."""
    commands = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "import identify module": [
            sys.executable, "-c", "import openweights.licensing.identify"
        ],
        "owcheck identify FILE": [
            sys.executable, "-c", "from openweights.cli import main; main()", "identify",
            str(path),
        ],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(COLD_RUNS):
        for name, argv in commands.items():
            started = time.perf_counter()
            subprocess.run(argv, capture_output=True, cwd=ROOT, check=False)
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    imported, catalogue, fingerprints = cold_loads()
    print(f"cold import of catalogue + identify modules: {imported * 1000:7.2f} ms")
    print(f"cold load_catalogue():                       {catalogue * 1000:7.2f} ms")
    print(f"cold load_fingerprints():                    {fingerprints * 1000:7.2f} ms")
    print(f"\nwarm, median of {RUNS}: identify vs the floor (lowercase + split into words)")
    for label, text in texts():
        seconds = median_seconds(partial(identify, text))
        base = median_seconds(partial(floor, text))
        result = identify(text).describe()
        size = len(text.encode("utf-8"))
        print(f"  {label:<30} {size} B: identify {seconds * 1000:6.2f} ms, floor "
              f"{base * 1000:5.2f} ms ({seconds / base:4.1f}x) -> {result}")
    sample = texts()[0][1]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "LICENSE"
        path.write_text(sample, encoding="utf-8")
        print(f"\ncold, median of {COLD_RUNS} fresh processes (interleaved)")
        for name, seconds in cold_commands(path).items():
            print(f"  {name:<28} {seconds * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
