"""Billing: the rewards ledger, plans and entitlements, pay-then-refund (issue 13)."""
