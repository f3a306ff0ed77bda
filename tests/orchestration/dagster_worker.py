"""A separate process on a lake's own Dagster instance, for the instance tests.

    python dagster_worker.py LAKE [GO_FILE]

Opens (or creates) the lake's instance through ``dagster_instance`` and materialises one small
asset with a check on it; prints the run id. With GO_FILE it first writes ``GO_FILE.ready-<pid>``
and waits for GO_FILE to exist, so that two workers reach the instance at the same moment.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import dagster as dg

from pipelines.lake.store import Lake
from pipelines.orchestration.runner import dagster_instance


@dg.asset
def greeting() -> str:
    return "hej från en annan process"


@dg.asset_check(asset=greeting)
def greeting_not_empty(greeting: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=bool(greeting))


def main(lake: str, go: str | None = None) -> None:
    if go:
        Path(f"{go}.ready-{os.getpid()}").touch()
        deadline = time.monotonic() + 60
        while not Path(go).exists() and time.monotonic() < deadline:
            time.sleep(0.005)
    instance = dagster_instance(Lake(Path(lake)))
    result = dg.materialize([greeting, greeting_not_empty], instance=instance)
    assert result.success
    print(result.run_id)


if __name__ == "__main__":
    main(*sys.argv[1:])
