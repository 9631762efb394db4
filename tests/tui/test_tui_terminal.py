"""The app in a real terminal (tmux), as a new user drives it: start, run the demo study,
look at the frontier, quit; no traceback, exit code 0."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """A tmux session (100×30 unless told) on a private server socket."""

    def __init__(self, command: str, cwd: Path, size: tuple[int, int] = (100, 30)) -> None:
        self.socket = f"framing-test-{uuid.uuid4().hex[:8]}"
        self.screens: list[str] = []
        env = {**os.environ, "TERM": "xterm-256color",
               "LANG": os.environ.get("LANG") or "C.UTF-8"}
        subprocess.run(["tmux", "-u", "-L", self.socket, "new-session", "-d", "-s", "t",
                        "-x", str(size[0]), "-y", str(size[1]), "-c", str(cwd), command],
                       check=True, env=env)

    def text(self) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, "capture-pane", "-p", "-t", "t"],
                             capture_output=True, text=True).stdout
        self.screens.append(out)
        return out

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", "t", *keys], check=True)

    def wait_for(self, needle: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.text()
            if needle in screen:
                return screen
            time.sleep(0.1)
        # the screen's non-blank lines only: a CI log that keeps the tail of a long output
        # then still shows all of it (a dialog's text included)
        shown = "\n".join(line.rstrip() for line in self.screens[-1].splitlines()
                          if line.strip())
        raise AssertionError(f"{needle!r} never appeared; last screen:\n{shown}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def test_new_user_runs_the_demo_in_a_terminal(tmp_path: Path) -> None:
    done = tmp_path / "exit-code"
    command = (f"{shlex.quote(sys.executable)} -m framing tui --set search.trials=8; "
               f"echo $? > {shlex.quote(str(done))}; sleep 60")
    term = Terminal(command, tmp_path)
    try:
        term.wait_for("trials 0/8")
        screen = term.wait_for("s Start")
        assert "simulated model" in screen
        term.send("s")
        screen = term.wait_for("trials 8/8")
        term.wait_for(" done")
        assert "8 trials" in term.text() or "on the frontier" in term.text()
        term.send("F3")
        # the screen redraws over several frames: wait for each part rather than
        # asserting on a capture taken mid-redraw
        term.wait_for("points (● frontier")
        term.wait_for("per category")
        term.send("F4")
        term.wait_for("of 432 samples")
        term.send("C-q")
        deadline = time.monotonic() + 30
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
        assert not any("Traceback" in s for s in term.screens)
        assert (tmp_path / "studies" / "framing.db").exists()
    finally:
        term.close()


def test_researcher_workflow_edit_copy_run_compare_quit_with_unsaved_edit(
        tmp_path: Path) -> None:
    """Edit a template, save a copy, run a few trials, compare two frontier points, then
    quit with an unsaved edit and answer the prompt: the edit is saved, not lost."""
    subprocess.run([sys.executable, "-m", "framing", "init", str(tmp_path / "ws")], check=True,
                   capture_output=True)
    ws = tmp_path / "ws"
    done = tmp_path / "exit-code"
    args = " ".join(f"--set {shlex.quote(o)}" for o in
                    ("search.trials=4", "data.borderline=60", "data.unsafe=60"))
    command = (f"{shlex.quote(sys.executable)} -m framing tui studies/demo.toml {args} "
               f"--screen framings; echo $? > {shlex.quote(str(done))}; sleep 60")
    term = Terminal(command, ws, size=(120, 36))
    try:
        term.wait_for("lints clean")
        term.wait_for("baseline.j2")
        term.wait_for("You are a helpful assistant")
        # edit the baseline inside its block: line 5, its system text, is the sixth row
        # (the description line wraps)
        paced(term, "C-e", "Down", "Down", "Down", "Down", "Down", "End")
        term.send("-l", " Be concise.")
        term.wait_for("● baseline.j2")
        term.wait_for("their message. Be concise.")
        term.wait_for("lints clean")

        # save a copy under the suggested name
        term.send("C-n")
        term.wait_for("New template from this one")
        term.send("Enter")
        term.wait_for("baseline-2.j2")
        copy = ws / "prompts" / "baseline-2.j2"
        deadline = time.monotonic() + 30
        while not copy.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        lines = copy.read_text().splitlines()
        assert lines[0] == "{#---" and "Be concise." in "".join(lines[3:]), lines

        # run the study
        term.send("F2")
        term.wait_for("s Start")
        term.send("s")
        term.wait_for("trials 4/4")
        term.wait_for(" done")

        # the frontier: mark one point, compare it with the next
        term.send("F3")
        term.wait_for("points (● frontier")
        term.wait_for("per category")
        term.send("m")
        screen = term.wait_for("marked as A")
        # B is another point: the first row, or the last when A is the first
        marked = re.search(r"^trial +(\d+)", screen, re.M)
        first = re.search(r"^│ (\d+)", screen, re.M)
        at_top = marked is not None and first is not None and marked[1] == first[1]
        paced(term, "End" if at_top else "Home", "c")
        term.wait_for("McNemar")

        # quit with the unsaved edit of baseline.j2: asked, and "save" keeps it
        assert "Be concise." not in (ws / "prompts" / "baseline.j2").read_text()
        term.send("C-q")
        screen = term.wait_for("Unsaved changes")
        assert "baseline.j2" in screen
        term.send("s")
        deadline = time.monotonic() + 30
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
        assert "Be concise." in (ws / "prompts" / "baseline.j2").read_text()
        assert not any("Traceback" in s for s in term.screens)
    finally:
        term.close()


def paced(term: Terminal, *keys: str) -> None:
    """Send keys one at a time, as a hand does.

    Keys that reach the app in one burst while it is still busy with the ones before can
    be lost: arrow keys sent in the same instant as ctrl+e (Textual hands a key to the
    widget focused when the key is processed) or right after typed text (seen with a bare
    Textual TextArea in tmux too). A human's pauses between keys are far longer."""
    time.sleep(1.0)
    for key in keys:
        term.send(key)
        time.sleep(0.3)


#: each screen's key, the title its screen bar shows, and a key of its own in the key line
SCREENS = (("F1", "[f1 Framings]", "^s Save"), ("F2", "[f2 Run]", "s Start"),
           ("F3", "[f3 Frontier]", "m Mark A"), ("F4", "[f4 Data]", "^q Quit"))


def test_every_screen_fits_an_80x24_terminal(tmp_path: Path) -> None:
    """At 80×24 every screen shows its title and its whole key line, and the framing
    names are readable (the Run table and the Frontier summary)."""
    command = (f"{shlex.quote(sys.executable)} -m framing tui --set search.trials=3 "
               f"--set data.borderline=40 --set data.unsafe=40; sleep 60")
    term = Terminal(command, tmp_path, size=(80, 24))
    try:
        term.wait_for("s Start")
        term.send("s")
        term.wait_for("trials 3/3")
        term.wait_for(" done")
        for key, title, own_key in SCREENS:
            term.send(key)
            screen = term.wait_for(title)
            lines = screen.rstrip("\n").split("\n")
            assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
            assert title in lines[0]
            for other, _, _ in SCREENS:  # every screen's key is on the top line
                assert f"{other.lower()} " in lines[0]
            key_line = term.wait_for(own_key).rstrip("\n").split("\n")[-1]
            assert own_key in key_line and "^q Quit" in key_line
            assert "…" not in key_line  # nothing cut off
        # the framing names: whole in the Run table, and in the Frontier summary
        term.send("F2")
        screen = term.wait_for("[f2 Run]")
        # a framing with its parameters, to the closing parenthesis: `engage(strength=...)`
        assert re.search(r"\b\w+\(\w+=[^│]*\)", screen), screen
        term.send("F3")
        term.wait_for("per category")
        screen = term.wait_for("template")
        assert "prompts/" in screen and "parameters" in screen
        assert not any("Traceback" in s for s in term.screens)
    finally:
        term.close()
