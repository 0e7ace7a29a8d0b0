"""Rules about what corpus text says, run by `corpus validate` after parsing.

Parsing (corpus.validate) decides whether a file is a document at all; these rules
check sentences an answer may quote on their own:

- an article of an amended law is cited with the version meant (《网络安全法》（2025年修正）
  第二十三条, 2016年版第二十一条): a sentence quoted alone must not be ambiguous;
- an illustrative case does not cite a rule, version or standard published after the
  date it is written for.

Ingest does not run them: a partner's own material is indexed even if it cites loosely.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from corpus.document import Document, Kind
from corpus.instruments import MARKER_YEAR, VERSION_MARKER, Instrument, lookup, named_in, normalise
from corpus.numerals import CN_NUMERALS
from corpus.validate import Problem

_ARTICLE = re.compile(rf"第[{CN_NUMERALS}]+条")
_BOOK = re.compile(r"《([^》]+)》")
_SENTENCE_END = re.compile(r"(?<=[。！？；])")
_STANDARD = re.compile(r"(?<![A-Za-z])(?:GB|GB/T|GB/Z|JR/T|YD/T|GA/T|GM/T|WS/T|DL/T)\s*\d+(?:\.\d+)*\s*[-—]\s*((?:19|20)\d{2})(?!\d)")
_HEADING = re.compile(r"^#{1,6}\s")


def _sentences(body: str, first_line: int) -> Iterator[tuple[int, str, bool]]:
    """(line number, sentence, starts a new section) for every sentence of the body."""
    for offset, line in enumerate(body.split("\n")):
        if _HEADING.match(line):
            yield first_line + offset, "", True
            continue
        for sentence in _SENTENCE_END.split(line):
            if sentence.strip():
                yield first_line + offset, sentence, False


def _cited_instruments(
    sentence: str, context: Instrument | None, subject: Instrument | None
) -> tuple[list[Instrument], Instrument | None]:
    """The instruments whose articles a sentence cites, and the context for the next sentence.

    A 第X条 belongs to the last instrument named before it in the sentence. A sentence that
    starts with a bare article belongs to the document's subject (the instrument its title
    names), else to the last instrument named earlier in the section.
    """
    cited: list[Instrument] = []
    spans = [(m.start(), m.group(1)) for m in _BOOK.finditer(sentence)]
    for article in _ARTICLE.finditer(sentence):
        before = [name for start, name in spans if start < article.start()]
        current = lookup(before[-1]) if before else (subject or context)
        if before and current is None:  # another instrument (not in our table) was named last
            continue
        if current is not None and current not in cited:
            cited.append(current)
    if spans:
        context = lookup(spans[-1][1])
    return cited, context


def unversioned_article_citations(document: Document) -> list[Problem]:
    """Sentences citing an article of an amended instrument without saying which text."""
    problems: list[Problem] = []
    subject = named_in(document.meta.title)
    context = subject
    for line, sentence, new_section in _sentences(document.body, document.body_line):
        if new_section:
            context = subject
            continue
        cited, context = _cited_instruments(sentence, context, subject)
        for instrument in cited:
            if not instrument.amended or VERSION_MARKER.search(sentence):
                continue
            labels = "、".join(v.label for v in instrument.versions)
            problems.append(Problem(
                document.path or document.id, line, "body",
                f"cites an article of 《{instrument.name}》 (amended: {labels}) without naming the version; "
                f"write e.g. 《{instrument.name}》（{instrument.versions[-1].label}）第X条 or "
                f"{instrument.versions[0].label}第X条: {sentence.strip()[:60]}",
            ))
    return problems


def _later_than(date: dt.date, sentence: str) -> Iterator[str]:
    """What a sentence cites that was published after `date`."""
    for match in _BOOK.finditer(sentence):
        instrument = lookup(match.group(1))
        if instrument is None:
            continue
        if instrument.published > date:
            yield f"《{normalise(match.group(1))}》 (published {instrument.published.isoformat()})"
        elif instrument.amended:
            for year in MARKER_YEAR.findall(sentence):
                version = instrument.version_for_year(int(year))
                if version is not None and version.published > date:
                    yield f"《{instrument.name}》{version.label} (published {version.published.isoformat()})"
    for year in _STANDARD.findall(sentence):
        if int(year) > date.year:
            yield f"a standard of {year}"


def case_cites_later_rules(document: Document) -> list[Problem]:
    """An illustrative case cannot cite a rule published after the date it is written for."""
    if document.meta.kind is not Kind.case:
        return []
    date = document.meta.effective_date
    problems: list[Problem] = []
    for line, sentence, _ in _sentences(document.body, document.body_line):
        for later in dict.fromkeys(_later_than(date, sentence)):
            problems.append(Problem(
                document.path or document.id, line, "body",
                f"the case is dated {date.isoformat()} but cites {later}; date the case later or cite what was in force then",
            ))
    return problems


RULES = (unversioned_article_citations, case_cites_later_rules)


def check_documents(documents: Iterable[Document]) -> list[Problem]:
    """Every content rule over every document, in file order."""
    return [problem for document in documents for rule in RULES for problem in rule(document)]
