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


def partition_add_requests(keys: list[tuple[str, str]]) -> list:
    """One request per dimension for many (org, period) keys, each key once: a sensor tick
    that asks to add the same key twice fails (two periods of one org dropped at once)."""
    orgs = sorted({org for org, _ in keys})
    periods = sorted({period for _, period in keys})
    requests = []
    if orgs:
        requests.append(org_partitions.build_add_request(orgs))
    if periods:
        requests.append(period_partitions.build_add_request(periods))
    return requests
