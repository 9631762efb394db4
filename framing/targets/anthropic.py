"""``anthropic``: the Messages API (``POST {base_url}/v1/messages``, DESIGN §6).

The image goes first as a base64 source block, then the text, in one user turn
(Anthropic recommends images before text). ``stop_reason = "refusal"`` and
content-filtering 400s are provider blocks (a refusal tagged ``provider``);
``stop_reason = "max_tokens"`` (or ``model_context_window_exceeded``) is a truncated
answer, never judged (https://docs.anthropic.com/en/api/handling-stop-reasons). Thinking
blocks are not part of the answer. ``temperature`` must lie in 0..1 (checked in the
study file).

Billing: a 402 ``billing_error``, a 400 about the credit balance or the workspace's usage
limits, and a 429 whose details name a spend limit will not clear by waiting
(https://docs.anthropic.com/en/api/errors). 529 ``overloaded_error`` is overload.
"""

from __future__ import annotations

from typing import Any

from framing.data.schema import Sample
from framing.targets.base import CallFailed, Image, Response, Usage
from framing.targets.http import ErrorHint, HttpTarget, Reply, b64, error_message
from framing.templates import Messages

DEFAULT_BASE_URL = "https://api.anthropic.com"
PATH = "/v1/messages"
API_VERSION = "2023-06-01"
POLICY_PHRASES = ("content filtering policy", "usage policy", "content policy")
#: phrases of a 400 that means the account cannot pay for more calls
BILLING_PHRASES = ("credit balance", "usage limits", "spend limit", "billing")


class AnthropicTarget(HttpTarget):
    kind = "anthropic"

    @property
    def url(self) -> str:
        return self.base_url.removesuffix("/v1") + PATH

    def body(self, messages: Messages, image: Image | None) -> dict[str, Any]:
        content: str | list[dict[str, Any]] = messages.user
        if image is not None:
            content = [
                {"type": "image", "source": {"type": "base64", "media_type": image.mime,
                                             "data": b64(image)}},
                {"type": "text", "text": messages.user},
            ]
        body: dict[str, Any] = {"model": self.model, "max_tokens": self.max_tokens,
                                "temperature": self.temperature,
                                "messages": [{"role": "user", "content": content}]}
        if messages.system:
            body["system"] = messages.system
        return body

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        reply = await self.http.post_json(self.url, self.body(messages, image),
                                          estimate=self.estimate(messages, image),
                                          usage_of=usage, hint_of=error_hint)
        if reply.ok:
            return parse(reply)
        if reply.status == 400 and any(p in error_message(reply.data, reply.text).lower()
                                       for p in POLICY_PHRASES):
            return Response(text="", finish_reason="content_policy", raw_status=400,
                            latency=reply.latency, blocked="content_policy")
        raise self.unusable(reply, PATH)


def error_hint(status: int, data: Any, text: str) -> ErrorHint | None:
    """A used-up credit balance, spend limit or billing problem."""
    err = data.get("error") if isinstance(data, dict) else None
    if not isinstance(err, dict):
        return None
    message = error_message(data, text)
    details = err.get("details")
    code = str(details.get("error_code") or "") if isinstance(details, dict) else ""
    if status == 402 or err.get("type") == "billing_error" or "spend_limit" in code:
        return ErrorHint(exhausted=message)
    if status == 400 and any(p in message.lower() for p in BILLING_PHRASES):
        return ErrorHint(exhausted=message)
    return None


def usage(data: Any) -> Usage:
    u = data.get("usage") or {}
    return Usage(int(u.get("input_tokens") or 0), int(u.get("output_tokens") or 0))


def parse(reply: Reply) -> Response:
    data = reply.data
    blocks = data.get("content") if isinstance(data, dict) else None
    if not isinstance(blocks, list):
        raise CallFailed(f"unexpected answer: {error_message(data, reply.text)[:200]}",
                         status=reply.status)
    text = "".join(str(b.get("text", "")) for b in blocks
                   if isinstance(b, dict) and b.get("type") == "text")
    stop = data.get("stop_reason")
    return Response(text=text, finish_reason=stop, usage=usage(data), latency=reply.latency,
                    raw_status=reply.status, blocked="refusal" if stop == "refusal" else None)
