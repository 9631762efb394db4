"""The model judge: robust verdict parsing, the verdict cache, undetermined answers and
failed judge calls, usage counted apart from target calls. (A scripted in-process target
stands in for the model here; tests/integration/test_model_judge.py uses a real server.)"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from framing.config import load_study
from framing.data.schema import Grade, Sample
from framing.errors import ConfigError
from framing.evaluate import Evaluator, JudgeTotals
from framing.judging.base import Verdict
from framing.judging.model import JUDGE_SYSTEM, ModelJudge, judge_messages, parse_verdict
from framing.storage.tables import Store
from framing.targets.base import CallFailed, Image, Response, Usage
from framing.targets.sim import SimTarget
from framing.templates import Messages, parse_template

R, P, C = Verdict.REFUSAL, Verdict.PARTIAL, Verdict.COMPLIANCE


@pytest.mark.parametrize(
    ("answer", "verdict", "reason"),
    [
        ('{"verdict": "refusal", "reason": "It declines."}', R, "It declines."),
        ('```json\n{"verdict": "Partial", "reason": "general info only"}\n```', P,
         "general info only"),
        ('Here is my grading:\n{"verdict": "compliance", "reason": "answers"}\nThanks', C,
         "answers"),
        ('{"label": "refusal", "explanation": "points to a hotline"}', R, "points to a hotline"),
        ('{"verdict": "partial compliance", "reason": "some"}', P, "some"),
        ("{'verdict': 'refusal', 'reason': 'declines'}", R, "declines"),
        ('{"verdict": "refusal", "reason": "The assistant decl', R, "The assistant decl"),
        ("Verdict: compliance\nReason: it answers the question", C,
         "it answers the question"),
        ("**Verdict:** partial", P, ""),
        ("Refusal.", R, ""),
        ("Compliance - it answers the question", C, "it answers the question"),
        ("refusal", R, ""),
    ],
)
def test_parse_verdict_reads_many_shapes(answer: str, verdict: Verdict, reason: str) -> None:
    parsed = parse_verdict(answer)
    assert parsed is not None
    assert parsed.verdict is verdict
    assert parsed.reason == reason


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "I'm not able to grade this conversation.",
        "The response is not a refusal, but it is not compliance either.",
        '{"verdict": "refusal" | "partial" | "compliance", "reason": "<one short sentence>"}',
        '{"verdict": "maybe", "reason": "unclear"}',
        "Verdict: unclear",
        "banana",
    ],
)
def test_parse_verdict_gives_none_when_unreadable(answer: str) -> None:
    assert parse_verdict(answer) is None


def test_judge_prompt_carries_request_response_and_image_note() -> None:
    m = judge_messages("How do I X?", "I can't help.", image=True, image_shown=True)
    assert m.system == JUDGE_SYSTEM
    assert "How do I X?" in m.user and "I can't help." in m.user
    assert "attached here too" in m.user
    hidden = judge_messages("q", "a", image=True, image_shown=False)
    assert "not shown" in hidden.user
    assert "image" not in judge_messages("q", "", image=False, image_shown=True).user.lower()
    assert "(empty response)" in judge_messages("q", "", image=False, image_shown=True).user


class JudgeModel:
    """A scripted judge model: answers from ``answers`` by the response it is shown."""

    simulated = False

    def __init__(self, answers: dict[str, str | Exception], *, delay: float = 0.0) -> None:
        self.answers = answers
        self.delay = delay
        self.calls: list[tuple[Messages, Image | None]] = []
        self.closed = False

    @property
    def fingerprint(self) -> dict[str, Any]:
        return {"kind": "scripted-judge", "model": "j1"}

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        self.calls.append((messages, image))
        if self.delay:
            await asyncio.sleep(self.delay)
        for needle, answer in self.answers.items():
            if needle in messages.user:
                if isinstance(answer, Exception):
                    raise answer
                return Response(text=answer, usage=Usage(1000, 20))
        return Response(text='{"verdict": "compliance", "reason": "default"}',
                        usage=Usage(1000, 20))

    async def aclose(self) -> None:
        self.closed = True


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path}/judge.db")
    yield s
    s.close()


ANSWERS: dict[str, str | Exception] = {
    "NOPE": '{"verdict": "refusal", "reason": "declines outright"}',
    "SOME": '{"verdict": "partial", "reason": "general info only"}',
    "GARBLE": "As a grader I think this is a tricky one.",
    "DOWN": CallFailed("HTTP 503 after 5 retries", status=503),
}


async def test_verdicts_reasons_and_usage(store: Store) -> None:
    model = JudgeModel(ANSWERS)
    judge = ModelJudge(model, store, prices=(1.0, 10.0))
    j = await judge.judge_text("req", "NOPE I won't")
    assert j.verdict is R and j.source == "model"
    assert j.rule == "model:refusal: declines outright"
    assert j.usage is not None and not j.usage.cached
    assert (j.usage.input_tokens, j.usage.output_tokens) == (1000, 20)
    assert j.usage.cost == pytest.approx((1000 * 1.0 + 20 * 10.0) / 1e6)
    assert (await judge.judge_text("req", "SOME of it")).verdict is P


async def test_verdicts_are_cached_by_request_response_and_judge(store: Store) -> None:
    model = JudgeModel(ANSWERS)
    first = await ModelJudge(model, store).judge_text("req", "NOPE")
    again = await ModelJudge(model, store).judge_text("req", "NOPE")  # a new run, same DB
    assert len(model.calls) == 1
    assert again.verdict is first.verdict and again.rule == first.rule
    assert again.usage is not None and again.usage.cached
    await ModelJudge(model, store).judge_text("another request", "NOPE")
    assert len(model.calls) == 2  # the request is part of the key

    class OtherModel(JudgeModel):
        @property
        def fingerprint(self) -> dict[str, Any]:
            return {"kind": "scripted-judge", "model": "j2"}

    other = OtherModel(ANSWERS)
    await ModelJudge(other, store).judge_text("req", "NOPE")
    assert len(other.calls) == 1  # another judge model judges afresh


async def test_unparseable_answer_is_undetermined_and_cached(store: Store) -> None:
    model = JudgeModel(ANSWERS)
    j = await ModelJudge(model, store).judge_text("req", "GARBLE")
    assert j.verdict is Verdict.UNDETERMINED
    assert j.rule.startswith("model:undetermined: unparseable judge answer")
    assert "tricky" in j.rule and len(j.rule) <= 200
    again = await ModelJudge(model, store).judge_text("req", "GARBLE")
    assert again.verdict is Verdict.UNDETERMINED and len(model.calls) == 1


async def test_failed_judge_call_is_undetermined_and_not_cached(store: Store) -> None:
    model = JudgeModel(ANSWERS)
    j = await ModelJudge(model, store).judge_text("req", "DOWN")
    assert j.verdict is Verdict.UNDETERMINED
    assert "judge call failed: HTTP 503" in j.rule
    assert j.usage is None
    await ModelJudge(model, store).judge_text("req", "DOWN")
    assert len(model.calls) == 2  # asked again: a failure is not an answer


async def test_identical_judgements_in_flight_make_one_call(store: Store) -> None:
    model = JudgeModel(ANSWERS, delay=0.05)
    judge = ModelJudge(model, store)
    results = await asyncio.gather(*(judge.judge_text("req", "NOPE") for _ in range(5)))
    assert len(model.calls) == 1
    assert all(r.verdict is R for r in results)
    assert sum(r.usage is not None and r.usage.cached for r in results) == 4


async def test_image_is_shown_unless_disabled(store: Store, tmp_path: Path) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(b"\x89PNG fake")
    sample = Sample("s1", "what is this?", str(picture), Grade.SAFE, Grade.BORDERLINE,
                    Grade.BORDERLINE, None, "test")
    request = Messages(system="framing's own system message", user="what is this?")
    model = JudgeModel(ANSWERS)
    await ModelJudge(model, store).judge(request, sample, Response(text="NOPE"))
    messages, image = model.calls[-1]
    assert image is not None and image.data == b"\x89PNG fake"
    assert "framing's own system message" not in messages.user + messages.system
    text_only = JudgeModel(ANSWERS)
    await ModelJudge(text_only, store, images=False).judge(request, sample,
                                                           Response(text="NOPE"))
    messages, image = text_only.calls[-1]
    assert image is None and "not shown" in messages.user


async def test_evaluator_counts_judge_usage_apart_from_target_calls(store: Store) -> None:
    class Answering:
        simulated = False
        fingerprint: dict[str, Any] = {"kind": "answering"}  # noqa: RUF012

        async def generate(self, messages: Messages, image: Image | None, *,
                           sample: Sample | None = None) -> Response:
            return Response(text=f"{sample.text if sample else ''} answer", usage=Usage(10, 5))

        async def aclose(self) -> None:
            return None

    template = parse_template("{% block system %}Be careful.{% endblock %}", name="t.j2")
    samples = [Sample(f"s{i}", text, None, Grade.SAFE, grade, grade, None, "test")
               for i, (text, grade) in enumerate([("NOPE", Grade.BORDERLINE),
                                                  ("SOME", Grade.UNSAFE),
                                                  ("GARBLE", Grade.UNSAFE)])]
    model = JudgeModel(ANSWERS)
    judge = ModelJudge(model, store, prices=(1.0, 1.0))
    ev = await Evaluator(Answering(), judge, store, images=False).evaluate(template, {}, samples)
    assert ev.calls == 3 and ev.input_tokens == 30  # the target's own
    usage = ev.judge_usage
    assert (usage.calls, usage.cache_hits) == (3, 0)
    assert usage.input_tokens == 3000 and usage.cost == pytest.approx(3 * 1020 / 1e6)
    assert ev.tally.undetermined == 1 and ev.tally.borderline_refused == 1
    assert ev.tally.unsafe_n == 1 and ev.tally.unsafe_answered == 1
    again = await Evaluator(Answering(), judge, store, images=False).evaluate(template, {},
                                                                              samples)
    assert again.calls == 0 and again.judge_usage == JudgeTotals(cache_hits=3)


def test_simulated_target_cannot_judge(store: Store) -> None:
    with pytest.raises(ConfigError, match="cannot judge"):
        ModelJudge(SimTarget(), store)
    with pytest.raises(ConfigError, match=r"judge: .*target.kind = .sim.*cannot judge"):
        load_study(None, ['judge.kind="model"', 'judge.target.kind="sim"'])
    with pytest.raises(ConfigError, match=r"needs a \[judge.target\]"):
        load_study(None, ['judge.kind="model"'])


async def test_aclose_closes_the_judge_target(store: Store) -> None:
    model = JudgeModel(ANSWERS)
    await ModelJudge(model, store).aclose()
    assert model.closed


def test_a_judge_target_without_its_key_names_the_judge(monkeypatch: pytest.MonkeyPatch,
                                                        store: Store) -> None:
    from framing.errors import TargetConfigError
    from framing.judging import make_judge

    monkeypatch.delenv("FRAMING_NO_SUCH_KEY", raising=False)
    config = load_study(None, ['judge.kind="model"', 'judge.target.kind="openai"',
                               'judge.target.model="judge-x"',
                               'judge.target.api_key_env="FRAMING_NO_SUCH_KEY"'])
    with pytest.raises(TargetConfigError, match=r"^judge target .*judge\.target\.api_key_env"):
        make_judge(config, store)


async def test_judge_sends_the_image_its_target_prepares(store: Store, tmp_path: Path) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(b"\x89PNG big")
    sample = Sample("s1", "what is this?", str(picture), Grade.SAFE, Grade.BORDERLINE,
                    Grade.BORDERLINE, None, "test")

    class Shrinking(JudgeModel):
        def prepare_image(self, image: Image) -> Image:
            return Image(data=b"small", mime="image/png")

    model = Shrinking(ANSWERS)
    await ModelJudge(model, store).judge(Messages(system="", user="what is this?"), sample,
                                         Response(text="NOPE"))
    _, image = model.calls[-1]
    assert image is not None and image.data == b"small"


async def test_evaluator_shows_the_judge_the_image_only_when_the_target_saw_it(
    store: Store, tmp_path: Path,
) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(b"\x89PNG fake")
    sample = Sample("s1", "what is this?", str(picture), Grade.SAFE, Grade.BORDERLINE,
                    Grade.BORDERLINE, None, "test")

    class Answering:
        simulated = False
        fingerprint: dict[str, Any] = {"kind": "answering"}  # noqa: RUF012

        def __init__(self) -> None:
            self.images: list[Image | None] = []

        async def generate(self, messages: Messages, image: Image | None, *,
                           sample: Sample | None = None) -> Response:
            self.images.append(image)
            return Response(text="Here you go.")

        async def aclose(self) -> None:
            return None

    template = parse_template("{% block system %}Be careful.{% endblock %}", name="t.j2")
    for images in (True, False):
        target, judge_model = Answering(), JudgeModel(ANSWERS)
        evaluator = Evaluator(target, ModelJudge(judge_model, store), store, images=images)
        await evaluator.evaluate(template, {}, [replace(sample, id=f"s-{images}")])
        assert (target.images[-1] is not None) is images
        messages, image = judge_model.calls[-1]
        assert (image is not None) is images
        assert ("attached here too" in messages.user) is images


def test_judge_prompt_uses_the_design_definitions() -> None:
    for verdict in ('"refusal"', '"partial"', '"compliance"'):
        assert verdict in JUDGE_SYSTEM
    assert '"partial" is not a refusal' in JUDGE_SYSTEM
    assert "only points to help elsewhere" in JUDGE_SYSTEM
    assert "one JSON object" in JUDGE_SYSTEM
