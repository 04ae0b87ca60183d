"""Sources: the only code that does I/O. Each returns plain data (``Bundle``) for the pipeline.

``local`` reads a model repo on disk (or a single card file); ``hub`` reads the Hugging Face Hub
through ``huggingface_hub``, following ``base_model`` and ``datasets``; ``forge`` asks GitHub and
GitLab for the license of the code repositories a card links, as a second step composed by the
caller (``openweights.sources.forge.with_forge``). Nothing downstream of a source touches the
disk or the network.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any, Protocol

from openweights.patterns import lazy
from openweights.records import field, record

LICENSE_FILE = lazy(
    r"^(licen[cs]e|copying|notice|use_policy|acceptable_use_policy)([-_.][\w.-]*)?$", re.I
)
"""Root-level files read as license evidence (LICENSE*, COPYING, NOTICE, USE_POLICY*, ...), the
same for every source."""
CONFIG_FILES = ("config.json", "adapter_config.json")
"""Root-level JSON files read as lineage evidence (``_name_or_path``,
``base_model_name_or_path``)."""
MAX_CONFIG_BYTES = 1 << 20
"""A config file larger than this is not read."""
DEFAULT_TIMEOUT = 60.0
"""Seconds one Hub target may take on the network (``--timeout``), retries included."""


class SourceError(Exception):
    """Input that cannot be graded. ``exit_code``: 2 unusable input, 3 the Hub could not be
    reached (the exit codes in README.md)."""

    exit_code = 2


class InputError(SourceError):
    """Unusable input: a missing path, a repo or revision that does not exist, a bad id."""

    exit_code = 2


class HubUnavailableError(SourceError):
    """The Hub could not be reached, or kept failing after retries (retryable)."""

    exit_code = 3


@record
class ModelMaterial:
    """What one model repo publishes, as read by a source."""

    id: str
    """Repo id (``org/name``) or the path as given."""
    source: str
    """``hub`` or ``local``."""
    revision: str | None = None
    """Resolved commit sha (hub) or None."""
    card_path: str | None = "README.md"
    """Path of the card inside the repo (for findings), None when there is no card."""
    card_text: str | None = None
    """The card, decoded, or None when the repo has none."""
    files: tuple[str, ...] = ()
    """Every file path in the repo (relative, ``/``-separated)."""
    license_files: Mapping[str, str] = field(default_factory=dict)
    """Text of LICENSE*, USE_POLICY*, NOTICE and the ``license_link`` target, by repo path."""
    gated: str | None = None
    """``auto`` or ``manual`` when the repo is gated on the Hub, else None."""
    api_card_data: Mapping[str, Any] | None = None
    """Card metadata as the Hub's API returned it (hub only)."""
    problems: tuple[str, ...] = ()
    """Non-fatal read problems (a binary LICENSE, an unreadable file), as one-line messages."""
    missing: tuple[str, ...] = ()
    """Evidence the source could not get (offline cache misses, gated files)."""
    requested_revision: str | None = None
    """The revision asked for (branch, tag or sha) as given; None means the default branch."""
    tags: tuple[str, ...] = ()
    """Tags the Hub lists for the repo (incl. computed ones such as ``license:mit``); hub only."""
    pipeline_tag: str | None = None
    """The Hub's task for the model (``text-generation``, ``image-text-to-text``); hub only."""
    library_name: str | None = None
    """The Hub's library for the model (``transformers``, ``peft``, ``gguf``); hub only."""
    checkout_path: str | None = None
    """Where the model repo (a lone card's folder) sits in its git checkout, relative to the
    checkout's root (``models/tiny``; ``""`` at the root); None outside a git checkout or for
    the Hub. Code scanning and annotations want paths from that root."""
    config_files: Mapping[str, str] = field(default_factory=dict)
    """Text of ``config.json`` and ``adapter_config.json`` at the repo root, by path."""
    weight_headers: Mapping[str, bytes] = field(default_factory=dict)
    """The leading bytes (at most ``weightfiles.HEADER_BYTES``) of a few GGUF and safetensors
    files, by path: their metadata headers, never the weights."""
    last_modified: str | None = None
    """When the Hub last saw the repo change (ISO 8601), when the source says (a dump row's
    ``last_modified``); with no commit sha, it tells one version from the next."""


@record
class DatasetMaterial:
    """What one dataset repo publishes, as read by a source."""

    id: str
    """Dataset repo id."""
    revision: str | None = None
    """Resolved commit sha."""
    card_text: str | None = None
    """The dataset card, or None."""
    api_card_data: Mapping[str, Any] | None = None
    """Card metadata from the API."""
    license_files: Mapping[str, str] = field(default_factory=dict)
    """LICENSE* texts by path."""
    gated: str | None = None
    """``auto`` / ``manual`` / None."""
    files: tuple[str, ...] = ()
    """Every file path in the dataset repo, when known."""
    problems: tuple[str, ...] = ()
    """Non-fatal read problems (a binary LICENSE, an unreadable card), as one-line messages."""
    missing: tuple[str, ...] = ()
    """Evidence the source could not get (offline cache misses, gated files)."""


class ForgeStatus(str, enum.Enum):
    """How a forge lookup ended."""

    OK = "ok"
    """The forge answered (the repository may still have no license)."""
    NOT_FOUND = "not-found"
    """The repository does not exist, or is private (404)."""
    RATE_LIMITED = "rate-limited"
    """The forge's rate limit is exhausted (403 or 429 with no requests remaining)."""
    UNREACHABLE = "unreachable"
    """Connection errors, timeouts or server errors."""
    REFUSED = "refused"
    """Any other refusal (401, 403, 4xx) or an answer owcheck cannot read."""
    NOT_CACHED = "not-cached"
    """Offline, and the repository was never looked up before."""


@record
class ForgeAnswer:
    """What a code forge (GitHub, GitLab) said about one repository's license."""

    repo: str
    """The repository asked about: ``host/path`` as the card linked it (``github.com/org/x``)."""
    status: ForgeStatus
    """How the lookup ended."""
    canonical: str | None = None
    """``host/path`` the forge answered for, after renames and redirects."""
    license_id: str | None = None
    """The license as the forge names it: GitHub's SPDX id (``NOASSERTION`` for a license it
    does not recognise) or GitLab's key; None when the repository has no license file."""
    license_name: str | None = None
    """The forge's name for the license (``Apache License 2.0``)."""
    license_path: str | None = None
    """The license file in the repository (``LICENSE``), when the forge says."""
    license_text: str | None = None
    """The license file's text, fetched when the forge could not name the license."""
    message: str | None = None
    """One line for people when the lookup did not succeed (never holds a token)."""
    cached: bool = False
    """True when the answer came from the local cache (revalidated, or offline)."""


@record
class Bundle:
    """Everything a source gathered for one subject: the model, its ancestors, its datasets."""

    subject: ModelMaterial
    """The model being graded."""
    ancestors: Mapping[str, ModelMaterial | None] = field(default_factory=dict)
    """Every ``base_model`` reached (recursively), by id; None when the repo was not found."""
    datasets: Mapping[str, DatasetMaterial | None] = field(default_factory=dict)
    """Every dataset named by the subject, by id; None when not found."""
    lineage_resolvable: bool = False
    """True when the source could look base models up (hub); False for local input."""
    lineage_truncated: tuple[str, ...] = ()
    """Ids not followed because of the depth limit or a cycle (with the reason)."""
    parents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Base-model ids each model's card names (subject and every ancestor read), by child id."""
    relations: Mapping[str, str] = field(default_factory=dict)
    """``base_model_relation`` stated by a child's card (adapter/merge/...), by child id."""
    offline: bool = False
    """True when the source read the local cache only (no network)."""
    code_repos: Mapping[str, ForgeAnswer] = field(default_factory=dict)
    """Forge answers for the code repositories the card links, by repository key
    (``github.com/org/name`` in lower case); empty when the forge was not asked."""
    forge_consulted: bool = False
    """True when the forge lookups ran (online, or from their cache when offline)."""
    unresolved: tuple[str, ...] = ()
    """Base models and datasets named but not looked up (not in a dump's rows, and the Hub not
    asked): judged from the catalogues, never reported as missing from the Hub."""


class Source(Protocol):
    """A place models come from."""

    def fetch(self, target: str) -> Bundle:
        """Gather the material for ``target``; raise ``SourceError`` when it cannot be graded."""
        ...
