"""framing's public API: a curated, sorted ``__all__`` whose names load on first use."""

from __future__ import annotations

import subprocess
import sys

import framing

PUBLIC = [
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


def test_the_public_names_are_exactly_these_and_sorted() -> None:
    assert framing.__all__ == PUBLIC
    assert framing.__all__ == sorted(framing.__all__)


def test_every_public_name_resolves_to_its_definition() -> None:
    from framing.assessment import load_assessment
    from framing.errors import FramingError
    from framing.search import run_search

    for name in PUBLIC:
        assert getattr(framing, name) is not None
    assert framing.run_search is run_search
    assert framing.load_assessment is load_assessment
    assert issubclass(framing.ConfigError, FramingError)
    assert set(PUBLIC) <= set(dir(framing))


def test_import_framing_loads_nothing_heavy() -> None:
    code = ("import sys, framing\n"
            "heavy = [m for m in ('optuna', 'sqlalchemy', 'textual', 'framing.search')"
            " if m in sys.modules]\n"
            "print(','.join(heavy))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        framing.no_such_thing  # noqa: B018
    except AttributeError as e:
        assert "no_such_thing" in str(e)
    else:
        raise AssertionError("expected AttributeError")
