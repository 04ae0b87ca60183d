"""schemas/model-card.schema.json and the fast validator in openweights/schema_check.py.

jsonschema is the reference: for every instance here and every card in the shared corpus, our
validator must agree with it on validity and on where the problems are. Our validator reports an
``additionalProperties: false`` violation at the unknown key itself, jsonschema at the enclosing
mapping; ``_reference_paths`` expands jsonschema's error to the keys so the two can be compared.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from openweights.card import parse_card
from openweights.resources import schema_path
from openweights.schema_check import (
    ANNOTATION_KEYWORDS,
    SUPPORTED_KEYWORDS,
    Schema,
    SchemaIssue,
    compile_schema,
    load_schema,
    validate,
)
from tests.support import CORPUS, ROOT, corpus_cards

SCHEMA_NAME = "model-card.schema.json"
RAW: dict[str, Any] = json.loads(schema_path(SCHEMA_NAME).read_text(encoding="utf-8"))
REFERENCE = Draft202012Validator(RAW)
CORPUS_CARDS = corpus_cards()  # empty when ../shared/corpus is absent

PathT = tuple[str | int, ...]


def _reference_paths(validator: Draft202012Validator, instance: Any) -> set[PathT]:
    paths: set[PathT] = set()
    for error in validator.iter_errors(instance):
        base = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and error.validator_value is False:
            known = error.schema.get("properties", {})
            for key in error.instance:
                if key not in known:
                    paths.add((*base, key if isinstance(key, str) else str(key)))
        else:
            paths.add(base)
    return paths


def _our_paths(instance: Any, schema: Schema | dict[str, Any] | None = None) -> set[PathT]:
    return {issue.path for issue in validate(instance, schema or load_schema(SCHEMA_NAME))}


# --- the schema itself ----------------------------------------------------------------------


def test_schema_is_a_valid_2020_12_schema() -> None:
    Draft202012Validator.check_schema(RAW)
    assert RAW["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _subschemas(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    if not isinstance(node, dict):
        return
    yield where, node
    for key in ("properties", "$defs"):
        for name, sub in node.get(key, {}).items():
            yield from _subschemas(sub, f"{where}/{key}/{name}")
    for key in ("items", "additionalProperties"):
        yield from _subschemas(node.get(key), f"{where}/{key}")
    for key in ("anyOf", "oneOf"):
        for i, sub in enumerate(node.get(key, [])):
            yield from _subschemas(sub, f"{where}/{key}/{i}")


def test_every_property_and_definition_is_documented() -> None:
    missing = [
        where
        for where, node in _subschemas(RAW, "#")
        if where != "#" and where.split("/")[-2] != "anyOf" and "description" not in node
    ]
    assert missing == []


def test_schema_uses_exactly_the_supported_keywords() -> None:
    used = {key for _, node in _subschemas(RAW, "#") for key in node}
    assert used - ANNOTATION_KEYWORDS == SUPPORTED_KEYWORDS


def test_openness_block_covers_the_three_components_and_the_data_information_points() -> None:
    defs = RAW["$defs"]
    assert set(defs["openness"]["properties"]) == {"weights", "code", "data"}
    data = defs["opennessData"]["properties"]
    assert set(data) >= {
        "released", "license", "datasets", "sources", "processing_code", "labelling"
    }
    source = defs["dataSource"]["properties"]
    assert {"name", "id", "url", "license", "size", "share", "provenance", "shared",
            "reason_not_shared"} <= set(source)
    assert defs["opennessWeights"]["properties"]["released"]["enum"] == [True, False, "gated"]


def test_examples_are_valid_for_both_validators() -> None:
    assert RAW["examples"]
    for example in RAW["examples"]:
        assert list(REFERENCE.iter_errors(example)) == []
        assert validate(example, load_schema(SCHEMA_NAME)) == []
        assert "openness" in example


# --- agreement with jsonschema on hand-written instances ------------------------------------

TYPICAL: dict[str, Any] = {
    "license": "apache-2.0",
    "language": ["en", "fr"],
    "library_name": "transformers",
    "pipeline_tag": "text-generation",
    "tags": ["chat", "llama"],
    "datasets": ["example/chat-mix"],
    "base_model": "example/base-7b",
    "base_model_relation": "finetune",
    "metrics": ["accuracy"],
    "inference": False,
    "thumbnail": None,
    "co2_eq_emissions": 1200.5,
    "widget": [{"text": "Hello", "example_title": "greeting"}],
    "model-index": [
        {
            "name": "example-7b-chat",
            "results": [
                {
                    "task": {"type": "text-generation"},
                    "dataset": {"name": "ARC", "type": "ai2_arc", "args": {"num_few_shot": 25}},
                    "metrics": [{"type": "acc_norm", "value": 61.2}],
                    "source": {"url": "https://example.org/leaderboard"},
                }
            ],
        }
    ],
    "model_creator": "Example Org",  # unknown keys are allowed, as on the Hub
    "arxiv": 2307.09288,
}

CASES: list[tuple[str, dict[str, Any], set[PathT]]] = [
    # valid
    ("empty metadata", {}, set()),
    ("typical card with unknown keys", TYPICAL, set()),
    (
        "lists where lists are allowed",
        {"license": ["mit", "openrail"], "base_model": ["a/x", "b/y"],
         "base_model_relation": "merge", "language": "en", "datasets": "example/one", "tags": [],
         "programming_language": ["python"]},
        set(),
    ),
    (
        "gate form fields of every shape",
        {"extra_gated_prompt": "Please agree.", "extra_gated_heading": "Access",
         "extra_gated_button_content": "Submit",
         "extra_gated_fields": {
             "Name": "text", "Country": {"type": "country"}, "Date of birth": "date_picker",
             "Use": {"type": "select",
                     "options": ["research", {"label": "Other", "value": "other"}]},
         }},
        set(),
    ),
    (
        "openness: gated weights, no code, undisclosed data described per source",
        {"openness": {
            "weights": {"released": "gated", "license": "llama3.1",
                        "url": "https://huggingface.co/example/model"},
            "code": [],
            "data": {
                "released": False,
                "sources": [
                    {"name": "Licensed books", "license": "proprietary", "size": 5e11, "share": 1,
                     "provenance": "Bought from publishers", "shared": False,
                     "reason_not_shared": "The contract forbids redistribution."},
                ],
                "processing_code": {"url": "https://github.com/example/clean"},
                "labelling": "none",
            },
        }},
        set(),
    ),
    (
        "openness: full release, mapping-valued co2 and inference",
        {"co2_eq_emissions": {"emissions": 10, "source": "estimate", "hardware_used": "8 GPUs"},
         "inference": {"parameters": {"max_new_tokens": 200}},
         "openness": {
             "weights": {"released": True},
             "code": [{"url": "https://github.com/example/train", "license": "apache-2.0",
                       "covers": ["training", "data-processing", "evaluation", "inference"]}],
             "data": {"released": True, "license": "odc-by", "datasets": ["example/corpus", "c4"],
                      "sources": [{"id": "example/corpus", "share": 0.0}, {"url": "https://x.org/d"}]},
         }},
        set(),
    ),
    # invalid: top-level Hub keys
    ("license is a mapping", {"license": {"name": "mit"}}, {("license",)}),
    ("license list holds a number", {"license": ["mit", 3]}, {("license", 1)}),
    ("license is a date", {"license": datetime.date(2024, 1, 1)}, {("license",)}),
    ("license is empty (null)", {"license": None}, {("license",)}),
    ("datasets holds a null", {"datasets": [None], "metrics": [None]},
     {("datasets", 0), ("metrics", 0)}),
    (
        "base_model is a mapping, or a list of lists",
        {"base_model": {"id": "a/b"}, "new_version": ["a/c"]},
        {("base_model",), ("new_version",)},
    ),
    ("base_model list nests a list", {"base_model": [["a/b"]]}, {("base_model", 0)}),
    ("unknown base_model_relation", {"base_model_relation": "merged"}, {("base_model_relation",)}),
    ("tags is a string", {"tags": "chat"}, {("tags",)}),
    (
        "lists where strings are expected",
        {"library_name": ["transformers"], "pipeline_tag": ["text-generation"],
         "license_name": ["x"], "extra_gated_prompt": ["a", "b"]},
        {("library_name",), ("pipeline_tag",), ("license_name",), ("extra_gated_prompt",)},
    ),
    ("language list holds a number", {"language": ["en", 1]}, {("language", 1)}),
    (
        "model-index of the wrong shapes",
        {"model-index": [{"name": "x", "results": {"task": {}}}, "y"]},
        {("model-index", 0, "results"), ("model-index", 1)},
    ),
    ("inference as a string", {"inference": "false"}, {("inference",)}),
    (
        "co2 and thumbnail of the wrong types",
        {"co2_eq_emissions": "10 kg", "thumbnail": 3, "widget": {"text": "hi"}},
        {("co2_eq_emissions",), ("thumbnail",), ("widget",)},
    ),
    (
        "bad gate fields",
        {"extra_gated_fields": {"Country": "dropdown", "Use": {"type": "select"}, "Age": 5,
                                "Team": {"type": "select", "options": [1]}}},
        {("extra_gated_fields", "Country"), ("extra_gated_fields", "Use"),
         ("extra_gated_fields", "Age"), ("extra_gated_fields", "Team")},
    ),
    # invalid: openness
    ("openness is a string", {"openness": "fully open"}, {("openness",)}),
    ("openness has an unknown key", {"openness": {"weight": {}}}, {("openness", "weight")}),
    (
        "weights: bad released, missing released, typo key",
        {"openness": {"weights": {"released": "yes", "licence": "mit"}}},
        {("openness", "weights", "released"), ("openness", "weights", "licence")},
    ),
    ("weights: released 1 is not true", {"openness": {"weights": {"released": 1}}},
     {("openness", "weights", "released")}),
    (
        "weights: released missing, url not a URL, empty license",
        {"openness": {"weights": {"url": "huggingface.co/x", "license": ""}}},
        {("openness", "weights"), ("openness", "weights", "url"),
         ("openness", "weights", "license")},
    ),
    ("code is a mapping", {"openness": {"code": {"url": "https://github.com/x/y"}}},
     {("openness", "code")}),
    (
        "code items: missing url, empty covers, unknown stage, license list",
        {"openness": {"code": [
            {"license": "mit", "covers": []},
            {"url": "https://github.com/x/y", "covers": ["train"], "license": ["mit"]},
        ]}},
        {("openness", "code", 0), ("openness", "code", 0, "covers"),
         ("openness", "code", 1, "covers", 0), ("openness", "code", 1, "license")},
    ),
    (
        "data: released missing, datasets not ids",
        {"openness": {"data": {"datasets": ["https://huggingface.co/datasets/a/b", "ok/id"]}}},
        {("openness", "data"), ("openness", "data", "datasets", 0)},
    ),
    (
        "data: unknown released, datasets a string, sources empty",
        {"openness": {"data": {"released": "some", "datasets": "a/b", "sources": []}}},
        {("openness", "data", "released"), ("openness", "data", "datasets"),
         ("openness", "data", "sources")},
    ),
    (
        "data sources: no name/id/url, bad share, size, shared, typo",
        {"openness": {"data": {"released": False, "sources": [
            {"share": 1.5, "size": -1, "shared": "no", "licence": "cc-by-4.0"},
            {"name": "web", "share": "80%", "provenance": "", "reason_not_shared": 3},
        ]}}},
        {("openness", "data", "sources", 0), ("openness", "data", "sources", 0, "share"),
         ("openness", "data", "sources", 0, "size"), ("openness", "data", "sources", 0, "shared"),
         ("openness", "data", "sources", 0, "licence"),
         ("openness", "data", "sources", 1, "share"),
         ("openness", "data", "sources", 1, "provenance"),
         ("openness", "data", "sources", 1, "reason_not_shared")},
    ),
    (
        "data: processing_code a string, labelling a list",
        {"openness": {"data": {"released": True, "processing_code": "https://github.com/x/y",
                               "labelling": ["crowd"]}}},
        {("openness", "data", "processing_code"), ("openness", "data", "labelling")},
    ),
    (
        "data: processing_code without url, empty labelling",
        {"openness": {"data": {"released": True, "processing_code": {"license": "mit"},
                               "labelling": ""}}},
        {("openness", "data", "processing_code"), ("openness", "data", "labelling")},
    ),
]


@pytest.mark.parametrize(
    ("instance", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_cases_agree_with_jsonschema(instance: dict[str, Any], expected: set[PathT]) -> None:
    assert _our_paths(instance) == expected
    assert _reference_paths(REFERENCE, instance) == expected


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 20
    assert sum(1 for _, _, paths in CASES if paths) >= 15


def test_messages_are_single_lines_that_name_the_path() -> None:
    schema = load_schema(SCHEMA_NAME)
    for _, instance, _ in CASES:
        for issue in validate(instance, schema):
            assert isinstance(issue, SchemaIssue)
            assert "\n" not in issue.message
            head = ".".join(str(p) for p in issue.path if isinstance(p, str))
            assert issue.path == () or head.split(".")[0] in issue.message


@pytest.mark.parametrize(
    ("instance", "message"),
    [
        ({"license": {"name": "mit"}},
         "license must be a string or a list of strings, not a mapping"),
        ({"license": ["mit", 3]}, "license[1] must be a string, not the number 3"),
        ({"datasets": [None]}, "datasets[0] must be a string, not empty (null)"),
        ({"base_model_relation": "merged"},
         'base_model_relation must be one of adapter, merge, quantized, finetune, not "merged"'),
        ({"openness": {"weights": {"released": True, "licence": "mit"}}},
         "unknown key 'licence' in openness.weights; did you mean 'license'?"),
        ({"openness": {"weights": {"released": True, "url": "github.com/x"}}},
         'openness.weights.url must be an http(s) URL, not "github.com/x"'),
        ({"openness": {"data": {"released": False, "sources": [{"share": 0.5}]}}},
         "openness.data.sources[0] needs at least one of the keys name, id or url"),
        ({"openness": {"data": {"released": False, "sources": [{"name": "a", "share": 2}]}}},
         "openness.data.sources[0].share must be at most 1, not 2"),
        ({"extra_gated_fields": {"Use": {"type": "select"}}},
         "extra_gated_fields.Use is missing the required key 'options'"),
        ({"extra_gated_fields": {"Organization or Affiliation": "dropdown"}},
         'extra_gated_fields["Organization or Affiliation"] must be one of text, checkbox, '
         'date_picker, country, ip_location, not "dropdown"'),
    ],
)
def test_messages(instance: dict[str, Any], message: str) -> None:
    assert [i.message for i in validate(instance, load_schema(SCHEMA_NAME))] == [message]


def test_issue_paths_are_card_key_lines() -> None:
    text = (
        "---\n"
        "license:\n"
        "  name: mit\n"
        "datasets:\n"
        "- example/a\n"
        "-\n"
        "openness:\n"
        "  weights:\n"
        "    released: yes-please\n"
        "---\n"
        "# Model\n"
    )
    card = parse_card(text)
    issues = validate(card.metadata, load_schema(SCHEMA_NAME))
    assert {i.path: card.key_lines.get(i.path) for i in issues} == {
        ("license",): 2,
        ("datasets", 1): 6,
        ("openness", "weights", "released"): 9,
    }


# --- the shared corpus ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "card_path", CORPUS_CARDS or [None], ids=[p.name for p in CORPUS_CARDS] or ["no-corpus"]
)
def test_corpus_cards_agree_with_jsonschema(card_path: Path | None) -> None:
    if card_path is None:
        pytest.skip(f"shared corpus not found at {CORPUS}")
    card = parse_card(card_path.read_text(encoding="utf-8", errors="replace"), card_path.name)
    ours = validate(card.metadata, load_schema(SCHEMA_NAME))
    reference = _reference_paths(REFERENCE, dict(card.metadata))
    assert (not ours) == (not reference)
    assert {i.path for i in ours} == reference


# --- the validator --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "patternProperties": {"^x-": {}}},
        {"properties": {"url": {"type": "string", "format": "uri"}}},
        {"type": "array", "prefixItems": [{"type": "string"}]},
        {"items": {"$ref": "https://example.org/other.json"}},
        {"$defs": {"a": {"uniqueItems": True}}, "items": {"$ref": "#/$defs/a"}},
    ],
    ids=["patternProperties", "format", "prefixItems", "remote-ref", "keyword-in-def"],
)
def test_unsupported_keywords_are_refused_at_load(schema: dict[str, Any]) -> None:
    with pytest.raises(NotImplementedError):
        compile_schema(schema)


def test_load_schema_is_cached() -> None:
    first = load_schema(SCHEMA_NAME)
    assert load_schema(SCHEMA_NAME) is first
    assert first.raw == RAW


SYNTHETIC: dict[str, Any] = {
    "$defs": {
        "tree": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 3},
                "children": {"type": "array", "items": {"$ref": "#/$defs/tree"}},
            },
        },
    },
    "type": "object",
    "properties": {
        "count": {"type": "integer", "minimum": 1},
        "kind": {"const": "model"},
        "pair": {"type": "array", "minItems": 2, "items": {"type": ["number", "null"]}},
        "either": {"oneOf": [{"type": "string"}, {"type": "string", "pattern": "^a"}]},
        "tree": {"$ref": "#/$defs/tree"},
        "flag": {"enum": [False, 0.5, None]},
    },
}


@pytest.mark.parametrize(
    "instance",
    [
        {"count": 2, "kind": "model", "pair": [1, None], "either": "b", "flag": None},
        {"count": 2.0, "pair": [0.5, 1], "flag": 0.5},
        {"count": 0, "kind": "dataset", "pair": [1], "either": "abc"},
        {"count": True, "kind": 1, "pair": [True, "x"], "flag": 0, "either": 3},
        {"count": 1.5, "flag": [False]},
        {"tree": {"name": "root", "children": [{"name": "ab"}, {"children": []}, {"name": 1}]}},
        {"tree": {"name": "root", "children": [{"name": "leaf", "children": "none"}]}},
    ],
)
def test_synthetic_schema_agrees_with_jsonschema(instance: dict[str, Any]) -> None:
    reference = _reference_paths(Draft202012Validator(SYNTHETIC), instance)
    assert _our_paths(instance, SYNTHETIC) == reference


def test_synthetic_schema_finds_what_it_should() -> None:
    assert _our_paths({"count": 0, "either": "abc", "pair": [1, 2]}, SYNTHETIC) == {
        ("count",), ("either",)
    }
    assert _our_paths({"flag": 0}, SYNTHETIC) == {("flag",)}  # 0 is not false


def test_a_false_subschema_is_reported_at_its_key() -> None:
    # jsonschema 4.26 drops the path of a boolean-false subschema error, so this one is checked
    # against our own expectation only; the model-card schema uses false only for
    # additionalProperties, where both validators give a usable path.
    issues = validate({"never": 1, "ok": 2}, {"properties": {"never": False}})
    assert [(i.path, i.message) for i in issues] == [(("never",), "never is not allowed here")]


def test_module_does_not_import_jsonschema() -> None:
    code = (
        "import sys, time\n"
        "t0 = time.perf_counter()\n"
        "from openweights.schema_check import load_schema, validate\n"
        "schema = load_schema('model-card.schema.json')\n"
        "issues = validate({'license': 'mit', 'tags': ['a']}, schema)\n"
        "elapsed = time.perf_counter() - t0\n"
        "assert issues == [], issues\n"
        "assert 'jsonschema' not in sys.modules, 'jsonschema was imported'\n"
        "print(elapsed)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    # Its speed is measured in benchmarks/bench_check.py, side by side with the floor: a
    # wall-clock bound here would only measure how loaded the machine is.


def test_a_typical_card_with_an_openness_block_validates_cleanly() -> None:
    schema = load_schema(SCHEMA_NAME)
    card = {**TYPICAL, "openness": RAW["examples"][0]["openness"]}
    assert validate(card, schema) == []
