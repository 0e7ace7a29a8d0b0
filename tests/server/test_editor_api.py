"""The editor workflow over real HTTP (uvicorn): create → preview → hit test → submit → approve → the
partner's answers cite it → edit, diff, rollback → retire → no longer cited; and the permission checks."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest
from conftest import LiveServer
from helpers import document_text
from test_auth_api import Account, log_in, make_account

from accounts.tables import Role

BODY = """# 蓝鲸协议日志留存要求

蓝鲸协议是本测试虚构的一份行业规范，用于检验编辑发布流程。

## 日志留存期限

蓝鲸协议要求接入单位的网络日志留存不少于{months}个月，由运维部门每周抽查并保留抽查记录。

## 报备要求

蓝鲸协议适用于所有接入省级政务外网的单位，接入前须完成安全评估并向主管部门报备。
"""
QUESTION = "蓝鲸协议对网络日志留存期限有什么要求？"


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    return live_server


@pytest.fixture
def editor(server: LiveServer) -> Account:
    return log_in(server, make_account(server, Role.editor))


@pytest.fixture
def reviewer(server: LiveServer) -> Account:
    return log_in(server, make_account(server, Role.editor))


@pytest.fixture
def admin(server: LiveServer) -> Account:
    return log_in(server, make_account(server, Role.admin))


@pytest.fixture
def partner(server: LiveServer) -> Account:
    return log_in(server, make_account(server, Role.partner))


def doc_text(doc_id: str, months: str = "六") -> str:
    return document_text(doc_id, BODY.format(months=months), title="蓝鲸协议日志留存要求", status="draft",
                         need_categories=["network_security"], review_by="2020-01-01")  # fmt: skip


def new_id() -> str:
    return f"faq-lanjing-{uuid.uuid4().hex[:8]}"


def call(server: LiveServer, who: Account, method: str, path: str, **kwargs: object) -> httpx.Response:
    return httpx.request(method, f"{server.url}/api/editor{path}", headers=who.headers(), timeout=120, **kwargs)  # type: ignore[arg-type]


def cited(server: LiveServer, partner: Account, doc_id: str) -> bool:
    reply = httpx.post(f"{server.url}/api/chat", json={"message": QUESTION}, headers=partner.headers(), timeout=120)
    assert reply.status_code == 200, reply.text
    return doc_id in {s["doc_id"] for s in reply.json()["sources"]}


def test_the_whole_workflow_through_the_api(server: LiveServer, editor: Account, reviewer: Account, partner: Account) -> None:
    doc_id = new_id()
    created = call(server, editor, "POST", "/documents", json={"text": doc_text(doc_id), "note": "初稿"})
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "draft" and created.json()["versions"][0]["created_by"] == editor.id
    assert created.json()["people"] == {editor.id: editor.email}  # no display name set: the e-mail

    chunks = call(server, editor, "GET", f"/documents/{doc_id}/versions/1/preview").json()["chunks"]
    assert [c["locator"] for c in chunks] == ["蓝鲸协议日志留存要求", "日志留存期限", "报备要求"]
    assert all(c["chunk_id"].startswith(f"{doc_id}:") and c["text"] for c in chunks)
    hit = call(server, editor, "POST", f"/documents/{doc_id}/versions/1/hit-test", json={"query": QUESTION, "k": 5}).json()
    assert hit["results"][0]["this_document"] and hit["results"][0]["locator"] == "日志留存期限"
    assert {c["chunk_id"]: c["rank"] for c in hit["chunks"]}[chunks[1]["chunk_id"]] == 1
    assert not cited(server, partner, doc_id)  # a draft is never retrievable

    assert call(server, editor, "POST", f"/documents/{doc_id}/versions/1/submit").json()["state"] == "in_review"
    own = call(server, editor, "POST", f"/documents/{doc_id}/versions/1/approve")
    assert own.status_code == 403 and "自己" in own.json()["detail"]
    approved = call(server, reviewer, "POST", f"/documents/{doc_id}/versions/1/approve", json={"note": "核对无误"})
    assert approved.status_code == 200 and approved.json()["state"] == "published"
    assert cited(server, partner, doc_id)

    edited = call(server, editor, "PUT", f"/documents/{doc_id}", json={"text": doc_text(doc_id, "十二")})
    assert [v["state"] for v in edited.json()["versions"]] == ["published", "draft"]
    diff = call(server, editor, "GET", f"/documents/{doc_id}/diff", params={"a": 1, "b": 2}).json()["rows"]
    changed = [(r["op"], "六" in r["a_text"], "十二" in r["b_text"]) for r in diff if r["op"] != "equal"]
    assert changed == [("replace", True, True)]
    call(server, editor, "POST", f"/documents/{doc_id}/versions/2/submit")
    assert call(server, reviewer, "POST", f"/documents/{doc_id}/versions/2/approve").status_code == 200
    rolled = call(server, editor, "POST", f"/documents/{doc_id}/rollback", json={"to": 1})
    assert (rolled.json()["number"], rolled.json()["state"]) == (3, "in_review")
    assert call(server, reviewer, "POST", f"/documents/{doc_id}/versions/3/approve").json()["state"] == "published"

    listed = call(server, editor, "GET", "/documents", params={"status": "published", "stale": "true", "limit": 500}).json()
    assert doc_id in {d["doc_id"] for d in listed["items"]}  # review_by 2020-01-01 has passed
    health = call(server, editor, "GET", "/health").json()
    assert doc_id in {d["doc_id"] for d in health["past_review"]} and health["coverage"]["finance"]["network_security"] >= 1

    retired = call(server, reviewer, "POST", f"/documents/{doc_id}/retire", json={"note": "测试结束"})
    assert retired.status_code == 200 and retired.json()["state"] == "retired"
    assert not cited(server, partner, doc_id)

    audit = call(server, editor, "GET", "/audit", params={"doc_id": doc_id}).json()
    actions = [(e["action"], e["version"]) for e in reversed(audit)]
    assert actions == [
        ("create", 1), ("submit", 1), ("approve", 1), ("publish", 1), ("edit", 2), ("submit", 2), ("approve", 2),
        ("publish", 2), ("rollback", 3), ("approve", 3), ("publish", 3), ("retire", 3),
    ]  # fmt: skip
    detail = call(server, editor, "GET", f"/documents/{doc_id}").json()
    assert [v["state"] for v in detail["versions"]] == ["superseded", "superseded", "retired"]


def test_a_partner_gets_403_on_every_editor_route(server: LiveServer, editor: Account, partner: Account) -> None:
    doc_id = new_id()
    call(server, editor, "POST", "/documents", json={"text": doc_text(doc_id)})
    routes = [
        ("GET", "/documents", None), ("POST", "/documents", {"text": doc_text(new_id())}),
        ("GET", f"/documents/{doc_id}", None), ("PUT", f"/documents/{doc_id}", {"text": doc_text(doc_id)}),
        ("POST", f"/documents/{doc_id}/versions/1/submit", None), ("POST", f"/documents/{doc_id}/versions/1/approve", None),
        ("POST", f"/documents/{doc_id}/versions/1/reject", None), ("POST", f"/documents/{doc_id}/retire", None),
        ("POST", f"/documents/{doc_id}/rollback", {"to": 1}), ("GET", f"/documents/{doc_id}/diff?a=1&b=1", None),
        ("GET", f"/documents/{doc_id}/versions/1/preview", None),
        ("POST", f"/documents/{doc_id}/versions/1/hit-test", {"query": QUESTION}),
        ("GET", "/audit", None), ("GET", "/health", None),
    ]  # fmt: skip
    for method, path, body in routes:
        refused = call(server, partner, method, path, **({"json": body} if body is not None else {}))
        assert refused.status_code == 403, (method, path, refused.text)
        anonymous = httpx.request(method, f"{server.url}/api/editor{path}", json=body)
        assert anonymous.status_code == 401, (method, path)
    assert call(server, editor, "GET", f"/documents/{doc_id}").json()["latest_version"] == 1  # nothing changed


def test_writes_need_the_csrf_token_and_invalid_text_names_field_and_line(server: LiveServer, editor: Account) -> None:
    doc_id = new_id()
    forged = httpx.post(f"{server.url}/api/editor/documents", json={"text": doc_text(doc_id)}, headers=editor.headers(csrf=False))
    assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
    bad = doc_text(doc_id).replace("kind: faq", "kind: rumour")
    refused = call(server, editor, "POST", "/documents", json={"text": bad})
    assert refused.status_code == 422
    problem = refused.json()["problems"][0]
    assert problem["field"] == "kind" and problem["line"] == bad.split("\n").index("kind: rumour") + 1
    both = call(server, editor, "POST", "/documents", json={"text": bad, "filename": "a.md", "content_base64": "eA=="})
    assert both.status_code == 422
    missing = call(server, editor, "GET", "/documents/no-such-document")
    assert missing.status_code == 404
    call(server, editor, "POST", "/documents", json={"text": doc_text(doc_id)})
    assert call(server, editor, "POST", "/documents", json={"text": doc_text(doc_id)}).status_code == 409
    assert call(server, editor, "POST", f"/documents/{doc_id}/versions/1/approve").status_code == 409  # still a draft


def test_a_file_upload_is_converted_into_a_draft(server: LiveServer, editor: Account) -> None:
    pytest.importorskip("corpus.importers")
    doc_id = new_id()
    content = base64.b64encode(doc_text(doc_id).encode()).decode()
    created = call(server, editor, "POST", "/documents", json={"filename": f"{doc_id}.md", "content_base64": content})
    assert created.status_code == 201, created.text
    assert created.json()["doc_id"] == doc_id


def test_an_admin_may_approve_their_own_version(server: LiveServer, admin: Account, partner: Account) -> None:
    doc_id = new_id()
    call(server, admin, "POST", "/documents", json={"text": doc_text(doc_id)})
    call(server, admin, "POST", f"/documents/{doc_id}/versions/1/submit")
    approved = call(server, admin, "POST", f"/documents/{doc_id}/versions/1/approve")
    assert approved.status_code == 200 and approved.json()["reviewed_by"] == admin.id
    call(server, admin, "POST", f"/documents/{doc_id}/retire")


def test_the_metadata_form_reads_and_writes_front_matter_without_saving(server: LiveServer, editor: Account, partner: Account) -> None:
    doc_id = new_id()
    text = doc_text(doc_id)
    read = call(server, editor, "POST", "/metadata", json={"text": text})
    assert read.status_code == 200, read.text
    assert read.json()["fields"]["title"] == "蓝鲸协议日志留存要求" and read.json()["problems"] == []

    written = call(server, editor, "POST", "/metadata", json={"text": text, "fields": {"industries": ["healthcare"], "title": ""}})
    assert written.status_code == 200, written.text
    body = written.json()
    assert "industries:\n- healthcare\n" in body["text"] and body["fields"]["industries"] == ["healthcare"]
    assert [p["field"] for p in body["problems"]] == ["title"] and body["problems"][0]["line"] > 1
    assert call(server, editor, "GET", f"/documents/{doc_id}").status_code == 404  # nothing was saved

    no_front_matter = call(server, editor, "POST", "/metadata", json={"text": "# 只有正文"})
    assert no_front_matter.status_code == 422 and no_front_matter.json()["problems"][0]["field"] == "front matter"
    for bad in ({"industries": "healthcare"}, {"colour": "red"}, {"title": ["x"]}):
        refused = call(server, editor, "POST", "/metadata", json={"text": text, "fields": bad})
        assert refused.status_code == 422, (bad, refused.text)
    assert call(server, partner, "POST", "/metadata", json={"text": text}).status_code == 403


def test_the_starter_documents_are_listed_as_versions_read_from_their_files(server: LiveServer, editor: Account) -> None:
    from corpus import STARTER_DIR

    starter = {path.stem for path in STARTER_DIR.rglob("*.md") if not path.name.startswith("README")}
    listed = call(server, editor, "GET", "/documents?limit=500")
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] >= len(starter) > 100
    files = [d for d in listed.json()["items"] if d["doc_id"] in {"reg-pipl-processing-rules", "ind-healthcare"}]
    assert len(files) == 2 and all(d["state"] == "published" and d["published_version"] == 1 for d in files)
    regulations = call(server, editor, "GET", "/documents?kind=regulation&limit=500").json()
    assert regulations["total"] >= 20 and all(d["kind"] == "regulation" for d in regulations["items"])
    detail = call(server, editor, "GET", f"/documents/{files[0]['doc_id']}").json()
    first = detail["versions"][0]
    assert first["created_by"] == "corpus" and detail["people"]["corpus"] == "语料目录"
    assert first["text"].startswith("---\n")


def test_approving_your_own_version_is_refused_before_you_try(server: LiveServer, editor: Account, reviewer: Account) -> None:
    doc_id = new_id()
    call(server, editor, "POST", "/documents", json={"text": doc_text(doc_id)})
    assert call(server, editor, "GET", f"/documents/{doc_id}").json()["approve_refusal"] is None  # a draft: nothing to approve
    call(server, editor, "POST", f"/documents/{doc_id}/versions/1/submit")
    mine = call(server, editor, "GET", f"/documents/{doc_id}").json()
    assert "不能批准自己撰写的版本" in mine["approve_refusal"]
    assert call(server, editor, "POST", f"/documents/{doc_id}/versions/1/approve").status_code == 403
    assert call(server, reviewer, "GET", f"/documents/{doc_id}").json()["approve_refusal"] is None
    call(server, reviewer, "POST", f"/documents/{doc_id}/versions/1/reject")


def test_an_upload_missing_what_the_text_does_not_say_is_returned_for_completion(server: LiveServer, editor: Account) -> None:
    """A government rule without its issuer or dates: nothing is invented, nothing saved; the text comes back."""
    pytest.importorskip("corpus.importers")
    title = f"鹭岛{uuid.uuid4().hex[:6]}数据备份管理办法"
    text = f"# {title}\n\n第一条 为了规范数据备份，制定本办法。\n\n第二条 备份数据应当异地保存。\n\n第三条 本办法由主管部门解释。\n"
    content = base64.b64encode(text.encode()).decode()
    converted = call(server, editor, "POST", "/documents", json={"filename": "办法.txt", "content_base64": content})
    assert converted.status_code == 422, converted.text
    body = converted.json()
    assert {p["field"] for p in body["problems"]} == {"source.issuer", "effective_date"}
    assert {p["label"] for p in body["problems"]} == {"发文机关", "施行日期"}
    assert all(p["message"] == "必填，请填写" for p in body["problems"])
    assert "发文机关" in body["detail"] and "第二条" in body["text"] and "填写" in body["suggestions"]["issuer"][0]
    assert "渠道参谋编辑部" not in body["text"] and "effective_date" not in body["text"]
    assert title not in {d["title"] for d in call(server, editor, "GET", "/documents?limit=500").json()["items"]}

    form = {"issuer": "鹭岛市数据局", "effective_date": "2026-01-01"}  # what the editor types into the form
    completed = call(server, editor, "POST", "/metadata", json={"text": body["text"], "fields": form}).json()
    assert completed["problems"] == []
    created = call(server, editor, "POST", "/documents", json={"text": completed["text"]})
    assert created.status_code == 201, created.text
    assert created.json()["title"] == title
