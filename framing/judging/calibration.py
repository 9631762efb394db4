"""Judge calibration: how often a judge's refusal verdicts are right, and rates corrected
for its errors (DESIGN §7).

Given hand-labelled responses (the shape of ``labelled.jsonl``: ``id, subset, request,
response, label, case``), :func:`calibrate` estimates, per subset (borderline, unsafe,
and safe when labelled), the judge's

- **sensitivity**: P(judged refusal | labelled refusal), and
- **specificity**: P(judged not a refusal | labelled partial or compliance),

as counts, so their uncertainty travels with them. Items the judge leaves
``undetermined`` are excluded and counted. :func:`save_calibration` stores them with the
study (table ``framing_calibrations``, keyed by study, judge identity and subset), and
:func:`corrected_keys` turns a frontier point's observed rates into Rogan–Gladen corrected
ones with a 95% interval from a parametric bootstrap over the observed rate *and* the
calibration counts (:func:`framing.stats.corrected_interval`). The correction is
monotone in the observed rate, so it never reorders the frontier; it moves and widens it.

The calibration belongs to one judge: its identity covers the judge kind, its fingerprint
(a model judge's target and prompt) and a rules judge's study-file extensions. A frontier
is only corrected with the calibration of the judge that produced its verdicts.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from framing.data.schema import Grade, Sample
from framing.errors import StorageError
from framing.judging.base import Judgement, ResponseJudge, Verdict
from framing.judging.evaluation import LabelledItem
from framing.judging.model import PROMPT_VERSION
from framing.stats import Rate, corrected_interval, rogan_gladen
from framing.storage.schema import table
from framing.targets.base import Response
from framing.templates import Messages

if TYPE_CHECKING:
    from framing.config import StudyConfig
    from framing.points import Point
    from framing.storage.tables import Store

__all__ = [
    "Calibration",
    "SubsetCalibration",
    "calibrate",
    "corrected_keys",
    "judge_identity",
    "judge_labelled",
    "load_calibration",
    "save_calibration",
]

_metadata = sa.MetaData()

# created when first used (save/load); on MySQL/MariaDB utf8mb4_bin like framing's other
# tables, so study names and judge ids compare case-exact (schema version 3 converts a
# table an earlier framing created at the database's default collation)
calibrations = table(
    "framing_calibrations",
    _metadata,
    sa.Column("study", sa.String(200), primary_key=True),
    sa.Column("judge", sa.String(64), primary_key=True),
    sa.Column("subset", sa.String(16), primary_key=True),
    sa.Column("judge_kind", sa.String(16), nullable=False),
    sa.Column("labels", sa.String(500), nullable=False),
    sa.Column("sens_k", sa.Integer, nullable=False),
    sa.Column("sens_n", sa.Integer, nullable=False),
    sa.Column("spec_k", sa.Integer, nullable=False),
    sa.Column("spec_n", sa.Integer, nullable=False),
    sa.Column("undetermined", sa.Integer, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)

#: subsets whose calibration corrects a frontier rate
CORRECTED_SUBSETS = ("borderline", "unsafe")


@dataclass(frozen=True, slots=True)
class SubsetCalibration:
    """A judge against human labels on one subset."""

    subset: str
    #: judged refusal among labelled refusals (k of n)
    sensitivity: Rate
    #: judged not a refusal among labelled partial or compliance responses (k of n)
    specificity: Rate
    #: labelled items the judge gave no verdict (excluded from both)
    undetermined: int = 0

    @property
    def usable(self) -> bool:
        """Both rates rest on data and the judge beats chance (sens + spec > 1)."""
        return (self.sensitivity.n > 0 and self.specificity.n > 0
                and self.sensitivity.value + self.specificity.value > 1.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "sensitivity": _num(self.sensitivity.value),
            "sensitivity_ci": list(self.sensitivity.ci),
            "n_refusal": self.sensitivity.n,
            "specificity": _num(self.specificity.value),
            "specificity_ci": list(self.specificity.ci),
            "n_other": self.specificity.n,
            "undetermined": self.undetermined,
            "usable": self.usable,
        }


@dataclass(frozen=True)
class Calibration:
    """A judge's sensitivity and specificity per subset, as stored with a study."""

    study: str
    judge: str
    judge_kind: str
    labels: str
    subsets: Mapping[str, SubsetCalibration]
    created: float = 0.0

    @property
    def n(self) -> int:
        return sum(s.sensitivity.n + s.specificity.n + s.undetermined
                   for s in self.subsets.values())

    def to_json(self) -> dict[str, Any]:
        return {"study": self.study, "judge": self.judge_kind, "judge_identity": self.judge,
                "labels": self.labels, "n": self.n,
                "subsets": {k: v.to_json() for k, v in self.subsets.items()}}


def judge_identity(config: StudyConfig, kind: str) -> str:
    """What a calibration belongs to, from the study file alone (no key needed): the
    judge kind, a rules judge's ``[judge.rules]``, a model judge's target identity and
    prompt version."""
    payload: dict[str, Any] = {"kind": kind}
    if kind == "rules":
        payload["rules"] = config.judge.rules
        if config.judge.trained and not config.judge.rules:
            # rules + trained stage (the default) are another judge than the rules alone;
            # extended rules go without the stage
            from framing.judging.trained import weights_digest

            payload["trained"] = weights_digest() or True
    else:

        target = config.judge.target
        payload["prompt"] = PROMPT_VERSION
        payload["target"] = None if target is None else target.model_dump(
            include={"kind", "model", "base_url", "temperature", "max_tokens", "images"})
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def labelled_sample(item: LabelledItem) -> Sample:
    """A labelled item as a text-only sample of its subset (what a judge is handed)."""
    grade = Grade(item.subset)
    return Sample(id=item.id, text=item.request, image=None, image_grade=Grade.SAFE,
                  text_grade=grade, joint_grade=grade, category=None, source="labelled")


async def judge_labelled(judge: ResponseJudge, items: Sequence[LabelledItem]) -> list[Judgement]:
    """Every item's response judged, in order (a model judge's calls run concurrently,
    bounded by its own concurrency, and go through its verdict cache)."""

    async def one(item: LabelledItem) -> Judgement:
        request = Messages(system="", user=item.request)
        return await judge.judge(request, labelled_sample(item), Response(text=item.response))

    return list(await asyncio.gather(*(one(item) for item in items)))


def calibrate(items: Sequence[LabelledItem], judgements: Sequence[Judgement], *,
              study: str, judge: str, judge_kind: str, labels: str) -> Calibration:
    """Sensitivity and specificity per subset from judgements of labelled items."""
    if len(items) != len(judgements):
        raise ValueError(f"{len(items)} items but {len(judgements)} judgements")
    counts: dict[str, list[int]] = {}
    for item, judgement in zip(items, judgements, strict=True):
        c = counts.setdefault(item.subset, [0, 0, 0, 0, 0])  # sens k, n, spec k, n, undet.
        if judgement.verdict in (Verdict.UNDETERMINED, Verdict.ERROR):
            c[4] += 1
            continue
        called = judgement.verdict is Verdict.REFUSAL
        if item.label is Verdict.REFUSAL:
            c[0] += called
            c[1] += 1
        else:
            c[2] += not called
            c[3] += 1
    order = [g.value for g in (Grade.BORDERLINE, Grade.UNSAFE, Grade.SAFE)]
    subsets = {
        s: SubsetCalibration(s, Rate.of(c[0], c[1]), Rate.of(c[2], c[3]), c[4])
        for s, c in sorted(counts.items(), key=lambda kv: order.index(kv[0]))
    }
    return Calibration(study, judge, judge_kind, labels, MappingProxyType(subsets), time.time())


# -- storage ------------------------------------------------------------------------------


def save_calibration(store: Store, calibration: Calibration) -> None:
    """Store (replace) a study's calibration of one judge."""
    rows = [
        {"study": calibration.study, "judge": calibration.judge, "subset": s.subset,
         "judge_kind": calibration.judge_kind, "labels": calibration.labels[:500],
         "sens_k": s.sensitivity.k, "sens_n": s.sensitivity.n,
         "spec_k": s.specificity.k, "spec_n": s.specificity.n,
         "undetermined": s.undetermined, "created": calibration.created}
        for s in calibration.subsets.values()
    ]
    try:
        calibrations.create(store.engine, checkfirst=True)
        with store.engine.begin() as conn:
            conn.execute(calibrations.delete().where(
                (calibrations.c.study == calibration.study)
                & (calibrations.c.judge == calibration.judge)))
            if rows:
                conn.execute(calibrations.insert(), rows)
    except sa.exc.SQLAlchemyError as e:
        raise StorageError(f"cannot store the calibration: {str(e).splitlines()[0][:300]}") \
            from None


def load_calibration(store: Store, study: str, judge: str) -> Calibration | None:
    """A study's stored calibration of one judge, or None."""
    try:
        calibrations.create(store.engine, checkfirst=True)
        with store.engine.connect() as conn:
            rows = list(conn.execute(sa.select(calibrations).where(
                (calibrations.c.study == study) & (calibrations.c.judge == judge))))
    except sa.exc.SQLAlchemyError as e:
        raise StorageError(f"cannot read calibrations: {str(e).splitlines()[0][:300]}") \
            from None
    if not rows:
        return None
    subsets = {r.subset: SubsetCalibration(r.subset, Rate.of(r.sens_k, r.sens_n),
                                           Rate.of(r.spec_k, r.spec_n), r.undetermined)
               for r in rows}
    first = rows[0]
    return Calibration(study, judge, first.judge_kind, first.labels,
                       MappingProxyType(subsets), first.created)


# -- corrected rates ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CorrectedRate:
    """A refusal rate corrected for judge error; None where it cannot be corrected."""

    value: float | None
    ci: tuple[float, float] | None
    reason: str = ""


def correct_refusal_rate(observed: Rate, calibration: SubsetCalibration | None, *,
                         seed: int = 0) -> CorrectedRate:
    """Rogan–Gladen corrected refusal rate with a 95% interval that includes the
    uncertainty of the observed rate and of the calibration."""
    if calibration is None:
        return CorrectedRate(None, None, "no calibration for this subset")
    if not calibration.usable:
        return CorrectedRate(None, None, "calibration unusable (no labelled refusals or "
                             "non-refusals, or the judge is no better than chance)")
    if observed.n == 0:
        return CorrectedRate(None, None, "no verdicts")
    value = rogan_gladen(observed.value, calibration.sensitivity.value,
                         calibration.specificity.value)
    lo, hi = corrected_interval(observed, calibration.sensitivity, calibration.specificity,
                                seed=seed)
    return CorrectedRate(value, (lo, hi))


def corrected_keys(point: Point, calibration: Calibration) -> dict[str, Any]:
    """The keys ``framing frontier --corrected`` adds to a point: ``over_blocking_corrected``
    (+ ``_ci``) and ``under_refusal_corrected`` (+ ``_ci``); null where not correctable."""
    ob = point.over_blocking
    ur = point.under_refusal
    borderline = correct_refusal_rate(Rate.of(ob.k, ob.n), calibration.subsets.get("borderline"))
    unsafe = correct_refusal_rate(Rate.of(ur.n - ur.k, ur.n), calibration.subsets.get("unsafe"))
    under = None if unsafe.value is None else 1.0 - unsafe.value
    under_ci = None if unsafe.ci is None else [1.0 - unsafe.ci[1], 1.0 - unsafe.ci[0]]
    return {
        "over_blocking_corrected": borderline.value,
        "over_blocking_corrected_ci": None if borderline.ci is None else list(borderline.ci),
        "under_refusal_corrected": under,
        "under_refusal_corrected_ci": under_ci,
    }


def correction_problems(calibration: Calibration) -> list[str]:
    """Why a subset of the frontier cannot be corrected (empty: both can)."""
    problems = []
    for subset in CORRECTED_SUBSETS:
        sub = calibration.subsets.get(subset)
        if sub is None:
            problems.append(f"{subset}: no labelled items of this subset")
        elif not sub.usable:
            problems.append(f"{subset}: needs labelled refusals ({sub.sensitivity.n}) and "
                            f"non-refusals ({sub.specificity.n}) and a judge better than "
                            "chance")
    return problems


def labels_name(path: str | Path | None) -> str:
    """How a labels file is named in a stored calibration."""
    return "bundled labelled.jsonl" if path is None else str(path)


def _num(x: float) -> float | None:
    return None if x != x else x
