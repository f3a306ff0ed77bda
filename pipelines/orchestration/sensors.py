"""The inbox sensor (registers new report files and requests a snapshot run for each new period)
and the two sensors that chain an organisation's runs: a committed snapshot → the org's derive
run → the period's report run."""

import json

import dagster as dg

from pipelines.core.periods import period_sort_key
from pipelines.ingest.inbox import scan_inbox
from pipelines.lake.store import Lake, Registration
from pipelines.orchestration.partitions import (
    ORG_TAG,
    PERIOD_TAG,
    partition_add_requests,
    report_partition_key,
)
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
                    tags={"followup/source_file": reg.source_file, ORG_TAG: reg.org},
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


def build_chain_sensors(ingest_job, derive_job, report_job) -> list[dg.SensorDefinition]:
    """After a successful snapshot run, derive its organisation; after a successful derive run,
    render the report of the period that started it (or of the org's latest period, for a
    derive run started by hand or by a backfill)."""

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[ingest_job],
        request_job=derive_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=5,
        description="A committed snapshot re-derives its organisation (and only that one).",
    )
    def derive_after_snapshot(context: dg.RunStatusSensorContext):
        keys = _keys(context.dagster_run)
        if keys is None:
            return None
        org, period = keys
        return dg.RunRequest(
            run_key=f"derive/{context.dagster_run.run_id}",
            partition_key=org,
            tags={ORG_TAG: org, PERIOD_TAG: period},
        )

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[derive_job],
        request_job=report_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=5,
        description="A derived organisation gets the report of the period that changed.",
    )
    def report_after_derive(context: dg.RunStatusSensorContext, lake: LakeResource):
        run = context.dagster_run
        org = run.tags.get("dagster/partition")
        if not org:
            return None
        period = run.tags.get(PERIOD_TAG) or latest_period(lake.lake(), org)
        if period is None:
            return None
        return dg.RunRequest(
            run_key=f"report/{run.run_id}",
            partition_key=report_partition_key(org, period),
            tags={ORG_TAG: org},
        )

    return [derive_after_snapshot, report_after_derive]


def _keys(run) -> tuple[str, str] | None:
    org, period = run.tags.get("dagster/partition/org"), run.tags.get("dagster/partition/period")
    return (org, period) if org and period else None


def latest_period(store: Lake, org: str) -> str | None:
    """The org's latest period that has a snapshot (not blocked)."""
    periods = [p for _, p in store.periods("snapshots", org) if not store.is_blocked(org, p)]
    return max(periods, key=period_sort_key) if periods else None
