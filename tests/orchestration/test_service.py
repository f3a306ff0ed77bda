"""Preparing the deployment's instance: the lake's periods become its partitions."""

import dagster as dg

from pipelines.ingest.period import register_report
from pipelines.lake.store import Lake
from pipelines.orchestration.service import describe_database, register_lake_partitions


def test_an_existing_lakes_periods_become_partitions_once(lake_dir, swedish_csv):
    lake = Lake(lake_dir)
    registration, _ = register_report(lake, swedish_csv)
    with dg.instance_for_test() as instance:
        assert register_lake_partitions(instance, lake) == 2
        assert instance.get_dynamic_partitions("org") == [registration.org]
        assert instance.get_dynamic_partitions("period") == [registration.period]
        assert register_lake_partitions(instance, lake) == 0  # a restart adds nothing


def test_the_database_is_described_without_its_password():
    described = describe_database("postgresql://followup:s3cret@db.example:5433/dagster")
    assert described == "db.example:5433/dagster"
