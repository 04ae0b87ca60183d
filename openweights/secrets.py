"""Keep tokens out of every message owcheck prints."""

from __future__ import annotations

import os
import re

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
