"""A local HTTP server that replays recorded E-utilities replies, with faults.

Tests start it on 127.0.0.1 (a free port), point :class:`miner.pubmed.PubMedClient`
at :attr:`ReplayServer.url`, and script what it answers:

- ``route(request) -> Reply`` answers every request that has no fault queued;
- :meth:`ReplayServer.inject` queues faults for one endpoint (429 with
  ``Retry-After``, 500, a reply that arrives after the client's timeout, a body
  cut short), consumed one per request before the route answers again.

Every request is recorded (method, endpoint, merged query/form parameters).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Reply:
    """What the server sends.

    ``delay`` seconds pass before anything is sent (a timeout when longer than
    the client's); ``truncate_to`` sends only that many body bytes while
    declaring the full ``Content-Length``, then closes the connection.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate_to: int | None = None


@dataclass(frozen=True)
class Request:
    """A request as the server saw it."""

    method: str
    endpoint: str
    params: dict[str, str]


Route = Callable[[Request], Reply]


def not_found(request: Request) -> Reply:
    return Reply(404, f"no route for {request.endpoint}".encode())


class ReplayServer:
    """Threaded replay server; use as a context manager.

    Parameters
    ----------
    route:
        Answers requests that have no fault queued.
    """

    def __init__(self, route: Route = not_found) -> None:
        self.route = route
        self.requests: list[Request] = []
        self._faults: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                if self.command == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    form = self.rfile.read(length).decode()
                    params.update({k: v[-1] for k, v in parse_qs(form).items()})
                endpoint = parts.path.rsplit("/", 1)[-1]
                request = Request(self.command, endpoint, params)
                reply = server._next_reply(request)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/xml; charset=UTF-8")
                    self.send_header("Content-Length", str(len(body)))
                    if reply.truncate_to is not None:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    if reply.truncate_to is not None:
                        self.wfile.write(body[: reply.truncate_to])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up (timeout) before we answered.
                    self.close_connection = True

            do_GET = _handle
            do_POST = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # A short poll interval makes shutdown (each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL to give the client (``http://127.0.0.1:<port>/eutils``)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/eutils"

    def inject(self, endpoint: str, *replies: Reply) -> None:
        """Queue ``replies`` for the next requests to ``endpoint`` (e.g. ``"efetch.fcgi"``)."""
        with self._lock:
            self._faults[endpoint].extend(replies)

    def calls(self, endpoint: str) -> list[Request]:
        """Requests recorded for ``endpoint``."""
        with self._lock:
            return [r for r in self.requests if r.endpoint == endpoint]

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            queue = self._faults.get(request.endpoint)
            fault = queue.popleft() if queue else None
        return fault if fault is not None else self.route(request)

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
