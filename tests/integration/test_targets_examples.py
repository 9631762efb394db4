"""The example study files in studies/ work: each one, pointed at the loopback server,
evaluates the baseline framing on a few demo samples with images."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from servers.llm_server import LLMServer

from framing.config import load_study
from framing.search import evaluate_framing

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-example-study-key"


@pytest.mark.parametrize("name", ["openai", "anthropic", "gemini", "local"])
def test_example_study_runs_against_a_loopback_server(
        name: str, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    study = ROOT / "studies" / f"{name}.toml"
    kind = load_study(study).target.kind
    for env in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.setenv(env, KEY)
    with LLMServer(api_key=None if name == "local" else KEY) as server:
        url = server.url + "/v1" if kind == "openai" else server.url
        prompts = str(ROOT / "prompts")
        config = load_study(study, [f"target.base_url={json.dumps(url)}",
                                    f"storage.url={json.dumps('sqlite:///example.db')}",
                                    f"search.templates={json.dumps([prompts + '/*.j2'])}",
                                    f"search.baselines={json.dumps([prompts + '/baseline.j2'])}"])
        result = asyncio.run(evaluate_framing(config, str(ROOT / "prompts" / "baseline.j2"),
                                              {}, limit=2))
        received = [r for r in server.requests if r.method == "POST"]
    assert result.calls == 4 and result.point.errors == 0
    assert len(received) == 4
    for r in received:
        assert r.wire == kind and len(r.user_turns) == 1 and len(r.images) == 1
        assert r.authorized is (None if name == "local" else True)
        if config.target.image_max_side:
            from io import BytesIO

            from PIL import Image

            with Image.open(BytesIO(r.images[0][1])) as pic:
                assert max(pic.size) <= config.target.image_max_side
    assert KEY.encode() not in (workspace / "example.db").read_bytes()
