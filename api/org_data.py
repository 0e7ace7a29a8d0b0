"""Which stores hold an organisation's data: the registry behind `top-advisor orgs export|delete` and
`/api/admin/organisations/{org_id}/export` (PIPL rights of access and deletion).

    accounts        the organisation, its users (no password hashes), API keys (no hashes), widget keys (no
                    secrets), the login audit of its users, its widgets' quota counters and refused origins;
                    deleting also clears its users' login-throttle counters (in this process or Redis)
    conversations   its users' conversations and those of its widgets' visitors, with messages and feedback
    editorial_audit the corpus audit log's entries by its users (kept as evidence, the actor pseudonymised)
    community       cases (published ones leave retrieval: keyword index and Chroma) and downloads,
                    discussion posts, the watchlist, activity events
    + billing_parts(container): the wallet (billing/) registers here

Not an organisation's: the customer directory (`top-advisor customers import`) is the deployment's,
imported by its operator; published rankings hold no organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.org_data import DeleteFn, ExportFn, OrgDataRegistry, delete_accounts, export_accounts, members
from assistant.conversation_data import delete_conversations, export_conversations
from billing.org_data import delete_organisation_billing, export_organisation_billing
from corpus.audit_actors import export_actor_audit, pseudonymise_actors

if TYPE_CHECKING:
    from api.container import Container

__all__ = ["billing_parts", "organisation_data"]


def billing_parts(container: Container) -> list[tuple[str, ExportFn, DeleteFn]]:
    """The billing package's part: plan, wallet, payments and orders out; usage counters and payout requests
    deleted, accounting records kept (billing/org_data.py says why)."""
    billing = container.billing
    return [("billing", lambda org: export_organisation_billing(billing, org),
             lambda org: delete_organisation_billing(billing, org))]  # fmt: skip


def organisation_data(container: Container) -> OrgDataRegistry:
    engine = container.registry.engine
    registry = OrgDataRegistry(check=lambda org_id: members(engine, org_id))

    def delete_accounts_everywhere(org_id: str) -> dict[str, int]:
        # the login throttle's counters (this process or Redis) of its users' e-mail addresses go first
        for user_id in members(engine, org_id)[0]:
            container.login.throttle.succeeded(container.accounts.get_user(user_id).email)
        return delete_accounts(engine, org_id)

    registry.register("accounts", lambda org: export_accounts(engine, org), delete_accounts_everywhere)

    def owners(org_id: str) -> dict[str, list[str]]:
        users, widgets = members(engine, org_id)
        return {"owners": users, "prefixes": [f"widget:{key}:" for key in widgets]}

    registry.register("conversations", lambda org: export_conversations(engine, **owners(org)),
                      lambda org: delete_conversations(engine, **owners(org)))  # fmt: skip
    registry.register("editorial_audit", lambda org: export_actor_audit(engine, members(engine, org)[0]),
                      lambda org: pseudonymise_actors(engine, members(engine, org)[0]))  # fmt: skip
    registry.register("community", container.export_organisation_community, container.delete_organisation_community)
    for name, export_fn, delete_fn in billing_parts(container):
        registry.register(name, export_fn, delete_fn)
    return registry
