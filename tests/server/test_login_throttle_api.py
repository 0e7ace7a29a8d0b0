"""Login throttling over real HTTP (issue 11, item 2): 50 wrong passwords then the right one is a 429 with
Retry-After and a Chinese lockout notice (JSON and the login page), every attempt is in the audit, and
with Redis two servers count together.

Each test serves the shared starter container with a login service of its own (fresh counters), so
the locks it provokes on 127.0.0.1 do not reach other tests.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from conftest import LiveServer, _free_port
from test_auth_api import PASSWORD

from accounts.login import LoginAudit, LoginService
from accounts.tables import Role
from accounts.throttle import LoginThrottle, MemoryThrottleStore, ThrottlePolicy, ThrottleStore

POLICY = ThrottlePolicy()  # the defaults a deployment gets: 5 per account, 20 per address, 60 s doubling


@contextmanager
def serving(container, store: ThrottleStore, policy: ThrottlePolicy = POLICY) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    login = LoginService(container.accounts, LoginThrottle(store, policy), LoginAudit(container.accounts.engine))
    with LiveServer(dataclasses.replace(container, login=login), _free_port()) as server:
        yield server


def new_user(container, role: Role = Role.partner) -> str:  # type: ignore[no-untyped-def]
    org = container.accounts.create_organisation(name=f"节流测试-{uuid.uuid4().hex[:8]}")
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.cn"
    container.accounts.create_user(email=email, password=PASSWORD, role=role, org_id=org.id)
    return email


def login(server: LiveServer, email: str, password: str, address: str = "192.0.2.10") -> httpx.Response:
    return httpx.post(f"{server.url}/api/auth/login", json={"email": email, "password": password},
                      headers={"X-Forwarded-For": address})  # fmt: skip


def test_fifty_wrong_passwords_then_the_right_one_is_refused(starter_container) -> None:  # type: ignore[no-untyped-def]
    email = new_user(starter_container)
    admin = new_user(starter_container, Role.admin)
    with serving(starter_container, MemoryThrottleStore()) as server:
        codes = [login(server, email, f"wrong-{n}").status_code for n in range(50)]
        assert codes[:4] == [401] * 4 and codes[4:] == [429] * 46
        right = login(server, email, PASSWORD)
        assert right.status_code == 429
        assert 1 <= int(right.headers["retry-after"]) <= 60
        assert "登录失败次数过多，该账号已被暂时锁定" in right.json()["detail"] and "后再试" in right.json()["detail"]
        assert login(server, admin, PASSWORD, address="198.51.100.1").status_code == 200  # others are not locked
        key = starter_container.accounts.create_api_key(_user_id(starter_container, admin)).key
        audit = httpx.get(f"{server.url}/api/admin/login-attempts", params={"email": email.upper()},
                          headers={"Authorization": f"Bearer {key}"}).json()  # fmt: skip
    outcomes = [row["outcome"] for row in reversed(audit)]
    assert outcomes == ["failure"] * 4 + ["locked"] + ["throttled"] * 46
    assert all(row["address"] == "192.0.2.10" for row in audit)


def _user_id(container, email: str) -> str:  # type: ignore[no-untyped-def]
    return next(u.id for u in container.accounts.list_users() if u.email == email)


def test_the_login_page_shows_the_lockout_notice(starter_container) -> None:  # type: ignore[no-untyped-def]
    email = new_user(starter_container)
    with serving(starter_container, MemoryThrottleStore()) as server, httpx.Client(base_url=server.url) as browser:
        form = browser.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        cookie = {"Cookie": f"top_login_csrf={form.cookies['top_login_csrf']}"}
        responses = [browser.post("/login", data={"csrf_token": token, "email": email, "password": f"x{n}", "next": "/"},
                                  headers=cookie) for n in range(6)]  # fmt: skip
    assert [r.status_code for r in responses] == [400] * 4 + [429] * 2
    assert "再失败 1 次" in responses[3].text
    assert "该账号已被暂时锁定" in responses[5].text and responses[5].headers["retry-after"]
    assert responses[5].headers["content-security-policy"]  # still a page of ours, with its headers


def test_one_address_spraying_many_accounts_is_locked(starter_container) -> None:  # type: ignore[no-untyped-def]
    emails = [new_user(starter_container) for _ in range(2)]
    policy = POLICY.model_copy(update={"address_failures": 6})
    with serving(starter_container, MemoryThrottleStore(), policy) as server:
        codes = [login(server, f"nobody{n}@example.cn", "guess", address="203.0.113.50").status_code for n in range(7)]
        assert codes == [401] * 5 + [429] * 2
        refused = login(server, emails[0], PASSWORD, address="203.0.113.50")
        assert refused.status_code == 429 and "网络地址" in refused.json()["detail"]
        assert login(server, emails[1], PASSWORD, address="203.0.113.51").status_code == 200


def test_with_redis_two_servers_count_together(starter_container, redis_url: str, redis_prefix: str) -> None:  # type: ignore[no-untyped-def]
    from accounts.redis_store import RedisThrottleStore, connect

    email = new_user(starter_container)
    with serving(starter_container, RedisThrottleStore(connect(redis_url), prefix=redis_prefix)) as first, \
         serving(starter_container, RedisThrottleStore(connect(redis_url), prefix=redis_prefix)) as second:  # fmt: skip
        codes = [login(server, email, "wrong").status_code for server in (first, second, first, second, first)]
        assert codes == [401, 401, 401, 401, 429]
        assert login(second, email, PASSWORD).status_code == 429
