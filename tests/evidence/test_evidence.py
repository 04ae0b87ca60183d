"""The evidence (``openweights/evidence/``): what is known per component, with its origin, and
the facts the rules read instead of reaching past it (license_link, unknown ids, schema)."""

from __future__ import annotations

import pytest

from openweights.evidence import Evidence, build_evidence, detect_modality
from openweights.licensing.catalogue import load_catalogue
from openweights.licensing.grader import Verdict
from openweights.records import replace
from openweights.repoids import license_link_path
from openweights.sources import Bundle
from tests.rules.examples import bundle_from_example

WEIGHTS = "==> model.safetensors <==\n(weights)\n"


def evidence_of(example: str) -> Evidence:
    return build_evidence(bundle_from_example(example), load_catalogue())


def card(meta: str, body: str = "# A model\n", files: str = WEIGHTS) -> str:
    return f"---\n{meta}---\n{body}{files}"


# --------------------------------------------------------------------------- license_link


@pytest.mark.parametrize(
    ("value", "path", "remote"),
    [
        ("LICENSE", "LICENSE", False),
        ("./LICENSE.md", "LICENSE.md", False),
        ("/LICENSE#terms", "LICENSE", False),
        ("docs/LICENSE.txt?plain=1", "docs/LICENSE.txt", False),
        ("../LICENSE", None, False),
        ("https://example.org/terms", None, True),
        ("https://huggingface.co/org/name/blob/main/LICENSE", None, True),
    ],
)
def test_license_link_names_a_repo_file_or_none(
    value: str, path: str | None, remote: bool
) -> None:
    ev = evidence_of(card(f"license: other\nlicense_name: mine\nlicense_link: {value!r}\n"))
    assert ev.license_link is not None
    assert (ev.license_link.value, ev.license_link.path, ev.license_link.remote) == (
        value, path, remote)
    assert (ev.license_link.origin.path, ev.license_link.origin.line) == ("README.md", 4)


@pytest.mark.parametrize("value", ["''", "[LICENSE]", "42"])
def test_license_link_that_is_not_a_string_is_no_link(value: str) -> None:
    assert evidence_of(card(f"license: mit\nlicense_link: {value}\n")).license_link is None


@pytest.mark.parametrize(
    ("url", "repo", "kind", "path"),
    [
        ("https://huggingface.co/org/name/blob/main/LICENSE", "org/name", "model", "LICENSE"),
        ("https://hf.co/org/name/resolve/v1.0/terms/USE.md", "org/name", "model", "terms/USE.md"),
        ("https://huggingface.co/datasets/org/data/raw/main/LICENSE", "org/data", "dataset",
         "LICENSE"),
        ("https://huggingface.co/other/repo/blob/main/LICENSE", "org/name", "model", None),
        ("https://huggingface.co/org/name/tree/main", "org/name", "model", None),
        ("https://example.org/org/name/blob/main/LICENSE", "org/name", "model", None),
        ("http://127.0.0.1:8765/org/name/blob/main/LICENSE", "org/name", "model", None),
    ],
)
def test_hub_urls_name_a_file_only_of_the_same_repo(
    url: str, repo: str, kind: str, path: str | None
) -> None:
    assert license_link_path(url, repo, kind) == path  # type: ignore[arg-type]


def test_a_source_adds_its_own_endpoint_host() -> None:
    url = "http://127.0.0.1:8765/org/name/blob/main/LICENSE"
    assert license_link_path(url, "org/name", hosts={"127.0.0.1:8765"}) == "LICENSE"


def test_the_local_source_reads_the_file_the_evidence_names(tmp_path: object) -> None:
    from pathlib import Path

    from openweights.sources.local import LocalSource

    root = Path(str(tmp_path))
    (root / "README.md").write_text(card("license: other\nlicense_name: mine\n"
                                         "license_link: ./terms/TERMS.md#use\n", files=""))
    (root / "terms").mkdir()
    (root / "terms" / "TERMS.md").write_text("Our own terms.\n")
    bundle = LocalSource().fetch(str(root))
    ev = build_evidence(bundle, load_catalogue())
    assert ev.license_link is not None and ev.license_link.path == "terms/TERMS.md"
    assert set(bundle.subject.license_files) == {"terms/TERMS.md"}


# --------------------------------------------------------------------------- facts for rules


def test_unknown_license_ids_come_with_the_closest_catalogue_ids() -> None:
    ev = evidence_of(card("license: apache-two\n"))
    assert set(ev.close_license_ids) == {"apache-two"}
    assert "apache-2.0" in ev.close_license_ids["apache-two"]


@pytest.mark.parametrize("meta", ["license: apache-2.0\n",
                                  "license: other\nlicense_name: our-own-terms\n"])
def test_known_ids_and_custom_names_have_no_hint(meta: str) -> None:
    assert evidence_of(card(meta)).close_license_ids == {}


def test_metadata_schema_problems_are_facts_with_lines() -> None:
    ev = evidence_of(card("pipeline_tag: text-generation\nbase_model_relation:\n  fine-tuned\n"))
    assert len(ev.metadata_issues) == 1
    issue = ev.metadata_issues[0]
    assert "base_model_relation" in issue.claim
    assert (issue.origin.path, issue.origin.line) == ("README.md", 3)


def test_values_of_the_wrong_type_are_ignored_facts_not_schema_problems() -> None:
    ev = evidence_of(card("pipeline_tag: text-generation\nlicense:\n  name: apache-2.0\n"))
    assert ev.metadata_issues == ()
    [fact] = ev.ignored_metadata
    assert fact.claim == "license must be a string or a list of strings, not a mapping: ignored"
    assert (fact.origin.path, fact.origin.line) == ("README.md", 3)
    assert ev.declared == ()


def test_valid_metadata_has_no_schema_problems() -> None:
    ev = evidence_of(card("license: apache-2.0\nbase_model_relation: finetune\n"))
    assert ev.metadata_issues == ()


# --------------------------------------------------------------------------- components


def test_weight_files_make_the_weights_released() -> None:
    ev = evidence_of(card("license: apache-2.0\n"))
    assert ev.weights.availability == "released"
    assert any("weight file" in f.claim and f.origin.path == "model.safetensors"
               for f in ev.weights.facts)


def test_a_repo_without_weight_files_has_unknown_weights() -> None:
    ev = evidence_of(card("license: apache-2.0\n", files="==> config.json <==\n{}\n"))
    assert ev.weights.availability == "unknown"
    assert any(f.claim == "no weight files in the repo" for f in ev.weights.facts)


def test_a_gated_repo_has_gated_weights() -> None:
    bundle = bundle_from_example(card("license: apache-2.0\n"))
    gated: Bundle = replace(bundle, subject=replace(bundle.subject, gated="auto"))
    ev = build_evidence(gated, load_catalogue())
    assert ev.weights.availability == "gated"
    assert any(f.origin.field == "gated" for f in ev.weights.facts)


def test_the_openness_block_can_say_weights_are_not_released() -> None:
    ev = evidence_of(card("license: apache-2.0\nopenness:\n  weights:\n    released: false\n"))
    assert ev.weights.availability == "not-released"
    fact = next(f for f in ev.weights.facts if f.claim.startswith("openness block"))
    assert fact.origin.line == 4  # the `weights:` key


def test_metadata_license_is_read_with_its_line() -> None:
    ev = evidence_of(card("pipeline_tag: text-generation\nlicense: mit\n"))
    assert ev.own_license.entry is not None and ev.own_license.entry.id == "mit"
    assert (ev.own_license.source, ev.own_license.origin.line) == ("metadata", 3)
    assert ev.weights.license.verdict is Verdict.OPEN


def test_code_releases_come_from_the_openness_block() -> None:
    ev = evidence_of(card(
        "license: apache-2.0\nopenness:\n  code:\n    - url: https://github.com/example-org/t\n"
        "      license: mit\n      covers: [training, evaluation]\n"))
    assert [(c.url, c.covers) for c in ev.code_releases] == [
        ("https://github.com/example-org/t", ("training", "evaluation"))]
    assert ev.code.availability == "released"
    assert ev.code.license.entry is not None and ev.code.license.entry.id == "mit"


def test_no_code_link_leaves_the_code_unknown() -> None:
    ev = evidence_of(card("license: apache-2.0\n"))
    assert (ev.code.availability, ev.code_releases) == ("unknown", ())


def test_datasets_named_locally_are_not_looked_up() -> None:
    ev = evidence_of(card("license: apache-2.0\ndatasets:\n  - org/books\n"))
    assert [(d.id, d.found) for d in ev.datasets] == [("org/books", None)]


def test_a_derivative_takes_the_terms_of_its_most_restrictive_base() -> None:
    ev = evidence_of(card(
        "license: apache-2.0\nbase_model: org/base\n",
        files=WEIGHTS + "==> hub:org/base/README.md <==\n---\nlicense: llama3.1\n---\n# Base\n"))
    assert ev.own_license.entry is not None and ev.own_license.entry.id == "apache-2.0"
    assert ev.weights.license.entry is not None and ev.weights.license.entry.id == "llama3.1"
    assert ev.weights.license.verdict is Verdict.RESTRICTED
    assert [(link.id, link.child, link.found) for link in ev.lineage] == [
        ("org/base", "example/model", True)]


@pytest.mark.parametrize(
    ("meta", "modality"),
    [
        ("pipeline_tag: image-text-to-text\n", "multimodal"),
        ("pipeline_tag: text-generation\n", "text"),
        ("tags: [vision]\n", "multimodal"),
        ("license: mit\n", None),
    ],
)
def test_modality(meta: str, modality: str | None) -> None:
    ev = evidence_of(card(meta))
    assert ev.modality == modality
    assert detect_modality(ev.card, None) == modality
