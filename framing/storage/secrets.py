"""Secrets: which configured values are credentials, and the one scrubber of error texts.

Header values are secrets unless written ``$NAME`` (read from that environment variable
at run time): the study file is stored with the study, so a literal credential there
would be stored too. Credential-like header names with a literal value are refused when
the study file is validated (:func:`literal_credentials`).

Every secret value framing resolves at run time (API keys, ``$NAME`` header values) is
remembered for the life of the process (:func:`remember`); :func:`scrub` replaces them
in any text before it is stored (per-sample error reasons, judge reasons) or printed
(the CLI's error messages, worker notices). A server that echoes the key in an error
body therefore leaks it nowhere.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping

#: a header value read from the environment: ``$NAME`` or ``${NAME}``
ENV_REFERENCE = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")
#: header names that carry credentials, whatever their exact spelling
_CREDENTIAL_NAME = re.compile(
    r"auth|api[-_]?key|token|secret|passw|cookie|session|signature|credential",
    re.IGNORECASE)
#: what a scrubbed secret becomes
MASK = "***"
#: shorter values are not scrubbed: masking every "1" or "yes" would garble the text
#: (a credential that short is no secret anyway)
MIN_SECRET_LENGTH = 6

_lock = threading.Lock()
_known: set[str] = set()


def is_credential_header(name: str) -> bool:
    """Authorization, x-api-key, x-goog-api-key, api-key, Cookie, X-Auth-Token, ..."""
    return bool(_CREDENTIAL_NAME.search(name))


def literal_credentials(headers: Mapping[str, str]) -> list[str]:
    """The names of credential-like headers whose value is written out, not ``$NAME``."""
    return [name for name, value in headers.items()
            if is_credential_header(name) and not ENV_REFERENCE.match(value.strip())]


def remember(values: Iterable[str | None]) -> None:
    """Scrub these values from every text :func:`scrub` sees from now on."""
    with _lock:
        _known.update(v for v in values if v and len(v) >= MIN_SECRET_LENGTH)


def forget_all() -> None:
    """Forget every remembered secret (tests; a process that switches studies)."""
    with _lock:
        _known.clear()


def scrub(text: str) -> str:
    """``text`` with every remembered secret replaced by ``***`` (longest first, so a
    secret that contains another is masked whole)."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text
