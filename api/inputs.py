"""Bounds of client input shared by every route, checked at the edge (before any store sees it).

Integers that reach the database fit SQLite's and PostgreSQL's 64-bit INTEGER/BIGINT: a larger one
(`offset=99999999999999999999`, `{"to": 1e20}`) is a 422 naming the parameter, never an
OverflowError inside the driver. Text is checked by `corpus.text` (`CheckedInput`, `CheckedText`).
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le

__all__ = ["MAX_DB_INT", "Count", "DbInt", "Offset", "Position"]

MAX_DB_INT = 2**63 - 1

DbInt = Annotated[int, Ge(-MAX_DB_INT - 1), Le(MAX_DB_INT)]
Offset = Annotated[int, Ge(0), Le(MAX_DB_INT)]  # rows to skip
Position = Annotated[int, Ge(1), Le(MAX_DB_INT)]  # 1-based numbers: document versions
Count = Annotated[int, Ge(1), Le(MAX_DB_INT)]
