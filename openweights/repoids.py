"""Repo ids and repo paths as they appear in card metadata and on the command line:
``org/name``, Hub URLs (``https://huggingface.co/...``, ``hf.co/...``, with or without a scheme),
``org/name:config``, the file a ``license_link`` names, and code-forge links (GitHub, GitLab)
normalised to the repository.

Pure functions, shared by the session (is a target a path or a repo id?), the sources (what to
fetch) and the evidence (what a card names), so all of them read targets, ``base_model``,
``datasets``, ``license_link`` and code links the same way. No I/O, no hub client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from openweights.patterns import lazy
from openweights.records import record

Kind = Literal["model", "dataset"]

HUB_HOSTS = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})
"""Hosts of the public Hub; a source adds its own endpoint's host."""
_URL = lazy(r"(?i)^[a-z][a-z0-9+.-]*:")
_HOST = lazy(r"(?i)^(?:(?P<scheme>https?)://)?(?P<host>[^/\s@]+)(?P<path>/.*)?$")
_DRIVE = lazy(r"^[A-Za-z]:[\\/]")
_URL_VIEWS = ("tree", "blob", "resolve")
FILE_SUFFIXES = frozenset(
    {".md", ".markdown", ".txt", ".rst", ".html", ".htm", ".yaml", ".yml", ".json", ".toml"}
)
"""Suffixes that make a target a file path: no Hub repo id ends with one of them."""

# The client's own rule (huggingface_hub.utils.validate_repo_id): [namespace/]name, 1-96 chars.
_REPO_ID = lazy(r"^(\b[\w\-.]+\b/)?\b[\w\-.]{1,96}\b$")


def as_list(value: Any) -> list[Any]:
    """A metadata value as a list (a lone value becomes a one-item list, None an empty one)."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def valid_repo_id(text: str) -> bool:
    """True when ``text`` passes the client's repo-id rules (no ``--``/``..``, no ``.git``)."""
    return (
        _REPO_ID().fullmatch(text) is not None
        and "--" not in text and ".." not in text and not text.endswith(".git")
    )


def hub_url_path(text: str, hosts: Iterable[str] = ()) -> str | None:
    """The path of a Hub URL (``org/name/tree/main``, still %-quoted), or None when ``text`` is
    not one.

    ``https://huggingface.co/...``, ``hf.co/...`` and ``www.huggingface.co/...`` count with or
    without a scheme; a source's own endpoint (one of ``hosts``, e.g. ``127.0.0.1:8765``) counts
    only with its scheme, so a bare ``org/name`` is never read as a host.
    """
    m = _HOST().match(text.strip())
    if m is None:
        return None
    scheme, host, path = m.group("scheme"), m.group("host").lower(), m.group("path") or ""
    known = HUB_HOSTS | ({h.lower() for h in hosts} if scheme else set())
    if host not in known:
        return None
    return path.split("?", 1)[0].split("#", 1)[0].strip("/")


class TargetError(ValueError):
    """A command-line target that is not a Hub model repo id; the message says why."""


def parse_model_target(text: str, hosts: Iterable[str] = ()) -> tuple[str, str | None]:
    """``(repo_id, revision)`` of a target: ``org/name``, ``org/name@REV``, ``name``, or a Hub
    model URL with or without a scheme (``hf.co/org/name``, ``https://huggingface.co/org/name/
    tree/REV``). The same reading as ``repo_id_from`` gives card values. TargetError otherwise.
    """
    text = text.strip()
    revision: str | None = None
    path = hub_url_path(text, hosts)
    if path is not None:
        segments = [unquote(s) for s in path.split("/") if s]
        if segments and segments[0] in ("datasets", "spaces"):
            raise TargetError(f"{text!r} is a {segments[0][:-1]}, not a model")
        n = 1 if len(segments) >= 2 and segments[1] in _URL_VIEWS else 2
        repo_id = "/".join(segments[:n])
        rest = segments[n:]
        if len(rest) >= 2 and rest[0] in _URL_VIEWS:
            revision = rest[1]
    elif is_url(text):
        raise TargetError(f"{text!r} is not a Hugging Face Hub URL")
    else:
        repo_id = text
        if "@" in text:
            repo_id, revision = text.rsplit("@", 1)
            if not revision:
                raise TargetError(f"{text!r}: empty revision after '@'")
    if not valid_repo_id(repo_id):
        raise TargetError(f"{repo_id!r} is not a valid Hub repo id (expected org/name)")
    return repo_id, revision


def looks_like_path(text: str) -> bool:
    """True when a target can only be meant as a path: it starts with ``.``, ``/`` or ``~``,
    has a backslash or a drive letter, or ends with a file suffix (``.md``, ``.txt``...).

    Repo ids never start with ``.`` and never end with these suffixes, so such a target is never
    sent to the Hub (whether it exists or not).
    """
    text = text.strip()
    if text.startswith((".", "/", "~", "\\")) or "\\" in text or _DRIVE().match(text):
        return True
    if is_url(text) or hub_url_path(text) is not None:
        return False  # https://huggingface.co/org/name/blob/main/README.md is a Hub URL
    name = text.rsplit("/", 1)[-1]
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    return suffix in FILE_SUFFIXES


def repo_id_from(value: Any, kind: Kind = "model") -> str | None:
    """A repo id from a card value (``org/name``, a Hub URL, ``org/name:config``), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    path = hub_url_path(text)
    if path is not None:
        text = path
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
    # org/name/tree/main, org/name/subset: the repo is the first two parts; gpt2/tree/main one.
    n = 1 if len(parts) >= 2 and parts[1] in _URL_VIEWS else 2
    text = "/".join(parts[:n])
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


def is_url(text: str) -> bool:
    """True when ``text`` starts with a URL scheme (``https:``, ``mailto:``...)."""
    return _URL().match(text.strip()) is not None


def license_link_path(
    value: Any, repo_id: str | None = None, kind: Kind = "model", hosts: Iterable[str] = ()
) -> str | None:
    """The repo path a ``license_link`` names, when it is a file of this very repo; else None.

    A relative link (``LICENSE``, ``./LICENSE.md``, ``/LICENSE#terms``) names a repo file; one
    that leaves the repo (``../x``) names none. A URL names a file only when it is a ``blob``,
    ``resolve`` or ``raw`` URL of ``repo_id`` on the Hub (``HUB_HOSTS`` or one of ``hosts``);
    without ``repo_id`` (a repo on disk) a URL never names a repo file.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if is_url(text):
        if repo_id is None:
            return None
        parts = urlsplit(text)
        if parts.netloc.lower() not in HUB_HOSTS | {h.lower() for h in hosts}:
            return None  # a remote license page: not a repo file
        prefix = ("datasets/" if kind == "dataset" else "") + repo_id + "/"
        path = unquote(parts.path).lstrip("/")
        if not path.startswith(prefix):
            return None  # a file in another repo
        rest = path[len(prefix):].split("/")
        if len(rest) < 3 or rest[0] not in ("blob", "resolve", "raw"):
            return None
        text = "/".join(rest[2:])
    text = text.split("#", 1)[0].split("?", 1)[0]
    while text.startswith("./"):
        text = text[2:]
    text = text.lstrip("/")
    if not text or any(part in ("", ".", "..") for part in text.split("/")):
        return None
    return text


# --------------------------------------------------------------------------- code forges

ForgeKind = Literal["github", "gitlab"]

FORGE_HOSTS: Mapping[str, ForgeKind] = {"github.com": "github", "gitlab.com": "gitlab"}
"""Hosts whose REST API owcheck can ask for a repository's license, and which API each speaks."""

# First path segments of github.com that are site pages, not owners.
_GITHUB_NOT_OWNERS = frozenset({
    "about", "apps", "collections", "customer-stories", "enterprise", "events", "explore",
    "features", "issues", "join", "login", "marketplace", "new", "notifications", "orgs",
    "organizations", "pricing", "pulls", "search", "security", "settings", "site", "sponsors",
    "topics", "trending", "users", "codespaces", "readme", "resources", "solutions", "team",
})
# Segments after a project path that start a page of it (GitLab without its "/-/" separator).
_GITLAB_PAGES = frozenset({
    "tree", "blob", "raw", "issues", "merge_requests", "wikis", "commits", "commit", "tags",
    "releases", "pipelines", "jobs", "snippets", "archive", "blame", "compare", "branches",
})
_FORGE_URL = lazy(
    r"(?i)(?:(?:git\+)?(?:https?|git|ssh)://(?:[\w.-]+@)?|git@|(?<![\w.@/-]))"
    r"(?:www\.)?(github\.com|gitlab\.com)[:/]+([^\s?#]*)"
)
_NAME = lazy(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]*$")


@record
class ForgeRepo:
    """A code repository on a forge, normalised from however a card linked it."""

    host: str
    """``github.com`` or ``gitlab.com``."""
    path: str
    """``owner/name`` (GitHub) or ``group[/subgroup]/name`` (GitLab), as written."""

    @property
    def kind(self) -> ForgeKind:
        """Which API the host speaks."""
        return FORGE_HOSTS[self.host]

    @property
    def key(self) -> str:
        """``host/path`` in lower case: both forges treat repository paths case-insensitively."""
        return f"{self.host}/{self.path}".lower()

    @property
    def url(self) -> str:
        """The repository's web address."""
        return f"https://{self.host}/{self.path}"

    def __str__(self) -> str:
        return f"{self.host}/{self.path}"


def forge_repo_from(url: str) -> ForgeRepo | None:
    """The repository a GitHub or GitLab link points into, or None.

    Accepts what cards write: ``.git`` suffixes, ``/tree/main/...``, ``/blob/...``, GitLab's
    ``/-/...``, ``?tab=readme-ov-file``, ``#anchors``, ``www.``, ``git@host:org/repo.git``,
    ``git+https://``, and trailing punctuation from the sentence around the link.
    """
    m = _FORGE_URL().search(url.strip())
    if m is None:
        return None
    host = m.group(1).lower()
    raw = m.group(2)
    raw = raw.rstrip(".,;:!?)]}>'\"`*_")
    segments = [s for s in raw.split("/") if s]
    if host == "github.com":
        if len(segments) < 2 or segments[0].lower() in _GITHUB_NOT_OWNERS:
            return None
        segments = segments[:2]
    else:
        if "-" in segments:
            segments = segments[: segments.index("-")]
        for i, seg in enumerate(segments[2:], start=2):
            if seg in _GITLAB_PAGES:
                segments = segments[:i]
                break
        if len(segments) < 2:
            return None
    name = segments[-1].split("@", 1)[0]  # pip's git+https://host/org/repo@ref
    if name.lower().endswith(".git"):
        name = name[:-4]
    segments[-1] = name.rstrip(".")
    if not all(_NAME().match(s) for s in segments):
        return None
    return ForgeRepo(host, "/".join(segments))
