"""openweights.sources.http: retries, waits, deadlines and the shared rate gate.

Against the loopback Hub (tests/hub) with a plain ``httpx2.Client``: the module must work with
any httpx2 client (the forge source brings its own). Waits are read from the server's log.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate

import httpx2
import pytest

from openweights.sources import http
from tests.hub.server import Fault, LoopbackHub

FAST = http.RetryPolicy(attempts=4, backoff=0.1, backoff_max=0.4, connect_timeout=2,
                        read_timeout=5)
INFO = "/api/models/acme/plain-7b"
FILE_GLOB = "/acme/plain-7b/resolve/main/LICENSE"


@pytest.fixture
def hub() -> Iterator[LoopbackHub]:
    with LoopbackHub() as server:
        yield server


@pytest.fixture
def client() -> Iterator[httpx2.Client]:
    with httpx2.Client() as c:
        yield c


def get(client: httpx2.Client, hub: LoopbackHub, path: str = INFO, **kwargs: object
        ) -> http.Answer:
    options: dict[str, object] = {"policy": FAST, "gate": http.RateGate(), **kwargs}
    return http.send(client, "GET", hub.endpoint + path, **options)  # type: ignore[arg-type]


def arrivals(hub: LoopbackHub, path: str) -> list[float]:
    return [r.time for r in hub.requests if r.path == path]


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_server_errors_are_retried_with_growing_waits(
    hub: LoopbackHub, client: httpx2.Client, status: int
) -> None:
    hub.inject(Fault("status", match=INFO, status=status, count=2))
    answer = get(client, hub)
    assert answer.response.status_code == 200 and answer.attempts == 3
    assert answer.response.json()["id"] == "acme/plain-7b"
    waits = gaps(arrivals(hub, INFO))
    # Equal jitter: the n-th wait lies between d/2 and d for d = 0.1 * 2**n.
    assert waits[0] >= 0.05 and waits[1] >= 0.1, waits
    assert all(w < 1.0 for w in waits), waits


@pytest.mark.parametrize("status", [400, 401, 403, 404, 408, 410, 501])
def test_other_answers_are_not_retried(
    hub: LoopbackHub, client: httpx2.Client, status: int
) -> None:
    hub.inject(Fault("status", match=INFO, status=status))
    answer = get(client, hub)
    assert answer.response.status_code == status and answer.attempts == 1
    assert len(hub.requests) == 1


def test_attempts_run_out(hub: LoopbackHub, client: httpx2.Client) -> None:
    hub.inject(Fault("status", match=INFO, status=503))
    with pytest.raises(http.GaveUp) as caught:
        get(client, hub)
    assert (caught.value.attempts, caught.value.status, caught.value.reason) == (4, 503,
                                                                                 "HTTP 503")
    assert not caught.value.deadline_hit
    assert len(hub.requests) == 4


def test_retry_after_is_honoured(hub: LoopbackHub, client: httpx2.Client) -> None:
    hub.inject(Fault("status", match=INFO, status=429, count=1, headers={"Retry-After": "1"}))
    answer = get(client, hub)
    assert answer.attempts == 2
    (wait,) = gaps(arrivals(hub, INFO))
    assert 1.0 <= wait < 1.6, wait


def test_hub_ratelimit_header_is_honoured(hub: LoopbackHub, client: httpx2.Client) -> None:
    headers = {"RateLimit": '"api";r=0;t=1', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'}
    hub.inject(Fault("status", match=INFO, status=429, count=1, headers=headers))
    get(client, hub)
    (wait,) = gaps(arrivals(hub, INFO))
    assert 1.0 <= wait < 1.6, wait


def test_github_rate_limit_403_is_a_wait(hub: LoopbackHub, client: httpx2.Client) -> None:
    reset = str(int(time.time()) + 2)
    hub.inject(Fault("status", match=INFO, status=403, count=1,
                     headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}))
    answer = get(client, hub)
    assert answer.response.status_code == 200 and answer.attempts == 2
    (wait,) = gaps(arrivals(hub, INFO))
    assert wait >= 0.5, wait  # until the reset second, whatever fraction of it was left


def test_a_wait_beyond_the_deadline_gives_up_at_once(
    hub: LoopbackHub, client: httpx2.Client
) -> None:
    hub.inject(Fault("status", match=INFO, status=503, headers={"Retry-After": "30"}))
    start = time.monotonic()
    with pytest.raises(http.GaveUp) as caught:
        get(client, hub, deadline=http.Deadline(5))
    assert time.monotonic() - start < 1.0
    assert caught.value.deadline_hit and caught.value.attempts == 1


@pytest.mark.parametrize("kind", ["reset", "truncate"])
def test_resets_and_cut_bodies_are_retried(
    hub: LoopbackHub, client: httpx2.Client, kind: str
) -> None:
    hub.inject(Fault(kind, match=FILE_GLOB, count=1))
    answer = get(client, hub, FILE_GLOB)
    assert answer.attempts == 2 and answer.complete
    assert b"stand-in for the Apache License 2.0" in answer.response.content
    assert [r.fault for r in hub.requests] == [kind, None]


def test_a_slow_drip_is_stopped_by_the_deadline(hub: LoopbackHub, client: httpx2.Client) -> None:
    hub.inject(Fault("drip", match=FILE_GLOB, interval=0.05))
    start = time.monotonic()
    with pytest.raises(http.GaveUp) as caught:
        get(client, hub, FILE_GLOB, deadline=http.Deadline(1.0))
    elapsed = time.monotonic() - start
    assert caught.value.deadline_hit
    assert 1.0 <= elapsed < 1.5, elapsed


def test_a_hang_is_stopped_by_the_deadline(hub: LoopbackHub, client: httpx2.Client) -> None:
    hub.inject(Fault("hang", match=INFO))
    start = time.monotonic()
    with pytest.raises(http.GaveUp) as caught:
        get(client, hub, deadline=http.Deadline(1.0))
    assert caught.value.deadline_hit
    assert time.monotonic() - start < 1.5


def test_body_cut_at_max_bytes(hub: LoopbackHub, client: httpx2.Client) -> None:
    answer = get(client, hub, FILE_GLOB, max_bytes=10)
    assert not answer.complete and len(answer.response.content) == 10
    assert answer.length is not None and answer.length > 10


def test_on_retry_reports_each_wait(hub: LoopbackHub, client: httpx2.Client) -> None:
    hub.inject(Fault("status", match=INFO, status=502, count=2))
    seen: list[tuple[int, str]] = []
    get(client, hub, on_retry=lambda attempt, reason, wait: seen.append((attempt, reason)))
    assert seen == [(1, "HTTP 502"), (2, "HTTP 502")]


def test_the_gate_holds_back_other_threads(hub: LoopbackHub, client: httpx2.Client) -> None:
    gate = http.RateGate()
    other = "/api/models/acme/no-license"
    gate.hold_until(time.monotonic() + 0.8)  # as a 429 seen by another thread would
    start = time.monotonic()
    thread = threading.Thread(target=lambda: get(client, hub, other, gate=gate))
    thread.start()
    thread.join()
    assert time.monotonic() - start >= 0.8
    assert arrivals(hub, other)[0] >= start + 0.8


def _child_sees(shared: object, out: object) -> None:
    http.share_gate(shared)  # type: ignore[arg-type]
    out.value = http.process_gate().not_before()  # type: ignore[attr-defined]


def test_the_gate_is_shared_between_processes() -> None:
    ctx = multiprocessing.get_context("spawn")
    shared, seen = ctx.Value("d", 0.0), ctx.Value("d", 0.0)
    gate = http.RateGate(shared)
    until = time.monotonic() + 30
    gate.hold_until(until)
    gate.hold_until(until - 10)  # never earlier
    child = ctx.Process(target=_child_sees, args=(shared, seen))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert seen.value == pytest.approx(until)


def test_run_parallel_returns_at_the_deadline() -> None:
    release = threading.Event()
    start = time.monotonic()
    with pytest.raises(http.GaveUp):
        http.run_parallel([lambda: 1, release.wait], http.Deadline(0.3))
    assert time.monotonic() - start < 0.6
    release.set()
    assert http.run_parallel([lambda: 1, lambda: 2], http.Deadline(None)) == [1, 2]
    with pytest.raises(ZeroDivisionError):
        http.run_parallel([lambda: 1, lambda: 1 // 0], http.Deadline(5))


def test_server_hints() -> None:
    assert http.retry_after({"retry-after": "7"}) == 7
    assert http.retry_after({"retry-after": "soon"}) is None
    date = formatdate(1_000_030, usegmt=True)
    assert http.retry_after({"retry-after": date}, now=1_000_000) == pytest.approx(30)
    assert http.rate_limit_reset({"ratelimit": '"api";r=0;t=55'}) == 55
    assert http.rate_limit_reset({"ratelimit": '"api";r=3;t=55'}) is None
    assert http.rate_limit_reset({"ratelimit-remaining": "0", "ratelimit-reset": "9"}) == 9
    assert http.rate_limit_reset(
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000040"}, now=1_000_000) == 40
    assert http.is_retryable_status(503, {}) and not http.is_retryable_status(501, {})
    assert not http.is_retryable_status(403, {})


def test_policy_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWCHECK_HTTP_ATTEMPTS", "2")
    monkeypatch.setenv("OWCHECK_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("OWCHECK_HTTP_READ_TIMEOUT", "nonsense")
    policy = http.RetryPolicy.from_env()
    assert (policy.attempts, policy.backoff, policy.read_timeout) == (2, 0.01, 20.0)
    assert all(0.005 <= policy.backoff_wait(0) <= 0.01 for _ in range(50))
    assert all(policy.backoff_wait(30) <= policy.backoff_max for _ in range(50))
