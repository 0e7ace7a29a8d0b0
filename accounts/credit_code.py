"""统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters, the last a check character.

    1 registration authority · 1 organisation type · 6 administrative division · 9 organisation code · 1 check

The alphabet leaves out I, O, S, V and Z; the check character is 31 − (Σ value·weight mod 31), with the
weights 3^i mod 31. `normalise` upper-cases, drops spaces and answers a Chinese message naming the fault.
"""

from __future__ import annotations

__all__ = ["ALPHABET", "CreditCodeError", "check_character", "normalise", "valid"]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


class CreditCodeError(ValueError):
    """Not a valid 统一社会信用代码; the message (Chinese) says why."""


def check_character(body: str) -> str:
    """The check character of the first 17 characters."""
    total = sum(_VALUE[c] * w for c, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    """The code upper-cased without spaces, or CreditCodeError naming what is wrong."""
    cleaned = "".join(code.split()).upper()
    if len(cleaned) != 18:
        raise CreditCodeError(f"统一社会信用代码应为 18 位（收到 {len(cleaned)} 位）：{code.strip()[:40]}")
    bad = sorted({c for c in cleaned if c not in _VALUE})
    if bad:
        raise CreditCodeError(f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）")
    if not cleaned[8:17].isalnum():  # pragma: no cover - the alphabet already guarantees it
        raise CreditCodeError("统一社会信用代码格式不正确")
    expected = check_character(cleaned[:17])
    if cleaned[17] != expected:
        raise CreditCodeError(f"统一社会信用代码校验位错误：{cleaned}（第 18 位应为 {expected}），请核对营业执照")
    return cleaned


def valid(code: str) -> bool:
    try:
        normalise(code)
    except CreditCodeError:
        return False
    return True
