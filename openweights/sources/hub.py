"""The Hugging Face Hub source: model info, card, license files, base models and datasets.

Everything goes through the real ``huggingface_hub`` client's HTTP layer: its shared session
(``get_session``), its headers and token handling (``build_hf_headers``: ``HF_TOKEN``, the login,
the user agent), its endpoint and URL template (``HF_ENDPOINT``), and its error mapping
(``hf_raise_for_status``: repo, revision and entry not found, gated, disabled). Only that part of
the client is imported, and only when the network is used.

**Waves.** A model is read in as few round trips as its lineage is deep, plus one: first the
subject's info (one call asking only for the properties needed); then, all at once, the files it
needs at the commit the info answer pinned, and the info of every base model and dataset its
``cardData`` names; then those repos' files together with the info of their own base models; and
so on, each repo read once per run. Each file is one GET at the pinned commit (no HEAD).
``_files_needed`` is the single list of what a repo needs read (the card, LICENSE-like files, the
``license_link`` target); a ranged read of a few bytes is a ``FileWant`` with a ``byte_range``.
If a card's own front matter names something its ``cardData`` did not, the next wave reads it.

**Datasets** are the ones ``_datasets_wanted`` names, through
``openweights.lookups.datasets_to_fetch``: the subject's ``datasets:`` and
``openness.data.datasets``, the Hub datasets and catalogued corpora its text names, and its base
models' datasets (the training stages they pass on); each joins the wave after the card that
names it. ``resolve`` reads the bases and datasets of a card read elsewhere (a repo on disk,
``--online``) the same way.

**Cache** (``openweights.sources.hubcache``, under ``$HF_HOME/owcheck``): one record per repo
and revision, written whole at the end of a run: the info answer and the files read at its
commit. A warm run asks for the info, finds the same commit and reads no file again; an info
answer for a revision given as a full commit sha is reused without asking; for
``OWCHECK_HUB_INFO_TTL`` seconds (default 0: always ask) any info answer is reused.
``lineage_ttl`` does the same for base models and datasets only (a batch sets it, so a base shared
by its models is asked once). Offline (``offline=True`` or ``HF_HUB_OFFLINE=1``) nothing touches
the network; a file not in owcheck's cache is looked for in the client's own cache. Whatever is
not found is listed in ``missing``.

**Faults** (``openweights.sources.http``): every request is retried on 429, 5xx, resets and cut
bodies with capped backoff, honouring ``Retry-After`` and the Hub's ``RateLimit`` headers, and the
whole fetch has one deadline (``timeout``, seconds).

Errors: a subject that does not exist, is private, has no such revision or has a malformed id is
an ``InputError`` (exit 2); a Hub that keeps failing or does not answer within the deadline is a
``HubUnavailableError`` (exit 3). Tokens are scrubbed from every message.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from huggingface_hub import constants

from openweights import __version__
from openweights.card import parse_card
from openweights.lookups import datasets_to_fetch
from openweights.records import record, replace
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
    http,
)
from openweights.sources.hubcache import SHA, FileEntry, HubCache, RepoRecord
from openweights.weightfiles import HEADER_BYTES, HEADER_SUFFIXES

if TYPE_CHECKING:
    import httpx2

MAX_FILE_BYTES = 1 << 20
"""Cards and license files larger than this are not read (a problem is recorded instead)."""
MAX_INFO_BYTES = 64 << 20
"""An info answer larger than this is refused (file lists of huge repos stay far below)."""
MAX_LICENSE_FILES = 12
"""At most this many license-like files are read per repo (hostile repos can ship thousands)."""
MAX_HUB_HEADER_FILES = 2
"""Weight-file headers read per subject on the Hub: one ranged GET each."""
DEFAULT_TIMEOUT = 60.0
"""Seconds one target may take on the network, all requests and retries included."""

_EXPAND: dict[Kind, tuple[str, ...]] = {
    "model": ("cardData", "gated", "sha", "siblings", "tags", "pipeline_tag", "library_name"),
    "dataset": ("cardData", "gated", "sha", "siblings", "tags"),
}


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


def file_url(endpoint: str, kind: Kind, repo_id: str, revision: str, path: str) -> str:
    """The client's resolve URL of a repo file (``hf_hub_url``, from the client's own template and
    prefixes; ``huggingface_hub.file_download`` itself costs more to import than a fetch takes)."""
    prefix = constants.REPO_TYPES_URL_PREFIXES.get(kind, "")
    url = constants.HUGGINGFACE_CO_URL_TEMPLATE.format(
        repo_id=prefix + repo_id, revision=quote(revision, safe=""), filename=quote(path))
    if url.startswith(constants.ENDPOINT):
        url = endpoint + url[len(constants.ENDPOINT):]
    return url


def info_url(endpoint: str, kind: Kind, repo_id: str, revision: str | None) -> str:
    """The info endpoint ``HfApi.model_info`` / ``dataset_info`` call."""
    base = f"{endpoint}/api/{kind}s/{repo_id}"
    return base if revision is None else f"{base}/revision/{quote(revision, safe='')}"


# --------------------------------------------------------------------------- records


@record
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
    def from_api(cls, kind: Kind, data: Mapping[str, Any]) -> _Info:
        """From the API's JSON, read as the client's ``ModelInfo``/``DatasetInfo`` would."""
        raw_card = data.get("cardData") or data.get("card_data")
        card_data: dict[str, Any] | None = None
        if isinstance(raw_card, dict):
            # The client's own card-data classes normalise the metadata (as ModelInfo does).
            from huggingface_hub.repocard_data import DatasetCardData, ModelCardData

            card_cls = ModelCardData if kind == "model" else DatasetCardData
            normalised = card_cls(**raw_card, ignore_metadata_errors=True).to_dict()  # type: ignore[no-untyped-call]
            # Round-trip through JSON so the cached copy and the live answer are identical.
            card_data = json.loads(json.dumps(normalised, default=str))
        siblings = data.get("siblings")
        gated = data.get("gated")
        return cls(
            id=str(data["id"]),
            sha=_str_or_none(data.get("sha")),
            gated=gated if isinstance(gated, str) else None,
            siblings=(tuple(str(s["rfilename"]) for s in siblings)
                      if isinstance(siblings, list) else None),
            tags=tuple(str(t) for t in data.get("tags") or ()),
            pipeline_tag=_str_or_none(data.get("pipeline_tag")) if kind == "model" else None,
            library_name=_str_or_none(data.get("library_name")) if kind == "model" else None,
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


@record
class FileWant:
    """One file a repo needs read: an entry of the list ``_files_needed`` builds."""

    path: str
    """Repo path."""
    purpose: str
    """Why it is read: ``card`` or ``license`` (later: ``config``, ``header``, ...)."""
    speculative: bool = False
    """Asked for without the file list saying it exists (offline): its absence is no problem."""
    byte_range: tuple[int, int] | None = None
    """``(first, last)`` byte offsets for a ranged GET (e.g. a weight file's header); None: all."""


@record
class _FileRead:
    """Outcome of reading one repo file."""

    text: str | None = None
    absent: bool = False
    problem: str | None = None
    missing: str | None = None
    snapshot: str | None = None
    """Commit of the client-cache snapshot the file came from (offline without cached info)."""
    data: bytes | None = None
    """The raw bytes, for reads that are not text (byte ranges)."""


@dataclasses.dataclass
class _RepoState:
    """One repo during a fetch: what was asked, what came back."""

    kind: Kind
    id: str
    revision: str | None
    depth: int
    info: _Info | None = None
    info_read: bool = False
    not_found: str | None = None
    reads: dict[FileWant, _FileRead] = dataclasses.field(default_factory=dict)
    asked: set[FileWant] = dataclasses.field(default_factory=set)
    card_meta: Mapping[str, Any] | None = None
    """The card's own front matter once the card is read and parses; else None."""
    record: RepoRecord | None = None
    """What an earlier run kept of this repo at this revision."""
    info_fetched: bool = False
    """The info came from the Hub in this run (not from the record)."""
    fresh: dict[str, FileEntry] = dataclasses.field(default_factory=dict)
    """Files read from the Hub in this run, by cache name, to keep in the record."""

    @property
    def key(self) -> str:
        """The revision as asked for (the record's name)."""
        return self.revision or "main"

    def kept(self, name: str) -> FileEntry | None:
        """A file the record holds at the commit this run reads."""
        record = self.record
        if record is None or record.info.get("sha") != self.at:
            return None
        return record.files.get(name)

    @property
    def at(self) -> str:
        """The revision files are read at: the pinned commit when known."""
        if self.info is not None and self.info.sha:
            return self.info.sha
        snapshot = next((r.snapshot for r in self.reads.values() if r.snapshot), None)
        return snapshot or self.revision or "main"


@dataclasses.dataclass
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


@dataclasses.dataclass
class _Run:
    """State of one ``fetch``: every repo reached, and the lineage walk's memo tables."""

    offline: bool
    deadline: http.Deadline
    subject: tuple[Kind, str]
    states: dict[tuple[Kind, str], _RepoState] = dataclasses.field(default_factory=dict)
    assembled: dict[tuple[Kind, str], _Repo] = dataclasses.field(default_factory=dict)
    ancestors: dict[str, ModelMaterial | None] = dataclasses.field(default_factory=dict)
    datasets: dict[str, DatasetMaterial | None] = dataclasses.field(default_factory=dict)
    parents: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    relations: dict[str, str] = dataclasses.field(default_factory=dict)
    expanded: dict[str, int] = dataclasses.field(default_factory=dict)
    truncated: list[str] = dataclasses.field(default_factory=list)
    card: tuple[str | None, Mapping[str, Any]] | None = None
    """The subject's card (text, metadata) when it was read elsewhere (``resolve``)."""

    def truncate(self, repo_id: str, reason: str) -> None:
        entry = f"{repo_id}: {reason}"
        if entry not in self.truncated:
            self.truncated.append(entry)


class _Client:
    """The client's HTTP pieces, imported on first use (the local path never pays for them)."""

    def __init__(self, token: str | None) -> None:
        from huggingface_hub.utils import (  # type: ignore[attr-defined]
            build_hf_headers,
            get_session,
            hf_raise_for_status,
        )
        from huggingface_hub.utils import logging as hf_logging

        # Warnings the client logs (deprecations, server warnings) would break owcheck's promise
        # of one line on standard error; failures reach the user through the source's errors.
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        self.session: Callable[[], httpx2.Client] = get_session
        self.raise_for_status: Callable[[httpx2.Response], None] = hf_raise_for_status
        self.headers: dict[str, str] = build_hf_headers(
            token=token, library_name="owcheck", library_version=__version__)


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
        timeout: float | None = DEFAULT_TIMEOUT,
        policy: http.RetryPolicy | None = None,
        info_ttl: float | None = None,
        lineage_ttl: float | None = None,
    ) -> None:
        self.revision = revision or None
        self.token = token or None
        self.offline = offline
        self.max_depth = max(0, max_depth)
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.max_file_bytes = max_file_bytes
        self.timeout = timeout
        """Deadline of one fetch, in seconds (None: none)."""
        self.policy = policy or http.RetryPolicy.from_env()
        if info_ttl is None:
            info_ttl = _env_seconds("OWCHECK_HUB_INFO_TTL")
        self.info_ttl = info_ttl
        """Seconds a cached info answer is reused online (0: always ask the Hub)."""
        self.lineage_ttl = max(info_ttl, lineage_ttl or 0.0)
        """The same for base models and datasets (a batch reuses those shared by its models)."""
        self.cache = HubCache(Path(constants.HF_HOME) / "owcheck")
        self._client: _Client | None = None

    @property
    def hub(self) -> str:
        """The Hub's base URL in use."""
        return self.endpoint or constants.ENDPOINT

    def client(self) -> _Client:
        """The client's session and headers (built once per source)."""
        if self._client is None:
            self._client = _Client(self.token)
        return self._client

    # -- public ------------------------------------------------------------------------------
    def fetch(self, target: str) -> Bundle:
        """Gather the subject, its ancestors and its datasets; raise ``SourceError`` if unusable."""
        repo_id, revision = parse_target(target, self.endpoint)
        revision = self.revision or revision
        run = _Run(offline=self._is_offline(), deadline=http.Deadline(self.timeout),
                   subject=("model", repo_id))
        run.states[run.subject] = _RepoState("model", repo_id, revision, 0)
        self._gather(run)
        state = run.states[run.subject]
        if state.not_found is not None:
            raise InputError(self._scrub(state.not_found))
        subject = self._assemble(run, state)
        if subject.cached_nothing:
            raise InputError(
                f"{repo_id} is not in the local cache and the Hub may not be used (offline); "
                "run once online first"
            )
        material = self._lineage_files(state, self._model_material(run, subject, revision))
        self._walk(run, repo_id, 0, ())
        _ids, problems = dataset_ids(subject.meta)
        self._fetch_datasets(run)
        if problems:
            material = _with_problems(material, problems)
        if not run.offline:
            self._remember(run)
        return _with_run(Bundle(subject=material), run)

    def resolve(self, bundle: Bundle) -> Bundle:
        """``bundle`` (read elsewhere: a repo on disk) with the base models and datasets its
        card names read from the Hub in waves, as ``fetch`` reads them for a Hub repo
        (``--online``)."""
        subject = bundle.subject
        meta: Mapping[str, Any] = {}
        if subject.card_text is not None:
            card = parse_card(subject.card_text, subject.card_path or "README.md")
            meta = card.metadata if card.front_matter == "ok" else {}
        run = _Run(offline=self._is_offline(), deadline=http.Deadline(self.timeout),
                   subject=("model", subject.id), card=(subject.card_text, meta))
        ids, _problems = base_model_ids(meta)
        run.parents[subject.id] = tuple(ids)
        relation = meta.get("base_model_relation")
        if isinstance(relation, str) and relation.strip():
            run.relations[subject.id] = relation.strip()
        if self.max_depth > 0:
            for rid in ids:
                run.states.setdefault(("model", rid), _RepoState("model", rid, None, 1))
        self._discover(run)
        self._gather(run)
        self._walk(run, subject.id, 0, ())
        self._fetch_datasets(run)
        if not run.offline:
            self._remember(run)
        return _with_run(bundle, run)

    # -- datasets ----------------------------------------------------------------------------
    def _datasets_wanted(self, run: _Run) -> list[str]:
        """The datasets to read: ``lookups.datasets_to_fetch`` over the subject's card, then its
        base models' cards, as far as the waves have read them."""
        read = [
            state for state in run.states.values()
            if state.kind == "model" and state.info_read and state.not_found is None
        ]
        # The subject first: its datasets come before its bases' (and are not capped).
        read.sort(key=lambda state: (state.kind, state.id) != run.subject)
        cards = [run.card] if run.card is not None else []
        for state in read:
            text = next((r.text for w, r in state.reads.items() if w.purpose == "card"), None)
            cards.append((text, self._meta_so_far(state)))
        return datasets_to_fetch(cards)

    def _fetch_datasets(self, run: _Run) -> None:
        """Read every dataset ``_datasets_wanted`` names (those the waves foresaw are read)."""
        for did in self._datasets_wanted(run):
            if did not in run.datasets:
                run.datasets[did] = self._dataset(run, did)

    def read_repos(
        self, models: Iterable[str], datasets: Iterable[str] = ()
    ) -> tuple[dict[str, ModelMaterial | None], dict[str, DatasetMaterial | None]]:
        """Each repo's info, card and license files, read in one wave, without following its
        lineage (the caller knows which bases it lacks: ``owcheck batch --fill-from-hub``).

        A repo that does not exist is None; one that could not be read offline is left out.
        Raises ``HubUnavailableError`` when the Hub keeps failing within the deadline.
        """
        models, datasets = list(dict.fromkeys(models)), list(dict.fromkeys(datasets))
        run = _Run(offline=self._is_offline(), deadline=http.Deadline(self.timeout),
                   subject=("model", f"{len(models) + len(datasets)} repos"))
        kinds: tuple[tuple[Kind, list[str]], ...] = (("model", models), ("dataset", datasets))
        for kind, ids in kinds:
            for repo_id in ids:
                # Depth 1: no subject's lineage files, and (below) no bases discovered.
                run.states[(kind, repo_id)] = _RepoState(kind, repo_id, None, 1)
        depth, self.max_depth = self.max_depth, 1
        try:
            self._gather(run)
        finally:
            self.max_depth = depth
        found_models: dict[str, ModelMaterial | None] = {}
        for repo_id in models:
            state = run.states[("model", repo_id)]
            if state.not_found is not None:
                found_models[repo_id] = None
                continue
            repo = self._assemble(run, state)
            if not repo.cached_nothing:
                found_models[repo_id] = self._model_material(run, repo, None)
        found_datasets = {did: self._dataset(run, did) for did in datasets}
        if not run.offline:
            self._remember(run)
        return found_models, found_datasets

    # -- waves -------------------------------------------------------------------------------
    def _gather(self, run: _Run) -> None:
        """Read in waves until every repo reached has its info and every file it needs."""
        while True:
            calls: list[Callable[[], None]] = []
            for state in list(run.states.values()):
                if not state.info_read:
                    state.info_read = True
                    calls.append(_bind(self._load_info, run, state))
                elif state.not_found is None:
                    for want in self._files_needed(state)[0]:
                        if want not in state.asked:
                            state.asked.add(want)
                            calls.append(_bind(self._load_file, run, state, want))
            if not calls:
                return
            if run.offline:
                for call in calls:  # the disk only: nothing to wait for
                    call()
            else:
                self.client()  # built once, before the threads need it
                try:
                    # Even a single request runs on the pool: the deadline bounds the wait for
                    # it, whatever the socket does.
                    http.run_parallel(calls, run.deadline)
                except http.GaveUp as exc:
                    raise self._unavailable(f"reading {run.subject[1]}", exc) from None
            self._discover(run)

    def _discover(self, run: _Run) -> None:
        """Add the repos the metadata read so far names (base models, each at the smallest depth
        it is reached at; repos beyond the depth limit are not read), and the datasets
        ``_datasets_wanted`` names."""
        changed = True
        while changed:
            changed = False
            for state in list(run.states.values()):
                if not state.info_read or state.not_found is not None:
                    continue
                meta = self._meta_so_far(state)
                found: list[tuple[Kind, str]] = []
                if state.kind == "model" and state.depth < self.max_depth:
                    found += [("model", rid) for rid in base_model_ids(meta)[0]]
                for key in found:
                    known = run.states.get(key)
                    if known is None:
                        run.states[key] = _RepoState(key[0], key[1], None, state.depth + 1)
                        changed = True
                    elif known.depth > state.depth + 1:
                        known.depth = state.depth + 1
                        changed = True
        for did in self._datasets_wanted(run):
            run.states.setdefault(("dataset", did), _RepoState("dataset", did, None, 1))

    def _files_needed(self, state: _RepoState) -> tuple[list[FileWant], list[str]]:
        """Every file ``state``'s repo needs read, and problems noticed while listing them.

        The one list of what is read per repo: the card, license evidence, and for the subject
        its lineage evidence (config files, weight-file headers by ``byte_range``). Reading more
        means adding wants here; they go out in the repo's wave with the others.
        """
        info = state.info
        siblings = info.siblings if info else None
        wants: list[FileWant] = []
        if siblings is None or "README.md" in siblings:
            wants.append(FileWant("README.md", "card"))
        meta = self._meta_so_far(state)
        paths, problems = self._license_candidates(state.id, state.kind, siblings, meta)
        wants += [FileWant(path, "license", speculative) for path, speculative in paths]
        if state.depth == 0 and state.kind == "model" and siblings:
            # Lineage evidence in the subject's own files: what its tools wrote about its base
            # (config.json, adapter_config.json) and the headers of a weight file or two, read
            # by a ranged GET of their first bytes, never the weights.
            wants += [FileWant(name, "config") for name in CONFIG_FILES if name in siblings]
            wants += [FileWant(name, "header", byte_range=(0, HEADER_BYTES - 1))
                      for name in _header_files(siblings)]
        return wants, problems

    def _meta_so_far(self, state: _RepoState) -> Mapping[str, Any]:
        """The card's front matter once read (and not empty), else the API's ``cardData``."""
        if state.card_meta:
            return state.card_meta
        return (state.info.card_data if state.info else None) or {}

    # -- one repo, assembled -----------------------------------------------------------------
    def _assemble(self, run: _Run, state: _RepoState) -> _Repo:
        """Info, card and license files of one repo, from what the waves read (no I/O)."""
        key = (state.kind, state.id)
        if key in run.assembled:
            return run.assembled[key]
        kind, repo_id, info = state.kind, state.id, state.info
        problems: list[str] = []
        missing: list[str] = []
        sha = info.sha if info else None
        if info is None:
            missing.append(f"{kind} info for {repo_id} not in cache")
        wants, listing_problems = self._files_needed(state)
        card_text: str | None = None
        card_path: str | None = None
        card_cached = False
        card = next((w for w in wants if w.purpose == "card"), None)
        if card is not None:
            read = state.reads[card]
            if not read.absent:
                card_path = "README.md"
                card_text = read.text
                card_cached = read.text is not None or read.problem is not None
                _note(read, problems, missing)
                if sha is None and read.snapshot:
                    sha = read.snapshot
        if info is None and not card_cached:
            # Offline, and neither the info nor the card is cached: nothing is known.
            repo = _Repo(repo_id, None, None, None, None, {}, [], missing, {}, cached_nothing=True)
            run.assembled[key] = repo
            return repo
        problems += listing_problems
        license_files: dict[str, str] = {}
        for want in wants:
            if want.purpose != "license":
                continue
            read = state.reads[want]
            if read.text is not None:
                license_files[want.path] = read.text
            elif read.absent or (want.speculative and read.missing):
                if not want.speculative:
                    problems.append(f"{want.path} is listed in {repo_id} but could not be found")
            else:
                _note(read, problems, missing)
        if info is None:
            missing.append(f"file list of {repo_id} not in cache; license files may be missing")
        repo = _Repo(repo_id, info, sha, card_text, card_path, license_files, problems, missing,
                     self._meta_so_far(state))
        run.assembled[key] = repo
        return repo

    def _license_candidates(
        self, repo_id: str, kind: Kind, siblings: tuple[str, ...] | None,
        meta: Mapping[str, Any],
    ) -> tuple[list[tuple[str, bool]], list[str]]:
        """Files to read as license evidence, ``(path, speculative)``, and listing problems."""
        problems: list[str] = []
        if siblings is None:
            # File list unknown (offline without cached info): try the usual names quietly.
            paths = [("LICENSE", True), ("LICENSE.md", True), ("LICENSE.txt", True)]
        else:
            found = sorted(p for p in siblings if "/" not in p and LICENSE_FILE().match(p))
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
        return paths, problems

    def _license_link_path(self, value: Any, repo_id: str, kind: Kind) -> str | None:
        """The repo path a ``license_link`` points at, when it is a file of this very repo."""
        hosts = {urlsplit(b).netloc for b in (self.endpoint, constants.ENDPOINT) if b}
        return license_link_path(value, repo_id, kind, hosts)

    def _lineage_files(self, state: _RepoState, material: ModelMaterial) -> ModelMaterial:
        """The subject's config files and weight-file headers, from what the waves read."""
        configs: dict[str, str] = {}
        headers: dict[str, bytes] = {}
        problems: list[str] = []
        missing: list[str] = []
        for want in self._files_needed(state)[0]:
            read = state.reads.get(want)
            if read is None or want.purpose not in ("config", "header"):
                continue
            if want.purpose == "config":
                if read.text is not None and len(read.text) <= MAX_CONFIG_BYTES:
                    configs[want.path] = read.text
                else:
                    _note(read, problems, missing)
            elif read.data is not None:
                headers[want.path] = read.data[:HEADER_BYTES]
            elif read.missing:
                missing.append(read.missing)
        if not (configs or headers or problems or missing):
            return material
        return replace(
            material,
            config_files=configs,
            weight_headers=headers,
            problems=(*material.problems, *problems),
            missing=(*material.missing, *missing),
        )

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
                run.ancestors[parent] = self._ancestor(run, parent, depth + 1)
            if run.ancestors[parent] is not None:
                self._walk(run, parent, depth + 1, chain)

    def _state(self, run: _Run, kind: Kind, repo_id: str, depth: int) -> _RepoState:
        """The state of a repo the waves read; one they did not foresee is read now."""
        state = run.states.get((kind, repo_id))
        if state is None:
            state = run.states[(kind, repo_id)] = _RepoState(kind, repo_id, None, depth)
            self._gather(run)
        return state

    def _ancestor(self, run: _Run, repo_id: str, depth: int) -> ModelMaterial | None:
        state = self._state(run, "model", repo_id, depth)
        if state.not_found is not None:
            return None
        repo = self._assemble(run, state)
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
        state = self._state(run, "dataset", repo_id, 1)
        if state.not_found is not None:
            return None
        repo = self._assemble(run, state)
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

    # -- info ----------------------------------------------------------------------------------
    def _load_info(self, run: _Run, state: _RepoState) -> None:
        """Fill ``state.info`` (None offline when not cached) or ``state.not_found``."""
        kind, repo_id, revision = state.kind, state.id, state.revision
        state.record = record = self.cache.load(kind, repo_id, state.key)
        if run.offline:
            state.info = _info_of(record)
            return
        pinned = revision is not None and SHA().match(revision) is not None
        ttl = self.info_ttl if state.depth == 0 else self.lineage_ttl
        # A commit's info never changes; a branch's may be reused for the TTL.
        if record is not None and (pinned or (ttl > 0 and time.time() - record.written <= ttl)):
            state.info = _info_of(record)
            if state.info is not None:
                return
        try:
            state.info = self._info_call(run, kind, repo_id, revision)
        except _NotFound as exc:
            state.not_found = str(exc)
            return
        state.info_fetched = True

    def _remember(self, run: _Run) -> None:
        """Keep what this run learnt: one record per repo, written whole (see hubcache)."""
        for state in run.states.values():
            info = state.info
            if info is None or not (state.info_fetched or state.fresh):
                continue
            record = state.record
            same_commit = record is not None and record.info.get("sha") == info.sha
            if record is not None and same_commit and not state.fresh \
                    and record.info == info.to_json():
                self.cache.touch(state.kind, state.id, state.key)
                continue
            files = {**(record.files if record is not None and same_commit else {}),
                     **state.fresh}
            self.cache.store(state.kind, state.id, state.key, RepoRecord(info.to_json(), files))

    def _info_call(self, run: _Run, kind: Kind, repo_id: str, revision: str | None) -> _Info:
        """One info request, as ``HfApi.model_info(expand=...)`` makes it; raises ``_NotFound``."""
        from huggingface_hub.errors import (
            DisabledRepoError,
            GatedRepoError,
            HfHubHTTPError,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        noun = kind
        client = self.client()
        try:
            answer = http.send(
                client.session(), "GET", info_url(self.hub, kind, repo_id, revision),
                headers=client.headers, params={"expand": list(_EXPAND[kind])},
                policy=self.policy, deadline=run.deadline, max_bytes=MAX_INFO_BYTES,
            )
        except http.GaveUp as exc:
            raise self._unavailable(f"{noun} info for {repo_id}", exc) from None
        response = answer.response
        try:
            client.raise_for_status(response)
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
        except HfHubHTTPError as exc:
            status = response.status_code
            if status == 401:
                raise _NotFound(
                    f"the Hub refused the credentials while reading {noun} {repo_id} (HTTP 401)"
                ) from None
            raise _NotFound(
                self._scrub(f"the Hub refused {noun} info for {repo_id} (HTTP {status}: "
                            f"{_one_line(exc.server_message or '')})")
            ) from None
        if not answer.complete:
            raise _NotFound(f"the Hub sent an info answer for {noun} {repo_id} over "
                            f"{MAX_INFO_BYTES >> 20} MiB")
        try:
            data = response.json()
            if not isinstance(data, dict):
                raise TypeError("not an object")
            return _Info.from_api(kind, data)
        except (ValueError, TypeError, KeyError) as exc:
            raise _NotFound(
                f"the Hub sent an unusable answer for {noun} {repo_id} ({type(exc).__name__})"
            ) from None

    # -- files ---------------------------------------------------------------------------------
    def _load_file(self, run: _Run, state: _RepoState, want: FileWant) -> None:
        read = self._read_file(run, state, want)
        state.reads[want] = read
        if want.purpose == "card" and read.text is not None:
            card = parse_card(read.text, "README.md")
            if card.front_matter == "ok":
                state.card_meta = card.metadata

    def _read_file(self, run: _Run, state: _RepoState, want: FileWant) -> _FileRead:
        """One small file from the record or with one GET at the pinned commit; never raises
        for the file itself (only ``HubUnavailableError`` when the Hub keeps failing)."""
        kind, repo_id, revision = state.kind, state.id, state.at
        where = _where(want, repo_id)
        limit = self.max_file_bytes
        cache_name = want.path
        if want.byte_range is not None:
            first, last = want.byte_range
            limit = last - first + 1  # never more, even from a server that ignores the range
            cache_name = f"{want.path}#bytes={first}-{last}"
        entry = state.kept(cache_name)
        if entry is not None and (want.byte_range is not None or not (
                entry.state == "cut" and len(entry.data) < self.max_file_bytes)):
            return self._decode(where, entry, want)
        if run.offline:
            return self._from_client_cache(kind, repo_id, revision, want)
        headers = dict(self.client().headers)
        headers["Accept-Encoding"] = "identity"  # as the client's downloads: sizes are exact
        if want.byte_range is not None:
            headers["Range"] = f"bytes={want.byte_range[0]}-{want.byte_range[1]}"
        try:
            answer = http.send(
                self.client().session(), "GET", file_url(self.hub, kind, repo_id, revision,
                                                          want.path),
                headers=headers, policy=self.policy, deadline=run.deadline, max_bytes=limit,
            )
        except http.GaveUp as exc:
            raise self._unavailable(f"{where}", exc) from None
        response = answer.response
        if response.status_code in (200, 206):
            if answer.complete:
                entry = FileEntry("ok", response.content, len(response.content))
            else:
                entry = FileEntry("cut", response.content, answer.length)
            if SHA().match(revision):
                state.fresh[cache_name] = entry
            return self._decode(where, entry, want)
        read, absent = self._refused(where, response)
        if absent and SHA().match(revision):
            state.fresh[cache_name] = FileEntry("absent")
        return read

    def _refused(self, where: str, response: httpx2.Response) -> tuple[_FileRead, bool]:
        """What a non-200 answer for a file means (no HEAD: the GET's own answer says it), and
        whether it says the file does not exist at that commit (worth keeping)."""
        from huggingface_hub.errors import (
            DisabledRepoError,
            EntryNotFoundError,
            GatedRepoError,
            HfHubHTTPError,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        try:
            self.client().raise_for_status(response)
        except EntryNotFoundError:
            return _FileRead(absent=True), True
        except GatedRepoError:
            return _FileRead(
                missing=f"{where} is gated: request access on the Hub to read it"), False
        except (RepositoryNotFoundError, RevisionNotFoundError, DisabledRepoError):
            return _FileRead(
                missing=f"{where} could not be read (repo or revision not visible)"), False
        except HfHubHTTPError:
            pass
        return _FileRead(missing=f"{where} could not be read (HTTP {response.status_code})"), False

    def _decode(self, where: str, entry: FileEntry, want: FileWant,
                snapshot: str | None = None) -> _FileRead:
        """A cache entry as text, or the problem that keeps it from being read."""
        if entry.state == "absent":
            return _FileRead(absent=True, snapshot=snapshot)
        if want.byte_range is not None:
            return _FileRead(data=entry.data, snapshot=snapshot)
        if entry.state == "cut" or len(entry.data) > self.max_file_bytes:
            size = f"{entry.size} bytes" if entry.size else f"over {self.max_file_bytes} bytes"
            return _FileRead(
                problem=f"{where} is {size}, over the {self.max_file_bytes}-byte limit; not read",
                snapshot=snapshot,
            )
        data = entry.data
        if b"\0" in data[:8192]:
            return _FileRead(problem=f"{where} is binary, not text; not read", snapshot=snapshot)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _FileRead(problem=f"{where} is not UTF-8 text; not read", snapshot=snapshot)
        return _FileRead(text=text, snapshot=snapshot)

    def _from_client_cache(self, kind: Kind, repo_id: str, revision: str,
                           want: FileWant) -> _FileRead:
        """Offline: a file owcheck never cached may be in the client's own cache (an earlier
        owcheck, ``hf download``); ``revision`` may be a branch, resolved through its refs."""
        where = _where(want, repo_id)
        if want.byte_range is None:
            from huggingface_hub import try_to_load_from_cache

            found = try_to_load_from_cache(repo_id, want.path, revision=revision, repo_type=kind)
            if isinstance(found, str):
                snapshot = _snapshot_of(found, want.path)
                try:
                    with open(found, "rb") as handle:
                        data = handle.read(self.max_file_bytes + 1)
                    size = os.path.getsize(found)
                except OSError as exc:
                    return _FileRead(
                        problem=f"{where} could not be read from the cache ({exc.strerror})")
                entry = FileEntry("ok" if len(data) <= self.max_file_bytes else "cut", data, size)
                return self._decode(where, entry, want, snapshot)
        return _FileRead(missing=f"{where} not in cache")

    # -- plumbing ------------------------------------------------------------------------------
    def _unavailable(self, what: str, exc: http.GaveUp) -> HubUnavailableError:
        """Exit 3, one line: what was being read and why the source gave up."""
        if exc.deadline_hit:
            budget = f"the {self.timeout:g} s deadline" if self.timeout is not None else "time"
            text = (f"the Hub at {self.hub} did not answer within {budget} "
                    f"({what}: {exc.reason})")
        else:
            plural = "s" if exc.attempts != 1 else ""
            text = (f"the Hub at {self.hub} did not answer {what} after {exc.attempts} "
                    f"attempt{plural} ({exc.reason})")
        return HubUnavailableError(self._scrub(text))

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


def _info_of(record: RepoRecord | None) -> _Info | None:
    try:
        return _Info.from_json(record.info) if record is not None else None
    except (ValueError, KeyError, TypeError):
        return None


def _env_seconds(name: str) -> float:
    try:
        value = float(os.environ.get(name, "0"))
    except ValueError:
        return 0.0
    return value if value > 0 and value != float("inf") else 0.0


def _bind(func: Callable[..., None], *args: Any) -> Callable[[], None]:
    return lambda: func(*args)


def _header_files(siblings: Iterable[str]) -> list[str]:
    """At most one GGUF and one safetensors file, shallowest first: shards repeat the header."""
    out: list[str] = []
    for suffix in HEADER_SUFFIXES:
        found = sorted((f for f in siblings if f.lower().endswith(suffix)),
                       key=lambda f: (f.count("/"), f))
        out += found[:1]
    return out[:MAX_HUB_HEADER_FILES]


def _where(want: FileWant, repo_id: str) -> str:
    """How messages name a file read: the file, or the header of a weight file."""
    if want.purpose == "header":
        return f"the header of {want.path} in {repo_id}"
    return f"{want.path} of {repo_id}"


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


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _snapshot_of(local: str, path: str) -> str | None:
    """The commit folder a cached file sits in (``.../snapshots/<sha>/<path>``)."""
    parts = Path(local).parts
    depth = len(path.split("/"))
    if len(parts) > depth + 1 and parts[-depth - 2] == "snapshots":
        return parts[-depth - 1]
    return None
