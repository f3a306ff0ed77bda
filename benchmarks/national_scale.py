"""The whole pipeline at national scale (every region and municipality of Sweden), next to DuckDB.

A synthetic lake of 310 organisations × 12 quarters × ~150 activities (~560,000 snapshot rows),
simulated with ``pipelines.synthetic.simulate`` (light rewording, OCR noise, drops, new activities,
statuses, time promises in comments) and written as the lake writes it: one Parquet file per
org and period under ``snapshots/org=O/period=P/data.parquet``. A 13th quarter per org is kept
aside under ``incoming/`` for the incremental step. The lake is generated once (2 processes) and
reused by later runs; ``--regenerate`` makes it again.

Each step runs in its own process, so its peak memory (ru_maxrss) is its own:

- read: every snapshot file into one frame (``Lake.read_snapshots``)
- link: infer statuses + link all periods (``derive.link_snapshots``)
- transitions + delays: read ``history/data.parquet``, ``history.transitions`` + ``delays``
- duckdb: the same two tables in DuckDB SQL on the same Parquet file (window functions,
  gaps-and-islands), checked to be identical, row for row, to the project's (both timed as the
  best of 3 runs, from reading the file to a polars frame)
- promises: ``extract_promises`` + ``evaluate_promises``
- full rebuild: read snapshots → link → transitions, delays, promises → write history and the
  per-org tables (links, activities, transitions, delays, promises)
- add a quarter (history of 2 quarters, then of 12): read the new quarter → infer →
  ``linking.link_period`` → ``incremental.extend_history_tables`` → write the per-org tables

    uv run python benchmarks/national_scale.py [--orgs 310 --quarters 12 --activities 150]
        [--out benchmarks/out/national] [--regenerate] [--profile STEP]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import sys
import time
from pathlib import Path

import polars as pl

START_PERIOD = "2022-Q1"
DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "national"
TABLES = ("links", "activities", "transitions", "delays", "promises")

# --------------------------------------------------------------------------- generation


def org_name(k: int) -> str:
    return f"synthetic-org-{k + 1:03d}"


def _generate_orgs(root: str, orgs: list[int], quarters: int, activities: int) -> int:
    """Simulate ``quarters`` + 1 periods for each org; the last one goes to ``incoming/``."""
    from pipelines.lake.store import Lake, atomic_write_parquet
    from pipelines.synthetic.simulate import simulate_history, synthetic_start

    lake, incoming = Lake(Path(root) / "lake"), Lake(Path(root) / "incoming")
    rows = 0
    for k in orgs:
        name = org_name(k)
        start = synthetic_start(activities, seed=k, org=name, period=START_PERIOD)
        history = simulate_history(start, quarters + 1, seed=k, intensity="light").drop("true_id")
        periods = history["period"].unique(maintain_order=True).to_list()
        for i, period in enumerate(periods):
            target = lake if i < quarters else incoming
            part = history.filter(pl.col("period") == period)
            atomic_write_parquet(part, target.table_path("snapshots", name, period))
            rows += part.height
    return rows


def generate(out: Path, orgs: int, quarters: int, activities: int, regenerate: bool) -> dict:
    """The cached synthetic lake under ``out`` (made again when asked or when the size changed)."""
    marker = out / "_generated.json"
    wanted = {"orgs": orgs, "quarters": quarters, "activities": activities, "start": START_PERIOD}
    if marker.exists() and not regenerate:
        info = json.loads(marker.read_text())
        if all(info.get(k) == v for k, v in wanted.items()):
            info["cached"] = True
            return info
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    chunks = [list(range(i, orgs, 2)) for i in range(2)]
    with cf.ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
        futures = [
            pool.submit(_generate_orgs, str(out), c, quarters, activities) for c in chunks if c
        ]
        rows = sum(f.result() for f in futures)
    info = wanted | {"rows_with_incoming": rows, "seconds": time.perf_counter() - started}
    marker.write_text(json.dumps(info, indent=2))
    info["cached"] = False
    return info


# --------------------------------------------------------------------------- DuckDB

# Period order inside SQL: the period's end date, then its label (pipelines.core.periods).
_PERIOD_END = """last_day(make_date(cast(left(period, 4) as integer),
    case substr(period, 6, 1)
        when 'Q' then 3 * cast(substr(period, 7, 1) as integer)
        when 'T' then 4 * cast(substr(period, 7, 1) as integer)
        when 'H' then 6 * cast(substr(period, 7, 1) as integer)
        else 12 end, 1))"""

_BASE_SQL = f"""
create or replace temp view s as
    select org, activity_id, period, report_date, status,
           coalesce(completed, false) as completed
    from read_parquet('{{path}}');
create or replace temp table periods as
    select org, period, max(report_date) as report_date,
           row_number() over (partition by org order by {_PERIOD_END}, period) - 1 as idx
    from s group by org, period;
create or replace temp table w as
    with acts as (  -- one row per activity and period: the most severe known status wins
        select s.org, s.activity_id, s.period, p.report_date, p.idx,
               max(case s.status when 'green' then 0 when 'yellow' then 1
                                 when 'red' then 2 else -1 end) as rnk,
               bool_or(s.completed) as completed
        from s join periods p using (org, period)
        group by all
    )
    select *,
        case rnk when 0 then 'green' when 1 then 'yellow' when 2 then 'red'
                 else 'unknown' end as status,
        lag(idx) over g as prev_idx, lag(period) over g as prev_period,
        lag(report_date) over g as prev_date, lag(rnk) over g as prev_rnk,
        lag(completed) over g as prev_completed, lead(idx) over g as next_idx
    from acts
    window g as (partition by org, activity_id order by idx);
"""

TRANSITIONS_SQL = """
select org, activity_id, from_period, to_period, from_status, to_status, change, days
from (
    select w.org, w.activity_id,
        case when prev_idx is null then b.period else prev_period end as from_period,
        w.period as to_period,
        case prev_rnk when 0 then 'green' when 1 then 'yellow' when 2 then 'red'
                      when -1 then 'unknown' end as from_status,
        w.status as to_status,
        case when prev_idx is null then 'new'
             when prev_idx < w.idx - 1 or (prev_completed and not completed) then 'reopened'
             when prev_rnk < 0 or rnk < 0 then 'unchanged'
             when rnk < prev_rnk then 'improved'
             when rnk > prev_rnk then 'worsened'
             else 'unchanged' end as change,
        w.report_date - case when prev_idx is null then b.report_date else prev_date end as days,
        2 * w.idx as ord
    from w left join periods b on b.org = w.org and b.idx = w.idx - 1
    union all
    select w.org, w.activity_id, w.period, a.period, w.status, null,
        case when completed then 'completed' else 'dropped' end,
        a.report_date - w.report_date,
        2 * w.idx + 1
    from w join periods a on a.org = w.org and a.idx = w.idx + 1
    where next_idx is null or next_idx > w.idx + 1
)
order by org, activity_id, ord
"""

# Gaps and islands: a run starts at a green period, after a gap and at the first appearance;
# unknown neither starts nor extends it.
DELAYS_SQL = """
with runs as (
    select *, sum(case when prev_idx is null or prev_idx <> idx - 1 or rnk = 0 then 1 else 0 end)
              over (partition by org, activity_id order by idx rows unbounded preceding) as run
    from w
), counted as (
    select org, activity_id, period, report_date, status, idx, rnk > 0 as off_plan,
        sum(case when rnk > 0 then 1 else 0 end) over r as periods_off_plan,
        first_value(case when rnk > 0 then report_date end ignore nulls) over r as first_off
    from runs
    window r as (partition by org, activity_id, run order by idx
                 rows between unbounded preceding and current row)
)
select org, activity_id, period, report_date, status, off_plan,
    cast(periods_off_plan as bigint) as periods_off_plan,
    case when periods_off_plan > 0 then first_off end as off_plan_since,
    report_date - case when periods_off_plan > 0 then first_off end as days_off_plan
from counted
order by org, activity_id, idx
"""


def duckdb_history(path: str | Path, threads: int | None = None) -> dict[str, pl.DataFrame]:
    """Transitions and delays of linked snapshot rows in a Parquet file (or glob), in DuckDB."""
    import duckdb

    from pipelines.derive.history import DELAY_SCHEMA, TRANSITION_SCHEMA

    con = duckdb.connect()
    if threads:
        con.execute(f"set threads = {int(threads)}")
    quoted = str(path).replace("'", "''")
    for statement in _BASE_SQL.split(";"):
        if statement.strip():
            con.execute(statement.replace("{path}", quoted))
    return {
        "transitions": con.sql(TRANSITIONS_SQL).pl().cast(TRANSITION_SCHEMA),
        "delays": con.sql(DELAYS_SQL).pl().cast(DELAY_SCHEMA),
    }


def differences(project: pl.DataFrame, other: pl.DataFrame) -> str | None:
    """None when both frames hold the same rows in the same order, else what differs."""
    if project.columns != other.columns:
        return f"columns {project.columns} != {other.columns}"
    if project.height != other.height:
        return f"{project.height} rows != {other.height} rows"
    for col in project.columns:
        diff = project[col].ne_missing(other[col])
        if diff.any():
            i = diff.arg_true()[0]
            return f"row {i} column {col}: {project.row(i)} != {other.row(i)}"
    return None


# --------------------------------------------------------------------------- steps


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _paths(out: Path) -> dict[str, Path]:
    work = out / "work"
    return {
        "lake": out / "lake",
        "incoming": out / "incoming",
        "work": work,
        "history": out / "lake" / "history" / "data.parquet",
        "links": work / "links.parquet",
        "activities": work / "activities.parquet",
        **{name: work / f"{name}.parquet" for name in ("transitions", "delays", "promises")},
    }


def write_org_tables(lake, tables: dict[str, pl.DataFrame]) -> int:
    """What the Dagster assets do after deriving: one file per org and table."""
    files = 0
    for name, frame in tables.items():
        orgs = sorted(frame["org"].unique().to_list())
        files += lake.write_org_tables(name, frame, orgs)
    return files


def step_read(out: Path) -> dict:
    from pipelines.lake.store import Lake

    started = time.perf_counter()
    snapshots, columns = Lake(_paths(out)["lake"]).read_snapshots()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": snapshots.height, "files": len(columns)}


def step_link(out: Path) -> dict:
    from pipelines.derive.tables import link_snapshots
    from pipelines.lake.store import Lake, atomic_write_parquet

    p = _paths(out)
    snapshots, _ = Lake(p["lake"]).read_snapshots()
    started = time.perf_counter()
    derived = link_snapshots(snapshots)
    seconds = time.perf_counter() - started
    atomic_write_parquet(derived.snapshots, p["history"])
    atomic_write_parquet(derived.links, p["links"])
    atomic_write_parquet(derived.activities, p["activities"])
    methods = dict(derived.links.group_by("method").len().sort("method").iter_rows())
    return {"seconds": seconds, "rows": derived.snapshots.height, "methods": methods}


REPEAT = 3  # the project/DuckDB comparison takes the best of 3 runs of each (a busy machine)


def step_transitions_delays(out: Path) -> dict:
    from pipelines.derive.history import delays, transitions
    from pipelines.lake.store import atomic_write_parquet

    p = _paths(out)
    best = None
    for _ in range(REPEAT):
        started = time.perf_counter()
        linked = pl.read_parquet(p["history"])
        read = time.perf_counter() - started
        t0 = time.perf_counter()
        trans = transitions(linked)
        t1 = time.perf_counter()
        dels = delays(linked)
        t2 = time.perf_counter()
        if best is None or t2 - started < best[0]:
            best = (t2 - started, read, t1 - t0, t2 - t1)
    seconds, read, t_trans, t_delays = best
    atomic_write_parquet(trans, p["transitions"])
    atomic_write_parquet(dels, p["delays"])
    return {
        "seconds": seconds,
        "read": read,
        "transitions": t_trans,
        "delays": t_delays,
        "rows": f"{trans.height:,} transitions, {dels.height:,} delays",
    }


def step_duckdb(out: Path) -> dict:
    p = _paths(out)
    seconds = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = duckdb_history(p["history"])
        seconds = min(seconds, time.perf_counter() - started)
    checks = {
        name: differences(pl.read_parquet(p[name]), result[name]) or "identical"
        for name in ("transitions", "delays")
    }
    return {"seconds": seconds, "checks": checks}


def step_promises(out: Path) -> dict:
    from pipelines.derive.promises import evaluate_promises, extract_promises
    from pipelines.lake.store import atomic_write_parquet

    p = _paths(out)
    linked = pl.read_parquet(p["history"])
    started = time.perf_counter()
    made = extract_promises(linked)
    t1 = time.perf_counter()
    evaluated = evaluate_promises(linked, made)
    seconds = time.perf_counter() - started
    atomic_write_parquet(evaluated, p["promises"])
    return {
        "seconds": seconds,
        "extract": t1 - started,
        "evaluate": seconds - (t1 - started),
        "rows": f"{evaluated.height:,} promises",
    }


def step_rebuild(out: Path) -> dict:
    from pipelines.derive.tables import history_tables, link_snapshots
    from pipelines.lake.store import Lake, atomic_write_parquet

    p = _paths(out)
    lake = Lake(p["lake"])
    for name in TABLES:  # a rebuild from scratch: no earlier table files to compare with
        shutil.rmtree(lake.root / name, ignore_errors=True)
    marks = [("start", time.perf_counter())]
    snapshots, _ = lake.read_snapshots()
    marks.append(("read", time.perf_counter()))
    derived = link_snapshots(snapshots)
    marks.append(("link", time.perf_counter()))
    tables = history_tables(derived.snapshots)
    marks.append(("tables", time.perf_counter()))
    atomic_write_parquet(derived.snapshots, p["history"])
    files = write_org_tables(lake, derived.per_org() | tables)
    marks.append(("write", time.perf_counter()))
    parts = {name: t - marks[i][1] for i, (name, t) in enumerate(marks[1:])}
    return {"seconds": marks[-1][1] - marks[0][1], **parts, "files": files}


def _prepare_short_history(out: Path, quarters: int) -> tuple:
    """Linked history and tables of the first ``quarters`` quarters (not timed)."""
    from pipelines.derive.tables import history_tables, link_snapshots
    from pipelines.lake.store import Lake
    from pipelines.link.linker import LinkResult

    lake = Lake(_paths(out)["lake"])
    periods = sorted({period for _, period in lake.periods("snapshots")})
    frames = [
        pl.read_parquet(lake.table_path("snapshots", org, period))
        for org, period in lake.periods("snapshots")
        if period in periods[:quarters]
    ]
    derived = link_snapshots(pl.concat(frames, how="diagonal_relaxed"))
    history = LinkResult(derived.links, derived.activities, derived.snapshots)
    new = [
        pl.read_parquet(lake.table_path("snapshots", org, period))
        for org, period in lake.periods("snapshots")
        if period == periods[quarters]
    ]
    return history, history_tables(derived.snapshots), pl.concat(new, how="diagonal_relaxed")


def _prepare_full_history(out: Path) -> tuple:
    from pipelines.lake.store import Lake
    from pipelines.link.linker import LinkResult

    p = _paths(out)
    history = LinkResult(
        pl.read_parquet(p["links"]), pl.read_parquet(p["activities"]), pl.read_parquet(p["history"])
    )
    tables = {name: pl.read_parquet(p[name]) for name in ("transitions", "delays", "promises")}
    incoming = Lake(p["incoming"])
    frames = [
        pl.read_parquet(incoming.table_path("snapshots", org, period))
        for org, period in incoming.periods("snapshots")
    ]
    return history, tables, pl.concat(frames, how="diagonal_relaxed")


def add_quarter(history, tables: dict, new_rows: pl.DataFrame) -> tuple[dict, dict]:
    """Infer, link and derive one new quarter onto a linked history; (tables, timings)."""
    from pipelines.derive.incremental import extend_history_tables
    from pipelines.derive.status_inference import infer_status
    from pipelines.derive.tables import ENRICHMENT_COLUMNS
    from pipelines.link.linker import link_period

    marks = [time.perf_counter()]
    base = new_rows.drop([c for c in ENRICHMENT_COLUMNS if c in new_rows.columns])
    linked = link_period(history, infer_status(base))
    marks.append(time.perf_counter())
    fresh = linked.snapshots_with_ids.join(
        new_rows.select("org", "period").unique(), on=["org", "period"], how="semi"
    )
    new_tables = extend_history_tables(history.snapshots_with_ids, tables, fresh)
    marks.append(time.perf_counter())
    out = {"links": linked.links, "activities": linked.activities, **new_tables}
    out["_snapshots"] = linked.snapshots_with_ids
    timings = {"link_period": marks[1] - marks[0], "tables": marks[2] - marks[1]}
    return out, timings


def _cold_caches() -> None:
    """Empty the per-text caches, as in a fresh process. Preparing the short history links and
    derives it in this process, which would otherwise leave the texts of its activities folded
    already and flatter the short history by ~1 s against the full one (read from files)."""
    from pipelines.derive.promises import _resolve_expression
    from pipelines.derive.status_inference import load_status_rules
    from pipelines.link.matching import match_key, normalise_text

    for cached in (match_key, normalise_text, _resolve_expression, load_status_rules):
        cached.cache_clear()


def step_add_quarter(out: Path, history_quarters: int, total_quarters: int) -> dict:
    from pipelines.lake.store import Lake

    if history_quarters >= total_quarters:
        history, tables, new_rows = _prepare_full_history(out)
    else:
        history, tables, new_rows = _prepare_short_history(out, history_quarters)
    target = Lake(_paths(out)["work"] / f"added_to_{history_quarters}q")
    shutil.rmtree(target.root, ignore_errors=True)
    _cold_caches()
    started = time.perf_counter()
    result, timings = add_quarter(history, tables, new_rows)
    snapshots = result.pop("_snapshots")
    t_write = time.perf_counter()
    files = write_org_tables(target, result)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        **timings,
        "write": seconds - (t_write - started),
        "files": files,
        "history_rows": history.snapshots_with_ids.height,
        "new_rows": new_rows.height,
        "rows_after": snapshots.height,
    }


def run_step(name: str, fn, *args, profile: bool = False) -> dict:
    """Run one step in a fresh process: its own timing and its own peak memory."""
    with cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(_in_child, fn, args, profile).result()


def _in_child(fn, args, profile: bool) -> dict:
    import duckdb  # noqa: F401  imports are not what the steps measure
    import scipy.optimize  # noqa: F401  (the linker imports it lazily: 0.6 s)

    import pipelines.derive.tables  # noqa: F401

    if profile:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        result = prof.runcall(fn, *args)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
        result["profile"] = buf.getvalue()
    else:
        result = fn(*args)
    result["peak_mb"] = _peak_mb()
    return result


# --------------------------------------------------------------------------- report


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    python = sys.version.split()[0]
    return (
        f"{os.cpu_count()} cores ({model}), {pages / 2**30:.0f} GiB RAM, "
        f"Python {python}, polars {pl.__version__}"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orgs", type=int, default=310)
    ap.add_argument("--quarters", type=int, default=12)
    ap.add_argument("--activities", type=int, default=150)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--short-history", type=int, default=2, help="quarters in the short history")
    ap.add_argument("--profile", help="print a cProfile of this step (e.g. rebuild, link)")
    args = ap.parse_args(argv)
    if args.quarters < args.short_history + 1:
        ap.error("--quarters must exceed --short-history")
    out = args.out.resolve()
    print(f"machine: {machine()}")
    info = generate(out, args.orgs, args.quarters, args.activities, args.regenerate)
    how = "reused" if info["cached"] else f"generated in {info['seconds']:.1f} s (2 processes)"
    print(
        f"lake: {out} — {args.orgs} orgs × {args.quarters} quarters × ~{args.activities} "
        f"activities, {how}\n"
    )
    steps = [
        ("read", "read snapshots (Lake.read_snapshots)", step_read, ()),
        ("link", "infer + link all periods", step_link, ()),
        ("transitions", "transitions + delays (project)", step_transitions_delays, ()),
        ("duckdb", "transitions + delays (DuckDB SQL)", step_duckdb, ()),
        ("promises", "promises (extract + evaluate)", step_promises, ()),
        ("rebuild", "full rebuild (read→link→tables→write)", step_rebuild, ()),
        (
            "add_short",
            f"add a quarter to {args.short_history} quarters",
            step_add_quarter,
            (args.short_history, args.quarters),
        ),
        (
            "add_full",
            f"add a quarter to {args.quarters} quarters",
            step_add_quarter,
            (args.quarters, args.quarters),
        ),
    ]
    results = {}
    print(f"{'step':<40} {'seconds':>8} {'peak MB':>8}  details")
    for key, label, fn, extra in steps:
        res = run_step(key, fn, out, *extra, profile=args.profile == key)
        results[key] = res
        details = {k: v for k, v in res.items() if k not in ("seconds", "peak_mb", "profile")}
        shown = ", ".join(
            f"{k} {v:.2f} s" if isinstance(v, float) else f"{k} {v}" for k, v in details.items()
        )
        print(f"{label:<40} {res['seconds']:8.2f} {res['peak_mb']:8.0f}  {shown}", flush=True)
        if "profile" in res:
            print(res["profile"])
    ratio = results["transitions"]["seconds"] / results["duckdb"]["seconds"]
    print(
        f"\nproject / DuckDB (read + transitions + delays): {ratio:.2f} "
        f"({'project faster' if ratio <= 1 else 'DuckDB faster'}); "
        f"results: {results['duckdb']['checks']}"
    )
    short, full = results["add_short"]["seconds"], results["add_full"]["seconds"]
    print(
        f"adding a quarter: {short:.2f} s onto {args.short_history} quarters, "
        f"{full:.2f} s onto {args.quarters} quarters (ratio {full / short:.2f})"
    )
    (out / "results.json").write_text(
        json.dumps(
            {k: {x: y for x, y in v.items() if x != "profile"} for k, v in results.items()},
            indent=2,
            default=str,
        )
    )


if __name__ == "__main__":
    main()
