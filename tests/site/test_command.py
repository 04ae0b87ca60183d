"""`owcheck site` as a user runs it: the example site from the fixture reports, and bad input."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from openweights.site.names import page_names
from tests.site.example import ExampleSite
from tests.site.synthetic import reports, write_jsonl
from tests.support import run_owcheck, validate_report


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def test_the_example_site_lists_every_fixture_model(
    example_site: ExampleSite, tmp_path: Path
) -> None:
    out, items = example_site.directory, example_site.reports
    for item in items:
        validate_report(item)  # what the site was built from is the real contract
    ids = [item["subject"]["id"] for item in items]
    assert len(ids) == len(set(ids)) >= 20
    index = (out / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r"^<tr[ >]", index, flags=re.M)) == len(ids)
    assert "<title>Fixture models</title>" in index
    names = page_names(ids)
    for sid in ids:
        page = (out / names[sid]).read_text(encoding="utf-8")
        assert f"<bdi>{sid}</bdi>" in page
    lora = (out / names["launder/llama-style-lora"]).read_text(encoding="utf-8")
    assert f'href="../{names["examplemeta/llama-style-8b"]}"' in lora  # the base's own page
    assert "llama3.1" in lora and "OW503" in lora  # the relicensing finding
    assert re.search(r'href="https://huggingface.co/launder/llama-style-lora/blob/[0-9a-f]{40}/'
                     r'README.md#L\d+"', lora)
    # The same reports, built again elsewhere, give the same bytes.
    again = tmp_path / "again"
    inputs = example_site.inputs
    done = run_owcheck("site", *map(str, inputs), "-o", str(again), "--title", "Fixture models")
    assert done.returncode == 0, done.stderr
    assert _digest(again) == _digest(out)


def test_bad_lines_are_skipped_named_and_exit_2(tmp_path: Path) -> None:
    good = reports(3)
    path = tmp_path / "mixed.jsonl"
    lines = [json.dumps(good[0]), "{oops", json.dumps(dict(good[1], schema_version="2.0")),
             json.dumps(good[2])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "site"
    done = run_owcheck("site", str(path), "-o", str(out))
    assert done.returncode == 2
    err = done.stderr.splitlines()
    assert err[0] == f"owcheck: error: {path}:2: not JSON (Expecting property name enclosed in " \
                     "double quotes)"
    assert err[1].startswith(f"owcheck: error: {path}:3: report schema_version '2.0' is not "
                             "supported")
    assert err[2].startswith("owcheck: site: 2 model(s) ->") and "2 bad line(s) skipped" in err[2]
    assert len(re.findall(r"^<tr[ >]", (out / "index.html").read_text(), flags=re.M)) == 2
    assert "Traceback" not in done.stderr


def test_many_bad_lines_are_counted_not_all_printed(tmp_path: Path) -> None:
    path = tmp_path / "noise.jsonl"
    path.write_text(json.dumps(reports(1)[0]) + "\n" + "not json\n" * 50, encoding="utf-8")
    done = run_owcheck("site", str(path), "-o", str(tmp_path / "site"))
    assert done.returncode == 2
    assert "... and 30 more bad lines" in done.stderr
    assert len(done.stderr.splitlines()) == 22


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ('{"target": "acme/x", "exit_code": 2, "error": "gone"}\n',
         "no usable report in the input; nothing written"),
    ],
)
def test_unusable_input_writes_nothing(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "in.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    out = tmp_path / "site"
    done = run_owcheck("site", str(path), "-o", str(out))
    assert done.returncode == 2 and message in done.stderr
    assert done.stderr.splitlines()[-1].startswith("owcheck: error:")
    assert not out.exists()


def test_reports_from_standard_input(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "r.jsonl", reports(4))
    out = tmp_path / "site"
    done = run_owcheck("site", "-", "-o", str(out), stdin=src.read_text(encoding="utf-8"))
    assert done.returncode == 0, done.stderr
    assert "4 model(s)" in done.stderr


def test_output_directory_rules(tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", reports(5))
    fewer = write_jsonl(tmp_path / "b.jsonl", reports(3))
    out = tmp_path / "site"
    assert run_owcheck("site", str(first), "-o", str(out)).returncode == 0
    assert len(list((out / "models").glob("*.html"))) == 5
    done = run_owcheck("site", str(fewer), "-o", str(out))
    assert done.returncode == 0 and "2 page(s) of models no longer listed removed" in done.stderr
    assert len(list((out / "models").glob("*.html"))) == 3
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    done = run_owcheck("site", str(first), "-o", str(foreign))
    assert done.returncode == 2 and "not empty and not an owcheck site" in done.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    done = run_owcheck("site", str(first), "-o", str(out), "--hub-url", "javascript:alert(1)")
    assert done.returncode == 2 and "--hub-url must be an http(s) URL" in done.stderr
