"""The weekly digest, sent through a real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from helpers import make_stack, write_doc

from accounts.store import AccountStore
from accounts.tables import OrgKind, Role, migrate_accounts
from assistant.models import Profile, Region
from community.insights import open_insights
from community.watch import SmtpConfig, send_weekly_digests
from retrieval.vector_store import ChromaConfig, make_chroma_client


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_each_partner_gets_one_digest_a_week_with_what_matches_its_customers(smtp, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    corpus = tmp_path / "corpus"
    write_doc(corpus, "reg-gd-data-test", kind="regulation", title="广东省公共数据安全管理规定（测试）",
              industries=["healthcare"], regions=["广东省"])  # fmt: skip
    write_doc(corpus, "reg-zj-data-test", kind="regulation", title="浙江省公共数据条例（测试）",
              industries=["healthcare"], regions=["浙江省"])  # fmt: skip
    stack = make_stack(tmp_path / "var", embedder, make_chroma_client(ChromaConfig(mode="persistent", path=str(tmp_path / "chroma"))))
    try:
        stack.indexer.ingest(corpus)
        engine = stack.registry.engine
        migrate_accounts(engine)
        insights = open_insights(engine, stack.keyword_index)
        accounts = AccountStore(engine)
        org = accounts.create_organisation(name="伙伴甲", kind=OrgKind.partner)
        other = accounts.create_organisation(name="伙伴乙", kind=OrgKind.partner)
        alice = accounts.create_user(email="alice@example.cn", password="s3cure-enough-passphrase", role=Role.partner, org_id=org.id)
        accounts.create_user(email="bob@example.cn", password="s3cure-enough-passphrase", role=Role.partner, org_id=other.id)
        profile = Profile(name="临江市第一人民医院", industry="healthcare", region=Region(province="广东省"))
        insights.watch.add(org_id=org.id, user_id=alice.id, name="临江市第一人民医院", profile=profile)

        config = SmtpConfig(host="127.0.0.1", port=port, security="none", sender="渠道参谋 <noreply@example.cn>",
                            base_url="https://top.example.cn")  # fmt: skip
        report = send_weekly_digests(config, accounts, insights.updates, today=dt.date.today())
        assert report.sent == ["alice@example.cn"] and not report.failed
        assert len(inbox.messages) == 1
        message = inbox.messages[0]
        assert message["To"] == "alice@example.cn" and "本周客户动态" in message["Subject"]
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "临江市第一人民医院" in body and "广东省公共数据安全管理规定" in body and "浙江省公共数据条例" not in body
        assert "https://top.example.cn/documents/reg-gd-data-test" in body

        again = send_weekly_digests(config, accounts, insights.updates, today=dt.date.today())
        assert again.sent == [] and len(inbox.messages) == 1  # once per user and week
        off = send_weekly_digests(SmtpConfig(), accounts, insights.updates)
        assert off.sent == [] and off.skipped == 0
    finally:
        stack.close()
