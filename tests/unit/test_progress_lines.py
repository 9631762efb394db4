"""The live progress display never writes a line wider than the terminal.

A terminal wraps a line wider than itself onto two rows, while the live display moves
the cursor up by the rows it thinks it drew: the part left above is a half-overwritten
progress line. The display is driven with long counters and long framing labels on a
narrow terminal, and every row it writes is measured."""

from __future__ import annotations

import io
import re

from rich.console import Console

from framing.events import CallsProgress, Notice, StudyFinished, StudyStarted, TrialStarted
from framing.progress import ProgressDisplay

WIDTH = 60
#: what ends a row on a terminal: a newline, a carriage return, a cursor move or erase
BREAKS = re.compile(r"\n|\r|\x1b\[[0-9;?]*[ABCDEFGHJKfhl]")
STYLES = re.compile(r"\x1b\[[0-9;]*m")


def rows(raw: str) -> list[str]:
    return [STYLES.sub("", row) for row in BREAKS.split(raw)]


def test_live_rows_fit_the_terminal() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=WIDTH, soft_wrap=True,
                      color_system=None)
    with ProgressDisplay(console) as display:
        display.handle(StudyStarted("demo", "sqlite:///studies/framing.db", 4, 0, 240, True,
                                    "plan: " + "a long plan line " * 12))
        display.handle(TrialStarted(0, "prompts/stance.j2", {"stance": "strict"}, 240))
        for done in range(0, 241, 40):
            display.handle(CallsProgress(0, done, 240, done * 1000, 123_456, 7,
                                         input_tokens=12_345_678, output_tokens=9_876_543,
                                         cost=123.4567))
            display._progress.refresh()  # type: ignore[union-attr]
        display.handle(Notice("a notice " * 20))
        display.handle(StudyFinished("demo", 4, False))
    seen = rows(buffer.getvalue())
    assert max(len(r) for r in seen) <= WIDTH, max(seen, key=len)
    # the console is left as it was (other output keeps its soft wrapping)
    assert console.soft_wrap is True
    # and the display ends its last row: what follows starts on a fresh line
    assert re.sub(r"\x1b\[\?25[hl]", "", buffer.getvalue()).endswith("\n")
