"""Partner cases: a partner shares a customer case, reviews its anonymisation, confirms; an editor approves;
the summary is published to retrieval (`kind: case`, 伙伴分享) and the full text is downloadable.

    service = CaseService(CaseStore(engine), editorial=editorial, activity=activity, catalogue=catalogue)
    case = service.create(viewer, {"title": …, "customer": …, "industry": "healthcare", "text": …})
    service.redaction(viewer, case["id"])      # {text, findings, rows, changes, uniqueness, …}
    service.confirm(viewer, case["id"]); service.submit(viewer, case["id"])
    service.approve(editor, case["id"])        # published: cited by briefs, in the case library
    service.download(other, case["id"])        # {text, …}; recorded, listeners called (rewards)
"""

from community.cases.hooks import CaseListener, DownloadEvent, TakedownEvent
from community.cases.models import (
    CaseConflict,
    CaseError,
    CaseFields,
    CaseForbidden,
    CaseNotFound,
    CaseStatus,
    RegionLevel,
    Viewer,
)
from community.cases.service import DOC_PREFIX, CaseService
from community.cases.store import CaseStore
from community.cases.tables import migrate_cases

__all__ = [
    "DOC_PREFIX",
    "CaseConflict",
    "CaseError",
    "CaseFields",
    "CaseForbidden",
    "CaseListener",
    "CaseNotFound",
    "CaseService",
    "CaseStatus",
    "CaseStore",
    "DownloadEvent",
    "RegionLevel",
    "TakedownEvent",
    "Viewer",
    "migrate_cases",
]
