"""The text scorecard and the catalogue views fit the width they are given: no line longer, no
grid row wrapped, no trailing spaces; the lineage is drawn as a tree."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from openweights.check import check_with
from openweights.config import Settings
from openweights.formats import catalogue as views
from openweights.formats.text import break_at, render
from openweights.licensing.catalogue import load_catalogue
from openweights.report import Report
from openweights.rules import all_rules
from openweights.sources.local import LocalSource
from tests.support import FIXTURES, ROOT, run_owcheck

REPOS = FIXTURES / "repos"
WIDTHS = (80, 100, 120)
SUBJECTS = sorted(p.name for p in REPOS.iterdir() if p.is_dir())


def _report(path: Path) -> Report:
    return check_with(LocalSource().fetch(str(path)), Settings())


def _fits(text: str, width: int) -> None:
    lines = text.splitlines()
    assert lines, "nothing rendered"
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, f"{len(too_long[0])} > {width}: {too_long[0]!r}"
    trailing = [line for line in lines if line != line.rstrip()]
    assert not trailing, f"trailing spaces: {trailing[0]!r}"


def _grid_rows(text: str) -> list[str]:
    """The grid's lines: from the header (`use ... share`) to the frameworks line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.search(r"\buse\b.*\bshare$", line))
    end = next(i for i, line in enumerate(lines) if line.startswith("frameworks"))
    return lines[start:end]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("repo", [*SUBJECTS, "examples/open-model"])
def test_scorecard_fits_the_width(repo: str, width: int) -> None:
    path = ROOT / repo if "/" in repo else REPOS / repo
    text = render(_report(path), color=False, width=width)
    _fits(text, width)
    rows = _grid_rows(text)
    # Each component's first grid line holds its name and all four marks: never wrapped.
    for name in ("weights", "code", "data"):
        first = next(line for line in rows if line.lstrip().startswith(name + " "))
        marks = re.findall(r"[✔~✘–?] (granted|limited|denied|absent|unknown)", first)
        assert len(marks) == 4, first


def test_the_freedom_columns_line_up_under_their_headers() -> None:
    text = render(_report(REPOS / "tier-d"), color=False, width=80)
    rows = _grid_rows(text)
    header = rows[0]
    starts = [header.index(f) for f in ("use", "study", "modify", "share")]
    weights = next(line for line in rows if line.startswith(" weights"))
    assert [weights[s] for s in starts] == ["~", "✔", "~", "~"]


def test_narrow_widths_stack_each_component() -> None:
    text = render(_report(REPOS / "tier-d"), color=False, width=50)
    _fits(text, 50)
    assert "  use     ~ limited: llama3.1 §1.b.iv" in text


def test_colour_adds_no_trailing_spaces() -> None:
    text = render(_report(REPOS / "tier-d"), color=True, width=80)
    assert "\x1b[" in text
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    _fits(plain, 80)


def test_long_values_wrap_inside_their_cell_without_being_cut() -> None:
    assert break_at("examplemeta/llama-style-8b:README.md:2", 13).split("\n") == [
        "examplemeta/", "llama-style-", "8b:README.md:", "2"]
    assert break_at("llama3.1 §1.b.iv: acceptable use policy", 14).split("\n") == [
        "llama3.1", "§1.b.iv:", "acceptable use", "policy"]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_command_line_uses_columns(width: int) -> None:
    done = run_owcheck(str(REPOS / "tier-d"), env={"COLUMNS": str(width)})
    assert done.returncode == 0, done.stderr
    _fits(done.stdout, width)
    # The findings are not cut at a fixed 100 columns: at 120 a message runs past it.
    longest = max(len(line) for line in done.stdout.splitlines())
    assert longest > (width - 20)


def test_the_width_defaults_to_80_when_unknown() -> None:
    done = run_owcheck(str(REPOS / "tier-d"), env={"COLUMNS": ""})
    _fits(done.stdout, 80)


@pytest.mark.parametrize("width", WIDTHS)
def test_catalogue_views_fit(width: int) -> None:
    _fits(views.catalogue_text(width), width)
    for entry in load_catalogue():
        _fits(views.license_text(entry, None, width), width)
    rules = all_rules()
    _fits(views.rules_text(rules.values(), width), width)
    for rule in rules.values():
        _fits(views.rule_text(rule, width), width)


def test_license_origins_and_names_are_not_cut() -> None:
    text = views.catalogue_text(80)
    assert "..." not in text and "…" not in text
    lines = text.splitlines()
    column = lines[0].index("name")
    names = " ".join(" ".join(line[column:] for line in lines[1:]).split())
    for entry in load_catalogue():
        assert " ".join(entry.name.split()) in names, entry.id


@pytest.mark.parametrize("command", [["licenses"], ["license", "llama3.2"], ["rules"],
                                     ["explain", "OW105"]])
def test_catalogue_commands_fit_the_terminal(command: list[str]) -> None:
    for width in WIDTHS:
        done = run_owcheck(*command, env={"COLUMNS": str(width)})
        assert done.returncode == 0, done.stderr
        _fits(done.stdout, width)


def _hub_text(hub: Any, tmp_path: Path, target: str, width: int) -> str:
    env = {**hub.env(tmp_path), "COLUMNS": str(width)}
    done = run_owcheck(target, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _lineage(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("lineage"))
    out = [lines[start][12:]]
    for line in lines[start + 1:]:
        if not line.startswith(" " * 12):
            break
        out.append(line[12:])
    return out


def test_a_diamond_merge_is_drawn_as_a_tree(loopback_hub: Any, tmp_path: Path) -> None:
    text = _hub_text(loopback_hub, tmp_path, "mergers/diamond-merge", 100)
    _fits(text, 100)
    assert _lineage(text) == [
        "mergers/diamond-merge",
        "├─ merge: tuners/chain-ft [apache-2.0, open]",
        "│  └─ finetune: basesco/chain-base [apache-2.0, open]",
        "└─ merge: tuners/sibling-ft [apache-2.0, open]",
        "   └─ finetune: basesco/chain-base [apache-2.0, open] (see above)",
    ]


def test_lineage_tree_and_hub_origins_fit_80_columns(loopback_hub: Any, tmp_path: Path) -> None:
    text = _hub_text(loopback_hub, tmp_path, "launder/llama-style-lora", 80)
    _fits(text, 80)
    rows = _grid_rows(text)
    first = next(i for i, line in enumerate(rows) if line.startswith(" weights"))
    block = rows[first:rows.index("", first)]
    label = "".join(line[1:14].strip() for line in block)  # the 13-column label at 80
    # The license's origin (the base model's card) wraps in its cell; it is not cut short.
    assert label.endswith("examplemeta/llama-style-8b:README.md:2"), label
    assert _lineage(text) == [
        "launder/llama-style-lora",
        "└─ adapter: examplemeta/llama-style-8b [llama3.1, restricted]",
    ]
    chain = _hub_text(loopback_hub, tmp_path, "quants/chain-q4-gguf", 80)
    _fits(chain, 80)
    tree = _lineage(chain)
    assert tree[1].startswith("└─ ") and tree[2].startswith("   └─ ")
