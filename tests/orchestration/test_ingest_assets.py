"""The real Dagster assets and checks, materialised on an ephemeral instance with a temp lake."""

import shutil

import dagster as dg
import polars as pl
import pytest

from pipelines.derive.refresh import read_history
from pipelines.ingest.period import register_report
from pipelines.lake.store import Lake
from pipelines.orchestration.definitions import defs
from pipelines.orchestration.partitions import report_partition_key
from pipelines.orchestration.resources import LakeResource
from tests.orchestration.runs import materialise

DOWNSTREAM = [
    "history",
    "transitions",
    "delays",
    "promises",
    "controller_report",
]


def materialised(result) -> list[str]:
    return [e.asset_key.path[-1] for e in result.get_asset_materialization_events()]


@pytest.fixture
def instance():
    with dg.instance_for_test() as inst:
        yield inst


def test_definitions_load_with_assets_checks_sensor_schedule():
    graph = defs.resolve_asset_graph()
    assert {k.path[-1] for k in graph.get_all_asset_keys()} >= {"period_snapshot", "history"}
    assert defs.resolve_sensor_def("inbox_sensor")
    assert defs.resolve_schedule_def("quarterly_schedule").cron_schedule == "0 6 15 1,4,7,10 *"
    assert defs.resolve_job_def("ingest_period")


def test_period_is_written_to_parquet_and_history(lake_dir, swedish_csv, instance):
    lake = Lake(lake_dir)
    reg, _ = register_report(lake, swedish_csv)
    result = materialise(lake, reg.org, reg.period, instance)
    assert result.success
    assert sorted(materialised(result)) == sorted(DOWNSTREAM + ["period_snapshot"])
    snapshot = pl.read_parquet(lake.table_path("snapshots", reg.org, reg.period))
    assert snapshot.height == 4
    assert snapshot["status"].to_list() == ["green", "yellow", "red", "unknown"]
    assert snapshot["activity_id"].to_list() == [f"region-test:2022-Q2:00{i}" for i in range(1, 5)]
    history = read_history(Lake(lake_dir))
    assert history.height == 4
    for table in ("links", "activities", "transitions", "delays", "promises"):
        assert lake.table_path(table, reg.org).exists(), table
    report = lake.partition_dir("reports", reg.org, reg.period)
    assert (report / "uppfoljning.html").stat().st_size > 1000
    assert (report / "uppfoljning.xlsx").exists()
    assert (report / "uppfoljning.pdf").read_bytes()[:5] == b"%PDF-"  # ./run test installs Chromium
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert sorted(checks) == [
        "completed_activities_stay_completed",
        "period_snapshot_valid",
        "previous_activities_accounted_for",
    ]
    assert all(c.passed for c in checks.values())
    unknown = checks["previous_activities_accounted_for"].metadata
    assert unknown["unknown_status_share_latest_period"].value == {
        "region-test": 0.25
    }  # 1 of 4 rows has no colour and no comment


def test_run_whose_file_is_superseded_mid_parse_commits_the_newer_file(
    lake_dir, swedish_csv, tmp_path, instance, monkeypatch
):
    """Two files for one period at once: whichever run commits, the newer file is the snapshot."""
    lake = Lake(lake_dir)
    reg, _ = register_report(lake, swedish_csv)
    newer = tmp_path / "newer" / swedish_csv.name
    newer.parent.mkdir()
    newer.write_text(swedish_csv.read_text("utf-8").replace("Grönt", "Gult", 1), encoding="utf-8")
    original_commit = Lake.commit_period

    def register_newer_first(self, registration, *args, **kwargs):
        register_report(lake, newer, reg.org, reg.period, reg.report_date)
        return original_commit(self, registration, *args, **kwargs)

    monkeypatch.setattr(Lake, "commit_period", register_newer_first)
    result = materialise(lake, reg.org, reg.period, instance)
    assert result.success
    metadata = result.asset_materializations_for_node("period_snapshot")[0].metadata
    assert metadata["outcome"].value == "new"
    assert metadata["superseded"].value == [swedish_csv.name]
    snapshot = pl.read_parquet(lake.table_path("snapshots", reg.org, reg.period))
    assert snapshot["source_sha256"].unique().to_list() == [
        lake.current_registration(reg.org, reg.period).source_sha256
    ]
    assert snapshot["status"][0] == "yellow"
    assert all(c.passed for c in result.get_asset_check_evaluations())


def test_bad_row_is_quarantined_and_valid_rows_land(lake_dir, tmp_path, instance):
    path = tmp_path / "org_2022-07-07.csv"
    path.write_text("Aktivitet;Status\nA;Grönt\nB;Gult\nC;lila\n", encoding="utf-8")
    lake = Lake(lake_dir)
    reg, _ = register_report(lake, path)
    result = materialise(lake, reg.org, reg.period, instance)
    assert result.success
    assert pl.read_parquet(lake.table_path("snapshots", reg.org, reg.period))[
        "activity"
    ].to_list() == ["A", "B"]
    quarantine = pl.read_parquet(lake.table_path("quarantine", reg.org, reg.period))
    assert quarantine.select("source_row", "kind").rows() == [(3, "rejected")]
    assert "lila" in quarantine["reason"][0]


def test_reingesting_the_same_file_rewrites_nothing(lake_dir, swedish_csv, instance):
    lake = Lake(lake_dir)
    reg, _ = register_report(lake, swedish_csv)
    materialise(lake, reg.org, reg.period, instance)
    snap = lake.table_path("snapshots", reg.org, reg.period)
    before = (snap.stat().st_mtime_ns, snap.read_bytes())
    _, changed = register_report(lake, swedish_csv)
    result = materialise(lake, reg.org, reg.period, instance)
    assert not changed and result.success
    assert (snap.stat().st_mtime_ns, snap.read_bytes()) == before
    materialisation = result.get_asset_materialization_events()[0].materialization
    assert materialisation.metadata["outcome"].value == "unchanged"


def test_failing_check_blocks_history(lake_dir, tmp_path, instance):
    path = tmp_path / "org_2022-07-07.csv"
    path.write_text("Aktivitet;Status\nA;Grönt\nB;lila\nC;svart\nD;vit\n", encoding="utf-8")
    lake = Lake(lake_dir)
    reg, _ = register_report(lake, path)
    result = materialise(lake, reg.org, reg.period, instance)
    assert not result.success
    assert materialised(result) == ["period_snapshot"]  # nothing downstream ran
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and "75% of rows quarantined" in check.description
    assert not (lake_dir / "history").exists()


def test_inbox_sensor_registers_files_and_requests_runs(lake_dir, swedish_csv, tmp_path, instance):
    inbox = tmp_path / "inbox"
    (inbox / "region-x").mkdir(parents=True)
    shutil.copy(swedish_csv, inbox / "region-x" / "rapport_2022-10-12.csv")
    (inbox / "junk_2022-07-07.csv").write_text("no;header\n", encoding="utf-8")
    sensor = defs.resolve_sensor_def("inbox_sensor")
    resource = LakeResource(root=str(lake_dir), inbox=str(inbox))
    context = dg.build_sensor_context(instance=instance, resources={"lake": resource})
    result = sensor(context)
    assert [r.partition_key for r in result.run_requests] == [
        report_partition_key("region-x", "2022-Q3")
    ]
    added = {r.partitions_def_name: r.partition_keys for r in result.dynamic_partitions_requests}
    assert added == {"org": ["region-x"], "period": ["2022-Q3"]}
    assert Lake(lake_dir).current_registration("region-x", "2022-Q3") is not None
    # The same files again: nothing new is requested.
    again = sensor(
        dg.build_sensor_context(
            instance=instance, cursor=context.cursor, resources={"lake": resource}
        )
    )
    assert not again.run_requests


def test_schedule_requests_periods_whose_snapshot_is_stale(lake_dir, swedish_csv, instance):
    lake = Lake(lake_dir)
    reg, _ = register_report(lake, swedish_csv)
    schedule = defs.resolve_schedule_def("quarterly_schedule")
    resource = LakeResource(root=str(lake_dir))
    context = dg.build_schedule_context(instance=instance, resources={"lake": resource})
    requests = schedule(context)
    assert [r.partition_key for r in requests] == [report_partition_key(reg.org, reg.period)]
    materialise(lake, reg.org, reg.period, instance)
    context = dg.build_schedule_context(instance=instance, resources={"lake": resource})
    assert isinstance(schedule(context), dg.SkipReason)
