"""Documents ingested from corpus directories, in the editor's list: the registry says what is indexed,
the editorial store keeps one version per indexed state of each file.

    track_files(store, registry)   # after every directory ingest and at start-up; idempotent

A file's document gets a version authored by 语料目录 (`FILE_ACTOR`) whenever the registry holds a content
hash its versions do not (first ingest, an edited file), and its published version is marked retired when
the file left its directory. A document an editor has written a version of is the editor's from then on:
its file is no longer followed here (and once that version is published, directory ingests ignore it).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import IntegrityError

from corpus.document import Status
from corpus.editorial import FILE_ACTOR, EditorialStore, VersionState
from corpus.store import EDITOR_ORIGIN, DocumentRegistry
from corpus.validate import parse_text

__all__ = ["track_files"]


def _read(origin: str, path: str) -> str | None:
    try:
        return (Path(origin) / path).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return None


def track_files(store: EditorialStore, registry: DocumentRegistry) -> list[str]:
    """Bring the file documents' versions in step with the registry; returns one line per change."""
    history = store.all_versions()
    done: list[str] = []
    registered = registry.all()
    for entry in registered:
        versions = history.get(entry.id, [])
        if entry.origin == EDITOR_ORIGIN or not entry.origin or any(v.created_by != FILE_ACTOR.id for v in versions):
            continue
        published = entry.status == Status.published.value
        wanted = VersionState.published if published else VersionState.draft
        latest = versions[-1] if versions else None
        if latest is not None and latest.content_hash == entry.content_hash and latest.state == wanted:
            continue
        text = _read(entry.origin, entry.path)
        document = parse_text(text, entry.path)[0] if text is not None else None
        if document is None or document.content_hash != entry.content_hash:
            continue  # the file changed after it was indexed: the next ingest records it
        try:
            row = store.record_file(document, text or "", published=published, path=entry.path)
        except IntegrityError:  # another replica starting at the same time recorded it first
            continue
        done.append(f"{entry.id} v{row.number}: {wanted.value} from {entry.path}")
    indexed = {entry.id for entry in registered}
    for doc_id, versions in history.items():
        live = EditorialStore.published(versions)
        if doc_id not in indexed and live is not None and all(v.created_by == FILE_ACTOR.id for v in versions):
            store.file_removed(doc_id, live.number)
            done.append(f"{doc_id} v{live.number}: retired (file removed)")
    return done
