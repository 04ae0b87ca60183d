"""File names for model pages, derived from untrusted subject ids.

A page lives at ``models/<slug>.html``. The slug keeps only lower-case ASCII letters, digits,
``.``, ``_`` and ``-`` (``/`` becomes ``--``, as in the Hub's own cache folders), so no id can
leave the ``models/`` folder, hide as a dot file, or differ from another only by case (which
would collide on case-insensitive file systems). When two ids give the same slug, or the slug
is not a faithful spelling of the id (characters dropped, cut for length, a name Windows
reserves), every id concerned gets a short hash of its exact text appended, so names are
unique and do not depend on input order.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

from openweights.patterns import lazy

PAGES_DIR = "models"
"""The folder, relative to the site root, that holds one page per model."""
MAX_SLUG = 80
"""Characters kept from the id before the hash; keeps paths far below file-system limits."""
_UNSAFE = lazy(r"[^a-z0-9._-]+")
_FAITHFUL = lazy(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)?")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)


def _digest(subject_id: str) -> str:
    return hashlib.sha256(subject_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def _slug(subject_id: str) -> tuple[str, bool]:
    """The readable part of the name, and whether it spells the id faithfully (up to case)."""
    text = subject_id.lower().replace("/", "--")
    slug = _UNSAFE().sub("-", text).strip(".-")
    slug = re.sub(r"\.{2,}", ".", slug)
    faithful = _FAITHFUL().fullmatch(subject_id) is not None and ".." not in subject_id
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rstrip(".-")
        faithful = False
    if slug.split(".", 1)[0] in _WINDOWS_RESERVED:
        faithful = False
    return slug or "model", faithful


def page_names(subject_ids: Iterable[str]) -> dict[str, str]:
    """``subject id -> models/<slug>.html`` for every id, each name unique (case-insensitively)."""
    ids = list(dict.fromkeys(subject_ids))
    slugs = {sid: _slug(sid) for sid in ids}
    by_slug: dict[str, list[str]] = defaultdict(list)
    for sid, (slug, _) in slugs.items():
        by_slug[slug].append(sid)
    names: dict[str, str] = {}
    for sid, (slug, faithful) in slugs.items():
        if len(by_slug[slug]) > 1 or not faithful:
            slug = f"{slug}-{_digest(sid)}"
        names[sid] = f"{PAGES_DIR}/{slug}.html"
    # A hashed name could in principle equal another id's plain slug: make that impossible.
    taken: set[str] = set()
    for sid in ids:
        name = names[sid]
        while name in taken:
            name = f"{name[:-5]}-{_digest(name)}.html"
        taken.add(name)
        names[sid] = name
    return names
