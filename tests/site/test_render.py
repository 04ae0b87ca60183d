"""Rendering the site: content, links, escaping of hostile reports, determinism."""

from __future__ import annotations

import copy
import json
import os
import random
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from openweights.site import ASSETS, build_site
from openweights.site.index import DEFAULT_PAGE_SIZE
from openweights.site.names import page_names
from openweights.site.reports import check_report, read_reports
from openweights.site.view import lineage_depth
from tests.site.synthetic import report, reports, write_jsonl
from tests.support import ROOT

PAYLOADS = [
    '<script>alert("x")</script>',
    "\"><img src=x onerror=alert(1)>",
    "'onmouseover='alert(1)",
    "</textarea><svg onload=alert(1)>",
    "<!--",
    "]]><![CDATA[",
    "javascript:alert(1)",
    "&lt;already&gt; &amp;",
    "\u202eevil\u202c",
    "a\x00b\x07c",
    "\ud800lone surrogate",
]


class Page(HTMLParser):
    """Collects what an attacker would need: tags, attributes, script and style elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: bytes) -> Page:
    page = Page()
    page.feed(html.decode("utf-8"))
    page.close()
    return page


def hostile_report(payload: str, index: int) -> dict[str, Any]:
    """A valid report with ``payload`` in every string a card or a hostile run could control."""
    item = report(index, random.Random(index))
    item["subject"]["id"] = f"{payload}/{index}"
    item["subject"]["revision"] = payload
    item["reason"] = payload
    item["tool"]["version"] = payload
    for comp in item["components"].values():
        comp["license"]["id"] = payload
        comp["license"]["name"] = payload
        comp["reasons"] = {k: payload for k in comp["reasons"]}
        comp["evidence"] = [
            {"claim": f"code: https://github.com/ex/repo{payload}", "origin": f"{payload}:3"},
            {"claim": payload, "origin": f"org/base:{payload}:1"},
        ]
    item["lineage"] = [{"id": payload, "relation": "finetune", "child": item["subject"]["id"],
                        "found": False, "license": {"id": payload, "verdict": "unknown"}}]
    item["datasets"] = [{"id": payload, "found": None,
                         "license": {"id": payload, "verdict": payload}}]
    item["findings"] = [{
        "rule": "OW101", "name": payload, "severity": payload, "message": payload,
        "component": None, "location": {"path": payload, "line": 2}, "fix": payload,
        "url": "javascript:alert(1)", "suppressed": None,
    }, {
        "rule": payload, "name": payload, "severity": "info", "message": payload,
        "component": None, "location": {"path": None, "line": None}, "fix": payload,
        "url": payload, "suppressed": payload,
    }]
    item["unused_suppressions"] = [{"rule": payload, "line": 3}]
    item["frameworks"]["mof"] = payload
    item["components"]["data"]["stages"] = [{"stage": payload, "note": payload,
                                             "nested": {payload: [payload, {"x": payload}]}}]
    return item


@pytest.fixture(scope="module")
def hostile_site() -> dict[str, bytes]:
    for i, payload in enumerate(PAYLOADS):
        assert check_report(hostile_report(payload, i)) is None  # what a JSONL could carry
    return build_site([hostile_report(p, i) for i, p in enumerate(PAYLOADS)], title=PAYLOADS[0])


def test_hostile_strings_never_become_markup(hostile_site: dict[str, bytes]) -> None:
    assert set(hostile_site) >= {"index.html", *ASSETS}
    for name, data in hostile_site.items():
        if not name.endswith(".html"):
            continue
        page = parse(data)
        for tag, attrs in page.tags:
            assert tag not in ("img", "iframe", "object", "embed", "textarea", "base"), name
            if tag == "script":
                assert attrs == {"src": "site.js"} and name == "index.html"
            if tag == "svg":
                assert name == "index.html"  # the chart, ours
            for key, value in attrs.items():
                assert not key.startswith("on"), (name, tag, key)
                if key in ("href", "src") and value:
                    assert not value.strip().lower().startswith(("javascript:", "data:text")), (
                        name, value)
        text = data.decode("utf-8")
        for payload in ("<script>alert", "<img src=x", "<svg onload", "</textarea><"):
            assert payload not in text, (name, payload)
        # Control characters are replaced; the surrogate could not be encoded and is replaced.
        assert "\x00" not in text and "\x07" not in text


def test_every_hostile_string_is_still_shown_as_text(hostile_site: dict[str, bytes]) -> None:
    pages = {n: parse(d) for n, d in hostile_site.items() if n.startswith("models/")}
    texts = ["".join(p.text) for p in pages.values()]
    for payload in ('<script>alert("x")</script>', "</textarea><svg onload=alert(1)>"):
        assert any(payload in t for t in texts), payload


def test_links_stay_inside_the_site_or_go_to_http(hostile_site: dict[str, bytes]) -> None:
    for name, data in hostile_site.items():
        if not name.endswith(".html"):
            continue
        for tag, attrs in parse(data).tags:
            href = attrs.get("href")
            if tag != "a" or href is None:
                continue
            parts = urlsplit(href)
            if parts.scheme:
                assert parts.scheme in ("http", "https"), href
                continue
            if href.startswith("#") or href == "":
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(name), unquote(parts.path)))
            assert target in hostile_site, (name, href)


def test_the_index_lists_every_model_once_with_its_cells() -> None:
    items = reports(250)
    site = build_site(items)
    index = site["index.html"].decode()
    rows = re.findall(r"^<tr[ >]", index, flags=re.M)
    assert len(rows) == 250
    names = page_names(r["subject"]["id"] for r in items)
    for item in items[:20]:
        assert f'href="{names[item["subject"]["id"]]}"' in index
        assert names[item["subject"]["id"]] in site
    # Grade order (A first), then id: the order a reader without JavaScript sees.
    grades = re.findall(r'<td class="g([ABCDF])">', index)
    assert grades == sorted(grades, key="ABCDF".index)
    # Chart and legend.
    assert "<svg" in index and "Models by tier (250 in all)" in index
    for tone_word in ("granted, open, passes", "absent: not released"):
        assert tone_word in index
    # The no-JS page shows every row; the stylesheet hides rows past the first page only once
    # the script has marked the document.
    css = site["site.css"].decode()
    assert f".js table.index tbody tr:nth-child(n+{DEFAULT_PAGE_SIZE + 1})" in css
    assert 'id="filters" role="search" aria-label="Filter models" hidden' in index


def test_a_hub_model_page_links_lines_forges_bases_and_datasets() -> None:
    rng = random.Random(3)
    base = report(1, rng, org="basesco", name="base-1")
    base["grade"], base["tier"] = "C", "open-weights"
    child = report(2, rng, org="tuners", name="ft")
    rev = child["subject"]["revision"]
    child["lineage"] = [
        {"id": "basesco/base-1", "relation": "finetune", "child": "tuners/ft", "found": True,
         "license": {"id": "mit", "verdict": "open"}},
        {"id": "ghost/root", "relation": None, "child": "basesco/base-1", "found": False,
         "license": {"id": None, "verdict": "unknown"}},
    ]
    child["findings"] = [{
        "rule": "OW301", "name": "no-training-code", "severity": "warning",
        "message": "no link to the training code", "component": "code",
        "location": {"path": "README.md", "line": 7}, "fix": "Link it.", "suppressed": None,
        "url": "https://github.com/owcheck/owcheck/blob/main/docs/rules.md#ow301",
    }]
    child["datasets"] = [{"id": "openlab/web-text", "found": True,
                          "license": {"id": "cc-by-4.0", "verdict": "open"}}]
    child["components"]["weights"]["evidence"] = [
        {"claim": "license: mit (metadata)", "origin": "README.md:2"},
        {"claim": "base model basesco/base-1 (finetune): mit", "origin": "basesco/base-1:LICENSE"},
        {"claim": "gated", "origin": "hub:gated"},
    ]
    child["components"]["data"]["evidence"] = [
        {"claim": "dataset card", "origin": "openlab/web-text:README.md:4"},
    ]
    site = build_site([base, child])
    names = page_names(["basesco/base-1", "tuners/ft"])
    page = site[names["tuners/ft"]].decode()
    hub = "https://huggingface.co"
    assert f'href="{hub}/tuners/ft/blob/{rev}/README.md#L2"' in page
    assert f'href="{hub}/basesco/base-1/blob/main/LICENSE"' in page
    assert f'href="{hub}/tuners/ft"' in page  # hub:gated
    assert f'href="{hub}/datasets/openlab/web-text/blob/main/README.md#L4"' in page
    assert 'href="https://github.com/example-org/train"' in page  # a forge link in a claim
    assert f'href="{hub}/tuners/ft/commit/{rev}"' in page
    # The lineage is a tree: the base (a page of this site) holds its own base (on the Hub).
    tree = page[page.index('<ul class="tree">'):]
    assert tree.index("../" + names["basesco/base-1"]) < tree.index(f"{hub}/ghost/root")
    assert re.search(r"base-1</bdi></a>.*?<ul><li><a href=\"https://huggingface.co/ghost/root\"",
                     tree)
    assert "(not found)" in tree
    assert 'href="../index.html"' in page
    # The grid carries each cell's reason (clause citations come from the report).
    for reason in child["components"]["weights"]["reasons"].values():
        assert reason in page
    assert "OW301" in page and "no link to the training code" in page
    assert f'href="{hub}/tuners/ft/blob/{rev}/README.md#L7"' in page


def test_a_changed_license_text_names_its_closest_license() -> None:
    item = report(6, random.Random(6))
    item["components"]["weights"]["license"].update(
        id=None, verdict="unknown", source="license-file",
        closest={"id": "llama3.1", "similarity": 0.943,
                 "diff": {"edits": 9, "inserted": 4, "deleted": 0, "changed": 5,
                          "added_terms": 31}})
    assert check_report(item) is None
    sid = item["subject"]["id"]
    page = build_site([item])[page_names([sid])[sid]].decode()
    assert ("a changed text: closest to llama3.1, 94 % similar (4 inserted, 5 changed, "
            "31 added terms words)") in page


def test_a_local_model_page_has_no_hub_links_for_its_files() -> None:
    item = report(5, random.Random(5))
    item["subject"] = {"id": "models/tiny", "source": "local", "revision": None}
    page = build_site([item])[page_names(["models/tiny"])["models/tiny"]].decode()
    assert "huggingface.co/models/tiny" not in page
    assert "<code>README.md:2</code>" in page


def test_lineage_depth_follows_the_longest_chain_and_survives_cycles() -> None:
    item = report(7, random.Random(7))
    sid = item["subject"]["id"]

    def link(child: str, parent: str) -> dict[str, Any]:
        return {"id": parent, "relation": "merge", "child": child, "found": True,
                "license": {"id": "mit", "verdict": "open"}}

    item["lineage"] = [link(sid, "a/1"), link(sid, "b/1"), link("a/1", "a/2"),
                       link("a/2", "a/3"), link("a/3", sid)]
    assert lineage_depth(item) == 3
    item["lineage"] = []
    assert lineage_depth(item) == 0


def test_data_stages_become_columns_when_reports_have_them() -> None:
    plain = reports(3)
    assert "Data: pre-training" not in build_site(plain)["index.html"].decode()
    staged = copy.deepcopy(plain)
    staged[0]["schema_version"] = "1.1"
    staged[0]["components"]["data"]["stages"] = [
        {"stage": "pre-training", "available": "released",
         "license": {"id": "cc-by-4.0", "verdict": "open"}},
        {"stage": "fine-tuning", "available": "not-released"},
    ]
    site = build_site(staged)
    index = site["index.html"].decode()
    assert "Data: pre-training" in index and "Data: fine-tuning" in index
    assert index.index("Data: pre-training") < index.index("Data: fine-tuning")
    page = site[page_names([staged[0]["subject"]["id"]])[staged[0]["subject"]["id"]]].decode()
    assert "Training data by stage" in page and "cc-by-4.0" in page


def _stage(name: str, state: str, inherited: str | None = None) -> dict[str, Any]:
    """A stage as report 1.2 writes it (top-level ``stages``)."""
    return {
        "stage": name, "inherited_from": inherited, "state": state, "available": "released",
        "license": {"id": "odc-by", "verdict": "open", "source": "forge",
                    "origin": "forge:github.com/openlab-example/pipeline"},
        "data_information": {"inventory": True, "processing_code": False, "provenance": True,
                             "unshareable": False, "labelling": True},
        "sources": [{"name": "Web text", "kind": "dataset", "dataset": "openlab/web-text",
                     "corpus": None, "available": "released",
                     "license": {"id": "cc-by-4.0", "verdict": "open", "source": "dataset-card",
                                 "origin": "openlab/web-text:README.md:3"},
                     "origin": "README.md:12", "context": "trained on Web text",
                     "added_in_1_9": "shown as it is"}],
    }


def test_report_1_2_stages_and_code_repositories() -> None:
    items = reports(4)
    first, second = items[0], items[1]
    for item in (first, second):
        item["schema_version"] = "1.2"
        item["subject"]["source"] = "hub"
    first["stages"] = [_stage("pre-training", "open", "basesco/base-1, basesco/base-2"),
                       _stage("fine-tuning", "described"),
                       _stage("fine-tuning", "not-open")]  # the least open of two decides
    second["stages"] = [_stage("preference", "undisclosed")]
    first["code_repositories"] = [{
        "url": "https://github.com/openlab-example/trainer", "repository":
        "github.com/openlab-example/trainer", "role": "training", "covers": ["training"],
        "counts": True, "why": "section 'Training'", "context": None, "origin": "README.md:9",
        "via": "link", "license": {"id": "apache-2.0", "verdict": "open", "source": "forge",
                                   "origin": "forge:github.com/openlab-example/trainer"},
        "forge": {"status": "licensed", "canonical": "github.com/openlab-example/trainer",
                  "license": "apache-2.0", "message": None},
    }]
    for item in items:
        assert check_report(item) is None  # keys of a later minor version are accepted
    site = build_site(items)
    index = site["index.html"].decode()
    heads = re.findall(r'data-key="(stage-[^"]+)"', index)
    assert heads == ["stage-pre-training", "stage-fine-tuning", "stage-preference"]
    names = page_names(i["subject"]["id"] for i in items)
    row = next(line for line in index.splitlines() if names[first["subject"]["id"]] in line)
    assert '<td class="good">✔ open<td class="poor">✘ not-open<td>' in row
    page = site[names[first["subject"]["id"]]].decode()
    assert "Training data by stage" in page and "inherited from" in page
    assert 'href="https://huggingface.co/basesco/base-2"' in page
    assert 'href="https://github.com/openlab-example/pipeline"' in page  # forge: origin
    assert "✔ inventory, ✘ processing code" in page
    assert "added_in_1_9</b>: shown as it is" in page
    assert "Code repositories" in page and "✔ counts" in page
    assert 'href="https://github.com/openlab-example/trainer"' in page
    # Stage keys of any shape never break a page.
    second["stages"] = [{"stage": "pre-training", "sources": "not a list", "license": 7,
                         "data_information": [], "state": 3}, "junk", {"name": 5}]
    second["code_repositories"] = ["junk", {"url": "javascript:alert(1)", "forge": "x"}]
    page = build_site(items)[names[second["subject"]["id"]]].decode()
    assert 'href="javascript' not in page
    assert "<th scope=\"row\">javascript:alert(1)</th>" in page  # shown as text, not linked


def test_the_same_reports_give_the_same_bytes_in_any_order() -> None:
    items = reports(60)
    first = build_site(items)
    shuffled = items[:]
    random.Random(2).shuffle(shuffled)
    assert build_site(shuffled) == first


def test_output_does_not_depend_on_hash_seed_or_locale(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [*reports(30), hostile_report(PAYLOADS[1], 99)])
    script = (
        "import hashlib, sys\n"
        "from openweights.site import build_site\n"
        "from openweights.site.reports import read_reports\n"
        "files = build_site(read_reports([sys.argv[1]]).reports)\n"
        "h = hashlib.sha256()\n"
        "for k, v in files.items(): h.update(k.encode() + b'\\0' + v)\n"
        "print(h.hexdigest())\n"
    )
    digests = set()
    for seed, lang in (("1", "C.UTF-8"), ("2", "en_US.UTF-8"), ("3", "C")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "LC_ALL": lang, "LANG": lang,
               "TZ": "Asia/Tokyo"}
        out = subprocess.run([sys.executable, "-c", script, str(src)], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_a_lone_surrogate_in_a_jsonl_line_is_replaced_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(hostile_report(PAYLOADS[-1], 1)) + "\n", encoding="ascii")
    loaded = read_reports([path])
    assert not loaded.problems
    assert loaded.reports[0]["reason"] == "\ufffdlone surrogate"
    site = build_site(loaded.reports)
    assert "\ufffdlone surrogate" in site["index.html"].decode()


def test_an_empty_site_still_builds() -> None:
    site = build_site([])
    index = site["index.html"].decode()
    assert "No reports were given." in index and "0 models" in index
    assert not [n for n in site if n.startswith("models/")]


def test_a_merged_report_renders_every_part_of_report_1_2(tmp_path: Path) -> None:
    # A real report, not a synthetic one: owcheck's own JSON for a repo on disk whose adapter
    # config names an OLMo 2 base (an inferred base whose pre-training data the base-model
    # catalogue records) and whose card links its training code.
    from openweights.check import check_bundle
    from openweights.sources.local import LocalSource

    (tmp_path / "README.md").write_text(
        "---\nlicense: apache-2.0\ndatasets: [openlab/chats]\n---\n# Support assistant\n\n"
        "## Training\n\nTrained with [our training code](https://github.com/openlab/train).\n",
        encoding="utf-8")
    (tmp_path / "adapter_config.json").write_text(
        json.dumps({"base_model_name_or_path": "allenai/OLMo-2-1124-7B"}), encoding="utf-8")
    data = check_bundle(LocalSource().fetch(str(tmp_path))).to_dict()
    assert check_report(data) is None
    assert data["inferred_bases"] and data["stages"] and data["code_repositories"]
    page = next(v for k, v in build_site([data]).items() if k.startswith("models/")).decode()
    assert "Training data by stage" in page
    assert ('inherited from <a href="https://huggingface.co/allenai/OLMo-2-1124-7B"' in page)
    assert "<code>base-models:allenai/OLMo-2-1124-7B</code>" in page
    assert "Bases read from the card and its files" in page
    assert "adapter_config · high <code>adapter_config.json:1</code>" in page
    assert '<span class="chip none">applied</span>' in page
    assert "Code repositories" in page and "github.com/openlab/train" in page
    assert "No base model" not in page
