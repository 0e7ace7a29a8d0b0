"""The public bodies and vendors the corpus itself names, for modules that need to recognise them.

The issuers in the front matter of its regulations and standards, the numbers beside them (GB/T …,
国办发〔…〕), and the vendors its guides list (厂商包括A、B等, corpus/neutrality.py). The profiler (its
government organs), import suggestions (corpus/suggest.py) and the redaction of shared cases (what a case may
name as written) read them here rather than keep lists of their own, so a body or vendor added to the corpus
is known to all three at once.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from corpus import STARTER_DIR
from corpus.document import Document, Kind
from corpus.neutrality import vendor_names_in
from corpus.validate import load_corpus

__all__ = ["documents", "issuers", "number_issuers", "split_issuer", "standard_issuers", "vendors"]

OWN_TEAM_SUFFIX = "编辑部"
_STANDARD_PREFIX = re.compile(r"^([A-Z]{1,4})(?:/[TZ])?\s*\d")
_AGENCY_CODE = re.compile(r"^([\u4e00-\u9fff]{2,8}?)\s*[〔\[［(（]\d{4}")


def split_issuer(issuer: str) -> list[str]:
    """The bodies in an issuer field: 国家网信办、国家密码管理局等六部门 → [国家网信办, 国家密码管理局] (three characters at least)."""
    text = re.sub(r"等(?:[一二三四五六七八九十\d]+部门)?", "、", issuer)
    parts = re.split(r"[、，,;；（）():：\s]+", text)
    return [p for p in parts if re.fullmatch(r"[\u4e00-\u9fff]{3,}", p) and not p.endswith(OWN_TEAM_SUFFIX) and p != "综合"]


def issuers(documents: Iterable[Document]) -> frozenset[str]:
    """Issuing bodies of the regulations and standards (all public bodies)."""
    official = (d for d in documents if d.meta.kind in (Kind.regulation, Kind.standard))
    return frozenset(name for d in official for name in split_issuer(d.meta.source.issuer or ""))


def _majority(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for key, value in pairs:
        seen[key][value] += 1
    return {key: counts.most_common(1)[0][0] for key, counts in seen.items()}


def standard_issuers(documents: Iterable[Document]) -> dict[str, str]:
    """A standard number's prefix (GB, JR …) → the issuer field most of the corpus's standards with it have."""
    numbered = ((_STANDARD_PREFIX.match(d.meta.source.document_number or ""), d) for d in documents if d.meta.kind is Kind.standard)
    return _majority((m.group(1), d.meta.source.issuer) for m, d in numbered if m)


def number_issuers(documents: Iterable[Document]) -> dict[str, str]:
    """A regulation number's agency code (国办发, 工信部网安 …) → the first body its regulations' issuer field names."""
    pairs = []
    for d in documents:
        if d.meta.kind is Kind.regulation and (m := _AGENCY_CODE.match(d.meta.source.document_number or "")):
            if bodies := split_issuer(d.meta.source.issuer):
                pairs.append((m.group(1), bodies[0]))
    return _majority(pairs)


def vendors(documents: Iterable[Document]) -> frozenset[str]:
    """Vendors the vendor-neutral documents list (厂商包括A、B、C等), with the ones corpus/neutrality.py counts."""
    return frozenset(vendor_names_in([d for d in documents if not d.meta.vendor]))


@lru_cache(maxsize=4)
def documents(corpus_dir: Path = STARTER_DIR) -> tuple[Document, ...]:
    """A corpus folder's valid documents (invalid ones skipped as ingest skips them), loaded once per process."""
    return tuple(load_corpus(Path(corpus_dir)).documents)
