"""`top-advisor rankings …`, `top-advisor demo seed-activity` and `top-advisor updates digest`.

These need the application database and the keyword index (for need titles), not the embedder.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import click
from rich.console import Console
from rich.table import Table

from api.cli_common import console, settings_of
from community.activity.simulate import INDUSTRY_WEIGHTS, simulate_activity
from community.insights import Insights, open_insights
from community.rankings import RankingsError
from community.rankings.service import KINDS, WINDOW_LABELS
from corpus.store import make_engine
from retrieval.keyword_index import SqliteKeywordIndex

__all__ = ["demo", "rankings", "updates"]

out = Console()


def _insights(ctx: click.Context) -> Insights:
    settings = settings_of(ctx)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return open_insights(make_engine(settings.resolved_database_url), SqliteKeywordIndex(settings.keyword_index_path))


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"不是日期（YYYY-MM-DD）：{value}") from None


@click.group()
def rankings() -> None:
    """National needs rankings: refresh (count, suppress, publish), show and export."""


@rankings.command("refresh")
@click.option("--today", help="Count as if today were this date (YYYY-MM-DD); default: today.")
@click.pass_context
def rankings_refresh(ctx: click.Context, today: str | None) -> None:
    """Purge events past retention and publish a new release from the activity tables.

    Cells with fewer than k organisations (TOP_RANKINGS__K, default 5) are left out; with
    TOP_RANKINGS__EPSILON set, the order of each list comes from noisy counts."""
    config = settings_of(ctx).rankings
    purged, summary = _insights(ctx).refresh(config, today=_date(today))
    console.print(
        f"[green]已发布排行[/green]：{summary.lists} 个榜单、{summary.cells} 个条目（k={config.k}，"
        f"{'含噪声 ε=' + str(config.epsilon) if config.epsilon else '无噪声'}"
        f"{'，含模拟数据' if summary.simulated else ''}），用时 {summary.seconds:.1f} 秒；清理过期活动 {purged} 条"
    )


def _filters(func):  # type: ignore[no-untyped-def]
    func = click.option("--industry", default="", help="Industry code (default: all industries).")(func)
    func = click.option("--province", default="", help="Province, e.g. 广东省 (default: 全国).")(func)
    func = click.option("--window", type=click.Choice(list(WINDOW_LABELS)), default="30d", show_default=True)(func)
    return click.option("--kind", type=click.Choice(list(KINDS)), default="top", show_default=True)(func)


@rankings.command("show")
@_filters
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.pass_context
def rankings_show(ctx: click.Context, industry: str, province: str, window: str, kind: str, as_json: bool) -> None:
    """Print one ranked list of the newest release."""
    try:
        found = _insights(ctx).rankings.cells(window=window, kind=kind, industry=industry, province=province)
    except RankingsError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if found["release"] is None:
        raise click.ClickException("还没有发布排行：先运行 `top-advisor rankings refresh`")
    title = f"{WINDOW_LABELS[window]} · {KINDS[kind]} · {found['industry']} · {found['province']}"
    table = Table(title=title + ("（含模拟数据）" if found["simulated"] else ""))
    for column in ("名次", "需求", "参与伙伴"):
        table.add_column(column)
    for cell in found["cells"]:
        table.add_row(str(cell["rank"]), cell["need_title"], cell["band"])
    out.print(table)
    if not found["cells"]:
        console.print(f"该榜单没有达到 {found['k']} 家伙伴的需求。")


@rankings.command("export")
@click.option("--industry", default="")
@click.option("--province", default="")
@click.option("--window", type=click.Choice(list(WINDOW_LABELS)), default=None, help="Default: every window.")
@click.option("--kind", type=click.Choice(list(KINDS)), default=None, help="Default: top and rising.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="File (default: stdout).")
@click.pass_context
def rankings_export(ctx: click.Context, industry: str, province: str, window: str | None, kind: str | None, output) -> None:  # type: ignore[no-untyped-def]
    """The newest release as CSV (ranks and bands, no counts)."""
    try:
        for part in _insights(ctx).rankings.csv_lines(window=window, kind=kind, industry=industry or None, province=province or None):
            output.write(part)
    except RankingsError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def demo() -> None:
    """Demo data for a fresh install."""


@demo.command("seed-activity")
@click.option("--orgs", type=click.IntRange(1, 100_000), default=300, show_default=True, help="Simulated partner organisations.")
@click.option("--weeks", type=click.IntRange(1, 104), default=12, show_default=True, help="ISO weeks, ending this week.")
@click.option("--rate", type=click.FloatRange(0.1, 1000), default=3.0, show_default=True, help="Events per organisation and week.")
@click.option("--seed", type=int, default=14, show_default=True)
@click.option("--refresh/--no-refresh", default=True, show_default=True, help="Publish a release afterwards.")
@click.pass_context
def seed_activity(ctx: click.Context, orgs: int, weeks: int, rate: float, seed: int, refresh: bool) -> None:
    """Write clearly labelled SIMULATED activity (flagged, organisations `sim-…`) so the rankings have
    something to show; the rankings page says when simulated events are counted.
    Remove it with `top-advisor demo clear-activity`."""
    insights = _insights(ctx)
    industries = list(INDUSTRY_WEIGHTS)
    needs = insights.catalogue.needs_by_industry(industries)
    if not any(needs.values()):
        raise click.ClickException("索引里没有方案指南：先运行 `top-advisor corpus ingest`")
    try:
        report = simulate_activity(insights.activity.engine, needs, insights.catalogue.topics_of(),
                                   orgs=orgs, weeks=weeks, events_per_org_week=rate, seed=seed)  # fmt: skip
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"[yellow]已写入模拟活动[/yellow]：{report.orgs} 家模拟伙伴、{report.weeks} 周"
                  f"（{report.first_week} 至 {report.last_week}），{report.events} 条事件，均标记为模拟数据。")  # fmt: skip
    if refresh:
        _, summary = insights.refresh(settings_of(ctx).rankings)
        console.print(f"已发布排行：{summary.lists} 个榜单、{summary.cells} 个条目。")


@demo.command("clear-activity")
@click.option("--refresh/--no-refresh", default=True, show_default=True)
@click.pass_context
def clear_activity(ctx: click.Context, refresh: bool) -> None:
    """Delete every simulated activity event (real activity stays)."""
    insights = _insights(ctx)
    removed = insights.activity.delete_simulated()
    console.print(f"已删除 {removed} 条模拟活动。")
    if refresh:
        insights.refresh(settings_of(ctx).rankings)


@click.group()
def updates() -> None:
    """What is new for watched customers."""


@updates.command("digest")
@click.option("--today", help="Send as if today were this date (YYYY-MM-DD).")
@click.pass_context
def updates_digest(ctx: click.Context, today: str | None) -> None:
    """Send this week's digest e-mails now (once per user and week; needs TOP_SMTP__HOST)."""
    from accounts.store import AccountStore
    from accounts.tables import migrate_accounts
    from community.watch import send_weekly_digests

    settings = settings_of(ctx)
    if not settings.smtp.host:
        raise click.ClickException("未配置邮件服务器：请设置 TOP_SMTP__HOST（以及 TOP_SMTP__PORT 等）")
    insights = _insights(ctx)
    migrate_accounts(insights.activity.engine)
    report = send_weekly_digests(settings.smtp, AccountStore(insights.activity.engine), insights.updates, today=_date(today))
    console.print(f"已发送 {len(report.sent)} 封，跳过 {report.skipped} 个用户（本周已发送或没有新动态）。")
    for failure in report.failed:
        console.print(f"[red]发送失败[/red]：{failure}")
    if report.failed:
        sys.exit(1)
