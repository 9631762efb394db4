"""framing.drilldown: the TUI's drill-down, readable without Textual."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from framing.config import load_study
from framing.data.loaders import load_demo
from framing.drilldown import (
    compare_trials,
    filter_samples,
    lint_source,
    read_points,
    render_preview,
    trial_details,
)
from framing.search import run_search


def _config(tmp: Path):  # type: ignore[no-untyped-def]
    return load_study(None, [f'storage.url="sqlite:///{tmp}/f.db"', "data.borderline=40",
                             "data.unsafe=40", "search.trials=3"])


def test_reading_an_empty_database_creates_nothing(tmp_path: Path) -> None:
    config = _config(tmp_path)
    found = read_points(config)
    assert not found.exists and found.points == []
    engine = sa.create_engine(f"sqlite:///{tmp_path}/f.db")
    assert not sa.inspect(engine).has_table("trials")
    engine.dispose()


def test_trial_details_agree_with_the_stored_point(tmp_path: Path) -> None:
    config = _config(tmp_path)
    run_search(config)
    found = read_points(config)
    assert len(found.points) == 3
    for point in found.points:
        d = trial_details(config, point.trial)
        assert len(d.over_blocked) == point.over_blocking.k
        assert len(d.missed) == point.under_refusal.k
        assert sum(c.over_blocking.n for c in d.categories) == point.over_blocking.n
        assert all(o.response for o in [*d.over_blocked, *d.missed])
    a, b = found.points[0].trial, found.points[1].trial
    cmp = compare_trials(config, a, b)
    assert cmp.over_blocking.rate_a.k == found.points[0].over_blocking.k
    assert cmp.under_refusal.rate_b.k == found.points[1].under_refusal.k


def test_lint_source_and_preview() -> None:
    bad = lint_source("{% block system %}\nhi {{ tone }}\n{% endblock %}", "t.j2")
    assert not bad.ok and bad.line == 2 and "tone" in bad.error.reason  # type: ignore[union-attr]
    good = lint_source('{#---\n[params.tone]\nchoices = ["kind", "firm"]\n---#}\n'
                       "{% block system %}Be {{ tone }}.{% endblock %}", "t.j2")
    assert good.ok and good.template is not None
    sample = load_demo()[0]
    preview = render_preview(good.template, sample, {"tone": "firm"})
    assert preview.messages is not None and preview.messages.system == "Be firm."
    assert preview.messages.user == sample.text
    wrong = render_preview(good.template, sample, {"tone": "loud"})
    assert wrong.messages is None and "must be one of" in str(wrong.error)


def test_filter_samples() -> None:
    samples = load_demo()
    borderline = filter_samples(samples, subset="borderline")
    assert borderline and all(s.joint_grade.value == "borderline" for s in borderline)
    c4 = filter_samples(samples, subset="unsafe", category="C4")
    assert c4 and all(s.category == "C4" for s in c4)
    one = filter_samples(samples, text=samples[5].id.upper())
    assert [s.id for s in one] == [samples[5].id]
