"""An organisation's billing data for the PIPL export and deletion registry (accounts/org_data.py).

Export: its plan, wallet with every entry, memberships, fee payments, imported orders and payout requests.
Deletion removes what is not an accounting record (plan usage counters, payout requests, which name a user) and
keeps the ledger, memberships, payments and orders: bookkeeping records must be kept for the legal retention
period (会计档案管理办法), which PIPL Art. 47 allows, storing them only. They carry the organisation's opaque id
and its company credit code, no person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from billing.service import Billing
from billing.tables import MembershipRow, OrderRow, PaymentRow, PayoutRequestRow, UsageRow
from corpus.store import rows_affected

__all__ = ["delete_organisation_billing", "export_organisation_billing"]


def _rows(billing: Billing, row: type[Any], *condition: Any) -> list[dict[str, Any]]:
    with billing.engine.connect() as conn:
        found = conn.execute(select(row.__table__).where(*condition)).mappings().all()
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in found]


def export_organisation_billing(billing: Billing, org_id: str) -> dict[str, Any]:
    code = billing.code_of(org_id)
    return {
        "plan": billing.plan(org_id),
        "wallet": billing.wallet(org_id, limit=100_000),
        "memberships": _rows(billing, MembershipRow, MembershipRow.org_id == org_id),
        "payments": _rows(billing, PaymentRow, PaymentRow.org_id == org_id),
        "orders": _rows(billing, OrderRow, OrderRow.credit_code == code) if code else [],
        "payout_requests": _rows(billing, PayoutRequestRow, PayoutRequestRow.org_id == org_id),
    }


def delete_organisation_billing(billing: Billing, org_id: str) -> dict[str, int]:
    with billing.engine.begin() as conn:
        usage = rows_affected(conn.execute(delete(UsageRow).where(UsageRow.org_id == org_id)))
        payouts = rows_affected(conn.execute(delete(PayoutRequestRow).where(PayoutRequestRow.org_id == org_id)))
    return {"plan_usage": usage, "payout_requests": payouts}
