"""Read one published corpus document: `GET /api/documents/{id}` (JSON) and `/documents/{id}` (a page);
the corpus vocabulary: `GET /api/labels` (JSON) and `/labels.js` (the same as a JavaScript module, which the chat,
the widget and the editor import: one source for every page).

Where rankings and updates link a need's solution guide, a case or a new regulation. Only published text is
served (what the chat may already quote); with TOP_REQUIRE_LOGIN, only to signed-in users.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import HTMLResponse

from api.auth import OptionalUserDep
from api.deps import ContainerDep
from api.routes.pages import page
from community.catalogue import DocInfo
from corpus.labels import KIND_LABELS, all_labels, industry_label
from retrieval.models import SearchFilters

router = APIRouter(prefix="/api", tags=["documents"])
pages = APIRouter(include_in_schema=False)



def _document(doc_id: str, container: ContainerDep, user: OptionalUserDep) -> tuple[DocInfo, list[dict[str, str]]]:
    if container.settings.require_login and user is None:
        raise HTTPException(401, "请先登录")
    info = container.insights.catalogue.get(doc_id) if len(doc_id) <= 80 else None
    if info is None:
        raise HTTPException(404, f"没有已发布的文档“{doc_id[:80]}”")
    chunks = container.keyword_index.browse(SearchFilters(doc_ids=[doc_id]))
    sections: list[dict[str, str]] = []
    for chunk in chunks:
        if sections and sections[-1]["heading"] == chunk.heading:
            sections[-1]["text"] += "\n" + chunk.text
        else:
            sections.append({"heading": chunk.heading, "text": chunk.text})
    return info, sections


@router.get("/labels")
def labels(response: Response) -> dict[str, dict[str, str]]:
    """The Chinese names of document kinds, industries, need categories, version states and front-matter
    fields: one vocabulary for every page (corpus/labels.py)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return all_labels()


@pages.get("/labels.js")
def labels_module() -> Response:
    """`export const LABELS = {kinds, industries, needs, states, fields}`: the vocabulary of `/api/labels` as a module,
    so static/strings.js and static/editor-labels.js import it instead of keeping tables of their own."""
    body = f"// corpus/labels.py, served by api/routes/documents.py\nexport const LABELS = {json.dumps(all_labels(), ensure_ascii=False)};\n"
    return Response(body, media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})  # fmt: skip


@router.get("/documents/{doc_id}")
def document(doc_id: str, container: ContainerDep, user: OptionalUserDep) -> dict[str, Any]:
    info, sections = _document(doc_id, container, user)
    return {"id": info.id, "title": info.title, "kind": info.kind, "industries": info.industries, "regions": info.regions,
            "need_categories": info.need_categories, "version": info.version, "effective_date": info.effective_date,
            "issuer": info.issuer, "illustrative": info.illustrative, "sections": sections}  # fmt: skip


@pages.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(doc_id: str, container: ContainerDep, user: OptionalUserDep) -> HTMLResponse:
    info, sections = _document(doc_id, container, user)
    industries = "、".join(industry_label(i) for i in info.industries)
    facts = [("类型", KIND_LABELS.get(info.kind, info.kind)), ("发布机构", info.issuer), ("生效日期", info.effective_date),
             ("适用行业", industries), ("适用地区", "、".join(info.regions) or "全国"), ("版本", info.version)]  # fmt: skip
    meta = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts if v)
    body = "".join(
        (f"<h3>{escape(s['heading'])}</h3>" if s["heading"] and s["heading"] != info.title else "")
        + "".join(f"<p>{escape(line)}</p>" for line in s["text"].splitlines() if line.strip() and not line.startswith("#"))
        for s in sections
    )
    note = '<p class="notice">示例案例：编辑部编写的示意性案例，已匿名化。</p>' if info.illustrative else ""
    html = f"""<article class="card document"><h2>{escape(info.title)}</h2>{note}<dl class="facts">{meta}</dl>{body}
<p><a href="/rankings">返回需求排行</a> · <a href="/updates">客户动态</a> · <a href="/">对话</a></p></article>"""
    return page(info.title, html, user=user)
