"""Secrets (issue #13): a literal credential header is refused; every secret framing
resolves is scrubbed from the error texts it stores and prints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from framing.cli import app
from framing.config import TargetConfig, load_study
from framing.data.schema import Grade, Sample
from framing.errors import ConfigError, TargetError
from framing.evaluate import Evaluator
from framing.judging import RulesResponseJudge
from framing.judging.rules import RulesJudge
from framing.storage import secrets
from framing.storage.tables import Store
from framing.targets.remote import make_http_target
from framing.templates import parse_template

KEY = "sk-live-0123456789abcdef"
ORG = "org-very-private-42"
runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_secrets() -> Iterator[None]:
    secrets.forget_all()
    yield
    secrets.forget_all()


def study_file(workspace: Path, headers: str) -> Path:
    study = workspace / "study.toml"
    study.write_text('name = "t"\n[target]\nkind = "openai"\nmodel = "m"\n'
                     'base_url = "http://127.0.0.1:9/v1"\n'
                     f"headers = {{ {headers} }}\n")
    return study


@pytest.mark.parametrize("name", ["Authorization", "x-api-key", "X-Auth-Token", "Cookie",
                                  "api-key", "X-Goog-Api-Key"])
def test_a_literal_credential_header_is_refused(workspace: Path, name: str) -> None:
    study = study_file(workspace, f'"{name}" = "Bearer {KEY}"')
    with pytest.raises(ConfigError) as raised:
        load_study(study)
    message = str(raised.value)
    assert "study.toml: target.headers" in message and f'{name} = "$NAME"' in message
    assert KEY not in message


def test_the_cli_refuses_it_with_exit_2_before_any_call(workspace: Path) -> None:
    study = study_file(workspace, f'Authorization = "Bearer {KEY}"')
    result = runner.invoke(app, ["search", str(study), "--no-report"])
    assert result.exit_code == 2, result.stderr
    assert "environment variable" in result.stderr
    assert KEY not in result.stderr
    assert not (workspace / "studies").exists()  # nothing was stored either
    override = runner.invoke(app, ["search", "--set", f"target.headers.x-api-key={KEY}",
                                   "--no-report"])
    assert override.exit_code == 2 and "x-api-key" in override.stderr


@pytest.mark.parametrize("value", ["$MY_KEY", "${MY_KEY}"])
def test_references_and_plain_headers_are_accepted(value: str) -> None:
    config = TargetConfig(kind="openai", model="m",
                          headers={"Authorization": value, "X-Title": "framing"})
    assert config.headers["Authorization"] == value


def test_scrub_masks_remembered_values_longest_first() -> None:
    secrets.remember([KEY, f"Bearer {KEY}", "abc", None])
    assert secrets.scrub(f"denied: Bearer {KEY} / {KEY}") == "denied: *** / ***"
    assert secrets.scrub("abc stays: too short to be a secret") == \
        "abc stays: too short to be a secret"


async def test_a_server_echoing_the_key_leaves_no_trace_in_the_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", KEY)
    monkeypatch.setenv("MY_ORG", ORG)

    def echo(request: httpx.Request) -> httpx.Response:  # a 200 that is no answer
        return httpx.Response(200, json={"error": {"message": (
            f"bad credentials {request.headers['authorization']} for "
            f"{request.headers['openai-organization']}")}})

    config = TargetConfig(kind="openai", model="m", base_url="http://127.0.0.1:9/v1",
                          api_key_env="MY_KEY", max_retries=0,
                          headers={"OpenAI-Organization": "$MY_ORG"})
    target = make_http_target(config, transport=httpx.MockTransport(echo))
    store = Store(f"sqlite:///{tmp_path}/t.db")
    sample = Sample("s1", "hello", None, Grade.SAFE, Grade.SAFE, Grade.UNSAFE, "C1", "test")
    template = parse_template("{% block system %}Hi.{% endblock %}", name="t.j2")
    ev = await Evaluator(target, RulesResponseJudge(RulesJudge()), store,
                         images=False).evaluate(template, {}, [sample])
    await target.aclose()
    (outcome,) = ev.outcomes
    assert KEY in outcome.judgement.rule  # the server really echoed it
    store.put_results("t", 0, "search", [o.row() for o in ev.outcomes])
    store.put_judgement("k", "error", outcome.judgement.rule)
    (row,) = store.get_results("t", 0)
    stored = row.rule + (store.get_judgement("k") or ("", ""))[1]
    assert KEY not in stored and ORG not in stored and "***" in stored


def test_the_cli_prints_errors_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    from framing.cli.commands import handled

    secrets.remember([KEY])

    @handled
    def failing() -> None:
        raise TargetError(f"target (openai): HTTP 401: key {KEY} was revoked")

    with pytest.raises(typer.Exit) as stopped:
        failing()
    assert stopped.value.exit_code == 1
    printed = capsys.readouterr().err
    assert "key *** was revoked" in printed and KEY not in printed
