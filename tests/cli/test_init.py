"""``owcheck init``: the openness block is written, and nothing else in the card changes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from openweights.card import FRONT_MATTER, parse_card
from openweights.cli import main
from openweights.init import Answers, InitError, ask, plan_block, write_block
from tests.support import CORPUS, FIXTURES, ROOT, requires_corpus, run_owcheck

REPOS = FIXTURES / "repos"
CORPUS_CARDS = sorted((CORPUS / "cards").glob("*.md")) if (CORPUS / "cards").is_dir() else []
FLAGS = ("--yes", "--weights-released", "true", "--data-released", "false")


def _init(*args: str) -> int:
    """Run ``owcheck init`` in-process (stdin is not a terminal under pytest: no questions)."""
    try:
        main(["init", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _openness_schema() -> Any:
    schema = json.loads((ROOT / "schemas" / "model-card.schema.json").read_text("utf-8"))
    return {"$defs": schema["$defs"], "$ref": "#/$defs/openness"}


def _front_matter_span(data: bytes) -> tuple[int, int] | None:
    """Byte offsets of the YAML between the '---' lines, or None without front matter."""
    text = data.decode("utf-8")
    bom = 1 if text.startswith("\ufeff") else 0
    m = FRONT_MATTER().match(text[bom:])
    if m is None:
        return None
    start = len(text[: bom + m.start(2)].encode("utf-8"))
    end = len(text[: bom + m.end(2)].encode("utf-8"))
    return start, end


def assert_only_front_matter_changed(old: bytes, new: bytes) -> dict[str, Any]:
    """Byte comparison outside the front matter; returns the new metadata."""
    span = _front_matter_span(old)
    new_span = _front_matter_span(new)
    assert new_span is not None, "the card has no front matter after init"
    if span is None:
        # Created: the whole old card follows the new front matter, byte for byte.
        assert new.endswith(old)
        assert new[: len(new) - len(old)].startswith((b"---\n", b"---\r\n", b"\xef\xbb\xbf---"))
    else:
        assert new[: span[0]] == old[: span[0]], "bytes before the front matter changed"
        assert new[new_span[1] :] == old[span[1] :], "bytes after the front matter changed"
        old_yaml, new_yaml = old[span[0] : span[1]], new[new_span[0] : new_span[1]]
        if b"openness:" not in old_yaml:
            assert new_yaml.startswith(old_yaml), "existing metadata lines changed"
    before = parse_card(old.decode("utf-8")).metadata
    after = parse_card(new.decode("utf-8")).metadata
    assert {k: v for k, v in after.items() if k != "openness"} == {
        k: v for k, v in before.items() if k != "openness"
    }
    jsonschema.validate(after["openness"], _openness_schema())
    return dict(after)


@requires_corpus
@pytest.mark.parametrize("card", CORPUS_CARDS, ids=lambda p: p.stem)
def test_init_on_every_corpus_card_changes_only_the_front_matter(
    card: Path, tmp_path: Path
) -> None:
    target = tmp_path / "card.md"
    shutil.copyfile(card, target)
    old = target.read_bytes()
    assert _init(str(target), *FLAGS) == 0
    new = target.read_bytes()
    assert new != old
    meta = assert_only_front_matter_changed(old, new)
    assert meta["openness"]["weights"]["released"] is True
    assert meta["openness"]["data"]["released"] is False
    assert _init(str(target), *FLAGS) == 0
    assert target.read_bytes() == new, "a second run must change nothing"


def test_corpus_cards_are_listed_when_the_corpus_is_there() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present (fresh clone)")
    assert len(CORPUS_CARDS) >= 20


CRLF_CARD = (
    "\ufeff---\r\n"
    "# a comment that stays\r\n"
    "license: apache-2.0   # trailing comment\r\n"
    "openness:\r\n"
    "  # a comment inside the block goes with it\r\n"
    "  weights: {released: false}\r\n"
    "  data:\r\n"
    "    released: false\r\n"
    "    sources:\r\n"
    "      - name: Books\r\n"
    "        size: 10%\r\n"
    "# a comment after the block stays\r\n"
    "\r\n"
    "tags: ['x', \"y\"]\r\n"
    "---\r\n"
    "# Model\r\n"
    "Body with trailing spaces   \r\n"
    "and a last line without newline"
)


def test_update_keeps_crlf_bom_comments_and_unmanaged_keys(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_bytes(CRLF_CARD.encode("utf-8"))
    old = card.read_bytes()
    code = _init(
        str(tmp_path),
        "--yes",
        "--weights-released",
        "true",
        "--weights-license",
        "mit",
        "--code",
        "https://github.com/example/train",
        "--code-covers",
        "training,evaluation",
    )
    assert code == 0
    new = card.read_bytes()
    meta = assert_only_front_matter_changed(old, new)
    assert new.startswith(b"\xef\xbb\xbf---\r\n# a comment that stays\r\n")
    assert b"license: apache-2.0   # trailing comment\r\n" in new
    assert b"# a comment after the block stays\r\n\r\ntags: ['x', \"y\"]\r\n---\r\n" in new
    assert b"goes with it" not in new
    assert re.search(rb"(?<!\r)\n", new) is None, "a bare LF was written into a CRLF card"
    block = meta["openness"]
    assert block["weights"] == {"released": True, "license": "mit"}
    assert block["code"] == [
        {"url": "https://github.com/example/train", "covers": ["training", "evaluation"]}
    ]
    assert block["data"]["sources"] == [{"name": "Books", "size": "10%"}]  # kept as it was


def test_card_without_front_matter_gets_one_before_the_first_byte(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_bytes(b"# Model\n\nNo metadata here.\n")
    (tmp_path / "model.safetensors").write_bytes(b"\0")
    assert _init(str(tmp_path), "--yes") == 0
    new = card.read_bytes()
    assert new.endswith(b"---\n# Model\n\nNo metadata here.\n")
    meta = assert_only_front_matter_changed(b"# Model\n\nNo metadata here.\n", new)
    # Found, not asked: weight files in the repo mean the weights are released.
    assert meta["openness"] == {"weights": {"released": True}}


def test_found_values_fill_the_block(tmp_path: Path) -> None:
    shutil.copytree(REPOS / "tier-d", tmp_path / "m")
    card = tmp_path / "m" / "README.md"
    old = card.read_bytes()
    assert _init(str(tmp_path / "m"), "--yes", "--data-released", "false") == 0
    meta = assert_only_front_matter_changed(old, card.read_bytes())
    assert meta["openness"] == {
        "weights": {"released": True, "license": "llama3.1"},
        "data": {"released": False},
    }


def test_init_then_check_sees_the_code(tmp_path: Path) -> None:
    shutil.copytree(REPOS / "tier-d", tmp_path / "m")
    before = json.loads(run_owcheck(str(tmp_path / "m"), "-f", "json").stdout)
    assert before["components"]["code"]["available"] == "unknown"
    assert _init(
        str(tmp_path / "m"), "--yes",
        "--code", "https://github.com/example/train", "--code-license", "apache-2.0",
        "--code-covers", "training,data-processing",
    ) == 0  # fmt: skip
    after = json.loads(run_owcheck(str(tmp_path / "m"), "-f", "json").stdout)
    assert after["components"]["code"]["available"] == "released"
    assert after["components"]["code"]["license"]["id"] == "apache-2.0"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"---\nlicense: [mit\n---\n# x\n", "not valid YAML"),
        (b"---\n- a\n- b\n---\n# x\n", "not a mapping"),
        (b"---\nlicense: mit\n# never closed\n", "never closes"),
        (b"---\n{license: mit, openness: {weights: {released: true}}}\n---\n", "block style"),
    ],
)
def test_unsafe_cards_are_left_alone(
    tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    card = tmp_path / "README.md"
    card.write_bytes(content)
    assert _init(str(tmp_path), *FLAGS) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and err.startswith("owcheck: error:") and "\n" not in err
    assert card.read_bytes() == content


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--weights-released", "maybe"), "--weights-released must be one of"),
        (("--data-released", "all"), "--data-released must be one of"),
        (("--code", "github.com/x/y"), "openness.code[0].url must be an http(s) URL"),
        (("--code", "https://github.com/x/y", "--code-covers", "serving"), "--code-covers"),
        (("--dataset", "https://huggingface.co/datasets/x/y"), "openness.data.datasets[0]"),
    ],
)
def test_bad_flags_are_one_line_errors(
    tmp_path: Path, flags: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    card = tmp_path / "README.md"
    card.write_bytes(b"---\nlicense: mit\n---\n# x\n")
    assert _init(str(tmp_path), "--yes", "--data-released", "true", *flags) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err, err
    assert card.read_bytes() == b"---\nlicense: mit\n---\n# x\n"


def test_dry_run_prints_a_diff_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = tmp_path / "README.md"
    card.write_bytes(b"---\nlicense: mit\n---\n# x\n")
    assert _init(str(tmp_path), "--dry-run", *FLAGS) == 0
    out = capsys.readouterr().out
    assert "+openness:\n" in out and "+    released: true\n" in out
    assert card.read_bytes() == b"---\nlicense: mit\n---\n# x\n"


def test_missing_target_and_hub_ids_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert _init("meta-llama/Llama-3.1-8B", "--yes") == 2
    assert "init works on a card on disk" in capsys.readouterr().err


def test_plan_layers_answers_over_existing_over_found() -> None:
    found = {"weights": {"released": True, "license": "mit"}, "code": [{"url": "https://a/b"}]}
    existing = {"weights": {"released": "gated"}, "code": [], "extra": 1}
    plan = plan_block(existing, found, Answers(weights_license="apache-2.0"))
    assert plan == {
        "weights": {"released": "gated", "license": "apache-2.0"},
        "code": [],  # the author said no code: a found link does not override that
        "extra": 1,
    }
    assert plan_block(None, {"weights": {"license": "mit"}}, Answers()) == {}


def test_questions_default_to_the_plan_and_parse_answers() -> None:
    plan = {"weights": {"released": True, "license": "mit"}}
    asked: list[tuple[str, str]] = []
    replies = iter(["", "", "https://github.com/x/y", "apache-2.0", "training", "partial",
                    "", "org/data", "", "none"])  # fmt: skip

    def prompt(question: str, default: str) -> str:
        asked.append((question, default))
        return next(replies)

    answers = ask(plan, Answers(), prompt)
    assert asked[0] == ("Are the weights released? (true, false, gated)", "true")
    assert asked[1][1] == "mit"
    assert answers.weights_released is None and answers.weights_license is None
    assert answers.code_urls == ("https://github.com/x/y",)
    assert answers.code_covers == ("training",)
    assert answers.data_released == "partial" and answers.datasets == ("org/data",)
    assert answers.labelling == "none"
    with pytest.raises(InitError):
        ask({}, Answers(), lambda q, d: "perhaps")


def test_block_yaml_is_what_the_hub_parses() -> None:
    text = write_block("---\nlicense: mit\n---\n", {"weights": {"released": True}})
    m = FRONT_MATTER().match(text)
    assert m is not None
    assert yaml.safe_load(m.group(2)) == {
        "license": "mit",
        "openness": {"weights": {"released": True}},
    }


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--weights-license", "not-a-license", "'not-a-license' is not a license owcheck knows"),
        ("--code-license", "mit AND foo-1", "'foo-1' is not a license owcheck knows"),
        ("--data-license", "MIT OR", "is not a license expression"),
    ],
)
def test_init_refuses_a_license_nobody_can_grade(
    tmp_path: Path, option: str, value: str, says: str
) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\n---\n# Model\n")
    before = card.read_bytes()
    done = run_owcheck("init", str(tmp_path), *FLAGS, option, value)
    assert done.returncode == 2
    err = done.stderr.strip()
    assert "\n" not in err and err.startswith(f"owcheck: error: {option}: ") and says in err
    assert card.read_bytes() == before


def test_init_takes_an_spdx_expression(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\n---\n# Model\n")
    done = run_owcheck("init", str(tmp_path), *FLAGS, "--weights-license", "MIT OR Apache-2.0")
    assert done.returncode == 0, done.stderr
    meta = parse_card(card.read_text()).metadata
    assert meta["openness"]["weights"]["license"] == "MIT OR Apache-2.0"
