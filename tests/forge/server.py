"""A loopback code forge for tests: enough of GitHub's and GitLab's REST APIs for the real client.

Fixture repositories are YAML files under ``tests/forge/repos/<host>/<path>.yaml``
(``github.com/org/name.yaml``, ``gitlab.com/group/sub/name.yaml``); every key is optional::

    license: Apache-2.0          # GitHub's spdx_id (NOASSERTION for a license it cannot name) or
                                 # GitLab's key; absent or null: the repository has no license
    license_name: Apache License 2.0
    license_file: LICENSE        # path of the license file
    license_text: |              # served by GitHub's /license endpoint (words we wrote)
      ...
    renamed_from: [old-org/old-name]   # old paths that answer 301 to /repositories/{id}

Served, GitHub: ``GET /repos/{owner}/{repo}`` (301 for a renamed repository, to
``/repositories/{id}``), ``GET /repositories/{id}``, ``GET /repos/{owner}/{repo}/license``;
GitLab: ``GET /api/v4/projects/{url-encoded path}`` (``?license=true`` adds the license). Every
answer carries an ``ETag``; a request with a matching ``If-None-Match`` gets ``304`` and, as on
GitHub, does not count against the rate limit. ``x-ratelimit-*`` headers count down from
``limit`` (60, like anonymous GitHub); once spent, GitHub answers 403 (or 429 with
``rate_limit_status=429``) with ``x-ratelimit-remaining: 0``. A missing repository is a 404.

Every request is logged (``forge.requests``, with the ``Authorization``/``PRIVATE-TOKEN`` and
``If-None-Match`` headers); ``forge.exhaust()`` spends the rate limit at once;
``forge.fail_with(503)`` answers that status to everything; ``forge.go_away()`` closes the port.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from tests.loopback_server import LoopbackServer, TrackingHandler

REPOS_DIR = Path(__file__).parent / "repos"
HOSTS = ("github.com", "gitlab.com")


@dataclass(frozen=True)
class FixtureRepo:
    """A repository the loopback forge serves."""

    host: str
    """``github.com`` or ``gitlab.com``."""
    path: str
    """``owner/name`` or ``group/.../name``, as GitHub/GitLab spell it."""
    id: int
    """Numeric id (derived from the path)."""
    license: str | None = None
    """spdx_id (GitHub) or key (GitLab); None: no license."""
    license_name: str | None = None
    """The forge's name for the license."""
    license_file: str = "LICENSE"
    """Path of the license file."""
    license_text: str | None = None
    """The license file's text (GitHub's /license endpoint)."""
    renamed_from: tuple[str, ...] = ()
    """Old paths that redirect here."""
    etag: str = ""
    """The ETag of its answer (derived from the fixture)."""


@dataclass(frozen=True)
class LoggedRequest:
    """One request the loopback forge received."""

    method: str
    """``GET``."""
    path: str
    """URL path, still percent-encoded."""
    query: str
    """Raw query string."""
    status: int
    """Status code answered."""
    authorization: str | None
    """The ``Authorization`` (GitHub) or ``PRIVATE-TOKEN`` (GitLab) header, if any."""
    if_none_match: str | None
    """The ``If-None-Match`` header, if any."""


def load_repos(root: Path = REPOS_DIR) -> dict[tuple[str, str], FixtureRepo]:
    """Every fixture repository under ``root``, by ``(host, lower-case path)``."""
    repos: dict[tuple[str, str], FixtureRepo] = {}
    for host in HOSTS:
        base = root / host
        if not base.is_dir():
            continue
        for file in sorted(base.rglob("*.yaml")):
            path = file.relative_to(base).with_suffix("").as_posix()
            raw = file.read_bytes()
            data: dict[str, Any] = yaml.safe_load(raw) or {}
            repo = FixtureRepo(
                host=host,
                path=path,
                id=int(hashlib.sha1(f"{host}/{path}".encode()).hexdigest()[:8], 16),
                license=data.get("license"),
                license_name=data.get("license_name"),
                license_file=data.get("license_file") or "LICENSE",
                license_text=data.get("license_text"),
                renamed_from=tuple(data.get("renamed_from") or ()),
                etag=f'W/"{hashlib.sha1(raw + path.encode()).hexdigest()}"',
            )
            repos[(host, path.lower())] = repo
    return repos


@dataclass
class _State:
    limit: int
    used: int = 0
    fail_status: int | None = None
    rate_limit_status: int = 403
    log: list[LoggedRequest] = field(default_factory=list)


class LoopbackForge(LoopbackServer):
    """The loopback forge: a ThreadingHTTPServer on 127.0.0.1 in a daemon thread."""

    def __init__(
        self, repos_dir: Path = REPOS_DIR, host: str = "127.0.0.1", port: int = 0,
        limit: int = 60, extra: Mapping[tuple[str, str], FixtureRepo] | None = None,
    ) -> None:
        self.repos = load_repos(repos_dir)
        self.repos.update(extra or {})
        self.state = _State(limit=limit)
        super().__init__(_Handler, host, port)

    @property
    def url(self) -> str:
        """Base URL: export it as ``GITHUB_API_URL`` and as ``GITLAB_API_URL``."""
        return self.base_url

    # -- test controls -------------------------------------------------------------------------
    @property
    def requests(self) -> list[LoggedRequest]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self.state.log)

    def reset_log(self) -> None:
        """Forget the requests logged so far."""
        with self._lock:
            self.state.log.clear()

    def exhaust(self, status: int = 403) -> None:
        """Spend the rate limit: every counted request answers ``status`` (403 or 429)."""
        with self._lock:
            self.state.used = self.state.limit
            self.state.rate_limit_status = status

    def fail_with(self, status: int | None) -> None:
        """Answer ``status`` (e.g. 503) to every request; None heals."""
        with self._lock:
            self.state.fail_status = status

    def env(self) -> dict[str, str]:
        """Variables that point owcheck's forge lookups here (tokens of the caller dropped)."""
        return {"GITHUB_API_URL": self.url, "GITLAB_API_URL": self.url}

    # -- internals -------------------------------------------------------------------------
    def _record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.state.log.append(entry)

    def _take(self) -> tuple[bool, int]:
        """Count one request against the limit: (allowed, remaining after it)."""
        with self._lock:
            if self.state.used >= self.state.limit:
                return False, 0
            self.state.used += 1
            return True, self.state.limit - self.state.used

    def find(self, host: str, path: str) -> tuple[FixtureRepo | None, bool]:
        """The repository at ``path`` and whether ``path`` is an old (renamed) name."""
        repo = self.repos.get((host, path.lower()))
        if repo is not None:
            return repo, False
        for candidate in self.repos.values():
            if candidate.host == host and path.lower() in (p.lower() for p in
                                                           candidate.renamed_from):
                return candidate, True
        return None, False


def github_license(repo: FixtureRepo) -> dict[str, Any] | None:
    """The ``license`` object of GitHub's repository answer."""
    if repo.license is None:
        return None
    key = "other" if repo.license == "NOASSERTION" else repo.license.lower()
    return {"key": key, "name": repo.license_name or ("Other" if key == "other" else repo.license),
            "spdx_id": repo.license, "url": None if key == "other" else f"/licenses/{key}",
            "node_id": "MDc6TGljZW5zZTA="}


class _Handler(TrackingHandler):
    owner: LoopbackForge

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self._route(url.path, parse_qs(url.query))

    # -- answering -----------------------------------------------------------------------------
    def _send(
        self, status: int, payload: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        # Logged before answering, so a test that reads the log right after the client got its
        # answer always finds the request there.
        url = urlsplit(self.path)
        self.owner._record(LoggedRequest(
            "GET", url.path, url.query, status,
            self.headers.get("Authorization") or self.headers.get("PRIVATE-TOKEN"),
            self.headers.get("If-None-Match"),
        ))
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _route(self, path: str, query: dict[str, list[str]]) -> None:
        forge = self.owner
        if forge.state.fail_status is not None:
            self._send(forge.state.fail_status, {"message": "failing on purpose"})
            return
        segments = path.split("/")[1:]
        if segments[:2] == ["api", "v4"] and len(segments) == 4 and segments[2] == "projects":
            self._gitlab(unquote(segments[3]), query)
        elif segments[:1] == ["repos"] and len(segments) in (3, 4):
            self._github([unquote(s) for s in segments[1:]])
        elif segments[:1] == ["repositories"] and len(segments) == 2:
            self._github_by_id(segments[1])
        else:
            self._send(404, {"message": "Not Found"})

    def _limited(self, etag: str | None) -> tuple[bool, dict[str, str]]:
        """Apply the rate limit; a matching conditional request is free (as on GitHub)."""
        forge = self.owner
        if etag is not None and self.headers.get("If-None-Match") == etag:
            remaining = max(0, forge.state.limit - forge.state.used)
            return True, self._rate_headers(remaining)
        allowed, remaining = forge._take()
        headers = self._rate_headers(remaining)
        if not allowed:
            status = forge.state.rate_limit_status
            self._send(status, {"message": "API rate limit exceeded for 127.0.0.1. (But here's "
                                "the good news: authenticated requests get a higher rate limit.)"},
                       headers)
        return allowed, headers

    def _rate_headers(self, remaining: int) -> dict[str, str]:
        limit = self.owner.state.limit
        return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(remaining),
                "x-ratelimit-used": str(limit - remaining), "x-ratelimit-reset": "1893456000",
                "x-ratelimit-resource": "core"}

    def _answer(self, payload: dict[str, Any], etag: str, headers: dict[str, str]) -> None:
        if self.headers.get("If-None-Match") == etag:
            self._send(304, None, {"ETag": etag, **headers})
        else:
            self._send(200, payload, {"ETag": etag, **headers})

    def _github(self, parts: list[str]) -> None:
        repo, renamed = self.owner.find("github.com", "/".join(parts[:2]))
        allowed, headers = self._limited(repo.etag if repo and not renamed else None)
        if not allowed:
            return
        if repo is None:
            self._send(404, {"message": "Not Found",
                             "documentation_url": "https://docs.github.com/rest"}, headers)
            return
        if renamed:
            location = f"{self.owner.url}/repositories/{repo.id}"
            if len(parts) == 3:
                location += f"/{parts[2]}"
            self._send(301, {"message": "Moved Permanently", "url": location},
                       {"Location": location, **headers})
            return
        if len(parts) == 3:
            self._github_license(repo, headers)
            return
        self._answer(self._github_repo(repo), repo.etag, headers)

    def _github_by_id(self, raw_id: str) -> None:
        repo = next((r for r in self.owner.repos.values()
                     if r.host == "github.com" and str(r.id) == raw_id), None)
        allowed, headers = self._limited(repo.etag if repo else None)
        if not allowed:
            return
        if repo is None:
            self._send(404, {"message": "Not Found"}, headers)
            return
        self._answer(self._github_repo(repo), repo.etag, headers)

    def _github_repo(self, repo: FixtureRepo) -> dict[str, Any]:
        owner, name = repo.path.split("/", 1)
        return {
            "id": repo.id, "name": name, "full_name": repo.path, "private": False,
            "owner": {"login": owner}, "html_url": f"https://github.com/{repo.path}",
            "default_branch": "main", "license": github_license(repo),
        }

    def _github_license(self, repo: FixtureRepo, headers: dict[str, str]) -> None:
        if repo.license is None:
            self._send(404, {"message": "Not Found"}, headers)
            return
        text = (repo.license_text or "").encode()
        self._send(200, {
            "name": repo.license_file, "path": repo.license_file, "size": len(text),
            "sha": hashlib.sha1(text).hexdigest(), "type": "file", "encoding": "base64",
            "content": base64.encodebytes(text).decode(), "license": github_license(repo),
        }, headers)

    def _gitlab(self, path: str, query: dict[str, list[str]]) -> None:
        repo, _renamed = self.owner.find("gitlab.com", path)
        allowed, headers = self._limited(repo.etag if repo else None)
        if not allowed:
            return
        if repo is None:
            self._send(404, {"message": "404 Project Not Found"}, headers)
            return
        payload: dict[str, Any] = {
            "id": repo.id, "path_with_namespace": repo.path,
            "web_url": f"https://gitlab.com/{repo.path}", "default_branch": "main",
        }
        if query.get("license") == ["true"]:
            lic = None
            if repo.license is not None:
                lic = {"key": repo.license, "name": repo.license_name or repo.license,
                       "nickname": None, "html_url": None, "source_url": None}
            payload["license"] = lic
            payload["license_url"] = (
                f"https://gitlab.com/{repo.path}/-/blob/main/{repo.license_file}"
                if repo.license is not None else None
            )
        self._answer(payload, repo.etag, headers)


def forge_env(forge: LoopbackForge | None) -> dict[str, str]:
    """Forge variables for a test subprocess: the loopback forge, or a closed port (so that no
    test ever reaches api.github.com), and no token of the caller's."""
    dead = "http://127.0.0.1:9"
    return {
        "GITHUB_API_URL": forge.url if forge else dead,
        "GITLAB_API_URL": forge.url if forge else dead,
        "GITHUB_TOKEN": "", "GH_TOKEN": "", "GITLAB_TOKEN": "",
    }
