"""The account repository: organisations, users (argon2id), web sessions and API keys.

Secrets never rest in the database in the clear: passwords are argon2id hashes, session cookies
and API keys are stored as SHA-256 hashes (both are 32 random bytes, so a fast hash suffices).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from accounts.credit_code import CreditCodeError
from accounts.credit_code import normalise as normalise_credit_code
from accounts.tables import ApiKeyRow, OrganisationRow, OrgKind, Role, UserRow, WebSessionRow, utcnow

__all__ = [
    "MIN_PASSWORD_CHARS",
    "AccountConflict",
    "AccountError",
    "AccountNotFound",
    "AccountStore",
    "ApiKeyCreated",
    "ApiKeyPublic",
    "Identity",
    "OrganisationPublic",
    "UserPublic",
    "WebSession",
    "check_password",
    "normalise_email",
]

MIN_PASSWORD_CHARS = 10
API_KEY_PREFIX = "tk_"
_TOUCH_EVERY = dt.timedelta(minutes=1)


class AccountError(ValueError):
    """A request about accounts that cannot be honoured (bad input)."""


class AccountConflict(AccountError):
    """The thing already exists (duplicate email or organisation name)."""


class AccountNotFound(LookupError):
    """No such user, organisation or key (or not yours)."""


class OrganisationPublic(BaseModel):
    id: str
    name: str
    kind: OrgKind
    credit_code: str | None = None
    created_at: dt.datetime


class Identity(BaseModel):
    """Who a credential belongs to; what `api.auth.CurrentUser` is built from."""

    id: str
    email: str
    name: str
    role: Role
    org_id: str
    org_name: str
    org_kind: str


class UserPublic(Identity):
    disabled: bool
    created_at: dt.datetime


class ApiKeyPublic(BaseModel):
    id: str
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str  # the full `tk_<prefix>_<secret>`: returned once, never stored


class WebSession(BaseModel):
    token: str  # the cookie value: returned once, only its hash is stored
    csrf_token: str
    expires_at: dt.datetime


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; everything here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _encodable(value: str) -> bool:
    """False for strings that are not valid Unicode text (lone surrogates, which JSON can carry)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _label(value: str, limit: int) -> str:
    """A display name: trimmed, at most `limit` characters, valid text."""
    if not _encodable(value):
        raise AccountError("名称含有无效字符")
    return value.strip()[:limit]


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _encodable(email):
        raise AccountError("邮箱含有无效字符")
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email) or len(email) > 254:
        raise AccountError(f"邮箱格式不正确：{email or '（空）'}")
    return email


def check_password(password: str) -> None:
    if not _encodable(password):
        raise AccountError("密码含有无效字符")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD_CHARS} 个字符")


def _credit_code(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return normalise_credit_code(value)
    except CreditCodeError as exc:
        raise AccountError(str(exc)) from None


def _role(value: str | Role) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise AccountError(f"未知角色：{value}（可选 {', '.join(r.value for r in Role)}）") from None


def _org_kind(value: str | OrgKind) -> OrgKind:
    try:
        return OrgKind(value)
    except ValueError:
        raise AccountError(f"未知组织类型：{value}（可选 {', '.join(k.value for k in OrgKind)}）") from None


def _user(row: UserRow, org: OrganisationRow) -> UserPublic:
    return UserPublic(
        id=row.id, email=row.email, name=row.name, role=Role(row.role), org_id=org.id, org_name=org.name,
        org_kind=org.kind, disabled=row.disabled, created_at=_aware(row.created_at),
    )  # fmt: skip


def _key(row: ApiKeyRow) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=row.id, name=row.name, prefix=row.prefix, created_at=_aware(row.created_at),
        last_used_at=_aware(row.last_used_at) if row.last_used_at else None,
        revoked_at=_aware(row.revoked_at) if row.revoked_at else None,
    )  # fmt: skip


class AccountStore:
    """Every method is its own transaction. Inputs are keyword-only where they could be confused."""

    def __init__(self, engine: Engine, *, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.session = self._sessions.begin  # one transaction per `with`
        self._hasher = hasher or PasswordHasher()  # argon2id with the library's current defaults
        self._dummy_hash: str | None = None

    # organisations

    def create_organisation(self, *, name: str, kind: str | OrgKind = OrgKind.partner,
                            credit_code: str | None = None) -> OrganisationPublic:  # fmt: skip
        name = " ".join(name.split())
        if not name or not _encodable(name):
            raise AccountError("组织名称不能为空或含有无效字符")
        code = _credit_code(credit_code)
        row = OrganisationRow(name=name, kind=_org_kind(kind).value, credit_code=code, created_at=utcnow())
        try:
            with self.session() as s:
                s.add(row)
        except IntegrityError:
            raise AccountConflict(f"组织已存在：{name}") from None
        return OrganisationPublic.model_validate(row, from_attributes=True)

    def set_credit_code(self, org_id: str, credit_code: str) -> OrganisationPublic:
        """Record (or correct) an organisation's 统一社会信用代码; refused when the checksum fails."""
        code = _credit_code(credit_code)
        with self.session() as s:
            row = s.get(OrganisationRow, org_id)
            if row is None:
                raise AccountNotFound(f"没有这个组织：{org_id}")
            row.credit_code = code
            return OrganisationPublic.model_validate(row, from_attributes=True)

    def organisation(self, org_id: str) -> OrganisationPublic | None:
        with self.session() as s:
            row = s.get(OrganisationRow, org_id)
            return OrganisationPublic.model_validate(row, from_attributes=True) if row else None

    def organisation_named(self, name: str) -> OrganisationPublic | None:
        with self.session() as s:
            row = s.scalar(select(OrganisationRow).where(OrganisationRow.name == " ".join(name.split())))
            return OrganisationPublic.model_validate(row, from_attributes=True) if row else None

    def list_organisations(self) -> list[OrganisationPublic]:
        with self.session() as s:
            rows = s.scalars(select(OrganisationRow).order_by(OrganisationRow.name))
            return [OrganisationPublic.model_validate(r, from_attributes=True) for r in rows]

    # users

    def create_user(self, *, email: str, password: str, role: str | Role, org_id: str, name: str = "") -> UserPublic:
        email, role = normalise_email(email), _role(role)
        check_password(password)
        row = UserRow(
            email=email, name=_label(name, 200), role=role.value, org_id=org_id,
            password_hash=self._hasher.hash(password), disabled=False, created_at=utcnow(),
        )  # fmt: skip
        try:
            with self.session() as s:
                org = s.get(OrganisationRow, org_id)
                if org is None:
                    raise AccountNotFound(f"组织不存在：{org_id}")
                if s.scalar(select(UserRow.id).where(UserRow.email == email)):
                    raise AccountConflict(f"邮箱已被使用：{email}")
                s.add(row)
                s.flush()
                return _user(row, org)
        except IntegrityError:
            raise AccountConflict(f"邮箱已被使用：{email}") from None

    def get_user(self, user_id: str) -> UserPublic:
        with self.session() as s:
            row = s.get(UserRow, user_id)
            if row is None:
                raise AccountNotFound(f"用户不存在：{user_id}")
            return _user(row, s.get_one(OrganisationRow, row.org_id))

    def list_users(self) -> list[UserPublic]:
        with self.session() as s:
            rows = s.execute(
                select(UserRow, OrganisationRow)
                .join(OrganisationRow, UserRow.org_id == OrganisationRow.id)
                .order_by(OrganisationRow.name, UserRow.email)
            )
            return [_user(u, o) for u, o in rows]

    def update_user(
        self, user_id: str, *, role: str | Role | None = None, disabled: bool | None = None, name: str | None = None
    ) -> UserPublic:
        """Change role, name or the disabled flag; disabling also ends the user's sessions."""
        with self.session() as s:
            row = s.get(UserRow, user_id)
            if row is None:
                raise AccountNotFound(f"用户不存在：{user_id}")
            if role is not None:
                row.role = _role(role).value
            if name is not None:
                row.name = _label(name, 200)
            if disabled is not None:
                row.disabled = disabled
                if disabled:
                    s.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
            return _user(row, s.get_one(OrganisationRow, row.org_id))

    def set_password(self, user_id: str, password: str) -> None:
        check_password(password)
        with self.session() as s:
            row = s.get(UserRow, user_id)
            if row is None:
                raise AccountNotFound(f"用户不存在：{user_id}")
            row.password_hash = self._hasher.hash(password)
            s.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))

    def authenticate(self, email: str, password: str) -> UserPublic | None:
        """The user when email and password match and the user is enabled; otherwise None.
        Unknown emails cost one argon2 verification too, so timing doesn't reveal who exists."""
        if not (_encodable(email) and _encodable(password)):
            return None
        with self.session() as s:
            row = s.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
            if row is None:
                self._verify(self._dummy(), password)
                return None
            if not self._verify(row.password_hash, password) or row.disabled:
                return None
            if self._hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self._hasher.hash(password)
            return _user(row, s.get_one(OrganisationRow, row.org_id))

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    # web sessions

    def create_session(self, user_id: str, *, days: int = 14) -> WebSession:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = utcnow()
        expires = now + dt.timedelta(days=days)
        with self.session() as s:
            s.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now))
            s.add(WebSessionRow(token_hash=_sha256(token), user_id=user_id, csrf_token=csrf, created_at=now, expires_at=expires))
        return WebSession(token=token, csrf_token=csrf, expires_at=expires)

    def user_for_session(self, token: str) -> tuple[Identity, str] | None:
        """(the session's user, its CSRF token), or None if unknown, expired or the user is disabled."""
        with self.session() as s:
            row = s.get(WebSessionRow, _sha256(token))
            if row is None:
                return None
            if _aware(row.expires_at) <= utcnow():
                s.delete(row)
                return None
            user = s.get(UserRow, row.user_id)
            if user is None or user.disabled:
                return None
            return _user(user, s.get_one(OrganisationRow, user.org_id)), row.csrf_token

    def delete_session(self, token: str) -> None:
        with self.session() as s:
            s.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == _sha256(token)))

    # API keys

    def create_api_key(self, user_id: str, *, name: str = "") -> ApiKeyCreated:
        prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        row = ApiKeyRow(user_id=user_id, name=_label(name, 100), prefix=prefix, secret_hash=_sha256(secret), created_at=utcnow())
        with self.session() as s:
            if s.get(UserRow, user_id) is None:
                raise AccountNotFound(f"用户不存在：{user_id}")
            s.add(row)
        return ApiKeyCreated(**_key(row).model_dump(), key=f"{API_KEY_PREFIX}{prefix}_{secret}")

    def list_api_keys(self, user_id: str) -> list[ApiKeyPublic]:
        with self.session() as s:
            rows = s.scalars(select(ApiKeyRow).where(ApiKeyRow.user_id == user_id).order_by(ApiKeyRow.created_at.desc()))
            return [_key(r) for r in rows]

    def revoke_api_key(self, user_id: str, key_id: str) -> ApiKeyPublic:
        """Revoke one of the user's own keys; another user's key is reported as not found."""
        with self.session() as s:
            row = s.get(ApiKeyRow, key_id)
            if row is None or row.user_id != user_id:
                raise AccountNotFound(f"API 密钥不存在：{key_id}")
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            return _key(row)

    def user_for_api_key(self, key: str) -> Identity | None:
        """The key's enabled owner, or None for a malformed, unknown, wrong or revoked key."""
        prefix, sep, secret = key.removeprefix(API_KEY_PREFIX).partition("_")
        if not key.startswith(API_KEY_PREFIX) or not sep or not prefix or not secret:
            return None
        with self.session() as s:
            row = s.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix))
            if row is None or not hmac.compare_digest(row.secret_hash, _sha256(secret)):
                return None
            if row.revoked_at is not None:
                return None
            user = s.get(UserRow, row.user_id)
            if user is None or user.disabled:
                return None
            now = utcnow()
            if row.last_used_at is None or now - _aware(row.last_used_at) > _TOUCH_EVERY:
                row.last_used_at = now
            return _user(user, s.get_one(OrganisationRow, user.org_id))
