"""Who is calling: a browser session cookie, an API key, or an anonymous visitor.

    optional_user  -> CurrentUser | None   (session cookie `top_session` or `Authorization: Bearer tk_…`)
    require_user   -> CurrentUser          (401 "请先登录")
    require_roles  -> CurrentUser          (403 unless one of the roles; admin always passes)
    chat_owner     -> str                  (the user's id, or `anon:<random>` from a signed cookie)

Unsafe requests (POST/PUT/PATCH/DELETE) authenticated by the session cookie must repeat the
session's CSRF token in `X-CSRF-Token`; API keys are not ambient credentials and are exempt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request, Response

from accounts.store import Identity
from accounts.tables import Role
from api.deps import ContainerDep, SettingsDep

__all__ = [
    "ANON_COOKIE",
    "SESSION_COOKIE",
    "AdminDep",
    "CurrentUser",
    "EditorDep",
    "OptionalUserDep",
    "OwnerDep",
    "PartnerDep",
    "UserDep",
    "carry_cookies",
    "chat_owner",
    "optional_user",
    "require_roles",
    "require_user",
    "sign",
]

SESSION_COOKIE = "top_session"
ANON_COOKIE = "top_anon"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANON_PREFIX = "anon:"
ANON_MAX_AGE = 365 * 24 * 3600


class CurrentUser(Identity):
    """The caller of this request: who, and by which credential (CSRF applies to sessions only)."""

    via: Literal["session", "api_key"]
    csrf_token: str | None = None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value.startswith("tk_"):
        return value
    return None


def optional_user(request: Request, container: ContainerDep) -> CurrentUser | None:
    """The authenticated caller, or None. A presented but invalid API key is a 401, not anonymity."""
    accounts = container.accounts
    key = _bearer(request)
    if key is not None:
        found = accounts.user_for_api_key(key)
        if found is None:
            raise HTTPException(401, "API 密钥无效或已吊销", headers={"WWW-Authenticate": "Bearer"})
        return CurrentUser(**found.model_dump(), via="api_key", csrf_token=None)
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = accounts.user_for_session(token)
    if session is None:
        return None
    user, csrf = session
    if request.method in UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent.encode(), csrf.encode()):
            raise HTTPException(403, "CSRF 校验失败：请刷新页面后重试（缺少或错误的 X-CSRF-Token）")
    return CurrentUser(**user.model_dump(), via="session", csrf_token=csrf)


OptionalUserDep = Annotated[CurrentUser | None, Depends(optional_user)]


def require_user(user: OptionalUserDep) -> CurrentUser:
    if user is None:
        raise HTTPException(401, "请先登录")
    return user


UserDep = Annotated[CurrentUser, Depends(require_user)]

_ROLE_NAMES = {Role.partner: "渠道伙伴", Role.editor: "编辑", Role.admin: "管理员"}


def require_roles(*roles: Role) -> Callable[[CurrentUser], CurrentUser]:
    """A dependency admitting the given roles; admin always passes."""
    allowed = {*roles, Role.admin}
    names = "、".join(f"{_ROLE_NAMES[r]}（{r.value}）" for r in Role if r in allowed)

    def dependency(user: UserDep) -> CurrentUser:
        if user.role not in allowed:
            raise HTTPException(403, f"需要以下角色之一：{names}")
        return user

    return dependency


PartnerDep = Annotated[CurrentUser, Depends(require_roles(Role.partner))]
EditorDep = Annotated[CurrentUser, Depends(require_roles(Role.editor))]
AdminDep = Annotated[CurrentUser, Depends(require_roles(Role.admin))]


def sign(secret: bytes, value: str) -> str:
    """`value.signature` with an HMAC-SHA256 (url-safe, unpadded hex)."""
    mac = hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
    return f"{value}.{mac}"


def unsign(secret: bytes, signed: str) -> str | None:
    value, _, _mac = signed.rpartition(".")
    if not value or not hmac.compare_digest(sign(secret, value), signed):
        return None
    return value


def anonymous_owner(request: Request, secret: bytes) -> str | None:
    """The browser's anonymous chat owner from its signed cookie, or None (never minted here)."""
    cookie = request.cookies.get(ANON_COOKIE, "")
    owner = unsign(secret, cookie) if cookie else None
    return owner if owner is not None and owner.startswith(ANON_PREFIX) else None


def chat_owner(
    request: Request,
    response: Response,
    user: OptionalUserDep,
    settings: SettingsDep,
    container: ContainerDep,
) -> str:
    """Whose conversations these are: the user's id, or a per-browser anonymous owner."""
    if user is not None:
        return user.id
    if settings.require_login:
        raise HTTPException(401, "请先登录")
    secret = container.secret_key
    owner = anonymous_owner(request, secret)
    if owner is None:
        owner = ANON_PREFIX + secrets.token_urlsafe(18)
        response.set_cookie(
            ANON_COOKIE,
            sign(secret, owner),
            max_age=ANON_MAX_AGE,
            path="/",
            httponly=True,
            # Secure only over TLS: an anonymous owner is a low-value pseudonym, and `make run` opened over
            # plain http from another machine (where browsers drop Secure cookies) must keep its history.
            secure=settings.cookie_secure and request.url.scheme == "https",
            samesite="lax",
        )
    return owner


OwnerDep = Annotated[str, Depends(chat_owner)]


def carry_cookies(target: Response, source: Response) -> Response:
    """FastAPI drops cookies set on the injected `Response` when a route returns its own response
    (SSE, 204); routes that do so pass them on with this."""
    target.headers.raw.extend((k, v) for k, v in source.headers.raw if k.lower() == b"set-cookie")
    return target
