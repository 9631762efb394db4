"""Data: browse the study's samples by subset, category and pattern; see one with its image."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Select, Static

from framing.data.schema import CATEGORIES, SUBSETS, Grade, Sample
from framing.drilldown import filter_samples
from framing.tui.messages import settle_cursor
from framing.tui.patterns import PATTERN_LEGEND, abbrev
from framing.tui.screens.base import FramingScreen
from framing.tui.widgets.image import ImageLoaded, SampleImage, read_image
from framing.tui.widgets.keyline import KeyLine
from framing.tui.widgets.screenbar import ScreenBar
from framing.tui.widgets.table import RowTable

ANY = "any"
ID_WIDTH = 10
TEXT_MIN = 30


class SamplesLoaded(Message):
    def __init__(self, samples: list[Sample]) -> None:
        super().__init__()
        self.samples = samples


class DataScreen(FramingScreen):
    """Samples filtered by subset, category, pattern and a text search."""

    samples: reactive[tuple[Sample, ...]] = reactive(tuple, always_update=True)

    def __init__(self) -> None:
        super().__init__()
        self.ready = False  # set on mount: watchers before that have nothing to draw on
        self.shown: list[Sample] = []
        self.current: Sample | None = None

    def compose(self) -> ComposeResult:
        yield ScreenBar()
        with Horizontal(id="data-filters"):
            yield Select([(g.value, g.value) for g in (*SUBSETS, Grade.NOT_SURE)], compact=True,
                         prompt="subset: any", id="subset")
            yield Select([(f"{k} {v}", k) for k, v in CATEGORIES.items()],
                         prompt="category: any", id="category", compact=True)
            yield Select([], prompt="pattern: any", id="pattern", compact=True)
            yield Input(placeholder="search id or text", id="search", compact=True)
        with Horizontal(id="data-body"):
            yield RowTable(id="sample-table", cursor_type="row", zebra_stripes=True,
                           fill="text", fill_min=TEXT_MIN,
                           empty="no sample matches these filters")
            with Vertical(id="sample-pane"):
                with VerticalScroll(id="sample-info-scroll"):
                    yield Static("loading samples…", id="sample-info")
                yield SampleImage(id="sample-image")
        yield KeyLine()

    def on_mount(self) -> None:
        self.ready = True
        settle_cursor(self)
        table = self.query_one("#sample-table", RowTable)
        # the subset is the joint grade, already the pattern's last letter: the text gets
        # the room (RowTable's fill)
        for label, key, width in (("id", "id", ID_WIDTH), ("cat", "cat", 4),
                                  ("pattern", "pattern", 7), ("text", "text", TEXT_MIN)):
            table.add_column(label, key=key, width=width)
        table.fill_width()
        table.tooltip = PATTERN_LEGEND
        table.focus()
        self.watch_samples(self.samples)

    def watch_samples(self, samples: tuple[Sample, ...]) -> None:
        if not self.ready or not samples:
            return
        patterns = sorted({s.pattern for s in samples})
        self.query_one("#pattern", Select).set_options([(p, p) for p in patterns])
        self._apply()

    @on(Select.Changed)
    @on(Input.Changed, "#search")
    def _filters_changed(self) -> None:
        self._apply()

    def _value(self, select_id: str) -> str | None:
        value = self.query_one(select_id, Select).value
        return value if isinstance(value, str) else None

    def _apply(self) -> None:
        self.shown = filter_samples(self.samples, subset=self._value("#subset"),
                                    category=self._value("#category"),
                                    pattern=self._value("#pattern"),
                                    text=self.query_one("#search", Input).value)
        table = self.query_one("#sample-table", DataTable)
        table.clear()
        for s in self.shown:
            table.add_row(s.id, s.category or "-", abbrev(s.pattern), s.text, key=s.id)
        table.border_title = f"{len(self.shown)} of {len(self.samples)} samples"
        if not self.shown:
            self.query_one("#sample-info", Static).update("no sample matches these filters")
            self.query_one("#sample-image", SampleImage).image = None

    @on(DataTable.RowHighlighted, "#sample-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        sample = next((s for s in self.shown if s.id == event.row_key.value), None)
        if sample is None:
            return
        self.current = sample
        self.query_one("#sample-info", Static).update(describe(sample))
        image = self.query_one("#sample-image", SampleImage)
        image.image = None
        image.fallback = ("no image" if sample.image is None
                          else "loading image…")
        if sample.image_path is not None:
            self.load_image(sample.id, sample.image_path)
        elif sample.image is not None:
            image.fallback = f"remote image, not shown: {sample.image}"

    @work(thread=True, exclusive=True, exit_on_error=False, group="image")
    def load_image(self, key: str, source: Path) -> None:
        self.post_message(read_image(key, source))

    def on_image_loaded(self, message: ImageLoaded) -> None:
        if self.current is None or message.key != self.current.id:
            return
        self.query_one("#sample-image", SampleImage).show(message)


def describe(s: Sample) -> Text:
    text = Text()
    text.append(s.id, style="bold")
    text.append(f"   source {s.source}\n", style="dim")
    text.append(s.text + "\n\n")
    for label, value in (("grades", f"image {s.image_grade.value} · text {s.text_grade.value}"
                          f" · joint {s.joint_grade.value}"),
                         ("pattern", s.pattern + ("  (compositional)" if s.compositional
                                                  else "")),
                         ("category", f"{s.category} {CATEGORIES.get(s.category or '', '')}"
                          if s.category else "none"),
                         ("image", s.image or "none")):
        text.append(f"{label:<9}", style="dim")
        text.append(value + "\n")
    if s.image_description:
        text.append(f"{'shows':<9}", style="dim")
        text.append(s.image_description + "\n")
    return text
