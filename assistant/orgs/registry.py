"""Optional enterprise-registry lookup (天眼查-shaped): the registered industry of a name nothing else places.

    registry = EnterpriseRegistry(base_url="https://open.api.tianyancha.com/services/open", token="…")
    registry.lookup("青禾远山科技有限公司")  # RegistryAnswer(industry="internet", section="I", division="65", …)

The request is `GET {base_url}/ic/baseinfo/normal?keyword=NAME` with the header `Authorization: TOKEN`; the
answer's `result` carries `name`, `industry` and `industryAll.categoryCodeFirst/Second` (GB/T 4754-2017 section
and division), mapped to our codes by `data/gbt4754.tsv`. 企查查 and 启信宝 answer the same classification under
other field names: `ResponseShape` names those fields, so another provider is a new shape, not a new adapter.

Off by default (settings `registry.kind = none`). Answers and "no such company" are cached per name; failures
(quota exhausted, 5xx, timeout, unreadable answer) raise `RegistryError` and are not cached, so the profile
falls through to the next step and a later call retries.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr

__all__ = ["TIANYANCHA", "EnterpriseRegistry", "RegistryAnswer", "RegistryConfig", "RegistryError", "ResponseShape",
           "gbt_code", "make_registry"]  # fmt: skip

logger = logging.getLogger(__name__)
TABLE = Path(__file__).with_name("data") / "gbt4754.tsv"


class RegistryConfig(BaseModel):
    """Settings section `registry` (TOP_REGISTRY__KIND=tianyancha, TOP_REGISTRY__TOKEN=…): off by default."""

    kind: Literal["none", "tianyancha"] = Field("none", description="none: no registry lookups (the default)")
    base_url: str = Field("https://open.api.tianyancha.com/services/open", description="API root; the adapter "
                          "appends ic/baseinfo/normal?keyword=NAME")  # fmt: skip
    token: SecretStr | None = Field(None, description="sent as the Authorization header")
    timeout: float = Field(5.0, gt=0, le=60, description="seconds per request")
    cache_size: int = Field(4096, ge=0, description="names whose answers are kept in memory")


def make_registry(config: RegistryConfig) -> EnterpriseRegistry | None:
    """The configured registry, or None when it is off or has no token."""
    if config.kind == "none" or config.token is None or not config.token.get_secret_value():
        return None
    return EnterpriseRegistry(base_url=config.base_url, token=config.token.get_secret_value(), timeout=config.timeout,
                              cache_size=config.cache_size)  # fmt: skip


class RegistryError(Exception):
    """The registry gave no usable answer; `kind` is quota, http, timeout or bad_response."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class ResponseShape:
    """Where one provider puts things in its JSON answer."""

    path: str = "ic/baseinfo/normal"
    query: str = "keyword"
    status: str = "error_code"  # 0 = ok
    ok: tuple[Any, ...] = (0, "0", "200")
    no_data: tuple[Any, ...] = (300000, "300000", "201")
    quota: tuple[Any, ...] = (300004, 300006, 300007, "300004", "300006", "300007", "102", "112")
    result: str = "result"
    name: str = "name"
    industry: str = "industry"
    codes: str = "industryAll"
    section: str = "categoryCodeFirst"
    division: str = "categoryCodeSecond"
    region: tuple[str, ...] = ("city", "district")


TIANYANCHA = ResponseShape()


@dataclass(frozen=True)
class RegistryAnswer:
    name: str  # the registered (legal) name
    industry: str  # our code, or "" when the classification is none of our 13
    industry_label: str  # as registered: 软件和信息技术服务业
    section: str  # GB/T 4754 门类: I
    division: str  # GB/T 4754 大类: 65
    region: str  # 北京市海淀区, when given

    @property
    def detail(self) -> str:
        code = f"{self.section}{self.division}" if self.section else self.division
        return f"企业登记信息：{self.name}，国民经济行业分类 {code} {self.industry_label}".rstrip()


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, str]]:
    rows: dict[str, tuple[str, str]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, industry, label = (line.split("\t") + ["", ""])[:3]
            rows[code] = (industry, label)
    return rows


def gbt_code(section: str, division: str, label: str = "") -> tuple[str, str]:
    """(our code or "", the classification's label) for a GB/T 4754 section and/or division or a division label."""
    table = _table()
    division = division.strip().zfill(2) if division and division.strip().isdigit() else ""
    if division in table:
        return table[division]
    if label:
        for industry, name in table.values():
            if name == label:
                return industry, name
    return table.get(section.strip().upper(), ("", label))


class EnterpriseRegistry:
    """`lookup(name)`: the registered industry, None when the registry knows no such company; thread-safe, cached."""

    def __init__(self, *, base_url: str, token: str, timeout: float = 5.0, shape: ResponseShape = TIANYANCHA,
                 cache_size: int = 4096, provider: str = "天眼查") -> None:  # fmt: skip
        if not base_url or not token:
            raise ValueError("an enterprise registry needs a base URL and a token")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.shape = shape
        self.provider = provider
        self.cache_size = cache_size
        self._cache: OrderedDict[str, RegistryAnswer | None] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, name: str) -> RegistryAnswer | None:
        with self._lock:
            if name in self._cache:
                self._cache.move_to_end(name)
                return self._cache[name]
        answer = self._parse(self._fetch(name))
        with self._lock:
            self._cache[name] = answer
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return answer

    def _fetch(self, name: str) -> dict[str, Any]:
        query = urllib.parse.urlencode({self.shape.query: name})
        request = urllib.request.Request(f"{self.base_url}/{self.shape.path}?{query}",
                                         headers={"Authorization": self.token, "Accept": "application/json"})  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                body = response.read()
        except urllib.error.HTTPError as exc:
            kind = "quota" if exc.code in (402, 429) else "http"
            raise RegistryError(kind, f"{self.provider} 返回 HTTP {exc.code}") from None
        except (TimeoutError, OSError) as exc:  # urllib wraps a socket timeout in URLError (an OSError)
            timed_out = isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)
            raise RegistryError("timeout" if timed_out else "http", f"{self.provider} 无法访问：{exc}") from None
        try:
            data = json.loads(body)
        except ValueError:
            raise RegistryError("bad_response", f"{self.provider} 的回答不是 JSON") from None
        if not isinstance(data, dict):
            raise RegistryError("bad_response", f"{self.provider} 的回答格式不对")
        return data

    def _parse(self, data: dict[str, Any]) -> RegistryAnswer | None:
        shape = self.shape
        status = data.get(shape.status, shape.ok[0])
        if status in shape.no_data:
            return None
        if status in shape.quota:
            raise RegistryError("quota", f"{self.provider} 调用额度不足或过于频繁（{status}）")
        if status not in shape.ok:
            raise RegistryError("bad_response", f"{self.provider} 返回错误（{status}）：{data.get('reason', '')}")
        result = data.get(shape.result)
        if not result:
            return None
        if not isinstance(result, dict):
            raise RegistryError("bad_response", f"{self.provider} 的 {shape.result} 不是对象")
        codes = result.get(shape.codes) or {}
        section = str(codes.get(shape.section) or "") if isinstance(codes, dict) else ""
        division = str(codes.get(shape.division) or "") if isinstance(codes, dict) else ""
        label = str(result.get(shape.industry) or "")
        industry, table_label = gbt_code(section, division, label)
        region = "".join(str(result.get(k) or "") for k in shape.region)
        return RegistryAnswer(name=str(result.get(shape.name) or ""), industry=industry,
                              industry_label=label or table_label, section=section.upper(),
                              division=division, region=region)  # fmt: skip
