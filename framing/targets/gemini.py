"""``gemini``: ``POST {base_url}/v1beta/models/{model}:generateContent`` (DESIGN §6).

The image goes as inline data before the text, in one user turn; the system message
as ``systemInstruction``. The key travels in the ``x-goog-api-key`` header, never in the
URL.

Outcomes (https://ai.google.dev/api/generate-content#FinishReason and #BlockReason):

- a ``promptFeedback.blockReason`` (any value: the prompt was blocked, no candidates) and
  every ``finishReason`` the provider uses to withhold an answer (:data:`BLOCK_FINISH`)
  are refusals tagged ``provider``;
- ``MAX_TOKENS`` is a truncated answer, never judged. Gemini 2.5+ thinking models spend
  ``maxOutputTokens`` on thoughts too, so a small budget ends there with no text;
- thought parts (``"thought": true``) are never part of the answer;
- another finish reason with no text (``OTHER``, ``LANGUAGE``, tool-call failures) is a
  failed call (``error``), not a refusal nobody made.

Quota (https://ai.google.dev/gemini-api/docs/rate-limits,
https://ai.google.dev/gemini-api/docs/troubleshooting): a 429 ``RESOURCE_EXHAUSTED``
whose ``google.rpc.QuotaFailure`` names a per-day quota will not clear by waiting; any
other 429 is a rate limit, waited out for its ``google.rpc.RetryInfo.retryDelay``.
503 ``UNAVAILABLE`` ("the model is overloaded") is overload.
"""

from __future__ import annotations

import re
from typing import Any

from framing.data.schema import Sample
from framing.targets.base import CallFailed, Image, Response, Usage
from framing.targets.http import ErrorHint, HttpTarget, Reply, b64, error_message
from framing.templates import Messages

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
API_VERSION = "v1beta"
#: finish reasons of an answer the provider withheld
BLOCK_FINISH = frozenset({"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
                          "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_OTHER",
                          "IMAGE_RECITATION"})
#: finish reasons of a complete answer
DONE_FINISH = frozenset({"STOP", "FINISH_REASON_UNSPECIFIED", "MAX_TOKENS"})
#: thinking models (2.5 and later): their thoughts count against ``maxOutputTokens``
THINKING = re.compile(r"^(?:models/)?gemini-(?:2\.5|[3-9])", re.IGNORECASE)
#: the output budget of a thinking model when the study sets none
THINKING_MAX_TOKENS = 4096
#: ``reasoning_effort`` as Gemini 2.5's ``thinkingBudget`` (tokens; 128 is the smallest
#: every 2.5 model takes) and Gemini 3's ``thinkingLevel``
#: (https://ai.google.dev/gemini-api/docs/thinking)
THINKING_BUDGET = {"minimal": 128, "low": 1024, "medium": 8192, "high": 24576}
THINKING_LEVEL = {"minimal": "low", "low": "low", "medium": "high", "high": "high"}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


class GeminiTarget(HttpTarget):
    kind = "gemini"
    reasoning_max_tokens = THINKING_MAX_TOKENS

    @staticmethod
    def is_reasoning(model: str) -> bool:
        return THINKING.match(model) is not None

    @property
    def path(self) -> str:
        return f"/{API_VERSION}/models/{self.model.removeprefix('models/')}:generateContent"

    @property
    def url(self) -> str:
        base = self.base_url
        for suffix in ("/v1beta", "/v1"):
            base = base.removesuffix(suffix)
        return base + self.path

    def body(self, messages: Messages, image: Image | None) -> dict[str, Any]:
        parts: list[dict[str, Any]] = []
        if image is not None:
            parts.append({"inlineData": {"mimeType": image.mime, "data": b64(image)}})
        parts.append({"text": messages.user})
        body: dict[str, Any] = {
            "contents": [{"role": "user", "parts": parts}],
            "generationConfig": {"temperature": self.temperature,
                                 "maxOutputTokens": self.max_tokens},
        }
        if self.reasoning_effort is not None:
            effort = self.reasoning_effort
            body["generationConfig"]["thinkingConfig"] = (
                {"thinkingBudget": THINKING_BUDGET[effort]}
                if re.match(r"^(?:models/)?gemini-2\.", self.model, re.IGNORECASE)
                else {"thinkingLevel": THINKING_LEVEL[effort]})
        if messages.system:
            body["systemInstruction"] = {"parts": [{"text": messages.system}]}
        return body

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        reply = await self.http.post_json(self.url, self.body(messages, image),
                                          estimate=self.estimate(messages, image),
                                          usage_of=usage, hint_of=error_hint)
        if reply.ok:
            return parse(reply)
        raise self.unusable(reply, self.path)


def error_hint(status: int, data: Any, text: str) -> ErrorHint | None:
    """A per-day quota (stop) or a ``RetryInfo.retryDelay`` (wait) in an error body."""
    err = data.get("error") if isinstance(data, dict) else None
    if not isinstance(err, dict):
        return None
    delay = None
    per_day = False
    for detail in err.get("details") or []:
        if not isinstance(detail, dict):
            continue
        kind = str(detail.get("@type", ""))
        if kind.endswith("google.rpc.RetryInfo"):
            delay = duration(detail.get("retryDelay"))
        elif kind.endswith("google.rpc.QuotaFailure"):
            per_day = per_day or any("perday" in str(v.get("quotaId", "")).lower()
                                     for v in detail.get("violations") or []
                                     if isinstance(v, dict))
    if status == 429 and per_day:
        return ErrorHint(exhausted=error_message(data, text))
    return ErrorHint(retry_after=delay) if delay is not None else None


def duration(value: Any) -> float | None:
    """Seconds of a protobuf JSON ``Duration`` such as ``"37s"`` or ``"1.5s"``."""
    match = _DURATION.match(str(value)) if value is not None else None
    return float(match.group(1)) if match else None


def usage(data: Any) -> Usage:
    u = data.get("usageMetadata") or {}
    output = int(u.get("candidatesTokenCount") or 0) + int(u.get("thoughtsTokenCount") or 0)
    return Usage(int(u.get("promptTokenCount") or 0), output)


def parse(reply: Reply) -> Response:
    data = reply.data
    if not isinstance(data, dict):
        raise CallFailed("unexpected answer: not a JSON object", status=reply.status)
    feedback = data.get("promptFeedback") or {}
    candidates = data.get("candidates") or []
    if feedback.get("blockReason") and not candidates:
        reason = str(feedback["blockReason"])
        return Response(text="", finish_reason=f"prompt:{reason}", usage=usage(data),
                        latency=reply.latency, raw_status=reply.status,
                        blocked=f"prompt:{reason}")
    if not candidates:
        raise CallFailed(f"unexpected answer: {error_message(data, reply.text)[:200]}",
                         status=reply.status)
    first = candidates[0]
    finish = first.get("finishReason")
    parts = (first.get("content") or {}).get("parts") or []
    text = "".join(str(p.get("text", "")) for p in parts
                   if isinstance(p, dict) and not p.get("thought"))
    blocked = f"finish:{finish}" if finish in BLOCK_FINISH else None
    if blocked is None and not text and finish is not None and finish not in DONE_FINISH:
        raise CallFailed(f"the model stopped with finishReason {finish} and no text",
                         status=reply.status)
    return Response(text=text, finish_reason=finish, usage=usage(data), latency=reply.latency,
                    raw_status=reply.status, blocked=blocked)
