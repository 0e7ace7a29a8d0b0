"""`top-advisor orgs …`: an organisation's data, exported as one archive or deleted (PIPL access and deletion).

    top-advisor orgs export ORG_ID --out org.zip    # a zip of JSON files, one per part (api/org_data.py)
    top-advisor orgs delete ORG_ID --yes            # everything, in every store, the indexes included

Both need the whole container: deleting a published case takes it out of the keyword index and Chroma.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from rich.console import Console

from accounts.org_data import OrgDataRegistry
from accounts.store import AccountNotFound
from api.cli_common import container_of

__all__ = ["orgs"]

console = Console(stderr=True)
T = TypeVar("T")


@click.group()
def orgs() -> None:
    """An organisation's data: export it or delete it."""


def _with_org_data(ctx: click.Context, act: Callable[[OrgDataRegistry], T]) -> T:
    """Run `act` on the organisation-data registry; an unknown organisation is a usage error, not a traceback."""
    container = container_of(ctx)
    try:
        return act(container.org_data)
    except AccountNotFound as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        container.close()


@orgs.command("export")
@click.argument("org_id")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The zip to write.")
@click.pass_context
def orgs_export(ctx: click.Context, org_id: str, out_path: Path) -> None:
    """Write everything ORG_ID has stored to one zip of JSON files."""
    data = _with_org_data(ctx, lambda registry: registry.archive(org_id))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(data)
    console.print(f"[green]已导出组织 {org_id} 的数据到 {out_path}（{len(data)} 字节）[/green]", highlight=False)


@orgs.command("delete")
@click.argument("org_id")
@click.option("--yes", is_flag=True, help="Confirm: the deletion cannot be undone.")
@click.pass_context
def orgs_delete(ctx: click.Context, org_id: str, yes: bool) -> None:
    """Delete everything ORG_ID has stored, its users and the organisation itself."""
    if not yes:
        raise click.ClickException("删除组织数据不可撤销：确认请加 --yes（建议先 orgs export 留存副本）")
    counts = _with_org_data(ctx, lambda registry: registry.delete(org_id))
    click.echo(json.dumps({"org_id": org_id, "deleted": counts}, ensure_ascii=False, indent=2))
