"""Corpus documents: format, validation, registry and the starter corpus."""

from pathlib import Path

from corpus.document import (
    INDUSTRY_CODES,
    NEED_CATEGORIES,
    CorpusError,
    Document,
    FrontMatter,
    Industry,
    Kind,
    NeedCategory,
    Source,
    Status,
)
from corpus.editorial import Actor, EditorialConfig, EditorialError, EditorialStore, VersionState
from corpus.store import EDITOR_ORIGIN, DocumentRegistry, make_engine, migrate
from corpus.validate import CorpusLoad, Problem, load_corpus, parse_file, parse_text

STARTER_DIR = Path(__file__).parent / "starter"

__all__ = [
    "EDITOR_ORIGIN",
    "INDUSTRY_CODES",
    "NEED_CATEGORIES",
    "STARTER_DIR",
    "Actor",
    "CorpusError",
    "CorpusLoad",
    "Document",
    "DocumentRegistry",
    "EditorialConfig",
    "EditorialError",
    "EditorialStore",
    "FrontMatter",
    "Industry",
    "Kind",
    "NeedCategory",
    "Problem",
    "Source",
    "Status",
    "VersionState",
    "load_corpus",
    "make_engine",
    "migrate",
    "parse_file",
    "parse_text",
]
