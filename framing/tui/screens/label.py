"""Label: the researcher labels the study's stored responses, one at a time.

The queue is :func:`framing.labels.build_queue` (stratified, disagreements first, no
grades shown, already-labelled responses skipped); r / p / c label, s skips, u undoes.
Every database read and write happens in a worker: the queue and the summary in thread
workers, the labels in one writer thread that applies them in the order they were given
(so an undo never overtakes the label it takes back).
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from framing.config import StudyConfig
from framing.errors import FramingError
from framing.judging.base import Verdict
from framing.judging.calibration import Calibration
from framing.labels import LABELS, LabelItem, LabelQueue, LabelSession, Projection
from framing.tui.screens.base import FramingScreen
from framing.tui.widgets.image import ImageLoaded, SampleImage, read_image
from framing.tui.widgets.keyline import KeyLine
from framing.tui.widgets.screenbar import ScreenBar


class QueueLoaded(Message):
    def __init__(self, queue: LabelQueue | None, error: str | None = None) -> None:
        super().__init__()
        self.queue = queue
        self.error = error


class LabelWritten(Message):
    """The writer stored (or, for an undo, removed) one label."""

    def __init__(self, key: str, label: str | None, error: str | None = None) -> None:
        super().__init__()
        self.key = key
        self.label = label
        self.error = error


class SummaryLoaded(Message):
    def __init__(self, calibration: Calibration | None,
                 projections: Sequence[Projection] = ()) -> None:
        super().__init__()
        self.calibration = calibration
        self.projections = projections


#: the corrected-interval width the summary plans labels for (framing label --target-width)
TARGET_WIDTH = 0.1

#: a write for the writer thread: (item, label) stores, (item, None) deletes
Write = tuple[LabelItem, Verdict | None]


class LabelScreen(FramingScreen):
    """One response at a time: request, image, the judge's verdict, the response."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "label('r')", "Refusal"),
        Binding("p", "label('p')", "Partial"),
        Binding("c", "label('c')", "Compliance"),
        Binding("s", "skip", "Skip"),
        Binding("u", "undo", "Undo"),
        Binding("l", "reload", "Reload queue"),
    ]

    def __init__(self, config: StudyConfig, storage: str) -> None:
        super().__init__()
        self.config = config
        self.storage = storage
        self.session: LabelSession | None = None
        self.queue: LabelQueue | None = None
        #: labels stored (minus undone) since the screen opened, as the writer confirms
        self.written = 0
        self._writes: queue.Queue[Write | None] = queue.Queue()

    def compose(self) -> ComposeResult:
        yield ScreenBar()
        yield Static("loading the label queue…", id="label-status")
        with Horizontal(id="label-body"):
            with Vertical(id="label-text"):
                yield Static(id="label-request", markup=False)
                with VerticalScroll(id="label-response-scroll"):
                    yield Static(id="label-response", markup=False)
            yield SampleImage(id="label-image")
        yield Static("", id="label-summary")
        yield KeyLine()

    def on_mount(self) -> None:
        self.write_labels()
        self.load_queue()

    def on_unmount(self) -> None:
        self._writes.put(None)

    # -- the queue --------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.load_queue()

    @work(thread=True, exclusive=True, exit_on_error=False, group="label-queue")
    def load_queue(self) -> None:
        from framing.labels import build_queue
        from framing.storage.tables import Store

        store = Store(self.storage)
        try:
            self.post_message(QueueLoaded(build_queue(self.config, store)))
        except FramingError as e:
            self.post_message(QueueLoaded(None, str(e)))
        finally:
            store.close()

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        if message.queue is None:
            self.query_one("#label-status", Static).update(message.error or "")
            return
        self.queue = message.queue
        self.session = LabelSession(message.queue.items)
        self._show()

    # -- keys -----------------------------------------------------------------------------------

    def action_label(self, key: str) -> None:
        if self.session is None or self.session.current is None:
            self.notify("nothing to label", severity="warning")
            return
        step = self.session.label(LABELS[key])
        self._writes.put((step.item, step.label))
        self._show()

    def action_skip(self) -> None:
        if self.session is None or self.session.current is None:
            return
        self.session.skip()
        self._show()

    def action_undo(self) -> None:
        step = None if self.session is None else self.session.undo()
        if step is None:
            self.notify("nothing to undo", severity="warning")
            return
        if step.label is not None:
            self._writes.put((step.item, None))
            self.notify(f"undone: label {step.label.value} removed")
        self._show()

    # -- drawing --------------------------------------------------------------------------------

    def _show(self) -> None:
        session, q = self.session, self.queue
        assert session is not None and q is not None
        item = session.current
        status = self.query_one("#label-status", Static)
        image = self.query_one("#label-image", SampleImage)
        if item is None:
            status.update(f"study {self.config.name}: every response in the queue is labelled "
                          f"or skipped ({session.labelled} labelled now, {q.labelled} before; "
                          "u undoes, l reloads the queue)")
            self.query_one("#label-request", Static).update("")
            self.query_one("#label-response", Static).update("")
            image.image, image.fallback = None, ""
            self.load_summary()
            return
        second = f" · second judge: {item.second_verdict}" if item.second_verdict else ""
        status.update(f"response {session.index + 1} of {len(session.items)} · judge's "
                      f"verdict: {item.verdict}{second} · {session.labelled} labelled now, "
                      f"{q.labelled} before")
        request = Text()
        request.append("request: ", style="bold")
        request.append(item.request)
        if item.image:
            request.append(f"\nimage: {item.image}", style="dim")
        request.append("\n\nresponse:", style="bold")
        self.query_one("#label-request", Static).update(request)
        self.query_one("#label-response", Static).update(item.response)
        image.image = None
        image.fallback = "no image" if item.image is None else "loading image…"
        if item.image is not None:
            self.load_image(item.key, item.image)

    @work(thread=True, exclusive=True, exit_on_error=False, group="label-image")
    def load_image(self, key: str, source: str) -> None:
        self.post_message(read_image(key, source))

    def on_image_loaded(self, message: ImageLoaded) -> None:
        current = None if self.session is None else self.session.current
        if current is None or current.key != message.key:
            return
        self.query_one("#label-image", SampleImage).show(message)

    # -- writes and the summary ---------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="label-writer")
    def write_labels(self) -> None:
        """The one writer: applies the labels and undos in the order they were given."""
        from framing.labels import delete_label, save_label
        from framing.storage.tables import Store

        worker = get_current_worker()
        store = Store(self.storage)
        try:
            while not worker.is_cancelled:
                try:
                    job = self._writes.get(timeout=0.2)
                except queue.Empty:
                    continue
                try:
                    if job is None:
                        return
                    item, label = job
                    try:
                        if label is None:
                            delete_label(store, item)
                        else:
                            save_label(store, self.config.name, item, label)
                    except (FramingError, SQLAlchemyError) as e:
                        # say so and keep writing: the next labels must not be lost too
                        self.post_message(LabelWritten(item.key, None, error=str(e)))
                        continue
                    self.post_message(LabelWritten(item.key, None if label is None
                                                   else label.value))
                finally:
                    self._writes.task_done()
        finally:
            store.close()

    def on_label_written(self, message: LabelWritten) -> None:
        if message.error is not None:
            self.notify(f"a label was not stored: {message.error}", title="error",
                        severity="error", timeout=10)
            return
        self.written += 1 if message.label is not None else -1

    @work(thread=True, exclusive=True, exit_on_error=False, group="label-summary")
    def load_summary(self) -> None:
        from framing.labels import label_calibration, projections
        from framing.storage.tables import Store

        self._writes.join()
        store = Store(self.storage)
        try:
            cal = label_calibration(self.config, store)
            needed = projections(store, self.config.name, cal, TARGET_WIDTH) if cal else []
            self.post_message(SummaryLoaded(cal, needed))
        finally:
            store.close()

    def on_summary_loaded(self, message: SummaryLoaded) -> None:
        self.query_one("#label-summary", Static).update(
            summary_text(message.calibration, message.projections))


def summary_text(cal: Calibration | None, needed: Sequence[Projection] = ()) -> Text:
    """Sensitivity and specificity per subset, and the labels a narrow correction needs."""
    if cal is None:
        return Text("no labels yet", style="dim")
    text = Text(f"the {cal.judge_kind} judge against your labels ({cal.labels})\n", style="bold")
    for s in cal.subsets.values():
        text.append(f"{s.subset:<11}", style="dim")
        text.append(f"sensitivity {s.sensitivity}   specificity {s.specificity}\n")
    for p in needed:
        text.append(f"{p.subset:<11}", style="dim")
        if p.more is None:
            text.append(p.reason + "\n")
        elif p.more == 0:
            text.append(f"corrected intervals already under {TARGET_WIDTH:g} wide\n")
        else:
            text.append(f"about {p.more} more labels bring every corrected interval under "
                        f"{TARGET_WIDTH:g} wide\n")
    return text
