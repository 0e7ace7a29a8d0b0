"""A real OpenAI-compatible HTTP server with scripted replies, for testing the LLM path.

Like `MockModel.enqueue` in simonw/llm, each request to `/v1/chat/completions`
takes the next queued behaviour; the server is real (uvicorn in a thread, on a
free port), so the `openai` client, httpx and LangChain run unpatched.

    fake_llm.enqueue(Reply("网络运营者应当留存网络日志不少于六个月[1]。"))
    fake_llm.enqueue(Fail(429, retry_after=2), Reply("……", delay=3.0), Broken("……", after=2))
    ...
    fake_llm.requests[0]["messages"]  # what the client sent
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

MODEL = "fake-model"


@dataclass(frozen=True)
class Reply:
    """A normal answer: `text`, streamed in pieces of `chunk_size` characters.

    `delay` waits before the response starts (a slow server: triggers the client
    timeout); `chunk_delay` waits between streamed pieces.
    """

    text: str
    chunk_size: int = 7
    delay: float = 0.0
    chunk_delay: float = 0.0


@dataclass(frozen=True)
class Fail:
    """An HTTP error response, e.g. 429 with Retry-After or 503."""

    status: int = 429
    retry_after: int | None = None
    message: str = "rate limited"


@dataclass(frozen=True)
class Broken:
    """A stream that breaks after `after` pieces of `text`: a malformed chunk or a dropped connection.

    Without streaming, the body is cut off in the middle of the JSON.
    """

    text: str
    after: int = 2
    how: Literal["malformed", "drop"] = "malformed"
    chunk_size: int = 7


Behaviour = Reply | Fail | Broken


class _DroppedConnection(Exception):
    """Raised inside a streaming body: uvicorn aborts the connection mid-response."""


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _chunk(content: str | None, finish: str | None = None) -> str:
    delta = {} if content is None else {"role": "assistant", "content": content}
    payload = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class FakeLLM:
    """Queue of scripted behaviours plus the requests received; `app` serves them."""

    def __init__(self) -> None:
        self.queue: deque[Behaviour] = deque()
        self.requests: list[dict[str, Any]] = []
        self.streams: list[dict[str, Any]] = []  # per streamed reply: pieces sent, whether it reached the end
        self.base_url = ""  # set once the server runs: http://127.0.0.1:<port>/v1
        self.closing = False
        self.app = self._build_app()

    def enqueue(self, *behaviours: Behaviour) -> None:
        self.queue.extend(behaviours)

    def reset(self) -> None:
        self.queue.clear()
        self.requests.clear()
        self.streams.clear()

    def prompt(self, index: int = -1) -> str:
        """All message contents of one received request, joined."""
        return "\n".join(str(m.get("content", "")) for m in self.requests[index]["messages"])

    async def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.closing and time.monotonic() < deadline:
            await asyncio.sleep(min(0.05, seconds))

    def _build_app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        def models() -> dict[str, Any]:
            return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "tests"}]}

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> Response:
            body = await request.json()
            self.requests.append(body)
            if not self.queue:
                return JSONResponse({"error": {"message": "no scripted reply queued"}}, status_code=500)
            behaviour = self.queue.popleft()
            stream = bool(body.get("stream"))
            match behaviour:
                case Fail(status=status, retry_after=retry_after, message=message):
                    headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
                    return JSONResponse(
                        {"error": {"message": message, "type": "fake_error", "code": status}},
                        status_code=status,
                        headers=headers,
                    )
                case Reply(text=text, delay=delay):
                    await self._sleep(delay)
                    if not stream:
                        return JSONResponse(_completion(text))
                    return StreamingResponse(self._stream(behaviour), media_type="text/event-stream")
                case Broken(text=text):
                    if not stream:
                        cut = json.dumps(_completion(text), ensure_ascii=False)
                        return Response(cut[: len(cut) // 2], media_type="application/json")
                    return StreamingResponse(self._broken(behaviour), media_type="text/event-stream")
            raise AssertionError(behaviour)

        return app

    async def _stream(self, reply: Reply) -> AsyncIterator[str]:
        record = {"sent": 0, "pieces": len(_pieces(reply.text, reply.chunk_size)), "finished": False}
        self.streams.append(record)
        for piece in _pieces(reply.text, reply.chunk_size):
            yield _chunk(piece)
            record["sent"] += 1
            await self._sleep(reply.chunk_delay)
        yield _chunk(None, "stop")
        yield "data: [DONE]\n\n"
        record["finished"] = True

    async def _broken(self, broken: Broken) -> AsyncIterator[str]:
        for piece in _pieces(broken.text, broken.chunk_size)[: broken.after]:
            yield _chunk(piece)
            await asyncio.sleep(0.01)
        if broken.how == "drop":
            raise _DroppedConnection("dropping the connection mid-stream")
        yield 'data: {"id": "chatcmpl-fake", "choices": [{"delta": {"content": "断\n\n'
        yield "data: [DONE]\n\n"


class _Server(uvicorn.Server):
    """uvicorn in a background thread, as httpx's TestServer."""

    @contextmanager
    def run_in_thread(self) -> Iterator[None]:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 10
            while not self.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError("fake LLM server did not start")
                time.sleep(0.01)
            yield
        finally:
            self.should_exit = True
            thread.join(timeout=10)


@contextmanager
def serve(fake: FakeLLM, port: int) -> Iterator[FakeLLM]:
    config = uvicorn.Config(
        fake.app, host="127.0.0.1", port=port, log_level="critical", access_log=False, timeout_graceful_shutdown=2
    )
    fake.base_url = f"http://127.0.0.1:{port}/v1"
    with _Server(config).run_in_thread():
        try:
            yield fake
        finally:
            fake.closing = True  # end scripted sleeps so the server can stop
