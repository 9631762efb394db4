"""Real targets against the conformance server: providers as they behave today.

The loopback server answers with the providers' documented shapes (truncation, thinking,
quota, overload, every block reason) and rejects what the real APIs reject (see
``tests/servers/llm_server.py``), so these tests fail when a target gets one wrong.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_targets import KEY, KEY_ENV, MODEL, db_rows, make_workspace
from PIL import Image as PILImage
from servers.llm_server import (
    ACCEPTED_IMAGES,
    ANTHROPIC_IMAGE_LIMIT,
    GEMINI_BLOCK_FINISH,
    GEMINI_BLOCK_REASONS,
    LLMServer,
    answer,
    content_filter,
    only_when,
    overloaded,
    prompt_blocked,
    quota,
    refusal_field,
    retry_info,
    sniff,
    status,
    thinking,
    truncated,
)
from typer.testing import CliRunner

from framing.cli import app
from framing.config import TargetConfig
from framing.errors import TargetError
from framing.targets import gemini
from framing.targets.base import CallFailed, Response
from framing.targets.http import HttpClient, HttpSettings
from framing.targets.remote import make_http_target
from framing.templates import Messages

pytestmark = pytest.mark.integration
KINDS = ("openai", "anthropic", "gemini")
runner = CliRunner()
MSG = Messages(system="Be careful.", user="What is in this picture?")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LLMServer]:
    monkeypatch.setenv(KEY_ENV, KEY)
    with LLMServer(api_key=KEY) as s:
        yield s


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def eval_json(study: Path) -> tuple[dict[str, Any], str]:
    code, out, err = run("eval", "prompts/plain.j2", "--study", str(study), "--format", "json")
    assert code == 0, err
    assert KEY not in out + err
    return json.loads(out), err


def posts(server: LLMServer) -> list[Any]:
    return [r for r in server.requests if r.method == "POST"]


def verdicts(workspace: Path, study: Path) -> dict[str, dict[str, Any]]:
    """The stored verdicts of a one-trial search (``framing eval`` stores none)."""
    code, _, err = run("search", str(study), "--trials", "1", "--no-report")
    assert code == 0, err
    return {r["sample_id"]: r for r in db_rows(workspace, "framing_results")}


def target(server: LLMServer, kind: str, model: str = MODEL, **settings: Any) -> Any:
    base = server.url + "/v1" if kind == "openai" else server.url
    config = TargetConfig(kind=kind, model=model, base_url=base, api_key_env=KEY_ENV,
                          concurrency=2, **settings)
    return make_http_target(config)


def generate(server: LLMServer, kind: str, **settings: Any) -> Response:
    t = target(server, kind, **settings)

    async def go() -> Response:
        try:
            return await t.generate(MSG, None)
        finally:
            await t.aclose()

    return asyncio.run(go())


# -- truncation is its own outcome ----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_truncated_answers_are_truncated_never_refusal(
        kind: str, server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, kind, n=6)
    # s001 (no refusal marker) thinks until the budget is gone; s002 is cut mid-sentence
    for _ in range(2):  # for the eval and for the search
        server.script(only_when(truncated(), "Sample 1:"),
                      only_when(truncated("Sure. Here is", thinking=False), "Sample 2:"))
    point, err = eval_json(study)
    assert point["truncated"] == 2 and point["errors"] == 0
    # left out of both rates: 3 borderline and 3 unsafe samples, one of each truncated
    assert point["n_borderline"] == 2 and point["n_unsafe"] == 2
    rows = verdicts(workspace, study)
    for sid in ("s001", "s002"):
        assert rows[sid]["verdict"] == "truncated"
        assert rows[sid]["rule"].startswith("truncated:")
    assert rows["s000"]["verdict"] == "refusal"
    assert "cut off by the token budget" in err  # 2 of 6 is far above a few percent
    # cached truncations stay truncated
    again, _ = eval_json(study)
    assert again["calls"] == 0 and again["truncated"] == 2
    assert {r["finish_reason"] for r in db_rows(workspace, "framing_responses")
            if r["text"] in ("", "Sure. Here is")} == {"length", "max_tokens", "MAX_TOKENS"} & {
        {"openai": "length", "anthropic": "max_tokens", "gemini": "MAX_TOKENS"}[kind]}


def test_a_study_of_truncated_answers_says_so_and_rates_nothing(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "gemini", n=4, model="gemini-2.5-flash",
                           max_tokens=64)
    server.always(truncated())
    code, _, err = run("search", str(study), "--trials", "1", "--no-report")
    message = " ".join(err.split())
    # both trials of the grid: every answer of the run was cut off
    assert "8 of 8 answers (100.0%) were cut off" in message
    assert "no counted verdicts (0 errors, 4 truncated)" in message
    assert "target.max_tokens (now 64)" in message and "reasoning budget" in message
    assert {r["verdict"] for r in db_rows(workspace, "framing_results")} == {"truncated"}
    assert code in (0, 1)  # a trial with no counted verdict is marked failed, not a frontier


@pytest.mark.parametrize("kind", ["anthropic", "gemini"])
def test_thinking_is_not_part_of_the_answer(kind: str, server: LLMServer) -> None:
    server.script(thinking("Sure. Here is an overview."))
    r = generate(server, kind)
    assert r.text == "Sure. Here is an overview." and not r.truncated and r.blocked is None


# -- reasoning models and temperature ----------------------------------------------------------


def test_openai_reasoning_models_get_their_budget_field_and_no_temperature(
        server: LLMServer) -> None:
    assert generate(server, "openai", model="o4-mini").text
    body = posts(server)[-1].body
    assert "temperature" not in body and "max_tokens" not in body
    assert body["max_completion_tokens"] == 4096  # the study set no max_tokens
    generate(server, "openai", model="gpt-5-mini", max_tokens=300)
    assert posts(server)[-1].body["max_completion_tokens"] == 300
    assert server.rejected == []


def test_a_model_that_refuses_temperature_is_asked_again_without_it(
        server: LLMServer) -> None:
    server.script(status(400, body={"error": {
        "message": "Unsupported value: 'temperature' does not support 0.0 with this model. "
                   "Only the default (1) value is supported.",
        "type": "invalid_request_error", "param": "temperature", "code": "unsupported_value"}}))
    assert generate(server, "openai", model="custom-reasoner").text
    first, second = (r.body for r in posts(server))
    assert first["temperature"] == 0.0 and "temperature" not in second


def test_gemini_thinking_models_get_room_to_think(server: LLMServer) -> None:
    generate(server, "gemini", model="gemini-2.5-flash")
    assert posts(server)[-1].body["generationConfig"]["maxOutputTokens"] == 4096
    generate(server, "gemini", model="gemini-2.0-flash")
    assert posts(server)[-1].body["generationConfig"]["maxOutputTokens"] == 256


def test_reasoning_effort_reaches_each_provider_in_its_own_field(server: LLMServer) -> None:
    generate(server, "openai", model="o4-mini", reasoning_effort="low")
    assert posts(server)[-1].body["reasoning_effort"] == "low"
    generate(server, "gemini", model="gemini-2.5-pro", reasoning_effort="minimal")
    thinking_config = posts(server)[-1].body["generationConfig"]["thinkingConfig"]
    assert thinking_config == {"thinkingBudget": 128}
    generate(server, "gemini", model="gemini-3-pro-preview", reasoning_effort="high")
    thinking_config = posts(server)[-1].body["generationConfig"]["thinkingConfig"]
    assert thinking_config == {"thinkingLevel": "high"}
    assert server.rejected == []
    # unset, it is not part of the identity: caches made before the key existed still hold
    assert "reasoning_effort" not in target(server, "openai").fingerprint
    assert target(server, "openai", reasoning_effort="low").fingerprint["reasoning_effort"] \
        == "low"


def test_reasoning_effort_on_anthropic_is_a_config_error(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "anthropic", reasoning_effort="low")
    code, _, err = run("eval", "prompts/plain.j2", "--study", str(study))
    assert code == 2 and "reasoning_effort" in err
    assert server.requests == []


def test_anthropic_temperature_above_one_is_a_config_error(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "anthropic", temperature=1.5)
    code, _, err = run("eval", "prompts/plain.j2", "--study", str(study))
    assert code == 2
    assert "target" in err and "temperature" in err and "0 to 1" in err
    assert server.requests == []


# -- quotas stop the run; overload is waited out -------------------------------------------------


QUOTA_CASES = [("openai", "", "You exceeded your current quota"),
               ("anthropic", "", "credit balance is too low"),
               ("anthropic", "billing", "billing or payment"),
               ("anthropic", "spend_limit", "monthly spend limit"),
               ("gemini", "", "You exceeded your current quota")]


@pytest.mark.parametrize(("kind", "variant", "says"), QUOTA_CASES)
def test_an_exhausted_quota_stops_fast_and_a_rerun_continues(
        kind: str, variant: str, says: str, server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, kind, n=8, concurrency=2)
    server.script(answer(), answer(), answer())
    server.always(quota(variant))
    code, out, err = run("eval", "prompts/plain.j2", "--study", str(study))
    message = " ".join(err.split())
    assert code == 1, err
    assert says in message and "quota or billing limit" in message
    assert "run the same command again" in message
    assert KEY not in out + err
    sent = posts(server)
    # three answers, then at most one quota error per call in flight
    assert len(sent) <= 3 + 2
    stored = db_rows(workspace, "framing_responses")
    assert len(stored) == server.answered == 3
    # the quota is back: the study continues where it stopped
    server.always(None)
    point, _ = eval_json(study)
    assert point["calls"] == 8 - 3 and point["cache_hits"] == 3 and point["errors"] == 0


def test_the_providers_quota_message_is_shown_with_secrets_scrubbed(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "openai", n=2, concurrency=1)
    server.always(status(429, body={"error": {
        "message": f"Quota exceeded for the project of key {KEY}.",
        "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}}))
    code, out, err = run("eval", "prompts/plain.j2", "--study", str(study))
    message = " ".join(err.split())
    assert code == 1 and "Quota exceeded for the project of key ***." in message
    assert KEY not in out + err
    assert len(posts(server)) == 1  # not retried, and nothing more sent


def test_a_search_stopped_by_the_quota_resumes_with_the_answers_it_had(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "gemini", n=8, concurrency=2)
    server.script(answer(), answer(), answer(), answer())
    server.always(quota())
    code, _, err = run("search", str(study), "--trials", "1", "--no-report")
    assert code == 1 and "You exceeded your current quota" in " ".join(err.split())
    assert len(db_rows(workspace, "framing_responses")) == server.answered == 4
    before = len(posts(server))
    server.always(None)
    code, _, err = run("search", str(study), "--trials", "1", "--no-report")
    assert code == 0, err
    assert len(posts(server)) - before == 8 - 4  # only what was not answered
    assert len(db_rows(workspace, "framing_results")) == 8


def test_gemini_retry_delay_is_honoured_like_retry_after(server: LLMServer) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    server.script(retry_info("7s"), retry_info("0.5s"))

    async def go() -> Any:
        client = HttpClient("gemini test", HttpSettings(concurrency=2), sleep=sleep,
                            headers={"x-goog-api-key": KEY})
        try:
            return await client.post_json(
                f"{server.url}/v1beta/models/{MODEL}:generateContent",
                {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
                hint_of=gemini.error_hint)
        finally:
            await client.aclose()

    reply = asyncio.run(go())
    assert reply.ok
    assert len(waits) == 2
    assert 7.0 <= waits[0] < 8.0 and 0.5 <= waits[1] < 1.0


OVERLOAD_STATUS = {"openai": 503, "anthropic": 529, "gemini": 503}


def overload_client(server: LLMServer, kind: str, cap: float,
                    waits: list[float]) -> tuple[HttpClient, str, dict[str, Any]]:
    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    url = {"openai": f"{server.url}/v1/chat/completions",
           "anthropic": f"{server.url}/v1/messages",
           "gemini": f"{server.url}/v1beta/models/{MODEL}:generateContent"}[kind]
    body: dict[str, Any] = (
        {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]} if kind == "gemini"
        else {"model": MODEL, "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]})
    headers = {"authorization": f"Bearer {KEY}", "x-api-key": KEY, "x-goog-api-key": KEY}
    client = HttpClient(f"{kind} test", HttpSettings(concurrency=8, max_retries=2,
                                                     max_overload_wait=cap),
                        sleep=sleep, headers=headers, rng=random.Random(0))
    return client, url, body


@pytest.mark.parametrize("kind", KINDS)
def test_a_long_overload_is_ridden_out_within_the_cap(kind: str, server: LLMServer) -> None:
    # twelve overloaded answers in a row: far more than max_retries (2)
    server.script(*[overloaded()] * 12)
    waits: list[float] = []
    client, url, body = overload_client(server, kind, 600.0, waits)

    async def go() -> Any:
        try:
            return await client.post_json(url, body)
        finally:
            await client.aclose()

    assert asyncio.run(go()).ok
    assert [r.outcome for r in posts(server)][:12] == [
        f"overloaded:{OVERLOAD_STATUS[kind]}"] * 12
    assert len(waits) == 12 and sum(waits) <= 600.0
    assert max(waits) > 30.0  # it backs off far longer than for a passing fault
    assert client.stats.overloaded == 12
    assert client.stats.lowest_limit < 8  # fewer calls in flight, like a 429


def test_an_overload_longer_than_the_cap_marks_the_call_failed(server: LLMServer) -> None:
    server.always(overloaded())
    waits: list[float] = []
    client, url, body = overload_client(server, "anthropic", 20.0, waits)

    async def go() -> Any:
        try:
            return await client.post_json(url, body)
        finally:
            await client.aclose()

    with pytest.raises(CallFailed) as failed:
        asyncio.run(go())
    assert "overloaded" in failed.value.reason and "max_overload_wait = 20" in failed.value.reason
    assert sum(waits) <= 20.0
    # a second call in a row would wait as long again: the study stops instead
    with pytest.raises(TargetError, match="run the same command again later"):
        asyncio.run(go())
    assert sum(waits) <= 40.0

def test_a_plain_503_is_an_ordinary_fault_not_an_overload(server: LLMServer) -> None:
    server.always(status(503, "internal server error"))
    waits: list[float] = []
    client, url, body = overload_client(server, "openai", 600.0, waits)

    async def go() -> Any:
        try:
            return await client.post_json(url, body)
        finally:
            await client.aclose()

    with pytest.raises(CallFailed, match="HTTP 503"):
        asyncio.run(go())
    assert len(waits) == 2 and client.stats.overloaded == 0  # max_retries = 2


def test_max_overload_wait_is_a_target_key(server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "anthropic", n=2, max_overload_wait=30)
    server.script(overloaded())
    point, _ = eval_json(study)
    assert point["errors"] == 0 and point["calls"] == 2


# -- every documented block reason is a provider refusal ---------------------------------------


@pytest.mark.parametrize("reason", GEMINI_BLOCK_FINISH)
def test_gemini_block_finish_reasons(reason: str, server: LLMServer) -> None:
    server.script(content_filter(reason))
    r = generate(server, "gemini")
    assert r.blocked == f"finish:{reason}" and not r.truncated


@pytest.mark.parametrize("reason", GEMINI_BLOCK_REASONS)
def test_gemini_prompt_block_reasons(reason: str, server: LLMServer) -> None:
    server.script(prompt_blocked(reason))
    assert generate(server, "gemini").blocked == f"prompt:{reason}"


@pytest.mark.parametrize("reason", ["OTHER", "LANGUAGE", "MALFORMED_FUNCTION_CALL"])
def test_gemini_other_stops_without_text_are_errors_not_refusals(
        reason: str, server: LLMServer) -> None:
    server.script(content_filter(reason))
    with pytest.raises(CallFailed, match=reason):
        generate(server, "gemini")


def test_openai_refusal_field_and_content_filter_are_provider_blocks(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "openai", n=4)
    server.script(only_when(refusal_field(), "Sample 1:"),
                  only_when(content_filter(), "Sample 2:"))
    rows = verdicts(workspace, study)
    assert rows["s001"]["source"] == "provider" and rows["s001"]["rule"] == "provider:refusal"
    assert rows["s002"]["rule"] == "provider:content_filter"
    assert rows["s002"]["verdict"] == rows["s001"]["verdict"] == "refusal"


def test_anthropic_refusal_stop_reason_is_a_provider_block(server: LLMServer) -> None:
    server.script(content_filter())
    r = generate(server, "anthropic")
    assert r.blocked == "refusal" and r.finish_reason == "refusal"


# -- images that fit ----------------------------------------------------------------------------


def picture_bytes(fmt: str, size: tuple[int, int] = (64, 48), **options: Any) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 90)).save(out, format=fmt, **options)
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [PILImage.new("RGB", (40, 30), (60 * i, 200 - 40 * i, 90)) for i in range(4)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=80,
                   loop=0)
    data = out.getvalue()
    with PILImage.open(io.BytesIO(data)) as pic:
        assert pic.is_animated  # type: ignore[attr-defined]
    return data


def big_photo(root: Path) -> Path:
    """A 12 MB photo-like PNG (noise compresses badly, like a real photo)."""
    path = root / "images" / "photo.png"
    if not path.exists():
        pic = PILImage.frombytes("RGB", (2000, 2000), random.Random(1).randbytes(2000 * 2000 * 3))
        pic.save(path, format="PNG", compress_level=1)
    return path


def image_workspace(workspace: Path, server: LLMServer, kind: str) -> Path:
    study = make_workspace(workspace, server, kind, n=5)
    images = workspace / "images"
    (images / "s000.png").write_bytes(picture_bytes("WEBP"))  # WebP named .png
    (images / "anim.gif").write_bytes(animated_gif())
    (images / "photo.tif").write_bytes(picture_bytes("TIFF"))
    photo = big_photo(workspace)
    assert photo.stat().st_size >= 11_500_000
    (images / "broken.png").write_bytes(b"this is not an image at all")
    rows = [json.loads(line) for line in (workspace / "data.jsonl").read_text().splitlines()]
    rows[1]["image"] = "images/anim.gif"
    rows[2]["image"] = "images/photo.png"
    rows[3]["image"] = "images/photo.tif"
    rows[4]["image"] = "images/broken.png"
    (workspace / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return study


@pytest.mark.parametrize("kind", KINDS)
def test_webp_named_png_animated_gif_tiff_and_a_12_mb_photo_are_sent_accepted(
        kind: str, server: LLMServer, workspace: Path) -> None:
    study = image_workspace(workspace, server, kind)
    point, _ = eval_json(study)
    assert server.rejected == [], [r.outcome for r in server.rejected]
    # the unreadable file is that sample's error, with the reason; the others are answered
    assert point["errors"] == 1 and point["calls"] == 4
    rows = verdicts(workspace, study)
    assert rows["s004"]["verdict"] == "error" and "cannot be read" in rows["s004"]["rule"]
    sent = {r.user_text.split(":")[0]: r.images[0] for r in posts(server)}
    for mime, data in sent.values():
        assert sniff(data) == mime and mime in ACCEPTED_IMAGES[kind]
    assert sent["Sample 0"][0] == "image/webp"
    assert sent["Sample 1"][0] == ("image/gif" if kind == "anthropic" else "image/png")
    assert sent["Sample 3"][0] in ("image/png", "image/jpeg")
    photo_mime, photo = sent["Sample 2"]
    if kind == "anthropic":  # 5 MB of base64 per image: downscaled and recompressed
        assert (len(photo) + 2) // 3 * 4 <= ANTHROPIC_IMAGE_LIMIT and photo_mime == "image/jpeg"
    else:
        assert photo == big_photo(workspace).read_bytes()
    # the cache key is the bytes actually sent: a rerun is all cache hits
    again, _ = eval_json(study)
    assert again["calls"] == 0 and again["cache_hits"] == 4


def test_gif_for_gemini_would_be_rejected_by_the_server(server: LLMServer) -> None:
    """The conformance server itself: Gemini refuses GIF and a MIME type that lies."""
    import base64

    import httpx

    def send(mime: str, data: bytes) -> httpx.Response:
        part = {"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode()}}
        return httpx.post(f"{server.url}/v1beta/models/{MODEL}:generateContent",
                          headers={"x-goog-api-key": KEY}, timeout=5,
                          json={"contents": [{"role": "user", "parts": [part, {"text": "x"}]}]})

    gif = send("image/gif", animated_gif())
    assert gif.status_code == 400 and "Unsupported MIME type" in gif.json()["error"]["message"]
    assert send("image/png", picture_bytes("WEBP")).status_code == 400
    assert send("image/webp", picture_bytes("WEBP")).status_code == 200
    assert [r.outcome for r in server.requests] == ["rejected:mime", "rejected:mismatch",
                                                    "answer"]


def test_no_secret_in_environment_leaks_into_the_workspace(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "openai", n=2)
    server.always(quota())
    run("eval", "prompts/plain.j2", "--study", str(study))
    for path in workspace.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert os.environ[KEY_ENV] == KEY
