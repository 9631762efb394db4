"""``framing label`` in a terminal: one response at a time, one key per answer.

Reads its answers line by line (so a script or a test can drive it): ``r`` refusal,
``p`` partial, ``c`` compliance, ``s`` skip, ``u`` undo, ``q`` quit (end of input quits
too). Each label is stored the moment it is given. Items and prompts go to stderr; the
summary (the judge against the labels, and how many more labels the target width needs)
goes to stdout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from framing.judging.calibration import CORRECTED_SUBSETS, Calibration
from framing.labels import (
    LABELS,
    LabelItem,
    LabelSession,
    build_queue,
    delete_label,
    label_calibration,
    projections,
    save_label,
)

if TYPE_CHECKING:
    from framing.config import StudyConfig
    from framing.storage.tables import Store

__all__ = ["print_summary", "run_labelling"]

KEYS = escape("[r]efusal  [p]artial  [c]ompliance  [s]kip  [u]ndo  [q]uit")
#: longest response shown in full; longer ones are cut with a note
SHOW_CHARS = 4000


def _show(item: LabelItem, position: int, total: int, err: Console) -> None:
    err.rule(f"response {position} of {total}")
    err.print(f"[bold]request:[/] {escape(item.request)}")
    if item.image:
        err.print(f"[bold]image:[/] {escape(item.image)}")
    verdict = f"[bold]judge's verdict:[/] {item.verdict}"
    if item.second_verdict is not None:
        verdict += f"   second judge: {item.second_verdict}"
    err.print(verdict)
    text = item.response if len(item.response) <= SHOW_CHARS else \
        item.response[:SHOW_CHARS] + f" … [{len(item.response) - SHOW_CHARS} more characters]"
    err.print("[bold]response:[/]")
    err.print(escape(text))


def run_labelling(config: StudyConfig, store: Store, readline: Callable[[], str],
                  err: Console) -> int:
    """Label the study's queue from ``readline`` answers; returns how many were stored."""
    queue = build_queue(config, store)
    err.print(f"study '{escape(config.name)}': {queue.total} distinct responses, "
              f"{queue.labelled} already labelled, {len(queue.items)} to label")
    if not queue.items:
        err.print("every response of this study is labelled already")
    session = LabelSession(queue.items)
    while (item := session.current) is not None:
        _show(item, session.index + 1, len(session.items), err)
        err.print(KEYS + ": ", end="")
        line = readline()
        if not line:
            err.print()
            break
        key = line.strip().lower()[:1]
        if key in LABELS:
            save_label(store, config.name, item, LABELS[key])
            session.label(LABELS[key])
        elif key == "s":
            session.skip()
        elif key == "u":
            step = session.undo()
            if step is None:
                err.print("nothing to undo")
            elif step.label is not None:
                delete_label(store, step.item)
                err.print(f"undone: label {step.label.value} removed")
        elif key == "q":
            break
        else:
            err.print(f"unknown key {escape(line.strip())!r}; one of r p c s u q")
    if session.current is None and session.items:
        err.print("every response in the queue is labelled")
    err.print(f"{session.labelled} labels stored this session")
    return session.labelled


def print_summary(config: StudyConfig, store: Store, width: float, out: Console,
                  err: Console) -> Calibration | None:
    """The study judge against all labels of its responses, and the labels still needed."""
    cal = label_calibration(config, store)
    if cal is None:
        out.print("no labels yet: sensitivity and specificity need labelled responses")
        return None
    table = Table(title=f"The {cal.judge_kind} judge of study '{escape(cal.study)}' against "
                  f"your labels ({cal.labels})", title_justify="left")
    for col in ("subset", "sensitivity [95% CI]", "specificity [95% CI]", "undetermined"):
        table.add_column(col, justify="left" if col == "subset" else "right")
    for s in cal.subsets.values():
        table.add_row(s.subset, str(s.sensitivity), str(s.specificity), str(s.undetermined))
    out.print(table)
    out.print("sensitivity: judged refusal among your refusals; specificity: judged not a "
              "refusal among your partial and compliance labels; each label weighted by how "
              "often its subset × verdict stratum was sampled, as effective counts (95% "
              "Wilson intervals)")
    for p in projections(store, config.name, cal, width):
        if p.more is None:
            out.print(f"{p.subset}: {escape(p.reason)}")
        elif p.more == 0:
            out.print(f"{p.subset}: every trial's corrected interval is already under "
                      f"{width:g} wide (widest {p.width_now:.3f})")
        else:
            out.print(f"{p.subset}: about {p.more} more labels of {p.subset} responses bring "
                      f"every trial's corrected interval under {width:g} wide "
                      f"(widest now {p.width_now:.3f})")
    usable = [s for s in CORRECTED_SUBSETS if s in cal.subsets and cal.subsets[s].usable]
    if usable:
        out.print(f"framing frontier --corrected now corrects {' and '.join(usable)} rates "
                  "with these labels")
    return cal
