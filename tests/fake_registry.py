"""A real HTTP server answering like 天眼查's `ic/baseinfo/normal`, with scripted behaviours per request.

    with serve_registry() as registry:
        registry.enqueue(Answer({...}), Status(503), Slow(3.0))
        EnterpriseRegistry(base_url=registry.base_url, token="t").lookup("某公司")
        registry.requests[0]  # {"path": ..., "keyword": ..., "authorization": ...}

Each request takes the next queued behaviour (an empty queue answers "no data").
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Answer:
    """A 200 with this JSON body."""

    body: dict[str, Any]


@dataclass(frozen=True)
class Status:
    """An HTTP error status."""

    code: int


@dataclass(frozen=True)
class Slow:
    """Wait `seconds` before answering (longer than the client's timeout)."""

    seconds: float


def company(name: str, section: str, division: str, industry: str, city: str = "", district: str = "") -> Answer:
    """A good answer for one company, in 天眼查's shape."""
    return Answer({"error_code": 0, "reason": "ok", "result": {
        "name": name, "industry": industry, "city": city, "district": district, "regStatus": "存续",
        "industryAll": {"categoryCodeFirst": section, "categoryCodeSecond": division, "category": "", "categoryBig": industry},
    }})  # fmt: skip


NO_DATA = Answer({"error_code": 300000, "reason": "经查无结果", "result": None})
QUOTA = Answer({"error_code": 300007, "reason": "剩余次数不足", "result": None})


class FakeRegistry:
    def __init__(self) -> None:
        self.queue: deque[object] = deque()
        self.requests: list[dict[str, str]] = []
        self.base_url = ""

    def enqueue(self, *behaviours: object) -> None:
        self.queue.extend(behaviours)

    def reset(self) -> None:
        self.queue.clear()
        self.requests.clear()


def _handler(fake: FakeRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            fake.requests.append({"path": url.path, "keyword": query.get("keyword", [""])[0],
                                  "authorization": self.headers.get("Authorization", "")})  # fmt: skip
            behaviour = fake.queue.popleft() if fake.queue else NO_DATA
            if isinstance(behaviour, Slow):
                time.sleep(behaviour.seconds)
                behaviour = NO_DATA
            if isinstance(behaviour, Status):
                self.send_response(behaviour.code)
                self.end_headers()
                self.wfile.write(b"error")
                return
            assert isinstance(behaviour, Answer)
            body = json.dumps(behaviour.body, ensure_ascii=False).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left (Slow)

        def log_message(self, *args: object) -> None:  # quiet
            pass

    return Handler


@contextmanager
def serve_registry() -> Iterator[FakeRegistry]:
    fake = FakeRegistry()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/services/open"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
