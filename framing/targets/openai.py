"""``openai``: any OpenAI-compatible ``/chat/completions`` endpoint (DESIGN §6).

OpenAI itself, vLLM, llama.cpp's server, Ollama, LM Studio, OpenRouter... ``base_url``
ends where ``/chat/completions`` starts (usually ``.../v1``). The image and the text go
in one user turn as content parts (the image as a base64 data URL); without an image
(text-only sample, or ``images = false``) the user content is a plain string, which
text-only servers require.

Provider blocks: ``finish_reason = "content_filter"`` (with Azure's
``content_filter_results``), a ``message.refusal`` and content-policy 400s become a
:class:`Response` with ``blocked`` set, which framing counts as a refusal tagged
``provider``. ``finish_reason = "length"`` is a truncated answer, never judged.

Reasoning models (the o-series, GPT-5) take the output budget as
``max_completion_tokens`` (their hidden reasoning counts against it) and refuse a
``temperature`` other than the default: for those names the body carries no
temperature, and the budget defaults to :data:`REASONING_MAX_TOKENS` unless the study
sets ``max_tokens``. Any other model that says the same in a 400 is switched over once.
(https://platform.openai.com/docs/guides/reasoning)

Quota: a 429 whose error ``type``/``code`` is ``insufficient_quota`` (or one of the
billing codes below) will not clear by waiting
(https://platform.openai.com/docs/guides/error-codes#api-errors).
"""

from __future__ import annotations

import re
from typing import Any

from framing.data.schema import Sample
from framing.targets.base import CallFailed, Image, Response, Usage
from framing.targets.http import ErrorHint, HttpTarget, Reply, data_url, error_message
from framing.templates import Messages

DEFAULT_BASE_URL = "https://api.openai.com/v1"
PATH = "/chat/completions"
#: error codes and phrases of a request refused by the provider's content policy
POLICY_CODES = frozenset({"content_policy_violation", "content_filter"})
POLICY_PHRASES = ("content management policy", "safety system", "content policy",
                  "content_policy")
#: error codes (and types) of a used-up quota or billing limit
QUOTA_CODES = frozenset({"insufficient_quota", "credit_balance_exhausted",
                         "organization_spend_limit_exceeded", "project_spend_limit_exceeded",
                         "organization_usage_limit_exceeded", "billing_hard_limit_reached",
                         "billing_not_active"})
#: model names of reasoning models (an optional ``provider/`` prefix, as on OpenRouter)
REASONING = re.compile(r"^(?:[\w.-]+/)?(?:o\d|gpt-5)", re.IGNORECASE)
#: the output budget of a reasoning model when the study sets none: room for the hidden
#: reasoning and a short answer
REASONING_MAX_TOKENS = 4096


def is_reasoning(model: str) -> bool:
    return REASONING.match(model) is not None


class OpenAITarget(HttpTarget):
    kind = "openai"
    #: the name of the output budget: ``max_tokens``, switched to
    #: ``max_completion_tokens`` when the server asks for it (same meaning)
    tokens_field = "max_tokens"
    reasoning_max_tokens = REASONING_MAX_TOKENS

    @staticmethod
    def is_reasoning(model: str) -> bool:
        return is_reasoning(model)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if is_reasoning(self.model):
            self.tokens_field = "max_completion_tokens"
            self.temperature = None  # only the default is accepted: send none

    async def _post(self, messages: Messages, image: Image | None) -> Reply:
        return await self.http.post_json(self.url, self.body(messages, image),
                                         estimate=self.estimate(messages, image),
                                         usage_of=usage, hint_of=error_hint)

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
        body: dict[str, Any] = {"model": self.model, "messages": chat,
                                self.tokens_field: self.max_tokens}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.reasoning_effort is not None:
            body["reasoning_effort"] = self.reasoning_effort
        return body

    async def generate(self, messages: Messages, image: Image | None, *,
                       sample: Sample | None = None) -> Response:
        reply = await self._post(messages, image)
        for _ in range(2):  # a model may ask for both changes, one at a time
            if reply.status != 400 or not self._adapt(reply):
                break
            reply = await self._post(messages, image)
        if reply.ok:
            return parse(reply)
        if reply.status == 400 and policy_block(reply):
            return Response(text="", finish_reason="content_policy", raw_status=400,
                            latency=reply.latency, blocked="content_policy")
        raise self.unusable(reply, PATH)

    def _adapt(self, reply: Reply) -> bool:
        """Follow a 400 that names a parameter this model takes differently; True when the
        request changed and is worth sending again."""
        message = error_message(reply.data, reply.text)
        err = reply.data.get("error") if isinstance(reply.data, dict) else None
        param = err.get("param") if isinstance(err, dict) else None
        if self.tokens_field == "max_tokens" and "max_completion_tokens" in message:
            # newer OpenAI models take the output budget under another name
            self.tokens_field = "max_completion_tokens"
            return True
        if self.temperature is not None and (param == "temperature"
                                             or "'temperature'" in message):
            self.temperature = None  # reasoning models take only the default
            return True
        return False

    def base_url_hint(self) -> str:
        return " (OpenAI-compatible servers usually end in /v1)"


def error_hint(status: int, data: Any, text: str) -> ErrorHint | None:
    """A used-up quota (``insufficient_quota`` and the billing codes)."""
    err = data.get("error") if isinstance(data, dict) else None
    if not isinstance(err, dict):
        return None
    if err.get("code") in QUOTA_CODES or err.get("type") in QUOTA_CODES:
        return ErrorHint(exhausted=error_message(data, text))
    return None


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
    blocked = None
    if finish == "content_filter":
        blocked = "content_filter" + _filtered(choice.get("content_filter_results"))
    elif message.get("refusal"):
        # the documented refusal field: the model declined under OpenAI's policy
        text = text or str(message["refusal"])
        blocked = "refusal"
    return Response(text=text, finish_reason=finish, usage=usage(data), latency=reply.latency,
                    raw_status=reply.status, blocked=blocked)


def _filtered(results: Any) -> str:
    """``:hate,violence`` for Azure's ``content_filter_results`` categories that filtered."""
    if not isinstance(results, dict):
        return ""
    names = sorted(k for k, v in results.items() if isinstance(v, dict) and v.get("filtered"))
    return ":" + ",".join(names) if names else ""


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
