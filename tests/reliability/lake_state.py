"""Helpers to prove a lake did not change: checksums of every table file."""

import hashlib
from pathlib import Path

SKIP_PARTS = {".dagster", ".locks"}  # Dagster's storage, the per-org lock files


def lake_files(lake: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file in the lake, except Dagster's own storage."""
    if not lake.exists():
        return {}
    found = {}
    for path in sorted(lake.rglob("*")):
        relative = path.relative_to(lake)
        if path.is_file() and not SKIP_PARTS & set(relative.parts) and path.name != ".lock":
            found[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
