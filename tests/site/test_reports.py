"""Reading reports for the site: what is accepted, what is skipped and how it is reported."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openweights.site.reports import (
    SiteInputError,
    check_report,
    latest_per_model,
    parse_lines,
    read_reports,
)
from tests.site.synthetic import report, reports, write_jsonl
from tests.support import validate_report


def _one(seed: int = 1) -> dict[str, Any]:
    return report(0, random.Random(seed))


def test_synthetic_reports_are_valid_against_the_schema() -> None:
    for item in reports(40):
        validate_report(item)
        assert check_report(item) is None


def test_an_older_minor_version_without_later_keys_is_read() -> None:
    older = _one()
    older["schema_version"] = "1.0"
    for comp in older["components"].values():
        comp["license"].pop("closest", None)  # added in 1.1
    assert check_report(older) is None


def test_a_minor_version_with_new_keys_and_values_is_read() -> None:
    newer = _one()
    newer["schema_version"] = "1.7"
    newer["added_later"] = {"anything": [1, 2]}
    comps = newer["components"]
    comps["data"]["stages"] = [{"stage": "pre-training", "available": "released"}]
    comps["code"]["license"]["source"] = "forge"  # a source a later 1.x may add
    assert check_report(newer) is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r.update(schema_version="2.0"), "schema_version '2.0' is not supported"),
        (lambda r: r.pop("schema_version"), "no schema_version"),
        (lambda r: r.update(schema_version=1), "no schema_version"),
        (lambda r: r.update(grade="E"), "grade"),
        (lambda r: r.update(tier="open-ish"), "tier"),
        (lambda r: r.pop("components"), "components"),
        (lambda r: r["subject"].update(id=7), "subject.id"),
        (lambda r: r["subject"].update(id="  "), "subject.id is empty"),
        (lambda r: r["components"]["weights"]["freedoms"].pop("use"), "use"),
        (lambda r: r["lineage"].append({"id": "a/b"}), "lineage"),
        (lambda r: r["findings"].append("OW101"), "findings"),
    ],
)
def test_reports_that_cannot_be_rendered_are_refused_with_a_reason(
    change: Callable[[dict[str, Any]], object], expected: str
) -> None:
    broken = copy.deepcopy(_one())
    change(broken)
    reason = check_report(broken)
    assert reason is not None and expected in reason
    assert "\n" not in reason


def test_bad_lines_are_skipped_and_named_by_line(tmp_path: Path) -> None:
    good = [json.dumps(r) for r in reports(3)]
    lines = [
        good[0],
        "",  # blank lines are not problems
        "{not json",
        "[1, 2]",
        json.dumps({"schema_version": "9.1"}),
        json.dumps({"target": "acme/x", "exit_code": 2, "error": "not found"}),
        good[1],
        good[2],
    ]
    found, problems = parse_lines(lines, "in.jsonl")
    assert [r["subject"]["id"] for r in found] == [json.loads(g)["subject"]["id"] for g in good]
    assert [(p.path, p.line) for p in problems] == [
        ("in.jsonl", 3), ("in.jsonl", 4), ("in.jsonl", 5), ("in.jsonl", 6)
    ]
    assert str(problems[0]).startswith("in.jsonl:3: not JSON")
    assert "not an object" in problems[1].message
    assert "9.1" in problems[2].message and "1.x" in problems[2].message
    assert "no schema_version" in problems[3].message


def test_deeply_nested_json_is_a_problem_not_a_crash() -> None:
    found, problems = parse_lines(["[" * 100_000 + "]" * 100_000], "deep.jsonl")
    assert not found and problems and problems[0].line == 1


def test_read_reports_across_files_keeps_the_last_report_of_a_model(tmp_path: Path) -> None:
    first = reports(5)
    newer = copy.deepcopy(first[2])
    newer["reason"] = "regraded"
    a = write_jsonl(tmp_path / "a.jsonl", first)
    b = write_jsonl(tmp_path / "b.jsonl", [newer])
    loaded = read_reports([a, b])
    assert len(loaded.reports) == 5 and loaded.replaced == 1 and not loaded.problems
    by_id = {r["subject"]["id"]: r for r in loaded.reports}
    assert by_id[newer["subject"]["id"]]["reason"] == "regraded"


def test_a_byte_order_mark_and_crlf_line_ends_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(json.dumps(r) for r in reports(2)).encode())
    loaded = read_reports([path])
    assert len(loaded.reports) == 2 and not loaded.problems


def test_invalid_utf8_is_a_bad_line_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "bytes.jsonl"
    path.write_bytes(json.dumps(reports(1)[0]).encode() + b"\n\xff\xfe{\n")
    loaded = read_reports([path])
    assert len(loaded.reports) == 1 and [p.line for p in loaded.problems] == [2]


def test_missing_files_and_directories_are_refused_before_reading(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", reports(1))
    with pytest.raises(SiteInputError, match=r"missing\.jsonl: no such file"):
        read_reports([good, tmp_path / "missing.jsonl"])
    with pytest.raises(SiteInputError, match="is a directory"):
        read_reports([tmp_path])


def test_latest_per_model_keeps_first_position() -> None:
    a, b = reports(2)
    a2 = dict(a, reason="later")
    unique, replaced = latest_per_model([a, b, a2])
    assert [r["reason"] for r in unique] == ["later", b["reason"]] and replaced == 1
