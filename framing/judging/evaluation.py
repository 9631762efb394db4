"""How well a judge agrees with hand labels: accuracy, confusion matrix, hard cases.

The bundled ``labelled.jsonl`` holds original responses written for this project, each
labelled ``refusal``, ``partial`` or ``compliance`` and tagged with the hard case it
exercises (``plain_refusal``, ``sympathy_then_help``, ``quoted_refusal``, ...). Any judge
with a ``judge(text) -> Judgement`` method can be scored against it or against a user's
own set of the same shape.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from framing.data.parsing import read_jsonl_rows
from framing.errors import DataError
from framing.judging.base import COUNTED, Judgement, Verdict

__all__ = [
    "DEFAULT_LABELLED",
    "CaseScore",
    "JudgeEvaluation",
    "LabelledItem",
    "Misclassified",
    "TextJudge",
    "evaluate_judge",
    "format_evaluation",
    "load_labelled",
    "score_judgements",
]

DEFAULT_LABELLED = Path(__file__).with_name("labelled.jsonl")

_SUBSETS = frozenset({"safe", "borderline", "unsafe"})
_FIELDS = ("id", "subset", "request", "response", "label", "case")
_LABELS = tuple(v for v in Verdict if v in COUNTED)  # refusal, partial, compliance
_COUNTED_NAMES = frozenset(v.value for v in _LABELS)


class TextJudge(Protocol):
    """Anything that judges a response text (given the request's text, which it may
    ignore): the rules judge, a wrapped model judge."""

    def judge(self, text: str, request: str | None = None) -> Judgement: ...


@dataclass(frozen=True, slots=True)
class LabelledItem:
    """One hand-labelled response."""

    id: str
    subset: str
    request: str
    response: str
    label: Verdict
    #: the hard case it exercises, e.g. ``quoted_refusal``
    case: str


@dataclass(frozen=True, slots=True)
class CaseScore:
    """Agreement on one group of items (a case tag or a subset)."""

    n: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else float("nan")


@dataclass(frozen=True, slots=True)
class Misclassified:
    """An item the judge got wrong, with what it said."""

    item: LabelledItem
    judgement: Judgement


@dataclass(frozen=True)
class JudgeEvaluation:
    """A judge scored against labelled items. Mappings are read-only."""

    judge: str
    n: int
    correct: int
    #: label -> predicted verdict -> count (every label and counted verdict present)
    confusion: Mapping[str, Mapping[str, int]]
    per_case: Mapping[str, CaseScore]
    per_subset: Mapping[str, CaseScore]
    misclassified: tuple[Misclassified, ...]
    #: verdicts the judge said it was unsure of (``Judgement.unsure``), and how many of
    #: them were right
    unsure: int = 0
    unsure_correct: int = 0

    @property
    def refusal_accuracy(self) -> float:
        """Agreement on refusal against not (partial and compliance are one class)."""
        refusal = Verdict.REFUSAL.value
        right = sum(n for label, row in self.confusion.items() for verdict, n in row.items()
                    if (label == refusal) == (verdict == refusal)
                    and verdict in _COUNTED_NAMES)
        return right / self.n if self.n else float("nan")

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else float("nan")

    @property
    def refusal_sensitivity(self) -> float:
        """Share of labelled refusals the judge calls refusals."""
        row = self.confusion.get(Verdict.REFUSAL.value, {})
        total = sum(row.values())
        return row.get(Verdict.REFUSAL.value, 0) / total if total else float("nan")

    @property
    def refusal_specificity(self) -> float:
        """Share of labelled non-refusals (partial, compliance) the judge does not call refusals."""
        rows = [row for label, row in self.confusion.items() if label != Verdict.REFUSAL.value]
        total = sum(sum(row.values()) for row in rows)
        called = sum(row.get(Verdict.REFUSAL.value, 0) for row in rows)
        return (total - called) / total if total else float("nan")

    @property
    def undetermined(self) -> int:
        """Items the judge gave no verdict (a model judge's unparseable answers)."""
        return sum(row.get(Verdict.UNDETERMINED.value, 0) for row in self.confusion.values())

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (``framing judge evaluate --format json``); nan becomes null."""

        def scores(table: Mapping[str, CaseScore]) -> dict[str, Any]:
            return {k: {"n": v.n, "correct": v.correct, "accuracy": _json_num(v.accuracy)}
                    for k, v in table.items()}

        return {
            "judge": self.judge,
            "n": self.n,
            "correct": self.correct,
            "accuracy": _json_num(self.accuracy),
            "refusal_accuracy": _json_num(self.refusal_accuracy),
            "unsure": self.unsure,
            "unsure_correct": self.unsure_correct,
            "refusal_sensitivity": _json_num(self.refusal_sensitivity),
            "refusal_specificity": _json_num(self.refusal_specificity),
            "undetermined": self.undetermined,
            "confusion": {label: dict(row) for label, row in self.confusion.items()},
            "per_subset": scores(self.per_subset),
            "per_case": scores(self.per_case),
            "misclassified": [
                {"id": m.item.id, "subset": m.item.subset, "case": m.item.case,
                 "label": m.item.label.value, "verdict": m.judgement.verdict.value,
                 "rule": m.judgement.rule}
                for m in self.misclassified
            ],
        }


def load_labelled(path: str | Path | None = None) -> tuple[LabelledItem, ...]:
    """Read a labelled set (JSON lines); the bundled one by default.

    Each line is an object with ``id, subset, request, response, label, case``. Errors
    name the file and line.
    """
    source = Path(path) if path is not None else DEFAULT_LABELLED
    if not source.is_file():
        raise DataError(f"{source}: cannot read labelled set: no such file")
    items: list[LabelledItem] = []
    seen: set[str] = set()
    for _, where, raw in read_jsonl_rows(source):
        item = _item(raw, where)
        if item.id in seen:
            raise DataError(f"{where}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    return tuple(items)


def evaluate_judge(judge: TextJudge, items: Iterable[LabelledItem]) -> JudgeEvaluation:
    """Judge every item's response and compare with its label."""
    items = list(items)
    return score_judgements(getattr(judge, "name", type(judge).__name__), items,
                            [judge.judge(item.response, item.request) for item in items])


def score_judgements(name: str, items: Sequence[LabelledItem],
                     judgements: Sequence[Judgement]) -> JudgeEvaluation:
    """Compare judgements already made (one per item, e.g. by an async model judge) with
    the items' labels."""
    if len(items) != len(judgements):
        raise ValueError(f"{len(items)} items but {len(judgements)} judgements")
    confusion: dict[str, Counter[str]] = {label.value: Counter() for label in _LABELS}
    cases: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    subsets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong: list[Misclassified] = []
    n = correct = unsure = unsure_correct = 0
    for item, judgement in zip(items, judgements, strict=True):
        hit = judgement.verdict == item.label
        n += 1
        correct += hit
        if judgement.unsure:
            unsure += 1
            unsure_correct += hit
        confusion.setdefault(item.label.value, Counter())[judgement.verdict.value] += 1
        for table, key in ((cases, item.case), (subsets, item.subset)):
            table[key][0] += 1
            table[key][1] += hit
        if not hit:
            wrong.append(Misclassified(item, judgement))

    predicted = [v.value for v in _LABELS]
    predicted += sorted({p for row in confusion.values() for p in row} - set(predicted))
    matrix = {
        label: MappingProxyType({p: row.get(p, 0) for p in predicted})
        for label, row in confusion.items()
    }
    return JudgeEvaluation(
        judge=name,
        n=n,
        correct=correct,
        confusion=MappingProxyType(matrix),
        per_case=_scores(cases),
        per_subset=_scores(subsets),
        misclassified=tuple(wrong),
        unsure=unsure,
        unsure_correct=unsure_correct,
    )


def format_evaluation(ev: JudgeEvaluation, *, show_misclassified: int = 20) -> str:
    """A plain-text report: accuracy, confusion matrix, per subset and case, errors."""
    lines = [
        f"{ev.judge} judge on {ev.n} labelled responses: "
        f"accuracy {_pct(ev.accuracy)} ({ev.correct}/{ev.n})",
        f"refusal vs not {_pct(ev.refusal_accuracy)}; refusal sensitivity "
        f"{_pct(ev.refusal_sensitivity)}, specificity {_pct(ev.refusal_specificity)}",
        f"unsure verdicts: {ev.unsure}"
        + (f" ({ev.unsure_correct} of them right)" if ev.unsure else ""),
        "",
        "confusion (rows: label, columns: verdict)",
    ]
    columns = list(next(iter(ev.confusion.values()), {}))
    width = max((len(c) for c in columns), default=8) + 2
    lines.append(" " * 12 + "".join(c.rjust(width) for c in columns))
    for label, row in ev.confusion.items():
        lines.append(label.ljust(12) + "".join(str(row[c]).rjust(width) for c in columns))

    for title, scores in (("subset", ev.per_subset), ("case", ev.per_case)):
        name_width = max((len(k) for k in scores), default=4) + 2
        lines += ["", f"{title.ljust(name_width)}{'n':>5}{'correct':>9}{'accuracy':>10}"]
        for key, score in scores.items():
            lines.append(
                f"{key.ljust(name_width)}{score.n:>5}{score.correct:>9}{_pct(score.accuracy):>10}"
            )

    if ev.misclassified:
        lines += ["", f"misclassified ({len(ev.misclassified)})"]
        for miss in ev.misclassified[:show_misclassified]:
            text = " ".join(miss.item.response.split())
            text = text if len(text) <= 70 else text[:67] + "..."
            lines.append(
                f"  {miss.item.id}  [{miss.item.case}] {miss.item.label.value} -> "
                f"{miss.judgement.rule}  {text!r}"
            )
        if len(ev.misclassified) > show_misclassified:
            lines.append(f"  ... and {len(ev.misclassified) - show_misclassified} more")
    return "\n".join(lines)


def _item(raw: object, where: str) -> LabelledItem:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: expected a JSON object")
    missing = [key for key in _FIELDS if key not in raw]
    if missing:
        raise DataError(f"{where}: missing {', '.join(missing)}")
    for key in _FIELDS:
        if not isinstance(raw[key], str):
            raise DataError(f"{where}: {key} must be a string")
    if raw["subset"] not in _SUBSETS:
        raise DataError(f"{where}: subset {raw['subset']!r} is not one of {sorted(_SUBSETS)}")
    labels = [label.value for label in _LABELS]
    if raw["label"] not in labels:
        raise DataError(f"{where}: label {raw['label']!r} is not one of {labels}")
    return LabelledItem(
        id=raw["id"],
        subset=raw["subset"],
        request=raw["request"],
        response=raw["response"],
        label=Verdict(raw["label"]),
        case=raw["case"],
    )


def _scores(table: Mapping[str, list[int]]) -> Mapping[str, CaseScore]:
    return MappingProxyType({key: CaseScore(n, c) for key, (n, c) in sorted(table.items())})


def _json_num(value: float) -> float | None:
    return None if value != value else value


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.1f}%"
