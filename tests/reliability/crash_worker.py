"""A warm process that forks one real ingest per request, for the crash test.

Importing the pipeline takes seconds; forking a process that has imported it (and has not yet
run any polars query, so no thread pool exists to deadlock the child) gives a real, separate
ingest process per kill in milliseconds. Protocol, one JSON line each way:

    test → worker: [lake, file, org, period, crash_at or null]
    worker → test: {"pid": child pid}   then, when the child ended: {"signal": n | null, "code": n}

The child runs what `followup ingest` runs for a period, minus Dagster and the report:
register the file, build and commit the snapshot, then link and derive every table.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import traceback
from pathlib import Path

import pipelines
from pipelines.derive.refresh import derive_org, withdraw_blocked
from pipelines.ingest.period import build_snapshot, register_report
from pipelines.lake.store import Lake


def warm_up() -> None:
    """Import every domain module now, so a forked child does not pay for it."""
    for info in pkgutil.walk_packages(pipelines.__path__, "pipelines."):
        if not info.name.startswith(
            ("pipelines.orchestration", "pipelines.cli", "pipelines.report")
        ):
            importlib.import_module(info.name)
    # imported on first use: the linker's assignment, pandera's polars backends (and hypothesis)
    for name in ("scipy.optimize", "pandera.backends.polars.container", "pandera.strategies"):
        importlib.import_module(name)
    importlib.import_module("polars._utils.parquet")
    # the rule and word lists each run reads once (YAML; no polars query, so forking stays safe)
    from pipelines.link.linker import load_config
    from pipelines.swedish import status_cues, units

    status_cues._first_word_index(status_cues.load_status_rules())
    units._alias_file()
    load_config()


def ingest(lake_dir: str, file: str, org: str, period: str) -> dict:
    lake = Lake(lake_dir)
    registration, _ = register_report(lake, Path(file), org, period)
    summary = build_snapshot(lake, registration.org, registration.period)
    if summary["blocked"]:
        withdraw_blocked(lake, registration.org, registration.period)
    else:
        derive_org(lake, registration.org)
    return summary


def serve() -> None:
    warm_up()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        lake_dir, file, org, period, crash_at = json.loads(line)
        pid = os.fork()
        if pid == 0:  # the child: one real ingest, killed by the test or at crash_at
            os.environ.pop("FOLLOWUP_CRASH_AT", None)
            if crash_at:
                os.environ["FOLLOWUP_CRASH_AT"] = crash_at
            code = 0
            try:
                ingest(lake_dir, file, org, period)
            except BaseException:
                traceback.print_exc()
                code = 1
            sys.stderr.flush()
            os._exit(code)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        signal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        print(json.dumps({"signal": signal, "code": code}), flush=True)


if __name__ == "__main__":
    serve()
