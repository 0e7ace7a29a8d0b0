"""Tokens of the widget: end-user identity (signed by the partner) and embed sessions (signed by us).

Identity token: an HS256 JWT the partner's backend signs with the widget's secret:
`{"sub": "<end-user id>", "exp": <unix time>, "iat"?: …, "customer"?: "<customer name>"}`.
Only HS256 is accepted (never `none`, never RS/ES with the secret as a public key); `sub` and
`exp` are required; 30 s of clock skew is tolerated; a token may live at most 24 hours.

Embed session token: minted by `GET /embed/{key}` for the page it serves, bound to the key, the
embedding page's origin and (claim `vid`) the visitor id `/embed` keeps in its cookie, with a key
derived from the widget's secret, so every replica can verify it (the secret is in the shared
database) and rotating the secret ends open sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

import jwt

from corpus.text import InvalidText, check_text

__all__ = [
    "EMBED_TOKEN_SECONDS",
    "LEEWAY_SECONDS",
    "MAX_LIFETIME_SECONDS",
    "EmbedSession",
    "EndUser",
    "IdentityError",
    "mint_embed_token",
    "read_embed_token",
    "verify_identity",
]

ALGORITHM = "HS256"
LEEWAY_SECONDS = 30
MAX_LIFETIME_SECONDS = 24 * 3600
EMBED_TOKEN_SECONDS = 12 * 3600
MAX_SUB_CHARS = 200
MAX_CUSTOMER_CHARS = 100
_EMBED_AUDIENCE = "top-advisor-embed"


class IdentityError(ValueError):
    """A token that must be refused; the message says why (shown to the visitor and the partner)."""


@dataclass(frozen=True)
class EndUser:
    """A verified end user of a partner's portal."""

    sub: str
    customer: str | None
    expires_at: int


def verify_identity(token: str, secret: str, *, now: float | None = None) -> EndUser:
    """Verify a partner-signed identity token; IdentityError with a clear message otherwise."""
    if not token or token.count(".") != 2:
        raise IdentityError("身份令牌格式无效：应为 HS256 签名的 JWT")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise IdentityError("身份令牌格式无效：应为 HS256 签名的 JWT") from None
    if header.get("alg") != ALGORITHM:
        raise IdentityError(f"身份令牌的签名算法必须是 {ALGORITHM}（收到：{header.get('alg')}）")
    now = time.time() if now is None else now
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise IdentityError(f"身份令牌缺少必需的声明：{exc.claim}") from None
    except jwt.InvalidSignatureError:
        raise IdentityError("身份令牌签名无效：请用该小组件的密钥签名") from None
    except jwt.PyJWTError as exc:
        raise IdentityError(f"身份令牌无效：{exc}") from None
    # Time claims checked here against `now` (testable), with the same leeway for all of them.
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise IdentityError("身份令牌的 exp 必须是 Unix 时间戳")
    if exp + LEEWAY_SECONDS <= now:
        raise IdentityError("身份令牌已过期，请重新获取")
    if exp - now > MAX_LIFETIME_SECONDS + LEEWAY_SECONDS:
        raise IdentityError("身份令牌有效期过长：最长 24 小时")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and nbf - LEEWAY_SECONDS > now:
        raise IdentityError("身份令牌尚未生效")
    iat = claims.get("iat")
    if isinstance(iat, int | float) and exp - iat > MAX_LIFETIME_SECONDS:
        raise IdentityError("身份令牌有效期过长：最长 24 小时")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUB_CHARS:
        raise IdentityError(f"身份令牌的 sub 必须是 1–{MAX_SUB_CHARS} 个字符的字符串")
    customer = claims.get("customer")
    if customer is not None:
        if not isinstance(customer, str) or len(customer) > MAX_CUSTOMER_CHARS:
            raise IdentityError(f"身份令牌的 customer 必须是不超过 {MAX_CUSTOMER_CHARS} 个字符的字符串")
    try:  # the same check as every other text a visitor sends (corpus.text)
        check_text(sub, what="身份令牌的 sub ")
        if customer is not None:
            customer = " ".join(check_text(customer, what="身份令牌的 customer ").split()) or None
    except InvalidText as exc:
        raise IdentityError(str(exc)) from None
    return EndUser(sub=sub, customer=customer, expires_at=int(exp))


@dataclass(frozen=True)
class EmbedSession:
    key_id: str
    parent_origin: str
    visitor: str | None = None  # the visitor id `/embed` bound this page to (None: none could be issued)
    preview: bool = False  # opened by the key's owner on our own /widgets preview page


def _embed_key(widget_secret: str) -> bytes:
    """A key of its own for embed sessions: an identity token can never pass as one, nor the reverse."""
    return hmac.new(widget_secret.encode(), b"top-advisor embed session v1", hashlib.sha256).digest()


def mint_embed_token(
    *,
    key_id: str,
    parent_origin: str,
    widget_secret: str,
    visitor: str | None = None,
    now: float | None = None,
    preview: bool = False,
) -> str:
    now = time.time() if now is None else now
    claims = {"wk": key_id, "po": parent_origin, "aud": _EMBED_AUDIENCE, "exp": int(now) + EMBED_TOKEN_SECONDS}
    if visitor:
        claims["vid"] = visitor
    if preview:
        claims["pv"] = True
    return jwt.encode(claims, _embed_key(widget_secret), algorithm=ALGORITHM)


def read_embed_token(token: str, *, key_id: str, widget_secret: str, now: float | None = None) -> EmbedSession:
    """The session of a token minted for `key_id`; IdentityError when forged, expired or for another key."""
    now = time.time() if now is None else now
    try:
        claims = jwt.decode(
            token, _embed_key(widget_secret), algorithms=[ALGORITHM], audience=_EMBED_AUDIENCE,
            options={"require": ["exp", "wk", "po"], "verify_exp": False},
        )  # fmt: skip
    except jwt.PyJWTError:
        raise IdentityError("嵌入会话无效，请刷新页面") from None
    if claims["exp"] <= now:
        raise IdentityError("嵌入会话已过期，请刷新页面")
    if claims["wk"] != key_id:
        raise IdentityError("嵌入会话不属于这个小组件，请刷新页面")
    visitor = claims.get("vid")
    return EmbedSession(
        key_id=key_id,
        parent_origin=str(claims["po"]),
        visitor=visitor if isinstance(visitor, str) else None,
        preview=claims.get("pv") is True,
    )
