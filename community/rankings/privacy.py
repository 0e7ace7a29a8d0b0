"""The publication rules of the rankings, in one place.

1. **Distinct organisations.** A cell (window × industry × province × need) counts partner organisations, each at
   most once, however many briefs it ran there.
2. **Suppression.** A cell is published only when at least `k` organisations contribute (k ≥ 2, default 5). The
   test is on the true count, so a cell of 4 organisations never appears, noise or not.
3. **No counts, no totals.** A published cell carries its rank in its list and one band, "≥k 家伙伴": a lower
   bound only. With no upper bound on any published cell, no total ("全国", "全部行业") minus published cells can
   narrow a suppressed cell below its full range [0, k−1] (tests/unit/test_ranking_disclosure.py checks this).
   Rising needs compare two windows and list a need only when both windows are published (≥ k).
4. **Optional noise** (`epsilon` set): the order of a list comes from counts with Laplace noise drawn by Google's
   differential-privacy library (python-dp). Each organisation's contribution is first bounded to
   `max_cells_per_org` cells per window (chosen at random, community/rankings/counting.py); one organisation then changes at most
   `LEVELS × max_cells_per_org` counts per window vector, and a release has `vectors` of them, so the L1
   sensitivity is Δ = LEVELS × max_cells_per_org × vectors and each count gets Laplace(Δ/ε): ε is the budget of
   the whole release. Small ε makes ranks of small cells mostly noise; that is the price, stated.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

__all__ = ["LEVELS", "NoisyCounter", "RankingsConfig", "band_label", "sensitivity"]

LEVELS = 4  # industry × province, industry × 全国, 全部行业 × province, 全部行业 × 全国


class RankingsConfig(BaseModel):
    """`TOP_RANKINGS__…` settings."""

    k: int = Field(5, ge=2, le=1000, description="publish a cell only when at least k partner organisations contribute")
    epsilon: float | None = Field(
        None, gt=0, le=100, description="differential-privacy budget of one release; unset: no noise (ranks by true counts)"
    )
    max_cells_per_org: int = Field(20, ge=1, le=1000, description="with noise: cells one organisation may count in per window")
    include_simulated: bool = Field(True, description="count simulated (demo) activity; the page says so when it does")
    refresh_minutes: int = Field(60, ge=0, le=7 * 24 * 60, description="server refresh interval; 0: only `rankings refresh`")
    retention_days: int = Field(400, ge=7, le=3650, description="activity events older than this are deleted at refresh")


def band_label(k: int) -> str:
    """The one band a published cell carries: a lower bound, never an interval."""
    return f"≥{k} 家伙伴"


def sensitivity(max_cells_per_org: int, vectors: int) -> int:
    """L1 sensitivity of a release to adding or removing one organisation (see the module docstring)."""
    return LEVELS * max_cells_per_org * vectors


class NoisyCounter:
    """Adds Laplace noise calibrated to (ε, Δ) with python-dp's LaplaceMechanism (secure sampling in C++)."""

    def __init__(self, epsilon: float, sensitivity: int) -> None:
        from pydp.algorithms.numerical_mechanisms import LaplaceMechanism

        self.epsilon = epsilon
        self.sensitivity = sensitivity
        self._mechanism = LaplaceMechanism(epsilon=epsilon, sensitivity=float(sensitivity))

    @property
    def scale(self) -> float:
        return self.sensitivity / self.epsilon

    def noisy(self, counts: Sequence[int]) -> list[float]:
        add = self._mechanism.add_noise
        return [add(float(c)) for c in counts]
