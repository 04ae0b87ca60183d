"""``owcheck diff`` output: text, JSON and Markdown renderings of a snapshot diff."""

from __future__ import annotations

import copy
import json

from openweights.choices import DiffFormat
from openweights.diff import diff_snapshots
from openweights.formats.diff import render_diff
from tests.test_diff import report


def _relicensed() -> tuple[dict[str, object], dict[str, object]]:
    return report("tier-c"), report("tier-f")


def test_text_marks_every_less_open_change_and_sums_up() -> None:
    old, new = _relicensed()
    text = render_diff(diff_snapshots([old], [new]), "text")
    lines = text.splitlines()
    assert lines[0].endswith("less open")
    assert "  ▼ grade" in text and "C → F" in text
    assert "▼ weights license" in text and "apache-2.0 (open) → cc-by-nc-4.0 (not-open)" in text
    assert "▼ weights · use" in text and "granted → denied" in text
    assert any(line.startswith("  + OW213") for line in lines)
    assert lines[-1] == "1 model compared: 1 changed; 1 got less open"
    back = render_diff(diff_snapshots([new], [old]), "text")
    assert "▲ grade" in back and "▼" not in back and back.splitlines()[0].endswith("more open")


def test_unchanged_models_are_counted_not_listed_unless_asked() -> None:
    a, d = report("tier-a"), report("tier-d")
    text = render_diff(diff_snapshots([a, d], [a, d]), "text")
    assert text == "2 models compared: 2 unchanged; none got less open\n"
    shown = render_diff(diff_snapshots([a, d], [a, d]), "text", show_unchanged=True)
    assert "tests/fixtures/repos/tier-a  unchanged" in shown


def test_markdown_is_a_pull_request_comment() -> None:
    old, new = _relicensed()
    new = copy.deepcopy(new)
    new["subject"]["id"] = "org/x|<b>"  # card-controlled text must not break the table
    md = render_diff(diff_snapshots([old], [new]), "markdown")
    assert md.startswith("## owcheck diff: 🔻 terms got less open (1 model)\n")
    assert "| 🔻 | weights license | apache-2.0 (open) | cc-by-nc-4.0 (not-open) |" in md
    assert "### `org/x|<b>` " in md  # in a code span, so shown as text, not rendered
    assert md.count("<b>") == 1
    assert md.rstrip().endswith("got less open.")
    quiet = render_diff(diff_snapshots([old], [old]), "markdown")
    assert quiet.startswith("## owcheck diff: no change")


def test_json_is_the_diff_contract() -> None:
    old, new = _relicensed()
    data = json.loads(render_diff(diff_snapshots([old], [new]), "json"))
    assert data["less_open"] is True and data["summary"]["less_open"] == 1
    assert {c["field"] for c in data["models"][0]["changes"]} >= {
        "grade", "tier", "components.weights.license", "components.weights.freedoms.share"}


def test_every_diff_format_renders() -> None:
    old, new = _relicensed()
    for fmt in DiffFormat:
        assert render_diff(diff_snapshots([old], [new]), fmt).endswith("\n")
