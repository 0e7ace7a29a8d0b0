"""Citations in the starter corpus: versioned article numbers, current citation labels, case dates.

The 网络安全法 digests give each article section the number of the text in force since
2026-01-01 and the 2016 number in brackets: "## 第二十三条 网络安全等级保护制度（2016年版第二十一条）".
The chunker takes the leading number as the citation label, so a brief never shows a
superseded number as the article it cites. With ../shared present, each pair is also
checked against the official texts: the two articles must say the same thing.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from corpus import STARTER_DIR, load_corpus
from corpus.content_rules import check_documents
from corpus.document import Document
from corpus.instruments import named_in
from retrieval.chunking import chunk_document

CN = "零〇一二三四五六七八九十百"
PAIR_HEADING = re.compile(rf"^## ((?:第[{CN}]+条、?)+).*（2016年版((?:第[{CN}]+条、?)+)）\s*$")
ARTICLE = re.compile(rf"第[{CN}]+条")
REWRITTEN_2025 = {"第七十一条"}


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return load_corpus(STARTER_DIR).documents


def csl_digests(documents: list[Document]) -> list[Document]:
    return [d for d in documents if d.meta.kind.value == "regulation" and (i := named_in(d.meta.title)) and i.name == "网络安全法"]


def article_pairs(document: Document) -> list[tuple[str, str]]:
    """(current article, 2016 article) for every section heading that gives both."""
    pairs: list[tuple[str, str]] = []
    for line in document.body.splitlines():
        if match := PAIR_HEADING.match(line):
            current, old = ARTICLE.findall(match.group(1)), ARTICLE.findall(match.group(2))
            assert len(current) == len(old), line
            pairs += zip(current, old, strict=True)
    return pairs


def test_content_rules_pass_on_the_starter_corpus(documents: list[Document]) -> None:
    assert [str(p) for p in check_documents(documents)] == []


def test_csl_digests_cite_current_numbers_and_label_chunks_with_them(documents: list[Document]) -> None:
    digests = {d.id: d for d in csl_digests(documents)}
    assert {"reg-csl-2016-operator-duties", "reg-csl-2016-cii-protection", "reg-csl-2016-personal-information"} <= set(digests)
    for doc_id in ("reg-csl-2016-operator-duties", "reg-csl-2016-cii-protection", "reg-csl-2016-personal-information"):
        document = digests[doc_id]
        pairs = article_pairs(document)
        assert len(pairs) >= 6, doc_id
        superseded = {old for current, old in pairs if old != current}
        labels = {c.locator for c in chunk_document(document) if ARTICLE.fullmatch(c.locator)}
        assert labels, doc_id
        assert labels.isdisjoint(superseded - {current for current, _ in pairs}), (doc_id, labels & superseded)
        assert labels <= {current for current, _ in pairs}


def test_the_2016_digest_of_等级保护_is_labelled_article_23(documents: list[Document]) -> None:
    document = next(d for d in documents if d.id == "reg-csl-2016-operator-duties")
    chunk = next(c for c in chunk_document(document) if "等级保护制度" in c.heading)
    assert chunk.locator == "第二十三条"
    assert "2016年版" in chunk.heading  # the old number stays visible for those comparing old documents


def _articles(text: str) -> dict[str, str]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    found: dict[str, str] = {}
    for piece in re.split(rf"\n(?=第[{CN}]+条[ \u3000])", text):
        if match := re.match(rf"(第[{CN}]+条)[ \u3000]", piece):
            found.setdefault(match.group(1), piece[match.end():])
    return found


@pytest.mark.shared
def test_article_pairs_say_the_same_in_the_official_texts(documents: list[Document], shared_dir: Path) -> None:
    laws = shared_dir / "data" / "laws"
    if not (laws / "网络安全法.md").exists() or not (laws / "网络安全法(2025修正).md").exists():
        pytest.skip(f"official law texts not present at {laws}")
    text_2016 = _articles((laws / "网络安全法.md").read_text(encoding="utf-8"))
    text_2025 = _articles((laws / "网络安全法(2025修正).md").read_text(encoding="utf-8-sig"))
    pairs = {pair for d in csl_digests(documents) for pair in article_pairs(d)}
    assert len(pairs) >= 20
    # Penalty articles were rewritten in 2025 (higher fines), so compare their openings only; 第七十一条
    # replaced the 2016 penalties for personal information (64) and data abroad (66) by "per other laws".
    for current, old in sorted(pairs):
        if current in REWRITTEN_2025:
            continue
        a, b = text_2025[current], text_2016[old]
        ratio = SequenceMatcher(None, a[:60], b[:60]).ratio()
        assert ratio >= 0.5, (current, old, a[:60], b[:60])
