"""The data lake on disk: folder layout, atomic writes, the lock, raw files and period versions.

Layout (hive-style folders so polars and DuckDB read them as partitioned tables)::

    raw/org=O/period=P/<sha12>-<file name>        the original bytes, every version kept
    raw/org=O/period=P/registrations.jsonl        one line per registered file, last = current
    versions/org=O/period=P/v<N>/                 every committed version: snapshot.parquet,
                                                  quarantine.parquet, _version.json
    snapshots/org=O/period=P/data.parquet         the valid rows of the current version
                                                  (absent while the period is blocked)
    snapshots/org=O/period=P/_version.json        the current version's commit record
    quarantine/org=O/period=P/data.parquet        rejected rows and reader warnings, with reasons
    history/org=O/period=P/data.parquet           the period's snapshot rows, linked (activity_id,
                                                  inferred statuses): the history, as a view over
                                                  per-org files
    history/org=O/_derived.json                   which file of each period the org's derived
                                                  tables were made from
    links/ activities/ transitions/ delays/ promises/org=O/data.parquet   derived, per org

A period's commit is the rename of its new ``v<N>`` folder into place; snapshots/ and
quarantine/ are then switched to it file by file (see :meth:`Lake.commit_period`). Every other
file is written aside under a dot-name and renamed into place, so a reader (or a crash) never
sees half a file. Writers of one organisation are serialised by that organisation's lock
(:meth:`Lake.lock`); organisations do not wait for each other. Table files are validated against
their pandera schema (``checks.schemas.conform``) before they are written.
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
import shutil
import signal
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.core.paths import DEFAULT_LAKE, lake_root  # noqa: F401  (re-exported)
from pipelines.core.periods import parse_period

DATA_FILE = "data.parquet"
VERSION_FILE = "_version.json"
SNAPSHOT_FILE = "snapshot.parquet"  # inside versions/…/v<N>/
QUARANTINE_FILE = "quarantine.parquet"


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


# Where the crash tests kill an ingest (FOLLOWUP_CRASH_AT), in the order a commit passes them.
FAULT_POINTS = (
    "before_rename",  # the first atomic rename of the run (the raw file's copy)
    "in_version_dir",  # the new version half written, in its temporary folder
    "before_commit",  # the version folder complete, not yet renamed into place
    "after_commit",  # committed; snapshots/ and quarantine/ not yet switched
    "after_quarantine",  # quarantine/ switched, snapshots/ not yet
    "after_snapshot",  # both switched, the commit record in snapshots/ not yet
)


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


def _write_parquet(frame: pl.DataFrame, path: Path) -> None:
    """Write and sync a file inside a folder that is not yet visible (no rename needed)."""
    frame.write_parquet(path, compression="zstd", statistics=True)
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _write_json(path: Path, payload: dict) -> None:
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _link_into_place(source: Path, target: Path) -> None:
    """Make ``target`` the same file as ``source`` by one rename (a hard link, else a copy)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and os.path.samefile(source, target):
        return  # already switched (by a run killed after this rename)
    tmp = _aside(target)
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    crash_point("before_rename")
    os.replace(tmp, target)
    # rename() of two links to one file does nothing and leaves the source name behind
    tmp.unlink(missing_ok=True)
    _fsync_dir(target.parent)


_HELD_GUARD = threading.Lock()
_HELD: dict[Path, list] = {}  # lock file → [thread lock, depth, open handle]


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` between processes (flock, released if the process dies),
    re-entrant within a thread and exclusive between the threads of one process (flock alone
    would deadlock a process that takes the same lock twice through two file handles)."""
    with _HELD_GUARD:
        entry = _HELD.setdefault(path, [threading.RLock(), 0, None])
    with entry[0]:
        if entry[1] == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a+")
            fcntl.flock(handle, fcntl.LOCK_EX)
            entry[2] = handle
        entry[1] += 1
        try:
            yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                handle, entry[2] = entry[2], None
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()


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
    def lock(self, org: str | None = None) -> contextlib.AbstractContextManager[None]:
        """One organisation's lock (``.locks/org=O.lock``): its raw files, commits and derived
        tables have one writer at a time, while other organisations go on. Without ``org``:
        the lake-wide lock, only for the few moves that span organisations (moving an old
        lake's history to the per-org layout). Re-entrant within a thread; released if the
        process dies."""
        if org is None:
            return _file_lock(self.root / ".lock")
        return _file_lock(self.root / ".locks" / f"org={org_slug(org)}.lock")

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
        with self.lock(org):
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

    def periods(self, table: str = "raw", org: str | None = None) -> list[tuple[str, str]]:
        """All (org, period) partitions of a table (of one org), sorted."""
        base = self.root / table
        found = []
        pattern = f"org={org_slug(org)}/period=*" if org else "org=*/period=*"
        for folder in base.glob(pattern):
            found.append((folder.parent.name[4:], folder.name[7:]))
        return sorted(found)

    # ---- snapshots ---------------------------------------------------------------------
    def snapshot_version(self, org: str, period: str) -> dict | None:
        """The period's current commit record as materialised in snapshots/ (or None)."""
        path = self.partition_dir("snapshots", org, period) / VERSION_FILE
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def version_dirs(self, org: str, period: str) -> dict[int, Path]:
        """The period's committed versions: number → versions/org=O/period=P/v<N>/."""
        base = self.partition_dir("versions", org, period)
        found = {}
        for folder in base.glob("v*") if base.is_dir() else ():
            if folder.is_dir() and folder.name[1:].isdigit():
                found[int(folder.name[1:])] = folder
        return dict(sorted(found.items()))

    def committed_version(self, org: str, period: str) -> dict | None:
        """The commit record of the period's newest committed version (the source of truth)."""
        dirs = self.version_dirs(org, period)
        materialised = self.snapshot_version(org, period)
        if dirs:
            top = json.loads((dirs[max(dirs)] / VERSION_FILE).read_text(encoding="utf-8"))
            if materialised is None or materialised["version"] <= top["version"]:
                return top
        return materialised  # a lake written before versions/ held the current version too

    def is_blocked(self, org: str, period: str) -> bool:
        record = self.committed_version(org, period)
        return bool(record and record.get("blocked"))

    def recover(self, org: str, period: str, quick: bool = False) -> bool:
        """Finish what an interrupted commit left: remove its temporary files and folders and
        bring snapshots/ and quarantine/ in line with the newest committed version.
        Call under the lock. Returns whether anything was done. ``quick``: only when the
        switch is visibly unfinished (one folder listing and one small read per period; what
        the derive step runs over every period), leaving temporary files to the period's own
        next commit."""
        snap_dir = self.partition_dir("snapshots", org, period)
        if quick:
            base = self.root / "versions" / snap_dir.parent.name / snap_dir.name
            numbers = [int(n[1:]) for n in os.listdir(base) if n[:1] == "v" and n[1:].isdigit()]
            record = snap_dir / VERSION_FILE
            current = json.loads(record.read_bytes()) if record.exists() else None
            if not numbers or (
                current is not None
                and current["version"] >= max(numbers)
                and (current.get("blocked") or (snap_dir / DATA_FILE).exists())
            ):
                return False
        quar_dir = self.partition_dir("quarantine", org, period)
        ver_base = self.partition_dir("versions", org, period)
        changed = False
        for folder in (snap_dir, quar_dir, ver_base):
            if folder.is_dir():
                for leftover in folder.glob(".*.tmp-*"):
                    changed = True
                    if leftover.is_dir():
                        shutil.rmtree(leftover)
                    else:
                        leftover.unlink(missing_ok=True)
        dirs = self.version_dirs(org, period)
        if not dirs:
            return changed
        top_dir = dirs[max(dirs)]
        top = json.loads((top_dir / VERSION_FILE).read_text(encoding="utf-8"))
        current = self.snapshot_version(org, period)
        if current is not None and current["version"] > top["version"]:
            return changed  # written before versions/ held the current version
        data_missing = not top.get("blocked") and not (snap_dir / DATA_FILE).exists()
        if current == top and not data_missing:
            return changed
        self._materialise(top_dir, top, snap_dir, quar_dir)
        return True

    def _materialise(self, version_dir: Path, record: dict, snap_dir: Path, quar_dir: Path):
        """Make snapshots/ and quarantine/ show this committed version: quarantine data, then
        snapshot data (removed for a blocked period), then the commit record last."""
        _link_into_place(version_dir / QUARANTINE_FILE, quar_dir / DATA_FILE)
        crash_point("after_quarantine")
        if record.get("blocked"):
            (snap_dir / DATA_FILE).unlink(missing_ok=True)
            reports = self.partition_dir("reports", record["org"], record["period"])
            for stale in reports.glob("uppfoljning.*") if reports.is_dir() else ():
                stale.unlink()  # a report of an earlier version must not outlive the block
        else:
            _link_into_place(version_dir / SNAPSHOT_FILE, snap_dir / DATA_FILE)
        crash_point("after_snapshot")
        _link_into_place(version_dir / VERSION_FILE, snap_dir / VERSION_FILE)

    def _archive_unversioned(self, org: str, period: str, current: dict) -> None:
        """A lake from before versions/ held the current version: keep it there first."""
        keep = self.partition_dir("versions", org, period) / f"v{current['version']}"
        if keep.exists():
            return
        snap_dir = self.partition_dir("snapshots", org, period)
        quar_dir = self.partition_dir("quarantine", org, period)
        tmp = _aside(keep)
        tmp.mkdir(parents=True)
        for name, src in (
            (SNAPSHOT_FILE, snap_dir / DATA_FILE),
            (QUARANTINE_FILE, quar_dir / DATA_FILE),
            (VERSION_FILE, snap_dir / VERSION_FILE),
        ):
            if src.exists():
                shutil.copyfile(src, tmp / name)
        _fsync_dir(tmp)
        os.replace(tmp, keep)
        _fsync_dir(keep.parent)

    def commit_period(
        self,
        registration: Registration,
        snapshot: pl.DataFrame,
        quarantine: pl.DataFrame,
        check: dict | None = None,
        extra: dict | None = None,
    ) -> str:
        """Make these the period's current snapshot and quarantine, as one unit.

        Returns ``unchanged`` (this file is already the current version), ``new``, ``replaced``
        or ``superseded`` (another file was registered meanwhile; its own run commits it).

        The new version is written whole into a temporary folder beside ``versions/…/v<N>/``
        (snapshot, quarantine, then ``_version.json``) and renamed to ``v<N>``: that one rename
        is the commit. snapshots/ and quarantine/ are then switched to it (hard links, each by
        a rename; ``_version.json`` last). A crash before the rename leaves the old version
        (the temporary folder is removed by the next run); after it, the next run finishes the
        switch (:meth:`recover`). ``check`` is the blocking check's outcome, recorded in
        ``_version.json``; a failed one (``passed`` false) marks the period blocked: its
        snapshot stays in versions/ and is not shown in snapshots/.
        """
        from checks.schemas import SCHEMA_VERSION, conform

        org, period = registration.org, registration.period
        snapshot = conform(snapshot, "snapshots")
        quarantine = conform(quarantine, "quarantine")
        check = check or {"passed": True, "problems": []}
        with self.lock(org):
            latest = self.current_registration(org, period)
            if latest and (latest.source_sha256, latest.report_date) != (
                registration.source_sha256,
                registration.report_date,
            ):
                return "superseded"
            self.recover(org, period)
            current = self.committed_version(org, period)
            if (
                current
                and current["source_sha256"] == registration.source_sha256
                and current["report_date"] == registration.report_date
                and current.get("schema_version") == SCHEMA_VERSION
                and current.get("check") == check
            ):
                return "unchanged"
            if current:
                self._archive_unversioned(org, period, current)
            dirs = self.version_dirs(org, period)
            number = max([*dirs, current["version"] if current else 0]) + 1
            record = {
                "version": number,
                "schema_version": SCHEMA_VERSION,
                **asdict(registration),
                "rows": snapshot.height,
                "quarantined": int((quarantine["kind"] == "rejected").sum()),
                "warnings": int((quarantine["kind"] == "warning").sum()),
                "check": check,
                "blocked": not check["passed"],
                "committed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "committed_by": _user(),
                **(extra or {}),
            }
            target = self.partition_dir("versions", org, period) / f"v{number}"
            tmp = _aside(target)
            tmp.mkdir(parents=True)
            _write_parquet(snapshot, tmp / SNAPSHOT_FILE)
            crash_point("in_version_dir")
            _write_parquet(quarantine, tmp / QUARANTINE_FILE)
            _write_json(tmp / VERSION_FILE, record)
            _fsync_dir(tmp)
            crash_point("before_commit")
            os.replace(tmp, target)  # the commit
            _fsync_dir(target.parent)
            crash_point("after_commit")
            snap_dir = self.partition_dir("snapshots", org, period)
            quar_dir = self.partition_dir("quarantine", org, period)
            self._materialise(target, record, snap_dir, quar_dir)
            return "replaced" if current else "new"

    # ---- derived tables ----------------------------------------------------------------
    def read_snapshots(
        self, org: str | list[str] | None = None
    ) -> tuple[pl.DataFrame, dict[tuple[str, str], list[str]]]:
        """Every current, unblocked snapshot (of one org, or of these orgs) in one frame
        (interrupted commits finished first), and each file's columns. A blocked period is left
        out: nothing downstream sees it."""
        frames, columns = [], {}
        for o, period in self._periods_of("versions", org):
            with self.lock(o):
                self.recover(o, period, quick=True)
        for o, period in self._periods_of("snapshots", org):
            path = self.table_path("snapshots", o, period)
            if path.exists():  # a blocked period has no data file in snapshots/
                frame = _as_current_schema(pl.read_parquet(path))
                frames.append(frame)
                columns[(o, period)] = frame.columns
        if not frames:
            return pl.DataFrame(), {}
        return pl.concat(frames, how="diagonal_relaxed"), columns

    def _periods_of(self, table: str, org: str | list[str] | None) -> list[tuple[str, str]]:
        if org is None or isinstance(org, str):
            return self.periods(table, org)
        wanted = {org_slug(o) for o in org}
        if len(wanted) == 1:
            return self.periods(table, next(iter(wanted)))
        return [(o, p) for o, p in self.periods(table) if o in wanted]

    def orgs(self) -> list[str]:
        return sorted({org for org, _ in self.periods("raw")})

    def blocked_periods(self) -> list[tuple[str, str]]:
        return [(o, p) for o, p in self.periods("raw") if self.is_blocked(o, p)]

    def update_snapshots(
        self,
        enriched: pl.DataFrame,
        columns: dict[tuple[str, str], list[str]],
        added: list[str],
        before: pl.DataFrame | None = None,
    ) -> int:
        """Write derived columns (activity_id, …) back onto each period's snapshot rows.

        A period whose file changed meanwhile (a new version committed) is left alone: the next
        run derives it again. Files whose content would not change are not touched. ``before``:
        the files as :meth:`read_snapshots` read them while the caller has held the orgs' locks
        since (so they cannot have changed): compared with instead of reading each file again.
        """
        from checks.schemas import SCHEMA_VERSION, conform

        written = 0
        enriched = conform(enriched, "snapshots")  # once: validation costs per call
        known = before.partition_by("org", "period", as_dict=True) if before is not None else {}
        for (org, period), part in enriched.partition_by(["org", "period"], as_dict=True).items():
            with self.lock(org):
                version = self.snapshot_version(org, period)
                path = self.table_path("snapshots", org, period)
                if (
                    version is None
                    or version.get("blocked")
                    or version.get("schema_version") != SCHEMA_VERSION  # upgraded by its own run
                    or not path.exists()
                    or part["source_sha256"][0] != version["source_sha256"]
                ):
                    continue
                new = part.sort("source_row")
                old = known.get((org, period))
                if old is None or old.columns != new.columns:
                    old = pl.read_parquet(path)
                if not old.equals(new):
                    atomic_write_parquet(new, path)
                    written += 1
        return written

    def write_org_tables(self, table: str, frame: pl.DataFrame, orgs: list[str]) -> int:
        """Write ``table/org=O/data.parquet`` for each org (empty when it has no rows now)."""
        from checks.schemas import conform

        written = 0
        frame = conform(frame, table)  # once: validation costs per call, not per row
        # one pass over the frame, not one filter per org (310 orgs × 500,000 rows adds up)
        parts = frame.partition_by("org", as_dict=True) if frame.height else {}
        empty = frame.clear()
        for org in orgs:
            part = parts.get((org,), empty)
            path = self.table_path(table, org)
            with self.lock(org):
                remove_leftovers(path.parent)  # of a writer killed here (we hold the lock)
                if path.exists() and pl.read_parquet(path).equals(part):
                    continue
                atomic_write_parquet(part, path)
                written += 1
        return written

    def write_period_tables(self, table: str, frame: pl.DataFrame, orgs: list[str]) -> int:
        """Write these orgs' ``table/org=O/period=P/data.parquet`` files: a file per org and
        period in ``frame``, only where its content changed (adding a quarter writes one file),
        and the orgs' period folders that ``frame`` no longer has are removed. Returns files
        written or removed."""
        from checks.schemas import conform

        frame = conform(frame, table)  # once: validation costs per call, not per row
        parts = frame.partition_by("org", "period", as_dict=True) if frame.height else {}
        written = 0
        for org in orgs:
            base = self.root / table / f"org={org_slug(org)}"
            periods = {p: part for (o, p), part in parts.items() if o == org}
            with self.lock(org):
                for period, part in periods.items():
                    path = self.table_path(table, org, period)
                    remove_leftovers(path.parent)
                    if path.exists() and pl.read_parquet(path).equals(part):
                        continue
                    atomic_write_parquet(part, path)
                    written += 1
                keep = {f"period={p}" for p in periods}
                for folder in base.glob("period=*") if base.is_dir() else ():
                    if folder.name not in keep:
                        shutil.rmtree(folder)
                        written += 1
        return written


def _as_current_schema(frame: pl.DataFrame) -> pl.DataFrame:
    """A snapshot as the current schema has it; one written by an older version (a reader's own
    columns) is brought to it in memory, its unknown columns kept in ``reader_extra``."""
    from checks.schemas import TABLES, conform, extra_as_json

    names = TABLES["snapshots"].names
    if frame.columns == names:
        return frame
    unknown = [c for c in frame.columns if c not in names]
    if unknown:
        frame = frame.with_columns(extra_as_json(frame, unknown)).drop(unknown)
    return conform(frame, "snapshots")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return os.environ.get("USER", "unknown")
