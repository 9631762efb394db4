"""How the command line shows things: the two consoles (data to stdout, diagnostics to
stderr) and the tables, CSV and JSON of points, assessments, breakdowns, comparisons and
data summaries. Commands (:mod:`framing.cli.commands`) decide what to show; this module
only formats it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from framing.wording import plural

if TYPE_CHECKING:
    import optuna

    from framing.assessment import Assessment
    from framing.breakdown import Breakdown
    from framing.compare import TrialComparison
    from framing.data.download import DownloadProgress
    from framing.evaluate import JudgeTotals
    from framing.judging.calibration import Calibration
    from framing.points import Point
    from framing.propose.run import RoundResult
    from framing.search.holdout import ValidationResult
    from framing.stats import Rate
    from framing.study_progress import StudyProgress
    from framing.templates import Template
    from framing.versions import TemplateVersion

out = Console(highlight=False)
if not out.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
    # piped tables should not be squeezed into 80 columns (COLUMNS, when set, decides)
    out = Console(highlight=False, width=160)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_answer(assessment: Assessment, *, title: str) -> None:
    """What a search ends with: baseline → recommended on both rates (with intervals,
    the change and the paired test), then the frontier points only, in 100 columns."""
    from framing.answer import WIDTH, answer_lines, compact_frontier

    for line in answer_lines(assessment):
        out.print(escape(line), soft_wrap=True)
    compact = compact_frontier(assessment, title=title)
    if compact is not None:
        out.print(compact, width=WIDTH)
    out.print("full table, ties and hold-out: framing frontier", style="dim")


def print_assessment(points: Sequence[Point], assessment: Assessment, *, title: str,
                      holdout_split: bool = True) -> None:
    """The frontier table: point frontier and probably non-dominated set, ties, the
    constraint pick and hold-out estimates (a second line under each rate), then a
    legend. It fits 100 columns: the framing folds, a rate never wraps."""
    from framing.answer import short_rate

    holdout = any("holdout" in p.extra for p in points)
    table = Table(title=title, title_justify="left")
    table.add_column("trial", justify="right", no_wrap=True)
    table.add_column("framing", overflow="fold", min_width=20)
    table.add_column("over-blocking" + ("\n↳ hold-out" if holdout else ""), justify="right",
                     no_wrap=True)
    table.add_column("under-refusal" + ("\n↳ hold-out" if holdout else ""), justify="right",
                     no_wrap=True)
    table.add_column("tied with", overflow="fold", max_width=12)
    left_out = any(p.errors or _excluded(p) for p in points)
    if left_out:
        table.add_column("left out", no_wrap=True)
    for p in points:
        notes = (" (baseline)" if p.baseline else "") + \
            (" [bold]← pick[/]" if p.extra.get("constraint_pick") else "") + \
            (" [bold]★ recommended[/]" if p.extra.get("recommended") else "")
        h = p.extra.get("holdout")
        rates = [short_rate(p.over_blocking), short_rate(p.under_refusal)]
        if holdout:
            rates = [rate + "\n[dim]↳ " + _holdout_cell(h, key) + "[/]"
                     for rate, key in zip(rates, ("over_blocking", "under_refusal"),
                                          strict=True)]
        cells = [("● " if p.extra.get("on_frontier") else "○ ") + str(p.trial),
                 _cell_label(p.label) + notes, *rates,
                 ", ".join(map(str, p.extra.get("tied_with", []))) or "-"]
        if left_out:
            cells.append("\n".join(f"{n} {what}" for what, n in
                                    (("errors", p.errors), *_excluded(p)) if n) or "-")
        table.add_row(*cells)
    out.print(table)
    _print_judging(points)
    from framing.points import frontier_hypervolume

    pct = f"{100 * assessment.alpha:g}%"
    out.print(f"● point-estimate frontier (hypervolume "
              f"{frontier_hypervolume(assessment.frontier):.3f}, reference point (1, 1))   "
              f"○ probably non-dominated: no framing is lower on both rates with paired "
              f"significance (exact McNemar, {pct})")
    out.print("tied with: framings no paired test separates on either rate")
    if assessment.constraints.active:
        pick = assessment.pick
        what = escape(assessment.constraints.describe())
        if pick is None:
            out.print(f"constraint {what}: no full trial meets it yet")
        else:
            out.print(f"pick for {what}: trial {pick.trial} {escape(pick.label)} "
                      f"(over-blocking {pick.over_blocking}, under-refusal "
                      f"{pick.under_refusal})")
    rec = assessment.recommended
    if rec is not None:
        out.print(f"★ recommended: trial {rec.trial} {escape(rec.label)} "
                  f"({escape(assessment.rule)})")
    stopped = assessment.stopped_early
    if stopped:
        which = ", ".join(
            f"{p.trial} (n={p.over_blocking.n}+{p.under_refusal.n}, by trial "
            f"{p.extra.get('stopped_by', '?')})" for p in stopped[:12])
        more = f" and {len(stopped) - 12} more" if len(stopped) > 12 else ""
        out.print(f"stopped early by racing or screening (partial estimates, never "
                  f"on the frontier): trials {which}{more}")
    if holdout:
        sizes: dict[str, Any] = next((h for p in points if (h := p.extra.get("holdout"))), {})
        out.print(f"↳ hold-out: frontier framings re-evaluated on samples the search never "
                  f"saw ({sizes.get('n_borderline', '?')} borderline, "
                  f"{sizes.get('n_unsafe', '?')} unsafe; framing validate)")
    elif assessment.frontier and holdout_split:
        out.print("hold-out: not validated yet (framing validate)")


def _cell_label(label: str) -> str:
    """A framing's label for a narrow table cell: the template on its first line, its
    parameters after it, so a fold falls between parameters rather than inside a name."""
    template, sep, params = label.partition("(")
    return escape(template) + (f"\n{escape(sep + params)}" if sep else "")


def _holdout_cell(h: dict[str, Any] | None, key: str) -> str:
    if not h:
        return "not validated"
    value, (lo, hi) = h[key], h[f"{key}_ci"]
    if value is None:
        return "n/a"
    return f"{100 * value:.1f}% [{100 * lo:.1f}–{100 * hi:.1f}]"


def _excluded(p: Point) -> list[tuple[str, int]]:
    """The verdicts left out of a point's rates besides errors, where it has any."""
    return [(key, getattr(p, key, 0)) for key in ("undetermined", "truncated")
            if getattr(p, key, 0)]


def print_breakdowns(items: Sequence[Breakdown], fmt: str) -> None:
    """Per-group rates of each frontier framing (``frontier --by``)."""
    if fmt == "json":
        sys.stdout.write(json.dumps([b.to_json() for b in items], indent=2) + "\n")
        return
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(["trial", "template", "params", "by", "group", "over_blocking",
                         "ob_lo", "ob_hi", "n_borderline", "under_refusal", "ur_lo", "ur_hi",
                         "n_unsafe", "errors"])
        for b in items:
            for g in b.groups:
                writer.writerow([
                    b.point.trial, b.point.template, json.dumps(b.point.params), b.by, g.name,
                    *_rate_cells(g.over_blocking), g.over_blocking.n,
                    *_rate_cells(g.under_refusal), g.under_refusal.n, g.errors,
                ])
        return
    from framing.data.schema import CATEGORIES

    for b in items:
        mark = " (baseline)" if b.point.baseline else ""
        table = Table(title=f"trial {b.point.trial}  {escape(b.point.label)}{mark}\n"
                            f"all: over-blocking {b.point.over_blocking}, "
                            f"under-refusal {b.point.under_refusal}", title_justify="left")
        table.add_column(b.by, overflow="fold")
        table.add_column("over-blocking [95% CI]", justify="right", no_wrap=True)
        table.add_column("under-refusal [95% CI]", justify="right", no_wrap=True)
        table.add_column("errors", justify="right", no_wrap=True)
        for g in b.groups:
            label = f"{g.name} {CATEGORIES.get(g.name, '')}".strip()
            table.add_row(escape(label), str(g.over_blocking) if g.over_blocking.n else "-",
                          str(g.under_refusal) if g.under_refusal.n else "-", str(g.errors))
        out.print(table)


def _rate_cells(rate: Rate) -> list[str]:
    if not rate.n:
        return ["", "", ""]
    return [f"{rate.value:.4f}", *(f"{x:.4f}" for x in rate.ci)]


def print_points(points: Sequence[Point], fmt: str, *, title: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps([p.to_json() for p in points], indent=2) + "\n")
        return
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        assessed = any("probably_nondominated" in p.extra for p in points)
        writer.writerow(["trial", "template", "params", "over_blocking", "ob_lo", "ob_hi",
                         "under_refusal", "ur_lo", "ur_hi", "n_borderline", "n_unsafe",
                         "errors", *(_ASSESSMENT_CSV if assessed else [])])
        for p in points:
            writer.writerow([p.trial, p.template, json.dumps(p.params),
                             f"{p.over_blocking.value:.4f}", *(f"{x:.4f}" for x in
                                                               p.over_blocking.ci),
                             f"{p.under_refusal.value:.4f}", *(f"{x:.4f}" for x in
                                                               p.under_refusal.ci),
                             p.over_blocking.n, p.under_refusal.n, p.errors,
                             *(_assessment_cells(p.extra) if assessed else [])])
        return
    from framing.answer import short_rate

    table = Table(title=title, title_justify="left")
    table.add_column("trial", justify="right", no_wrap=True)
    table.add_column("framing", overflow="fold", min_width=20)
    table.add_column("over-blocking", justify="right", no_wrap=True)
    table.add_column("under-refusal", justify="right", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("errors", justify="right", no_wrap=True)
    excluded = _excluded_columns(points)
    for _, heading in excluded:
        table.add_column(heading, justify="right", no_wrap=True)
    for p in points:
        mark = " (baseline)" if p.baseline else ""
        table.add_row(str(p.trial), _cell_label(p.label) + mark, short_rate(p.over_blocking),
                      short_rate(p.under_refusal),
                      f"{p.over_blocking.n}+{p.under_refusal.n}", str(p.errors),
                      *(str(getattr(p, key)) for key, _ in excluded))
    out.print(table)
    out.print("rates with 95% Wilson intervals; n: borderline + unsafe samples", style="dim")
    _print_judging(points)


def _excluded_columns(points: Sequence[Point]) -> list[tuple[str, str]]:
    """Columns for the verdicts left out of the rates besides errors (``undetermined``,
    ``truncated``), shown when some point has any, so a table stays narrow otherwise."""
    return [(key, key) for key in ("undetermined", "truncated")
            if any(getattr(p, key, 0) for p in points)]


#: CSV columns added by the frontier's assessment (framing.compare.assess_study)
_ASSESSMENT_CSV = ["on_frontier", "probably_nondominated", "tied_with", "constraint_pick",
                   "holdout_over_blocking", "holdout_ob_lo", "holdout_ob_hi",
                   "holdout_under_refusal", "holdout_ur_lo", "holdout_ur_hi",
                   "holdout_n_borderline", "holdout_n_unsafe", "recommended"]


def _assessment_cells(extra: dict[str, Any]) -> list[Any]:
    h = extra.get("holdout")
    rates: list[Any] = [""] * 8
    if h:
        rates = [*(_fraction(h["over_blocking"]), *(f"{x:.4f}" for x in
                                                    h["over_blocking_ci"])),
                 *(_fraction(h["under_refusal"]), *(f"{x:.4f}" for x in
                                                    h["under_refusal_ci"])),
                 h["n_borderline"], h["n_unsafe"]]
    pick = extra.get("constraint_pick")
    return [str(extra.get("on_frontier", False)).lower(),
            str(extra.get("probably_nondominated", False)).lower(),
            " ".join(map(str, extra.get("tied_with", []))),
            "" if pick is None else str(pick).lower(), *rates,
            str(extra.get("recommended", False)).lower()]


def _fraction(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}"


#: extra point keys shown as table columns when the points have them (judging)
_EXTRA_COLUMNS = (
    ("over_blocking_corrected", "over-blocking corrected [95% CI]"),
    ("under_refusal_corrected", "under-refusal corrected [95% CI]"),
    ("joint_accuracy", "joint accuracy [95% CI]"),
    ("compositional_error_share", "compositional error share [95% CI]"),
)


def _print_judging(points: Sequence[Point]) -> None:
    """A second, narrow table of the judging keys the points have (corrected rates,
    classify metrics), so the frontier table keeps its width."""
    extras = [(k, t) for k, t in _EXTRA_COLUMNS if any(k in p.extra for p in points)]
    if not extras:
        return
    table = Table(title="Judging", title_justify="left")
    table.add_column("trial", justify="right", no_wrap=True)
    for _, heading in extras:
        table.add_column(heading, justify="right", no_wrap=True)
    for p in points:
        table.add_row(str(p.trial),
                      *(share(p.extra.get(k), p.extra.get(f"{k}_ci")) for k, _ in extras))
    out.print(table)


def share(value: float | None, ci: Sequence[float] | None) -> str:
    if value is None:
        return "n/a"
    bounds = f" [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]" if ci else ""
    return f"{100 * value:.1f}%{bounds}"


def print_comparison(result: TrialComparison, opt: optuna.Study, limit: int) -> None:
    """``framing compare``: which framing is lower on each rate (one wording, shared with
    the report and the TUI), the paired counts, then the disagreements of each kind —
    missed harm on unsafe samples first — each with its own count and ``limit``."""
    from framing.answer import short_rate
    from framing.compare import DISAGREEMENT_KINDS, lower_text
    from framing.points import ATTR_PARAMS, ATTR_TEMPLATE, study_points

    trials = {t.number: t for t in opt.get_trials(deepcopy=False)}
    points = {p.trial: p for p in study_points(opt)}  # labels name coexisting versions

    def label(n: int) -> str:
        if n in points:
            return points[n].label
        attrs = trials[n].user_attrs
        params = ", ".join(f"{k}={v}" for k, v in attrs.get(ATTR_PARAMS, {}).items())
        return f"{attrs.get(ATTR_TEMPLATE, '?')}({params})" if params else \
            str(attrs.get(ATTR_TEMPLATE, "?"))

    out.print(f"A  trial {result.trial_a}  {escape(label(result.trial_a))}")
    out.print(f"B  trial {result.trial_b}  {escape(label(result.trial_b))}")
    names = list(DISAGREEMENT_KINDS)
    for name in names:
        out.print(f"{name.replace('_', '-')}: "
                  f"{lower_text(result.objectives[name], alpha=result.alpha)}")
    table = Table(title="paired on shared samples (exact McNemar, two-sided)",
                  title_justify="left")
    for col in ("rate", "n", "A [95% CI]", "B [95% CI]", "only A", "only B", "p"):
        table.add_column(col, justify="left" if col == "rate" else "right", no_wrap=True)
    for name in names:
        cmp = result.objectives[name]
        table.add_row(name.replace("_", "-"), str(cmp.n), short_rate(cmp.rate_a),
                      short_rate(cmp.rate_b), str(cmp.b), str(cmp.c), f"{cmp.p_value:.3g}")
    out.print(table)
    out.print("only A / only B: samples on which just that framing refused a borderline "
              "request or answered an unsafe one", style="dim")
    if not result.disagreements:
        out.print("no disagreements: the two framings land on the same side of both rates "
                  "on every shared sample")
        return
    for name, kind in DISAGREEMENT_KINDS.items():
        _print_disagreements(kind, result.disagreeing(name), limit,
                             subset="unsafe" if name == "under_refusal" else "borderline")


def _print_disagreements(kind: str, items: Sequence[Any], limit: int, *, subset: str) -> None:
    if not items:
        out.print(f"{kind}: no disagreements")
        return
    shown = items[:limit]
    more = len(items) - len(shown)
    rest = f"; {more:,} more on {subset}: --limit {len(items)}" if more else ""
    # the heading is a line of its own: a table title would wrap to the table's width
    out.print(f"{kind}: {plural(len(items), 'disagreement')} ({len(shown):,} shown{rest})")
    if not shown:
        return
    table = Table()
    # ids and verdicts keep their width; the request text is cut to what is left
    for title, values in (("sample", [d.sample_id for d in shown]),
                          ("A", [d.verdict_a for d in shown]),
                          ("B", [d.verdict_b for d in shown])):
        table.add_column(title, no_wrap=True, min_width=max(map(len, values), default=1))
    table.add_column("request", no_wrap=True, overflow="ellipsis")
    for d in shown:
        text = d.text if len(d.text) <= 70 else d.text[:69] + "…"
        table.add_row(escape(d.sample_id), d.verdict_a, d.verdict_b, escape(text))
    out.print(table)


def print_summary(summary: dict[str, Any]) -> None:
    from framing.data.schema import CATEGORIES

    out.print(f"[bold]{summary['total']}[/] samples")
    for key, title in (("subsets", "joint grade"), ("patterns", "pattern"),
                       ("categories", "category")):
        table = Table(title=title, title_justify="left")
        table.add_column(title)
        table.add_column("count", justify="right")
        for name, count in summary[key].items():
            label = f"{name} {CATEGORIES.get(name, '')}".strip()
            table.add_row(label, str(count))
        out.print(table)
    images = summary.get("images")
    if images:
        out.print(f"images: {images['ok']} ok, {images['broken']} broken, "
                  f"{images['missing']} missing ({images['broken'] + images['missing']} "
                  "samples without an image are left out of image studies)")


class DownloadBar:
    """A progress bar on stderr while images download (only on a terminal)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> DownloadBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, p: DownloadProgress) -> None:
        if not self.console.is_terminal or p.done == p.total:
            if self._progress is not None:
                self._progress.update(self._task, completed=p.done,
                                      info=f"ok {p.ok}  broken {p.broken}")
            return
        if self._progress is None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(TextColumn("images"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("{task.fields[info]}"), TimeRemainingColumn(),
                                      console=self.console)
            self._progress.start()
            self._task = self._progress.add_task("images", total=p.total, info="")
        self._progress.update(self._task, completed=p.done,
                              info=f"ok {p.ok}  broken {p.broken}  new {p.downloaded}")


def judge_usage_note(usage: JudgeTotals) -> None:
    if usage.calls or usage.cache_hits:
        err.print(f"judge calls: {usage.calls} new, {usage.cache_hits} from cache"
                  + (f", cost ${usage.cost:.4f}" if usage.cost else ""))


def print_holdout_checks(result: ValidationResult) -> None:
    """``framing validate``: search and hold-out estimates side by side."""
    table = Table(title=f"Hold-out check of study '{result.study}' "
                        f"({result.n_holdout} samples the search never saw)",
                  title_justify="left")
    from framing.answer import short_rate

    def both(search: Rate, held: Rate) -> str:
        return f"{short_rate(search)} n={search.n}\n[dim]↳ {short_rate(held)} n={held.n}[/]"

    table.add_column("trial", justify="right", no_wrap=True)
    table.add_column("framing", overflow="fold", min_width=20)
    table.add_column("over-blocking\n↳ hold-out", justify="right", no_wrap=True)
    table.add_column("under-refusal\n↳ hold-out", justify="right", no_wrap=True)
    for c in result.checks:
        table.add_row(str(c.search.trial), _cell_label(c.search.label),
                      both(c.search.over_blocking, c.holdout.over_blocking),
                      both(c.search.under_refusal, c.holdout.under_refusal))
    out.print(table)
    out.print("first line: the search estimate; ↳ the hold-out estimate (95% Wilson "
              "intervals)", style="dim")


def print_proposals(result: RoundResult, fmt: str) -> None:
    """``framing propose``: the candidates written and the proposals dropped (with why)."""
    parent = result.parent
    label = parent.template + (f"({', '.join(f'{k}={v}' for k, v in parent.params.items())})"
                               if parent.params else "")
    if fmt == "json":
        sys.stdout.write(json.dumps({
            "parent": {"trial": parent.trial, "template": parent.template,
                       "params": parent.params},
            "round": result.round,
            "failures": [f.sample_id for f in result.failures],
            "kept": [{"path": c.name, "operator": c.provenance["operator"],
                      "direction": c.provenance["direction"]} for c in result.kept],
            "dropped": [{"operator": d.operator, "reason": d.reason} for d in result.dropped],
            "calls": result.spend.calls, "cache_hits": result.spend.cache_hits,
            "cost": result.spend.cost,
        }, indent=2) + "\n")
        return
    err.print(escape(f"round {result.round} from trial {parent.trial} {label}: "
                     f"{plural(len(result.failures), 'failure')} shown"))
    table = Table(title=f"Proposed framings ({len(result.kept)} kept)", title_justify="left")
    for col in ("template", "operator", "direction"):
        table.add_column(col)
    for c in result.kept:
        table.add_row(escape(c.name), escape(str(c.provenance["operator"])),
                      escape(str(c.provenance["direction"])))
    out.print(table)
    for d in result.dropped:
        err.print(escape(f"dropped ({d.operator}): {d.reason}"))
    if result.spend.calls or result.spend.cache_hits:
        err.print(f"proposer: {plural(result.spend.calls, 'call')}, "
                  f"{result.spend.cache_hits} from cache"
                  + (f", cost ${result.spend.cost:.4f}" if result.spend.cost else ""))
    if result.kept:
        err.print("next: review them (framing tui, Framings screen), then evaluate them "
                  "with framing search --propose, or add their folder to \\[search] templates")


def print_templates(templates: Sequence[Template]) -> None:
    """``framing templates list``: each template's parameters and number of framings."""
    table = Table()
    for col in ("template", "parameters", "framings", "description"):
        table.add_column(col, overflow="fold", justify="right" if col == "framings" else "left")
    for t in templates:
        params = ", ".join(f"{p.name}:{p.kind}" for p in t.params) or "-"
        table.add_row(escape(t.name), escape(params), str(t.size), escape(t.description))
    out.print(table)
    out.print(f"{plural(len(templates), 'template')}, "
              f"{plural(sum(t.size for t in templates), 'framing')} "
              "(floats counted on a 5-point grid)")


def print_template_versions(study: str, versions: Sequence[TemplateVersion]) -> None:
    """``framing templates list --study``: each template version the study ran."""
    table = Table(title=f"Template versions in study '{study}'")
    for col in ("template@version", "trials", "now"):
        table.add_column(col, justify="right" if col == "trials" else "left")
    for v in versions:
        now = {True: "the file's text", False: "edited or removed since", None: ""}[v.current]
        table.add_row(escape(v.label), f"{v.trials:,}", now)
    out.print(table)


def print_calibration(cal: Calibration, correct: int, n: int) -> None:
    """``framing judge calibrate``: sensitivity and specificity per subset."""
    table = Table(title=f"Calibration of the {cal.judge_kind} judge for study "
                  f"'{escape(cal.study)}' ({escape(cal.labels)})", title_justify="left")
    for col in ("subset", "sensitivity [95% CI]", "specificity [95% CI]", "undetermined"):
        table.add_column(col, justify="left" if col == "subset" else "right")
    for s in cal.subsets.values():
        table.add_row(s.subset, str(s.sensitivity), str(s.specificity), str(s.undetermined))
    out.print(table)
    out.print(f"accuracy on these labels: {correct}/{n}")


def print_studies(found: Sequence[StudyProgress], where: str) -> None:
    """``framing studies``: each study's progress, all workers together."""
    table = Table(title=f"Studies in {escape(where)}", title_justify="left")
    for col in ("study", "trials", "running", "failed", "calls", "races", "frontier",
                "workers", "last activity"):
        table.add_column(col, justify="left" if col in ("study", "workers") else "right")
    for s in found:
        done = f"{s.complete}/{s.planned}" if s.planned is not None else str(s.complete)
        last = s.last_activity.strftime("%Y-%m-%d %H:%M:%S") if s.last_activity else "-"
        table.add_row(escape(s.name), done, str(s.running), str(s.failed), f"{s.calls:,}",
                      str(s.races), str(s.frontier), escape(", ".join(s.workers) or "-"),
                      last)
    out.print(table)
