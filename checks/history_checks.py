"""Cross-period checks on one organisation's history: its ``transitions`` partition holds the
org's whole history (per-org partitions, see STACK.md), so the checks read that org only."""

import dagster as dg
import polars as pl

from assets.linking import read_history
from pipelines.derive.consistency import (
    returned_after_completion,
    unaccounted_activities,
    unknown_share,
)
from pipelines.orchestration.resources import LakeResource
from pipelines.query import History


def _org(context: dg.AssetCheckExecutionContext) -> str | None:
    run = context.op_execution_context
    return run.partition_key if run.has_partition_key else None


def _transitions(lake: LakeResource, org: str | None) -> pl.DataFrame:
    return History(lake.lake().root).transitions(org).collect()


@dg.asset_check(
    asset="transitions",
    description=(
        "Every activity of a period is present in the org's next period or recorded as "
        "dropped/completed; the share of unknown statuses per org is reported."
    ),
)
def previous_activities_accounted_for(
    context: dg.AssetCheckExecutionContext, lake: LakeResource
) -> dg.AssetCheckResult:
    org = _org(context)
    linked = read_history(lake, org)
    missing = unaccounted_activities(linked, _transitions(lake, org))
    return dg.AssetCheckResult(
        passed=missing.is_empty(),
        description=f"{missing.height} activities vanish without a dropped/completed record",
        metadata={
            "unaccounted": missing.height,
            "examples": dg.MetadataValue.json(missing.head(10).to_dicts()),
            "unknown_status_share_latest_period": dg.MetadataValue.json(unknown_share(linked)),
        },
    )


@dg.asset_check(
    asset="transitions",
    description="Flags activities reported completed that come back in a later report.",
)
def completed_activities_stay_completed(
    context: dg.AssetCheckExecutionContext, lake: LakeResource
) -> dg.AssetCheckResult:
    org = _org(context)
    back = returned_after_completion(read_history(lake, org), _transitions(lake, org))
    return dg.AssetCheckResult(
        passed=back.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{back.height} completed activities came back",
        metadata={
            "returned": back.height,
            "examples": dg.MetadataValue.json(back.head(10).to_dicts()),
        },
    )
