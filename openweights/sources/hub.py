"""The Hugging Face Hub source: model info, card, license files, base models and datasets.

Everything goes through the real ``huggingface_hub`` client (``HfApi.model_info`` /
``dataset_info`` and ``hf_hub_download``), so ``HF_ENDPOINT``, ``HF_TOKEN``, ``HF_HOME`` and the
download cache behave as users expect. Per repo the source asks for one info answer (only the
properties it needs) and downloads the README and license-like files at the resolved commit.

Lineage follows ``base_model`` from each card, depth-first, every repo fetched at most once per
run; datasets come from ``openweights.lookups.datasets_to_fetch``: the subject's ``datasets:``
and ``openness.data.datasets``, the Hub datasets and catalogued corpora its text names, and its
base models' datasets.

Offline (``offline=True`` or ``HF_HUB_OFFLINE=1``) nothing touches the network: the client cannot
answer ``model_info`` from its cache, so every info answer used online is also written as a small
JSON file under ``$HF_HOME/owcheck/info/`` and read back offline. Whatever is not cached is
listed in ``missing``.

Errors: a subject that does not exist, is private, has no such revision or has a malformed id is
an ``InputError`` (exit 2); connection errors, timeouts, 5xx and 429 that persist after a few
attempts are a ``HubUnavailableError`` (exit 3). Tokens are scrubbed from every message.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx2
from huggingface_hub import HfApi, constants, hf_hub_download
from huggingface_hub.errors import (
    DisabledRepoError,
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    LocalEntryNotFoundError,
    OfflineModeIsEnabled,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.hf_api import (
    DatasetInfo,
    ExpandDatasetProperty_T,
    ExpandModelProperty_T,
    ModelInfo,
)
from huggingface_hub.utils import logging as hf_logging
from huggingface_hub.utils.tqdm import disable_progress_bars

from openweights import __version__
from openweights.card import parse_card
from openweights.lookups import datasets_to_fetch
from openweights.repoids import (
    Kind,
    TargetError,
    base_model_ids,
    dataset_ids,
    license_link_path,
    parse_model_target,
)
from openweights.secrets import scrub
from openweights.sources import (
    CONFIG_FILES,
    LICENSE_FILE,
    MAX_CONFIG_BYTES,
    Bundle,
    DatasetMaterial,
    HubUnavailableError,
    InputError,
    ModelMaterial,
)
from openweights.weightfiles import HEADER_BYTES, HEADER_SUFFIXES

T = TypeVar("T")
MAX_HUB_HEADER_FILES = 2
"""Weight-file headers read per subject on the Hub: one ranged GET each."""

MAX_FILE_BYTES = 1 << 20
"""Cards and license files larger than this are not read (a problem is recorded instead)."""
MAX_LICENSE_FILES = 12
"""At most this many license-like files are read per repo (hostile repos can ship thousands)."""
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
"""HTTP statuses worth retrying; anything else is an answer."""

_MODEL_EXPAND: list[ExpandModelProperty_T] = [
    "cardData", "gated", "sha", "siblings", "tags", "pipeline_tag", "library_name",
]
_DATASET_EXPAND: list[ExpandDatasetProperty_T] = ["cardData", "gated", "sha", "siblings", "tags"]


# --------------------------------------------------------------------------- ids and targets


def parse_target(target: str, endpoint: str | None = None) -> tuple[str, str | None]:
    """``(repo_id, revision)`` from ``org/name``, ``org/name@REV`` or a Hub model URL (also on
    this source's own endpoint). Raises ``InputError`` for anything that is not a model repo id.
    """
    hosts = {urlsplit(base).netloc for base in (endpoint, constants.ENDPOINT) if base}
    try:
        return parse_model_target(target, hosts)
    except TargetError as exc:
        raise InputError(str(exc)) from None


# --------------------------------------------------------------------------- internal records


@dataclass(frozen=True)
class _Info:
    """The part of a model_info/dataset_info answer the source uses; also the offline cache."""

    id: str
    sha: str | None
    gated: str | None
    siblings: tuple[str, ...] | None
    tags: tuple[str, ...]
    pipeline_tag: str | None
    library_name: str | None
    card_data: dict[str, Any] | None

    @classmethod
    def from_client(cls, info: ModelInfo | DatasetInfo) -> _Info:
        card_data: dict[str, Any] | None = None
        if info.card_data is not None:
            # Round-trip through JSON so the cached copy and the live answer are identical.
            raw = info.card_data.to_dict()  # type: ignore[no-untyped-call]
            card_data = json.loads(json.dumps(raw, default=str))
        pipeline_tag = library_name = None
        if isinstance(info, ModelInfo):
            pipeline_tag = _str_or_none(info.pipeline_tag)
            library_name = _str_or_none(info.library_name)
        return cls(
            id=str(info.id),
            sha=info.sha if isinstance(info.sha, str) else None,
            gated=info.gated if isinstance(info.gated, str) else None,
            siblings=(
                tuple(s.rfilename for s in info.siblings) if info.siblings is not None else None
            ),
            tags=tuple(str(t) for t in info.tags or ()),
            pipeline_tag=pipeline_tag,
            library_name=library_name,
            card_data=card_data,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1, "id": self.id, "sha": self.sha, "gated": self.gated,
            "siblings": list(self.siblings) if self.siblings is not None else None,
            "tags": list(self.tags), "pipeline_tag": self.pipeline_tag,
            "library_name": self.library_name, "card_data": self.card_data,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _Info:
        siblings = data.get("siblings")
        card_data = data.get("card_data")
        return cls(
            id=str(data["id"]),
            sha=_str_or_none(data.get("sha")),
            gated=data.get("gated") if data.get("gated") in ("auto", "manual") else None,
            siblings=tuple(str(s) for s in siblings) if isinstance(siblings, list) else None,
            tags=tuple(str(t) for t in data.get("tags") or ()),
            pipeline_tag=_str_or_none(data.get("pipeline_tag")),
            library_name=_str_or_none(data.get("library_name")),
            card_data=card_data if isinstance(card_data, dict) else None,
        )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class _FileRead:
    """Outcome of reading one repo file."""

    text: str | None = None
    absent: bool = False
    problem: str | None = None
    missing: str | None = None
    snapshot: str | None = None
    """Commit of the cache snapshot the file came from (used offline when no info is cached)."""


@dataclass
class _Repo:
    """Everything read from one repo, before it becomes a ModelMaterial/DatasetMaterial."""

    id: str
    info: _Info | None
    sha: str | None
    card_text: str | None
    card_path: str | None
    license_files: dict[str, str]
    problems: list[str]
    missing: list[str]
    meta: Mapping[str, Any]
    cached_nothing: bool = False


class _NotFound(Exception):
    """The repo or revision does not exist (or cannot be seen); the message says which."""


@dataclass
class _Run:
    """State of one ``fetch``: memo tables, so that no repo is read twice."""

    offline: bool
    ancestors: dict[str, ModelMaterial | None] = field(default_factory=dict)
    datasets: dict[str, DatasetMaterial | None] = field(default_factory=dict)
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)
    expanded: dict[str, int] = field(default_factory=dict)
    truncated: list[str] = field(default_factory=list)

    def truncate(self, repo_id: str, reason: str) -> None:
        entry = f"{repo_id}: {reason}"
        if entry not in self.truncated:
            self.truncated.append(entry)


# --------------------------------------------------------------------------- the source


class HubSource:
    """Reads a model, its base models and its datasets from the Hugging Face Hub."""

    def __init__(
        self,
        *,
        revision: str | None = None,
        token: str | None = None,
        offline: bool = False,
        max_depth: int = 5,
        endpoint: str | None = None,
        max_file_bytes: int = MAX_FILE_BYTES,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 10.0,
    ) -> None:
        self.revision = revision or None
        self.token = token or None
        self.offline = offline
        self.max_depth = max(0, max_depth)
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.max_file_bytes = max_file_bytes
        self.retries = max(1, retries)
        self.backoff = backoff
        self.timeout = timeout
        self._api = HfApi(
            endpoint=self.endpoint, token=self.token,
            library_name="owcheck", library_version=__version__,
        )
        # The client's own retry warnings and progress bars would break owcheck's promise of
        # one line on standard error; failures reach the user through HubUnavailableError.
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        disable_progress_bars()

    # -- public ------------------------------------------------------------------------------
    def fetch(self, target: str) -> Bundle:
        """Gather the subject, its ancestors and its datasets; raise ``SourceError`` if unusable."""
        repo_id, revision = parse_target(target, self.endpoint)
        revision = self.revision or revision
        run = _Run(offline=self._is_offline())
        try:
            subject = self._read_repo(run, "model", repo_id, revision)
        except _NotFound as exc:
            raise InputError(self._scrub(str(exc))) from None
        if subject.cached_nothing:
            raise InputError(
                f"{repo_id} is not in the local cache and the Hub may not be used (offline); "
                "run once online first"
            )
        material = self._model_material(run, subject, revision)
        material = self._lineage_files(run, subject, material)
        self._walk(run, repo_id, 0, ())
        _ids, problems = dataset_ids(subject.meta)
        self._fetch_datasets(run, subject.card_text, subject.meta)
        if problems:
            material = _with_problems(material, problems)
        return _with_run(Bundle(subject=material), run)

    def resolve(self, bundle: Bundle) -> Bundle:
        """``bundle`` (read elsewhere: a repo on disk) with the base models and datasets its
        card names looked up on the Hub, as ``fetch`` does for a Hub repo (``--online``)."""
        subject = bundle.subject
        run = _Run(offline=self._is_offline())
        meta: Mapping[str, Any] = {}
        if subject.card_text is not None:
            card = parse_card(subject.card_text, subject.card_path or "README.md")
            meta = card.metadata if card.front_matter == "ok" else {}
        ids, _problems = base_model_ids(meta)
        run.parents[subject.id] = tuple(ids)
        relation = meta.get("base_model_relation")
        if isinstance(relation, str) and relation.strip():
            run.relations[subject.id] = relation.strip()
        self._walk(run, subject.id, 0, ())
        self._fetch_datasets(run, subject.card_text, meta)
        return _with_run(bundle, run)

    # -- datasets ----------------------------------------------------------------------------
    def _fetch_datasets(
        self, run: _Run, card_text: str | None, meta: Mapping[str, Any]
    ) -> None:
        """Read the datasets the subject names (metadata and text) and its bases' (for the
        training stages they pass on); ``lookups.datasets_to_fetch`` decides which."""
        cards = [(card_text, meta)] + [
            (a.card_text, a.api_card_data or {}) for a in run.ancestors.values() if a
        ]
        for did in datasets_to_fetch(cards):
            if did not in run.datasets:
                run.datasets[did] = self._dataset(run, did)

    # -- lineage evidence in the subject's own files ----------------------------------------------
    # Kept in one place so that it moves as a whole into the wave-based source (issue 13): there
    # the config files are two more file wants and each header a want with a byte range.
    def _lineage_files(self, run: _Run, repo: _Repo, material: ModelMaterial) -> ModelMaterial:
        """``config.json``/``adapter_config.json`` and the leading bytes of a weight file or two
        of the subject: what its tools wrote about its base model, never the weights."""
        siblings = repo.info.siblings if repo.info else None
        if not siblings:
            return material
        at = repo.sha or "main"
        configs: dict[str, str] = {}
        problems: list[str] = []
        missing: list[str] = []
        for name in CONFIG_FILES:
            if name not in siblings:
                continue
            read = self._read_file(run, "model", repo.id, at, name)
            if read.text is not None and len(read.text) <= MAX_CONFIG_BYTES:
                configs[name] = read.text
            else:
                _note(read, problems, missing)
        headers: dict[str, bytes] = {}
        for name in _header_files(siblings):
            # A commit never changes, so a header read once at a commit is kept (warm and
            # offline runs need no request).
            cached = self._cached_header(repo.id, repo.sha, name)
            if cached is not None:
                headers[name] = cached
                continue
            if run.offline:
                missing.append(f"the header of {name} in {repo.id} not in cache")
                continue
            data, note = self._read_header(repo.id, at, name)
            if data is not None:
                headers[name] = data
                self._store_header(repo.id, repo.sha, name, data)
            elif note:
                missing.append(note)
        return replace(
            material,
            config_files=configs,
            weight_headers=headers,
            problems=(*material.problems, *problems),
            missing=(*material.missing, *missing),
        )

    def _header_path(self, repo_id: str, sha: str, path: str) -> Path:
        root = Path(constants.HF_HOME) / "owcheck" / "headers" / "models"
        return root / repo_id.replace("/", "--") / sha / quote(path, safe="")

    def _cached_header(self, repo_id: str, sha: str | None, path: str) -> bytes | None:
        if not sha:
            return None
        try:
            return self._header_path(repo_id, sha, path).read_bytes()[:HEADER_BYTES]
        except OSError:
            return None

    def _store_header(self, repo_id: str, sha: str | None, path: str, data: bytes) -> None:
        if not sha:
            return
        target = self._header_path(repo_id, sha, path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        except OSError:
            pass  # a read-only cache only costs the next run one ranged request

    def _read_header(self, repo_id: str, revision: str, path: str) -> tuple[bytes | None, str]:
        """The first ``HEADER_BYTES`` of a weight file by one ranged GET through the client's own
        session (as ``HfApi.parse_safetensors_file_metadata`` does); never more, even when the
        server ignores the range."""
        from huggingface_hub import get_session, hf_hub_url
        from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]

        where = f"the header of {path} in {repo_id}"
        url = hf_hub_url(repo_id, path, revision=revision, endpoint=self.endpoint)
        headers = build_hf_headers(
            token=self.token, library_name="owcheck", library_version=__version__
        )
        headers["Range"] = f"bytes=0-{HEADER_BYTES - 1}"
        try:
            with get_session().stream("GET", url, headers=headers, timeout=self.timeout) as resp:
                if resp.status_code in (401, 403):
                    return None, f"{where} is gated: request access on the Hub to read it"
                if resp.status_code not in (200, 206):
                    return None, f"{where} could not be read (HTTP {resp.status_code})"
                data = bytearray()
                for chunk in resp.iter_bytes():
                    data += chunk[: HEADER_BYTES - len(data)]
                    if len(data) >= HEADER_BYTES:
                        break
                return bytes(data), ""
        except (httpx2.HTTPError, OSError) as exc:
            return None, self._scrub(f"{where} could not be read ({type(exc).__name__})")

    # -- lineage -----------------------------------------------------------------------------
    def _walk(self, run: _Run, child: str, depth: int, path: tuple[str, ...]) -> None:
        chain = (*path, child)
        for parent in run.parents.get(child, ()):
            if parent in chain:
                run.truncate(parent, "cycle")
                continue
            if depth + 1 > self.max_depth:
                run.truncate(parent, "depth limit")
                continue
            if run.expanded.get(parent, self.max_depth + 1) <= depth + 1:
                continue  # already followed from at least as close to the subject
            run.expanded[parent] = depth + 1
            if parent not in run.ancestors:
                run.ancestors[parent] = self._ancestor(run, parent)
            if run.ancestors[parent] is not None:
                self._walk(run, parent, depth + 1, chain)

    def _ancestor(self, run: _Run, repo_id: str) -> ModelMaterial | None:
        try:
            repo = self._read_repo(run, "model", repo_id, None)
        except _NotFound:
            return None
        if repo.cached_nothing:
            run.truncate(repo_id, "not in cache")
        return self._model_material(run, repo, None)

    def _model_material(self, run: _Run, repo: _Repo, revision: str | None) -> ModelMaterial:
        ids, problems = base_model_ids(repo.meta)
        if not repo.cached_nothing:
            run.parents[repo.id] = tuple(ids)
        relation = repo.meta.get("base_model_relation")
        if isinstance(relation, str) and relation.strip():
            run.relations[repo.id] = relation.strip()
        info = repo.info
        return ModelMaterial(
            id=repo.id,
            source="hub",
            revision=repo.sha,
            card_path=repo.card_path,
            card_text=repo.card_text,
            files=(info.siblings or ()) if info else (),
            license_files=repo.license_files,
            gated=info.gated if info else None,
            api_card_data=info.card_data if info else None,
            problems=tuple(repo.problems + problems),
            missing=tuple(repo.missing),
            requested_revision=revision,
            tags=info.tags if info else (),
            pipeline_tag=info.pipeline_tag if info else None,
            library_name=info.library_name if info else None,
        )

    def _dataset(self, run: _Run, repo_id: str) -> DatasetMaterial | None:
        try:
            repo = self._read_repo(run, "dataset", repo_id, None)
        except _NotFound:
            return None
        info = repo.info
        return DatasetMaterial(
            id=repo_id,
            revision=repo.sha,
            card_text=repo.card_text,
            api_card_data=info.card_data if info else None,
            license_files=repo.license_files,
            gated=info.gated if info else None,
            files=(info.siblings or ()) if info else (),
            problems=tuple(repo.problems),
            missing=tuple(repo.missing),
        )

    # -- one repo ----------------------------------------------------------------------------
    def _read_repo(self, run: _Run, kind: Kind, repo_id: str, revision: str | None) -> _Repo:
        """Info, card and license files of one repo; raises ``_NotFound``."""
        info = self._load_info(run, kind, repo_id, revision)
        problems: list[str] = []
        missing: list[str] = []
        siblings = info.siblings if info else None
        sha = info.sha if info else None
        if info is None:
            missing.append(f"{kind} info for {repo_id} not in cache")
        at = sha or revision or "main"

        card_text: str | None = None
        card_path: str | None = None
        card_cached = False
        if siblings is None or "README.md" in siblings:
            read = self._read_file(run, kind, repo_id, at, "README.md")
            if read.absent:
                pass
            else:
                card_path = "README.md"
                card_text = read.text
                card_cached = read.text is not None or read.problem is not None
                _note(read, problems, missing)
                if sha is None and read.snapshot:
                    sha = read.snapshot
                    at = sha
        if info is None and not card_cached:
            # Offline, and neither the info nor the card is cached: nothing is known.
            return _Repo(repo_id, None, None, None, None, {}, [], missing, {}, cached_nothing=True)

        meta: Mapping[str, Any] = {}
        if card_text is not None:
            card = parse_card(card_text, "README.md")
            if card.front_matter == "ok":
                meta = card.metadata
        if not meta and info and info.card_data:
            meta = info.card_data

        license_files: dict[str, str] = {}
        for path, speculative in self._license_candidates(repo_id, kind, siblings, meta, problems):
            read = self._read_file(run, kind, repo_id, at, path)
            if read.text is not None:
                license_files[path] = read.text
            elif read.absent or (speculative and read.missing):
                if not speculative:
                    problems.append(f"{path} is listed in {repo_id} but could not be found")
            else:
                _note(read, problems, missing)
        if siblings is None and info is None:
            missing.append(f"file list of {repo_id} not in cache; license files may be missing")
        return _Repo(repo_id, info, sha, card_text, card_path, license_files, problems, missing,
                     meta)

    def _license_candidates(
        self, repo_id: str, kind: Kind, siblings: tuple[str, ...] | None,
        meta: Mapping[str, Any], problems: list[str],
    ) -> list[tuple[str, bool]]:
        """Files to read as license evidence: ``(path, speculative)``."""
        if siblings is None:
            # File list unknown (offline without cached info): try the usual names quietly.
            paths = [("LICENSE", True), ("LICENSE.md", True), ("LICENSE.txt", True)]
        else:
            found = sorted(p for p in siblings if "/" not in p and LICENSE_FILE.match(p))
            if len(found) > MAX_LICENSE_FILES:
                problems.append(
                    f"{repo_id} has {len(found)} license-like files; read the first "
                    f"{MAX_LICENSE_FILES}"
                )
                found = found[:MAX_LICENSE_FILES]
            paths = [(p, False) for p in found]
        link = self._license_link_path(meta.get("license_link"), repo_id, kind)
        if link and link not in {p for p, _ in paths}:
            if siblings is None:
                paths.append((link, True))
            elif link in siblings:
                paths.append((link, False))
            else:
                problems.append(f"license_link names {link}, which {repo_id} does not have")
        return paths

    def _license_link_path(self, value: Any, repo_id: str, kind: Kind) -> str | None:
        """The repo path a ``license_link`` points at, when it is a file of this very repo."""
        hosts = {urlsplit(b).netloc for b in (self.endpoint, constants.ENDPOINT) if b}
        return license_link_path(value, repo_id, kind, hosts)

    # -- info ----------------------------------------------------------------------------------
    def _load_info(
        self, run: _Run, kind: Kind, repo_id: str, revision: str | None
    ) -> _Info | None:
        """The info answer for a repo; None offline when not cached. Raises ``_NotFound``."""
        key = revision or "main"
        if run.offline:
            return self._cached_info(kind, repo_id, key)
        noun = "model" if kind == "model" else "dataset"
        try:
            info = self._with_retry(
                lambda: self._info_call(kind, repo_id, revision), f"{noun} info for {repo_id}"
            )
        except GatedRepoError:
            raise _NotFound(f"{noun} {repo_id} is gated and its info could not be read") from None
        except RepositoryNotFoundError:
            raise _NotFound(
                f"{noun} {repo_id} was not found on the Hub (or it is private and the token in "
                "use cannot see it)"
            ) from None
        except RevisionNotFoundError:
            raise _NotFound(f"{noun} {repo_id} has no revision {revision!r}") from None
        except DisabledRepoError:
            raise _NotFound(f"{noun} {repo_id} is disabled on the Hub") from None
        except HFValidationError:
            raise _NotFound(f"{repo_id!r} is not a valid Hub repo id") from None
        except HfHubHTTPError as exc:
            status = _status(exc)
            if status == 401:
                raise _NotFound(
                    f"the Hub refused the credentials while reading {noun} {repo_id} (HTTP 401)"
                ) from None
            raise _NotFound(
                self._scrub(f"the Hub refused {noun} info for {repo_id} (HTTP {status}: "
                            f"{_one_line(exc.server_message or '')})")
            ) from None
        except (ValueError, TypeError, KeyError) as exc:
            raise _NotFound(
                f"the Hub sent an unusable answer for {noun} {repo_id} ({type(exc).__name__})"
            ) from None
        self._store_info(kind, repo_id, key, info)
        if info.sha and info.sha != key:
            self._store_info(kind, repo_id, info.sha, info)
        return info

    def _info_call(self, kind: Kind, repo_id: str, revision: str | None) -> _Info:
        if kind == "model":
            m = self._api.model_info(
                repo_id, revision=revision, expand=_MODEL_EXPAND, timeout=self.timeout
            )
            return _Info.from_client(m)
        d = self._api.dataset_info(
            repo_id, revision=revision, expand=_DATASET_EXPAND, timeout=self.timeout
        )
        return _Info.from_client(d)

    def _info_path(self, kind: Kind, repo_id: str, key: str) -> Path:
        root = Path(constants.HF_HOME) / "owcheck" / "info" / f"{kind}s"
        # Repo ids cannot contain "--", so this flattening cannot collide.
        return root / repo_id.replace("/", "--") / f"{quote(key, safe='')}.json"

    def _store_info(self, kind: Kind, repo_id: str, key: str, info: _Info) -> None:
        path = self._info_path(kind, repo_id, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(info.to_json(), sort_keys=True), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache only costs offline runs some evidence

    def _cached_info(self, kind: Kind, repo_id: str, key: str) -> _Info | None:
        path = self._info_path(kind, repo_id, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return _Info.from_json(data) if isinstance(data, dict) else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    # -- files ---------------------------------------------------------------------------------
    def _read_file(
        self, run: _Run, kind: Kind, repo_id: str, revision: str, path: str
    ) -> _FileRead:
        """Download (or take from the cache) one small text file; never raises for the file."""
        where = f"{path} of {repo_id}"
        try:
            local = hf_hub_download(
                repo_id, path, repo_type=kind, revision=revision, endpoint=self.endpoint,
                token=self.token, etag_timeout=self.timeout, local_files_only=run.offline,
                library_name="owcheck", library_version=__version__,
            )
        except RemoteEntryNotFoundError:
            return _FileRead(absent=True)
        except GatedRepoError:
            return _FileRead(missing=f"{where} is gated: request access on the Hub to read it")
        except (RepositoryNotFoundError, RevisionNotFoundError, DisabledRepoError):
            return _FileRead(missing=f"{where} could not be read (repo or revision not visible)")
        except (LocalEntryNotFoundError, OfflineModeIsEnabled) as exc:
            if run.offline:
                return _FileRead(missing=f"{where} not in cache")
            # The client already retried; its own message only says "check your connection".
            raise HubUnavailableError(
                f"the Hub stopped answering while reading {where} ({type(exc).__name__})"
            ) from None
        except EntryNotFoundError:
            return _FileRead(absent=True)
        except HfHubHTTPError as exc:
            status = _status(exc)
            if status in RETRY_STATUSES:
                raise HubUnavailableError(
                    f"the Hub kept failing while reading {where} (HTTP {status})"
                ) from None
            return _FileRead(missing=f"{where} could not be read (HTTP {status})")
        except httpx2.TransportError as exc:
            raise HubUnavailableError(
                self._scrub(f"the Hub stopped answering while reading {where} "
                            f"({type(exc).__name__})")
            ) from None
        except (OSError, ValueError) as exc:
            message = f"{where} could not be read: {_one_line(str(exc))}"
            return _FileRead(problem=self._scrub(message))
        snapshot = _snapshot_of(local, path)
        try:
            size = os.path.getsize(local)
            if size > self.max_file_bytes:
                return _FileRead(
                    problem=f"{where} is {size} bytes, over the {self.max_file_bytes}-byte limit; "
                    "not read",
                    snapshot=snapshot,
                )
            with open(local, "rb") as fh:
                data = fh.read(self.max_file_bytes + 1)
        except OSError as exc:
            return _FileRead(problem=f"{where} could not be read from the cache ({exc.strerror})")
        if b"\0" in data[:8192]:
            return _FileRead(problem=f"{where} is binary, not text; not read", snapshot=snapshot)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _FileRead(problem=f"{where} is not UTF-8 text; not read", snapshot=snapshot)
        return _FileRead(text=text, snapshot=snapshot)

    # -- plumbing ------------------------------------------------------------------------------
    def _with_retry(self, call: Callable[[], T], what: str) -> T:
        """``call()``, retried on connection errors, timeouts, 429 and 5xx; then exit 3."""
        last = ""
        for attempt in range(self.retries):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                return call()
            except httpx2.TransportError as exc:
                last = type(exc).__name__
            except OfflineModeIsEnabled:
                raise HubUnavailableError(
                    "huggingface_hub is in offline mode; use offline grading instead"
                ) from None
            except HfHubHTTPError as exc:
                status = _status(exc)
                if status not in RETRY_STATUSES:
                    raise
                last = f"HTTP {status}"
        hub = self.endpoint or constants.ENDPOINT
        raise HubUnavailableError(
            self._scrub(f"the Hub at {hub} did not answer {what} after {self.retries} "
                        f"attempt{'s' if self.retries != 1 else ''} ({last})")
        )

    def _is_offline(self) -> bool:
        if self.offline or constants.HF_HUB_OFFLINE:
            return True
        # The client reads these at import time; honour them when set later too.
        return any(
            os.environ.get(name, "").strip().upper() in ("1", "ON", "YES", "TRUE")
            for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
        )

    def _scrub(self, text: str) -> str:
        """``text`` without any token: the one in use, the environment's, anything like one."""
        return scrub(text, self.token)


# --------------------------------------------------------------------------- helpers


def _header_files(siblings: Iterable[str]) -> list[str]:
    """At most one GGUF and one safetensors file, shallowest first: shards repeat the header."""
    out: list[str] = []
    for suffix in HEADER_SUFFIXES:
        found = sorted((f for f in siblings if f.lower().endswith(suffix)),
                       key=lambda f: (f.count("/"), f))
        out += found[:1]
    return out[:MAX_HUB_HEADER_FILES]


def _note(read: _FileRead, problems: list[str], missing: list[str]) -> None:
    if read.problem:
        problems.append(read.problem)
    if read.missing:
        missing.append(read.missing)


def _with_run(bundle: Bundle, run: _Run) -> Bundle:
    """``bundle`` with what a run over the Hub found: the bases, the datasets and the lineage."""
    # A depth cut on one path does not count when a shorter path reached the same repo.
    truncated = tuple(
        t for t in run.truncated
        if not (t.endswith(": depth limit") and t.rsplit(":", 1)[0] in run.ancestors)
    )
    return replace(
        bundle,
        ancestors=dict(run.ancestors),
        datasets=dict(run.datasets),
        lineage_resolvable=True,
        lineage_truncated=truncated,
        parents=dict(run.parents),
        relations=dict(run.relations),
        offline=run.offline,
    )


def _with_problems(material: ModelMaterial, extra: Iterable[str]) -> ModelMaterial:
    return replace(material, problems=(*material.problems, *extra))


def _status(exc: HfHubHTTPError) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _snapshot_of(local: str, path: str) -> str | None:
    """The commit folder a cached file sits in (``.../snapshots/<sha>/<path>``)."""
    parts = Path(local).parts
    depth = len(path.split("/"))
    if len(parts) > depth + 1 and parts[-depth - 2] == "snapshots":
        return parts[-depth - 1]
    return None
