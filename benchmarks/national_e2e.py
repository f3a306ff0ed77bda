"""The end-to-end half of ``benchmarks/national_scale.py``: the ``followup`` CLI as a user runs it.

Every figure here is one ``followup`` process started fresh (the venv's entry point, not ``uv
run``): its wall time and its own peak RSS (``os.wait4`` gives the rusage of that one child).

- one new report file into an empty lake and into a copy of the full lake (``followup ingest``,
  through Dagster), best of N, each on a fresh copy so the file is new every time;
- ``followup sql "SELECT 1"`` on the full lake, best of N;
- ``followup rebuild`` on a copy of the full lake, and whether the derived tables it leaves are
  equal, file by file, to the ones it started from.

A lake copy is hard links (``cp -al``): every lake write is a new file renamed into place, so a
write in the copy never reaches the original. Dagster's ``.dagster/`` is SQLite, written in
place, so it is copied for real, and so are the lock files. The original lake's files are
fingerprinted (inode, size, mtime) before and checked after, so a write that does reach it is
caught, not assumed away.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.lake.store import Lake

# Folders of the lake that hold the inputs and their versions, not derived tables.
INPUT_FOLDERS = ("raw", "versions")
REAL_COPIES = (".dagster",)  # written in place: never share them between lakes


def followup_exe() -> Path:
    """The venv's own ``followup`` entry point (uv's start-up is not the project's)."""
    return Path(sys.executable).parent / "followup"


@dataclass
class CliRun:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str

    def check(self, what: str) -> CliRun:
        if self.returncode != 0:
            tail = "\n".join((self.stderr or self.stdout).strip().splitlines()[-15:])
            raise SystemExit(f"{what} failed (exit {self.returncode}):\n{tail}")
        return self


def run_cli(args: list[str], log_dir: Path, timeout: float | None = None) -> CliRun:
    """Run ``followup ARGS`` in a fresh process: wall seconds and that process's peak RSS."""
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "FOLLOWUP_LAKE")}
    env["COLUMNS"] = "200"
    out_path, err_path = log_dir / "stdout.txt", log_dir / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(followup_exe()), *args], stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env
        )
        deadline = None if timeout is None else started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return CliRun(
        seconds=seconds,
        peak_mb=usage.ru_maxrss / 1024,
        returncode=proc.returncode,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )


# --------------------------------------------------------------------------- lake copies


def copy_lake(source: Path, target: Path) -> None:
    """A copy of a lake made of hard links, except the files written in place (copied)."""
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-al", str(source), str(target)], check=True)
    for name in REAL_COPIES:
        if (target / name).exists():
            shutil.rmtree(target / name)
            shutil.copytree(source / name, target / name, symlinks=True)
    for lock in target.rglob("*.lock"):  # flock files: opened in append mode, never shared
        if lock.is_file():
            data = lock.read_bytes()
            lock.unlink()
            lock.write_bytes(data)


def fingerprint(root: Path) -> dict[str, tuple[int, int, int]]:
    """(inode, size, mtime) of every file of a lake: to prove a copy's runs left it alone."""
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            found[str(path.relative_to(root))] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return found


def changed_files(before: dict, after: dict) -> list[str]:
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k) != after.get(k))


def derived_files(root: Path) -> dict[str, Path]:
    """Every Parquet file of the lake outside raw/ and versions/: snapshots, quarantine and
    everything derived from them (per-org tables, history), by path relative to the lake."""
    found = {}
    for path in root.rglob("*.parquet"):
        rel = path.relative_to(root)
        if rel.parts[0] in INPUT_FOLDERS or rel.parts[0].startswith("."):
            continue
        if path.name.startswith("."):  # a temporary file left by a killed writer
            continue
        found[str(rel)] = path
    return found


def compare_tables(before: dict[str, Path], after: dict[str, Path]) -> dict:
    """Are the files of two lakes the same set, each equal as a polars frame?"""
    missing = sorted(set(before) - set(after))
    extra = sorted(set(after) - set(before))
    different = []
    rewritten = 0
    for rel in sorted(set(before) & set(after)):
        if os.path.samefile(before[rel], after[rel]):
            continue  # the same file (the copy's hard link): left as it was
        rewritten += 1
        if not pl.read_parquet(before[rel]).equals(pl.read_parquet(after[rel])):
            different.append(rel)
    return {
        "equal": not (missing or extra or different),
        "files": len(before),
        "rewritten": rewritten,
        "missing": missing[:5],
        "extra": extra[:5],
        "different": different[:5],
    }


# --------------------------------------------------------------------------- the steps


def ingest_args(file: Path, org: str, period: str, report_date: str, lake: Path) -> list[str]:
    return [
        "ingest",
        str(file),
        "--org",
        org,
        "--period",
        period,
        "--report-date",
        report_date,
        "--lake",
        str(lake),
    ]


def one_file(
    file: Path,
    org: str,
    period: str,
    report_date: str,
    work: Path,
    full_lake: Path | None,
    repeat: int,
    timeout: float | None,
) -> dict:
    """``followup ingest`` of one file, ``repeat`` times, each into a fresh lake: an empty one,
    or a fresh copy of ``full_lake``. Best wall time; the largest peak of the runs."""
    runs = []
    for i in range(repeat):
        lake = work / f"lake-{i}"
        if lake.exists():
            shutil.rmtree(lake)
        if full_lake is not None:
            copy_lake(full_lake, lake)
        run = run_cli(ingest_args(file, org, period, report_date, lake), work / f"log-{i}", timeout)
        run.check(f"followup ingest {file.name} into {lake}")
        record = Lake(lake).snapshot_version(org, period)
        if record is None:
            raise SystemExit(f"followup ingest committed nothing: {run.stdout}")
        runs.append(run)
        shutil.rmtree(lake)
    return {
        "seconds": min(r.seconds for r in runs),
        "peak_mb": max(r.peak_mb for r in runs),
        "runs": [round(r.seconds, 2) for r in runs],
        "rows": record["rows"],
    }


def sql_select1(lake: Path, work: Path, repeat: int, timeout: float | None) -> dict:
    runs = []
    for i in range(repeat):
        run = run_cli(["sql", "SELECT 1", "--lake", str(lake)], work / f"sql-{i}", timeout)
        runs.append(run.check("followup sql"))
    return {
        "seconds": min(r.seconds for r in runs),
        "peak_mb": max(r.peak_mb for r in runs),
        "runs": [round(r.seconds, 2) for r in runs],
    }


def rebuild(full_lake: Path, work: Path, timeout: float | None) -> dict:
    """``followup rebuild`` on a copy of the full lake; its tables compared with the original's."""
    lake = work / "lake"
    copy_lake(full_lake, lake)
    run = run_cli(["rebuild", "--lake", str(lake)], work / "log", timeout)
    run.check("followup rebuild")
    comparison = compare_tables(derived_files(full_lake), derived_files(lake))
    shutil.rmtree(lake)
    return {"seconds": run.seconds, "peak_mb": run.peak_mb, **comparison}
