"""Accounts: organisations, users and roles, sessions, API keys, widget keys, quotas.

Part of the `api` shell: who may call what is an HTTP concern; the assistant only
sees an opaque owner id on conversations.
"""
