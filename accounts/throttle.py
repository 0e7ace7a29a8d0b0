"""Login throttling: failed logins counted per account and per client address, with back-off.

    throttle.check(email, address)      # LoginThrottled (→ 429 + Retry-After) while either is locked
    throttle.failed(email, address)     # count a failure; LoginThrottled when it starts a lock
    throttle.succeeded(email)           # the right password clears the account's count

Policy (`ThrottlePolicy`, settings `TOP_LOGIN_THROTTLE__…`): an account may fail 5 times and an
address 20 times, each failure remembered for an hour after the last one. The failure that reaches
the limit locks for a minute; every further one doubles the lock, up to 15 minutes. While locked,
nothing is verified, not even the right password, so guessing on is pointless. Only failures count
against an address: one's own successful login does not clear it (that would let an attacker with
one account reset the count between guesses at others).

The counters live in a `ThrottleStore`: this process's memory (`MemoryThrottleStore`, the default)
or Redis (accounts/redis_store.py, with TOP_REDIS_URL), so all workers and replicas count together.
A store that cannot be reached does not lock everyone out: the login goes ahead and it is logged.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, Field

__all__ = [
    "LoginThrottle",
    "LoginThrottled",
    "MemoryThrottleStore",
    "ThrottlePolicy",
    "ThrottleStore",
    "ThrottleUnavailable",
    "wait_text",
]

log = logging.getLogger(__name__)

Scope = Literal["account", "address"]


class ThrottlePolicy(BaseModel):
    account_failures: int = Field(5, ge=1, le=1000, description="failed logins an account may have before it is locked")
    address_failures: int = Field(20, ge=1, le=10_000, description="failed logins from one client address before it is locked")
    lock_seconds: float = Field(60, gt=0, le=86_400, description="the first lock; each further failure doubles it")
    max_lock_seconds: float = Field(900, gt=0, le=86_400, description="the longest lock")
    forget_after_seconds: int = Field(3600, ge=1, le=7 * 86_400, description="failures are forgotten this long after the last one")

    def lock_for(self, failures: int, limit: int) -> float:
        """Seconds to lock after the `failures`-th failure (0 below the limit)."""
        if failures < limit:
            return 0.0
        return min(self.lock_seconds * 2 ** min(failures - limit, 32), self.max_lock_seconds)


class ThrottleUnavailable(Exception):
    """The store cannot be reached (e.g. Redis is down)."""


class ThrottleStore(Protocol):
    """Failure counters and locks by key. Implementations: MemoryThrottleStore, redis_store.RedisThrottleStore."""

    def add_failure(self, key: str, *, forget_after: int) -> int:
        """Count one failure; the count expires `forget_after` seconds from now. Returns the new count."""
        ...

    def clear(self, key: str) -> None: ...

    def lock(self, key: str, seconds: float) -> None: ...

    def locked_for(self, key: str) -> float:
        """Seconds the key stays locked (0 when it is not)."""
        ...


def wait_text(seconds: int) -> str:
    """`45 秒`, `2 分钟`, `15 分钟`: how long to wait, rounded up to whole minutes past one minute."""
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"


class LoginThrottled(Exception):
    """A login refused without checking the password; `message` is the lockout notice for the user."""

    def __init__(self, scope: Scope, retry_after: float) -> None:
        self.scope = scope
        self.retry_after = max(1, math.ceil(retry_after))
        who = "该账号" if scope == "account" else "你所在的网络地址"
        self.message = f"登录失败次数过多，{who}已被暂时锁定，请 {wait_text(self.retry_after)}后再试。"
        super().__init__(self.message)


@dataclass
class LoginThrottle:
    store: ThrottleStore
    policy: ThrottlePolicy

    @staticmethod
    def _keys(email: str, address: str) -> dict[Scope, str]:
        account = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
        return {"account": f"account:{account}", "address": f"address:{address or 'unknown'}"}

    def _limit(self, scope: Scope) -> int:
        return self.policy.account_failures if scope == "account" else self.policy.address_failures

    def check(self, email: str, address: str) -> None:
        """LoginThrottled while the account or the address is locked (the longer wait is given)."""
        try:
            waits = [(self.store.locked_for(key), scope) for scope, key in self._keys(email, address).items()]
        except ThrottleUnavailable as exc:
            log.error("login throttle unavailable, login not throttled: %s", exc)
            return
        seconds, scope = max(waits)
        if seconds > 0:
            raise LoginThrottled(scope, seconds)

    def failed(self, email: str, address: str) -> int | None:
        """Count a failed login. LoginThrottled when this failure locks the account or the address;
        otherwise the failures the account has left before it is locked."""
        try:
            started: list[tuple[float, Scope]] = []
            left = self.policy.account_failures
            for scope, key in self._keys(email, address).items():
                count = self.store.add_failure(key, forget_after=self.policy.forget_after_seconds)
                seconds = self.policy.lock_for(count, self._limit(scope))
                if seconds > 0:
                    self.store.lock(key, seconds)
                    started.append((seconds, scope))
                if scope == "account":
                    left = self.policy.account_failures - count
        except ThrottleUnavailable as exc:
            log.error("login throttle unavailable, failure not counted: %s", exc)
            return None
        if started:
            raise LoginThrottled(max(started)[1], max(started)[0])
        return left

    def succeeded(self, email: str) -> None:
        try:
            self.store.clear(self._keys(email, "")["account"])
        except ThrottleUnavailable as exc:
            log.error("login throttle unavailable, count not cleared: %s", exc)


class MemoryThrottleStore:
    """Counters in this process (the default without Redis): correct for one worker only."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)
        self._locks: dict[str, float] = {}  # key -> locked until
        self._mutex = threading.Lock()
        self._max_keys = max_keys

    def _sweep(self, now: float) -> None:
        """Drop what has expired once the tables grow (an attacker cycling addresses cannot fill memory)."""
        if len(self._counts) + len(self._locks) < self._max_keys:
            return
        self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
        self._locks = {k: v for k, v in self._locks.items() if v > now}

    def add_failure(self, key: str, *, forget_after: int) -> int:
        with self._mutex:
            now = self._clock()
            self._sweep(now)
            count, expires = self._counts.get(key, (0, 0.0))
            count = count + 1 if expires > now else 1
            self._counts[key] = (count, now + forget_after)
            return count

    def clear(self, key: str) -> None:
        with self._mutex:
            self._counts.pop(key, None)

    def lock(self, key: str, seconds: float) -> None:
        with self._mutex:
            self._locks[key] = self._clock() + seconds

    def locked_for(self, key: str) -> float:
        with self._mutex:
            return max(0.0, self._locks.get(key, 0.0) - self._clock())
