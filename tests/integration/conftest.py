"""Fixtures for integration tests: real servers on loopback.

``llm_server`` is a started :class:`servers.llm_server.LLMServer` (OpenAI, Anthropic and
Gemini wire formats, scripted faults, request log); it is stopped after the test. Build
your own with ``LLMServer(api_key=..., models=...)`` when a test needs those checks.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers.llm_server import LLMServer


@pytest.fixture
def llm_server() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server
