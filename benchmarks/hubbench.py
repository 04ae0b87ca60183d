"""Shared parts of the Hub benchmarks: the loopback Hub with latency, the ideal, subprocess runs.

The *latency-bound ideal* of a model is the time a fully parallel client needs when every request
costs one round trip and nothing else costs anything: the info calls of each lineage level are one
round trip (all repos of a level at once), the files of a level go out together with the info calls
of the next level, so a model needs ``levels + 1`` round trips (one fewer when the deepest level
has no file to read). Levels: the subject; its base models and datasets; their base models; ...
up to the source's depth limit of 5.

``--code DIR`` runs the owcheck found in DIR (e.g. an export of an older commit) instead of this
checkout, against the same loopback Hub and the same harness, so before/after figures are taken in
the same conditions.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openweights.repoids import base_model_ids, dataset_ids  # noqa: E402
from tests.hub.server import FixtureRepo, LoopbackHub, make_revision  # noqa: E402

LATENCY = 0.050
"""Seconds per request at the loopback Hub (the shape of a real one)."""
MAX_DEPTH = 5
_FRONT_MATTER = re.compile(r"^---\r?\n(.*?)\r?\n---", re.S)


def card_meta(repo: FixtureRepo) -> dict[str, Any]:
    """Front matter of a fixture repo's README at main."""
    readme = repo.revisions["main"].files.get("README.md", b"").decode("utf-8", "replace")
    match = _FRONT_MATTER.match(readme)
    data = yaml.safe_load(match.group(1)) if match else None
    return data if isinstance(data, dict) else {}


def ideal_round_trips(hub: LoopbackHub, target: str) -> int:
    """Round trips a fully parallel client needs for ``target`` (see the module docstring)."""
    level: list[tuple[str, str]] = [("models", target)]
    seen = set(level)
    trips = 0
    depth = 0
    while level:
        nxt: list[tuple[str, str]] = []
        has_files = False
        for kind, rid in level:
            repo = hub.repos.get((kind, rid))
            if repo is None or repo.private:
                continue
            has_files = has_files or bool(repo.revisions["main"].files)
            meta = card_meta(repo)
            if kind == "models" and depth < MAX_DEPTH:
                nxt += [("models", b) for b in base_model_ids(meta)[0]]
            if depth == 0:
                nxt += [("datasets", d) for d in dataset_ids(meta)[0]]
        trips = max(trips, depth + 1 + (1 if has_files else 0))
        level = [k for k in dict.fromkeys(nxt) if k not in seen]
        seen.update(level)
        depth += 1
    return trips


def lineage_repos() -> dict[tuple[str, str], FixtureRepo]:
    """Benchmark-only repos: a GGUF four levels above its root, a model naming 19 datasets, and
    a plain model to warm a process up with."""
    repos: dict[tuple[str, str], FixtureRepo] = {}

    def add(kind: str, rid: str, meta: str, extra: dict[str, bytes] | None = None) -> None:
        files = {"README.md": f"---\n{meta}\n---\n# {rid}\nGenerated for benchmarks.\n".encode(),
                 "LICENSE": b"Generated license text: permission is granted.\n", **(extra or {})}
        repos[(kind, rid)] = FixtureRepo(kind, rid, {"main": make_revision(kind, rid, "main",
                                                                           files)})

    add("models", "benchwarm/warm-up", "license: apache-2.0")  # shares nothing with the cases
    add("models", "benchdeep/root", "license: apache-2.0")
    add("models", "benchdeep/ft", "license: apache-2.0\nbase_model: benchdeep/root")
    add("models", "benchdeep/merge", "license: apache-2.0\nbase_model: [benchdeep/ft, "
        "benchdeep/root]\nbase_model_relation: merge")
    add("models", "benchdeep/instruct", "license: apache-2.0\nbase_model: benchdeep/merge")
    add("models", "benchdeep/q4-gguf", "license: apache-2.0\nlibrary_name: gguf\n"
        "base_model: benchdeep/instruct\nbase_model_relation: quantized",
        {"model-q4.gguf": b"GGUF"})
    names = [f"benchdata/set-{i}" for i in range(19)]
    for name in names:
        add("datasets", name, "license: cc-by-4.0")
    add("models", "benchdata/trained-on-19", "license: apache-2.0\ndatasets:\n"
        + "\n".join(f"  - {n}" for n in names))
    return repos


def code_dir(code: Path | None) -> Path:
    """Where to run owcheck from: ``python -m``/``-c`` put the working directory first on the
    path, so the directory of the code under test must be the working directory."""
    return code if code is not None else ROOT


def env_for(hub: LoopbackHub, home: Path, code: Path | None) -> dict[str, str]:
    """The loopback Hub's environment, running the owcheck in ``code`` when given."""
    env = hub.env(home)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), env.get("PYTHONPATH", "")])
    env["NO_COLOR"] = "1"
    return env


@dataclass(frozen=True)
class ProcessRun:
    """One subprocess: wall time, CPU time (the whole tree), exit status, output."""

    wall: float
    cpu: float
    returncode: int
    stdout: str
    stderr: str


def run_process(argv: list[str], env: dict[str, str], cwd: Path) -> ProcessRun:
    """Run ``argv``; CPU time includes every descendant the process waited for."""
    import subprocess

    start = time.perf_counter()
    with subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        out, err = proc.communicate()
        wall = time.perf_counter() - start
    # Popen reaped the child; its rusage (with its waited-for children) is in RUSAGE_CHILDREN.
    return ProcessRun(wall, _children_cpu_delta(), proc.returncode, out, err)


_last_children_cpu = 0.0


def _children_cpu_delta() -> float:
    import resource

    global _last_children_cpu
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    delta, _last_children_cpu = total - _last_children_cpu, total
    return delta


def reset_cpu_clock() -> None:
    """Start counting children CPU from now."""
    _children_cpu_delta()


def dump(path: Path | None, data: Any) -> None:
    """Write figures as JSON when asked (for the notes and the report)."""
    if path is not None:
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
