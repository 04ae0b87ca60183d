"""The bill-of-materials formats: CycloneDX 1.6 (validated with cyclonedx-python-lib's JSON
schema validator) and SPDX 3.0.1 (validated with the SPDX project's Python bindings).

Every report of the test fixtures converts (local repos, examples, every loopback Hub repo), and
the fields that matter survive: declared and concluded licenses (custom ones with their name,
link and text), lineage, datasets with their own licenses and availability, training code.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import spdx_python_model
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from openweights.check import check_bundle
from openweights.choices import Format
from openweights.formats import EXTRAS, FormatError, renderer
from openweights.report import Report
from openweights.sources.local import LocalSource
from tests.hub.server import LoopbackHub, iter_repo_ids
from tests.support import FIXTURES, ROOT

REPOS = FIXTURES / "repos"
LOCAL = [
    *sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir()),
    *sorted(p for p in REPOS.iterdir() if p.is_dir()),
]
PRIVATE = {"acme/private-model"}
HUB_TARGETS = [*(i for i in iter_repo_ids("models") if i not in PRIVATE), "acme/relicensed@v1.0"]
NO_ASSERTION = "https://spdx.org/rdf/3.0.1/terms/ExpandedLicensing/NoAssertionLicense"
CDX_VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)


# --------------------------------------------------------------------------- validators


def check_cyclonedx(text: str) -> dict[str, Any]:
    """Fail the test unless ``text`` is a CycloneDX 1.6 BOM valid against the 1.6 schema."""
    errors = CDX_VALIDATOR.validate_str(text, all_errors=True)
    assert errors is None, "\n".join(str(e)[:400] for e in errors)
    data: dict[str, Any] = json.loads(text)
    assert data["specVersion"] == "1.6" and data["bomFormat"] == "CycloneDX"
    refs = [c["bom-ref"] for c in _components(data)]
    assert len(refs) == len(set(refs)), "bom-refs must be unique"
    return data


def check_spdx(text: str) -> dict[str, Any]:
    """Fail the test unless ``text`` is an SPDX 3.0.1 document the SPDX bindings accept:
    every type, property and enumeration value known, every reference resolved, every
    required property present (checked when the bindings write the document back)."""
    data: dict[str, Any] = json.loads(text)
    model, objects = spdx_python_model.load_data(copy.deepcopy(data))
    assert model.__name__.endswith("v3_0_1")
    missing = objects.link()
    assert not missing, f"references to elements not in the document: {missing}"
    model.JSONLDSerializer().serialize_data(objects)
    graph = data["@graph"]
    document = _one(graph, "SpdxDocument")
    listed = set(document["element"])
    ids = [e["spdxId"] for e in graph if "spdxId" in e]
    assert len(ids) == len(set(ids)), "spdxIds must be unique"
    assert listed == set(ids) - {document["spdxId"]}, "the document lists every element"
    return data


def _components(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    def walk(component: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield component
        for child in (component.get("pedigree") or {}).get("ancestors", []):
            yield from walk(child)

    yield from walk(data["metadata"]["component"])
    for component in data.get("components", []):
        yield from walk(component)


def _root(graph: list[dict[str, Any]]) -> dict[str, Any]:
    """The document's root element: the model (base models are packages of the same type)."""
    [root] = _one(graph, "SpdxDocument")["rootElement"]
    return _by_id(graph)[root]


def _one(graph: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [e for e in graph if e["type"] == kind]
    assert len(found) == 1, (kind, len(found))
    return found[0]


def _by_id(graph: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["spdxId"]: e for e in graph if "spdxId" in e}


def _relations(graph: list[dict[str, Any]], kind: str) -> list[tuple[str, list[str]]]:
    by_id = _by_id(graph)

    def name(ref: str) -> str:
        e = by_id.get(ref)
        if e is None:
            return ref
        return str(e.get("name") or e.get("simplelicensing_licenseExpression"))

    return [
        (name(r["from"]), [name(t) for t in r["to"]])
        for r in graph
        if r["type"] == "Relationship" and r["relationshipType"] == kind
    ]


def _licenses(component: dict[str, Any], ack: str) -> list[dict[str, Any]]:
    return [
        item["license"] for item in component.get("licenses", [])
        if item["license"].get("acknowledgement") == ack
    ]


def _props(component: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in component.get("properties", []):
        out.setdefault(p["name"], []).append(p["value"])
    return out


def _local(path: Path) -> Report:
    return check_bundle(LocalSource().fetch(str(path)))


# --------------------------------------------------------------------------- every fixture


@pytest.mark.parametrize("path", LOCAL, ids=lambda p: p.name)
def test_every_local_fixture_gives_a_valid_bom_and_spdx_document(path: Path) -> None:
    report = _local(path)
    bom = check_cyclonedx(renderer("cyclonedx")(report))
    doc = check_spdx(renderer("spdx")(report))
    model = bom["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    assert _props(model)["owcheck:grade"] == [report.grade.letter]
    assert _root(doc["@graph"])["software_primaryPurpose"] == "model"


@pytest.fixture(scope="module")
def hub_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every loopback Hub model graded once, in one process, in json, cyclonedx and spdx."""
    hub = LoopbackHub().start()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.hub.render_reports", *HUB_TARGETS,
             "--format", "json", "--format", "cyclonedx", "--format", "spdx"],
            cwd=ROOT, env=hub.env(tmp_path_factory.mktemp("hub")), capture_output=True,
            text=True, timeout=300,
        )
        shas = {t: hub.sha("models", *t.split("@")) for t in HUB_TARGETS}
    finally:
        hub.stop()
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    out = {}
    for r in records:
        assert r["ok"], r
        out[r["target"]] = {**r["outputs"], "sha": shas[r["target"]]}
    return out


@pytest.mark.parametrize("target", HUB_TARGETS)
def test_every_hub_fixture_gives_a_valid_bom_and_spdx_document(
    target: str, hub_outputs: dict[str, dict[str, Any]]
) -> None:
    out = hub_outputs[target]
    report = json.loads(out["json"])
    bom = check_cyclonedx(out["cyclonedx"])
    doc = check_spdx(out["spdx"])
    model = bom["metadata"]["component"]
    org, name = report["subject"]["id"].split("/")
    assert (model["group"], model["name"], model["version"]) == (org, name, out["sha"])
    assert model["purl"] == f"pkg:huggingface/{org}/{name}@{out['sha']}"
    ai = _by_id(doc["@graph"])[_one(doc["@graph"], "SpdxDocument")["rootElement"][0]]
    assert ai["type"] == "ai_AIPackage" and ai["software_packageUrl"] == model["purl"]
    # Every ancestor of the report is in the pedigree and descends in the SPDX graph.
    pedigree = model.get("pedigree", {}).get("ancestors", [])
    ancestors = {f"{c['group']}/{c['name']}" for c in pedigree}
    assert ancestors == {link["id"] for link in report["lineage"]}
    descends = {(child, parent) for child, parents in _relations(doc["@graph"], "descendantOf")
                for parent in parents}
    assert descends == {(link["child"], link["id"]) for link in report["lineage"]}
    # Every dataset is a data component and a dataset package the model was trained on.
    datasets = {f"{c['group']}/{c['name']}" for c in bom.get("components", [])
                if c["type"] == "data"}
    assert datasets == {d["id"] for d in report["datasets"]}
    trained = [t for _, to in _relations(doc["@graph"], "trainedOn") for t in to]
    assert sorted(trained) == sorted(d["id"] for d in report["datasets"])


# --------------------------------------------------------------------------- what survives


def test_custom_license_list_keeps_name_link_and_text() -> None:
    report = _local(REPOS / "custom-license")
    bom = check_cyclonedx(renderer("cyclonedx")(report))
    model = bom["metadata"]["component"]
    declared = _licenses(model, "declared")
    custom_terms = [lic for lic in declared if "name" in lic]
    assert [(lic["name"], lic["url"]) for lic in custom_terms] == [
        ("acme-research-terms", "LICENSE")]
    assert [lic["id"] for lic in declared if "id" in lic] == ["Apache-2.0"]
    assert _licenses(model, "concluded") == []  # owcheck cannot tell: it concludes nothing
    assert _props(model)["owcheck:weights:verdict"] == ["unknown"]

    doc = check_spdx(renderer("spdx")(report))
    graph = doc["@graph"]
    custom = _one(graph, "expandedlicensing_CustomLicense")
    assert custom["name"] == "acme-research-terms"
    assert custom["spdxId"].endswith("/LicenseRef-acme-research-terms")
    text = (REPOS / "custom-license" / "LICENSE").read_text(encoding="utf-8")
    assert custom["simplelicensing_licenseText"] == text
    assert custom["expandedlicensing_seeAlso"] == ["LICENSE"]
    assert _relations(graph, "hasDeclaredLicense") == [
        ("custom-license", ["acme-research-terms", "Apache-2.0"]),
        ("openlab/web-text", [NO_ASSERTION]),  # local mode cannot read the dataset's card
    ]
    concluded = [r for r in graph if r.get("relationshipType") == "hasConcludedLicense"]
    assert [r["to"] for r in concluded] == [[NO_ASSERTION]]


def test_other_with_license_name_and_link_on_the_hub(
    hub_outputs: dict[str, dict[str, Any]]
) -> None:
    out = hub_outputs["acme/odd-refs"]
    model = json.loads(out["cyclonedx"])["metadata"]["component"]
    declared = _licenses(model, "declared")
    assert declared == [{
        "acknowledgement": "declared",
        "name": "acme-model-terms",
        "url": f"https://huggingface.co/acme/odd-refs/blob/{out['sha']}/TERMS.md",
        "properties": [
            {"name": "owcheck:license", "value": "acme-model-terms"},
            {"name": "owcheck:source", "value": "metadata"},
            {"name": "owcheck:verdict", "value": "unknown"},
        ],
    }]
    custom = _one(json.loads(out["spdx"])["@graph"], "expandedlicensing_CustomLicense")
    terms = ROOT / "tests/hub/repos/models/acme/odd-refs/main/TERMS.md"
    assert custom["simplelicensing_licenseText"] == terms.read_text(encoding="utf-8")
    # A base model that is not on the Hub is still named, and said to be missing.
    ghost = next(c for c in model["pedigree"]["ancestors"] if c["name"] == "missing-base")
    assert _props(ghost)["owcheck:found"] == ["false"]


def test_laundered_license_is_declared_and_the_base_license_concluded(
    hub_outputs: dict[str, dict[str, Any]]
) -> None:
    out = hub_outputs["launder/llama-style-lora"]
    model = json.loads(out["cyclonedx"])["metadata"]["component"]
    assert [lic["id"] for lic in _licenses(model, "declared")] == ["Apache-2.0"]
    [concluded] = _licenses(model, "concluded")
    assert concluded["name"] == "Llama 3.1 Community License Agreement"
    assert concluded["url"].startswith("https://llama.meta.com/")
    assert _props(model)["owcheck:grade"] == ["D"]
    [base] = model["pedigree"]["ancestors"]
    assert base["purl"].startswith("pkg:huggingface/examplemeta/llama-style-8b@")
    assert _props(base)["owcheck:relation"] == ["adapter"]
    assert _props(base)["owcheck:child"] == ["launder/llama-style-lora"]
    assert [lic["name"] for lic in _licenses(base, "declared")] == [concluded["name"]]

    graph = json.loads(out["spdx"])["@graph"]
    llama = "Llama 3.1 Community License Agreement"
    assert ("launder/llama-style-lora", [llama]) in _relations(graph, "hasConcludedLicense")
    assert ("launder/llama-style-lora", ["Apache-2.0"]) in _relations(graph, "hasDeclaredLicense")
    assert ("examplemeta/llama-style-8b", [llama]) in _relations(graph, "hasDeclaredLicense")
    assert _relations(graph, "descendantOf") == [
        ("launder/llama-style-lora", ["examplemeta/llama-style-8b"])]
    annotation = _one(graph, "Annotation")
    assert annotation["annotationType"] == "review"
    assert "grade D (restricted-weights)" in annotation["statement"]


def test_lineage_chain_and_quantization(hub_outputs: dict[str, dict[str, Any]]) -> None:
    graph = json.loads(hub_outputs["quants/chain-q4-gguf"]["spdx"])["@graph"]
    assert sorted(_relations(graph, "descendantOf")) == [
        ("quants/chain-q4-gguf", ["tuners/chain-ft"]),
        ("tuners/chain-ft", ["basesco/chain-base"]),
    ]
    assert _relations(graph, "hasVariant") == [("tuners/chain-ft", ["quants/chain-q4-gguf"])]
    model = json.loads(hub_outputs["mergers/diamond-merge"]["cyclonedx"])["metadata"]["component"]
    names = sorted(c["name"] for c in model["pedigree"]["ancestors"])
    assert names == ["chain-base", "chain-ft", "sibling-ft"]


def test_datasets_keep_every_license_and_their_availability(
    hub_outputs: dict[str, dict[str, Any]]
) -> None:
    bom = json.loads(hub_outputs["acme/three-data"]["cyclonedx"])
    data = {c["name"]: c for c in bom["components"] if c["type"] == "data"}
    mixed = data["mixed-licenses"]
    assert sorted(lic["id"] for lic in _licenses(mixed, "declared")) == [
        "CC-BY-4.0", "CC-BY-NC-4.0"]
    assert mixed["data"] == [{"type": "dataset", "name": "mixed-licenses"}]
    refs = bom["metadata"]["component"]["modelCard"]["modelParameters"]["datasets"]
    assert sorted(r["ref"] for r in refs) == sorted(c["bom-ref"] for c in data.values())

    graph = json.loads(hub_outputs["acme/gated-data"]["spdx"])["@graph"]
    packages = {e["name"]: e for e in graph if e["type"] == "dataset_DatasetPackage"}
    assert packages["openlab/gated-corpus"]["dataset_datasetAvailability"] == "registration"
    assert packages["openlab/web-text"]["dataset_datasetAvailability"] == "directDownload"
    gated = json.loads(hub_outputs["acme/gated-data"]["cyclonedx"])["components"]
    corpus = next(c for c in gated if c["name"] == "gated-corpus")
    assert _props(corpus)["owcheck:gated"] == ["manual"]


def test_training_code_repositories(hub_outputs: dict[str, dict[str, Any]]) -> None:
    report = _local(ROOT / "examples" / "open-model")
    bom = check_cyclonedx(renderer("cyclonedx")(report))
    code = [c for c in bom["components"] if c["type"] == "application"]
    urls = [c.url for c in report.evidence.code_releases]
    assert urls and [c["externalReferences"][0]["url"] for c in code] == urls
    assert all(_props(c)["owcheck:role"] == ["training"] for c in code)
    assert all(_props(c)["owcheck:counts"] == ["true"] for c in code)
    vcs = [r["url"] for r in bom["metadata"]["component"]["externalReferences"]
           if r["type"] == "vcs"]
    assert vcs == urls
    graph = check_spdx(renderer("spdx")(report))["@graph"]
    assert _relations(graph, "generates") == [(u, ["open-model"]) for u in urls]


def test_a_library_link_is_code_of_the_model_in_no_bom(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "---\nlicense: apache-2.0\n---\n# A model\n\n## Training\n\nTrained with "
        "[our training code](https://github.com/openlab/train).\n\n## Use\n\n"
        "```\npip install git+https://github.com/huggingface/transformers\n```\n",
        encoding="utf-8")
    report = _local(tmp_path)
    roles = {c.repo: c.role for c in report.evidence.code_releases}
    assert roles == {"github.com/openlab/train": "training",
                     "github.com/huggingface/transformers": "library"}
    bom = check_cyclonedx(renderer("cyclonedx")(report))
    code = {c["name"]: _props(c) for c in bom["components"] if c["type"] == "application"}
    assert code["github.com/huggingface/transformers"]["owcheck:role"] == ["library"]
    assert code["github.com/huggingface/transformers"]["owcheck:counts"] == ["false"]
    vcs = [r["url"] for r in bom["metadata"]["component"]["externalReferences"]
           if r["type"] == "vcs"]
    assert vcs == ["https://github.com/openlab/train"]
    graph = check_spdx(renderer("spdx")(report))["@graph"]
    assert [src for src, _ in _relations(graph, "generates")] == [
        "https://github.com/openlab/train"]
    library = next(e for e in graph if e.get("name", "").endswith("/transformers"))
    assert library["comment"] == "library code, not the model's own code"


def test_bases_read_from_other_signals_are_ancestors_in_both_boms() -> None:
    # On disk the Hub is not asked, but base_model: names a Llama 3.1 model the base-model
    # catalogue knows: it binds the weights, so both documents name it as the base.
    report = _local(REPOS / "apache-on-llama-base")
    assert report.evidence.lineage == ()
    bom = check_cyclonedx(renderer("cyclonedx")(report))
    [base] = bom["metadata"]["component"]["pedigree"]["ancestors"]
    assert (base["group"], base["name"]) == ("meta-llama", "Llama-3.1-8B-Instruct")
    assert base["purl"] == "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct"
    assert _props(base)["owcheck:signal"] == ["base_model"]
    assert _props(base)["owcheck:verdict"] == ["restricted"]
    assert [lic["name"] for lic in _licenses(base, "declared")] == [
        "Llama 3.1 Community License Agreement"]
    graph = check_spdx(renderer("spdx")(report))["@graph"]
    [(child, [parent])] = _relations(graph, "descendantOf")
    assert parent == "meta-llama/Llama-3.1-8B-Instruct"
    assert _root(graph)["name"] == child


def test_grid_frameworks_and_annotation_in_the_bom() -> None:
    report = _local(REPOS / "tier-d")
    bom = check_cyclonedx(renderer("cyclonedx")(report))
    props = _props(bom["metadata"]["component"])
    assert props["owcheck:tier"] == ["restricted-weights"]
    assert props["owcheck:weights:use"] == ["limited"]
    assert props["owcheck:framework:osaid"] == [report.grade.frameworks.osaid]
    assert all(name.startswith("owcheck:") for name in props)
    [note] = bom["annotations"]
    assert note["subjects"] == [bom["metadata"]["component"]["bom-ref"]]
    assert note["annotator"]["component"]["name"] == "owcheck"
    assert "grade D" in note["text"]
    spdx = check_spdx(renderer("spdx")(report))
    ai = _root(spdx["@graph"])
    [ext] = ai["extension"]
    entries = {p["extension_cdxPropName"]: p["extension_cdxPropValue"]
               for p in ext["extension_cdxProperty"]}
    assert entries["owcheck:grade"] == "D" and entries["owcheck:weights:share"] == "limited"


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx"])
def test_output_is_byte_identical_and_timestamps_only_when_asked(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = renderer(fmt)(_local(REPOS / "tier-b"))
    assert first == renderer(fmt)(_local(REPOS / "tier-b"))
    assert "1970-01-01T00:00:00Z" in first
    if fmt == "cyclonedx":
        assert "timestamp" not in json.loads(first)["metadata"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717200000")
    dated = renderer(fmt)(_local(REPOS / "tier-b"))
    assert "2024-06-01T00:00:00Z" in dated and "1970-01-01" not in dated
    if fmt == "cyclonedx":
        assert check_cyclonedx(dated)["metadata"]["timestamp"] == "2024-06-01T00:00:00Z"
    else:
        assert _one(check_spdx(dated)["@graph"], "CreationInfo")["created"] == (
            "2024-06-01T00:00:00Z")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(FormatError, match="SOURCE_DATE_EPOCH"):
        renderer(fmt)(_local(REPOS / "tier-b"))


def test_different_reports_get_different_document_ids() -> None:
    a = json.loads(renderer("cyclonedx")(_local(REPOS / "tier-a")))
    b = json.loads(renderer("cyclonedx")(_local(REPOS / "tier-b")))
    assert a["serialNumber"] != b["serialNumber"]
    assert a["serialNumber"].startswith("urn:uuid:")


# --------------------------------------------------------------------------- the validators bite


def test_the_validators_reject_broken_documents() -> None:
    report = _local(REPOS / "tier-a")
    bom = json.loads(renderer("cyclonedx")(report))
    bom["metadata"]["component"]["licenses"][0]["license"]["acknowledgement"] = "assumed"
    with pytest.raises(AssertionError):
        check_cyclonedx(json.dumps(bom))
    doc = json.loads(renderer("spdx")(report))
    relation = next(e for e in doc["@graph"] if e["type"] == "Relationship")
    relation["relationshipType"] = "trainedOnData"
    with pytest.raises(ValueError):
        check_spdx(json.dumps(doc))
    doc = json.loads(renderer("spdx")(report))
    next(e for e in doc["@graph"] if e["type"] == "Relationship")["to"] = ["urn:nowhere"]
    with pytest.raises(AssertionError, match="not in the document"):
        check_spdx(json.dumps(doc))


# --------------------------------------------------------------------------- the optional extra


def test_cyclonedx_without_the_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EXTRAS, Format.CYCLONEDX, ("owcheck_no_such_module",
                                                   "cyclonedx-python-lib", "bom"))
    with pytest.raises(FormatError, match=r"pip install 'owcheck\[bom\]'"):
        renderer("cyclonedx")


def test_cyclonedx_lib_is_imported_by_that_format_only() -> None:
    code = (
        "import sys\n"
        "from openweights.check import check_bundle\n"
        "from openweights.formats import renderer\n"
        "from openweights.sources.local import LocalSource\n"
        f"report = check_bundle(LocalSource().fetch({str(REPOS / 'tier-a')!r}))\n"
        "for fmt in ('json', 'sarif', 'markdown', 'spdx'):\n"
        "    renderer(fmt)(report)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('cyclonedx', 'packageurl', 'spdx_python_model')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
