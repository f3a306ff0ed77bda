"""Start and stop ``./run serve-dagster`` as a process group, and read its run history.

Used by the deployment's test and its throughput benchmark: both run the real script, the real
webserver and daemon, against a real PostgreSQL. Nothing here imports Dagster; the run history
is read from PostgreSQL's ``runs`` and ``run_tags`` tables, where Dagster keeps it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


@dataclass
class Service:
    process: subprocess.Popen
    port: int
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_service(
    lake: Path, pg_url: str, home: Path, port: int, log: Path, max_runs: int | None = None
) -> Service:
    """``./run serve-dagster`` in a new session (its own process group), output to ``log``."""
    env = {
        **os.environ,
        "DAGSTER_PG_URL": pg_url,
        "FOLLOWUP_LAKE": str(lake),
        "DAGSTER_HOME": str(home),
        "DAGSTER_WEBSERVER_PORT": str(port),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    if max_runs is not None:
        env["DAGSTER_MAX_CONCURRENT_RUNS"] = str(max_runs)
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [str(REPO / "run"), "serve-dagster"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Service(process, port, log)


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def wait_for_webserver(service: Service, timeout: float) -> float:
    """Seconds until the webserver answers GraphQL; fails if the service ends first."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if service.process.poll() is not None:
            raise RuntimeError(f"serve-dagster ended early:\n{service.log_text()[-3000:]}")
        try:
            graphql(service.port, "{ version }")
            return time.monotonic() - start
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"webserver not up after {timeout:.0f} s:\n{service.log_text()[-3000:]}")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def stop_service(service: Service, grace: float = 20) -> None:
    """TERM the whole process group (script, webserver, daemon, code servers, run workers),
    then KILL what is left after ``grace`` seconds; returns when the group is gone."""
    pgid = service.process.pid
    if group_alive(pgid):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while group_alive(pgid) and time.monotonic() < deadline:
        service.process.poll()  # reap the script itself
        time.sleep(0.5)
    if group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
    service.process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)


def run_history(pg_url: str) -> list[dict]:
    """Every run Dagster stored in PostgreSQL: id, status, start/end times and its tags."""
    import psycopg2  # installed with dagster-postgres

    with psycopg2.connect(pg_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT run_id, status, partition, create_timestamp, start_time, end_time FROM runs"
        )
        runs = {
            row[0]: {
                "run_id": row[0],
                "status": row[1],
                "partition": row[2],
                "created": row[3],
                "start": row[4],
                "end": row[5],
                "tags": {},
            }
            for row in cursor.fetchall()
        }
        cursor.execute("SELECT run_id, key, value FROM run_tags")
        for run_id, key, value in cursor.fetchall():
            if run_id in runs:
                runs[run_id]["tags"][key] = value
    connection.close()
    return sorted(runs.values(), key=lambda r: r["created"])


def wait_for_runs(pg_url: str, expected: int, service: Service, timeout: float) -> list[dict]:
    """Poll PostgreSQL until ``expected`` runs exist and all of them finished."""
    start = time.monotonic()
    runs: list[dict] = []
    while time.monotonic() - start < timeout:
        if service.process.poll() is not None:
            raise RuntimeError(f"serve-dagster ended early:\n{service.log_text()[-3000:]}")
        runs = run_history(pg_url)
        if len(runs) >= expected and all(r["status"] in FINISHED for r in runs):
            return runs
        time.sleep(1)
    states = [(r["partition"], r["status"]) for r in runs]
    raise TimeoutError(
        f"{len(runs)}/{expected} runs after {timeout:.0f} s: {states}\n{service.log_text()[-3000:]}"
    )
