"""Partitions: snapshots per organisation × follow-up period, everything derived per
organisation. Both dimensions are dynamic (a new file adds its keys)."""

import warnings

import dagster as dg

org_partitions = dg.DynamicPartitionsDefinition(name="org")
period_partitions = dg.DynamicPartitionsDefinition(name="period")
report_partitions = dg.MultiPartitionsDefinition(
    {"org": org_partitions, "period": period_partitions}
)
# An org's derived assets read every period of that org; a period's report reads its org's.
with warnings.catch_warnings():  # a beta class in Dagster 1.x: the mapping STACK.md documents
    warnings.simplefilter("ignore", category=dg.BetaWarning)
    org_dimension_mapping = dg.MultiToSingleDimensionPartitionMapping(
        partition_dimension_name="org"
    )

# Every run carries its organisation in this tag: the deployment's run queue runs one run per
# organisation at a time (deploy/dagster.yaml), organisations side by side.
ORG_TAG = "followup/org"
# The period a derive run was started for: its report run renders that period.
PERIOD_TAG = "followup/period"


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
