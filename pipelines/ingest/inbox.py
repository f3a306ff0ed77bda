"""The inbox folder: report files dropped by analysts, registered into the lake.

A file is named ``<org>_<YYYY-MM-DD>[_...].<ext>`` or ``<org>_<period>_<YYYY-MM-DD>...``, or
sits in a sub-folder named after the org (``inbox/region-vastmanland/rapport_2022-07-07.xlsx``).
Files are never moved or deleted: the inbox is the analyst's, the lake keeps its own copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.core.errors import FollowupError
from pipelines.ingest.period import register_report
from pipelines.lake.store import Lake, Registration

IGNORED_SUFFIXES = {".tmp", ".part", ".crdownload", ".swp"}


@dataclass(frozen=True)
class InboxOutcome:
    path: Path
    fingerprint: str
    registration: Registration | None = None
    changed: bool = False
    error: str | None = None


def fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}"


def inbox_files(inbox: Path) -> list[Path]:
    if not inbox.is_dir():
        return []
    return sorted(
        p
        for p in inbox.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in IGNORED_SUFFIXES
    )


def org_for(path: Path, inbox: Path) -> str | None:
    """The org of a file in a sub-folder of the inbox, else None (taken from the file name)."""
    relative = path.relative_to(inbox)
    return relative.parts[0] if len(relative.parts) > 1 else None


def scan_inbox(lake: Lake, inbox: Path, seen: set[str]) -> list[InboxOutcome]:
    """Register every file not seen before; a file that is refused is reported, not retried."""
    outcomes = []
    for path in inbox_files(inbox):
        mark = fingerprint(path)
        if mark in seen:
            continue
        try:
            registration, changed = register_report(lake, path, org=org_for(path, inbox))
            outcomes.append(InboxOutcome(path, mark, registration, changed))
        except FollowupError as error:
            outcomes.append(InboxOutcome(path, mark, error=str(error)))
    return outcomes
