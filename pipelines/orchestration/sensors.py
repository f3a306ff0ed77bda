"""The inbox sensor: registers new report files and requests a run for each new period."""

import json

import dagster as dg

from pipelines.ingest.inbox import scan_inbox
from pipelines.orchestration.partitions import add_partition_requests, report_partition_key
from pipelines.orchestration.resources import LakeResource

MAX_REMEMBERED = 5000


def build_inbox_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(
        job=job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Watches the inbox folder; each new report file becomes a run of its period.",
    )
    def inbox_sensor(context: dg.SensorEvaluationContext, lake: LakeResource):
        seen = set(json.loads(context.cursor)) if context.cursor else set()
        outcomes = scan_inbox(lake.lake(), lake.inbox_dir(), seen)
        partition_requests, run_requests = [], []
        for outcome in outcomes:
            seen.add(outcome.fingerprint)
            if outcome.error:
                context.log.warning(f"refused {outcome.path.name}: {outcome.error}")
                continue
            reg = outcome.registration
            if not outcome.changed:
                context.log.info(f"{outcome.path.name}: already ingested, nothing to do")
                continue
            partition_requests += add_partition_requests(reg.org, reg.period)
            run_requests.append(
                dg.RunRequest(
                    run_key=f"{reg.org}/{reg.period}/{reg.source_sha256}/{reg.report_date}",
                    partition_key=report_partition_key(reg.org, reg.period),
                    tags={"followup/source_file": reg.source_file},
                )
            )
        context.update_cursor(json.dumps(sorted(seen)[-MAX_REMEMBERED:]))
        if not run_requests:
            return dg.SensorResult(
                skip_reason=dg.SkipReason(f"no new report files in {lake.inbox_dir()}"),
                dynamic_partitions_requests=partition_requests,
            )
        return dg.SensorResult(
            run_requests=run_requests, dynamic_partitions_requests=partition_requests
        )

    return inbox_sensor
