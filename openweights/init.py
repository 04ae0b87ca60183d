"""``owcheck init``: write or update the ``openness:`` block in a card's front matter.

The block is built from three layers, strongest first: answers (flags or questions), what the
card's existing block says, and what owcheck found (weights files, the license, code links,
``datasets:``). Keys owcheck does not manage (``data.sources``, unknown keys) are kept.

Only the bytes of the block change. The rest of the front matter (comments, key order, quoting,
indentation) and everything after it (the Markdown body) stay byte for byte, including CRLF
line ends and a UTF-8 BOM. A card without front matter gets one, placed before the first byte.
The result is parsed again before it is written: if anything other than the block would read
differently, nothing is written and the error says why.
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from openweights import records
from openweights.card import FRONT_MATTER, parse_yaml_block
from openweights.codelinks import COVERS_DECLARED
from openweights.evidence import Evidence
from openweights.patterns import lazy
from openweights.records import record

BOM = "\ufeff"
COVERS = COVERS_DECLARED
WEIGHTS_RELEASED: dict[str, bool | str] = {"true": True, "false": False, "gated": "gated"}
DATA_RELEASED: dict[str, bool | str] = {"true": True, "false": False, "partial": "partial"}
_KEY_ORDER = {
    "": ("weights", "code", "data"),
    "weights": ("released", "license", "url"),
    "code": ("url", "license", "covers"),
    "data": ("released", "license", "datasets", "sources", "processing_code", "labelling"),
}
_OPENNESS_LINE = lazy(r"""^(?:openness|"openness"|'openness')[ \t]*:""")
_OPENS = lazy(r"^\s*---[ \t]*(?:\r\n|\r|\n)")
_LINE = lazy(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_DATASET_ID = lazy(r"^(?:[A-Za-z0-9_][A-Za-z0-9_.-]*/)?[A-Za-z0-9_][A-Za-z0-9_.-]{0,95}$")


class InitError(Exception):
    """The card cannot be updated safely; the message says why, in one line."""

    exit_code = 2


@record
class Answers:
    """Values given on the command line or typed at a prompt; None means "not given"."""

    weights_released: bool | str | None = None
    """true, false or ``gated``."""
    weights_license: str | None = None
    """License id of the weights."""
    weights_url: str | None = None
    """Where the weights can be downloaded or requested."""
    code_urls: tuple[str, ...] | None = None
    """Code releases; an empty tuple states that no code was released."""
    code_license: str | None = None
    """License of every code release given."""
    code_covers: tuple[str, ...] | None = None
    """Stages the code covers (``training``, ``data-processing``, ...)."""
    data_released: bool | str | None = None
    """true, false or ``partial``."""
    data_license: str | None = None
    """License of the data as a whole."""
    datasets: tuple[str, ...] | None = None
    """Hub dataset ids holding the released data."""
    processing_code: str | None = None
    """URL of the data processing code."""
    labelling: str | None = None
    """How the data was labelled, or ``none``."""


# --------------------------------------------------------------------------- the block


def _license_id(finding: Any) -> str | None:
    """The catalogue id of a license finding, or what the metadata said if unresolved."""
    if finding.entry is not None:
        return str(finding.entry.id)
    if finding.source in ("metadata", "openness") and finding.raw and finding.raw != "other":
        return str(finding.raw)
    return None


def found_block(ev: Evidence) -> dict[str, Any]:
    """What owcheck can tell on its own, in the block's shape; what it cannot tell is left out."""
    block: dict[str, Any] = {}
    weights: dict[str, Any] = {}
    released = {"released": True, "gated": "gated", "not-released": False}.get(
        ev.weights.availability
    )
    if released is not None:
        weights["released"] = released
    lic = _license_id(ev.own_license)
    if lic:
        weights["license"] = lic
    if weights:
        block["weights"] = weights
    code = []
    for rel in ev.code_releases:
        if rel.role in ("library", "unknown") or not set(rel.covers) - {"inference"}:
            continue  # links to libraries the model runs on are not the model's code release
        entry: dict[str, Any] = {"url": rel.url}
        code_license = _license_id(rel.license)
        if code_license:
            entry["license"] = code_license
        covers = [c for c in rel.covers if c in COVERS]
        if covers:
            entry["covers"] = covers
        code.append(entry)
    if code:
        block["code"] = code
    datasets = [d.id for d in ev.datasets if _DATASET_ID().match(d.id)]
    if datasets:
        block["data"] = {"datasets": datasets}
    return block


def _layer(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over``'s keys on top of ``base``, one level of mappings deep."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **copy.deepcopy(dict(value))}
        else:
            out[key] = copy.deepcopy(value)
    return out


def _code_entries(current: list[Any], answers: Answers) -> list[Any]:
    entries = current
    if answers.code_urls is not None:
        by_url = {e.get("url"): e for e in current if isinstance(e, dict)}
        entries = [copy.deepcopy(by_url.get(url, {"url": url})) for url in answers.code_urls]
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        if answers.code_license is not None:
            entry["license"] = answers.code_license
        if answers.code_covers is not None:
            entry["covers"] = list(answers.code_covers)
    return entries


def _ordered(value: Any, scope: str = "") -> Any:
    """Known keys in the schema's order, unknown keys after them as they were."""
    if isinstance(value, dict):
        order = _KEY_ORDER.get(scope, ())
        keys = [k for k in order if k in value] + [k for k in value if k not in order]
        return {k: _ordered(value[k], k if scope == "" else f"{scope}.{k}") for k in keys}
    if isinstance(value, list):
        return [_ordered(v, scope) for v in value]
    return value


def plan_block(
    existing: Mapping[str, Any] | None, found: Mapping[str, Any], answers: Answers
) -> dict[str, Any]:
    """The block to write: answers over the existing block over what was found."""
    existing = existing or {}
    block = _layer(dict(found), existing)
    weights = dict(block.get("weights") or {}) if isinstance(block.get("weights"), dict) else {}
    for key, value in (
        ("released", answers.weights_released),
        ("license", answers.weights_license),
        ("url", answers.weights_url),
    ):
        if value is not None:
            weights[key] = value
    if "released" in weights or "weights" in existing:
        block["weights"] = weights
    else:
        block.pop("weights", None)  # ``released`` is required: do not guess it
    code = block.get("code")
    code_list = code if isinstance(code, list) else []
    if answers.code_urls is not None or code_list:
        block["code"] = _code_entries(code_list, answers)
    data = dict(block.get("data") or {}) if isinstance(block.get("data"), dict) else {}
    for key, value in (
        ("released", answers.data_released),
        ("license", answers.data_license),
        ("labelling", answers.labelling),
    ):
        if value is not None:
            data[key] = value
    if answers.datasets is not None:
        data["datasets"] = list(answers.datasets)
    if answers.processing_code is not None:
        proc = data.get("processing_code")
        proc = dict(proc) if isinstance(proc, dict) else {}
        proc["url"] = answers.processing_code
        data["processing_code"] = proc
    if "released" in data or "data" in existing:
        block["data"] = data
    else:
        block.pop("data", None)
    return dict(_ordered(block))


def missing_parts(block: Mapping[str, Any]) -> list[str]:
    """Parts of the block left out because nobody said whether they were released."""
    return [part for part in ("weights", "data") if part not in block]


class _BlockDumper(yaml.SafeDumper):
    """Indents list items under their key, as cards on the Hub usually do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    # Short lists of plain values read best inline: ``covers: [training, evaluation]``.
    flow = bool(data) and all(isinstance(v, str | int | float | bool) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_BlockDumper.add_representer(list, _represent_list)


def render_block(block: Mapping[str, Any], newline: str = "\n") -> str:
    """``openness:`` and its block as YAML, each line ended with ``newline``."""
    text = yaml.dump(
        {"openness": dict(block)},
        Dumper=_BlockDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return text.replace("\n", newline)


# --------------------------------------------------------------------------- the card


def _lines(text: str) -> list[str]:
    """Lines with their ends kept; only CR, LF and CRLF end a line (as in YAML)."""
    return [m.group(0) for m in _LINE().finditer(text) if m.group(0)]


def newline_of(text: str) -> str:
    """The card's line end: the first one in the text (LF when there is none)."""
    m = re.search(r"\r\n|\r|\n", text)
    return m.group(0) if m else "\n"


def _is_trailer(line: str) -> bool:
    """A line that stays outside the block when it ends it: blank, or a top-level comment."""
    return not line.strip() or line.startswith("#")


def current_block(text: str) -> Mapping[str, Any] | None:
    """The ``openness:`` block a card has now, or None."""
    if text.startswith(BOM):
        text = text[1:]
    m = FRONT_MATTER().match(text)
    if m is None:
        return None
    value, _, error, _ = parse_yaml_block(m.group(2), 1)
    if error or not isinstance(value, dict):
        return None
    block = value.get("openness")
    return block if isinstance(block, dict) else None


def _replace_in_yaml(yaml_text: str, rendered: str, newline: str) -> str:
    value, key_lines, error, _ = parse_yaml_block(yaml_text, 1)
    if error:
        raise InitError(f"the front matter is not valid YAML ({error}); fix it first")
    if value is not None and not isinstance(value, dict):
        raise InitError("the front matter is not a mapping of keys; fix it first")
    lines = _lines(yaml_text)
    if not isinstance(value, dict) or "openness" not in value:
        if not yaml_text.strip():
            return rendered.rstrip("\r\n")
        sep = "" if yaml_text.endswith(("\n", "\r")) else newline
        return yaml_text + sep + rendered.rstrip("\r\n")
    tops = {path[0]: line for path, line in key_lines.items() if len(path) == 1}
    start = tops["openness"]
    shared = [k for k, line in tops.items() if line == start and k != "openness"]
    if shared or start > len(lines) or not _OPENNESS_LINE().match(lines[start - 1]):
        raise InitError(
            "the openness block is not written in block style at the start of a line; "
            "edit it by hand"
        )
    end = min((line for line in tops.values() if line > start), default=len(lines) + 1) - 1
    while end > start and _is_trailer(lines[end - 1]):
        end -= 1
    replaced = "".join(lines[start - 1 : end])
    new = rendered if replaced.endswith(("\n", "\r")) else rendered.rstrip("\r\n")
    return "".join(lines[: start - 1]) + new + "".join(lines[end:])


def write_block(text: str, block: Mapping[str, Any]) -> str:
    """The card ``text`` with its openness block set to ``block``; InitError when unsafe."""
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom) :]
    newline = newline_of(body)
    rendered = render_block(block, newline)
    m = FRONT_MATTER().match(body)
    if m is None:
        if _OPENS().match(body):
            raise InitError("the front matter opens with '---' but never closes; fix it first")
        new_body = f"---{newline}{rendered}---{newline}{body}"
        old_yaml: str | None = None
    else:
        old_yaml = m.group(2)
        new_yaml = _replace_in_yaml(old_yaml, rendered, newline)
        new_body = body[: m.start(2)] + new_yaml + body[m.end(2) :]
    _verify(body, new_body, old_yaml, block)
    return bom + new_body


def _verify(old: str, new: str, old_yaml: str | None, block: Mapping[str, Any]) -> None:
    """The new card must read as the old one plus the block, and keep the same body."""
    m = FRONT_MATTER().match(new)
    if m is None:
        raise InitError("internal: the new front matter is not found; card left unchanged")
    value, _, error, _ = parse_yaml_block(m.group(2), 1)
    if error or not isinstance(value, dict):
        raise InitError(f"the updated front matter would not parse ({error}); card left unchanged")
    before: dict[str, Any] = {}
    if old_yaml is not None:
        parsed, _, _, _ = parse_yaml_block(old_yaml, 1)
        before = dict(parsed) if isinstance(parsed, dict) else {}
    rest_new = {k: v for k, v in value.items() if k != "openness"}
    rest_old = {k: v for k, v in before.items() if k != "openness"}
    if rest_new != rest_old or list(rest_new) != list(rest_old):
        raise InitError(
            "updating the openness block would change other metadata (unusual layout); "
            "edit it by hand"
        )
    if value.get("openness") != dict(block):
        raise InitError("the block would not read back as written; card left unchanged")
    old_m = FRONT_MATTER().match(old)
    old_rest = old[old_m.end() :] if old_m else old
    if new[m.end() :] != old_rest:
        raise InitError("internal: the card body would change; card left unchanged")


def update_card(data: bytes, block: Mapping[str, Any]) -> bytes:
    """The card's bytes with the block written; InitError for undecodable cards."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InitError(f"the card is not valid UTF-8 (byte {exc.start})") from None
    return write_block(text, block).encode("utf-8")


def split_list(value: str) -> tuple[str, ...]:
    """A comma- or space-separated answer as a tuple (empty for "" or ``none``)."""
    if value.strip().lower() in ("", "none", "-"):
        return ()
    return tuple(v for v in re.split(r"[,\s]+", value.strip()) if v)


def parse_choice(value: str, choices: Mapping[str, bool | str], what: str) -> bool | str:
    """``true``/``false``/... as the block's value; InitError naming ``what`` otherwise."""
    key = value.strip().lower()
    key = {"yes": "true", "y": "true", "no": "false", "n": "false"}.get(key, key)
    if key not in choices:
        raise InitError(f"{what} must be one of {', '.join(choices)}, not {value!r}")
    return choices[key]


LICENSE_OPTIONS = {
    "weights_license": "--weights-license",
    "code_license": "--code-license",
    "data_license": "--data-license",
}
"""The answers that name a license, with the option that gives each."""


def check_license(value: str, option: str) -> None:
    """InitError unless ``value`` is a license id owcheck knows or an SPDX expression of them
    (``MIT OR Apache-2.0``): a block must not state terms nobody can grade."""
    from openweights.licensing.catalogue import load_catalogue
    from openweights.licensing.expressions import (
        ExpressionError,
        is_expression,
        read_expression,
    )

    catalogue = load_catalogue()
    if catalogue.resolve(value) is not None:
        return
    unknown = value
    if is_expression(value):
        try:
            named = read_expression(value, catalogue, lambda _entry: 0).named
        except ExpressionError as exc:
            raise InitError(f"{option}: {exc}") from None
        missing = [n for n in named if catalogue.resolve(n) is None]
        if not missing:
            return
        unknown = missing[0]
    close = catalogue.suggest(unknown)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise InitError(f"{option}: {unknown!r} is not a license owcheck knows{hint}; "
                    "see `owcheck licenses`")


def check_licenses(answers: Answers) -> None:
    """``check_license`` for every license an answer gives."""
    for field_name, option in LICENSE_OPTIONS.items():
        value = getattr(answers, field_name)
        if isinstance(value, str) and value.strip():
            check_license(value.strip(), option)


def validate_block(block: Mapping[str, Any]) -> list[str]:
    """Schema problems of the block, one line each (empty when it is valid)."""
    from openweights.schema_check import load_schema, validate

    issues = validate({"openness": dict(block)}, load_schema("model-card.schema.json"))
    return [i.message for i in issues]


def covers_of(values: Sequence[str]) -> tuple[str, ...]:
    """Validated ``covers`` values."""
    bad = [v for v in values if v not in COVERS]
    if bad:
        raise InitError(f"--code-covers: {bad[0]!r} is not one of {', '.join(COVERS)}")
    return tuple(values)


# --------------------------------------------------------------------------- questions


def _shown(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def ask(plan: Mapping[str, Any], answers: Answers, prompt: Any) -> Answers:
    """Fill the answers not given by asking ``prompt(question, default) -> str``.

    The default shown is what the block would say anyway; accepting it changes nothing. An
    empty answer leaves the part as it is; ``none`` states that there is none (for code).
    """
    weights = _mapping(plan.get("weights"))
    data = _mapping(plan.get("data"))
    code = [c for c in plan.get("code") or [] if isinstance(c, dict)]
    code_licenses = {c.get("license") for c in code}
    proc = _mapping(data.get("processing_code"))
    questions: list[tuple[str, str, Any]] = [
        (
            "weights_released",
            "Are the weights released? (true, false, gated)",
            weights.get("released"),
        ),
        ("weights_license", "License of the weights", weights.get("license")),
        (
            "code_urls",
            "Training code URLs (comma-separated; 'none' if not released)",
            [c.get("url") for c in code] or None,
        ),
        (
            "code_license",
            "License of the code",
            code_licenses.pop() if len(code_licenses) == 1 else None,
        ),
        (
            "code_covers",
            f"What the code covers ({', '.join(COVERS)})",
            code[0].get("covers") if code else None,
        ),
        (
            "data_released",
            "Is the training data released? (true, false, partial)",
            data.get("released"),
        ),
        (
            "data_license",
            "License of the data (if released under one license)",
            data.get("license"),
        ),
        (
            "datasets",
            "Hub dataset ids of the released data (comma-separated)",
            data.get("datasets"),
        ),
        ("processing_code", "URL of the data processing code", proc.get("url")),
        ("labelling", "How was the data labelled? ('none' if it was not)", data.get("labelling")),
    ]
    given: dict[str, Any] = {}
    for name, question, current in questions:
        if getattr(answers, name) is not None:
            continue
        if (
            name.startswith("code_")
            and name != "code_urls"
            and not code
            and not given.get("code_urls")
        ):
            continue  # no code to describe
        default = _shown(current)
        reply = str(prompt(question, default)).strip()
        if reply == default or not reply:
            continue
        given[name] = _parse_answer(name, reply)
    return records.replace(answers, **given)


def _parse_answer(name: str, reply: str) -> Any:
    if name == "weights_released":
        return parse_choice(reply, WEIGHTS_RELEASED, "the weights' release")
    if name == "data_released":
        return parse_choice(reply, DATA_RELEASED, "the data's release")
    if name in ("code_urls", "datasets"):
        return split_list(reply)
    if name == "code_covers":
        return covers_of(split_list(reply))
    return reply


# --------------------------------------------------------------------------- files


def prepare(target: Path, answers: Answers) -> tuple[Path, bytes, dict[str, Any]]:
    """(card file, its bytes, the block to write) for a model repo or card on disk."""
    from openweights.evidence import build_evidence
    from openweights.licensing.catalogue import load_catalogue
    from openweights.sources.local import LocalSource

    check_licenses(answers)
    if not target.exists():
        raise InitError(f"no such file or directory: {target} (init works on a card on disk)")
    bundle = LocalSource().fetch(str(target))
    card_file = target / (bundle.subject.card_path or "README.md") if target.is_dir() else target
    data = card_file.read_bytes()
    evidence = build_evidence(bundle, load_catalogue())
    existing = current_block(data.decode("utf-8", errors="replace"))
    return card_file, data, plan_block(existing, found_block(evidence), answers)


def diff(old: bytes, new: bytes, name: str) -> str:
    """A unified diff of the card, for ``--dry-run``."""
    import difflib

    a = old.decode("utf-8", errors="replace").splitlines(keepends=True)
    b = new.decode("utf-8", errors="replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, f"a/{name}", f"b/{name}"))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path``'s content in one step, keeping its permissions."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
