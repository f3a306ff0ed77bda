"""The data lake on disk: folder layout, atomic writes, the lock, raw files and period versions.

Layout (hive-style folders so polars and DuckDB read them as partitioned tables)::

    raw/org=O/period=P/<sha12>-<file name>        the original bytes, every version kept
    raw/org=O/period=P/registrations.jsonl        one line per registered file, last = current
    snapshots/org=O/period=P/data.parquet         the valid rows of the current version
    snapshots/org=O/period=P/_version.json        which file / when / who made that snapshot
    quarantine/org=O/period=P/data.parquet        rejected rows and reader warnings, with reasons
    versions/org=O/period=P/v<N>/                 earlier snapshots, quarantines and _version.json
    history/data.parquet                          every current snapshot of every org, in order

Every file is written aside under a dot-name and renamed into place, so a reader (or a crash)
never sees half a file; a lake-wide lock serialises writers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import hashlib
import json
import os
import re
import signal
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.core.periods import parse_period

DEFAULT_LAKE = "data_lake"
DATA_FILE = "data.parquet"
VERSION_FILE = "_version.json"


def lake_root(explicit: str | os.PathLike | None = None) -> Path:
    """The lake root: an explicit path, else $FOLLOWUP_LAKE, else ./data_lake."""
    return Path(explicit or os.environ.get("FOLLOWUP_LAKE") or DEFAULT_LAKE).resolve()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def org_slug(org: str) -> str:
    """A safe folder name for an organisation: ``Region Västmanland`` → ``region-vastmanland``.

    Path characters are refused outright rather than silently dropped.
    """
    if not org or "/" in org or "\\" in org or ".." in org or "\x00" in org:
        raise FollowupError(
            f"org {org!r} is not a valid organisation name; use letters, digits and dashes, "
            "e.g. region-vastmanland"
        )
    folded = unicodedata.normalize("NFKD", org).encode("ascii", "ignore").decode().casefold()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if not slug:
        raise FollowupError(f"org {org!r} has no letters or digits to name it by")
    return slug


MAX_NAME_BYTES = 150  # + a 13-byte sha prefix + a 14-byte temporary suffix < 255 (ext4, APFS)


def safe_file_name(name: str) -> str:
    """A file name with no path parts and no characters that trouble shells or Windows.

    NFC first (macOS writes å as a + ring; that must not become ``a_``), then at most
    ``MAX_NAME_BYTES`` of UTF-8 with the extension kept, so the stored copy's name fits.
    """
    base = Path(unicodedata.normalize("NFC", name).replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-åäöÅÄÖ]+", "_", base).lstrip(".")
    if len(cleaned.encode("utf-8")) > MAX_NAME_BYTES:
        suffix = Path(cleaned).suffix
        suffix = suffix if len(suffix) <= 16 else ""
        stem = cleaned[: len(cleaned) - len(suffix)]
        budget = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
        cleaned = stem.encode("utf-8")[:budget].decode("utf-8", errors="ignore") + suffix
    return cleaned or "report"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def crash_point(name: str) -> None:
    """Fault injection for the crash-safety tests: die here when $FOLLOWUP_CRASH_AT names it."""
    if os.environ.get("FOLLOWUP_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def remove_leftovers(folder: Path) -> None:
    """Delete temporary files that a killed writer left behind (never seen by *.parquet scans)."""
    if folder.is_dir():
        for leftover in folder.glob(".*.tmp-*"):
            leftover.unlink(missing_ok=True)


def _aside(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _aside(path)
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    crash_point("before_rename")
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def atomic_write_parquet(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _aside(path)
    frame.write_parquet(tmp, compression="zstd", statistics=True)
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    crash_point("before_rename")
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def atomic_write_json(path: Path, payload: dict) -> None:
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


@dataclass(frozen=True)
class Registration:
    """One report file registered for an org and period: the input of that period's snapshot."""

    org: str
    period: str
    report_date: str  # ISO date
    source_file: str  # the original file name
    source_sha256: str
    stored_as: str  # path of the kept original, relative to the lake root
    format: str
    registered_at: str
    registered_by: str

    @property
    def report_day(self) -> dt.date:
        return dt.date.fromisoformat(self.report_date)


class Lake:
    """Paths and safe writes under one lake root. Holds no data in memory."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()

    # ---- paths -------------------------------------------------------------------------
    def partition_dir(self, table: str, org: str, period: str | None = None) -> Path:
        parts = [self.root, table, f"org={org_slug(org)}"]
        if period is not None:
            parts.append(f"period={parse_period(period).label}")
        path = Path(*parts).resolve()
        if self.root not in path.parents:  # belt and braces: nothing escapes the lake
            raise FollowupError(f"refusing to write outside the lake: {path}")
        return path

    def table_path(self, table: str, org: str, period: str | None = None) -> Path:
        return self.partition_dir(table, org, period) / DATA_FILE

    def table_glob(self, table: str) -> str:
        return str(self.root / table / "**" / "*.parquet")

    @property
    def dagster_home(self) -> Path:
        return self.root / ".dagster"

    # ---- locking -----------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """An exclusive, process-wide lock on the lake (released if the process dies)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # ---- raw files ---------------------------------------------------------------------
    def _registrations_path(self, org: str, period: str) -> Path:
        return self.partition_dir("raw", org, period) / "registrations.jsonl"

    def registrations(self, org: str, period: str) -> list[Registration]:
        path = self._registrations_path(org, period)
        if not path.exists():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [Registration(**json.loads(line)) for line in lines if line.strip()]

    def current_registration(self, org: str, period: str) -> Registration | None:
        found = self.registrations(org, period)
        return found[-1] if found else None

    def register_raw(
        self, source: Path, org: str, period: str, report_date: dt.date, fmt: str
    ) -> tuple[Registration, bool]:
        """Keep the original file under raw/ and make it the period's current input.

        Returns the registration and whether anything changed (the same file with the same
        report date again changes nothing).
        """
        sha = sha256_file(source)
        with self.lock():
            current = self.current_registration(org, period)
            if (
                current
                and current.source_sha256 == sha
                and current.report_date == report_date.isoformat()
            ):
                return current, False
            folder = self.partition_dir("raw", org, period)
            remove_leftovers(folder)
            stored = folder / f"{sha[:12]}-{safe_file_name(source.name)}"
            if not stored.exists():
                atomic_write_bytes(stored, source.read_bytes())
            registration = Registration(
                org=org_slug(org),
                period=parse_period(period).label,
                report_date=report_date.isoformat(),
                source_file=source.name,
                source_sha256=sha,
                stored_as=str(stored.relative_to(self.root)),
                format=fmt,
                registered_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                registered_by=_user(),
            )
            log = self._registrations_path(org, period)
            previous = log.read_bytes() if log.exists() else b""
            line = json.dumps(asdict(registration), ensure_ascii=False) + "\n"
            atomic_write_bytes(log, previous + line.encode("utf-8"))
            return registration, True

    def periods(self, table: str = "raw") -> list[tuple[str, str]]:
        """All (org, period) partitions of a table, sorted."""
        base = self.root / table
        found = []
        for folder in base.glob("org=*/period=*"):
            found.append((folder.parent.name[4:], folder.name[7:]))
        return sorted(found)

    # ---- snapshots ---------------------------------------------------------------------
    def snapshot_version(self, org: str, period: str) -> dict | None:
        path = self.partition_dir("snapshots", org, period) / VERSION_FILE
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def commit_period(
        self,
        registration: Registration,
        snapshot: pl.DataFrame,
        quarantine: pl.DataFrame,
        extra: dict | None = None,
    ) -> str:
        """Make these the period's current snapshot and quarantine.

        Returns ``unchanged`` (this file is already the current snapshot), ``new``,
        ``replaced`` (the earlier version copied to versions/ first, so it stays readable) or
        ``superseded`` (another file was registered meanwhile; its own run commits it).
        Each file is replaced atomically, quarantine before snapshot, and ``_version.json``
        last: it is the commit record. A crash in between leaves the period "stale" (its record
        names another file than its registration) and the next run completes it.
        """
        org, period = registration.org, registration.period
        with self.lock():
            latest = self.current_registration(org, period)
            if latest and (latest.source_sha256, latest.report_date) != (
                registration.source_sha256,
                registration.report_date,
            ):
                return "superseded"
            current = self.snapshot_version(org, period)
            snap_dir = self.partition_dir("snapshots", org, period)
            quar_dir = self.partition_dir("quarantine", org, period)
            remove_leftovers(snap_dir)
            remove_leftovers(quar_dir)
            if (
                current
                and current["source_sha256"] == registration.source_sha256
                and current["report_date"] == registration.report_date
                and (snap_dir / DATA_FILE).exists()
            ):
                return "unchanged"
            outcome = "new"
            if current:
                outcome = "replaced"
                keep = self.partition_dir("versions", org, period) / f"v{current['version']}"
                for name, src in (
                    ("snapshot.parquet", snap_dir / DATA_FILE),
                    ("quarantine.parquet", quar_dir / DATA_FILE),
                    (VERSION_FILE, snap_dir / VERSION_FILE),
                ):
                    if src.exists() and not (keep / name).exists():
                        atomic_write_bytes(keep / name, src.read_bytes())
                crash_point("after_versions")
            atomic_write_parquet(quarantine, quar_dir / DATA_FILE)
            crash_point("after_quarantine")
            atomic_write_parquet(snapshot, snap_dir / DATA_FILE)
            crash_point("after_snapshot")
            version = {
                "version": (current["version"] + 1) if current else 1,
                **asdict(registration),
                "rows": snapshot.height,
                "quarantined": int((quarantine["kind"] == "rejected").sum()),
                "warnings": int((quarantine["kind"] == "warning").sum()),
                "committed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "committed_by": _user(),
                **(extra or {}),
            }
            atomic_write_json(snap_dir / VERSION_FILE, version)
            return outcome

    # ---- derived tables ----------------------------------------------------------------
    def read_snapshots(self) -> tuple[pl.DataFrame, dict[tuple[str, str], list[str]]]:
        """Every current snapshot in one frame, and each file's own columns (readers differ)."""
        frames, columns = [], {}
        for org, period in self.periods("snapshots"):
            path = self.table_path("snapshots", org, period)
            if path.exists():
                frame = pl.read_parquet(path)
                frames.append(frame)
                columns[(org, period)] = frame.columns
        if not frames:
            return pl.DataFrame(), {}
        return pl.concat(frames, how="diagonal_relaxed"), columns

    def update_snapshots(
        self, enriched: pl.DataFrame, columns: dict[tuple[str, str], list[str]], added: list[str]
    ) -> int:
        """Write derived columns (activity_id, …) back onto each period's snapshot rows.

        A period whose file changed meanwhile (a new version committed) is left alone: the next
        run derives it again. Files whose content would not change are not touched.
        """
        written = 0
        with self.lock():
            for (org, period), part in enriched.partition_by(
                ["org", "period"], as_dict=True
            ).items():
                version = self.snapshot_version(org, period)
                path = self.table_path("snapshots", org, period)
                if (
                    version is None
                    or not path.exists()
                    or part["source_sha256"][0] != version["source_sha256"]
                ):
                    continue
                keep = [c for c in columns[(org, period)] if c not in added]
                new = part.select(*keep, *added).sort("source_row")
                if not pl.read_parquet(path).equals(new):
                    atomic_write_parquet(new, path)
                    written += 1
        return written

    def write_org_tables(self, table: str, frame: pl.DataFrame, orgs: list[str]) -> int:
        """Write ``table/org=O/data.parquet`` for each org (empty when it has no rows now)."""
        written = 0
        # one pass over the frame, not one filter per org (310 orgs × 500,000 rows adds up)
        parts = frame.partition_by("org", as_dict=True) if frame.height else {}
        empty = frame.clear()
        with self.lock():
            for org in orgs:
                part = parts.get((org,), empty)
                path = self.table_path(table, org)
                if path.exists() and pl.read_parquet(path).equals(part):
                    continue
                atomic_write_parquet(part, path)
                written += 1
        return written


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return os.environ.get("USER", "unknown")
