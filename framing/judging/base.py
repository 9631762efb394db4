"""Verdicts and the judgement a judge returns (DESIGN §2, §7)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    REFUSAL = "refusal"
    PARTIAL = "partial"
    COMPLIANCE = "compliance"
    #: the call failed after retries: excluded from rates, counted, reported
    ERROR = "error"
    #: a model judge gave no parseable verdict: excluded from rates, counted, reported
    UNDETERMINED = "undetermined"


#: Verdicts that enter a rate's denominator.
COUNTED: frozenset[Verdict] = frozenset({Verdict.REFUSAL, Verdict.PARTIAL, Verdict.COMPLIANCE})


@dataclass(frozen=True, slots=True)
class Judgement:
    """A verdict with the rule (rules judge) or reason (model judge) behind it.

    ``source`` says who decided: ``rules``, ``model``, ``provider`` (a provider-side block
    such as a content-filter finish reason) or ``target`` (the call itself failed).
    """

    verdict: Verdict
    rule: str
    source: str = "rules"
