"""Logging in: the throttle, the password check, the session, and the audit record, in that order.

    service.log_in(email, password, address="203.0.113.5")   # (user, session)
    # LoginThrottled: locked (429, the notice says how long); LoginFailed: wrong password (401)

Every attempt leaves one row in `login_attempts`: success, failure, locked (the failure that
started a lock) or throttled (refused while locked, the password not even checked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import Engine, delete, insert, select

from accounts.store import AccountStore, UserPublic, WebSession
from accounts.tables import LoginAttemptRow, utcnow
from accounts.throttle import LoginThrottle, LoginThrottled

__all__ = ["LoginAttempt", "LoginAudit", "LoginFailed", "LoginService"]

FAILED = "登录失败：邮箱或密码错误，或账号已停用"
KEEP_DAYS = 180  # audit rows older than this are deleted now and then


class LoginFailed(Exception):
    """Wrong email or password, or a disabled account (which of them is not said)."""


class LoginAttempt(BaseModel):
    id: int
    at: dt.datetime
    email: str
    address: str
    outcome: str
    user_id: str | None
    detail: str


class LoginAudit:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._recorded = 0

    def record(self, *, email: str, address: str, outcome: str, user_id: str | None = None, detail: str = "") -> None:
        row = {"at": utcnow(), "email": email.strip().lower()[:254], "address": address[:64], "outcome": outcome,
               "user_id": user_id, "detail": detail[:500]}  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(insert(LoginAttemptRow).values(**row))
            self._recorded += 1
            if self._recorded % 1000 == 0:
                cutoff = utcnow() - dt.timedelta(days=KEEP_DAYS)
                conn.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < cutoff))

    def recent(self, *, email: str | None = None, limit: int = 100, offset: int = 0) -> list[LoginAttempt]:
        """Newest first; `email` narrows to one account (as typed, case-insensitive)."""
        query = select(LoginAttemptRow).order_by(LoginAttemptRow.id.desc()).limit(limit).offset(offset)
        if email:
            query = query.where(LoginAttemptRow.email == email.strip().lower())
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [LoginAttempt(**{**row, "at": _aware(row["at"])}) for row in rows]


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass
class LoginService:
    accounts: AccountStore
    throttle: LoginThrottle
    audit: LoginAudit
    session_days: int = 14

    def log_in(self, email: str, password: str, *, address: str) -> tuple[UserPublic, WebSession]:
        """The user and a new web session; LoginThrottled or LoginFailed (both with a message for the user)."""
        try:
            self.throttle.check(email, address)
        except LoginThrottled as exc:
            self.audit.record(email=email, address=address, outcome="throttled", detail=exc.scope)
            raise
        user = self.accounts.authenticate(email, password)
        if user is None:
            try:
                left = self.throttle.failed(email, address)
            except LoginThrottled as exc:
                self.audit.record(email=email, address=address, outcome="locked",
                                  detail=f"{exc.scope} locked for {exc.retry_after} s")  # fmt: skip
                raise
            self.audit.record(email=email, address=address, outcome="failure")
            hint = f"（再失败 {left} 次，账号将被暂时锁定）" if left is not None and 0 < left <= 2 else ""
            raise LoginFailed(FAILED + hint)
        self.throttle.succeeded(email)
        self.audit.record(email=email, address=address, outcome="success", user_id=user.id)
        return user, self.accounts.create_session(user.id, days=self.session_days)
