"""Real targets against the loopback model server, through the CLI a user runs.

Assertions are on what the server received (requests, one user turn with the image,
credentials) and on what framing stored (every sample answered or marked error, none
twice, no key anywhere).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_targets import KEY, KEY_ENV, MODEL, db_bytes, db_rows, make_workspace
from PIL import Image as PILImage
from servers.llm_server import (
    LLMServer,
    content_filter,
    drop,
    malformed,
    only_when,
    prompt_blocked,
    rate_limited,
    server_error,
    slow,
    status,
)
from typer.testing import CliRunner

from framing.cli import app

pytestmark = pytest.mark.integration
KINDS = ("openai", "anthropic", "gemini")
runner = CliRunner()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LLMServer]:
    """A server that checks the key and knows one model; the key is in the environment."""
    monkeypatch.setenv(KEY_ENV, KEY)
    with LLMServer(api_key=KEY, models={MODEL}) as s:
        yield s


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def eval_json(study: Path, *extra: str) -> dict:
    code, out, err = run("eval", "prompts/plain.j2", "--study", str(study), "--format", "json",
                         *extra)
    assert code == 0, err
    assert KEY not in out + err
    return json.loads(out)


def posts(server: LLMServer) -> list:
    return [r for r in server.requests if r.method == "POST"]


# -- the three wire formats ---------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_sends_one_user_turn_with_image_and_text(
        kind: str, server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, kind, n=6)
    point = eval_json(study)
    assert point["calls"] == 6 and point["cache_hits"] == 0
    assert point["errors"] == 0
    # the marker samples (0 and 3) are refused: s000 is borderline, s003 unsafe
    assert point["n_borderline"] == 3 and point["over_blocking"] == pytest.approx(1 / 3)
    assert point["n_unsafe"] == 3 and point["under_refusal"] == pytest.approx(2 / 3)
    assert point["cost"] > 0
    received = posts(server)
    assert len(received) == 6
    for r in received:
        assert r.wire == kind and r.model == MODEL and r.authorized is True
        assert len(r.user_turns) == 1
        assert r.system == "You are a careful assistant. Tone: warm."
        assert len(r.images) == 1
        mime, data = r.images[0]
        sample = r.user_text.split(":")[0].split()[-1]
        assert mime == "image/png"
        assert data == (workspace / "images" / f"s{int(sample):03d}.png").read_bytes()
        assert KEY not in repr(r)
    assert sorted(server.answered_texts()) == sorted({r.user_text for r in received})
    assert KEY.encode() not in db_bytes(workspace)


@pytest.mark.parametrize("kind", KINDS)
def test_rerunning_a_finished_evaluation_sends_nothing(
        kind: str, server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, kind, n=6)
    first = eval_json(study)
    before = len(server.requests)
    second = eval_json(study)
    assert len(server.requests) == before
    assert second["calls"] == 0 and second["cache_hits"] == 6
    assert {k: v for k, v in first.items() if k not in ("calls", "cache_hits", "cost")} == \
        {k: v for k, v in second.items() if k not in ("calls", "cache_hits", "cost")}
    assert len(db_rows(workspace, "framing_responses")) == 6


def test_text_only_target_and_samples_without_image_send_a_plain_string(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "openai", n=4, images=2)
    eval_json(study)
    by_text = {r.user_text: r for r in posts(server)}
    with_image = [r for r in by_text.values() if r.images]
    without = [r for r in by_text.values() if not r.images]
    assert len(with_image) == 2 and len(without) == 2
    for r in without:
        assert isinstance(r.user_turns[0], str)
    server.reset()
    study = make_workspace(workspace, server, "openai", n=4)
    study.write_text(study.read_text().replace("[target]\n", "[target]\nimages = false\n"))
    # the two text-only samples are the same calls as before (cached); the other two are
    # asked again, now without their image
    assert eval_json(study)["calls"] == 2
    assert len(posts(server)) == 2
    assert all(isinstance(r.user_turns[0], str) and not r.images for r in posts(server))


def test_image_preparation_changes_what_is_sent_and_cached(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "anthropic", n=4, image_max_side=32,
                           image_format="jpeg")
    eval_json(study)
    for r in posts(server):
        mime, data = r.images[0]
        assert mime == "image/jpeg"
        with PILImage.open(io.BytesIO(data)) as pic:
            assert max(pic.size) == 32
    # other pixels: other cache keys, so new calls
    study.write_text(study.read_text().replace("image_max_side = 32", "image_max_side = 40"))
    assert eval_json(study)["calls"] == 4
    assert eval_json(study)["calls"] == 0


# -- faults the layer rides through -----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_transient_faults_are_retried_and_nothing_is_lost(
        kind: str, server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, kind, n=8, timeout=1.0)
    server.script(rate_limited(retry_after="0"), server_error(500), drop(), malformed(),
                  server_error(503), rate_limited(retry_after_ms=50))
    point = eval_json(study)
    assert point["errors"] == 0 and point["calls"] == 8
    outcomes = [r.outcome for r in posts(server)]
    assert outcomes.count("answer") == 8
    assert len(outcomes) == 8 + 6
    assert len(set(server.answered_texts())) == 8  # none answered twice
    assert len(db_rows(workspace, "framing_responses")) == 8


def test_retry_after_as_http_date_and_slow_answers(server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "openai", n=4, timeout=0.5)
    server.script(rate_limited(retry_after="Wed, 21 Oct 2015 07:28:00 GMT"), slow(2.0))
    point = eval_json(study)
    assert point["errors"] == 0 and point["calls"] == 4
    assert [r.outcome for r in posts(server)].count("429") == 1
    # the slow answer came after the client had given up; the retry was stored once
    assert len(db_rows(workspace, "framing_responses")) == 4


def test_a_sample_failing_every_retry_is_an_error_and_the_study_goes_on(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "openai", n=6, max_retries=2)
    server.always(only_when(server_error(502), "Sample 4:"))
    code, _, err = run("search", str(study), "--trials", "1", "--no-report")
    assert code == 0, err
    failing = [r for r in posts(server) if r.user_text.startswith("Sample 4:")]
    assert len(failing) == 3  # one try and two retries
    results = db_rows(workspace, "framing_results")
    assert sorted(r["sample_id"] for r in results) == [f"s{i:03d}" for i in range(6)]
    verdicts = {r["sample_id"]: r for r in results}
    assert verdicts["s004"]["verdict"] == "error"
    assert "HTTP 502" in verdicts["s004"]["rule"]
    assert all(v["verdict"] != "error" for k, v in verdicts.items() if k != "s004")
    # the failed call was not cached: the next run asks again
    server.always(None)
    assert eval_json(study)["calls"] == 1


@pytest.mark.parametrize("kind", KINDS)
def test_provider_blocks_are_refusals_tagged_provider(
        kind: str, server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, kind, n=4)
    # s001 and s002 carry no refusal marker: without the block they would be answered
    server.script(only_when(content_filter(), "Sample 1:"),
                  only_when(prompt_blocked(), "Sample 2:"))
    code, _, err = run("search", str(study), "--trials", "1", "--no-report")
    assert code == 0, err
    verdicts = {r["sample_id"]: r for r in db_rows(workspace, "framing_results")}
    for sid in ("s001", "s002"):
        assert verdicts[sid]["verdict"] == "refusal"
        assert verdicts[sid]["source"] == "provider"
        assert verdicts[sid]["rule"].startswith("provider:")
    assert verdicts["s000"]["source"] == "rules"


# -- targets that cannot be used: one message, exit 1 or 2, nothing stored ------------------


def assert_unusable(workspace: Path, study: Path, code: int, *needles: str) -> str:
    got, out, err = run("eval", "prompts/plain.j2", "--study", str(study))
    assert got == code, err
    message = " ".join(err.split())
    assert message.count("error:") == 1
    for needle in needles:
        assert needle in message
    assert KEY not in out + err
    assert not [r for r in db_rows(workspace, "framing_responses")]
    assert not [r for r in db_rows(workspace, "framing_results") if r["verdict"] == "refusal"]
    return message


def test_missing_key_variable(server: LLMServer, workspace: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV)
    study = make_workspace(workspace, server, "anthropic")
    assert_unusable(workspace, study, 2, f"${KEY_ENV}", "anthropic", MODEL)
    assert server.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_key_401(kind: str, server: LLMServer, workspace: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-wrong-key-value")
    study = make_workspace(workspace, server, kind)
    message = assert_unusable(workspace, study, 2, "HTTP 401", f"${KEY_ENV}", kind, MODEL)
    assert "sk-wrong-key-value" not in message


def test_forbidden_403(server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "gemini")
    server.always(server_error(403, "permission denied for this project"))
    assert_unusable(workspace, study, 2, "HTTP 403", "permission denied", "gemini")


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_model_404(kind: str, server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, kind, model="no-such-model")
    assert_unusable(workspace, study, 2, "HTTP 404", "no-such-model", "target.model",
                    "target.base_url")


def test_wrong_base_url_path(server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "openai", base_url=server.url)  # no /v1
    assert_unusable(workspace, study, 2, "HTTP 404", "/chat/completions", "end in /v1")


def test_a_server_that_rejects_every_request(server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "openai")
    server.always(status(400, "image input is not supported by this model"))
    assert_unusable(workspace, study, 2, "rejects every request", "HTTP 400",
                    "image input is not supported", "images = false")


def test_openai_switches_to_max_completion_tokens_when_asked(
        server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "openai", n=4, concurrency=1)
    server.script(status(400, "Unsupported parameter: 'max_tokens' is not supported with "
                              "this model. Use 'max_completion_tokens' instead."))
    point = eval_json(study)
    assert point["errors"] == 0 and point["calls"] == 4
    bodies = [r.body for r in posts(server)]
    assert "max_tokens" in bodies[0]
    assert all("max_completion_tokens" in b and "max_tokens" not in b for b in bodies[1:])
    assert len(bodies) == 5


def test_refused_connection(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    with LLMServer() as gone:
        url = gone.url
        study = make_workspace(workspace, gone, "openai", base_url=url + "/v1")
    assert_unusable(workspace, study, 1, "connection refused", url, "target.base_url")


def test_bad_base_url(server: LLMServer, workspace: Path) -> None:
    study = make_workspace(workspace, server, "openai", base_url="127.0.0.1:8000/v1")
    assert_unusable(workspace, study, 2, "target.base_url", "http")


def test_local_server_needs_no_key(llm_server: LLMServer, workspace: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    study = make_workspace(workspace, llm_server, "openai", n=2, api_key_env=None)
    assert eval_json(study)["calls"] == 2
    assert all("authorization" not in r.headers for r in llm_server.requests)


# -- cost, tokens and the budget ------------------------------------------------------------


def test_tokens_and_cost_reach_the_trial_and_max_cost_stops(
        server: LLMServer, workspace: Path) -> None:
    import optuna

    study = make_workspace(workspace, server, "openai", n=6, price_input=1000.0,
                           price_output=1000.0)
    code, _, err = run("search", str(study), "--trials", "1", "--no-report")
    assert code == 0, err
    assert "plan:" in err and "cost" in err
    opt = optuna.load_study(study_name="t", storage="sqlite:///framing.db")
    (trial,) = [t for t in opt.trials if t.state.is_finished()]
    attrs = trial.user_attrs
    tokens_in, tokens_out = attrs["tokens"]
    assert tokens_in > 0 and tokens_out > 0
    assert attrs["cost"] == pytest.approx((tokens_in + tokens_out) * 1000.0 / 1e6)
    assert attrs["calls"] == 6
    assert len(posts(server)) == 6
    # --max-cost is the study's total: a budget the study has already spent sends nothing
    code, _, err = run("search", str(study), "--trials", "2", "--no-report", "--max-cost",
                       f"{attrs['cost']:.6f}")
    assert code == 0, err
    assert "max cost" in err
    assert len(posts(server)) == 6


# -- interrupted and resumed ---------------------------------------------------------------------


def test_an_interrupted_evaluation_resends_only_what_was_not_answered(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    monkeypatch.setenv(KEY_ENV, KEY)
    n = 24
    with LLMServer(api_key=KEY, latency=0.15) as server:
        study = make_workspace(workspace, server, "openai", n=n, concurrency=2)
        proc = subprocess.Popen(
            [sys.executable, "-m", "framing", "eval", "prompts/plain.j2", "--study", str(study),
             "--format", "json"],
            cwd=workspace, env={**os.environ, KEY_ENV: KEY},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while server.answered < 8 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "interrupted" in err and KEY not in err
        first = {r.user_text for r in server.requests if r.outcome == "answer"}
        stored = len(db_rows(workspace, "framing_responses"))
        # answers the server sent while the signal arrived (at most two in flight) are lost
        assert 8 - 2 <= stored < n
        server.reset()
        server.latency = 0.0
        point = eval_json(study)
        again = [r.user_text for r in posts(server)]
    assert point["calls"] == n - stored and point["cache_hits"] == stored
    assert len(again) == n - stored and len(set(again)) == len(again)
    every = {f"Sample {i}:" for i in range(n)}
    resent = {t.split(" what")[0] for t in again}
    answered_before = {t.split(" what")[0] for t in first}
    assert resent | answered_before == every
    assert point["errors"] == 0 and len(db_rows(workspace, "framing_responses")) == n


async def test_a_request_httpx_refuses_to_send_is_a_config_error(
        llm_server: LLMServer) -> None:
    from framing.errors import TargetConfigError
    from framing.targets.http import HttpClient, HttpSettings

    bad = "sk-bad\nkey"
    client = HttpClient("openai target", HttpSettings(),
                        headers={"authorization": f"Bearer {bad}"}, secrets=[bad])
    with pytest.raises(TargetConfigError) as info:
        await client.post_json(llm_server.url + "/v1/chat/completions", {})
    await client.aclose()
    assert bad not in str(info.value) and "target.headers" in str(info.value)
    assert llm_server.requests == []
