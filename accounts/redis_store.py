"""Redis for state every worker and replica must share (TOP_REDIS_URL); here: the login throttle.

`connect(url)` is the one place a Redis client is made, so every use shares its options.

Keys: `<prefix>fail:<key>` (an INCR counter with a TTL) and `<prefix>lock:<key>` (present while
locked; its PTTL is the wait). Errors of the client become `ThrottleUnavailable`.
"""

from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from accounts.throttle import ThrottleUnavailable

__all__ = ["RedisThrottleStore", "connect"]


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
