"""Per-organisation partitions downstream of the org × period snapshots, through real Dagster runs:
the derived assets are partitioned by org, the sensors chain snapshot → derive → report, a
backfill of one organisation touches that organisation only, and the quarterly schedule asks for
stale partitions only."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from pipelines.ingest.period import register_report
from pipelines.lake.store import Lake
from pipelines.orchestration.definitions import defs
from pipelines.orchestration.partitions import (
    ORG_TAG,
    PERIOD_TAG,
    org_partitions,
    report_partition_key,
    report_partitions,
)
from pipelines.orchestration.resources import LakeResource
from pipelines.synthetic.org_reports import org_name, write_org_reports
from tests.orchestration.runs import materialise

PERIODS = [("2024-Q1", dt.date(2024, 4, 10)), ("2024-Q2", dt.date(2024, 7, 8))]


@pytest.fixture(scope="module")
def instance():
    with dg.instance_for_test() as inst:
        yield inst


@pytest.fixture(scope="module")
def two_orgs(tmp_path_factory, instance) -> Lake:
    """Two made-up organisations, two quarters each, run through the chained jobs (once for
    the module: each test leaves the lake as it found it, the schedule's test last)."""
    tmp_path = tmp_path_factory.mktemp("orgs")
    lake = Lake(tmp_path / "lake")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("pipelines.report.render.find_chromium", lambda: None)
        for k in (0, 1):
            for path in write_org_reports(tmp_path / "files", k, PERIODS, activities=6):
                registration, _ = register_report(lake, path)
                runs = materialise(lake, registration.org, registration.period, instance)
                assert runs.success
                assert runs.jobs == ["ingest_period", "derive_org", "report_period"]
    return lake


def test_derived_assets_are_partitioned_by_organisation():
    graph = defs.resolve_asset_graph()
    partitions = {key.path[-1]: graph.get(key).partitions_def for key in graph.get_all_asset_keys()}
    assert partitions["period_snapshot"] == report_partitions
    assert partitions["controller_report"] == report_partitions
    for name in ("history", "transitions", "delays", "promises"):
        assert partitions[name] == org_partitions, name
    assert partitions["overview_report"] is None
    jobs = {name: defs.resolve_job_def(name) for name in ("ingest_period", "derive_org")}
    assert jobs["derive_org"].partitions_def == org_partitions
    assert jobs["ingest_period"].partitions_def == report_partitions


def _finished_run(instance, job_name: str):
    [run] = instance.get_runs(filters=dg.RunsFilter(job_name=job_name), limit=1)
    [record] = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS
    ).records
    return run, record.event_log_entry.dagster_event


def _after(sensor_name: str, job_name: str, instance, resources=None):
    """What the run-status sensor asks for after the latest finished run of ``job_name``."""
    run, event = _finished_run(instance, job_name)
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor_name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=event,
        resources=resources,
    )
    request = defs.resolve_sensor_def(sensor_name)(context)
    return run, request[0] if isinstance(request, list) else request


def test_sensors_chain_snapshot_then_org_then_report(two_orgs, instance):
    run, request = _after("derive_after_snapshot", "ingest_period", instance)
    org, period = run.tags["dagster/partition/org"], run.tags["dagster/partition/period"]
    assert request.partition_key == org  # the org's partition, not the period's
    assert request.tags == {ORG_TAG: org, PERIOD_TAG: period}
    resources = {"lake": LakeResource(root=str(two_orgs.root))}
    run, request = _after("report_after_derive", "derive_org", instance, resources)
    assert request.partition_key == report_partition_key(run.tags["dagster/partition"], period)


def test_backfill_of_one_organisation_touches_only_it(two_orgs, instance):
    first, second = org_name(0), org_name(1)
    other = {p: p.stat().st_mtime_ns for p in two_orgs.root.rglob("*") if f"org={second}" in str(p)}
    (two_orgs.table_path("transitions", first)).unlink()
    result = defs.resolve_job_def("derive_org").execute_in_process(
        instance=instance,
        partition_key=first,
        resources={"lake": LakeResource(root=str(two_orgs.root))},
    )
    assert result.success
    assert two_orgs.table_path("transitions", first).exists()
    keys = {e.partition for e in result.get_asset_materialization_events()}
    assert keys == {first}
    assert {
        p: p.stat().st_mtime_ns for p in two_orgs.root.rglob("*") if f"org={second}" in str(p)
    } == other


def test_schedule_requests_only_stale_partitions(two_orgs, instance):
    schedule = defs.resolve_schedule_def("quarterly_schedule")
    resources = {"lake": LakeResource(root=str(two_orgs.root))}
    context = dg.build_schedule_context(instance=instance, resources=resources)
    assert isinstance(schedule(context), dg.SkipReason)
    # the second org's derived tables are no longer known to be current: only it is asked for
    (two_orgs.root / "history" / f"org={org_name(1)}" / "_derived.json").unlink()
    context = dg.build_schedule_context(instance=instance, resources=resources)
    requests = schedule(context)
    assert [r.partition_key for r in requests] == [report_partition_key(org_name(1), "2024-Q2")]
    assert requests[0].tags[ORG_TAG] == org_name(1)
