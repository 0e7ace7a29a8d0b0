"""Check characters of Chinese identifiers, and makers of valid ones for tests and benchmarks.

- 居民身份证号, GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits.
- 统一社会信用代码, GB 32100-2015: 18 characters of `USCC_CHARSET`, MOD 31 over the first 17.
- Bank cards: the Luhn check.
"""

from __future__ import annotations

import datetime as dt
import random

__all__ = [
    "USCC_CHARSET",
    "id_check_char",
    "is_valid_id",
    "is_valid_uscc",
    "luhn_ok",
    "make_card",
    "make_id",
    "make_uscc",
    "uscc_check_char",
]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I O S V Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: the registering authority (1 机构编制, 5 民政, 9 工商 …, Y 其他); second: the kind.
USCC_AUTHORITY = "123456789AGNY"


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def is_valid_id(value: str) -> bool:
    """An 18-character 身份证号 with a plausible birth date and the right check character."""
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return False
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2100:
        return False
    return id_check_char(value[:17]) == value[17]


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    value = value.upper()
    if len(value) != 18 or any(c not in USCC_CHARSET for c in value) or value[0] not in USCC_AUTHORITY:
        return False
    if not value[2:8].isdigit():  # the registering authority's administrative division code
        return False
    return uscc_check_char(value[:17]) == value[17]


def luhn_ok(digits: str) -> bool:
    if not digits.isdigit() or len(digits) < 12:
        return False
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _luhn_complete(partial: str) -> str:
    for check in "0123456789":
        if luhn_ok(partial + check):
            return partial + check
    raise AssertionError("unreachable: one check digit always fits")


# -- makers (deterministic given the random generator) ------------------------------------------

AREA_CODES = ("110101", "310104", "330106", "320102", "440305", "510107", "420111", "370202", "610113", "350203")


def make_id(rng: random.Random) -> str:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 40 * 365))
    first17 = rng.choice(AREA_CODES) + born.strftime("%Y%m%d") + f"{rng.randrange(0, 1000):03d}"
    return first17 + id_check_char(first17)


def make_uscc(rng: random.Random) -> str:
    first17 = rng.choice(("91", "92", "12", "11", "52", "93")) + rng.choice(AREA_CODES)
    first17 += "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    return first17 + uscc_check_char(first17)


def make_card(rng: random.Random) -> str:
    prefix = rng.choice(("622202", "621700", "622848", "621226", "623058", "436742", "524091"))
    length = rng.choice((16, 19, 19))
    partial = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return _luhn_complete(partial)
