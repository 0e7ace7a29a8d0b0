"""Pay then refund (先付后退): a yearly fee paid through a payment provider; vendor orders imported from CSV;
when an organisation's orders within its fee year reach the threshold (¥50,000), the fee is refunded once.

Exactly once: the refund is a ledger transfer whose idempotency key is the payment's id, so two imports that
both see the threshold crossed race on one key and one of them posts it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from accounts.credit_code import CreditCodeError
from accounts.credit_code import normalise as normalise_credit_code
from billing.ledger import FEN, Ledger, org_account, platform_account
from billing.money import parse_yuan, yuan
from billing.programme import BillingError
from billing.tables import OrderRow, PaymentRow, new_id, table_of, utcnow

__all__ = ["THRESHOLD_FEN", "OfflineTransfer", "OrderImport", "PaymentProvider", "Refunds"]

THRESHOLD_FEN = 50_000_00
ORDERS, PAYMENTS = table_of(OrderRow), table_of(PaymentRow)
RECEIPTS = platform_account("offline_receipts", FEN)
REVENUE = platform_account("fee_revenue", FEN)
COLUMNS = {"credit_code": ("credit_code", "统一社会信用代码", "信用代码"), "order_id": ("order_id", "订单号"),
           "date": ("date", "日期", "订单日期"), "amount": ("amount", "金额", "订单金额")}  # fmt: skip


class PaymentProvider(Protocol):
    """How a fee was paid. Today an admin records an offline bank transfer; WeChat Pay and Alipay come later."""

    name: str

    def confirm(self, *, reference: str, amount_fen: int) -> str:
        """The provider's reference once the money is known to have arrived (or BillingError)."""
        ...


class OfflineTransfer:
    name = "offline"

    def confirm(self, *, reference: str, amount_fen: int) -> str:
        reference = reference.strip()
        if not reference:
            raise BillingError("请填写银行转账流水号（reference）")
        if amount_fen <= 0:
            raise BillingError("付款金额必须大于 0")
        return reference[:100]


@dataclass
class OrderImport:
    added: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)  # "第 3 行：…"
    refunds: list[dict[str, Any]] = field(default_factory=list)


class Refunds:
    def __init__(self, engine: Engine, ledger: Ledger, *, orgs_with_code: Callable[[str], list[str]],
                 code_of: Callable[[str], str | None], threshold_fen: int = THRESHOLD_FEN,
                 providers: Iterable[PaymentProvider] = (OfflineTransfer(),)) -> None:  # fmt: skip
        self.engine, self.ledger = engine, ledger
        self.orgs_with_code, self.code_of = orgs_with_code, code_of
        self.threshold_fen = threshold_fen
        self.providers = {p.name: p for p in providers}

    # -- payments -------------------------------------------------------------------------------------------
    def record_payment(self, *, org_id: str, amount_fen: int, paid_on: dt.date, reference: str, by: str,
                       provider: str = "offline") -> dict[str, Any]:  # fmt: skip
        if provider not in self.providers:
            raise BillingError(f"未知的付款方式：{provider}（可选 {'、'.join(self.providers)}）")
        if self.code_of(org_id) is None:
            raise BillingError("该组织还没有登记统一社会信用代码：订单按信用代码计入，请先登记")
        reference = self.providers[provider].confirm(reference=reference, amount_fen=amount_fen)
        ends = _year_end(paid_on)
        row = {"id": new_id(), "org_id": org_id, "provider": provider, "reference": reference, "amount_fen": amount_fen,
               "paid_on": paid_on, "year_starts": paid_on, "year_ends": ends, "transfer_id": None, "recorded_by": by,
               "created_at": utcnow()}  # fmt: skip
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(PAYMENTS).values(**row))
        except IntegrityError:
            raise BillingError(f"这笔付款已登记过：{provider} {reference}") from None
        transfer = self.ledger.transfer(key=f"payment:{row['id']}", kind="fee_payment", debit=RECEIPTS, credit=REVENUE,
                                        amount=amount_fen, org_id=org_id, detail={"reference": reference})  # fmt: skip
        with self.engine.begin() as conn:
            conn.execute(PAYMENTS.update().where(PAYMENTS.c.id == row["id"]).values(transfer_id=transfer.id if transfer else None))
        self._refund_if_due(self.code_of(org_id) or "")
        return _payment(row)

    def payments(self, org_id: str | None = None) -> list[dict[str, Any]]:
        query = select(PAYMENTS).order_by(PAYMENTS.c.paid_on.desc())
        if org_id is not None:
            query = query.where(PAYMENTS.c.org_id == org_id)
        with self.engine.connect() as conn:
            return [_payment(r._mapping) for r in conn.execute(query)]

    def paid_year(self, org_id: str, on: dt.date) -> dict[str, Any] | None:
        return next((p for p in self.payments(org_id) if p["year_starts"] <= on.isoformat() <= p["year_ends"]), None)

    # -- orders ---------------------------------------------------------------------------------------------
    def import_csv(self, text: str, *, progress: Callable[[int, int], None] | None = None) -> OrderImport:
        """Rows of credit code, order id, date (YYYY-MM-DD), amount (yuan); re-importing a row changes nothing."""
        report = OrderImport()
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        rows = list(reader)
        if not rows:
            report.errors.append("文件是空的：第一行应为表头 credit_code,order_id,date,amount")
            return report
        header = [h.strip().lower() for h in rows[0]]
        where: dict[str, int] = {}
        for column, names in COLUMNS.items():
            found = next((i for i, h in enumerate(header) if h in names), None)
            if found is None:
                report.errors.append(f"第 1 行：表头缺少列 {column}（或{'/'.join(names[1:])}）")
            else:
                where[column] = found
        if report.errors:
            return report
        touched: set[str] = set()
        for number, cells in enumerate(rows[1:], start=2):
            if progress is not None:
                progress(number - 1, len(rows) - 1)
            if not any(c.strip() for c in cells):
                continue
            try:
                order = _order(cells, where)
            except (BillingError, CreditCodeError, ValueError) as exc:
                report.errors.append(f"第 {number} 行：{exc}")
                continue
            outcome = self._add_order(order)
            if outcome == "added":
                report.added += 1
                touched.add(order["credit_code"])
            elif outcome == "unchanged":
                report.unchanged += 1
            else:
                report.errors.append(f"第 {number} 行：{outcome}")
        for code in sorted(touched):
            report.refunds += self._refund_if_due(code)
        return report

    def _add_order(self, order: dict[str, Any]) -> str:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(ORDERS).values(**order, imported_at=utcnow()))
            return "added"
        except IntegrityError:
            with self.engine.connect() as conn:
                seen = conn.execute(select(ORDERS).where(ORDERS.c.order_id == order["order_id"])).one()
            if (seen.credit_code, seen.ordered_on, int(seen.amount_fen)) == (order["credit_code"], order["ordered_on"], order["amount_fen"]):
                return "unchanged"
            return (f"订单号 {order['order_id']} 已导入，内容不同（已有：{seen.credit_code} {seen.ordered_on} "
                    f"{yuan(int(seen.amount_fen))}）；订单导入后不能修改")  # fmt: skip

    def orders_total(self, code: str, starts: dt.date, ends: dt.date) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.coalesce(func.sum(ORDERS.c.amount_fen), 0)).where(
                ORDERS.c.credit_code == code, ORDERS.c.ordered_on >= starts, ORDERS.c.ordered_on <= ends)) or 0)  # fmt: skip

    def orders(self, limit: int = 200) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(ORDERS).order_by(ORDERS.c.ordered_on.desc(), ORDERS.c.order_id).limit(limit))
            return [{"order_id": r.order_id, "credit_code": r.credit_code, "date": r.ordered_on.isoformat(),
                     "amount": int(r.amount_fen) / 100} for r in rows]  # fmt: skip

    # -- refunds --------------------------------------------------------------------------------------------
    def _refund_if_due(self, code: str) -> list[dict[str, Any]]:
        posted = []
        for org_id in self.orgs_with_code(code):
            for payment in self.payments(org_id):
                total = self.orders_total(code, dt.date.fromisoformat(payment["year_starts"]), dt.date.fromisoformat(payment["year_ends"]))
                if total < self.threshold_fen:
                    continue
                transfer = self.ledger.transfer(key=f"refund:{payment['id']}", kind="fee_refund", debit=REVENUE,
                                                credit=org_account(org_id, "fee"), amount=payment["amount_fen"], org_id=org_id,
                                                detail={"payment_id": payment["id"], "orders_fen": total})  # fmt: skip
                if transfer is not None and transfer.created:
                    posted.append({"org_id": org_id, "payment_id": payment["id"], "amount": payment["amount_fen"] / 100})
        return posted

    def refunded(self, payment_id: str) -> bool:
        return self.ledger.by_key(f"refund:{payment_id}") is not None

    def progress(self, org_id: str, today: dt.date) -> dict[str, Any] | None:
        """Where the organisation stands in its current (or latest) fee year."""
        payments = self.payments(org_id)
        current = next((p for p in payments if p["year_starts"] <= today.isoformat() <= p["year_ends"]), None)
        payment = current or (payments[0] if payments else None)
        code = self.code_of(org_id)
        if payment is None or code is None:
            return None
        total = self.orders_total(code, dt.date.fromisoformat(payment["year_starts"]), dt.date.fromisoformat(payment["year_ends"]))
        remaining = max(0, self.threshold_fen - total)
        refunded = self.refunded(payment["id"])
        text = ("使用费已退还" if refunded else "订单已达标，退款处理中" if remaining == 0
                else f"还差 {yuan(remaining)} 即可退还使用费")  # fmt: skip
        return {"payment_id": payment["id"], "fee": payment["amount_fen"] / 100, "year_starts": payment["year_starts"],
                "year_ends": payment["year_ends"], "orders": total / 100, "threshold": self.threshold_fen / 100,
                "remaining": remaining / 100, "refunded": refunded, "text": text}  # fmt: skip

    def due(self, today: dt.date) -> list[dict[str, Any]]:
        """Every payment with its progress: refunds posted, and those still short of the threshold."""
        out = []
        for payment in self.payments():
            code = self.code_of(payment["org_id"]) or ""
            total = self.orders_total(code, dt.date.fromisoformat(payment["year_starts"]), dt.date.fromisoformat(payment["year_ends"]))
            out.append({**payment, "orders": total / 100, "remaining": max(0, self.threshold_fen - total) / 100,
                        "refunded": self.refunded(payment["id"]), "current": payment["year_ends"] >= today.isoformat()})  # fmt: skip
        return out


def _year_end(start: dt.date) -> dt.date:
    try:
        return start.replace(year=start.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def _order(cells: list[str], where: dict[str, int]) -> dict[str, Any]:
    def cell(column: str) -> str:
        index = where[column]
        if index >= len(cells) or not cells[index].strip():
            raise BillingError(f"缺少 {column}")
        return cells[index].strip()

    try:
        code = normalise_credit_code(cell("credit_code"))
    except CreditCodeError as exc:
        raise BillingError(str(exc)) from None
    order_id = cell("order_id")
    if len(order_id) > 64:
        raise BillingError(f"订单号过长（最多 64 个字符）：{order_id[:20]}…")
    try:
        ordered_on = dt.date.fromisoformat(cell("date"))
    except ValueError:
        raise BillingError(f"日期格式不正确（应为 YYYY-MM-DD）：{cell('date')[:20]}") from None
    return {"order_id": order_id, "credit_code": code, "ordered_on": ordered_on, "amount_fen": parse_yuan(cell("amount"))}


def _payment(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "org_id": row["org_id"], "provider": row["provider"], "reference": row["reference"],
            "amount_fen": int(row["amount_fen"]), "amount": int(row["amount_fen"]) / 100, "paid_on": row["paid_on"].isoformat(),
            "year_starts": row["year_starts"].isoformat(), "year_ends": row["year_ends"].isoformat()}  # fmt: skip
