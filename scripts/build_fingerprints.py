"""Build ``licenses/fingerprints.json`` from the reference license texts of the shared corpus.

    python scripts/build_fingerprints.py                 # rewrite the fingerprint file
    python scripts/build_fingerprints.py --check         # exit 1 if it is stale
    python scripts/build_fingerprints.py --corpus PATH   # texts elsewhere

The file holds, per reference text, its catalogue id, its part (``license`` or ``aup``), a count
and the sorted 32-bit hashes of its word shingles (``openweights.licensing.identify``), plus the
hashes that tell close relatives apart (weighted up when comparing). It never holds text.
When a license text also carries its acceptable use policy (Llama 3), the policy is cut off
into a fingerprint of its own (part ``aup``), so that the license alone, the policy alone and
the two together all match.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "licenses"
OUTPUT = ROOT / "licenses" / "fingerprints.json"

sys.path.insert(0, str(ROOT))
from openweights.licensing.identify import (  # noqa: E402
    FORMAT_VERSION,
    NORMALISER_VERSION,
    SHINGLE,
    Fingerprint,
    distinctive_hashes,
    encode_hashes,
    normalise,
    shingle_hashes,
)

CORPUS_IDS: dict[str, str] = {
    "apache-2.0.txt": "apache-2.0",
    "apple-amlr.txt": "apple-amlr",
    "apple-ascl.txt": "apple-ascl",
    "cc-by-4.0.txt": "cc-by-4.0",
    "cc-by-nc-4.0.txt": "cc-by-nc-4.0",
    "cc-by-sa-4.0.txt": "cc-by-sa-4.0",
    "cc0-1.0.txt": "cc0-1.0",
    "chameleon-research.txt": "chameleon-research",
    "creativeml-openrail++-m-sd2.txt": "openrail++",
    "openrail++.txt": "openrail++",
    "creativeml-openrail-m.txt": "creativeml-openrail-m",
    "deepseek-model-license.txt": "deepseek",
    "gemma-terms-of-use.txt": "gemma",
    "lfm-open-license-1.0.txt": "lfm1.0",
    "llama2.txt": "llama2",
    "llama2-aup.md": "llama2",
    "llama3.txt": "llama3",
    "llama3-aup.md": "llama3",
    "llama3.1.txt": "llama3.1",
    "llama3.1-aup.md": "llama3.1",
    "llama3.2.txt": "llama3.2",
    "llama3.2-aup.md": "llama3.2",
    "llama3.3.txt": "llama3.3",
    "llama3.3-aup.md": "llama3.3",
    "llama4.txt": "llama4",
    "llama4-aup.md": "llama4",
    "mit.txt": "mit",
    "mit-deepseek.txt": "mit",
    "odbl-1.0.txt": "odbl",
    "qwen-research.txt": "qwen-research",
    "stability-ai-community.txt": "stabilityai-community",
    "stability-noncommercial-research-community.txt": "stabilityai-nc-research-community",
    "stability-sdxl-0.9-research.txt": "stabilityai-sdxl-0.9-research",
    "stability-svd-noncommercial-community.txt": "stabilityai-svd-nc-community",
    "tongyi-qianwen-research.txt": "tongyi-qianwen-research",
    "tongyi-qianwen.txt": "tongyi-qianwen",
}
"""Corpus file name -> catalogue id. Several files may share an id (variants of one license)."""

EMBEDDED_PART = 0.5
"""A license text holds its policy when this share of the policy's shingles occurs in it."""


def part_of(name: str) -> str:
    """``aup`` for an acceptable use policy file (``*-aup.md``), else ``license``."""
    return "aup" if Path(name).stem.endswith("-aup") else "license"


def corpus_files(corpus: Path) -> tuple[list[Path], list[str]]:
    """The mapped reference texts, and a problem for every file the table does not know."""
    files = sorted(p for p in corpus.iterdir() if p.is_file() and not p.name.startswith("."))
    unknown = [f"{p.name}: not in CORPUS_IDS (add its catalogue id)" for p in files
               if p.name not in CORPUS_IDS]
    return [p for p in files if p.name in CORPUS_IDS], unknown


def policy_start(shingles: list[int], policy: set[int]) -> int | None:
    """Where an embedded policy begins in a license text's shingles, or None if it has none.

    The policy is the suffix where shingles of the policy file outnumber the others most (a
    maximum suffix sum, +1 per hit and -1 per miss), so an older wording of the policy with a
    few changed words still counts as one block.
    """
    if len(policy.intersection(shingles)) < EMBEDDED_PART * len(policy):
        return None
    best, best_at, running = 0, None, 0
    for i in range(len(shingles) - 1, -1, -1):
        running += 1 if shingles[i] in policy else -1
        if running > best:
            best, best_at = running, i
    return best_at


def build(corpus: Path) -> tuple[dict[str, Any], list[str]]:
    """The fingerprint document for the texts in ``corpus``, and any problems found."""
    files, problems = corpus_files(corpus)
    found = {p.name for p in files}
    problems += [f"{name}: listed in CORPUS_IDS but missing" for name in CORPUS_IDS
                 if name not in found]
    words = {p.name: normalise(p.read_text(encoding="utf-8")) for p in files}
    policies = {CORPUS_IDS[name]: set(shingle_hashes(w)) for name, w in words.items()
                if part_of(name) == "aup"}
    # (id, part, file name, hashes); a license text carrying its policy becomes two entries.
    sets: list[tuple[str, str, str, set[int]]] = []
    for name, text in words.items():
        license_id, part = CORPUS_IDS[name], part_of(name)
        shingles = shingle_hashes(text)
        if not shingles:
            problems.append(f"{name}: no words after normalisation")
            continue
        policy = policies.get(license_id) if part == "license" else None
        at = policy_start(shingles, policy) if policy else None
        if at:
            sets.append((license_id, "aup", name, set(shingle_hashes(text[at:]))))
            shingles = shingle_hashes(text[:at])
        sets.append((license_id, part, name, set(shingles)))
    ordered = sorted(sets, key=lambda s: (s[0], s[1], s[2]))
    records = [
        {"id": license_id, "part": part, "count": len(hashes), "hashes": encode_hashes(hashes)}
        for license_id, part, _, hashes in ordered
    ]
    prints = [Fingerprint(i, p, frozenset(h)) for i, p, _, h in ordered]
    distinctive = distinctive_hashes(prints)
    document = {
        "format": FORMAT_VERSION,
        "normaliser": NORMALISER_VERSION,
        "shingle": SHINGLE,
        "hash": "crc32",
        "distinctive_count": len(distinctive),
        "distinctive": encode_hashes(distinctive),
        "fingerprints": records,
    }
    return document, problems


def render(document: dict[str, Any]) -> str:
    """The file's exact text: one fingerprint per line, so diffs stay readable."""
    head = {k: v for k, v in document.items() if k != "fingerprints"}
    lines = [json.dumps(r, sort_keys=True, separators=(",", ":")) for r in document["fingerprints"]]
    opening = json.dumps(head, sort_keys=True, separators=(",", ":"))[:-1]
    return opening + ',"fingerprints":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder of reference license texts (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    output: Path = args.output
    if not corpus.is_dir():
        print(f"corpus {corpus} is absent: fingerprints not checked", file=sys.stderr)
        return 0 if args.check else 1
    document, problems = build(corpus)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    text = render(document)
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            print(f"{output.name} is stale: run python scripts/build_fingerprints.py",
                  file=sys.stderr)
            return 1
        print(f"{output.name} is current ({len(document['fingerprints'])} fingerprints)")
        return 0
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output} with {len(document['fingerprints'])} fingerprints")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
