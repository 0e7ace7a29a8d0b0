"""Crash-test subject (tests/integration/test_publish_crash.py): publish version 1 of a document, then
approve a large version 2 and stop at PHASE ("staged": chunks staged, not swapped; "swapped": the swap
committed, the registry not yet updated), writing MARKER and sleeping until the test SIGKILLs it.

    python tests/publish_victim.py DATA_DIR PHASE MARKER [HOST PORT COLLECTION]

The stop goes through `SafePublisher.checkpoint`, a seam that is a no-op in production: no environment
variable or test code path exists in the server itself.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers import document_text, make_stack

from corpus.editorial import Actor, EditorialStore
from retrieval.embeddings import UseEmbedder
from retrieval.vector_store import ChromaConfig, make_chroma_client

DOC = "faq-crash-subject"
OLD = "旧版：北极星规范要求备份数据每日异地复制一次，并保留三十天。"
NEW_SECTION = "## 第{n}节 新版条款\n\n新版：北极星规范第{n}条要求备份数据每小时同步到第{n}号灾备中心，并保留一百八十天。\n"


def body(version: int) -> str:
    if version == 1:
        return f"# 北极星规范\n\n## 备份要求\n\n{OLD}\n"
    return "# 北极星规范\n\n" + "\n".join(NEW_SECTION.format(n=n) for n in range(1, 81))


def main() -> None:
    data_dir, phase, marker = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    if len(sys.argv) > 4:
        host, port, collection = sys.argv[4], int(sys.argv[5]), sys.argv[6]
        client = make_chroma_client(ChromaConfig(mode="http", host=host, port=port))
        stack = make_stack(data_dir, UseEmbedder(threads=1), client, collection=collection)
    else:
        client = make_chroma_client(ChromaConfig(mode="persistent", path=str(data_dir / "chroma")))
        stack = make_stack(data_dir, UseEmbedder(threads=1), client)
    store = EditorialStore(stack.registry.engine, stack.indexer)
    alice, bob = Actor("u-alice", "alice"), Actor("u-bob", "bob")
    store.create_draft(document_text(DOC, body(1), title="北极星规范"), alice)
    store.submit(DOC, 1, alice)
    store.approve(DOC, 1, bob)
    store.edit(DOC, document_text(DOC, body(2), title="北极星规范"), alice)
    store.submit(DOC, 2, alice)

    def stop(reached: str, doc_id: str) -> None:
        if reached == phase:
            marker.write_text(reached, encoding="utf-8")
            time.sleep(600)  # killed here

    stack.indexer.publisher.checkpoint = stop
    store.approve(DOC, 2, bob)
    sys.exit("the publish finished: the checkpoint was never reached")


if __name__ == "__main__":
    main()
