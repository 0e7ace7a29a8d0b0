"""Topic discussions among partners: threads by industry, regulation or need; replies; mentions of published
documents and cases; editor moderation (hide, lock); abuse reports; a PII warning before anything is posted."""

from community.discussions.pii import PiiWarning, pii_warnings
from community.discussions.service import (
    TOPIC_KINDS,
    DiscussionError,
    DiscussionForbidden,
    DiscussionNotFound,
    DiscussionService,
)
from community.discussions.tables import migrate_discussions

__all__ = [
    "TOPIC_KINDS",
    "DiscussionError",
    "DiscussionForbidden",
    "DiscussionNotFound",
    "DiscussionService",
    "PiiWarning",
    "migrate_discussions",
    "pii_warnings",
]
