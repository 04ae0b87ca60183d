"""A model repo on disk as it was committed at a git ref (a release tag, a branch, a commit).

Used for the Action's ``baseline`` input: the checkout's model as of the last release, graded
to compare with the working tree. ``git archive`` writes the repo folder at that ref into a
temporary directory, ``LocalSource`` reads it, and the subject keeps the path as given, with the
ref's commit as its revision.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from openweights import records
from openweights.patterns import lazy
from openweights.sources import Bundle, InputError

_REF = lazy(r"^[A-Za-z0-9_][\w./@{}^~+-]*$")
"""What a branch, tag or commit may look like here; nothing git would read as an option."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    git = shutil.which("git")
    if git is None:
        raise InputError("a git ref as baseline needs git, which is not installed")
    return subprocess.run([git, *args], cwd=cwd, capture_output=True, timeout=120, check=False)


def fetch_at_ref(target: str, ref: str) -> Bundle:
    """The model repo (or card file) at ``target`` as committed at ``ref``."""
    if not _REF().match(ref):
        raise InputError(f"not a git ref: {ref!r}")
    path = Path(target)
    folder = path if path.is_dir() else path.parent
    top = _git(["rev-parse", "--show-toplevel"], folder)
    if top.returncode != 0:
        raise InputError(f"{target} is not in a git checkout, so a ref cannot be read")
    root = Path(top.stdout.decode().strip())
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if commit.returncode != 0:
        raise InputError(f"no such git ref in {root}: {ref}")
    sha = commit.stdout.decode().strip()
    rel = folder.resolve().relative_to(root.resolve()).as_posix()
    archive = _git(["archive", "--format=tar", sha, "--", rel if rel != "." else "."], root)
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(f"{target} did not exist at {ref}: {message[-1] if message else ''}")
    from openweights.sources.local import LocalSource

    with tempfile.TemporaryDirectory(prefix="owcheck-ref-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:  # pragma: no cover - Pythons without extraction filters
                tar.extractall(tmp)  # our own git archive
        copy = Path(tmp) / rel
        where = copy if path.is_dir() else copy / path.name
        if not where.exists():
            raise InputError(f"{target} did not exist at {ref}")
        bundle = LocalSource().fetch(str(where))
    subject = records.replace(bundle.subject, id=target, revision=sha, requested_revision=ref)
    return records.replace(bundle, subject=subject)
