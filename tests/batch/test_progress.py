"""`owcheck batch`'s progress: a bar on a terminal's standard error, silent in a pipe or with -q,
the closing summary always. The terminal is a real pseudo-terminal (``pty``)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.hub.dumps import dump_rows, parquet_bytes
from tests.hub.server import load_repos
from tests.support import ROOT

pytest.importorskip("pyarrow")


def _models() -> int:
    """How many rows one copy of the fixture models makes."""
    return len(dump_rows(load_repos().values()))


def _dump(tmp_path: Path, copies: int = 30) -> Path:
    """``copies`` of every fixture model, then one row whose id is unusable."""
    rows = dump_rows(load_repos().values())
    many = [{**r, "modelId": f"{r['modelId']}-{n}"} for n in range(copies) for r in rows]
    many.append({**rows[0], "modelId": "not an id"})
    path = tmp_path / "dump.parquet"
    path.write_bytes(parquet_bytes(many))
    return path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(NO_COLOR="1", COLUMNS="100")
    return env


def _on_a_terminal(args: list[str], tmp_path: Path) -> tuple[int, str, str]:
    """Run owcheck with standard error on a pseudo-terminal; stdout to a file (a pipe nobody
    reads while the terminal is read would fill up and hold the run)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    stdout = (tmp_path / "stdout.txt").open("w+b")
    proc = subprocess.Popen([sys.executable, "-m", "openweights", *args], cwd=ROOT, env=_env(),
                            stdin=subprocess.DEVNULL, stdout=stdout, stderr=follower)
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    code = proc.wait(timeout=30)
    stdout.seek(0)
    out = stdout.read().decode()
    stdout.close()
    os.close(leader)
    return code, out, b"".join(chunks).decode("utf-8", errors="replace")


def test_a_bar_on_a_terminal(tmp_path: Path) -> None:
    code, out, err = _on_a_terminal(["batch", str(_dump(tmp_path))], tmp_path)
    assert code == 2  # the unusable row
    total = 30 * _models() + 1
    assert len(out.splitlines()) == total - 1
    # tqdm redraws the line with a carriage return: count, total, rate, ETA, failures so far.
    frames = [f for f in re.split(r"[\r\n]", err) if "owcheck batch" in f]
    assert frames, err
    last = frames[-1]
    assert f"{total}/{total}" in last and "rows/s" in last and "<" in last
    assert "0 failed, 1 refused" in err
    assert err.rstrip().splitlines()[-1] == (
        f"owcheck: batch: {total} lines: {total - 1} graded, 1 refused, 0 failed, 0 duplicate, "
        "0 skipped")


def test_silent_in_a_pipe_and_with_q(tmp_path: Path) -> None:
    dump = _dump(tmp_path, copies=2)
    graded = 2 * _models()
    piped = subprocess.run([sys.executable, "-m", "openweights", "batch", str(dump)], cwd=ROOT,
                           env=_env(), capture_output=True, text=True, timeout=120)
    assert piped.stderr.splitlines() == [
        "owcheck: error: not an id: 'not an id' is not a valid Hub repo id (expected org/name)",
        f"owcheck: batch: {graded + 1} lines: {graded} graded, 1 refused, 0 failed, 0 duplicate, "
        "0 skipped"]
    code, _, err = _on_a_terminal(["batch", str(dump), "-q", "-o", str(tmp_path / "o.jsonl")],
                                tmp_path)
    assert code == 2
    assert "rows/s" not in err and "\r" not in err.replace("\r\n", "\n")
    assert err.strip().splitlines()[-1].startswith(
        f"owcheck: batch: {graded + 1} lines: {graded} graded")
