"""What the review page shows, read from the lake with polars (no web framework here).

The queue holds every link in the review band (``needs_review``) and every ``new`` row whose
best candidate scored at least ``NEAR_NEW`` points (a link the linker may have missed), minus
rows an analyst has already decided in ``overrides/links.csv``. Each item carries both texts,
units, goal areas, comments and scores, and the best candidates side by side. Columns another
linker may add to the links table (``probability``, ``evidence``, ``alternatives``) are shown
when present, never required.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.core.periods import period_sort_key
from pipelines.lake.store import Lake
from pipelines.link.linker import load_config, review_candidates

# A `new` row whose best candidate scored this much is shown for review (the review band starts
# at linking.yaml's `review`, 80: ten points below it is "close").
NEAR_NEW = 70.0
OPTIONAL_LINK_COLUMNS = ("probability", "evidence", "alternatives")
ROW_COLUMNS = ("activity", "unit", "goal_area", "comment", "status", "status_source")


@dataclass
class Candidate:
    rank: int
    activity_id: str
    period: str
    text: str
    unit: str | None
    goal_area: str | None
    comment: str | None
    score: float | None
    is_current: bool


@dataclass
class QueueItem:
    org: str
    period: str
    source_row: int
    activity: str
    unit: str | None
    goal_area: str | None
    comment: str | None
    linked_activity_id: str
    method: str
    score: float | None
    own_id: str  # the id the row gets when marked as a new activity
    extra: dict = field(default_factory=dict)  # optional linker columns
    candidates: list[Candidate] = field(default_factory=list)


def _scan(root: Path, table: str) -> pl.DataFrame:
    files = sorted((root / table).rglob("*.parquet"))
    files = [f for f in files if f.stat().st_size > 0]
    if not files:
        return pl.DataFrame()
    return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")


def snapshots(root: Path, org: str | None = None) -> pl.DataFrame:
    frame = _scan(root, "snapshots")
    if org and not frame.is_empty():
        frame = frame.filter(pl.col("org") == org)
    return frame


def links(root: Path, org: str | None = None) -> pl.DataFrame:
    frame = _scan(root, "links")
    if org and not frame.is_empty():
        frame = frame.filter(pl.col("org") == org)
    return frame


def decided_rows(overrides: pl.DataFrame | None) -> set[tuple[str, str, int]]:
    if overrides is None or overrides.is_empty():
        return set()
    rows = overrides.filter(pl.col("source_row").is_not_null())
    return set(rows.select("org", "period", "source_row").iter_rows())


def review_queue(
    root: Path,
    org: str | None = None,
    overrides: pl.DataFrame | None = None,
    n: int = 3,
) -> list[QueueItem]:
    """The links an analyst should look at, best candidates first (see the module docstring)."""
    link_rows, snaps = links(root, org), snapshots(root, org)
    if link_rows.is_empty() or snaps.is_empty() or "activity_id" not in snaps.columns:
        return []
    cfg = load_config()
    near = (pl.col("method") == "new") & (pl.col("score").fill_null(0) >= NEAR_NEW)
    flagged = link_rows.with_columns(needs_review=pl.col("needs_review") | near)
    decided = decided_rows(overrides)
    if decided:
        keys = pl.DataFrame(
            list(decided),
            schema={"org": pl.String, "period": pl.String, "source_row": pl.Int64},
            orient="row",
        )
        flagged = flagged.join(keys, on=["org", "period", "source_row"], how="anti")
    candidates = review_candidates(flagged, snaps, n=n, config=cfg)
    if candidates.is_empty():
        return []
    by_row = {
        (r["org"], r["period"], r["source_row"]): r
        for r in snaps.select("org", "period", "source_row", *ROW_COLUMNS).iter_rows(named=True)
    }
    by_link = {(r["org"], r["period"], r["source_row"]): r for r in flagged.iter_rows(named=True)}
    latest = {
        (r["org"], r["activity_id"], r["period"]): r
        for r in snaps.select("org", "activity_id", "period", *ROW_COLUMNS).iter_rows(named=True)
    }
    items = []
    for group in candidates.partition_by(["org", "period", "source_row"], maintain_order=True):
        first = group.row(0, named=True)
        key = (first["org"], first["period"], first["source_row"])
        row, link = by_row.get(key, {}), by_link.get(key, {})
        item = QueueItem(
            org=key[0],
            period=key[1],
            source_row=key[2],
            activity=first["activity"],
            unit=row.get("unit"),
            goal_area=row.get("goal_area"),
            comment=row.get("comment"),
            linked_activity_id=first["linked_activity_id"],
            method=link.get("method", ""),
            score=first["link_score"],
            own_id=f"{key[0]}:{key[1]}:{key[2]:03d}",
            extra={c: link[c] for c in OPTIONAL_LINK_COLUMNS if link.get(c) is not None},
        )
        for cand in group.iter_rows(named=True):
            other = latest.get(
                (key[0], cand["candidate_activity_id"], cand["candidate_period"]), {}
            )
            item.candidates.append(
                Candidate(
                    rank=cand["rank"],
                    activity_id=cand["candidate_activity_id"],
                    period=cand["candidate_period"],
                    text=cand["candidate_text"] or "",
                    unit=other.get("unit"),
                    goal_area=other.get("goal_area"),
                    comment=other.get("comment"),
                    score=cand["candidate_score"],
                    is_current=cand["is_current"],
                )
            )
        items.append(item)
    items.sort(key=lambda i: (i.org, period_sort_key(i.period), i.source_row))
    return items


def row_state(root: Path, org: str, period: str, source_row: int) -> dict | None:
    """One snapshot row with its link, as the page shows it after a decision."""
    snaps = snapshots(root, org)
    if snaps.is_empty():
        return None
    found = snaps.filter((pl.col("period") == period) & (pl.col("source_row") == source_row))
    if found.is_empty():
        return None
    state = found.row(0, named=True)
    link = links(root, org)
    if not link.is_empty():
        hit = link.filter((pl.col("period") == period) & (pl.col("source_row") == source_row))
        if not hit.is_empty():
            state["link"] = hit.row(0, named=True)
    return state


def period_overview(lake: Lake) -> list[dict]:
    """Every (org, period) with its file, version, rows, quarantine and whether it is linked
    into the history (a period stopped by a blocking check is not)."""
    from pipelines.derive.refresh import history_files

    # history/org=O/period=P/data.parquet: which periods are linked, without reading a file
    linked = {(f.parent.parent.name[4:], f.parent.name[7:]) for f in history_files(lake)}
    out = []
    registered = set(lake.periods("raw")) | set(lake.periods("snapshots"))
    for org, period in sorted(registered, key=lambda k: (k[0], period_sort_key(k[1]))):
        version = lake.snapshot_version(org, period) or {}
        current = lake.current_registration(org, period)
        stale = bool(current and version.get("source_sha256") != current.source_sha256)
        reports = lake.partition_dir("reports", org, period)
        out.append(
            {
                "org": org,
                "period": period,
                "file": version.get("source_file") or (current.source_file if current else ""),
                "version": version.get("version"),
                "rows": version.get("rows"),
                "quarantined": version.get("quarantined"),
                "warnings": version.get("warnings"),
                "committed_at": version.get("committed_at"),
                "in_history": (org, period) in linked,
                "blocked": stale or (bool(version) and (org, period) not in linked),
                "reports": sorted(p.name for p in reports.glob("uppfoljning.*"))
                if reports.exists()
                else [],
            }
        )
    return out


def quarantine(lake: Lake, org: str, period: str) -> pl.DataFrame:
    path = lake.table_path("quarantine", org, period)
    return pl.read_parquet(path) if path.exists() else pl.DataFrame()


def _open_status() -> pl.Expr:
    source = pl.col("status_source")
    return source.is_in(["inferred", "absent", "override"]) | (pl.col("status") == "unknown")


def open_status_counts(root: Path, org: str) -> dict[str, int]:
    """Per period, how many rows ``status_rows`` would list."""
    snaps = snapshots(root, org)
    if snaps.is_empty():
        return {}
    counts = snaps.filter(_open_status()).group_by("period").len()
    return dict(counts.iter_rows())


def status_rows(root: Path, org: str, period: str) -> pl.DataFrame:
    """The rows of one period whose status an analyst may want to set: inferred, absent or
    unknown ones, and those already overridden."""
    snaps = snapshots(root, org)
    if snaps.is_empty():
        return snaps
    return snaps.filter((pl.col("period") == period) & _open_status()).sort("source_row")


def timeline(root: Path, activity_id: str) -> pl.DataFrame:
    org = activity_id.split(":", 1)[0]
    snaps = snapshots(root, org)
    if snaps.is_empty() or "activity_id" not in snaps.columns:
        return pl.DataFrame()
    rows = snaps.filter(pl.col("activity_id") == activity_id)
    order = {p: i for i, p in enumerate(sorted(set(rows["period"]), key=period_sort_key))}
    return rows.sort(pl.col("period").replace_strict(order, return_dtype=pl.Int64))


def link_decision_problem(
    root: Path,
    overrides: pl.DataFrame | None,
    org: str,
    action: str,
    period: str | None,
    source_row: int | None,
    activity_id: str,
    other_activity_id: str | None = None,
) -> str | None:
    """Why the linker would refuse this decision on the next run (None: it will not), checked
    before it is written so that one click never leaves every later run failing."""
    snaps = snapshots(root, org)
    if action == "merge" and not snaps.is_empty() and "activity_id" in snaps.columns:
        both = (
            snaps.filter(pl.col("activity_id").is_in([activity_id, other_activity_id]))
            .group_by("period")
            .agg(pl.col("activity_id").n_unique().alias("n"))
            .filter(pl.col("n") > 1)
        )
        if not both.is_empty():
            return (
                f"{activity_id} och {other_activity_id} finns båda i {both['period'][0]}: "
                "de kan inte vara samma aktivitet"
            )
    if action == "confirm" and overrides is not None and not overrides.is_empty():
        latest = (
            overrides.filter((pl.col("org") == org) & (pl.col("action") == "confirm"))
            .group_by("period", "source_row", maintain_order=True)
            .last()
        )
        clash = latest.filter(
            (pl.col("period") == period)
            & (pl.col("activity_id") == activity_id)
            & (pl.col("source_row") != source_row)
        )
        if not clash.is_empty():
            return f"rad {clash['source_row'][0]} i {period} är redan bekräftad som {activity_id}"
    return None
