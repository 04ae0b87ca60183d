"""Configuration: ``owcheck.toml``, ``.owcheck.toml`` or ``[tool.owcheck]`` in ``pyproject.toml``.

Model repos rarely have a ``pyproject.toml``, so the standalone files come first. Discovery
starts at the model repo (or the working directory for a Hub id) and walks up to the nearest
directory that has one, stopping at the root of the git checkout. In each directory the first
of ``.owcheck.toml``, ``owcheck.toml``, ``pyproject.toml`` (only with a ``[tool.owcheck]``
table) wins. The command line overrides the file key by key: ``--select`` replaces ``select``,
``--ignore`` replaces ``ignore``, and so on.

```toml
select = ["ALL"]            # codes or prefixes
extend-select = []
ignore = ["OW501"]
fail-under = "C"            # exit 1 when the grade is worse
fail-on = "error"           # exit 1 on a finding of this severity or worse

[rules.OW213]               # per-rule options
severity = "error"

[thresholds]                # license grading cut-offs
mau = 100_000_000
revenue-usd = 100_000_000
field-exclusion-denies = false
mutable-policy-denies = false
```

An invalid file is a one-line error naming the file and the key (exit 2). Only ``tomllib`` is
imported, and only when a file is found: this module is on the pre-commit path.

This module only parses settings; applying them (selection, severities, gates) is the check's
work, in ``openweights/check.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from openweights import records
from openweights.choices import Choice, Letter, Severity
from openweights.licensing.grader import DEFAULT_THRESHOLDS, Thresholds
from openweights.records import field, record

CONFIG_FILES = (".owcheck.toml", "owcheck.toml", "pyproject.toml")
KEYS = ("select", "extend-select", "ignore", "fail-under", "fail-on", "rules", "thresholds")
RULE_OPTIONS = ("severity",)
THRESHOLD_KEYS = {
    "mau": "mau",
    "revenue-usd": "revenue_usd",
    "field-exclusion-denies": "field_exclusion_denies",
    "mutable-policy-denies": "mutable_policy_denies",
}


class ConfigError(Exception):
    """An unusable configuration file or value; the message is one line naming the key."""

    exit_code = 2


@record
class Settings:
    """What a run does: the rules, the gates and the grading thresholds."""

    path: Path | None = None
    """The configuration file these came from, or None."""
    select: tuple[str, ...] = ("ALL",)
    """Rule selectors to run (codes or prefixes)."""
    extend_select: tuple[str, ...] = ()
    """Selectors added to ``select``."""
    ignore: tuple[str, ...] = ()
    """Selectors removed from the selection."""
    fail_under: Letter | None = None
    """Grade gate: exit 1 when the grade is worse than this letter."""
    fail_on: Severity | None = None
    """Severity gate: exit 1 on an active finding of this severity or worse."""
    severities: Mapping[str, Severity] = field(default_factory=dict)
    """Per-rule severity overrides, by rule code."""
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    """License grading cut-offs."""
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)
    """Where each key that is not a default came from, by its config name (``fail-under``,
    ``rules.OW213.severity``, ``thresholds.mau``): an option (``--fail-under``), an Action
    input (``input fail-under``) or the file (``owcheck.toml``)."""

    def origin(self, key: str) -> str:
        """Where ``key`` came from: ``--fail-under``, ``input fail-under``, a file, or
        ``default``."""
        return self.origins.get(key, "default")

    def gate(self, key: str, value: object) -> str:
        """A gate as a user set it, for messages: ``--fail-under C``, ``input fail-under C``
        or ``fail-under C in owcheck.toml``."""
        where = self.origin(key)
        if where.startswith("-") or where.startswith("input "):
            return f"{where} {value}"
        return f"{key} {value} in {where}" if where != "default" else f"{key} {value}"

    def selected(self) -> set[str]:
        """The rule codes to run; ConfigError for an unknown selector."""
        from openweights.rules import iter_codes

        try:
            chosen = set(iter_codes([*self.select, *self.extend_select]))
            return chosen - set(iter_codes(self.ignore))
        except KeyError as exc:
            raise ConfigError(
                f"unknown rule selector {exc.args[0]!r} (see `owcheck rules`)"
            ) from None

    def override(self, origin: str = "--{key}", **values: Any) -> Settings:
        """A copy with the given command-line values; None means "not given". ``origin`` says
        where they came from, with ``{key}`` for the key's config name (``--{key}`` for
        options, ``input {key}`` for the Action's inputs)."""
        given = {k: v for k, v in values.items() if v is not None}
        origins = dict(self.origins)
        for key in given:
            name = key.replace("_", "-")
            origins[name] = origin.format(key=name)
        given["origins"] = origins
        for key in ("select", "extend_select", "ignore"):
            if key in given:
                given[key] = tuple(given[key])
        if "fail_under" in given:
            given["fail_under"] = Letter(given["fail_under"])
        if "fail_on" in given:
            given["fail_on"] = Severity(given["fail_on"])
        return records.replace(self, **given)


# --------------------------------------------------------------------------- discovery


def _has_tool_table(path: Path) -> bool:
    try:
        return b"tool.owcheck" in path.read_bytes()
    except OSError:
        return False


def find_config(start: Path) -> Path | None:
    """The configuration file that applies to ``start`` (a directory or a file), or None."""
    here = start if start.is_dir() else start.parent
    here = here.resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml" and not _has_tool_table(candidate):
                continue
            return candidate
        if (directory / ".git").exists():
            break  # the checkout's root: configs above it belong to something else
    return None


# --------------------------------------------------------------------------- parsing


def _suggest(key: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def split_selectors(values: Iterable[str]) -> tuple[str, ...]:
    """Rule selectors as given, each value possibly a comma list (``OW2,OW3``): one per item,
    upper-cased, empty items dropped. ``--select``, ``--ignore`` and the file share it."""
    return tuple(
        item.strip().upper() for value in values for item in value.split(",") if item.strip()
    )


def _strings(where: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where} must be a list of rule codes or prefixes, e.g. ["OW2"]')
    value = list(split_selectors(value))
    from openweights.rules import iter_codes

    for v in value:
        try:
            list(iter_codes([v]))
        except KeyError:
            raise ConfigError(
                f"{where}: unknown rule selector {v!r} (see `owcheck rules`)"
            ) from None
    return tuple(value)


_C = TypeVar("_C", bound=Choice)


def _choice(where: str, value: Any, choices: type[_C], upper: bool = False) -> _C:
    text = value.strip() if isinstance(value, str) else None
    if text is not None:
        text = text.upper() if upper else text.lower()
    if text is None or text not in choices.values():
        raise ConfigError(f"{where} must be one of {', '.join(choices.values())}, not {value!r}")
    return choices(text)


def _rules(prefix: str, value: Any) -> dict[str, Severity]:
    from openweights.rules import all_rules

    rules = all_rules()
    by_name = {r.name: r.code for r in rules.values()}
    if not isinstance(value, dict):
        raise ConfigError(f"{prefix}rules must be a table of rule codes, e.g. [rules.OW213]")
    out: dict[str, Severity] = {}
    for key, options in value.items():
        code = key.upper() if key.upper() in rules else by_name.get(key)
        where = f"{prefix}rules.{key}"
        if code is None:
            raise ConfigError(f"{where}: unknown rule{_suggest(key.upper(), rules)}")
        if not isinstance(options, dict):
            raise ConfigError(f'{where} must be a table of options, e.g. severity = "error"')
        for option, setting in options.items():
            if option not in RULE_OPTIONS:
                raise ConfigError(
                    f"{where}.{option}: unknown rule option{_suggest(option, RULE_OPTIONS)}"
                )
            out[code] = _choice(f"{where}.{option}", setting, Severity)
    return out


def _thresholds(prefix: str, value: Any) -> Thresholds:
    if not isinstance(value, dict):
        raise ConfigError(f"{prefix}thresholds must be a table")
    given: dict[str, Any] = {}
    for key, setting in value.items():
        where = f"{prefix}thresholds.{key}"
        attr = THRESHOLD_KEYS.get(key)
        if attr is None:
            raise ConfigError(f"{where}: unknown key{_suggest(key, THRESHOLD_KEYS)}")
        if attr in ("mau", "revenue_usd"):
            if isinstance(setting, bool) or not isinstance(setting, int) or setting < 0:
                raise ConfigError(f"{where} must be a whole number >= 0, not {setting!r}")
        elif not isinstance(setting, bool):
            raise ConfigError(f"{where} must be true or false, not {setting!r}")
        given[attr] = setting
    return records.replace(DEFAULT_THRESHOLDS, **given)


def parse_config(table: Mapping[str, Any], path: Path | None = None, prefix: str = "") -> Settings:
    """Settings from a config table; ``prefix`` (``tool.owcheck.``) is used in messages."""
    values: dict[str, Any] = {"path": path}
    origins: dict[str, str] = {}
    shown = _shown(path) if path is not None else "the configuration"
    if prefix:
        shown += f" [{prefix.rstrip('.')}]"
    for key, value in table.items():
        where = f"{prefix}{key}"
        if key not in KEYS:
            hint = _suggest(key.replace("_", "-"), KEYS)
            raise ConfigError(f"{where}: unknown key{hint}")
        if key not in ("rules", "thresholds"):
            origins[key] = shown
        if key in ("select", "extend-select", "ignore"):
            values[key.replace("-", "_")] = _strings(where, value)
        elif key == "fail-under":
            values["fail_under"] = _choice(where, value, Letter, upper=True)
        elif key == "fail-on":
            values["fail_on"] = _choice(where, value, Severity)
        elif key == "rules":
            values["severities"] = _rules(prefix, value)
            origins.update({f"rules.{code}.severity": shown for code in values["severities"]})
        else:
            values["thresholds"] = _thresholds(prefix, value)
            origins.update({f"thresholds.{name}": shown for name in value})
    return Settings(**values, origins=origins)


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it, for messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def load_config(path: Path) -> Settings:
    """Read one configuration file; ConfigError (one line, naming the key) when it is bad."""
    # Imported here: most runs find no configuration file at all.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    shown = _shown(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {shown}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        table = tool.get("owcheck") if isinstance(tool, dict) else None
        if table is None:
            return Settings(path=None)
        if not isinstance(table, dict):
            raise ConfigError(f"{shown}: tool.owcheck must be a table")
        prefix = "tool.owcheck."
    else:
        table, prefix = data, ""
    try:
        return parse_config(table, path, prefix)
    except ConfigError as exc:
        raise ConfigError(f"{shown}: {exc}") from None


def resolve_settings(start: Path, explicit: Path | None = None, isolated: bool = False) -> Settings:
    """The settings for a model at ``start``: an explicit file, the discovered one, or defaults."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"no such configuration file: {explicit}")
        return load_config(explicit)
    if isolated:
        return Settings()
    found = find_config(start)
    return load_config(found) if found else Settings()
