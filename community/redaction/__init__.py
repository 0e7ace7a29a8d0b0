"""Anonymisation of case write-ups before anyone outside the author's organisation sees them.

    from community.redaction import redact, with_findings, add_manual, propose_aliases

    result = redact(text, customer="杭州市第一人民医院", aliases=["市一院"])
    result.text                      # the redacted text
    result.findings                  # [Finding(kind, original, replacement, start, end)], offsets into `text`
    with_findings(text, result.findings[1:])   # undo the first finding
    add_manual(text, result, 10, 14)           # redact four more characters

No LLM and nothing downloaded: rules, checksums, word lists and the product's gazetteer.
"""

from community.redaction.aliases import AliasSource, propose_aliases
from community.redaction.checksums import is_valid_id, is_valid_uscc, luhn_ok
from community.redaction.edits import add_manual, manual_finding, with_findings
from community.redaction.engine import Redactor, apply, redact
from community.redaction.models import (
    GENERALISED,
    IDENTIFIERS,
    STRUCTURED,
    Finding,
    FindingKind,
    Redaction,
    RedactionError,
    Uniqueness,
)
from community.redaction.uniqueness import OrgCounter, assess_uniqueness

__all__ = [
    "GENERALISED",
    "IDENTIFIERS",
    "STRUCTURED",
    "AliasSource",
    "Finding",
    "FindingKind",
    "OrgCounter",
    "Redaction",
    "RedactionError",
    "Redactor",
    "Uniqueness",
    "add_manual",
    "apply",
    "assess_uniqueness",
    "is_valid_id",
    "is_valid_uscc",
    "luhn_ok",
    "manual_finding",
    "propose_aliases",
    "redact",
    "with_findings",
]
