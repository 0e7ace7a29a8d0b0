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
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

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


async def _attempt(client: httpx.AsyncClient, url: str, body: dict[str, Any], chat: Chat) -> tuple[str, str | None]:
    """One POST: ("done", conversation), ("busy", None), ("lost", conversation) or ("error", message)."""
    started = time.perf_counter()
    event, conversation = "", body.get("conversation_id")
    async with client.stream("POST", url, json=body, headers={"Accept": "text/event-stream"}) as response:
        if response.status_code == 409:
            await response.aread()
            return "busy", None
        if response.status_code in (502, 503, 504):  # the load balancer lost the replica before the reply began
            await response.aread()
            return "lost", conversation
        if response.status_code != 200:
            return "error", f"HTTP {response.status_code}"
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
                elapsed = (time.perf_counter() - started) * 1000
                if chat.first_ms is None:
                    chat.first_ms = elapsed
                if event != "meta" and chat.content_ms is None:
                    chat.content_ms = elapsed
                if event == "done":
                    chat.full_ms = elapsed
            elif line.startswith("data:") and event == "meta":
                conversation = json.loads(line[5:])["conversation_id"]
            elif line.startswith("data:") and event == "error":
                return "error", "error event"
            elif line.startswith("data:") and event == "done":
                return "done", conversation
    return "lost", conversation


async def chat_once(client: httpx.AsyncClient, url: str, message: str, conversation: str | None, kind: str,
                    samples: Samples) -> str | None:  # fmt: skip
    """One chat, retried until `done` or RETRY_SECONDS; returns its conversation when it succeeded."""
    chat = Chat(kind=kind)
    samples.chats.append(chat)
    give_up = time.monotonic() + RETRY_SECONDS
    while True:
        chat.first_ms = chat.content_ms = chat.full_ms = None  # the attempt that succeeds is the one measured
        try:
            outcome, detail = await _attempt(client, url, {"message": message, "conversation_id": conversation}, chat)
        except httpx.HTTPError as exc:
            outcome, detail = "lost", type(exc).__name__
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


async def _user(url: str, messages: dict[str, list[str]], stop: float, rng: random.Random, samples: Samples) -> None:
    """One person: their own client, so their own anonymous-visitor cookie (their conversations are theirs)."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(120, connect=10)) as client:
        while time.monotonic() < stop:
            kind = rng.choice(("names", "questions"))
            conversation = await chat_once(client, url, rng.choice(messages[kind]), None, kind, samples)
            if conversation and rng.random() < FOLLOW_UP_SHARE and time.monotonic() < stop:
                await chat_once(client, url, rng.choice(messages["follow_ups"]), conversation, "follow_up", samples)


async def run_users(base: str, messages: dict[str, list[str]], *, users: int, seconds: float, seed: int = 7) -> Samples:
    """`users` concurrent chatters against `base` for `seconds` (chats under way at the end finish)."""
    samples = Samples()
    samples.started = time.time()
    stop = time.monotonic() + seconds
    rng = random.Random(seed)
    await asyncio.gather(*(_user(f"{base}/api/chat", messages, stop, random.Random(rng.random()), samples)
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
