"""Cheaper storage for the lake's own Dagster instance (<lake>/.dagster): same files, same data.

Dagster's SQLite storages open a new connection for every write (SQLAlchemy ``NullPool``) and
close it right after. In WAL mode, closing the last connection to a database checkpoints the
WAL into it and deletes the ``-wal``/``-shm`` files: one ingest run did that ~100 times on
``index.db`` and ~50 times on its run's own database, ~440 ``fdatasync`` calls per run. Two
standard SQLite measures, applied only to databases under a registered Dagster home:

- a **keeper connection** per database: one idle connection that stays open (no transaction),
  so Dagster's short-lived connections are never the last one and their close is just a
  close. WAL checkpoints still happen (SQLite's automatic one, every 1000 pages) and the last
  keeper's close at exit checkpoints as usual; a killed process leaves a WAL that the next
  opener recovers, as always. At most ``MAX_KEEPERS`` are kept (the oldest run databases are
  let go), so a long-running process (``followup serve``) does not collect them.
- ``PRAGMA synchronous=NORMAL`` on Dagster's connections: in WAL mode a commit no longer
  waits for an fsync, the WAL is synced at checkpoints. SQLite's documentation: the database
  stays consistent; a power loss (not a process crash) may lose the last committed
  transactions — here, the last events of a run's log. The lake's own tables do not depend
  on it (they are written atomically and fsynced by the lake store).

Other processes (``dg dev``, a second ``followup ingest``) use the same files as before; WAL
mode is what lets them read and write concurrently.

And one for alembic: Dagster checks each SQLite database's schema revision when it opens it
(runs, event index, schedules, and every run's own database, which is created at the run's
start) and stamps new ones. Each check builds alembic's revision map again by executing
Dagster's ~90 migration scripts (~40 ms), 9 times per ingest. The map is read-only data of the
installed Dagster, so one map per process is shared by every ``ScriptDirectory`` of Dagster's
migrations (``_share_revision_maps``); what is checked and stamped does not change.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

MAX_KEEPERS = 8

_lock = threading.Lock()
_homes: tuple[str, ...] = ()  # replaced, never changed in place: read without the lock
_keepers: OrderedDict[str, sqlite3.Connection] = OrderedDict()
_listening = False


def tune_storage(home: Path) -> None:
    """Apply the measures above to every SQLite database Dagster opens under ``home``.

    ``FOLLOWUP_STORAGE_TUNING=0`` turns them off (the benchmark's baseline, and a way out).
    """
    global _listening, _homes
    if os.environ.get("FOLLOWUP_STORAGE_TUNING", "1") == "0":
        return
    with _lock:
        # Dagster names its files by os.path.abspath (symlinks kept): match both spellings.
        for spelling in {os.path.abspath(home), str(Path(home).resolve())}:
            prefix = spelling.rstrip("/") + "/"
            if prefix not in _homes:
                _homes = (*_homes, prefix)
        if _listening:
            return
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        event.listen(Engine, "connect", _on_connect)
        atexit.register(release_keepers)
        _share_revision_maps()
        _listening = True


def _share_revision_maps() -> None:
    """One alembic revision map per process for Dagster's migrations (see the module's doc)."""
    import dagster
    from alembic.script import ScriptDirectory

    dagster_migrations = str(Path(dagster.__file__).parent / "_core" / "storage" / "alembic")
    build = ScriptDirectory.from_config.__func__
    shared = {}

    def from_config(cls, config):
        script = build(cls, config)
        if script.dir == dagster_migrations and not script.version_locations:
            script.revision_map = shared.setdefault(script.dir, script.revision_map)
        return script

    ScriptDirectory.from_config = classmethod(from_config)


def release_keepers() -> None:
    """Close every keeper connection (the last close checkpoints its database)."""
    with _lock:
        while _keepers:
            _, connection = _keepers.popitem(last=False)
            connection.close()


def kept_databases() -> list[str]:
    with _lock:
        return list(_keepers)


def _on_connect(dbapi_connection, _record) -> None:
    homes = _homes
    if not homes or not isinstance(dbapi_connection, sqlite3.Connection):
        return
    try:
        rows = dbapi_connection.execute("PRAGMA database_list").fetchall()
        path = next((row[2] for row in rows if row[1] == "main"), "")
        if not path or not path.startswith(homes):
            return
        if dbapi_connection.execute("PRAGMA page_count").fetchone()[0] == 0:
            # A database being created: Dagster switches it to WAL after creating its tables;
            # switching first spares the rollback journal's syncs for every CREATE statement.
            dbapi_connection.execute("PRAGMA journal_mode=WAL").fetchall()
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error:  # busy (another process creating it): Dagster's own settings then
        return
    _keep(path)


def _keep(path: str) -> None:
    with _lock:
        if path in _keepers:
            _keepers.move_to_end(path)
            return
        try:
            keeper = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return
        try:
            # Only a WAL database is kept, and only once it has a schema: a database being
            # created is still in rollback-journal mode (Dagster switches it afterwards).
            wal = keeper.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            wal = wal and keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        except sqlite3.Error:  # busy: another connection is creating it; try next time
            wal = False
        if not wal:
            keeper.close()
            return
        _keepers[path] = keeper
        while len(_keepers) > MAX_KEEPERS:
            _, oldest = _keepers.popitem(last=False)
            oldest.close()
