"""Widget keys, partner side: `/api/widget-keys` (JSON) and the `/widgets` management page.

Partners manage their own organisation's keys (another organisation's key is a 404); administrators
may manage any key. The secret comes back only from create and rotate. Cookie-authenticated writes
need `X-CSRF-Token` (enforced by the auth dependency).
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from accounts.tables import Role
from accounts.widgets import WidgetKeyCreate, WidgetKeyCreated, WidgetKeyPublic, WidgetKeyUpdate
from api.auth import CurrentUser, OptionalUserDep, PartnerDep
from api.deps import require_json
from api.routes.pages import guard, page
from api.routes.widget import WidgetsDep

__all__ = ["pages", "router"]

router = APIRouter(prefix="/api/widget-keys", tags=["widget keys"])
pages = APIRouter(include_in_schema=False)


class WidgetKeyList(BaseModel):
    items: list[WidgetKeyPublic]


class WidgetSecret(BaseModel):
    id: str
    secret: str


def scope(user: CurrentUser) -> str | None:
    """Whose keys the caller sees: its organisation's, or (administrators) everyone's."""
    return None if user.role == Role.admin else user.org_id


@router.get("", response_model=WidgetKeyList)
async def list_keys(user: PartnerDep, widgets: WidgetsDep) -> WidgetKeyList:
    return WidgetKeyList(items=await run_in_threadpool(lambda: widgets.store.list(org_id=scope(user))))


# OpenAPI links: what a client (and the stateful schema tests) can do next with the key it created.
_KEY_ID = {"key_id": "$response.body#/id"}
CREATED_LINKS = {201: {"description": "Created", "links": {
    "RotateSecret": {"operationId": "rotate_secret_api_widget_keys__key_id__rotate_secret_post", "parameters": _KEY_ID},
    "ChatThroughKey": {"operationId": "widget_chat_api_widget__key_id__chat_post", "parameters": _KEY_ID},
}}}  # fmt: skip


@router.post("", status_code=201, response_model=WidgetKeyCreated, dependencies=[Depends(require_json)], responses=CREATED_LINKS)
async def create_key(body: WidgetKeyCreate, user: PartnerDep, widgets: WidgetsDep) -> WidgetKeyCreated:
    """Create a key for the caller's organisation. The response's `secret` is shown this once."""
    return await run_in_threadpool(lambda: widgets.store.create(org_id=user.org_id, user_id=user.id, data=body))


@router.get("/{key_id}", response_model=WidgetKeyPublic)
async def get_key(key_id: str, user: PartnerDep, widgets: WidgetsDep) -> WidgetKeyPublic:
    return await run_in_threadpool(lambda: widgets.store.get(key_id, org_id=scope(user)))


@router.patch("/{key_id}", response_model=WidgetKeyPublic, dependencies=[Depends(require_json)])
async def update_key(key_id: str, body: WidgetKeyUpdate, user: PartnerDep, widgets: WidgetsDep) -> WidgetKeyPublic:
    """Change the fields sent (title, greeting, colour, show_sources, allowed_origins, quotas, flags)."""
    return await run_in_threadpool(lambda: widgets.store.update(key_id, org_id=scope(user), changes=body))


@router.post("/{key_id}/rotate-secret", response_model=WidgetSecret)
async def rotate_secret(key_id: str, user: PartnerDep, widgets: WidgetsDep) -> WidgetSecret:
    """A new secret, shown this once; identity tokens signed with the old one stop working at once."""
    secret = await run_in_threadpool(lambda: widgets.store.rotate_secret(key_id, org_id=scope(user)))
    return WidgetSecret(id=key_id, secret=secret)


@router.delete("/{key_id}", status_code=204)
async def delete_key(key_id: str, user: PartnerDep, widgets: WidgetsDep) -> Response:
    await run_in_threadpool(lambda: widgets.store.delete(key_id, org_id=scope(user)))
    return Response(status_code=204)


@pages.get("/widgets")
def widgets_page(user: OptionalUserDep) -> Response:
    """The partner's key manager (log in as a partner or an administrator)."""
    if (refused := guard(user, "/widgets", Role.partner)) is not None:
        return refused
    assert user is not None
    body = f"""<link rel="stylesheet" href="/static/widgets.css">
<section class="card" id="widgets-app" data-csrf="{escape(user.csrf_token or "")}" data-org="{escape(user.org_name)}">
  <div class="widgets-head">
    <h2>网站小组件</h2>
    <button type="button" id="new-widget" class="primary">新建小组件</button>
  </div>
  <p class="muted small">把对话窗口嵌入你的门户：为每个网站创建一个小组件，填写允许嵌入的网站来源，复制嵌入代码到页面中。</p>
  <p id="widgets-status" class="form-error" role="alert" hidden></p>
  <div id="secret-box" class="secret-box" hidden></div>
  <ul id="widget-list" class="widget-list" aria-live="polite"></ul>
  <p id="widgets-empty" class="muted" hidden>还没有小组件。</p>
</section>
<section class="card" id="widget-editor" hidden></section>
<script type="module" src="/static/widgets.js"></script>"""
    return page("网站小组件", body, user=user)
