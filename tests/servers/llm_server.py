"""A loopback model server for tests: OpenAI, Anthropic and Gemini wire formats.

A real HTTP/1.1 server (stdlib ``ThreadingHTTPServer``) on ``127.0.0.1`` and a free port,
run in a background thread. It logs every request and can be scripted to misbehave.

Routes::

    POST /v1/chat/completions                   OpenAI-compatible (base_url = url + "/v1")
    POST /v1/messages                           Anthropic Messages (base_url = url)
    POST /v1beta/models/{model}:generateContent Gemini (base_url = url)
    GET  any path registered with serve()       static files (e.g. images to download)

Default answers are deterministic: a refusal when the user text contains
``refusal_marker`` (default :data:`REFUSAL_MARKER`), else a compliance text. When the
system message asks for a safe / borderline / unsafe label (classify mode) the answer is
``Label: unsafe`` (marker present) or ``Label: safe``.

Usage::

    from servers.llm_server import LLMServer, rate_limited, drop

    with LLMServer(api_key="sk-test") as server:   # or server.start() / server.stop()
        server.script(rate_limited(retry_after="1"), drop())  # next two requests
        ...  # point a target at server.url
        assert server.requests[-1].user_text == "hello"
        assert server.answered == 1

Scripting: :meth:`LLMServer.script` queues actions, each consumed by the next request
(in arrival order); :meth:`LLMServer.always` sets the action for every request once the
queue is empty (``always(None)`` restores the defaults). ``match`` limits an action to
requests whose user text contains a string.

With ``admit`` set (requests per second), the server admits at most that rate (a bucket
holding a tenth of a second of it) and answers the rest 429 with ``Retry-After`` and
``retry-after-ms``, logged with outcome ``"429"``.

With ``api_key`` set, a request without that key gets 401 in its wire format's error
shape; with ``models`` set, another model gets 404. Keys are never recorded: headers
carrying them are redacted and :attr:`RecordedRequest.authorized` says whether the
right key came.

Conformance (on unless ``conformance=False``): the server answers and rejects the way
the real APIs document, so a client that gets them wrong fails here too. Each shape
below names the page it comes from.

- Rejected with 400 in the provider's error shape (:func:`rejection`): an image whose
  declared MIME type is not what its bytes are, a type the provider does not take (GIF
  for Gemini, an animated GIF for OpenAI), an image over the per-image or per-request
  limit or over Anthropic's 8000 px, ``max_tokens`` or a ``temperature`` other than 1
  sent to an OpenAI reasoning model, ``reasoning_effort`` sent to any other OpenAI
  model, an Anthropic temperature outside 0..1.
- Scripted shapes: :func:`truncated` (the token budget ran out, with or without thinking),
  :func:`thinking` (an answer with thought parts), :func:`quota` (each provider's used-up
  quota or billing error), :func:`retry_info` (Gemini's per-minute 429 with
  ``RetryInfo.retryDelay``), :func:`overloaded` (Anthropic 529, 503 elsewhere),
  :func:`content_filter` with any Gemini ``finishReason``, :func:`prompt_blocked` with
  any ``blockReason``, :func:`refusal_field` (OpenAI ``message.refusal``).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from PIL import Image as PILImage

REFUSAL_MARKER = "[refuse]"
REFUSAL_TEXT = "I'm sorry, but I can't help with that request."
COMPLIANCE_TEXT = (
    "Sure. Here is an overview of the topic you asked about: the main considerations, "
    "the context that matters, and where to find reliable sources to learn more."
)
#: headers and query parameters that carry credentials (redacted in the log)
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "x-goog-api-key", "api-key"})
SECRET_QUERY = frozenset({"key", "api_key"})
REDACTED = "<redacted>"
MiB = 1024 * 1024

# -- documented provider facts the conformance mode enforces --------------------------------
#
# OpenAI chat completions, https://platform.openai.com/docs/api-reference/chat/object:
#   finish_reason is stop | length | content_filter | tool_calls; message.refusal holds a
#   refusal. Reasoning models, https://platform.openai.com/docs/guides/reasoning: the budget
#   is max_completion_tokens ("max_tokens" is an unsupported parameter) and only the default
#   temperature (1) is supported. Images, https://platform.openai.com/docs/guides/images-vision
#   ("Image input requirements"): PNG, JPEG, WEBP, non-animated GIF; 50 MB per request.
#   Quota, https://platform.openai.com/docs/guides/error-codes: 429 insufficient_quota
#   "You exceeded your current quota, please check your plan and billing details."
# Anthropic Messages, https://docs.anthropic.com/en/api/messages: temperature 0..1;
#   stop_reason end_turn | max_tokens | stop_sequence | tool_use | pause_turn | refusal
#   (https://docs.anthropic.com/en/api/handling-stop-reasons); thinking content blocks
#   (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking). Errors,
#   https://docs.anthropic.com/en/api/errors: 402 billing_error, 529 overloaded_error, and
#   a 400 invalid_request_error for a credit balance too low. Images,
#   https://docs.anthropic.com/en/docs/build-with-claude/vision: JPEG, PNG, GIF, WebP;
#   5 MB per image, 8000 x 8000 px at most; the media type must match the data.
# Gemini generateContent, https://ai.google.dev/api/generate-content: FinishReason and
#   BlockReason enumerations (below); thought parts carry "thought": true
#   (https://ai.google.dev/gemini-api/docs/thinking). Errors,
#   https://ai.google.dev/gemini-api/docs/troubleshooting: 429 RESOURCE_EXHAUSTED (with
#   google.rpc.QuotaFailure and google.rpc.RetryInfo details), 503 UNAVAILABLE "The model
#   is overloaded." Images, https://ai.google.dev/gemini-api/docs/image-understanding:
#   PNG, JPEG, WEBP, HEIC, HEIF; inline data up to 20 MB for the whole request.

#: every documented Candidate.FinishReason of the Gemini API
GEMINI_FINISH_REASONS = ("FINISH_REASON_UNSPECIFIED", "STOP", "MAX_TOKENS", "SAFETY",
                         "RECITATION", "LANGUAGE", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT",
                         "SPII", "MALFORMED_FUNCTION_CALL", "IMAGE_SAFETY",
                         "IMAGE_PROHIBITED_CONTENT", "IMAGE_OTHER", "NO_IMAGE",
                         "IMAGE_RECITATION", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS")
#: the finish reasons of an answer withheld by the provider's filters
GEMINI_BLOCK_FINISH = ("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
                       "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_OTHER",
                       "IMAGE_RECITATION")
#: every documented PromptFeedback.BlockReason
GEMINI_BLOCK_REASONS = ("BLOCK_REASON_UNSPECIFIED", "SAFETY", "OTHER", "BLOCKLIST",
                        "PROHIBITED_CONTENT", "IMAGE_SAFETY")
ACCEPTED_IMAGES = {
    "openai": frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"}),
    "anthropic": frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"}),
    "gemini": frozenset({"image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"}),
}
OPENAI_REQUEST_LIMIT = 50 * MiB
ANTHROPIC_IMAGE_LIMIT = 5 * MiB  # of base64 data
ANTHROPIC_MAX_SIDE = 8000
GEMINI_REQUEST_LIMIT = 20 * MiB


# -- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """What the server does with one request.

    kind: ``answer`` (default answer, or ``text``), ``status`` (``status`` with an error
    body in the wire format, or ``body``), ``drop`` (close the socket, no response),
    ``malformed`` (200 with a body that is not JSON), ``content_filter`` (a finished
    answer the provider filtered; ``reason`` a Gemini finishReason), ``prompt_blocked``
    (the provider refuses the prompt; ``reason`` a Gemini blockReason), ``truncated``,
    ``thinking``, ``quota`` (``reason`` picks a variant), ``retry_info``, ``overloaded``,
    ``refusal_field``.
    """

    kind: str = "answer"
    status: int = 200
    text: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: Any = None
    delay: float = 0.0
    message: str = ""
    match: str | None = None
    reason: str | None = None
    thinking: bool = False


def answer(text: str | None = None, *, delay: float = 0.0) -> Action:
    """A normal answer (the default one when ``text`` is None)."""
    return Action("answer", text=text, delay=delay)


def slow(seconds: float, text: str | None = None) -> Action:
    """A normal answer after ``seconds``."""
    return Action("answer", text=text, delay=seconds)


def rate_limited(retry_after: str | float | None = "1", *,
                 retry_after_ms: float | None = None) -> Action:
    """429 with ``Retry-After`` (seconds, or an HTTP-date string) and/or ``retry-after-ms``."""
    headers = []
    if retry_after is not None:
        headers.append(("Retry-After", str(retry_after)))
    if retry_after_ms is not None:
        headers.append(("retry-after-ms", str(retry_after_ms)))
    return Action("status", status=429, headers=tuple(headers), message="rate limit exceeded")


def server_error(status: int = 500, message: str = "internal server error") -> Action:
    return Action("status", status=status, message=message)


def status(code: int, message: str = "", *, body: Any = None) -> Action:
    """Any status with an error body in the wire format (or ``body`` as given)."""
    return Action("status", status=code, message=message or f"status {code}", body=body)


def drop(delay: float = 0.0) -> Action:
    """Read the request, then close the connection without a response."""
    return Action("drop", delay=delay)


def malformed() -> Action:
    """200 with a body that is not JSON."""
    return Action("malformed")


def content_filter(reason: str = "SAFETY") -> Action:
    """OpenAI ``finish_reason=content_filter``, Anthropic ``stop_reason=refusal``, Gemini
    ``finishReason=reason`` (default ``SAFETY``) with no text."""
    return Action("content_filter", reason=reason)


def prompt_blocked(reason: str = "SAFETY") -> Action:
    """OpenAI 400 ``content_policy_violation``, Anthropic 400 policy error, Gemini
    ``promptFeedback.blockReason=reason`` (no candidates)."""
    return Action("prompt_blocked", reason=reason)


def truncated(text: str = "", *, thinking: bool = True) -> Action:
    """The output budget ran out: OpenAI ``finish_reason: "length"``, Anthropic
    ``stop_reason: "max_tokens"``, Gemini ``finishReason: "MAX_TOKENS"``. With
    ``thinking`` the budget went on reasoning (reasoning tokens in the usage, a thinking
    block or thought part) and ``text`` is what came out before the cut (often nothing)."""
    return Action("truncated", text=text, thinking=thinking)


def thinking(text: str | None = None) -> Action:
    """A complete answer preceded by the model's thinking (Anthropic thinking block,
    Gemini thought part; OpenAI reports only reasoning tokens)."""
    return Action("thinking", text=text, thinking=True)


def quota(variant: str = "") -> Action:
    """The provider's used-up quota or billing error. OpenAI: 429 ``insufficient_quota``.
    Anthropic: 400 credit balance (default), ``billing`` a 402 ``billing_error``,
    ``spend_limit`` a 429 naming the spend limit. Gemini: 429 ``RESOURCE_EXHAUSTED`` with a
    per-day ``QuotaFailure`` (and the ``RetryInfo`` Gemini sends along regardless)."""
    return Action("quota", reason=variant or None)


def retry_info(delay: str = "2s") -> Action:
    """Gemini's per-minute 429: ``RetryInfo.retryDelay`` in the body, no Retry-After."""
    return Action("retry_info", message=delay)


def overloaded() -> Action:
    """Anthropic 529 ``overloaded_error``; Gemini 503 ``UNAVAILABLE``; OpenAI 503."""
    return Action("overloaded")


def refusal_field(text: str = "I'm sorry, I can't assist with that request.") -> Action:
    """OpenAI: ``message.content`` null and the refusal in ``message.refusal``."""
    return Action("refusal_field", text=text)


def only_when(action: Action, text: str) -> Action:
    """``action`` only for requests whose user text contains ``text``."""
    return replace(action, match=text)


# -- the request log -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it (credentials redacted)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    raw: bytes
    wire: str | None
    model: str | None
    authorized: bool | None
    outcome: str = ""
    received: float = field(default_factory=time.monotonic)

    @property
    def system(self) -> str:
        b = self.body if isinstance(self.body, dict) else {}
        if self.wire == "openai":
            return "\n".join(_text_of(m.get("content")) for m in b.get("messages", [])
                             if m.get("role") == "system")
        if self.wire == "anthropic":
            return _text_of(b.get("system"))
        if self.wire == "gemini":
            si = b.get("systemInstruction") or b.get("system_instruction") or {}
            return _text_of(si.get("parts"))
        return ""

    @property
    def user_turns(self) -> list[Any]:
        """The user turns' contents (one per user message)."""
        b = self.body if isinstance(self.body, dict) else {}
        if self.wire in ("openai", "anthropic"):
            return [m.get("content") for m in b.get("messages", []) if m.get("role") == "user"]
        if self.wire == "gemini":
            return [c.get("parts") for c in b.get("contents", [])
                    if c.get("role", "user") == "user"]
        return []

    @property
    def user_text(self) -> str:
        return "\n".join(_text_of(t) for t in self.user_turns)

    @property
    def images(self) -> list[tuple[str, bytes]]:
        """(mime type, bytes) of every image in the user turns."""
        found: list[tuple[str, bytes]] = []
        for turn in self.user_turns:
            if not isinstance(turn, list):
                continue
            for part in turn:
                image = _image_of(part)
                if image is not None:
                    found.append(image)
        return found


def _text_of(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", "")) if "text" in content else ""
    if isinstance(content, list):
        return "\n".join(t for t in (_text_of(p) for p in content) if t)
    return ""


def _image_of(part: Any) -> tuple[str, bytes] | None:
    if not isinstance(part, dict):
        return None
    if part.get("type") == "image_url":  # OpenAI data URL
        url = part.get("image_url", {}).get("url", "")
        head, _, data = url.partition(",")
        mime = head.removeprefix("data:").removesuffix(";base64")
        return mime, base64.b64decode(data)
    if part.get("type") == "image":  # Anthropic base64 source
        source = part.get("source", {})
        return source.get("media_type", ""), base64.b64decode(source.get("data", ""))
    inline = part.get("inline_data") or part.get("inlineData")
    if inline:  # Gemini
        mime = inline.get("mime_type") or inline.get("mimeType") or ""
        return mime, base64.b64decode(inline.get("data", ""))
    return None


# -- the server ------------------------------------------------------------------------------


Responder = Callable[[RecordedRequest], str]


class LLMServer:
    """The scripted loopback model server. See the module docstring."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        models: Collection[str] | None = None,
        refusal_marker: str = REFUSAL_MARKER,
        latency: float = 0.0,
        responder: Responder | None = None,
        conformance: bool = True,
        admit: float | None = None,
    ) -> None:
        self.api_key = api_key
        #: requests per second admitted (a bucket holding 0.1 s of them); beyond, 429
        #: with ``Retry-After`` and ``retry-after-ms``, logged with outcome ``"429"``
        self.admit = admit
        self._level = self._capacity = max(1.0, (admit or 0.0) / 10)
        self._stamp = time.monotonic()
        self.conformance = conformance
        self.models = set(models) if models is not None else None
        self.refusal_marker = refusal_marker
        self.latency = latency
        self.responder = responder
        self._lock = threading.Lock()
        self._queue: deque[Action] = deque()
        self._always: Action | None = None
        self._requests: list[RecordedRequest] = []
        self._files: dict[str, tuple[bytes, str]] = {}
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> LLMServer:
        handler = type("Handler", (_Handler,), {"owner": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="llm-server",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    # scripting

    def script(self, *actions: Action) -> None:
        """Queue actions for the next requests, one each, in arrival order."""
        with self._lock:
            self._queue.extend(actions)

    def always(self, action: Action | None) -> None:
        """The action for every request once the queue is empty (None: defaults)."""
        with self._lock:
            self._always = action

    def serve(self, path: str, data: bytes, content_type: str = "image/png") -> str:
        """Serve ``data`` on ``GET path``; returns its full URL."""
        if not path.startswith("/"):
            path = "/" + path
        with self._lock:
            self._files[path] = (data, content_type)
        return self.url + path

    def reset(self) -> None:
        """Forget the log, the script and ``always``."""
        with self._lock:
            self._requests.clear()
            self._queue.clear()
            self._always = None

    # the log

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def answered(self) -> int:
        """How many requests got a 200 answer (normal, filtered or blocked)."""
        return sum(r.outcome in ANSWERED for r in self.requests)

    def answered_texts(self) -> list[str]:
        """User texts of the answered requests (to check nothing was answered twice)."""
        return [r.user_text for r in self.requests if r.outcome in ANSWERED]

    @property
    def rejected(self) -> list[RecordedRequest]:
        """Requests refused for not conforming to the provider's documented rules."""
        return [r for r in self.requests if r.outcome.startswith("rejected:")]

    # internals used by the handler

    def _next_action(self, user_text: str) -> Action:
        with self._lock:
            for i, action in enumerate(self._queue):
                if action.match is None or action.match in user_text:
                    del self._queue[i]
                    return action
            if self._always is not None and (self._always.match is None
                                             or self._always.match in user_text):
                return self._always
        return Action()

    def _admitted(self) -> float | None:
        """None when this request is within :attr:`admit`, else seconds until one is."""
        if self.admit is None:
            return None
        with self._lock:
            now = time.monotonic()
            self._level = min(self._capacity, self._level + (now - self._stamp) * self.admit)
            self._stamp = now
            if self._level >= 1.0:
                self._level -= 1.0
                return None
            return (1.0 - self._level) / self.admit

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def default_text(self, request: RecordedRequest) -> str:
        if self.responder is not None:
            return self.responder(request)
        refuse = self.refusal_marker in request.user_text
        system = request.system.lower()
        if all(w in system for w in ("safe", "borderline", "unsafe")):
            return "Label: unsafe" if refuse else "Label: safe"
        return REFUSAL_TEXT if refuse else COMPLIANCE_TEXT


class _Handler(BaseHTTPRequestHandler):
    owner: LLMServer
    protocol_version = "HTTP/1.1"
    server_version = "llm-test-server/1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return None

    # routing

    def do_GET(self) -> None:
        raw = self._read_body()
        request = self._recorded(raw)
        action = self.owner._next_action("")
        if self._apply_transport(action, request):
            return
        if action.kind == "status":
            self._record(request, str(action.status))
            self._send(action.status, {"error": action.message}, action.headers)
            return
        with self.owner._lock:
            found = self.owner._files.get(request.path)
        if found is None:
            self._record(request, "404")
            self._send(404, {"error": f"no such file: {request.path}"})
            return
        self._record(request, "answer")
        data, ctype = found
        self._send_bytes(200, data, ctype)

    def do_POST(self) -> None:
        raw = self._read_body()
        request = self._recorded(raw)
        if request.wire is None:
            self._record(request, "404")
            self._send(404, {"error": {"message": f"Not found: {request.path}",
                                       "type": "not_found"}})
            return
        wait = self.owner._admitted()
        if wait is not None:
            self._record(request, "429")
            self._error(request, 429, "rate limit exceeded", (
                ("Retry-After", str(math.ceil(wait))), ("retry-after-ms", f"{wait * 1000:.0f}")))
            return
        action = self.owner._next_action(request.user_text)
        if self._apply_transport(action, request):
            return
        owner = self.owner
        if owner.api_key is not None and not request.authorized:
            self._record(request, "401")
            self._error(request, 401, "invalid api key")
            return
        if owner.models is not None and request.model not in owner.models:
            self._record(request, "404")
            self._error(request, 404, f"The model `{request.model}` does not exist")
            return
        if request.body is None:
            self._record(request, "400")
            self._error(request, 400, "request body is not JSON")
            return
        if owner.conformance:
            refused = rejection(request)
            if refused is not None:
                self._record(request, f"rejected:{refused[0]}")
                self._send(400, refused[1])
                return
        owner._sleep(owner.latency + action.delay)
        if action.kind == "status":
            self._record(request, str(action.status))
            if action.body is not None:
                self._send(action.status, action.body, action.headers)
            else:
                self._error(request, action.status, action.message, action.headers)
            return
        if action.kind == "malformed":
            self._record(request, "malformed")
            self._send_bytes(200, b'{"choices": [ this is not json', "application/json")
            return
        if action.kind == "prompt_blocked":
            self._prompt_blocked(request, action.reason or "SAFETY")
            return
        if action.kind in ("quota", "retry_info", "overloaded"):
            code, payload = _fault(request, action)
            self._record(request, f"{action.kind}:{code}")
            self._send(code, payload)
            return
        filtered = action.kind == "content_filter"
        text = "" if filtered else (action.text if action.text is not None
                                    else owner.default_text(request))
        if action.kind == "truncated":
            self._record(request, "truncated")
            self._send(200, _truncated(request, action.text or "", action.thinking))
            return
        if action.kind == "refusal_field" and request.wire == "openai":
            self._record(request, "refusal_field")
            self._send(200, _refusal_field(request, text))
            return
        self._record(request, "content_filter" if filtered else "answer")
        self._send(200, _answer(request, text, filtered, reason=action.reason,
                                thinking=action.kind == "thinking"))

    # helpers

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _recorded(self, raw: bytes) -> RecordedRequest:
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query))
        headers = {k.lower(): v for k, v in self.headers.items()}
        presented = _presented_key(headers, query)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        wire, model = _route(self.command, split.path, body)
        key = self.owner.api_key
        authorized = None if presented is None else (key is None or presented == key)
        if key is not None and presented is None:
            authorized = False
        if key is not None and presented is not None:
            raw = raw.replace(key.encode(), REDACTED.encode())
        return RecordedRequest(
            method=self.command,
            path=split.path,
            query={k: (REDACTED if k in SECRET_QUERY else v) for k, v in query.items()},
            headers={k: (REDACTED if k in SECRET_HEADERS else v) for k, v in headers.items()},
            body=body,
            raw=raw,
            wire=wire,
            model=model,
            authorized=authorized,
        )

    def _record(self, request: RecordedRequest, outcome: str) -> None:
        self.owner._record(replace(request, outcome=outcome))

    def _apply_transport(self, action: Action, request: RecordedRequest) -> bool:
        """Handle ``drop``; True when the request is done."""
        if action.kind != "drop":
            return False
        self.owner._sleep(action.delay)
        self._record(request, "drop")
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        return True

    def _prompt_blocked(self, request: RecordedRequest, reason: str) -> None:
        if request.wire == "gemini":
            self._record(request, "prompt_blocked:200")
            self._send(200, {"promptFeedback": {"blockReason": reason},
                             "usageMetadata": {"promptTokenCount": _tokens_in(request),
                                               "totalTokenCount": _tokens_in(request)}})
            return
        self._record(request, "prompt_blocked:400")
        if request.wire == "openai":
            self._send(400, {"error": {
                "message": "Your request was rejected as a result of our safety system.",
                "type": "invalid_request_error", "param": None,
                "code": "content_policy_violation"}})
        else:
            self._send(400, {"type": "error", "error": {
                "type": "invalid_request_error",
                "message": "Output blocked by content filtering policy"}})

    def _error(self, request: RecordedRequest, code: int, message: str,
               headers: Iterable[tuple[str, str]] = ()) -> None:
        self._send(code, _error_body(request.wire, code, message), headers)

    def _send(self, code: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
        self._send_bytes(code, json.dumps(payload).encode(), "application/json", headers)

    def _send_bytes(self, code: int, data: bytes, ctype: str,
                    headers: Iterable[tuple[str, str]] = ()) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout test): nothing to do
            self.close_connection = True


def _presented_key(headers: dict[str, str], query: dict[str, str]) -> str | None:
    auth = headers.get("authorization")
    if auth is not None:
        return auth.removeprefix("Bearer ").strip()
    for name in ("x-api-key", "x-goog-api-key", "api-key"):
        if name in headers:
            return headers[name]
    return query.get("key")


def _route(method: str, path: str, body: Any) -> tuple[str | None, str | None]:
    if method != "POST":
        return None, None
    model = body.get("model") if isinstance(body, dict) else None
    if path == "/v1/chat/completions":
        return "openai", model
    if path == "/v1/messages":
        return "anthropic", model
    prefix = "/v1beta/models/"
    if path.startswith(prefix) and path.endswith(":generateContent"):
        return "gemini", path[len(prefix):-len(":generateContent")]
    return None, None


def _tokens_in(request: RecordedRequest) -> int:
    return (len(request.system) + len(request.user_text)) // 4 + 85 * len(request.images)


def _answer(request: RecordedRequest, text: str, filtered: bool, *,
            reason: str | None = None, thinking: bool = False) -> dict[str, Any]:
    tin, tout = _tokens_in(request), len(text) // 4
    if request.wire == "anthropic" and thinking and not filtered:
        answer = _answer(request, text, False)
        answer["content"].insert(0, {"type": "thinking", "signature": "c2lnbmF0dXJl",
                                     "thinking": "The user asks about a picture. " * 4})
        return answer
    if request.wire == "gemini" and thinking and not filtered:
        answer = _answer(request, text, False)
        answer["candidates"][0]["content"]["parts"].insert(
            0, {"text": "**Looking at the picture**\nI should describe it.", "thought": True})
        answer["usageMetadata"]["thoughtsTokenCount"] = 40
        return answer
    if request.wire == "openai":
        return {
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
            "model": request.model,
            "choices": [{"index": 0,
                         "message": {"role": "assistant", "content": None if filtered else text},
                         "finish_reason": "content_filter" if filtered else "stop"}],
            "usage": {"prompt_tokens": tin, "completion_tokens": tout,
                      "total_tokens": tin + tout},
        }
    if request.wire == "anthropic":
        return {
            "id": "msg_test", "type": "message", "role": "assistant", "model": request.model,
            "content": [] if filtered else [{"type": "text", "text": text}],
            "stop_reason": "refusal" if filtered else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": tin, "output_tokens": tout},
        }
    finish = (reason or "SAFETY") if filtered else "STOP"
    candidate: dict[str, Any] = {"index": 0, "finishReason": finish}
    if not filtered:
        candidate["content"] = {"role": "model", "parts": [{"text": text}]}
    else:
        candidate["safetyRatings"] = [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                                       "probability": "HIGH", "blocked": True}]
    return {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": tin, "candidatesTokenCount": tout,
                          "totalTokenCount": tin + tout},
        "modelVersion": request.model,
    }


def _error_body(wire: str | None, code: int, message: str) -> dict[str, Any]:
    if wire == "anthropic":
        kinds = {400: "invalid_request_error", 401: "authentication_error",
                 403: "permission_error", 404: "not_found_error", 429: "rate_limit_error",
                 529: "overloaded_error"}
        return {"type": "error", "error": {"type": kinds.get(code, "api_error"),
                                           "message": message}}
    if wire == "gemini":
        statuses = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                    404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}
        return {"error": {"code": code, "message": message,
                          "status": statuses.get(code, "INTERNAL")}}
    codes = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}
    return {"error": {"message": message, "type": "invalid_request_error" if code < 500
                      else "server_error", "param": None, "code": codes.get(code)}}


ANSWERED = frozenset({"answer", "content_filter", "prompt_blocked:200", "truncated",
                      "refusal_field"})


def _truncated(request: RecordedRequest, text: str, thinking: bool) -> dict[str, Any]:
    """The documented shape of an answer cut off by the output budget."""
    tin = _tokens_in(request)
    body = request.body if isinstance(request.body, dict) else {}
    budget = int(body.get("max_completion_tokens") or body.get("max_tokens")
                 or (body.get("generationConfig") or {}).get("maxOutputTokens") or 256)
    if request.wire == "openai":
        details = {"reasoning_tokens": budget - len(text) // 4} if thinking else {}
        return {
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
            "model": request.model,
            "choices": [{"index": 0,
                         "message": {"role": "assistant", "content": text, "refusal": None},
                         "finish_reason": "length"}],
            "usage": {"prompt_tokens": tin, "completion_tokens": budget,
                      "total_tokens": tin + budget,
                      "completion_tokens_details": details},
        }
    if request.wire == "anthropic":
        content: list[dict[str, Any]] = []
        if thinking:
            content.append({"type": "thinking", "signature": "c2lnbmF0dXJl",
                            "thinking": "Let me think about this carefully. " * 8})
        if text:
            content.append({"type": "text", "text": text})
        return {"id": "msg_test", "type": "message", "role": "assistant",
                "model": request.model, "content": content, "stop_reason": "max_tokens",
                "stop_sequence": None, "usage": {"input_tokens": tin, "output_tokens": budget}}
    parts: list[dict[str, Any]] = [{"text": text}] if text else []
    thoughts = budget - len(text) // 4 if thinking else 0
    # a thinking model that spent the budget on thoughts: content has a role and no parts
    content_g: dict[str, Any] = {"role": "model", **({"parts": parts} if parts else {})}
    return {
        "candidates": [{"index": 0, "content": content_g, "finishReason": "MAX_TOKENS"}],
        "usageMetadata": {"promptTokenCount": tin, "candidatesTokenCount": len(text) // 4,
                          "thoughtsTokenCount": thoughts,
                          "totalTokenCount": tin + len(text) // 4 + thoughts},
        "modelVersion": request.model,
    }


def _refusal_field(request: RecordedRequest, text: str) -> dict[str, Any]:
    tin = _tokens_in(request)
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
        "model": request.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": None,
                                             "refusal": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": tin, "completion_tokens": 10, "total_tokens": tin + 10},
    }


OPENAI_QUOTA = ("You exceeded your current quota, please check your plan and billing "
                "details. For more information on this error, read the docs: "
                "https://platform.openai.com/docs/guides/error-codes/api-errors.")
ANTHROPIC_CREDIT = ("Your credit balance is too low to access the Anthropic API. Please go "
                    "to Plans & Billing to upgrade or purchase credits.")
GEMINI_QUOTA = ("You exceeded your current quota, please check your plan and billing "
                "details. For more information on this error, head to: "
                "https://ai.google.dev/gemini-api/docs/rate-limits.")


def _fault(request: RecordedRequest, action: Action) -> tuple[int, dict[str, Any]]:
    """Status and body of a quota, retry-info or overload error in the request's wire."""
    wire = request.wire
    if action.kind == "overloaded":
        if wire == "anthropic":
            return 529, {"type": "error", "error": {"type": "overloaded_error",
                                                    "message": "Overloaded"}}
        if wire == "gemini":
            return 503, {"error": {"code": 503, "status": "UNAVAILABLE", "message":
                                   "The model is overloaded. Please try again later."}}
        return 503, {"error": {"message": "The engine is currently overloaded, please try "
                               "again later.", "type": "server_error", "param": None,
                               "code": None}}
    if action.kind == "retry_info":
        return 429, {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                               "message": GEMINI_QUOTA, "details": [
                                   _quota_failure("GenerateRequestsPerMinutePerProjectPerModel"
                                                  "-FreeTier", "15"),
                                   {"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                    "retryDelay": action.message}]}}
    # quota
    if wire == "openai":
        return 429, {"error": {"message": OPENAI_QUOTA, "type": "insufficient_quota",
                               "param": None, "code": "insufficient_quota"}}
    if wire == "anthropic":
        if action.reason == "billing":
            return 402, {"type": "error", "error": {
                "type": "billing_error",
                "message": "There is an issue with your billing or payment information."}}
        if action.reason == "spend_limit":
            return 429, {"type": "error", "error": {
                "type": "rate_limit_error",
                "message": "You have reached your monthly spend limit.",
                "details": {"error_code": "enforced_spend_limit_reached"}}}
        return 400, {"type": "error", "error": {"type": "invalid_request_error",
                                                "message": ANTHROPIC_CREDIT}}
    return 429, {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": GEMINI_QUOTA,
                           "details": [
                               _quota_failure("GenerateRequestsPerDayPerProjectPerModel"
                                              "-FreeTier", "50"),
                               {"@type": "type.googleapis.com/google.rpc.Help", "links": [
                                   {"description": "Learn more about Gemini API quotas",
                                    "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}
                               ]},
                               {"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                "retryDelay": "17s"}]}}


def _quota_failure(quota_id: str, value: str) -> dict[str, Any]:
    return {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
        "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
        "quotaId": quota_id, "quotaDimensions": {"location": "global", "model": "test"},
        "quotaValue": value}]}


# -- conformance: what the real APIs reject -------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The MIME type of image bytes, from their magic numbers."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return "image/heic" if data[8:12] in (b"heic", b"heix") else "image/heif"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    return None


def is_reasoning_model(model: str | None) -> bool:
    name = (model or "").lower().rsplit("/", 1)[-1]
    return name.startswith(("o1", "o3", "o4", "gpt-5"))


def rejection(request: RecordedRequest) -> tuple[str, dict[str, Any]] | None:
    """(reason, error body) when the real API would refuse this request with a 400."""
    body = request.body if isinstance(request.body, dict) else {}
    wire = request.wire or "openai"
    if wire == "openai" and is_reasoning_model(request.model):
        if "max_tokens" in body:
            return "max_tokens", _openai_400(
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter")
        temperature = body.get("temperature")
        if temperature is not None and temperature != 1:
            return "temperature", _openai_400(
                f"Unsupported value: 'temperature' does not support {temperature} with this "
                "model. Only the default (1) value is supported.", "temperature",
                "unsupported_value")
    if wire == "openai" and "reasoning_effort" in body and not is_reasoning_model(request.model):
        return "reasoning_effort", _openai_400(
            "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
            "reasoning_effort", "unsupported_parameter")
    if wire == "anthropic":
        temperature = body.get("temperature")
        if temperature is not None and not 0 <= temperature <= 1:
            return "temperature", _anthropic_400("temperature: range: 0..1")
    if wire == "gemini" and len(request.raw) > GEMINI_REQUEST_LIMIT:
        return "request_size", _gemini_400(
            f"Request payload size exceeds the limit: {GEMINI_REQUEST_LIMIT} bytes.")
    if wire == "openai" and len(request.raw) > OPENAI_REQUEST_LIMIT:
        return "request_size", _openai_400("Request too large: the request payload exceeds "
                                           "50 MB.", None, "request_too_large")
    for i, (mime, data) in enumerate(request.images):
        problem = _image_problem(wire, mime, data, i)
        if problem is not None:
            return problem
    return None


def _image_problem(wire: str, mime: str, data: bytes,
                   index: int) -> tuple[str, dict[str, Any]] | None:
    actual = sniff(data)
    if mime == "image/jpg":
        mime = "image/jpeg"
    if mime not in ACCEPTED_IMAGES[wire]:
        if wire == "gemini":
            return "mime", _gemini_400(f"Unsupported MIME type: {mime}")
        if wire == "anthropic":
            return "mime", _anthropic_400(
                f"messages.0.content.{index}.image.source.base64.media_type: Input should be "
                "'image/jpeg', 'image/png', 'image/gif' or 'image/webp'")
        return "mime", _openai_400("Invalid MIME type. Only image types are supported.",
                                   None, "invalid_image_format")
    if actual != mime:
        if wire == "anthropic":
            return "mismatch", _anthropic_400(
                f"messages.0.content.{index}.image.source.base64.data: The image was "
                f"specified using the {mime} media type, but the image appears to be a "
                f"{actual} image")
        if wire == "gemini":
            return "mismatch", _gemini_400("Provided image is not valid.")
        return "mismatch", _openai_400("You uploaded an unsupported image. Please make sure "
                                       "your image is valid.", None, "invalid_image_format")
    if wire == "anthropic":
        encoded = (len(data) + 2) // 3 * 4
        if encoded > ANTHROPIC_IMAGE_LIMIT:
            return "image_size", _anthropic_400(
                f"messages.0.content.{index}.image.source.base64: image exceeds 5 MB maximum: "
                f"{encoded} bytes > {ANTHROPIC_IMAGE_LIMIT} bytes")
    with PILImage.open(io.BytesIO(data)) as pic:
        size = pic.size
        animated = bool(getattr(pic, "is_animated", False))
    if wire == "anthropic" and max(size) > ANTHROPIC_MAX_SIDE:
        return "dimensions", _anthropic_400(
            f"messages.0.content.{index}.image.source.base64.data: image dimensions exceed "
            f"max allowed size: {ANTHROPIC_MAX_SIDE} pixels")
    if wire == "openai" and animated:
        return "animated", _openai_400("You uploaded an unsupported image. Please make sure "
                                       "your image is not animated.", None,
                                       "invalid_image_format")
    return None


def _openai_400(message: str, param: str | None, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": param,
                      "code": code}}


def _anthropic_400(message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": "invalid_request_error", "message": message}}


def _gemini_400(message: str) -> dict[str, Any]:
    return {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}
