"""Build the real (HTTP) targets from a study file's ``[target]`` table.

Everything that can be wrong before a call is checked here: the API key variable (named
by ``api_key_env``, else the kind's default) must be set and not empty, ``base_url`` must
be an http(s) URL, header values that name variables must resolve. Errors name the key
path and the variable, never a secret value.
"""

from __future__ import annotations

import os
import re

import httpx

from framing.config import TargetConfig
from framing.errors import TargetConfigError
from framing.storage import secrets as stored_secrets
from framing.targets import anthropic, gemini, openai
from framing.targets.http import HttpSettings, HttpTarget
from framing.targets.images import RULES, ImagePrep

DEFAULT_KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY",
                   "gemini": "GEMINI_API_KEY"}
DEFAULT_BASE_URL = {"openai": openai.DEFAULT_BASE_URL, "anthropic": anthropic.DEFAULT_BASE_URL,
                    "gemini": gemini.DEFAULT_BASE_URL}
TARGETS: dict[str, type[HttpTarget]] = {"openai": openai.OpenAITarget,
                                        "anthropic": anthropic.AnthropicTarget,
                                        "gemini": gemini.GeminiTarget}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ENV_REF = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")


def key_env(config: TargetConfig) -> str | None:
    """The variable holding the key: ``api_key_env``, else the kind's default; None for an
    ``openai`` target with its own ``base_url`` and no ``api_key_env`` (a local server)."""
    if config.api_key_env:
        return config.api_key_env
    if config.kind == "openai" and config.base_url:
        return None
    return DEFAULT_KEY_ENV[config.kind]


def make_http_target(config: TargetConfig,
                     transport: httpx.AsyncBaseTransport | None = None) -> HttpTarget:
    kind = config.kind
    where = f"target ({kind}, model {config.model!r})"
    base_url = (config.base_url or DEFAULT_BASE_URL[kind]).rstrip("/")
    url = httpx.URL(base_url) if "://" in base_url else None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise TargetConfigError(
            f"{where}: target.base_url {config.base_url!r} is not an http(s) URL; "
            "e.g. base_url = \"http://127.0.0.1:8000/v1\"")
    env = key_env(config)
    if env is not None and not _ENV_NAME.match(env):
        raise TargetConfigError(
            f"{where}: target.api_key_env must name an environment variable (such as "
            f"{DEFAULT_KEY_ENV[kind]}), not hold the key itself")
    api_key = None
    if env is not None:
        api_key = os.environ.get(env, "").strip()
        if not api_key:
            raise TargetConfigError(
                f"{where} at {base_url}: the API key variable ${env} is not set; export it "
                f"(export {env}=...) or name another one with target.api_key_env")
    headers = {name: _header_value(name, value, where)
               for name, value in config.headers.items()}
    secrets = [api_key] if api_key else []
    secrets += [headers[n] for n, v in config.headers.items() if _ENV_REF.match(v)]
    headers.update(_auth_headers(kind, api_key))
    prep = ImagePrep(max_side=config.image_max_side, format=config.image_format,
                     rules=RULES[kind])
    settings = HttpSettings(
        concurrency=config.concurrency,
        timeout=config.timeout,
        connect_timeout=min(10.0, config.timeout),
        max_retries=config.max_retries,
        max_overload_wait=config.max_overload_wait,
        requests_per_minute=config.requests_per_minute,
        tokens_per_minute=config.tokens_per_minute,
    )
    cls = TARGETS[kind]
    max_tokens = config.max_tokens
    if ("max_tokens" not in config.model_fields_set and cls.reasoning_max_tokens is not None
            and cls.is_reasoning(config.model)):
        max_tokens = cls.reasoning_max_tokens  # its thinking would eat the small default
    target = cls(
        model=config.model,
        base_url=base_url,
        settings=settings,
        headers=headers,
        api_key=api_key,
        key_env=env,
        temperature=config.temperature,
        max_tokens=max_tokens,
        image_prep=prep,
        transport=transport,
        reasoning_effort=config.reasoning_effort,
    )
    target.http.secrets = tuple(secrets)
    stored_secrets.remember(secrets)  # scrubbed from every stored or printed error text
    return target


def _auth_headers(kind: str, api_key: str | None) -> dict[str, str]:
    if kind == "anthropic":
        return {"anthropic-version": anthropic.API_VERSION,
                **({"x-api-key": api_key} if api_key else {})}
    if not api_key:
        return {}
    if kind == "gemini":
        return {"x-goog-api-key": api_key}
    return {"authorization": f"Bearer {api_key}"}


def _header_value(name: str, value: str, where: str) -> str:
    ref = _ENV_REF.match(value)
    if ref is None:
        return value
    resolved = os.environ.get(ref.group(1), "")
    if not resolved:
        raise TargetConfigError(f"{where}: target.headers.{name} reads ${ref.group(1)}, "
                                "which is not set")
    return resolved
