"""Odd input against the partner community and organisation-data endpoints, on SQLite and PostgreSQL: a NUL or a
control character in a path, a query parameter or a JSON body is a 422 naming it (PostgreSQL cannot store NUL, so
it used to be a 500 there), never a 500."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import LiveServer, _free_port
from helpers_cases import Member, call, case_body, draft, member, ok, unique_customer

from accounts.tables import Role

CORPUS = ["faq/faq-hospital-mlps-level3.md"]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    from helpers_community import postgres_database

    from api.container import build_container
    from api.settings import Settings
    from corpus import STARTER_DIR

    root = tmp_path_factory.mktemp("odd")
    corpus = root / "corpus"
    for name in CORPUS:
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_text((STARTER_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_database()) if request.param == "postgresql" else None
        if request.param == "postgresql" and url is None:
            pytest.skip("no PostgreSQL server answers at 127.0.0.1:5432")
        container = build_container(Settings(_env_file=None, data_dir=root / "var", corpus_dir=Path(corpus), database_url=url),
                                    embedder=embedder)  # fmt: skip
        container.indexer.ingest(corpus)
        with LiveServer(container, _free_port()) as live:
            yield live
        container.close()


@pytest.fixture(scope="module")
def people(server: LiveServer) -> dict[str, object]:
    partner, admin = member(server, Role.partner), member(server, Role.admin)
    case = draft(server, partner, case_body(unique_customer()))["id"]
    thread = ok(call(server, partner, "POST", "/api/discussions", json={"topic_kind": "industry", "topic": "healthcare",
                                                                        "title": "标题", "body": "正文内容足够长"}), 201)["id"]  # fmt: skip
    return {"partner": partner, "admin": admin, "case": case, "thread": thread}


NUL_IN_ADDRESS = [  # (who, method, path with {case}/{thread}); %00 is a NUL once decoded
    ("partner", "GET", "/api/cases/%00"), ("partner", "GET", "/api/discussions/%00"), ("partner", "DELETE", "/api/watchlist/%00"),
    ("partner", "GET", "/api/shared/%00"), ("partner", "GET", "/api/conversations/%00"), ("admin", "GET", "/api/admin/organisations/%00/export"),
    ("admin", "DELETE", "/api/admin/organisations/a%00b"), ("partner", "GET", "/api/cases?q=%00"), ("partner", "GET", "/api/discussions?q=a%00b"),
    ("partner", "GET", "/api/discussions?mention=%00&topic=%01"), ("partner", "POST", "/api/cases/{case}/download?x=%00"),
    ("partner", "GET", "/api/rankings.csv?industry=%00"),
]  # fmt: skip


@pytest.mark.parametrize(("who", "method", "path"), NUL_IN_ADDRESS)
def test_a_nul_in_the_address_is_a_422_naming_it(server: LiveServer, people: dict[str, object], who: str, method: str,
                                                 path: str) -> None:  # fmt: skip
    caller = people[who]
    assert isinstance(caller, Member)
    response = call(server, caller, method, path.format(case=people["case"]))
    assert response.status_code == 422, response.text
    assert "无效字符 U+00" in response.json()["detail"], response.text


def _bodies(case: str, thread: str) -> list[tuple[str, str, dict[str, object]]]:
    nul = "澜沧\x00县医院"
    return [("POST", "/api/cases", case_body(nul)), ("PUT", f"/api/cases/{case}", case_body(nul)),
            ("PUT", f"/api/cases/{case}/redaction", {"phrases": [nul]}), ("POST", f"/api/cases/{case}/confirm", {"handle": nul}),
            ("PUT", "/api/community/handle", {"handle": nul}), ("POST", "/api/watchlist", {"customer": nul}),
            ("POST", "/api/discussions", {"topic_kind": "industry", "topic": "healthcare", "title": nul, "body": "正文内容足够长"}),
            ("POST", f"/api/discussions/{thread}/posts", {"body": nul}), ("POST", "/api/discussions/check", {"title": "标题", "body": nul}),
            ("POST", "/api/cases", case_body("澜沧县\ud800医院"))]  # fmt: skip


def test_a_nul_or_lone_surrogate_in_a_body_is_a_422_naming_the_field(server: LiveServer, people: dict[str, object]) -> None:
    partner = people["partner"]
    assert isinstance(partner, Member)
    for method, path, body in _bodies(str(people["case"]), str(people["thread"])):
        raw = json.dumps(body, ensure_ascii=True).encode()  # "\u0000" and "\ud800" as JSON escapes, as a client sends them
        response = call(server, partner, method, path, content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, f"{method} {path}: {response.status_code} {response.text[:300]}"
        assert "无效字符 U+" in response.text, response.text


@pytest.mark.parametrize("path", ["/api/editor/documents/faq-x/versions/3000000000/submit", "/api/editor/documents/faq-x/versions/2147483648/reject",
                                  "/api/editor/documents/faq-x/diff?a=1&b=3000000000"])  # fmt: skip
def test_a_version_number_past_32_bits_is_a_422(server: LiveServer, path: str) -> None:
    """Version numbers live in an INTEGER column: 32 bits on PostgreSQL (found by the schema fuzz once it ran there)."""
    editor = member(server, Role.editor)
    response = call(server, editor, "GET" if "diff" in path else "POST", path)
    assert response.status_code == 422, response.text
    assert "2147483647" in response.text, response.text
