"""Infer the traffic light from the comment when the report's colour is missing.

OCR'd reports lose the coloured status cell, but the comment usually says it in words
("pågår enligt plan", "försenad", "kommer inte att genomföras"). The rules live in an editable
data file, ``pipelines/swedish/status_rules.yaml`` (its header documents the format), and are
matched on the folded comment (:mod:`pipelines.core.textfold`), so OCR text without
å/ä/ö matches too.

:func:`infer_status` never touches a reported (or overridden) colour: it only fills rows whose
status is ``unknown``. Rows previously inferred are re-inferred, so running it twice is harmless.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml

from pipelines.core.errors import FollowupError
from pipelines.core.status import STATUS_RANK
from pipelines.core.textfold import fold_expr

DEFAULT_RULES_PATH = Path(__file__).parents[1] / "swedish" / "status_rules.yaml"
_SEVERITY = sorted(STATUS_RANK, key=STATUS_RANK.__getitem__, reverse=True)  # red, yellow, green


@dataclass(frozen=True)
class StatusRule:
    name: str
    pattern: str
    status: str
    confidence: float
    unless: str | None = None  # the rule does not fire when this also matches


@dataclass(frozen=True)
class CompletedRule:
    name: str
    pattern: str
    strong: bool


@dataclass(frozen=True)
class StatusRules:
    status: tuple[StatusRule, ...]
    completed: tuple[CompletedRule, ...]
    ongoing: tuple[str, ...]
    not_completed: tuple[str, ...]


def _check_pattern(pattern: object, where: str) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise FollowupError(f"{where}: pattern must be a non-empty string")
    try:
        re.compile(pattern)
        pl.select(pl.lit("x").str.contains(pattern))  # the engine polars uses is stricter
    except Exception as exc:  # noqa: BLE001 - any engine error is the user's pattern
        raise FollowupError(f"{where}: invalid regular expression {pattern!r} ({exc})") from None
    return pattern


def parse_status_rules(data: dict, source: str = "status rules") -> StatusRules:
    """Validate the YAML content of a rule file; raise FollowupError naming the bad entry."""
    if not isinstance(data, dict) or "status" not in data:
        raise FollowupError(f"{source}: expected a mapping with a 'status' list of rules")
    rules = []
    for i, item in enumerate(data.get("status") or []):
        label = item.get("name", "?") if isinstance(item, dict) else repr(item)
        where = f"{source}: status rule {i + 1} ({label})"
        if not isinstance(item, dict):
            raise FollowupError(f"{where}: must be a mapping with pattern, status, confidence")
        status = item.get("status")
        if status not in STATUS_RANK:
            raise FollowupError(f"{where}: status must be green, yellow or red, not {status!r}")
        confidence = item.get("confidence")
        if not isinstance(confidence, int | float) or not 0 < confidence <= 1:
            raise FollowupError(f"{where}: confidence must be a number in (0, 1]")
        pattern = _check_pattern(item.get("pattern"), where)
        unless = item.get("unless")
        if unless is not None:
            unless = _check_pattern(unless, f"{where} unless")
        name = str(item.get("name", f"rule {i + 1}"))
        rules.append(StatusRule(name, pattern, status, float(confidence), unless))
    completed = []
    for i, item in enumerate(data.get("completed") or []):
        where = f"{source}: completed rule {i + 1}"
        if not isinstance(item, dict) or item.get("strength") not in ("strong", "weak"):
            raise FollowupError(f"{where}: needs a pattern and strength strong|weak")
        pattern = _check_pattern(item.get("pattern"), where)
        completed.append(
            CompletedRule(
                str(item.get("name", f"rule {i + 1}")), pattern, item["strength"] == "strong"
            )
        )
    ongoing = tuple(
        _check_pattern(p, f"{source}: ongoing pattern {i + 1}")
        for i, p in enumerate(data.get("ongoing") or [])
    )
    not_completed = tuple(
        _check_pattern(p, f"{source}: not_completed pattern {i + 1}")
        for i, p in enumerate(data.get("not_completed") or [])
    )
    return StatusRules(tuple(rules), tuple(completed), ongoing, not_completed)


@lru_cache(maxsize=8)
def load_status_rules(path: Path | str = DEFAULT_RULES_PATH) -> StatusRules:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FollowupError(f"status rule file {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise FollowupError(f"status rule file {path} is not valid YAML: {exc}") from None
    return parse_status_rules(data, str(path))


def _fires(folded: pl.Expr, rule: StatusRule) -> pl.Expr:
    hit = folded.str.contains(rule.pattern)
    return hit if rule.unless is None else hit & ~folded.str.contains(rule.unless)


def _any_match(folded: pl.Expr, patterns: tuple[str, ...]) -> pl.Expr:
    if not patterns:
        return pl.lit(False)
    return folded.str.contains("|".join(f"(?:{p})" for p in patterns)).fill_null(False)


def comment_evidence(comments: pl.Series, rules: StatusRules) -> pl.DataFrame:
    """For each distinct comment: comment, _inferred (status or null), _confidence, _completed.

    Works on the distinct comments only (reports repeat "Pågår enligt plan." a lot) and builds
    the result in steps, so each pattern runs once per distinct comment.
    """
    frame = (
        pl.DataFrame({"comment": comments})
        .unique()
        .with_columns(_folded=fold_expr(pl.col("comment")).fill_null(""))
    )
    folded = pl.col("_folded")
    per_status = {}
    for status in _SEVERITY:
        parts = [
            pl.when(_fires(folded, rule)).then(pl.lit(rule.confidence))
            for rule in rules.status
            if rule.status == status
        ]
        per_status[f"_c_{status}"] = pl.max_horizontal(parts) if parts else pl.lit(None)
    strong = _any_match(folded, tuple(r.pattern for r in rules.completed if r.strong))
    weak = _any_match(folded, tuple(r.pattern for r in rules.completed if not r.strong))
    frame = frame.with_columns(
        **per_status,
        _strong=strong,
        _weak=weak,
        _ongoing=_any_match(folded, rules.ongoing),
        _negated=_any_match(folded, rules.not_completed),
    )
    status_expr = pl.lit(None, dtype=pl.String)
    conf_expr = pl.lit(None, dtype=pl.Float64)
    for status in reversed(_SEVERITY):  # green first, so the most severe ends up outermost
        found = pl.col(f"_c_{status}").is_not_null()
        status_expr = pl.when(found).then(pl.lit(status)).otherwise(status_expr)
        conf_expr = pl.when(found).then(pl.col(f"_c_{status}")).otherwise(conf_expr)
    return frame.select(
        "comment",
        _inferred=status_expr,
        _confidence=conf_expr.cast(pl.Float64),
        _completed=(
            (pl.col("_strong") | (pl.col("_weak") & ~pl.col("_ongoing"))) & ~pl.col("_negated")
        ),
    )


def infer_status(snapshots: pl.DataFrame, rules: StatusRules | None = None) -> pl.DataFrame:
    """Fill ``unknown`` statuses from the comment; add ``status_confidence`` and ``completed``.

    - status: replaced only where it is ``unknown`` (or was inferred before) and a rule matches;
      ``status_source`` becomes ``inferred`` there. Reported/overridden colours are kept as is.
    - status_confidence (Float64): 1.0 for a reported/overridden colour, the rule's confidence
      for an inferred one, 0.0 for ``unknown`` (no evidence).
    - completed (Boolean, every row): the comment says the activity is finished.
    """
    missing = {"status", "status_source", "comment"} - set(snapshots.columns)
    if missing:
        raise FollowupError(f"infer_status needs columns {sorted(missing)}; pass snapshot rows")
    rules = rules or load_status_rules()
    evidence = comment_evidence(snapshots["comment"], rules)
    status_expr, conf_expr, completed = (
        pl.col("_inferred"),
        pl.col("_confidence"),
        pl.col("_completed"),
    )
    was_inferred = pl.col("status_source") == "inferred"
    base_status = pl.when(was_inferred).then(pl.lit("unknown")).otherwise(pl.col("status"))
    open_row = base_status == "unknown"
    fill = open_row & status_expr.is_not_null()
    joined = snapshots.join(
        evidence, on="comment", how="left", nulls_equal=True, maintain_order="left"
    )
    return joined.with_columns(
        status=pl.when(fill).then(status_expr).otherwise(base_status),
        status_source=pl.when(fill)
        .then(pl.lit("inferred"))
        .when(was_inferred)  # an old inference no rule supports any more
        .then(pl.lit("reported"))
        .otherwise(pl.col("status_source")),
        status_confidence=pl.when(fill)
        .then(conf_expr)
        .when(open_row)
        .then(pl.lit(0.0))
        .otherwise(pl.lit(1.0))
        .cast(pl.Float64),
        completed=completed.fill_null(False).cast(pl.Boolean),
    ).drop("_inferred", "_confidence", "_completed")
