"""The quarterly schedule: picks up the inbox and (re)builds every period that is not current."""

import dagster as dg

from pipelines.derive.refresh import stale_orgs, stale_snapshots
from pipelines.ingest.inbox import scan_inbox
from pipelines.orchestration.partitions import (
    ORG_TAG,
    add_partition_requests,
    report_partition_key,
)
from pipelines.orchestration.resources import LakeResource
from pipelines.orchestration.sensors import latest_period

# Reports for a quarter arrive in the weeks after it ends: run mid-month after each quarter.
QUARTERLY_CRON = "0 6 15 1,4,7,10 *"


def build_quarterly_schedule(job) -> dg.ScheduleDefinition:
    @dg.schedule(
        job=job,
        cron_schedule=QUARTERLY_CRON,
        execution_timezone="Europe/Stockholm",
        description=(
            "Quarterly: register inbox files and run every stale partition: periods whose "
            "snapshot is not current, organisations whose derived tables are not (a snapshot "
            "run of their latest period, which the sensors chain to the derive run)."
        ),
    )
    def quarterly_schedule(context: dg.ScheduleEvaluationContext, lake: LakeResource):
        store = lake.lake()
        for outcome in scan_inbox(store, lake.inbox_dir(), seen=set()):
            if outcome.error:
                context.log.warning(f"refused {outcome.path.name}: {outcome.error}")
        stale = stale_snapshots(store)
        orgs_in = {org for org, _ in stale}
        for org in stale_orgs(store):
            period = latest_period(store, org)
            if org not in orgs_in and period is not None:
                stale.append((org, period))
        if not stale:
            return dg.SkipReason(
                "every registered period has its current snapshot, every org is derived from them"
            )
        instance = context.instance
        for org, period in stale:
            for request in add_partition_requests(org, period):
                instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        return [
            dg.RunRequest(partition_key=report_partition_key(org, period), tags={ORG_TAG: org})
            for org, period in stale
        ]

    return quarterly_schedule
