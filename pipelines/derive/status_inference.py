"""Fill the traffic light from the comment where the document showed none; read completion.

OCR'd reports lose the coloured status cell, but the comment usually says it in words. Each
distinct comment is read once by :func:`pipelines.swedish.status_cues.read_comment` (rules in
``pipelines/swedish/status_rules.yaml``: Swedish stemming, negation with scope, hedges, tense),
and the reading is joined back onto the rows.

Columns :func:`infer_status` sets on every row:

- ``status`` / ``status_source``: a reported or overridden status is never touched (so no
  inferred status can contradict a colour the document showed). A row whose status is
  ``unknown`` gets the inferred status with ``status_source = inferred``, or stays ``unknown``
  with ``status_source = absent`` when the comment gives no evidence. An earlier inference is
  read again, so a withdrawn inference goes back to ``absent``, never ``reported``.
- ``status_evidence`` (String): the words of the comment that decided an inferred status
  ("inga avvikelser", "viss fördröjning"); null otherwise.
- ``status_confidence`` (Float64): 1.0 for a reported/overridden status, the cue's confidence for
  an inferred one, 0.0 for ``absent``.
- ``completed`` (Boolean): the document said so (the reader's ``completed_reported``, e.g. a status
  word Klar/Avslutad/Genomförd) or the comment does ("avslutades", "har avslutats", "är
  genomförd"; a termination such as "beslut om att lägga ner projektet" never is).
- ``completed_evidence`` (String): ``reported`` when the document said it, else the words of the
  comment; null when not completed.

A hook for signals computed elsewhere: :func:`apply_slipped_promises` marks still-``absent`` rows
whose earlier promised date has passed unfinished as off plan (yellow), with the promise as
evidence.
"""

from __future__ import annotations

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.swedish.status_cues import (
    DEFAULT_RULES_PATH,
    StatusRules,
    load_status_rules,
    read_comment,
)

__all__ = [
    "DEFAULT_RULES_PATH",
    "INFERENCE_COLUMNS",
    "apply_slipped_promises",
    "comment_evidence",
    "infer_status",
    "load_status_rules",
]

# Columns infer_status adds to snapshot rows, with their types.
INFERENCE_COLUMNS = {
    "status_evidence": pl.String,
    "status_confidence": pl.Float64,
    "completed": pl.Boolean,
    "completed_evidence": pl.String,
}
_READING = {
    "comment": pl.String,
    "_status": pl.String,
    "_confidence": pl.Float64,
    "_evidence": pl.String,
    "_completed": pl.Boolean,
    "_completed_evidence": pl.String,
}
_SPANS = {
    "_skeleton": pl.String,
    "_status": pl.String,
    "_confidence": pl.Float64,
    "_es": pl.Int64,
    "_ee": pl.Int64,
    "_completed": pl.Boolean,
    "_cs": pl.Int64,
    "_ce": pl.Int64,
}


def comment_evidence(comments: pl.Series, rules: StatusRules | None = None) -> pl.DataFrame:
    """One row per distinct comment: comment, _status (null: no evidence), _confidence,
    _evidence, _completed, _completed_evidence.

    Comments that differ only in digits ("Ärende 12", "vecka 40") read the same, so each distinct
    skeleton (digits → 0, which keeps every offset) is read once and the evidence is cut from
    each comment at the offsets the reading gives."""
    rules = rules or load_status_rules()
    frame = (
        pl.DataFrame({"comment": comments.cast(pl.String)})
        .drop_nulls()
        .unique()
        .with_columns(_nfc=pl.col("comment").str.normalize("NFC"))
        .with_columns(_skeleton=pl.col("_nfc").str.replace_all("[1-9]", "0"))
    )
    rows = []
    for skeleton in frame["_skeleton"].unique().to_list():
        r = read_comment(skeleton, rules)
        es, ee = r.evidence_span or (None, None)
        cs, ce = r.completed_span or (None, None)
        rows.append((skeleton, r.status, r.confidence, es, ee, r.completed, cs, ce))
    readings = pl.DataFrame(rows, schema=_SPANS, orient="row")

    def cut(start: str, end: str) -> pl.Expr:
        return pl.col("_nfc").str.slice(pl.col(start), pl.col(end) - pl.col(start))

    return (
        frame.join(readings, on="_skeleton", how="left")
        .with_columns(
            _evidence=pl.when(pl.col("_es").is_not_null()).then(cut("_es", "_ee")),
            _completed_evidence=pl.when(pl.col("_completed")).then(cut("_cs", "_ce")),
        )
        .select(list(_READING))
        .cast(_READING)
    )


def infer_status(snapshots: pl.DataFrame, rules: StatusRules | None = None) -> pl.DataFrame:
    """Infer missing statuses and completion from comments (see the module docstring)."""
    missing = {"status", "status_source", "comment"} - set(snapshots.columns)
    if missing:
        raise FollowupError(f"infer_status needs columns {sorted(missing)}; pass snapshot rows")
    base = snapshots.drop([c for c in INFERENCE_COLUMNS if c in snapshots.columns])
    evidence = comment_evidence(base["comment"], rules)
    joined = base.with_columns(_key=pl.col("comment").cast(pl.String)).join(
        evidence.rename({"comment": "_key"}), on="_key", how="left", maintain_order="left"
    )
    source = pl.col("status_source")
    # an earlier inference is read again; what the document showed (or an analyst set) stays
    open_row = source.is_in(["inferred", "absent"]) | (
        (pl.col("status") == "unknown") & (source != "override")
    )
    fill = open_row & pl.col("_status").is_not_null()
    reported_done = (
        pl.col("completed_reported").cast(pl.Boolean).fill_null(False)
        if "completed_reported" in base.columns
        else pl.lit(False)
    )
    comment_done = pl.col("_completed").fill_null(False)
    return joined.with_columns(
        status=pl.when(fill)
        .then(pl.col("_status"))
        .when(open_row)
        .then(pl.lit("unknown"))
        .otherwise(pl.col("status")),
        status_source=pl.when(fill)
        .then(pl.lit("inferred"))
        .when(open_row)
        .then(pl.lit("absent"))
        .otherwise(source),
        status_evidence=pl.when(fill).then(pl.col("_evidence")).otherwise(pl.lit(None)),
        status_confidence=pl.when(fill)
        .then(pl.col("_confidence"))
        .when(open_row)
        .then(pl.lit(0.0))
        .otherwise(pl.lit(1.0))
        .cast(pl.Float64),
        completed=(reported_done | comment_done).cast(pl.Boolean),
        completed_evidence=pl.when(reported_done)
        .then(pl.lit("reported"))
        .when(comment_done)
        .then(pl.col("_completed_evidence"))
        .otherwise(pl.lit(None, dtype=pl.String)),
    ).drop("_key", *(c for c in _READING if c != "comment"))


def apply_slipped_promises(
    linked: pl.DataFrame, promises: pl.DataFrame, confidence: float = 0.7
) -> pl.DataFrame:
    """Rows still ``absent`` whose activity had a promise that slipped in their period (the date
    passed, the activity unfinished: ``evaluate_promises`` outcome ``slipped`` decided in that
    period) become ``yellow``/``inferred``, with the promise as evidence.

    ``linked`` are rows after :func:`infer_status` with ``activity_id``; ``promises`` the
    evaluated promises (:func:`pipelines.derive.promises.evaluate_promises`). Reported,
    overridden and already inferred statuses are kept.
    """
    needed = {"org", "activity_id", "checked_in_period", "outcome", "expression", "promised_by"}
    if promises.is_empty() or not needed <= set(promises.columns):
        return linked
    slipped = (
        promises.filter(pl.col("outcome") == "slipped")
        .sort("promised_by")
        .group_by("org", "activity_id", pl.col("checked_in_period").alias("period"))
        .agg(
            _promise=pl.format(
                "promised “{}” (by {}), not completed", pl.col("expression"), pl.col("promised_by")
            ).first()
        )
    )
    joined = linked.join(slipped, on=["org", "activity_id", "period"], how="left")
    hit = (pl.col("status_source") == "absent") & pl.col("_promise").is_not_null()
    hit = hit & ~pl.col("completed").fill_null(False)
    return joined.with_columns(
        status=pl.when(hit).then(pl.lit("yellow")).otherwise(pl.col("status")),
        status_source=pl.when(hit).then(pl.lit("inferred")).otherwise(pl.col("status_source")),
        status_evidence=pl.when(hit).then(pl.col("_promise")).otherwise(pl.col("status_evidence")),
        status_confidence=pl.when(hit)
        .then(pl.lit(confidence))
        .otherwise(pl.col("status_confidence")),
    ).drop("_promise")
