"""A faulty Hub, through the real client and the real command line (tests/hub serves the faults).

Each fault is either retried and the model graded exactly as on a clean run, or the run ends
with exit 3 and one line within its deadline. Retries and waits are read from the server's log.
Backoff is shortened through the documented ``OWCHECK_HTTP_*`` variables to keep the tests fast.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hub.server import Fault, LoggedRequest, LoopbackHub

ROOT = Path(__file__).resolve().parents[2]
TARGET = "launder/llama-style-lora"  # an adapter on a gated base: 2 infos, 5 files
FAST = {"OWCHECK_HTTP_BACKOFF": "0.05", "OWCHECK_HTTP_BACKOFF_MAX": "0.2",
        "OWCHECK_HTTP_ATTEMPTS": "4", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def hub() -> Iterator[LoopbackHub]:
    with LoopbackHub() as server:
        yield server


@pytest.fixture(scope="module")
def clean(hub: LoopbackHub, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The JSON report of TARGET from a Hub without faults."""
    run = owcheck(hub, tmp_path_factory.mktemp("clean"), TARGET, "--format", "json")
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.fixture(autouse=True)
def healed(hub: LoopbackHub) -> Iterator[None]:
    hub.clear_faults()
    hub.reset_log()
    yield
    hub.clear_faults()


def owcheck(hub: LoopbackHub, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**hub.env(home), **FAST}
    return subprocess.run([sys.executable, "-m", "openweights", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def by_path(log: list[LoggedRequest]) -> dict[str, list[LoggedRequest]]:
    out: dict[str, list[LoggedRequest]] = {}
    for entry in log:
        out.setdefault(entry.path, []).append(entry)
    return out


RETRIED = [
    pytest.param(Fault("status", match="*/resolve/*/README.md", status=500, count=1), 0.025,
                 id="500-on-a-card"),
    pytest.param(Fault("status", match="/api/models/*", status=502, count=1), 0.025,
                 id="502-on-an-info-call"),
    pytest.param(Fault("status", match="*/resolve/*", status=503, count=3), 0.025,
                 id="503-on-three-files"),
    pytest.param(Fault("reset", match="*/resolve/*/LICENSE", count=1), 0.025,
                 id="reset-on-a-license"),
    pytest.param(Fault("reset", match="/api/models/examplemeta/*", count=1), 0.025,
                 id="reset-on-the-base-info"),
    pytest.param(Fault("truncate", match="*/resolve/*/README.md", count=2), 0.025,
                 id="truncated-cards"),
    pytest.param(Fault("truncate", match="/api/models/launder/*", count=1), 0.025,
                 id="truncated-info"),
    pytest.param(Fault("status", match="/api/models/launder/*", status=429, count=1,
                       headers={"Retry-After": "1"}), 1.0, id="429-retry-after"),
    pytest.param(Fault("status", match="*/resolve/*", status=429, count=1,
                       headers={"RateLimit": '"resolvers";r=0;t=1'}), 1.0,
                 id="429-ratelimit-header"),
]


@pytest.mark.parametrize(("fault", "least_wait"), RETRIED)
def test_fault_is_retried_and_graded_as_a_clean_run(
    hub: LoopbackHub, clean: str, tmp_path: Path, fault: Fault, least_wait: float
) -> None:
    hits = fault.count or 0
    hub.inject(fault)
    run = owcheck(hub, tmp_path, TARGET, "--format", "json")
    assert run.returncode == 0, run.stderr
    assert run.stdout == clean
    assert run.stderr == ""
    faulted = [r for r in hub.requests if r.fault]
    assert len(faulted) == hits
    paths = by_path(hub.requests)
    for bad in faulted:
        tries = paths[bad.path]
        # Each faulted request was sent again, once per fault it met, then answered.
        assert [r.fault for r in tries] == [fault.kind] * (len(tries) - 1) + [None], tries
        assert tries[-1].status in (200, 206)  # 206: a weight-file header's ranged GET
        wait = tries[tries.index(bad) + 1].time - bad.time
        assert wait >= least_wait, (bad.path, wait)


def test_drip_within_the_deadline_is_graded_as_a_clean_run(
    hub: LoopbackHub, clean: str, tmp_path: Path
) -> None:
    hub.inject(Fault("drip", match="/launder/llama-style-lora/resolve/*/LICENSE",
                     interval=0.002))
    run = owcheck(hub, tmp_path, TARGET, "--format", "json")
    assert run.returncode == 0, run.stderr
    assert run.stdout == clean
    assert [r.fault for r in hub.requests if r.path.endswith("/LICENSE")].count("drip") == 1


def test_other_client_errors_are_not_retried(hub: LoopbackHub, tmp_path: Path) -> None:
    license_path = "/launder/llama-style-lora/resolve/*/LICENSE"
    hub.inject(Fault("status", match=license_path, status=404))
    run = owcheck(hub, tmp_path, TARGET, "--format", "json")
    assert run.returncode == 0, run.stderr
    assert len([r for r in hub.requests if r.fault]) == 1
    findings = [f["message"] for f in json.loads(run.stdout)["findings"] if f["rule"] == "OW108"]
    assert any("LICENSE of launder/llama-style-lora could not be read (HTTP 404)" in m
               for m in findings), findings


def test_a_hub_that_keeps_failing_is_exit_3_after_the_attempts(
    hub: LoopbackHub, tmp_path: Path
) -> None:
    hub.inject(Fault("status", match="/api/*", status=503))
    run = owcheck(hub, tmp_path, TARGET)
    assert run.returncode == 3
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "did not answer model info for launder/llama-style-lora after 4 attempts (HTTP 503)" \
        in run.stderr
    assert [r.status for r in hub.requests] == [503] * 4


DEADLINE = 1.5


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(Fault("hang", match="/api/*"), id="hang-on-info"),
        pytest.param(Fault("hang", match="*/resolve/*"), id="hang-on-files"),
        pytest.param(Fault("drip", match="*/resolve/*/README.md", interval=0.3),
                     id="slow-drip"),
        pytest.param(Fault("status", match="/api/*", status=429,
                           headers={"Retry-After": "3600"}), id="retry-after-an-hour"),
    ],
)
def test_a_hanging_hub_is_exit_3_within_the_deadline(
    hub: LoopbackHub, tmp_path: Path, fault: Fault
) -> None:
    hub.inject(fault)
    run = owcheck(hub, tmp_path, TARGET, "--timeout", str(DEADLINE))
    ended = time.monotonic()
    assert run.returncode == 3, run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("owcheck: error: the Hub at ")
    assert "Traceback" not in run.stderr
    first = hub.requests[0].time
    # From the first request to the end of the process: the deadline, then exit promptly.
    assert ended - first < DEADLINE + 1.0, ended - first


def test_a_batch_against_a_hanging_hub_costs_one_deadline(
    hub: LoopbackHub, tmp_path: Path
) -> None:
    ids = ["acme/plain-7b", "acme/no-license", "openlab/fully-open-1b", "acme/three-data",
           "mergers/two-base-merge", "quants/chain-q4-gguf"]
    (tmp_path / "ids.txt").write_text("\n".join(ids) + "\n")
    hub.inject(Fault("hang", match="*/resolve/*"))
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    run = owcheck(hub, tmp_path, "batch", str(tmp_path / "ids.txt"), "-o", str(out),
                  "--errors", str(errors), "-j", "6", "--timeout", str(DEADLINE))
    ended = time.monotonic()
    assert run.returncode == 3, run.stderr
    failed = [json.loads(line) for line in errors.read_text().splitlines()]
    assert [(e["target"], e["exit_code"]) for e in failed] == [(i, 3) for i in ids]
    assert all("deadline" in e["error"] for e in failed)
    assert out.read_text() == ""
    # All six wait at once: about one deadline from the first request, not six.
    assert ended - hub.requests[0].time < 2 * DEADLINE + 1.0
