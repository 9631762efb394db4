"""Which study a command means (DESIGN §10): one rule for every command.

``STUDY`` is a study file path or a study *name*, resolved to ``studies/NAME.toml``.
Without it, a command run inside a workspace (a folder made by ``framing init``: it
holds ``prompts/`` and ``studies/*.toml``) reads the workspace's default study file,
``studies/demo.toml`` (or the only study file there); outside a workspace it reads the
built-in demo. A workspace's own study is never silently replaced by the package's, so
its templates and its database are the ones used. :func:`study_line` says, in one line,
which study, templates and database a command used.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from framing.config import StudyConfig, load_study
from framing.errors import ConfigError
from framing.storage.url import redact

__all__ = ["DEFAULT_STUDY", "find_study", "open_study", "study_line", "workspace_root"]

#: the study file a workspace runs when no study is named (``framing init`` writes it)
DEFAULT_STUDY = Path("studies") / "demo.toml"
BUILTIN = "<built-in demo>"


def workspace_root(here: Path | None = None) -> Path | None:
    """``here`` (default: the current folder) when it is a workspace, else None.

    A workspace is what ``framing init`` makes: a ``prompts/`` folder beside a
    ``studies/`` folder holding at least one study file. Only the current folder
    counts: study files name their templates and database relative to it.
    """
    here = Path.cwd() if here is None else here
    studies = here / "studies"
    if (here / "prompts").is_dir() and studies.is_dir() and any(studies.glob("*.toml")):
        return here
    return None


def _study_files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in (root / "studies").glob("*.toml"))


def find_study(spec: str | Path | None, here: Path | None = None) -> Path | None:
    """The study file ``spec`` names, or None for the built-in demo.

    ``spec`` is a path, a name (``studies/NAME.toml``), ``-`` or None (the workspace's
    default study inside a workspace, else the built-in demo). ConfigError when nothing
    matches, listing the study files there are.
    """
    here = Path.cwd() if here is None else here
    root = workspace_root(here)
    if spec is None or str(spec) == "-":
        return None if root is None else _default_study(root)
    path = Path(spec)
    named = path.suffix != ".toml" and len(path.parts) == 1
    if named and not (here / path).exists():
        candidate = Path("studies") / f"{path}.toml"
        if (here / candidate).is_file():
            return candidate
        if str(spec) == "demo" and root is None:
            return None
        raise ConfigError(f"{spec}: no study file {spec} or {candidate}{_choices(here)}")
    if (here / path).is_dir():
        raise ConfigError(f"{path}: is a folder; give a study file such as {path}/demo.toml")
    if not (here / path).is_file():
        where = "" if root is not None else " (omit it to run the built-in demo)"
        raise ConfigError(f"{path}: no such study file{where}{_choices(here)}")
    return path


def _default_study(root: Path) -> Path:
    files = _study_files(root)
    if DEFAULT_STUDY in files:
        return DEFAULT_STUDY
    if len(files) == 1:
        return files[0]
    names = ", ".join(str(f) for f in files)
    raise ConfigError(f"this workspace has several study files and no {DEFAULT_STUDY}: "
                      f"name one ({names}), e.g. framing frontier {files[0]}")


def _choices(here: Path) -> str:
    if not (here / "studies").is_dir():
        return ""
    files = _study_files(here)
    if not files:
        return ""
    return "; study files here: " + ", ".join(str(f) for f in files[:8]) + \
        (f" and {len(files) - 8} more" if len(files) > 8 else "")


def open_study(spec: str | Path | None, overrides: Iterable[str] = ()) -> StudyConfig:
    """The study ``spec`` names (see :func:`find_study`), with ``--set`` overrides."""
    return load_study(find_study(spec), overrides)


def study_line(config: StudyConfig) -> str:
    """One line naming the study, where it came from, its templates and its database."""
    if config.source == BUILTIN:
        origin = "the built-in demo (not in a workspace; framing init makes one)"
        folders = "the built-in prompts"
    else:
        origin = config.source
        folders = ", ".join(template_folders(config)) or "none"
    return (f"study '{config.name}' from {origin}; templates {folders}; "
            f"database {redact(config.storage.url)}")


def template_folders(config: StudyConfig) -> list[str]:
    """The folders the study's template patterns point into, as a user would type them."""
    found: list[str] = []
    for pattern in [*config.search.templates, *config.search.baselines]:
        folder = Path(pattern).parent
        shown = (config.template_root / folder) if config.template_root != Path.cwd() \
            else folder
        text = f"{shown.as_posix()}/" if str(shown) != "." else "./"
        if text not in found:
            found.append(text)
    return found
