"""A model repo on disk: a directory with a README.md, or a single card file.

Never touches the network and never imports the hub client: this is the pre-commit path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from openweights.card import parse_card
from openweights.repoids import license_link_path
from openweights.sources import (
    CONFIG_FILES,
    LICENSE_FILE,
    MAX_CONFIG_BYTES,
    Bundle,
    InputError,
    ModelMaterial,
)
from openweights.weightfiles import HEADER_BYTES, HEADER_SUFFIXES, MAX_HEADER_FILES

MAX_CARD_BYTES = 5 * 1024 * 1024
"""A card larger than this is refused (exit 2): real cards are well under 1 MiB."""
MAX_LICENSE_BYTES = 1024 * 1024
"""A LICENSE-like file larger than this is not read (a finding says so)."""
MAX_FILES = 20_000
"""Stop listing a repo after this many files (weights are found long before)."""

_CARD_NAMES = ("README.md", "readme.md", "Readme.md", "README.MD", "README.markdown")
_SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "node_modules", ".cache"}


def decode_text(data: bytes, what: str) -> str:
    """Decode a card or license file as the Hub does (UTF-8, BOM tolerated) or refuse it."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{what} is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not valid UTF-8 (byte {exc.start})") from None


def read_card(path: Path, label: str) -> str:
    """Read and decode a card file, refusing unusable ones with a one-line reason."""
    try:
        size = path.stat().st_size
        if size > MAX_CARD_BYTES:
            raise InputError(f"{label} is {size / 1_048_576:.1f} MiB; cards over 5 MiB are refused")
        data = path.read_bytes()
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"cannot read {label}: {exc.strerror or exc}") from None
    return decode_text(data, label)


def _list_files(root: Path) -> tuple[str, ...]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        rel = Path(dirpath).relative_to(root)
        for name in sorted(filenames):
            found.append((rel / name).as_posix())
            if len(found) >= MAX_FILES:
                return tuple(found)
    return tuple(found)


def _read_license_files(
    root: Path, files: tuple[str, ...], link: object
) -> tuple[dict[str, str], list[str]]:
    wanted = [f for f in files if "/" not in f and LICENSE_FILE().match(f)]
    target = license_link_path(link)
    if target is not None and target in files and target not in wanted:
        wanted.append(target)
    return _read_texts(root, wanted, MAX_LICENSE_BYTES)


def _read_texts(
    root: Path, names: Iterable[str], limit: int
) -> tuple[dict[str, str], list[str]]:
    """The named files as text, each at most ``limit`` bytes (a whole number of MiB), and one
    problem for each that could not be read."""
    texts: dict[str, str] = {}
    problems: list[str] = []
    for name in names:
        path = root / name
        try:
            if path.stat().st_size > limit:
                problems.append(f"{name} is larger than {limit >> 20} MiB and was not read")
                continue
            texts[name] = decode_text(path.read_bytes(), name)
        except InputError as exc:
            problems.append(str(exc))
        except OSError as exc:
            problems.append(f"cannot read {name}: {exc.strerror or exc}")
    return texts, problems


def checkout_path(folder: Path) -> str | None:
    """``folder`` relative to the root of the git checkout holding it (the nearest parent with
    a ``.git``), as a posix path (``""`` at the root); None outside a checkout."""
    try:
        here = folder.resolve()
    except OSError:
        return None
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            rel = here.relative_to(directory).as_posix()
            return "" if rel == "." else rel
    return None


def _read_configs(root: Path, files: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """``config.json`` / ``adapter_config.json`` at the root, as text (small files only)."""
    return _read_texts(root, [name for name in CONFIG_FILES if name in files], MAX_CONFIG_BYTES)


def _read_weight_headers(root: Path, files: tuple[str, ...]) -> tuple[dict[str, bytes], list[str]]:
    """The leading bytes of a few GGUF/safetensors files: their headers, never the weights."""
    wanted = sorted(
        (f for f in files if f.lower().endswith(HEADER_SUFFIXES)),
        key=lambda f: (f.count("/"), f),
    )[:MAX_HEADER_FILES]
    headers: dict[str, bytes] = {}
    problems: list[str] = []
    for name in wanted:
        try:
            with open(root / name, "rb") as fh:
                headers[name] = fh.read(HEADER_BYTES)
        except OSError as exc:
            problems.append(f"cannot read the header of {name}: {exc.strerror or exc}")
    return headers, problems


class LocalSource:
    """Reads a model repo directory, or a lone card file, from disk."""

    def fetch(self, target: str) -> Bundle:
        """Gather the card, LICENSE texts and file list under ``target``."""
        path = Path(target)
        if not path.exists():
            raise InputError(f"no such file or directory: {target}")
        if path.is_dir():
            card_file = next((path / n for n in _CARD_NAMES if (path / n).is_file()), None)
            if card_file is None:
                raise InputError(f"no model card (README.md) in {target}")
            root: Path | None = path
        else:
            card_file = path
            # A README.md stands for its repo; any other file is a lone card.
            root = path.parent if path.name.lower() == "readme.md" else None
        card_label = card_file.name if root is not None else str(card_file)
        text = read_card(card_file, card_label)
        files: tuple[str, ...] = ()
        licenses: dict[str, str] = {}
        configs: dict[str, str] = {}
        headers: dict[str, bytes] = {}
        problems: list[str] = []
        if root is not None:
            files = _list_files(root)
            link = parse_card(text, card_label).metadata.get("license_link")
            licenses, problems = _read_license_files(root, files, link)
            configs, config_problems = _read_configs(root, files)
            headers, header_problems = _read_weight_headers(root, files)
            problems += config_problems + header_problems
        material = ModelMaterial(
            id=str(path),
            source="local",
            card_path=card_label,
            card_text=text,
            files=files,
            license_files=licenses,
            config_files=configs,
            weight_headers=headers,
            problems=tuple(problems),
            missing=() if root is not None else ("repo files (a lone card was given)",),
            checkout_path=checkout_path(root if root is not None else card_file.parent),
        )
        return Bundle(subject=material, lineage_resolvable=False)
