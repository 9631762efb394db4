"""The ``additive`` sampler (framing.search.additive): it never proposes a taken framing,
and on a toy space whose rates are additive in the parameter values it finds the best
framing in fewer proposals than random search (seeded, deterministic)."""

from __future__ import annotations

import math
import random
import statistics

import numpy as np
import optuna
from optuna.trial import FrozenTrial

from framing.points import ATTR_STOPPED_EARLY, ATTR_TALLY
from framing.search.additive import AdditiveProposer, hypervolume_gain, observations
from framing.search.space import Framing, FramingId, space
from framing.stats import hypervolume_2d
from framing.templates import Template, parse_template

TOY = """{#---
description = "toy additive space"
[params.a]
choices = ["a0", "a1", "a2", "a3", "a4"]
[params.b]
choices = ["b0", "b1", "b2", "b3", "b4"]
[params.c]
int = [0, 3]
---#}
{% block system %}{{ a }} {{ b }} {{ c }}{% endblock %}
"""
FLAT = """{#---
description = "no parameters"
---#}
{% block system %}plain{% endblock %}
"""
#: log-odds effects on (over-blocking, under-refusal): a3, b1 and c=2 are best on both
A = {"a0": (0.0, 0.0), "a1": (0.3, 0.2), "a2": (0.2, 0.4), "a3": (-0.8, -0.6), "a4": (0.5, 0.1)}
B = {"b0": (0.0, 0.0), "b1": (-0.7, -0.9), "b2": (0.4, 0.3), "b3": (0.1, 0.5), "b4": (0.3, -0.1)}
C = {0: (0.0, 0.0), 1: (0.2, -0.1), 2: (-0.6, -0.5), 3: (0.1, 0.3)}
N = 120


def templates() -> list[Template]:
    return [parse_template(TOY, name="toy.j2"), parse_template(FLAT, name="flat.j2")]


def true_rates(f: Framing) -> tuple[float, float]:
    if f.template.name == "flat.j2":
        return (0.5, 0.5)
    a, b, c = A[f.params["a"]], B[f.params["b"]], C[f.params["c"]]
    return tuple(1 / (1 + math.exp(-(0.0 + a[i] + b[i] + c[i])))  # type: ignore[return-value]
                 for i in range(2))


def trial(f: Framing, number: int) -> FrozenTrial:
    ob, ur = true_rates(f)
    tally = {"borderline_refused": round(ob * N), "borderline_n": N,
             "unsafe_answered": round(ur * N), "unsafe_n": N}
    t = optuna.trial.create_trial(values=[ob, ur],
                                  user_attrs={**f.attrs(), ATTR_TALLY: tally})
    t.number = number
    return t


BEST = ("toy.j2", {"a": "a3", "b": "b1", "c": 2})


def is_best(f: Framing) -> bool:
    return (f.template.name, f.params) == BEST


def proposals_to_best(seed: int, additive: bool) -> int:
    ts = templates()
    done: dict[FramingId, FrozenTrial] = {}
    proposer = AdditiveProposer(seed)
    order = list(space(ts))
    random.Random(seed).shuffle(order)
    for number in range(len(order)):
        f = proposer.propose(ts, done, set(), number) if additive else order[number]
        assert f is not None
        assert f.id not in done
        if is_best(f):
            return number + 1
        done[f.id] = trial(f, number)
    raise AssertionError("the best framing was never proposed")


def test_the_best_framing_of_the_toy_space_is_the_only_one_on_its_frontier() -> None:
    every = list(space(templates()))
    assert len(every) == 101
    best = next(f for f in every if is_best(f))
    x, y = true_rates(best)
    assert all(true_rates(f)[0] > x and true_rates(f)[1] > y for f in every if f != best)


def test_it_finds_the_best_framing_in_fewer_proposals_than_random() -> None:
    seeds = range(6)
    additive = [proposals_to_best(s, True) for s in seeds]
    randomly = [proposals_to_best(s, False) for s in seeds]
    assert statistics.median(additive) * 3 <= statistics.median(randomly), (additive, randomly)
    assert max(additive) < 30, additive


def test_it_never_proposes_a_taken_framing_and_stops_when_all_are() -> None:
    ts = templates()
    every = list(space(ts))
    done: dict[FramingId, FrozenTrial] = {}
    busy: set[FramingId] = set()
    proposer = AdditiveProposer(0)
    for number in range(len(every)):
        f = proposer.propose(ts, done, busy, number)
        assert f is not None
        assert f.id not in done and f.id not in busy
        if number % 3 == 0:
            busy.add(f.id)  # under way on another worker
        else:
            done[f.id] = trial(f, number)
    assert proposer.propose(ts, done, busy, len(every)) is None


def test_screened_trials_count_with_their_estimate() -> None:
    ts = templates()
    f = next(iter(space(ts)))
    t = trial(f, 0)
    t.set_user_attr(ATTR_STOPPED_EARLY, True)
    t.set_user_attr(ATTR_TALLY, {"borderline_refused": 9, "borderline_n": 12,
                                 "unsafe_answered": 6, "unsafe_n": 12})
    t.set_user_attr("screening_estimate", [0.4, 0.2])
    (obs,) = observations(ts, {f.id: t})
    assert obs.over_blocking == (0.4, 12.0) and obs.under_refusal == (0.2, 12.0)
    assert not obs.full


def test_hypervolume_gain_is_the_hypervolume_a_point_adds() -> None:
    front = [(0.1, 0.6), (0.3, 0.3), (0.7, 0.1)]
    rng = np.random.default_rng(0)
    x, y = rng.random(50), rng.random(50)
    gain = hypervolume_gain(front, x, y)
    for i in range(50):
        expected = hypervolume_2d([*front, (x[i], y[i])]) - hypervolume_2d(front)
        assert math.isclose(gain[i], expected, abs_tol=1e-9)
