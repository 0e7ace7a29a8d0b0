"""Widget keys, partner side: `/api/widget-keys` (JSON), the `/widgets` management page and a key's preview.

Partners manage their own organisation's keys (another organisation's key is a 404); administrators
may manage any key. The secret comes back only from create and rotate. Cookie-authenticated writes
need `X-CSRF-Token` (enforced by the auth dependency). Each key comes with the origins it recently
refused (accounts/refusals.py), so a portal missing from its list is easy to spot.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accounts.refusals import RefusedOrigin
from accounts.tables import Role
from accounts.widgets import WidgetKeyCreate, WidgetKeyCreated, WidgetKeyPublic, WidgetKeyUpdate
from api.auth import CurrentUser, OptionalUserDep, PartnerDep
from api.deps import require_json
from api.entitlements import entitled
from api.routes.pages import guard, page
from api.routes.widget import WidgetsDep, WidgetServices, may_manage

__all__ = ["pages", "router"]

router = APIRouter(prefix="/api/widget-keys", tags=["widget keys"])
pages = APIRouter(include_in_schema=False)


PAGE_NAME = "网站小组件"  # the same name in the chat's menu (static/strings.js) and on the page


class WidgetKeyView(WidgetKeyPublic):
    refused_origins: list[RefusedOrigin] = Field(
        default_factory=list, description="最近被拒绝的嵌入来源（最多 10 个、30 天内），最近的在前"
    )


class WidgetKeyList(BaseModel):
    items: list[WidgetKeyView]


class WidgetSecret(BaseModel):
    id: str
    secret: str


def scope(user: CurrentUser) -> str | None:
    """Whose keys the caller sees: its organisation's, or (administrators) everyone's."""
    return None if user.role == Role.admin else user.org_id


def _view(widgets: WidgetServices, key: WidgetKeyPublic) -> WidgetKeyView:
    return WidgetKeyView(**key.model_dump(), refused_origins=widgets.refusals.recent(key.id))


@router.get("", response_model=WidgetKeyList)
async def list_keys(user: PartnerDep, widgets: WidgetsDep) -> WidgetKeyList:
    keys = await run_in_threadpool(lambda: [_view(widgets, k) for k in widgets.store.list(org_id=scope(user))])
    return WidgetKeyList(items=keys)


# OpenAPI links: what a client (and the stateful schema tests) can do next with the key it created.
_KEY_ID = {"key_id": "$response.body#/id"}
CREATED_LINKS: dict[int | str, dict[str, Any]] = {201: {"description": "Created", "links": {
    "RotateSecret": {"operationId": "rotate_secret_api_widget_keys__key_id__rotate_secret_post", "parameters": _KEY_ID},
    "ChatThroughKey": {"operationId": "widget_chat_api_widget__key_id__chat_post", "parameters": _KEY_ID},
}}}  # fmt: skip


@router.post("", status_code=201, response_model=WidgetKeyCreated, dependencies=[Depends(require_json), Depends(entitled("widget_keys"))],
             responses=CREATED_LINKS)  # fmt: skip
async def create_key(body: WidgetKeyCreate, user: PartnerDep, widgets: WidgetsDep) -> WidgetKeyCreated:
    """Create a key for the caller's organisation. The response's `secret` is shown this once."""
    return await run_in_threadpool(lambda: widgets.store.create(org_id=user.org_id, user_id=user.id, data=body))


@router.get("/{key_id}", response_model=WidgetKeyView)
async def get_key(key_id: str, user: PartnerDep, widgets: WidgetsDep) -> WidgetKeyView:
    return await run_in_threadpool(lambda: _view(widgets, widgets.store.get(key_id, org_id=scope(user))))


@router.patch("/{key_id}", response_model=WidgetKeyView, dependencies=[Depends(require_json)])
async def update_key(key_id: str, body: WidgetKeyUpdate, user: PartnerDep, widgets: WidgetsDep) -> WidgetKeyView:
    """Change the fields sent (title, greeting, colour, show_sources, allowed_origins, quotas, flags)."""

    def update() -> WidgetKeyView:
        key = widgets.store.update(key_id, org_id=scope(user), changes=body)
        for origin in body.allowed_origins or []:  # allowed now: no longer a refusal to fix
            widgets.refusals.forget(key_id, origin)
        return _view(widgets, key)

    return await run_in_threadpool(update)


@router.post("/{key_id}/rotate-secret", response_model=WidgetSecret)
async def rotate_secret(key_id: str, user: PartnerDep, widgets: WidgetsDep) -> WidgetSecret:
    """A new secret, shown this once; identity tokens signed with the old one stop working at once."""
    secret = await run_in_threadpool(lambda: widgets.store.rotate_secret(key_id, org_id=scope(user)))
    return WidgetSecret(id=key_id, secret=secret)


@router.delete("/{key_id}", status_code=204)
async def delete_key(key_id: str, user: PartnerDep, widgets: WidgetsDep) -> Response:
    await run_in_threadpool(lambda: widgets.store.delete(key_id, org_id=scope(user)))
    await run_in_threadpool(widgets.refusals.forget, key_id)
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
    <h2>{PAGE_NAME}</h2>
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
    return page(PAGE_NAME, body, user=user)


@pages.get("/widgets/{key_id}/preview")
async def widget_preview(key_id: str, user: OptionalUserDep, widgets: WidgetsDep) -> Response:
    """A page of ours with the key's snippet on it: its owner tries the launcher and the chat before pasting
    the snippet into a portal (the embed admits our own origin for the key's owner only)."""
    if (refused := guard(user, f"/widgets/{key_id}/preview", Role.partner)) is not None:
        return refused
    widget = await run_in_threadpool(widgets.store.resolve, key_id)
    if widget is None or not may_manage(user, widget):
        missing = f'<section class="card narrow"><h2>没有这个小组件</h2><p><a href="/widgets">返回{PAGE_NAME}</a></p></section>'
        return page("未找到", missing, status=404, user=user)
    look = widget.public
    origins = "、".join(look.allowed_origins) or "（尚未填写）"
    body = f"""<link rel="stylesheet" href="/static/widgets.css">
<section class="card preview-page" id="widget-preview">
  <h2>预览：{escape(look.title)}</h2>
  <p>这是嵌入效果的预览：访客在你的网站上看到的就是右下角的按钮和对话窗口。这里的对话是真实的，会计入小组件的配额。</p>
  <p class="muted small">实际嵌入时，只有“允许嵌入的网站来源”中的网站能打开对话：{escape(origins)}。</p>
  {"" if look.enabled else '<p class="form-error">此小组件已停用：启用后才能预览和使用。</p>'}
  <p><a href="/widgets">返回{PAGE_NAME}</a></p>
</section>
<script src="/widget.js" data-widget="{escape(widget.id)}" async></script>
<script type="module" src="/static/widget-preview.js"></script>"""
    return page(f"预览 · {look.title}", body, user=user)
