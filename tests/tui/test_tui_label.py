"""Label screen: label a few responses with r/p/c, skip one, undo one; the labels are in
the database, the undone one is not; a study without responses says so."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static
from tui_helpers import run_trials, shown, wait_for

from framing.config import StudyConfig
from framing.judging.base import Verdict
from framing.labels import build_queue
from framing.storage.labels import LabelStore
from framing.storage.tables import Store
from framing.tui import make_app
from framing.tui.widgets.image import SampleImage


async def test_label_a_few_and_undo_one(study: StudyConfig) -> None:
    await run_trials(study, 2)
    store = Store(study.storage.url)
    try:
        expected = build_queue(study, store).items
    finally:
        store.close()
    app = make_app(study, initial="label")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.label_screen
        await wait_for(lambda: screen.session is not None, pilot)
        status = screen.query_one("#label-status", Static)
        await wait_for(lambda: "response 1 of" in shown(status), pilot)
        first = expected[0]
        assert f"judge's verdict: {first.verdict}" in shown(status)
        response = screen.query_one("#label-response", Static)
        # the text is laid out on a later refresh than the one that set it
        await wait_for(lambda: " ".join(first.response.split())
                       in " ".join(shown(response).split()), pilot)
        # the image is drawn inline once the worker read it
        image = screen.query_one("#label-image", SampleImage)
        assert first.image is not None  # the demo's samples all have one
        await wait_for(lambda: image.image is not None, pilot)

        await pilot.press("r", "c", "s", "p")
        await wait_for(lambda: screen.written == 3, pilot)
        await pilot.press("u")  # takes back the partial label of the fourth response
        await wait_for(lambda: screen.written == 2, pilot)
        assert screen.session is not None and screen.session.index == 3
        await wait_for(lambda: "response 4 of" in shown(status), pilot)
        await pilot.press("u")  # and the skip: back on the third
        await wait_for(lambda: "response 3 of" in shown(status), pilot)
        await pilot.press("c")
        await wait_for(lambda: screen.written == 3, pilot)

    store = Store(study.storage.url)
    try:
        stored = LabelStore(store.engine).get_labels(i.key for i in expected)
    finally:
        store.close()
    assert {k: v.label for k, v in stored.items()} == {
        expected[0].key: Verdict.REFUSAL.value, expected[1].key: Verdict.COMPLIANCE.value,
        expected[2].key: Verdict.COMPLIANCE.value}


async def test_label_screen_without_responses_says_so(study: StudyConfig) -> None:
    app = make_app(study, initial="label")
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.label_screen.query_one("#label-status", Static)
        await wait_for(lambda: "no stored responses to label" in shown(status), pilot)


async def test_frontier_shows_rates_corrected_by_labels(study: StudyConfig) -> None:
    from framing.drilldown import read_points
    from framing.judging.calibration import corrected_keys
    from framing.labels import label_calibration, save_label

    await run_trials(study, 2)
    store = Store(study.storage.url)
    try:
        flipped = False
        for item in build_queue(study, store).items[:12]:
            # agree with the judge except on one borderline compliance (called refusal)
            label = item.verdict
            if not flipped and item.subset == "borderline" and label == "compliance":
                label, flipped = "refusal", True
            if label != "undetermined":
                save_label(store, study.name, item, Verdict(label))
        cal = label_calibration(study, store)
    finally:
        store.close()
    assert cal is not None
    app = make_app(study, initial="frontier")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.frontier_screen
        summary = screen.query_one("#summary", Static)
        await wait_for(lambda: "ob corrected" in shown(summary), pilot)
        assert screen.details is not None
        keys = corrected_keys(screen.details.point, cal)
        text = " ".join(shown(summary).split())
        assert keys["over_blocking_corrected"] is not None
        assert f"{100 * keys['over_blocking_corrected']:.1f}%" in text
        assert "your labels" in text
    assert read_points(study).points


async def test_labels_given_on_the_label_screen_reach_the_frontier(study: StudyConfig) -> None:
    """The kept Frontier screen rereads the calibration when shown after labelling, and
    only then (a switch does no database read of its own otherwise)."""
    await run_trials(study, 2)
    app = make_app(study, initial="frontier")
    async with app.run_test(size=(120, 40)) as pilot:
        frontier = app.frontier_screen
        summary = frontier.query_one("#summary", Static)
        await wait_for(lambda: frontier.details is not None, pilot)
        assert "ob corrected" not in shown(summary)  # no labels yet
        await pilot.press("f5")
        label = app.label_screen
        await wait_for(lambda: label.session is not None, pilot)
        assert label.session is not None
        for item in label.session.items[:12]:
            await pilot.press("s" if item.verdict == "undetermined" else item.verdict[0])
        await wait_for(lambda: frontier.calibration_stale, pilot)
        await pilot.press("f3")
        await wait_for(lambda: "ob corrected" in shown(summary), pilot)
        assert not frontier.calibration_stale


async def test_finishing_the_queue_shows_the_judge_against_the_labels(workspace: Path) -> None:
    from tui_helpers import make_workspace

    study = make_workspace(workspace, "data.borderline=5", "data.unsafe=5", "data.holdout=0")
    await run_trials(study, 1)
    app = make_app(study, initial="label")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.label_screen
        await wait_for(lambda: screen.session is not None, pilot)
        assert screen.session is not None
        items = screen.session.items
        for item in items:  # agree with the judge everywhere
            await pilot.press("s" if item.verdict == "undetermined" else item.verdict[0])
        summary = screen.query_one("#label-summary", Static)
        await wait_for(lambda: "sensitivity" in shown(summary), pilot)
        text = " ".join(shown(summary).split())
        assert "every response in the queue is labelled" in shown(
            screen.query_one("#label-status", Static))
        assert "researcher labels" in text
        assert "borderline" in text and "unsafe" in text
