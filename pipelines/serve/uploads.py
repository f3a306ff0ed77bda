"""Uploaded report files: kept aside until ingested, inspected like `followup inspect` does.

An upload is stored under ``<lake>/.uploads/<token>/<safe file name>``: the token is random, the
name is cleaned by ``pipelines.lake.store.safe_file_name``, and the size is limited while the
body is read, so a browser cannot write outside that folder or fill the disk.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

from pipelines.core.errors import FollowupError
from pipelines.lake.store import Lake, safe_file_name

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UploadTooLarge(FollowupError):
    """An upload above the size limit (HTTP 413)."""


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def uploads_dir(lake: Lake) -> Path:
    return lake.root / ".uploads"


def store_upload(lake: Lake, name: str, chunks, limit: int = MAX_UPLOAD_BYTES) -> tuple[str, Path]:
    """Write the chunks to a fresh upload folder; refuse (and remove) more than ``limit`` bytes."""
    clean = safe_file_name(Path(name or "").name or "report")
    token = secrets.token_urlsafe(18)
    folder = uploads_dir(lake) / token
    folder.mkdir(parents=True)
    path = folder / clean
    size = 0
    try:
        with path.open("wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(
                        f"{clean}: larger than {limit // (1024 * 1024)} MB; "
                        "ingest it with `followup ingest` instead"
                    )
                handle.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise FollowupError(f"{clean}: the file is empty")
    return token, path


def find_upload(lake: Lake, token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise FollowupError("unknown upload; upload the file again")
    folder = uploads_dir(lake) / token
    files = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    if len(files) != 1:
        raise FollowupError("unknown upload; upload the file again")
    return files[0]


def remove_upload(lake: Lake, token: str) -> None:
    if _TOKEN.match(token or ""):
        shutil.rmtree(uploads_dir(lake) / token, ignore_errors=True)


PREVIEW_COLUMNS = ("source_row", "goal_area", "activity", "unit", "status", "comment")


def inspect_file(path: Path, fmt: str = "auto", preview: int = 200) -> dict:
    """What `followup inspect --json` prints for this file (rows that would be quarantined
    included), and its first rows as read (``preview``); touches no lake."""
    from pipelines.ingest.period import inspect_report

    result, report = inspect_report(path, fmt)
    columns = [c for c in PREVIEW_COLUMNS if c in result.rows.columns]
    report["preview"] = result.rows.select(columns).head(preview).to_dicts()
    return report
