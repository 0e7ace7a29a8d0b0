"""`top-advisor corpus add FILE`: import a .md/.txt/.docx/.pdf/.html file as a corpus document.

The file is sniffed and converted (`corpus.importers`), the suggested front matter and why each
field was chosen are printed, and the document is written to `<dir>/<kind folder>/<id>.md`.
Refused input exits 1 with `FILE:line: field: message` lines and writes nothing. What the text does not say
(the issuer of a government instrument, its effective date) is not guessed: give it with --issuer or
--effective-date.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click
import yaml
from rich.console import Console

from api.cli_common import container_of, settings_of
from corpus.document import ID_PATTERN
from corpus.importers import Imported, ImportRefused, check_size, convert, to_document_text, validate
from corpus.labels import FIELD_LABELS
from corpus.suggest import KIND_FOLDERS
from corpus.validate import Problem, iter_corpus_files

__all__ = ["corpus_add"]

console = Console(stderr=True, soft_wrap=True)
ID_LINE = re.compile(r"^id:\s*['\"]?([a-z0-9][a-z0-9-]*)['\"]?\s*$", re.M)


def existing_ids(root: Path) -> dict[str, Path]:
    """Ids already used under root, read from each file's front matter (no full parse)."""
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for path in iter_corpus_files(root):
        try:
            with path.open(encoding="utf-8-sig", errors="replace") as fh:
                head = fh.read(4000)
        except OSError:
            continue
        end = head.find("\n---", 3)
        match = ID_LINE.search(head[: end if end > 0 else len(head)])
        if match:
            found.setdefault(match.group(1), path)
    return found


def _target_dir(ctx: click.Context, directory: Path | None) -> Path:
    if directory is not None:
        return directory
    corpus_dir = Path(settings_of(ctx).corpus_dir)
    if corpus_dir.is_dir() and os.access(corpus_dir, os.W_OK):
        return corpus_dir
    raise click.UsageError(f"默认语料目录 {corpus_dir} 不可写；请用 --dir 指定目录")


MISSING_OPTIONS = {"source.issuer": "--issuer 发文机关", "effective_date": "--effective-date YYYY-MM-DD"}


def _refuse(problems: list[Problem], as_json: bool, imported: Imported | None = None) -> None:
    if as_json:
        click.echo(json.dumps(_payload(imported, problems, None), ensure_ascii=False, indent=2, default=str))
    else:
        for problem in problems:
            click.echo(str(problem))
        console.print(f"[red]未导入：{len(problems)} 个问题[/red]")
        missing = [MISSING_OPTIONS[p.field] for p in problems if p.field in MISSING_OPTIONS]
        if missing:
            console.print(f"原文没有写明的内容请在命令中给出：{'、'.join(missing)}")
    sys.exit(1)


def _payload(imported: Imported | None, problems: list[Problem], written: Path | None) -> dict[str, Any]:
    return {
        "file": imported.filename if imported else None,
        "type": imported.file_type.value if imported else None,
        "front_matter": imported.front_matter if imported else None,
        "suggestions": imported.suggestions if imported else {},
        "problems": [{"path": p.path, "line": p.line, "field": p.field, "message": p.message} for p in problems],
        "written": str(written) if written else None,
    }


def _show(imported: Imported) -> None:
    header = yaml.safe_dump(imported.front_matter, allow_unicode=True, sort_keys=False, width=1000)
    click.echo(f"---\n{header}---")
    label = "保留文件自带的 front matter" if imported.kept_front_matter else "建议的 front matter"
    console.print(f"[bold]{imported.filename}[/bold]（{imported.file_type.value}）：{label}；依据：")
    for name, reasons in imported.suggestions.items():
        console.print(f"  {FIELD_LABELS.get(name, name)}（{name}）：{'；'.join(reasons)}", highlight=False, markup=False)


def _ingest(ctx: click.Context, root: Path, as_json: bool) -> dict[str, Any]:
    container = container_of(ctx)
    try:
        report = container.indexer.ingest(root, prune=False)
        summary = {
            "added": report.added,
            "updated": report.updated,
            "unchanged": len(report.unchanged),
            "not_published": report.unpublished,
            "chunks_written": report.chunks_written,
            "seconds": round(report.seconds, 2),
            "problems": [str(p) for p in report.problems],
        }
        if not as_json:
            for problem in report.problems:
                click.echo(str(problem))
            console.print(
                f"索引：新增 {len(report.added)}，更新 {len(report.updated)}，未变 {len(report.unchanged)}，"
                f"未发布 {len(report.unpublished)}；写入 {report.chunks_written} 个片段，用时 {report.seconds:.1f} 秒"
            )
        return summary
    finally:
        container.close()


@click.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Corpus directory to write into (default: TOP_CORPUS_DIR if writable).")
@click.option("--id", "doc_id", help="Document id instead of the suggested one (lowercase a-z, 0-9, '-').")
@click.option("--status", type=click.Choice(["draft", "published"]), default=None,
              help="Status to write (default: draft, or the file's own front matter).")
@click.option("--issuer", help="Issuing body, when the text names none (e.g. 国家互联网信息办公室).")
@click.option("--effective-date", "effective_date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Effective date YYYY-MM-DD, when the text states none.")
@click.option("--force", is_flag=True, help="Replace an existing document with the same id.")
@click.option("--ingest", "do_ingest", is_flag=True, help="Index the directory afterwards (published documents only).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def corpus_add(
    ctx: click.Context,
    file: Path,
    directory: Path | None,
    doc_id: str | None,
    status: str | None,
    issuer: str | None,
    effective_date: Any,
    force: bool,
    do_ingest: bool,
    as_json: bool,
) -> None:  # fmt: skip
    """Import FILE (.md, .txt, .docx, .pdf, .html) as a corpus document with suggested front matter."""
    try:
        check_size(file.stat().st_size)
        imported = convert(file.read_bytes(), file.name)
    except ImportRefused as exc:
        _refuse([exc.problem(file.name)], as_json)
    except OSError as exc:
        _refuse([Problem(file.name, 1, "file", f"无法读取文件：{exc.strerror or exc}")], as_json)
    if doc_id is not None or status is not None or issuer or effective_date is not None:
        if issuer:
            imported.front_matter.setdefault("source", {})["issuer"] = issuer.strip()
        if effective_date is not None:
            imported.front_matter["effective_date"] = effective_date.date()
        if doc_id is not None:
            if not ID_PATTERN.fullmatch(doc_id):
                _refuse([Problem(file.name, 1, "id", f"id {doc_id!r} 不合法：3–80 个字符，只能用小写字母、数字和 '-'")], as_json)
            imported.front_matter["id"] = doc_id
        if status is not None:
            imported.front_matter["status"] = status
        imported.problems = [p for p in imported.problems if p.field == "file"] or validate(imported)
    if imported.problems:
        _refuse(imported.problems, as_json, imported)

    root = _target_dir(ctx, directory)
    target = root / KIND_FOLDERS.get(imported.kind, "solutions") / f"{imported.doc_id}.md"
    previous = existing_ids(root).get(imported.doc_id)
    if previous is not None and not force:
        where = previous.relative_to(root) if previous.is_relative_to(root) else previous
        message = f"id {imported.doc_id!r} 已被 {where} 使用；用 --id 换一个，或用 --force 替换"
        _refuse([Problem(file.name, 1, "id", message)], as_json, imported)
    if not as_json:
        _show(imported)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(to_document_text(imported), encoding="utf-8")
    if previous is not None and previous.resolve() != target.resolve():
        previous.unlink()  # --force: the replaced document must not stay behind as a duplicate id
    result = _payload(imported, [], target)
    if not as_json:
        console.print(f"[green]已写入 {target}[/green]（状态 {imported.front_matter.get('status')}）")
    if do_ingest:
        if imported.front_matter.get("status") != "published" and not as_json:
            console.print("[yellow]文档状态不是 published，索引后也检索不到；审核后用 --status published 发布[/yellow]")
        result["ingest"] = _ingest(ctx, root, as_json)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
