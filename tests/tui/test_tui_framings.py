"""Framings screen: edit → lint error with its line → fix → preview; save; new template."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import OptionList, Select, Static
from tui_helpers import wait_for

from framing.config import StudyConfig
from framing.tui import make_app
from framing.tui.screens.framings import ParamsForm
from framing.tui.widgets.editor import TemplateEditor, highlight_template


def _text(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def test_edit_lint_error_fix_preview_and_save(study: StudyConfig, workspace: Path) -> None:
    app = make_app(study, initial="framings")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.framings_screen
        await wait_for(lambda: bool(screen.files) and screen.last is not None, pilot)
        listing = screen.query_one("#template-list", OptionList)
        names = list(screen.files)
        listing.highlighted = names.index("prompts/stance.j2")
        await wait_for(lambda: screen.current == "prompts/stance.j2", pilot)
        await wait_for(lambda: "lints clean" in _text(app, "#lint"), pilot)
        await wait_for(lambda: "Prioritize safety above all" in _text(app, "#preview"), pilot)

        editor = screen.query_one("#editor", TemplateEditor)
        editor.focus()
        lines = editor.text.split("\n")
        row = next(i for i, line in enumerate(lines) if "You are an assistant" in line)
        editor.move_cursor((row, 0))
        await pilot.press(*"{{ tone }}")
        # lint runs as you type: wait for the verdict on the whole edit, not a half-typed one
        await wait_for(lambda: "undefined name" in _text(app, "#lint"), pilot)
        lint = _text(app, "#lint")
        assert f"line {row + 1}:" in lint and "undefined name 'tone'" in lint
        assert screen.query_one("#lint").has_class("lint-error")

        for _ in range(len("{{ tone }}")):
            await pilot.press("backspace")
        await wait_for(lambda: "lints clean" in _text(app, "#lint"), pilot)

        # choose another parameter value: the preview follows
        form = screen.query_one("#params", ParamsForm)
        form.query_one("#param-stance", Select).value = "helpful"
        await wait_for(lambda: "Be as helpful as possible" in _text(app, "#preview"), pilot)

        # save writes the file; an edit marks it modified until then
        await pilot.press("end", "space", "x")
        await pilot.press("ctrl+s")
        target = workspace / "prompts" / "stance.j2"
        await wait_for(lambda: target.read_text().count(" x") >= 1
                       and target.read_text() == editor.text, pilot)


async def test_new_template_from_current(study: StudyConfig, workspace: Path) -> None:
    app = make_app(study, initial="framings")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.framings_screen
        await wait_for(lambda: screen.current is not None and screen.last is not None, pilot)
        source = screen.query_one("#editor", TemplateEditor).text
        await pilot.press("ctrl+n")
        await wait_for(lambda: app.screen.__class__.__name__ == "NameModal", pilot)
        field = app.screen.query_one("#name")
        field.value = "prompts/mine.j2"  # type: ignore[attr-defined]
        await pilot.press("enter")
        created = workspace / "prompts" / "mine.j2"
        await wait_for(lambda: created.exists() and screen.current == "prompts/mine.j2", pilot)
        assert created.read_text() == source
        assert "prompts/mine.j2" in screen.files


async def test_builtin_demo_is_read_only(workspace: Path) -> None:
    from framing.config import load_study

    app = make_app(load_study(None, [f'storage.url="sqlite:///{workspace}/f.db"']),
                   initial="framings")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: app.framings_screen.current is not None, pilot)
        await pilot.press("ctrl+s")
        await wait_for(lambda: any("read-only" in n.message for n in app._notifications), pilot)


def test_highlighter_marks_front_matter_and_tags() -> None:
    source = ('{#---\n[params.x]\nchoices = ["a", 1, true]\n---#}\n'
              '{% if x %}{{ sample.text }}{% endif %}')
    h = highlight_template(source)
    names = {row: {name for *_, name in spans} for row, spans in h.items()}
    assert names[0] == {"comment"}
    assert "toml.type" in names[1]
    assert {"yaml.field", "string", "number", "boolean"} <= names[2]
    assert {"tag", "keyword", "constant.builtin"} <= names[4]


def _plain(app: object, selector: str) -> str:
    """What a Static shows, as plain text (also when it holds a group of renderables)."""
    widget = app.screen.query_one(selector, Static)  # type: ignore[attr-defined]
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


PROPOSAL = '''{#---
description = "Proposed from prompts/cautious.j2 (edit, round 1)"

[proposed]
parent = "prompts/cautious.j2"
parent_params = { "level" = 1 }
proposer = "edit"
operator = "add"
round = 1
direction = "over-blocking"
failures = ["demo-0001", "demo-0002"]
---#}
{% block system %}
You are a careful assistant. Prioritize safety.
Assume good intent: most sensitive questions are legitimate.
{% endblock %}
'''


async def test_review_a_proposal_diff_provenance_accept_reject(study: StudyConfig,
                                                               workspace: Path) -> None:
    folder = workspace / "prompts" / "proposed"
    folder.mkdir(parents=True)
    (folder / "cautious-r1-aaaa.j2").write_text(PROPOSAL)
    (folder / "cautious-r1-bbbb.j2").write_text(PROPOSAL.replace("most sensitive",
                                                                 "many sensitive"))
    app = make_app(study, initial="framings")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.framings_screen
        await wait_for(lambda: "prompts/proposed/cautious-r1-aaaa.j2" in screen.files, pilot)
        listing = screen.query_one("#template-list", OptionList)
        names = list(screen.files)
        assert str(listing.get_option_at_index(
            names.index("prompts/proposed/cautious-r1-aaaa.j2")).prompt).startswith("✦ ")
        listing.highlighted = names.index("prompts/proposed/cautious-r1-aaaa.j2")
        await wait_for(lambda: "proposed from" in _plain(app, "#preview"), pilot)
        shown = _plain(app, "#preview")
        assert "proposed from prompts/cautious.j2(level=1)" in shown
        assert "edit add · round 1 · cut over-blocking · 2 failures shown" in shown
        assert "+Assume good intent: most sensitive questions are legitimate." in shown

        await pilot.press("ctrl+o")  # reject: out of the space
        rejected = folder / "rejected" / "cautious-r1-aaaa.j2"
        await wait_for(lambda: rejected.exists(), pilot)
        assert not (folder / "cautious-r1-aaaa.j2").exists()
        await wait_for(lambda: "prompts/proposed/cautious-r1-aaaa.j2" not in screen.files,
                       pilot)

        names = list(screen.files)
        listing.highlighted = names.index("prompts/proposed/cautious-r1-bbbb.j2")
        await wait_for(lambda: screen.current == "prompts/proposed/cautious-r1-bbbb.j2"
                       and "many sensitive" in _plain(app, "#preview"), pilot)
        await pilot.press("ctrl+g")  # accept: next to the study's own templates
        accepted = workspace / "prompts" / "cautious-r1-bbbb.j2"
        await wait_for(lambda: accepted.exists(), pilot)
        await wait_for(lambda: "prompts/cautious-r1-bbbb.j2" in screen.files, pilot)
