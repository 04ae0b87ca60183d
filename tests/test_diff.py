"""openweights.diff: what changed between two reports or two snapshots, and the one definition
of less open (grade order, verdict rank, cell rank)."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pytest

from openweights.check import check_bundle
from openweights.diff import (
    ChangeFilter,
    DiffInputError,
    Direction,
    Order,
    Status,
    diff_reports,
    diff_snapshots,
    direction,
    parse_reports,
)
from openweights.sources.local import LocalSource
from tests.support import FIXTURES

REPOS = FIXTURES / "repos"


@cache
def _cached(name: str) -> str:
    return json.dumps(check_bundle(LocalSource().fetch(str(REPOS / name))).to_dict())


def report(name: str) -> dict[str, Any]:
    """A fresh copy of a fixture's JSON report."""
    data: dict[str, Any] = json.loads(_cached(name))
    return data


@pytest.mark.parametrize(
    ("order", "old", "new", "expected"),
    [
        (Order.GRADE, "A", "F", Direction.LESS_OPEN),
        (Order.GRADE, "D", "C", Direction.MORE_OPEN),
        (Order.GRADE, "C", "C", Direction.NEUTRAL),
        (Order.TIER, "open-weights", "restricted-weights", Direction.LESS_OPEN),
        (Order.VERDICT, "open", "restricted", Direction.LESS_OPEN),
        (Order.VERDICT, "restricted", "unknown", Direction.LESS_OPEN),
        (Order.VERDICT, "not-open", "unknown", Direction.MORE_OPEN),
        (Order.CELL, "granted", "limited", Direction.LESS_OPEN),
        (Order.CELL, "denied", "absent", Direction.LESS_OPEN),
        (Order.CELL, "unknown", "granted", Direction.MORE_OPEN),
        (Order.CELL, "granted", None, Direction.NEUTRAL),
        (Order.CELL, "granted", "bogus", Direction.NEUTRAL),
        (Order.NONE, "released", "gated", Direction.NEUTRAL),
    ],
)
def test_direction_uses_the_library_orders(
    order: Order, old: str | None, new: str | None, expected: Direction
) -> None:
    assert direction(order, old, new) is expected


def test_relicensing_to_non_commercial_is_less_open_and_back_is_more_open() -> None:
    open_, closed = report("tier-c"), report("tier-f")
    worse = diff_reports(open_, closed)
    assert worse.status is Status.CHANGED and worse.less_open
    fields = {c.field: c for c in worse.changes}
    assert fields["grade"].old == "C" and fields["grade"].new == "F"
    assert fields["grade"].direction is Direction.LESS_OPEN
    lic = fields["components.weights.license"]
    assert lic.old == {"id": "apache-2.0", "verdict": "open"}
    assert lic.new == {"id": "cc-by-nc-4.0", "verdict": "not-open"}
    assert lic.direction is Direction.LESS_OPEN
    assert fields["components.weights.freedoms.use"].direction is Direction.LESS_OPEN
    better = diff_reports(closed, open_)
    assert better.more_open and not better.less_open
    assert {c.field for c in better.changes} == set(fields)


def test_identical_reports_are_unchanged_even_at_another_revision() -> None:
    old, new = report("tier-d"), report("tier-d")
    new["subject"]["revision"] = "f" * 40
    result = diff_reports(old, new)
    assert result.status is Status.UNCHANGED and not result.changes
    assert result.new_revision == "f" * 40 and not result.less_open


def test_findings_added_and_removed_ignore_moved_lines_and_suppressed_ones() -> None:
    old, new = report("tier-d"), report("tier-d")
    moved = copy.deepcopy(new["findings"])
    for f in moved:
        f["location"]["line"] = (f["location"]["line"] or 0) + 7
    new["findings"] = moved
    assert diff_reports(old, new).status is Status.UNCHANGED
    extra = {**moved[0], "rule": "OW999", "message": "a new finding"}
    silenced = {**moved[0], "rule": "OW998", "suppressed": "accepted"}
    new["findings"] = [*moved[1:], extra, silenced]
    result = diff_reports(old, new)
    assert [f.rule for f in result.findings_added] == ["OW999"]
    assert [f.rule for f in result.findings_removed] == [old["findings"][0]["rule"]]
    assert result.status is Status.CHANGED and not result.less_open  # findings never gate


def test_lineage_and_datasets_compared_by_id() -> None:
    old, new = report("tier-c"), report("tier-c")
    base = {"id": "org/base", "relation": "finetune", "child": "x", "found": True,
            "license": {"id": "apache-2.0", "verdict": "open"}}
    old["lineage"] = [base]
    new["lineage"] = [{**base, "license": {"id": "llama3.1", "verdict": "restricted"}},
                      {**base, "id": "org/other"}]
    new["datasets"] = [{"id": "org/data", "found": True,
                        "license": {"id": "cc-by-4.0", "verdict": "open"}}]
    changes = {c.field: c for c in diff_reports(old, new).changes}
    assert changes["lineage[org/base]"].direction is Direction.LESS_OPEN
    assert changes["lineage[org/base]"].old == {"id": "org/base", "relation": "finetune",
                                                "license": "apache-2.0", "verdict": "open"}
    assert changes["lineage[org/base]"].new == {"id": "org/base", "relation": "finetune",
                                                "license": "llama3.1", "verdict": "restricted"}
    assert changes["lineage[org/other]"].old is None
    assert changes["lineage[org/other]"].direction is Direction.NEUTRAL  # added: neutral
    assert changes["datasets[org/data]"].old is None


def test_snapshots_pair_by_subject_and_list_added_and_removed() -> None:
    a, d, f = report("tier-a"), report("tier-d"), report("tier-f")
    d_closed = copy.deepcopy(f)
    d_closed["subject"] = d["subject"]
    result = diff_snapshots([a, d], [d_closed, f])
    by = {(m.subject, m.status) for m in result.models}
    assert by == {
        (d["subject"]["id"], Status.CHANGED),
        (f["subject"]["id"], Status.ADDED),
        (a["subject"]["id"], Status.REMOVED),
    }
    assert result.less_open  # tier-d's terms got less open
    assert [m.status for m in result.models] == [Status.CHANGED, Status.ADDED, Status.REMOVED]
    assert not diff_snapshots([a, d], [a, d]).less_open
    assert diff_snapshots([a, d], [d, a]).count(Status.UNCHANGED) == 2


def test_one_report_on_each_side_is_compared_whatever_its_id() -> None:
    old, new = report("tier-a"), report("tier-f")
    [model] = diff_snapshots([old], [new]).models
    assert model.status is Status.CHANGED and model.less_open


def test_a_batch_may_hold_one_model_twice() -> None:
    a1, a2 = report("tier-a"), report("tier-a")
    a2["subject"]["revision"] = "1" * 40
    result = diff_snapshots([a1, a2, report("tier-d")], [a1, a2, report("tier-d")])
    assert result.count(Status.UNCHANGED) == 3


def test_parse_reports_reads_json_jsonl_and_lists() -> None:
    a, d = report("tier-a"), report("tier-d")
    assert parse_reports(json.dumps(a, indent=2), "a.json") == [a]
    assert parse_reports(json.dumps(a) + "\n\n" + json.dumps(d) + "\n", "s.jsonl") == [a, d]
    assert parse_reports(json.dumps([a, d]), "list.json") == [a, d]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("[1]", "item 1: not an owcheck report"),
        ('{"a": 1}', "not an owcheck report (no 'schema_version')"),
        ("{}\nnot json\n", "line 1: not an owcheck report"),
    ],
)
def test_parse_reports_refuses_what_is_not_a_report(text: str, message: str) -> None:
    with pytest.raises(DiffInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_reports(text, "x")


def test_parse_reports_refuses_another_major_version_and_bad_lines() -> None:
    a = report("tier-a")
    with pytest.raises(DiffInputError, match=r"schema_version 2\.0 is not supported"):
        parse_reports(json.dumps({**a, "schema_version": "2.0"}), "x")
    with pytest.raises(DiffInputError, match="line 2: not JSON"):
        parse_reports(json.dumps(a) + "\n{broken\n", "x")


def test_change_filter_emits_new_and_changed_models_only() -> None:
    a, d, f = report("tier-a"), report("tier-d"), report("tier-f")
    changed = ChangeFilter([a, d])
    assert not changed.changed(a)
    moved = copy.deepcopy(a)
    moved["subject"]["revision"] = "2" * 40
    assert not changed.changed(moved)  # a new revision with the same terms
    assert changed.changed(f)  # a new model
    worse = copy.deepcopy(f)
    worse["subject"] = d["subject"]
    assert changed.changed(worse)


def test_json_form_is_stable() -> None:
    result = diff_snapshots([report("tier-c")], [report("tier-f")])
    data = result.to_dict()
    assert data["diff_schema_version"] == "1.0"
    assert data["less_open"] is True
    assert data["summary"] == {"models": 1, "less_open": 1, "changed": 1, "unchanged": 0,
                               "added": 0, "removed": 0}
    [model] = data["models"]
    assert model["grade"] == {"old": "C", "new": "F"}
    assert model["changes"][0] == {"field": "grade", "old": "C", "new": "F",
                                   "direction": "less-open"}
    assert json.dumps(data) == json.dumps(
        diff_snapshots([report("tier-c")], [report("tier-f")]).to_dict())
