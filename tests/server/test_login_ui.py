"""Logging in through the form in a real headless Chromium, chatting as that user, logging out; the admin page.

The browser comes from tests/ui_browser.py. The session cookie is Secure: Chromium keeps it
on http://127.0.0.1 because loopback counts as a secure context.
"""

from __future__ import annotations

import dataclasses
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import LiveServer
from ui_browser import watch_csp

from accounts.tables import Role

PASSWORD = "s3cure-enough-passphrase"


@pytest.fixture(scope="module")
def locked(starter_container: Any) -> Iterator[LiveServer]:
    """The app with TOP_REQUIRE_LOGIN=true."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    settings = starter_container.settings.model_copy(update={"require_login": True})
    with LiveServer(dataclasses.replace(starter_container, settings=settings), port) as server:
        yield server


def new_page(browser: Any, server: LiveServer) -> Any:
    context = browser.new_context(base_url=server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    errors: list[str] = watch_csp(context, [])  # CSP violations count as errors too
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    return page


def make_user(server: LiveServer, role: Role, name: str) -> str:
    accounts = server.container.accounts
    org = accounts.create_organisation(name=f"界面测试-{uuid.uuid4().hex[:8]}")
    email = f"ui-{uuid.uuid4().hex[:8]}@example.cn"
    accounts.create_user(email=email, password=PASSWORD, role=role, org_id=org.id, name=name)
    return email


def log_in(page: Any, email: str) -> None:
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')


def test_log_in_chat_with_the_csrf_header_and_log_out(browser: Any, locked: LiveServer) -> None:
    email = make_user(locked, Role.partner, "张伟")
    page = new_page(browser, locked)
    page.goto("/")
    page.wait_for_url("**/login?next=*")  # login required: the chat sends the visitor to the form
    log_in(page, email)
    page.wait_for_url(f"{locked.url}/")
    account = page.locator("#account")
    account.get_by_text("张伟（渠道伙伴）").wait_for()
    session = next(c for c in page.context.cookies() if c["name"] == "top_session")
    assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Lax"

    with page.expect_request("**/api/chat") as request_info:
        page.fill("#input", "等保三级对医院有什么要求？")
        page.press("#input", "Enter")
    assert request_info.value.headers.get("x-csrf-token")
    page.wait_for_function(
        "() => { const r = document.querySelector('.msg-assistant'); return r && !r.hasAttribute('aria-busy'); }"
    )
    assert page.locator(".msg-assistant .md").inner_text().strip()
    assert not page.locator("#form-error").is_visible()
    page.locator("#history .history-open").first.wait_for()

    page.click("#logout")
    page.wait_for_url("**/login")
    assert page.request.get("/api/me").status == 401
    assert not page.errors, page.errors
    page.context.close()


def test_a_wrong_password_shows_the_form_again(browser: Any, locked: LiveServer) -> None:
    email = make_user(locked, Role.partner, "李娜")
    page = new_page(browser, locked)
    page.goto("/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', "not-the-password")
    page.click('button[type="submit"]')
    page.get_by_text("登录失败").wait_for()
    assert page.url.endswith("/login") and page.locator('input[name="password"]').is_visible()
    page.context.close()


def test_an_admin_creates_a_user_on_the_admin_page(browser: Any, locked: LiveServer) -> None:
    admin = make_user(locked, Role.admin, "管理员")
    page = new_page(browser, locked)
    page.goto("/admin")
    page.wait_for_url("**/login?next=/admin")
    log_in(page, admin)
    page.wait_for_url("**/admin")
    email = f"new-{uuid.uuid4().hex[:6]}@example.cn"
    form = page.locator("#create-user")
    form.locator('input[name="email"]').fill(email)
    form.locator('input[name="name"]').fill("新同事")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('select[name="role"]').select_option("editor")
    form.locator('button[type="submit"]').click()
    page.get_by_text(f"已创建用户 {email}").wait_for()
    row = page.locator(f'tr[data-user="{email}"]')
    assert "新同事" in row.inner_text() and row.locator("select").input_value() == "editor"
    row.get_by_role("button", name="停用").click()
    page.locator(f'tr[data-user="{email}"]').get_by_text("已停用").wait_for()
    assert locked.container.accounts.authenticate(email, PASSWORD) is None
    assert not page.errors, page.errors
    page.context.close()
