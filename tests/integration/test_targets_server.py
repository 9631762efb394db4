"""The loopback model server itself: routes, scripting and the redacted request log."""

from __future__ import annotations

import httpx
import pytest
from servers.llm_server import (
    COMPLIANCE_TEXT,
    REFUSAL_TEXT,
    LLMServer,
    content_filter,
    drop,
    malformed,
    prompt_blocked,
    rate_limited,
)

pytestmark = pytest.mark.integration


def chat(server: LLMServer, text: str, key: str | None = None, model: str = "m") -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(f"{server.url}/v1/chat/completions", headers=headers, timeout=5, json={
        "model": model, "messages": [{"role": "user", "content": text}]})


def test_default_answers_follow_the_marker(llm_server: LLMServer) -> None:
    assert chat(llm_server, "hello").json()["choices"][0]["message"]["content"] == COMPLIANCE_TEXT
    refused = chat(llm_server, "hello [refuse]").json()
    assert refused["choices"][0]["message"]["content"] == REFUSAL_TEXT
    assert [r.user_text for r in llm_server.requests] == ["hello", "hello [refuse]"]
    assert llm_server.answered == 2


def test_script_is_consumed_in_order(llm_server: LLMServer) -> None:
    llm_server.script(rate_limited("3"), drop(), malformed(), content_filter(), prompt_blocked())
    r = chat(llm_server, "a")
    assert r.status_code == 429 and r.headers["retry-after"] == "3"
    with pytest.raises(httpx.RemoteProtocolError):
        chat(llm_server, "b")
    with pytest.raises(ValueError):
        chat(llm_server, "c").json()
    assert chat(llm_server, "d").json()["choices"][0]["finish_reason"] == "content_filter"
    blocked = chat(llm_server, "e")
    assert blocked.status_code == 400
    assert blocked.json()["error"]["code"] == "content_policy_violation"
    assert chat(llm_server, "f").status_code == 200
    assert [r.outcome for r in llm_server.requests] == [
        "429", "drop", "malformed", "content_filter", "prompt_blocked:400", "answer"]


def test_keys_and_models_are_checked_and_never_logged() -> None:
    with LLMServer(api_key="sk-secret", models={"m"}) as server:
        assert chat(server, "x", key="sk-secret").status_code == 200
        assert chat(server, "x", key="wrong").status_code == 401
        assert chat(server, "x", key="sk-secret", model="nope").status_code == 404
        assert [r.authorized for r in server.requests] == [True, False, True]
        for r in server.requests:
            assert "sk-secret" not in repr(r)
            assert r.headers["authorization"] == "<redacted>"


def test_unknown_path_is_404(llm_server: LLMServer) -> None:
    r = httpx.post(f"{llm_server.url}/chat/completions", json={}, timeout=5)
    assert r.status_code == 404
