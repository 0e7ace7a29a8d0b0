"""The accounts and conversations parts of an organisation's data (issue 20, item 7) on SQLite and PostgreSQL:
export without secrets, delete everything of one organisation and nothing of another. The whole registry over
HTTP, with cases in the indexes: tests/server/test_org_data.py."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_community import postgres_database
from sqlalchemy import Engine, MetaData, select

from accounts.login import LoginAudit
from accounts.org_data import OrgDataRegistry, delete_accounts, export_accounts, members
from accounts.quotas import QuotaCounter
from accounts.store import AccountNotFound, AccountStore
from accounts.tables import Role, migrate_accounts
from accounts.widgets import WidgetKeyCreate, WidgetStore
from assistant.conversation_data import delete_conversations, export_conversations
from assistant.conversations import ConversationStore
from assistant.tables import migrate_assistant
from corpus.store import make_engine

PASSWORD = "s3cure-enough-passphrase"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{(tmp_path / 'top.db').as_posix()}"
        built = make_engine(url)
        migrate_accounts(built), migrate_assistant(built)
        yield built
        built.dispose()
        return
    with postgres_database() as url:
        if url is None:
            pytest.skip("no PostgreSQL server at 127.0.0.1:5432")
        built = make_engine(url)
        migrate_accounts(built), migrate_assistant(built)
        yield built
        built.dispose()


def plant(engine: Engine, tag: str) -> dict[str, str]:
    """An organisation with a user (a session, an API key, a failed login), a widget (a quota counter, a visitor's
    conversation) and the user's own conversation with feedback; returns the strings that identify it."""
    accounts, widgets, chats = AccountStore(engine), WidgetStore(engine), ConversationStore(engine)
    org = accounts.create_organisation(name=f"组织{tag}")
    user = accounts.create_user(email=f"u{tag}@example.cn", password=PASSWORD, role=Role.partner, org_id=org.id, name=f"姓名{tag}")
    accounts.create_session(user.id)
    accounts.create_api_key(user.id, name=f"key{tag}")
    LoginAudit(engine).record(email=user.email, address="192.0.2.1", outcome="failure", user_id=user.id)
    key = widgets.create(org_id=org.id, user_id=user.id, data=WidgetKeyCreate(title=f"窗口{tag}"))
    QuotaCounter(engine).hit(f"{key.id}:user:visitor{tag}", limit=10, seconds=86400)
    _conversation, reply, _ = chats.start_turn(f"问题{tag}：医院等保怎么做？", None, user.id)
    chats.finish_turn(reply, content=f"回答{tag}", status="complete", mode="answer", writer="composer")
    chats.set_feedback(reply, user.id, "up", f"评语{tag}")
    chats.start_turn(f"访客问题{tag}", None, f"widget:{key.id}:visitor{tag}")
    return {"org": org.id, "user": user.id, "email": user.email, "widget": key.id, "tag": tag, "secret": key.secret}


def dump(engine: Engine) -> str:
    """Every row of every table, as text."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return "\n".join(str(row) for table in meta.sorted_tables for row in conn.execute(select(table)))


def registry(engine: Engine) -> OrgDataRegistry:
    reg = OrgDataRegistry(check=lambda org_id: members(engine, org_id))
    reg.register("accounts", lambda o: export_accounts(engine, o), lambda o: delete_accounts(engine, o))

    def owners(org_id: str) -> dict[str, list[str]]:
        users, keys = members(engine, org_id)
        return {"owners": users, "prefixes": [f"widget:{k}:" for k in keys]}

    reg.register("conversations", lambda o: export_conversations(engine, **owners(o)),
                 lambda o: delete_conversations(engine, **owners(o)))  # fmt: skip
    return reg


def test_export_then_delete_one_organisation_leaves_the_other_whole(engine: Engine) -> None:
    a, b = plant(engine, "甲" + uuid.uuid4().hex[:6]), plant(engine, "乙" + uuid.uuid4().hex[:6])
    reg = registry(engine)
    with zipfile.ZipFile(io.BytesIO(reg.archive(a["org"]))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["files"] == ["accounts.json", "conversations.json"] and manifest["org_id"] == a["org"]
        text = {name: archive.read(name).decode() for name in manifest["files"]}
    exported = json.loads(text["accounts.json"])
    assert [u["email"] for u in exported["users"]] == [a["email"]]
    assert exported["widget_keys"][0]["id"] == a["widget"] and exported["widget_counters"]
    assert exported["login_attempts"] and exported["api_keys"][0]["name"] == f"key{a['tag']}"
    everything = "".join(text.values())
    assert "argon2" not in everything and "password" not in everything and a["secret"] not in everything
    assert "secret_hash" not in everything and "token_hash" not in everything
    conversations = json.loads(text["conversations.json"])
    assert len(conversations) == 2 and any(f"访客问题{a['tag']}" in c["title"] for c in conversations)
    assert any(m["feedback"] and m["feedback"]["comment"] == f"评语{a['tag']}" for c in conversations for m in c["messages"])
    assert b["tag"] not in everything and b["email"] not in everything

    counts = reg.delete(a["org"])
    assert counts["conversations"]["conversations"] == 2 and counts["accounts"]["users"] == 1
    left = dump(engine)
    for value in (a["org"], a["user"], a["email"], a["widget"], a["tag"], a["secret"]):
        assert value not in left, value
    for value in (b["org"], b["user"], b["email"], b["widget"], b["tag"]):
        assert value in left, value
    assert len(export_conversations(engine, owners=[b["user"]], prefixes=[f"widget:{b['widget']}:"])) == 2
    with pytest.raises(AccountNotFound):
        reg.delete(a["org"])
    with pytest.raises(AccountNotFound):
        reg.archive("no-such-organisation")
