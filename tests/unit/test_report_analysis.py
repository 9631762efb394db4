"""What the report says: choice of framing, headline, grouping, breakdown, diff, charts."""

from __future__ import annotations

import math
import re

import optuna
import pytest
from markupsafe import Markup

from framing.data.schema import Grade, Sample
from framing.points import Point
from framing.report import analysis as an
from framing.report.plots import PlotPoint, line_svg, pareto_svg, ticks
from framing.stats import Rate
from framing.storage.tables import ResultRow


def point(trial: int, ob: tuple[int, int], ur: tuple[int, int], **kw: object) -> Point:
    return Point(trial=trial, template="prompts/t.j2", params={}, over_blocking=Rate.of(*ob),
                 under_refusal=Rate.of(*ur), **kw)  # type: ignore[arg-type]


FRONT = [point(1, (5, 100), (40, 100)), point(2, (20, 100), (8, 100)),
         point(3, (60, 100), (1, 100))]


def test_headline_reads_the_frontier_at_both_thresholds() -> None:
    first, second = an.headline(FRONT, max_over_blocking=0.10, max_under_refusal=0.10)
    assert first.startswith("At ≤ 10% over-blocking, the best framing (trial 1, prompts/t.j2) "
                            "misses 40.0%")
    assert "[" in first and "(40/100)" in first
    assert second.startswith("To miss ≤ 10% of unsafe requests, the best framing (trial 2, "
                             "prompts/t.j2) over-blocks 20.0%")
    none = an.headline(FRONT, max_over_blocking=0.01, max_under_refusal=0.001)
    assert none[0].startswith("No framing reaches ≤ 1% over-blocking")
    assert none[1].startswith("No framing misses ≤ 0% of unsafe requests")


def rows(verdicts: dict[str, tuple[str, str]]) -> dict[str, ResultRow]:
    return {sid: ResultRow(sid, i, subset, v, "rule", "rules", None)
            for i, (sid, (subset, v)) in enumerate(verdicts.items())}


def test_identical_verdicts_are_grouped() -> None:
    same = rows({"a": ("borderline", "refusal"), "b": ("unsafe", "refusal")})
    other = rows({"a": ("borderline", "compliance"), "b": ("unsafe", "refusal")})
    groups = an.group_identical(FRONT, {1: same, 2: dict(same), 3: other})
    assert [(g.lead.trial, [t.trial for t in g.twins]) for g in groups] == [(1, [2]), (3, [])]


def test_spread_keeps_the_ends_and_the_chosen_framing() -> None:
    groups = [an.TwinGroup(point(i, (i, 100), (100 - i, 100))) for i in range(30)]
    kept = an.spread(groups, groups[7].lead, limit=5)
    trials = [g.lead.trial for g in kept]
    assert len(trials) == 5 and trials[0] == 0 and trials[-1] == 29 and 7 in trials


def test_hypervolume_never_falls_and_skips_trials_stopped_early() -> None:
    pts = [point(0, (50, 100), (50, 100)), point(1, (0, 100), (0, 100), stopped_early=True),
           point(2, (20, 100), (20, 100))]
    hv = an.hypervolume_progress(pts)
    assert [t for t, _ in hv] == [0, 1, 2]
    assert hv[0][1] == pytest.approx(0.25) and hv[1][1] == pytest.approx(0.25)
    assert hv[2][1] == pytest.approx(0.64)


def sample(sid: str, image: str, text: str, joint: str, category: str) -> Sample:
    return Sample(sid, "t", None, Grade(image), Grade(text), Grade(joint), category, "test")


def test_breakdown_by_category_and_pattern_flags_compositional() -> None:
    samples = {s.id: s for s in [
        sample("b1", "safe", "safe", "borderline", "C3"),
        sample("b2", "borderline", "safe", "borderline", "C3"),
        sample("u1", "safe", "safe", "unsafe", "C12"),
        sample("u2", "borderline", "safe", "unsafe", "C12"),
        sample("u3", "unsafe", "unsafe", "unsafe", "C1"),
    ]}
    col = rows({"b1": ("borderline", "refusal"), "b2": ("borderline", "compliance"),
                "u1": ("unsafe", "compliance"), "u2": ("unsafe", "partial"),
                "u3": ("unsafe", "refusal")})
    over = an.by_category([col], samples, "borderline")
    assert [(r.key, r.n, r.cells[0].rate) for r in over] == [("C3", 2, Rate(1, 2))]
    under = an.by_category([col], samples, "unsafe")
    assert [(r.key, r.cells[0].rate) for r in under] == [("C1", Rate(0, 1)), ("C12", Rate(2, 2))]
    patterns = {r.key: r for r in an.by_pattern([col], samples)}
    assert patterns["safe_safe_unsafe"].compositional
    assert patterns["safe_safe_unsafe"].measure == "under-refusal"
    assert not patterns["unsafe_unsafe_unsafe"].compositional
    summary = patterns["unsafe:True"]
    assert summary.summary and summary.cells[0].rate == Rate(2, 2)


def test_line_diff_marks_added_and_removed_lines() -> None:
    diff = an.line_diff("You are helpful.\nBe brief.", "You are helpful.\nBe careful.\nNew.")
    assert [(d.op, d.text) for d in diff] == [(" ", "You are helpful."), ("-", "Be brief."),
                                             ("+", "Be careful."), ("+", "New.")]


def test_importance_needs_enough_trials_and_ranks_what_matters() -> None:
    few = an.importance(an.ImportanceInput([]))
    assert [i.objective for i in few] == ["over-blocking", "under-refusal"]
    assert all("at least" in i.note for i in few)

    study = optuna.create_study(directions=["minimize", "minimize"],
                                sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(40):
        t = study.ask()
        strict = t.suggest_categorical("stance.stance", ["strict", "helpful"])
        t.suggest_int("stance.noise", 0, 9)
        study.tell(t, [0.8 if strict == "strict" else 0.1, 0.05 if strict == "strict" else 0.4])
    result = an.importance(an.ImportanceInput(study.trials))
    for imp in result:
        assert imp.values[0][0] == "stance.stance", imp
        assert math.isclose(sum(v for _, v in imp.values), 1.0, abs_tol=1e-6)


def test_charts_escape_every_string_and_mark_every_kind_of_point() -> None:
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    pts = [PlotPoint(0, 0.6, 0.07, (0.5, 0.7), (0.03, 0.12), evil, baseline=True),
           PlotPoint(1, 0.2, 0.08, (0.1, 0.3), (0.04, 0.15), "b", frontier=True, chosen=True),
           PlotPoint(2, 0.05, 0.3, (0.0, 0.1), (0.2, 0.4), "c", frontier=True),
           PlotPoint(3, 0.5, 0.5, (0.3, 0.7), (0.3, 0.7), "d", stopped_early=True)]
    svg = pareto_svg(pts)
    assert isinstance(svg, Markup)
    assert "<script" not in svg and "<img" not in svg and "&lt;script&gt;" in svg
    assert len(re.findall(r'<g class="pt[ "]', svg)) == 4
    assert 'class="pt baseline"' in svg and 'class="pt stopped"' in svg
    assert 'class="pt frontier chosen"' in svg and "frontier-line" in svg
    assert "recommended · trial 1" in svg and "baseline · trial 0" in svg
    chart = line_svg([0, 1, 2], [], title=evil, x_title="trial", y_title="calls")
    assert "<script" not in chart


def test_ticks_are_round() -> None:
    assert ticks(0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert ticks(0, 0.3)[:3] == [0.0, 0.05, 0.1]
