"""The inbox sensor: registers new report files and requests a run for each new period."""

import json

import dagster as dg

from pipelines.ingest.inbox import scan_inbox
from pipelines.lake.store import Lake, Registration
from pipelines.orchestration.partitions import partition_add_requests, report_partition_key
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
        store = lake.lake()
        outcomes = scan_inbox(store, lake.inbox_dir(), seen)
        new_keys, run_requests = set(), []
        for outcome in outcomes:
            seen.add(outcome.fingerprint)
            if outcome.error:
                context.log.warning(f"refused {outcome.path.name}: {outcome.error}")
                continue
            reg = outcome.registration
            # A file registered by a tick that then failed is "unchanged" now but has no
            # snapshot yet: it is requested again (the run key keeps it to one run).
            if not outcome.changed and not _awaits_snapshot(store, reg):
                context.log.info(f"{outcome.path.name}: already ingested, nothing to do")
                continue
            new_keys.add((reg.org, reg.period))
            run_requests.append(
                dg.RunRequest(
                    run_key=f"{reg.org}/{reg.period}/{reg.source_sha256}/{reg.report_date}",
                    partition_key=report_partition_key(reg.org, reg.period),
                    tags={"followup/source_file": reg.source_file},
                )
            )
        context.update_cursor(json.dumps(sorted(seen)[-MAX_REMEMBERED:]))
        partition_requests = partition_add_requests(sorted(new_keys))
        if not run_requests:
            return dg.SensorResult(
                skip_reason=dg.SkipReason(f"no new report files in {lake.inbox_dir()}"),
                dynamic_partitions_requests=partition_requests,
            )
        return dg.SensorResult(
            run_requests=run_requests, dynamic_partitions_requests=partition_requests
        )

    return inbox_sensor


def _awaits_snapshot(store: Lake, reg: Registration) -> bool:
    version = store.snapshot_version(reg.org, reg.period)
    return version is None or (version["source_sha256"], version["report_date"]) != (
        reg.source_sha256,
        reg.report_date,
    )
