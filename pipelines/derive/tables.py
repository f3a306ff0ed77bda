"""Everything derived from the snapshots, in one pure function: statuses inferred from comments,
activity links, then transitions, delays and promises.

The snapshots are the only input, so the whole history can be rebuilt from raw/ at any time.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.derive.history import delays, transitions
from pipelines.derive.promises import evaluate_promises, extract_promises
from pipelines.derive.status_inference import infer_status
from pipelines.link.linker import LinkingConfig, link_history

# Columns the derivation adds to snapshot rows; dropped before deriving again.
ENRICHMENT_COLUMNS = ("activity_id", "completed", "status_confidence")


@dataclass
class DerivedTables:
    snapshots: pl.DataFrame  # the input rows + activity_id, completed, status_confidence
    links: pl.DataFrame
    activities: pl.DataFrame

    def per_org(self) -> dict[str, pl.DataFrame]:
        return {"links": self.links, "activities": self.activities}


def link_snapshots(
    snapshots: pl.DataFrame,
    overrides: pl.DataFrame | None = None,
    config: LinkingConfig | None = None,
) -> DerivedTables:
    """Infer missing statuses and give every row its activity_id."""
    base = snapshots.drop([c for c in ENRICHMENT_COLUMNS if c in snapshots.columns])
    inferred = infer_status(base)
    result = link_history(inferred, overrides=overrides, config=config)
    linked = result.snapshots_with_ids
    columns = [c for c in inferred.columns if c in linked.columns]
    extra = [c for c in linked.columns if c not in columns]
    return DerivedTables(
        snapshots=linked.select(*columns, *extra).sort("org", "period", "source_row"),
        links=result.links,
        activities=result.activities,
    )


def history_tables(linked_snapshots: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Transitions, delays and promises of linked snapshot rows."""
    return {
        "transitions": transitions(linked_snapshots),
        "delays": delays(linked_snapshots),
        "promises": evaluate_promises(linked_snapshots, extract_promises(linked_snapshots)),
    }
