"""Release-ready: one version everywhere the release tag is written, an Action that installs
its own checkout, and licensing that REUSE accepts (``reuse lint``)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from openweights import __version__
from tests.support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_pins_the_tag_this_version_will_be_released_as() -> None:
    tag = f"v{__version__}"
    pins = re.findall(r"rev: (v[\w.]+)", README) + re.findall(r"owcheck/owcheck@(v[\w.]+)", README)
    assert len(pins) >= 3 and set(pins) == {tag}, pins


def test_the_package_version_is_written_once() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert '[tool.hatch.version]\npath = "openweights/__init__.py"' in pyproject
    assert not re.search(r'^version = "', pyproject, re.M)


def test_the_action_installs_its_own_checkout() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert "version" not in action["inputs"]
    install = next(s for s in action["runs"]["steps"] if s["id"] == "install")
    assert install["env"] == {"OWCHECK_SOURCE": "${{ github.action_path }}"}
    assert '"$OWCHECK_SOURCE"' in install["run"] and "owcheck==" not in install["run"]


def test_the_project_dedication_is_ours_and_never_passes_for_the_legal_code() -> None:
    from openweights.licensing.identify import identify

    for path in (ROOT / "CC0.txt", ROOT / "LICENSES" / "CC0-1.0.txt"):
        text = path.read_text(encoding="utf-8")
        assert "creativecommons.org/publicdomain/zero/1.0/legalcode" in text
        result = identify(text)
        # Our words name CC0 but are not its text: never a match, and CC0 is what they name.
        assert result.status != "match", result.describe()
        assert "cc0-1.0" in result.describe(), result.describe()


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout (REUSE lists "
                    "files through git)")
def test_reuse_lint_passes() -> None:
    done = subprocess.run([sys.executable, "-m", "reuse", "--root", str(ROOT), "lint"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
