"""The table of format loaders: one per report format, each loading its own module's render."""

from __future__ import annotations

import subprocess
import sys

import pytest

from openweights.choices import Format
from openweights.formats import FORMATS, LOADERS, renderer
from tests.support import ROOT


def test_every_format_has_a_loader() -> None:
    assert set(LOADERS) == set(Format)
    assert Format.values() == FORMATS


@pytest.mark.parametrize("fmt", list(Format))
def test_each_loader_returns_its_modules_render(fmt: Format) -> None:
    render = renderer(fmt)
    assert (render.__module__, render.__name__) == (f"openweights.formats.{fmt.value}", "render")
    assert renderer(fmt.value) is render


def test_an_unknown_format_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        renderer("yaml")


def test_only_the_text_format_loads_rich() -> None:
    code = (
        "import sys\n"
        "from openweights.formats import renderer\n"
        "for name in ('json', 'jsonl', 'sarif', 'markdown', 'github'):\n"
        "    renderer(name)\n"
        "print('rich' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "False"
