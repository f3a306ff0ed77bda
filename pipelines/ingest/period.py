"""From a report file to a period's snapshot: metadata, registration, validation, commit.

No Dagster here: the CLI, the sensor and the assets all call these functions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandera.errors
import polars as pl

from checks.schemas import (
    CANONICAL_COLUMNS,
    PROVENANCE,
    PROVENANCE_COLUMNS,
    QUARANTINE,
    QUARANTINE_COLUMNS,
    CanonicalRows,
    extra_as_json,
)
from pipelines.core.errors import FollowupError
from pipelines.core.periods import parse_period, period_for_report_date
from pipelines.lake.store import Lake, Registration, org_slug, sha256_file
from pipelines.read import ReaderResult, read_report

_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_PERIOD_IN_NAME = re.compile(
    r"(?<![0-9A-Za-z])(\d{4}-(?:Q[1-4]|T[1-3]|H[12]|FY))(?![0-9A-Za-z])", re.I
)


@dataclass(frozen=True)
class ReportMeta:
    org: str | None
    period: str | None
    report_date: dt.date | None


def infer_meta(
    path: Path,
    org: str | None = None,
    period: str | None = None,
    report_date: str | dt.date | None = None,
    today: dt.date | None = None,
) -> ReportMeta:
    """Fill in org, period and report date from the options, else from the file name.

    File names like ``region-vastmanland_2022-07-07_ocr.txt`` or
    ``region-vastmanland_2022-Q3_2022-10-12.xlsx`` carry all three: the org is the part before
    the first underscore. A missing period is the last quarter ended by the report date; a missing
    report date is the period's last day. A report date in the future is refused.
    """
    stem = path.name
    if org is None and "_" in stem:
        org = stem.split("_", 1)[0]
    if org is not None:
        org = org_slug(org)
    if isinstance(report_date, str):
        try:
            report_date = dt.date.fromisoformat(report_date)
        except ValueError as exc:
            raise FollowupError(
                f"report date {report_date!r} is not a date like 2022-07-07"
            ) from exc
    if report_date is None:
        for match in _DATE_RE.finditer(stem):
            try:
                report_date = dt.date(*(int(g) for g in match.groups()))
                break
            except ValueError:
                continue
    if period is None:
        found = _PERIOD_IN_NAME.search(stem)
        if found:
            period = found.group(1)
    if period is not None:
        period = parse_period(period).label
    elif report_date is not None:
        period = period_for_report_date(report_date).label
    if report_date is None and period is not None:
        report_date = parse_period(period).end
    today = today or dt.date.today()
    if report_date is not None and report_date > today:
        raise FollowupError(
            f"report date {report_date} is in the future (today is {today}); "
            "check --report-date or the date in the file name"
        )
    return ReportMeta(org=org, period=period, report_date=report_date)


def require_meta(path: Path, meta: ReportMeta) -> tuple[str, str, dt.date]:
    if meta.org is None:
        raise FollowupError(f"{path.name}: which organisation? pass --org")
    if meta.period is None or meta.report_date is None:
        raise FollowupError(
            f"{path.name}: cannot tell the period; pass --period (e.g. 2022-Q2) or "
            "--report-date, or name the file like org_2022-07-07.xlsx"
        )
    return meta.org, meta.period, meta.report_date


# A reader's column names that mean a provenance column (the one place readers are mapped).
PROVENANCE_ALIASES = {"confidence": "reader_confidence", "row_confidence": "reader_confidence"}


def with_meta(
    result: ReaderResult,
    org: str | None,
    period: str | None,
    report_date: dt.date | None,
    source_file: str,
    source_sha256: str,
) -> pl.DataFrame:
    """The reader's rows with the report's metadata, in the snapshot's schema.

    Canonical columns first, then the fixed provenance set (``checks.schemas.PROVENANCE``):
    present for every reader, null where it has nothing. Any other column a reader adds is kept
    in ``reader_extra`` (JSON), so every snapshot has the same columns and nothing is lost.
    ``status_source`` is made truthful here, for every reader alike: a row whose status is
    ``unknown`` (the document showed no green, yellow or red; whatever it did show, e.g. "Ej
    påbörjad", stays in ``status_raw``) is ``absent``, never ``reported`` — the same value the
    derive step gives a row whose inference is withdrawn.
    """
    rows = result.rows.rename(
        {k: v for k, v in PROVENANCE_ALIASES.items() if k in result.rows.columns}
    ).with_columns(
        pl.lit(org, pl.String).alias("org"),
        pl.lit(period, pl.String).alias("period"),
        pl.lit(report_date, pl.Date).alias("report_date"),
        pl.lit(source_file, pl.String).alias("source_file"),
        pl.lit(source_sha256, pl.String).alias("source_sha256"),
    )
    known = set(CANONICAL_COLUMNS) | set(PROVENANCE_COLUMNS)
    extra = [c for c in rows.columns if c not in known]
    rows = rows.with_columns(extra_as_json(rows, extra)).drop(extra)
    for name, dtype in PROVENANCE_SCHEMA.items():
        if name not in rows.columns:
            rows = rows.with_columns(pl.lit(None, dtype).alias(name))
    rows = rows.with_columns(
        status_source=pl.when(
            pl.col("status_source").is_null()
            | ((pl.col("status") == "unknown") & (pl.col("status_source") != "override"))
        )
        .then(pl.lit("absent"))
        .otherwise(pl.col("status_source"))
    )
    return rows.select(
        *CANONICAL_COLUMNS,
        *(pl.col(n).cast(t, strict=False) for n, t in PROVENANCE_SCHEMA.items()),
    )


def _reasons(failures: pl.DataFrame) -> dict[int, str]:
    """One readable reason per failing row position, from pandera's failure cases."""
    reasons: dict[int, list[str]] = {}
    for case in failures.iter_rows(named=True):
        if case["index"] is None:
            continue
        column, check, value = case["column"], case["check"], case["failure_case"]
        if check == "not_nullable" or value is None:
            text = f"{column} is empty"
        elif check.startswith("isin"):
            text = f"{column} {value!r} is not a known value"
            if column == "status":
                text = f"status word {value!r} is not Grönt/Gult/Rött (green/yellow/red)"
        elif check == "field_uniqueness":
            text = f"{column} {value!r} occurs more than once"
        elif check.startswith("str_length"):
            text = f"{column} is empty"
        else:
            text = f"{column} {value!r} fails {check}"
        reasons.setdefault(int(case["index"]), [])
        if text not in reasons[int(case["index"])]:
            reasons[int(case["index"])].append(text)
    return {index: "; ".join(texts) for index, texts in reasons.items()}


PROVENANCE_SCHEMA = {c.name: c.dtype for c in PROVENANCE}


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE.polars_schema)


def split_valid(
    rows: pl.DataFrame, result: ReaderResult | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate rows against the canonical schema: (valid rows, quarantine with reasons).

    Nothing is dropped: every input row is in exactly one of the two, and the reader's
    warnings are added to the quarantine as ``kind = warning``.
    """
    meta = rows.select("org", "period", "source_file", "source_sha256").head(1)
    try:
        CanonicalRows.validate(rows, lazy=True)
        bad: dict[int, str] = {}
    except pandera.errors.SchemaErrors as errors:
        bad = _reasons(errors.failure_cases)
        if not bad:  # a table-level failure (wrong type): a reader bug, not a data problem
            raise
    indexed = rows.with_row_index("_pos")
    bad_frame = pl.DataFrame(
        {"_pos": list(bad), "reason": list(bad.values())},
        schema={"_pos": pl.UInt32, "reason": pl.String},
    )
    valid = indexed.join(bad_frame, on="_pos", how="anti").drop("_pos")
    rejected = indexed.join(bad_frame, on="_pos", how="inner")
    quarantine = rejected.select(
        "org",
        "period",
        "source_file",
        "source_sha256",
        "source_row",
        pl.lit("rejected").alias("kind"),
        "reason",
        pl.struct(pl.exclude("_pos", "reason", "report_date"))
        .struct.json_encode()
        .alias("row_json"),
    )
    warnings = result.warnings if result else []
    if warnings and meta.height:
        first = meta.row(0, named=True)
        quarantine = pl.concat(
            [
                quarantine,
                pl.DataFrame(
                    {
                        **{k: [first[k]] * len(warnings) for k in first},
                        "source_row": [w.source_row for w in warnings],
                        "kind": ["warning"] * len(warnings),
                        "reason": [
                            (f"page {w.page}: " if w.page is not None else "") + w.message
                            for w in warnings
                        ],
                        "row_json": [None] * len(warnings),
                    },
                    schema=empty_quarantine().schema,
                ),
            ]
        )
    if quarantine.is_empty():
        quarantine = empty_quarantine()
    return valid, quarantine.select(QUARANTINE_COLUMNS).cast(empty_quarantine().schema)


def parse_file(
    path: Path,
    fmt: str = "auto",
    org: str | None = None,
    period: str | None = None,
    report_date: str | dt.date | None = None,
) -> tuple[pl.DataFrame, ReaderResult, ReportMeta]:
    """Read a report into canonical rows with whatever metadata is known (nulls otherwise)."""
    meta = infer_meta(path, org, period, report_date)
    result = read_report(path, fmt)
    rows = with_meta(result, meta.org, meta.period, meta.report_date, path.name, sha256_file(path))
    return rows, result, meta


def inspect_report(path: Path, fmt: str = "auto") -> tuple[ReaderResult, dict]:
    """What ``followup inspect`` shows of a file (tables, columns, warnings, the rows the
    ingest would quarantine), and the reader's result; touches no lake."""
    from pipelines.read.inspect import inspect_result

    result = read_report(path, fmt)
    # Placeholder metadata: only the reader's rows are judged, as the ingest would judge them.
    rows = with_meta(
        result, "inspect", "2000-Q1", dt.date(2000, 3, 31), path.name, sha256_file(path)
    )
    _, quarantine = split_valid(rows)
    rejected = quarantine.filter(quarantine["kind"] == "rejected").select("source_row", "reason")
    return result, inspect_result(result, path.name, rejected.rows())


def register_report(
    lake: Lake,
    path: Path,
    org: str | None = None,
    period: str | None = None,
    report_date: str | dt.date | None = None,
    fmt: str = "auto",
) -> tuple[Registration, bool]:
    """Check that the file can be read, then keep it in raw/ as the period's current input.

    A file that cannot be read is refused before anything is written.
    """
    if not path.is_file():
        raise FollowupError(f"{path}: no such file")
    meta = infer_meta(path, org, period, report_date)
    org, period, day = require_meta(path, meta)
    result = read_report(path, fmt)
    if result.rows.is_empty():
        raise FollowupError(f"{path.name}: no activity rows found; nothing to ingest")
    return lake.register_raw(path, org, period, day, result.format)


MAX_REJECTED_SHARE = 0.5  # more than half the rows quarantined: the file is probably not a report


def blocking_check(valid: pl.DataFrame, quarantine: pl.DataFrame) -> dict:
    """The period's blocking check: rows left, no more than half of them rejected, the
    snapshot schema holds. Recorded in the period's ``_version.json`` with the commit; a period
    that fails it is blocked (nothing downstream sees it) until a valid file replaces it."""
    rejected = int((quarantine["kind"] == "rejected").sum())
    total = valid.height + rejected
    share = rejected / total if total else 1.0
    problems = []
    try:
        CanonicalRows.validate(valid, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        problems.append(f"schema: {errors.failure_cases.height} failures")
    if valid.is_empty():
        problems.append("no valid rows")
    if share > MAX_REJECTED_SHARE:
        problems.append(
            f"{share:.0%} of rows quarantined ({rejected} of {total}; "
            f"limit {MAX_REJECTED_SHARE:.0%})"
        )
    return {"passed": not problems, "problems": problems}


def build_snapshot(lake: Lake, org: str, period: str) -> dict:
    """Parse the period's current raw file, validate it and commit snapshot and quarantine.

    When another file is registered for the period while this one is parsed, the newer file is
    parsed and committed instead (its own run then finds it unchanged), so a run always ends
    with the period's current file committed. Returns a summary for logs and Dagster metadata.
    """
    superseded: list[str] = []
    while True:
        registration = lake.current_registration(org, period)
        if registration is None:
            raise FollowupError(f"no report registered for {org} {period}; ingest a file first")
        stored = lake.root / registration.stored_as
        result = read_report(stored, registration.format)
        rows = with_meta(
            result,
            registration.org,
            registration.period,
            registration.report_day,
            registration.source_file,
            registration.source_sha256,
        )
        valid, quarantine = split_valid(rows, result)
        check = blocking_check(valid, quarantine)
        outcome = lake.commit_period(registration, valid, quarantine, check)
        if outcome != "superseded":
            break
        superseded.append(registration.source_file)
    return {
        "org": registration.org,
        "period": registration.period,
        "outcome": outcome,
        "superseded": superseded,
        "source_file": registration.source_file,
        "source_sha256": registration.source_sha256,
        "rows": rows.height,
        "valid": valid.height,
        "rejected": int((quarantine["kind"] == "rejected").sum()),
        "warnings": int((quarantine["kind"] == "warning").sum()),
        "check": "; ".join(check["problems"]) or "ok",
        "blocked": not check["passed"],
    }
