"""Progress on stderr for ``framing search``: a live display on a terminal, one line per
trial otherwise, nothing with ``--quiet``."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from framing.events import (
    CallsProgress,
    Event,
    Notice,
    StudyFinished,
    StudyStarted,
    TrialFinished,
    TrialStarted,
    TruncationAlert,
)
from framing.wording import plural


class ProgressDisplay:
    """Renders search events; used as a context manager around ``run_search``."""

    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.live = console.is_terminal and not quiet
        self.calls = 0
        self.cache_hits = 0
        self.cost = 0.0
        self._progress: Progress | None = None
        self._trials_task: TaskID | None = None
        self._calls_task: TaskID | None = None
        self._soft_wrap = console.soft_wrap

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            # Rich wraps every line itself while the display is live: a line the terminal
            # wrapped behind its back would throw off the rows it moves up to redraw,
            # leaving a half-overwritten progress line
            self._soft_wrap = self.console.soft_wrap
            self.console.soft_wrap = False
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[info]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            )
            self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self.console.soft_wrap = self._soft_wrap

    def _counters(self) -> str:
        cost = f"  ${self.cost:.4f}" if self.cost else ""
        return f"calls {self.calls:,}  cache hits {self.cache_hits:,}{cost}"

    def handle(self, event: Event) -> None:
        if self.quiet:
            if isinstance(event, Notice) and event.level == "warning":
                self.console.print(f"warning: {escape(event.message)}")
            return
        p = self._progress
        if isinstance(event, StudyStarted):
            # the study, its templates and its database were named by the command's first
            # line (framing.workspace.study_line); the plan names a simulated target
            self.console.print(escape(event.plan))
            if event.trials_done:
                self.console.print(f"resuming: {plural(event.trials_done, 'trial')} already done")
            if p is not None:
                self._trials_task = p.add_task("trials", total=event.trials_planned,
                                               completed=event.trials_done,
                                               info=self._counters())
                self._calls_task = p.add_task("samples", total=event.samples_per_trial, info="")
        elif isinstance(event, TrialStarted):
            if p is not None and self._calls_task is not None:
                p.update(self._calls_task, completed=0, total=event.n_samples,
                         description=f"trial {event.trial}")
        elif isinstance(event, CallsProgress):
            if p is not None and self._calls_task is not None:
                tokens = event.input_tokens + event.output_tokens
                spent = (f"  tokens {tokens:,}" if tokens else "") + \
                    (f"  ${self.cost + event.cost:.4f}" if event.cost else "")
                p.update(self._calls_task, completed=event.done,
                         info=f"calls {event.calls}  cached {event.cache_hits}  "
                              f"errors {event.errors}{spent}")
        elif isinstance(event, TrialFinished):
            self.calls += event.calls
            self.cache_hits += event.cache_hits
            self.cost += event.cost
            point = event.point
            line = (f"trial {point.trial:>3}  over-blocking {point.over_blocking}  "
                    f"under-refusal {point.under_refusal}  {escape(point.label)}")
            if point.stopped_early:  # racing: confidently dominated, partial estimate
                line += (f"  (stopped early: dominated by trial "
                         f"{point.extra.get('stopped_by', '?')})")
            if p is not None and self._trials_task is not None:
                p.update(self._trials_task, advance=1, info=self._counters())
                p.console.print(line)
            else:
                cost = f", ${event.cost:.4f}" if event.cost else ""
                self.console.print(f"{line}  ({event.calls} calls, {event.cache_hits} cached"
                                   f"{cost})")
        elif isinstance(event, TruncationAlert):  # loud: the rates rest on fewer answers
            self.console.print(f"[bold yellow]warning: {escape(event.message)}[/]")
        elif isinstance(event, Notice):
            style = "yellow" if event.level == "warning" else "dim"
            self.console.print(f"[{style}]{escape(event.message)}[/]")
        elif isinstance(event, StudyFinished):
            state = "interrupted" if event.interrupted else (event.stopped_reason or "done")
            self.console.print(
                f"{state}: {plural(event.trials, 'trial')} in the study; this run: "
                f"{self.calls:,} calls, {self.cache_hits:,} cache hits"
                + (f", ${self.cost:.4f}" if self.cost else "")
                + (f", {plural(event.races, 'call')} also paid by another worker at the same "
                   "moment" if event.races else "")
            )
