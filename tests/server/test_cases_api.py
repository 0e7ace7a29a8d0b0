"""Partner cases over real HTTP (uvicorn, starter corpus): every endpoint and state transition, and who may not.

draft → redaction review (undo, add, region) → confirm → submit → approve by another editor → published (in
retrieval, the library, downloadable, recorded) → takedown (out of retrieval at once, audit kept); reject and
resubmit; 403 for approving one's own case and for another organisation reading a draft.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from conftest import LiveServer
from helpers_cases import Member, call, case_body, confirm_and_submit, draft, member, ok, publish, unique_customer
from pdf_writer import make_pdf

from accounts.tables import Role
from community.cases import DownloadEvent, TakedownEvent


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    return live_server


@pytest.fixture
def author(server: LiveServer) -> Member:
    return member(server, Role.partner)


@pytest.fixture
def editor(server: LiveServer) -> Member:
    return member(server, Role.editor)


@pytest.fixture
def other(server: LiveServer) -> Member:
    return member(server, Role.partner)


class Recorder:
    """A listener like the rewards ledger will be: it only records what it hears."""

    def __init__(self) -> None:
        self.downloads: list[DownloadEvent] = []
        self.takedowns: list[TakedownEvent] = []

    def on_download(self, event: DownloadEvent) -> None:
        self.downloads.append(event)

    def on_takedown(self, event: TakedownEvent) -> None:
        self.takedowns.append(event)


@pytest.fixture
def recorder(server: LiveServer) -> Any:
    listener = Recorder()
    server.container.cases.listeners.append(listener)
    yield listener
    server.container.cases.listeners.remove(listener)


def search_ids(server: LiveServer, who: Member, query: str) -> set[str]:
    hits = ok(call(server, who, "GET", "/api/search", params={"q": query, "k": 20, "kind": "case"}))
    return {h["doc_id"] for h in hits}


def test_a_case_goes_from_draft_to_published_to_taken_down(
    server: LiveServer, author: Member, editor: Member, other: Member, recorder: Recorder
) -> None:
    customer = unique_customer()
    created = draft(server, author, case_body(customer))
    case_id = created["id"]
    assert created["status"] == "draft" and created["customer"] == customer and created["text"] == ""

    review = ok(call(server, author, "GET", f"/api/cases/{case_id}/redaction"))
    assert customer in review["original"] and customer not in review["text"] and "13912345678" not in review["text"]
    kinds = {f["kind"] for f in review["findings"]}
    assert {"customer", "person", "phone", "amount"} <= kinds
    assert all(review["original"][f["start"] : f["end"]] == f["original"] for f in review["findings"])
    assert "50–100万元" in review["text"] and "澜院" not in review["text"]

    # Undo the amount band, remove one more phrase everywhere, publish the region only.
    amount = next(c for c in review["changes"] if c["kind"] == "amount")
    edited = ok(call(server, author, "PUT", f"/api/cases/{case_id}/redaction",
                     json={"undone": [amount["key"]], "phrases": ["旁路镜像"], "region_level": "region"}))  # fmt: skip
    assert "86万元" in edited["text"] and "旁路镜像" not in edited["text"] and "华东地区" in edited["text"]
    assert "浙江" not in edited["text"] and edited["region"] == "华东地区"
    assert next(c for c in edited["changes"] if c["key"] == amount["key"])["accepted"] is False

    # Submitting before confirming is refused; a confirmation of a text the author did not see too.
    assert call(server, author, "POST", f"/api/cases/{case_id}/submit").status_code == 409
    stale = call(server, author, "POST", f"/api/cases/{case_id}/confirm", json={"text_sha256": "0" * 64})
    assert stale.status_code == 409 and "刷新" in stale.json()["detail"]
    confirmed = ok(call(server, author, "POST", f"/api/cases/{case_id}/confirm",
                        json={"handle": "澜沧老李", "text_sha256": edited["text_sha256"]}))  # fmt: skip
    assert confirmed["status"] == "confirmed" and confirmed["text"] == edited["text"] and confirmed["region"] == "华东地区"
    assert all("original" not in f for f in confirmed["findings"])

    # Nobody outside the organisation sees it yet, editors included.
    assert call(server, editor, "GET", f"/api/cases/{case_id}").status_code == 403
    submitted = ok(call(server, author, "POST", f"/api/cases/{case_id}/submit"))
    assert submitted["status"] == "in_review" and submitted["doc_id"] == f"pc-{case_id}"
    queue = ok(call(server, editor, "GET", "/api/cases/review"))["items"]
    seen = next(i for i in queue if i["id"] == case_id)
    assert seen["text"] == edited["text"] and "customer" not in seen and seen["findings"]
    assert all("original" not in f for f in seen["findings"]) and seen["uniqueness"]["resolved"] is True
    assert customer not in str(seen)
    assert search_ids(server, other, "数据库审计 安全托管服务") & {f"pc-{case_id}"} == set()

    approved = ok(call(server, editor, "POST", f"/api/cases/{case_id}/approve", json={"note": "可以发布"}))
    assert approved["status"] == "published"
    assert f"pc-{case_id}" in search_ids(server, other, "数据库审计 安全托管服务 等保三级复测")
    hit = next(h for h in ok(call(server, other, "GET", "/api/search", params={"q": "安全托管服务 伙伴", "k": 20, "kind": "case"}))
               if h["doc_id"] == f"pc-{case_id}")  # fmt: skip
    assert hit["source"]["issuer"] == "伙伴分享 · 澜沧老李"

    library = ok(call(server, other, "GET", "/api/cases", params={"industry": "healthcare", "province": "浙江省"}))
    item = next(i for i in library["items"] if i["id"] == case_id)
    assert item["handle"] == "澜沧老李" and item["region"] == "华东地区" and "text" not in item and "customer" not in item
    assert "## 方案要点" in item["summary"] and "经验与教训" not in item["summary"]
    assert case_id not in {i["id"] for i in ok(call(server, other, "GET", "/api/cases", params={"industry": "finance"}))["items"]}
    summary = ok(call(server, other, "GET", f"/api/cases/{case_id}"))
    assert "text" not in summary and "findings" not in summary

    events_before = server.container.insights.activity.count(org_id=other.org_id)
    got = ok(call(server, other, "POST", f"/api/cases/{case_id}/download", headers={"Idempotency-Key": f"dl-{case_id}"}))
    assert got["text"] == edited["text"] and "经验与教训" in got["text"] and got["repeated"] is False
    again = ok(call(server, other, "POST", f"/api/cases/{case_id}/download", headers={"Idempotency-Key": f"dl-{case_id}"}))
    assert again["download_id"] == got["download_id"] and again["repeated"] is True
    records = server.container.cases.store.downloads(case_id=case_id)
    assert [(d.org_id, d.user_id, d.author_org_id) for d in records] == [(other.org_id, other.user_id, author.org_id)]
    assert server.container.insights.activity.count(org_id=other.org_id) == events_before + 1
    assert [(e.case_id, e.author_org_id, e.downloader_org_id, e.idempotency_key, e.repeated) for e in recorder.downloads] == [
        (case_id, author.org_id, other.org_id, f"dl-{case_id}", False), (case_id, author.org_id, other.org_id, f"dl-{case_id}", True)]
    assert ok(call(server, other, "GET", f"/api/cases/{case_id}"))["downloads"] == 1

    # Takedown by a third party is refused; by the author it is out of retrieval at once, the audit stays.
    assert call(server, other, "POST", f"/api/cases/{case_id}/takedown", json={"reason": "x"}).status_code == 403
    down = ok(call(server, author, "POST", f"/api/cases/{case_id}/takedown", json={"reason": "客户要求"}))
    assert down["status"] == "taken_down" and recorder.takedowns[-1].case_id == case_id
    assert f"pc-{case_id}" not in search_ids(server, other, "数据库审计 安全托管服务 等保三级复测")
    assert case_id not in {i["id"] for i in ok(call(server, other, "GET", "/api/cases", params={"limit": 100}))["items"]}
    assert call(server, other, "POST", f"/api/cases/{case_id}/download").status_code == 403
    assert call(server, other, "GET", f"/api/documents/pc-{case_id}").status_code == 404
    actions = [a["action"] for a in ok(call(server, editor, "GET", f"/api/cases/{case_id}/audit"))["items"]]
    assert actions[:4] == ["retire", "publish", "approve", "submit"]
    trail = ok(call(server, editor, "GET", f"/api/cases/{case_id}/audit"))["items"]
    assert {a["actor_name"] for a in trail if a["action"] in ("submit", "create", "retire")} == {"作者"}


def test_reject_then_edit_and_resubmit_publishes_the_second_version(server: LiveServer, author: Member, editor: Member) -> None:
    created = draft(server, author, case_body(unique_customer()))
    case_id = created["id"]
    confirm_and_submit(server, author, case_id)
    assert call(server, editor, "POST", f"/api/cases/{case_id}/reject", json={"note": ""}).status_code == 422
    rejected = ok(call(server, editor, "POST", f"/api/cases/{case_id}/reject", json={"note": "请去掉合同金额"}))
    assert rejected["status"] == "rejected" and rejected["review_note"] == "请去掉合同金额"
    mine = ok(call(server, author, "GET", "/api/cases/mine"))["items"]
    assert next(i for i in mine if i["id"] == case_id)["review_note"] == "请去掉合同金额"
    body = case_body(created["customer"], budget="公开招标。")
    edited = ok(call(server, author, "PUT", f"/api/cases/{case_id}", json=body))
    assert edited["status"] == "draft" and edited["text"] == ""
    resubmitted = confirm_and_submit(server, author, case_id)
    assert resubmitted["status"] == "in_review" and resubmitted["doc_version"] == 2
    published = ok(call(server, editor, "POST", f"/api/cases/{case_id}/approve"))
    assert published["status"] == "published" and "万元" not in published["text"]
    assert call(server, author, "PUT", f"/api/cases/{case_id}", json=body).status_code == 409
    assert call(server, author, "DELETE", f"/api/cases/{case_id}").status_code == 409


def test_nobody_approves_their_own_or_their_organisations_case(server: LiveServer, editor: Member) -> None:
    admin = member(server, Role.admin)
    created = draft(server, admin, case_body(unique_customer()))
    confirm_and_submit(server, admin, created["id"])
    own = call(server, admin, "POST", f"/api/cases/{created['id']}/approve")
    assert own.status_code == 403 and "自己" in own.json()["detail"]
    colleague = member(server, Role.editor, org_id=admin.org_id)
    same_org = call(server, colleague, "POST", f"/api/cases/{created['id']}/approve")
    assert same_org.status_code == 403 and "本组织" in same_org.json()["detail"]
    partner = member(server, Role.partner)
    assert call(server, partner, "POST", f"/api/cases/{created['id']}/approve").status_code == 403
    assert ok(call(server, editor, "POST", f"/api/cases/{created['id']}/approve"))["status"] == "published"
    assert call(server, editor, "POST", f"/api/cases/{created['id']}/approve").status_code == 409


def test_another_organisation_cannot_read_or_touch_a_draft(server: LiveServer, author: Member, other: Member, editor: Member) -> None:
    created = draft(server, author, case_body(unique_customer()))
    case_id = created["id"]
    for who in (other, editor):
        for method, path, body in (
            ("GET", "", None), ("GET", "/redaction", None), ("PUT", "/redaction", {"phrases": ["x"]}),
            ("POST", "/confirm", {}), ("POST", "/submit", None), ("GET", "/audit", None),
            ("PUT", "", case_body("某医院")), ("DELETE", "", None), ("POST", "/download", None),
        ):  # fmt: skip
            response = call(server, who, method, f"/api/cases/{case_id}{path}", **({"json": body} if body is not None else {}))
            assert response.status_code == 403, (who.role, method, path, response.text)
            assert created["customer"] not in response.text
    assert call(server, other, "GET", "/api/cases/review").status_code == 403
    assert case_id not in str(ok(call(server, other, "GET", "/api/cases/mine")))
    assert call(server, author, "GET", f"/api/cases/{uuid.uuid4().hex[:16]}").status_code == 404


def test_the_uniqueness_warning_blocks_confirmation_until_the_region_is_coarser_or_the_risk_accepted(
    server: LiveServer, author: Member
) -> None:
    body = case_body(unique_customer(), industry="finance", segment="城商行", province="宁夏", size_band="资产千亿级",
                     title="城商行数据分类分级", solutions=[])  # fmt: skip
    created = draft(server, author, body)
    review = ok(call(server, author, "GET", f"/api/cases/{created['id']}/redaction"))
    assert review["uniqueness"]["unique"] is True and review["uniqueness"]["suggestion"].startswith("建议")
    refused = call(server, author, "POST", f"/api/cases/{created['id']}/confirm")
    assert refused.status_code == 422 and "acknowledge_uniqueness" in refused.json()["detail"]
    ok(call(server, author, "PUT", f"/api/cases/{created['id']}/redaction", json={"region_level": "national"}))
    still = ok(call(server, author, "GET", f"/api/cases/{created['id']}/redaction"))
    if not still["uniqueness"]["resolved"]:
        confirmed = ok(call(server, author, "POST", f"/api/cases/{created['id']}/confirm", json={"acknowledge_uniqueness": True}))
    else:
        confirmed = ok(call(server, author, "POST", f"/api/cases/{created['id']}/confirm"))
    assert confirmed["region"] == "全国" and "宁夏" not in confirmed["text"] and "宁夏" not in str(confirmed["uniqueness"])


def test_attachments_and_a_watchlist_entry_start_a_case(server: LiveServer, author: Member) -> None:
    customer = unique_customer()
    watched = ok(call(server, author, "POST", "/api/watchlist", json={"customer": customer, "region": "浙江省"}), 201)
    pdf = make_pdf([[f"{customer}项目验收报告", "联系人：王芳，电话13800001111。"]])
    md = f"# 会议纪要\n\n{customer}信息科确认上线时间。".encode()
    created = draft(server, author, {
        "title": "从名录开始的案例", "watch_id": watched["id"], "solution": "部署堡垒机。",
        "attachments": [{"filename": f"{customer}验收.pdf", "content_base64": base64.b64encode(pdf).decode()},
                        {"filename": "纪要.md", "content_base64": base64.b64encode(md).decode()}],
    })  # fmt: skip
    assert created["customer"] == customer and created["industry"] == "healthcare"
    assert [a["filename"] for a in created["fields"]["attachments"]] == [f"{customer}验收.pdf", "纪要.md"]
    review = ok(call(server, author, "GET", f"/api/cases/{created['id']}/redaction"))
    assert "项目验收报告" in review["original"] and customer not in review["text"] and "13800001111" not in review["text"]
    bad = call(server, author, "POST", "/api/cases", json={**case_body(customer), "attachments": [
        {"filename": "图.png", "content_base64": base64.b64encode(b"\x89PNG\r\n\x1a\n0000").decode()}]})  # fmt: skip
    assert bad.status_code == 422 and "图.png" in bad.json()["detail"]
    garbled = call(server, author, "POST", "/api/cases", json={**case_body(customer), "attachments": [
        {"filename": "a.md", "content_base64": "%%%"}]})  # fmt: skip
    assert garbled.status_code == 422 and "base64" in garbled.json()["detail"]
    unknown = call(server, author, "POST", "/api/cases", json={"title": "x", "watch_id": "nope", "text": "x"})
    assert unknown.status_code == 422 and "名录" in unknown.json()["detail"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"industry": "shipping"}, "行业"),
        ({"province": "火星"}, "省份"),
        ({"problem": "", "solution": "", "outcome": "", "timeline": "", "budget": "", "lessons": "", "products": []}, "没有内容"),
        ({"need_categories": ["security"]}, "需求类别"),
        ({"solutions": ["sol-nope"]}, "方案类别"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_a_422_naming_what_is_wrong(server: LiveServer, author: Member, change: dict[str, Any], expected: str) -> None:
    response = call(server, author, "POST", "/api/cases", json={**case_body(unique_customer()), **change})
    assert response.status_code == 422, response.text
    assert expected in str(response.json()["detail"])


def test_delete_a_draft_and_the_handle(server: LiveServer, author: Member) -> None:
    created = draft(server, author, case_body(unique_customer()))
    assert call(server, author, "DELETE", f"/api/cases/{created['id']}").status_code == 204
    assert call(server, author, "GET", f"/api/cases/{created['id']}").status_code == 404
    assert ok(call(server, author, "PUT", "/api/community/handle", json={"handle": " 杭州 老王 "}))["handle"] == "杭州 老王"
    assert ok(call(server, author, "GET", "/api/community/handle"))["handle"] == "杭州 老王"
    assert call(server, author, "PUT", "/api/community/handle", json={"handle": "伙伴分享"}).status_code == 422
    again = draft(server, author, case_body(unique_customer()))
    confirmed = ok(call(server, author, "POST", f"/api/cases/{again['id']}/confirm"))
    assert confirmed["handle"] == "杭州 老王"
    anonymous = ok(call(server, author, "POST", f"/api/cases/{again['id']}/confirm", json={"anonymous": True}))
    assert anonymous["handle"] == "匿名"


def test_the_editor_workbench_leaves_partner_cases_to_the_case_review(server: LiveServer, author: Member, editor: Member) -> None:
    created = draft(server, author, case_body(unique_customer()))
    submitted = confirm_and_submit(server, author, created["id"])
    doc_id = submitted["doc_id"]
    for method, path in (("POST", f"/documents/{doc_id}/versions/1/approve"), ("POST", f"/documents/{doc_id}/retire"),
                         ("POST", f"/documents/{doc_id}/versions/1/reject")):  # fmt: skip
        response = call(server, editor, method, f"/api/editor{path}")
        assert response.status_code == 409 and "/cases/review" in response.json()["detail"]


def test_published_cases_show_up_for_watched_customers_of_the_industry(server: LiveServer, author: Member, editor: Member) -> None:
    watcher = member(server, Role.partner)
    ok(call(server, watcher, "POST", "/api/watchlist", json={"customer": "临江市第一人民医院"}), 201)
    published = publish(server, author, editor, case_body(unique_customer()))
    updates = ok(call(server, watcher, "GET", "/api/updates"))["items"]
    item = next(u for u in updates if u["doc_id"] == f"pc-{published['id']}")
    assert "案例" in item["why"]
