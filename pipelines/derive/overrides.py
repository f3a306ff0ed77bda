"""The analysts' overrides files: status corrections read and applied, decisions appended safely.

Two files in ``<lake>/overrides/``, both CSV in UTF-8 with a version comment on the first line:

- ``links.csv`` (read by :func:`pipelines.link.linker.load_overrides`): confirm, reject, merge.
- ``status.csv`` (read by :func:`load_status_overrides`)::

      # followup-status-overrides v1
      org,period,source_row,status,reason,decided_by,decided_at
      region-x,2023-Q1,12,yellow,tender postponed,Anna,2026-12-03T07:10:00+00:00

  ``status`` is ``green``, ``yellow``, ``red`` or ``unknown``; ``reason`` is required. A later
  line for the same row wins. :func:`apply_status_overrides` puts the status on the row with
  ``status_source = override`` and keeps what was there in ``status_before_override`` /
  ``status_source_before_override``, so removing the line gives the earlier status back on the
  next run (:func:`restore_overridden_status`).

Appending a decision (:func:`append_link_decision`, :func:`append_status_decision`) holds a file
lock for the whole read-check-write, so two browser tabs deciding at once lose neither decision;
the existing file must parse (else the error names its line and nothing is written), the new
text is parsed again before it replaces the file, and it replaces it atomically (write aside,
then rename). The analyst's own lines and comments are kept as written.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.core.periods import is_period
from pipelines.lake.store import atomic_write_bytes
from pipelines.link.linker import OVERRIDE_SCHEMA, OVERRIDES_HEADER, load_overrides

STATUS_HEADER = "# followup-status-overrides v1"
STATUS_SCHEMA: dict[str, pl.DataType] = {
    "org": pl.String(),
    "period": pl.String(),
    "source_row": pl.Int64(),
    "status": pl.String(),
    "reason": pl.String(),
    "decided_by": pl.String(),
    "decided_at": pl.String(),
}
STATUSES = ("green", "yellow", "red", "unknown")
# Columns apply_status_overrides adds to snapshot rows (null where no override applies).
OVERRIDE_COLUMNS = ("status_before_override", "status_source_before_override")


# --------------------------------------------------------------------------- reading


def _csv_records(path: Path, text: str, header_line: str, required: tuple[str, ...], schema):
    """(line number, record) of a versioned overrides CSV; errors name the file and line."""
    lines = text.splitlines()
    first = 2
    if lines and lines[0].startswith("#"):
        if lines[0].strip() != header_line:
            raise FollowupError(
                f"overrides file {path}, line 1: unsupported version line "
                f"{lines[0].strip()!r}; expected {header_line!r}"
            )
        lines, first = lines[1:], 3
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in schema]
    if missing or unknown:
        problems = [f"missing column(s) {', '.join(missing)}"] if missing else []
        problems += [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        raise FollowupError(
            f"overrides file {path}, line {first - 1}: {'; '.join(problems)}; "
            f"expected header {','.join(schema)}"
        )
    for lineno, rec in enumerate(reader, start=first):
        if not any((v or "").strip() for v in rec.values() if isinstance(v, str)):
            continue
        if None in rec:
            raise FollowupError(f"overrides file {path}, line {lineno}: too many fields")
        yield lineno, {k: ((rec.get(k) or "").strip() or None) for k in schema}


def parse_status_overrides(text: str, path: str | Path = "status.csv") -> pl.DataFrame:
    """Status overrides from the file's text (format in the module docstring)."""
    records = []
    for lineno, row in _csv_records(
        Path(path), text, STATUS_HEADER, ("org", "period", "source_row", "status"), STATUS_SCHEMA
    ):
        where = f"overrides file {path}, line {lineno}"
        if not row["org"]:
            raise FollowupError(f"{where}: org is required")
        if not row["period"] or not is_period(row["period"]):
            raise FollowupError(f"{where}: period must be a label such as 2023-Q1")
        try:
            row["source_row"] = int(row["source_row"] or "")
        except ValueError:
            raise FollowupError(f"{where}: source_row must be a whole number") from None
        status = (row["status"] or "").lower()
        if status not in STATUSES:
            raise FollowupError(
                f"{where}: status {row['status']!r} is not one of {', '.join(STATUSES)}"
            )
        row["status"] = status
        if not row["reason"]:
            raise FollowupError(f"{where}: a status correction needs a reason")
        records.append(row)
    return pl.DataFrame(records, schema=STATUS_SCHEMA, orient="row")


def load_status_overrides(path: str | Path) -> pl.DataFrame:
    """Read ``status.csv`` or raise a FollowupError naming the line that does not parse."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FollowupError(f"cannot read overrides file {path}: {exc}") from exc
    return parse_status_overrides(text, path)


# --------------------------------------------------------------------------- applying


def restore_overridden_status(snapshots: pl.DataFrame) -> pl.DataFrame:
    """Undo the overrides an earlier run wrote onto snapshot rows (before deriving again)."""
    if not set(OVERRIDE_COLUMNS) <= set(snapshots.columns):
        return snapshots
    was = pl.col("status_source_before_override").is_not_null()
    return snapshots.with_columns(
        status=pl.when(was).then(pl.col("status_before_override")).otherwise(pl.col("status")),
        status_source=pl.when(was)
        .then(pl.col("status_source_before_override"))
        .otherwise(pl.col("status_source")),
    ).drop(OVERRIDE_COLUMNS)


def apply_status_overrides(linked: pl.DataFrame, overrides: pl.DataFrame | None) -> pl.DataFrame:
    """Put each override's status on its row (the latest line per row wins); always adds
    ``OVERRIDE_COLUMNS``. The reason becomes the row's ``status_evidence``."""
    frame = linked.drop([c for c in OVERRIDE_COLUMNS if c in linked.columns])
    if overrides is None or overrides.is_empty():
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in OVERRIDE_COLUMNS)
    latest = (
        overrides.with_row_index("_line")
        .sort("_line")
        .group_by("org", "period", "source_row", maintain_order=True)
        .last()
        .select(
            "org",
            "period",
            "source_row",
            pl.col("status").alias("_ov_status"),
            pl.col("reason").alias("_ov_reason"),
        )
    )
    joined = frame.join(
        latest, on=["org", "period", "source_row"], how="left", maintain_order="left"
    )
    hit = pl.col("_ov_status").is_not_null()
    updates = [
        pl.when(hit).then(pl.col("status")).otherwise(None).alias("status_before_override"),
        pl.when(hit)
        .then(pl.col("status_source"))
        .otherwise(None)
        .alias("status_source_before_override"),
        pl.when(hit).then(pl.col("_ov_status")).otherwise(pl.col("status")).alias("status"),
        pl.when(hit)
        .then(pl.lit("override"))
        .otherwise(pl.col("status_source"))
        .alias("status_source"),
    ]
    if "status_evidence" in joined.columns:
        updates.append(
            pl.when(hit)
            .then(pl.col("_ov_reason"))
            .otherwise(pl.col("status_evidence"))
            .alias("status_evidence")
        )
    if "status_confidence" in joined.columns:
        updates.append(
            pl.when(hit)
            .then(pl.lit(1.0))
            .otherwise(pl.col("status_confidence"))
            .alias("status_confidence")
        )
    return joined.with_columns(updates).drop("_ov_status", "_ov_reason")


# --------------------------------------------------------------------------- writing


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / f".{path.name}.lock").open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _csv_line(values: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


def _append(path: Path, version_line: str, columns: tuple[str, ...], row: dict, parse) -> None:
    """Append one row under the file lock; the header gains missing columns; parse before
    and after; atomic replace."""
    with _locked(path):
        text = path.read_text(encoding="utf-8-sig") if path.exists() else ""
        if text.strip():
            parse(text)  # refuse to add to a file that does not parse
            lines = text.splitlines()
            at = 1 if lines[0].startswith("#") else 0
            header = next(csv.reader([lines[at]]))
            extra = [c for c in columns if c not in header]
            if extra:
                lines[at] = ",".join(header + extra)
                header += extra
            text = "\n".join(lines) + "\n"
        else:
            header = list(columns)
            text = f"{version_line}\n{','.join(header)}\n"
        text += _csv_line([row.get(c) for c in header])
        parse(text)  # the new file must parse as a whole, or nothing is written
        atomic_write_bytes(path, text.encode("utf-8"))


def append_link_decision(
    path: str | Path,
    org: str,
    action: str,
    activity_id: str,
    *,
    period: str | None = None,
    source_row: int | None = None,
    other_activity_id: str | None = None,
    note: str | None = None,
    decided_by: str | None = None,
) -> None:
    """Record one confirm/reject/merge in ``links.csv`` (see ``pipelines.link.linker``)."""
    path = Path(path)
    row = {
        "org": org,
        "action": action,
        "period": period,
        "source_row": source_row,
        "activity_id": activity_id,
        "other_activity_id": other_activity_id,
        "note": note,
        "decided_by": decided_by,
        "decided_at": _now(),
    }

    def parse(text: str) -> None:
        _parse_links_text(path, text)

    _append(path, OVERRIDES_HEADER, tuple(OVERRIDE_SCHEMA), row, parse)


def _parse_links_text(path: Path, text: str) -> pl.DataFrame:
    aside = path.parent / f".{path.name}.check"
    aside.write_text(text, encoding="utf-8")
    try:
        return load_overrides(aside)
    except FollowupError as error:
        raise FollowupError(str(error).replace(str(aside), str(path))) from None
    finally:
        aside.unlink(missing_ok=True)


def append_status_decision(
    path: str | Path,
    org: str,
    period: str,
    source_row: int,
    status: str,
    reason: str,
    decided_by: str | None = None,
) -> None:
    """Record one status correction in ``status.csv``."""
    path = Path(path)
    row = {
        "org": org,
        "period": period,
        "source_row": source_row,
        "status": status,
        "reason": reason,
        "decided_by": decided_by,
        "decided_at": _now(),
    }
    _append(
        path,
        STATUS_HEADER,
        tuple(STATUS_SCHEMA),
        row,
        lambda text: parse_status_overrides(text, path),
    )
