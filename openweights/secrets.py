"""Keep tokens out of every message owcheck prints (``openweights.streams`` applies it to
everything written to standard error)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

# Anything shaped like a Hub token, an org API token, or a bearer credential.
_SHAPES = (
    re.compile(r"\bhf_[A-Za-z0-9]{6,}"),
    re.compile(r"\bapi_org_[A-Za-z0-9]{6,}"),
    re.compile(r"(?i)(bearer\s+)\S+"),
)


def scrub(text: str, *extra: str | None) -> str:
    """``text`` with tokens masked: ``extra``, HF_TOKEN, and anything shaped like a token."""
    secrets = [s for s in (*extra, os.environ.get("HF_TOKEN"),
                           os.environ.get("HUGGING_FACE_HUB_TOKEN")) if s and len(s) >= 4]
    for secret in secrets:
        text = text.replace(secret, "***")
    for shape in _SHAPES:
        text = shape.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


def token_arguments(argv: Iterable[str]) -> list[str]:
    """The values given to ``--token`` in a command line (to be masked wherever they appear)."""
    args = list(argv)
    found = []
    for i, arg in enumerate(args):
        if arg == "--token" and i + 1 < len(args):
            found.append(args[i + 1])
        elif arg.startswith("--token="):
            found.append(arg.partition("=")[2])
    return found
