"""Refresh the lake's derived tables from its snapshots: what the ``history`` and history-table
assets run (thin Dagster wrappers around these two functions).

:func:`link_lake` reads every current, unblocked snapshot (finishing interrupted commits first),
links them and writes the enrichment back onto the snapshots, then ``links/``, ``activities/``
and ``history/data.parquet``. :func:`write_history_tables` writes transitions, delays and
promises from that history and, last, ``history/_derived.json``: which file of each period the
derived tables were made from. A run killed before that record is written leaves the record of
the previous refresh, so the next ``followup ingest`` of the same file knows the derive step of
its period has not finished and runs it again.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from checks.schemas import conform
from pipelines.core.errors import FollowupError
from pipelines.derive.overrides import load_status_overrides
from pipelines.derive.tables import (
    ENRICHMENT_COLUMNS,
    DerivedTables,
    history_tables,
    link_snapshots,
)
from pipelines.lake.store import (
    DATA_FILE,
    Lake,
    atomic_write_json,
    atomic_write_parquet,
    remove_leftovers,
)
from pipelines.link.linker import load_overrides

HISTORY_TABLES = ("transitions", "delays", "promises")
DERIVED_RECORD = "_derived.json"


def link_lake(lake: Lake, overrides_path: Path | None = None) -> tuple[DerivedTables, int]:
    """Link every unblocked snapshot; write links/, activities/, the snapshots' derived columns
    and history/data.parquet. Returns the derived tables and how many snapshot files changed.

    Link overrides come from ``overrides_path`` (default ``<lake>/overrides/links.csv``), status
    corrections from ``status.csv`` beside it; either may be missing."""
    snapshots, columns = lake.read_snapshots()
    if snapshots.is_empty():
        blocked = ", ".join(f"{o} {p}" for o, p in lake.blocked_periods())
        raise FollowupError(
            "no unblocked snapshots in the lake yet; ingest a report first"
            + (f" (blocked: {blocked})" if blocked else "")
        )
    overrides_path = overrides_path or lake.root / "overrides" / "links.csv"
    overrides = load_overrides(overrides_path) if overrides_path.exists() else None
    status_path = overrides_path.parent / "status.csv"
    status_overrides = load_status_overrides(status_path) if status_path.exists() else None
    derived = link_snapshots(snapshots, overrides, status_overrides=status_overrides)
    # every org of the lake: one whose periods are all blocked gets empty tables, not stale ones
    orgs = sorted(set(derived.snapshots["org"].unique().to_list()) | set(lake.orgs()))
    rewritten = lake.update_snapshots(derived.snapshots, columns, list(ENRICHMENT_COLUMNS))
    for table, frame in derived.per_org().items():
        lake.write_org_tables(table, frame, orgs)
    with lake.lock():
        remove_leftovers(history_path(lake).parent)  # of a writer killed here
        atomic_write_parquet(conform(derived.snapshots, "history"), history_path(lake))
    return derived, rewritten


def history_path(lake: Lake) -> Path:
    return lake.root / "history" / DATA_FILE


def read_history(lake: Lake) -> pl.DataFrame:
    return pl.read_parquet(history_path(lake))


def write_history_tables(lake: Lake) -> dict[str, tuple[pl.DataFrame, int]]:
    """Transitions, delays and promises from history/data.parquet, one file per org; then the
    record of what they were derived from. Returns table → (frame, org files rewritten)."""
    linked = read_history(lake)
    orgs = sorted(set(linked["org"].unique().to_list()) | set(lake.orgs()))
    written = {}
    for name, frame in history_tables(linked).items():
        written[name] = (frame, lake.write_org_tables(name, frame, orgs))
    sources = {
        f"{org}/{period}": sha
        for org, period, sha in linked.select("org", "period", "source_sha256")
        .unique()
        .sort("org", "period")
        .iter_rows()
    }
    with lake.lock():
        atomic_write_json(lake.root / "history" / DERIVED_RECORD, sources)
    return written


def derived_from(lake: Lake) -> dict[str, str]:
    """org/period → the SHA-256 of the file the derived tables were last made from."""
    path = lake.root / "history" / DERIVED_RECORD
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def is_up_to_date(lake: Lake, org: str, period: str) -> bool:
    """The period's current file is committed, shown in snapshots/ and derived (or blocked,
    and then in no derived table)."""
    registration = lake.current_registration(org, period)
    record = lake.committed_version(org, period)
    if registration is None or record is None:
        return False
    if (record["source_sha256"], record["report_date"]) != (
        registration.source_sha256,
        registration.report_date,
    ):
        return False
    if lake.snapshot_version(org, period) != record:
        return False  # committed, not yet switched into snapshots/ (an interrupted commit)
    derived = derived_from(lake).get(f"{org}/{period}")
    return derived is None if record.get("blocked") else derived == record["source_sha256"]


def withdraw_blocked(lake: Lake, org: str, period: str, overrides_path: Path | None = None) -> bool:
    """A period that became blocked (a new file failed the check where an earlier one passed)
    leaves the derived tables now, not at some later run: derive everything again without it.
    Returns whether anything was rewritten."""
    if not lake.is_blocked(org, period) or f"{org}/{period}" not in derived_from(lake):
        return False
    try:
        link_lake(lake, overrides_path)
    except FollowupError:  # nothing unblocked is left: every derived table becomes empty
        from checks.schemas import TABLES

        orgs = lake.orgs()
        for table in ("links", "activities"):
            lake.write_org_tables(table, pl.DataFrame(schema=TABLES[table].polars_schema), orgs)
        with lake.lock():
            empty = pl.DataFrame(schema=TABLES["history"].polars_schema)
            atomic_write_parquet(conform(empty, "history"), history_path(lake))
    write_history_tables(lake)
    return True
