"""Keep tokens out of every message owcheck prints."""

from __future__ import annotations

import os
import re

_TOKEN = re.compile(r"\bhf_[A-Za-z0-9]{6,}\b|(?i:bearer\s+)[A-Za-z0-9._~+/-]{8,}")


def scrub(text: str, *extra: str | None) -> str:
    """``text`` with Hub tokens (``hf_...``, bearer values, HF_TOKEN, ``extra``) masked."""
    secrets = [s for s in (*extra, os.environ.get("HF_TOKEN"),
                           os.environ.get("HUGGING_FACE_HUB_TOKEN")) if s and len(s) >= 4]
    for secret in secrets:
        text = text.replace(secret, "***")
    return _TOKEN.sub("***", text)
