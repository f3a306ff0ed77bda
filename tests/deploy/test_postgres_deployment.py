"""The deployment for real: a throwaway PostgreSQL cluster, `./run serve-dagster` (the real
dagster-webserver and dagster-daemon on deploy/dagster.yaml), three organisations' reports in
the inbox at once (two periods of the first, so the queue must hold one organisation's second
run back), the inbox sensor's snapshot runs through the run queue, each chained by the
run-status sensors to its organisation's derive run and its period's report run.

The files are dropped just before the service starts, so the sensor's first tick finds all six
(dropped later, they wait for its next tick, 30 s on). Missing PostgreSQL binaries fail the test
with the Debian package's name: `./run test` installs it when run as root.
"""

import datetime as dt
import json
import time
from itertools import combinations

import polars as pl

from pipelines.deploy.local_postgres import free_port, throwaway_postgres
from pipelines.deploy.service import (
    graphql,
    group_alive,
    start_service,
    stop_service,
    wait_for_runs,
    wait_for_webserver,
)
from pipelines.derive.refresh import read_history
from pipelines.lake.store import Lake, sha256_file
from pipelines.synthetic.org_reports import org_name, write_org_reports

ORGS = 3
PERIODS = [("2024-Q1", dt.date(2024, 4, 12)), ("2024-Q2", dt.date(2024, 7, 10))]
ACTIVITIES = 8
RUNS_QUERY = "{ runsOrError { ... on Runs { results { runId status tags { key value } } } } }"


def _overlap(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def test_three_organisations_through_the_run_queue_on_postgres(tmp_path):
    lake = tmp_path / "lake"
    files = {}
    for k in range(ORGS):
        periods = PERIODS if k == 0 else PERIODS[1:]
        for path, (period, _) in zip(
            write_org_reports(lake / "inbox", k, periods, ACTIVITIES), periods, strict=True
        ):
            files[(org_name(k), period)] = path
    pg = throwaway_postgres()
    try:
        pg.start()  # raises "... install the Debian package 'postgresql'" when it is missing
        started = time.monotonic()
        service = start_service(lake, pg.url, tmp_path / "home", free_port(), tmp_path / "s.log")
        try:
            wait_for_webserver(service, timeout=240)
            runs = wait_for_runs(pg.url, 3 * len(files), service, timeout=420)
            elapsed = time.monotonic() - started
            via_webserver = graphql(service.port, RUNS_QUERY)["data"]["runsOrError"]["results"]
        finally:
            stop_service(service)
        assert not group_alive(service.process.pid), "serve-dagster left processes behind"
        log = service.log_text()
        print(f"\n{len(files)} files of {ORGS} orgs: all runs done {elapsed:.0f} s after start")
        for r in runs:
            took = f"{r['end'] - r['start']:.0f} s" if r["start"] and r["end"] else "-"
            print(f"  {r['partition']}: {r['status']}, {took}")
    finally:
        pg.stop()

    # The run history is in PostgreSQL: per file a snapshot run (inbox sensor), its org's derive
    # run and its period's report run (the chain sensors), all successful, tagged with the org.
    assert len(runs) == 3 * len(files), [(r["partition"], r["status"]) for r in runs]
    assert all(r["status"] == "SUCCESS" for r in runs), [
        (r["partition"], r["status"]) for r in runs
    ]
    by_sensor = {}
    for r in runs:
        by_sensor.setdefault(r["tags"]["dagster/sensor_name"], []).append(r)
    keys = {f"{org}|{period}" for org, period in files}
    assert sorted(r["partition"] for r in by_sensor["inbox_sensor"]) == sorted(keys)
    assert sorted(r["partition"] for r in by_sensor["report_after_derive"]) == sorted(keys)
    assert sorted(r["partition"] for r in by_sensor["derive_after_snapshot"]) == sorted(
        org for org, _ in files
    )  # the org's partition: one derive run per snapshot run
    assert all(r["tags"]["followup/org"] == r["partition"].split("|")[0] for r in runs)
    # ... and the webserver reads the same history from there.
    assert sorted(r["runId"] for r in via_webserver) == sorted(r["run_id"] for r in runs)

    # One run per organisation at a time (the queue's tag limit) ...
    for a, b in combinations(runs, 2):
        if a["tags"]["followup/org"] == b["tags"]["followup/org"]:
            assert not _overlap(a, b), f"runs of one org overlapped: {a} {b}"
    # ... while different organisations ran side by side (the global limit is above one).
    assert any(_overlap(a, b) for a, b in combinations(runs, 2)), "no two runs overlapped"

    # Every snapshot is the file dropped for it, with every activity.
    for (org, period), path in files.items():
        folder = lake / "snapshots" / f"org={org}" / f"period={period}"
        version = json.loads((folder / "_version.json").read_text(encoding="utf-8"))
        assert version["source_sha256"] == sha256_file(path)
        snapshot = pl.read_parquet(folder / "data.parquet")
        assert snapshot.height == ACTIVITIES and snapshot["activity_id"].null_count() == 0

    # The history holds every file's rows (no history step overwrote another's with less),
    # and each org has its per-org tables and its report of the later period.
    history = read_history(Lake(lake))
    counts = {(o, p): n for o, p, n in history.group_by("org", "period").len().iter_rows()}
    assert counts == dict.fromkeys(files, ACTIVITIES)
    transitions = pl.read_parquet(lake / "transitions" / f"org={org_name(0)}" / "data.parquet")
    assert transitions.height > 0, "no transitions between the first org's two periods"
    for k in range(ORGS):
        org = org_name(k)
        for table in ("links", "activities", "transitions", "delays", "promises"):
            frame = pl.read_parquet(lake / table / f"org={org}" / "data.parquet")
            assert set(frame["org"].to_list()) <= {org}
        report = lake / "reports" / f"org={org}" / "period=2024-Q2" / "uppfoljning.html"
        assert report.exists()

    # The database password never reached the output.
    assert pg.password not in log
    assert "PostgreSQL at 127.0.0.1" in log  # where it runs, said without the secret
