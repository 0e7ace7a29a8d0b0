"""The weekly digest: each partner user gets one e-mail a week listing what is new for the organisation's
watched customers (nothing is sent when nothing is new, or when SMTP is not configured).

Sending is claimed per (user, ISO week) in the database first, so two replicas or a rerun send it once.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from email.message import EmailMessage
from html import escape

from pydantic import BaseModel, Field, SecretStr

from accounts.store import AccountStore
from accounts.tables import Role
from community.activity.log import iso_week
from community.watch.updates import UpdateItem, UpdatesService

__all__ = ["DigestReport", "SmtpConfig", "compose_digest", "send_weekly_digests"]

DIGEST_DAYS = 7


class SmtpConfig(BaseModel):
    """`TOP_SMTP__…` settings; digests are off while `host` is unset."""

    host: str | None = Field(None, description="SMTP server; unset: no e-mail is sent")
    port: int = Field(587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    sender: str = Field("渠道参谋 <noreply@localhost>", description="From: header")
    security: str = Field("starttls", pattern="^(starttls|ssl|none)$", description="starttls, ssl or none")
    timeout: float = Field(20.0, gt=0, le=300)
    base_url: str = Field("http://127.0.0.1:8000", description="links in the mail point here")


@dataclass
class DigestReport:
    week: dt.date
    sent: list[str] = field(default_factory=list)  # e-mail addresses
    skipped: int = 0  # already sent this week, or nothing new
    failed: list[str] = field(default_factory=list)


def compose_digest(*, to: str, sender: str, items: list[UpdateItem], base_url: str, week: dt.date) -> EmailMessage:
    by_customer: dict[str, list[UpdateItem]] = defaultdict(list)
    for item in items:
        by_customer[item.customer].append(item)
    message = EmailMessage()
    message["Subject"] = f"渠道参谋 · 本周客户动态（{len(items)} 条，{week.isoformat()} 起）"
    message["From"] = sender
    message["To"] = to
    text = [f"您关注的 {len(by_customer)} 个客户本周有 {len(items)} 条相关更新：", ""]
    html = [f"<p>您关注的 {len(by_customer)} 个客户本周有 {len(items)} 条相关更新：</p>"]
    for customer, found in by_customer.items():
        text.append(f"【{customer}】")
        html.append(f"<h3>{escape(customer)}</h3><ul>")
        for item in found:
            link = f"{base_url.rstrip('/')}{item.url}"
            text.append(f"  - {item.title}：{item.why}（{item.published_at.date().isoformat()}）{link}")
            html.append(f'<li><a href="{escape(link)}">{escape(item.title)}</a>：{escape(item.why)}'
                        f"（{item.published_at.date().isoformat()}）</li>")  # fmt: skip
        text.append("")
        html.append("</ul>")
    updates = f"{base_url.rstrip('/')}/updates"
    text.append(f"全部动态：{updates}")
    html.append(f'<p><a href="{escape(updates)}">查看全部动态</a></p>')
    message.set_content("\n".join(text))
    message.add_alternative("\n".join(html), subtype="html")
    return message


def _send(config: SmtpConfig, message: EmailMessage) -> None:
    assert config.host
    if config.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                                context=ssl.create_default_context())  # fmt: skip
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    with client:
        if config.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config.username:
            client.login(config.username, config.password.get_secret_value() if config.password else "")
        client.send_message(message)


def send_weekly_digests(
    config: SmtpConfig, accounts: AccountStore, updates: UpdatesService, *, today: dt.date | None = None
) -> DigestReport:
    """One digest per partner user whose organisation watches customers with news from the last 7 days."""
    week = iso_week(today)
    report = DigestReport(week=week)
    if not config.host:
        return report
    since = dt.datetime.combine((today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=DIGEST_DAYS),
                                dt.time(), tzinfo=dt.UTC)  # fmt: skip
    organisations = set(updates.store.organisations())
    users = [u for u in accounts.list_users() if u.org_id in organisations and not u.disabled
             and u.role in (Role.partner, Role.admin)]  # fmt: skip
    items_by_org: dict[str, list[UpdateItem]] = {}
    for user in users:
        if user.org_id not in items_by_org:
            customers = updates.store.list(user.org_id)
            items_by_org[user.org_id] = updates.for_customers(customers, since=since, seen=None)
        items = items_by_org[user.org_id]
        if not items or not updates.store.claim_digest(user_id=user.id, org_id=user.org_id, week=week):
            report.skipped += 1
            continue
        message = compose_digest(to=user.email, sender=config.sender, items=items, base_url=config.base_url, week=week)
        try:
            _send(config, message)
            report.sent.append(user.email)
        except (OSError, smtplib.SMTPException) as exc:
            updates.store.release_digest(user_id=user.id, week=week)
            report.failed.append(f"{user.email}: {exc}")
    return report
