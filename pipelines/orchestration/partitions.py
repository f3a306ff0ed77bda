"""Partitions: one per organisation × follow-up period, both dynamic (a new file adds its keys)."""

import dagster as dg

org_partitions = dg.DynamicPartitionsDefinition(name="org")
period_partitions = dg.DynamicPartitionsDefinition(name="period")
report_partitions = dg.MultiPartitionsDefinition(
    {"org": org_partitions, "period": period_partitions}
)


def report_partition_key(org: str, period: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"org": org, "period": period})


def add_partition_requests(org: str, period: str) -> list:
    return [
        org_partitions.build_add_request([org]),
        period_partitions.build_add_request([period]),
    ]
