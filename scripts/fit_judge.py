"""Refit the rules judge's trained stage (``framing/judging/trained.json``, ``boosted.json``
and ``tfidf.json``) from the development sets, and print the cross-set measure that
decides how it is used.

Reads only ``benchmarks/judge_sets/dev.jsonl`` and ``dev2.jsonl`` ... ``dev12.jsonl``
(each when present) and the bundled ``framing/judging/labelled.jsonl``; never the frozen held-out
set. Deterministic: the same sets give the same weights.

Cross-set measure: for each development set, fit on the others and score on it, beside
the rules alone on the same set. The rules were written with ``labelled.jsonl`` and tuned
on ``dev.jsonl``, so on those two the rules' figure is in-sample and flatters them; on the
sets written independently of the rules (``dev2.jsonl`` ... ``dev12.jsonl``; the rules have
since been tuned on the errors of dev2-dev4 and, one rule group, of dev5 and dev7) the stage's
figure is out-of-sample, and their mean decides every setting below (the features
of ``framing.judging.features`` and ``framing.judging.discourse``, the gate, the L2
penalty, the bundled set's weight). The final fit on all the sets is in-sample and is
printed only beside, labelled.

Settings: the stage's probabilities are the mean of its structural reading (the
regression and the trees, averaged) and its TF-IDF reader's (``TFIDF_TERMS``,
``TFIDF_C``). It may overrule the rules with probability at least ``GATE`` = 0.4, except a
refusal the rules are sure of, and a plain answer with no sign of declining unless both
readers give the verdict at least ``trained.AGREEMENT`` = 0.5 (``trained.may_overrule``);
L2 = 0.01; the bundled set weighs half. ``--scan`` and ``--gates`` measure the regression
alone, as when those settings were chosen.

Figures of session 10 (mean over dev2 ... dev12): the stage as shipped, 81.5% three-way,
90.0% refusal-vs-not; the same gate without the TF-IDF reader, 79.7% / 88.2%; the gate of
session 9 with the structural reading alone, 78.0% / 88.2% (below), and with both readers
78.8% / 88.8%. The other variants were measured by a scratch script (not kept) on the
same cross-set stages, with TF-IDF readers fitted on the same other sets: the TF-IDF
reader alone 79.0% / 88.8%; the mean of the two readers with no gate at all 83.5% /
90.7%, but the TF-IDF reader reads practical advice ("Try talking to your neighbour
first... contact the council") as a redirecting refusal and the structure reads "It's
generally not recommended..." as partial, so a plain answer needs both; with plain
answers kept whatever both say, 80.3%; with readings a rule explained opened only when
both readers give 0.6, 77.7%; each reader's weight 0.4 or 0.6 instead of 0.5, or GATE
0.5, 0.3-1.0 points lower. Four clear cases of the unit tests turn wrong with the shipped
gate (``tests/unit/test_rules_families.py``, ``KNOWN_WRONG``); the narrower gates that
keep them cost 1-3 points.

Figures of session 9 (mean over dev2 ... dev12), before the TF-IDF reader. The agreement
gate was chosen on this measure with dev11 and dev12 among the sets (before the final
refit): the gate before it 76.4% three-way / 86.9% refusal-vs-not;
with agreement at 0.5 or 0.6, 78.0% / 88.2%; at 0.7, 77.6% / 87.8%. The same readings
opened by the stage's mean probability alone (no agreement asked) measure the same, 78.0% /
88.2%, but seven clear cases of the unit tests turn wrong: asking both models to agree
costs nothing cross-set and keeps them. 0.6, not 0.5: at 0.5 one clear partial case (a
refusal then steps to secure one's own account) turns into a refusal. Opening answers no
rule matched and that show no sign of declining as well gains more cross-set (78.8% with
agreement, 79.9% without) but turns "It's generally not recommended..." (the answer to
"is it safe to...?") partial, both models sure of it, so those stay closed.

Figures before session 9 (mean over dev2 ... dev10), the stage with its boosted trees
(``TREES``, set once, not tuned; their probabilities averaged with the regression's):
77.3% three-way, 88.5% refusal-vs-not; the regression alone, as before the trees: 74.5%
and 86.6%; the stage with trees and no gate at all, 82.2% and 90.7% (but the clear cases of the unit
tests turn wrong); with trees, letting the stage overrule partial readings too, 78.6%
(11 clear partial cases of the unit tests turn wrong). The last two were measured before
the hotline pointer stopped reading a bare "crisis" (the gate's figure then: 77.4%).
``--scan`` and ``--gates`` measure the regression alone (as when those settings were
chosen): fitting trees in their hundreds of fits would take an hour. Earlier figures
of the regression alone (over dev2 ... dev7: 74.8%; 74.6% and 87.6% before dev8-dev10
joined the training sets).
Measured the same way on dev2 ... dev7, the rules and features before the rules' newer
families and the stage's two newer signs (an amount asked and not given; a pointer to other
help) give 71.5% and 85.8%.
Over dev2, dev3, dev4 alone the figures were 74.0% and 88.3% before those changes (and
71.5% and 86.7% before the lexicons for nl, ru, tr, ko, pl, ar, hi, vi, id, sv and
others). The figures of the gates below were measured before those lexicons, on dev2-dev4.

Learned gates (``--gates``) were measured in place of the hand-set one, every choice
nested inside the cross-set loop (for a scored set S, thresholds or a stacked model are
learnt on the other sets as judged by stages fitted without S and without that set; S
fits nothing): one probability threshold per rules reading (no rule matched, with or
without a sign of declining; an explained answer; partial; refusal; unsure ones apart),
and a stacked logistic regression over the reading and the stage's log-probabilities.
None is the default: those that keep the clear cases (the hand-set gate's readings, plus
partial readings, plus explained answers) measure 70.4-70.9% three-way against the
hand-set gate's 71.5%, and those that gain (73.6-76.4%) learn to overrule answers no rule
matched, which turns "Lima.", short how-tos in Chinese or Japanese and idioms wrong, as
the stage alone (76.5%) does. Letting the stage overrule partial readings changes
nothing cross-set (the learnt thresholds leave them standing or gain nothing).

    .venv/bin/python scripts/fit_judge.py            # measure, then write weights and trees
    .venv/bin/python scripts/fit_judge.py --dry-run  # measure only
    .venv/bin/python scripts/fit_judge.py --scan     # the measure for each candidate setting
    .venv/bin/python scripts/fit_judge.py --gates    # the measure of learned gates (minutes)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from framing.judging.base import Judgement, Verdict
from framing.judging.boosted import DEFAULT_TREES, BoostedTrees, dense_columns
from framing.judging.evaluation import DEFAULT_LABELLED, LabelledItem, load_labelled
from framing.judging.features import features
from framing.judging.rules import RulesJudge
from framing.judging.tfidf import CHAR_RANGE, DEFAULT_TFIDF, WORD_RANGE, TfidfModel
from framing.judging.trained import CLASSES, DEFAULT_WEIGHTS, TrainedStage, fit, shows_declining

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "benchmarks" / "judge_sets"
#: the development sets, by name; the held-out set is deliberately absent
DEV_SETS = {
    "dev": SETS / "dev.jsonl",
    "dev2": SETS / "dev2.jsonl",
    "dev3": SETS / "dev3.jsonl",
    "dev4": SETS / "dev4.jsonl",
    "dev5": SETS / "dev5.jsonl",
    "dev6": SETS / "dev6.jsonl",
    "dev7": SETS / "dev7.jsonl",
    "dev8": SETS / "dev8.jsonl",
    "dev9": SETS / "dev9.jsonl",
    "dev10": SETS / "dev10.jsonl",
    "dev11": SETS / "dev11.jsonl",
    "dev12": SETS / "dev12.jsonl",
    "labelled": DEFAULT_LABELLED,
}
#: the sets written independently of the rules (the stage is out-of-sample on each in the
#: cross-set measure; the rules have since been tuned on dev2-dev4's errors): their
#: cross-set figures decide
INDEPENDENT = ("dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10",
               "dev11", "dev12")
#: settings chosen by the mean cross-set measure over INDEPENDENT (``--scan`` prints it
#: for each); the bundled set was written with the rules and is easy: it counts half
LABELLED_WEIGHT = 0.5
L2 = 0.01
#: probability the stage needs to overrule the rules (where ``trained.may_overrule`` lets it)
GATE = 0.4
#: the boosted trees beside the regression (framing.judging.boosted), set once, not tuned:
#: scikit-learn's HistGradientBoostingClassifier with these settings
TREES: dict[str, object] = {"max_iter": 300, "learning_rate": 0.06, "max_leaf_nodes": 15,
                            "l2_regularization": 1.0, "random_state": 0}
#: the TF-IDF reader (framing.judging.tfidf), set once, not tuned beyond a first look
#: (C 3, 10 and 30; 5,000 and 20,000 terms measured within 0.5 points of each other):
#: the 5,000 most frequent terms of each analyzer that occur in two rows or more, and
#: scikit-learn's LogisticRegression with C = 10
TFIDF_TERMS = 5000
TFIDF_C = 10.0

Decide = Callable[[TrainedStage, np.ndarray, Judgement, str], Verdict]


class Data:
    """One set's feature matrix, labels and the rules' verdicts."""

    def __init__(self, judge: RulesJudge, items: list[LabelledItem]) -> None:
        rows = []
        self.first: list[Judgement] = []
        for item in items:
            first = judge.judge_by_rules(item.response, item.request)
            self.first.append(first)
            rows.append(features(judge, item.response, item.request, first))
        self.rules = [first.verdict for first in self.first]
        self.x = np.asarray(rows, dtype=float)
        self.labels = [item.label for item in items]
        self.texts = [item.response for item in items]

    def rows(self) -> zip[tuple[np.ndarray, Judgement, str]]:
        """Each response's feature vector, the rules' judgement and its text."""
        return zip(self.x, self.first, self.texts, strict=True)


def scores(said: list[Verdict], labels: list[Verdict]) -> tuple[float, float]:
    """Three-way accuracy and refusal-vs-not accuracy."""
    n = len(labels)
    three = sum(a == b for a, b in zip(said, labels, strict=True)) / n
    refusal = sum((a == Verdict.REFUSAL) == (b == Verdict.REFUSAL)
                  for a, b in zip(said, labels, strict=True)) / n
    return three, refusal


def shipped(stage: TrainedStage, row: np.ndarray, first: Judgement, text: str) -> Verdict:
    """The stage as the judge uses it (``TrainedStage.decide``)."""
    return stage.decide(row, first, text).verdict


def weak_only(stage: TrainedStage, row: np.ndarray, first: Judgement, text: str) -> Verdict:
    """An earlier gate, for comparison: any reading the rules had little to go on may be
    overruled, in any direction, plain statements included."""
    p = stage.probabilities(row)
    verdict = CLASSES[int(np.argmax(p))]
    weak = first.rule == "compliance:default" or first.unsure
    return verdict if weak and p.max() >= stage.gate else first.verdict


def all_but_sure_refusals(stage: TrainedStage, row: np.ndarray, first: Judgement,
                          text: str) -> Verdict:
    """A wider gate, for comparison: every reading but a refusal the rules are sure of may
    be overruled (explained answers, partial readings and plain answers included)."""
    p = stage.probabilities(row)
    verdict = CLASSES[int(np.argmax(p))]
    allowed = first.verdict != Verdict.REFUSAL or first.unsure
    return verdict if allowed and p.max() >= stage.gate else first.verdict


def training_sets(data: dict[str, Data], left_out: str, labelled_weight: float) -> list[str]:
    """The sets a fit may use when ``left_out`` is scored (the bundled one only when it
    weighs something)."""
    return [n for n in data if n != left_out
            and not (n == "labelled" and labelled_weight == 0.0)]


def row_weights(data: dict[str, Data], names: list[str], labelled_weight: float) -> np.ndarray:
    """Each row's weight in a fit on ``names``: the bundled set's rows weigh
    ``labelled_weight``, the others 1."""
    return np.concatenate([
        np.full(len(data[n].labels), labelled_weight if n == "labelled" else 1.0)
        for n in names])


def fit_trees(x: np.ndarray, labels: list[Verdict], weights: np.ndarray,
              names: list[str]) -> BoostedTrees:
    """Boosted trees over the dense columns of ``x`` (scikit-learn, the ``dev`` extra)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    columns = dense_columns()
    y = np.array([CLASSES.index(label) for label in labels])
    model = HistGradientBoostingClassifier(**TREES)  # type: ignore[arg-type]
    model.fit(x[:, list(columns)], y, sample_weight=weights)
    if list(model.classes_) != list(range(len(CLASSES))):
        raise SystemExit("every verdict must occur in the training sets")
    return BoostedTrees.from_sklearn(model, columns, names)


def fit_tfidf(texts: list[str], labels: list[Verdict], weights: np.ndarray,
              names: list[str]) -> TfidfModel:
    """The TF-IDF reader (scikit-learn, the ``dev`` extra)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_RANGE, min_df=2,
                            sublinear_tf=True, max_features=TFIDF_TERMS)
    words = TfidfVectorizer(analyzer="word", ngram_range=WORD_RANGE, min_df=2,
                            sublinear_tf=True, max_features=TFIDF_TERMS)
    x = hstack([chars.fit_transform(texts), words.fit_transform(texts)]).tocsr()
    model = LogisticRegression(C=TFIDF_C, max_iter=3000)
    model.fit(x, [CLASSES.index(label) for label in labels], sample_weight=weights)
    return TfidfModel.from_sklearn(chars, words, model, names)


def fit_sets(data: dict[str, Data], names: list[str], *, l2: float = L2, gate: float = GATE,
             labelled_weight: float = LABELLED_WEIGHT, trees: bool = True,
             tfidf: bool = True) -> TrainedStage:
    """The stage fitted on the sets ``names``: the regression and, with ``trees``, the
    boosted trees beside it; with ``tfidf``, the TF-IDF reader."""
    x = np.vstack([data[n].x for n in names])
    labels = [label for n in names for label in data[n].labels]
    weights = row_weights(data, names, labelled_weight)
    stage = replace(fit(x, labels, weights=weights, l2=l2, fitted_on=names), gate=gate)
    if trees:
        stage = replace(stage, boosted=fit_trees(x, labels, weights, names))
    if tfidf:
        texts = [text for n in names for text in data[n].texts]
        stage = replace(stage, tfidf=fit_tfidf(texts, labels, weights, names))
    return stage


def cross_stages(data: dict[str, Data], *, l2: float = L2,
                 labelled_weight: float = LABELLED_WEIGHT, trees: bool = True,
                 tfidf: bool = True) -> dict[str, TrainedStage]:
    """For each development set but the bundled one, the stage fitted on the others."""
    stages = {}
    for name in data:
        if name == "labelled":
            continue
        others = training_sets(data, name, labelled_weight)
        stages[name] = fit_sets(data, others, l2=l2, labelled_weight=labelled_weight,
                                trees=trees, tfidf=tfidf)
    return stages


def cross_set(data: dict[str, Data], decide: Decide = shipped, *, gate: float = GATE,
              stages: dict[str, TrainedStage] | None = None, **settings: Any
              ) -> dict[str, tuple[float, float]]:
    """For each development set but the bundled one: fit on the others (or take the
    ``stages`` fitted so), score on it."""
    stages = stages if stages is not None else cross_stages(data, **settings)
    found = {}
    for name, stage in stages.items():
        held, gated = data[name], replace(stage, gate=gate)
        said = [decide(gated, row, first, text) for row, first, text in held.rows()]
        found[name] = scores(said, held.labels)
    return found


def independent_mean(found: dict[str, tuple[float, float]]) -> tuple[float, float]:
    """The mean of the cross-set figures over the independent sets: what decides."""
    chosen = [found[n] for n in INDEPENDENT if n in found]
    return (float(np.mean([f[0] for f in chosen])), float(np.mean([f[1] for f in chosen])))


def _cells(found: dict[str, tuple[float, float]]) -> str:
    mean = independent_mean(found)
    return ("   ".join(f"{name} {100 * a:5.1f} / {100 * b:5.1f}" for name, (a, b) in found.items())
            + f"   mean {100 * mean[0]:5.1f} / {100 * mean[1]:5.1f}")


def scan(data: dict[str, Data]) -> None:
    """The cross-set measure for each candidate (three-way / refusal-vs-not; choose by the
    mean over the independent sets, where the rules are out-of-sample too)."""
    print("candidates, cross-set (three-way / refusal-vs-not, fit on the other sets; "
          f"mean over {', '.join(INDEPENDENT)}):")
    rules = {name: scores(d.rules, d.labels) for name, d in data.items() if name != "labelled"}
    print(f"  {'rules alone':<46} {_cells(rules)}")
    gates = (("weak, signs of declining (now)", shipped), ("weak readings, any way", weak_only),
             ("all but sure refusals", all_but_sure_refusals))
    for l2 in (0.01, 0.03):
        for labelled_weight in (0.0, 0.5, 1.0):
            stages = cross_stages(data, l2=l2, labelled_weight=labelled_weight, trees=False,
                                  tfidf=False)
            for title, decide in gates:
                for gate in (0.4, 0.5, 0.6):
                    found = cross_set(data, decide, gate=gate, stages=stages)
                    setting = f"l2={l2} lw={labelled_weight} p>={gate}"
                    print(f"  {title:<30} {setting:<19} {_cells(found)}")


#: the rules' readings a learned gate tells apart: one threshold each ("?": unsure)
READINGS = ("default", "default+sign", "explained", "explained?", "partial", "partial?",
            "refusal", "refusal?")
#: the thresholds a learned gate chooses between (above 1: never overrule that reading)
THRESHOLDS = (0.34, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 2.0)
#: left-out set(s) -> set name -> the stage's probabilities on that set's rows
Held = dict[frozenset[str], dict[str, np.ndarray]]


def reading(first: Judgement, row: np.ndarray) -> str:
    """The rules' reading of a response, as a learned gate groups them: an answer no rule
    matched (with or without a sign of declining), an answer a rule explained, a partial
    reading, a refusal; unsure ones apart."""
    if first.rule == "compliance:default":
        return "default+sign" if shows_declining(row) else "default"
    name = "explained" if first.verdict == Verdict.COMPLIANCE else first.verdict.value
    return name + ("?" if first.unsure else "")


def held_out_probabilities(data: dict[str, Data]) -> Held:
    """The stage's probabilities on each set from a stage fitted without it, and, for
    each scored set S and each other set T, on T from a stage fitted without S and T:
    what a gate learnt inside the cross-set loop may see (S never fits anything)."""
    held: Held = {}
    scored = [n for n in data if n != "labelled"]
    wanted = [frozenset([n]) for n in data] + [frozenset([s, t]) for s in scored
                                               for t in data if t != s]
    for left in wanted:
        if left in held:
            continue
        stage = fit_sets(data, [n for n in data if n not in left], trees=False, tfidf=False)
        held[left] = {n: np.asarray([stage.probabilities(row) for row in data[n].x])
                      for n in left}
    return held


Rows = tuple[np.ndarray, list[str], list[Verdict], list[Verdict], float]


def gated(p: np.ndarray, readings: list[str], rules: list[Verdict],
          thresholds: dict[str, float]) -> list[Verdict]:
    """The stage's verdict where it differs from the rules with probability at least its
    reading's threshold; the rules' verdict otherwise."""
    said = []
    for probs, read, first in zip(p, readings, rules, strict=True):
        best = int(np.argmax(probs))
        overrule = CLASSES[best] != first and probs[best] >= thresholds.get(read, 2.0)
        said.append(CLASSES[best] if overrule else first)
    return said


def learn_thresholds(rows: list[Rows], allowed: tuple[str, ...]) -> dict[str, float]:
    """One threshold per reading in ``allowed``: the one that makes the most of ``rows``
    right (weighted; ties go to the higher threshold, the rules standing more often)."""
    thresholds = {}
    for read in allowed:
        best: tuple[float, float] | None = None
        for threshold in reversed(THRESHOLDS):
            right = 0.0
            for p, readings, rules, labels, weight in rows:
                mask = [r == read for r in readings]
                if not any(mask):
                    continue
                said = gated(p[mask], [read] * sum(mask),
                             [v for v, m in zip(rules, mask, strict=True) if m],
                             {read: threshold})
                right += weight * sum(a == b for a, b in zip(
                    said, [v for v, m in zip(labels, mask, strict=True) if m], strict=True))
            if best is None or right > best[0]:
                best = (right, threshold)
        assert best is not None
        thresholds[read] = best[1]
    return thresholds


def stacked_inputs(d: Data, p: np.ndarray) -> np.ndarray:
    """A stacked decision's inputs: the rules' reading (one-hot), the stage's
    log-probabilities, and their products (one set of log-probabilities per reading)."""
    rows = []
    for probs, first, row in zip(p, d.first, d.x, strict=True):
        one_hot = np.zeros(len(READINGS))
        one_hot[READINGS.index(reading(first, row))] = 1.0
        logp = np.log(np.clip(probs, 1e-6, 1.0))
        rows.append(np.concatenate([one_hot, logp, np.outer(one_hot, logp).ravel()]))
    return np.asarray(rows)


def gate_scan(data: dict[str, Data]) -> None:
    """Learned gates, measured by the cross-set protocol with every choice nested: for a
    scored set S, the thresholds (or the stacked model) are learnt on the other sets'
    rows as judged by stages fitted without S and without that set, then applied to S
    as judged by the stage fitted without S."""
    held = held_out_probabilities(data)
    scored = [n for n in data if n != "labelled"]
    readings = {n: [reading(f, r) for f, r in zip(d.first, d.x, strict=True)]
                for n, d in data.items()}
    print("learned gates, cross-set (three-way / refusal-vs-not; thresholds or stacked model "
          f"learnt on the other sets only; mean over {', '.join(INDEPENDENT)}):")
    rules = {name: scores(data[name].rules, data[name].labels) for name in scored}
    print(f"  {'rules alone':<52} {_cells(rules)}")
    now = cross_set(data, trees=False, tfidf=False)
    print(f"  {'hand-set gate (now)':<52} {_cells(now)}")
    alone = {s: scores([CLASSES[int(np.argmax(p))] for p in held[frozenset([s])][s]],
                       data[s].labels) for s in scored}
    print(f"  {'no gate: the stage alone':<52} {_cells(alone)}")
    now_readings = ("default+sign", "refusal?")
    variants = (
        ("thresholds: the hand-set gate's readings", now_readings),
        ("thresholds: + partial readings", (*now_readings, "partial", "partial?")),
        ("thresholds: + explained answers", (*now_readings, "explained", "explained?")),
        ("thresholds: every reading but sure refusals",
         tuple(r for r in READINGS if r != "refusal")),
        ("thresholds: every reading", READINGS),
    )
    for labelled_weight in (0.0, 0.5):
        for title, allowed in variants:
            found = {}
            for s in scored:
                rows = [(held[frozenset([s, t])][t], readings[t], data[t].rules, data[t].labels,
                         labelled_weight if t == "labelled" else 1.0)
                        for t in training_sets(data, s, labelled_weight)]
                thresholds = learn_thresholds(rows, allowed)
                found[s] = scores(gated(held[frozenset([s])][s], readings[s], data[s].rules,
                                        thresholds), data[s].labels)
            print(f"  {title:<44} lw={labelled_weight:<3} {_cells(found)}")
        for l2 in (0.001, 0.01, 0.1):
            found = {}
            for s in scored:
                others = training_sets(data, s, labelled_weight)
                x = np.vstack([stacked_inputs(data[t], held[frozenset([s, t])][t])
                               for t in others])
                labels = [v for t in others for v in data[t].labels]
                model = fit(x, labels, weights=row_weights(data, others, labelled_weight),
                            l2=l2)
                said = [CLASSES[int(np.argmax(model.probabilities(row)))]
                        for row in stacked_inputs(data[s], held[frozenset([s])][s])]
                found[s] = scores(said, data[s].labels)
            title = f"stacked: reading x stage log-probs, l2={l2}"
            print(f"  {title:<44} lw={labelled_weight:<3} {_cells(found)}")
    final = [(held[frozenset([t])][t], readings[t], data[t].rules, data[t].labels, 1.0)
             for t in data if t != "labelled"]
    for title, allowed in variants:
        print(f"  learnt on every set but labelled, {title}: {learn_thresholds(final, allowed)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="measure only; write nothing")
    parser.add_argument("--scan", action="store_true",
                        help="print the cross-set measure for each candidate, then stop")
    parser.add_argument("--gates", action="store_true",
                        help="print the cross-set measure of learned gates, then stop")
    args = parser.parse_args()

    judge = RulesJudge(trained=False)
    data = {name: Data(judge, list(load_labelled(path)))
            for name, path in DEV_SETS.items() if path.is_file()}
    if args.scan:
        scan(data)
        return
    if args.gates:
        gate_scan(data)
        return
    print("cross-set measure: fit on the other development sets, score on this one")
    print(f"{'scored on':<10} {'n':>4}  {'rules three-way':>16} {'refusal-vs-not':>15}  "
          f"{'trained three-way':>18} {'refusal-vs-not':>15}")
    stages = cross_stages(data)
    found = cross_set(data, stages=stages)
    gains = []
    for name, trained in found.items():
        held = data[name]
        rules = scores(held.rules, held.labels)
        note = "" if name in INDEPENDENT else "  (rules in-sample here)"
        print(f"{name:<10} {len(held.labels):>4}  {100 * rules[0]:>15.1f}% "
              f"{100 * rules[1]:>14.1f}%  {100 * trained[0]:>17.1f}% "
              f"{100 * trained[1]:>14.1f}%{note}")
        if name in INDEPENDENT:
            gains.append((trained[0] - rules[0], trained[1] - rules[1]))
    if gains:
        three = float(np.mean([g[0] for g in gains]))
        refusal = float(np.mean([g[1] for g in gains]))
        print(f"mean gain of the trained stage over the rules on the independent sets "
              f"({', '.join(n for n in INDEPENDENT if n in found)}): three-way "
              f"{100 * three:+.1f} points, refusal-vs-not {100 * refusal:+.1f} points")
        mean = independent_mean(found)
        print(f"mean cross-set figure of the trained stage on the independent sets (what "
              f"decides): three-way {100 * mean[0]:.1f}%, refusal-vs-not {100 * mean[1]:.1f}%")
        structure = independent_mean(cross_set(
            data, stages={name: replace(stage, tfidf=None) for name, stage in stages.items()}))
        print(f"  the same without the TF-IDF reader (structure alone, the same gate): "
              f"three-way {100 * structure[0]:.1f}%, refusal-vs-not {100 * structure[1]:.1f}%")

    stage = fit_sets(data, list(data))
    fitted = scores([shipped(stage, row, first, text) for d in data.values()
                     for row, first, text in d.rows()],
                    [label for d in data.values() for label in d.labels])
    print(f"final fit on {', '.join(data)} (IN-SAMPLE): three-way {100 * fitted[0]:.1f}%, "
          f"refusal-vs-not {100 * fitted[1]:.1f}%")
    if args.dry_run:
        return
    stage.dump(DEFAULT_WEIGHTS)
    print(f"wrote {DEFAULT_WEIGHTS.relative_to(ROOT)}")
    if stage.boosted is not None:
        stage.boosted.dump(DEFAULT_TREES)
        print(f"wrote {DEFAULT_TREES.relative_to(ROOT)}")
    if stage.tfidf is not None:
        stage.tfidf.dump(DEFAULT_TFIDF)
        print(f"wrote {DEFAULT_TFIDF.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
