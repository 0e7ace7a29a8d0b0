"""Bad input is a 4xx naming what is wrong, never a 500 (issue 11, items 1, 3 and 5), over real HTTP.

Each case below once answered 500 (or 200 with nothing, or 422 leaking a codec message). Callers use
API keys (no CSRF); client addresses differ per test through `X-Forwarded-For` where quotas apply.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from conftest import LiveServer
from helpers import document_text
from pdf_writer import make_pdf
from test_widget import PORTAL, Caller, make_caller

from accounts.tables import Role

BIG = "99999999999999999999"  # past SQLite's (and PostgreSQL's) 64-bit integers


@pytest.fixture(scope="module")
def http(live_server: LiveServer) -> Any:
    with httpx.Client(base_url=live_server.url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def editor(live_server: LiveServer) -> Caller:
    return make_caller(live_server, Role.editor)


@pytest.fixture(scope="module")
def partner(live_server: LiveServer) -> Caller:
    return make_caller(live_server, Role.partner)


@pytest.fixture(scope="module")
def draft(http: httpx.Client, editor: Caller) -> str:
    """A document with one draft version, to aim the version-number cases at."""
    doc_id = f"faq-hardening-{uuid.uuid4().hex[:8]}"
    created = http.post("/api/editor/documents", json={"text": document_text(doc_id, status="draft")}, headers=editor.headers)
    assert created.status_code == 201, created.text
    return doc_id


def upload(http: httpx.Client, editor: Caller, filename: str, data: bytes) -> httpx.Response:
    body = {"filename": filename, "content_base64": base64.b64encode(data).decode()}
    return http.post("/api/editor/documents", json=body, headers=editor.headers)


def send(http: httpx.Client, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """POST `body` as ASCII JSON (`\\ud800` escaped, as a browser's JSON.stringify sends it; httpx's own
    encoder would refuse a lone surrogate)."""
    return http.post(path, content=json.dumps(body), headers={"Content-Type": "application/json", **(headers or {})})


def assert_refused(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    detail = str(response.json()["detail"])
    assert all(word in detail for word in words), detail
    assert "Traceback" not in response.text and "Error" not in detail


# -- item 1: uploads -------------------------------------------------------------------------------------
FAKE_UPLOADS = [
    pytest.param("empty.md", b"", "文件为空", id="empty"),
    pytest.param("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "不支持扩展名为 .exe", id="exe"),
    pytest.param("law.pdf", "第一条 这其实是一段纯文本。".encode(), "内容不是 PDF", id="pdf-holding-text"),
    pytest.param("law.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "内容不是 PDF", id="pdf-holding-mz"),
    pytest.param("law.txt", "第一条 网络运营者应当履行安全保护义务。".encode("gbk"), "GBK", id="gbk-txt"),
    pytest.param("law.docx", b"PK\x03\x04" + b"not really a zip" * 8, "内容不是 DOCX", id="fake-docx"),
]


@pytest.mark.parametrize(("filename", "data", "says"), FAKE_UPLOADS)
def test_an_unusable_upload_is_a_422_naming_the_problem(http, editor, filename: str, data: bytes, says: str) -> None:  # type: ignore[no-untyped-def]
    response = upload(http, editor, filename, data)
    assert_refused(response, 422, says)
    assert response.json()["problems"][0]["field"] == "file"


def test_a_pdf_decompression_bomb_is_refused_quickly(http, editor) -> None:  # type: ignore[no-untyped-def]
    bomb = make_pdf([["第一条 这一页的内容流解压后有几百兆空白。"]], blank_mb=200)
    assert len(bomb) < 1024 * 1024  # a small upload…
    started = time.monotonic()
    response = upload(http, editor, "bomb.pdf", bomb)  # …that inflates to 200 MB
    assert_refused(response, 422, "超出处理上限")
    assert time.monotonic() - started < 30


def test_a_scanned_pdf_is_a_422_not_an_empty_draft(http, editor) -> None:  # type: ignore[no-untyped-def]
    assert_refused(upload(http, editor, "scan.pdf", make_pdf([[], []])), 422, "扫描件")


# -- item 1: integers past 64 bits --------------------------------------------------------------------------
def test_integers_past_the_database_range_are_422(http, editor, draft: str) -> None:  # type: ignore[no-untyped-def]
    base = f"/api/editor/documents/{draft}"
    cases = [
        ("GET", f"/api/editor/documents?offset={BIG}", None),
        ("GET", f"/api/editor/audit?offset={BIG}", None),
        ("GET", f"{base}/diff?a=1&b={BIG}", None),
        ("GET", f"{base}/diff?a={BIG}&b=1", None),
        ("GET", f"{base}/versions/{BIG}/preview", None),
        ("POST", f"{base}/versions/{BIG}/submit", None),
        ("POST", f"{base}/versions/{BIG}/approve", None),
        ("POST", f"{base}/versions/{BIG}/reject", None),
        ("POST", f"{base}/versions/{BIG}/hit-test", {"query": "日志留存"}),
        ("POST", f"{base}/rollback", {"to": 1e20}),
        ("POST", f"{base}/rollback", {"to": int(BIG)}),
        ("GET", f"/api/conversations?offset={BIG}", None),
    ]
    for method, path, body in cases:
        response = http.request(method, path, json=body, headers=editor.headers)
        assert response.status_code == 422, f"{method} {path}: {response.status_code} {response.text[:200]}"
        assert any(word in str(response.json()["detail"]) for word in ("不能大于", "整数超出范围")), response.text
    assert http.get(f"{base}/versions/1/preview", headers=editor.headers).status_code == 200  # in range: fine


# -- item 1: NUL and lone surrogates, on every channel ---------------------------------------------------------
BAD_TEXT = [pytest.param("\u0000", id="nul"), pytest.param("\ud800", id="lone-surrogate"),
            pytest.param("等保\u0000三级", id="nul-inside")]  # fmt: skip


@pytest.mark.parametrize("text", BAD_TEXT)
def test_web_chat_refuses_invalid_characters(http, text: str) -> None:  # type: ignore[no-untyped-def]
    response = send(http, "/api/chat", {"message": text}, {"Accept": "application/json"})
    assert_refused(response, 422, "无效字符")
    assert "codec" not in response.text and "surrogates not allowed" not in response.text


@pytest.mark.parametrize("text", BAD_TEXT)
def test_openai_api_refuses_invalid_characters(http, text: str) -> None:  # type: ignore[no-untyped-def]
    for messages in ([{"role": "user", "content": text}],
                     [{"role": "user", "content": text}, {"role": "user", "content": "等保三级要求"}],
                     [{"role": "user", "content": [{"type": "text", "text": text}]}]):  # fmt: skip
        response = send(http, "/v1/chat/completions", {"model": "top-advisor", "messages": messages})
        assert response.status_code == 400, response.text
        assert "无效字符" in response.json()["error"]["message"]


@pytest.mark.parametrize("text", BAD_TEXT)
def test_widget_refuses_invalid_characters_with_its_cors_header(http, partner, text: str) -> None:  # type: ignore[no-untyped-def]
    created = http.post("/api/widget-keys", json={"allowed_origins": [PORTAL]}, headers=partner.headers).json()
    headers = {"Origin": PORTAL, "Accept": "application/json", "X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 200}"}
    in_message = send(http, f"/api/widget/{created['id']}/chat", {"message": text}, headers)
    assert in_message.status_code == 422 and "无效字符" in str(in_message.json()["detail"])
    assert in_message.headers["access-control-allow-origin"] == PORTAL
    token = jwt.encode({"sub": "v-1", "exp": int(time.time()) + 600, "customer": text}, created["secret"], algorithm="HS256")
    in_token = send(http, f"/api/widget/{created['id']}/chat", {"message": "那他们的数据安全呢？", "identity_token": token}, headers)
    assert in_token.status_code == 401 and "customer" in in_token.json()["detail"] and "无效字符" in in_token.json()["detail"]
    assert in_token.headers["access-control-allow-origin"] == PORTAL  # the partner's page can read why


@pytest.mark.parametrize("text", BAD_TEXT)
def test_other_bodies_refuse_invalid_characters(http, editor, partner, text: str) -> None:  # type: ignore[no-untyped-def]
    note = send(http, "/api/editor/documents", {"text": "---\n", "note": text}, editor.headers)
    assert_refused(note, 422, "note", "无效字符")
    key = send(http, "/api/api-keys", {"name": text}, editor.headers)
    assert_refused(key, 422, "name", "无效字符")
    widget = send(http, "/api/widget-keys", {"title": f"门户{text}", "allowed_origins": [PORTAL]}, partner.headers)
    assert_refused(widget, 422, "title", "无效字符")
    login = send(http, "/api/auth/login", {"email": text, "password": text})
    assert_refused(login, 422, "无效字符")


def test_search_refuses_a_nul_in_the_query(http) -> None:  # type: ignore[no-untyped-def]
    assert_refused(http.get("/api/search", params={"q": "等保\u0000"}), 422, "无效字符")


# -- item 3: /api/search under TOP_REQUIRE_LOGIN --------------------------------------------------------------
def test_search_needs_a_login_when_login_is_required(starter_container, partner) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from conftest import LiveServer as Server
    from conftest import _free_port

    settings = starter_container.settings.model_copy(update={"require_login": True})
    locked = dataclasses.replace(starter_container, settings=settings)
    with Server(locked, _free_port()) as server:
        anonymous = httpx.get(f"{server.url}/api/search", params={"q": "等级保护"})
        assert anonymous.status_code == 401 and anonymous.json()["detail"] == "请先登录"
        signed_in = httpx.get(f"{server.url}/api/search", params={"q": "等级保护"}, headers=partner.headers)
        assert signed_in.status_code == 200 and signed_in.json()


def test_search_stays_open_by_default(http) -> None:  # type: ignore[no-untyped-def]
    assert http.get("/api/search", params={"q": "等级保护"}).status_code == 200


# -- item 5: full matches, public suffixes, front-matter URLs ----------------------------------------------------
def test_a_colour_with_a_trailing_newline_is_refused(http, partner) -> None:  # type: ignore[no-untyped-def]
    refused = http.post("/api/widget-keys", json={"colour": "#abcdef\n"}, headers=partner.headers)
    assert_refused(refused, 422, "#rrggbb")
    key = http.post("/api/widget-keys", json={}, headers=partner.headers).json()["id"]
    patched = http.patch(f"/api/widget-keys/{key}", json={"colour": "#abcdef\n"}, headers=partner.headers)
    assert_refused(patched, 422, "#rrggbb")


@pytest.mark.parametrize("origin", ["https://*.co.uk", "https://*.com.cn", "https://*.github.io", "https://*.gov.cn"])
def test_a_wildcard_over_a_public_suffix_is_refused(http, partner, origin: str) -> None:  # type: ignore[no-untyped-def]
    refused = http.post("/api/widget-keys", json={"allowed_origins": [origin]}, headers=partner.headers)
    assert_refused(refused, 422, "公共后缀")
    ok = http.post("/api/widget-keys", json={"allowed_origins": ["https://*.example.co.uk"]}, headers=partner.headers)
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>",
                                 "vbscript:msgbox(1)", "//evil.example.com/x", "/\\evil.example.com", "/cases/a b",
                                 "https://ok.example.com/a b"])  # fmt: skip
def test_front_matter_refuses_urls_that_are_not_web_addresses(http, editor, url: str) -> None:  # type: ignore[no-untyped-def]
    text = document_text(f"faq-url-{uuid.uuid4().hex[:8]}", status="draft", source={"issuer": "测试", "url": url})
    response = http.post("/api/editor/documents", json={"text": text}, headers=editor.headers)
    assert response.status_code == 422, response.text
    assert any(p["field"] == "source.url" for p in response.json()["problems"])


def test_front_matter_takes_a_path_on_this_site(http, editor) -> None:  # type: ignore[no-untyped-def]
    """A partner case links its page here (`/cases/…`); a relative path cannot run script or leave the site."""
    text = document_text(f"faq-url-{uuid.uuid4().hex[:8]}", status="draft", source={"issuer": "测试", "url": "/cases/abc123"})
    response = http.post("/api/editor/documents", json={"text": text}, headers=editor.headers)
    assert response.status_code == 201, response.text


def test_a_doc_id_with_a_trailing_newline_is_refused(http, editor) -> None:  # type: ignore[no-untyped-def]
    text = document_text("faq-newline-id", status="draft").replace("id: faq-newline-id", 'id: "faq-newline-id\\n"')
    response = http.post("/api/editor/documents", json={"text": text}, headers=editor.headers)
    assert response.status_code == 422 and any(p["field"] == "id" for p in response.json()["problems"])
