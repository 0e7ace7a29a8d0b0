"""Vendor mentions in corpus text: which vendors a document names, and how often.

The product's promise is neutrality, so drift matters: one vendor named in most
documents reads as a recommendation even when every list says "排名不分先后".
`vendor_report` counts mentions per vendor and the share of vendor-naming
documents that name it; `python -m bench vendors` writes it to docs/benchmarks.md
and tests/integration/test_neutrality.py bounds it for the starter corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from corpus.document import Document

# 厂商包括A、B、C等 / 产品有A、B等: the way solution guides list vendors.
VENDOR_LIST = re.compile(r"(?:厂商|产品)(?:包括|有)([^。；]+?)等")
_SPLIT = re.compile(r"[、，,/]|以及")

# Security and IT vendors counted wherever they appear (not only in a "厂商包括…等" list). Names found by
# VENDOR_LIST are added per corpus, so a vendor the corpus lists needs no entry here.
KNOWN_VENDORS: tuple[str, ...] = (
    "奇安信", "启明星辰", "天融信", "安恒信息", "360", "长亭科技",
    "山石网科", "迪普科技", "华为", "新华三", "锐捷网络", "美创科技", "安华金和", "观安信息",
    "天空卫士", "亿赛通", "明朝万达", "威努特", "长扬科技", "阿里云", "腾讯云", "华为云", "腾讯安全",
)
# The disclaimer every vendor list should carry.
DISCLAIMER = "排名不分先后"


def vendor_names(sentence: str) -> list[str]:
    """Vendors a sentence lists, e.g. 厂商包括A、B、C等 → [A, B, C]."""
    names: list[str] = []
    for listing in VENDOR_LIST.findall(sentence):
        names += [n.strip() for n in _SPLIT.split(listing) if 1 < len(n.strip()) <= 12]
    return names


def _pattern(name: str) -> re.Pattern[str]:
    # "360" must not match inside 1360 or 360度; Chinese names match anywhere.
    if name.isascii():
        return re.compile(rf"(?<![0-9A-Za-z]){re.escape(name)}(?![0-9A-Za-z度°])")
    return re.compile(re.escape(name))


@dataclass
class VendorCount:
    name: str
    mentions: int = 0
    documents: set[str] = field(default_factory=set)


@dataclass
class VendorReport:
    documents: int  # documents scanned
    vendor_documents: int  # documents naming at least one vendor
    counts: list[VendorCount]  # most documents first
    undisclaimed: list[str]  # documents that name vendors without 排名不分先后

    def share(self, name: str) -> float:
        count = next((c for c in self.counts if c.name == name), None)
        return len(count.documents) / self.vendor_documents if count and self.vendor_documents else 0.0


def vendor_names_in(documents: Iterable[Document], extra: Iterable[str] = ()) -> list[str]:
    """The vendors counted in `documents`: KNOWN_VENDORS, `extra`, and every name a vendor list gives."""
    found = set(KNOWN_VENDORS) | set(extra)
    for document in documents:
        for sentence in re.split(r"[。；\n]", document.body):
            found.update(n for n in vendor_names(sentence) if "的" not in n)
    # Longest first, so 华为云 is not also counted as 华为.
    return sorted(found, key=lambda n: (-len(n), n))


def vendor_report(documents: Iterable[Document], *, extra: Iterable[str] = ()) -> VendorReport:
    """Mentions per vendor over vendor-neutral documents (a vendor's own material is excluded)."""
    neutral = [d for d in documents if not d.meta.vendor]
    names = vendor_names_in(neutral, extra)
    patterns = {name: _pattern(name) for name in names}
    counts = {name: VendorCount(name) for name in names}
    naming: set[str] = set()
    undisclaimed: list[str] = []
    for document in neutral:
        text = document.body
        for name in names:
            text, n = patterns[name].subn("\0", text)  # mask, so a shorter name cannot match inside
            if n:
                counts[name].mentions += n
                counts[name].documents.add(document.id)
                naming.add(document.id)
        if document.id in naming and DISCLAIMER not in document.body:
            undisclaimed.append(document.id)
    ranked = sorted((c for c in counts.values() if c.mentions), key=lambda c: (-len(c.documents), -c.mentions, c.name))
    return VendorReport(len(neutral), len(naming), ranked, undisclaimed)
