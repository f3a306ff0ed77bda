"""Refresh one organisation's derived tables from its snapshots: what the per-org ``history`` and
history-table assets run (thin Dagster wrappers around :func:`link_org` and
:func:`write_org_history_tables`), and what ``followup rebuild`` runs for every organisation in
parallel (:func:`derive_orgs`).

Linking, statuses, transitions, delays and promises never look across organisations, so each
organisation is derived on its own, under its own lock: a new file of one organisation re-derives
that organisation only, and organisations do not wait for each other.

:func:`link_org` reads the org's current, unblocked snapshots (finishing interrupted commits
first), links them and writes the enrichment back onto the snapshots, then ``links/``,
``activities/`` and ``history/org=O/period=P/`` (a file per period, rewritten only where it
changed). :func:`write_org_history_tables` writes transitions, delays and promises and, last,
``history/org=O/_derived.json``: which file of each period the derived tables were made from. A
run killed before that record is written leaves the record of the previous refresh, so the next
``followup ingest`` of the same file knows the derive step of its period has not finished and
runs it again.

A lake written before per-org history (one ``history/data.parquet`` for every org) is moved to
this layout by :func:`migrate_legacy_history`, which every derive runs first: the same rows,
split by org and period.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from checks.schemas import TABLES
from pipelines.core.errors import FollowupError
from pipelines.derive.overrides import load_status_overrides
from pipelines.derive.tables import (
    ENRICHMENT_COLUMNS,
    DerivedTables,
    history_tables,
    link_snapshots,
)
from pipelines.lake.store import DATA_FILE, Lake, atomic_write_json, org_slug, remove_leftovers
from pipelines.link.linker import load_overrides

HISTORY_TABLES = ("transitions", "delays", "promises")
DERIVED_RECORD = "_derived.json"
# The layout before per-org history: every org's linked rows in one file, one record beside it.
LEGACY_HISTORY = Path("history") / DATA_FILE
LEGACY_RECORD = Path("history") / DERIVED_RECORD


def _empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=TABLES[table].polars_schema)


def _overrides(lake: Lake, overrides_path: Path | None):
    """(link overrides, status overrides); either None when its file is missing."""
    overrides_path = Path(overrides_path or lake.root / "overrides" / "links.csv")
    links = load_overrides(overrides_path) if overrides_path.exists() else None
    status_path = overrides_path.parent / "status.csv"
    status = load_status_overrides(status_path) if status_path.exists() else None
    return links, status


@contextlib.contextmanager
def _locked(lake: Lake, orgs: list[str]) -> Iterator[None]:
    """The locks of these orgs, taken in name order (so two callers never wait for each
    other in a circle)."""
    with contextlib.ExitStack() as stack:
        for org in sorted(orgs):
            stack.enter_context(lake.lock(org))
        yield


def _slugs(lake: Lake, orgs: list[str]) -> list[str]:
    slugs = sorted({org_slug(o) for o in orgs})
    for org in slugs:
        if not lake.periods("raw", org) and not lake.periods("snapshots", org):
            raise FollowupError(f"{lake.root}: no reports of {org} in the lake; ingest one first")
    return slugs


def link_orgs(
    lake: Lake, orgs: list[str], overrides_path: Path | None = None
) -> tuple[DerivedTables, int]:
    """Link these orgs' unblocked snapshots (each org on its own: the linker never looks
    across organisations); write their links/, activities/, the snapshots' derived columns and
    history/org=O/. Returns the derived tables and how many snapshot files changed. An org
    whose periods are all blocked gets empty tables, not stale ones.

    Link overrides come from ``overrides_path`` (default ``<lake>/overrides/links.csv``), status
    corrections from ``status.csv`` beside it; either may be missing."""
    migrate_legacy_history(lake)
    orgs = _slugs(lake, orgs)
    links, status = _overrides(lake, overrides_path)
    with _locked(lake, orgs):
        snapshots, columns = lake.read_snapshots(orgs)
        if snapshots.is_empty():
            derived = DerivedTables(_empty("history"), _empty("links"), _empty("activities"))
        else:
            derived = link_snapshots(snapshots, links, status_overrides=status)
        rewritten = lake.update_snapshots(
            derived.snapshots, columns, list(ENRICHMENT_COLUMNS), before=snapshots
        )
        for table, frame in derived.per_org().items():
            lake.write_org_tables(table, frame, orgs)
        lake.write_period_tables("history", derived.snapshots, orgs)
    return derived, rewritten


def link_org(lake: Lake, org: str, overrides_path: Path | None = None):
    """:func:`link_orgs` of one org (what the per-org ``history`` asset runs)."""
    return link_orgs(lake, [org], overrides_path)


def history_files(lake: Lake, org: str | None = None) -> list[Path]:
    """The history's files: one per org and period (of one org)."""
    pattern = f"org={org_slug(org)}" if org else "org=*"
    return sorted((lake.root / "history").glob(f"{pattern}/period=*/{DATA_FILE}"))


def read_history(lake: Lake, org: str | list[str] | None = None) -> pl.DataFrame:
    """The linked snapshot rows (of one org, or of these), ordered by org, period, source row."""
    if isinstance(org, list):
        files = [f for o in sorted(set(org)) for f in history_files(lake, o)]
    else:
        files = history_files(lake, org)
    if not files:
        return _empty("history")
    return (
        pl.scan_parquet(files, hive_partitioning=False)
        .collect()
        .sort("org", "period", "source_row")
    )


def write_history_tables(lake: Lake, orgs: list[str]) -> dict[str, tuple[pl.DataFrame, int]]:
    """Transitions, delays and promises of these orgs from their history; then each org's
    record of what they were derived from. Returns table → (frame, files rewritten)."""
    orgs = sorted({org_slug(o) for o in orgs})
    with _locked(lake, orgs):
        linked = read_history(lake, orgs)
        tables = (
            history_tables(linked)
            if linked.height
            else {name: _empty(name) for name in HISTORY_TABLES}
        )
        written = {
            name: (frame, lake.write_org_tables(name, frame, orgs))
            for name, frame in tables.items()
        }
        made_from = linked.select("org", "period", "source_sha256").unique()
        for org in orgs:
            part = made_from.filter(pl.col("org") == org).sort("period")
            sources = dict(part.select("period", "source_sha256").iter_rows())
            remove_leftovers(_record_path(lake, org).parent)  # of a writer killed here
            if not _record_path(lake, org).exists() or derived_from(lake, org) != sources:
                atomic_write_json(_record_path(lake, org), sources)
    return written


def write_org_history_tables(lake: Lake, org: str) -> dict[str, tuple[pl.DataFrame, int]]:
    """:func:`write_history_tables` of one org (what the per-org table assets run)."""
    return write_history_tables(lake, [org])


def derive(lake: Lake, orgs: list[str], overrides_path: Path | None = None) -> list[dict]:
    """Everything derived of these orgs, from their snapshots; a summary per org."""
    derived, _ = link_orgs(lake, orgs, overrides_path)
    tables = write_history_tables(lake, orgs)

    def count(frame: pl.DataFrame) -> dict[str, int]:
        return dict(frame.group_by("org").len().iter_rows()) if frame.height else {}

    rows, activities = count(derived.snapshots), count(derived.activities)
    review = (
        dict(derived.links.group_by("org").agg(pl.col("needs_review").sum()).iter_rows())
        if derived.links.height
        else {}
    )
    per_table = {name: count(frame) for name, (frame, _) in tables.items()}
    return [
        {
            "org": org,
            "rows": rows.get(org, 0),
            "activities": activities.get(org, 0),
            "needs_review": int(review.get(org, 0)),
            **{name: counts.get(org, 0) for name, counts in per_table.items()},
        }
        for org in sorted({org_slug(o) for o in orgs})
    ]


def derive_org(lake: Lake, org: str, overrides_path: Path | None = None) -> dict:
    """Everything derived of one org, from its snapshots; a summary of what was written."""
    return derive(lake, [org], overrides_path)[0]


def _derive_chunk(root: str, orgs: list[str], overrides_path: str | None) -> list[dict]:
    return derive(Lake(root), orgs, Path(overrides_path) if overrides_path else None)


# Organisations derived together in one call: each is still linked on its own, but reading,
# validating (pandera costs ~15 ms a call) and polars' per-call overheads are paid once per
# chunk, not once per organisation.
CHUNK_ORGS = 32


def derive_orgs(
    lake: Lake,
    orgs: list[str] | None = None,
    overrides_path: Path | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Derive every org (or these) again, chunks of organisations in parallel processes (one
    per core by default); returns one summary per org, in org order. ``progress(done, total)``
    is called as organisations finish."""
    migrate_legacy_history(lake)
    orgs = sorted({org_slug(o) for o in (orgs if orgs is not None else lake.orgs())})
    if not orgs:
        return []
    workers = max(1, workers or os.cpu_count() or 1)
    # chunks small enough to keep every worker busy to the end, large enough to amortise
    size = max(1, min(CHUNK_ORGS, -(-len(orgs) // (workers * 2))))
    chunks = [orgs[i : i + size] for i in range(0, len(orgs), size)]
    path = str(overrides_path) if overrides_path else None
    results: list[dict] = []
    if workers == 1 or len(chunks) == 1:
        for chunk in chunks:
            results.extend(_derive_chunk(str(lake.root), chunk, path))
            if progress:
                progress(len(results), len(orgs))
        return results
    # spawn, not fork: the parent may hold threads (polars' pool) that a fork would copy locked
    with cf.ProcessPoolExecutor(
        min(workers, len(chunks)), mp_context=mp.get_context("spawn")
    ) as pool:
        futures = [pool.submit(_derive_chunk, str(lake.root), chunk, path) for chunk in chunks]
        for future in cf.as_completed(futures):
            results.extend(future.result())
            if progress:
                progress(len(results), len(orgs))
    return sorted(results, key=lambda r: r["org"])


def _record_path(lake: Lake, org: str) -> Path:
    return lake.root / "history" / f"org={org_slug(org)}" / DERIVED_RECORD


def derived_from(lake: Lake, org: str) -> dict[str, str]:
    """period → the SHA-256 of the file the org's derived tables were last made from."""
    path = _record_path(lake, org)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    legacy = lake.root / LEGACY_RECORD  # a lake not yet moved to per-org history
    if legacy.exists():
        prefix = f"{org_slug(org)}/"
        record = json.loads(legacy.read_text(encoding="utf-8"))
        return {k[len(prefix) :]: v for k, v in record.items() if k.startswith(prefix)}
    return {}


def snapshot_is_current(lake: Lake, org: str, period: str) -> bool:
    """The period's current file is committed under this schema version and shown in
    snapshots/ (or blocked): its snapshot run has nothing left to do."""
    from checks.schemas import SCHEMA_VERSION

    registration = lake.current_registration(org, period)
    record = lake.committed_version(org, period)
    if registration is None or record is None:
        return False
    if (record["source_sha256"], record["report_date"]) != (
        registration.source_sha256,
        registration.report_date,
    ):
        return False
    if record.get("schema_version") != SCHEMA_VERSION:
        return False  # written by an older version: committed again in the current schema
    if lake.snapshot_version(org, period) != record:
        return False  # committed, not yet switched into snapshots/ (an interrupted commit)
    return bool(record.get("blocked")) or lake.table_path("snapshots", org, period).exists()


def is_up_to_date(lake: Lake, org: str, period: str) -> bool:
    """The period's current file is committed, shown in snapshots/ and derived (or blocked,
    and then in no derived table)."""
    if not snapshot_is_current(lake, org, period):
        return False
    record = lake.committed_version(org, period)
    derived = derived_from(lake, org).get(record["period"])
    return derived is None if record.get("blocked") else derived == record["source_sha256"]


def stale_snapshots(lake: Lake) -> list[tuple[str, str]]:
    """Registered periods whose snapshot run has something left to do."""
    return [(o, p) for o, p in lake.periods("raw") if not snapshot_is_current(lake, o, p)]


def stale_orgs(lake: Lake) -> list[str]:
    """Organisations whose derived tables were not made from their current snapshots."""
    stale = []
    for org in lake.orgs():
        record = derived_from(lake, org)
        current = {}
        for _, period in lake.periods("snapshots", org):
            version = lake.snapshot_version(org, period)
            if version and not version.get("blocked"):
                current[version["period"]] = version["source_sha256"]
        if record != current:
            stale.append(org)
    return stale


def withdraw_blocked(lake: Lake, org: str, period: str, overrides_path: Path | None = None) -> bool:
    """A period that became blocked (a new file failed the check where an earlier one passed)
    leaves the derived tables now, not at some later run: derive its org again without it.
    Returns whether anything was rewritten."""
    if not lake.is_blocked(org, period) or period not in derived_from(lake, org):
        return False
    derive_org(lake, org, overrides_path)
    return True


def migrate_legacy_history(lake: Lake) -> bool:
    """Move an old lake's ``history/data.parquet`` (every org in one file) to the per-org,
    per-period layout, with its ``_derived.json`` split per org. The rows are the same; an org
    that already has per-org history (derived since) keeps it. Returns whether it moved."""
    legacy = lake.root / LEGACY_HISTORY
    if not legacy.exists():
        return False
    with lake.lock():
        if not legacy.exists():  # moved by another process meanwhile
            return False
        frame = pl.read_parquet(legacy)
        record_path = lake.root / LEGACY_RECORD
        record = json.loads(record_path.read_text("utf-8")) if record_path.exists() else {}
        orgs = set(frame["org"].unique().to_list()) | {k.split("/", 1)[0] for k in record}
        with _locked(lake, list(orgs)):
            todo = [
                org
                for org in sorted(orgs)
                if not history_files(lake, org) and not _record_path(lake, org).exists()
            ]
            lake.write_period_tables("history", frame.filter(pl.col("org").is_in(todo)), todo)
            for org in todo:
                prefix = f"{org}/"
                part = {k[len(prefix) :]: v for k, v in record.items() if k.startswith(prefix)}
                atomic_write_json(_record_path(lake, org), part)
        legacy.unlink()
        record_path.unlink(missing_ok=True)
    return True
