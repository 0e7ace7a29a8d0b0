"""`top-advisor customers …` and `top-advisor profile …`: the customer directory and the profiler.

Neither command loads the embedder or the vector store: the profiler needs only
the application database (for the directory) and the shipped gazetteer.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from api.cli_common import console, settings_of
from assistant.directory import CustomerDirectory, migrate_directory
from assistant.models import Profile
from assistant.orgs.registry import RegistryConfig, make_registry
from assistant.profiler import INDUSTRY_LABELS, ProfileInputError, Profiler, corpus_issuers
from corpus.document import INDUSTRY_CODES
from corpus.store import make_engine

if TYPE_CHECKING:
    from api.settings import Settings

__all__ = ["build_profiler", "customers", "profile"]

out = Console()


def _engine(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    migrate_directory(engine)
    return engine


def build_profiler(*, database_url: str, corpus_dir: Path, registry: RegistryConfig | None = None) -> Profiler:
    """The profiler as the CLI and the app use it: directory from the database, regulators from the corpus, the
    shipped organisation knowledge base, and the enterprise registry when one is configured."""
    return Profiler(directory=CustomerDirectory(_engine(database_url)), regulators=corpus_issuers(Path(corpus_dir)),
                    registry=make_registry(registry) if registry is not None else None)  # fmt: skip


def _settings(ctx: click.Context) -> Settings:
    """The settings, with the data directory made."""
    settings = settings_of(ctx)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def _directory(ctx: click.Context) -> CustomerDirectory:
    return CustomerDirectory(_engine(_settings(ctx).resolved_database_url))


def _profiler(ctx: click.Context) -> Profiler:
    settings = _settings(ctx)
    return build_profiler(database_url=settings.resolved_database_url, corpus_dir=settings.corpus_dir,
                          registry=settings.registry)  # fmt: skip


@click.group()
def customers() -> None:
    """The partner's customer directory (exact names override the profiler's guesses)."""


@customers.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.pass_context
def customers_import(ctx: click.Context, file: Path) -> None:
    """Import FILE (CSV, UTF-8, header name,industry,region,notes). Every problem is printed as
    `FILE:LINE: field: message`; if there is any, nothing is written and the exit code is 1."""
    report = _directory(ctx).import_csv(file)
    for problem in report.problems:
        click.echo(str(problem))
    if report.problems:
        console.print(f"[red]{len(report.problems)} 个问题，未导入任何客户 (nothing imported)[/red]")
        sys.exit(1)
    console.print(f"[green]导入完成：新增 {report.added}，更新 {report.updated}[/green]")


@customers.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the directory as JSON.")
@click.pass_context
def customers_list(ctx: click.Context, as_json: bool) -> None:
    """List the customer directory."""
    entries = _directory(ctx).all()
    if as_json:
        click.echo(json.dumps([e.model_dump() for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        console.print("客户名录为空；用 `top-advisor customers import FILE` 导入")
        return
    table = Table("名称", "行业", "地区", "备注")
    for e in entries:
        table.add_row(e.name, INDUSTRY_LABELS.get(e.industry, "未知"), e.region, e.notes)
    out.print(table)


def _as_dict(p: Profile) -> dict[str, object]:
    data = p.model_dump(mode="json")
    data["region"] = {**data["region"], "label": p.region.label}
    return data


def _print_profile(p: Profile) -> None:
    table = Table(title=f"客户画像：{p.name}", show_header=False)  # p.input (as typed) is in --json
    table.add_column("项目", style="bold")
    table.add_column("结果", overflow="fold")
    table.add_row("行业", f"{INDUSTRY_LABELS.get(p.industry, '未知')} ({p.industry})")
    table.add_row("细分", p.segment or "—")
    table.add_row("地区", p.region.label or "—")
    table.add_row("等保级别", f"第{p.mlps_level}级（推断）" if p.mlps_level else "—")
    table.add_row("监管部门", "、".join(p.regulators) or "—")
    table.add_row("置信度", f"{p.confidence:.2f}")
    for e in p.evidence:
        table.add_row(f"依据·{e.field}", f"{e.detail}［{e.source}］")
    for c in p.candidates:
        table.add_row("可选机构", f"{c.name}：{INDUSTRY_LABELS.get(c.industry, '未知')}（{c.source}）")
    if p.question:
        table.add_row("待确认", p.question)
    out.print(table)


@click.command()
@click.argument("name", required=False)
@click.option("--industry", "industry_hint", type=click.Choice(INDUSTRY_CODES), help="Industry, if you know it.")
@click.option("--region", "region_hint", help="Region, if you know it, e.g. 广东佛山.")
@click.option("--file", "names_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Profile every line of a UTF-8 text file (use with --json).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per name, one per line.")
@click.pass_context
def profile(
    ctx: click.Context,
    name: str | None,
    industry_hint: str | None,
    region_hint: str | None,
    names_file: Path | None,
    as_json: bool,
) -> None:
    """Profile a customer by NAME: industry, segment, region, likely 等保 level, regulators, evidence.

    e.g. top-advisor profile 临江县人民医院   or   top-advisor profile --file names.txt --json
    """
    if (name is None) == (names_file is None):
        raise click.UsageError("give either NAME or --file NAMES.txt")
    profiler = _profiler(ctx)
    if names_file is not None:
        try:
            lines = names_file.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError:
            raise click.ClickException(f"{names_file}: 不是有效的 UTF-8 文本") from None
        failed = 0
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                result = profiler.profile(line, industry_hint=industry_hint, region_hint=region_hint)
            except ProfileInputError as exc:
                failed += 1
                click.echo(json.dumps({"line": number, "name": line[:50], "error": str(exc)}, ensure_ascii=False))
                continue
            if as_json:
                click.echo(json.dumps(_as_dict(result), ensure_ascii=False))
            else:
                _print_profile(result)
        if failed:
            sys.exit(1)
        return
    try:
        result = profiler.profile(name or "", industry_hint=industry_hint, region_hint=region_hint)
    except ProfileInputError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    if as_json:
        click.echo(json.dumps(_as_dict(result), ensure_ascii=False))
    else:
        _print_profile(result)
