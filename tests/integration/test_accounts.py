"""Accounts against a real SQLite database: argon2id passwords, sessions, API keys, and `top-advisor users`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from sqlalchemy import select, update

from accounts.store import AccountConflict, AccountError, AccountNotFound, AccountStore
from accounts.tables import Role, UserRow, WebSessionRow, migrate_accounts
from api.cli import cli
from api.settings import Settings
from corpus.store import make_engine

PASSWORD = "correct horse battery"


@pytest.fixture
def store(database_url: str) -> AccountStore:
    engine = make_engine(database_url)
    migrate_accounts(engine)
    migrate_accounts(engine)  # idempotent
    return AccountStore(engine)


@pytest.fixture
def partner(store: AccountStore):  # type: ignore[no-untyped-def]
    org = store.create_organisation(name="华东渠道有限公司")
    return store.create_user(email="Li.Lei@Example.cn", password=PASSWORD, role="partner", org_id=org.id, name="李雷")


def stored_bytes(engine) -> bytes:  # type: ignore[no-untyped-def]
    """Everything the database holds: the SQLite file (WAL and all), or every row of every PostgreSQL table."""
    if engine.dialect.name == "sqlite":
        engine.dispose()  # flush WAL into the database file before reading its bytes
        path = Path(engine.url.database)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        return b"".join(repr(list(conn.execute(text(f'SELECT * FROM "{t}"')))).encode()
                        for t in inspect(engine).get_table_names())  # fmt: skip


def test_password_is_stored_as_an_argon2id_hash_not_the_password(store: AccountStore, partner) -> None:  # type: ignore[no-untyped-def]
    with store.session() as s:
        stored = s.scalars(select(UserRow.password_hash)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert partner.email == "li.lei@example.cn" and partner.role == Role.partner and partner.org_name == "华东渠道有限公司"


def test_authenticate_accepts_the_password_case_insensitive_email_and_refuses_the_rest(store: AccountStore, partner) -> None:  # type: ignore[no-untyped-def]
    assert store.authenticate("LI.LEI@example.cn", PASSWORD) == partner
    assert store.authenticate("li.lei@example.cn", PASSWORD + "x") is None
    assert store.authenticate("nobody@example.cn", PASSWORD) is None


def test_a_disabled_user_cannot_log_in_and_loses_sessions_and_keys(store: AccountStore, partner) -> None:  # type: ignore[no-untyped-def]
    session = store.create_session(partner.id)
    key = store.create_api_key(partner.id, name="ci")
    store.update_user(partner.id, disabled=True)
    assert store.authenticate(partner.email, PASSWORD) is None
    assert store.user_for_session(session.token) is None
    assert store.user_for_api_key(key.key) is None
    store.update_user(partner.id, disabled=False)
    assert store.authenticate(partner.email, PASSWORD) is not None
    assert store.user_for_api_key(key.key) is not None


def test_an_outdated_hash_is_upgraded_on_login(database_url: str, partner) -> None:  # type: ignore[no-untyped-def]
    stronger = AccountStore(make_engine(database_url), hasher=PasswordHasher(time_cost=4))
    assert stronger.authenticate(partner.email, PASSWORD) is not None
    with stronger.session() as s:
        assert ",t=4," in s.scalars(select(UserRow.password_hash)).one()


def test_bad_input_is_refused_with_a_message(store: AccountStore, partner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AccountConflict, match="邮箱已被使用"):
        store.create_user(email="li.lei@example.cn", password=PASSWORD, role="partner", org_id=partner.org_id)
    with pytest.raises(AccountError, match="至少 10 个字符"):
        store.create_user(email="a@example.cn", password="short", role="partner", org_id=partner.org_id)
    with pytest.raises(AccountError, match="未知角色"):
        store.create_user(email="a@example.cn", password=PASSWORD, role="root", org_id=partner.org_id)
    with pytest.raises(AccountError, match="邮箱格式"):
        store.create_user(email="not-an-email", password=PASSWORD, role="partner", org_id=partner.org_id)
    with pytest.raises(AccountNotFound):
        store.create_user(email="a@example.cn", password=PASSWORD, role="partner", org_id="nope")
    with pytest.raises(AccountConflict):
        store.create_organisation(name=" 华东渠道有限公司 ")


def test_api_key_is_shown_once_and_only_its_hash_rests_in_the_database(store: AccountStore, partner) -> None:  # type: ignore[no-untyped-def]
    created = store.create_api_key(partner.id, name="报表脚本")
    assert created.key.startswith(f"tk_{created.prefix}_")
    secret = created.key.split("_", 2)[2]
    listed = store.list_api_keys(partner.id)
    assert [k.id for k in listed] == [created.id] and not hasattr(listed[0], "key")
    assert "key" not in listed[0].model_dump()
    identity = store.user_for_api_key(created.key)
    assert identity is not None and identity.id == partner.id
    assert store.list_api_keys(partner.id)[0].last_used_at is not None
    raw = stored_bytes(store.engine)
    assert secret.encode() not in raw and created.key.encode() not in raw
    assert created.prefix.encode() in raw  # the lookup prefix is stored, the secret is not


def test_a_wrong_or_malformed_or_revoked_key_is_refused(store: AccountStore, partner) -> None:  # type: ignore[no-untyped-def]
    created = store.create_api_key(partner.id)
    assert store.user_for_api_key(created.key[:-1] + ("A" if created.key[-1] != "A" else "B")) is None
    for bad in ["", "tk_", "tk_abc", "sk-whatever", f"tk_{created.prefix}_"]:
        assert store.user_for_api_key(bad) is None
    store.revoke_api_key(partner.id, created.id)
    assert store.user_for_api_key(created.key) is None
    assert store.list_api_keys(partner.id)[0].revoked_at is not None


def test_only_the_owner_can_revoke_a_key(store: AccountStore, partner) -> None:  # type: ignore[no-untyped-def]
    other = store.create_user(email="han@example.cn", password=PASSWORD, role="partner", org_id=partner.org_id)
    key = store.create_api_key(partner.id)
    with pytest.raises(AccountNotFound):
        store.revoke_api_key(other.id, key.id)
    assert store.list_api_keys(other.id) == []
    assert store.user_for_api_key(key.key) is not None


def test_sessions_store_a_hash_and_expire(store: AccountStore, partner) -> None:  # type: ignore[no-untyped-def]
    session = store.create_session(partner.id, days=1)
    found = store.user_for_session(session.token)
    assert found is not None and found[0].id == partner.id and found[1] == session.csrf_token
    with store.session() as s:
        row = s.scalars(select(WebSessionRow)).one()
        assert row.token_hash != session.token and len(row.token_hash) == 64
        s.execute(update(WebSessionRow).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert store.user_for_session(session.token) is None
    assert store.user_for_session("made-up") is None
    fresh = store.create_session(partner.id)
    store.delete_session(fresh.token)
    assert store.user_for_session(fresh.token) is None


def test_the_server_secret_is_generated_once_private_and_overridable(settings: Settings) -> None:
    from pydantic import SecretStr

    from api.container import server_secret

    settings.data_dir.mkdir(parents=True)
    first = server_secret(settings)
    assert len(first) == 64 and server_secret(settings) == first
    path = settings.data_dir / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600 and list(settings.data_dir.iterdir()) == [path]
    assert server_secret(settings.model_copy(update={"secret_key": SecretStr("from-env")})) == b"from-env"


# -- CLI ------------------------------------------------------------------------------------------------
def run(args: list[str], settings: Settings, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, args, obj=settings, input=stdin)


def assert_clean_failure(result: Result, text: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert text in result.output


def test_cli_creates_the_first_admin_and_lists_users(settings: Settings) -> None:
    result = run(
        ["users", "create", "--email", "admin@vendor.cn", "--role", "admin", "--org", "某厂商", "--name", "管理员",
         "--password-stdin"], settings, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = json.loads(run(["users", "list", "--json"], settings).stdout)
    assert [(u["email"], u["role"], u["org_name"], u["org_kind"]) for u in listed] == [
        ("admin@vendor.cn", "admin", "某厂商", "vendor")
    ]
    engine = make_engine(settings.resolved_database_url)
    assert AccountStore(engine).authenticate("admin@vendor.cn", PASSWORD) is not None
    assert "admin@vendor.cn" in run(["users", "list"], settings).stdout


def test_cli_prompts_for_a_hidden_password_with_confirmation(settings: Settings) -> None:
    args = ["users", "create", "--email", "p@partner.cn", "--role", "partner", "--org", "某渠道"]
    result = run(args, settings, stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    listed = json.loads(run(["users", "list", "--json"], settings).stdout)
    assert listed[0]["org_kind"] == "partner"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "root"], PASSWORD, "未知角色"),
        ([], "short", "至少 10 个字符"),
        (["--email", "nope"], PASSWORD, "邮箱格式"),
    ],
)
def test_cli_refuses_bad_input_without_a_traceback(settings: Settings, args: list[str], stdin: str, message: str) -> None:
    base = {"--email": "x@example.cn", "--role": "editor", "--org": "某厂商"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    argv = ["users", "create", *[part for pair in base.items() for part in pair], "--password-stdin"]
    assert_clean_failure(run(argv, settings, stdin=stdin + "\n"), message)
    assert json.loads(run(["users", "list", "--json"], settings).stdout) == []


def test_cli_refuses_a_duplicate_email(settings: Settings) -> None:
    argv = ["users", "create", "--email", "e@vendor.cn", "--role", "editor", "--org", "某厂商", "--password-stdin"]
    assert run(argv, settings, stdin=PASSWORD + "\n").exit_code == 0
    assert_clean_failure(run(argv, settings, stdin=PASSWORD + "\n"), "邮箱已被使用")


def test_cli_sets_a_password_and_ends_the_users_sessions(settings: Settings) -> None:
    create = ["users", "create", "--email", "Reset@Vendor.cn", "--role", "editor", "--org", "某厂商", "--password-stdin"]
    assert run(create, settings, stdin=PASSWORD + "\n").exit_code == 0
    store = AccountStore(make_engine(settings.resolved_database_url))
    user = store.authenticate("reset@vendor.cn", PASSWORD)
    assert user is not None
    session = store.create_session(user.id)
    new = "another-long-passphrase"

    result = run(["users", "set-password", "--email", "RESET@vendor.cn", "--password-stdin"], settings, stdin=new + "\n")

    assert result.exit_code == 0, result.output
    assert store.authenticate("reset@vendor.cn", PASSWORD) is None
    assert store.authenticate("reset@vendor.cn", new) is not None
    assert store.user_for_session(session.token) is None


@pytest.mark.parametrize(
    ("email", "stdin", "message"),
    [("nobody@vendor.cn", PASSWORD, "用户不存在"), ("e@vendor.cn", "short", "至少 10 个字符"), ("nope", PASSWORD, "邮箱格式")],
)
def test_cli_set_password_refuses_bad_input_without_a_traceback(settings: Settings, email: str, stdin: str, message: str) -> None:
    create = ["users", "create", "--email", "e@vendor.cn", "--role", "editor", "--org", "某厂商", "--password-stdin"]
    assert run(create, settings, stdin=PASSWORD + "\n").exit_code == 0
    result = run(["users", "set-password", "--email", email, "--password-stdin"], settings, stdin=stdin + "\n")
    assert_clean_failure(result, message)
    store = AccountStore(make_engine(settings.resolved_database_url))
    assert store.authenticate("e@vendor.cn", PASSWORD) is not None
