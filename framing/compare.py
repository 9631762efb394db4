"""Paired comparisons of stored trials: two framings on their shared samples, and the
frontier once sampling noise is accounted for.

Every trial of a study evaluates the same samples, so two framings are compared on the
items both answered (exact McNemar on the discordant pairs), which is far more
sensitive than comparing two independent intervals. A trial stopped early by racing
shares a prefix of the samples with every other trial; comparisons use that prefix.
Samples with an ``error`` or ``undetermined`` verdict in either trial are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import optuna

from framing.errors import ConfigError
from framing.metrics import is_error
from framing.points import ATTR_DUPLICATE_OF
from framing.stats import PairedComparison, paired_compare, probably_nondominated, ties

if TYPE_CHECKING:
    from framing.storage.tables import ResultRow, Store

__all__ = [
    "ALPHA",
    "OBJECTIVES",
    "Disagreement",
    "FrontierAssessment",
    "SampleOutcomes",
    "TrialComparison",
    "assess_frontier",
    "compare_outcomes",
    "lower_text",
    "p_text",
    "paired",
    "resolve_trial",
    "significantly_lower",
    "stored_outcomes",
]

#: significance level of the paired tests shown to users (each test, uncorrected)
ALPHA = 0.05
#: objective name -> the subset it is measured on
OBJECTIVES: dict[str, str] = {"over_blocking": "borderline", "under_refusal": "unsafe"}
#: what a disagreement on each objective means, safety-critical first (how compare lists them)
DISAGREEMENT_KINDS: dict[str, str] = {"under_refusal": "missed harm on unsafe samples",
                                      "over_blocking": "over-blocking on borderline samples"}


def p_text(p_value: float) -> str:
    """``p = 0.003`` or ``p < 0.001``."""
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def lower_text(cmp: PairedComparison, a: str = "A", b: str = "B",
               alpha: float = ALPHA) -> str:
    """The one way a paired difference is said, in the CLI, the report and the TUI:
    which of the two is lower and by how many points, with the exact McNemar p —
    "B lower by 40.8 points (p = 0.003)"; ", not significant" is added when p >= alpha."""
    if cmp.n == 0:
        return "no shared samples"
    if cmp.difference == 0:
        return f"no difference ({p_text(cmp.p_value)})"
    lower = a if cmp.difference < 0 else b
    significant = "" if cmp.p_value < alpha else ", not significant"
    return f"{lower} lower by {100 * abs(cmp.difference):.1f} points " \
        f"({p_text(cmp.p_value)}{significant})"


@dataclass(frozen=True)
class SampleOutcomes:
    """One trial's per-sample outcomes on both objectives, keyed by sample id.

    ``over_blocking[id]`` is true when a borderline sample was refused;
    ``under_refusal[id]`` is true when an unsafe sample was *not* refused. Both dicts
    keep the evaluation order. ``verdicts`` holds every stored verdict, errors included.
    """

    over_blocking: dict[str, bool] = field(default_factory=dict)
    under_refusal: dict[str, bool] = field(default_factory=dict)
    verdicts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[ResultRow]) -> SampleOutcomes:
        """From stored result rows (``Store.get_results``) of one trial and split."""
        ob: dict[str, bool] = {}
        ur: dict[str, bool] = {}
        verdicts: dict[str, str] = {}
        for row in sorted(rows, key=lambda r: r.position):
            verdicts[row.sample_id] = row.verdict
            wrong = is_error(row.subset, row.verdict)
            if wrong is None:
                continue
            if row.subset == "borderline":
                ob[row.sample_id] = wrong
            elif row.subset == "unsafe":
                ur[row.sample_id] = wrong
        return cls(ob, ur, verdicts)

    def objective(self, name: str) -> dict[str, bool]:
        return self.over_blocking if name == "over_blocking" else self.under_refusal


def paired(a: SampleOutcomes, b: SampleOutcomes, objective: str) -> PairedComparison:
    """McNemar comparison of a and b on the samples both counted, for one objective
    (``difference`` is a's rate minus b's)."""
    xa, xb = a.objective(objective), b.objective(objective)
    shared = [sid for sid in xa if sid in xb]
    return paired_compare([xa[s] for s in shared], [xb[s] for s in shared])


def significantly_lower(a: SampleOutcomes, b: SampleOutcomes, objective: str,
                        alpha: float, *, one_sided: bool = False) -> bool:
    """Is a's rate lower than b's on ``objective``, with exact McNemar p < alpha?

    Two-sided by default; ``one_sided`` when the direction was fixed before looking.
    """
    cmp = paired(a, b, objective)
    p = cmp.p_lower if one_sided else cmp.p_value
    return cmp.difference < 0 and p < alpha


# ----------------------------------------------------------------- two trials


@dataclass(frozen=True)
class Disagreement:
    """A shared sample on which the two framings land on different sides of an objective."""

    objective: str
    sample_id: str
    verdict_a: str
    verdict_b: str
    text: str = ""

    def to_json(self) -> dict[str, str]:
        return {"objective": self.objective, "sample_id": self.sample_id,
                "verdict_a": self.verdict_a, "verdict_b": self.verdict_b, "text": self.text}


@dataclass(frozen=True)
class TrialComparison:
    """Two trials compared on their shared samples, objective by objective."""

    trial_a: int
    trial_b: int
    objectives: dict[str, PairedComparison]
    disagreements: tuple[Disagreement, ...]
    alpha: float = ALPHA

    def better(self, objective: str) -> str | None:
        """'a' or 'b' when one is significantly lower on the objective, else None."""
        cmp = self.objectives[objective]
        if cmp.p_value >= self.alpha or cmp.difference == 0:
            return None
        return "a" if cmp.difference < 0 else "b"

    def to_json(self) -> dict[str, Any]:
        objectives = {}
        for name, cmp in self.objectives.items():
            objectives[name] = {
                "n": cmp.n,
                "rate_a": None if cmp.n == 0 else cmp.rate_a.value,
                "rate_a_ci": list(cmp.rate_a.ci),
                "rate_b": None if cmp.n == 0 else cmp.rate_b.value,
                "rate_b_ci": list(cmp.rate_b.ci),
                "only_a": cmp.b,
                "only_b": cmp.c,
                "difference": None if cmp.n == 0 else cmp.difference,
                "p_value": cmp.p_value,
                "better": self.better(name),
                "summary": lower_text(cmp, alpha=self.alpha),
            }
        return {"trial_a": self.trial_a, "trial_b": self.trial_b, "alpha": self.alpha,
                "objectives": objectives,
                "disagreements": [d.to_json() for d in self.disagreements],
                "disagreement_counts": {name: len(self.disagreeing(name))
                                        for name in DISAGREEMENT_KINDS}}

    def disagreeing(self, objective: str) -> list[Disagreement]:
        """The disagreements on one objective, in evaluation order."""
        return [d for d in self.disagreements if d.objective == objective]


def compare_outcomes(trial_a: int, a: SampleOutcomes, trial_b: int, b: SampleOutcomes,
                     texts: Mapping[str, str] | None = None,
                     alpha: float = ALPHA) -> TrialComparison:
    """Paired tests per objective and the samples where the two framings disagree."""
    texts = texts or {}
    objectives = {name: paired(a, b, name) for name in OBJECTIVES}
    disagreements = []
    for name in OBJECTIVES:
        xa, xb = a.objective(name), b.objective(name)
        for sid, value in xa.items():
            if sid in xb and xb[sid] != value:
                disagreements.append(Disagreement(name, sid, a.verdicts[sid], b.verdicts[sid],
                                                  texts.get(sid, "")))
    return TrialComparison(trial_a, trial_b, objectives, tuple(disagreements), alpha)


# -------------------------------------------------------- the believable frontier


@dataclass(frozen=True)
class FrontierAssessment:
    """The point-estimate frontier and what survives paired significance.

    ``probable`` is the probably non-dominated set (trial numbers): a candidate is left
    out only when another is significantly better on *both* objectives. ``tied_with``
    maps each probable trial to the probable trials it cannot be told apart from on
    either objective.
    """

    frontier: tuple[int, ...]
    probable: tuple[int, ...]
    tied_with: dict[int, tuple[int, ...]]
    alpha: float = ALPHA


def assess_frontier(candidates: Sequence[tuple[int, tuple[float, float]]],
                    frontier: Iterable[int],
                    outcomes: Mapping[int, SampleOutcomes],
                    alpha: float = ALPHA) -> FrontierAssessment:
    """Probably non-dominated set and ties among ``candidates`` ((trial, objectives)
    pairs: full trials only, one per framing), tested on their shared samples."""
    trials = [t for t, _ in candidates]
    points = [p for _, p in candidates]
    empty = SampleOutcomes()
    cache: dict[tuple[int, int], tuple[bool, bool]] = {}

    def better(i: int, j: int) -> tuple[bool, bool]:
        if (i, j) not in cache:
            a, b = outcomes.get(trials[i], empty), outcomes.get(trials[j], empty)
            cache[(i, j)] = (significantly_lower(a, b, "over_blocking", alpha),
                             significantly_lower(a, b, "under_refusal", alpha))
        return cache[(i, j)]

    kept = probably_nondominated(points, lambda i, j: all(better(i, j)))
    tied: dict[int, list[int]] = {trials[i]: [] for i in kept}
    for i, j in ties(kept, better):
        tied[trials[i]].append(trials[j])
        tied[trials[j]].append(trials[i])
    return FrontierAssessment(
        frontier=tuple(frontier),
        probable=tuple(trials[i] for i in kept),
        tied_with={t: tuple(v) for t, v in tied.items()},
        alpha=alpha,
    )


# ------------------------------------------------------------- a stored study


def stored_outcomes(store: Store, study_name: str, trials: Iterable[int] | None = None,
                    split: str = "search") -> dict[int, SampleOutcomes]:
    """Per-sample outcomes of a study's trials (all, or ``trials``), from one query."""
    wanted = None if trials is None else set(trials)
    rows: dict[int, list[ResultRow]] = {}
    for row in store.get_results(study_name, None, split):
        if wanted is None or row.trial in wanted:
            rows.setdefault(row.trial, []).append(row)
    return {t: SampleOutcomes.from_rows(r) for t, r in rows.items()}


def resolve_trial(study: optuna.Study, number: int) -> int:
    """The trial whose verdicts stand for trial ``number``: itself, or, for a repeat of a
    framing, the trial that evaluated it. ConfigError when there is no such finished
    trial."""
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    trial = trials.get(number)
    if trial is None or trial.state != optuna.trial.TrialState.COMPLETE:
        done = sorted(n for n, t in trials.items()
                      if t.state == optuna.trial.TrialState.COMPLETE)
        hint = f"finished trials: {_ranges(done)}" if done else "it has no finished trial"
        raise ConfigError(f"study {study.study_name!r} has no finished trial {number} "
                          f"({hint})")
    return int(trial.user_attrs.get(ATTR_DUPLICATE_OF, number))


def _ranges(numbers: Sequence[int]) -> str:
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)
