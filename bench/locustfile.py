"""Locust load test: concurrent streaming chats against `POST /api/chat`.

Runs in its own venv (bench/.cache/locust-venv), so it imports nothing from the
project. `python -m bench load` starts a server and runs this file; by hand:

    TOP_LOAD_MESSAGES=messages.json locust -f bench/locustfile.py --headless \
        -u 50 -r 50 -t 60s --host http://127.0.0.1:8000

TOP_LOAD_MESSAGES names a JSON file `{"names": [...], "questions": [...], "follow_ups": [...]}`.
TOP_LOAD_SAMPLES (optional) names a JSON file written at the end with every chat's
raw timings, reply mode and error, so percentiles need no histogram rounding.

Each simulated user is one person chatting without pause: a customer name or a
question (chosen at random), and now and then a follow-up in the same
conversation. Custom metrics are recorded next to the HTTP request itself:
"first event" (request sent → the first `event:` line, `meta`), "first content"
(→ the first event after `meta`: the profile, or the sources of an answer) and
"full answer" (→ the `done` event). A chat fails when the status is not 200, an
`error` event arrives, or the stream ends without `done`.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from typing import Any

from locust import HttpUser, constant, events, task

FOLLOW_UP_SHARE = 0.2
_path = os.environ.get("TOP_LOAD_MESSAGES")
if not _path:
    raise SystemExit("TOP_LOAD_MESSAGES must name a JSON file of messages (see bench/locustfile.py)")
with open(_path, encoding="utf-8") as _handle:
    MESSAGES: dict[str, list[str]] = json.load(_handle)

SAMPLES: list[dict[str, Any]] = []
WINDOW: dict[str, float] = {}


@events.test_start.add_listener
def _started(**_: Any) -> None:
    WINDOW["start"] = time.time()


@events.test_stop.add_listener
def _stopped(**_: Any) -> None:
    WINDOW["stop"] = time.time()
    out = os.environ.get("TOP_LOAD_SAMPLES")
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            json.dump({"window": WINDOW, "chats": SAMPLES}, handle, ensure_ascii=False)


class ChatUser(HttpUser):
    """One concurrent chat: the next message goes out as soon as the last reply is done."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.rng = random.Random()

    @task
    def chat(self) -> None:
        kind = self.rng.choice(("names", "questions"))
        conversation = self._chat(self.rng.choice(MESSAGES[kind]), None, kind)
        if conversation and self.rng.random() < FOLLOW_UP_SHARE:
            self._chat(self.rng.choice(MESSAGES["follow_ups"]), conversation, "follow_up")

    def _chat(self, message: str, conversation_id: str | None, kind: str) -> str | None:
        """One streamed reply; returns its conversation id when it succeeded."""
        body = {"message": message, "conversation_id": conversation_id}
        headers = {"Accept": "text/event-stream"}
        started = time.perf_counter()
        first: float | None = None
        content: float | None = None
        event = ""
        mode = writer = error = None
        conversation = None
        done = False
        length = 0
        try:
            with self.client.post(
                "/api/chat", json=body, headers=headers, stream=True, catch_response=True, name="POST /api/chat"
            ) as response:
                if response.status_code != 200:
                    error = f"HTTP {response.status_code}"
                    response.failure(error)
                else:
                    # chunk_size=None: hand over each chunk as it arrives (no waiting for a full buffer)
                    for raw in response.iter_lines(chunk_size=None):
                        line = raw.decode("utf-8")
                        length += len(raw)
                        if line.startswith("event:"):
                            now = time.perf_counter()
                            first = first or now
                            event = line[6:].strip()
                            if event != "meta" and content is None:
                                content = now
                        elif line.startswith("data:"):
                            data = json.loads(line[5:])
                            if event == "meta":
                                conversation = data["conversation_id"]
                            elif event == "done":
                                done, mode, writer = True, data.get("mode"), data.get("writer")
                            elif event == "error":
                                error = f"error event: {data.get('message')}"
                    if not done and error is None:
                        error = "stream ended without done"
                    if error:
                        response.failure(error)
                    else:
                        response.success()
        except Exception as exc:  # connection refused/reset: a failed chat, not a crashed user
            error = f"{type(exc).__name__}: {exc}"
        finished = time.perf_counter()
        first_ms = (first - started) * 1000 if first else None
        content_ms = (content - started) * 1000 if content else None
        full_ms = (finished - started) * 1000
        failure = RuntimeError(error) if error else None
        events.request.fire(
            request_type="SSE", name="first event", response_time=first_ms if first_ms is not None else full_ms,
            response_length=0, exception=None if first_ms is not None else failure, context={},
        )
        if content_ms is not None:
            events.request.fire(
                request_type="SSE", name="first content", response_time=content_ms,
                response_length=0, exception=None, context={},
            )
        events.request.fire(
            request_type="SSE", name="full answer", response_time=full_ms,
            response_length=length, exception=failure, context={},
        )
        SAMPLES.append({
            "kind": kind, "first_ms": first_ms, "content_ms": content_ms, "full_ms": full_ms, "mode": mode, "writer": writer,
            "error": error, "at": time.time(),
        })  # fmt: skip
        return conversation if error is None else None


@events.quitting.add_listener
def _summary(environment: Any, **_: Any) -> None:
    errors = Counter(s["error"] for s in SAMPLES if s["error"])
    if errors:
        print("chat errors:", dict(errors))
