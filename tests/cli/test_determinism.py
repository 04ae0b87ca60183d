"""The same input gives the same bytes, in every format, whatever the hash seed, working
directory or locale.

owcheck runs in subprocesses under three environments that differ in ``PYTHONHASHSEED``, the
working directory and the locale (a Latin-1 stream stands in for a non-UTF-8 locale, which this
machine may not have installed), on cards built to tempt every kind of order dependence: a
``!!set`` of licenses, several base models on one line, duplicate datasets, mappings with
non-string keys, suppressions, an ``openness:`` block with wrong types.

The working directories never contain the target: the formats a person reads at a terminal
show a file inside the working directory relative to it, on purpose
(``openweights/formats/locations.py``), so there the same argument may name the same file in
two ways.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from openweights.formats import FORMATS
from tests.support import FIXTURES, ROOT, run_owcheck

HAZARD_CARD = """\
---
license: !!set {mit, apache-2.0, cc-by-4.0, bsd-3-clause, llama3.1}
license_name: [a, b]
base_model: [org/b-model, org/a-model, org/b-model]
datasets: [zeta/data, alpha/data, zeta/data, 7]
tags: !!set {vision, text, audio, multimodal}
1: one
true: yes
2024-05-01: a date as a key
openness:
  code:
    - url: https://github.com/example-org/train
      covers: [training, 9, evaluation]
      license: mit
    - url: 5
  data:
    released: partial
    sources: [{id: alpha/data, size: 10%, license: cc0-1.0, shared: maybe}, 3]
---
# Hazard model

Fine-tuned from org/b-model and based on org/a-model, merged from Zeta-7B and Alpha-7B.
It is open source software. Ünïcödé ✔ text, 中文, and an emoji 🙂.

<!-- owcheck: ignore OW301 -- internal -->
<!-- owcheck: ignore OW999 -->

## Training data

[More Information Needed]
See https://huggingface.co/datasets/zeta/data and https://huggingface.co/datasets/alpha/data.
Trained on 2T tokens; code at https://github.com/example-org/train (training, evaluation).

## License

The weights are under the Apache 2.0 license; the code under the MIT license.
"""

ENVIRONMENTS = [
    ({"PYTHONHASHSEED": "0", "LC_ALL": "C"}, "schemas"),
    ({"PYTHONHASHSEED": "1", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}, "tmp"),
    ({"PYTHONHASHSEED": "4242", "LC_ALL": "POSIX", "PYTHONIOENCODING": "latin-1"}, "home"),
]


@pytest.fixture(scope="module")
def hazard_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("hazard") / "hazard-model"
    repo.mkdir()
    (repo / "README.md").write_text(HAZARD_CARD, encoding="utf-8")
    (repo / "LICENSE").write_text("These terms are our own and name no known license.\n")
    (repo / "model.safetensors").write_bytes(b"\x00" * 16)
    return repo


def _outputs(args: list[str], tmp: Path) -> list[tuple[int, str, str]]:
    def one(env_cwd: tuple[dict[str, str], str]) -> tuple[int, str, str]:
        env, where = env_cwd
        home = tmp / "home"
        home.mkdir(exist_ok=True)
        cwd = {"schemas": ROOT / "schemas", "tmp": tmp, "home": home}[where]
        done = run_owcheck(*args, cwd=cwd, env=env)
        return done.returncode, done.stdout, done.stderr

    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(one, ENVIRONMENTS))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("target", ["hazard", "example"])
def test_every_format_is_byte_identical_across_environments(
    fmt: str, target: str, hazard_repo: Path, tmp_path: Path
) -> None:
    path = hazard_repo if target == "hazard" else ROOT / "examples" / "open-model"
    results = _outputs([str(path), "--format", fmt], tmp_path)
    code, stdout, stderr = results[0]
    assert code in (0, 1), stderr
    assert stdout and not stderr
    for other in results[1:]:
        assert other == results[0]


def test_batch_jsonl_is_byte_identical_across_environments(
    hazard_repo: Path, tmp_path: Path
) -> None:
    targets = [hazard_repo, ROOT / "examples" / "open-model",
               *sorted(p for p in (FIXTURES / "repos").iterdir() if p.is_dir())]
    ids = tmp_path / "ids.txt"
    ids.write_text("".join(f"{t}\n" for t in targets), encoding="utf-8")
    results = _outputs(["batch", str(ids)], tmp_path)
    assert results[0][1].count("\n") == len(targets)
    for other in results[1:]:
        assert other == results[0]
