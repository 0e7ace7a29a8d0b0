"""Login throttling (issue 11, item 2): the same tests on both stores, in this process and in a real Redis.

Policies here lock for about a second so the back-off and its expiry are seen in real time (Redis
keeps its own clock: TTLs cannot be faked).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.login import LoginAudit, LoginFailed, LoginService
from accounts.store import AccountStore
from accounts.tables import Role, migrate_accounts
from accounts.throttle import LoginThrottle, LoginThrottled, MemoryThrottleStore, ThrottlePolicy, ThrottleStore
from corpus.store import make_engine

FAST = ThrottlePolicy(account_failures=3, address_failures=5, lock_seconds=1, max_lock_seconds=4, forget_after_seconds=30)
PASSWORD = "s3cure-enough-passphrase"


@pytest.fixture(params=["memory", pytest.param("redis", id="redis")])
def store_factory(request: pytest.FixtureRequest) -> Iterator[object]:
    """Makes stores that share their counts (one in-process store, or Redis clients with one prefix)."""
    if request.param == "memory":
        shared = MemoryThrottleStore()
        yield lambda: shared
        return
    from accounts.redis_store import RedisThrottleStore, connect

    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    clients = []

    def make() -> ThrottleStore:
        client = connect(url)
        clients.append(client)
        return RedisThrottleStore(client, prefix=prefix)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def throttle(store_factory) -> LoginThrottle:  # type: ignore[no-untyped-def]
    return LoginThrottle(store_factory(), FAST)


def fail(throttle: LoginThrottle, email: str, address: str = "192.0.2.1") -> int | None:
    throttle.check(email, address)
    return throttle.failed(email, address)


def test_failures_below_the_limit_only_count_down(throttle: LoginThrottle) -> None:
    assert [fail(throttle, "a@example.cn") for _ in range(2)] == [2, 1]
    throttle.check("a@example.cn", "192.0.2.1")  # not locked


def test_the_limit_locks_the_account_with_doubling_back_off(throttle: LoginThrottle) -> None:
    email = f"{uuid.uuid4().hex[:6]}@example.cn"
    fail(throttle, email)
    fail(throttle, email)
    with pytest.raises(LoginThrottled) as locked:
        fail(throttle, email)
    assert locked.value.scope == "account" and locked.value.retry_after == 1
    assert "该账号已被暂时锁定" in locked.value.message and "1 秒" in locked.value.message
    with pytest.raises(LoginThrottled):  # the right password is not even checked now
        throttle.check(email.upper(), "198.51.100.9")  # same account, however typed, from anywhere
    time.sleep(1.1)
    throttle.check(email, "192.0.2.1")
    with pytest.raises(LoginThrottled) as again:
        throttle.failed(email, "192.0.2.1")
    assert again.value.retry_after == 2  # doubled


def test_the_lock_is_capped(throttle: LoginThrottle) -> None:
    assert [FAST.lock_for(n, 3) for n in (2, 3, 4, 5, 6, 40)] == [0, 1, 2, 4, 4, 4]


def test_one_address_guessing_many_accounts_is_locked(throttle: LoginThrottle) -> None:
    address = "203.0.113.7"
    for n in range(4):
        throttle.failed(f"user{n}@example.cn", address)
    with pytest.raises(LoginThrottled) as locked:
        throttle.failed("user4@example.cn", address)
    assert locked.value.scope == "address" and "网络地址" in locked.value.message
    with pytest.raises(LoginThrottled):
        throttle.check("someone-else@example.cn", address)
    throttle.check("someone-else@example.cn", "203.0.113.8")  # another address is not locked


def test_success_clears_the_account_but_not_the_address(throttle: LoginThrottle) -> None:
    email, address = "b@example.cn", "192.0.2.77"
    fail(throttle, email, address)
    fail(throttle, email, address)
    throttle.succeeded(email)
    assert fail(throttle, email, address) == 2  # counting starts again for the account
    for n in range(1):
        throttle.failed(f"other{n}@example.cn", address)
    with pytest.raises(LoginThrottled) as locked:  # the address kept all five failures
        throttle.failed("other9@example.cn", address)
    assert locked.value.scope == "address"


def test_failures_are_forgotten_after_a_quiet_while(store_factory) -> None:  # type: ignore[no-untyped-def]
    throttle = LoginThrottle(store_factory(), FAST.model_copy(update={"forget_after_seconds": 1}))
    fail(throttle, "c@example.cn")
    fail(throttle, "c@example.cn")
    time.sleep(1.2)
    assert fail(throttle, "c@example.cn") == 2


def test_two_processes_sharing_the_store_count_together(store_factory) -> None:  # type: ignore[no-untyped-def]
    first, second = LoginThrottle(store_factory(), FAST), LoginThrottle(store_factory(), FAST)
    fail(first, "d@example.cn")
    fail(second, "d@example.cn")
    with pytest.raises(LoginThrottled):
        fail(first, "d@example.cn")
    with pytest.raises(LoginThrottled):
        second.check("d@example.cn", "192.0.2.1")


def test_an_unreachable_redis_does_not_lock_everyone_out(caplog: pytest.LogCaptureFixture) -> None:
    from accounts.redis_store import RedisThrottleStore, connect

    throttle = LoginThrottle(RedisThrottleStore(connect("redis://127.0.0.1:1/0", ping=False)), FAST)
    started = time.monotonic()
    for _ in range(5):
        throttle.check("e@example.cn", "192.0.2.1")
        assert throttle.failed("e@example.cn", "192.0.2.1") is None
    throttle.succeeded("e@example.cn")
    assert "login throttle unavailable" in caplog.text
    assert time.monotonic() - started < 10  # each attempt waits well under a second for the dead server


def test_connect_names_an_unreachable_url_without_its_password() -> None:
    from accounts.redis_store import connect

    with pytest.raises(ConnectionError) as refused:
        connect("redis://:hunter2@127.0.0.1:1/0")
    assert "127.0.0.1:1/0" in str(refused.value) and "hunter2" not in str(refused.value)


# -- the login service: throttle, password, session, audit ---------------------------------------------------
@pytest.fixture
def service(tmp_path: Path, throttle: LoginThrottle) -> LoginService:
    engine = make_engine(f"sqlite:///{tmp_path / 'top.db'}")
    migrate_accounts(engine)
    accounts = AccountStore(engine)
    org = accounts.create_organisation(name="审计测试组织")
    accounts.create_user(email="victim@example.cn", password=PASSWORD, role=Role.partner, org_id=org.id)
    return LoginService(accounts, throttle, LoginAudit(engine))


def test_a_locked_account_refuses_the_right_password_and_every_attempt_is_audited(service: LoginService) -> None:
    outcomes = []
    for _ in range(6):
        try:
            service.log_in("victim@example.cn", "wrong-password", address="192.0.2.1")
        except LoginFailed as exc:
            outcomes.append(("401", str(exc)))
        except LoginThrottled as exc:
            outcomes.append(("429", exc.message))
    assert [code for code, _ in outcomes] == ["401", "401", "429", "429", "429", "429"]
    assert "再失败 1 次" in outcomes[1][1]
    with pytest.raises(LoginThrottled):
        service.log_in("victim@example.cn", PASSWORD, address="192.0.2.1")
    time.sleep(1.1)
    user, session = service.log_in("victim@example.cn", PASSWORD, address="192.0.2.1")
    assert user.email == "victim@example.cn" and session.token
    rows = service.audit.recent(email="Victim@Example.cn")
    assert [r.outcome for r in reversed(rows)] == ["failure", "failure", "locked", "throttled", "throttled", "throttled",
                                                   "throttled", "success"]  # fmt: skip
    assert rows[0].user_id == user.id and all(r.address == "192.0.2.1" for r in rows)
    assert "account locked for 1 s" in rows[-3].detail
