"""The researcher's own labels: the ground truth of a study (DESIGN §7).

A label belongs to a *response*, not to a study: :func:`label_key` hashes the request
text, the response text and the image bytes, so any study that got the same answer to the
same request reuses it. From a study's labelled responses come its judge's sensitivity and
specificity per subset (:func:`label_calibration`, the same :class:`Calibration` that
``framing judge calibrate`` makes from a file) and so the corrected rates of
``framing frontier --corrected``.

The label queue (:func:`build_queue`) is a stratified sample of the study's stored
responses: strata are subset × the judge's verdict, visited in turn so a few labels
already cover every cell of the confusion matrix; where a second judge disagreed, those
responses come first. Grades are never shown to the labeller (they would anchor the
label); already-labelled responses are skipped.

:class:`LabelSession` is the pure state of one labelling session (current item, undo);
front ends do the writes it asks for, the CLI directly and the TUI in a worker.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from framing.data.loaders import load_data
from framing.data.schema import Sample
from framing.errors import ConfigError, DataError
from framing.judge_commands import correct_points
from framing.judging.base import Verdict
from framing.judging.calibration import (
    CORRECTED_SUBSETS,
    Calibration,
    SubsetCalibration,
    corrected_keys,
    judge_identity,
)
from framing.secondjudge import fill_second_verdicts, second_config, second_identity
from framing.stats import Rate, corrected_interval
from framing.storage.labels import LabelStore, StoredLabel
from framing.storage.tables import Store

if TYPE_CHECKING:
    from framing.config import StudyConfig
    from framing.points import Point
    from framing.storage.tables import Store

__all__ = [
    "LABELS",
    "LabelItem",
    "LabelQueue",
    "LabelSession",
    "LabelledResponse",
    "Projection",
    "build_queue",
    "corrected_points",
    "label_calibration",
    "label_key",
    "labelled_responses",
    "labels_needed",
    "projections",
    "save_label",
    "study_responses",
]

#: the labels a researcher gives, and their keys
LABELS = {"r": Verdict.REFUSAL, "p": Verdict.PARTIAL, "c": Verdict.COMPLIANCE}
#: verdicts of responses worth labelling (errors have no answer; truncated ones are cut)
LABELLED_VERDICTS = ("refusal", "partial", "compliance", "undetermined")
SPLITS = ("search", "holdout")


def label_key(request: str, response: str, image: str | None) -> str:
    """The identity of a response for labelling: request text, response text and the
    image's digest (None: no image)."""
    payload = json.dumps([request, response, image], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def image_digest(sample: Sample) -> str | None:
    """SHA-256 of the sample's image bytes (of its path or URL when it cannot be read)."""
    if sample.image is None:
        return None
    path = sample.image_path
    if path is not None:
        try:
            stat = Path(path).stat()
            return _file_digest(str(path), stat.st_mtime_ns, stat.st_size)
        except OSError:
            pass
    return hashlib.sha256(sample.image.encode()).hexdigest()


@functools.lru_cache(maxsize=65536)
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    """A file's SHA-256, remembered while the file is unchanged (a queue or a calibration
    hashes every image of a study; the TUI rebuilds them often)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return hashlib.sha256(path.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LabelItem:
    """One distinct stored response of a study, as the labeller sees it (no grades)."""

    key: str
    sample_id: str
    #: the sample's joint grade: for strata and calibration, never shown
    subset: str
    request: str
    image: str | None
    response: str
    #: the study's judge
    verdict: str
    #: the study's second judge, when it ran one
    second_verdict: str | None = None

    @property
    def disagreement(self) -> bool:
        return self.second_verdict is not None and self.second_verdict != self.verdict


@dataclass(frozen=True)
class LabelQueue:
    """A study's responses to label, in the order to show them."""

    study: str
    #: unlabelled responses, stratified (disagreements first)
    items: tuple[LabelItem, ...]
    #: distinct stored responses of the study
    total: int
    #: of them, already labelled (here or by another study with the same responses)
    labelled: int


def study_responses(config: StudyConfig, store: Store, label_store: LabelStore
                     ) -> list[LabelItem]:
    """Every distinct labellable response the study stored, one item per content key."""

    rows = [r for split in SPLITS for r in store.get_results(config.name, split=split)
            if r.verdict in LABELLED_VERDICTS and r.cache_key]
    if not rows:
        return []

    identity = second_identity(config)
    second = {} if identity is None else {
        (t, s): v for split in SPLITS
        for (t, s), v in label_store.get_compare(config.name, identity, split).items()}
    texts = store.response_texts([r.cache_key for r in rows if r.cache_key])
    samples = {s.id: s for s in load_data(config.data)}
    digests: dict[str, str | None] = {}
    verdicts: dict[str, Counter[str]] = {}
    seconds: dict[str, Counter[str]] = {}
    first: dict[str, LabelItem] = {}
    for r in rows:
        sample = samples.get(r.sample_id)
        text = texts.get(r.cache_key) if r.cache_key else None
        if sample is None or text is None:
            continue
        if sample.id not in digests:
            digests[sample.id] = image_digest(sample)
        key = label_key(sample.text, text, digests[sample.id])
        verdicts.setdefault(key, Counter())[r.verdict] += 1
        other = second.get((r.trial, r.sample_id))
        if other is not None:
            seconds.setdefault(key, Counter())[other] += 1
        if key not in first:
            first[key] = LabelItem(key, sample.id, r.subset, sample.text, sample.image,
                                   text, r.verdict)
    items = []
    for key, item in first.items():
        verdict = verdicts[key].most_common(1)[0][0]
        other = seconds[key].most_common(1)[0][0] if key in seconds else None
        items.append(LabelItem(item.key, item.sample_id, item.subset, item.request, item.image,
                               item.response, verdict, other))
    return items


def _stratified(items: Sequence[LabelItem], seed: str) -> list[LabelItem]:
    """Round-robin over subset × verdict strata, each shuffled (deterministic for a seed)."""
    rng = random.Random(seed)
    strata: dict[tuple[str, str], list[LabelItem]] = {}
    for item in sorted(items, key=lambda i: i.key):
        strata.setdefault((item.subset, item.verdict), []).append(item)
    queues = [strata[k] for k in sorted(strata)]
    for q in queues:
        rng.shuffle(q)
    ordered: list[LabelItem] = []
    while any(queues):
        for q in queues:
            if q:
                ordered.append(q.pop())
    return ordered


def build_queue(config: StudyConfig, store: Store) -> LabelQueue:
    """The study's label queue: DataError when it has no stored responses. A study with a
    second judge has it judge the responses it has not seen yet first (disagreements
    lead the queue)."""
    if config.mode == "classify":
        raise ConfigError(
            f"{config.source or 'the study'}: study {config.name!r} is in classify mode: its "
            "verdicts are the model's own labels of the pairs, there are no responses to "
            "label; label a respond-mode study")
    label_store = LabelStore(store.engine)
    if config.judge.compare is not None:

        fill_second_verdicts(config, store)
    items = study_responses(config, store, label_store)
    if not items:
        raise DataError(
            f"study {config.name!r} has no stored responses to label (storage "
            f"{store.url.split('://')[0]}); run it first: framing search"
            + (f" {config.source}" if config.source else ""))
    done = label_store.get_labels(i.key for i in items)
    todo = [i for i in items if i.key not in done]
    seed = f"labels:{config.name}"
    first = _stratified([i for i in todo if i.disagreement], seed)
    rest = _stratified([i for i in todo if not i.disagreement], seed)
    return LabelQueue(config.name, tuple(first + rest), len(items), len(items) - len(todo))


def save_label(store: Store, study: str, item: LabelItem, label: Verdict) -> None:
    LabelStore(store.engine).put_label(StoredLabel(
        item.key, label.value, item.verdict, study, item.sample_id, item.subset, time.time()))


def delete_label(store: Store, item: LabelItem) -> None:
    LabelStore(store.engine).delete_label(item.key)


# -- one session ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """What one action did: the item, and the label given (None: skipped)."""

    item: LabelItem
    label: Verdict | None


class LabelSession:
    """Where a labeller is in a queue, and what undo takes back. Pure: the caller stores
    the label :meth:`label` returns and deletes the one :meth:`undo` returns."""

    def __init__(self, items: Sequence[LabelItem]) -> None:
        self.items = tuple(items)
        self.index = 0
        self.history: list[Step] = []

    @property
    def current(self) -> LabelItem | None:
        return self.items[self.index] if self.index < len(self.items) else None

    @property
    def labelled(self) -> int:
        return sum(step.label is not None for step in self.history)

    def label(self, label: Verdict) -> Step:
        return self._advance(label)

    def skip(self) -> Step:
        return self._advance(None)

    def undo(self) -> Step | None:
        """Back to the previous item; the step returned says which label to delete."""
        if not self.history:
            return None
        step = self.history.pop()
        self.index -= 1
        return step

    def _advance(self, label: Verdict | None) -> Step:
        item = self.current
        if item is None:
            raise IndexError("no item left to label")
        step = Step(item, label)
        self.history.append(step)
        self.index += 1
        return step


# -- from labels to calibration -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelledResponse:
    """A labelled response of a study: the study's judge(s) against the researcher."""

    item: LabelItem
    label: Verdict


def labelled_responses(config: StudyConfig, store: Store) -> list[LabelledResponse]:
    """The study's stored responses that carry a label (from any study)."""
    return _labelled(config, store)[1]


def _labelled(config: StudyConfig, store: Store
              ) -> tuple[list[LabelItem], list[LabelledResponse]]:
    """The study's distinct responses, and those of them that carry a label (nothing when
    the database holds no label at all: then the responses are not even read)."""
    label_store = LabelStore(store.engine)
    if label_store.count_labels() == 0:
        return [], []
    items = study_responses(config, store, label_store)
    found = label_store.get_labels(i.key for i in items)
    return items, [LabelledResponse(i, Verdict(found[i.key].label))
                   for i in items if i.key in found]


def _stratum(item: LabelItem) -> tuple[str, str, bool]:
    """The queue's sampling stratum of a response (:func:`build_queue`)."""
    return (item.subset, item.verdict, item.disagreement)


def _weighted_rate(weights: Sequence[float], hits: Sequence[bool]) -> Rate:
    """A weighted proportion as a Rate of *effective* counts: Kish's effective sample size
    ``(Σw)² / Σw²`` and the weighted share of it, rounded (equal weights: the plain
    counts), so Wilson intervals and the bootstrap see the information the labels hold."""
    if not weights:
        return Rate.of(0, 0)
    total = sum(weights)
    n = max(1, round(total * total / sum(w * w for w in weights)))
    share = sum(w for w, h in zip(weights, hits, strict=True) if h) / total
    return Rate.of(round(share * n), n)


def calibration_of(study: str, judge: str, judge_kind: str, population: Sequence[LabelItem],
                   labelled: Sequence[LabelledResponse], *, second: bool = False
                   ) -> Calibration | None:
    """Sensitivity and specificity per subset of the study's judge (or of its second judge)
    against the labels; None without labels.

    The queue samples each stratum (subset × verdict, disagreements apart) at its own rate,
    so the labelled responses over-represent small strata. Each labelled response is
    weighted by its stratum's size over its labelled count (inverse probability of being
    labelled) so that sensitivity and specificity are the study's, not the sample's; with
    strata labelled in proportion the weights are equal and these are the plain counts."""
    sizes = Counter(_stratum(i) for i in population)
    done = Counter(_stratum(r.item) for r in labelled)
    per_subset: dict[str, dict[str, list[Any]]] = {}
    n = 0
    for r in labelled:
        verdict = r.item.second_verdict if second else r.item.verdict
        if verdict is None:
            continue
        n += 1
        cell = per_subset.setdefault(r.item.subset, {"sens": [], "spec": [], "undet": []})
        if verdict in (Verdict.UNDETERMINED.value, Verdict.ERROR.value):
            cell["undet"].append(1)
            continue
        stratum = _stratum(r.item)
        weight = sizes.get(stratum, done[stratum]) / done[stratum]
        called = verdict == Verdict.REFUSAL.value
        if r.label is Verdict.REFUSAL:
            cell["sens"].append((weight, called))
        else:
            cell["spec"].append((weight, not called))
    if not n:
        return None
    order = ("borderline", "unsafe", "safe")
    subsets = {}
    for subset in sorted(per_subset, key=lambda x: order.index(x) if x in order else 9):
        cell = per_subset[subset]
        sens = _weighted_rate([w for w, _ in cell["sens"]], [h for _, h in cell["sens"]])
        spec = _weighted_rate([w for w, _ in cell["spec"]], [h for _, h in cell["spec"]])
        subsets[subset] = SubsetCalibration(subset, sens, spec, len(cell["undet"]))
    return Calibration(study, judge, judge_kind, f"researcher labels, n={n}",
                       MappingProxyType(subsets), time.time())


def label_calibration(config: StudyConfig, store: Store, *, second: bool = False
                      ) -> Calibration | None:
    """The study judge's (or its second judge's) calibration from the researcher's labels,
    or None without any."""
    population, labelled = _labelled(config, store)
    judged = config
    if second:

        judged = second_config(config)
    kind = judged.judge.kind
    return calibration_of(config.name, judge_identity(judged, kind), kind, population,
                          labelled, second=second)


def corrected_points(config: StudyConfig, points: Sequence[Point]
                     ) -> tuple[list[Point], Calibration]:
    """``framing frontier --corrected``: the points with Rogan–Gladen corrected rates,
    calibrated by the researcher's labels of the study's responses when they calibrate a
    subset, else by the stored calibration of the study's judge (``framing judge
    calibrate``, :func:`framing.judge_commands.correct_points`)."""

    labelled = None
    if config.mode != "classify":  # classify: correct_points says why there is nothing
        store = Store(config.storage.url)
        try:
            labelled = label_calibration(config, store)
        finally:
            store.close()
    usable = labelled is not None and any(
        s.usable for s in labelled.subsets.values() if s.subset in CORRECTED_SUBSETS)
    if not usable:
        try:
            return correct_points(config, list(points))
        except ConfigError as e:
            if labelled is None:
                raise ConfigError(f"{e}; or label some of its responses: framing label "
                                  "STUDY") from None
    assert labelled is not None
    return [replace(p, extra={**p.extra, **corrected_keys(p, labelled)}) for p in points], \
        labelled


# -- how many more labels ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Projection:
    """How many more labels of one subset bring every trial's corrected interval on it
    under the target width (None: cannot say, see ``reason``)."""

    subset: str
    width_now: float | None
    more: int | None
    reason: str = ""


#: bootstrap draws per projected interval (the projection is a planning figure)
PROJECTION_DRAWS = 4000
#: the most labels a projection considers
PROJECTION_CAP = 100_000


def _width(observed: Sequence[Rate], sens: Rate, spec: Rate) -> float:
    widest = 0.0
    for rate in observed:
        try:
            lo, hi = corrected_interval(rate, sens, spec, draws=PROJECTION_DRAWS)
        except ValueError:
            return 1.0
        widest = max(widest, hi - lo)
    return widest


def _scaled(rate: Rate, n: int) -> Rate:
    return Rate.of(min(n, round(rate.value * n)), n)


def labels_needed(subset: str, observed: Sequence[Rate], calibration: SubsetCalibration | None,
                  width: float) -> Projection:
    """More labels of ``subset`` needed so that every observed refusal rate's corrected 95%
    interval is narrower than ``width``, assuming new labels arrive with the refusal share
    and the judge agreement seen so far. The interval also carries the observed rate's own
    sampling error, which no label removes: then it says so."""
    observed = sorted({(r.k, r.n): r for r in observed if r.n}.values(), key=lambda r: (r.n, r.k))
    if not observed:
        return Projection(subset, None, None, "no verdicts on this subset")
    if calibration is None or not calibration.sensitivity.n or not calibration.specificity.n:
        return Projection(subset, None, None,
                          "label at least one refusal and one non-refusal of this subset first")
    if not calibration.usable:
        return Projection(subset, None, None,
                          "on the labels so far the judge is no better than chance "
                          "(sensitivity + specificity <= 1): label more of this subset")
    sens, spec = calibration.sensitivity, calibration.specificity
    now = _width(observed, sens, spec)
    if now < width:
        return Projection(subset, now, 0)
    share = sens.n / (sens.n + spec.n)

    def fits(more: int) -> bool:
        n_sens = sens.n + round(more * share)
        n_spec = spec.n + more - round(more * share)
        return _width(observed, _scaled(sens, n_sens), _scaled(spec, n_spec)) < width

    if not fits(PROJECTION_CAP):
        return Projection(subset, now, None,
                          f"not reachable by labels: the rates' own sample size keeps the "
                          f"interval at or above {width:g} (evaluate more samples per subset)")
    lo, hi = 0, PROJECTION_CAP
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid
    return Projection(subset, now, hi)


def observed_rates(store: Store, study: str) -> dict[str, list[Rate]]:
    """Each full trial's observed refusal rate per subset (search split; counted verdicts).
    Trials racing stopped early (far fewer verdicts) are left out: no number of labels
    narrows their intervals, and they are never on the frontier."""
    counts: dict[tuple[str, int], list[int]] = {}
    for r in store.get_results(study):
        if r.verdict not in ("refusal", "partial", "compliance"):
            continue
        c = counts.setdefault((r.subset, r.trial), [0, 0])
        c[0] += r.verdict == "refusal"
        c[1] += 1
    rates: dict[str, list[Rate]] = {}
    for (subset, _), (k, n) in sorted(counts.items()):
        rates.setdefault(subset, []).append(Rate.of(k, n))
    return {subset: [r for r in found if r.n >= 0.9 * max(x.n for x in found)]
            for subset, found in rates.items()}


def projections(store: Store, study: str, calibration: Calibration | None,
                width: float) -> list[Projection]:
    """:func:`labels_needed` for the two corrected subsets."""
    rates = observed_rates(store, study)
    subsets: Mapping[str, SubsetCalibration] = (
        calibration.subsets if calibration else MappingProxyType({}))
    return [labels_needed(s, rates.get(s, []), subsets.get(s), width) for s in CORRECTED_SUBSETS]


def check_width(width: float) -> float:
    if not 0.0 < width < 1.0:
        raise ConfigError("--target-width must be between 0 and 1 (e.g. 0.1)")
    return width
