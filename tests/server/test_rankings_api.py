"""Rankings, watchlists and updates over real HTTP (uvicorn), with real chat turns recorded as activity.

The live server's database is shared by the session, so ranking tests count activity in a future week of their
own (refresh with `today` in 2031), where no other test's activity lands.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from dataclasses import dataclass

import httpx
import pytest
from conftest import LiveServer
from helpers import make_document
from helpers_community import add_activity
from sqlalchemy import text

from accounts.tables import OrgKind, Role
from community.activity import ActivityLog

FUTURE = dt.date(2031, 3, 5)


@dataclass
class Caller:
    user_id: str
    org_id: str
    email: str
    headers: dict[str, str]


def caller(server: LiveServer, role: Role = Role.partner, *, org: str | None = None) -> Caller:
    accounts = server.container.accounts
    found = accounts.organisation_named(org) if org else None
    organisation = found or accounts.create_organisation(name=org or f"伙伴-{uuid.uuid4().hex[:8]}", kind=OrgKind.partner)
    user = accounts.create_user(email=f"{role.value}-{uuid.uuid4().hex[:8]}@example.cn", password="s3cure-enough-passphrase",
                                role=role, org_id=organisation.id)  # fmt: skip
    key = accounts.create_api_key(user.id, name="test")
    return Caller(user.id, organisation.id, user.email, {"Authorization": f"Bearer {key.key}", "Accept": "application/json"})


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    return live_server


def refresh(server: LiveServer, **config: object) -> None:
    settings = server.container.settings.rankings.model_copy(update=config)
    server.container.insights.refresh(settings, today=FUTURE)


def test_a_cell_appears_over_http_and_in_the_csv_only_with_five_organisations(server: LiveServer) -> None:
    me = caller(server)
    log = server.container.insights.activity
    orgs = [f"k-test-{uuid.uuid4().hex[:8]}" for _ in range(5)]
    add_activity(log, orgs[:4], industry="energy", province="青海省", needs=["sol-ics-security"], week=FUTURE)
    refresh(server)
    query = {"industry": "energy", "province": "青海省", "window": "30d", "kind": "top"}
    listed = httpx.get(f"{server.url}/api/rankings", params=query, headers=me.headers)
    assert listed.status_code == 200 and listed.json()["cells"] == [] and listed.json()["k"] == 5
    exported = httpx.get(f"{server.url}/api/rankings.csv", headers=me.headers)
    assert exported.status_code == 200 and "青海省" not in exported.text  # other tests share the server: look at this cell

    add_activity(log, orgs[4:], industry="energy", province="青海省", needs=["sol-ics-security"], week=FUTURE)
    refresh(server)
    body = httpx.get(f"{server.url}/api/rankings", params=query, headers=me.headers).json()
    assert set(body) >= {"window", "k", "cells"} and body["window"] == "30d"
    assert body["cells"] == [{**body["cells"][0], "industry": "energy", "province": "青海省", "need": "sol-ics-security",
                              "rank": 1, "band": "≥5 家伙伴"}]  # fmt: skip
    assert body["cells"][0]["guide"] == "/documents/sol-ics-security" and body["cells"][0]["need_title"]
    rows = list(csv.DictReader(io.StringIO(httpx.get(f"{server.url}/api/rankings.csv", params={"province": "青海"},
                                                     headers=me.headers).text.lstrip("\ufeff"))))  # fmt: skip
    assert rows and {r["need"] for r in rows} == {"sol-ics-security"} and "count" not in rows[0]
    where = httpx.get(f"{server.url}/api/rankings/map", params={"need": "sol-ics-security", "industry": "energy"},
                      headers=me.headers).json()  # fmt: skip
    assert where["provinces"] == [{"province": "青海省", "rank": 1}]
    guide = httpx.get(f"{server.url}/documents/sol-ics-security")
    assert guide.status_code == 200 and "工业控制" in guide.text


def test_rankings_need_a_login_and_refuse_bad_filters_in_chinese(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/api/rankings").status_code == 401
    me = caller(server)
    for params, word in [({"window": "1y"}, "window"), ({"industry": "bakery"}, "行业代码"), ({"province": "火星"}, "省份")]:
        refused = httpx.get(f"{server.url}/api/rankings", params=params, headers=me.headers)
        assert refused.status_code == 422 and word in str(refused.json()["detail"])
    assert httpx.get(f"{server.url}/api/rankings.csv", params={"province": "火星"}, headers=me.headers).status_code == 422
    page = httpx.get(f"{server.url}/rankings", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_a_partners_brief_is_recorded_for_its_organisation_without_the_name(server: LiveServer) -> None:
    me = caller(server)
    reply = httpx.post(f"{server.url}/api/chat", json={"message": "临江市第一人民医院"}, headers=me.headers, timeout=60)
    assert reply.status_code == 200 and reply.json()["mode"] == "brief"
    engine = server.container.insights.activity.engine
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT e.kind, e.industry, e.segment, e.province, e.week, n.need FROM activity_events e "
                                 "LEFT JOIN activity_event_needs n ON n.event_id = e.id WHERE e.org_id = :o"), {"o": me.org_id}).all()  # fmt: skip
    assert rows and {r[0] for r in rows} == {"brief"} and {r[1] for r in rows} == {"healthcare"}
    assert all(r[5] and r[5].startswith("sol-") for r in rows)
    assert not any("临江" in str(v) for r in rows for v in r)

    anonymous = httpx.post(f"{server.url}/api/chat", json={"message": "临江市第一人民医院"}, headers={"Accept": "application/json"}, timeout=60)
    assert anonymous.status_code == 200
    assert ActivityLog(engine).count(org_id=me.org_id) == 1  # anonymous visitors belong to no organisation


def test_watchlists_are_private_to_the_organisation(server: LiveServer) -> None:
    alice, bob = caller(server), caller(server)
    added = httpx.post(f"{server.url}/api/watchlist", json={"customer": "临江市第一人民医院"}, headers=alice.headers)
    assert added.status_code == 201, added.text
    entry = added.json()
    assert entry["industry"] == "healthcare" and entry["customer"] == "临江市第一人民医院"
    again = httpx.post(f"{server.url}/api/watchlist", json={"customer": "临江市 第一人民医院"}, headers=alice.headers)
    assert again.status_code == 200 and again.json()["id"] == entry["id"]
    colleague = caller(server, org=server.container.accounts.get_user(alice.user_id).org_name)
    assert [i["customer"] for i in httpx.get(f"{server.url}/api/watchlist", headers=colleague.headers).json()["items"]] == ["临江市第一人民医院"]

    assert httpx.get(f"{server.url}/api/watchlist", headers=bob.headers).json()["items"] == []
    assert httpx.delete(f"{server.url}/api/watchlist/{entry['id']}", headers=bob.headers).status_code == 404
    assert httpx.get(f"{server.url}/api/updates", params={"since": "2000-01-01T00:00:00Z"}, headers=bob.headers).json()["items"] == []
    editor = caller(server, Role.editor)
    assert httpx.get(f"{server.url}/api/watchlist", headers=editor.headers).status_code == 403
    blank = httpx.post(f"{server.url}/api/watchlist", json={"customer": " "}, headers=alice.headers)
    assert blank.status_code == 422 and "客户名称" in str(blank.json()["detail"])
    assert httpx.delete(f"{server.url}/api/watchlist/{entry['id']}", headers=alice.headers).status_code == 204


def test_a_new_provincial_regulation_reaches_watched_customers_in_that_province_only(server: LiveServer) -> None:
    me = caller(server)
    for name in ("临江市第一人民医院", "杭州市第一人民医院"):
        added = httpx.post(f"{server.url}/api/watchlist", json={"customer": name, "region": "广东省" if "临江" in name else None},
                           headers=me.headers)  # fmt: skip
        assert added.status_code == 201, added.text
    assert {i["province"] for i in httpx.get(f"{server.url}/api/watchlist", headers=me.headers).json()["items"]} == {"广东省", "浙江省"}
    assert httpx.post(f"{server.url}/api/updates/seen", headers=me.headers).status_code == 200
    doc_id = f"reg-gd-health-data-{uuid.uuid4().hex[:6]}"
    regulation = make_document(doc_id, kind="regulation", title="广东省医疗卫生机构数据安全管理规定（测试）",
                               industries=["healthcare"], regions=["广东省"], issuer="广东省卫生健康委员会")  # fmt: skip
    indexer = server.container.indexer
    indexer.publish(regulation)
    try:
        body = httpx.get(f"{server.url}/api/updates", headers=me.headers).json()
        mine = [i for i in body["items"] if i["doc_id"] == doc_id]
        assert [i["customer"] for i in mine] == ["临江市第一人民医院"]
        assert set(mine[0]) >= {"customer", "doc_id", "title", "why", "published_at"} and "广东省" in mine[0]["why"]
        assert httpx.get(f"{server.url}/api/updates/count", headers=me.headers).json()["unseen"] >= 1
        httpx.post(f"{server.url}/api/updates/seen", headers=me.headers)
        assert not [i for i in httpx.get(f"{server.url}/api/updates", headers=me.headers).json()["items"] if i["doc_id"] == doc_id]
        page = httpx.get(f"{server.url}/updates", headers=me.headers)
        assert page.status_code == 200 and "updates.js" in page.text
    finally:
        indexer.retire(doc_id)
