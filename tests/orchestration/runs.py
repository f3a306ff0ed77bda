"""Run one period through the real jobs, as the daemon's sensors chain them: the snapshot run
(org × period), the org's derive run, the period's report run — each stops the chain if it fails."""

from __future__ import annotations

import itertools

import dagster as dg

from pipelines.lake.store import Lake
from pipelines.orchestration.definitions import defs
from pipelines.orchestration.partitions import add_partition_requests, report_partition_key
from pipelines.orchestration.resources import LakeResource


class Runs:
    """The results of the chained runs, read like one ``ExecuteInProcessResult``."""

    def __init__(self, results: list):
        self.results = results

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def jobs(self) -> list[str]:
        return [r.job_def.name for r in self.results]

    def get_asset_materialization_events(self) -> list:
        return list(itertools.chain(*(r.get_asset_materialization_events() for r in self.results)))

    def get_asset_check_evaluations(self) -> list:
        return list(itertools.chain(*(r.get_asset_check_evaluations() for r in self.results)))

    def asset_materializations_for_node(self, name: str) -> list:
        found = []
        for result in self.results:
            if result.job_def.has_node_named(name):
                found += result.asset_materializations_for_node(name)
        return found


def materialise(lake: Lake, org: str, period: str, instance: dg.DagsterInstance) -> Runs:
    for request in add_partition_requests(org, period):
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    results = []
    key = report_partition_key(org, period)
    for job, partition in (("ingest_period", key), ("derive_org", org), ("report_period", key)):
        result = defs.resolve_job_def(job).execute_in_process(
            instance=instance,
            partition_key=partition,
            resources={"lake": LakeResource(root=str(lake.root))},
            raise_on_error=False,
        )
        results.append(result)
        if not result.success:
            break
    return Runs(results)
