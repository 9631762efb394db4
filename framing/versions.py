"""Template versions stored with a study: the exact text each trial's framing ran.

A framing is its content. Each trial records its template's name, content version
(:func:`framing.templates.source_version`, a hash of the template body) and parameters as
trial attributes; the study keeps one copy of each version's source, in a study
attribute per version (``template_source:NAME@VERSION``). A report, the TUI, ``compare``,
``export`` and the hold-out check use the text a trial ran, whatever the file says now.

Studies stored before versions existed kept one source per template name (the latest
run's, :data:`~framing.storage.keys.STUDY_ATTR_TEMPLATE_SOURCES`); their trials are read
as that source's version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from framing.errors import FramingError
from framing.storage.keys import (
    ATTR_TEMPLATE,
    ATTR_TEMPLATE_VERSION,
    STUDY_ATTR_SOURCE_PREFIX,
    STUDY_ATTR_TEMPLATE_SOURCES,
)
from framing.templates import Template, parse_template, source_version

__all__ = ["SHORT", "TemplateVersion", "legacy_versions", "not_in_space", "short", "source_key",
           "stored_sources", "stored_template", "study_versions", "trial_version"]

#: hex digits of a version shown to people (``stance.j2@3f2a1c``)
SHORT = 6


def short(version: str) -> str:
    return version[:SHORT]


def source_key(name: str, version: str) -> str:
    """The study attribute holding the source of ``name`` at ``version``."""
    return f"{STUDY_ATTR_SOURCE_PREFIX}{name}@{version}"


def stored_sources(study_attrs: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """Every template version stored with a study: (name, version) → source text
    (including the per-name sources of studies stored before versions)."""
    out: dict[tuple[str, str], str] = {}
    for name, source in dict(study_attrs.get(STUDY_ATTR_TEMPLATE_SOURCES, {})).items():
        out[(name, source_version(source))] = source
    for key, source in study_attrs.items():
        if key.startswith(STUDY_ATTR_SOURCE_PREFIX) and isinstance(source, str):
            name, _, version = key[len(STUDY_ATTR_SOURCE_PREFIX):].rpartition("@")
            out[(name, version)] = source
    return out


def legacy_versions(study_attrs: Mapping[str, Any]) -> dict[str, str]:
    """The version of each template name a study stored before versions existed (the
    version its trials without one are read as)."""
    return {name: source_version(source) for name, source
            in dict(study_attrs.get(STUDY_ATTR_TEMPLATE_SOURCES, {})).items()}


def trial_version(trial_attrs: Mapping[str, Any], legacy: Mapping[str, str]) -> str:
    """The template version a trial ran ("" when unknown: a study stored before versions
    that kept no source of that template)."""
    version = trial_attrs.get(ATTR_TEMPLATE_VERSION)
    if version:
        return str(version)
    return legacy.get(str(trial_attrs.get(ATTR_TEMPLATE, "")), "")


def stored_template(sources: Mapping[tuple[str, str], str], name: str,
                    version: str) -> Template | None:
    """The template ``name`` at ``version`` parsed from its stored source (None: not
    stored, or it no longer parses with this framing)."""
    source = sources.get((name, version))
    if source is None:
        return None
    try:
        return parse_template(source, name=name, path=Path(name))
    except FramingError:
        return None


class _Ran(Protocol):
    """What ran: a template and its version (a :class:`framing.points.Point`)."""

    @property
    def template(self) -> str: ...

    @property
    def version(self) -> str: ...


R = TypeVar("R", bound=_Ran)


def not_in_space(ran: Iterable[R], root: Path) -> list[R]:
    """Those of ``ran`` whose template file (``root`` / its name) now holds another
    version or is gone: edited or removed since, so no longer in the study's current
    space (their results stand). One of unknown version ("") is never counted.

    The report's notes and the TUI's Frontier screen both ask this. It reads the
    template files: a TUI calls it in a worker."""
    now: dict[str, str | None] = {}
    out: list[R] = []
    for r in ran:
        if not r.version:
            continue
        if r.template not in now:
            path = Path(r.template) if Path(r.template).is_absolute() else root / r.template
            try:
                now[r.template] = source_version(path.read_text(encoding="utf-8"))
            except OSError:
                now[r.template] = None
        if now[r.template] != r.version:
            out.append(r)
    return out


@dataclass(frozen=True)
class TemplateVersion:
    """One version of a template in a study: its trials, and whether it is the file's
    text now (``current``; None when the files were not looked at)."""

    name: str
    version: str
    trials: int
    current: bool | None = None
    stored: bool = True

    @property
    def label(self) -> str:
        return f"{self.name}@{short(self.version)}" if self.version else self.name


def study_versions(study_attrs: Mapping[str, Any], trials: Iterable[Mapping[str, Any]],
                   current: Iterable[Template] | None = None) -> list[TemplateVersion]:
    """The template versions of a study (from its trials' attributes and its stored
    sources), with how many trials ran each, by name then first trial."""
    legacy = legacy_versions(study_attrs)
    counts: dict[tuple[str, str], int] = {}
    for attrs in trials:
        if ATTR_TEMPLATE not in attrs:
            continue
        key = (str(attrs[ATTR_TEMPLATE]), trial_version(attrs, legacy))
        counts[key] = counts.get(key, 0) + 1
    sources = stored_sources(study_attrs)
    for key in sources:
        counts.setdefault(key, 0)
    now = None if current is None else {(t.name, t.version) for t in current}
    if current is not None:
        for t in current:
            counts.setdefault((t.name, t.version), 0)
    return [TemplateVersion(name, version, n,
                            None if now is None else (name, version) in now,
                            (name, version) in sources)
            for (name, version), n in sorted(counts.items())]
