"""Where the lake is, decided without importing anything heavy (`followup sql` starts fast)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_LAKE = "data_lake"


def lake_root(explicit: str | os.PathLike | None = None) -> Path:
    """The lake root: an explicit path, else $FOLLOWUP_LAKE, else ./data_lake."""
    return Path(explicit or os.environ.get("FOLLOWUP_LAKE") or DEFAULT_LAKE).resolve()
