"""What the loopback Hub (tests/hub/server.py) and the loopback forge (tests/forge/server.py)
share: an HTTP/1.1 server on 127.0.0.1 in a daemon thread that knows its open connections, so
that stopping it (or ``go_away``, a service that vanishes mid-run) closes them all, and the
foreground loop of their ``python -m`` entry points."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

_Self = TypeVar("_Self", bound="LoopbackServer")


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops connections when a batch opens dozens at once
    # (the client then waits a second for the SYN retry); a real service never does that.
    request_queue_size = 1024
    daemon_threads = True


class TrackingHandler(BaseHTTPRequestHandler):
    """A request handler that tells its server about each connection it opens and closes."""

    protocol_version = "HTTP/1.1"
    owner: LoopbackServer

    def setup(self) -> None:
        super().setup()
        self.owner._track(self.connection, True)

    def finish(self) -> None:
        self.owner._track(self.connection, False)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class LoopbackServer:
    """A ThreadingHTTPServer on ``host:port`` (0: any free port) in a daemon thread, serving
    with ``handler`` bound to this server (as its ``owner``)."""

    def __init__(self, handler: type[TrackingHandler], host: str, port: int) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        bound = type(handler.__name__, (handler,), {"owner": self})
        self._server = _Server((host, port), bound)
        # A short poll interval: stopping the server (every test does) waits for one poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._running = False

    @property
    def base_url(self) -> str:
        """``http://host:port``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self: _Self) -> _Self:
        """Start serving (idempotent)."""
        if not self._running:
            self._thread.start()
            self._running = True
        return self

    def stop(self) -> None:
        """Stop serving and close every connection."""
        self.go_away()

    def go_away(self) -> None:
        """Close the listening socket and every open connection: clients get connection errors."""
        self._stopping.set()
        if self._running:
            self._server.shutdown()
            self._running = False
        self._server.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)

    def __enter__(self: _Self) -> _Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _track(self, conn: socket.socket, alive: bool) -> None:
        with self._lock:
            if alive:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


def serve_until_interrupted(
    server: LoopbackServer, requests: Callable[[], Sequence[Any]], show_log: bool
) -> None:
    """Serve in the foreground until Ctrl-C, printing each new request of ``requests()`` (each
    with ``status``, ``method``, ``path`` and ``query``) when ``show_log``; then stop."""
    print("\nCtrl-C to stop.", flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.2)
            if show_log:
                log = requests()
                for r in log[seen:]:
                    print(f"{r.status} {r.method} {r.path}{'?' + r.query if r.query else ''}",
                          flush=True)
                seen = len(log)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
