"""The Dagster code location: every asset, check, job, sensor and schedule of followup."""

import dagster as dg

import assets.history
import assets.ingest
import assets.linking
import assets.report
import checks.history_checks
import checks.period_checks
from pipelines.orchestration.partitions import report_partitions
from pipelines.orchestration.resources import LakeResource
from pipelines.orchestration.schedules import build_quarterly_schedule
from pipelines.orchestration.sensors import build_inbox_sensor

ASSET_MODULES = [assets.ingest, assets.linking, assets.history, assets.report]
CHECK_MODULES = [checks.period_checks, checks.history_checks]

all_assets = dg.load_assets_from_modules(ASSET_MODULES)
all_checks = dg.load_asset_checks_from_modules(CHECK_MODULES)

ingest_job = dg.define_asset_job(
    "ingest_period",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets("overview_report"),
    partitions_def=report_partitions,
    description="Ingest one org's report for one period and rebuild everything downstream.",
    # Under the daemon each run is one process: its steps follow each other anyway, and runs of
    # different organisations are what runs in parallel (a process per step costs ~2 s each).
    executor_def=dg.in_process_executor,
)

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[ingest_job],
    sensors=[build_inbox_sensor(ingest_job)],
    schedules=[build_quarterly_schedule(ingest_job)],
    resources={"lake": LakeResource()},
)
