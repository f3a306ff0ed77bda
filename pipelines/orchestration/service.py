"""Prepare the Dagster instance of the deployment (``./run serve-dagster``) before it starts.

Creates or migrates the storage once (the webserver and the daemon would otherwise race to
create the tables), registers the lake's periods as partitions
(an embedded lake moved to the deployment shows its periods at once), and prints one line saying
what runs where, without the database password.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

import dagster as dg

from pipelines.lake.store import Lake, lake_root
from pipelines.orchestration.partitions import org_partitions, period_partitions


def describe_database(url: str) -> str:
    """host:port/db of a connection URL: never the user's password."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.hostname or 'localhost'}{port}{parts.path or ''}"


def register_lake_partitions(instance: dg.DagsterInstance, lake: Lake) -> int:
    """Add every registered (org, period) of the lake as dynamic partitions; returns how many
    keys were new. Partitions are instance state: a new instance knows none of them."""
    periods = lake.periods("raw")
    added = 0
    for definition, keys in (
        (org_partitions, sorted({org for org, _ in periods})),
        (period_partitions, sorted({period for _, period in periods})),
    ):
        known = set(instance.get_dynamic_partitions(definition.name))
        new = [key for key in keys if key not in known]
        if new:
            instance.add_dynamic_partitions(definition.name, new)
        added += len(new)
    return added


def prepare() -> str:
    instance = dg.DagsterInstance.get()
    storage = type(instance.run_storage).__name__
    if "Postgres" not in storage:
        raise SystemExit(
            f"$DAGSTER_HOME/dagster.yaml uses {storage}, not PostgreSQL: copy deploy/dagster.yaml"
        )
    instance.upgrade()  # creates the tables on a new database, migrates an older one
    added = register_lake_partitions(instance, Lake(lake_root()))
    queue = instance.get_concurrency_config().run_queue_config
    return (
        f"followup deployment: Dagster storage in PostgreSQL at "
        f"{describe_database(os.environ.get('DAGSTER_PG_URL', ''))}; lake {lake_root()}; "
        f"up to {queue.max_concurrent_runs} runs at once, one per organisation; "
        f"{added} partition keys of the lake's periods added"
    )


if __name__ == "__main__":
    print(prepare(), file=sys.stderr)
