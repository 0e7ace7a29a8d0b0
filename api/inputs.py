"""Bounds of client input shared by every route, checked at the edge (before any store sees it).

Integers that reach the database fit SQLite's and PostgreSQL's 64-bit INTEGER/BIGINT: a larger one
(`offset=99999999999999999999`, `{"to": 1e20}`) is a 422 naming the parameter, never an
OverflowError inside the driver. Version numbers (`Position`) are stored in an INTEGER column, which is
32 bits on PostgreSQL, so they stop at 2**31 - 1. Text is checked by `corpus.text` (`CheckedInput`, `CheckedText`).
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le

__all__ = ["MAX_DB_INT", "MAX_DB_INT32", "Count", "DbInt", "Offset", "Position"]

MAX_DB_INT = 2**63 - 1
MAX_DB_INT32 = 2**31 - 1  # PostgreSQL's INTEGER

DbInt = Annotated[int, Ge(-MAX_DB_INT - 1), Le(MAX_DB_INT)]
Offset = Annotated[int, Ge(0), Le(MAX_DB_INT)]  # rows to skip
Position = Annotated[int, Ge(1), Le(MAX_DB_INT32)]  # 1-based numbers: document versions (an INTEGER column)
Count = Annotated[int, Ge(1), Le(MAX_DB_INT)]
