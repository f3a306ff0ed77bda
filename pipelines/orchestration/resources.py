"""Dagster resources: where the lake and the inbox are. Resolved at run time, never at import."""

import os
from pathlib import Path

import dagster as dg

from pipelines.lake.store import Lake, lake_root


class LakeResource(dg.ConfigurableResource):
    """The lake root and the inbox folder the sensor watches (default: <lake>/inbox)."""

    root: str | None = None
    inbox: str | None = None
    overrides: str | None = None

    def lake(self) -> Lake:
        return Lake(lake_root(self.root))

    def inbox_dir(self) -> Path:
        configured = self.inbox or os.environ.get("FOLLOWUP_INBOX")
        return Path(configured).resolve() if configured else self.lake().root / "inbox"

    def overrides_file(self) -> Path:
        """The analysts' link overrides (default <lake>/overrides/links.csv; may not exist)."""
        configured = self.overrides or os.environ.get("FOLLOWUP_OVERRIDES")
        return (
            Path(configured).resolve()
            if configured
            else self.lake().root / "overrides" / "links.csv"
        )

    def status_overrides_file(self) -> Path:
        """The analysts' status corrections: overrides/status.csv beside the link overrides."""
        return self.overrides_file().parent / "status.csv"
