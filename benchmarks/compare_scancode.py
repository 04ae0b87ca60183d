"""owcheck identify and ScanCode side by side on the generated license variants.

    python benchmarks/compare_scancode.py --scancode-python /path/to/venv/bin/python

ScanCode (``pip install scancode-toolkit`` in a virtual environment of its own: it is not a
dependency of owcheck, and its ``pluggy`` must be older than 1.1) is asked, for every variant
of ``tests/licensing/variants.py`` over ``../shared/corpus/licenses``, what licenses the text
holds; owcheck answers the same. Both are judged on exactness, the question a license checker
must not get wrong:

- a variant that must be ``modified`` is flagged by owcheck when its status is ``modified``
  (with the closest license right), and by ScanCode when any match is below a score of 100 or
  a match is of an unknown license; reporting only full-score known licenses on it is a
  confident wrong answer;
- a variant that must ``match`` is right for owcheck when it names exactly those licenses,
  and for ScanCode when every match scores 100 and none is unknown.

Prints the counts per variant kind and the time per text of each (ScanCode's index loaded
once, before the clock starts). Skips cleanly without the corpus or ScanCode.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "licenses"
sys.path.insert(0, str(ROOT))

_WORKER = r"""
import json, sys, time
from licensedcode.cache import get_index
index = get_index()
out = {}
spent = 0.0
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    started = time.perf_counter()
    matches = index.match(query_string=text)
    spent += time.perf_counter() - started
    out[path] = [(m.rule.license_expression, m.score()) for m in matches]
print(json.dumps({"results": out, "seconds": spent}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scancode-python", type=Path, required=True,
                        help="the python of a virtual environment with scancode-toolkit")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print("corpus absent: nothing to compare", file=sys.stderr)
        return 0
    import importlib.util

    from openweights.licensing.identify import identify, tokens
    from tests.licensing.variants import variants

    spec = importlib.util.spec_from_file_location(
        "build_fingerprints", ROOT / "scripts" / "build_fingerprints.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules["build_fingerprints"] = script
    spec.loader.exec_module(script)
    ids: dict[str, str] = script.CORPUS_IDS

    def has_title(text: str) -> bool:
        opening = text.lstrip().split("\n\n")[0]
        return bool(script.title_lines(text) > 0) or not tokens(opening).words

    texts = {name: (CORPUS / name).read_text(encoding="utf-8") for name in ids}
    made = list(variants(texts, ids, has_title))
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, v in enumerate(made):
            path = Path(folder) / f"{i:04d}.txt"
            path.write_text(v.text, encoding="utf-8")
            paths.append(str(path))
        done = subprocess.run([str(args.scancode_python), "-c", _WORKER, *paths],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"ScanCode failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            return 0
        scan = json.loads(done.stdout.strip().splitlines()[-1])
    ours_seconds = 0.0
    tally: Counter[tuple[str, str, str]] = Counter()
    for v, name in zip(made, paths, strict=True):
        started = time.perf_counter()
        result = identify(v.text)
        ours_seconds += time.perf_counter() - started
        matches = scan["results"][name]
        full = bool(matches) and all(
            score >= 100 and "unknown" not in expr for expr, score in matches
        )
        if v.expected == "modified":
            closest = result.closest.license_id if result.closest else result.named
            ours = ("right" if result.status == "modified" and closest == v.licenses[0]
                    else "confident wrong" if result.status == "match" else "missed")
            theirs = "confident wrong" if full else "right"
        else:
            ours = ("right" if result.status == "match"
                    and list(result.licenses) == list(v.licenses) else
                    "confident wrong" if result.status == "match" else "missed")
            wanted = len(v.licenses)
            theirs = "right" if full and len({e for e, _ in matches}) >= wanted else "missed"
        tally[(v.kind, "owcheck", ours)] += 1
        tally[(v.kind, "scancode", theirs)] += 1
    kinds = sorted({v.kind for v in made})
    print(f"{len(made)} variants; right / missed / confident wrong")
    print(f"{'kind':<28} {'owcheck':>16} {'scancode':>16}")
    for kind in [*kinds, "all"]:
        cells = []
        for tool in ("owcheck", "scancode"):
            counts = [
                sum(n for (k, t, o), n in tally.items()
                    if t == tool and o == outcome and kind in (k, "all"))
                for outcome in ("right", "missed", "confident wrong")
            ]
            cells.append("/".join(str(c) for c in counts))
        print(f"{kind:<28} {cells[0]:>16} {cells[1]:>16}")
    print(f"time per text: owcheck {ours_seconds / len(made) * 1000:.2f} ms, "
          f"ScanCode {scan['seconds'] / len(made) * 1000:.2f} ms (index loaded beforehand)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
