"""An organisation's data over JSON, for admins: export it as one zip, or delete it (PIPL access and deletion)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.auth import AdminDep
from api.deps import ContainerDep

router = APIRouter(prefix="/api/admin/organisations", tags=["admin"])


@router.get("/{org_id}/export", response_class=Response,
            responses={200: {"content": {"application/zip": {}}}, 404: {"description": "没有该组织"}})  # fmt: skip
async def export_organisation(org_id: str, _: AdminDep, container: ContainerDep) -> Response:
    """Everything the organisation has stored, as a zip of JSON files (`manifest.json` lists them)."""
    data = await run_in_threadpool(container.org_data.archive, org_id)
    name = f"organisation-{org_id[:32]}-{dt.date.today().isoformat()}.zip"
    return Response(data, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.delete("/{org_id}", responses={404: {"description": "没有该组织"}, 409: {"description": "不能删除自己所在的组织"}})
async def delete_organisation(org_id: str, admin: AdminDep, container: ContainerDep) -> dict[str, object]:
    """Delete the organisation, its users and everything they stored, in every store and index. Irreversible."""
    if org_id == admin.org_id:
        raise HTTPException(409, "不能删除自己所在的组织（会删除当前管理员账号）")
    counts = await run_in_threadpool(container.org_data.delete, org_id)
    return {"org_id": org_id, "deleted": counts}
