"""``openai``: any OpenAI-compatible ``/chat/completions`` endpoint (DESIGN §6).

OpenAI itself, vLLM, llama.cpp's server, Ollama, LM Studio, OpenRouter... ``base_url``
ends where ``/chat/completions`` starts (usually ``.../v1``). The image and the text go
in one user turn as content parts (the image as a base64 data URL); without an image
(text-only sample, or ``images = false``) the user content is a plain string, which
text-only servers require.

Provider blocks: ``finish_reason = "content_filter"`` and content-policy 400s become a
:class:`Response` with ``blocked`` set, which framing counts as a refusal tagged
``provider``.
"""

from __future__ import annotations

from typing import Any

from framing.data.schema import Sample
from framing.targets.base import CallFailed, Image, Response, Usage
from framing.targets.http import HttpTarget, Reply, data_url, error_message
from framing.templates import Messages

DEFAULT_BASE_URL = "https://api.openai.com/v1"
PATH = "/chat/completions"
#: error codes and phrases of a request refused by the provider's content policy
POLICY_CODES = frozenset({"content_policy_violation", "content_filter"})
POLICY_PHRASES = ("content management policy", "safety system", "content policy",
                  "content_policy")


class OpenAITarget(HttpTarget):
    kind = "openai"
    #: the name of the output budget: ``max_tokens``, switched to
    #: ``max_completion_tokens`` when the server asks for it (same meaning)
    tokens_field = "max_tokens"

    async def _post(self, messages: Messages, image: Image | None) -> Reply:
        return await self.http.post_json(self.url, self.body(messages, image),
                                         estimate=self.estimate(messages, image),
                                         usage_of=usage)

    @property
    def url(self) -> str:
        return self.base_url + PATH

    def body(self, messages: Messages, image: Image | None) -> dict[str, Any]:
        user: str | list[dict[str, Any]] = messages.user
        if image is not None:
            user = [{"type": "text", "text": messages.user},
                    {"type": "image_url", "image_url": {"url": data_url(image)}}]
        chat: list[dict[str, Any]] = []
        if messages.system:
            chat.append({"role": "system", "content": messages.system})
        chat.append({"role": "user", "content": user})
        return {"model": self.model, "messages": chat, "temperature": self.temperature,
                self.tokens_field: self.max_tokens}

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        reply = await self._post(messages, image)
        if (reply.status == 400 and self.tokens_field == "max_tokens"
                and "max_completion_tokens" in error_message(reply.data, reply.text)):
            # newer OpenAI models take the output budget under another name
            self.tokens_field = "max_completion_tokens"
            reply = await self._post(messages, image)
        if reply.ok:
            return parse(reply)
        if reply.status == 400 and policy_block(reply):
            return Response(text="", finish_reason="content_policy", raw_status=400,
                            latency=reply.latency, blocked="content_policy")
        raise self.unusable(reply, PATH)

    def base_url_hint(self) -> str:
        return " (OpenAI-compatible servers usually end in /v1)"


def usage(data: Any) -> Usage:
    u = data.get("usage") or {}
    return Usage(int(u.get("prompt_tokens") or 0), int(u.get("completion_tokens") or 0))


def parse(reply: Reply) -> Response:
    data = reply.data
    try:
        choice = data["choices"][0]
        message = choice.get("message") or {}
    except (KeyError, IndexError, TypeError, AttributeError):
        raise CallFailed(f"unexpected answer: {error_message(data, reply.text)[:200]}",
                         status=reply.status) from None
    finish = choice.get("finish_reason")
    text = _text(message.get("content"))
    if not text and message.get("refusal"):
        text = str(message["refusal"])  # the model's own refusal, judged like any text
    return Response(text=text, finish_reason=finish, usage=usage(data), latency=reply.latency,
                    raw_status=reply.status,
                    blocked="content_filter" if finish == "content_filter" else None)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # some servers answer with content parts
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def policy_block(reply: Reply) -> bool:
    """Whether a 400 is the provider refusing the request on content grounds."""
    err = reply.data.get("error") if isinstance(reply.data, dict) else None
    if isinstance(err, dict) and err.get("code") in POLICY_CODES:
        return True
    message = error_message(reply.data, reply.text).lower()
    return any(p in message for p in POLICY_PHRASES)
