"""Front matter of any YAML, read into plain data with PyYAML (libyaml when it is there).

The full reader behind ``openweights.card.parse_yaml_block``, for the blocks the reader of plain
block YAML (``openweights/frontmatter.py``) declines: a safe loader whose constructors yield only
plain, deterministic data (see ``openweights/card.py``), node counts and depth bounded before
anything is built. Imported only when a block needs it: importing PyYAML is a good part of the
pre-commit path's start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeAlias

import yaml

from openweights.frontmatter import (
    MAX_NUMBER_DIGITS,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    KeyPath,
    plain_key,
)

# libyaml's safe loader when present (ten times faster); nodes keep their marks either way.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Constructor: TypeAlias = Callable[[Any, Any], Any]
_YAML = "tag:yaml.org,2002:"
_MERGE = _YAML + "merge"
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def _error(node: yaml.Node, problem: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


def _key(key: Any, node: yaml.Node) -> str:
    """``plain_key``, its refusal reported at the key's place in the block."""
    try:
        return plain_key(key)
    except TypeError:
        raise _error(node, f"a key must be a plain value, not a {type(key).__name__}") from None


def _scalar(loader: Any, node: yaml.Node, what: str) -> str:
    text = str(loader.construct_scalar(node))
    if len(text) > MAX_NUMBER_DIGITS:
        raise _error(node, f"{_shown_tag(node.tag)} longer than {MAX_NUMBER_DIGITS} characters")
    return text


def _strict(base: _Constructor, what: str) -> _Constructor:
    """``base`` with its odd failures (KeyError, IndexError, ...) turned into one clear error."""

    def construct(loader: Any, node: yaml.Node) -> Any:
        text = _scalar(loader, node, what)
        try:
            return base(loader, node)
        except yaml.YAMLError:
            raise
        except Exception:
            raise _error(node, f"{_shown_tag(node.tag)} {text[:40]!r} is not {what}") from None

    return construct


def _construct_bool(loader: Any, node: yaml.Node) -> bool:
    text = _scalar(loader, node, "true or false")
    if text.lower() not in _BOOLS:
        raise _error(node, f"!!bool {text[:40]!r} is not true or false")
    return _BOOLS[text.lower()]


_timestamp = _strict(yaml.constructor.SafeConstructor.construct_yaml_timestamp, "a date")


def _construct_timestamp(loader: Any, node: yaml.Node) -> str:
    value = _timestamp(loader, node)
    return str(value.isoformat())


def _construct_binary(loader: Any, node: Any) -> str:
    # Checked as base64, kept as the text written: a card's metadata holds text, not bytes.
    yaml.constructor.SafeConstructor.construct_yaml_binary(loader, node)
    return "".join(str(loader.construct_scalar(node)).split())


def _mapping_items(loader: Any, node: yaml.Node) -> Iterator[tuple[str, Any]]:
    """A mapping's (key, value) pairs, keys as plain strings, merge keys (``<<``) applied.

    Keys become strings before they meet each other: ``true`` and ``1`` stay two keys (in a
    Python dict of the raw keys they would collide, as ``True == 1``).
    """
    if not isinstance(node, yaml.MappingNode):
        kind = "sequence" if isinstance(node, yaml.SequenceNode) else "scalar"
        raise _error(node, f"expected a mapping, found a {kind}")
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = _key(loader.construct_object(key_node, deep=True), key_node)
        yield key, loader.construct_object(value_node)


def _construct_map(loader: Any, node: yaml.Node) -> Iterator[dict[str, Any]]:
    data: dict[str, Any] = {}
    yield data
    data.update(_mapping_items(loader, node))


def _pairs(loader: Any, node: yaml.Node, base: _Constructor) -> list[tuple[Any, Any]]:
    steps = base(loader, node)
    pairs: list[tuple[Any, Any]] = next(steps)
    for _ in steps:
        pass
    return pairs


def _construct_omap(loader: Any, node: yaml.Node) -> Iterator[dict[str, Any]]:
    data: dict[str, Any] = {}
    yield data
    omap = yaml.constructor.SafeConstructor.construct_yaml_omap
    for key, value in _pairs(loader, node, omap):
        data[_key(key, node)] = value


def _construct_pairs(loader: Any, node: yaml.Node) -> Iterator[list[list[Any]]]:
    data: list[list[Any]] = []
    yield data
    pairs = yaml.constructor.SafeConstructor.construct_yaml_pairs
    data.extend([_key(k, node), v] for k, v in _pairs(loader, node, pairs))


def _construct_set(loader: Any, node: yaml.Node) -> Iterator[list[str]]:
    data: list[str] = []
    yield data
    if not isinstance(node, yaml.MappingNode):
        raise _error(node, "!!set must be a mapping of keys")
    data.extend(sorted({key for key, _value in _mapping_items(loader, node)}))


def _construct_value(loader: Any, node: yaml.Node) -> str:
    # PyYAML resolves a lone "=" to the YAML 1.1 "value" tag and has no constructor for it.
    return str(loader.construct_scalar(node))


def _refuse_tag(loader: Any, node: yaml.Node) -> Any:
    raise _error(node, f"the tag {_shown_tag(node.tag)} is not allowed in card metadata")


_PlainLoader: type[yaml.SafeLoader] = type("_PlainLoader", (_SafeBase,), {})
"""The safe loader, yielding only plain data: see the module docstring."""
_SAFE = yaml.constructor.SafeConstructor
for _tag, _construct in {
    "bool": _construct_bool,
    "int": _strict(_SAFE.construct_yaml_int, "a whole number"),
    "float": _strict(_SAFE.construct_yaml_float, "a number"),
    "timestamp": _construct_timestamp,
    "binary": _construct_binary,
    "map": _construct_map,
    "omap": _construct_omap,
    "pairs": _construct_pairs,
    "set": _construct_set,
    "value": _construct_value,
}.items():
    _PlainLoader.add_constructor(_YAML + _tag, _construct)
_PlainLoader.add_constructor(None, _refuse_tag)
_PurePlainLoader: type[yaml.SafeLoader] = type(
    "_PurePlainLoader", (yaml.SafeLoader,), {"yaml_constructors": _PlainLoader.yaml_constructors}
)
"""The same on PyYAML's own Python scanner and parser, which run where libyaml is missing."""


def _size_problem(root: yaml.Node) -> str | None:
    """Why the node graph is too big to construct (aliases expanded), or None. Iterative."""
    memo: dict[int, int] = {}
    # (node, depth, children done): post-order, each node's expanded size computed once.
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    on_path: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            size = 1 + sum(memo[id(c)] for c in children)
            memo[key] = min(size, MAX_YAML_NODES + 1)
            if memo[key] > MAX_YAML_NODES:
                return f"front matter expands to over {MAX_YAML_NODES:,} values (YAML aliases?)"
            continue
        if key in memo:
            continue
        if key in on_path:
            return "front matter refers to itself (a YAML alias loop)"
        if depth > MAX_YAML_DEPTH:
            return f"front matter nests deeper than {MAX_YAML_DEPTH} levels"
        on_path.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) not in memo:
                stack.append((child, depth + 1, False))
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _record_lines(
    node: yaml.Node,
    base_line: int,
    path: KeyPath,
    out: dict[KeyPath, int],
    key_text: Callable[[yaml.Node], str],
) -> None:
    if isinstance(node, yaml.MappingNode):
        # After construction merge keys are flattened into the mapping, merged keys first: the
        # last occurrence of a key wins, for its line as for its value.
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.tag != _MERGE:
                sub = (*path, key_text(k))
                out[sub] = base_line + k.start_mark.line
                _record_lines(v, base_line, sub, out, key_text)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            sub = (*path, i)
            out.setdefault(sub, base_line + v.start_mark.line)
            _record_lines(v, base_line, sub, out, key_text)


def read_yaml(
    block: str, base_line: int, *, pure: bool = False
) -> tuple[Any, dict[KeyPath, int], str | None, int | None]:
    """Any YAML read safely into plain data: (value, key lines, error, error line). Never raises.

    ``pure``: read with PyYAML's Python scanner even when libyaml is there (as where it is not).
    """
    loader: yaml.SafeLoader | None = None
    try:
        loader = (_PurePlainLoader if pure else _PlainLoader)(block)
        node = loader.get_single_node()
        if node is None:
            return None, {}, None, None
        too_big = _size_problem(node)
        if too_big:
            return None, {}, too_big, base_line
        value = loader.construct_document(node)
        lines: dict[KeyPath, int] = {}

        def key_text(k: yaml.Node) -> str:
            if k.tag == _YAML + "str":
                return str(k.value)
            return _key(loader.construct_object(k, deep=True), k)

        _record_lines(node, base_line, (), lines, key_text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = base_line + mark.line if mark else base_line
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        return None, {}, f"invalid YAML: {problem}", line
    except yaml.reader.ReaderError as exc:
        line = base_line + block.count("\n", 0, max(exc.position, 0))
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "?")
        return None, {}, f"invalid YAML: character #x{char:04x} is not allowed", line
    except Exception as exc:  # the contract: a card, never an exception
        problem = f"the front matter could not be read ({type(exc).__name__})"
        return None, {}, f"invalid YAML: {problem}", base_line
    finally:
        if loader is not None:
            loader.dispose()
    return value, lines, None, None
