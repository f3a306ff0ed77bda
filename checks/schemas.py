"""The pandera (polars) schemas of the lake's tables: the one place that names their columns.

Every reader's output, once the ingest has added the report's metadata, must pass
``CanonicalRows``; rows that do not are quarantined with the reason, never dropped.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipelines.core.periods import PERIOD_PATTERN
from pipelines.core.status import STATUS_SOURCES, STATUSES

SHA256_PATTERN = r"^[0-9a-f]{64}$"


class CanonicalRows(pa.DataFrameModel):
    """One activity row of one follow-up report."""

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
        strict = False  # readers may add *_raw, page and other provenance columns
        coerce = False


CANONICAL_COLUMNS: list[str] = list(CanonicalRows.to_schema().columns)


class QuarantineRows(pa.DataFrameModel):
    """A row (or a page-level warning) that did not make it into the snapshot, and why."""

    org: str
    period: str = pa.Field(str_matches=PERIOD_PATTERN)
    source_file: str
    source_sha256: str = pa.Field(str_matches=SHA256_PATTERN)
    source_row: pl.Int64 = pa.Field(nullable=True)
    kind: str = pa.Field(isin=["rejected", "warning"])
    reason: str = pa.Field(str_length={"min_value": 1})
    row_json: str = pa.Field(nullable=True)

    class Config:
        strict = True


QUARANTINE_COLUMNS: list[str] = list(QuarantineRows.to_schema().columns)
