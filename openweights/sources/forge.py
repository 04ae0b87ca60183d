"""The code-forge source: the license of the code repositories a card links, from GitHub and
GitLab's REST APIs, through a real HTTP client (``httpx2``).

- GitHub: ``GET {GITHUB_API_URL}/repos/{owner}/{repo}`` and its ``license.spdx_id``; a renamed
  repository answers 301 and is followed; ``NOASSERTION`` (a license GitHub cannot name) makes a
  second request, ``/repos/{owner}/{repo}/license``, for the file's text, which the evidence
  identifies with the license catalogue. ``GITHUB_API_URL`` defaults to https://api.github.com
  (GitHub Actions sets it); a token from ``GITHUB_TOKEN`` or ``GH_TOKEN`` is sent when set.
- GitLab: ``GET {GITLAB_API_URL}/api/v4/projects/{url-encoded path}?license=true``;
  ``GITLAB_API_URL`` defaults to https://gitlab.com, ``GITLAB_TOKEN`` is sent when set.

Every answer is cached under ``$HF_HOME/owcheck/forge/`` (beside the Hub client's cache) with
its ``ETag``; the next run sends ``If-None-Match`` and a ``304 Not Modified`` (which GitHub does
not count against the rate limit) reuses the cached answer. A "not found" answer is reused for
a day (``NOT_FOUND_TTL``) without asking. Cache files are written to a
temporary name and renamed, so a half-written file is never read. Each repository is asked at
most once per ``ForgeSource``. Offline (``offline=True``, ``HF_HUB_OFFLINE=1``) only the cache
is read.

A forge never stops a run: not found, rate-limited, unreachable or refused lookups come back as
a ``ForgeAnswer`` with that status and a one-line message (a token is never in it); when the
cache holds an older answer it is used instead. All HTTP goes through ``ForgeSource._send``, which
sends through ``openweights.sources.http`` (the retries, backoff and rate limits every source
shares).
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2

from openweights import __version__
from openweights.records import asdict, record, replace
from openweights.repoids import ForgeKind, ForgeRepo
from openweights.secrets import scrub
from openweights.sources import Bundle, ForgeAnswer, ForgeStatus, http

GITHUB_API = "https://api.github.com"
"""GitHub's REST API, unless ``GITHUB_API_URL`` says otherwise."""
GITLAB_API = "https://gitlab.com"
"""GitLab's base URL, unless ``GITLAB_API_URL`` says otherwise (the API is under /api/v4)."""
ANONYMOUS_GITHUB_LIMIT = 60
"""Requests an hour GitHub allows without a token."""
MAX_LICENSE_BYTES = 1 << 20
"""A license file larger than this is not kept."""
CACHE_FORMAT = 1
NOT_FOUND_TTL = 24 * 3600
"""Seconds a "not found" answer is reused without asking again (404s count against GitHub's
rate limit, and a repository rarely comes back within a day)."""

MAX_REPLY_BYTES = 4 << 20
"""A forge answer larger than this is cut (and then unreadable); license files stay far below."""
_FORGE_NAMES: Mapping[ForgeKind, str] = {"github": "GitHub", "gitlab": "GitLab"}


@record
class _Reply:
    """What one HTTP exchange gave: a status and body, or a transport error."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    error: str | None = None
    """The transport error's name when no answer came (status 0)."""

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


def _truthy(value: str | None) -> bool:
    return (value or "").strip().upper() in ("1", "ON", "YES", "TRUE")


def default_cache_dir() -> Path:
    """``$HF_HOME/owcheck/forge`` (``HF_HOME`` defaults as the Hub client's does)."""
    home = os.environ.get("HF_HOME")
    if not home:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        home = os.path.join(xdg, "huggingface")
    return Path(home) / "owcheck" / "forge"


class ForgeSource:
    """Asks GitHub and GitLab for the license of code repositories; one instance per run."""

    def __init__(
        self,
        *,
        github_api: str | None = None,
        gitlab_api: str | None = None,
        github_token: str | None = None,
        gitlab_token: str | None = None,
        offline: bool = False,
        cache_dir: Path | None = None,
        timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        self.bases: dict[ForgeKind, str] = {
            "github": (github_api or GITHUB_API).rstrip("/"),
            "gitlab": (gitlab_api or GITLAB_API).rstrip("/"),
        }
        self.tokens: dict[ForgeKind, str | None] = {
            "github": github_token or None, "gitlab": gitlab_token or None,
        }
        self.offline = offline
        self.cache_dir = cache_dir or default_cache_dir()
        self.timeout = timeout
        self.retries = max(1, retries)
        self.backoff = backoff
        self.requests_sent = 0
        """HTTP requests sent so far (every attempt counts)."""
        self._policy = http.RetryPolicy(attempts=self.retries, backoff=backoff,
                                        backoff_max=max(backoff, 4.0),
                                        connect_timeout=timeout, read_timeout=timeout)
        self._gates: dict[ForgeKind, http.RateGate] = {
            "github": http.RateGate(), "gitlab": http.RateGate()}
        self._answers: dict[str, ForgeAnswer] = {}
        self._down: dict[ForgeKind, ForgeAnswer] = {}
        self._lock = threading.Lock()
        self._client: httpx2.Client | None = None

    @classmethod
    def from_environment(
        cls, *, offline: bool = False, environ: Mapping[str, str] | None = None
    ) -> ForgeSource:
        """A source set up from ``GITHUB_API_URL``, ``GITHUB_TOKEN``/``GH_TOKEN``,
        ``GITLAB_API_URL``, ``GITLAB_TOKEN`` and ``HF_HUB_OFFLINE``."""
        env = os.environ if environ is None else environ
        return cls(
            github_api=env.get("GITHUB_API_URL") or None,
            gitlab_api=env.get("GITLAB_API_URL") or None,
            github_token=env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or None,
            gitlab_token=env.get("GITLAB_TOKEN") or None,
            offline=offline or _truthy(env.get("HF_HUB_OFFLINE")),
        )

    @property
    def anonymous_github(self) -> bool:
        """True when GitHub is asked without a token (60 requests an hour)."""
        return self.tokens["github"] is None

    # -- public ------------------------------------------------------------------------------
    def lookup(self, repo: ForgeRepo) -> ForgeAnswer:
        """The forge's answer about ``repo``; asked at most once per source, never raises."""
        with self._lock:
            known = self._answers.get(repo.key)
            if known is None:
                known = self._lookup(repo)
                self._answers[repo.key] = known
            return known

    def lookup_all(self, repos: Iterable[ForgeRepo]) -> dict[str, ForgeAnswer]:
        """Answers for several repositories, by repository key."""
        return {repo.key: self.lookup(repo) for repo in repos}

    def close(self) -> None:
        """Close the HTTP connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- one repository -------------------------------------------------------------------------
    def _lookup(self, repo: ForgeRepo) -> ForgeAnswer:
        cached = self._read_cache(repo)
        if self.offline:
            if cached is not None:
                return replace(_answer_from(cached), cached=True)
            return ForgeAnswer(
                repo=str(repo), status=ForgeStatus.NOT_CACHED,
                message=f"{repo} was not looked up before and the forge may not be used "
                "(offline)",
            )
        if cached is not None and _fresh_not_found(cached):
            return replace(_answer_from(cached), cached=True)
        down = self._down.get(repo.kind)
        if down is not None:
            # The forge already said no for this run (rate limit, outage): don't insist.
            failed = replace(down, repo=str(repo))
            return replace(_answer_from(cached), cached=True) if cached else failed
        if repo.kind == "github":
            answer, entry = self._github(repo, cached)
        else:
            answer, entry = self._gitlab(repo, cached)
        if answer.status in (ForgeStatus.RATE_LIMITED, ForgeStatus.UNREACHABLE):
            self._down[repo.kind] = answer
            if cached is not None:
                return replace(_answer_from(cached), cached=True)
        if answer.status is ForgeStatus.NOT_FOUND:
            entry = {"checked": time.time(), "answer": _answer_json(answer)}
        if entry is not None:
            self._write_cache(repo, entry)
        return answer

    def _ask(
        self, repo: ForgeRepo, url: str, cached: Mapping[str, Any] | None
    ) -> ForgeAnswer | _Reply:
        """The forge's reply about ``repo`` to read, or the answer already settled: the cached
        one when the forge says it has not changed (304), or the failure."""
        reply = self._send(repo.kind, url, cached.get("etag") if cached else None)
        if reply.status == 304 and cached is not None:
            return replace(_answer_from(cached), cached=True)
        failed = self._failure(repo, reply)
        return reply if failed is None else failed

    def _github(
        self, repo: ForgeRepo, cached: Mapping[str, Any] | None
    ) -> tuple[ForgeAnswer, dict[str, Any] | None]:
        reply = self._ask(repo, f"{self.bases['github']}/repos/{repo.path}", cached)
        if isinstance(reply, ForgeAnswer):
            return reply, None
        try:
            data = reply.json()
            full_name = str(data["full_name"])
            lic = data.get("license") if isinstance(data.get("license"), dict) else None
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return self._unreadable(repo), None
        answer = ForgeAnswer(
            repo=str(repo), status=ForgeStatus.OK, canonical=f"{repo.host}/{full_name}",
            license_id=_str(lic.get("spdx_id")) if lic else None,
            license_name=_str(lic.get("name")) if lic else None,
        )
        if lic and (answer.license_id or "").upper() in ("NOASSERTION", ""):
            answer = self._github_license_text(repo, full_name, answer)
        entry = {"etag": reply.headers.get("etag"), "answer": _answer_json(answer)}
        return answer, entry

    def _github_license_text(
        self, repo: ForgeRepo, full_name: str, answer: ForgeAnswer
    ) -> ForgeAnswer:
        """The license file's text, for a license GitHub could not name."""
        reply = self._send("github", f"{self.bases['github']}/repos/{full_name}/license", None)
        if reply.status != 200:
            return answer
        try:
            data = reply.json()
            content = base64.b64decode(str(data.get("content") or ""), validate=False)
        except (ValueError, TypeError, UnicodeDecodeError):
            return answer
        if not content or len(content) > MAX_LICENSE_BYTES or b"\0" in content[:8192]:
            return answer
        return replace(
            answer,
            license_path=_str(data.get("path")),
            license_text=content.decode("utf-8", errors="replace"),
        )

    def _gitlab(
        self, repo: ForgeRepo, cached: Mapping[str, Any] | None
    ) -> tuple[ForgeAnswer, dict[str, Any] | None]:
        project = quote(repo.path, safe="")
        reply = self._ask(
            repo, f"{self.bases['gitlab']}/api/v4/projects/{project}?license=true", cached
        )
        if isinstance(reply, ForgeAnswer):
            return reply, None
        try:
            data = reply.json()
            path = str(data["path_with_namespace"])
            lic = data.get("license") if isinstance(data.get("license"), dict) else None
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return self._unreadable(repo), None
        license_path = None
        if isinstance(data.get("license_url"), str):
            license_path = data["license_url"].rsplit("/", 1)[-1] or None
        answer = ForgeAnswer(
            repo=str(repo), status=ForgeStatus.OK, canonical=f"{repo.host}/{path}",
            license_id=_str(lic.get("key")) if lic else None,
            license_name=_str(lic.get("name")) if lic else None,
            license_path=license_path if lic else None,
        )
        return answer, {"etag": reply.headers.get("etag"), "answer": _answer_json(answer)}

    # -- failures ----------------------------------------------------------------------------
    def _failure(self, repo: ForgeRepo, reply: _Reply) -> ForgeAnswer | None:
        """The answer for a reply that is not a 200, or None when it is."""
        if reply.status == 200:
            return None
        name = _FORGE_NAMES[repo.kind]
        base = self.bases[repo.kind]
        if reply.status == 0:
            return self._failed(repo, ForgeStatus.UNREACHABLE,
                                f"{name}'s API at {base} did not answer ({reply.error})")
        if reply.status in (404, 410):
            return self._failed(repo, ForgeStatus.NOT_FOUND,
                                f"{repo} was not found on {name} (deleted, or private)")
        if _rate_limited(reply):
            if repo.kind == "github" and self.anonymous_github:
                hint = (f"{ANONYMOUS_GITHUB_LIMIT} requests an hour without a token; set "
                        "GITHUB_TOKEN or GH_TOKEN")
            elif self.tokens[repo.kind] is None:
                hint = "set GITLAB_TOKEN for a higher limit"
            else:
                hint = "the token's limit ran out; try again later"
            return self._failed(repo, ForgeStatus.RATE_LIMITED,
                                f"{name}'s API rate limit is exhausted ({hint})")
        if reply.status >= 500:
            return self._failed(repo, ForgeStatus.UNREACHABLE,
                                f"{name}'s API at {base} kept failing (HTTP {reply.status})")
        detail = _server_message(reply)
        return self._failed(repo, ForgeStatus.REFUSED,
                            f"{name}'s API refused {repo} (HTTP {reply.status}{detail})")

    def _unreadable(self, repo: ForgeRepo) -> ForgeAnswer:
        name = _FORGE_NAMES[repo.kind]
        return self._failed(repo, ForgeStatus.REFUSED, f"{name} sent an unusable answer for {repo}")

    def _failed(self, repo: ForgeRepo, status: ForgeStatus, message: str) -> ForgeAnswer:
        return ForgeAnswer(repo=str(repo), status=status, message=self._scrub(message))

    def _scrub(self, text: str) -> str:
        return scrub(text, *self.tokens.values())

    # -- HTTP: the one place that sends requests -----------------------------------------------
    def _send(self, kind: ForgeKind, url: str, etag: str | None) -> _Reply:
        """GET ``url`` with the forge's headers (token, ``If-None-Match``), following redirects,
        through ``openweights.sources.http``: 5xx, 429, GitHub's rate-limit 403 and connection
        errors retried with backoff, ``Retry-After`` and rate-limit resets honoured, within a
        deadline. The forge has a rate gate of its own, so a forge's limit never holds the
        Hub's requests. Never raises."""
        headers = {"User-Agent": f"owcheck/{__version__}"}
        token = self.tokens[kind]
        if kind == "github":
            headers["Accept"] = "application/vnd.github+json"
            headers["X-GitHub-Api-Version"] = "2022-11-28"
            if token:
                headers["Authorization"] = f"Bearer {token}"
        elif token:
            headers["PRIVATE-TOKEN"] = token
        if etag:
            headers["If-None-Match"] = etag
        if self._client is None:
            self._client = httpx2.Client(follow_redirects=True)
        try:
            answer = http.send(
                self._client, "GET", url, headers=headers, policy=self._policy,
                deadline=http.Deadline(self.timeout * self.retries), gate=self._gates[kind],
                max_bytes=MAX_REPLY_BYTES,
            )
        except http.GaveUp as exc:
            self.requests_sent += exc.attempts
            # Only a rate limit makes ``send`` give up on a 403 (GitHub's way of saying 429).
            status = 429 if exc.status in (403, 429) else (exc.status or 0)
            return _Reply(status, {}, b"", url, exc.reason)
        self.requests_sent += answer.attempts
        response = answer.response
        return _Reply(
            response.status_code,
            {k.lower(): v for k, v in response.headers.items()},
            response.content,
            str(response.url),
        )

    # -- cache -------------------------------------------------------------------------------
    def _cache_path(self, repo: ForgeRepo) -> Path:
        return self.cache_dir / repo.host / f"{quote(repo.key, safe='')}.json"

    def _read_cache(self, repo: ForgeRepo) -> dict[str, Any] | None:
        try:
            data = json.loads(self._cache_path(repo).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return None
        if data.get("base") != self.bases[repo.kind] or not isinstance(data.get("answer"), dict):
            return None  # an answer from another forge (GITHUB_API_URL changed)
        return data

    def _write_cache(self, repo: ForgeRepo, entry: Mapping[str, Any]) -> None:
        path = self._cache_path(repo)
        record = {"format": CACHE_FORMAT, "base": self.bases[repo.kind], **entry}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache costs only the next run's requests


# --------------------------------------------------------------------------- composition

_SHARED: dict[bool, ForgeSource] = {}
_SHARED_LOCK = threading.Lock()


def anonymous_notice(environ: Mapping[str, str] | None = None) -> str | None:
    """What a batch says once, up front, when GitHub will be asked without a token."""
    forge = ForgeSource.from_environment(environ=environ)
    if forge.offline or not forge.anonymous_github:
        return None
    return (f"GitHub's API allows {ANONYMOUS_GITHUB_LIMIT} requests an hour without a token; "
            "set GITHUB_TOKEN or GH_TOKEN to look up the code licenses of many models "
            "(or pass --no-forge)")


def shared_forge(*, offline: bool = False) -> ForgeSource:
    """One forge source per process (from the environment), so that a batch asks each
    repository once however many models link it."""
    with _SHARED_LOCK:
        forge = _SHARED.get(offline)
        if forge is None:
            forge = _SHARED[offline] = ForgeSource.from_environment(offline=offline)
        return forge



def with_forge(bundle: Bundle, forge: ForgeSource) -> Bundle:
    """``bundle`` with the forge's answers about the code repositories its card links.

    The second step after a Hub or local source: which repositories to ask about comes from the
    card alone (``openweights.lookups.forge_lookups``), so the sources never call each other.
    """
    from openweights.lookups import forge_lookups

    repos = forge_lookups(bundle.subject.card_text, bundle.subject.card_path or "README.md")
    answers = dict(bundle.code_repos)
    answers.update(forge.lookup_all(r for r in repos if r.key not in answers))
    return replace(bundle, code_repos=answers, forge_consulted=True)


# --------------------------------------------------------------------------- helpers


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _fresh_not_found(entry: Mapping[str, Any]) -> bool:
    """A cached "not found" answer young enough to reuse."""
    checked = entry.get("checked")
    answer = entry.get("answer") or {}
    return (answer.get("status") == ForgeStatus.NOT_FOUND.value
            and isinstance(checked, (int, float)) and 0 <= time.time() - checked < NOT_FOUND_TTL)


def _rate_limited(reply: _Reply) -> bool:
    if reply.status == 429:
        return True
    if reply.status != 403:
        return False
    remaining = reply.headers.get("x-ratelimit-remaining") or reply.headers.get(
        "ratelimit-remaining"
    )
    if remaining is not None and remaining.strip() == "0":
        return True
    return b"rate limit" in reply.body[:2000].lower()


def _server_message(reply: _Reply) -> str:
    try:
        data = reply.json()
    except (ValueError, UnicodeDecodeError):
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    return f": {' '.join(str(message).split())[:120]}" if message else ""


def _answer_json(answer: ForgeAnswer) -> dict[str, Any]:
    data = asdict(answer)
    data["status"] = answer.status.value
    data.pop("cached", None)
    return data


def _answer_from(entry: Mapping[str, Any]) -> ForgeAnswer:
    data = dict(entry["answer"])
    return ForgeAnswer(
        repo=str(data.get("repo")),
        status=ForgeStatus(data.get("status", "ok")),
        canonical=_str(data.get("canonical")),
        license_id=_str(data.get("license_id")),
        license_name=_str(data.get("license_name")),
        license_path=_str(data.get("license_path")),
        license_text=_str(data.get("license_text")),
        message=_str(data.get("message")),
    )
