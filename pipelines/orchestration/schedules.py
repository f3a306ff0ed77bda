"""The quarterly schedule: picks up the inbox and (re)builds every period that is not current."""

import dagster as dg

from pipelines.ingest.inbox import scan_inbox, stale_periods
from pipelines.orchestration.partitions import add_partition_requests, report_partition_key
from pipelines.orchestration.resources import LakeResource

# Reports for a quarter arrive in the weeks after it ends: run mid-month after each quarter.
QUARTERLY_CRON = "0 6 15 1,4,7,10 *"


def build_quarterly_schedule(job) -> dg.ScheduleDefinition:
    @dg.schedule(
        job=job,
        cron_schedule=QUARTERLY_CRON,
        execution_timezone="Europe/Stockholm",
        description="Quarterly: register inbox files and run every period whose snapshot is stale.",
    )
    def quarterly_schedule(context: dg.ScheduleEvaluationContext, lake: LakeResource):
        store = lake.lake()
        for outcome in scan_inbox(store, lake.inbox_dir(), seen=set()):
            if outcome.error:
                context.log.warning(f"refused {outcome.path.name}: {outcome.error}")
        stale = stale_periods(store)
        if not stale:
            return dg.SkipReason("every registered period already has its current snapshot")
        instance = context.instance
        for org, period in stale:
            for request in add_partition_requests(org, period):
                instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        return [
            dg.RunRequest(partition_key=report_partition_key(org, period)) for org, period in stale
        ]

    return quarterly_schedule
