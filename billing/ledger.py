"""A double-entry, append-only ledger on the application database (SQLite or PostgreSQL).

    accounts   org:<id>:points (a partner's wallet), org:<id>:fee (its fee credit, fen), platform:<name>
    transfer   debit one account, credit another, `amount` > 0, unique `idempotency_key`
    states     pending ──post──▶ posted        (a pending transfer past `settle_at` is posted by `settle`)
                  └─────void──▶ voided
    entries    every move appends two or four legs (debit −, credit +) in the account's pending or posted layer;
               rows are never changed, so balances can always be derived again (`verify`)

Concurrency: a transfer's transaction first takes the row locks of its accounts' cached balances
(`UPDATE ledger_balances SET version = version + 1`, organisations' accounts before platform ones, each
group in id order, so two transfers never wait on each other in a cycle). On PostgreSQL those are row
locks; on SQLite the first write takes the database's write lock (WAL, busy_timeout). Everything a
transfer checks (its idempotency key, a guard such as a daily cap) is read after the locks, so the
check and the write are one serialised step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from billing.tables import LedgerAccountRow, LedgerBalanceRow, LedgerEntryRow, LedgerTransferRow, table_of, utcnow

__all__ = ["FEN", "POINTS", "AccountSpec", "Balance", "Ledger", "LedgerError", "Skip", "Transfer", "org_account", "platform_account"]

POINTS, FEN = "points", "fen"
PENDING, POSTED, VOIDED = "pending", "posted", "voided"
ACCOUNTS, TRANSFERS = table_of(LedgerAccountRow), table_of(LedgerTransferRow)
ENTRIES, BALANCES = table_of(LedgerEntryRow), table_of(LedgerBalanceRow)
RETRIES = 8
BATCH = 200  # transfers posted or voided per transaction


class LedgerError(ValueError):
    """A transfer the ledger refuses (bad amount, unknown account, wrong state); the message is Chinese."""


@dataclass(frozen=True)
class AccountSpec:
    id: str
    org_id: str | None
    kind: str
    unit: str


def org_account(org_id: str, kind: str) -> AccountSpec:
    """`points` (wallet, in points) or `fee` (fee credit, in fen)."""
    return AccountSpec(f"org:{org_id}:{kind}", org_id, kind, POINTS if kind == "points" else FEN)


def platform_account(name: str, unit: str) -> AccountSpec:
    return AccountSpec(f"platform:{name}", None, name, unit)


@dataclass(frozen=True)
class Balance:
    posted: int
    pending: int


@dataclass(frozen=True)
class Transfer:
    id: int
    key: str
    kind: str
    debit: str
    credit: str
    amount: int
    state: str
    case_id: str | None
    org_id: str | None
    counterparty_org: str | None
    created_at: dt.datetime
    settle_at: dt.datetime | None
    detail: dict[str, Any] = field(default_factory=dict)
    created: bool = False  # False when the key had been used (the earlier transfer is returned)

    def _replace_state(self, state: str) -> Transfer:
        return dataclasses.replace(self, state=state)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)


def _transfer(row: Any, *, created: bool = False) -> Transfer:
    return Transfer(id=row.id, key=row.idempotency_key, kind=row.kind, debit=row.debit_account, credit=row.credit_account,
                    amount=int(row.amount), state=row.state, case_id=row.case_id, org_id=row.org_id,
                    counterparty_org=row.counterparty_org, created_at=aware(row.created_at),  # type: ignore[arg-type]
                    settle_at=aware(row.settle_at), detail=dict(row.detail or {}), created=created)  # fmt: skip


def _lock_order(account_id: str) -> tuple[bool, str]:
    return (account_id.startswith("platform:"), account_id)


Guard = Callable[[Connection], None]


class Ledger:
    def __init__(self, engine: Engine, *, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self._known: set[str] = set()

    # -- accounts ------------------------------------------------------------------------------------------
    def open(self, *specs: AccountSpec) -> None:
        """Create the accounts (and their balance rows) that do not exist yet; safe to race."""
        missing = [s for s in specs if s.id not in self._known]
        for spec in missing:
            for table, values in ((ACCOUNTS, {"id": spec.id, "org_id": spec.org_id, "kind": spec.kind, "unit": spec.unit,
                                              "created_at": self.clock()}),
                                  (BALANCES, {"account_id": spec.id, "posted": 0, "pending": 0, "version": 0})):  # fmt: skip
                key = table.c.id if table is ACCOUNTS else table.c.account_id
                with self.engine.begin() as conn:
                    if conn.scalar(select(key).where(key == values[key.name])) is not None:
                        continue
                try:
                    with self.engine.begin() as conn:
                        conn.execute(insert(table).values(**values))
                except IntegrityError:  # another process opened it first
                    pass
            self._known.add(spec.id)

    # -- transactions --------------------------------------------------------------------------------------
    @contextmanager
    def _locked(self, account_ids: Sequence[str]) -> Iterator[Connection]:
        """One transaction holding the balance-row locks of the accounts (see the module docstring)."""
        with self.engine.begin() as conn:
            for account_id in sorted(set(account_ids), key=_lock_order):
                bump = update(BALANCES).where(BALANCES.c.account_id == account_id).values(version=BALANCES.c.version + 1)
                if conn.execute(bump).rowcount != 1:
                    raise LedgerError(f"账户不存在：{account_id}")
            yield conn

    def _retrying(self, work: Callable[[], Any]) -> Any:
        for attempt in range(RETRIES):
            try:
                return work()
            except OperationalError as exc:  # SQLite "database is locked" past busy_timeout, PG deadlock: try again
                if attempt == RETRIES - 1 or not _transient(exc):
                    raise
        return None  # pragma: no cover

    def _append(self, conn: Connection, transfer_id: int, legs: Sequence[tuple[str, str, int]]) -> None:
        now = self.clock()
        conn.execute(insert(ENTRIES), [{"transfer_id": transfer_id, "account_id": a, "layer": layer, "amount": amount, "at": now}
                                       for a, layer, amount in legs])  # fmt: skip
        for account_id, layer, amount in legs:
            column = BALANCES.c[layer]
            conn.execute(update(BALANCES).where(BALANCES.c.account_id == account_id).values({layer: column + amount}))

    def transfer(self, *, key: str, kind: str, debit: AccountSpec, credit: AccountSpec, amount: int,
                 pending_until: dt.datetime | None = None, case_id: str | None = None, org_id: str | None = None,
                 counterparty_org: str | None = None, detail: dict[str, Any] | None = None,
                 lock: Sequence[str] | None = None, guard: Guard | None = None) -> Transfer | None:  # fmt: skip
        """Move `amount` from `debit` to `credit`, posted at once or pending until `pending_until`. A key used before
        returns the earlier transfer (`created` False). `guard(conn)` runs under the locks and may raise
        `Skip` to make no transfer (None is returned). `lock`: the accounts to lock (default: both)."""
        if not isinstance(amount, int) or amount <= 0:
            raise LedgerError(f"转账金额必须是正整数（收到 {amount!r}）")
        if debit.unit != credit.unit:
            raise LedgerError(f"单位不同的账户之间不能转账：{debit.id}（{debit.unit}）→ {credit.id}（{credit.unit}）")
        if debit.id == credit.id:
            raise LedgerError("转出和转入是同一个账户")
        self.open(debit, credit)

        def work() -> Transfer | None:
            with self._locked(lock if lock is not None else (debit.id, credit.id)) as conn:
                seen = conn.execute(select(TRANSFERS).where(TRANSFERS.c.idempotency_key == key)).first()
                if seen is not None:
                    return _transfer(seen)
                if guard is not None:
                    try:
                        guard(conn)
                    except Skip:
                        return None
                now = self.clock()
                state = PENDING if pending_until is not None else POSTED
                row = {"idempotency_key": key, "kind": kind, "debit_account": debit.id, "credit_account": credit.id,
                       "amount": amount, "state": state, "case_id": case_id, "org_id": org_id,
                       "counterparty_org": counterparty_org, "detail": detail or {}, "created_at": now,
                       "settle_at": pending_until, "closed_at": None if state == PENDING else now}  # fmt: skip
                transfer_id = int(conn.execute(insert(TRANSFERS).values(**row).returning(TRANSFERS.c.id)).scalar_one())
                self._append(conn, transfer_id, [(debit.id, state, -amount), (credit.id, state, amount)])
                return _transfer(_Row(id=transfer_id, **row), created=True)

        try:
            return self._retrying(work)
        except IntegrityError:  # the same key raced in through other accounts' locks: the first one wins
            with self.engine.connect() as conn:
                seen = conn.execute(select(TRANSFERS).where(TRANSFERS.c.idempotency_key == key)).first()
            if seen is None:
                raise
            return _transfer(seen)

    def _close(self, transfer_ids: Sequence[int], to: str) -> list[Transfer]:
        """Post or void pending transfers in one transaction (locks of all their accounts, in the global order);
        a transfer no longer pending is returned as it is."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(TRANSFERS.c.id, TRANSFERS.c.debit_account, TRANSFERS.c.credit_account)
                                .where(TRANSFERS.c.id.in_(list(transfer_ids)))).all()  # fmt: skip
        missing = set(transfer_ids) - {r.id for r in rows}
        if missing:
            raise LedgerError(f"没有这笔转账：{min(missing)}")

        def work() -> list[Transfer]:
            done = []
            with self._locked([a for r in rows for a in (r.debit_account, r.credit_account)]) as conn:
                for live in conn.execute(select(TRANSFERS).where(TRANSFERS.c.id.in_(list(transfer_ids))).order_by(TRANSFERS.c.id)).all():
                    if live.state != PENDING:
                        done.append(_transfer(live))
                        continue
                    amount = int(live.amount)
                    legs = [(live.debit_account, PENDING, amount), (live.credit_account, PENDING, -amount)]
                    if to == POSTED:
                        legs += [(live.debit_account, POSTED, -amount), (live.credit_account, POSTED, amount)]
                    conn.execute(update(TRANSFERS).where(TRANSFERS.c.id == live.id).values(state=to, closed_at=self.clock()))
                    self._append(conn, live.id, legs)
                    done.append(_transfer(live)._replace_state(to))
            return done

        return self._retrying(work) or []  # type: ignore[arg-type,return-value]

    def post(self, transfer_id: int) -> Transfer:
        return self._close([transfer_id], POSTED)[0]

    def void(self, transfer_id: int) -> Transfer:
        return self._close([transfer_id], VOIDED)[0]

    def _close_due(self, ids: Sequence[int], to: str) -> int:
        changed = 0
        for start in range(0, len(ids), BATCH):
            changed += sum(1 for t in self._close(ids[start:start + BATCH], to) if t.state == to)
        return changed

    def settle(self, now: dt.datetime | None = None) -> int:
        """Post every pending transfer whose `settle_at` has passed (in batches); returns how many were posted."""
        now = now or self.clock()
        with self.engine.connect() as conn:
            due = conn.scalars(select(TRANSFERS.c.id).where(TRANSFERS.c.state == PENDING, TRANSFERS.c.settle_at <= now)
                               .order_by(TRANSFERS.c.id)).all()  # fmt: skip
        return self._close_due(list(due), POSTED)

    def void_pending(self, *, case_id: str, kind: str) -> int:
        with self.engine.connect() as conn:
            ids = conn.scalars(select(TRANSFERS.c.id).where(TRANSFERS.c.case_id == case_id, TRANSFERS.c.kind == kind,
                                                            TRANSFERS.c.state == PENDING)).all()  # fmt: skip
        return self._close_due(list(ids), VOIDED)

    # -- reading -------------------------------------------------------------------------------------------
    def balance(self, account_id: str) -> Balance:
        with self.engine.connect() as conn:
            row = conn.execute(select(BALANCES.c.posted, BALANCES.c.pending).where(BALANCES.c.account_id == account_id)).first()
        return Balance(int(row.posted), int(row.pending)) if row else Balance(0, 0)

    def by_key(self, key: str) -> Transfer | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(TRANSFERS).where(TRANSFERS.c.idempotency_key == key)).first()
        return _transfer(row) if row else None

    def transfers(self, *, account_id: str | None = None, kind: str | None = None, state: str | None = None,
                  case_id: str | None = None, limit: int = 200) -> list[Transfer]:  # fmt: skip
        query = select(TRANSFERS).order_by(TRANSFERS.c.id.desc()).limit(limit)
        if account_id is not None:
            query = query.where((TRANSFERS.c.debit_account == account_id) | (TRANSFERS.c.credit_account == account_id))
        for column, value in ((TRANSFERS.c.kind, kind), (TRANSFERS.c.state, state), (TRANSFERS.c.case_id, case_id)):
            if value is not None:
                query = query.where(column == value)
        with self.engine.connect() as conn:
            return [_transfer(r) for r in conn.execute(query)]

    def verify(self) -> list[str]:
        """Every cached balance against the sum of its entries, every transfer's legs and the books per unit
        against zero. Returns one line per problem (empty: the books are clean)."""
        problems: list[str] = []
        with self.engine.connect() as conn:
            derived: dict[tuple[str, str], int] = {
                (r.account_id, r.layer): int(r.total)
                for r in conn.execute(select(ENTRIES.c.account_id, ENTRIES.c.layer, func.sum(ENTRIES.c.amount).label("total"))
                                      .group_by(ENTRIES.c.account_id, ENTRIES.c.layer))  # fmt: skip
            }
            units = {r.id: r.unit for r in conn.execute(select(ACCOUNTS.c.id, ACCOUNTS.c.unit))}
            totals: dict[tuple[str, str], int] = {}
            for r in conn.execute(select(BALANCES).order_by(BALANCES.c.account_id)):
                for layer in (PENDING, POSTED):
                    cached, entries = int(r._mapping[layer]), derived.pop((r.account_id, layer), 0)
                    if cached != entries:
                        problems.append(f"账户 {r.account_id}：{layer} 余额缓存 {cached}，分录合计 {entries}")
                    key = (units.get(r.account_id, "?"), layer)
                    totals[key] = totals.get(key, 0) + entries
            problems += [f"账户 {a}：有分录但没有余额行" for a, _ in derived]
            problems += [f"账本不平：{unit} 的 {layer} 合计 {total}（应为 0）" for (unit, layer), total in totals.items() if total]
            unbalanced = conn.execute(select(ENTRIES.c.transfer_id).group_by(ENTRIES.c.transfer_id)
                                      .having(func.sum(ENTRIES.c.amount) != 0)).scalars().all()  # fmt: skip
            problems += [f"转账 {t} 的分录合计不为 0" for t in unbalanced]
        return problems


class Skip(Exception):
    """Raised by a transfer's guard: make no transfer."""


class _Row:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


def _transient(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "deadlock" in text or "could not serialize" in text or "busy" in text
