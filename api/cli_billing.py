"""`top-advisor orders import FILE.csv`, `top-advisor ledger verify`, `top-advisor ledger settle`.

They need only the application database (no embedder, no index): the billing service over it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from accounts.store import AccountStore
from accounts.tables import migrate_accounts
from api.cli_common import settings_of
from billing.money import yuan
from billing.service import Billing
from corpus.store import make_engine

__all__ = ["ledger", "orders"]

console = Console(stderr=True)


def _billing(ctx: click.Context) -> Billing:
    settings = settings_of(ctx)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    migrate_accounts(engine)
    return Billing(engine, AccountStore(engine), rewards=settings.rewards)


@click.group()
def orders() -> None:
    """Vendor orders that count towards the pay-then-refund threshold."""


@orders.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def orders_import(ctx: click.Context, path: Path) -> None:
    """Import orders from a UTF-8 CSV with the header credit_code,order_id,date,amount (or 统一社会信用代码,订单号,
    日期,金额). Re-importing the same file changes nothing; refunds that come due are posted once."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        console.print(f"[red]错误：找不到文件 {path}[/red]", highlight=False)
        sys.exit(2)
    except UnicodeDecodeError:
        console.print(f"[red]错误：{path} 不是 UTF-8 编码的 CSV[/red]", highlight=False)
        sys.exit(2)
    billing = _billing(ctx)
    with Progress(TextColumn("导入订单"), BarColumn(), MofNCompleteColumn(), console=console, transient=True) as bar:
        task = bar.add_task("orders", total=None)
        report = billing.refunds.import_csv(text, progress=lambda done, total: bar.update(task, completed=done, total=total))
    for error in report.errors:
        console.print(f"[red]{error}[/red]", highlight=False)
    console.print(f"新增 {report.added} 条订单，{report.unchanged} 条已导入过，{len(report.errors)} 行有错误", highlight=False)
    for refund in report.refunds:
        console.print(f"[green]已退还使用费 {yuan(round(refund['amount'] * 100))}（组织 {refund['org_id']}）[/green]", highlight=False)
    if report.errors:
        sys.exit(1)


@click.group()
def ledger() -> None:
    """The rewards and fees ledger."""


@ledger.command("verify")
@click.pass_context
def ledger_verify(ctx: click.Context) -> None:
    """Re-derive every balance from its entries; exit 1 naming each account that disagrees or unit that does not sum to zero."""
    problems = _billing(ctx).verify()
    for problem in problems:
        console.print(f"[red]{problem}[/red]", highlight=False)
    if problems:
        sys.exit(1)
    console.print("[green]账本核对无误：所有余额与分录一致，借贷平衡[/green]", highlight=False)


@ledger.command("settle")
@click.pass_context
def ledger_settle(ctx: click.Context) -> None:
    """Post the pending rewards whose settlement window has passed (the server does this every minute too)."""
    posted = _billing(ctx).settle()
    console.print(f"已结算 {posted} 笔待结算积分", highlight=False)
