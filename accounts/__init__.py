"""Accounts: organisations, users and roles, sessions, API keys, widget keys, quotas.

Below the web layer so that the community and billing packages can name organisations and
users without importing `api`; who may call which route stays in `api.auth`. The assistant
only sees an opaque owner id on conversations.
"""
