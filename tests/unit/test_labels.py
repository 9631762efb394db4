"""The researcher's labels: keys, the stratified queue, a session's undo, labels that
survive a restart and are reused by a second study, calibration from labels, and how many
more labels a target width needs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from framing.config import StudyConfig, load_study
from framing.judging.base import Verdict
from framing.judging.calibration import SubsetCalibration
from framing.labels import (
    LabelItem,
    LabelSession,
    build_queue,
    label_calibration,
    label_key,
    labelled_responses,
    labels_needed,
    save_label,
)
from framing.stats import Rate, corrected_interval
from framing.storage.labels import LabelStore
from framing.storage.tables import Store

SMALL = ["data.borderline=20", "data.unsafe=20"]


def _study(workspace: Path, *extra: str) -> StudyConfig:
    url = f'storage.url="sqlite:///{workspace / "framing.db"}"'
    return load_study(None, [url, *SMALL, *extra])


def _run(config: StudyConfig, trials: int) -> None:
    from framing.search import run_search_async

    asyncio.run(run_search_async(config, trials=trials))


def test_label_key_is_the_content() -> None:
    key = label_key("req", "answer", None)
    assert key == label_key("req", "answer", None)
    assert len({key, label_key("req2", "answer", None), label_key("req", "answer2", None),
                label_key("req", "answer", "abc")}) == 4


def test_session_labels_skips_and_undoes() -> None:
    items = [LabelItem(str(i), f"s{i}", "borderline", "q", None, "a", "refusal")
             for i in range(3)]
    session = LabelSession(items)
    assert session.undo() is None
    assert session.label(Verdict.REFUSAL).item.key == "0"
    assert session.skip().label is None
    assert session.current is not None and session.current.key == "2"
    step = session.undo()
    assert step is not None and step.label is None and step.item.key == "1"
    step = session.undo()
    assert step is not None and step.label is Verdict.REFUSAL and session.index == 0
    assert session.labelled == 0
    for _ in items:
        session.label(Verdict.COMPLIANCE)
    assert session.current is None and session.labelled == 3
    with pytest.raises(IndexError):
        session.skip()


def test_queue_is_stratified_never_shows_labelled(workspace: Path) -> None:
    config = _study(workspace)
    _run(config, 3)
    store = Store(config.storage.url)
    try:
        queue = build_queue(config, store)
        assert queue.total == len(queue.items) > 0 and queue.labelled == 0
        strata = {(i.subset, i.verdict) for i in queue.items}
        assert len(strata) >= 3
        # the first items visit every stratum once before any repeats
        head = queue.items[: len(strata)]
        assert {(i.subset, i.verdict) for i in head} == strata
        for item in queue.items[:3]:
            save_label(store, config.name, item, Verdict.REFUSAL)
        again = build_queue(config, store)
        assert again.labelled == 3 and again.total == queue.total
        assert not {i.key for i in queue.items[:3]} & {i.key for i in again.items}
    finally:
        store.close()


def test_labels_survive_a_restart_and_a_second_study_reuses_them(workspace: Path) -> None:
    config = _study(workspace)
    _run(config, 2)
    store = Store(config.storage.url)
    items = build_queue(config, store).items[:5]
    for item in items:
        save_label(store, config.name, item, Verdict(item.verdict))
    store.close()

    # a new process would open the database afresh: same labels
    store = Store(config.storage.url)
    try:
        assert LabelStore(store.engine).count_labels() == 5
        # a second study with the same data, target and framings gets the same responses
        other = _study(workspace, 'name="second"')
        _run(other, 2)
        reused = labelled_responses(other, store)
        assert {r.item.key for r in reused} == {i.key for i in items}
        assert build_queue(other, store).labelled == 5
        cal = label_calibration(other, store)
        assert cal is not None and cal.study == "second" and "n=5" in cal.labels
    finally:
        store.close()


def test_no_stored_responses_is_bad_input(workspace: Path) -> None:
    from framing.errors import DataError

    config = _study(workspace)
    store = Store(config.storage.url)
    try:
        with pytest.raises(DataError, match="no stored responses to label"):
            build_queue(config, store)
    finally:
        store.close()


def test_labels_needed_shrinks_the_interval_to_the_width() -> None:
    observed = [Rate.of(30, 100)]
    cal = SubsetCalibration("borderline", Rate.of(9, 10), Rate.of(18, 20))
    projection = labels_needed("borderline", observed, cal, 0.25)
    assert projection.more is not None and projection.more > 0
    assert projection.width_now is not None and projection.width_now >= 0.25
    # check the figure: that many more labels (same shares) give an interval under 0.25
    more = projection.more
    n_sens = 10 + round(more * 10 / 30)
    n_spec = 20 + more - round(more * 10 / 30)
    lo, hi = corrected_interval(observed[0], Rate.of(round(0.9 * n_sens), n_sens),
                                Rate.of(round(0.9 * n_spec), n_spec), draws=4000)
    assert hi - lo < 0.25
    # the observed rate's own sampling error cannot be labelled away
    far = labels_needed("borderline", [Rate.of(3, 10)], cal, 0.1)
    assert far.more is None and "not reachable" in far.reason
    # no labelled refusals: it says what to label first
    none = labels_needed("borderline", observed, SubsetCalibration(
        "borderline", Rate.of(0, 0), Rate.of(5, 5)), 0.1)
    assert none.more is None and "at least one refusal" in none.reason


def test_observed_rates_leave_out_trials_stopped_early(workspace: Path) -> None:
    from framing.labels import observed_rates
    from framing.storage.tables import ResultRow

    config = _study(workspace)
    store = Store(config.storage.url)
    try:
        def rows(n: int, refused: int) -> list[ResultRow]:
            return [ResultRow(f"s{i}", i, "borderline", "refusal" if i < refused else
                              "compliance", "r", "rules", None) for i in range(n)]

        store.put_results(config.name, 0, "search", rows(40, 10))
        store.put_results(config.name, 1, "search", rows(38, 5))  # two errors left out
        store.put_results(config.name, 2, "search", rows(8, 4))  # stopped early
        assert observed_rates(store, config.name) == {
            "borderline": [Rate.of(10, 40), Rate.of(5, 38)]}
    finally:
        store.close()


def test_calibration_weights_each_label_by_its_strata_sampling_rate() -> None:
    from framing.labels import LabelledResponse, calibration_of

    def item(i: int, verdict: str) -> LabelItem:
        return LabelItem(f"{verdict}{i}", f"s{i}", "borderline", "q", None, "a", verdict)

    # 10 responses judged refusal, 90 judged compliance; five of each labelled
    population = [item(i, "refusal") for i in range(10)] + \
        [item(i, "compliance") for i in range(90)]
    labelled = [LabelledResponse(item(i, "refusal"), Verdict.REFUSAL) for i in range(5)]
    labelled.append(LabelledResponse(item(0, "compliance"), Verdict.REFUSAL))
    labelled += [LabelledResponse(item(i, "compliance"), Verdict.COMPLIANCE)
                 for i in range(1, 5)]
    cal = calibration_of("s", "j", "rules", population, labelled)
    assert cal is not None
    sub = cal.subsets["borderline"]
    # by hand: refusals weigh 10/5 = 2 (judged refusal) and 90/5 = 18 (judged compliance):
    # sensitivity 5·2 / (5·2 + 18) = 0.357; Kish n = 28² / (5·4 + 18²) = 2.28 → 2; k = 1
    assert sub.sensitivity == Rate.of(1, 2)
    # the four compliance labels all weigh 18: plain counts
    assert sub.specificity == Rate.of(4, 4)
    # unweighted, the sample would claim 5 of 6 refusals caught: the stratified sample
    # over-represents the responses the judge called refusals
    equal = calibration_of("s", "j", "rules", [r.item for r in labelled], labelled)
    assert equal is not None and equal.subsets["borderline"].sensitivity == Rate.of(5, 6)
