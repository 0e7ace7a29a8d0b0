"""Download rewards: the case service's listener (community/cases/hooks.py) that credits authors.

A download earns the author's organisation `points_per_download` points when
  - both organisations have a verified 统一社会信用代码 and they differ (never one's own company, however
    many organisations or accounts it has), and
  - no organisation of the downloading company earned this case a reward before (once per company per case:
    the transfer's idempotency key is `reward:<case>:<downloader credit code>`), and
  - the author's organisation has earned fewer than `daily_cap_per_author` rewards today (UTC).
The credit stays pending for `settlement_days`; a takedown of the case within that window voids it, and
`Ledger.settle` posts the rest. Every download by another organisation spends the downloader's plan allowance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from pydantic import BaseModel, Field
from sqlalchemy import Connection, func, select

from billing.entitlements import Entitlements
from billing.ledger import POINTS, TRANSFERS, Ledger, Skip, Transfer, org_account, platform_account

__all__ = ["ISSUANCE", "REWARD", "Rewards", "RewardsConfig", "counterparty_alias"]

REWARD = "download_reward"
ISSUANCE = platform_account("points_issuance", POINTS)


class RewardsConfig(BaseModel):
    """TOP_REWARDS__…: what a download earns and when it settles."""

    points_per_download: int = Field(10, ge=1, le=10_000, description="points an author earns per rewarded download")
    daily_cap_per_author: int = Field(50, ge=0, description="rewarded downloads per author organisation per UTC day")
    settlement_days: float = Field(7, ge=0, le=365, description="days a reward stays pending (voided by a takedown)")
    points_per_yuan: int = Field(100, ge=1, description="points converted into ¥1 of fee credit")


def counterparty_alias(author_org: str, other_org: str) -> str:
    """Who downloaded, as the author sees it: a stable pseudonym per pair, never the other organisation's name
    (another organisation's activity is not the author's to know)."""
    return "伙伴-" + hashlib.sha256(f"{author_org}:{other_org}".encode()).hexdigest()[:8]


class Rewards:
    def __init__(self, ledger: Ledger, entitlements: Entitlements, config: RewardsConfig, *,
                 code_of: Callable[[str], str | None]) -> None:  # fmt: skip
        self.ledger, self.entitlements, self.config, self.code_of = ledger, entitlements, config, code_of

    # CaseListener
    def on_download(self, event) -> None:  # type: ignore[no-untyped-def]  # community.cases.DownloadEvent
        if event.downloader_org_id != event.author_org_id and not event.repeated:
            self.entitlements.spend(event.downloader_org_id, "case_downloads", event.idempotency_key)
        self.reward(case_id=event.case_id, author_org=event.author_org_id, downloader_org=event.downloader_org_id,
                    at=event.at, download_id=event.download_id)  # fmt: skip

    def on_takedown(self, event) -> None:  # type: ignore[no-untyped-def]  # community.cases.TakedownEvent
        self.ledger.void_pending(case_id=event.case_id, kind=REWARD)

    def reward(self, *, case_id: str, author_org: str, downloader_org: str, at: dt.datetime,
               download_id: int | None = None) -> Transfer | None:  # fmt: skip
        """The reward transfer (new or the earlier one), or None when the download earns nothing."""
        author_code, downloader_code = self.code_of(author_org), self.code_of(downloader_org)
        if not author_code or not downloader_code or author_code == downloader_code or author_org == downloader_org:
            return None
        wallet = org_account(author_org, "points")
        day = dt.datetime.combine(at.astimezone(dt.UTC).date(), dt.time(), dt.UTC)
        cap = self.config.daily_cap_per_author
        transfers = TRANSFERS

        def under_cap(conn: Connection) -> None:
            today = conn.scalar(select(func.count()).select_from(transfers).where(
                transfers.c.credit_account == wallet.id, transfers.c.kind == REWARD, transfers.c.state != "voided",
                transfers.c.created_at >= day, transfers.c.created_at < day + dt.timedelta(days=1)))  # fmt: skip
            if int(today or 0) >= cap:
                raise Skip

        return self.ledger.transfer(
            key=f"reward:{case_id}:{downloader_code}", kind=REWARD, debit=ISSUANCE, credit=wallet,
            amount=self.config.points_per_download, pending_until=at + dt.timedelta(days=self.config.settlement_days),
            case_id=case_id, org_id=author_org, counterparty_org=downloader_org,
            detail={"download_id": download_id}, lock=[wallet.id], guard=under_cap,
        )  # fmt: skip
