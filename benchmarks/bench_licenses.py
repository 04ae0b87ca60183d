"""Time the license catalogue and license identification.

    python benchmarks/bench_licenses.py

Prints the cold catalogue load (``load_catalogue()`` in a fresh interpreter), the cold
fingerprint load, and the median time to identify a 10 KB text over 50 runs. The texts come
from the shared corpus when it is present (a license padded with notes to 10 KB, and one
trimmed to 10 KB), else from generated words. Target: identification under 5 ms.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "licenses"
SIZE = 10 * 1024
RUNS = 50
COLD_RUNS = 5

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
        apache = (CORPUS / "apache-2.0.txt").read_text(encoding="utf-8")
        found.append(("llama3.1.txt padded with notes", to_size(llama)))
        found.append(("apache-2.0.txt trimmed", to_size(apache)))
    found.append(("generated words", generated()))
    return found


def time_identify(text: str) -> float:
    """Median seconds of ``identify(text)`` over ``RUNS`` runs (after one warm-up)."""
    identify(text)
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        identify(text)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    imported, catalogue, fingerprints = cold_loads()
    print(f"cold import of catalogue + identify modules: {imported * 1000:7.2f} ms")
    print(f"cold load_catalogue():                       {catalogue * 1000:7.2f} ms")
    print(f"cold load_fingerprints():                    {fingerprints * 1000:7.2f} ms")
    for label, text in texts():
        seconds = time_identify(text)
        result = identify(text).describe()
        size = len(text.encode("utf-8"))
        print(f"identify {size} B ({label}): median {seconds * 1000:.2f} ms of {RUNS} -> {result}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
