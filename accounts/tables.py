"""Account tables in the application database, with their own Alembic chain (accounts/migrations)."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from pathlib import Path

from sqlalchemy import Boolean, DateTime, Engine, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from corpus.store import migrate
from corpus.tables import utcnow as utcnow  # one clock for every table (re-exported)

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "accounts_alembic_version"


class Role(enum.StrEnum):
    partner = "partner"  # a channel partner's staff: chats, manages its own widget keys
    editor = "editor"  # a vendor editor: curates the corpus
    admin = "admin"  # administers users and organisations; may do everything


class OrgKind(enum.StrEnum):
    partner = "partner"
    vendor = "vendor"


class AccountsBase(DeclarativeBase):
    pass


def new_id() -> str:
    return secrets.token_hex(16)


class OrganisationRow(AccountsBase):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=OrgKind.partner.value)
    # 统一社会信用代码, checksum-verified (accounts/credit_code.py); several organisations may share one company
    credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserRow(AccountsBase):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(String(32), ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16), default=Role.partner.value)
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSessionRow(AccountsBase):
    """A browser login. Only a hash of the cookie value is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie value
    user_id: Mapped[str] = mapped_column(String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApiKeyRow(AccountsBase):
    """`tk_<prefix>_<secret>`: shown once; the prefix finds the row, the hash verifies the rest."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(32), ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex (the secret is 32 random bytes)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WidgetKeyRow(AccountsBase):
    """An embeddable chat widget of a partner organisation (`wk_…` is public; `secret` never leaves the server
    except once to its owner, for signing end-user identity tokens)."""

    __tablename__ = "widget_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # wk_<random>
    org_id: Mapped[str] = mapped_column(String(32), ForeignKey("organisations.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(32), ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(100), default="渠道参谋")
    greeting: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(16), default="#1f6feb")
    show_sources: Mapped[bool] = mapped_column(Boolean, default=True)
    allowed_origins: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of "https://host[:port]"
    quota_per_user_day: Mapped[int] = mapped_column(Integer, default=50)
    quota_per_key_minute: Mapped[int] = mapped_column(Integer, default=60)
    secret: Mapped[str] = mapped_column(String(128))  # HMAC-SHA256 key for identity tokens
    require_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuotaUsageRow(AccountsBase):
    """Fixed-window counters shared by all API replicas (the database is the shared state)."""

    __tablename__ = "quota_usage"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)  # e.g. "wk_x:user:<sub>:2026-11-26"
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginAttemptRow(AccountsBase):
    """The login audit: every attempt by email form or API, with its outcome (see accounts/login.py)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)  # as typed, lower-cased and cut to 254
    address: Mapped[str] = mapped_column(String(64))  # the client address
    outcome: Mapped[str] = mapped_column(String(16))  # success | failure | locked | throttled
    user_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detail: Mapped[str] = mapped_column(String(500), default="")


def migrate_accounts(engine: Engine) -> None:
    """Bring the account tables to the newest revision; idempotent."""
    migrate(engine, MIGRATIONS)
