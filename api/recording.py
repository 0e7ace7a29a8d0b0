"""Chat turns → activity events (and the answer metrics, api/metrics.py): the owner of a finished turn is mapped
to its partner organisation here, in the outer layer, so the assistant never learns about organisations and the
community never sees a message or user.

Owners: a user id (signed-in web or API key), `widget:<key>:<visitor>` (a partner's embedded widget: counted
for that partner), or `anon:…` (an anonymous visitor: no organisation, nothing recorded).
"""

from __future__ import annotations

from accounts.store import AccountNotFound, AccountStore
from accounts.tables import OrgKind
from accounts.widgets import WidgetStore
from api.metrics import observe_turn
from assistant.chat import ChatTurn
from community.insights import Insights

__all__ = ["TurnRecorder"]


class TurnRecorder:
    def __init__(self, insights: Insights, accounts: AccountStore, widgets: WidgetStore) -> None:
        self.insights = insights
        self.accounts = accounts
        self.widgets = widgets

    def organisation(self, owner: str | None) -> str | None:
        """The partner organisation a chat owner acts for, or None."""
        if not owner or owner.startswith("anon:"):
            return None
        if owner.startswith("widget:"):
            widget = self.widgets.resolve(owner.split(":")[1])
            return widget.public.org_id if widget is not None else None
        try:
            user = self.accounts.get_user(owner)
        except AccountNotFound:
            return None
        return user.org_id if user.org_kind == OrgKind.partner.value else None

    def __call__(self, turn: ChatTurn) -> None:
        observe_turn(turn)
        org_id = self.organisation(turn.owner)
        if org_id is None or turn.done is None:
            return
        # A follow-up shows no profile card again; its customer is still the conversation's.
        profile = turn.profile or turn.state.customer
        self.insights.record_turn(org_id, mode=turn.done.mode, profile=profile, doc_ids=[s.doc_id for s in turn.sources])
