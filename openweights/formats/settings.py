"""``owcheck TARGET --show-settings``: the settings in force and where each came from.

Each key with its value and its origin: ``default``, an option (``--fail-under``), an Action
input (``input fail-under``) or the configuration file. Text within the width, or JSON.
"""

from __future__ import annotations

import json
from typing import Any

from openweights import records
from openweights.config import THRESHOLD_KEYS, Settings
from openweights.formats.layout import table, wrap


def _value(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if value is not None and not isinstance(value, (bool, int, str)):
        return str(value)
    return value


def entries(settings: Settings) -> list[tuple[str, Any, str]]:
    """(key, value, origin) for every setting, in the configuration file's spelling."""
    out: list[tuple[str, Any, str]] = [
        ("select", list(settings.select), settings.origin("select")),
        ("extend-select", list(settings.extend_select), settings.origin("extend-select")),
        ("ignore", list(settings.ignore), settings.origin("ignore")),
        ("fail-under", _value(settings.fail_under), settings.origin("fail-under")),
        ("fail-on", _value(settings.fail_on), settings.origin("fail-on")),
    ]
    for code, severity in sorted(settings.severities.items()):
        key = f"rules.{code}.severity"
        out.append((key, severity.value, settings.origin(key)))
    thresholds = records.asdict(settings.thresholds)
    for name, attr in THRESHOLD_KEYS.items():
        key = f"thresholds.{name}"
        out.append((key, thresholds[attr], settings.origin(key)))
    return out


def render(settings: Settings, target: str, as_json: bool = False, width: int = 80) -> str:
    """The settings for ``target``, as text within ``width`` or as JSON."""
    selected = sorted(settings.selected())
    path = str(settings.path) if settings.path else None
    if as_json:
        data = {
            "target": target,
            "configuration": path,
            "settings": {key: {"value": value, "from": origin}
                         for key, value, origin in entries(settings)},
            "rules": selected,
        }
        return json.dumps(data, indent=2) + "\n"

    def shown(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(value) if value else "-"
        if isinstance(value, bool):
            return str(value).lower()
        return "-" if value is None else str(value)

    lines = wrap(f"settings for {target}", width)
    lines += wrap(f"configuration: {path or 'none'}", width)
    lines.append("")
    rows = [("key", "value", "from")]
    rows += [(key, shown(value), origin) for key, value, origin in entries(settings)]
    lines += table(rows, width, flexible=1)
    lines.append("")
    lines += wrap(f"rules run ({len(selected)}): {' '.join(selected)}", width, "", "  ")
    return "\n".join(lines) + "\n"
