"""An organisation's data over real HTTP (issue 20, item 7; PIPL access and deletion): an admin exports everything
organisation A stored as one zip, then deletes it; afterwards nothing of A remains in any table, the keyword
index or Chroma (its published case is out of retrieval), and organisation B's data is untouched.
The CLI (`top-advisor orgs export|delete`) runs the same registry."""

from __future__ import annotations

import io
import json
import sqlite3
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from conftest import LiveServer
from helpers_cases import Member, call, case_body, draft, member, ok, publish, unique_customer
from sqlalchemy import MetaData, select

from accounts.tables import Role


@dataclass
class Org:
    who: Member
    colleague: Member
    customer: str
    marker: str
    widget: str = ""
    case_doc: str = ""
    conversation: str = ""
    identifiers: list[str] = field(default_factory=list)


def plant(server: LiveServer, editor: Member) -> Org:
    who = member(server, Role.partner)
    colleague = member(server, Role.partner, org_id=who.org_id)
    customer, tag = unique_customer(), uuid.uuid4().hex[:8]
    org = Org(who, colleague, customer, marker=f"蜂巢暗号{tag}机柜")
    reply = ok(call(server, who, "POST", "/api/chat", json={"message": f"{customer}要做等保三级，{org.marker}怎么办？"}))
    org.conversation = reply["conversation_id"]
    ok(call(server, colleague, "POST", "/api/chat", json={"message": f"{customer}的数据安全需求"}))
    org.widget = ok(call(server, who, "POST", "/api/widget-keys", json={"title": f"窗口{tag}"}), 201)["id"]
    ok(call(server, who, "POST", "/api/watchlist", json={"customer": customer}), 201)
    published = publish(server, who, editor, case_body(customer))
    org.case_doc = f"pc-{published['id']}"
    draft(server, colleague, case_body(unique_customer(), marker=org.marker))
    ok(call(server, who, "POST", "/api/discussions", json={"topic_kind": "industry", "topic": "healthcare",
        "title": f"经验{tag}", "body": f"审计经验分享 {org.marker}"}), 201)  # fmt: skip
    wrong = httpx.post(f"{server.url}/api/auth/login", json={"email": who.email, "password": "not-the-password"})
    assert wrong.status_code == 401  # a login-throttle counter for the account
    org.identifiers = [who.org_id, who.user_id, colleague.user_id, who.email, colleague.email, who.name,
                       colleague.name, customer, org.marker, org.widget, tag]  # fmt: skip
    return org


def database_text(server: LiveServer) -> str:
    engine = server.container.registry.engine
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return "\n".join(f"{table.name}: {row}" for table in meta.sorted_tables for row in conn.execute(select(table)))


def keyword_text(server: LiveServer) -> str:
    with sqlite3.connect(server.container.settings.keyword_index_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(str(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"'))


@pytest.fixture(scope="module")
def planted(live_server: LiveServer) -> dict[str, object]:
    editor = member(live_server, Role.editor)
    admin = member(live_server, Role.admin)
    return {"a": plant(live_server, editor), "b": plant(live_server, editor), "admin": admin, "editor": editor}


def test_an_admin_exports_one_organisation_as_a_zip_without_secrets(live_server: LiveServer, planted) -> None:  # type: ignore[no-untyped-def]
    a, b = planted["a"], planted["b"]
    assert call(live_server, a.who, "GET", f"/api/admin/organisations/{a.who.org_id}/export").status_code == 403
    reply = call(live_server, planted["admin"], "GET", f"/api/admin/organisations/{a.who.org_id}/export")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/zip"
    assert reply.headers["content-disposition"].startswith('attachment; filename="organisation-')
    with zipfile.ZipFile(io.BytesIO(reply.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["files"] == ["accounts.json", "conversations.json", "editorial_audit.json", "community.json",
                                     "billing.json"]  # fmt: skip
        parts = {name.removesuffix(".json"): json.loads(archive.read(name)) for name in manifest["files"]}
    text = json.dumps(parts, ensure_ascii=False)
    assert {u["email"] for u in parts["accounts"]["users"]} == {a.who.email, a.colleague.email}
    assert "argon2" not in text and "password" not in text and "secret_hash" not in text
    assert len(parts["conversations"]) == 2 and a.marker in text
    community = parts["community"]
    assert [w["customer"] for w in community["watchlist"]] == [a.customer]
    assert len(community["cases"]["cases"]) == 2 and any(c.get("customer") == a.customer for c in community["cases"]["cases"])
    assert community["discussions"]["posts"] and community["activity"]
    assert parts["billing"]["plan"]["plan"] and "entries" in parts["billing"]["wallet"]
    for value in (b.who.email, b.customer, b.marker, b.who.org_id):
        assert value not in text
    missing = call(live_server, planted["admin"], "GET", "/api/admin/organisations/no-such-org/export")
    assert missing.status_code == 404 and "没有编号" in missing.json()["detail"]


def test_deleting_an_organisation_leaves_nothing_of_it_in_any_store_or_index(live_server: LiveServer, planted) -> None:  # type: ignore[no-untyped-def]
    a, b, admin = planted["a"], planted["b"], planted["admin"]
    container = live_server.container
    assert container.keyword_index.chunk_ids(a.case_doc) and container.vector_store.chunk_ids(a.case_doc)
    own = call(live_server, admin, "DELETE", f"/api/admin/organisations/{admin.org_id}")
    assert own.status_code == 409
    reply = call(live_server, admin, "DELETE", f"/api/admin/organisations/{a.who.org_id}")
    assert reply.status_code == 200, reply.text
    deleted = reply.json()["deleted"]
    assert deleted["accounts"]["users"] == 2 and deleted["conversations"]["conversations"] == 2
    assert deleted["community"]["watched_customers"] == 1

    stored = database_text(live_server)
    for value in a.identifiers:
        assert value not in stored, f"{value} left in the database: " + next(
            line for line in stored.splitlines() if value in line)[:300]
    assert not container.keyword_index.chunk_ids(a.case_doc) and not container.vector_store.chunk_ids(a.case_doc)
    indexed = keyword_text(live_server)
    for value in a.identifiers:
        assert value not in indexed
    hits = httpx.get(f"{live_server.url}/api/search", params={"q": f"{a.customer} 数据库审计", "k": 50}).json()
    assert a.case_doc not in {h["doc_id"] for h in hits}
    assert call(live_server, a.who, "GET", "/api/me").status_code == 401  # its API keys are gone
    throttle = container.login.throttle
    account_key = throttle._keys(a.who.email, "")["account"]
    assert throttle.store.add_failure(account_key, forget_after=60) == 1  # its failed login was forgotten too
    throttle.store.clear(account_key)

    # B is whole: its conversation, watchlist, published case (still retrieved) and login.
    assert ok(call(live_server, b.who, "GET", f"/api/conversations/{b.conversation}"))["id"] == b.conversation
    assert [w["customer"] for w in ok(call(live_server, b.who, "GET", "/api/watchlist"))["items"]] == [b.customer]
    assert container.keyword_index.chunk_ids(b.case_doc) and container.vector_store.chunk_ids(b.case_doc)
    for value in b.identifiers:
        assert value in stored, value
    again = call(live_server, admin, "DELETE", f"/api/admin/organisations/{a.who.org_id}")
    assert again.status_code == 404


def test_the_cli_exports_and_deletes_too(tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import api.container
    from api.cli import cli
    from api.settings import Settings

    data = tmp_path / "var"
    monkeypatch.setenv("TOP_DATA_DIR", str(data))
    original = api.container.build_container
    monkeypatch.setattr("api.container.build_container", lambda settings: original(settings, embedder=embedder))
    container = original(Settings(_env_file=None, data_dir=data), embedder=embedder)
    org = container.accounts.create_organisation(name="命令行组织")
    user = container.accounts.create_user(email="cli@example.cn", password="s3cure-enough-passphrase", role=Role.partner, org_id=org.id)
    container.chat.store.start_turn("命令行的问题", None, user.id)
    container.close()

    runner = CliRunner()
    out = tmp_path / "out" / "org.zip"
    exported = runner.invoke(cli, ["orgs", "export", org.id, "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    with zipfile.ZipFile(out) as archive:
        assert "命令行的问题" in archive.read("conversations.json").decode()
    refused = runner.invoke(cli, ["orgs", "delete", org.id])
    assert refused.exit_code != 0 and "--yes" in refused.output
    done = runner.invoke(cli, ["orgs", "delete", org.id, "--yes"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["deleted"]["conversations"]["conversations"] == 1
    unknown = runner.invoke(cli, ["orgs", "delete", org.id, "--yes"])
    assert unknown.exit_code != 0 and "没有编号" in unknown.output
