"""The Dagster code location: every asset, check, job, sensor and schedule of followup.

One job per partitions definition (a run targets one partition of one definition):
``ingest_period`` makes one org × period snapshot, ``derive_org`` derives one organisation's
history and tables, ``report_period`` renders one org × period report. Under the daemon the inbox
sensor and the quarterly schedule request snapshot runs and two run-status sensors chain the
rest; ``followup ingest`` runs the same three jobs one after the other in-process.
"""

import dagster as dg

import assets.history
import assets.ingest
import assets.linking
import assets.report
import checks.history_checks
import checks.period_checks
from pipelines.derive.refresh import HISTORY_TABLES
from pipelines.orchestration.partitions import org_partitions, report_partitions
from pipelines.orchestration.resources import LakeResource
from pipelines.orchestration.schedules import build_quarterly_schedule
from pipelines.orchestration.sensors import build_chain_sensors, build_inbox_sensor

ASSET_MODULES = [assets.ingest, assets.linking, assets.history, assets.report]
CHECK_MODULES = [checks.period_checks, checks.history_checks]

all_assets = dg.load_assets_from_modules(ASSET_MODULES)
all_checks = dg.load_asset_checks_from_modules(CHECK_MODULES)

# Under the daemon each run is one process: its steps follow each other anyway, and runs of
# different organisations are what runs in parallel (a process per step costs ~2 s each).
ingest_job = dg.define_asset_job(
    "ingest_period",
    selection=dg.AssetSelection.assets("period_snapshot"),
    partitions_def=report_partitions,
    description="Read, validate and commit one org's report for one period (its snapshot).",
    executor_def=dg.in_process_executor,
)
derive_job = dg.define_asset_job(
    "derive_org",
    selection=dg.AssetSelection.assets("history", *HISTORY_TABLES),
    partitions_def=org_partitions,
    description="Link one organisation's periods and derive its transitions, delays, promises.",
    executor_def=dg.in_process_executor,
)
report_job = dg.define_asset_job(
    "report_period",
    selection=dg.AssetSelection.assets("controller_report"),
    partitions_def=report_partitions,
    description="The controllers' report of one org's period, compared with the one before.",
    executor_def=dg.in_process_executor,
)

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[ingest_job, derive_job, report_job],
    sensors=[
        build_inbox_sensor(ingest_job),
        *build_chain_sensors(ingest_job, derive_job, report_job),
    ],
    schedules=[build_quarterly_schedule(ingest_job)],
    resources={"lake": LakeResource()},
)
