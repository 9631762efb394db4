"""The ``edit`` proposer: offline, deterministic for a seed, no model (GrIPS-like).

It edits the parent's rendered system message at the level of sentences, drawing new
sentences from the study's own templates (every template over its parameter grid):

- ``add``: insert a sentence from the pool the parent does not have
- ``delete``: remove one of the parent's sentences
- ``swap``: exchange two of the parent's sentences
- ``replace``: a ``delete`` and an ``add`` at the same place
- ``recombine``: the parent's first part with the second part of another framing

One to three operators are applied per candidate (as GrIPS does). The failures it is
given are recorded in the candidate's provenance but do not steer the edits: this
proposer is blind, and the paired tests of the search decide what stays.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from typing import Any

from framing.errors import TemplateError
from framing.propose.candidates import Proposal, literal
from framing.propose.failures import ProposalInput
from framing.templates import PROBE_SAMPLES, Template

OPERATORS = ("add", "delete", "swap", "replace", "recombine")
#: parameter combinations of one template rendered for the sentence pool
POOL_GRID_LIMIT = 256
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
#: lines kept whole: a worked example is one unit however many sentences it has
_WHOLE = ("example:", "- ", "* ")


def sentences(text: str) -> list[str]:
    """A system message cut into lines, and lines into sentences (worked examples and
    list items stay whole)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.lower().startswith(_WHOLE):
            out.append(line)
        else:
            out.extend(s.strip() for s in _SPLIT.split(line) if s.strip())
    return out


def sentence_pool(templates: Iterable[Template]) -> list[str]:
    """Every sentence any of ``templates`` renders (over its grid), in a stable order."""
    seen: dict[str, None] = {}
    for t in templates:
        for i, params in enumerate(t.grid()):
            if i >= POOL_GRID_LIMIT:
                break
            try:
                system = t.render(PROBE_SAMPLES[0], params).system
            except TemplateError:
                continue
            seen.update(dict.fromkeys(sentences(system)))
    return list(seen)


class EditProposer:
    """Sentence edits over the study's own templates."""

    name = "edit"

    def __init__(self, pool: Sequence[str], donors: Sequence[str] = (), *, seed: int = 0,
                 max_edits: int = 3) -> None:
        self.pool = list(pool)
        #: whole system messages of other framings, for ``recombine``
        self.donors = list(donors)
        self.seed = seed
        self.max_edits = max_edits

    def propose(self, given: ProposalInput, n: int) -> list[Proposal]:
        """``n`` edited versions of the parent's system message (deterministic)."""
        base = sentences(given.parent.system)
        out = []
        for i in range(n):
            rng = random.Random(_seed(self.seed, given, i))
            current = list(base)
            applied: list[str] = []
            for _ in range(rng.randint(1, self.max_edits)):
                op = rng.choice(OPERATORS)
                if self._apply(op, current, rng):
                    applied.append(op)
            if not applied:
                applied.append("none")
            out.append(Proposal(system=literal("\n".join(current)), proposer=self.name,
                                operator="+".join(applied)))
        return out

    def _apply(self, op: str, current: list[str], rng: random.Random) -> bool:
        fresh = [s for s in self.pool if s not in current]
        if op == "add" and fresh:
            current.insert(rng.randint(0, len(current)), rng.choice(fresh))
            return True
        if op == "delete" and len(current) > 1:
            del current[rng.randrange(len(current))]
            return True
        if op == "swap" and len(current) > 2:
            i, j = rng.sample(range(len(current)), 2)
            current[i], current[j] = current[j], current[i]
            return True
        if op == "replace" and current and fresh:
            current[rng.randrange(len(current))] = rng.choice(fresh)
            return True
        if op == "recombine" and self.donors:
            donor = sentences(rng.choice(self.donors))
            if not donor:
                return False
            cut, other = rng.randint(1, max(1, len(current))), rng.randint(0, len(donor) - 1)
            merged = current[:cut] + [s for s in donor[other:] if s not in current[:cut]]
            if merged == current:
                return False
            current[:] = merged
            return True
        return False


def _seed(seed: int, given: ProposalInput, index: int) -> int:
    key = f"{seed}:{given.round}:{given.parent.template}:{sorted(given.parent.params.items())}:" \
          f"{given.direction}:{index}"
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def donors_of(framings: Iterable[tuple[Template, dict[str, Any]]]) -> list[str]:
    """System messages of framings (e.g. the frontier's), for ``recombine``."""
    out: list[str] = []
    for t, params in framings:
        try:
            out.append(t.render(PROBE_SAMPLES[0], params).system)
        except TemplateError:
            continue
    return out
