"""Study file models (DESIGN §9) and ``--set key.path=value`` overrides.

Validation happens here, at the edge: unknown keys, wrong types and impossible values
become one :class:`ConfigError` that names the file and the key path.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from framing.errors import ConfigError
from framing.storage import secrets
from framing.storage.url import check_url

DEFAULT_STORAGE = "sqlite:///studies/framing.db"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetConfig(_Model):
    """A model endpoint. Secrets are never stored here: only the *name* of the variable."""

    kind: Literal["sim", "openai", "anthropic", "gemini"] = "sim"
    model: str = "sim-vlm"
    base_url: str | None = None
    api_key_env: str | None = None
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(256, ge=1)
    concurrency: int = Field(16, ge=1, le=1024)
    requests_per_minute: float | None = Field(None, gt=0)
    tokens_per_minute: float | None = Field(None, gt=0)
    images: bool = True
    #: optional image preparation before sending (the sent bytes are what is cached)
    image_max_side: int | None = Field(None, ge=16, le=8192)
    image_format: Literal["png", "jpeg", "webp"] | None = None
    #: extra HTTP headers; a value "$NAME" or "${NAME}" is read from that environment
    #: variable (put secrets there: the study file's values are stored with the study)
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(60.0, gt=0)
    max_retries: int = Field(5, ge=0, le=20)
    #: seconds one call may spend waiting out an overloaded provider (529, 503) before
    #: its sample is an error
    max_overload_wait: float = Field(600.0, gt=0)
    #: how hard a reasoning model thinks (openai: ``reasoning_effort``; gemini: a thinking
    #: budget / level); its thinking counts against ``max_tokens``
    reasoning_effort: Literal["minimal", "low", "medium", "high"] | None = None
    #: USD per million tokens; cost is reported only when both are known
    price_input: float | None = Field(None, ge=0)
    price_output: float | None = Field(None, ge=0)
    #: sim only: simulated seconds per call and the simulator's seed
    latency: float = Field(0.0, ge=0.0)
    seed: int = 0

    @model_validator(mode="after")
    def _provider_ranges(self) -> TargetConfig:
        if self.kind == "anthropic" and self.temperature > 1.0:
            raise ValueError(f"temperature = {self.temperature:g}: Anthropic accepts 0 to 1; "
                             "set target.temperature to at most 1")
        if self.reasoning_effort is not None and self.kind not in ("openai", "gemini"):
            raise ValueError(f"reasoning_effort is for openai and gemini targets, not "
                             f"kind = {self.kind!r}; remove target.reasoning_effort")
        return self

    @field_validator("headers")
    @classmethod
    def _no_literal_credentials(cls, headers: dict[str, str]) -> dict[str, str]:
        # the study file is stored with the study: a credential must stay in the environment
        if literal := secrets.literal_credentials(headers):
            name = literal[0]
            raise ValueError(f"{name} holds a literal credential, which would be stored with "
                             f"the study; put it in an environment variable and write "
                             f"{name} = \"$NAME\" (e.g. \"$MY_API_KEY\")")
        return headers


class DataConfig(_Model):
    source: str = "demo"
    borderline: int = Field(120, ge=0)
    unsafe: int = Field(120, ge=0)
    safe: int = Field(0, ge=0)
    holdout: float = Field(0.3, ge=0.0, lt=1.0)
    seed: int = 0
    #: csv/jsonl sources: canonical field -> column name in the file
    columns: dict[str, str] = Field(default_factory=dict)
    #: csv/jsonl sources: the file's grade words -> framing's, e.g. {safe = "borderline"}
    grade_map: dict[str, Literal["safe", "borderline", "unsafe", "not_sure"]] = Field(
        default_factory=dict)
    #: csv/jsonl sources without a joint-grade column: the one grade of every row
    grade: Literal["safe", "borderline", "unsafe"] | None = None
    categories: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    compositional_only: bool = False
    #: strata of the per-trial sample and the hold-out split, within each subset
    stratify: Literal["pattern", "pattern+category"] = "pattern"

    @model_validator(mode="after")
    def _some_samples(self) -> DataConfig:
        if self.borderline == 0 and self.unsafe == 0:
            raise ValueError("at least one of borderline or unsafe must be > 0")
        return self


class SecondJudgeConfig(_Model):
    """A second judge (``[judge.compare]``): its verdicts on the study's stored responses
    are kept beside the study judge's, for agreement and a frontier under it."""

    kind: Literal["rules", "model"] = "rules"
    target: TargetConfig | None = None
    rules: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _model_needs_target(self) -> SecondJudgeConfig:
        _check_judge_target(self.kind, self.target, "[judge.compare.target]")
        return self


class JudgeConfig(_Model):
    kind: Literal["rules", "model"] = "rules"
    target: TargetConfig | None = None
    #: extra phrases for the rules judge, same shape as the bundled rule set
    rules: dict[str, Any] = Field(default_factory=dict)
    #: a second judge to compare with (not part of the study's identity: it may be added
    #: to a stored study)
    compare: SecondJudgeConfig | None = None
    #: the rules judge's trained second stage (framing/judging/trained.json; on by
    #: default: better on text it was not fitted to, by the cross-set measure of
    #: scripts/fit_judge.py). ``false``: the rules alone. Ignored when ``rules`` extends
    #: the rule set.
    trained: bool = True

    @model_validator(mode="after")
    def _model_needs_target(self) -> JudgeConfig:
        _check_judge_target(self.kind, self.target, "[judge.target]")
        return self


def _check_judge_target(kind: str, target: TargetConfig | None, table: str) -> None:
    if kind == "model" and target is None:
        raise ValueError(f"kind = 'model' needs a {table} table")
    if kind == "model" and target is not None and target.kind == "sim":
        raise ValueError(f"target.kind = 'sim': the simulated target cannot judge; "
                         f"give {table} a real kind (openai, anthropic or gemini)")


class ClassifyConfig(_Model):
    """Classify mode (``mode = "classify"``): the model labels each pair."""

    #: also ask for the image-only and the text-only label of every sample (two more
    #: calls per sample, cached like any call), for the compositional-error share
    modalities: bool = False


class SearchConfig(_Model):
    templates: list[str] = Field(default_factory=lambda: ["prompts/*.j2"])
    baselines: list[str] = Field(default_factory=lambda: ["prompts/baseline.j2"])
    #: what proposes the next framing: Optuna's TPE, NSGA-II or random sampler, the
    #: grid (every framing in a seeded order), or ``additive`` (a model of the rates as
    #: sums of per-template and per-parameter-value effects, framing.search.additive)
    sampler: Literal["tpe", "nsga2", "random", "grid", "additive"] = "additive"
    trials: int = Field(40, ge=1)
    seed: int = 0
    #: constraints: the study's pick is the framing with the lowest other rate whose 95%
    #: upper bound meets them; samplers are told them as Optuna constraints
    max_under_refusal: float | None = Field(None, gt=0.0, le=1.0)
    max_over_blocking: float | None = Field(None, gt=0.0, le=1.0)
    max_cost: float | None = Field(None, gt=0.0)
    #: racing: evaluate a trial in batches of ``racing_batch`` samples per subset (default:
    #: a fifth of the largest subset, at least 20) and stop it once it is confidently
    #: dominated by the current frontier (see framing.search.racing)
    racing: bool = True
    racing_batch: int | None = Field(None, ge=1)
    racing_confidence: float = Field(0.95, ge=0.5, lt=1.0)
    #: screening: a new framing first answers ``screening_batch`` samples per subset; it
    #: stops once, paired against a frontier point, it cannot beat that point by more
    #: than ``screening_margin`` (log-odds) on either rate, each of the two one-sided
    #: bounds at level ``screening_risk / 2`` (framing.search.screening states what it may
    #: wrongly drop and how likely that is); survivors get the full sample
    screening: bool = True
    screening_batch: int = Field(12, ge=1)
    screening_margin: float = Field(0.0, ge=0.0, le=5.0)
    screening_risk: float = Field(0.1, gt=0.0, lt=1.0)
    #: after the first look, a screened trial asks the samples the most frontier points
    #: got wrong first and stops by a certain bound (``difficulty``,
    #: framing.search.difficulty), or those its focus point got wrong first and stops
    #: by a statistical bound (``focus``, framing.search.screening)
    screening_order: Literal["difficulty", "focus"] = "difficulty"
    #: re-evaluate the frontier on the hold-out split at the end of a search
    holdout_check: bool = True


class ProposeConfig(_Model):
    """``[propose]``: writing new framings from the frontier's failures (framing.propose)."""

    #: edit: offline sentence edits of the study's own templates; model: [propose.target]
    #: rewrites the prompt
    proposer: Literal["edit", "model"] = "edit"
    #: rounds of proposals after the search's trials (framing search --propose N)
    rounds: int = Field(0, ge=0, le=100)
    #: candidates written per parent framing per round
    candidates: int = Field(6, ge=1, le=100)
    #: frontier framings proposed from per round (the loop; framing propose uses one)
    parents: int = Field(3, ge=1, le=50)
    #: failures of each kind (over-blocked, missed harm) shown per parent
    failures: int = Field(6, ge=0, le=50)
    seed: int = 0
    #: where candidates are written, relative to the study's template root
    folder: str = "prompts/proposed"
    #: the model proposer's target (same keys as [target])
    target: TargetConfig | None = None

    @model_validator(mode="after")
    def _model_needs_target(self) -> ProposeConfig:
        if self.proposer == "model" and self.target is None:
            raise ValueError("proposer = 'model' needs a [propose.target] table")
        if self.target is not None and self.target.kind == "sim":
            raise ValueError("target.kind = 'sim': the simulated target cannot write prompts; "
                             "give [propose.target] a real kind (openai, anthropic or gemini)")
        return self


class StorageConfig(_Model):
    """Where the study lives, and how workers sharing it notice a dead one."""

    url: str = DEFAULT_STORAGE
    #: seconds between the heartbeats of a running trial
    heartbeat: int = Field(10, ge=1)
    #: seconds without a heartbeat after which another worker fails the trial and re-runs it
    grace: int = Field(60, ge=2)
    #: seconds a search waits for an unreachable database (retrying) before it saves the
    #: unstored answers to a local recovery file and stops
    outage: float = Field(120.0, gt=0)

    @field_validator("url")
    @classmethod
    def _database_url(cls, url: str) -> str:

        try:
            return check_url(url)
        except ConfigError as e:
            raise ValueError(str(e).removeprefix("storage.url: ")) from None

    @model_validator(mode="after")
    def _grace_after_heartbeat(self) -> StorageConfig:
        if self.grace <= self.heartbeat:
            raise ValueError(f"grace ({self.grace} s) must be longer than heartbeat "
                             f"({self.heartbeat} s), e.g. grace = {6 * self.heartbeat}")
        return self


class StudyConfig(_Model):
    name: str = Field("demo", min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    mode: Literal["respond", "classify"] = "respond"
    target: TargetConfig = Field(default_factory=lambda: TargetConfig())
    data: DataConfig = Field(default_factory=lambda: DataConfig())
    judge: JudgeConfig = Field(default_factory=lambda: JudgeConfig())
    classify: ClassifyConfig = Field(default_factory=lambda: ClassifyConfig())
    search: SearchConfig = Field(default_factory=lambda: SearchConfig())
    propose: ProposeConfig = Field(default_factory=lambda: ProposeConfig())
    storage: StorageConfig = Field(default_factory=lambda: StorageConfig())

    #: where the study came from and what its template paths are relative to
    _source: str = PrivateAttr(default="<built-in demo>")
    _template_root: Path = PrivateAttr(default_factory=Path.cwd)

    @property
    def source(self) -> str:
        return self._source

    @property
    def template_root(self) -> Path:
        return self._template_root

    @property
    def simulated(self) -> bool:
        return self.target.kind == "sim"

    def located(self, source: str, template_root: Path) -> StudyConfig:
        """A copy that remembers its file and the folder its template paths start from."""
        copy = self.model_copy()
        copy._source = source
        copy._template_root = template_root
        return copy

    def with_overrides(self, overrides: Iterable[str]) -> StudyConfig:
        """Apply ``key.path=value`` overrides, validating the result."""
        data = self.model_dump(exclude_unset=False)
        for item in overrides:
            _apply_override(data, item)
        return _validate(data, self._source).located(self._source, self._template_root)


def demo_dir() -> Path:
    """The demo workspace shipped inside the package (prompts and study file)."""
    return Path(str(resources.files("framing") / "demo"))


def builtin_demo() -> StudyConfig:
    """The embedded default study: sim target, demo set, the prompts shipped with framing."""
    path = demo_dir() / "studies" / "demo.toml"
    config = _validate(_read_toml(path, display="<built-in demo>"), "<built-in demo>")
    return config.located("<built-in demo>", demo_dir())


def load_study(path: str | Path | None, overrides: Iterable[str] = ()) -> StudyConfig:
    """Load a study file (or the built-in demo when ``path`` is None) and apply overrides."""
    if path is None:
        config = builtin_demo()
    else:
        p = Path(path)
        if p.is_dir():
            raise ConfigError(f"{p}: is a folder; give a study file such as {p}/demo.toml")
        if not p.exists():
            raise ConfigError(f"{p}: no such study file (omit it to run the built-in demo)")
        config = _validate(_read_toml(p, display=str(p)), str(p)).located(str(p), Path.cwd())
    overrides = list(overrides)
    return config.with_overrides(overrides) if overrides else config


def _read_toml(path: Path, display: str) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{display}: not valid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(f"{display}: cannot read: {e.strerror}") from None


def _validate(data: Mapping[str, Any], source: str) -> StudyConfig:
    try:
        return StudyConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(format_validation_error(e, source)) from None


def format_validation_error(error: ValidationError, source: str) -> str:
    """One message naming each bad key path and what is wrong with it."""
    lines = []
    for err in error.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see the study file reference in README)"
        else:
            msg = err["msg"]
            if "input" in err and err["type"] != "missing" and not isinstance(err["input"], dict):
                msg = f"{msg} (got {err['input']!r})"
        lines.append(f"{source}: {key}: {msg}")
    return "\n".join(lines)


def _apply_override(data: dict[str, Any], item: str) -> None:
    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set {item!r}: expected key.path=value, e.g. --set search.trials=10")
    parts = key.split(".")
    node: Any = data
    for part in parts[:-1]:
        if not isinstance(node, dict):
            raise ConfigError(f"--set {key}: {part!r} is not a table")
        if node.get(part) is None:
            node[part] = {}
        node = node[part]
    if not isinstance(node, dict):
        raise ConfigError(f"--set {key}: not a table")
    node[parts[-1]] = parse_value(raw.strip())


def parse_value(raw: str) -> Any:
    """Read an override or parameter value as TOML when it is one, else as a plain string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw
