"""`top-advisor users …`: create the first admin (and other users), list users, reset a password.

Like `customers`, these commands need only the application database, not the embedder or the index.
"""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.table import Table

from accounts.credit_code import CreditCodeError
from accounts.credit_code import normalise as normalise_credit_code
from accounts.store import AccountError, AccountNotFound, AccountStore, check_password, normalise_email
from accounts.tables import OrgKind, Role, migrate_accounts
from api.cli_common import console, settings_of
from corpus.store import make_engine

__all__ = ["users"]

out = Console()


def _store(ctx: click.Context) -> AccountStore:
    settings = settings_of(ctx)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    migrate_accounts(engine)
    return AccountStore(engine)


def _fail(message: str) -> None:
    console.print(f"[red]错误：{message}[/red]", highlight=False)
    sys.exit(1)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码", err=True))


@click.group()
def users() -> None:
    """Accounts of the web UI and the API (organisations, users, roles)."""


@users.command("create")
@click.option("--email", required=True, help="Login email (unique).")
@click.option("--role", required=True, help="partner | editor | admin")
@click.option("--org", "org_name", required=True, help="Organisation name; created when new.")
@click.option(
    "--org-kind", type=click.Choice([k.value for k in OrgKind]), default=None,
    help="Kind of a new organisation (default: vendor for admin/editor, partner otherwise).",
)  # fmt: skip
@click.option("--credit-code", default=None, help="统一社会信用代码 of a new organisation (18 characters, checksum verified).")
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_context
def users_create(
    ctx: click.Context, email: str, role: str, org_name: str, org_kind: str | None, credit_code: str | None, name: str,
    password_stdin: bool,
) -> None:
    """Create a user, e.g. the first admin:

    top-advisor users create --email admin@example.com --role admin --org "厂商名称"
    """
    if role not in {r.value for r in Role}:
        _fail(f"未知角色：{role}（可选 {', '.join(r.value for r in Role)}）")
    if credit_code is not None:
        try:
            credit_code = normalise_credit_code(credit_code)
        except CreditCodeError as exc:
            _fail(f"--credit-code：{exc}")
    try:
        normalise_email(email)
        password = _read_password(password_stdin)
        check_password(password)
    except AccountError as exc:
        _fail(str(exc))
    store = _store(ctx)
    try:
        org = store.organisation_named(org_name)
        if org is None:
            kind = org_kind or (OrgKind.partner.value if role == Role.partner.value else OrgKind.vendor.value)
            org = store.create_organisation(name=org_name, kind=kind, credit_code=credit_code)
        elif org_kind and org.kind != org_kind:
            _fail(f"组织「{org.name}」已存在，类型为 {org.kind}，与 --org-kind {org_kind} 不符")
        elif credit_code and org.credit_code != credit_code:
            if org.credit_code:
                _fail(f"组织「{org.name}」已登记统一社会信用代码 {org.credit_code}，与 --credit-code {credit_code} 不符")
            org = store.set_credit_code(org.id, credit_code)
        user = store.create_user(email=email, password=password, role=role, org_id=org.id, name=name)
    except (AccountError, AccountNotFound) as exc:
        _fail(str(exc))
        return
    console.print(f"[green]已创建用户 {user.email}（{user.role.value}，{user.org_name}）[/green]", highlight=False)


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """List users with their organisation, role and status."""
    rows = _store(ctx).list_users()
    if as_json:
        click.echo(json.dumps([u.model_dump(mode="json") for u in rows], ensure_ascii=False, indent=2))
        return
    table = Table("email", "name", "organisation", "role", "status")
    for u in rows:
        table.add_row(u.email, u.name, f"{u.org_name} ({u.org_kind})", u.role.value, "disabled" if u.disabled else "active")
    out.print(table)


@users.command("set-password")
@click.option("--email", required=True, help="Login email of the user.")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of stdin.")
@click.pass_context
def users_set_password(ctx: click.Context, email: str, password_stdin: bool) -> None:
    """Set a user's password (e.g. a forgotten one); the user's web sessions end.

    top-advisor users set-password --email admin@example.com
    """
    try:
        wanted = normalise_email(email)
        password = _read_password(password_stdin)
        check_password(password)
    except AccountError as exc:
        _fail(str(exc))
        return
    store = _store(ctx)
    user = next((u for u in store.list_users() if u.email == wanted), None)
    if user is None:
        _fail(f"用户不存在：{wanted}")
        return
    store.set_password(user.id, password)
    console.print(f"[green]已为 {user.email} 设置新密码；其已登录的会话已失效[/green]", highlight=False)
