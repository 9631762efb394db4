"""framing: map the over-blocking / under-refusal trade-off of vision-language models.

The public API, for scripts and notebooks::

    import framing

    config = framing.load_study(None)                 # the built-in demo study
    result = framing.run_search(config, on_event=print)
    assessment = framing.load_assessment(config)      # frontier, ties, recommendation
    print(assessment.recommended, assessment.comparison)
    framing.build_report(config)                      # reports/<study>.html

Names are imported on first use (module ``__getattr__``): ``import framing`` stays
cheap, and a command that needs none of the search machinery never loads Optuna.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from framing._version import __version__

#: public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "Assessment": "framing.assessment",
    "ConfigError": "framing.errors",
    "DataError": "framing.errors",
    "FramingError": "framing.errors",
    "FramingResult": "framing.search.run",
    "Point": "framing.points",
    "SearchResult": "framing.search.run",
    "StorageError": "framing.errors",
    "StudyConfig": "framing.config",
    "TargetError": "framing.errors",
    "TemplateError": "framing.errors",
    "assess": "framing.assessment",
    "build_report": "framing.report.builder",
    "evaluate_framing": "framing.search.run",
    "load_assessment": "framing.assessment",
    "load_study": "framing.config",
    "run_search": "framing.search.run",
    "run_search_async": "framing.search.run",
}

__all__ = [
    "Assessment",
    "ConfigError",
    "DataError",
    "FramingError",
    "FramingResult",
    "Point",
    "SearchResult",
    "StorageError",
    "StudyConfig",
    "TargetError",
    "TemplateError",
    "__version__",
    "assess",
    "build_report",
    "evaluate_framing",
    "load_assessment",
    "load_study",
    "run_search",
    "run_search_async",
]

if TYPE_CHECKING:
    from framing.assessment import Assessment, assess, load_assessment
    from framing.config import StudyConfig, load_study
    from framing.errors import (
        ConfigError,
        DataError,
        FramingError,
        StorageError,
        TargetError,
        TemplateError,
    )
    from framing.points import Point
    from framing.report.builder import build_report
    from framing.search.run import (
        FramingResult,
        SearchResult,
        evaluate_framing,
        run_search,
        run_search_async,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'framing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # imported once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
