"""Accounts over JSON: login and logout, the caller, API keys, and (admin only) users and organisations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accounts.login import LoginAttempt
from accounts.store import (
    AccountStore,
    ApiKeyCreated,
    ApiKeyPublic,
    OrganisationPublic,
    UserPublic,
    WebSession,
)
from accounts.tables import OrgKind, Role
from api.auth import ANON_COOKIE, SESSION_COOKIE, AdminDep, CurrentUser, OptionalUserDep, UserDep, anonymous_owner
from api.deps import ContainerDep, client_address, require_json
from api.inputs import Offset
from api.settings import Settings
from corpus.text import CheckedInput

router = APIRouter(prefix="/api", tags=["accounts"])


def get_accounts(container: ContainerDep) -> AccountStore:
    return container.accounts


AccountsDep = Annotated[AccountStore, Depends(get_accounts)]


class LoginRequest(CheckedInput):
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=1024)


class Me(BaseModel):
    user: CurrentUser
    csrf_token: str | None = Field(None, description="send as X-CSRF-Token on POST/PUT/PATCH/DELETE with the cookie")


class ApiKeyCreate(CheckedInput):
    name: str = Field("", max_length=100, description="what the key is for")


class UserCreate(CheckedInput):
    email: str = Field(..., max_length=254)
    password: str = Field(..., min_length=1, max_length=1024)
    name: str = Field("", max_length=200)
    role: Role = Role.partner
    org_id: str = Field(..., max_length=32)


class UserUpdate(CheckedInput):
    role: Role | None = None
    disabled: bool | None = None
    name: str | None = Field(None, max_length=200)


class OrganisationCreate(CheckedInput):
    name: str = Field(..., min_length=1, max_length=200)
    kind: OrgKind = OrgKind.partner
    credit_code: str | None = Field(None, max_length=40, description="统一社会信用代码（18 位，校验位核对）")


class CreditCodeSet(CheckedInput):
    credit_code: str = Field(..., min_length=1, max_length=40)


def set_session_cookie(response: Response, session: WebSession, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=settings.session_days * 24 * 3600,
        path="/",
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=settings.cookie_secure, samesite="lax")


async def log_in(request: Request, container: ContainerDep, email: str, password: str) -> tuple[UserPublic, WebSession]:
    """Throttle, password (argon2, off the event loop), session, audit: accounts.login.LoginService.
    Raises LoginThrottled (429) or LoginFailed (401). Once in, the chats this browser had as an anonymous
    visitor (its signed `top_anon` cookie) become the user's."""
    user, session = await run_in_threadpool(container.login.log_in, email, password, address=client_address(request))
    visitor = anonymous_owner(request, container.secret_key)
    if visitor is not None:
        await run_in_threadpool(container.chat.store.transfer, visitor, user.id)
    return user, session


def forget_visitor(response: Response) -> None:
    """After login the anonymous owner is spent: a later logout starts a fresh, empty one."""
    response.delete_cookie(ANON_COOKIE, path="/", httponly=True, samesite="lax")


@router.post("/auth/login", response_model=Me, dependencies=[Depends(require_json)],
             responses={401: {"description": "邮箱或密码错误"}, 429: {"description": "失败次数过多，暂时锁定（Retry-After）"}})  # fmt: skip
async def login(body: LoginRequest, request: Request, response: Response, container: ContainerDep) -> Me:
    """Log in with email and password: sets the `top_session` cookie and returns the CSRF token. Chats the
    browser started before logging in (its anonymous cookie) move to the account.
    Repeated failures lock the account (and the client address) for a while: 429 with Retry-After."""
    user, session = await log_in(request, container, body.email, body.password)
    set_session_cookie(response, session, container.settings)
    forget_visitor(response)
    current = CurrentUser(**user.model_dump(), via="session", csrf_token=session.csrf_token)
    return Me(user=current, csrf_token=session.csrf_token)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, user: UserDep, container: ContainerDep) -> Response:
    """End this browser session (CSRF-checked like every unsafe request with the cookie)."""
    token = request.cookies.get(SESSION_COOKIE)
    if user.via == "session" and token:
        container.accounts.delete_session(token)
    response = Response(status_code=204)
    clear_session_cookie(response, container.settings)
    return response


@router.get("/me", response_model=Me)
def me(user: UserDep) -> Me:
    return Me(user=user, csrf_token=user.csrf_token)


class SessionInfo(BaseModel):
    user: CurrentUser | None = Field(None, description="null for an anonymous visitor")
    csrf_token: str | None = None


@router.get("/session", response_model=SessionInfo)
def session_info(user: OptionalUserDep) -> SessionInfo:
    """Who is calling, for pages anonymous visitors use too: `user` is null instead of a 401 (which browsers
    would log as an error on every page view)."""
    return SessionInfo(user=user, csrf_token=user.csrf_token if user else None)


@router.get("/api-keys", response_model=list[ApiKeyPublic])
def list_api_keys(user: UserDep, accounts: AccountsDep) -> list[ApiKeyPublic]:
    """Your API keys, without their secrets."""
    return accounts.list_api_keys(user.id)


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201, dependencies=[Depends(require_json)])
def create_api_key(body: ApiKeyCreate, user: UserDep, accounts: AccountsDep) -> ApiKeyCreated:
    """A new key `tk_<prefix>_<secret>` for `Authorization: Bearer …`; `key` is shown this once only."""
    return accounts.create_api_key(user.id, name=body.name)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyPublic)
def revoke_api_key(key_id: str, user: UserDep, accounts: AccountsDep) -> ApiKeyPublic:
    """Revoke one of your keys (another user's key is 404)."""
    return accounts.revoke_api_key(user.id, key_id)


@router.get("/admin/users", response_model=list[UserPublic], tags=["admin"])
def list_users(_: AdminDep, accounts: AccountsDep) -> list[UserPublic]:
    return accounts.list_users()


@router.post("/admin/users", response_model=UserPublic, status_code=201, tags=["admin"], dependencies=[Depends(require_json)])
async def create_user(body: UserCreate, _: AdminDep, accounts: AccountsDep) -> UserPublic:
    return await run_in_threadpool(
        lambda: accounts.create_user(email=body.email, password=body.password, role=body.role, org_id=body.org_id, name=body.name)
    )


def check_not_self_lockout(admin: CurrentUser, user_id: str, *, role: Role | None, disabled: bool | None) -> None:
    if admin.id == user_id and (disabled or (role is not None and role != Role.admin)):
        raise HTTPException(422, "不能停用自己或取消自己的管理员角色")


@router.patch("/admin/users/{user_id}", response_model=UserPublic, tags=["admin"], dependencies=[Depends(require_json)])
def update_user(user_id: str, body: UserUpdate, admin: AdminDep, accounts: AccountsDep) -> UserPublic:
    """Change a user's role, name, or disable them (which also ends their sessions)."""
    check_not_self_lockout(admin, user_id, role=body.role, disabled=body.disabled)
    return accounts.update_user(user_id, role=body.role, disabled=body.disabled, name=body.name)


@router.get("/admin/login-attempts", response_model=list[LoginAttempt], tags=["admin"])
def login_attempts(
    _: AdminDep,
    container: ContainerDep,
    email: Annotated[str | None, Query(max_length=254)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> list[LoginAttempt]:
    """The login audit, newest first: success, failure, locked (started a lock), throttled (refused while locked)."""
    return container.login.audit.recent(email=email, limit=limit, offset=offset)


@router.get("/admin/organisations", response_model=list[OrganisationPublic], tags=["admin"])
def list_organisations(_: AdminDep, accounts: AccountsDep) -> list[OrganisationPublic]:
    return accounts.list_organisations()


@router.post(
    "/admin/organisations",
    response_model=OrganisationPublic,
    status_code=201,
    tags=["admin"],
    dependencies=[Depends(require_json)],
)
def create_organisation(body: OrganisationCreate, _: AdminDep, accounts: AccountsDep) -> OrganisationPublic:
    return accounts.create_organisation(name=body.name, kind=body.kind, credit_code=body.credit_code)


@router.put("/admin/organisations/{org_id}/credit-code", response_model=OrganisationPublic, tags=["admin"],
            dependencies=[Depends(require_json)])  # fmt: skip
def set_credit_code(org_id: str, body: CreditCodeSet, _: AdminDep, accounts: AccountsDep) -> OrganisationPublic:
    """Record or correct an organisation's 统一社会信用代码 (refused when the checksum fails)."""
    return accounts.set_credit_code(org_id, body.credit_code)
