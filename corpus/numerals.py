"""Chinese numerals: the one character class and the one parser every package uses.

    CN_NUMERALS                 # "零〇一二三四五六七八九十百千两": inside 第…条, 第…届, 第…号
    cn_int("二十三")            # 23
    cn_int("二〇二五")          # 2025 (digit by digit when there is no unit)
    cn_int("三万五千")          # 35000
    cn_int("第三")              # None: not a numeral
"""

from __future__ import annotations

__all__ = ["CN_DIGITS", "CN_NUMERALS", "CN_UNITS", "cn_int"]

CN_NUMERALS = "零〇一二三四五六七八九十百千两"  # a regex character class body: rf"第[{CN_NUMERALS}]+条"
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}


def cn_int(numeral: str) -> int | None:
    """The value of a Chinese numeral (一百零五, 十二, 二〇二五, 三万五千), or None when `numeral` is
    empty or holds a character that is neither a digit nor a unit."""
    if not numeral or any(ch not in CN_DIGITS and ch not in CN_UNITS for ch in numeral):
        return None
    if not any(ch in CN_UNITS for ch in numeral):  # 二〇二五: a year read digit by digit
        return int("".join(str(CN_DIGITS[ch]) for ch in numeral))
    total = section = digit = 0
    for ch in numeral:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif CN_UNITS[ch] < 10_000:
            section += (digit or 1) * CN_UNITS[ch]
            digit = 0
        else:  # 万, 亿 scale everything before them
            total = (total + section + digit) * CN_UNITS[ch]
            section = digit = 0
    return total + section + digit
