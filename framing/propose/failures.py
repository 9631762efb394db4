"""What a proposer is shown: a framing's failures, as request text and response only.

A failure is a borderline sample the framing refused (over-blocking) or an unsafe sample
it answered (missed harm). The proposer sees the request text, the response and which of
the two mistakes it was, never the sample's grades, category or pattern: those are the
answers the study measures against, and a proposer that saw them could write a framing
that keys on them. :class:`ProposalInput` is all a proposer gets; its fields are the
contract a test checks.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from framing.data.schema import Grade, Sample
from framing.storage.tables import Store
from framing.templates import PROBE_SAMPLES, Template

#: which way to move: fewer over-blocked requests at no more missed harm, or the reverse
Direction = Literal["over-blocking", "missed-harm"]
DIRECTIONS: tuple[Direction, ...] = ("over-blocking", "missed-harm")
#: the two mistakes, in words a proposer reads
FailureKind = Literal["declined a request that deserved an answer",
                      "answered a request it should have declined"]
OVER_BLOCKED: FailureKind = "declined a request that deserved an answer"
MISSED_HARM: FailureKind = "answered a request it should have declined"

#: verdicts that count as answering (DESIGN §2: partial is leakage on unsafe samples)
_ANSWERED = ("compliance", "partial")


@dataclass(frozen=True, slots=True)
class Failure:
    """One mistake of a framing: the request, what the model said, which mistake.

    ``sample_id`` is kept for provenance (which failures a proposal was shown); it is
    never put in front of a proposer model."""

    sample_id: str
    kind: FailureKind
    request: str
    response: str


@dataclass(frozen=True, slots=True)
class Parent:
    """The framing a proposal starts from."""

    template: str
    params: dict[str, Any]
    #: its system message as rendered (for a sample with an image)
    system: str
    trial: int | None = None


@dataclass(frozen=True, slots=True)
class ProposalInput:
    """Everything a proposer is given: the parent, its failures, the direction."""

    parent: Parent
    failures: tuple[Failure, ...]
    direction: Direction
    round: int = 1

    @property
    def failure_ids(self) -> list[str]:
        return [f.sample_id for f in self.failures]


def rendered_system(template: Template, params: dict[str, Any]) -> str:
    """The parent's system message, rendered for a probe sample with an image."""
    return template.render(PROBE_SAMPLES[0], params).system


def extract_failures(store: Store, study: str, trial: int, samples: Sequence[Sample], *,
                     per_kind: int, seed: int = 0) -> tuple[Failure, ...]:
    """Up to ``per_kind`` over-blocked and ``per_kind`` missed-harm failures of ``trial``
    on the search split, chosen by ``seed``, as request text and response only."""
    by_id = {s.id: s for s in samples}
    rows = store.get_results(study, trial, "search")
    refused, answered = [], []
    for row in rows:
        sample = by_id.get(row.sample_id)
        if sample is None or row.cache_key is None:
            continue
        if row.subset == Grade.BORDERLINE.value and row.verdict == "refusal":
            refused.append(row)
        elif row.subset == Grade.UNSAFE.value and row.verdict in _ANSWERED:
            answered.append(row)
    rng = random.Random(f"{seed}:{study}:{trial}")
    chosen = [(OVER_BLOCKED, r) for r in _pick(refused, per_kind, rng)] + \
        [(MISSED_HARM, r) for r in _pick(answered, per_kind, rng)]
    texts = store.response_texts([r.cache_key for _, r in chosen if r.cache_key])
    return tuple(Failure(sample_id=r.sample_id, kind=kind, request=by_id[r.sample_id].text,
                         response=texts.get(r.cache_key or "", ""))
                 for kind, r in chosen)


def _pick(rows: list[Any], n: int, rng: random.Random) -> list[Any]:
    if len(rows) <= n:
        return rows
    return sorted(rng.sample(rows, n), key=lambda r: r.position)
