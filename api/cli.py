"""The `top-advisor` command line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli_common import console, container_of, settings_of
from corpus.content_rules import check_documents
from corpus.document import INDUSTRY_CODES, NEED_CATEGORIES, Kind
from corpus.validate import load_corpus
from retrieval.models import SearchFilters


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="top-advisor")
def cli() -> None:
    """ToP Advisor (渠道参谋): a vendor-neutral, cited advisor for IT/security channel partners.

    Settings come from TOP_* environment variables or a .env file
    (e.g. TOP_DATA_DIR=./var, TOP_CHROMA__MODE=http).
    """


@cli.group()
def corpus() -> None:
    """Validate and ingest corpus documents (Markdown with YAML front matter)."""


@corpus.command("validate")
@click.argument("directory", type=click.Path(path_type=Path))
def corpus_validate(directory: Path) -> None:
    """Check every document under DIRECTORY; print `file:line: field: message` per problem.

    Besides the format, the content rules run: an article of an amended law must be cited
    with its version (《网络安全法》（2025年修正）第二十三条), and a case must not cite rules
    published after its date."""
    loaded = load_corpus(directory)
    content = check_documents(loaded.documents)
    for problem in loaded.problems + content:
        click.echo(str(problem))
    total = len(loaded.documents) + len(loaded.bad_files)
    if loaded.problems or content:
        files = len(set(loaded.bad_files) | {p.path for p in content})
        console.print(f"[red]{len(loaded.problems) + len(content)} problem(s) in {files} of {total} file(s)[/red]")
        sys.exit(1)
    console.print(f"[green]{total} document(s) valid[/green]")


@corpus.command("ingest")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--if-missing", is_flag=True, help="Do nothing when an index already exists.")
@click.option("--no-prune", is_flag=True, help="Keep documents that disappeared from DIRECTORY.")
@click.pass_context
def corpus_ingest(ctx: click.Context, directory: Path | None, if_missing: bool, no_prune: bool) -> None:
    """Index DIRECTORY (default: the starter corpus). Unchanged documents are skipped,
    changed ones replaced, deleted ones removed; bad files are reported and skipped."""
    container = container_of(ctx)
    try:
        root = directory or container.settings.corpus_dir
        if if_missing and not container.indexer.is_empty():
            console.print(f"index present ({container.keyword_index.count()} chunks); skipping ingest")
            return
        with Progress(
            TextColumn("[bold]索引 indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("chunks"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[doc]}"),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("ingest", total=None, doc="")

            def on_progress(done: int, total: int, doc_id: str) -> None:
                progress.update(task, completed=done, total=max(total, 1), doc=doc_id)

            report = container.indexer.ingest(root, progress=on_progress, prune=not no_prune)
        for problem in report.problems:
            click.echo(str(problem))
        console.print(
            f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"removed {len(report.removed)}, not published {len(report.unpublished)}; "
            f"{report.chunks_written} chunks in {report.seconds:.1f}s "
            f"({report.chunks_per_second:.0f} chunks/s); index holds {container.keyword_index.count()} chunks"
        )
        if report.problems:
            console.print(f"[yellow]{len(report.problems)} problem(s): those files were skipped[/yellow]")
            sys.exit(1)
    finally:
        container.close()


@cli.command()
@click.argument("query")
@click.option("--industry", "industries", multiple=True, type=click.Choice(INDUSTRY_CODES), help="Repeatable.")
@click.option("--need", "needs", multiple=True, type=click.Choice(NEED_CATEGORIES), help="Repeatable.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice([k.value for k in Kind]), help="Repeatable.")
@click.option("-k", "k", default=8, show_default=True, type=click.IntRange(1, 100), help="Number of hits.")
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    industries: tuple[str, ...],
    needs: tuple[str, ...],
    kinds: tuple[str, ...],
    k: int,
    as_json: bool,
) -> None:
    """Hybrid search over published documents, e.g. top-advisor search "医院 等保三级 要求"."""
    if not query.strip():
        raise click.BadParameter("query is empty", param_hint="QUERY")
    container = container_of(ctx)
    try:
        filters = SearchFilters(industries=list(industries), needs=list(needs), kinds=list(kinds))
        hits = container.retriever.search(query, k=k, filters=filters)
        if as_json:
            click.echo(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
            return
        if not hits:
            console.print("知识库中没有找到相关内容 (no matching passages)")
            return
        for i, hit in enumerate(hits, 1):
            meta = hit.chunk.metadata
            snippet = hit.chunk.text.replace("\n", " ")
            click.echo(f"[{i}] {meta.get('title')} · {hit.chunk.locator}  ({meta.get('kind')}, score {hit.score:.3f})")
            click.echo(f"    {snippet[:160]}{'…' if len(snippet) > 160 else ''}")
            click.echo(f"    来源: {meta.get('issuer')} {meta.get('document_number') or ''}".rstrip())
    finally:
        container.close()


@cli.command()
@click.option("--host", default=None, help="Bind address (default from TOP_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default from TOP_PORT, 8000).")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes sharing the data directory (default: TOP_WORKERS, else the number of cores).")  # fmt: skip
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API (several worker processes: the reply composer is CPU-bound)."""
    import uvicorn

    settings = settings_of(ctx)
    count = workers or settings.resolved_workers
    os.environ["TOP_WORKERS"] = str(count)  # each worker reads it: the processes share the cores (api/streaming.py)
    uvicorn.run(
        "api.app:create_app",
        factory=True,  # each worker builds its own container; api/app.py serialises their start-up
        host=host or settings.host,
        port=port or settings.port,
        workers=count,
        log_level="info",
    )


from api.cli_ask import ask  # noqa: E402 - registered after cli exists
from api.cli_billing import ledger, orders  # noqa: E402
from api.cli_cases import cases  # noqa: E402
from api.cli_community import demo, rankings, updates  # noqa: E402
from api.cli_corpus_add import corpus_add  # noqa: E402
from api.cli_orgs import orgs  # noqa: E402
from api.cli_profile import customers, profile  # noqa: E402
from api.cli_users import users  # noqa: E402

cli.add_command(cases)
cli.add_command(customers)
cli.add_command(profile)
cli.add_command(ask)
cli.add_command(users)
cli.add_command(orgs)
cli.add_command(rankings)
cli.add_command(demo)
cli.add_command(updates)
cli.add_command(orders)
cli.add_command(ledger)
corpus.add_command(corpus_add)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
