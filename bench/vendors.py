"""Vendor neutrality of the starter corpus: mentions per vendor and share of vendor-naming documents.

No timing here: the numbers are counts, so drift (one vendor creeping into most lists)
shows up in docs/benchmarks.md the next time `make bench` runs.
"""

from __future__ import annotations

from typing import Any

from corpus import STARTER_DIR, load_corpus
from corpus.neutrality import vendor_report

TOP = 15


def run() -> dict[str, Any]:
    report = vendor_report(load_corpus(STARTER_DIR).documents)
    return {
        "documents": report.documents,
        "vendor_documents": report.vendor_documents,
        "vendors_named": len(report.counts),
        "undisclaimed": report.undisclaimed,
        "top": [
            {"name": c.name, "mentions": c.mentions, "documents": len(c.documents), "share": report.share(c.name)}
            for c in report.counts[:TOP]
        ],
    }
