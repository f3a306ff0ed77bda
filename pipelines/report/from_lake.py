"""Gather one org's report data from the lake (only that org's folders are read)."""

from __future__ import annotations

from pathlib import Path

from pipelines.core.errors import FollowupError
from pipelines.query import History
from pipelines.report.model import ReportData, build_report_data
from pipelines.report.orgs import display_name, ensure_lake_registry, org_names


def report_from_lake(
    lake: str | Path | None, org: str, period: str | None = None, previous: str | None = None
) -> ReportData:
    history = History(lake)
    tables = history.tables()
    if "snapshots" not in tables:
        raise FollowupError(f"{history.root}: no snapshots yet; ingest a report first")

    def optional(table: str):
        try:
            return history.scan(table, org) if table in tables else None
        except FollowupError:  # this org has no such table yet
            return None

    try:
        snapshots = history.snapshots(org)
    except FollowupError:
        snapshots = history.snapshots()  # build_report_data names the orgs that exist
    ensure_lake_registry(history.root)  # an editable copy of the names, once
    names = org_names(history.root)
    return build_report_data(
        snapshots,
        optional("transitions"),
        optional("delays"),
        optional("promises"),
        org=org,
        period=period,
        previous=previous,
        org_name=display_name(org, names) if org in names else None,
    )
