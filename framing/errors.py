"""The one exception tree of framing.

::

    FramingError                 anything framing raises on purpose
    ├── ConfigError              bad study file, override or argument   (exit 2)
    ├── TemplateError            template fails to parse, lint or render (exit 2)
    ├── DataError                missing or malformed data source        (exit 2)
    ├── TargetError              a model endpoint cannot be used         (exit 1)
    │   ├── TargetConfigError    ...because of its configuration (key, URL) (exit 2)
    │   └── QuotaExhausted       ...until its quota or billing limit is raised (exit 1)
    └── StorageError             the database cannot be used             (exit 1)

Bad-input errors carry ``exit_code = 2`` so the CLI maps them without a table.
Messages name the file, line or key and say what to do; they never contain secrets.
"""

from __future__ import annotations


class FramingError(Exception):
    """Base of every error framing raises on purpose."""

    exit_code: int = 1


class ConfigError(FramingError):
    """A study file, override or command-line argument is invalid."""

    exit_code = 2


class TemplateError(FramingError):
    """A framing template fails to parse, declares bad parameters, or fails to render."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = path or "<template>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")
        self.reason = message


class DataError(FramingError):
    """A data source is missing or malformed."""

    exit_code = 2


class TargetError(FramingError):
    """A model endpoint cannot be used (connection refused, 401, unknown model...)."""

    exit_code = 1


class TargetConfigError(TargetError):
    """A target is misconfigured (missing API key variable, bad URL)."""

    exit_code = 2


class QuotaExhausted(TargetError):
    """The provider says the account's quota or billing limit is used up: waiting a few
    seconds will not help, so the study stops (exit 1); a later run resumes it."""

    exit_code = 1


class StorageError(FramingError):
    """The study database cannot be opened or used."""

    exit_code = 1
