"""Timing: one activity's timeline on a lake of many orgs and periods.

Builds (once, cached in benchmarks/out/query_lake) a lake of ORGS synthetic orgs × PERIODS
quarters × ACTIVITIES activities with the real derivation (link, infer, transitions, delays,
promises), then times ``History.timeline(activity_id)`` against a full scan of every file, and
shows from the query plan that only the activity's org folder is read.

    uv run python benchmarks/query_timeline.py [--orgs 120 --periods 12 --activities 60]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

import polars as pl

from pipelines.derive.tables import history_tables, link_snapshots
from pipelines.lake.store import Lake, atomic_write_parquet
from pipelines.query import History
from pipelines.synthetic.simulate import simulate_orgs


def build(lake_dir: Path, orgs: int, periods: int, activities: int) -> None:
    rows = simulate_orgs(orgs, activities, periods, seed=7).drop("true_id")
    derived = link_snapshots(rows)
    lake = Lake(lake_dir)
    for (org, period), part in derived.snapshots.partition_by(
        ["org", "period"], as_dict=True
    ).items():
        atomic_write_parquet(part, lake.table_path("snapshots", org, period))
    names = sorted(derived.snapshots["org"].unique().to_list())
    for table, frame in {**derived.per_org(), **history_tables(derived.snapshots)}.items():
        lake.write_org_tables(table, frame, names)


def timed(function, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=120)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--activities", type=int, default=60)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    lake_dir = Path(__file__).parent / "out" / "query_lake"
    marker = lake_dir / f"built-{args.orgs}-{args.periods}-{args.activities}"
    if args.regenerate or not marker.exists():
        shutil.rmtree(lake_dir, ignore_errors=True)
        start = time.perf_counter()
        build(lake_dir, args.orgs, args.periods, args.activities)
        marker.touch()
        print(f"built the lake in {time.perf_counter() - start:.1f} s")
    files = len(list(lake_dir.rglob("*.parquet")))
    history = History(lake_dir)
    rows = history.snapshots().select(pl.len()).collect().item()
    print(
        f"lake: {args.orgs} orgs × {args.periods} periods, {rows:,} snapshot rows, "
        f"{files:,} Parquet files"
    )
    activity_id = (
        history.activities("synthetic-org-42" if args.orgs >= 42 else "synthetic-org-01")
        .sort("periods_seen", descending=True)
        .select("activity_id")
        .head(1)
        .collect()
        .item()
    )
    org = activity_id.split(":")[0]
    plan = history.timeline(activity_id).explain()
    other_orgs = [
        o
        for o in (f"synthetic-org-{k:02d}" for k in range(1, args.orgs + 1))
        if o != org and f"org={o}" in plan
    ]
    print(f"timeline({activity_id}): plan reads only org={org}: {not other_orgs}")
    one = timed(lambda: history.timeline(activity_id).collect())
    full = timed(
        lambda: (
            pl.scan_parquet(
                str(lake_dir / "snapshots/**/*.parquet"),
                hive_partitioning=True,
                extra_columns="ignore",
                missing_columns="insert",
            )
            .filter(pl.col("activity_id") == activity_id)
            .collect()
        ),
        repeat=3,
    )
    print(
        f"timeline query: {one * 1000:.0f} ms (median of 7); "
        f"the same filter over every snapshot file: {full * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
