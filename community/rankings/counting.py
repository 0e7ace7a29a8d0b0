"""Distinct-organisation counts per (window, industry, province, need) at four levels, in numpy.

Input: the presence rows (org, industry, province, need, week) of the release's weeks, from the
activity_presence rollup. Each distinct (industry, province, need, org) gets a bit mask of the weeks it was
present in; a window is a bit mask too, so "present in the window" is one AND, and a cell's count is a bincount
of the (cell, org) pairs present: no join of presence × windows × levels is ever materialised.

The optional bound (noise path) picks, per window and organisation, at most `cap` of its base cells at random,
as the reference SQL (ROW_NUMBER() OVER (PARTITION BY window, org ORDER BY random())) does; an organisation
then counts in an aggregate cell when one of its picked base cells rolls up to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from community.rankings.tables import ALL_INDUSTRIES, NATIONWIDE

__all__ = ["CellCount", "count_cells"]

CellCount = tuple[int, str, str, str, int, int]  # window id, industry, province, need, n, n bounded
LEVELS = ((1, 1), (1, 0), (0, 1), (0, 0))  # keep industry?, keep province?


@dataclass
class _Level:
    cell: np.ndarray  # compact cell id of each (cell, org) pair
    mask: np.ndarray  # weeks the pair is present in
    of_base: np.ndarray  # base pair → index of its (cell, org) pair at this level, -1 when filtered out
    cells: list[tuple[str, str, str]]  # compact cell id → (industry, province, need)


def _codes(values: Sequence[object]) -> tuple[np.ndarray, list[object]]:
    """Integer codes (in order of first appearance) and the distinct values; C-speed dict and map calls only."""
    distinct = list(dict.fromkeys(values))
    index = {value: code for code, value in enumerate(distinct)}
    return np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values)), distinct


def _grouped(keys: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique keys, the OR of their masks, and each input's index among the unique keys."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    inverse = np.empty(keys.size, dtype=np.int64)
    inverse[order] = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1
    return ordered[starts], np.bitwise_or.reduceat(masks[order], starts), inverse


def count_cells(
    rows: Sequence[Sequence[object]],
    windows: Sequence[tuple[dt.date, dt.date]],
    *,
    k: int,
    cap: int | None,
) -> list[CellCount]:
    """Cells with at least k distinct organisations: (window id, industry, province, need, n, n bounded).

    `rows` are (org, industry, province, need, week Monday as a date or ISO text); duplicates are fine.
    `cap` None: n bounded = n.
    """
    if not rows:
        return []
    earliest = min(first for first, _ in windows)
    weeks = (max(last for _, last in windows) - earliest).days // 7 + 1
    if weeks > 63:
        raise ValueError(f"windows span {weeks} weeks; at most 63 fit a week mask")
    orgs, industries, provinces, needs, mondays = zip(*rows, strict=True)
    org, _ = _codes(orgs)
    ind, ind_names = _codes(industries)
    prov, prov_names = _codes(provinces)
    need, need_names = _codes(needs)
    week, week_values = _codes(mondays)
    mondays_of = [dt.date.fromisoformat(w) if isinstance(w, str) else cast(dt.date, w) for w in week_values]
    offset = np.array([(w - earliest).days // 7 for w in mondays_of], dtype=np.int64)[week]
    inside = (offset >= 0) & (offset < weeks)
    bits = np.left_shift(np.int64(1), offset[inside])
    org, ind, prov, need = org[inside], ind[inside], prov[inside], need[inside]
    dims = (len(ind_names) + 1, len(prov_names) + 1, len(need_names), int(org.max(initial=0)) + 1)
    all_ind, all_prov = dims[0] - 1, dims[1] - 1  # the extra code of 全部行业 / 全国

    base_keys, base_mask, _ = _grouped(np.ravel_multi_index((ind, prov, need, org), dims), bits)
    b_ind, b_prov, b_need, b_org = np.unravel_index(base_keys, dims)
    unknown = np.asarray([name == "unknown" for name in ind_names] + [False])[b_ind]
    no_province = np.asarray([name == "" for name in prov_names] + [False])[b_prov]
    ind_label = [*map(str, ind_names), ALL_INDUSTRIES]
    prov_label = [*map(str, prov_names), NATIONWIDE]

    levels = []
    for keep_ind, keep_prov in LEVELS:
        keep = ~((keep_ind == 1) & unknown) & ~((keep_prov == 1) & no_province)
        l_ind = b_ind[keep] if keep_ind else np.full(int(keep.sum()), all_ind)
        l_prov = b_prov[keep] if keep_prov else np.full(int(keep.sum()), all_prov)
        cell_key = np.ravel_multi_index((l_ind, l_prov, b_need[keep]), dims[:3])
        pair_keys, pair_mask, inverse = _grouped(cell_key * dims[3] + b_org[keep], base_mask[keep])
        cell_of_pair = pair_keys // dims[3]
        cell_ids, cell = np.unique(cell_of_pair, return_inverse=True)
        of_base = np.full(base_keys.size, -1, dtype=np.int64)
        of_base[keep] = inverse
        c_ind, c_prov, c_need = np.unravel_index(cell_ids, dims[:3])
        names = [(ind_label[i], prov_label[p], str(need_names[n])) for i, p, n in zip(c_ind, c_prov, c_need, strict=True)]
        levels.append(_Level(cell, pair_mask, of_base, names))

    rng = np.random.default_rng()
    found: list[CellCount] = []
    for wid, (first, last) in enumerate(windows):
        lo, hi = (first - earliest).days // 7, (last - earliest).days // 7
        window_mask = np.int64(((1 << (hi + 1)) - 1) ^ ((1 << lo) - 1))
        picked = None if cap is None else _pick(base_mask, b_org, window_mask, cap, rng)
        for level in levels:
            present = (level.mask & window_mask) != 0
            n = np.bincount(level.cell[present], minlength=len(level.cells))
            if picked is None:
                nb = n
            else:
                chosen = np.zeros(level.cell.size, dtype=bool)
                pairs = level.of_base[picked]
                chosen[pairs[pairs >= 0]] = True
                nb = np.bincount(level.cell[chosen], minlength=len(level.cells))
            for c in np.flatnonzero(n >= k):
                found.append((wid, *level.cells[c], int(n[c]), int(nb[c])))
    return found


def _pick(base_mask: np.ndarray, org: np.ndarray, window_mask: np.int64, cap: int, rng: np.random.Generator) -> np.ndarray:
    """Indexes of the base pairs kept: per organisation, at most `cap` of those present in the window, at random."""
    active = np.flatnonzero((base_mask & window_mask) != 0)
    if active.size == 0:
        return active
    order = np.lexsort((rng.random(active.size), org[active]))
    ranked, owners = active[order], org[active][order]
    starts = np.r_[True, owners[1:] != owners[:-1]]
    first_of_group = np.maximum.accumulate(np.where(starts, np.arange(owners.size), 0))
    return ranked[np.arange(owners.size) - first_of_group < cap]
