"""The whole pipeline at national scale (every region and municipality of Sweden), next to DuckDB,
and issue #15's figures through the ``followup`` CLI, printed side by side with their targets.

A synthetic lake of 310 organisations × 12 quarters × ~150 activities (~560,000 snapshot rows),
simulated with ``pipelines.synthetic.simulate`` (light rewording, OCR noise, drops, new activities,
statuses, time promises in comments) and put in the lake as an ingest puts it: each org × period
written as a CSV report, registered (``Lake.register_raw``: the file kept under ``raw/``) and
committed (``ingest.period.build_snapshot``: ``versions/``, ``snapshots/``, ``_version.json``),
in 2 processes; then ``followup rebuild`` (a subprocess) makes the derived tables. A 13th quarter
per org is kept aside: as snapshot rows under ``incoming/`` for the incremental steps, and as an
.xlsx report of its first ``--file-rows`` (120) rows under ``files/`` for the one-file ingest.
The lake is generated once and reused by later runs; ``--regenerate`` makes it again.

Each in-process step runs in its own process, so its peak memory (ru_maxrss) is its own; they
read the lake and write only under ``work/``:

- read: every snapshot file into one frame (``Lake.read_snapshots``)
- link: infer statuses + link all periods (``derive.link_snapshots``)
- transitions + delays: read the linked history, ``history.transitions`` + ``delays``
- duckdb: the same two tables in DuckDB SQL on the same Parquet file (window functions,
  gaps-and-islands), checked to be identical, row for row, to the project's (both timed as the
  best of 3 runs, from reading the file to a polars frame)
- promises: ``extract_promises`` + ``evaluate_promises``
- full rebuild: read snapshots → link → transitions, delays, promises → write history and the
  per-org tables (links, activities, transitions, delays, promises)
- add a quarter (history of 2 quarters, then of 12): read the new quarter → infer →
  ``linking.link_period`` → ``incremental.extend_history_tables`` → write the per-org tables

Then the CLI, one fresh ``followup`` process per figure (``benchmarks/national_e2e.py``): one
org's new .xlsx file by ``followup ingest`` into an empty lake and into a copy of the full lake
(best of ``--repeat``), ``followup sql "SELECT 1"`` (best of ``--sql-repeat``) and ``followup
rebuild`` on a copy of the full lake, whose tables are compared file by file with the original's.
The last line printed is one JSON object of those figures (``one_file_empty_s``,
``one_file_full_s``, ``one_file_full_peak_mb``, ``sql_select1_s``, ``rebuild_s``,
``transitions_delays_vs_duckdb``, ``orgs``, ``quarters``, …), also kept in ``results.json``.

    uv run python benchmarks/national_scale.py [--orgs 310 --quarters 12 --activities 150]
        [--file-rows 120] [--out benchmarks/out/national] [--regenerate] [--profile STEP]
        [--repeat 3] [--sql-repeat 5] [--issue-steps-only] [--timeout SECONDS]
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


def _generate_orgs(
    root: str, orgs: list[int], quarters: int, activities: int, file_rows: int
) -> int:
    """Simulate ``quarters`` + 1 periods for each org and put the first ``quarters`` into the lake
    as an ingest does: each period written as a CSV report, registered (``Lake.register_raw``
    keeps the file under raw/) and committed (``build_snapshot``: the reader's rows, validated,
    into versions/ and snapshots/). The last period is kept aside twice: as snapshot rows under
    ``incoming/`` (the add-a-quarter steps) and as an .xlsx report of its first ``file_rows``
    rows under ``files/`` (the one-file ingest through Dagster)."""
    import tempfile

    from pipelines.ingest.period import build_snapshot
    from pipelines.lake.store import Lake, atomic_write_parquet
    from pipelines.synthetic.demo_data import _write_csv, _write_xlsx
    from pipelines.synthetic.simulate import simulate_history, synthetic_start

    lake, incoming = Lake(Path(root) / "lake"), Lake(Path(root) / "incoming")
    files = Path(root) / "files"
    files.mkdir(parents=True, exist_ok=True)
    rows = 0
    with tempfile.TemporaryDirectory(dir=root) as scratch:
        for k in orgs:
            name = org_name(k)
            start = synthetic_start(activities, seed=k, org=name, period=START_PERIOD)
            history = simulate_history(start, quarters + 1, seed=k, intensity="light")
            history = history.drop("true_id")
            periods = history["period"].unique(maintain_order=True).to_list()
            for i, period in enumerate(periods):
                part = history.filter(pl.col("period") == period).sort("source_row")
                day = part["report_date"][0]
                stem = f"{name}_{period}_{day.isoformat()}_synthetic"
                rows += part.height
                if i == quarters:
                    atomic_write_parquet(part, incoming.table_path("snapshots", name, period))
                    title = f"Uppföljning {period} (SYNTETISKA DATA)"
                    _write_xlsx(part.head(file_rows), files / f"{stem}.xlsx", title)
                    continue
                report = Path(scratch) / f"{stem}.csv"
                _write_csv(part, report)
                lake.register_raw(report, name, period, day, "csv")
                outcome = build_snapshot(lake, name, period)
                if outcome["blocked"] or outcome["rejected"]:
                    raise RuntimeError(f"{name} {period}: {outcome}")
                report.unlink()
    return rows


def incoming_file(out: Path, org: str) -> tuple[Path, str, str]:
    """The org's kept-aside report file: (path, period, report date)."""
    (path,) = (out / "files").glob(f"{org}_*.xlsx")
    _, period, day, _ = path.stem.split("_")
    return path, period, day


def generate(
    out: Path,
    orgs: int,
    quarters: int,
    activities: int,
    regenerate: bool,
    file_rows: int = 120,
    timeout: float | None = None,
    derive: bool = True,
) -> dict:
    """The cached synthetic lake under ``out`` (made again when asked or when the size changed):
    registered and committed periods (2 processes), then its derived tables made by
    ``followup rebuild`` (a subprocess, timed apart; ``derive=False`` leaves them out, for the
    tests of the in-process steps, which need only the snapshots)."""
    from benchmarks.national_e2e import run_cli

    marker = out / "_generated.json"
    wanted = {
        "orgs": orgs,
        "quarters": quarters,
        "activities": activities,
        "file_rows": file_rows,
        "start": START_PERIOD,
        "layout": "registered+committed",
        "derived": derive,
    }
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
            pool.submit(_generate_orgs, str(out), c, quarters, activities, file_rows)
            for c in chunks
            if c
        ]
        rows = sum(f.result() for f in futures)
    committed = time.perf_counter() - started
    info = wanted | {"rows_with_incoming": rows, "seconds": committed, "derive_seconds": None}
    if derive:
        run = run_cli(["rebuild", "--lake", str(out / "lake")], out / "logs" / "derive", timeout)
        info["derive_seconds"] = run.check("followup rebuild (deriving the generated lake)").seconds
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
        "history": work / "history.parquet",  # the lake's own derived tables stay untouched
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
    lake, target = Lake(p["lake"]), Lake(p["work"] / "rebuilt")
    shutil.rmtree(target.root, ignore_errors=True)  # from scratch: no earlier files to compare
    marks = [("start", time.perf_counter())]
    snapshots, _ = lake.read_snapshots()
    marks.append(("read", time.perf_counter()))
    derived = link_snapshots(snapshots)
    marks.append(("link", time.perf_counter()))
    tables = history_tables(derived.snapshots)
    marks.append(("tables", time.perf_counter()))
    atomic_write_parquet(derived.snapshots, target.root / "history" / "data.parquet")
    files = write_org_tables(target, derived.per_org() | tables)
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


def targets(fig: dict) -> list[tuple[str, str, float, float | None, str, bool]]:
    """Rows of the side-by-side table: key, step, seconds, peak MB, target, met."""
    empty, full = fig["one_file_empty_s"], fig["one_file_full_s"]
    return [
        (
            "one_file_empty_s",
            f"one {fig['file_rows']}-row .xlsx into an empty lake (followup ingest)",
            empty,
            fig["one_file_empty_peak_mb"],
            "<= 3.5 s",
            empty <= 3.5,
        ),
        (
            "one_file_full_s",
            f"the same file into the {fig['orgs']} x {fig['quarters']} lake",
            full,
            fig["one_file_full_peak_mb"],
            f"<= 1.2 x empty = {1.2 * empty:.2f} s, <= 300 MB",
            full <= 1.2 * empty and fig["one_file_full_peak_mb"] <= 300,
        ),
        (
            "sql_select1_s",
            'followup sql "SELECT 1" on the full lake',
            fig["sql_select1_s"],
            fig["sql_select1_peak_mb"],
            "<= 1.0 s",
            fig["sql_select1_s"] <= 1.0,
        ),
        (
            "rebuild_s",
            f"followup rebuild, {fig['orgs']} orgs (tables equal: "
            f"{'yes' if fig['rebuild_tables_equal'] else 'NO'})",
            fig["rebuild_s"],
            fig["rebuild_peak_mb"],
            "<= 10 s (310 orgs, 2 cores), identical tables",
            fig["rebuild_s"] <= 10 and fig["rebuild_tables_equal"],
        ),
        (
            "transitions_delays_vs_duckdb",
            "transitions + delays, project / DuckDB (ratio)",
            fig["transitions_delays_s"],
            None,
            f"<= 0.6 x DuckDB (ratio {fig['transitions_delays_vs_duckdb']:.2f})",
            fig["transitions_delays_vs_duckdb"] <= 0.6,
        ),
    ]


def end_to_end(out: Path, args) -> dict:
    """Issue #15's figures through the ``followup`` CLI (see benchmarks/national_e2e.py)."""
    from benchmarks import national_e2e as e2e

    lake = _paths(out)["lake"]
    work = _paths(out)["work"] / "e2e"
    shutil.rmtree(work, ignore_errors=True)
    before = e2e.fingerprint(lake)
    org = org_name(0)
    file, period, day = incoming_file(out, org)
    steps = {}
    print(f"\n{'step (followup CLI, fresh process each)':<58} {'seconds':>8} {'peak MB':>8}  runs")
    for key, label, run in (
        (
            "one_file_empty",
            f"ingest {file.name[:40]}… into an empty lake",
            lambda: e2e.one_file(
                file, org, period, day, work / "empty", None, args.repeat, args.timeout
            ),
        ),
        (
            "one_file_full",
            "the same into a copy of the full lake",
            lambda: e2e.one_file(
                file, org, period, day, work / "full", lake, args.repeat, args.timeout
            ),
        ),
        (
            "sql_select1",
            'sql "SELECT 1" on the full lake',
            lambda: e2e.sql_select1(lake, work / "sql", args.sql_repeat, args.timeout),
        ),
        (
            "rebuild",
            "rebuild a copy of the full lake",
            lambda: e2e.rebuild(lake, work / "rebuild", args.timeout),
        ),
    ):
        res = run()
        steps[key] = res
        extra = res.get("runs", "")
        if key == "rebuild":
            extra = (
                f"tables equal: {'yes' if res['equal'] else 'NO'} ({res['files']} files, "
                f"{res['rewritten']} rewritten)"
                + (
                    ""
                    if res["equal"]
                    else f" missing {res['missing']} extra {res['extra']} "
                    f"different {res['different']}"
                )
            )
        print(f"{label:<58} {res['seconds']:8.2f} {res['peak_mb']:8.0f}  {extra}", flush=True)
    touched = e2e.changed_files(before, e2e.fingerprint(lake))
    print(
        "original lake untouched by the runs on its copies: "
        + ("yes" if not touched else str(touched[:5]))
    )
    if touched:
        raise SystemExit("a run on a lake copy changed the original lake; the copy is not safe")
    return {
        "one_file_empty_s": steps["one_file_empty"]["seconds"],
        "one_file_empty_peak_mb": steps["one_file_empty"]["peak_mb"],
        "one_file_full_s": steps["one_file_full"]["seconds"],
        "one_file_full_peak_mb": steps["one_file_full"]["peak_mb"],
        "sql_select1_s": steps["sql_select1"]["seconds"],
        "sql_select1_peak_mb": steps["sql_select1"]["peak_mb"],
        "rebuild_s": steps["rebuild"]["seconds"],
        "rebuild_peak_mb": steps["rebuild"]["peak_mb"],
        "rebuild_tables_equal": steps["rebuild"]["equal"],
        "rebuild_files_compared": steps["rebuild"]["files"],
        "file_rows": steps["one_file_empty"]["rows"],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orgs", type=int, default=310)
    ap.add_argument("--quarters", type=int, default=12)
    ap.add_argument("--activities", type=int, default=150)
    ap.add_argument("--file-rows", type=int, default=120, help="rows of the one new report file")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--short-history", type=int, default=2, help="quarters in the short history")
    ap.add_argument("--profile", help="print a cProfile of this step (e.g. rebuild, link)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each one-file ingest (best)")
    ap.add_argument("--sql-repeat", type=int, default=5, help="runs of followup sql (best)")
    ap.add_argument("--timeout", type=float, default=4 * 3600, help="seconds per CLI process")
    ap.add_argument(
        "--issue-steps-only",
        action="store_true",
        help="only the steps issue #15's figures need (link, transitions, DuckDB, the CLI)",
    )
    args = ap.parse_args(argv)
    if args.quarters < args.short_history + 1:
        ap.error("--quarters must exceed --short-history")
    out = args.out.resolve()
    print(f"machine: {machine()}")
    info = generate(
        out,
        args.orgs,
        args.quarters,
        args.activities,
        args.regenerate,
        args.file_rows,
        args.timeout,
    )
    how = (
        "reused"
        if info["cached"]
        else f"registered + committed in {info['seconds']:.1f} s (2 processes), "
        f"derived by followup rebuild in {info['derive_seconds']:.1f} s"
    )
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
    if args.issue_steps_only:
        steps = [s for s in steps if s[0] in ("link", "transitions", "duckdb")]
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
    if "add_short" in results:
        short, full = results["add_short"]["seconds"], results["add_full"]["seconds"]
        print(
            f"adding a quarter: {short:.2f} s onto {args.short_history} quarters, "
            f"{full:.2f} s onto {args.quarters} quarters (ratio {full / short:.2f})"
        )
    figures = end_to_end(out, args)
    figures |= {
        "transitions_delays_vs_duckdb": ratio,
        "transitions_delays_s": results["transitions"]["seconds"],
        "duckdb_s": results["duckdb"]["seconds"],
        "orgs": args.orgs,
        "quarters": args.quarters,
        "activities": args.activities,
        "cores": os.cpu_count(),
        "load_1min": os.getloadavg()[0],
        "machine": machine(),
    }
    print(f"\n{'issue #15 target':<62} {'seconds':>8} {'peak MB':>8}  {'target':<46} met")
    for _, label, seconds, peak, target, met in targets(figures):
        shown = f"{peak:8.0f}" if peak is not None else f"{'':>8}"
        print(f"{label:<62} {seconds:8.2f} {shown}  {target:<46} {'yes' if met else 'no'}")
    (out / "results.json").write_text(
        json.dumps(
            {k: {x: y for x, y in v.items() if x != "profile"} for k, v in results.items()}
            | {"issue_15": figures},
            indent=2,
            default=str,
        )
    )
    print(json.dumps(figures, default=str))


if __name__ == "__main__":
    main()
