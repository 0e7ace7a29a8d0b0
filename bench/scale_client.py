"""The scale bench's load client: N streaming chat users on one asyncio loop (httpx), retrying a lost stream.

Each user chats without pause: a customer name or a question, and now and then a follow-up in the same
conversation (bench/load.py's messages). Per chat: first event (`meta`), first *content* (the first event
after `meta`: the profile, or an answer's sources) and the full answer (`done`). A stream that breaks (a
replica killed under it: connection reset, or the stream ends without `done`) is sent again, through the
load balancer, to whichever replica answers; a follow-up whose conversation is still held by the dead
replica's reply is refused with 409 until that reply's lease runs out, and is sent again after a pause.
A chat fails when it has no `done` after `RETRY_SECONDS` of retries, or on any other status or an
`error` event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.common import percentile

FOLLOW_UP_SHARE = 0.2
RETRY_SECONDS = 60.0  # a follow-up may wait for the lease (15 s) of a reply a killed replica left pending
BUSY_PAUSE = 2.0


@dataclass
class Chat:
    kind: str
    first_ms: float | None = None
    content_ms: float | None = None
    full_ms: float | None = None
    error: str | None = None
    retries: int = 0
    busy: int = 0


@dataclass
class Samples:
    chats: list[Chat] = field(default_factory=list)
    started: float = 0.0
    stopped: float = 0.0


class Lost(Exception):
    """The connection broke or the stream ended without `done`."""


class Connection:
    """HTTP/1.1 for one person, with their cookies (their anonymous-visitor cookie makes their conversations
    theirs), a new connection per chat: 50 kept-alive connections would stay with the worker that accepted
    them for the whole run, and an uneven split (35 : 15) leaves one worker idle while the other queues;
    new connections go to whichever worker accepts first, as a crowd of browsers would. Deliberately lean: the client shares the machine's two cores with the
    servers it measures, and httpx's line-by-line reading cost 2.5 ms of CPU per answer (a quarter of a core
    at 100 answers/s) against ~0.3 ms here; the stream is scanned for `event:` lines, not parsed."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def _streams(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is not None and self.writer is not None:
            return self.reader, self.writer
        reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), 10)
        self.reader, self.writer = reader, writer
        return reader, writer

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, asyncio.StreamReader, dict[str, str]]:
        reader, writer = await self._streams()
        payload = json.dumps(body, ensure_ascii=False).encode()
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: text/event-stream\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n")  # fmt: skip
        writer.write(head.encode() + payload)
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
            elif name:
                headers[name.lower()] = value.strip()
        return status, reader, headers

    async def body(self, reader: asyncio.StreamReader, headers: dict[str, str]) -> AsyncIterator[bytes]:
        """The response body as it arrives (chunked or with a length); the connection is closed after a
        response that asks for it."""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                yield (await reader.readexactly(size + 2))[:-2]
        else:
            length = int(headers.get("content-length", "0"))
            if length:
                yield await reader.readexactly(length)
        if headers.get("connection", "").lower() == "close":
            await self.close()


async def _attempt(connection: Connection, body: dict[str, Any], chat: Chat) -> tuple[str, str | None]:
    """One POST: ("done", conversation), ("busy", None), ("lost", conversation) or ("error", message)."""
    started = time.perf_counter()
    conversation = body.get("conversation_id")
    status, reader, headers = await connection.post("/api/chat", body)
    if status != 200:
        async for _ in connection.body(reader, headers):
            pass
        if status == 409:
            return "busy", None
        if status in (502, 503, 504):  # the load balancer lost the replica before the reply began
            return "lost", conversation
        return "error", f"HTTP {status}"
    buffer, scanned, outcome = b"\n", 0, ("lost", conversation)  # events are found at line starts
    async for piece in connection.body(reader, headers):
        buffer += piece
        while (at := buffer.find(b"\nevent:", scanned)) >= 0 and (end := buffer.find(b"\n", at + 1)) >= 0:
            event = buffer[at + 7 : end].strip()
            scanned = end
            elapsed = (time.perf_counter() - started) * 1000
            if chat.first_ms is None:
                chat.first_ms = elapsed
            if event != b"meta" and chat.content_ms is None:
                chat.content_ms = elapsed
            if event == b"meta" and (data := buffer.find(b"data:", end)) >= 0 and (stop := buffer.find(b"\n", data)) >= 0:
                conversation = json.loads(buffer[data + 5 : stop])["conversation_id"]
            elif event == b"meta":
                scanned = at  # its data has not arrived yet: look at this event again with the next piece
                break
            elif event == b"error":
                outcome = ("error", "error event")
            elif event == b"done":
                chat.full_ms = elapsed
                outcome = ("done", conversation)
    return outcome


async def chat_once(connection: Connection, message: str, conversation: str | None, kind: str,
                    samples: Samples) -> str | None:  # fmt: skip
    """One chat, retried until `done` or RETRY_SECONDS; returns its conversation when it succeeded."""
    chat = Chat(kind=kind)
    samples.chats.append(chat)
    give_up = time.monotonic() + RETRY_SECONDS
    while True:
        chat.first_ms = chat.content_ms = chat.full_ms = None  # the attempt that succeeds is the one measured
        try:
            outcome, detail = await _attempt(connection, {"message": message, "conversation_id": conversation}, chat)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            outcome, detail = "lost", type(exc).__name__
        if outcome == "lost":
            await connection.close()  # a broken connection is not used again
        if outcome == "done":
            return detail
        if outcome == "error":
            chat.error = detail
            return None
        if time.monotonic() > give_up:
            chat.error = f"no answer after {RETRY_SECONDS:.0f} s of retries ({outcome})"
            return None
        if outcome == "busy":
            chat.busy += 1
            await asyncio.sleep(BUSY_PAUSE)
        else:
            chat.retries += 1
            await asyncio.sleep(0.2)


async def _user(base: str, messages: dict[str, list[str]], stop: float, rng: random.Random, samples: Samples) -> None:
    """One person: their own connection and cookies (their conversations are theirs)."""
    connection = Connection(base)
    try:
        while time.monotonic() < stop:
            kind = rng.choice(("names", "questions"))
            conversation = await chat_once(connection, rng.choice(messages[kind]), None, kind, samples)
            if conversation and rng.random() < FOLLOW_UP_SHARE and time.monotonic() < stop:
                await chat_once(connection, rng.choice(messages["follow_ups"]), conversation, "follow_up", samples)
    finally:
        await connection.close()


async def run_users(base: str, messages: dict[str, list[str]], *, users: int, seconds: float, seed: int = 7) -> Samples:
    """`users` concurrent chatters against `base` for `seconds` (chats under way at the end finish)."""
    samples = Samples()
    samples.started = time.time()
    stop = time.monotonic() + seconds
    rng = random.Random(seed)
    await asyncio.gather(*(_user(base, messages, stop, random.Random(rng.random()), samples)
                           for _ in range(users)))  # fmt: skip
    samples.stopped = time.time()
    return samples


def summary(samples: Samples) -> dict[str, Any]:
    duration = samples.stopped - samples.started
    ok = [c for c in samples.chats if c.error is None and c.full_ms is not None]
    failed = [c for c in samples.chats if c.error is not None]
    return {
        "duration_s": round(duration, 1),
        "chats": len(samples.chats),
        "answers": len(ok),
        "answers_per_s": round(len(ok) / duration, 2) if duration else 0.0,
        "errors": len(failed),
        "error_kinds": dict(Counter(c.error for c in failed).most_common(5)),
        "retried_streams": sum(c.retries for c in samples.chats),
        "busy_refusals": sum(c.busy for c in samples.chats),
        "first_event_p95_ms": round(percentile([c.first_ms for c in ok if c.first_ms is not None], 95), 1),
        "first_content_p50_ms": round(percentile([c.content_ms for c in ok if c.content_ms is not None], 50), 1),
        "first_content_p95_ms": round(percentile([c.content_ms for c in ok if c.content_ms is not None], 95), 1),
        "full_p95_ms": round(percentile([c.full_ms for c in ok if c.full_ms is not None], 95), 1),
    }
