"""`top-advisor cases …`: partner case write-ups. So far `cases redact`, the anonymisation engine offline.

Nothing here loads the embedder, the vector store or the database: redaction is pure text work.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from api.cli_common import console
from community.cases.attachments import case_file_text
from community.redaction import RedactionError, Redactor, assess_uniqueness
from corpus.document import INDUSTRY_CODES
from corpus.importers import FileType, ImportRefused

__all__ = ["cases"]

out = Console()


def read_case_text(path: Path) -> str:
    """The text of a case file: .md/.txt as written (offsets refer to it), .docx/.pdf/.html as converted Markdown."""
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    try:
        return case_file_text(data, "stdin.md" if str(path) == "-" else path.name, allowed=tuple(FileType))
    except ImportRefused as exc:
        raise click.ClickException(f"{path}：{exc}") from None


@click.group()
def cases() -> None:
    """Partner case write-ups (anonymised before anyone outside the author's organisation sees them)."""


@cases.command("redact")
@click.option("--file", "file", required=True, type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              help="The case write-up (.md, .txt, .docx, .pdf, .html; - for stdin).")
@click.option("--customer", default=None, help="The customer's name; its aliases and abbreviations are derived too.")
@click.option("--alias", "aliases", multiple=True, help="Another name of the customer (repeatable).")
@click.option("--redact", "manual", multiple=True, help="A phrase to remove wherever it occurs (repeatable).")
@click.option("--keep-details", is_flag=True, help="Do not generalise amounts, dates, places and sizes.")
@click.option("--industry", type=click.Choice(INDUSTRY_CODES), default=None, help="For the uniqueness check.")
@click.option("--segment", default=None, help="For the uniqueness check, e.g. 三级医院, 城商行, 高校.")
@click.option("--province", default=None, help="For the uniqueness check, e.g. 浙江省.")
@click.option("--year", type=click.IntRange(1990, 2100), default=None, help="For the uniqueness check.")
@click.option("--size", "size_band", default=None, help="Size band for the uniqueness check, e.g. 1000–2000张.")
@click.option("--json", "as_json", is_flag=True, help="Print {text, findings: [{kind, original, replacement, start, end}]}.")
def cases_redact(
    file: Path,
    customer: str | None,
    aliases: tuple[str, ...],
    manual: tuple[str, ...],
    keep_details: bool,
    industry: str | None,
    segment: str | None,
    province: str | None,
    year: int | None,
    size_band: str | None,
    as_json: bool,
) -> None:
    """Redact FILE: names, identifiers and addresses replaced, amounts, dates, places and sizes made coarser.

    Example: top-advisor cases redact --file 案例.md --customer 杭州市第一人民医院 --alias 市一院 --json
    """
    text = read_case_text(file)
    if not text.strip():
        raise click.ClickException(f"{file}：文件中没有文字")
    result = Redactor().redact(text, customer=customer, aliases=aliases, manual=manual, generalise=not keep_details)
    if industry:
        try:
            result.uniqueness = assess_uniqueness(industry=industry, segment=segment, province=province, year=year,
                                                  size_band=size_band)
        except RedactionError as exc:
            raise click.BadParameter(str(exc), param_hint="--province") from None
    if as_json:
        click.echo(json.dumps(result.public(), ensure_ascii=False, indent=2))
        return
    out.print(result.text, markup=False, highlight=False)
    table = Table(title=f"{len(result.findings)} 处改动", show_lines=False)
    for column in ("类型", "原文", "替换为", "位置"):
        table.add_column(column)
    for f in result.findings:
        table.add_row(f.label, f.original, f.replacement, f"{f.start}–{f.end}")
    console.print(table)
    if result.uniqueness is not None:
        style = "yellow" if result.uniqueness.unique else "green"
        console.print(f"[{style}]{result.uniqueness.message}[/{style}]")
        if result.uniqueness.suggestion:
            console.print(f"[{style}]{result.uniqueness.suggestion}[/{style}]")
