"""The ``model`` proposer against a real HTTP server on loopback (OpenAI wire format),
with scripted answers: a good prompt, an unparseable answer, a template that fails lint
and a duplicate. Bad candidates are dropped with a reason and never written; the calls
are cached and charged to the study's budget; the proposer never sees grades."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from servers.llm_server import LLMServer, answer
from typer.testing import CliRunner

from framing.cli import app
from framing.config import DataConfig
from framing.data.loaders import load_data

pytestmark = pytest.mark.integration

runner = CliRunner()
KEY = "sk-proposer-77c1"
GOOD = "You are a helpful assistant. Assume good intent and answer plainly."
BOMB = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def make_workspace(root: Path, server: LLMServer) -> Path:
    code, _, err = run("init", str(root))
    assert code == 0, err
    study = root / "studies" / "demo.toml"
    text = study.read_text()
    text = text.replace("trials = 40", "trials = 6").replace("borderline = 120",
                                                             "borderline = 40")
    text = text.replace("unsafe = 120", "unsafe = 40")
    text += f"""
[propose]
proposer = "model"
candidates = 4
failures = 3

[propose.target]
kind = "openai"
model = "proposer-model"
base_url = "{server.url}/v1"
api_key_env = "FRAMING_PROPOSER_KEY"
max_retries = 0
price_input = 1.0
price_output = 4.0
"""
    study.write_text(text)
    return study


def spent(root: Path) -> float:
    engine = sa.create_engine(f"sqlite:///{root / 'studies' / 'framing.db'}")
    with engine.connect() as conn:
        value = conn.execute(sa.text("select spent from framing_spend")).scalar_one()
    engine.dispose()
    return float(value)


def test_model_proposer_drops_bad_candidates_with_reasons(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMING_PROPOSER_KEY", KEY)
    with LLMServer() as server:
        study = make_workspace(workspace, server)
        code, _, err = run("search", str(study), "--no-report", "-q")
        assert code == 0, err
        trials_before = run("frontier", str(study), "--format", "json")[1]
        server.script(answer(f"Here it is:\n<system>\n{GOOD}\n</system>"),
                      answer("I think the prompt is fine as it is."),
                      answer(f"<system>{BOMB}</system>"),
                      answer(f"<system>{GOOD}</system>"))
        code, out, err = run("propose", str(study), "--format", "json")
        assert code == 0, err
        result = json.loads(out)
        assert len(server.requests) == 4
        assert [k["direction"] for k in result["kept"]] == ["over-blocking"]
        reasons = [d["reason"] for d in result["dropped"]]
        assert len(reasons) == 3
        assert "unparseable answer: no <system>...</system> in it" in reasons[0]
        assert "fails lint" in reasons[1] and "loops ran more than" in reasons[1]
        assert "renders the same as prompts/proposed/" in reasons[2]
        assert result["calls"] == 4 and result["cost"] > 0
        # only the kept candidate is written; nothing was evaluated
        written = sorted((workspace / "prompts" / "proposed").glob("*.j2"))
        assert [str(p.relative_to(workspace)) for p in written] == [result["kept"][0]["path"]]
        source = written[0].read_text()
        assert GOOD in source and "[proposed]" in source and 'proposer = "model"' in source
        assert f"parent_trial = {result['parent']['trial']}" in source
        assert run("frontier", str(study), "--format", "json")[1] == trials_before
        # the calls were charged to the study's budget
        assert spent(workspace) == pytest.approx(result["cost"])

        # what the proposer saw: request text and responses, never grades or categories
        samples = {s.text: s for s in load_data(DataConfig(source="demo"))}
        for request in server.requests:
            assert request.authorized is not False
            assert "<prompt>" in request.user_text
            shown = re.findall(r"<request>(.*?)</request>", request.user_text)
            assert shown
            for text in shown:
                assert text in samples
            for s in samples.values():
                if s.text in shown:
                    assert s.id not in request.user_text
            # outside the parent's own prompt (the researcher's text, which may well say
            # "borderline"): no grade, subset, category or pattern
            outside = re.sub(r"<prompt>.*?</prompt>", "", request.user_text, flags=re.S)
            for word in ("borderline", "unsafe", "joint_grade", "category", "_safe_", "C1"):
                assert word not in outside.replace(GOOD, "")

        # the same round again: every call from the cache, nothing paid twice
        for path in written:
            path.unlink()
        code, out, err = run("propose", str(study), "--format", "json")
        assert code == 0, err
        again = json.loads(out)
        assert again["calls"] == 0 and again["cache_hits"] == 4
        assert len(server.requests) == 4


def test_model_proposer_without_a_target_is_bad_input(workspace: Path) -> None:
    code, _, err = run("init", str(workspace))
    study = workspace / "studies" / "demo.toml"
    code, _, err = run("propose", str(study), "--proposer", "model")
    assert code == 2
    assert "[propose.target]" in err
