"""Keep tokens out of every message owcheck prints (``openweights.streams`` applies it to
everything written to standard error)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from openweights.patterns import lazy

# Anything shaped like a Hub token, an org API token, a GitHub or GitLab token, or a bearer
# credential.
_SHAPES = (
    lazy(r"\bhf_[A-Za-z0-9]{6,}"),
    lazy(r"\bapi_org_[A-Za-z0-9]{6,}"),
    lazy(r"\b(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{6,}"),
    lazy(r"\bglpat-[A-Za-z0-9_-]{6,}"),
    lazy(r"(?i)(bearer\s+)\S+"),
)
TOKEN_VARIABLES = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN")
"""Environment variables that may hold a token owcheck uses."""


def scrub(text: str, *extra: str | None) -> str:
    """``text`` with tokens masked: ``extra``, every token variable, anything shaped like one."""
    secrets = [s for s in (*extra, *(os.environ.get(v) for v in TOKEN_VARIABLES))
               if s and len(s) >= 4]
    for secret in secrets:
        text = text.replace(secret, "***")
    for shape in _SHAPES:
        text = shape().sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
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
