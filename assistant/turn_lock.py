"""Who may write a conversation's next turn: one interface, a database and a Redis implementation.

The database lease on the pending reply (assistant/conversations.py) always applies: it is the default,
the fallback, and the source of truth for sweeping `interrupted` replies. With TOP_REDIS_URL, a Redis lock
per conversation is taken first, so a second concurrent turn is refused (ConversationBusy, HTTP 409) on any
replica before a database transaction waits on the conversation row:

- `acquire`: `SET <prefix><key> <token> NX PX <lease>`; taken -> LockHeld (the store's ConversationBusy).
  The store's key is the conversation and its owner, so a stranger naming someone's busy conversation
  is still told it does not exist, not that it is busy;
- `renew` / `release`: Lua scripts that only touch the key while it still holds this writer's token, so a
  writer whose lease ran out never extends or deletes its successor's lock.

Redis errors never refuse a turn: the lock logs them and the database lease alone decides (`acquire`
returns None, and renew/release of a None token do nothing).
"""

from __future__ import annotations

import logging
import secrets
from typing import Protocol

import redis

log = logging.getLogger(__name__)

# KEYS[1] = the lock, ARGV[1] = the writer's token, ARGV[2] = the new lease in ms (<= 0: let go now)
RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) <= 0 then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LockHeld(RuntimeError):
    """Another writer holds the lock."""


class TurnLock(Protocol):
    def acquire(self, key: str, lease_ms: int) -> str | None:
        """A token for the writer of this key's next turn, or None when this lock keeps none;
        raises LockHeld while another writer holds it."""
        ...

    def renew(self, key: str, token: str | None, lease_ms: int) -> None: ...

    def release(self, key: str, token: str | None) -> None: ...


class DatabaseTurnLock:
    """The default: nothing beyond the database lease of the pending reply."""

    def acquire(self, key: str, lease_ms: int) -> str | None:
        return None

    def renew(self, key: str, token: str | None, lease_ms: int) -> None:
        return None

    def release(self, key: str, token: str | None) -> None:
        return None


class RedisTurnLock:
    def __init__(self, client: redis.Redis, *, prefix: str = "top:turn:") -> None:
        self.client = client
        self.prefix = prefix
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)

    def acquire(self, key: str, lease_ms: int) -> str | None:
        token = secrets.token_hex(16)
        try:
            taken = self.client.set(self.prefix + key, token, nx=True, px=max(1, lease_ms))
        except redis.RedisError as exc:
            log.warning("Redis turn lock unavailable, the database lease alone decides: %s", exc)
            return None
        if not taken:
            raise LockHeld(key)
        return token

    def renew(self, key: str, token: str | None, lease_ms: int) -> None:
        self._script(self._renew, key, token, lease_ms)

    def release(self, key: str, token: str | None) -> None:
        self._script(self._release, key, token)

    def _script(self, script, key: str, token: str | None, *args: int) -> None:  # type: ignore[no-untyped-def]
        if token is None:
            return
        try:
            script(keys=[self.prefix + key], args=[token, *args])
        except redis.RedisError as exc:  # the key expires by itself; the database lease still holds
            log.warning("Redis turn lock of %s not updated: %s", key, exc)
