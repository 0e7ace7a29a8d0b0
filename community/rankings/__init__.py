"""National needs rankings: distinct organisations per cell, small cells suppressed, ranks and a band only."""

from community.rankings.privacy import RankingsConfig, band_label
from community.rankings.refresh import ReleaseSummary, refresh_rankings
from community.rankings.service import RankingsError, RankingsService
from community.rankings.tables import migrate_rankings

__all__ = ["RankingsConfig", "RankingsError", "RankingsService", "ReleaseSummary", "band_label", "migrate_rankings",
           "refresh_rankings"]
