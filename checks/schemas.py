"""The lake's data contract: every table's columns, types and meaning, in one place.

Each table written to the lake has ONE schema here, the same for every reader: the snapshot is
the canonical columns, then a fixed set of provenance columns (null where a reader has nothing),
then the columns the derive step adds (null until it has run). :func:`conform` brings a frame to
its table's schema and validates it with pandera; every lake write goes through it
(``pipelines.lake.store``), so a polars or DuckDB scan over ``<table>/**/*.parquet`` always sees
one schema. ``python -m checks.dictionary`` writes ``data_lake/README.md`` from these specs.

``CanonicalRows`` is the row-level check of a reader's output once the ingest has added the
report's metadata; rows that fail it are quarantined with the reason, never dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.core.periods import PERIOD_PATTERN
from pipelines.core.status import STATUS_SOURCES, STATUSES

SHA256_PATTERN = r"^[0-9a-f]{64}$"
# Bump when a table's columns change; `followup rebuild` rewrites a lake of an older version.
# 1: readers' own columns (no schema_version in _version.json); 2: one schema per table.
SCHEMA_VERSION = 2


class CanonicalRows(pa.DataFrameModel):
    """One activity row of one follow-up report (row-level validation at ingest)."""

    org: str = pa.Field(str_matches=r"^[a-z0-9][a-z0-9-]*$")
    period: str = pa.Field(str_matches=PERIOD_PATTERN)
    report_date: pl.Date
    goal_area: str = pa.Field(nullable=True)
    activity: str = pa.Field(str_length={"min_value": 1})
    unit: str = pa.Field(nullable=True)
    status: str = pa.Field(isin=list(STATUSES))
    status_source: str = pa.Field(isin=list(STATUS_SOURCES))
    comment: str = pa.Field(nullable=True)
    source_file: str
    source_sha256: str = pa.Field(str_matches=SHA256_PATTERN)
    source_row: pl.Int64 = pa.Field(ge=1, unique=True)

    class Config:
        strict = False  # the provenance columns follow; conform() checks the whole table
        coerce = False


CANONICAL_COLUMNS: list[str] = list(CanonicalRows.to_schema().columns)


@dataclass(frozen=True)
class Col:
    name: str
    dtype: pl.DataType
    meaning: str
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    partitions: tuple[str, ...]
    about: str
    columns: tuple[Col, ...]

    @property
    def polars_schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


S, I64, F64, B, D = pl.String(), pl.Int64(), pl.Float64(), pl.Boolean(), pl.Date()

CANONICAL = (
    Col("org", S, "organisation slug, e.g. `region-vastmanland`", False),
    Col("period", S, "follow-up period: `2022-Q2`, `2022-T2`, `2022-H1`, `2022-FY`", False),
    Col("report_date", D, "date of the report", False),
    Col("goal_area", S, "målområde / visionsmål (may be null)"),
    Col(
        "activity",
        S,
        "the activity text as reported (repaired Swedish for OCR'd reports)",
        False,
    ),
    Col("unit", S, "responsible unit (verksamhet), canonical name where recognised"),
    Col("status", S, "`green`, `yellow`, `red` or `unknown`", False),
    Col(
        "status_source",
        S,
        "`reported` (the document showed green, yellow or red), `inferred` (from the comment), "
        "`override`, `absent` (status `unknown`: the document showed none of the three — what "
        "it did show is in `status_raw` — and none was inferred)",
        False,
    ),
    Col("comment", S, "the comment (kommentar), may be null"),
    Col("source_file", S, "name of the report file the row came from", False),
    Col("source_sha256", S, "SHA-256 of that file", False),
    Col(
        "source_row",
        I64,
        "1-based position among the report's activity rows, in document order",
        False,
    ),
)

# Provenance: what the reader saw. Every snapshot has all of them; null where a reader has none.
PROVENANCE = (
    Col("status_raw", S, "the status as written (a word, or a cell colour `#RRGGBB`)"),
    Col("goal_area_raw", S, "the goal area as the source wrote it (OCR'd reports)"),
    Col("activity_raw", S, "the activity as the source wrote it (OCR'd reports)"),
    Col("unit_raw", S, "the unit as the source wrote it (OCR'd reports)"),
    Col("comment_raw", S, "the comment as the source wrote it (OCR'd reports)"),
    Col("page", I64, "the page the row starts on (PDF and OCR'd reports)"),
    Col("sheet", S, "the XLSX sheet the row came from (null for CSV and documents)"),
    Col("spreadsheet_row", I64, "the row number in the spreadsheet (CSV/XLSX reports)"),
    Col(
        "completed_reported",
        B,
        "the document itself said done (Klar, Avslutad, Genomförd)",
    ),
    Col(
        "reader_confidence",
        F64,
        "how sure the reader was of the row's layout (1.0 = headers named every column); "
        "null where the reader does not say",
    ),
    Col(
        "reader_extra",
        S,
        "any other column a reader produced, as a JSON object (null when none): nothing a "
        "reader finds is lost, and the table keeps one schema",
    ),
)

# Added by the derive step (pipelines.derive.tables.ENRICHMENT_COLUMNS); null until it has run.
ENRICHMENT = (
    Col("activity_id", S, "stable id of the activity across periods: `<org>:<first period>:<row>`"),
    Col(
        "status_evidence",
        S,
        'the words of the comment that decided an inferred status ("inga avvikelser"); '
        "null otherwise",
    ),
    Col(
        "status_confidence",
        F64,
        "1.0 for a reported status, the cue's confidence when inferred, 0.0 absent",
    ),
    Col(
        "completed",
        B,
        "the document (`completed_reported`) or the comment says the activity is finished",
    ),
    Col(
        "completed_evidence",
        S,
        "`reported` (the document said done) or the words of the comment; null when not completed",
    ),
    Col(
        "status_before_override",
        S,
        "the status the row had before an analyst's correction in overrides/status.csv; "
        "null when not corrected",
    ),
    Col(
        "status_source_before_override",
        S,
        "its `status_source` before the correction (`reported`, `inferred`, `absent`); null "
        "when not corrected",
    ),
)

SNAPSHOTS = Table(
    "snapshots",
    ("org", "period"),
    "One row per activity row of a report; the current version of each period only (earlier "
    "ones are in `versions/`). A blocked period has no `data.parquet` here (see `_version.json`).",
    CANONICAL + PROVENANCE + ENRICHMENT,
)

QUARANTINE = Table(
    "quarantine",
    ("org", "period"),
    "Rows that failed validation, and reader warnings, of the period's current version.",
    (
        Col("org", S, "organisation", False),
        Col("period", S, "period", False),
        Col("source_file", S, "the report file", False),
        Col("source_sha256", S, "its SHA-256", False),
        Col("source_row", I64, "the row's position in the report (null for a page-level warning)"),
        Col(
            "kind",
            S,
            "`rejected` (the row is not in the snapshot) or `warning` (the reader's doubt)",
            False,
        ),
        Col("reason", S, "why, in words: `status word 'blå' is not Grönt/Gult/Rött`", False),
        Col("row_json", S, "the rejected row as read, as JSON (null for warnings)"),
    ),
)

LINKS = Table(
    "links",
    ("org",),
    "How each report row was linked to an activity.",
    (
        Col("org", S, "organisation", False),
        Col("period", S, "period of the row", False),
        Col("source_row", I64, "the row's position in that report", False),
        Col("activity_id", S, "the activity it belongs to", False),
        Col(
            "matched_from_period",
            S,
            "the period of the activity's text it was matched against (null if new)",
        ),
        Col("score", F64, "similarity 0–100 (for `new`: the best candidate's score, or null)"),
        Col("method", S, "`exact`, `fuzzy`, `override` or `new`"),
        Col("needs_review", B, "linked in the review band: check it with `followup review`"),
        Col("probability", F64, "the linker's probability that the link is right (null if new)"),
        Col("evidence", S, "the evidence behind the link, in words (shared words, unit, …)"),
        Col(
            "alternative_ids",
            pl.List(S),
            "other candidate activities the linker considered, best first",
        ),
        Col("alternative_probabilities", pl.List(F64), "their probabilities, in the same order"),
    ),
)

ACTIVITIES = Table(
    "activities",
    ("org",),
    "One row per activity.",
    (
        Col("org", S, "organisation", False),
        Col("activity_id", S, "stable id", False),
        Col("canonical_text", S, "the activity's latest text"),
        Col("goal_area", S, "its latest goal area"),
        Col("unit", S, "its latest unit"),
        Col("first_period", S, "first period it was reported in"),
        Col("last_period", S, "last period it was reported in"),
        Col("periods_seen", I64, "number of periods it was reported in"),
    ),
)

TRANSITIONS = Table(
    "transitions",
    ("org",),
    "One row per activity per event between an org's consecutive periods (semantics in "
    "`pipelines/derive/history.py`).",
    (
        Col("org", S, "organisation", False),
        Col("activity_id", S, "activity", False),
        Col("from_period", S, "earlier period (null for `new` in the org's first period)"),
        Col("to_period", S, "later period"),
        Col("from_status", S, "status in from_period (null for `new`)"),
        Col("to_status", S, "status in to_period (null for `dropped`/`completed`)"),
        Col(
            "change",
            S,
            "`improved`, `worsened`, `unchanged`, `new`, `dropped`, `completed`, `reopened`",
        ),
        Col("days", I64, "days between the two report dates"),
    ),
)

DELAYS = Table(
    "delays",
    ("org",),
    "One row per activity and period it was reported in.",
    (
        Col("org", S, "organisation", False),
        Col("activity_id", S, "activity", False),
        Col("period", S, "period", False),
        Col("report_date", D, "report date of the period"),
        Col("status", S, "status in the period"),
        Col("off_plan", B, "status is yellow or red"),
        Col(
            "periods_off_plan",
            I64,
            "consecutive periods off plan up to and including this one (0 on plan)",
        ),
        Col("off_plan_since", D, "report date when the current off-plan run began (null on plan)"),
        Col("days_off_plan", I64, "report_date − off_plan_since"),
    ),
)

PROMISES = Table(
    "promises",
    ("org",),
    "Time promises found in comments and what became of them.",
    (
        Col("org", S, "organisation", False),
        Col("activity_id", S, "activity", False),
        Col("period", S, "period of the comment that made the promise", False),
        Col("report_date", D, "its report date"),
        Col("expression", S, "the words of the promise, e.g. `planerat till hösten`"),
        Col("promised_by", D, "the promised date (end of the named interval)"),
        Col("granularity", S, "`day`, `month`, `season`, `half` or `year`"),
        Col("outcome", S, "`kept`, `slipped`, `moved` or `open`"),
        Col("checked_in_period", S, "the later period that settled the outcome (null while open)"),
        Col("days_slipped", I64, "days the promise slipped (null unless slipped/moved)"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (SNAPSHOTS, QUARANTINE, LINKS, ACTIVITIES, TRANSITIONS, DELAYS, PROMISES)
}
# history/org=O/period=P/data.parquet: the current snapshot rows, linked (the snapshot schema).
TABLES["history"] = Table(
    "history", ("org", "period"), "The current snapshot rows, linked.", SNAPSHOTS.columns
)

QUARANTINE_COLUMNS: list[str] = QUARANTINE.names
PROVENANCE_COLUMNS: list[str] = [c.name for c in PROVENANCE]

_VALUE_CHECKS: dict[tuple[str, str], list[pa.Check]] = {
    ("snapshots", "status"): [pa.Check.isin(list(STATUSES))],
    ("snapshots", "status_source"): [pa.Check.isin(list(STATUS_SOURCES))],
    ("snapshots", "source_sha256"): [pa.Check.str_matches(SHA256_PATTERN)],
    ("snapshots", "period"): [pa.Check.str_matches(PERIOD_PATTERN)],
    ("quarantine", "kind"): [pa.Check.isin(["rejected", "warning"])],
    ("quarantine", "source_sha256"): [pa.Check.str_matches(SHA256_PATTERN)],
    ("quarantine", "reason"): [pa.Check.str_length(min_value=1)],
}
_VALUE_CHECKS |= {("history", c): v for (t, c), v in _VALUE_CHECKS.items() if t == "snapshots"}


def pandera_schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema of a lake table: exactly these columns, in this order, these types."""
    spec = TABLES[table]
    return pa.DataFrameSchema(
        {
            c.name: pa.Column(
                c.dtype, nullable=c.nullable, checks=_VALUE_CHECKS.get((table, c.name), [])
            )
            for c in spec.columns
        },
        strict=True,
        ordered=True,
        name=table,
    )


_SCHEMAS: dict[str, pa.DataFrameSchema] = {}


def conform(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """``frame`` with exactly its table's columns (missing ones null, in order, typed), validated.

    A column the table does not know is a programming error, not data to drop silently: it
    raises with the column's name (add it to this module, or, for a reader's column, map it to
    the provenance set in ``pipelines.ingest.period.with_meta``, which keeps any other
    reader column in ``reader_extra``).
    """
    spec = TABLES[table]
    unknown = [c for c in frame.columns if c not in spec.polars_schema]
    if unknown:
        raise FollowupError(
            f"{table}: column(s) {', '.join(unknown)} are not in the lake's schema "
            "(checks/schemas.py)"
        )
    shaped = frame.select(
        [
            pl.col(c.name).cast(c.dtype)
            if c.name in frame.columns
            else pl.lit(None, c.dtype).alias(c.name)
            for c in spec.columns
        ]
    )
    if table not in _SCHEMAS:
        _SCHEMAS[table] = pandera_schema(table)
    return _SCHEMAS[table].validate(shaped)


def extra_as_json(frame: pl.DataFrame, columns: list[str]) -> pl.Series:
    """One JSON object per row of ``columns`` (a reader's unknown columns), null when none."""
    if not columns:
        return pl.Series("reader_extra", [None] * frame.height, dtype=pl.String)
    texts = [
        json.dumps(row, ensure_ascii=False, default=str)
        for row in frame.select(columns).iter_rows(named=True)
    ]
    return pl.Series("reader_extra", texts, dtype=pl.String)
