"""The ``additive`` sampler: proposals from a model of how framing choices add up.

A framing is a template with a value for each of its parameters, and a parameter value
tends to move a rate the same way whatever the other values are (a caution sentence
adds refusals, a cue to read image and text together removes some compositional
misses). TPE learns that only slowly from a few dozen trials; this sampler assumes it.

The model. For each rate (over-blocking, under-refusal), a Bayesian logistic
regression on the log-odds scale with one effect per template and one per (template,
parameter, value), Gaussian priors, fitted to every finished trial of the study whose
framing is in the current space (:class:`AdditiveModel`; Laplace approximation). A
full trial counts as its plain counts. A trial stopped early by screening or racing is
cheap information and counts too: its partial counts (the samples it answered), or,
when its later samples were chosen (screening past the first look), the full-sample
estimate screening told Optuna, weighted by the samples answered. The model is
deliberately wrong in small ways (framing effects are not exactly additive), so each
observation's weight is capped (:data:`MAX_WEIGHT`) and an unexplained per-framing
effect (:data:`RESIDUAL`) is added when predicting.

The choice. Among the framings not yet evaluated nor under way, the sampler proposes
the one with the largest expected gain in hypervolume over the study's current frontier
(full trials' measured rates; reference point (1, 1), or the constraint limits when the
study has some), the expectation taken over :data:`DRAWS` draws of the posterior
(Thompson sampling when 1). When no draw shows any gain, the framing closest to the
frontier under the model is proposed. Draws are seeded by (seed, trial number), so
runs repeat and workers that share a seed still diverge.

The model only decides what to ask: every reported rate stays the plain measured rate
with its Wilson interval, and screening, racing and the full sample work as with any
other sampler.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from optuna.trial import FrozenTrial

from framing.metrics import Tally
from framing.points import ATTR_PARAMS, ATTR_STOPPED_EARLY, ATTR_TALLY
from framing.search.screening import ATTR_SCREENING_ESTIMATE
from framing.search.space import Framing, FramingId, in_space, space
from framing.templates import Template

__all__ = ["DRAWS", "MAX_WEIGHT", "RESIDUAL", "AdditiveModel", "AdditiveProposer",
           "Observation", "hypervolume_gain", "observations"]

#: posterior draws averaged per proposal (1: Thompson sampling)
DRAWS = 8
#: prior standard deviation (log-odds) of the intercept, a template's effect and a
#: parameter value's effect
PRIOR_INTERCEPT = 2.0
PRIOR_TEMPLATE = 1.0
PRIOR_VALUE = 1.0
#: rounds of re-estimating each parameter's prior scale, and the smallest scale
SCALE_ROUNDS = 1
SCALE_FLOOR = 0.3
#: an observation counts as at most this many samples (the model is only roughly right)
MAX_WEIGHT = 60.0
#: standard deviation (log-odds) of a framing's own effect the model cannot explain
RESIDUAL = 0.15
#: Newton steps of the fit
NEWTON_STEPS = 25

Feature = tuple[str, ...]


@dataclass(frozen=True)
class Observation:
    """What a finished trial says about one framing: per rate, a share and a weight
    (how many samples it rests on)."""

    framing: Framing
    over_blocking: tuple[float, float]
    under_refusal: tuple[float, float]
    #: on the full sample (its measured rates may stand on the frontier)
    full: bool


def observations(templates: Sequence[Template], done: Mapping[FramingId, FrozenTrial]
                 ) -> list[Observation]:
    """The finished trials of ``done`` whose framing is in the current space, as
    observations (trials without a tally or counted verdicts are left out)."""
    out = []
    for (name, version, _), trial in done.items():
        stored = trial.user_attrs.get(ATTR_TALLY)
        if stored is None:
            continue
        framing = in_space(templates, name, version,
                           dict(trial.user_attrs.get(ATTR_PARAMS, {})))
        if framing is None:
            continue
        tally = Tally.from_attrs(stored)
        if not tally.borderline_n or not tally.unsafe_n:
            continue
        ob = tally.borderline_refused / tally.borderline_n
        ur = tally.unsafe_answered / tally.unsafe_n
        estimate = trial.user_attrs.get(ATTR_SCREENING_ESTIMATE)
        if estimate is not None:  # its later samples were chosen: the corrected estimate
            ob, ur = float(estimate[0]), float(estimate[1])
        full = not trial.user_attrs.get(ATTR_STOPPED_EARLY, False)
        out.append(Observation(framing, (ob, float(tally.borderline_n)),
                               (ur, float(tally.unsafe_n)), full))
    return out


def features(framing: Framing) -> list[Feature]:
    """The effects a framing's rates are the sum of (besides the intercept)."""
    t = framing.template
    return [(t.name,), *((t.name, p.name, repr(framing.params.get(p.name))) for p in t.params)]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _laplace(x: np.ndarray, share: np.ndarray, w: np.ndarray, prior: np.ndarray,
             beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mode (Newton's method from ``beta``) and the Laplace covariance of a
    logistic regression with Gaussian prior precisions ``prior``."""
    for _ in range(NEWTON_STEPS):
        p = _sigmoid(x @ beta)
        grad = x.T @ (w * (share - p)) - prior * beta
        precision = (x.T * (w * p * (1 - p))) @ x + np.diag(prior)
        step = np.linalg.solve(precision, grad)
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    p = _sigmoid(x @ beta)
    precision = (x.T * (w * p * (1 - p))) @ x + np.diag(prior)
    return beta, np.linalg.inv(precision)


class AdditiveModel:
    """Bayesian logistic regression of one rate on the framing's effects (Laplace
    approximation of the posterior)."""

    def __init__(self, columns: Mapping[Feature, int]) -> None:
        self.columns = columns
        d = len(columns) + 1
        prior = np.full(d, PRIOR_VALUE ** -2)
        prior[0] = PRIOR_INTERCEPT ** -2
        for feature, j in columns.items():
            if len(feature) == 1:
                prior[j + 1] = PRIOR_TEMPLATE ** -2
        self.prior_precision = prior
        self.mean = np.zeros(d)
        self.cov = np.diag(1.0 / prior)

    def design(self, framings: Sequence[Framing]) -> np.ndarray:
        x = np.zeros((len(framings), len(self.columns) + 1))
        x[:, 0] = 1.0
        for i, f in enumerate(framings):
            for feature in features(f):
                j = self.columns.get(feature)
                if j is not None:
                    x[i, j + 1] = 1.0
        return x

    def fit(self, x: np.ndarray, share: np.ndarray, weight: np.ndarray) -> None:
        """Posterior mode and covariance given shares observed with ``weight`` samples.

        Each parameter's values share one prior scale, re-estimated from the data
        (:data:`SCALE_ROUNDS` rounds of empirical Bayes): a parameter whose values turn
        out not to matter stops looking promising by its uncertainty alone."""
        w = np.minimum(weight, MAX_WEIGHT)
        groups: dict[Feature, list[int]] = {}
        for feature, j in self.columns.items():
            if len(feature) == 3:
                groups.setdefault(feature[:2], []).append(j + 1)
        prior = self.prior_precision.copy()
        beta = np.zeros(x.shape[1])
        for round_ in range(SCALE_ROUNDS + 1):
            beta, cov = _laplace(x, share, w, prior, beta)
            if round_ == SCALE_ROUNDS:
                break
            for cols in groups.values():
                second = float(np.mean(beta[cols] ** 2 + np.diag(cov)[cols]))
                prior[cols] = 1.0 / min(max(second, SCALE_FLOOR ** 2), PRIOR_VALUE ** 2)
        self.mean = beta
        self.cov = cov

    def draw(self, x: np.ndarray, rng: np.random.Generator, draws: int) -> np.ndarray:
        """``draws`` × candidates sampled rates (posterior and per-framing residual)."""
        chol = np.linalg.cholesky(self.cov + 1e-12 * np.eye(len(self.mean)))
        coefs = self.mean + rng.standard_normal((draws, len(self.mean))) @ chol.T
        logits = coefs @ x.T + RESIDUAL * rng.standard_normal((draws, x.shape[0]))
        return _sigmoid(logits)


def hypervolume_gain(front: Sequence[tuple[float, float]], x: np.ndarray, y: np.ndarray,
                     reference: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
    """Hypervolume (both rates minimised, up to ``reference``) that each point
    ``(x[i], y[i])`` adds to ``front``'s."""
    rx, ry = reference
    pts = sorted((a, b) for a, b in front if a < rx and b < ry)
    # the front's attained level: for x' in [lo_k, hi_k) nothing below level_k is covered
    los, his, levels = [-math.inf], [], [ry]
    best = ry
    for a, b in pts:
        if b < best:
            his.append(a)
            los.append(a)
            levels.append(b)
            best = b
    his.append(rx)
    gain = np.zeros(np.broadcast(x, y).shape)
    for lo, hi, level in zip(los, his, levels, strict=True):
        width = np.clip(hi - np.maximum(lo, x), 0.0, None)
        gain += width * np.clip(level - y, 0.0, None)
    return gain


def _closeness(front: Sequence[tuple[float, float]], x: np.ndarray, y: np.ndarray
               ) -> np.ndarray:
    """How far each point is from not being dominated by ``front`` (0: it is not)."""
    if not front:
        return np.zeros(np.broadcast(x, y).shape)
    out = np.full(np.broadcast(x, y).shape, np.inf)
    for a, b in front:
        out = np.minimum(out, np.maximum(np.minimum(x - a, y - b), 0.0))
    return out


class AdditiveProposer:
    """Chooses the next framing by the additive model (one search run, one worker)."""

    def __init__(self, seed: int, reference: tuple[float, float] = (1.0, 1.0),
                 draws: int | None = None) -> None:
        self.seed = seed
        self.reference = reference
        self.draws = draws

    def propose(self, templates: Sequence[Template], done: Mapping[FramingId, FrozenTrial],
                busy: Iterable[FramingId], number: int) -> Framing | None:
        """The untaken framing of ``templates`` with the largest expected hypervolume gain
        (None when every framing is taken)."""
        taken = set(busy) | set(done)
        untaken = [f for f in space(templates) if f.id not in taken]
        if not untaken:
            return None
        seed = _seed(self.seed, number)
        obs = observations(templates, done)
        if not obs:
            return random.Random(seed).choice(untaken)
        columns: dict[Feature, int] = {}
        for f in untaken + [o.framing for o in obs]:
            for feature in features(f):
                columns.setdefault(feature, len(columns))
        rng = np.random.default_rng(seed)
        known = AdditiveModel(columns).design([o.framing for o in obs])
        candidates = AdditiveModel(columns).design(untaken)
        sampled = []
        for rate in ("over_blocking", "under_refusal"):
            model = AdditiveModel(columns)
            share = np.array([getattr(o, rate)[0] for o in obs])
            weight = np.array([getattr(o, rate)[1] for o in obs])
            model.fit(known, share, weight)
            sampled.append(model.draw(candidates, rng, self.draws or DRAWS))
        front = _frontier([(o.over_blocking[0], o.under_refusal[0]) for o in obs if o.full])
        gain = hypervolume_gain(front, sampled[0], sampled[1], self.reference).mean(axis=0)
        if float(gain.max()) > 0.0:
            return untaken[int(np.argmax(gain))]
        closeness = _closeness(front, sampled[0], sampled[1]).mean(axis=0)
        return untaken[int(np.argmin(closeness))]


def _frontier(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    return [p for p in points
            if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in points)]


def _seed(seed: int, number: int) -> int:
    return (seed * 1_000_003 + number * 7_919) % (2 ** 32)

