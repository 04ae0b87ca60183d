"""One repo-id reading for command-line targets and card values; what counts as a path."""

from __future__ import annotations

import pytest

from openweights.repoids import (
    TargetError,
    hub_url_path,
    looks_like_path,
    parse_model_target,
    repo_id_from,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("org/name", ("org/name", None)),
        ("gpt2", ("gpt2", None)),
        ("org/name@v1.0", ("org/name", "v1.0")),
        ("hf.co/org/name", ("org/name", None)),
        ("HF.co/org/name", ("org/name", None)),
        ("huggingface.co/org/name", ("org/name", None)),
        ("www.huggingface.co/org/name/tree/dev", ("org/name", "dev")),
        ("https://hf.co/org/name", ("org/name", None)),
        ("http://huggingface.co/org/name/blob/refs%2Fpr%2F3/README.md", ("org/name", "refs/pr/3")),
        ("https://huggingface.co/gpt2/tree/main", ("gpt2", "main")),
    ],
)
def test_targets_and_card_values_read_the_same(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_model_target(text) == expected
    if "@" not in text:  # a card value names no revision
        assert repo_id_from(text) == expected[0]


@pytest.mark.parametrize(
    "text",
    ["hf.co/datasets/org/d", "https://huggingface.co/spaces/org/app", "https://example.com/a/b",
     "org/na me", "org/name@", "", "../x"],
)
def test_not_model_targets(text: str) -> None:
    with pytest.raises(TargetError):
        parse_model_target(text)


def test_a_source_endpoint_counts_only_with_its_scheme() -> None:
    assert parse_model_target("http://127.0.0.1:9/org/name", ["127.0.0.1:9"]) == ("org/name", None)
    assert hub_url_path("127.0.0.1:9/org/name", ["127.0.0.1:9"]) is None
    assert hub_url_path("org/name") is None


def test_dataset_values_in_cards() -> None:
    assert repo_id_from("hf.co/datasets/org/d", "dataset") == "org/d"
    assert repo_id_from("huggingface.co/datasets/org/d/viewer", "dataset") == "org/d"
    assert repo_id_from("hf.co/org/m", "dataset") is None


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("README.md", True), ("READM.md", True), ("card.markdown", True), ("notes.TXT", True),
        (".", True), ("./x", True), ("../x", True), ("/abs/x", True), ("~/x", True),
        ("C:\\models\\x", True), ("models\\x", True), (".hidden", True),
        ("org/name", False), ("meta-llama/Llama-3.1-8B", False), ("Qwen/Qwen2.5-7B", False),
        ("gpt2", False), ("https://huggingface.co/org/name/blob/main/README.md", False),
        ("hf.co/org/name/blob/main/README.md", False),
    ],
)
def test_what_looks_like_a_path(text: str, path: bool) -> None:
    assert looks_like_path(text) is path
