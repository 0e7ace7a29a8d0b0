"""What a partner types (a customer's name) stays out of the server logs when a remote step fails: operators read
the logs, and the name is the partner's. The log says which step failed and why, with the name's length only."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from assistant.industry_llm import LLMIndustryGuesser
from assistant.orgs.registry import RegistryError
from assistant.profiler import Profiler

NAME = "澜沧青禾远山"  # nothing offline places it, so the remote steps are asked


class RefusingModel:
    """An LLM that is down (the only fake: the LLM itself)."""

    def invoke(self, messages: Any) -> Any:
        raise ConnectionError("connection refused")


class RefusingRegistry:
    """A paid enterprise registry that is down."""

    def lookup(self, name: str) -> Any:
        raise RegistryError("http", "HTTP 503 from the registry")


def test_a_failed_llm_industry_step_logs_no_customer_name(caplog: pytest.LogCaptureFixture) -> None:
    guesser = LLMIndustryGuesser(base_url=None, model="m", chat_model=RefusingModel())
    with caplog.at_level(logging.WARNING):
        assert guesser.guess(NAME) is None
    assert "LLM industry step failed" in caplog.text and "connection refused" in caplog.text
    assert NAME not in caplog.text and "澜沧" not in caplog.text


def test_a_failed_registry_lookup_logs_no_customer_name(caplog: pytest.LogCaptureFixture) -> None:
    profiler = Profiler(knowledge=False, registry=RefusingRegistry())  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING):
        profiler.profile(NAME)
    assert "registry lookup failed" in caplog.text and "HTTP 503" in caplog.text
    assert NAME not in caplog.text and "澜沧" not in caplog.text


def test_a_failed_statement_does_not_carry_its_parameters(database_url: str) -> None:
    """A database error becomes a 500 logged with its traceback: SQLAlchemy would put the statement's parameters (a
    case's text, a message) into the exception's text; the engine hides them."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from corpus.store import make_engine

    engine = make_engine(database_url)
    try:
        with pytest.raises(DBAPIError) as raised, engine.connect() as conn:
            conn.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": NAME})
        assert "no_such_table" in str(raised.value) and NAME not in str(raised.value)
    finally:
        engine.dispose()
