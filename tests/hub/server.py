"""A loopback Hugging Face Hub for tests: enough of the Hub's HTTP API for the unmodified client.

Fixture repos live under ``tests/hub/repos/{models,datasets}/<org>/<name>/`` (or ``<name>/`` for
an id without namespace, such as ``the_pile``). Each repo folder
holds an optional ``repo.yaml`` and one folder of files per revision (``main/`` by default)::

    # repo.yaml (every key optional)
    gated: manual              # false | auto | manual
    gated_files: ["*.safetensors", "config.json"]   # served as 401/403 GatedRepo when gated
    private: true              # every request answers RepoNotFound (401), like the real Hub
    card_data: {license: mit}  # cardData the API answers, instead of the README's front matter
    revisions:                 # revision name -> folder with that revision's files
      main: main
      v1.0: v1.0

Commit shas and ETags are derived from the files (git-blob sha1 for ETags), so they change when a
fixture changes and tests read them from the server (``hub.sha("models", "org/name", "v1.0")``).

Served: ``GET /api/{models,datasets}/{id}[/revision/{rev}]`` (``expand=`` honoured, ``blobs=true``
adds sizes), ``GET /api/{models,datasets}/{id}/tree/{rev}[/{path}]``, ``HEAD``/``GET
/{id}/resolve/{rev}/{file}`` and ``/datasets/{id}/resolve/...`` with ``X-Repo-Commit``, ``ETag``
and ``Content-Length`` (a ``Range: bytes=A-B`` GET answers 206 with that slice); errors carry
``X-Error-Code`` (RepoNotFound, RevisionNotFound, EntryNotFound with ``X-Repo-Commit``,
GatedRepo); ``/api/agent-harnesses`` answers 404.

Every request is logged (``hub.requests``, with its arrival time, so tests can measure the waits
between retries). ``LoopbackHub(latency=0.05)`` delays every answer by 50 ms, the shape of a real
Hub. Faults (``hub.inject(Fault(...))``), each limited to paths matching a glob, to a number of
requests and optionally after some requests got through:

- ``status``: answer a status code (503, 429 with ``Retry-After`` or ``RateLimit`` headers, ...);
- ``reset``: read the request, then close the connection with a TCP reset, answering nothing;
- ``truncate``: send the headers with the full ``Content-Length`` and half the body, then close;
- ``drip``: send the body one byte every ``interval`` seconds;
- ``hang``: read the request and answer nothing for ``seconds`` (or until the server stops).

``hub.fail_with(503)`` is the short form of a status fault on every path; ``hub.go_away()`` closes
the port and every open connection, so clients get connection errors. ``synthetic_repos(n)``
builds ``n`` generated models (with shared bases and datasets) for benchmarks.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import re
import socket
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from tests.loopback_server import LoopbackServer, TrackingHandler

REPOS_DIR = Path(__file__).parent / "repos"
KINDS = ("models", "datasets")
DEFAULT_GATED_FILES = ("*.safetensors", "*.bin", "*.gguf", "*.pt", "*.pth", "config.json")
TIMESTAMP = "2024-06-01T00:00:00.000Z"
# The Hub's front-matter regex (as documented by huggingface_hub).
_FRONT_MATTER = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")


@dataclass(frozen=True)
class Revision:
    """One revision of a fixture repo: its commit and its files."""

    name: str
    """Branch or tag name as served (``main``, ``v1.0``)."""
    sha: str
    """40-hex commit id, derived from the files."""
    files: dict[str, bytes]
    """File contents by repo path."""


@dataclass(frozen=True)
class FixtureRepo:
    """A repo the loopback Hub serves."""

    kind: str
    """``models`` or ``datasets``."""
    id: str
    """``org/name``."""
    revisions: dict[str, Revision]
    """Revisions by name."""
    gated: str | bool = False
    """``auto``/``manual`` or False."""
    gated_files: tuple[str, ...] = DEFAULT_GATED_FILES
    """Glob patterns of files that need access when the repo is gated."""
    private: bool = False
    """True: the repo answers RepoNotFound to everyone."""
    card_data: dict[str, Any] | None = None
    """``cardData`` to answer instead of the README's front matter (a Hub whose copy lags)."""

    def resolve(self, rev: str) -> Revision | None:
        """The revision named ``rev`` (a name or a commit sha), or None."""
        if rev in self.revisions:
            return self.revisions[rev]
        for r in self.revisions.values():
            if r.sha == rev:
                return r
        return None


@dataclass(frozen=True)
class LoggedRequest:
    """One request the loopback Hub received."""

    method: str
    """``GET`` or ``HEAD``."""
    path: str
    """URL path, still percent-encoded."""
    query: str
    """Raw query string."""
    status: int
    """Status code answered."""
    authorization: str | None
    """The ``Authorization`` header, if any (tests check the token was sent)."""
    time: float = 0.0
    """``time.monotonic()`` when the request arrived (before any injected latency)."""
    fault: str | None = None
    """The fault injected into the answer (``status``, ``reset``, ``truncate``, ...), if any."""
    range: str | None = None
    """The ``Range`` header, if any."""


FAULT_KINDS = ("status", "reset", "truncate", "drip", "hang")


@dataclass
class Fault:
    """A fault the loopback Hub injects into the answers to matching requests."""

    kind: str
    """One of ``FAULT_KINDS``."""
    match: str = "*"
    """fnmatch pattern on the URL path (``*/resolve/*`` for file downloads, ``/api/*`` for info)."""
    count: int | None = None
    """How many matching requests it hits; None: every one."""
    after: int = 0
    """Matching requests let through untouched before the fault starts."""
    status: int = 503
    """``status``: the code answered."""
    headers: dict[str, str] = field(default_factory=dict)
    """``status``: extra headers (``Retry-After``, ``RateLimit``, ...)."""
    interval: float = 0.05
    """``drip``: seconds between two bytes of the body."""
    seconds: float = 3600.0
    """``hang``: how long to keep the request unanswered."""

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")


def blob_sha(data: bytes) -> str:
    """Git blob sha1 of ``data`` (what the Hub sends as ETag for non-LFS files)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _load_repo(kind: str, repo_id: str, folder: Path) -> FixtureRepo:
    meta_path = folder / "repo.yaml"
    meta: dict[str, Any] = {}
    if meta_path.is_file():
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    revision_dirs: dict[str, str] = meta.get("revisions") or {"main": "main"}
    revisions: dict[str, Revision] = {}
    for name, sub in revision_dirs.items():
        root = folder / sub
        files = {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }
        revisions[str(name)] = make_revision(kind, repo_id, str(name), files)
    return FixtureRepo(
        kind=kind,
        id=repo_id,
        revisions=revisions,
        gated=meta.get("gated", False),
        gated_files=tuple(meta.get("gated_files") or DEFAULT_GATED_FILES),
        private=bool(meta.get("private", False)),
        card_data=meta.get("card_data"),
    )


def make_revision(kind: str, repo_id: str, name: str, files: dict[str, bytes]) -> Revision:
    """A revision whose commit sha is derived from its files (it changes when they change)."""
    digest = hashlib.sha1(f"{kind}/{repo_id}@{name}".encode())
    for path, data in sorted(files.items()):
        digest.update(f"\n{path}:{blob_sha(data)}".encode())
    return Revision(name, digest.hexdigest(), files)


def synthetic_repos(
    count: int, bases: int = 20, datasets: int = 10
) -> dict[tuple[str, str], FixtureRepo]:
    """``count`` generated models ``synth/model-N`` for benchmarks, with generated cards we wrote.

    Every model has a card and a LICENSE; one in four is a fine-tune of one of ``bases`` shared
    base models (``synthbase/base-N``, themselves plain), one in five names one of ``datasets``
    shared datasets (``synthdata/data-N``). The mix stands in for a registry's long tail.
    """
    repos: dict[tuple[str, str], FixtureRepo] = {}

    def add(kind: str, repo_id: str, files: dict[str, bytes]) -> None:
        repos[(kind, repo_id)] = FixtureRepo(
            kind, repo_id, {"main": make_revision(kind, repo_id, "main", files)})

    license_text = b"Synthetic license text for owcheck benchmarks: permission is granted.\n"
    for i in range(datasets):
        add("datasets", f"synthdata/data-{i}", {
            "README.md": f"---\nlicense: cc-by-4.0\n---\n# Data {i}\nGenerated.\n".encode(),
        })
    for i in range(bases):
        add("models", f"synthbase/base-{i}", {
            "README.md": (f"---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n"
                          f"# Base {i}\nA generated base model.\n").encode(),
            "LICENSE": license_text,
            "model.safetensors": b"\0" * 16,
        })
    for i in range(count):
        meta = ["license: apache-2.0", "library_name: transformers"]
        if i % 4 == 1:
            meta += [f"base_model: synthbase/base-{i % bases}", "base_model_relation: finetune"]
        if i % 5 == 2:
            meta.append(f"datasets:\n  - synthdata/data-{i % datasets}")
        card = "---\n" + "\n".join(meta) + f"\n---\n# Model {i}\nA generated model.\n"
        add("models", f"synth/model-{i}", {
            "README.md": card.encode(),
            "LICENSE": license_text,
            "model.safetensors": b"\0" * 16,
        })
    return repos


def load_repos(root: Path = REPOS_DIR) -> dict[tuple[str, str], FixtureRepo]:
    """Every fixture repo under ``root``, by ``(kind, id)``."""
    repos: dict[tuple[str, str], FixtureRepo] = {}
    for kind in KINDS:
        base = root / kind
        if not base.is_dir():
            continue
        for org in sorted(p for p in base.iterdir() if p.is_dir()):
            if (org / "main").is_dir() or (org / "repo.yaml").is_file():
                # A repo without a namespace (legacy ids such as the_pile).
                repos[(kind, org.name)] = _load_repo(kind, org.name, org)
                continue
            for name in sorted(p for p in org.iterdir() if p.is_dir()):
                repo_id = f"{org.name}/{name.name}"
                repos[(kind, repo_id)] = _load_repo(kind, repo_id, name)
    return repos


def _card_data(readme: bytes | None) -> dict[str, Any] | None:
    """The README's YAML front matter as the Hub's API returns it (``cardData``)."""
    if readme is None:
        return None
    try:
        text = readme.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    match = _FRONT_MATTER.match(text)
    if not match:
        return None
    try:
        data = yaml.safe_load(match.group(2))
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def hub_tags(card: dict[str, Any] | None) -> list[str]:
    """The tags the Hub lists for a repo: the card's own, and those it computes from the card
    (``license:``, ``dataset:``, ``base_model:``)."""
    tags: list[str] = []
    if card:
        tags += [str(t) for t in _as_list(card.get("tags"))]
        tags += [f"license:{lic}" for lic in _as_list(card.get("license"))]
        tags += [f"dataset:{d}" for d in _as_list(card.get("datasets"))]
        tags += [f"base_model:{b}" for b in _as_list(card.get("base_model"))]
    return tags


def card_data(repo: FixtureRepo, revision: str = "main") -> dict[str, Any] | None:
    """The ``cardData`` the Hub answers for a repo's revision."""
    rev = repo.resolve(revision)
    if rev is None:
        return None
    return repo.card_data or _card_data(rev.files.get("README.md"))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class LoopbackHub(LoopbackServer):
    """The loopback Hub: a ThreadingHTTPServer on 127.0.0.1 in a daemon thread."""

    def __init__(
        self,
        repos_dir: Path = REPOS_DIR,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency: float = 0.0,
        extra_repos: dict[tuple[str, str], FixtureRepo] | None = None,
        log_requests: bool = True,
    ):
        self.repos = load_repos(repos_dir)
        self.repos.update(extra_repos or {})
        self.latency = latency
        """Seconds every answer is delayed by (set 0.05 for the shape of a real Hub)."""
        self.log_requests = log_requests
        """False keeps only ``request_count`` (long benchmarks)."""
        self.request_count = 0
        """Requests received so far (kept even when the log is off)."""
        self._log: list[LoggedRequest] = []
        self._faults: list[Fault] = []
        self.echo_auth = False
        """Hostile-server mode: put the Authorization header into error messages."""
        super().__init__(_Handler, host, port)

    @property
    def endpoint(self) -> str:
        """Base URL to export as ``HF_ENDPOINT``."""
        return self.base_url

    # -- test controls -------------------------------------------------------------------------
    @property
    def requests(self) -> list[LoggedRequest]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def reset_log(self) -> None:
        """Forget the requests logged so far."""
        with self._lock:
            self._log.clear()
            self.request_count = 0

    def fail_with(self, status: int | None, count: int | None = None, after: int = 0) -> None:
        """Answer ``status`` (e.g. 503, 429) to every request, or to the next ``count``; None heals.

        ``after`` lets that many requests through first (to fail in the middle of a run).
        """
        self.clear_faults()
        if status is not None:
            self.inject(Fault("status", status=status, count=count, after=after))

    def inject(self, fault: Fault) -> None:
        """Add a fault; the first active fault whose pattern matches a request applies to it."""
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        """Heal: remove every fault."""
        with self._lock:
            self._faults.clear()

    def sha(self, kind: str, repo_id: str, revision: str = "main") -> str:
        """Commit sha the server answers for a fixture repo's revision."""
        rev = self.repos[(kind, repo_id)].resolve(revision)
        if rev is None:
            raise KeyError(revision)
        return rev.sha

    def env(self, tmp_path: Path) -> dict[str, str]:
        """Environment for a subprocess (owcheck, or the source) that talks to this Hub only."""
        return hub_env(self.endpoint, tmp_path)

    # -- internals -----------------------------------------------------------------------------
    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not fnmatch.fnmatchcase(path, fault.match):
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    return None
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                return fault
            return None

    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.request_count += 1
            if self.log_requests:
                self._log.append(entry)

    def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the server stops first; True when it is stopping."""
        return self._stopping.wait(seconds)


def hub_env(endpoint: str, tmp_path: Path) -> dict[str, str]:
    """Environment that points huggingface_hub at ``endpoint`` with a private cache in ``tmp_path``.

    HF_* variables of the calling environment (a real token, offline mode, another endpoint) are
    dropped, so a test never talks to huggingface.co or sends a real token. The forge lookups
    point at a closed port (no test reaches api.github.com) unless a test adds a loopback forge's
    variables (``LoopbackForge.env()``).
    """
    from tests.forge.server import forge_env

    root = Path(__file__).resolve().parents[2]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "HUGGING_FACE_", "HUGGINGFACE_", "GITHUB_", "GITLAB_"))
        and k not in ("TRANSFORMERS_OFFLINE", "DISABLE_TELEMETRY", "DO_NOT_TRACK", "GH_TOKEN")
    }
    env.update(forge_env(None))
    home = tmp_path / "hf-home"
    env.update(
        HF_ENDPOINT=endpoint,
        HF_HOME=str(home),
        HF_HUB_CACHE=str(home / "hub"),
        HF_TOKEN_PATH=str(tmp_path / "no-such-token-file"),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_XET="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        HF_HUB_DISABLE_UPDATE_CHECK="1",
        PYTHONPATH=os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p),
    )
    return env


class _Handler(TrackingHandler):
    # Headers and body go out in two writes; with Nagle's algorithm the body then waits for the
    # client's delayed ACK (40 ms on Linux) on every reused connection. Real Hubs do not do that.
    disable_nagle_algorithm = True
    owner: LoopbackHub
    _fault: Fault | None = None
    _status = 0
    _logged = True
    _arrived = 0.0
    _url = urlsplit("/")

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    # -- answering -----------------------------------------------------------------------------
    def _send(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        self._status = status
        self._log_request()  # before answering: a client that got the answer finds it logged
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD" or not body:
            return
        fault = self._fault
        if fault is not None and fault.kind == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self._abort(reset=False)
        elif fault is not None and fault.kind == "drip":
            for i in range(len(body)):
                if self.owner._wait(fault.interval):
                    break
                try:
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
                except OSError:  # the client gave up
                    break
            self.close_connection = True
        else:
            self.wfile.write(body)

    def _abort(self, reset: bool) -> None:
        """Close the connection now: with a TCP reset (RST), or a plain close mid-answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            if reset:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self._send(status, body, {"Content-Type": "application/json", **(headers or {})})

    def _error(
        self, status: int, code: str | None, message: str, extra: dict[str, str] | None = None
    ) -> None:
        if self.owner.echo_auth:
            message += f" (sent: {self.headers.get('Authorization')})"
        headers = {"X-Error-Message": message, **(extra or {})}
        if code:
            headers["X-Error-Code"] = code
        self._json(status, {"error": message}, headers)

    def _dispatch(self) -> None:
        self._arrived = time.monotonic()
        self._status = 0
        self._logged = False
        url = urlsplit(self.path)
        self._url = url
        hub = self.owner
        self._fault = fault = hub._next_fault(url.path)
        try:
            if hub.latency and hub._wait(hub.latency):
                self._abort(reset=False)
            elif fault is None or fault.kind in ("truncate", "drip"):
                self._route(url.path, parse_qs(url.query))
            elif fault.kind == "status":
                self._error(fault.status, None, "the loopback Hub is failing on purpose",
                            fault.headers)
            elif fault.kind == "reset":
                self._log_request()
                self._abort(reset=True)
            else:  # hang
                self._log_request()
                hub._wait(fault.seconds)
                self._abort(reset=False)
        finally:
            self._log_request()

    def _log_request(self) -> None:
        if self._logged:
            return
        self._logged = True
        fault = self._fault
        self.owner._record(
            LoggedRequest(
                self.command, self._url.path, self._url.query, self._status,
                self.headers.get("Authorization"), self._arrived,
                fault.kind if fault else None, self.headers.get("Range"),
            )
        )

    def _find(self, kind: str, segments: list[str]) -> tuple[FixtureRepo | None, str, list[str]]:
        """Split ``segments`` into a repo (two segments, or one) and the rest."""
        for n in (2, 1):
            repo_id = "/".join(segments[:n])
            repo = self.owner.repos.get((kind, repo_id))
            if repo is not None and len(segments) >= n:
                return repo, repo_id, segments[n:]
        return None, "/".join(segments[:2]), segments[2:]

    def _route(self, path: str, query: dict[str, list[str]]) -> None:
        segments = [unquote(s) for s in path.split("/")[1:]]
        if segments[:2] == ["api", "agent-harnesses"]:
            self._error(404, None, "Not Found")
        elif segments and segments[0] == "api" and len(segments) > 2 and segments[1] in KINDS:
            self._api(segments[1], segments[2:], query)
        elif segments and segments[0] == "datasets" and "resolve" in segments:
            self._resolve("datasets", segments[1:])
        elif "resolve" in segments:
            self._resolve("models", segments)
        else:
            self._error(404, None, "Not Found")

    def _repo_or_error(self, repo: FixtureRepo | None, kind: str, repo_id: str) -> bool:
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found")
            return False
        if repo.private:
            # The real Hub answers 401 to anonymous callers for private (and missing) repos.
            self._error(401, "RepoNotFound", "Repository not found")
            return False
        return True

    def _api(self, kind: str, segments: list[str], query: dict[str, list[str]]) -> None:
        repo, repo_id, rest = self._find(kind, segments)
        if not self._repo_or_error(repo, kind, repo_id):
            return
        assert repo is not None
        if not rest:
            rev_name, tree = "main", None
        elif rest[0] == "revision" and len(rest) == 2:
            rev_name, tree = rest[1], None
        elif rest[0] == "tree" and len(rest) >= 2:
            rev_name, tree = rest[1], "/".join(rest[2:])
        else:
            self._error(404, None, "Not Found")
            return
        rev = repo.resolve(rev_name)
        if rev is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev_name}")
            return
        if tree is not None:
            self._tree(rev, tree, query)
            return
        self._json(200, self._info(repo, rev, query))

    def _info(
        self, repo: FixtureRepo, rev: Revision, query: dict[str, list[str]]
    ) -> dict[str, Any]:
        card = repo.card_data or _card_data(rev.files.get("README.md"))
        tags = hub_tags(card)
        blobs = query.get("blobs") == ["true"]
        siblings = []
        for path, data in sorted(rev.files.items()):
            sib: dict[str, Any] = {"rfilename": path}
            if blobs:
                sib.update(size=len(data), blobId=blob_sha(data))
            siblings.append(sib)
        org = repo.id.split("/")[0] if "/" in repo.id else None
        info: dict[str, Any] = {
            "_id": hashlib.sha1(repo.id.encode()).hexdigest()[:24],
            "id": repo.id,
            "author": org,
            "sha": rev.sha,
            "lastModified": TIMESTAMP,
            "createdAt": TIMESTAMP,
            "private": False,
            "gated": repo.gated,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": tags,
            "cardData": card,
            "siblings": siblings,
        }
        if repo.kind == "models":
            info["library_name"] = card.get("library_name") if card else None
            info["pipeline_tag"] = card.get("pipeline_tag") if card else None
        if card is None:
            del info["cardData"]
        expand = query.get("expand")
        if expand:
            # With expand, the Hub answers only the properties asked for (plus the ids).
            info = {k: v for k, v in info.items() if k in ("_id", "id") or k in expand}
        return info

    def _tree(self, rev: Revision, under: str, query: dict[str, list[str]]) -> None:
        recursive = query.get("recursive") == ["true"]
        prefix = f"{under.strip('/')}/" if under.strip("/") else ""
        entries: list[dict[str, Any]] = []
        dirs: set[str] = set()
        for path, data in sorted(rev.files.items()):
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix):]
            parts = rest.split("/")
            for i in range(1, len(parts)):
                d = prefix + "/".join(parts[:i])
                if d not in dirs and (recursive or i == 1):
                    dirs.add(d)
                    entries.append({"type": "directory", "oid": blob_sha(d.encode()), "size": 0,
                                    "path": d})
            if recursive or len(parts) == 1:
                entries.append({"type": "file", "oid": blob_sha(data), "size": len(data),
                                "path": path})
        if prefix and not entries:
            self._error(404, "EntryNotFound", f"{under} does not exist", {"X-Repo-Commit": rev.sha})
            return
        self._json(200, entries)

    def _resolve(self, kind: str, segments: list[str]) -> None:
        at = segments.index("resolve")
        repo_id = "/".join(segments[:at])
        repo = self.owner.repos.get((kind, repo_id))
        if not self._repo_or_error(repo, kind, repo_id):
            return
        assert repo is not None
        if len(segments) < at + 3:
            self._error(404, None, "Not Found")
            return
        rev_name, filename = segments[at + 1], "/".join(segments[at + 2:])
        rev = repo.resolve(rev_name)
        if rev is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev_name}")
            return
        data = rev.files.get(filename)
        if data is None:
            self._error(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": rev.sha})
            return
        if repo.gated and any(fnmatch.fnmatch(filename, pat) for pat in repo.gated_files):
            noun = "model" if kind == "models" else "dataset"
            # Anonymous callers get 401, authenticated ones without access 403 (as on the Hub).
            status = 403 if self.headers.get("Authorization") else 401
            self._error(
                status, "GatedRepo",
                f"Access to {noun} {repo.id} is restricted. You must have access to it and be "
                "authenticated to access it. Please log in.",
            )
            return
        headers = {
            "X-Repo-Commit": rev.sha,
            "ETag": f'"{blob_sha(data)}"',
            "Content-Type": "application/octet-stream",
            "Accept-Ranges": "bytes",
        }
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
        if wanted and self.command == "GET" and int(wanted.group(1)) < len(data):
            first = int(wanted.group(1))
            last = min(int(wanted.group(2) or len(data) - 1), len(data) - 1)
            headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
            self._send(206, data[first : last + 1], headers)
            return
        self._send(200, data, headers)


def iter_repo_ids(kind: str) -> Iterator[str]:
    """Ids of every fixture repo of one kind (for the ``python -m tests.hub`` banner)."""
    for k, repo_id in sorted(load_repos()):
        if k == kind:
            yield repo_id


