"""Synthetic owcheck reports, valid against schemas/report.schema.json, for site tests and the
benchmark: many models at once, a seeded mix of grades, licenses, lineage and findings, and the
same list for the same arguments.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1.2"
"""The version the synthetic reports follow (tests check them against the bundled schema)."""
GRADES = {
    "A": "fully-open",
    "B": "open-source-ai",
    "C": "open-weights",
    "D": "restricted-weights",
    "F": "not-open",
}
WEIGHTS_LICENSES = {
    "A": [("apache-2.0", "Apache License 2.0"), ("mit", "MIT License")],
    "B": [("apache-2.0", "Apache License 2.0"), ("bsd-3-clause", "BSD 3-Clause")],
    "C": [("apache-2.0", "Apache License 2.0"), ("mit", "MIT License"),
          ("openrail", "OpenRAIL")],
    "D": [("llama3.1", "Llama 3.1 Community License"), ("gemma", "Gemma Terms of Use")],
    "F": [("cc-by-nc-4.0", "Creative Commons BY-NC 4.0"), (None, None)],
}
VERDICT = {"A": "open", "B": "open", "C": "open", "D": "restricted", "F": "not-open"}
ORGS = ["acme", "openlab", "basesco", "tuners", "quants", "mergers", "examplemeta", "northwind",
        "contoso", "fabrikam"]


def _component(available: str, lic: tuple[str | None, str | None], verdict: str,
               cells: list[str], claim: str, origin: str) -> dict[str, Any]:
    freedoms = dict(zip(("use", "study", "modify", "share"), cells, strict=True))
    return {
        "available": available,
        "license": {"id": lic[0], "name": lic[1], "verdict": verdict if lic[0] else "unknown",
                    "source": "metadata" if lic[0] else "none", "closest": None},
        "freedoms": freedoms,
        "reasons": {k: f"{lic[0] or 'no license'}: {v}" for k, v in freedoms.items()},
        "evidence": [{"claim": claim, "origin": origin}],
    }


def report(index: int, rng: random.Random, *, org: str | None = None,
           name: str | None = None) -> dict[str, Any]:
    """One synthetic report (hub source) for model number ``index``."""
    grade = rng.choice("AABCCCCCDDF")
    org = org or rng.choice(ORGS)
    name = name or f"model-{index:05d}-{rng.choice(['7b', '1b', 'instruct', 'base', 'gguf'])}"
    sid = f"{org}/{name}"
    lic = rng.choice(WEIGHTS_LICENSES[grade])
    verdict = VERDICT[grade] if lic[0] else "unknown"
    weights_cells = {"open": ["granted"] * 4, "restricted": ["limited", "granted", "granted",
                     "limited"], "not-open": ["denied", "granted", "denied", "limited"],
                     "unknown": ["unknown"] * 4}[verdict]
    code_cells = ["granted"] * 4 if grade in "AB" else ["unknown"] * 4
    data_cells = (["granted"] * 4 if grade == "A" else
                  ["absent", "limited", "limited", "absent"] if grade == "B" else ["unknown"] * 4)
    depth = rng.choice([0, 0, 0, 1, 1, 2])
    lineage = []
    child = sid
    for level in range(depth):
        base = f"{rng.choice(ORGS)}/base-{index % 97}-{level}"
        lineage.append({"id": base, "relation": rng.choice(["finetune", "adapter", "quantized"]),
                        "child": child, "found": True,
                        "license": {"id": lic[0], "verdict": verdict}})
        child = base
    findings = []
    if grade not in "AB":
        findings.append({
            "rule": "OW301", "name": "no-training-code", "severity": "warning",
            "message": "no link to the training code", "component": "code",
            "location": {"path": "README.md", "line": 1},
            "fix": "Link the training code.", "suppressed": None,
            "url": "https://github.com/owcheck/owcheck/blob/main/docs/rules.md#ow301",
        })
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "owcheck", "version": "0.1.0"},
        "subject": {"id": sid, "source": "hub", "revision": f"{rng.getrandbits(160):040x}"},
        "grade": grade,
        "tier": GRADES[grade],
        "reason": f"synthetic model {index}: grade {grade}",
        "components": {
            "weights": _component("released", lic, verdict, weights_cells,
                                  f"license: {lic[0]} (metadata)", "README.md:2"),
            "code": _component("released" if grade in "AB" else "unknown",
                               ("apache-2.0", "Apache License 2.0") if grade in "AB"
                               else (None, None), "open", code_cells,
                               "code: https://github.com/example-org/train (training)",
                               "README.md:9"),
            "data": _component("released" if grade == "A" else "not-released",
                               ("cc-by-4.0", "CC BY 4.0") if grade in "AB" else (None, None),
                               "open", data_cells, "section 'Training Data' (described)",
                               "README.md:20"),
        },
        "frameworks": {
            "osaid": "pass" if grade in "AB" else ("fail" if grade in "DF" else "unknown"),
            "mof": {"A": "class-i", "B": "class-ii"}.get(grade, "none"),
            "debian": "free" if grade == "A" else ("toxic-candy" if grade in "BC" else "non-free"),
            "fsf": "free" if grade == "A" else "nonfree",
            "open_weights_definition": "pass" if grade in "ABC" else "fail",
        },
        "lineage": lineage,
        "inferred_bases": [],
        "weight_files": [],
        "datasets": [{"id": "openlab/web-text", "found": True,
                      "license": {"id": "cc-by-4.0", "verdict": "open"}}] if grade == "A" else [],
        # Report 1.2's keys, always present; empty here, so the site shows no stage columns
        # unless a test adds stages (see tests/site/test_render.py).
        "stages": [],
        "code_repositories": [],
        "findings": findings,
        "unused_suppressions": [],
        "summary": {"error": 0, "warning": len(findings), "info": 0, "suppressed": 0},
    }


def reports(count: int, seed: int = 16) -> list[dict[str, Any]]:
    """``count`` synthetic reports, the same for the same ``seed``."""
    rng = random.Random(seed)
    return [report(i, rng) for i in range(count)]


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    """Write ``items`` one per line, as ``owcheck batch`` does."""
    with path.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path
