"""Candidate templates: written from a proposed system message, linted in the sandbox,
de-duplicated by rendered text, saved under ``prompts/proposed/``.

A candidate is a normal template file: a system block holding the proposed text, the
parent's user block (its parameters fixed with ``{% set %}``) when the parent has one,
and TOML front matter whose ``[proposed]`` table records where it came from (parent
framing and parameters, proposer, round, direction, the failures it was shown). It
declares no parameters of its own: it is one framing.

A proposal is untrusted text. Every candidate is parsed and linted (bounded rendering,
:mod:`framing.sandbox`) before it is kept; one that fails, that renders the same as a
framing the study already has or as another candidate, is dropped with its reason and
never evaluated.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from framing.errors import TemplateError
from framing.propose.failures import ProposalInput
from framing.templates import (
    PROBE_SAMPLES,
    Template,
    lint_template,
    parse_template,
)

#: where proposals are written, relative to the study's template root
PROPOSED_DIR = "prompts/proposed"
#: under the folder: proposals rejected (by the paired tests or a reviewer), out of the space
REJECTED = "rejected"
_USER_BLOCK = re.compile(
    r"\{%-?\s*block\s+user\s*-?%\}(?P<body>.*?)\{%-?\s*endblock(?:\s+user)?\s*-?%\}", re.S)
_JINJA_MARKS = ("{{", "{%", "{#", "}}", "%}", "#}")


@dataclass(frozen=True)
class Proposal:
    """What a proposer wrote: a system message (Jinja source) and how it came about."""

    system: str
    proposer: str
    #: e.g. the edit operators applied, or the proposer model's name
    operator: str
    #: a proposal that could not be read at all (e.g. a model answer with no prompt in it)
    problem: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A proposal made into a template that passed lint."""

    name: str
    source: str
    template: Template
    provenance: dict[str, Any]


@dataclass(frozen=True)
class Dropped:
    """A proposal that was not kept, and why (never evaluated)."""

    operator: str
    reason: str
    system: str = ""


@dataclass(frozen=True)
class Vetted:
    kept: list[Candidate] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


def literal(text: str) -> str:
    """``text`` as template source that renders to exactly ``text``."""
    if any(mark in text for mark in _JINJA_MARKS):
        return "{% raw %}" + text.replace("{% endraw %}", "{ % endraw % }") + "{% endraw %}"
    return text


def user_block(parent: Template, params: dict[str, Any]) -> str:
    """The parent's user block with its parameters fixed, or '' when it has none."""
    match = _USER_BLOCK.search(parent.source)
    if match is None:
        return ""
    sets = "".join("{% set " + k + " = " + _jinja_value(v) + " %}"
                   for k, v in sorted(params.items()))
    return "{% block user %}" + sets + match.group("body") + "{% endblock %}\n"


def _jinja_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def template_source(system: str, provenance: dict[str, Any], description: str,
                    user: str = "") -> str:
    """A candidate's file text: front matter with provenance, system block, user block."""
    lines = ["{#---", f"description = {json.dumps(description)}", "", "[proposed]"]
    for key, value in provenance.items():
        lines.append(f"{key} = {_toml(value)}")
    lines.append("---#}")
    body = "{% block system %}\n" + system.strip() + "\n{% endblock %}\n" + user
    return "\n".join(lines) + "\n" + body


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_toml(v)}"
                                for k, v in value.items()) + " }"
    return json.dumps(str(value))


def rendered_key(template: Template, params: dict[str, Any]) -> str:
    """What a framing says, for de-duplication: its messages on the probe samples."""
    texts = [template.render(s, params) for s in PROBE_SAMPLES]
    payload = json.dumps([[m.system, m.user] for m in texts])
    return hashlib.sha256(_normalise(payload).encode()).hexdigest()


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def existing_keys(framings: Iterable[tuple[Template, dict[str, Any]]]) -> dict[str, str]:
    """Rendered keys of framings the study already has -> their label."""
    out: dict[str, str] = {}
    for template, params in framings:
        try:
            key = rendered_key(template, params)
        except TemplateError:
            continue
        label = template.name + (f"({_params_text(params)})" if params else "")
        out.setdefault(key, label)
    return out


def _params_text(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def vet(proposals: Sequence[tuple[ProposalInput, Proposal]], parents: dict[str, Template],
        known: dict[str, str], *, round_: int, folder: str = PROPOSED_DIR) -> Vetted:
    """Make proposals into candidates: build, parse, lint, de-duplicate.

    ``known`` (rendered key -> label) holds the study's framings; kept candidates are added
    to it, so a later duplicate within the same round is dropped too.
    """
    out = Vetted()
    for given, proposal in proposals:
        if proposal.problem is not None:
            out.dropped.append(Dropped(proposal.operator, proposal.problem, proposal.system))
            continue
        if not proposal.system.strip():
            out.dropped.append(Dropped(proposal.operator, "the proposed system message is "
                                                          "empty", proposal.system))
            continue
        parent = parents[given.parent.template]
        provenance: dict[str, Any] = {
            "parent": given.parent.template,
            "parent_params": dict(given.parent.params),
            "proposer": proposal.proposer,
            "operator": proposal.operator,
            "round": round_,
            "direction": given.direction,
            "failures": given.failure_ids,
        }
        if given.parent.trial is not None:
            provenance["parent_trial"] = given.parent.trial
        user = user_block(parent, given.parent.params)
        description = f"Proposed from {given.parent.template} ({proposal.proposer}, " \
                      f"round {round_})"
        digest = hashlib.sha256((proposal.system + user).encode()).hexdigest()[:8]
        name = f"{folder}/{Path(given.parent.template).stem.split('-r')[0]}-r{round_}-" \
               f"{digest}.j2"
        source = template_source(proposal.system, provenance, description, user)
        try:
            template = parse_template(source, name=name, path=Path(name))
            lint_template(template)
            key = rendered_key(template, {})
        except TemplateError as e:
            out.dropped.append(Dropped(proposal.operator, f"fails lint: {e}", proposal.system))
            continue
        if key in known:
            out.dropped.append(Dropped(proposal.operator, f"renders the same as {known[key]}",
                                       proposal.system))
            continue
        known[key] = name
        out.kept.append(Candidate(name, source, template, provenance))
    return out


def write(candidates: Iterable[Candidate], root: Path) -> list[Path]:
    """Save candidates as template files under ``root`` (their names are relative)."""
    paths = []
    for c in candidates:
        path = root / c.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(c.source, encoding="utf-8")
        paths.append(path)
    return paths
