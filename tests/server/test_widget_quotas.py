"""Widget quotas against a script (issue 11, item 4), over real HTTP: a fresh `visitor_id` per question
no longer resets the per-visitor quota, one client address cannot drain a key's minute budget, a share
of it stays with identified and embedded visitors, and `/embed` binds a visitor to a signed cookie.

Client addresses are set with `X-Forwarded-For`, which uvicorn takes from a proxy on 127.0.0.1.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from test_widget import PORTAL, ask, create_key, embed_config, identity, make_caller

from accounts.tables import Role


@pytest.fixture
def http(live_server) -> Any:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        yield client


@pytest.fixture
def partner(live_server):  # type: ignore[no-untyped-def]
    return make_caller(live_server, Role.partner)


def at(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def fresh_minute(needed: float = 12) -> None:
    """Wait for a new quota minute when fewer than `needed` seconds of this one are left."""
    left = 60 - time.time() % 60
    if left < needed:
        time.sleep(left + 0.2)


def embed(http: httpx.Client, key: str, *, address: str, cookie: str | None = None) -> httpx.Response:
    headers = {"Referer": f"{PORTAL}/page", "Sec-Fetch-Dest": "iframe", **at(address)}
    if cookie:
        headers["Cookie"] = f"top_widget_visitor={cookie}"
    response = http.get(f"/embed/{key}", headers=headers)
    assert response.status_code == 200, response.text
    return response


def visitor_of(response: httpx.Response) -> str | None:
    claims = jwt.decode(embed_config(response)["embedToken"], options={"verify_signature": False})
    return claims.get("vid")


def test_a_new_visitor_id_per_question_does_not_reset_the_daily_quota(http, partner) -> None:  # type: ignore[no-untyped-def]
    key = create_key(http, partner, quota_per_user_day=2)["id"]
    script = at("203.0.113.10")
    codes = [ask(http, key, body={"visitor_id": uuid.uuid4().hex}, headers=script).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = ask(http, key, body={"visitor_id": uuid.uuid4().hex}, headers=script)
    assert refused.status_code == 429 and "今天的提问次数已用完" in refused.json()["detail"]


def test_one_address_cannot_drain_the_key_and_known_visitors_keep_their_share(http, partner) -> None:  # type: ignore[no-untyped-def]
    created = create_key(http, partner, quota_per_key_minute=8)  # 2 per address, 6 for anonymous visitors
    key, secret = created["id"], created["secret"]
    fresh_minute()
    script = at("203.0.113.66")
    codes = [ask(http, key, body={"visitor_id": uuid.uuid4().hex}, headers=script).status_code for _ in range(5)]
    assert codes == [200, 200, 429, 429, 429]
    refused = ask(http, key, headers=script)
    assert "你所在网络的提问太频繁" in refused.json()["detail"] and int(refused.headers["retry-after"]) <= 60
    # Other anonymous visitors, one address each, share what is left of the anonymous part (6).
    assert [ask(http, key, headers=at(f"198.51.100.{n}")).status_code for n in range(1, 6)] == [200] * 4 + [429]
    # Identified and embedded visitors still get the share kept for them.
    assert ask(http, key, body={"identity_token": identity(secret, sub="real-1")}, headers=at("192.0.2.1")).status_code == 200
    page = embed(http, key, address="192.0.2.2")
    token = embed_config(page)["embedToken"]
    framed = ask(http, key, origin=http.base_url.scheme + "://" + http.base_url.netloc.decode(),
                 headers={"X-Embed-Token": token, **at("192.0.2.2")})  # fmt: skip
    assert framed.status_code == 200, framed.text
    # Now the key's whole minute budget (8) is spent.
    last = ask(http, key, body={"identity_token": identity(secret, sub="real-2")}, headers=at("192.0.2.3"))
    assert last.status_code == 429 and "秒后再试" in last.json()["detail"]


def test_embed_binds_the_visitor_to_a_signed_cookie_and_issues_few_per_address(http, partner) -> None:  # type: ignore[no-untyped-def]
    key = create_key(http, partner, quota_per_user_day=1)["id"]
    first = embed(http, key, address="192.0.2.50")
    cookie = first.cookies.get("top_widget_visitor")
    header = first.headers["set-cookie"]
    assert cookie and all(flag in header for flag in ("HttpOnly", "Secure", "SameSite=none", "Partitioned", "Path=/embed/"))
    vid = visitor_of(first)
    assert vid and vid in cookie
    again = embed(http, key, address="192.0.2.50", cookie=cookie)
    assert visitor_of(again) == vid and "set-cookie" not in again.headers  # the same visitor after a reload
    forged = embed(http, key, address="192.0.2.50", cookie=cookie.replace(vid, "x" * len(vid)))
    assert visitor_of(forged) not in (None, vid, "x" * len(vid))  # a tampered cookie is ignored: a new visitor
    # The daily quota follows the bound visitor, whatever visitor_id the page sends.
    own = http.base_url.scheme + "://" + http.base_url.netloc.decode()
    token = embed_config(again)["embedToken"]
    sent = [ask(http, key, origin=own, body={"visitor_id": uuid.uuid4().hex}, headers={"X-Embed-Token": token}).status_code
            for _ in range(2)]  # fmt: skip
    assert sent == [200, 429]
    # A script asking /embed for a new visitor per question gets a handful, then none (anonymous: the address).
    issued = {visitor_of(embed(http, key, address="203.0.113.99")) for _ in range(32)}
    assert None in issued and 25 <= len(issued - {None}) <= 30
