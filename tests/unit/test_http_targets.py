"""Wire formats, answers and the building of real targets (no network)."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage

from framing.config import TargetConfig
from framing.errors import TargetConfigError
from framing.targets import anthropic, gemini, make_target, openai
from framing.targets.base import Image, cache_key, prepared
from framing.targets.http import Reply
from framing.targets.images import ImagePrep
from framing.targets.remote import key_env, make_http_target
from framing.templates import Messages

MSG = Messages(system="Be careful.", user="What is this?")


def png(w: int, h: int, mode: str = "RGB", fmt: str = "PNG") -> Image:
    out = io.BytesIO()
    PILImage.new(mode, (w, h)).save(out, format=fmt)
    return Image(out.getvalue(), f"image/{fmt.lower()}")


def reply(data: object, status: int = 200) -> Reply:
    return Reply(status, data, "", 0.1)


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.setenv(name, f"key-{name}")


# -- building targets ------------------------------------------------------------------------


def test_default_key_variables_and_local_servers(keys: None) -> None:
    assert key_env(TargetConfig(kind="openai", model="m")) == "OPENAI_API_KEY"
    assert key_env(TargetConfig(kind="openai", model="m", base_url="http://h:1/v1")) is None
    assert key_env(TargetConfig(kind="gemini", model="m", base_url="http://h:1")) == \
        "GEMINI_API_KEY"
    target = make_target(TargetConfig(kind="anthropic", model="claude"))
    assert isinstance(target, anthropic.AnthropicTarget)
    assert target.http.headers["x-api-key"] == "key-ANTHROPIC_API_KEY"
    assert target.http.headers["anthropic-version"] == anthropic.API_VERSION


def test_fingerprint_has_identity_but_no_key(keys: None) -> None:
    target = make_target(TargetConfig(kind="openai", model="gpt-x", temperature=0.5))
    fp = target.fingerprint
    assert fp == {"kind": "openai", "base_url": openai.DEFAULT_BASE_URL, "model": "gpt-x",
                  "temperature": 0.5, "max_tokens": 256}
    assert "key-OPENAI_API_KEY" not in repr(fp)


def test_missing_or_empty_key_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "  ")
    with pytest.raises(TargetConfigError, match=r"\$MY_KEY is not set"):
        make_target(TargetConfig(kind="gemini", model="g", api_key_env="MY_KEY"))
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    with pytest.raises(TargetConfigError, match=r"\$GEMINI_API_KEY"):
        make_target(TargetConfig(kind="gemini", model="g"))


def test_a_pasted_key_is_refused_without_echoing_it() -> None:
    secret = "sk-proj-abc123-very-secret"
    with pytest.raises(TargetConfigError) as info:
        make_target(TargetConfig(kind="openai", model="m", api_key_env=secret))
    assert secret not in str(info.value) and "api_key_env" in str(info.value)


def test_header_values_from_the_environment_are_secrets(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORG", "org-hidden")
    config = TargetConfig(kind="openai", model="m", base_url="http://h:1/v1",
                          headers={"OpenAI-Organization": "${ORG}", "X-Title": "framing"})
    target = make_http_target(config)
    assert target.http.headers["OpenAI-Organization"] == "org-hidden"
    assert target.http.headers["X-Title"] == "framing"
    assert "org-hidden" in target.http.secrets
    monkeypatch.delenv("ORG")
    with pytest.raises(TargetConfigError, match=r"headers.OpenAI-Organization reads \$ORG"):
        make_http_target(config)


@pytest.mark.parametrize("url", ["localhost:8000/v1", "ftp://h/v1", "http://"])
def test_bad_base_url(url: str) -> None:
    with pytest.raises(TargetConfigError, match=r"target\.base_url"):
        make_target(TargetConfig(kind="openai", model="m", base_url=url))


def test_paths_tolerate_version_suffixes(keys: None) -> None:
    a = make_target(TargetConfig(kind="anthropic", model="c", base_url="http://h:1/v1/"))
    assert isinstance(a, anthropic.AnthropicTarget) and a.url == "http://h:1/v1/messages"
    g = make_target(TargetConfig(kind="gemini", model="models/gem", base_url="http://h:1/v1beta"))
    assert isinstance(g, gemini.GeminiTarget)
    assert g.url == "http://h:1/v1beta/models/gem:generateContent"


# -- request bodies ------------------------------------------------------------------------------


def test_openai_body_parts_and_plain_string(keys: None) -> None:
    t = make_target(TargetConfig(kind="openai", model="m"))
    assert isinstance(t, openai.OpenAITarget)
    with_image = t.body(MSG, png(4, 4))
    user = with_image["messages"][1]
    assert user["role"] == "user" and len(with_image["messages"]) == 2
    assert [p["type"] for p in user["content"]] == ["text", "image_url"]
    assert user["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert t.body(MSG, None)["messages"][1]["content"] == "What is this?"
    assert "system" not in str(t.body(Messages("", "hi"), None)["messages"])


def test_anthropic_and_gemini_bodies_put_the_image_first(keys: None) -> None:
    a = make_target(TargetConfig(kind="anthropic", model="c"))
    assert isinstance(a, anthropic.AnthropicTarget)
    body = a.body(MSG, png(4, 4))
    assert body["system"] == "Be careful."
    assert [b["type"] for b in body["messages"][0]["content"]] == ["image", "text"]
    assert body["messages"][0]["content"][0]["source"]["type"] == "base64"
    g = make_target(TargetConfig(kind="gemini", model="g"))
    assert isinstance(g, gemini.GeminiTarget)
    body = g.body(MSG, png(4, 4))
    parts = body["contents"][0]["parts"]
    assert "inlineData" in parts[0] and parts[1] == {"text": "What is this?"}
    assert body["systemInstruction"] == {"parts": [{"text": "Be careful."}]}
    assert body["generationConfig"]["maxOutputTokens"] == 256


# -- answers ---------------------------------------------------------------------------------


def test_openai_answers() -> None:
    r = openai.parse(reply({"choices": [{"message": {"content": [{"type": "text", "text": "a"},
                                                                 {"type": "text", "text": "b"}]},
                                         "finish_reason": "stop"}],
                            "usage": {"prompt_tokens": 5, "completion_tokens": 2}}))
    assert r.text == "ab" and r.usage.input_tokens == 5 and r.blocked is None
    r = openai.parse(reply({"choices": [{"message": {"content": None,
                                                     "refusal": "I can't help with that."},
                                         "finish_reason": "stop"}]}))
    # the documented refusal field is the provider's policy refusal: tagged, kept as text
    assert r.text == "I can't help with that." and r.blocked == "refusal"
    r = openai.parse(reply({"choices": [{"message": {"content": None},
                                         "finish_reason": "content_filter"}]}))
    assert r.blocked == "content_filter"
    assert openai.policy_block(reply({"error": {"code": "content_filter",
                                                "message": "filtered"}}, 400))
    assert not openai.policy_block(reply({"error": {"message": "max_tokens too large"}}, 400))


def test_gemini_answers() -> None:
    r = gemini.parse(reply({"candidates": [{"content": {"parts": [
        {"text": "thinking...", "thought": True}, {"text": "Answer."}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 2,
                          "thoughtsTokenCount": 5}}))
    assert r.text == "Answer." and r.usage.output_tokens == 7 and r.blocked is None
    r = gemini.parse(reply({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}}))
    assert r.blocked == "prompt:PROHIBITED_CONTENT"
    r = gemini.parse(reply({"candidates": [{"finishReason": "IMAGE_SAFETY"}]}))
    assert r.blocked == "finish:IMAGE_SAFETY"
    r = gemini.parse(reply({"candidates": [{"finishReason": "MAX_TOKENS",
                                            "content": {"parts": [{"text": "cut"}]}}]}))
    assert r.blocked is None and r.finish_reason == "MAX_TOKENS"


def test_anthropic_answers() -> None:
    r = anthropic.parse(reply({"content": [{"type": "text", "text": "Hi"}],
                               "stop_reason": "end_turn",
                               "usage": {"input_tokens": 3, "output_tokens": 1}}))
    assert r.text == "Hi" and r.usage.output_tokens == 1 and r.blocked is None
    r = anthropic.parse(reply({"content": [], "stop_reason": "refusal"}))
    assert r.blocked == "refusal"


# -- image preparation --------------------------------------------------------------------------


def test_image_prep_shrinks_and_reencodes_and_changes_the_cache_key(keys: None) -> None:
    big = png(400, 200, mode="RGBA")
    small = ImagePrep(max_side=100, format="jpeg")(big)
    assert small.mime == "image/jpeg"
    with PILImage.open(io.BytesIO(small.data)) as pic:
        assert pic.size == (100, 50) and pic.format == "JPEG"
    target = make_target(TargetConfig(kind="openai", model="m", image_max_side=100))
    sent = prepared(target, big)
    assert sent is not None and sent.digest != big.digest
    fp = target.fingerprint
    assert cache_key(fp, MSG, sent) != cache_key(fp, MSG, big)
    assert prepared(target, None) is None


def test_image_prep_leaves_small_sendable_images_alone_and_fixes_others() -> None:
    image = png(50, 50)
    assert ImagePrep(max_side=100)(image) is image
    assert ImagePrep()(image) is image
    bmp = png(20, 10, fmt="BMP")
    fixed = ImagePrep()(bmp)
    assert fixed.mime == "image/png"
    with PILImage.open(io.BytesIO(fixed.data)) as pic:
        assert pic.format == "PNG" and pic.size == (20, 10)
