"""Builders for the partner-case tests: accounts in organisations of their own, a case write-up with planted
identifiers, and the walk from draft to published over real HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from conftest import LiveServer

from accounts.tables import OrgKind, Role

PASSWORD = "s3cure-enough-passphrase"
JSON = {"Accept": "application/json"}


@dataclass
class Member:
    """A signed-in user (by API key: no CSRF needed) of an organisation."""

    user_id: str
    org_id: str
    role: Role
    headers: dict[str, str] = field(default_factory=dict)
    email: str = ""
    name: str = ""


def member(server: LiveServer, role: Role = Role.partner, *, org_id: str | None = None, name: str = "") -> Member:
    accounts = server.container.accounts
    tag = uuid.uuid4().hex[:10]
    if org_id is None:
        kind = OrgKind.vendor if role == Role.editor else OrgKind.partner
        org_id = accounts.create_organisation(name=f"组织-{tag}", kind=kind).id
    email = f"{role.value}-{tag}@example.cn"
    name = name or f"用户{tag}"
    user = accounts.create_user(email=email, password=PASSWORD, role=role, org_id=org_id, name=name)
    key = accounts.create_api_key(user.id, name="case tests")
    return Member(user.id, org_id, role, {"Authorization": f"Bearer {key.key}", **JSON}, email, name)


def unique_customer() -> str:
    """A customer name no corpus text contains: a made-up county hospital with a random tag."""
    tag = "".join("甲乙丙丁戊己庚辛壬癸"[int(c, 16) % 10] for c in uuid.uuid4().hex[:4])
    return f"澜沧{tag}县人民医院"


def case_body(customer: str, *, marker: str = "", **overrides: Any) -> dict[str, Any]:
    """A healthcare case naming the customer, an alias, a person, a phone and an amount; `marker` is a sentence
    planted in the problem (to find it anywhere it should not be)."""
    body: dict[str, Any] = {
        "title": f"{customer}数据库审计与安全托管项目",
        "customer": customer,
        "aliases": ["澜院"],
        "industry": "healthcare",
        "segment": "三级医院",
        "province": "浙江省",
        "year": 2024,
        "need_categories": ["data_security", "network_security"],
        "solutions": ["sol-database-audit"],
        "problem": f"{customer}（澜院）地处杭州市西湖区，信息科张伟主任（电话13912345678）反映，HIS数据库缺少审计，等保三级测评扣分。{marker}",
        "solution": "部署数据库审计系统，旁路镜像采集SQL流量，覆盖HIS、LIS、PACS数据库；引入安全托管服务（MSS），由伙伴7×24小时值守。",
        "products": [{"category": "sol-database-audit", "vendor": "安恒信息", "product": "数据库审计"}],
        "timeline": "2024年3月启动，6月上线。",
        "budget": "合同金额86万元，公开招标。",
        "outcome": "等保三级复测通过，数据库审计日志留存六个月。",
        "lessons": "先梳理数据库资产再部署。",
    }
    body.update(overrides)
    return body


def call(server: LiveServer, who: Member, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {**who.headers, **kwargs.pop("headers", {})}
    return httpx.request(method, f"{server.url}{path}", headers=headers, timeout=180, **kwargs)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text[:2000]}"
    return response.json() if response.status_code != 204 else None


def draft(server: LiveServer, author: Member, body: dict[str, Any]) -> dict[str, Any]:
    return ok(call(server, author, "POST", "/api/cases", json=body), 201)


def confirm_and_submit(server: LiveServer, author: Member, case_id: str, **confirmation: Any) -> dict[str, Any]:
    ok(call(server, author, "POST", f"/api/cases/{case_id}/confirm", json={"handle": "澜沧老李", **confirmation}))
    return ok(call(server, author, "POST", f"/api/cases/{case_id}/submit"))


def publish(server: LiveServer, author: Member, editor: Member, body: dict[str, Any]) -> dict[str, Any]:
    created = draft(server, author, body)
    confirm_and_submit(server, author, created["id"])
    return ok(call(server, editor, "POST", f"/api/cases/{created['id']}/approve", json={"note": "可以发布"}))
