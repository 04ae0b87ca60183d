"""A seeded mutator of model cards, and the harness that grades each mutant.

Seeds are our own cards (``tests/fixtures/repos/``, ``tests/hub/repos/``, ``examples/``, the rule
examples) and, when present, the shared corpus (``../shared/corpus/cards/`` and ``wild/``).
Each case applies one to three mutations chosen by a ``random.Random`` seeded with the run's seed
and the case number, so any case can be replayed alone: wrong YAML types, YAML tags, control
characters, invalid UTF-8, truncations, garbage ``openness:`` blocks, swapped license ids, huge
values, deep nesting, broken Markdown, odd line endings. Some cases then get the material base
models are read from (``openweights/evidence/bases.py``), from a second generator seeded the
same way (the cases above stay as they were): lineage words, model names, links and long runs
in the text, model-tree tags, and ``config.json``/``adapter_config.json`` and GGUF/safetensors
headers beside the card, wrong-typed, huge, truncated or garbled.

A case passes when the card, written to a directory as a model repo, is either graded (every
format renders; the JSON report is valid against ``schemas/report.schema.json``) or refused by
the source with a one-line error and exit code 2, and nothing else escapes.

    python -m tests.fuzzing --cases 10000 [--seed 12]   # a long run, with a summary
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tests.support import CORPUS, FIXTURES, ROOT, report_validator

DEFAULT_SEED = 12
CASE_SECONDS = 20.0
"""A case that takes longer than this fails: a hang is a bug too (super-linear code)."""


# --- seeds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """A card to mutate, with the LICENSE text of its repo when it has one."""

    name: str
    """Where it comes from."""
    card: bytes
    """The card."""
    license: bytes | None = None
    """A LICENSE file of the same repo."""


@cache
def seeds() -> tuple[Seed, ...]:
    """Every seed card: ours always, the shared corpus when it is there."""
    found: list[Seed] = []
    ours = [*sorted((FIXTURES / "repos").glob("*/README.md")),
            *sorted((ROOT / "examples").glob("*/README.md")),
            *sorted((ROOT / "tests" / "hub" / "repos").glob("*/*/*/*/README.md"))]
    for card in ours:
        licenses = sorted(card.parent.glob("LICENSE*"))
        found.append(Seed(str(card.relative_to(ROOT)), card.read_bytes(),
                          licenses[0].read_bytes() if licenses else None))
    from openweights.rules import all_rules
    from tests.rules.examples import split_files

    for code, rule in all_rules().items():
        for kind, example in sorted(rule.examples().items()):
            card = split_files(example)["README.md"]
            if card.strip():
                found.append(Seed(f"{code} {kind}", card.encode("utf-8")))
    if CORPUS.is_dir():
        for folder in ("cards", "wild"):
            for card in sorted((CORPUS / folder).glob("*.md")):
                if card.name != "SOURCES.md":
                    found.append(Seed(f"corpus/{folder}/{card.name}", card.read_bytes()))
    return tuple(found)


# --- mutations -----------------------------------------------------------------------------

KEYS = ("license", "license_name", "license_link", "base_model", "base_model_relation",
        "datasets", "pipeline_tag", "tags", "library_name", "extra_gated_prompt", "openness",
        "language", "model-index", "inference", "widget", "new_version", "1", "true", "null")
LICENSE_IDS = ("apache-2.0", "mit", "llama3.1", "llama2", "gemma", "cc-by-nc-4.0", "other",
               "unknown", "openrail", "bigscience-openrail-m", "cc-by-4.0", "gpl-3.0", "bsd",
               "Apache 2.0", "MIT License", "llama-3.1", "apache_2.0", "not-a-license", "",
               "cc", "lgpl", "qwen", "deepseek", "creativeml-openrail-m", "afl-3.0")
TAGS = ("!!bool maybe", "!!bool yes", "!!int ''", "!!int 0x1F", "!!int 1:30", "!!float ''",
        "!!float .nan", "!!timestamp xyz", "!!timestamp 2024-01-01", "!!set {a, b, c}",
        "!!set {mit, apache-2.0, bsd}", "!!binary aGVsbG8=", "!!binary '%%%'", "!!binary YQ",
        "!!python/name:os.system", "!!python/object/apply:os.system ['true']", "!!omap [a: 1]",
        "!!pairs [a: 1, a: 2]", "!custom x", "!!str 5", "!!null x", "!!map [1]", "!!seq {a: 1}",
        "!!str {a: 1}", "!<tag:example.org,2024:thing> x", "=", "!!merge x", "!!value x")
SCALARS = ("yes", "No", "on", "~", "null", "true", "0", "-1", "1e309", "-.inf", ".nan",
           "0o17", "0b101", "2024-02-30", "2001-12-14 21:59:43.10 -5", "12:30:45", "'quoted'",
           '"esc \\u263a \\x00"', "'it''s'", "|\n  block\n  text", ">-\n  folded", "@bad",
           "`bad", "%bad", "- item", "? key", "*undefined", "&anchor value", "a: b: c",
           "[unclosed", "{unclosed", "'unterminated", '"bad \\q escape"', "\t\ttab")
CONTROL = [chr(c) for c in (*range(0, 32), 127, 0x85, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xD7FF)]
OPENNESS_WORDS = ("weights", "code", "data", "released", "license", "url", "covers", "sources",
                  "datasets", "processing_code", "labelling", "size", "share", "shared", "id",
                  "name", "provenance", "reason_not_shared", "gated", "partial")


def _value(rng: random.Random, depth: int = 0) -> str:
    """A random YAML value in flow style (sometimes a wrong-typed one on purpose)."""
    roll = rng.random()
    if depth > 3 or roll < 0.35:
        return rng.choice([*SCALARS[:22], *LICENSE_IDS, str(rng.randint(-10**6, 10**6))])
    if roll < 0.5:
        return rng.choice(TAGS)
    if roll < 0.75:
        return "[" + ", ".join(_value(rng, depth + 1) for _ in range(rng.randint(0, 4))) + "]"
    keys = [rng.choice([*OPENNESS_WORDS, *KEYS]) for _ in range(rng.randint(0, 4))]
    return "{" + ", ".join(f"{k}: {_value(rng, depth + 1)}" for k in keys) + "}"


def _front_matter(text: str) -> tuple[str, list[str], str] | None:
    """(opening, front-matter lines, rest) of a card with front matter, else None."""
    m = re.match(r"(\s*---[ \t]*\r?\n)(.*?)(\r?\n---[ \t]*(?:\r?\n|$).*)", text, re.S)
    if m is None:
        return None
    return m.group(1), m.group(2).split("\n"), m.group(3)


def _with_key(text: str, key: str, value: str) -> str:
    """The card with top-level ``key`` set to ``value`` (YAML text), added if absent."""
    parts = _front_matter(text)
    if parts is None:
        return f"---\n{key}: {value}\n---\n{text}"
    opening, lines, rest = parts
    out: list[str] = []
    skipping = False
    done = False
    for line in lines:
        if skipping and (line.startswith((" ", "\t", "-")) or not line.strip()):
            continue
        skipping = False
        if re.match(rf"{re.escape(key)}\s*:", line) and not done:
            out.append(f"{key}: {value}")
            skipping = done = True
            continue
        out.append(line)
    if not done:
        out.insert(0, f"{key}: {value}")
    return opening + "\n".join(out) + rest


def _wrong_type(rng: random.Random, text: str) -> str:
    return _with_key(text, rng.choice(KEYS), _value(rng))


def _yaml_tag(rng: random.Random, text: str) -> str:
    key = rng.choice(("license", "license", "pipeline_tag", "tags", "base_model", "datasets",
                      "license_name", "openness"))
    return _with_key(text, key, rng.choice(TAGS))


def _swap_license(rng: random.Random, text: str) -> str:
    ids = rng.sample(LICENSE_IDS, rng.randint(1, 3))
    value = ids[0] if len(ids) == 1 and rng.random() < 0.6 else "[" + ", ".join(
        json.dumps(i) for i in ids) + "]"
    text = _with_key(text, "license", value)
    if "other" in ids or rng.random() < 0.3:
        text = _with_key(text, "license_name", rng.choice(LICENSE_IDS) or "x")
    return text


def _garbage_openness(rng: random.Random, text: str) -> str:
    if rng.random() < 0.5:
        return _with_key(text, "openness", _value(rng, 1))
    block = ["openness:"]
    for part in rng.sample(("weights", "code", "data", "extra"), rng.randint(1, 3)):
        block.append(f"  {part}:")
        for _ in range(rng.randint(0, 4)):
            indent = "    - " if rng.random() < 0.4 else "    "
            block.append(f"{indent}{rng.choice(OPENNESS_WORDS)}: {_value(rng, 2)}")
    parts = _front_matter(text)
    if parts is None:
        return "---\n" + "\n".join(block) + "\n---\n" + text
    opening, lines, rest = parts
    lines = [line for line in lines if not line.startswith("openness")]
    return opening + "\n".join([*lines, *block]) + rest


def _control_chars(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 5)):
        pos = rng.randint(0, len(text))
        text = text[:pos] + rng.choice(CONTROL) * rng.randint(1, 3) + text[pos:]
    return text


def _huge_value(rng: random.Random, text: str) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return _with_key(text, rng.choice(KEYS), "x" * rng.randint(10_000, 200_000))
    if kind == 1:
        return _with_key(text, rng.choice(KEYS), "9" * rng.choice((4300, 4301, 20_000)))
    if kind == 2:
        items = ", ".join(f"org{i}/m{i}" for i in range(rng.randint(100, 600)))
        return _with_key(text, rng.choice(("license", "base_model", "datasets", "tags")),
                         f"[{items}]")
    if kind == 3:
        return text + "\n" + ("word " * rng.randint(10_000, 60_000)) + "\n"
    return text + "\n" + "# " + " " * rng.randint(1000, 50_000) + "x\n"


def _deep_nesting(rng: random.Random, text: str) -> str:
    depth = rng.choice((20, 150, 199, 201, 400, 1200))
    flow = rng.random() < 0.5
    value = "[" * depth + "]" * depth if flow else "{a: " * depth + "1" + "}" * depth
    return _with_key(text, rng.choice(KEYS), value)


def _alias_games(rng: random.Random, text: str) -> str:
    choices = (
        "&a [x, y]\ntags: *a",
        "&a {license: mit}\nother: {<<: *a, x: 1}",
        "*nowhere",
        "&a [*a]",
        "&a [1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b]\n"
        "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
    )
    return _with_key(text, rng.choice(("license", "base", "x")), rng.choice(choices))


def _markdown(rng: random.Random, text: str) -> str:
    pieces = ("\n```\n", "\n~~~python\n", "<!--", "-->", "<!-- owcheck: ignore OW2",
              "<!-- owcheck: ignore OW201 -- because -->", "\n# ", "\n###### ", "\n####### x",
              "[More Information Needed]", "\n## Training data\n", "\n## License\n",
              "https://github.com/org/repo/blob/main/LICENSE", "https://github.com/a/b",
              "huggingface.co/datasets/a/b", "fine-tuned from ", "based on Llama-2-7B",
              "licensed under the Apache 2.0 license. ", "open source", "%2F%", "<b>", "|", "\\")
    for _ in range(rng.randint(1, 6)):
        pos = rng.randint(0, len(text))
        text = text[:pos] + rng.choice(pieces) + text[pos:]
    return text


def _line_endings(rng: random.Random, text: str) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return text.replace("\n", "\r\n")
    if kind == 1:
        return text.replace("\n", "\r")
    if kind == 2:
        return "\ufeff" + text
    return "".join(c + ("\r" if c == "\n" and rng.random() < 0.3 else "") for c in text)


def _shuffle_lines(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.randrange(3)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        else:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


TEXT_MUTATIONS: dict[str, Callable[[random.Random, str], str]] = {
    "wrong-type": _wrong_type,
    "yaml-tag": _yaml_tag,
    "swap-license": _swap_license,
    "garbage-openness": _garbage_openness,
    "control-chars": _control_chars,
    "huge-value": _huge_value,
    "deep-nesting": _deep_nesting,
    "aliases": _alias_games,
    "markdown": _markdown,
    "line-endings": _line_endings,
    "shuffle-lines": _shuffle_lines,
}


def _invalid_utf8(rng: random.Random, data: bytes) -> bytes:
    bad = rng.choice((b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                      b"\xc0\xaf", b"\x00"))
    pos = rng.randint(0, len(data))
    return data[:pos] + bad + data[pos:]


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


BYTE_MUTATIONS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "invalid-utf8": _invalid_utf8,
    "truncate": _truncate,
}


# --- the lineage layer: what base models are read from ---------------------------------------

LINEAGE_FILES = ("config.json", "adapter_config.json", "model.gguf", "model.safetensors")
"""Files of a repo the evidence reads base models from (besides the card)."""
BASE_IDS = ("meta-llama/Llama-2-7b-hf", "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B",
            "mistralai/Mistral-7B-v0.1", "google/gemma-2-9b", "deepseek-ai/DeepSeek-R1",
            "org/unknown-model", "./checkpoints/run-3", "/home/me/llama-2-7b",
            "https://huggingface.co/meta-llama/Llama-2-7b-hf", "hf.co/Qwen/Qwen2-7B", "", " ")
LINEAGE_PIECES = (
    "Finetuned from ", "- **Finetuned from model [optional]:** ", "fine-tuned from ",
    "A merge of ", "merged with ", "quantized from ", "GGUF version of ", "distilled from ",
    "teacher model: ", "based on the ", "built upon ", "on top of ", "LoRA adapter for ",
    " and ", ", ", "Llama 2 7B", "Llama-3.1-8B-Instruct", "Qwen2.5", "Mistral 7B", "Gemma",
    "Mixtral 8x7B", "[Llama 2](https://huggingface.co/meta-llama/Llama-2-7b-hf)", "]()", "](",
    "[", "]", " architecture", "not ", "better than ", "trained from scratch", "-based",
    "\n  - model: meta-llama/Llama-2-7b-hf\n", "\nmodels:\n  - model: ", "\nbase_model: ",
    "\n# Llama 2 7B GGUF\n", "\n# ", "released under MIT", "for research purposes only",
    "non-commercial use only", "the weights are licensed under ", "; the code is ",
    "license: ", "基于", "。", "meta-llama/Llama-2-7b-hf", "Qwen/Qwen2.5-7B ",
)


def _lineage_words(rng: random.Random, text: str) -> str:
    """Lineage phrases, model names and links put into the card, with now and then a long run
    of one piece (blank lines, spaces, stars, link targets), or a model-tree tag."""
    for _ in range(rng.randint(1, 8)):
        if rng.random() < 0.1:
            piece = rng.choice(("\n", " ", "*", "]()", "[", "For", "- ", "Llama 2 ", "tuned ["))
            piece *= rng.randint(100, 20_000)
        else:
            piece = rng.choice(LINEAGE_PIECES)
        pos = rng.randint(0, len(text))
        text = text[:pos] + piece + text[pos:]
    if rng.random() < 0.2:
        relation = rng.choice(("adapter", "finetune", "quantized", "merge", "odd", ""))
        tag = f"base_model:{relation + ':' if relation else ''}{rng.choice(BASE_IDS)}"
        text = _with_key(text, "tags", json.dumps([tag, rng.choice(BASE_IDS)]))
    return text


def _json_value(rng: random.Random, depth: int = 0) -> object:
    """A value for a config file: usually a model id, sometimes anything at all."""
    roll = rng.random()
    if roll < 0.5 or depth > 2:
        return rng.choice((*BASE_IDS, "LlamaForCausalLM", "For" * rng.randint(1, 5000) + "!",
                           "x" * rng.randint(1, 50_000), 7, 1.5, True, None))
    if roll < 0.75:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(("a", "_name_or_path", "1")): _json_value(rng, depth + 1)}


def _garble(rng: random.Random, data: bytes) -> bytes:
    """Truncated, or a few bytes changed (sizes and counts included)."""
    if rng.random() < 0.5:
        return data[: rng.randint(0, len(data))]
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _lineage_files(rng: random.Random) -> tuple[tuple[str, bytes], ...]:
    """Config files and weight-file headers with base models in them, often broken."""
    from tests.weightfile_fixtures import gguf_bytes, safetensors_bytes

    files: list[tuple[str, bytes]] = []
    if rng.random() < 0.6:
        name = rng.choice(("config.json", "adapter_config.json"))
        key = "_name_or_path" if name == "config.json" else "base_model_name_or_path"
        config: dict[str, object] = {key: _json_value(rng)}
        if name == "config.json":
            config["architectures"] = _json_value(rng) if rng.random() < 0.5 else [
                rng.choice(("LlamaForCausalLM", "Qwen2ForCausalLM", "GemmaModel", "X"))]
            config["model_type"] = _json_value(rng)
        raw = json.dumps(config).encode("utf-8")
        kind = rng.randrange(4)
        if kind == 0:
            raw = _garble(rng, raw)
        elif kind == 1:
            raw = b"[" * rng.choice((10, 1000, 100_000)) + b"]"
        files.append((name, raw))
    if rng.random() < 0.6:
        def text() -> str:
            value = _json_value(rng)
            return value if isinstance(value, str) else rng.choice(LICENSE_IDS)

        keys = ("general.license", "general.name", "general.basename",
                "general.base_model.0.repo_url", "general.base_model.0.name",
                "general.base_model.1.organization", "general.source.huggingface.repository")
        meta = {k: text() for k in rng.sample(keys, rng.randint(1, len(keys)))}
        if rng.random() < 0.5:
            raw = gguf_bytes({**meta, "general.base_model.count": 2},
                             version=rng.choice((1, 2, 3)), order=rng.choice(("<", ">")),
                             tokens=rng.choice((0, 0, 50)))
            name = "model.gguf"
        else:
            st = {("license" if k == "general.license" else k): v for k, v in meta.items()}
            raw = safetensors_bytes(st, tensors=rng.randint(1, 3))
            name = "model.safetensors"
        if rng.random() < 0.5:
            raw = _garble(rng, raw)
        files.append((name, raw))
    return tuple(files)


@dataclass(frozen=True)
class Case:
    """One mutant: the card (and maybe a LICENSE) and how it was made."""

    number: int
    """Its number in the run (with the run's seed, enough to make it again)."""
    seed: str
    """The seed card's name."""
    mutations: tuple[str, ...]
    """The mutations applied, in order."""
    card: bytes
    """The mutated card."""
    license: bytes | None = None
    """A LICENSE file beside it, possibly mutated too."""
    files: tuple[tuple[str, bytes], ...] = ()
    """Other files of the repo (``LINEAGE_FILES``): configs and weight-file headers."""


def make_case(run_seed: int, number: int) -> Case:
    """Case ``number`` of the run seeded with ``run_seed`` (the same every time)."""
    rng = random.Random(f"owcheck-fuzz:{run_seed}:{number}")
    seed = rng.choice(seeds())
    names: list[str] = []
    data = seed.card
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        if rng.random() < 0.15:
            name = rng.choice(sorted(BYTE_MUTATIONS))
            data = BYTE_MUTATIONS[name](rng, data)
        else:
            name = rng.choice(sorted(TEXT_MUTATIONS))
            text = data.decode("utf-8", "surrogateescape")
            data = TEXT_MUTATIONS[name](rng, text).encode("utf-8", "surrogateescape")
        names.append(name)
    license_text = seed.license if rng.random() < 0.5 else None
    if license_text is not None and rng.random() < 0.3:
        license_text = _invalid_utf8(rng, license_text) if rng.random() < 0.5 else (
            _truncate(rng, license_text))
        names.append("license-file")
    # The lineage layer draws from its own generator: the cases without it are unchanged.
    more = random.Random(f"owcheck-fuzz-lineage:{run_seed}:{number}")
    files: tuple[tuple[str, bytes], ...] = ()
    if more.random() < 0.3:
        text = data.decode("utf-8", "surrogateescape")
        data = _lineage_words(more, text).encode("utf-8", "surrogateescape")
        names.append("lineage-words")
    if more.random() < 0.25:
        files = _lineage_files(more)
        names.append("lineage-files")
    return Case(number, seed.name, tuple(names), data, license_text, files)


# --- the harness ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of a case."""

    case: Case
    """The case."""
    kind: str = "graded"
    """``graded``, ``refused`` or ``failed``."""
    detail: str = ""
    """The refusal's message, or what went wrong."""
    seconds: float = 0.0
    """How long grading took."""


def write_repo(case: Case, directory: Path) -> Path:
    """The case as a model repo on disk: README.md, maybe LICENSE and lineage files (a file an
    earlier case left in the same directory is removed)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "README.md").write_bytes(case.card)
    files = dict(case.files)
    if case.license is not None:
        files["LICENSE"] = case.license
    for name in ("LICENSE", *LINEAGE_FILES):
        if name in files:
            (directory / name).write_bytes(files[name])
        elif (directory / name).exists():
            (directory / name).unlink()
    return directory


class _Timeout(Exception):
    pass


def grade_case(case: Case, directory: Path) -> Outcome:
    """Grade one case in this process, as `owcheck DIR` would, and judge the result."""
    from openweights.card import parse_card
    from openweights.check import check_bundle
    from openweights.formats import FORMATS, renderer
    from openweights.sources import SourceError
    from openweights.sources.local import LocalSource

    outcome = Outcome(case)
    repo = write_repo(case, directory)

    def expired(_signum: int, _frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
    start = time.perf_counter()
    try:
        parse_card.cache_clear()
        try:
            bundle = LocalSource().fetch(str(repo))
        except SourceError as exc:
            message = str(exc)
            outcome.kind, outcome.detail = "refused", message
            if exc.exit_code != 2 or "\n" in message or not message.strip():
                outcome.kind = "failed"
                outcome.detail = f"refusal is not one line with exit 2: {exc.exit_code} {message!r}"
            return outcome
        report = check_bundle(bundle)
        for fmt in FORMATS:
            rendered = renderer(fmt)(report)
            if not isinstance(rendered, str) or not rendered:
                raise AssertionError(f"{fmt}: nothing rendered")
            rendered.encode("utf-8")  # what the console writes: must be encodable
        data = json.loads(renderer("json")(report))
        errors = sorted(report_validator().iter_errors(data), key=lambda e: list(e.path))
        if errors:
            raise AssertionError("; ".join(f"{list(e.path)}: {e.message}" for e in errors[:3]))
    except _Timeout:
        outcome.kind, outcome.detail = "failed", f"took more than {CASE_SECONDS:.0f} s"
    except Exception as exc:
        outcome.kind = "failed"
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        outcome.detail = (f"{type(exc).__name__}: {str(exc)[:300]} "
                          f"({Path(frame.filename).name}:{frame.lineno})")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        outcome.seconds = time.perf_counter() - start
    return outcome


def run_cases(run_seed: int, numbers: range, directory: Path) -> Iterator[Outcome]:
    """Grade every case of ``numbers``, in order."""
    for number in numbers:
        yield grade_case(make_case(run_seed, number), directory / "repo")


@dataclass
class Summary:
    """Counts of a run, and its failures grouped by what went wrong."""

    graded: int = 0
    """Cases graded."""
    refused: int = 0
    """Cases refused by the source (exit 2, one line)."""
    failures: dict[str, list[Outcome]] = field(default_factory=dict)
    """Failed cases by detail (without the case-specific part)."""
    slowest: float = 0.0
    """The slowest case, in seconds."""

    def add(self, outcome: Outcome) -> None:
        """Count one outcome."""
        self.slowest = max(self.slowest, outcome.seconds)
        if outcome.kind == "graded":
            self.graded += 1
        elif outcome.kind == "refused":
            self.refused += 1
        else:
            key = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", outcome.detail)[:160]
            self.failures.setdefault(key, []).append(outcome)

    def report(self) -> str:
        """A few lines for a person."""
        failed = sum(len(v) for v in self.failures.values())
        lines = [f"{self.graded} graded, {self.refused} refused, {failed} failed; "
                 f"slowest case {self.slowest:.2f} s"]
        for key, outcomes in sorted(self.failures.items(), key=lambda kv: -len(kv[1])):
            first = outcomes[0]
            lines.append(f"  {len(outcomes)} x {key}")
            lines.append(f"      e.g. case {first.case.number} ({first.case.seed}; "
                         f"{', '.join(first.case.mutations)}): {first.detail[:200]}")
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A long fuzzing run over model cards.")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--first", type=int, default=0, help="first case number")
    parser.add_argument("--save", type=Path, help="write each failing card here")
    args = parser.parse_args(argv)
    import tempfile

    summary = Summary()
    start = time.perf_counter()
    print(f"{len(seeds())} seed cards; seed {args.seed}; cases {args.first}.."
          f"{args.first + args.cases - 1}", flush=True)
    with tempfile.TemporaryDirectory(prefix="owcheck-fuzz-") as tmp:
        for outcome in run_cases(args.seed, range(args.first, args.first + args.cases),
                                 Path(tmp)):
            summary.add(outcome)
            if outcome.kind == "failed" and args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"case-{outcome.case.number}.md").write_bytes(outcome.case.card)
            done = summary.graded + summary.refused + sum(map(len, summary.failures.values()))
            if done % 1000 == 0:
                print(f"  {done} cases, {time.perf_counter() - start:.0f} s", flush=True)
    print(summary.report())
    print(f"{time.perf_counter() - start:.0f} s")
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
