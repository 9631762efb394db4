"""One way a failed worker reaches the researcher, at every level of the app.

Textual posts ``Worker.StateChanged`` to the worker's own node and does not bubble it,
so a worker started by a screen never reaches the app's handler. The app and every
screen therefore route the event through :func:`report_failure` (screens by deriving
from :class:`framing.tui.screens.base.FramingScreen`): a failed worker always ends in a
notification that says what failed, why, and what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.worker import Worker, WorkerState

from framing.errors import FramingError


@dataclass(frozen=True)
class Failure:
    """What a worker group was doing, and what the researcher can do when it fails."""

    what: str
    todo: str


#: worker group -> how its failure is explained; unknown groups get :data:`FALLBACK`
FAILURES: dict[str, Failure] = {
    "samples": Failure("Could not load the study's samples",
                       "check the [data] section of the study file, then restart the TUI"),
    "points": Failure("Could not read the stored study",
                      "check storage.url in the study file, then reload (r on Frontier)"),
    "templates": Failure("Could not list the study's templates",
                         "check search.templates in the study file"),
    "lint": Failure("The live check of the template failed",
                    "keep editing: the check runs again on the next change"),
    "save": Failure("Not saved",
                    "your edit is still in the editor: fix the name or path and save "
                    "again (ctrl+s, or ctrl+n for a copy)"),
    "details": Failure("Could not load the point's details",
                       "reload the study (r) and highlight the point again"),
    "compare": Failure("Could not compare the two points",
                       "reload the study (r), then mark (m) and compare (c) again"),
    "space": Failure("Could not check which frontier framings are still in the space",
                     "reload the study (r)"),
    "report": Failure("The HTML report was not built",
                      "fix the cause, then press o again (or run `framing report`)"),
    "image": Failure("Could not show the sample's image", "check the image file"),
    "label-queue": Failure("Could not build the label queue",
                           "check storage.url in the study file, then reload (l)"),
    "label-image": Failure("Could not show the sample's image", "check the image file"),
    "label-writer": Failure("A label was not saved",
                            "check the database, then label the response again"),
    "label-summary": Failure("Could not compute the judge's agreement with your labels",
                             "reload (l) after labelling more responses"),
    "search": Failure("The search stopped", "fix the cause, then start again (s)"),
}
FALLBACK = Failure("A background task failed", "try the action again")


def failure_text(worker: Worker[object]) -> tuple[str, str]:
    """(title, message) for a failed worker: what failed, the reason, what to do."""
    failure = FAILURES.get(worker.group, FALLBACK)
    error = worker.error
    reason = str(error) if isinstance(error, FramingError) \
        else f"{type(error).__name__}: {error}"
    return failure.what, f"{reason}\n→ {failure.todo}"


def report_failure(app: App[Any], event: Worker.StateChanged) -> None:
    """Turn a worker that ended in ERROR into an error notification (else do nothing)."""
    if event.state is not WorkerState.ERROR:
        return
    title, message = failure_text(event.worker)
    app.notify(message, title=title, severity="error", timeout=15, markup=False)
