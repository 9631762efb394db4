"""``gemini``: ``POST {base_url}/v1beta/models/{model}:generateContent`` (DESIGN §6).

The image goes as inline data before the text, in one user turn; the system message
as ``systemInstruction``. The key travels in the ``x-goog-api-key`` header, never in the
URL. Provider blocks: a ``promptFeedback.blockReason`` (no candidates) and a safety
``finishReason`` (``SAFETY``, ``PROHIBITED_CONTENT``, ``BLOCKLIST``, ``SPII``,
``IMAGE_SAFETY``) are refusals tagged ``provider``.
"""

from __future__ import annotations

from typing import Any

from framing.data.schema import Sample
from framing.targets.base import CallFailed, Image, Response, Usage
from framing.targets.http import HttpTarget, Reply, b64, error_message
from framing.templates import Messages

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
API_VERSION = "v1beta"
SAFETY_FINISH = frozenset({"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII",
                           "IMAGE_SAFETY"})


class GeminiTarget(HttpTarget):
    kind = "gemini"

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
        if messages.system:
            body["systemInstruction"] = {"parts": [{"text": messages.system}]}
        return body

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        reply = await self.http.post_json(self.url, self.body(messages, image),
                                          estimate=self.estimate(messages, image),
                                          usage_of=usage)
        if reply.ok:
            return parse(reply)
        raise self.unusable(reply, self.path)


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
    blocked = f"finish:{finish}" if finish in SAFETY_FINISH else None
    return Response(text=text, finish_reason=finish, usage=usage(data), latency=reply.latency,
                    raw_status=reply.status, blocked=blocked)
