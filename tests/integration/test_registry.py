"""The optional enterprise-registry step, against a real HTTP server started here (tests/fake_registry.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fake_registry import NO_DATA, QUOTA, FakeRegistry, Slow, Status, company, serve_registry

from api.settings import Settings
from assistant.orgs.registry import EnterpriseRegistry, RegistryConfig, RegistryError, gbt_code, make_registry
from assistant.profiler import Profiler

NAME = "青禾远山实业有限公司"  # no sector word the rules decide on, in no table


@pytest.fixture(scope="module")
def _server() -> Iterator[FakeRegistry]:
    with serve_registry() as fake:
        yield fake


@pytest.fixture
def fake(_server: FakeRegistry) -> Iterator[FakeRegistry]:
    _server.reset()
    yield _server
    _server.reset()


def registry(fake: FakeRegistry, timeout: float = 2.0) -> EnterpriseRegistry:
    return EnterpriseRegistry(base_url=fake.base_url, token="secret-token", timeout=timeout)


def test_a_good_answer_maps_the_gbt4754_division_and_is_cached(fake: FakeRegistry) -> None:
    fake.enqueue(company(NAME, "I", "65", "软件和信息技术服务业", city="杭州市", district="西湖区"))
    client = registry(fake)
    answer = client.lookup(NAME)
    assert answer is not None and answer.industry == "internet" and (answer.section, answer.division) == ("I", "65")
    assert answer.detail == f"企业登记信息：{NAME}，国民经济行业分类 I65 软件和信息技术服务业"
    sent = fake.requests[0]
    assert sent["path"] == "/services/open/ic/baseinfo/normal" and sent["keyword"] == NAME
    assert sent["authorization"] == "secret-token"
    assert client.lookup(NAME) == answer and len(fake.requests) == 1  # cached


def test_the_profiler_asks_the_registry_only_when_nothing_offline_decides(fake: FakeRegistry) -> None:
    fake.enqueue(company(NAME, "I", "65", "软件和信息技术服务业", city="杭州市", district="西湖区"))
    profiler = Profiler(registry=registry(fake))
    profile = profiler.profile(NAME)
    assert profile.industry == "internet" and profile.confidence == 0.9 and profile.question is None
    decided = [e for e in profile.evidence if e.field == "industry" and e.source == "registry"]
    assert len(decided) == 1 and "I65" in decided[0].detail
    assert profile.region.city == "杭州市" and profile.region.district == "西湖区"  # the registered place
    assert profiler.profile("临江县人民医院").industry == "healthcare"
    assert profiler.profile(NAME, ask_remote=False).industry == "unknown"  # the cheap path never calls out
    assert len(fake.requests) == 1


def test_no_data_is_an_answer_and_is_cached(fake: FakeRegistry) -> None:
    fake.enqueue(NO_DATA)
    client = registry(fake)
    assert client.lookup(NAME) is None
    assert client.lookup(NAME) is None and len(fake.requests) == 1
    profile = Profiler(registry=registry(fake)).profile(NAME)  # a fresh client: empty queue = no data
    assert profile.industry == "unknown" and profile.question


@pytest.mark.parametrize(
    ("behaviour", "kind"),
    [(QUOTA, "quota"), (Status(429), "quota"), (Status(503), "http"), (Status(500), "http"), (Slow(1.5), "timeout")],
)
def test_failures_raise_and_are_not_cached(fake: FakeRegistry, behaviour: object, kind: str) -> None:
    fake.enqueue(behaviour)
    client = registry(fake, timeout=0.5)
    started = time.perf_counter()
    with pytest.raises(RegistryError) as failure:
        client.lookup(NAME)
    assert failure.value.kind == kind
    assert time.perf_counter() - started < 1.4  # the timeout holds
    fake.enqueue(company(NAME, "J", "66", "货币金融服务"))
    answer = client.lookup(NAME)  # not cached: the next call asks again
    assert answer is not None and answer.industry == "finance"


@pytest.mark.parametrize("behaviour", [QUOTA, Status(503), Slow(1.5)])
def test_the_profiler_survives_a_failing_registry(fake: FakeRegistry, behaviour: object) -> None:
    fake.enqueue(behaviour)
    profile = Profiler(registry=registry(fake, timeout=0.5)).profile(NAME)
    assert profile.industry == "unknown" and profile.question  # asks the user, as without a registry


def test_classification_outside_our_codes_is_recorded_but_decides_nothing(fake: FakeRegistry) -> None:
    fake.enqueue(company(NAME, "L", "72", "商务服务业"))
    profile = Profiler(registry=registry(fake)).profile(NAME)
    assert profile.industry == "unknown"
    assert any(e.source == "registry" and "不在13类" in e.detail for e in profile.evidence)


def test_gbt4754_table_division_outranks_section() -> None:
    assert gbt_code("I", "63") == ("telecom", "电信、广播电视和卫星传输服务")
    assert gbt_code("I", "64")[0] == "internet"
    assert gbt_code("C", "25")[0] == "energy"  # fuel processing
    assert gbt_code("C", "27")[0] == "manufacturing"  # drugs: a maker
    assert gbt_code("Q", "84")[0] == "healthcare" and gbt_code("S", "")[0] == "government"
    assert gbt_code("", "", "零售业")[0] == "retail"  # the label alone
    assert gbt_code("F", "51")[0] == ""  # wholesale: none of our codes


def test_off_by_default_and_configured_by_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().registry.kind == "none" and make_registry(Settings().registry) is None
    assert make_registry(RegistryConfig(kind="tianyancha")) is None  # no token, no lookups
    monkeypatch.setenv("TOP_REGISTRY__KIND", "tianyancha")
    monkeypatch.setenv("TOP_REGISTRY__TOKEN", "t0ken")
    monkeypatch.setenv("TOP_REGISTRY__TIMEOUT", "3")
    client = make_registry(Settings().registry)
    assert isinstance(client, EnterpriseRegistry) and client.token == "t0ken" and client.timeout == 3.0
