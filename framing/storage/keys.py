"""Names of the attributes framing stores on Optuna trials and studies.

They are the stored contract between the write path (``framing search`` and its
workers) and the readers (points, the assessment, the report, ``framing studies``):
every key lives here so the two sides cannot drift apart.
"""

from __future__ import annotations

# -- trial user attributes: what a trial evaluated and what it cost -----------------------

ATTR_TEMPLATE = "template"
#: the content version of the template a trial ran (framing.templates.source_version);
#: trials stored before versions existed have none (framing.versions.trial_version)
ATTR_TEMPLATE_VERSION = "template_version"
ATTR_PARAMS = "params"
ATTR_TALLY = "tally"
ATTR_CALLS = "calls"
ATTR_CACHE_HITS = "cache_hits"
ATTR_COST = "cost"
ATTR_TOKENS = "tokens"
ATTR_BASELINE = "baseline"
ATTR_STOPPED_EARLY = "stopped_early"
#: racing: the frontier trial that confidently dominated a stopped trial, and the number
#: of samples the trial would have had in full
ATTR_STOPPED_BY = "stopped_by"
ATTR_SAMPLES_PLANNED = "samples_planned"
#: hypervolume (reference point (1, 1)) of the study's frontier once this trial finished
ATTR_HYPERVOLUME = "hypervolume"
#: constraint values (95% upper bound minus the limit; <= 0 meets it), also told to Optuna
ATTR_CONSTRAINTS = "constraints"
#: set on a trial whose framing an earlier trial already evaluated (it cost no call)
ATTR_DUPLICATE_OF = "duplicate_of"
#: judging: a model judge's calls and tokens, classify mode's extra metrics
ATTR_JUDGE = "judge"
ATTR_CLASSIFY = "classify"

# -- trial user attributes: who ran a trial and how (framing.search.workers) ---------------------

ATTR_WORKER = "worker"
ATTR_OVER_BUDGET = "over_budget"
ATTR_SKIPPED_FOR = "skipped_for"
ATTR_RETRY_OF = "retry_of"
ATTR_RETRIES = "retries"
#: calls of a trial that another worker also paid for (both asked before either stored)
ATTR_CACHE_RACES = "cache_races"

# -- study user attributes ------------------------------------------------------------------

#: one entry per run of ``run_search`` (framing version, sampler, seed, wall time...)
STUDY_ATTR_RUNS = "runs"
#: before template versions: the source text of each template by name (the latest run's;
#: still read for the trials of studies stored then)
STUDY_ATTR_TEMPLATE_SOURCES = "template_sources"
#: prefix of one study attribute per template version: ``template_source:NAME@VERSION``
#: holds that version's source text (framing.versions)
STUDY_ATTR_SOURCE_PREFIX = "template_source:"
#: the ``--trials`` the last started worker was asked for
STUDY_ATTR_TRIALS_PLANNED = "trials_planned"

# -- framing_results splits -------------------------------------------------------------

#: the per-sample results of the search itself
SEARCH_SPLIT = "search"
#: hold-out re-evaluations of frontier trials, stored under the search trial's number
HOLDOUT_SPLIT = "holdout"

#: the study's two objectives, in Optuna's order (optuna-dashboard labels its axes so)
OBJECTIVES = ("over_blocking", "under_refusal")
