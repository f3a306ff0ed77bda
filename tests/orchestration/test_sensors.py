"""The inbox sensor's tick results, as the daemon receives them."""

import datetime as dt

import dagster as dg

from pipelines.ingest.inbox import scan_inbox
from pipelines.lake.store import Lake
from pipelines.orchestration.definitions import defs
from pipelines.orchestration.partitions import report_partition_key
from pipelines.orchestration.resources import LakeResource
from pipelines.synthetic.org_reports import org_name, write_org_reports

PERIODS = [("2024-Q1", dt.date(2024, 4, 12)), ("2024-Q2", dt.date(2024, 7, 10))]


def _tick(lake_dir, inbox):
    sensor = defs.resolve_sensor_def("inbox_sensor")
    resource = LakeResource(root=str(lake_dir), inbox=str(inbox))
    with dg.instance_for_test() as instance:
        return sensor(dg.build_sensor_context(instance=instance, resources={"lake": resource}))


def test_two_periods_of_one_org_in_one_tick_add_each_partition_once(lake_dir, tmp_path):
    inbox = tmp_path / "inbox"
    for k in range(2):
        write_org_reports(inbox, k, PERIODS)
    result = _tick(lake_dir, inbox)
    assert len(result.run_requests) == 4
    # The daemon refuses a tick that asks to add one key twice (it failed here before).
    requests = result.dynamic_partitions_requests
    added = [(r.partitions_def_name, key) for r in requests for key in r.partition_keys]
    assert sorted(added) == [
        ("org", org_name(0)),
        ("org", org_name(1)),
        ("period", "2024-Q1"),
        ("period", "2024-Q2"),
    ]


def test_a_file_registered_by_a_failed_tick_is_requested_again(lake_dir, tmp_path):
    inbox = tmp_path / "inbox"
    [path] = write_org_reports(inbox, 5, PERIODS[:1])
    # A tick registered the file and then failed: the cursor never recorded it.
    [outcome] = scan_inbox(Lake(lake_dir), inbox, seen=set())
    assert outcome.changed
    result = _tick(lake_dir, inbox)
    assert [r.partition_key for r in result.run_requests] == [
        report_partition_key(org_name(5), "2024-Q1")
    ]
    assert result.run_requests[0].tags["followup/source_file"] == path.name
