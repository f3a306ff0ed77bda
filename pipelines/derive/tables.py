"""Everything derived from the snapshots, in one pure function: statuses inferred from comments,
activity links, then transitions, delays and promises.

The snapshots are the only input, so the whole history can be rebuilt from raw/ at any time.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.derive.history import delays, transitions
from pipelines.derive.overrides import (
    OVERRIDE_COLUMNS,
    apply_status_overrides,
    restore_overridden_status,
)
from pipelines.derive.promises import evaluate_promises, extract_promises
from pipelines.derive.status_inference import (
    INFERENCE_COLUMNS,
    apply_slipped_promises,
    infer_status,
)
from pipelines.link.linker import LinkingConfig, link_history

# Columns the derivation adds to snapshot rows; dropped before deriving again. Types: activity_id
# String, and pipelines.derive.status_inference.INFERENCE_COLUMNS (status_evidence String,
# status_confidence Float64, completed Boolean, completed_evidence String), and
# pipelines.derive.overrides.OVERRIDE_COLUMNS (status_before_override,
# status_source_before_override: String, null unless an analyst's status override applies).
ENRICHMENT_COLUMNS = ("activity_id", *INFERENCE_COLUMNS, *OVERRIDE_COLUMNS)


@dataclass
class DerivedTables:
    snapshots: pl.DataFrame  # the input rows + ENRICHMENT_COLUMNS
    links: pl.DataFrame
    activities: pl.DataFrame

    def per_org(self) -> dict[str, pl.DataFrame]:
        return {"links": self.links, "activities": self.activities}


def link_snapshots(
    snapshots: pl.DataFrame,
    overrides: pl.DataFrame | None = None,
    config: LinkingConfig | None = None,
    status_overrides: pl.DataFrame | None = None,
) -> DerivedTables:
    """Infer missing statuses, give every row its activity_id, mark rows still without a
    status whose activity's promised date passed unfinished as off plan, then apply the
    analysts' status overrides (``pipelines.derive.overrides``)."""
    restored = restore_overridden_status(snapshots)
    base = restored.drop([c for c in ENRICHMENT_COLUMNS if c in restored.columns])
    inferred = infer_status(base)
    result = link_history(inferred, overrides=overrides, config=config)
    linked = apply_status_overrides(
        _slipped_promises_as_evidence(result.snapshots_with_ids), status_overrides
    )
    columns = [c for c in inferred.columns if c in linked.columns]
    extra = [c for c in linked.columns if c not in columns]
    return DerivedTables(
        snapshots=linked.select(*columns, *extra).sort("org", "period", "source_row"),
        links=result.links,
        activities=result.activities,
    )


def _slipped_promises_as_evidence(linked: pl.DataFrame) -> pl.DataFrame:
    """Promises are evaluated only for activities with a row whose status is ``absent``: reports
    that show their colours pay nothing."""
    if "status_source" not in linked.columns:
        return linked
    open_ids = linked.filter(pl.col("status_source") == "absent").select("org", "activity_id")
    if open_ids.is_empty():
        return linked
    rows = linked.join(open_ids.unique(), on=["org", "activity_id"], how="semi")
    promises = evaluate_promises(rows, extract_promises(rows))
    return apply_slipped_promises(linked, promises)


def history_tables(linked_snapshots: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Transitions, delays and promises of linked snapshot rows."""
    return {
        "transitions": transitions(linked_snapshots),
        "delays": delays(linked_snapshots),
        "promises": evaluate_promises(linked_snapshots, extract_promises(linked_snapshots)),
    }
