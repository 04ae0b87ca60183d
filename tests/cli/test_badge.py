"""``owcheck badge``: a shields.io endpoint document and an SVG with the grade."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from openweights import records
from openweights.check import check_bundle
from openweights.formats.badge import COLORS, render_svg, text_width
from openweights.sources.local import LocalSource
from tests.support import FIXTURES, run_owcheck

REPOS = FIXTURES / "repos"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("repo", "grade", "tier"),
    [
        ("tier-a", "A", "fully-open"),
        ("tier-b", "B", "open-source-ai"),
        ("tier-c", "C", "open-weights"),
        ("tier-d", "D", "restricted-weights"),
        ("tier-f", "F", "not-open"),
    ],
)
def test_endpoint_json_carries_grade_tier_and_colour(repo: str, grade: str, tier: str) -> None:
    done = run_owcheck("badge", str(REPOS / repo))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data == {
        "schemaVersion": 1,
        "label": "openness",
        "message": f"{grade} · {tier}",
        "color": COLORS[grade],
    }


def test_colours_get_worse_with_the_grade() -> None:
    assert [COLORS[g] for g in "ABCDF"] == ["brightgreen", "green", "yellowgreen", "orange", "red"]


def test_svg_is_well_formed_and_sized_to_its_text(tmp_path: Path) -> None:
    out = tmp_path / "badge.svg"
    done = run_owcheck("badge", str(REPOS / "tier-d"), "-f", "svg", "-o", str(out))
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    assert root.tag == f"{SVG}svg"
    width = int(root.attrib["width"])
    rects = [r for r in root.iter(f"{SVG}rect") if "x" in r.attrib or r.get("fill") == "#555"]
    assert sum(int(r.attrib["width"]) for r in rects) == width
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["openness", "openness", "D · restricted-weights", "D · restricted-weights"]
    assert root.attrib["aria-label"] == "openness: D · restricted-weights"
    assert width >= text_width("openness") + text_width("D · restricted-weights") + 20


def test_svg_escapes_the_label() -> None:
    report = check_bundle(LocalSource().fetch(str(REPOS / "tier-a")))
    svg = render_svg(report, label='a<b>&"c"')
    root = ET.fromstring(svg)
    assert root.attrib["aria-label"] == 'a<b>&"c": A · fully-open'
    other = records.replace(report)
    assert render_svg(other) == render_svg(report)  # deterministic


def test_badge_respects_the_config_thresholds(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    for f in (REPOS / "tier-d").iterdir():
        (repo / f.name).write_bytes(f.read_bytes())
    (repo / "owcheck.toml").write_text("[thresholds]\nmau = 1_000_000_000\n")
    data = json.loads(run_owcheck("badge", str(repo)).stdout)
    assert data["message"].startswith("F ")


def test_badge_errors_are_exit_2(tmp_path: Path) -> None:
    done = run_owcheck("badge", str(tmp_path / "missing"))
    assert done.returncode == 2 and done.stderr.startswith("owcheck: error:")
    done = run_owcheck("badge", str(REPOS / "tier-a"), "-f", "png")
    assert done.returncode == 2
