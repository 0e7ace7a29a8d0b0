"""Index changes announced over Redis pub/sub, so other replicas catch up at once instead of at their next poll.

With TOP_REDIS_URL, every write to the keyword index (ingest, publish, retire, delete, in any replica or
the CLI) publishes `<origin> <generation>` on one channel once it is committed (and recorded in the change
feed). Each replica runs a daemon thread subscribed to that channel; on another origin's message it calls
its `catch_up` (the keyword copy follows the feed; an embedded Chroma reopens when the generation moved).

Polling stays: the feed is still followed at most every second before a read, and the generation still
decides when Chroma reopens. A Redis outage only loses the shortcut: `announce` logs and returns, the
listener logs, waits and subscribes again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)
CHANNEL = "top:index-changes"
RETRY_SECONDS = 1.0


class IndexChanges:
    def __init__(self, client: redis.Redis, catch_up: Callable[[], object], *, channel: str = CHANNEL) -> None:
        self.client = client
        self.catch_up = catch_up
        self.channel = channel
        self.origin = uuid.uuid4().hex  # this process's own announcements need no catching up
        self.received = 0  # announcements of others acted upon (for tests and operators)
        self._stop = threading.Event()
        self.subscribed = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="index-changes", daemon=True)

    def start(self, *, wait: float = 0.0) -> None:
        """Start listening; `wait` seconds at most for the subscription (tests), never an error."""
        self._thread.start()
        if wait:
            self.subscribed.wait(wait)

    def announce(self, generation: int) -> None:
        try:
            self.client.publish(self.channel, f"{self.origin} {generation}")
        except redis.RedisError as exc:
            log.warning("index change not announced over Redis (replicas catch up by polling): %s", exc)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)

    def _listen(self) -> None:
        while not self._stop.is_set():
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                self.subscribed.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None and message.get("type") == "message":
                        self._on_message(message["data"])
            except redis.RedisError as exc:
                self.subscribed.clear()
                log.warning("index change listener lost Redis, retrying (polling meanwhile): %s", exc)
                self._stop.wait(RETRY_SECONDS)
            finally:
                with contextlib.suppress(redis.RedisError):
                    pubsub.close()

    def _on_message(self, data: bytes | str) -> None:
        text = data.decode() if isinstance(data, bytes) else str(data)
        origin, _, _generation = text.partition(" ")
        if origin == self.origin:
            return
        try:
            self.catch_up()
            self.received += 1
        except Exception:  # a failed catch-up is retried by the next poll; the listener keeps listening
            log.exception("catching up after an index change failed")
