"""Server-rendered pages: login and logout forms, the admin page; the editor page (static/editor.html).

Forms post `application/x-www-form-urlencoded` and carry a CSRF token in a hidden field: the login form a
double-submit token (the `top_login_csrf` cookie), the others the session's own token.
"""

from __future__ import annotations

import hmac
import secrets
from html import escape
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from accounts.login import LoginFailed
from accounts.store import AccountConflict, AccountError, AccountNotFound, UserPublic
from accounts.tables import OrgKind, Role
from accounts.throttle import LoginThrottled
from api.auth import SESSION_COOKIE, CurrentUser, OptionalUserDep
from api.deps import ContainerDep
from api.routes.accounts import check_not_self_lockout, clear_session_cookie, forget_visitor, log_in, set_session_cookie
from corpus.text import InvalidText, check_strings

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "top_login_csrf"
EDITOR_PAGE = Path(__file__).resolve().parent.parent / "static" / "editor.html"
MAX_FORM_BYTES = 64 * 1024
ROLE_LABELS = {Role.partner: "渠道伙伴", Role.editor: "编辑", Role.admin: "管理员"}
KIND_LABELS = {OrgKind.partner: "渠道伙伴", OrgKind.vendor: "厂商"}


def safe_next(value: str | None) -> str:
    """Only same-site relative paths: `/x` yes; `//evil`, `/\\evil`, `https://…` and control characters no."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    return value


async def read_form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise HTTPException(415, "表单必须以 application/x-www-form-urlencoded 提交")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "表单过大")
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=50)
    form = {key: values[-1] for key, values in fields.items()}
    try:
        check_strings(form)
    except InvalidText as exc:
        raise HTTPException(422, str(exc)) from None
    return form


def page(title: str, body: str, *, status: int = 200, user: CurrentUser | None = None) -> HTMLResponse:
    account = ""
    if user is not None:
        account = (
            f'<span class="muted small">{escape(user.name or user.email)}（{ROLE_LABELS[user.role]}）</span>'
            f'<form method="post" action="/logout" class="inline">{csrf_field(user.csrf_token or "")}'
            '<button type="submit" class="link-button">退出</button></form>'
        )
    html = f"""<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="same-origin">
  <title>{escape(title)} · 渠道参谋</title>
  <link rel="icon" href="/static/icons/icon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/style.css">
</head>
<body class="account-page">
  <header class="topbar">
    <h1 class="brand"><a href="/" class="brand-link"><img src="/static/icons/icon.svg" alt="" width="28" height="28"><span>渠道参谋</span></a></h1>
    {account}
  </header>
  <main class="page-main">
    {body}
  </main>
</body>
</html>"""
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrf_token" value="{escape(token)}">'


def message(text: str, *, error: bool = True) -> str:
    return f'<p class="{"form-error" if error else "notice"}" role="alert">{escape(text)}</p>' if text else ""


# -- login and logout --------------------------------------------------------------------------------------
def login_page(container: ContainerDep, next_path: str, *, error: str = "", status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    body = f"""<section class="card narrow">
  <h2>登录</h2>
  {message(error)}
  <form method="post" action="/login" class="stack">
    {csrf_field(token)}
    <input type="hidden" name="next" value="{escape(next_path)}">
    <label>邮箱<input type="email" name="email" autocomplete="username" required autofocus></label>
    <label>密码<input type="password" name="password" autocomplete="current-password" required></label>
    <button type="submit" class="primary wide">登录</button>
  </form>
  <p class="muted small">账号由管理员开通。</p>
</section>
<script type="module" src="/static/login.js"></script>"""
    response = page("登录", body, status=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, max_age=3600, path="/login", httponly=True,
        secure=container.settings.cookie_secure, samesite="lax",
    )  # fmt: skip
    return response


@router.get("/login")
def login_form(container: ContainerDep, user: OptionalUserDep, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return login_page(container, safe_next(next))


@router.post("/login")
async def login_submit(request: Request, container: ContainerDep) -> Response:
    form = await read_form(request)
    next_path = safe_next(form.get("next"))
    cookie, sent = request.cookies.get(LOGIN_CSRF_COOKIE, ""), form.get("csrf_token", "")
    if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
        return login_page(container, next_path, error="页面已过期，请重新登录。", status=403)
    try:
        _, session = await log_in(request, container, form.get("email", ""), form.get("password", ""))
    except LoginThrottled as exc:
        refused = login_page(container, next_path, error=exc.message, status=429)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    except LoginFailed as exc:
        return login_page(container, next_path, error=f"{exc}。", status=400)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, session, container.settings)
    forget_visitor(response)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


async def form_user(request: Request, container: ContainerDep) -> tuple[CurrentUser | None, dict[str, str]]:
    """The session user of a form post whose hidden `csrf_token` matches the session (403 otherwise)."""
    form = await read_form(request)
    token = request.cookies.get(SESSION_COOKIE)
    found = await run_in_threadpool(container.accounts.user_for_session, token) if token else None
    if found is None:
        return None, form
    user, csrf = found
    if not hmac.compare_digest(form.get("csrf_token", "").encode(), csrf.encode()):
        raise HTTPException(403, "CSRF 校验失败：请刷新页面后重试")
    return CurrentUser(**user.model_dump(), via="session", csrf_token=csrf), form


FormUserDep = Annotated[tuple[CurrentUser | None, dict[str, str]], Depends(form_user)]


@router.post("/logout")
def logout_submit(request: Request, posted: FormUserDep, container: ContainerDep) -> Response:
    user, _ = posted
    token = request.cookies.get(SESSION_COOKIE)
    if user is not None and token:
        container.accounts.delete_session(token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, container.settings)
    return response


# -- guarded pages -----------------------------------------------------------------------------------------
def guard(user: CurrentUser | None, path: str, *roles: Role) -> Response | None:
    """A redirect to the login page, a 403 page, or None when the user may see the page."""
    if user is None:
        return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
    if user.role not in {*roles, Role.admin}:
        need = "、".join(ROLE_LABELS[r] for r in Role if r in {*roles, Role.admin})
        body = f'<section class="card narrow"><h2>无权访问</h2><p>此页面需要以下角色之一：{need}。</p><p><a href="/">返回对话</a></p></section>'
        return page("无权访问", body, status=403, user=user)
    return None


@router.get("/editor")
def editor_page(user: OptionalUserDep) -> Response:
    if (refused := guard(user, "/editor", Role.editor)) is not None:
        return refused
    return FileResponse(EDITOR_PAGE, media_type="text/html", headers={"Cache-Control": "no-store"})


def _user_row(u: UserPublic, me: CurrentUser) -> str:
    options = "".join(f'<option value="{r.value}"{" selected" if r == u.role else ""}>{ROLE_LABELS[r]}</option>' for r in Role)
    token = csrf_field(me.csrf_token or "")
    toggle = "启用" if u.disabled else "停用"
    return f"""<tr data-user="{escape(u.email)}">
  <td>{escape(u.email)}</td><td>{escape(u.name)}</td><td>{escape(u.org_name)}</td>
  <td><form method="post" action="/admin/users/{u.id}" class="inline">{token}
    <select name="role" aria-label="角色">{options}</select><button type="submit" class="link-button">保存</button></form></td>
  <td>{"已停用" if u.disabled else "正常"}
    <form method="post" action="/admin/users/{u.id}" class="inline">{token}
    <input type="hidden" name="disabled" value="{"false" if u.disabled else "true"}">
    <button type="submit" class="link-button">{toggle}</button></form></td>
</tr>"""


def admin_view(container: ContainerDep, me: CurrentUser, *, note: str = "", error: str = "", status: int = 200) -> HTMLResponse:
    accounts = container.accounts
    users, orgs = accounts.list_users(), accounts.list_organisations()
    rows = "".join(_user_row(u, me) for u in users)
    org_options = "".join(f'<option value="{o.id}">{escape(o.name)}（{KIND_LABELS[o.kind]}）</option>' for o in orgs)
    role_options = "".join(f'<option value="{r.value}">{ROLE_LABELS[r]}</option>' for r in Role)
    kind_options = "".join(f'<option value="{k.value}">{KIND_LABELS[k]}</option>' for k in OrgKind)
    token = csrf_field(me.csrf_token or "")
    body = f"""<section class="card">
  <h2>用户管理</h2>
  <p class="small"><a href="/admin/billing">计费管理（会员、付款、订单、退费、可疑下载）</a></p>
  {message(error)}{message(note, error=False)}
  <div class="table-wrap"><table class="data">
    <thead><tr><th>邮箱</th><th>姓名</th><th>组织</th><th>角色</th><th>状态</th></tr></thead>
    <tbody id="users">{rows}</tbody>
  </table></div>
</section>
<section class="card">
  <h2>新建用户</h2>
  <form method="post" action="/admin/users" class="stack" id="create-user">{token}
    <label>邮箱<input type="email" name="email" required></label>
    <label>姓名<input type="text" name="name" maxlength="200"></label>
    <label>初始密码（至少 10 个字符）<input type="password" name="password" minlength="10" required autocomplete="new-password"></label>
    <label>角色<select name="role">{role_options}</select></label>
    <label>组织<select name="org_id" required>{org_options}</select></label>
    <button type="submit" class="primary">创建用户</button>
  </form>
</section>
<section class="card">
  <h2>新建组织</h2>
  <form method="post" action="/admin/organisations" class="stack" id="create-org">{token}
    <label>名称<input type="text" name="name" required maxlength="200"></label>
    <label>类型<select name="kind">{kind_options}</select></label>
    <label>统一社会信用代码（渠道伙伴填写，用于分享激励和退费）<input type="text" name="credit_code" maxlength="18" autocomplete="off"></label>
    <button type="submit" class="primary">创建组织</button>
  </form>
</section>"""
    return page("用户管理", body, status=status, user=me)


@router.get("/admin")
def admin_page(user: OptionalUserDep, container: ContainerDep, note: str = "") -> Response:
    if (refused := guard(user, "/admin", Role.admin)) is not None:
        return refused
    assert user is not None
    return admin_view(container, user, note=note[:200])


def _admin_post(posted: tuple[CurrentUser | None, dict[str, str]], path: str) -> tuple[CurrentUser, dict[str, str]] | Response:
    user, form = posted
    if (refused := guard(user, path, Role.admin)) is not None:
        return refused
    assert user is not None
    return user, form


def _done(note: str) -> Response:
    return RedirectResponse(f"/admin?note={quote(note)}", status_code=303)


@router.post("/admin/users")
async def admin_create_user(posted: FormUserDep, container: ContainerDep) -> Response:
    checked = _admin_post(posted, "/admin")
    if isinstance(checked, Response):
        return checked
    me, form = checked
    try:
        created = await run_in_threadpool(
            lambda: container.accounts.create_user(
                email=form.get("email", ""), password=form.get("password", ""), role=form.get("role", "partner"),
                org_id=form.get("org_id", ""), name=form.get("name", ""),
            )
        )  # fmt: skip
    except (AccountError, AccountNotFound) as exc:
        return admin_view(container, me, error=str(exc), status=409 if isinstance(exc, AccountConflict) else 422)
    return _done(f"已创建用户 {created.email}")


@router.post("/admin/users/{user_id}")
def admin_update_user(user_id: str, posted: FormUserDep, container: ContainerDep) -> Response:
    checked = _admin_post(posted, "/admin")
    if isinstance(checked, Response):
        return checked
    me, form = checked
    role = form.get("role") or None
    disabled = {"true": True, "false": False}.get(form.get("disabled", ""))
    try:
        check_not_self_lockout(me, user_id, role=Role(role) if role in {r.value for r in Role} else None, disabled=disabled)
        updated = container.accounts.update_user(user_id, role=role, disabled=disabled)
    except HTTPException as exc:
        return admin_view(container, me, error=str(exc.detail), status=exc.status_code)
    except (AccountError, AccountNotFound) as exc:
        return admin_view(container, me, error=str(exc), status=422)
    return _done(f"已更新 {updated.email}")


@router.post("/admin/organisations")
def admin_create_organisation(posted: FormUserDep, container: ContainerDep) -> Response:
    checked = _admin_post(posted, "/admin")
    if isinstance(checked, Response):
        return checked
    me, form = checked
    try:
        org = container.accounts.create_organisation(name=form.get("name", ""), kind=form.get("kind", "partner"),
                                                     credit_code=form.get("credit_code") or None)  # fmt: skip
    except AccountError as exc:
        return admin_view(container, me, error=str(exc), status=409 if isinstance(exc, AccountConflict) else 422)
    return _done(f"已创建组织 {org.name}")
