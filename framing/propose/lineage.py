"""A proposed framing's lineage: the chain of parents its ``[proposed]`` front matter
records, back to a hand-written framing (the report and the TUI show it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from framing.templates import Template

#: parents followed at most (a chain longer than this is cut, with "...")
MAX_DEPTH = 12


@dataclass(frozen=True)
class Step:
    """One generation: ``child`` was proposed from ``parent`` (with ``parent_params``)."""

    child: str
    parent: str
    parent_params: dict[str, Any]
    proposer: str
    operator: str
    round: int | None
    direction: str

    @property
    def text(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.parent_params.items())
        parent = f"{self.parent}({params})" if params else self.parent
        where = f"round {self.round}, " if self.round is not None else ""
        return f"{parent} → {self.proposer} {self.operator} ({where}{self.direction})"


def lineage(template: Template, templates: Mapping[str, Template]) -> list[Step]:
    """``template``'s ancestry, oldest first; empty for a hand-written template.

    ``templates`` maps names to the templates known (the study's stored sources or the
    files); the chain stops at a parent that is not among them."""
    steps: list[Step] = []
    current: Template | None = template
    seen: set[str] = set()
    while current is not None and current.provenance and len(steps) < MAX_DEPTH:
        if current.name in seen:
            break
        seen.add(current.name)
        p = current.provenance
        parent = str(p.get("parent", "?"))
        round_ = p.get("round")
        steps.append(Step(current.name, parent, dict(p.get("parent_params", {})),
                          str(p.get("proposer", "?")), str(p.get("operator", "")),
                          round_ if isinstance(round_, int) else None,
                          str(p.get("direction", ""))))
        current = templates.get(parent)
    return list(reversed(steps))


def lineage_text(template: Template, templates: Mapping[str, Template]) -> str:
    """The lineage on one line ('' for a hand-written template)."""
    steps = lineage(template, templates)
    return " ⇒ ".join(s.text for s in steps)
