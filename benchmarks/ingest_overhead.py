"""Dagster's fixed cost in ``followup ingest``: one 120-row spreadsheet into an empty lake.

Data: one SYNTHETIC spreadsheet written here (``synthetic_start``, seeded: 120 activities,
status words, the simulator's vocabulary), ingested into a new, empty lake each time.

1. End to end: ``followup ingest FILE --org ORG --lake NEW_LAKE`` as a subprocess, ``--runs``
   times, with the storage tuning of ``pipelines/orchestration/storage_tuning.py`` (the default)
   and without it (``FOLLOWUP_STORAGE_TUNING=0``: Dagster's storages exactly as Dagster
   configures them, the baseline), interleaved so that both see the same machine load. Wall
   and CPU (user + system) of the whole command.
2. Phases, in one child process per run and variant: importing the runner (Dagster), creating
   the lake's instance, importing the definitions, registering the file, and the Dagster run
   (``run_period``), split into the steps' own durations (as Dagster records them), the time
   spent writing events to the instance (``handle_new_event``) and the rest of the run.

Both print medians (and the fastest end-to-end run); the machine's load average is printed too
(2 cores shared: the figures move with it, the CPU column less than the wall one).

    uv run python benchmarks/ingest_overhead.py [--runs 5] [--rows 120] [--skip-phases]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ORG = "kommun-bench"
PERIOD = "2024-Q1"
ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {"tuned": "1", "plain": "0"}


def write_spreadsheet(folder: Path, rows: int) -> Path:
    """A synthetic follow-up spreadsheet of ``rows`` activities (title row, header, rows)."""
    import openpyxl

    from pipelines.synthetic.simulate import synthetic_start

    words = {"green": "Grönt", "yellow": "Gult", "red": "Rött"}
    report = synthetic_start(rows, seed=15, org=ORG, period=PERIOD)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Uppföljning"
    sheet.append([f"Uppföljning {PERIOD} – SYNTETISKA EXEMPELDATA"])
    sheet.append([])
    sheet.append(["Målområde", "Aktivitet", "Verksamhet", "Status", "Kommentar"])
    for row in report.iter_rows(named=True):
        status = words.get(row["status"], "")
        sheet.append([row["goal_area"], row["activity"], row["unit"], status, row["comment"]])
    path = folder / f"{ORG}_{PERIOD}_2024-04-15_syntetisk.xlsx"
    workbook.save(path)
    return path


def _env(tuning: str) -> dict:
    env = {**os.environ, "FOLLOWUP_STORAGE_TUNING": tuning, "DAGSTER_DISABLE_TELEMETRY": "1"}
    env.pop("DAGSTER_HOME", None)
    return env


def _followup() -> str:
    return str(Path(sys.executable).with_name("followup"))


def end_to_end(file: Path, work: Path, tuning: str, index: int) -> dict:
    lake = work / f"lake-e2e-{tuning}-{index}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [_followup(), "ingest", str(file), "--org", ORG, "--lake", str(lake)],
        env=_env(tuning),
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"followup ingest failed: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu}


def phases(lake_dir: str, file: str) -> dict:
    """Run in a child: the phases of one ingest, timed in-process."""
    clock = time.perf_counter
    start = clock()
    from pipelines.orchestration.runner import dagster_instance, run_period

    imported = clock()
    from pipelines.ingest.period import register_report
    from pipelines.lake.store import Lake

    lake = Lake(Path(lake_dir))
    instance_start = clock()
    instance = dagster_instance(lake)
    instance_done = clock()
    import pipelines.orchestration.definitions  # noqa: F401

    definitions = clock()
    registration, _ = register_report(lake, Path(file), ORG, None, None, "auto")
    registered = clock()
    writes = {"seconds": 0.0, "events": 0}
    handle = instance.handle_new_event

    def timed_handle(*args, **kwargs):
        began = clock()
        try:
            return handle(*args, **kwargs)
        finally:
            writes["seconds"] += clock() - began
            writes["events"] += 1

    instance.handle_new_event = timed_handle
    outcome = run_period(lake, registration.org, registration.period, instance)
    ran = clock()
    if not outcome.success:
        raise SystemExit(f"run failed: {outcome.error or outcome.failed_checks}")
    steps = 0.0
    for record in instance.all_logs(outcome.run_id):
        event = record.dagster_event
        if event and event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            steps += (event.event_specific_data.duration_ms or 0) / 1000
    return {
        "import_runner": imported - start,
        "instance": instance_done - instance_start,
        "import_definitions": definitions - instance_done,
        "register": registered - definitions,
        "run": ran - registered,
        "steps": steps,
        "event_writes": writes["seconds"],
        "events": writes["events"],
        "run_outside_steps": (ran - registered) - steps,
    }


def phases_in_child(file: Path, work: Path, tuning: str, index: int) -> dict:
    lake = work / f"lake-phases-{tuning}-{index}"
    done = subprocess.run(
        [sys.executable, __file__, "--phases-child", str(lake), str(file)],
        env=_env(tuning),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"phases failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(results: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in results)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=120)
    parser.add_argument("--skip-phases", action="store_true")
    parser.add_argument("--phases-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phases_child:
        print(json.dumps(phases(*args.phases_child)))
        return

    with tempfile.TemporaryDirectory(prefix="ingest-overhead-") as tmp:
        work = Path(tmp)
        file = write_spreadsheet(work, args.rows)
        print(f"file: {file.name} ({args.rows} activities, synthetic); a new empty lake per run")
        print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores)")

        print(f"\n1. followup ingest, end to end ({args.runs} runs each, interleaved)")
        e2e = {name: [] for name in VARIANTS}
        for index in range(args.runs):
            for name, tuning in VARIANTS.items():
                e2e[name].append(end_to_end(file, work, tuning, index))
        for name, results in e2e.items():
            walls = " ".join(f"{r['wall']:.2f}" for r in results)
            print(
                f"  {name:6s} wall median {_median(results, 'wall'):5.2f} s  "
                f"min {min(r['wall'] for r in results):5.2f} s  "
                f"cpu median {_median(results, 'cpu'):5.2f} s  (walls: {walls})"
            )

        summary = {
            "rows": args.rows,
            "runs": args.runs,
            **{f"e2e_{n}_wall_s": round(_median(r, "wall"), 2) for n, r in e2e.items()},
            **{f"e2e_{n}_cpu_s": round(_median(r, "cpu"), 2) for n, r in e2e.items()},
        }
        if not args.skip_phases:
            print(f"\n2. phases in one process (median of {args.runs} runs each, seconds)")
            found = {name: [] for name in VARIANTS}
            for index in range(args.runs):
                for name, tuning in VARIANTS.items():
                    found[name].append(phases_in_child(file, work, tuning, index))
            keys = list(found["tuned"][0])
            print(f"  {'phase':20s}" + "".join(f"{name:>10s}" for name in VARIANTS))
            for key in keys:
                cells = "".join(f"{_median(found[name], key):10.2f}" for name in VARIANTS)
                print(f"  {key:20s}{cells}")
            for name, results in found.items():
                for key in ("instance", "run_outside_steps", "event_writes"):
                    summary[f"{key}_{name}_s"] = round(_median(results, key), 2)
        print(f"\nload average after: {os.getloadavg()[0]:.1f}")
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
