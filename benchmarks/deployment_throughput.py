"""Throughput of the deployment (webserver + daemon on PostgreSQL, the run queue) beside the
embedded default, in report files per minute.

For each organisation count N (default 3 and 30), N made-up organisations' reports (one file
each, ``pipelines.synthetic.org_reports``, 8 activities, SYNTHETIC) are ingested:

- **embedded**: one process registers each file and runs the ``ingest_period`` job in-process
  (what ``followup ingest`` does), one file after the other, on SQLite under ``<lake>/.dagster``.
  Timed from the first file to the last run's end; Dagster imported before the clock starts.
- **deployment**: a throwaway PostgreSQL cluster and ``./run serve-dagster`` (not timed: the
  start-up is reported apart); the N files are dropped into the inbox at once and the clock runs
  from the drop until PostgreSQL holds N finished runs. That includes waiting for the sensor's
  next tick (at most 30 s); the span from the first run's start to the last one's end is
  printed too.

Every run must succeed, or the figure is not printed. The machine's load average is printed
beside the figures: on a shared machine they say more about the machine than about followup.

    uv run python benchmarks/deployment_throughput.py [--orgs 3 30] [--max-runs 4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from pipelines.synthetic.org_reports import org_name, write_org_reports

PERIOD = [("2024-Q2", dt.date(2024, 7, 10))]


def write_files(inbox: Path, orgs: int) -> list[Path]:
    return [path for k in range(orgs) for path in write_org_reports(inbox, k, PERIOD)]


def embedded(orgs: int, work: Path) -> float:
    from pipelines.ingest.period import register_report
    from pipelines.lake.store import Lake
    from pipelines.orchestration.runner import dagster_instance, run_period

    files = write_files(work / "files", orgs)
    lake = Lake(work / "lake")
    instance = dagster_instance(lake)
    start = time.perf_counter()
    for k, path in enumerate(files):
        registration, _ = register_report(lake, path, org=org_name(k))
        outcome = run_period(lake, registration.org, registration.period, instance)
        if not outcome.success:
            raise SystemExit(f"embedded run of {path.name} failed: {outcome.error}")
    return time.perf_counter() - start


def deployment(orgs: int, work: Path, max_runs: int) -> dict:
    from pipelines.deploy.local_postgres import free_port, throwaway_postgres
    from pipelines.deploy.service import (
        start_service,
        stop_service,
        wait_for_runs,
        wait_for_webserver,
    )

    files = write_files(work / "files", orgs)
    lake = work / "lake"
    pg = throwaway_postgres()
    try:
        pg.start()
        service = start_service(
            lake, pg.url, work / "home", free_port(), work / "serve.log", max_runs
        )
        try:
            startup = wait_for_webserver(service, timeout=600)
            time.sleep(15)  # let the daemon and its first sensor tick settle: not timed
            inbox = lake / "inbox"
            inbox.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            for path in files:  # all at once: each renamed into place
                shutil.copy(path, inbox / f".{path.name}.part")
                (inbox / f".{path.name}.part").rename(inbox / path.name)
            runs = wait_for_runs(pg.url, orgs, service, timeout=600 + 60 * orgs)
            elapsed = time.perf_counter() - start
        finally:
            stop_service(service)
        failed = [r["partition"] for r in runs if r["status"] != "SUCCESS"]
        if failed:
            raise SystemExit(f"deployment runs failed: {failed}; see {work / 'serve.log'}")
        span = max(r["end"] for r in runs) - min(r["start"] for r in runs)
        return {"elapsed": elapsed, "span": span, "startup": startup}
    finally:
        pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, nargs="+", default=[3, 30])
    parser.add_argument("--max-runs", type=int, default=4, help="DAGSTER_MAX_CONCURRENT_RUNS")
    args = parser.parse_args()
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    import dagster  # noqa: F401  (imported before any clock starts)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    for orgs in args.orgs:
        with tempfile.TemporaryDirectory(prefix="followup-bench-") as tmp:
            seconds = embedded(orgs, Path(tmp) / "embedded")
            print(
                f"{orgs:>3} orgs, embedded (in-process, one after another): "
                f"{seconds:6.1f} s = {orgs / seconds * 60:5.1f} files/min  "
                f"(load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            found = deployment(orgs, Path(tmp) / "deployment", args.max_runs)
            print(
                f"{orgs:>3} orgs, deployment ({args.max_runs} runs at once, 1 per org): "
                f"{found['elapsed']:6.1f} s from the drop = "
                f"{orgs / found['elapsed'] * 60:5.1f} files/min; runs' span {found['span']:.1f} s "
                f"= {orgs / found['span'] * 60:5.1f} files/min; start-up {found['startup']:.0f} s "
                f"(load {os.getloadavg()[0]:.1f})",
                flush=True,
            )


if __name__ == "__main__":
    main()
