"""The built wheel carries schemas/ and licenses/ and finds them from site-packages."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from tests.support import ROOT


def test_wheel_ships_its_data_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    wheel = next(dist.glob("owcheck-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("openweights/_bundled/licenses/index.json",
                   "openweights/_bundled/licenses/fingerprints.json",
                   "openweights/_bundled/licenses/fingerprints.bin",
                   "openweights/_bundled/licenses/apache-2.0.yaml",
                   "openweights/_bundled/corpora/index.json",
                   "openweights/_bundled/corpora/the-pile.yaml",
                   "openweights/_bundled/schemas/corpus.schema.json",
                   "openweights/_bundled/schemas/report.schema.json",
                   "openweights/_bundled/schemas/model-card.schema.json",
                   "openweights/_bundled/schemas/license.schema.json",
                   "openweights/site/assets/site.css",
                   "openweights/site/assets/site.js"):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "examples/")) for n in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True, text=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    owcheck = env_dir / "bin" / "owcheck"
    listed = subprocess.run([str(owcheck), "licenses"], cwd=elsewhere,
                            capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert "llama3.1" in listed.stdout and "apache-2.0" in listed.stdout
    card = elsewhere / "README.md"
    card.write_text("---\nlicense: gemma\n---\n# A model\n", encoding="utf-8")
    graded = subprocess.run([str(owcheck), str(card), "--format", "json"], cwd=elsewhere,
                            capture_output=True, text=True)
    assert graded.returncode == 0, graded.stderr
    assert '"grade": "D"' in graded.stdout
    # The site's stylesheet and script come from the installed package.
    (elsewhere / "reports.jsonl").write_text(graded.stdout.replace("\n", "") + "\n")
    built = subprocess.run([str(owcheck), "site", "reports.jsonl", "-o", "out"], cwd=elsewhere,
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert (elsewhere / "out" / "site.js").read_bytes() == (
        ROOT / "openweights" / "site" / "assets" / "site.js").read_bytes()
    where = subprocess.run(
        [str(python), "-c", "import openweights.resources as r; print(r.bundled_path('licenses'))"],
        cwd=elsewhere, capture_output=True, text=True, check=True,
    ).stdout
    assert "site-packages" in where and "_bundled" in where
    corpora = subprocess.run(
        [str(python), "-c", "from openweights.catalogues.corpora import load_corpora as c; "
         "print(c().get('the-pile').availability)"],
        cwd=elsewhere, capture_output=True, text=True, check=True,
    ).stdout
    assert corpora.strip() == "withdrawn"
