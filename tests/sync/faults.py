"""An in-process fault proxy on 127.0.0.1 between the devices and a real HQ.

Each request is forwarded to HQ as it came; a fault armed for a kind of request fires
once, on its ``nth`` match: the connection cut before HQ sees the request or after HQ
answered it, the answer truncated, delayed past the client's timeout, replaced by a 500
(before or after HQ acted), the request sent to HQ twice, an older pulled page served
again, HQ killed while it works, or the client killed mid-push, mid-upload, mid-pull or
mid-apply (``on_kill_client``). Threads end with the proxy (``close``)."""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

KINDS = ("cut_before", "cut_after", "truncate", "delay", "error500_before",
         "error500_after", "duplicate", "reorder", "kill_server", "kill_client")
# What each kind may hit (method, path prefix).
TARGETS: dict[str, tuple[tuple[str, str], ...]] = {
    "reorder": (("GET", "/v1/pull"),),
    "kill_client": (("POST", "/v1/push"), ("PUT", "/v1/blobs"), ("GET", "/v1/pull")),
    "kill_server": (("POST", "/v1/push"), ("PUT", "/v1/blobs"), ("GET", "/v1/pull")),
}
# Requests every run makes (a run that uploads a file records one first).
DEFAULT_TARGETS = (("POST", "/v1/push"), ("GET", "/v1/pull"), ("PUT", "/v1/blobs"),
                   ("POST", "/v1/blobs/status"), ("GET", "/v1/checksums"))
DELAY_S = 1.4  # past the clients' timeout in the fault runs


@dataclass
class Fault:
    kind: str
    method: str
    path: str
    nth: int  # fire on this match (1: the first)
    seen: int = 0
    fired: bool = False

    def matches(self, method: str, path: str) -> bool:
        return not self.fired and method == self.method and path.startswith(self.path)


def plan(rng: random.Random, kind: str) -> Fault:
    method, path = rng.choice(TARGETS.get(kind, DEFAULT_TARGETS))
    # A file is uploaded once: its requests are hit the first time.
    return Fault(kind, method, path, nth=1 if "blobs" in path else rng.randint(1, 2))


@dataclass
class FaultProxy:
    upstream_port: int
    kill_server: Callable[[], None] = lambda: None
    on_kill_client: Callable[[], None] = lambda: None
    fault: Fault | None = None
    fired: dict[str, int] = field(default_factory=dict)
    pages: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> int:
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def arm(self, fault: Fault | None) -> None:
        with self.lock:
            self.fault = fault
            self.pages = []

    def take(self, method: str, path: str) -> Fault | None:
        """The fault to fire on this request, if it is the armed one's turn."""
        with self.lock:
            fault = self.fault
            if fault is None or not fault.matches(method, path):
                return None
            if fault.kind == "reorder" and not self.pages:
                return None  # nothing older to serve yet: wait for a later page
            fault.seen += 1
            if fault.seen < fault.nth:
                return None
            fault.fired = True
            self.fired[fault.kind] = self.fired.get(fault.kind, 0) + 1
            return fault


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = self.owner.take(self.command, self.path)
        kind = fault.kind if fault else ""
        if kind == "cut_before":
            self.close_connection = True
            return
        if kind == "error500_before":
            return self._answer(500, {"Content-Type": "text/plain"}, b"injected")
        if kind == "reorder":
            headers, stale = self.owner.pages[0]
            return self._answer(200, headers, stale)
        if kind == "kill_server":
            threading.Timer(random.uniform(0.0, 0.02), self.owner.kill_server).start()
        status, headers, data = self._forward(body)
        if kind == "duplicate":
            status, headers, data = self._forward(body)
        if self.command == "GET" and self.path.startswith("/v1/pull") and status == 200:
            with self.owner.lock:
                self.owner.pages.append((headers, data))
        if kind == "kill_client":
            self.owner.on_kill_client()
            self.close_connection = True
            return
        if kind == "cut_after":
            self.close_connection = True
            return
        if kind == "error500_after":
            return self._answer(500, {"Content-Type": "text/plain"}, b"injected")
        if kind == "delay":
            time.sleep(DELAY_S)
        if kind == "truncate":
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data[:max(1, len(data) // 2)])
            self.close_connection = True
            return
        self._answer(status, headers, data)

    do_GET = do_POST = do_PUT = _relay

    def _forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.owner.upstream_port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "connection", "content-length")}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            kept = {k: v for k, v in answer.getheaders()
                    if k.lower() not in ("connection", "transfer-encoding", "content-length",
                                         "date", "server")}
            return answer.status, kept, data
        except (OSError, http.client.HTTPException):
            self.close_connection = True
            return 502, {"Content-Type": "text/plain"}, b"upstream gone"
        finally:
            conn.close()

    def _answer(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:  # the client is gone (killed, or it timed out)
            self.close_connection = True
