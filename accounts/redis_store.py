"""Redis for state every worker and replica must share (TOP_REDIS_URL): the login throttle and quotas.

`connect(url)` is the one place a Redis client is made, so every use shares its options.

Keys: `<prefix>fail:<key>` (an INCR counter with a TTL) and `<prefix>lock:<key>` (present while
locked; its PTTL is the wait). Errors of the client become `ThrottleUnavailable`.
Quotas: `<prefix><name>:<seconds>:<window>` (an INCR counter that expires a minute after its window).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from accounts.quotas import Window, bucket_name, check
from accounts.throttle import ThrottleUnavailable

__all__ = ["RedisQuotaCounter", "RedisThrottleStore", "connect"]


def connect(url: str, *, ping: bool = True) -> redis.Redis:
    """A client for `url` (`redis://host:6379/0`), checked with a PING (unless `ping=False`) so a wrong
    URL fails at start-up. Raises ConnectionError naming the URL (without its password).

    Short timeouts and one quick retry: while Redis is down, a request waits well under a second
    before the caller's fallback takes over (redis-py's default retries with back-off take seconds)."""
    client = redis.Redis.from_url(
        url, socket_timeout=1, socket_connect_timeout=1, health_check_interval=30,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
    )  # fmt: skip
    if not ping:
        return client
    try:
        client.ping()
    except redis.RedisError as exc:
        shown = url.split("@")[-1]
        raise ConnectionError(f"cannot reach Redis at {shown}: {exc}") from None
    return client


class RedisThrottleStore:
    def __init__(self, client: redis.Redis, *, prefix: str = "top:throttle:") -> None:
        self.client = client
        self.prefix = prefix

    def add_failure(self, key: str, *, forget_after: int) -> int:
        name = f"{self.prefix}fail:{key}"
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.incr(name)
            pipe.expire(name, forget_after)
            count, _ = pipe.execute()
        except redis.RedisError as exc:
            raise ThrottleUnavailable(str(exc)) from exc
        return int(count)

    def clear(self, key: str) -> None:
        try:
            self.client.delete(f"{self.prefix}fail:{key}")
        except redis.RedisError as exc:
            raise ThrottleUnavailable(str(exc)) from exc

    def lock(self, key: str, seconds: float) -> None:
        try:
            self.client.set(f"{self.prefix}lock:{key}", b"1", px=max(1, int(seconds * 1000)))
        except redis.RedisError as exc:
            raise ThrottleUnavailable(str(exc)) from exc

    def locked_for(self, key: str) -> float:
        try:
            millis = int(self.client.pttl(f"{self.prefix}lock:{key}"))  # type: ignore[arg-type]
        except redis.RedisError as exc:
            raise ThrottleUnavailable(str(exc)) from exc
        return millis / 1000 if millis > 0 else 0.0


class RedisQuotaCounter:
    """accounts.quotas.Quotas in Redis: one INCR per hit, whatever the number of replicas."""

    def __init__(self, client: redis.Redis, *, prefix: str = "top:quota:", clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.prefix = prefix
        self.clock = clock

    def hit(self, name: str, *, limit: int, seconds: int, scope: str = "") -> int:
        now = self.clock()
        window = Window.at(now, seconds)
        key = self.prefix + bucket_name(name, seconds, window)
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, seconds + 60)  # the window's name changes with the next window; this only tidies up
        count, _ = pipe.execute()
        return check(int(count), name=name, limit=limit, window=window, now=now, scope=scope)

    def used(self, name: str, *, seconds: int) -> int:
        value = self.client.get(self.prefix + bucket_name(name, seconds, Window.at(self.clock(), seconds)))
        return int(value or 0)  # type: ignore[arg-type]
