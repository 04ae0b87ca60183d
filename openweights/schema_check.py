"""A small, fast JSON Schema (2020-12) validator for the schemas owcheck ships.

Why not ``jsonschema``: importing it costs 75-90 ms, most of the pre-commit budget (<100 ms).
This module handles exactly the keywords ``schemas/model-card.schema.json`` uses and refuses
any other when the schema is loaded, so the schema cannot silently outgrow it. The tests check
that it agrees with ``jsonschema`` (still a dependency for tests and tools) on every case.

Differences from ``jsonschema`` that are deliberate, for line-precise findings:

- ``additionalProperties: false`` reports each unknown key at the key's own path (jsonschema
  reports one error at the enclosing mapping).
- After a ``type`` mismatch the other keywords of that subschema are skipped (they could only
  repeat the same complaint at the same path).
- ``anyOf``/``oneOf`` failures are reported once, at the instance they apply to, with the
  message of the only branch that fits the value's type when there is one.

A subschema's ``title``, when present, is the phrase messages use for the expected value
(``openness.weights.url must be an http(s) URL, not "github.com/x"``).

Recursion follows the schema, not the instance: deep YAML under a key the schema does not
describe is never walked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from openweights.records import record
from openweights.resources import schema_path

SUPPORTED_KEYWORDS = frozenset(
    {
        "type", "enum", "const", "properties", "additionalProperties", "required", "items",
        "anyOf", "oneOf", "$ref", "minItems", "minimum", "maximum", "pattern", "minLength",
    }
)
"""Keywords that assert something; exactly those the model-card schema uses."""

ANNOTATION_KEYWORDS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "examples", "default", "$defs"}
)
"""Keywords that only document (``$defs`` is reached through ``$ref``)."""

_JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "null", "array", "object"})
_TYPE_PHRASE = {
    "string": "a string", "number": "a number", "integer": "a whole number",
    "boolean": "true/false", "null": "null", "array": "a list", "object": "a mapping",
}
_TYPE_PLURAL = {
    "string": "strings", "number": "numbers", "integer": "whole numbers", "boolean": "booleans",
    "null": "nulls", "array": "lists", "object": "mappings",
}
_SHOWN_MAX = 60

_Path: TypeAlias = tuple[str | int, ...]


@record
class SchemaIssue:
    """One way in which an instance does not match a schema."""

    path: tuple[str | int, ...]
    """Key path inside the instance, as in ``Card.key_lines`` (``()`` is the whole instance)."""
    message: str
    """One line that names the path: ``license must be a string or a list of strings, ...``."""


class _Node:
    """One compiled subschema. Mutable only while compiling (``$ref`` cycles need it)."""

    __slots__ = (
        "additional", "any_of", "const", "enum", "has_const", "items", "maximum", "min_items",
        "min_length", "minimum", "never", "one_of", "pattern", "pattern_text", "properties",
        "ref", "required", "title", "types",
    )

    def __init__(self) -> None:
        self.never = False  # the boolean schema ``false``
        self.types: frozenset[str] | None = None
        self.title: str | None = None
        self.ref: _Node | None = None
        self.enum: tuple[Any, ...] | None = None
        self.has_const = False
        self.const: Any = None
        self.properties: dict[str, _Node] | None = None
        self.additional: _Node | None = None
        self.required: tuple[str, ...] = ()
        self.items: _Node | None = None
        self.any_of: tuple[_Node, ...] = ()
        self.one_of: tuple[_Node, ...] = ()
        self.min_items: int | None = None
        self.minimum: float | None = None
        self.maximum: float | None = None
        self.pattern: re.Pattern[str] | None = None
        self.pattern_text = ""
        self.min_length: int | None = None


class Schema:
    """A compiled schema: build with ``compile_schema`` or ``load_schema``."""

    __slots__ = ("raw", "root")

    def __init__(self, raw: Mapping[str, Any], root: _Node) -> None:
        self.raw = raw
        """The schema as read from JSON."""
        self.root = root
        """The compiled root subschema."""


class _Compiler:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        defs = raw.get("$defs", {})
        if not isinstance(defs, Mapping):
            raise ValueError("$defs must be a mapping")
        self.defs: Mapping[str, Any] = defs
        self.compiled_defs: dict[str, _Node] = {}

    def ref(self, target: Any, where: str) -> _Node:
        prefix = "#/$defs/"
        if not isinstance(target, str) or not target.startswith(prefix):
            raise NotImplementedError(
                f"$ref {target!r} at {where}: only '#/$defs/<name>' is supported"
            )
        name = target[len(prefix) :]
        if name not in self.compiled_defs:
            if name not in self.defs:
                raise ValueError(f"$ref {target!r} at {where} points at nothing")
            node = _Node()
            self.compiled_defs[name] = node  # registered first so that cycles terminate
            self.fill(node, self.defs[name], target)
        return self.compiled_defs[name]

    def compile(self, schema: Any, where: str) -> _Node:
        node = _Node()
        self.fill(node, schema, where)
        return node

    def fill(self, node: _Node, schema: Any, where: str) -> None:
        if schema is True:
            return
        if schema is False:
            node.never = True
            return
        if not isinstance(schema, Mapping):
            raise ValueError(f"subschema at {where} must be a mapping or a boolean")
        for key in schema:
            if key not in SUPPORTED_KEYWORDS and key not in ANNOTATION_KEYWORDS:
                raise NotImplementedError(
                    f"schema keyword {key!r} at {where} is not supported by "
                    "openweights.schema_check"
                )
        if "title" in schema:
            node.title = str(schema["title"])
        if "type" in schema:
            types = schema["type"]
            names = [types] if isinstance(types, str) else list(types)
            unknown = [t for t in names if t not in _JSON_TYPES]
            if unknown:
                raise ValueError(f"unknown type {unknown[0]!r} at {where}")
            node.types = frozenset(names)
        if "$ref" in schema:
            node.ref = self.ref(schema["$ref"], where)
        if "enum" in schema:
            node.enum = tuple(schema["enum"])
        if "const" in schema:
            node.has_const = True
            node.const = schema["const"]
        if "properties" in schema:
            node.properties = {
                str(k): self.compile(v, f"{where}/properties/{k}")
                for k, v in schema["properties"].items()
            }
        if "additionalProperties" in schema:
            node.additional = self.compile(
                schema["additionalProperties"], f"{where}/additionalProperties"
            )
        if "required" in schema:
            node.required = tuple(str(k) for k in schema["required"])
        if "items" in schema:
            node.items = self.compile(schema["items"], f"{where}/items")
        for keyword, attr in (("anyOf", "any_of"), ("oneOf", "one_of")):
            if keyword in schema:
                branches = tuple(
                    self.compile(b, f"{where}/{keyword}/{i}") for i, b in enumerate(schema[keyword])
                )
                setattr(node, attr, branches)
        if "minItems" in schema:
            node.min_items = int(schema["minItems"])
        if "minimum" in schema:
            node.minimum = schema["minimum"]
        if "maximum" in schema:
            node.maximum = schema["maximum"]
        if "pattern" in schema:
            node.pattern_text = str(schema["pattern"])
            node.pattern = re.compile(node.pattern_text)
        if "minLength" in schema:
            node.min_length = int(schema["minLength"])


def compile_schema(raw: Mapping[str, Any]) -> Schema:
    """Compile a schema mapping; NotImplementedError for any keyword this module lacks."""
    compiler = _Compiler(raw)
    return Schema(raw, compiler.compile(raw, "#"))


_LOADED: dict[str, Schema] = {}


def load_schema(name: str) -> Schema:
    """The bundled schema ``name`` (e.g. ``model-card.schema.json``), compiled once per process."""
    schema = _LOADED.get(name)
    if schema is None:
        with schema_path(name).open(encoding="utf-8") as fh:
            raw = json.load(fh)
        schema = _LOADED[name] = compile_schema(raw)
    return schema


def validate(instance: Any, schema: Schema | Mapping[str, Any]) -> list[SchemaIssue]:
    """Every issue of ``instance`` against ``schema``, in the instance's key order.

    A schema given as a mapping is compiled on every call; pass ``load_schema``'s result on
    hot paths.
    """
    compiled = schema if isinstance(schema, Schema) else compile_schema(schema)
    if isinstance(instance, Mapping) and not isinstance(instance, dict):
        instance = dict(instance)  # Card.metadata is typed as a Mapping
    out: list[_Issue] = []
    _check(compiled.root, instance, (), out)
    return [SchemaIssue(path, message) for path, message, _ in out]


# --- checking -------------------------------------------------------------------------------

# (path, message, kind). The kind lets anyOf/oneOf find the branch meant for a value: "type"
# when the value is of the wrong kind altogether, "value" when an enum/const of the right kind
# did not match (a discriminator such as {type: select}), "other" for everything else.
_Issue: TypeAlias = tuple[_Path, str, str]
_TYPE, _VALUE, _OTHER = "type", "value", "other"


def _json_type(value: Any) -> str | None:
    # bool before int: in Python a bool is an int, in JSON it is not a number.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return None


def _has_type(value: Any, kind: str | None, types: frozenset[str]) -> bool:
    if kind in types:
        return True
    if kind == "integer":
        return "number" in types
    # JSON Schema counts 1.0 as an integer.
    return kind == "number" and "integer" in types and float(value).is_integer()


def _is_number(kind: str | None) -> bool:
    return kind == "integer" or kind == "number"


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: true is not 1, 1 is 1.0, containers compare deeply."""
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return bool(a == b)


def _where(path: _Path) -> str:
    if not path:
        return "the metadata"
    parts: list[str] = []
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif re.fullmatch(r"[\w-]+", step):
            parts.append(f".{step}" if parts else step)
        else:
            parts.append(f"[{json.dumps(step, ensure_ascii=False)}]")
    return "".join(parts)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 3] + "..."


def _literal(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _describe(value: Any) -> str:
    kind = _json_type(value)
    if kind == "null":
        return "empty (null)"
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "number"):
        return f"the number {_shown(value)}"
    if kind is not None:
        return _TYPE_PHRASE[kind]
    name = type(value).__name__
    return {"date": "a date", "datetime": "a date and time"}.get(name, f"a {name} value")


def _join_or(phrases: Sequence[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _target(node: _Node) -> _Node:
    while node.ref is not None and node.types is None and node.title is None:
        node = node.ref
    return node


def _expected(node: _Node) -> str:
    """What the node accepts, as a phrase: 'a string or a list of strings'."""
    node = _target(node)
    if node.title:
        return node.title
    if node.types is None:
        return "something else"
    phrases = []
    for kind in ("string", "integer", "number", "boolean", "array", "object", "null"):
        if kind not in node.types:
            continue
        phrase = _TYPE_PHRASE[kind]
        if kind == "array" and node.items is not None:
            item = _target(node.items)
            if item.types is not None and len(item.types) == 1:
                phrase = f"a list of {_TYPE_PLURAL[next(iter(item.types))]}"
        phrases.append(phrase)
    return _join_or(phrases)


def _branches_message(node: _Node, value: Any, path: _Path, failures: list[list[_Issue]]) -> str:
    where = _where(path)
    branches = node.any_of or node.one_of
    if all(_only_required(b) for b in branches):
        keys = [k for b in branches for k in b.required]
        return f"{where} needs at least one of the keys {_join_or(keys)}"
    # The branches meant for this value: not failed on its type, nor on a discriminating
    # enum/const of one of its keys.
    fitting = [f for f in failures if not any(_rules_out(path, p, k) for p, _, k in f)]
    if len(fitting) == 1 and fitting[0]:
        return fitting[0][0][1]
    expected = _expected(node) if node.title else "one of the allowed forms"
    return f"{where} must be {expected}, not {_describe(value)}"


def _only_required(node: _Node) -> bool:
    return bool(node.required) and node.types is None and node.properties is None and (
        node.enum is None and not node.any_of and not node.one_of and node.ref is None
    )


def _unknown_key(key: str, parent: _Path, known: Sequence[str]) -> str:
    where = _where(parent)
    message = f"unknown key '{key}' in {where}"
    if known:
        import difflib  # only on this error path: keeps the import off the hot path

        close = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
        if close:
            return f"{message}; did you mean '{close[0]}'?"
        return f"{message}; expected one of {', '.join(known)}"
    return message


def _check(node: _Node, value: Any, path: _Path, out: list[_Issue]) -> None:
    if node.never:
        out.append((path, f"{_where(path)} is not allowed here", _OTHER))
        return
    kind = _json_type(value)
    if node.types is not None and not _has_type(value, kind, node.types):
        expected = _expected(node)
        out.append((path, f"{_where(path)} must be {expected}, not {_describe(value)}", _TYPE))
        return
    if node.ref is not None:
        _check(node.ref, value, path, out)
    if node.enum is not None and not any(_equal(value, e) for e in node.enum):
        options = ", ".join(_literal(e) for e in node.enum)
        same_kind = any(_has_type(value, kind, frozenset({_json_type(e) or ""})) for e in node.enum)
        shown = _shown(value) if same_kind else _describe(value)
        flag = _VALUE if same_kind else _TYPE
        out.append((path, f"{_where(path)} must be one of {options}, not {shown}", flag))
    if node.has_const and not _equal(value, node.const):
        same_kind = _json_type(node.const) == kind
        shown = _shown(value) if same_kind else _describe(value)
        wanted = _literal(node.const)
        flag = _VALUE if same_kind else _TYPE
        out.append((path, f"{_where(path)} must be {wanted}, not {shown}", flag))
    if kind == "object":
        for key in node.required:
            if key not in value:
                out.append((path, f"{_where(path)} is missing the required key '{key}'", _OTHER))
        props = node.properties
        extra = node.additional
        if props is not None or extra is not None:
            for key, sub in value.items():
                step = key if isinstance(key, str) else str(key)
                child = props.get(key) if props is not None and isinstance(key, str) else None
                if child is not None:
                    _check(child, sub, (*path, step), out)
                elif extra is not None:
                    if extra.never:
                        out.append((
                            (*path, step), _unknown_key(step, path, list(props or ())), _OTHER
                        ))
                    else:
                        _check(extra, sub, (*path, step), out)
    elif kind == "array":
        if node.min_items is not None and len(value) < node.min_items:
            need = "must not be an empty list" if node.min_items == 1 else (
                f"must list at least {node.min_items} items"
            )
            out.append((path, f"{_where(path)} {need}", _OTHER))
        if node.items is not None:
            for i, item in enumerate(value):
                _check(node.items, item, (*path, i), out)
    elif kind == "string":
        if node.min_length is not None and len(value) < node.min_length:
            need = "must not be empty" if node.min_length == 1 else (
                f"must be at least {node.min_length} characters long"
            )
            out.append((path, f"{_where(path)} {need}", _OTHER))
        if node.pattern is not None and node.pattern.search(value) is None:
            expected = node.title or f"text matching {node.pattern_text}"
            out.append((path, f"{_where(path)} must be {expected}, not {_shown(value)}", _OTHER))
    elif _is_number(kind):
        if node.minimum is not None and value < node.minimum:
            low = f"must be at least {node.minimum}, not {value}"
            out.append((path, f"{_where(path)} {low}", _OTHER))
        if node.maximum is not None and value > node.maximum:
            high = f"must be at most {node.maximum}, not {value}"
            out.append((path, f"{_where(path)} {high}", _OTHER))
    if node.any_of:
        failures: list[list[_Issue]] = []
        for branch in node.any_of:
            sub_out: list[_Issue] = []
            _check(branch, value, path, sub_out)
            if not sub_out:
                break
            failures.append(sub_out)
        else:
            _add_branch_failure(node, value, path, failures, out)
    if node.one_of:
        failures = []
        matched = 0
        for branch in node.one_of:
            sub_out = []
            _check(branch, value, path, sub_out)
            if sub_out:
                failures.append(sub_out)
            else:
                matched += 1
        if matched == 0:
            _add_branch_failure(node, value, path, failures, out)
        elif matched > 1:
            out.append((path, f"{_where(path)} matches more than one of the allowed forms", _OTHER))


def _add_branch_failure(
    node: _Node, value: Any, path: _Path, failures: list[list[_Issue]], out: list[_Issue]
) -> None:
    typed = all(any(p == path and k == _TYPE for p, _, k in f) for f in failures)
    out.append((path, _branches_message(node, value, path, failures), _TYPE if typed else _OTHER))


def _rules_out(path: _Path, issue_path: _Path, kind: str) -> bool:
    """Whether an issue shows that a branch was not meant for the value at ``path``."""
    if kind == _TYPE:
        return issue_path == path
    return kind == _VALUE and len(issue_path) == len(path) + 1 and issue_path[:-1] == path


def where(path: tuple[str | int, ...]) -> str:
    """A key path as messages show it: ``openness.code[0].url``."""
    return _where(path)


def describe_value(value: Any) -> str:
    """A value as messages show it: ``a mapping``, ``true``, ``the number 5``."""
    return _describe(value)
