"""Framings: the study's templates in an editor with live lint and a live preview.

Every edit restarts a short timer; when it fires, a worker lints the text exactly as a
study would (:func:`framing.drilldown.lint_source`) and renders it for the chosen sample
and parameter values. Files are read and written in workers too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.widgets.text_area import EditHistory

from framing.config import StudyConfig
from framing.data.schema import Sample
from framing.drilldown import LintResult, Preview
from framing.propose.review import Review
from framing.templates import Param
from framing.tui.messages import settle_cursor
from framing.tui.patterns import PATTERN_LEGEND, abbrev
from framing.tui.screens.base import FramingScreen
from framing.tui.screens.modals import NameModal, UnsavedModal
from framing.tui.widgets.editor import TemplateEditor
from framing.tui.widgets.keyline import KeyLine
from framing.tui.widgets.screenbar import ScreenBar
from framing.wording import plural

#: seconds of quiet typing before a lint runs
LINT_DELAY = 0.15


def fresh_history() -> EditHistory:
    """An empty undo history with TextArea's own settings."""
    return EditHistory(max_checkpoints=50, checkpoint_timer=2.0, checkpoint_max_characters=100)


@dataclass(frozen=True)
class TemplateFile:
    name: str  # as the study names it (relative to its template root)
    path: Path
    source: str


class TemplatesLoaded(Message):
    def __init__(self, files: list[TemplateFile], select: str | None = None) -> None:
        super().__init__()
        self.files = files
        self.select = select


class Checked(Message):
    """Lint and preview of one version of the editor's text."""

    def __init__(self, generation: int, name: str, result: LintResult,
                 preview: Preview | None, values: dict[str, Any],
                 review: Review | None = None) -> None:
        super().__init__()
        self.generation = generation
        self.name = name
        self.result = result
        self.preview = preview
        self.values = values  # the parameter values the preview was rendered with
        self.review = review  # a proposal's provenance and diff against its parent


class Reviewed(Message):
    """A proposal was accepted or rejected (its file moved)."""

    def __init__(self, old: str, new: str, verdict: str) -> None:
        super().__init__()
        self.old = old
        self.new = new
        self.verdict = verdict


class Saved(Message):
    def __init__(self, name: str, path: Path, source: str) -> None:
        super().__init__()
        self.name = name
        self.path = path
        self.source = source


class AllSaved(Message):
    """Every unsaved template was written (the quit prompt's "save" then quits)."""


def field_values(params: tuple[Param, ...], values: dict[str, Any]) -> dict[str, Any]:
    """The value each field shows: the one chosen, if it is still valid, else the default.

    The form and the preview both go through here, so what is rendered is what is shown.
    """
    out: dict[str, Any] = {}
    for p in params:
        value = values.get(p.name)
        valid = (value in p.choices if p.kind == "choices"
                 else isinstance(value, bool) if p.kind == "bool"
                 else value is not None)
        out[p.name] = value if valid else p.default()
    return out


class ParamsForm(Widget):
    """One field per declared parameter; posts :class:`ParamsForm.Changed` with the values."""

    params: reactive[tuple[Param, ...]] = reactive(tuple, recompose=True)

    class Changed(Message):
        def __init__(self, values: dict[str, Any]) -> None:
            super().__init__()
            self.values = values

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.values: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        if not self.params:
            yield Label("no parameters", classes="dim")
        for p in self.params:
            value = self.values.get(p.name, p.default())
            yield Label(p.name + (f"  {p.description}" if p.description else ""),
                        classes="param-label")
            if p.kind in ("choices", "bool"):
                options = list(p.choices) if p.kind == "choices" else [False, True]
                yield Select([(str(o), o) for o in options], value=value, allow_blank=False,
                             id=f"param-{p.name}", classes="param-field")
            else:
                yield Input(str(value), id=f"param-{p.name}", classes="param-field",
                            placeholder=f"{p.kind} in [{p.low:g}, {p.high:g}]")

    def on_mount(self) -> None:
        settle_cursor(self)

    def show(self, params: tuple[Param, ...], values: dict[str, Any]) -> None:
        """Show these declarations with these values (rebuilt only when either differs)."""
        if params == self.params and values == self.values:
            return
        self.values = dict(values)
        if params != self.params:
            self.params = params  # recomposes
        else:
            self.refresh(recompose=True)

    @on(Select.Changed, ".param-field")
    def _select(self, event: Select.Changed) -> None:
        if event.select.id and event.value is not Select.BLANK:
            self._update(event.select.id.removeprefix("param-"), event.value)

    @on(Input.Changed, ".param-field")
    def _input(self, event: Input.Changed) -> None:
        if event.input.id:
            self._update(event.input.id.removeprefix("param-"), event.value.strip())

    def _update(self, name: str, value: Any) -> None:
        if self.values.get(name) != value:
            self.values[name] = value
            self.post_message(self.Changed(dict(self.values)))


class FramingsScreen(FramingScreen):
    """Edit a template with live lint and preview; save; new template from this one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+n", "new", "New copy"),
        Binding("ctrl+r", "revert", "Revert"),
        Binding("ctrl+g", "accept", "Accept proposal", show=False),
        Binding("ctrl+o", "reject", "Reject proposal", show=False),
        Binding("ctrl+t", "focus_list", "Templates", show=False),
        Binding("ctrl+e", "focus_editor", "Editor", show=False),
    ]

    samples: reactive[tuple[Sample, ...]] = reactive(tuple, always_update=True)

    def __init__(self, config: StudyConfig) -> None:
        super().__init__()
        self.ready = False  # set on mount: watchers before that have nothing to draw on
        self.config = config
        self.files: dict[str, TemplateFile] = {}
        self.edited: dict[str, str] = {}
        #: undo history of each template opened this session (TextArea keeps only one)
        self.histories: dict[str, EditHistory] = {}
        self.current: str | None = None
        #: proposals waiting in [propose] folder (framing.propose), shown with ✦
        self.proposals: set[str] = set()
        self.preview_sample: Sample | None = None
        self.last: Checked | None = None
        self._generation = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield ScreenBar()
        with Horizontal(id="framings-body"):
            yield OptionList(id="template-list")
            with Vertical(id="editor-pane"):
                yield TemplateEditor(id="editor")
                yield Static("", id="lint")
            with Vertical(id="preview-pane"):
                yield Select([], prompt="preview sample", id="preview-sample", compact=True,
                             tooltip="sample id, then its " + PATTERN_LEGEND)
                with VerticalScroll(id="params-scroll"):
                    yield ParamsForm(id="params")
                with VerticalScroll(id="preview-scroll"):
                    yield Static("", id="preview")
        yield KeyLine()

    def on_mount(self) -> None:
        self.ready = True
        settle_cursor(self)
        self.query_one("#template-list", OptionList).border_title = "templates"
        self.query_one("#editor", TemplateEditor).border_title = "editor"
        self.query_one("#preview-scroll").border_title = "preview"
        self.query_one("#params-scroll").border_title = "parameters"
        self.load_templates()
        self.watch_samples(self.samples)

    # -- files -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="templates")
    def load_templates(self, select: str | None = None) -> None:
        from framing.templates import expand_paths

        root = self.config.template_root
        names = expand_paths([*self.config.search.templates, *self.config.search.baselines],
                             root)
        if select is not None and select not in names:
            names.append(select)
            self.app.call_from_thread(
                self.notify, f"{select} does not match the study's search.templates, so "
                "searches will not use it", severity="warning", timeout=8)
        elif select is not None:
            self.app.call_from_thread(
                self.notify, f"{select} joins the study's templates: a running search "
                "proposes its framings from its next trial, a resumed one too", timeout=8)
        folder = root / self.config.propose.folder
        proposals = [str(p.relative_to(root)) for p in sorted(folder.glob("*.j2"))] \
            if folder.is_dir() else []
        self.proposals = set(proposals)
        names.extend(n for n in proposals if n not in names)
        files = []
        for name in names:
            path = Path(name) if Path(name).is_absolute() else root / name
            try:
                source = path.read_text(encoding="utf-8")
            except OSError as e:
                source = f"{{# cannot read {path}: {e} #}}"
            files.append(TemplateFile(name, path, source))
        self.post_message(TemplatesLoaded(files, select))

    def on_templates_loaded(self, message: TemplatesLoaded) -> None:
        for f in message.files:
            if f.name not in self.files or f.name == message.select:
                self.files[f.name] = f
        listing = self.query_one("#template-list", OptionList)
        listing.clear_options()
        listing.add_options([Option(self._label(n), id=n) for n in self.files])
        chosen = message.select or self.current or next(iter(self.files), None)
        if chosen is not None:
            listing.highlighted = list(self.files).index(chosen)
            self.open_template(chosen)

    def modified(self, name: str) -> bool:
        """``name`` has edits that are not in its file."""
        return name in self.edited and self.edited[name] != self.files[name].source

    def unsaved(self) -> list[str]:
        """The templates with unsaved edits (the one in the editor included)."""
        if self.current is not None and self.ready:
            self.edited[self.current] = self.query_one("#editor", TemplateEditor).text
        return [name for name in self.files if self.modified(name)]

    def _label(self, name: str) -> str:
        mark = "● " if self.modified(name) else "✦ " if name in self.proposals else "  "
        return mark + Path(name).name

    def _relabel(self, name: str) -> None:
        index = list(self.files).index(name)
        self.query_one("#template-list", OptionList).replace_option_prompt_at_index(
            index, self._label(name))

    @on(OptionList.OptionHighlighted, "#template-list")
    def _template_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        target = event.option.id
        if target is None or target == self.current:
            return
        leaving = self.current
        if leaving is None or not self.modified(leaving):
            self.open_template(target)
            return

        def answered(choice: str | None) -> None:
            if choice == "save":
                self.action_save()
            elif choice == "discard":
                self._discard(leaving)
            if choice in ("save", "discard"):
                self.open_template(target)
            else:  # cancel: stay on the template being edited
                listing = self.query_one("#template-list", OptionList)
                listing.highlighted = list(self.files).index(leaving)

        self.app.push_screen(UnsavedModal(f"open {Path(target).name}", [leaving]), answered)

    def _discard(self, name: str) -> None:
        """Forget the edits of ``name`` (and its undo history, which no longer applies)."""
        self.edited.pop(name, None)
        self.histories.pop(name, None)
        if name == self.current:
            editor = self.query_one("#editor", TemplateEditor)
            editor.load_text(self.files[name].source)
        self._relabel(name)

    @on(OptionList.OptionSelected, "#template-list")
    def _template_selected(self) -> None:
        self.action_focus_editor()

    def open_template(self, name: str) -> None:
        """Show ``name`` in the editor with its edits and undo history of this session.

        The parameter fields keep their values: the next check renders with exactly the
        values they show (:func:`field_values`)."""
        editor = self.query_one("#editor", TemplateEditor)
        if self.current is not None:
            self.edited[self.current] = editor.text
            self.histories[self.current] = editor.history
        self.current = name
        editor.history = fresh_history()  # load_text clears the history it finds
        editor.load_text(self.edited.get(name, self.files[name].source))
        editor.history = self.histories.get(name) or fresh_history()
        editor.border_title = name
        self._schedule()

    # -- live lint and preview -------------------------------------------------------------

    @on(TemplateEditor.Changed, "#editor")
    def _edited(self) -> None:
        if self.current is not None:
            self.edited[self.current] = self.query_one("#editor", TemplateEditor).text
            self._relabel(self.current)
        self._schedule()

    @on(ParamsForm.Changed)
    def _params_changed(self) -> None:
        self._schedule()

    @on(Select.Changed, "#preview-sample")
    def _sample_changed(self, event: Select.Changed) -> None:
        self.preview_sample = next((s for s in self.samples if s.id == event.value), None)
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(LINT_DELAY, self._check_now)

    def _check_now(self) -> None:
        if self.current is None:
            return
        self._generation += 1
        self.check(self._generation, self.current,
                   self.query_one("#editor", TemplateEditor).text, self.preview_sample,
                   dict(self.query_one("#params", ParamsForm).values))

    @work(thread=True, exclusive=True, exit_on_error=False, group="lint")
    def check(self, generation: int, name: str, source: str, sample: Sample | None,
              values: dict[str, Any]) -> None:
        from framing.drilldown import lint_source, render_preview
        from framing.propose.review import review
        from framing.templates import SampleView

        result = lint_source(source, name, self.files[name].path)
        preview = None
        shown = values
        about = None
        if result.template is not None:
            shown = field_values(result.template.params, values)
            if sample is not None:
                preview = render_preview(result.template, sample, shown,
                                         images=self.config.target.images)
            view = None if sample is None else SampleView(
                sample.id, sample.text, self.config.target.images and sample.image is not None)
            about = review(result.template, self.config.template_root, view)
        self.post_message(Checked(generation, name, result, preview, shown, about))

    def on_checked(self, message: Checked) -> None:
        if message.generation != self._generation:
            return  # stale: the text changed since
        self.last = message
        lint = self.query_one("#lint", Static)
        result = message.result
        if result.error is not None:
            where = f"line {result.line}: " if result.line else ""
            lint.update(Text(f"✗ {where}{result.error.reason}", style="bold"))
            lint.set_class(True, "lint-error")
            lint.set_class(False, "lint-ok")
            self.query_one("#preview-scroll").border_subtitle = "last version that linted"
            return
        assert result.template is not None
        t = result.template
        lint.update(Text(f"✓ lints clean · {plural(len(t.params), 'param')} · "
                             f"{plural(t.size, 'framing')}"))
        lint.set_class(False, "lint-error")
        lint.set_class(True, "lint-ok")
        self.query_one("#params", ParamsForm).show(t.params, message.values)
        shown = _preview_text(message.preview)
        if message.review is not None:
            shown = Group(_review_text(message.review), shown)
        self.query_one("#preview", Static).update(shown)
        self.query_one("#preview-scroll").border_subtitle = ""

    # -- samples for the preview ---------------------------------------------------------

    def watch_samples(self, samples: tuple[Sample, ...]) -> None:
        if not self.ready or not samples:
            return
        by_pattern: dict[str, Sample] = {}
        for s in samples:
            by_pattern.setdefault(s.pattern, s)
        picks = sorted(by_pattern.values(), key=lambda s: (s.joint_grade.value, s.pattern))
        select = self.query_one("#preview-sample", Select)
        select.set_options([(f"{s.id} {abbrev(s.pattern)}", s.id) for s in picks])
        select.value = picks[0].id

    # -- save, new ----------------------------------------------------------------------------

    def _read_only(self) -> bool:
        from framing.drilldown import is_builtin

        if is_builtin(self.config):
            self.notify("the built-in demo's templates are read-only: run `framing init DIR`, "
                        "then `framing tui studies/demo.toml` inside DIR to edit them",
                        severity="warning", timeout=8)
            return True
        return False

    def action_save(self) -> None:
        if self.current is None or self._read_only():
            return
        self.save(self.current, self.files[self.current].path,
                  self.query_one("#editor", TemplateEditor).text, create=False)

    def action_revert(self) -> None:
        """Put the saved file back in the editor, as one edit that ctrl+z undoes."""
        if self.current is None:
            return
        editor = self.query_one("#editor", TemplateEditor)
        saved = self.files[self.current].source
        if editor.text == saved:
            self.notify(f"{Path(self.current).name} has no unsaved changes to revert")
            return
        editor.replace(saved, editor.document.start, editor.document.end)
        self.notify(f"reverted {Path(self.current).name} to the saved file (ctrl+z undoes)")

    def save_all_then_quit(self) -> None:
        """Write every unsaved template, then quit (a failure keeps the app open)."""
        if self._read_only():
            return
        self.save_all([(n, self.files[n].path, self.edited[n]) for n in self.unsaved()])

    def action_new(self) -> None:
        if self.current is None or self._read_only():
            return
        current = Path(self.current)
        suggestion = str(current.with_name(f"{current.stem}-2{current.suffix or '.j2'}"))

        def created(name: str | None) -> None:
            if name:
                source = self.query_one("#editor", TemplateEditor).text
                path = Path(name) if Path(name).is_absolute() \
                    else self.config.template_root / name
                self.save(name, path, source, create=True)

        self.app.push_screen(NameModal("New template from this one (path)", suggestion),
                             created)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save(self, name: str, path: Path, source: str, *, create: bool) -> None:
        from framing.errors import ConfigError

        if not name.endswith(".j2"):
            raise ConfigError(f"{name}: a template file name ends in .j2")
        if create and path.exists():
            raise ConfigError(f"{name}: already exists; choose another name")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        self.post_message(Saved(name, path, source))

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save_all(self, items: list[tuple[str, Path, str]]) -> None:
        for name, path, source in items:
            path.write_text(source, encoding="utf-8")
            self.post_message(Saved(name, path, source))
        self.post_message(AllSaved())

    def on_all_saved(self) -> None:
        self.app.exit()

    def on_saved(self, message: Saved) -> None:
        known = message.name in self.files
        self.files[message.name] = TemplateFile(message.name, message.path, message.source)
        if message.name != self.current:
            self.edited.pop(message.name, None)
        ok = self.last is not None and self.last.result.ok
        note = "" if ok else " (it does not lint yet: a study will refuse it)"
        self.notify(f"saved {message.name}{note}", severity="information" if ok else "warning")
        if known:
            self._relabel(message.name)
        else:
            self.load_templates(select=message.name)

    # -- reviewing proposals ---------------------------------------------------------------

    def action_accept(self) -> None:
        self._review("accept")

    def action_reject(self) -> None:
        self._review("reject")

    def _review(self, verdict: str) -> None:
        name = self.current
        if name is None or self._read_only():
            return
        if name not in self.proposals:
            self.notify(f"{Path(name).name} is not a proposal (framing propose writes them "
                        f"under {self.config.propose.folder})", severity="warning")
            return
        if self.modified(name):
            self.notify("save or revert your edits to this proposal first", severity="warning")
            return
        self.move_proposal(name, verdict)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def move_proposal(self, name: str, verdict: str) -> None:
        from framing.propose.review import accept, reject

        new = accept(self.config, name) if verdict == "accept" else reject(self.config, name)
        self.post_message(Reviewed(name, new, verdict))

    def on_reviewed(self, message: Reviewed) -> None:
        self.files.pop(message.old, None)
        self.edited.pop(message.old, None)
        self.histories.pop(message.old, None)
        if self.current == message.old:
            self.current = None
        if message.verdict == "accept":
            where = "it stays in the study's space" if message.new == message.old \
                else f"moved to {message.new}, in the study's space"
            self.notify(f"accepted {Path(message.old).name}: {where}")
            self.load_templates(select=message.new if message.new != message.old else None)
        else:
            self.notify(f"rejected {Path(message.old).name}: moved to {message.new}, out of "
                        "the study's space")
            self.load_templates()

    # set_focus, not focus(): focus() is deferred, and keys typed right after the
    # shortcut would still go to the widget that had it
    def action_focus_list(self) -> None:
        self.set_focus(self.query_one("#template-list", OptionList))

    def action_focus_editor(self) -> None:
        self.set_focus(self.query_one("#editor", TemplateEditor))


def _review_text(about: Review) -> Text:
    """A proposal's provenance and its diff against the parent (green +, red -)."""
    text = Text(about.provenance + "\n", style="bold")
    if about.problem:
        text.append(about.problem + "\n", style="yellow")
    for line in about.diff:
        style = "green" if line.startswith("+") and not line.startswith("+++") else \
            "red" if line.startswith("-") and not line.startswith("---") else "dim"
        text.append(line + "\n", style=style)
    text.append("ctrl+g accept · ctrl+o reject\n", style="dim")
    return text


def _preview_text(preview: Preview | None) -> Text | Group:
    if preview is None:
        return Text("choose a sample to preview", style="dim")
    if preview.error is not None or preview.messages is None:
        return Text(f"✗ {preview.error}", style="bold")
    m = preview.messages
    out = Text()
    out.append("system\n", style="bold underline")
    out.append((m.system or "(empty)") + "\n\n")
    out.append("user", style="bold underline")
    if preview.image:
        out.append(" + image", style="dim")
    out.append("\n" + m.user + "\n")
    return out
