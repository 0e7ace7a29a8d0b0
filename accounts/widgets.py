"""Widget keys: a partner organisation's embeddable chat widget, its look, allowed origins and quotas.

The key id (`wk_…`) is public: it sits in the partner's page. The secret (`wsk_…`) signs end-user
identity tokens on the partner's backend; it is returned once (on create and on rotate) and never
in any listing or page. A key of another organisation does not exist for the caller (not found).

Allowed origins are `scheme://host[:port]` (http or https; default ports dropped), optionally with
one leading wildcard label, `https://*.example.com`, which matches every subdomain (not the bare
domain), as CSP `frame-ancestors` does. A wildcard over a public suffix (`https://*.co.uk`,
`https://*.github.io`: every name below it has another owner) is refused, by the Public Suffix List.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from accounts.store import AccountNotFound
from accounts.tables import WidgetKeyRow, utcnow
from corpus.text import CheckedInput

__all__ = [
    "MAX_ORIGINS",
    "WidgetKey",
    "WidgetKeyCreate",
    "WidgetKeyCreated",
    "WidgetKeyNotFound",
    "WidgetKeyPublic",
    "WidgetKeyUpdate",
    "WidgetStore",
    "normalise_origin",
    "origin_allowed",
    "origin_hint",
]

KEY_PREFIX = "wk_"
SECRET_PREFIX = "wsk_"
MAX_ORIGINS = 20
# Always matched with fullmatch: `re.match(r"^…$")` accepts a trailing newline ("#abcdef\n").
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_DEFAULT_PORTS = {"http": 80, "https": 443}
KEY_PATTERN = re.compile(r"wk_[0-9a-f]{20}")


class WidgetKeyNotFound(AccountNotFound):
    def __init__(self, key_id: str) -> None:
        super().__init__(f"小组件密钥不存在：{key_id}")


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    """The Public Suffix List bundled with the `publicsuffixlist` package (read once, never fetched)."""
    return PublicSuffixList()


def _host(host: str) -> str:
    """Lower-cased, IDNA-encoded host name or IP literal; ValueError when it is not one."""
    if host.startswith("[") and host.endswith("]"):  # IPv6 literal
        if not re.fullmatch(r"\[[0-9a-fA-F:.]+\]", host):
            raise ValueError(f"无效的主机名：{host}")
        return host.lower()
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError(f"无效的主机名：{host}") from None
    if not ascii_host or not all(_LABEL.fullmatch(label) for label in ascii_host.split(".")):
        raise ValueError(f"无效的主机名：{host}")
    return ascii_host


def normalise_origin(value: str, *, wildcard: bool = True) -> str:
    """`https://Example.com:443/` → `https://example.com`. ValueError (a message for the user) for
    anything that is not an http(s) origin: paths, queries, credentials, other schemes, bad hosts."""
    text = value.strip()
    if not text:
        raise ValueError("来源不能为空")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(f"无效的来源：{text}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"来源必须以 http:// 或 https:// 开头：{text}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValueError(f"来源只包含协议、主机和端口，不能带路径或参数：{text}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"来源不能包含用户名或密码：{text}")
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal, which urlsplit unbrackets
        host = f"[{host}]"
    if not host:
        raise ValueError(f"来源缺少主机名：{text}")
    star = host.startswith("*.")
    if star and not wildcard:
        raise ValueError(f"这里不能使用通配符：{text}")
    base = _host(host[2:] if star else host)
    if "*" in base or (star and "." not in base):
        raise ValueError(f"通配符只能用在最左边一级，且后面至少是二级域名，例如 https://*.example.com：{text}")
    if star and _public_suffixes().is_public(base):
        raise ValueError(f"{base} 是公共后缀（各级子域名属于不同的所有者），不能用通配符：请改填具体的网站来源")
    port_part = f":{port}" if port is not None and port != _DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{'*.' if star else ''}{base}{port_part}"


def _parts(origin: str) -> tuple[str, str, str]:
    """(scheme, host, port) of a normalised origin; port "" when it is the default."""
    scheme, _, rest = origin.partition("://")
    if rest.startswith("["):
        host, _, port = rest.partition("]")
        return scheme, host + "]", port.removeprefix(":")
    host, _, port = rest.partition(":")
    return scheme, host, port


def origin_allowed(origin: str | None, allowed: list[str]) -> bool:
    """Whether a browser's `Origin` (or a page origin) is one of `allowed` (normalised entries)."""
    if not origin or origin == "null":
        return False
    try:
        candidate = normalise_origin(origin, wildcard=False)
    except ValueError:
        return False
    if candidate in allowed:
        return True
    scheme, host, port = _parts(candidate)
    for entry in allowed:
        entry_scheme, entry_host, entry_port = _parts(entry)
        if entry_host.startswith("*.") and (entry_scheme, entry_port) == (scheme, port) and host.endswith(entry_host[1:]):
            if not _public_suffixes().is_public(entry_host[2:]):  # a key saved before such wildcards were refused
                return True
    return False


_LOOPBACK = {"localhost", "127.0.0.1", "[::1]"}


def origin_hint(seen: str, allowed: list[str]) -> str | None:
    """Why an origin that is not allowed looks like one that is (localhost vs 127.0.0.1, www vs bare
    domain, http vs https, another port, a wildcard that leaves out the bare domain), or None."""
    try:
        scheme, host, port = _parts(normalise_origin(seen, wildcard=False))
    except ValueError:
        return None
    for entry in allowed:
        entry_scheme, entry_host, entry_port = _parts(entry)
        same_place = (entry_scheme, entry_port) == (scheme, port)
        if entry_host.startswith("*.") and same_place and host == entry_host[2:]:
            return f"{entry} 只匹配子域名，不包括 {scheme}://{host} 本身：请另外加入 {seen}"
        if same_place and {host, entry_host} <= _LOOPBACK:
            return f"已授权的是 {entry}：浏览器把 localhost、127.0.0.1 与 [::1] 当作不同的网站"
        if same_place and (host == f"www.{entry_host}" or entry_host == f"www.{host}"):
            return f"已授权的是 {entry}：带 www 与不带 www 的域名是不同的网站"
        if host == entry_host and port == entry_port and scheme != entry_scheme:
            return f"已授权的是 {entry}：http 与 https 是不同的来源"
        if host == entry_host and scheme == entry_scheme and port != entry_port:
            return f"已授权的是 {entry}：端口不同也是不同的来源"
    return None


class _WidgetFields(CheckedInput):
    @field_validator("colour", check_fields=False)
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is not None and not _COLOUR.fullmatch(value):
            raise ValueError("颜色须为 #rrggbb 格式，例如 #1f6feb")
        return value.lower() if value else value

    @field_validator("allowed_origins", check_fields=False)
    @classmethod
    def _origins(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        out: list[str] = []
        for item in value:
            origin = normalise_origin(item)
            if origin not in out:
                out.append(origin)
        if len(out) > MAX_ORIGINS:
            raise ValueError(f"允许的来源最多 {MAX_ORIGINS} 个")
        return out

    @field_validator("title", check_fields=False)
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if not value:
            raise ValueError("标题不能为空")
        return value


class WidgetKeyCreate(_WidgetFields):
    title: str = Field("渠道参谋", max_length=100, description="窗口标题")
    greeting: str = Field("", max_length=1000, description="打开窗口时的欢迎语")
    colour: str = Field("#1f6feb", description="主色，#rrggbb")
    show_sources: bool = Field(True, description="回答中显示来源与 [n] 引用")
    allowed_origins: list[str] = Field(default_factory=list, description="允许嵌入的网站来源，如 https://portal.example.com")
    quota_per_user_day: int = Field(50, ge=1, le=100_000, description="每位访客每天最多提问次数")
    quota_per_key_minute: int = Field(60, ge=1, le=100_000, description="整个密钥每分钟最多提问次数")
    require_identity: bool = Field(False, description="必须携带伙伴后端签发的身份令牌")
    enabled: bool = True


class WidgetKeyUpdate(_WidgetFields):
    """Only the fields sent are changed."""

    title: str | None = Field(None, max_length=100)
    greeting: str | None = Field(None, max_length=1000)
    colour: str | None = None
    show_sources: bool | None = None
    allowed_origins: list[str] | None = None
    quota_per_user_day: int | None = Field(None, ge=1, le=100_000)
    quota_per_key_minute: int | None = Field(None, ge=1, le=100_000)
    require_identity: bool | None = None
    enabled: bool | None = None


class WidgetKeyPublic(BaseModel):
    """What the owner sees: everything but the secret."""

    id: str
    org_id: str
    title: str
    greeting: str
    colour: str
    show_sources: bool
    allowed_origins: list[str]
    quota_per_user_day: int
    quota_per_key_minute: int
    require_identity: bool
    enabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class WidgetKeyCreated(WidgetKeyPublic):
    secret: str  # shown once; signs identity tokens on the partner's backend


@dataclass(frozen=True)
class WidgetKey:
    """The server's view of a key, secret included; never serialised to a client."""

    public: WidgetKeyPublic
    secret: str

    @property
    def id(self) -> str:
        return self.public.id

    @property
    def allowed_origins(self) -> list[str]:
        return self.public.allowed_origins


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _public(row: WidgetKeyRow) -> WidgetKeyPublic:
    return WidgetKeyPublic(
        id=row.id, org_id=row.org_id, title=row.title, greeting=row.greeting, colour=row.colour,
        show_sources=row.show_sources, allowed_origins=json.loads(row.allowed_origins or "[]"),
        quota_per_user_day=row.quota_per_user_day, quota_per_key_minute=row.quota_per_key_minute,
        require_identity=row.require_identity, enabled=row.enabled,
        created_at=_aware(row.created_at), updated_at=_aware(row.updated_at),
    )  # fmt: skip


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class WidgetStore:
    """Every method is one transaction. `org_id=None` means any organisation (administrators)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._session = self._sessions.begin  # one transaction per `with`

    @staticmethod
    def _owned(session: Session, key_id: str, org_id: str | None) -> WidgetKeyRow:
        row = session.get(WidgetKeyRow, key_id) if KEY_PATTERN.fullmatch(key_id) else None
        if row is None or (org_id is not None and row.org_id != org_id):
            raise WidgetKeyNotFound(key_id)
        return row

    def create(self, *, org_id: str, user_id: str, data: WidgetKeyCreate) -> WidgetKeyCreated:
        now = utcnow()
        secret = new_secret()
        row = WidgetKeyRow(
            id=KEY_PREFIX + secrets.token_hex(10), org_id=org_id, created_by=user_id, secret=secret,
            created_at=now, updated_at=now, **_columns(data.model_dump()),
        )  # fmt: skip
        with self._session() as session:
            session.add(row)
        return WidgetKeyCreated(**_public(row).model_dump(), secret=secret)

    def list(self, *, org_id: str | None) -> list[WidgetKeyPublic]:
        with self._session() as session:
            query = select(WidgetKeyRow).order_by(WidgetKeyRow.created_at.desc())
            if org_id is not None:
                query = query.where(WidgetKeyRow.org_id == org_id)
            return [_public(row) for row in session.scalars(query)]

    def get(self, key_id: str, *, org_id: str | None) -> WidgetKeyPublic:
        with self._session() as session:
            return _public(self._owned(session, key_id, org_id))

    def update(self, key_id: str, *, org_id: str | None, changes: WidgetKeyUpdate) -> WidgetKeyPublic:
        with self._session() as session:
            row = self._owned(session, key_id, org_id)
            for name, value in _columns(changes.model_dump(exclude_unset=True)).items():
                if value is not None:
                    setattr(row, name, value)
            row.updated_at = utcnow()
            return _public(row)

    def rotate_secret(self, key_id: str, *, org_id: str | None) -> str:
        """A new secret; tokens signed with the old one (and open embed sessions) stop working."""
        with self._session() as session:
            row = self._owned(session, key_id, org_id)
            row.secret = new_secret()
            row.updated_at = utcnow()
            return row.secret

    def delete(self, key_id: str, *, org_id: str | None) -> None:
        with self._session() as session:
            session.delete(self._owned(session, key_id, org_id))

    def resolve(self, key_id: str) -> WidgetKey | None:
        """The key for serving its widget (any organisation), or None when unknown."""
        if not KEY_PATTERN.fullmatch(key_id):
            return None
        with self._session() as session:
            row = session.get(WidgetKeyRow, key_id)
            return WidgetKey(public=_public(row), secret=row.secret) if row else None


def _columns(values: dict[str, object]) -> dict[str, object]:
    if values.get("allowed_origins") is not None:
        values["allowed_origins"] = json.dumps(values["allowed_origins"])
    return values
