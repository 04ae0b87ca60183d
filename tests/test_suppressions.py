"""Inline suppressions: each comment read on its own, none inside code, prefixes as --select
takes them, malformed ones reported (OW110)."""

from __future__ import annotations

import json
from pathlib import Path

from openweights.suppressions import Problem, Suppression, parse_directives
from tests.support import run_owcheck, validate_report

HEAD = "---\nlicense: apache-2.0\n---\n# Model\n"


def test_each_comment_is_read_on_its_own() -> None:
    text = (HEAD + "<!-- owcheck: ignore OW301 -->\n"
            "<!-- owcheck: ignore OW401 -- no data section here -->\n")
    assert parse_directives(text).suppressions == (
        Suppression(("OW301",), 5, ""),
        Suppression(("OW401",), 6, "no data section here"),
    )


def test_a_reason_stops_at_its_comment() -> None:
    text = HEAD + "<!-- owcheck: ignore OW301 -- internal -->\nText -- with dashes -->\n"
    (only,) = parse_directives(text).suppressions
    assert only.reason == "internal"


def test_comments_in_code_are_examples_not_directives() -> None:
    text = (HEAD + "```markdown\n<!-- owcheck: ignore OW301 -->\n```\n"
            "~~~~\n<!-- owcheck: ignroe OW401 -->\n~~~~\n"
            "Write `<!-- owcheck: ignore OW208 -->` to silence it.\n"
            "<!-- owcheck: ignore OW4, OW5 -->\n")
    directives = parse_directives(text)
    assert directives.suppressions == (Suppression(("OW4", "OW5"), 12, ""),)
    assert directives.problems == ()


def test_an_unclosed_fence_hides_the_rest() -> None:
    text = HEAD + "```\n<!-- owcheck: ignore OW301 -->\n"
    assert parse_directives(text).suppressions == ()


def test_malformed_directives_are_problems() -> None:
    text = (HEAD + "<!-- owcheck: ignroe OW301 -->\n<!-- owcheck ignore OW301 -->\n"
            "<!-- owcheck: ignore -->\n<!-- owcheck: ignore OW301 because it is internal -->\n"
            "<!-- owcheck: ignore OW3!01 -->\n<!-- a comment about owcheck -->\n"
            "<!-- owchecked by hand -->\n")
    problems = parse_directives(text).problems
    assert [p.line for p in problems] == [5, 6, 7, 8, 9]
    assert "not a directive" in problems[0].message
    assert "names no rule" in problems[2].message
    assert problems[3] == Problem(8, "'owcheck: ignore OW301 because it is internal': "
                                     "'because' is not a rule code or prefix (put the reason "
                                     "after --)")


def _report(tmp_path: Path, body: str) -> dict:
    (tmp_path / "README.md").write_text(HEAD + body)
    done = run_owcheck(str(tmp_path), "-f", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    validate_report(data)
    return data


def test_two_comments_on_consecutive_lines_both_apply(tmp_path: Path) -> None:
    data = _report(tmp_path, "<!-- owcheck: ignore OW301 -->\n"
                             "<!-- owcheck: ignore OW401 -- data described elsewhere -->\n")
    suppressed = {f["rule"]: f["suppressed"] for f in data["findings"] if f["suppressed"]}
    assert suppressed == {"OW301": "suppressed inline", "OW401": "data described elsewhere"}
    assert data["unused_suppressions"] == []


def test_a_prefix_suppresses_like_select(tmp_path: Path) -> None:
    data = _report(tmp_path, "<!-- owcheck: ignore OW4 -- data is described in the paper -->\n")
    ow4 = [f for f in data["findings"] if f["rule"].startswith("OW4")]
    assert ow4 and all(f["suppressed"] == "data is described in the paper" for f in ow4)
    assert data["unused_suppressions"] == []
    data = _report(tmp_path, "<!-- owcheck: ignore OW5 -->\n")  # nothing of OW5xx fires
    assert data["unused_suppressions"] == [{"rule": "OW5", "line": 5}]


def test_malformed_directives_are_findings(tmp_path: Path) -> None:
    data = _report(tmp_path, "<!-- owcheck: ignroe OW301 -->\n<!-- owcheck: ignore OW999 -->\n"
                             "```\n<!-- owcheck: ignroe OW401 -->\n```\n")
    ow110 = [(f["location"]["line"], f["message"]) for f in data["findings"]
             if f["rule"] == "OW110"]
    assert [line for line, _ in ow110] == [5, 6]
    assert "'OW999' names no owcheck rule" in ow110[1][1]
    # The typo silenced nothing, and an unknown code is not also "unused".
    assert not any(f["suppressed"] for f in data["findings"])
    assert data["unused_suppressions"] == []
