"""Privacy across every channel, end to end over real HTTP: what organisation A types never reaches anyone else.

Organisation A (a partner) uses every feature with planted strings: it asks the chat (JSON and SSE) about a unique
customer with a unique sentence, exports the reply (md, docx, pdf), shares the conversation with its colleagues,
drafts a case (never confirmed) with another unique sentence, publishes a second case (only the redacted text
may leave A), watches its customer, runs a widget whose visitor asks with a third unique sentence, and chats over
/v1/chat/completions. Then, while every log record of the server is captured:

- partner B (another organisation) probes chat (JSON, SSE, continuing A's conversation id), /v1 (streamed),
  search, A's message exports and share link, the case library, case pages and downloads, discussions,
  rankings (API, CSV, page, map, trend), its updates and watchlist, /metrics, /readyz;
- partner C watches A's customer by name: its updates must not reveal A's unpublished cases;
- an anonymous visitor and a visitor of B's widget (page and chat, SSE and JSON, with A's conversation ids);
- an administrator exports B's organisation: the zip holds nothing of A (and A's export holds A's: it can fail).

tests/server/test_case_isolation.py checks the case channels in depth; this module is the breadth.
"""

from __future__ import annotations

import io
import logging
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from conftest import LiveServer
from helpers_cases import JSON, Member, call, case_body, draft, member, ok, publish, unique_customer

from accounts.tables import Role

PORTAL = "https://portal-b.example.com"
A_PORTAL = "https://portal-a.example.com"
SSE = {"Accept": "text/event-stream"}


def _tag() -> str:
    return "".join("子丑寅卯辰巳午未申酉戌亥"[int(c, 16) % 12] for c in uuid.uuid4().hex[:6])


@dataclass
class World:
    a: Member
    b: Member
    c: Member
    admin: Member
    customer: str
    markers: list[str]  # sentences only A typed: never anywhere outside A, whatever is asked
    ids: list[str] = field(default_factory=list)  # A's conversation, message and unpublished case ids
    conversation: str = ""
    message: str = ""
    widget_conversation: str = ""
    b_widget: str = ""
    draft_case: str = ""
    published_case: str = ""
    logs: list[str] = field(default_factory=list)

    @property
    def secrets(self) -> list[str]:
        return [self.customer, *self.markers, self.a.email, self.a.name]


class _Capture(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("httpx", "httpcore")):  # the test's own client
            return
        self.sink.append(f"{record.name} {record.getMessage()} {record.exc_text or ''}")


def _widget_key(server: LiveServer, owner: Member, origin: str) -> str:
    return ok(call(server, owner, "POST", "/api/widget-keys", json={"allowed_origins": [origin]}), 201)["id"]


def _widget_chat(
    server: LiveServer, key: str, origin: str, body: dict[str, object], accept: str = "application/json"
) -> httpx.Response:
    return httpx.post(f"{server.url}/api/widget/{key}/chat", json=body, timeout=180, headers={"Origin": origin, "Accept": accept})


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> Iterator[World]:
    server = live_server
    logs: list[str] = []
    handler = _Capture(logs)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        a = member(server, Role.partner, name=f"甲方用户{_tag()}")
        editor = member(server, Role.editor)
        customer = unique_customer()
        tags = [_tag() for _ in range(4)]
        markers = [f"青鸾暗号{tags[0]}要求把备份放在地下二层", f"白鹭暗号{tags[1]}规定核心交换机只许周三变更",
                   f"赤狐暗号{tags[2]}说明门户访客的工号规则", f"玄龟暗号{tags[3]}写明接口调用的私有口令"]  # fmt: skip
        w = World(a=a, b=member(server, Role.partner), c=member(server, Role.partner), admin=member(server, Role.admin),
                  customer=customer, markers=markers, logs=logs)  # fmt: skip
        # chat (JSON), then its exports and share link
        reply = ok(call(server, a, "POST", "/api/chat", json={"message": f"{customer}要做等保三级，{markers[0]}"}))
        w.conversation, w.message = reply["conversation_id"], reply["message_id"]
        for fmt in ("md", "docx", "pdf"):
            assert call(server, a, "GET", f"/api/messages/{w.message}/export", params={"format": fmt}).status_code == 200
        ok(call(server, a, "POST", f"/api/conversations/{w.conversation}/share"))
        # chat (SSE) in the same conversation, and /v1
        streamed = call(server, a, "POST", "/api/chat", json={"message": f"{customer}的数据库审计怎么做", "conversation_id": w.conversation},
                        headers=SSE)  # fmt: skip
        assert streamed.status_code == 200 and "event: done" in streamed.text, streamed.text[-500:]
        ok(call(server, a, "POST", "/v1/chat/completions", json={"model": "top-advisor", "messages": [
            {"role": "user", "content": f"{customer}：{markers[3]}"}]}))  # fmt: skip
        # cases: a draft with a planted sentence, a published one (its customer redacted away)
        w.draft_case = draft(server, a, case_body(customer, marker=markers[1]))["id"]
        w.published_case = publish(server, a, editor, case_body(customer))["id"]
        ok(call(server, a, "POST", f"/api/cases/{w.published_case}/download"))
        # the watchlist, and A's widget with a visitor who names the customer
        ok(call(server, a, "POST", "/api/watchlist", json={"customer": customer}), 201)
        a_widget = _widget_key(server, a, A_PORTAL)
        visited = _widget_chat(server, a_widget, A_PORTAL, {"message": f"{customer}：{markers[2]}"})
        assert visited.status_code == 200, visited.text
        w.widget_conversation = visited.json()["conversation_id"]
        w.ids = [w.conversation, w.message, w.widget_conversation, w.draft_case]
        # C watches A's customer by name; B has a widget of its own
        ok(call(server, w.c, "POST", "/api/watchlist", json={"customer": customer}), 201)
        w.b_widget = _widget_key(server, w.b, PORTAL)
        yield w
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _clean(body: str, secrets: list[str], where: str) -> None:
    leaked = [s for s in secrets if s in body]
    assert not leaked, f"{where} shows {leaked}: …{body[:400]}…"


def _probe(server: LiveServer, who: Member | None, method: str, path: str, **kwargs: object) -> str:
    if who is None:
        response = httpx.request(method, f"{server.url}{path}", timeout=180, **{"headers": JSON, **kwargs})  # type: ignore[arg-type]
    else:
        response = call(server, who, method, path, **kwargs)
    assert response.status_code < 500, f"{method} {path}: {response.status_code} {response.text[:300]}"
    if response.headers.get("content-type", "").startswith("application/zip") or response.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return response.content.decode("utf-8", "replace")


def _others_view(server: LiveServer, w: World, who: Member | None) -> dict[str, str]:
    """What `who` (B, or anonymous when None) gets from every channel, by channel name (naming any id it sends)."""
    out: dict[str, str] = {}
    for i, q in enumerate(["青鸾暗号", "白鹭暗号是什么", "地下二层的备份", "澜沧 县人民医院 等保三级"]):
        out[f"search {i}"] = _probe(server, who, "GET", "/api/search", params={"q": q, "k": 50})
    out["chat json"] = _probe(server, who, "POST", "/api/chat", json={"message": "青鸾暗号要求把备份放在哪里？"})
    out["chat sse"] = _probe(server, who, "POST", "/api/chat", json={"message": "白鹭暗号规定什么时候变更？"}, headers=SSE)
    out[f"chat continuing {w.conversation}"] = _probe(
        server, who, "POST", "/api/chat", json={"message": "继续", "conversation_id": w.conversation}
    )
    out["v1 stream"] = _probe(server, who, "POST", "/v1/chat/completions", json={
        "model": "top-advisor", "stream": True, "messages": [{"role": "user", "content": "玄龟暗号写明了什么口令？"}]}, headers=SSE)  # fmt: skip
    out[f"conversation {w.conversation}"] = _probe(server, who, "GET", f"/api/conversations/{w.conversation}")
    out["conversations"] = _probe(server, who, "GET", "/api/conversations", params={"limit": 100})
    out[f"shared {w.conversation}"] = _probe(server, who, "GET", f"/api/shared/{w.conversation}")
    for fmt in ("md", "docx", "pdf"):
        out[f"export {w.message} {fmt}"] = _probe(server, who, "GET", f"/api/messages/{w.message}/export", params={"format": fmt})
    out[f"feedback {w.message}"] = _probe(server, who, "POST", "/api/feedback", json={"message_id": w.message, "rating": 1})
    out["cases"] = _probe(server, who, "GET", "/api/cases", params={"limit": 100, "q": "白鹭暗号"})
    out["cases options"] = _probe(server, who, "GET", "/api/cases/options")
    for case_id in (w.draft_case, w.published_case):
        for path in (f"/api/cases/{case_id}", f"/api/cases/{case_id}/redaction", f"/api/cases/{case_id}/audit", f"/cases/{case_id}",
                     f"/api/documents/pc-{case_id}", f"/documents/pc-{case_id}"):  # fmt: skip
            out[path] = _probe(server, who, "GET", path)
        out[f"download {case_id}"] = _probe(server, who, "POST", f"/api/cases/{case_id}/download")
    out["mentionable"] = _probe(server, who, "GET", "/api/discussions/mentionable", params={"q": "澜沧"})
    out["discussions"] = _probe(server, who, "GET", "/api/discussions", params={"limit": 100})
    out["discussions page"] = _probe(server, who, "GET", "/discussions")
    for path in (
        "/api/rankings",
        "/api/rankings.csv",
        "/api/rankings/options",
        "/api/rankings/map",
        "/api/rankings/trend",
        "/rankings",
    ):
        out[path] = _probe(server, who, "GET", path)
    for path in ("/api/updates", "/api/updates/count", "/api/watchlist", "/updates", "/metrics", "/readyz", "/healthz"):
        out[path] = _probe(server, who, "GET", path)
    out["sw.js"] = _probe(server, who, "GET", "/sw.js")
    return out


@pytest.mark.parametrize("reader", ["partner", "anonymous"])
def test_another_organisation_and_anonymous_visitors_never_see_As_strings(
    live_server: LiveServer, world: World, reader: str
) -> None:
    who = world.b if reader == "partner" else None
    for channel, body in _others_view(live_server, world, who).items():
        _clean(body, world.secrets, f"{channel} ({reader})")
        _clean(body, [i for i in world.ids if i not in channel], f"{channel} ({reader})")  # an id asked for may be echoed


def test_a_visitor_of_Bs_widget_never_sees_As_strings(live_server: LiveServer, world: World) -> None:
    server, key = live_server, world.b_widget
    page = httpx.get(f"{server.url}/embed/{key}", headers={"Referer": f"{PORTAL}/"}, timeout=30)
    assert page.status_code < 500
    bodies = {"embed page": page.text}
    for accept in ("application/json", "text/event-stream"):
        for i, body in enumerate([{"message": "赤狐暗号说明了什么工号规则？"}, {"message": "继续", "conversation_id": world.widget_conversation},
                                  {"message": "继续", "conversation_id": world.conversation}]):  # fmt: skip
            response = _widget_chat(server, key, PORTAL, body, accept)
            assert response.status_code < 500, response.text
            bodies[f"widget chat {accept} {i} {body.get('conversation_id', '')}"] = response.text
    for channel, text in bodies.items():
        _clean(text, world.secrets, channel)
        _clean(text, [i for i in world.ids if i not in channel], channel)


def test_a_partner_watching_As_customer_learns_nothing_of_As_unpublished_work(live_server: LiveServer, world: World) -> None:
    for path in ("/api/updates", "/updates", "/api/updates/count"):
        body = _probe(live_server, world.c, "GET", path, params={"limit": 500} if path == "/api/updates" else {})
        _clean(body, [*world.markers, world.a.email, world.a.name, world.draft_case, *world.ids[:3]], f"{path} (watcher)")


def test_an_export_of_another_organisation_holds_nothing_of_A_and_As_own_holds_As(live_server: LiveServer, world: World) -> None:
    server = live_server
    exported_b = _probe(server, world.admin, "GET", f"/api/admin/organisations/{world.b.org_id}/export")
    assert world.b.email in exported_b  # unzipped, and it is B's
    _clean(exported_b, [*world.secrets, *world.ids], "org export of B")
    exported_c = _probe(server, world.admin, "GET", f"/api/admin/organisations/{world.c.org_id}/export")
    _clean(exported_c, [*world.markers, world.a.email, *world.ids], "org export of C")
    exported_a = _probe(server, world.admin, "GET", f"/api/admin/organisations/{world.a.org_id}/export")
    for planted in (world.customer, world.markers[0], world.markers[1], world.markers[2], world.conversation):
        assert planted in exported_a, planted  # the probes above can fail: A's strings are stored and exported


def test_the_server_logs_no_customer_name_or_message_text(live_server: LiveServer, world: World) -> None:
    """Operators read the logs: what partners type stays out of them (ids and route templates only)."""
    assert any(line.startswith("api.access ") for line in world.logs)  # the capture works: the access log is in it
    _clean("\n".join(world.logs), [world.customer, *world.markers], "server logs")


def test_As_own_channels_carry_As_strings(live_server: LiveServer, world: World) -> None:
    """The positive control: the same probes as A find A's strings, so the checks above are able to fail."""
    a = world.a
    assert world.markers[0] in _probe(live_server, a, "GET", f"/api/conversations/{world.conversation}")
    assert world.customer in _probe(live_server, a, "GET", f"/api/messages/{world.message}/export", params={"format": "md"})
    assert world.markers[1] in _probe(live_server, a, "GET", f"/api/cases/{world.draft_case}")
    assert world.customer in _probe(live_server, a, "GET", "/api/watchlist")
    assert world.markers[0] in _probe(live_server, member(live_server, Role.partner, org_id=a.org_id), "GET",
                                      f"/api/shared/{world.conversation}")  # fmt: skip
