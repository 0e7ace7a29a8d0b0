"""Widget rules without a server: origins, key settings, identity and embed tokens, quota windows, hidden sources."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine

from accounts.identity import (
    IdentityError,
    mint_embed_token,
    read_embed_token,
    verify_identity,
)
from accounts.quotas import DAY, MINUTE, QuotaCounter, QuotaExceeded
from accounts.tables import migrate_accounts
from accounts.widgets import WidgetKeyCreate, WidgetKeyUpdate, normalise_origin, origin_allowed
from api.routes.widget import frame_ancestors
from api.widget_service import MarkerStripper, visible_events
from assistant.events import DeltaEvent, DoneEvent, NoticeEvent, SourcesEvent
from assistant.models import SourceRef

SECRET = "wsk_" + "s" * 43
NOW = 1_800_000_000.0


# -- origins ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("https://Portal.Example.com", "https://portal.example.com"),
        ("https://portal.example.com:443/", "https://portal.example.com"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("http://localhost:80", "http://localhost"),
        ("  https://*.example.com  ", "https://*.example.com"),
        ("https://例子.中国", "https://xn--fsqu00a.xn--fiqs8s"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_origins_are_normalised_to_scheme_host_and_port(given: str, normal: str) -> None:
    assert normalise_origin(given) == normal


@pytest.mark.parametrize(
    "bad",
    ["", "portal.example.com", "ftp://example.com", "javascript:alert(1)", "https://example.com/portal",
     "https://example.com/?q=1", "https://user:pw@example.com", "https://*.com", "https://a.*.example.com",
     "https://*", "https://exa mple.com", "https://example.com:99999", "https://-bad-.com"],
)  # fmt: skip
def test_anything_but_an_http_origin_is_refused_with_a_message(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        normalise_origin(bad)
    assert str(info.value)


def test_wildcard_matches_subdomains_only_and_keeps_scheme_and_port() -> None:
    allowed = [normalise_origin("https://*.example.com"), normalise_origin("http://127.0.0.1:8001")]
    assert origin_allowed("https://portal.example.com", allowed)
    assert origin_allowed("https://a.b.example.com", allowed)
    assert origin_allowed("http://127.0.0.1:8001", allowed)
    for refused in ("https://example.com", "http://portal.example.com", "https://portal.example.com:8443",
                    "https://evilexample.com", "https://example.com.evil.cn", "http://127.0.0.1:8002", "null", "", None):
        assert not origin_allowed(refused, allowed), refused  # fmt: skip
    with pytest.raises(ValueError):
        normalise_origin("https://*.example.com", wildcard=False)


def test_frame_ancestors_lists_the_allowed_origins_or_none() -> None:
    class Key:
        allowed_origins = ("https://a.example.com", "https://*.b.cn")

    assert frame_ancestors(Key()) == "frame-ancestors https://a.example.com https://*.b.cn"  # type: ignore[arg-type]
    Key.allowed_origins = ()
    assert frame_ancestors(Key()) == "frame-ancestors 'none'"  # type: ignore[arg-type]


def test_key_settings_are_validated_and_normalised() -> None:
    key = WidgetKeyCreate(colour="#A1B2C3", allowed_origins=["https://x.cn/", "https://X.cn"], title="  在线   咨询 ")
    assert key.colour == "#a1b2c3" and key.allowed_origins == ["https://x.cn"] and key.title == "在线 咨询"
    assert key.show_sources is True and key.enabled is True and key.require_identity is False
    for bad in ({"colour": "red"}, {"colour": "#12345"}, {"quota_per_user_day": 0}, {"quota_per_key_minute": -1},
                {"allowed_origins": ["https://x.cn/path"]}, {"title": "  "}, {"allowed_origins": [f"https://h{i}.cn" for i in range(21)]}):
        with pytest.raises(ValidationError):
            WidgetKeyCreate(**bad)  # type: ignore[arg-type]  # fmt: skip
    assert WidgetKeyUpdate(enabled=False).model_dump(exclude_unset=True) == {"enabled": False}


# -- identity tokens ----------------------------------------------------------------------------------
def sign(claims: dict, secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def test_a_valid_identity_token_gives_the_end_user_and_customer_scope() -> None:
    user = verify_identity(sign({"sub": "u-42", "exp": NOW + 600, "customer": " 嘉兴银行 "}), SECRET, now=NOW)
    assert (user.sub, user.customer, user.expires_at) == ("u-42", "嘉兴银行", NOW + 600)
    assert verify_identity(sign({"sub": "u", "exp": NOW - 10}), SECRET, now=NOW).sub == "u"  # within the leeway


@pytest.mark.parametrize(
    ("token", "says"),
    [
        (sign({"sub": "u", "exp": NOW + 600}, secret="wsk_" + "f" * 43), "签名无效"),  # forged
        (sign({"sub": "u", "exp": NOW - 60}), "已过期"),
        (sign({"sub": "u", "exp": NOW + 600}, secret=None, algorithm="none"), "HS256"),  # type: ignore[arg-type]
        (sign({"exp": NOW + 600}), "sub"),
        (sign({"sub": "u"}), "exp"),
        (sign({"sub": "", "exp": NOW + 600}), "sub"),
        (sign({"sub": "u", "exp": NOW + 3 * DAY}), "24 小时"),
        (sign({"sub": "u", "exp": NOW + 600, "iat": NOW - 2 * DAY}), "24 小时"),
        (sign({"sub": "u", "exp": NOW + 600, "nbf": NOW + 300}), "尚未生效"),
        (sign({"sub": "u", "exp": NOW + 600, "customer": 7}), "customer"),
        ("not-a-token", "格式无效"),
    ],
    ids=["forged", "expired", "alg-none", "no-sub", "no-exp", "empty-sub", "too-long", "old-iat", "nbf", "customer-type", "garbage"],
)
def test_bad_identity_tokens_are_refused_with_the_reason(token: str, says: str) -> None:
    with pytest.raises(IdentityError) as info:
        verify_identity(token, SECRET, now=NOW)
    assert says in str(info.value)


def test_a_hand_made_token_with_the_secret_as_an_rs256_key_is_refused() -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "typ": "JWT"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps({"sub": "u", "exp": NOW + 60}).encode()).rstrip(b"=")
    mac = base64.urlsafe_b64encode(hmac.new(SECRET.encode(), header + b"." + body, hashlib.sha256).digest()).rstrip(b"=")
    with pytest.raises(IdentityError, match="HS256"):
        verify_identity(b".".join([header, body, mac]).decode(), SECRET, now=NOW)


def test_embed_tokens_are_bound_to_key_secret_and_time() -> None:
    key = "wk_" + "a" * 20
    token = mint_embed_token(key_id=key, parent_origin="https://portal.example.com", widget_secret=SECRET, now=NOW)
    assert read_embed_token(token, key_id=key, widget_secret=SECRET, now=NOW + 60).parent_origin == "https://portal.example.com"
    for key_id, secret, at in ((("wk_" + "b" * 20), SECRET, NOW), (key, SECRET + "x", NOW), (key, SECRET, NOW + 13 * 3600)):
        with pytest.raises(IdentityError):
            read_embed_token(token, key_id=key_id, widget_secret=secret, now=at)
    with pytest.raises(IdentityError):  # an embed token never passes as an identity token
        verify_identity(token, SECRET, now=NOW)


# -- quotas -------------------------------------------------------------------------------------------
@pytest.fixture
def database_counter(database_url: str) -> QuotaCounter:
    engine = create_engine(database_url)
    migrate_accounts(engine)
    clock = {"now": NOW + 30}
    counter = QuotaCounter(engine, clock=lambda: clock["now"])
    counter.clock_state = clock  # type: ignore[attr-defined]
    return counter


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def counter(request: pytest.FixtureRequest, database_url: str):  # type: ignore[no-untyped-def]
    """Both implementations of accounts.quotas.Quotas: the database (SQLite, PostgreSQL) and Redis."""
    if request.param == "database":
        return request.getfixturevalue("database_counter")
    from accounts.redis_store import RedisQuotaCounter, connect

    clock = {"now": NOW + 30}
    counter = RedisQuotaCounter(connect(request.getfixturevalue("redis_url")), prefix=request.getfixturevalue("redis_prefix"),
                                clock=lambda: clock["now"])  # fmt: skip
    counter.clock_state = clock  # type: ignore[attr-defined]
    return counter


def test_minute_window_refuses_over_the_limit_until_the_next_minute(counter) -> None:
    for n in (1, 2, 3):
        assert counter.hit("wk:key", limit=3, seconds=MINUTE) == n
    with pytest.raises(QuotaExceeded) as info:
        counter.hit("wk:key", limit=3, seconds=MINUTE, scope="key_minute")
    assert info.value.scope == "key_minute" and info.value.retry_after == 30  # NOW is a whole minute
    counter.clock_state["now"] += 30  # type: ignore[attr-defined]
    assert counter.hit("wk:key", limit=3, seconds=MINUTE) == 1


def test_day_window_is_per_name_and_ends_at_midnight_utc(counter) -> None:
    counter.hit("wk:user:a", limit=1, seconds=DAY)
    assert counter.hit("wk:user:b", limit=1, seconds=DAY) == 1  # another visitor has their own count
    with pytest.raises(QuotaExceeded) as info:
        counter.hit("wk:user:a", limit=1, seconds=DAY)
    midnight = (int(NOW) // DAY + 1) * DAY
    assert info.value.retry_after == midnight - int(NOW + 30)
    assert counter.used("wk:user:a", seconds=DAY) == 2  # refused hits count too


def test_expired_windows_are_purged(database_counter: QuotaCounter) -> None:
    counter = database_counter
    counter.hit("wk:old", limit=5, seconds=MINUTE)
    counter.clock_state["now"] += DAY  # type: ignore[attr-defined]
    counter.hit("wk:new", limit=5, seconds=MINUTE)
    with counter.engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("select bucket from quota_usage")]
    assert len(rows) == 1 and rows[0].startswith("wk:new")


# -- hiding sources -------------------------------------------------------------------------------------
def test_marker_stripper_handles_markers_split_across_deltas() -> None:
    stripper = MarkerStripper()
    pieces = ["等保三级要求每年测评[", "1", "][2]。数组[a] 与 [", "12", "]后"]
    out = "".join(stripper.feed(p) for p in pieces) + stripper.flush()
    assert out == "等保三级要求每年测评。数组[a] 与 后"


def test_hidden_sources_remove_the_list_and_the_markers() -> None:
    source = SourceRef(n=1, chunk_id="c", doc_id="d", title="t", kind="faq", locator="", text="原文")
    events = [SourcesEvent(sources=[source]), DeltaEvent(text="句子[1"), DeltaEvent(text="]。"),
              NoticeEvent(code="x", message="m"), DeltaEvent(text="尾[2"), DoneEvent(writer="composer")]  # fmt: skip
    shown = list(visible_events(iter(events), show_sources=False))
    assert shown[0] == SourcesEvent(sources=[])
    text = "".join(e.text for e in shown if isinstance(e, DeltaEvent))
    assert text == "句子。尾[2" and isinstance(shown[-1], DoneEvent)
    assert list(visible_events(iter(events), show_sources=True)) == events


def test_identity_token_clock_defaults_to_now() -> None:
    assert verify_identity(sign({"sub": "u", "exp": int(time.time()) + 60}), SECRET).sub == "u"


@pytest.mark.parametrize(
    ("seen", "allowed", "says"),
    [
        ("http://127.0.0.1:8080", ["http://localhost:8080"], "localhost、127.0.0.1"),
        ("http://localhost:3000", ["http://127.0.0.1:3000"], "localhost、127.0.0.1"),
        ("https://www.example.com", ["https://example.com"], "带 www 与不带 www"),
        ("https://example.com", ["https://www.example.com"], "带 www 与不带 www"),
        ("https://example.com", ["https://*.example.com"], "只匹配子域名"),
        ("http://portal.example.com", ["https://portal.example.com"], "http 与 https"),
        ("https://portal.example.com:8443", ["https://portal.example.com"], "端口不同"),
        ("https://evil.example.net", ["https://portal.example.com"], None),
        ("not an origin", ["https://portal.example.com"], None),
    ],
)
def test_a_near_miss_of_the_allowed_origins_is_explained(seen: str, allowed: list[str], says: str | None) -> None:
    from accounts.widgets import origin_hint

    hint = origin_hint(seen, allowed)
    assert (hint is None) if says is None else (says in (hint or "")), hint
