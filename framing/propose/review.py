"""Reviewing a proposal: its provenance and the diff of its system message against its
parent's, and the accept / reject moves (the TUI's Framings screen uses these).

A proposal waits in ``[propose] folder``. **Accept** moves it next to the study's own
templates (the folder of the first ``search.templates`` pattern), where the study's
space picks it up; **reject** moves it to ``rejected/`` under the folder, out of the
space (its trials, if any, stay in the study) and never proposed again.
"""

from __future__ import annotations

import difflib
import glob
import shutil
from dataclasses import dataclass
from pathlib import Path

from framing.config import StudyConfig
from framing.errors import ConfigError, FramingError
from framing.propose.candidates import REJECTED
from framing.templates import PROBE_SAMPLES, SampleView, Template, load_template


@dataclass(frozen=True)
class Review:
    """What a reviewer reads about one proposal."""

    provenance: str
    #: unified line diff of the rendered system messages, parent → proposal
    diff: tuple[str, ...]
    problem: str = ""


def review(template: Template, root: Path, sample: SampleView | None = None) -> Review | None:
    """The provenance and parent diff of ``template``; None when it is not a proposal."""
    p = template.provenance
    if not p:
        return None
    parent_name = str(p.get("parent", ""))
    params = dict(p.get("parent_params", {}))
    shown = ", ".join(f"{k}={v}" for k, v in params.items())
    failures = p.get("failures", [])
    where = f", from trial {p['parent_trial']}" if "parent_trial" in p else ""
    provenance = (f"proposed from {parent_name}{f'({shown})' if shown else ''}{where} · "
                  f"{p.get('proposer', '?')} {p.get('operator', '')} · round "
                  f"{p.get('round', '?')} · cut {p.get('direction', '?')} · "
                  f"{len(failures) if isinstance(failures, list) else 0} failures shown")
    view = sample or PROBE_SAMPLES[0]
    try:
        parent = load_template(parent_name, root=root)
        before = parent.render(view, params).system
        after = template.render(view, {}).system
    except FramingError as e:
        return Review(provenance, (), f"no diff: {e}")
    diff = tuple(line for line in difflib.unified_diff(
        before.splitlines(), after.splitlines(), parent_name, template.name, lineterm="", n=1))
    return Review(provenance, diff)


def is_in_space(config: StudyConfig, name: str) -> bool:
    """Does one of the study's template patterns match ``name``?"""
    root = config.template_root
    for pattern in config.search.templates:
        if glob.has_magic(pattern):
            if name in glob.glob(pattern, root_dir=root):
                return True
        elif pattern == name:
            return True
    return False


def accept(config: StudyConfig, name: str) -> str:
    """Move proposal ``name`` into the study's space; returns its new name."""
    if is_in_space(config, name):
        return name
    first = next(iter(config.search.templates), "prompts/*.j2")
    folder = Path(first).parent
    new = str(folder / Path(name).name)
    return _move(config, name, new)


def reject(config: StudyConfig, name: str) -> str:
    """Move proposal ``name`` out of the space, to ``rejected/``; returns its new name."""
    new = str(Path(config.propose.folder) / REJECTED / Path(name).name)
    return _move(config, name, new)


def _move(config: StudyConfig, name: str, new: str) -> str:
    root = config.template_root
    source, dest = root / name, root / new
    if dest.exists():
        raise ConfigError(f"{new}: already exists; rename or remove it first")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), dest)
    return new
