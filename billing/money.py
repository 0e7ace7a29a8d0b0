"""Amounts of money: kept in fen (integer CNY cents), read from text, shown as ¥."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["parse_yuan", "yuan"]


def parse_yuan(text: str) -> int:
    """'50,000' or '¥49999.99' → fen; ValueError (Chinese) for anything else, negative or with more than 2 decimals."""
    cleaned = text.strip().replace(",", "").replace("，", "").removeprefix("¥").removeprefix("￥").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"金额不是数字：{text.strip()[:40]!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"金额不能为负数或非数字：{text.strip()[:40]}")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"金额最多两位小数：{text.strip()[:40]}")
    if fen > 10**14:
        raise ValueError(f"金额过大：{text.strip()[:40]}")
    return int(fen)


def yuan(fen: int) -> str:
    """12_000_00 → '¥12,000'; 1_234_56 → '¥1,234.56'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}" + (f".{cents:02d}" if cents else "")
