"""The one place gated endpoints check the caller's plan: `Depends(entitled(feature))`.

    briefs            POST /api/chat                         checked and spent per request
    exports           GET  /api/messages/{id}/export         checked and spent once per (message, format)
    case_downloads    POST /api/cases/{id}/download          checked here; spent by the rewards listener
                                                             (billing/rewards.py) once the download is recorded
    widget_keys       POST /api/widget-keys                  checked against the keys that exist
    points_conversion POST /api/wallet/convert               checked

402 (feature not on the plan) or 429 (quota used) with a Chinese message naming the plan that allows it
(api/errors.py renders billing.entitlements.NotEntitled). Anonymous visitors and vendor staff are not on a plan.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi import Request

from api.auth import OptionalUserDep
from api.deps import ContainerDep

__all__ = ["entitled"]

KeyOf = Callable[[Request], str | None]


def _request_key(_: Request) -> str:
    return uuid.uuid4().hex


def _export_key(request: Request) -> str:
    return f"{request.path_params.get('message_id', '')}:{request.query_params.get('format', 'md')}"


def _idempotency_key(request: Request) -> str | None:
    return request.headers.get("idempotency-key") or None


SPEND: dict[str, KeyOf] = {"briefs": _request_key, "exports": _export_key}
CHECK_KEY: dict[str, KeyOf] = {"case_downloads": _idempotency_key}


def entitled(feature: str) -> Callable[..., None]:
    def dependency(request: Request, user: OptionalUserDep, container: ContainerDep) -> None:
        if user is None:
            return
        entitlements = container.billing.entitlements
        if feature in SPEND:
            entitlements.check_and_spend(user.org_id, feature, SPEND[feature](request) or uuid.uuid4().hex)
        else:
            key_of = CHECK_KEY.get(feature)
            entitlements.check(user.org_id, feature, key=key_of(request) if key_of else None)

    dependency.__name__ = f"entitled_{feature}"
    return dependency
