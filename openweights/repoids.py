"""Hub repo ids as they appear in card metadata: ``org/name``, Hub URLs, ``org/name:config``.

Pure functions, shared by the hub source (what to fetch) and the evidence (what a card names),
so both read ``base_model`` and ``datasets`` the same way. No I/O, no hub client.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

Kind = Literal["model", "dataset"]

# The client's own rule (huggingface_hub.utils.validate_repo_id): [namespace/]name, 1-96 chars.
_REPO_ID = re.compile(r"^(\b[\w\-.]+\b/)?\b[\w\-.]{1,96}\b$")


def as_list(value: Any) -> list[Any]:
    """A metadata value as a list (a lone value becomes a one-item list, None an empty one)."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def valid_repo_id(text: str) -> bool:
    """True when ``text`` passes the client's repo-id rules (no ``--``/``..``, no ``.git``)."""
    return (
        _REPO_ID.fullmatch(text) is not None
        and "--" not in text and ".." not in text and not text.endswith(".git")
    )


def repo_id_from(value: Any, kind: Kind = "model") -> str | None:
    """A repo id from a card value (``org/name``, a Hub URL, ``org/name:config``), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = re.match(r"(?i)^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(.*)$", text)
    if m:
        text = m.group(1)
        if kind == "dataset":
            if not text.startswith("datasets/"):
                return None
            text = text[len("datasets/"):]
        elif text.startswith(("datasets/", "spaces/")):
            return None
    if kind == "dataset":
        text = text.split(":", 1)[0]  # org/name:config names a config of the dataset
    text = text.strip("/")
    parts = text.split("/")
    if len(parts) > 2:  # org/name/tree/main, org/name/subset: the repo is the first two parts
        text = "/".join(parts[:2])
    return text if valid_repo_id(text) else None


def base_model_ids(meta: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Base-model ids a card names, in order, and problems with unusable values."""
    ids: list[str] = []
    problems: list[str] = []
    for value in as_list(meta.get("base_model")):
        rid = repo_id_from(value, "model")
        if rid is None:
            problems.append(f"base_model value {str(value)[:80]!r} is not a Hub model id")
        elif rid not in ids:
            ids.append(rid)
    return ids, problems


def dataset_ids(meta: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Dataset ids from ``datasets:`` and ``openness.data.datasets``, in order, and problems."""
    values = as_list(meta.get("datasets"))
    openness = meta.get("openness")
    data = openness.get("data") if isinstance(openness, Mapping) else None
    if isinstance(data, Mapping):
        for item in as_list(data.get("datasets")):
            values.append(item.get("id") if isinstance(item, Mapping) else item)
    ids: list[str] = []
    problems: list[str] = []
    for value in values:
        rid = repo_id_from(value, "dataset")
        if rid is None:
            problems.append(f"datasets value {str(value)[:80]!r} is not a Hub dataset id")
        elif rid not in ids:
            ids.append(rid)
    return ids, problems
