"""The wallet, the plan, and the billing admin: `/api/wallet`, `/api/plan`, `/api/admin/billing/…`.

Routes parse, call the billing service (billing/service.py) once and return its answer; amounts of money
are yuan in and out (kept in fen inside), points are whole numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import Field

from api.auth import AdminDep, UserDep
from api.deps import ContainerDep, require_json
from api.entitlements import entitled
from billing.money import parse_yuan
from corpus.text import CheckedInput

router = APIRouter(prefix="/api", tags=["billing"])
MAX_CSV_BYTES = 5 * 1024 * 1024


class Convert(CheckedInput):
    points: int = Field(..., ge=1, le=10**9, description="积分数（已结算的积分）")


class PayoutRequest(CheckedInput):
    points: int = Field(..., ge=1, le=10**9)
    note: str = Field("", max_length=500)


class MembershipCreate(CheckedInput):
    org_id: str = Field(..., min_length=1, max_length=40)
    starts_on: dt.date
    ends_on: dt.date
    package_order: str = Field(..., min_length=1, max_length=100, description="大礼包订单号")
    note: str = Field("", max_length=1000)


class PaymentCreate(CheckedInput):
    org_id: str = Field(..., min_length=1, max_length=40)
    amount: str = Field(..., min_length=1, max_length=30, description="年费金额（元），如 \"9800\" 或 \"9,800.00\"")
    paid_on: dt.date
    reference: str = Field(..., min_length=1, max_length=100, description="银行转账流水号")
    provider: str = Field("offline", max_length=24)


@router.get("/wallet")
def wallet(user: UserDep, container: ContainerDep) -> dict[str, Any]:
    """The organisation's points: `{balance, pending, entries: [{id, kind, amount, state, case_id, counterparty_org,
    created_at}]}`; `counterparty_org` is a pseudonym (who downloaded is not the author's to know)."""
    return container.billing.wallet(user.org_id)


@router.post("/wallet/convert", dependencies=[Depends(require_json), Depends(entitled("points_conversion"))])
def convert(body: Convert, user: UserDep, container: ContainerDep,
            idempotency_key: Annotated[str | None, Header(max_length=100)] = None) -> dict[str, Any]:  # fmt: skip
    """Posted points into fee credit (`points_per_yuan` points = ¥1), a ledger transfer each way."""
    return container.billing.convert(user.org_id, body.points, key=idempotency_key)


@router.post("/wallet/payout-requests", status_code=201, dependencies=[Depends(require_json)])
def payout_request(body: PayoutRequest, user: UserDep, container: ContainerDep) -> dict[str, Any]:
    """Points as cash: recorded for an admin to handle offline (paying out is not automated)."""
    return container.billing.request_payout(user.org_id, user.id, body.points, body.note)


@router.get("/plan")
def plan(user: UserDep, container: ContainerDep) -> dict[str, Any]:
    """`{plan, features, quotas, usage, refund, membership}` of the caller's organisation."""
    return container.billing.plan(user.org_id)


# -- admin ---------------------------------------------------------------------------------------------------
admin = APIRouter(prefix="/api/admin/billing", tags=["admin"])


@admin.get("")
def overview(_: AdminDep, container: ContainerDep) -> dict[str, Any]:
    """Organisations (plan, points), memberships, payments, orders, refunds due, suspicious patterns, payout requests."""
    return container.billing.admin_overview()


@admin.post("/memberships", status_code=201, dependencies=[Depends(require_json)])
def add_membership(body: MembershipCreate, me: AdminDep, container: ContainerDep) -> dict[str, Any]:
    """The partner programme: signed with the vendor and the starter package ordered, from starts_on to ends_on."""
    return container.billing.add_membership(org_id=body.org_id, starts_on=body.starts_on, ends_on=body.ends_on,
                                                 package_order=body.package_order, by=me.id, note=body.note)  # fmt: skip


@admin.post("/payments", status_code=201, dependencies=[Depends(require_json)])
def add_payment(body: PaymentCreate, me: AdminDep, container: ContainerDep) -> dict[str, Any]:
    """A yearly fee paid by offline transfer; the fee year starts on `paid_on`."""
    try:
        fen = parse_yuan(body.amount)
    except ValueError as exc:
        raise HTTPException(422, f"amount: {exc}") from None
    return container.billing.record_payment(org_id=body.org_id, amount_fen=fen, paid_on=body.paid_on,
                                                    reference=body.reference, by=me.id, provider=body.provider)  # fmt: skip


@admin.post("/orders", openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}})
async def import_orders(request: Request, _: AdminDep, container: ContainerDep) -> dict[str, Any]:
    """Vendor orders as CSV (credit_code, order_id, date, amount); re-importing is harmless. Refunds that come due post."""
    body = await request.body()
    if len(body) > MAX_CSV_BYTES:
        raise HTTPException(413, "订单文件过大（最多 5 MB）")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(422, "订单文件必须是 UTF-8 编码的 CSV") from None
    report = container.billing.refunds.import_csv(text)
    return {"added": report.added, "unchanged": report.unchanged, "errors": report.errors, "refunds": report.refunds}


@admin.get("/suspicious")
def suspicious(_: AdminDep, container: ContainerDep) -> dict[str, Any]:
    return {"items": container.billing.suspicious()}


@admin.post("/settle")
def settle(_: AdminDep, container: ContainerDep) -> dict[str, int]:
    """Post the pending rewards whose settlement window has passed (the server also does this every minute)."""
    return {"posted": container.billing.settle()}


@admin.get("/verify")
def verify(_: AdminDep, container: ContainerDep) -> dict[str, Any]:
    problems = container.billing.verify()
    return {"ok": not problems, "problems": problems}

