"""One place for HTTP retries, deadlines and rate limits, for every source that uses the network.

Works with any ``httpx2.Client`` (the Hub source passes huggingface_hub's shared session, the
forge source its own client); this module imports neither huggingface_hub nor anything of
owcheck's pipeline.

Interface::

    from openweights.sources.http import Deadline, GaveUp, RetryPolicy, process_gate, send

    policy = RetryPolicy.from_env()     # attempts, backoff, timeouts (environment overrides)
    deadline = Deadline(60.0)           # the budget of one target, shared by all its requests
    answer = send(client, "GET", url, headers=headers, params=params, policy=policy,
                  deadline=deadline, gate=process_gate(), max_bytes=1 << 20)
    answer.response   # an httpx2.Response whose body is read (``.content``, ``.json()``)
    answer.complete   # False when the body was longer than ``max_bytes`` and cut there
    answer.attempts   # how many times the request was sent
    answer.length     # the full body size the server declared (Content-Length), if it did

``send`` returns the first answer that is not worth retrying: any 1xx-3xx, and any 4xx except
429 (the caller decides what a 404 or 403 means). It retries, with capped exponential backoff and
jitter, on 429 and 5xx (except 501 and 505, which never heal), on connection errors (refused,
reset), timeouts, protocol errors and bodies cut short (a closed connection before
``Content-Length`` bytes). GitHub's rate-limit 403 (``X-RateLimit-Remaining: 0``) counts as a 429.
It raises ``GaveUp`` when the attempts run out, when the deadline passes, or when a wait the
server asks for would not fit in what is left of the deadline (no point sleeping into a timeout).

Waits the server asks for are honoured: ``Retry-After`` (seconds or an HTTP date) on any answer,
and rate-limit headers saying nothing is left (the IETF draft's ``RateLimit: "api";r=0;t=55`` as
the Hub sends it, the older ``RateLimit-Remaining``/``RateLimit-Reset``, GitHub's
``X-RateLimit-Remaining``/``X-RateLimit-Reset``). Such a wait is recorded in the ``RateGate``,
which every request consults before it goes out: in one process ``process_gate()`` is shared by
all threads, and a batch makes it shared by all its worker processes (``share_gate``), so one
worker told to slow down slows them all (a 429 without a hint holds the gate for its backoff).

Deadlines: each attempt's connect and read timeouts are the policy's, cut to what is left of the
deadline, and the deadline is checked between chunks of a body, so a server that drips its
answer a byte at a time is stopped there too. ``run_parallel`` runs calls on daemon threads and
stops waiting at the deadline, so a caller is never held longer than its deadline even by a read
that is still blocked in the kernel.

Environment (for tests and unusual networks; defaults in brackets): ``OWCHECK_HTTP_ATTEMPTS``
[5], ``OWCHECK_HTTP_BACKOFF`` first wait in seconds [0.5], ``OWCHECK_HTTP_BACKOFF_MAX`` [8],
``OWCHECK_HTTP_CONNECT_TIMEOUT`` [10], ``OWCHECK_HTTP_READ_TIMEOUT`` [20].
"""

from __future__ import annotations

import math
import os
import queue
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, wait
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from openweights.patterns import lazy
from openweights.records import record

if TYPE_CHECKING:
    import httpx2

T = TypeVar("T")

NEVER_HEAL = frozenset({501, 505})
"""5xx statuses that are answers, not outages (not implemented, version not supported)."""


# --------------------------------------------------------------------------- policy, deadline


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if math.isfinite(value) and value >= 0 else default


@record
class RetryPolicy:
    """How hard to try: attempts, backoff and per-request timeouts."""

    attempts: int = 5
    """Times a request is sent at most (1 = never retried)."""
    backoff: float = 0.5
    """First wait between attempts, in seconds; it doubles on each retry."""
    backoff_max: float = 8.0
    """Cap of the doubling wait."""
    connect_timeout: float = 10.0
    """Seconds to open a connection (cut to what is left of the deadline)."""
    read_timeout: float = 20.0
    """Seconds without a byte from the server before an attempt fails (cut likewise)."""

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """The defaults, overridden by ``OWCHECK_HTTP_*`` variables (see the module docstring)."""
        base = cls()
        return cls(
            attempts=max(1, int(_env_float("OWCHECK_HTTP_ATTEMPTS", base.attempts))),
            backoff=_env_float("OWCHECK_HTTP_BACKOFF", base.backoff),
            backoff_max=_env_float("OWCHECK_HTTP_BACKOFF_MAX", base.backoff_max),
            connect_timeout=_env_float("OWCHECK_HTTP_CONNECT_TIMEOUT", base.connect_timeout),
            read_timeout=_env_float("OWCHECK_HTTP_READ_TIMEOUT", base.read_timeout),
        )

    def backoff_wait(self, retry: int) -> float:
        """Wait before retry number ``retry`` (0 first): "equal jitter", between d/2 and d for
        d = min(cap, backoff * 2**retry), so concurrent clients spread out but never hammer."""
        ceiling = min(self.backoff_max, self.backoff * 2.0 ** min(retry, 30))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


class Deadline:
    """A point in time (``time.monotonic``) after which a target's work is abandoned."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        """The budget as given (None: no deadline)."""
        self.at = math.inf if seconds is None else time.monotonic() + max(0.0, seconds)
        """The monotonic time it expires."""

    def remaining(self) -> float:
        """Seconds left (``inf`` without a deadline, 0 once passed)."""
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        """True once the deadline has passed."""
        return time.monotonic() >= self.at


class GaveUp(Exception):
    """A request failed for good: attempts exhausted, deadline passed, or a wait too long."""

    def __init__(self, reason: str, attempts: int, deadline_hit: bool = False,
                 status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        """What went wrong last, one line (``HTTP 503``, ``ReadTimeout``, ...)."""
        self.attempts = attempts
        """Times the request was sent."""
        self.deadline_hit = deadline_hit
        """True when the deadline (not the attempt count) ended it."""
        self.status = status
        """The last HTTP status, when there was an answer."""


# --------------------------------------------------------------------------- the rate gate


class _SharedDouble(Protocol):
    """A ``multiprocessing.Value("d")``: a float shared between processes, with a lock."""

    value: float

    def get_lock(self) -> Any: ...


class RateGate:
    """"Send nothing before time T": shared by threads, and by processes once given a shared
    value (``multiprocessing.Value("d", 0.0)``). Times are ``time.monotonic()``, which is one
    clock for every process of the machine on Linux, macOS and Windows."""

    def __init__(self, shared: _SharedDouble | None = None) -> None:
        self._shared = shared
        self._local = 0.0
        self._lock = threading.Lock()

    def not_before(self) -> float:
        """The monotonic time before which no request should go out."""
        if self._shared is not None:
            return float(self._shared.value)
        return self._local

    def hold_until(self, when: float) -> None:
        """Keep every request back until ``when`` (never moves the gate earlier)."""
        if self._shared is not None:
            with self._shared.get_lock():
                self._shared.value = max(float(self._shared.value), when)
            return
        with self._lock:
            self._local = max(self._local, when)

    def wait(self, deadline: Deadline, attempts: int) -> None:
        """Sleep until the gate opens; ``GaveUp`` when it opens after the deadline."""
        while True:
            pause = self.not_before() - time.monotonic()
            if pause <= 0:
                return
            if pause > deadline.remaining():
                raise GaveUp(f"rate limited for {pause:.0f} s more, beyond the deadline",
                             attempts, deadline_hit=True, status=429)
            time.sleep(pause)


_process_gate = RateGate()


def process_gate() -> RateGate:
    """The gate every request of this process consults (shared with a batch's other workers
    after ``share_gate``)."""
    return _process_gate


def share_gate(shared: _SharedDouble) -> None:
    """Make this process's gate the one in ``shared`` (a batch worker calls this at start)."""
    global _process_gate
    _process_gate = RateGate(shared)


# --------------------------------------------------------------------------- server hints


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta seconds or an HTTP date), or None.

    ``headers`` is an ``httpx2.Headers`` (case-insensitive) or a mapping with lower-case keys.
    """
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


_RATELIMIT = lazy(r"r\s*=\s*(\d+)\s*;\s*t\s*=\s*(\d+)")


def rate_limit_reset(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds until the rate limit resets, when the headers say no request is left; else None.

    Reads the IETF draft's ``RateLimit: "api";r=0;t=55`` (what the Hub sends), the older
    ``RateLimit-Remaining`` / ``RateLimit-Reset`` (seconds), and GitHub's
    ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` (a Unix time).
    """
    combined = headers.get("ratelimit")
    if combined:
        m = _RATELIMIT().search(combined)
        if m:
            return float(m.group(2)) if int(m.group(1)) == 0 else None
    if (headers.get("ratelimit-remaining") or "").strip() == "0":
        try:
            return max(0.0, float(headers.get("ratelimit-reset") or ""))
        except ValueError:
            return None
    if (headers.get("x-ratelimit-remaining") or "").strip() == "0":
        try:
            reset_at = float(headers.get("x-ratelimit-reset") or "")
        except ValueError:
            return None
        return max(0.0, reset_at - (time.time() if now is None else now))
    return None


def is_retryable_status(status: int, headers: Mapping[str, str]) -> bool:
    """429, 5xx except 501/505, and a 403 that is GitHub's way of saying "rate limited"."""
    if status == 429 or (500 <= status <= 599 and status not in NEVER_HEAL):
        return True
    return status == 403 and (headers.get("x-ratelimit-remaining") or "").strip() == "0"


# --------------------------------------------------------------------------- sending


@record
class Answer:
    """The answer ``send`` settled on."""

    response: httpx2.Response
    """Status, headers and the body read (``.content``; ``.json()``)."""
    complete: bool
    """False when the body was longer than ``max_bytes`` and only that much was kept."""
    attempts: int
    """Times the request was sent."""
    length: int | None = None
    """The whole body's size as the server declared it (``Content-Length``), when it did."""


class _Truncated(Exception):
    """The connection closed before the body was whole."""


def send(
    client: httpx2.Client,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str | Sequence[str]] | None = None,
    policy: RetryPolicy | None = None,
    deadline: Deadline | None = None,
    gate: RateGate | None = None,
    max_bytes: int | None = None,
    on_retry: Callable[[int, str, float], None] | None = None,
) -> Answer:
    """Send one request with retries; see the module docstring for what is retried and when.

    ``max_bytes`` bounds the body kept (the rest is not downloaded). ``on_retry(attempt, reason,
    wait)`` is called before each wait (for logs or progress). Raises ``GaveUp``; exceptions that
    are not network trouble (an invalid URL, offline mode in the client's hook) propagate.
    """
    import httpx2

    policy = policy or RetryPolicy.from_env()
    deadline = deadline or Deadline(None)
    gate = gate or process_gate()
    retryable_errors = (httpx2.TimeoutException, httpx2.NetworkError,
                        httpx2.RemoteProtocolError, httpx2.DecodingError, _Truncated)
    attempt = 0
    while True:
        gate.wait(deadline, attempt)
        left = deadline.remaining()
        if left <= 0:
            raise GaveUp("deadline passed", attempt, deadline_hit=True)
        attempt += 1
        timeout = httpx2.Timeout(
            connect=min(policy.connect_timeout, left), read=min(policy.read_timeout, left),
            write=min(policy.read_timeout, left), pool=left if math.isfinite(left) else None,
        )
        hint: float | None = None
        status: int | None = None
        try:
            request = client.build_request(method, url, headers=headers, params=params,
                                           timeout=timeout)
            response = client.send(request, stream=True)
            try:
                status = response.status_code
                reset = rate_limit_reset(response.headers)
                if reset is not None:
                    gate.hold_until(time.monotonic() + reset)
                if is_retryable_status(status, response.headers):
                    hint = retry_after(response.headers)
                    if hint is None:
                        hint = reset
                    if hint is not None:
                        gate.hold_until(time.monotonic() + hint)
                    reason = f"HTTP {status}"
                else:
                    body, complete = _read_body(response, deadline, max_bytes, attempt)
                    declared = response.headers.get("content-length") or ""
                    length = (int(declared) if declared.isdigit()
                              and "content-encoding" not in response.headers else None)
                    return Answer(_settled(response, body), complete, attempt, length)
            finally:
                response.close()
        except retryable_errors as exc:
            if deadline.expired():
                raise GaveUp(f"deadline passed ({type(exc).__name__})", attempt,
                             deadline_hit=True) from None
            reason = str(exc) if isinstance(exc, _Truncated) else type(exc).__name__
        if attempt >= policy.attempts:
            raise GaveUp(reason, attempt, status=status)
        pause = policy.backoff_wait(attempt - 1)
        if hint is not None:
            # The server said how long; a little jitter keeps many workers from waking at once.
            pause = hint + random.uniform(0, min(1.0, 0.1 * hint))
        elif status == 429:
            gate.hold_until(time.monotonic() + pause)  # slow down everyone, not only this one
        if pause >= deadline.remaining():
            raise GaveUp(f"{reason}; the next try would be after the deadline", attempt,
                         deadline_hit=True, status=status)
        if on_retry is not None:
            on_retry(attempt, reason, pause)
        time.sleep(pause)


def _read_body(
    response: httpx2.Response, deadline: Deadline, max_bytes: int | None, attempt: int
) -> tuple[bytes, bool]:
    """The body, at most ``max_bytes`` (then not complete); checks the deadline per chunk."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            return b"".join(chunks)[:max_bytes], False
        if deadline.expired():
            raise GaveUp(f"deadline passed while reading the body ({size} bytes so far)",
                         attempt, deadline_hit=True, status=response.status_code)
    expected = response.headers.get("content-length")
    if (
        expected and expected.isdigit() and "content-encoding" not in response.headers
        and response.request.method != "HEAD" and response.num_bytes_downloaded != int(expected)
    ):
        raise _Truncated(f"body cut short ({response.num_bytes_downloaded} of {expected} bytes)")
    return b"".join(chunks), True


def _settled(response: httpx2.Response, body: bytes) -> httpx2.Response:
    """A copy of ``response`` holding ``body`` as its (already decoded) content."""
    import httpx2

    headers = [(k, v) for k, v in response.headers.multi_items()
               if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
    settled = httpx2.Response(response.status_code, headers=headers, content=body,
                              request=response.request, history=response.history)
    settled.read()
    return settled


# --------------------------------------------------------------------------- parallel calls


class _DaemonPool:
    """Threads that never hold the interpreter open (a blocked read cannot delay exit)."""

    def __init__(self) -> None:
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]]] = (
            queue.SimpleQueue())
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0

    def submit(self, call: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._idle == 0:
                self._threads += 1
                threading.Thread(target=self._work, daemon=True,
                                 name=f"owcheck-http-{self._threads}").start()
            else:
                self._idle -= 1
        self._tasks.put((future, call))
        return future

    def _work(self) -> None:
        while True:
            future, call = self._tasks.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(call())
                except BaseException as exc:  # handed to the waiting caller
                    future.set_exception(exc)
            del future, call
            with self._lock:
                self._idle += 1


_pool = _DaemonPool()


def run_parallel(calls: Sequence[Callable[[], T]], deadline: Deadline) -> list[T]:
    """Run ``calls`` at once and return their results in order.

    The first exception any call raises is raised here (the others still finish on their own).
    When the deadline passes first, ``GaveUp`` is raised at once; calls still running are left to
    end by their own timeouts, on daemon threads.
    """
    if not calls:
        return []
    futures = [_pool.submit(call) for call in calls]
    left = deadline.remaining()
    done, pending = wait(futures, timeout=None if math.isinf(left) else left,
                         return_when=FIRST_EXCEPTION)
    for future in futures:
        error = future.exception() if future in done else None
        if error is not None:
            raise error
    if pending:
        raise GaveUp("deadline passed", 0, deadline_hit=True)
    return [future.result() for future in futures]
