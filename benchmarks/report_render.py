"""How long the reports take, from lake tables to each output format.

1. One organisation: a synthetic history (seeded): 8 goal areas, 300 activities, 12 quarterly
   periods, ~5 % of activities replaced each period; times ``build_report_data`` and
   ``write_report`` for .html, .xlsx, .pdf and .png (each PDF/PNG starts its own Chromium).
2. The report step of one ingest (the ``controller_report`` asset's writers): .html, .xlsx and
   .pdf of one small organisation and period (69 activities as in the bundled spreadsheet; one
   period as in an empty lake, and two), each run in a fresh process as ``followup ingest`` is,
   so the first run pays the imports of great-tables and the start of Chromium; then the same
   writers twice more in that process (warm). Two ways: ``write_report`` once per format (how
   the asset wrote them before: the HTML rendered twice, Chromium started after it) and
   ``write_reports`` (one render; Chromium starts while the page and workbook are made). Wall
   time, and the CPU time of the Python process alone (Chromium's not counted), which the
   machine's load disturbs less.
3. The national overview: the lake of ``benchmarks/national_scale.py`` (310 organisations × 12
   quarters × ~150 activities, generated once and cached under benchmarks/out/national; its
   snapshots only, so no promises); times ``overview_from_lake`` and ``write_overview`` for
   .html, .xlsx and .pdf.

    uv run python benchmarks/report_render.py [--skip-national] [--orgs 310] [--only-ingest-step]
        [--repeats 3] [--baseline DIR]
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from pathlib import Path

import polars as pl

from pipelines.core.periods import parse_period
from pipelines.core.status import STATUSES
from pipelines.derive.history import TRANSITION_SCHEMA
from pipelines.report.model import build_report_data
from pipelines.report.render import find_chromium, write_report

ORG = "region-bench"
AREAS = [f"Målområde {i}: ett hållbart län" for i in range(1, 9)]
WORDS = [
    "arbetet",
    "pågår",
    "enligt",
    "plan",
    "försenat",
    "hösten",
    "våren",
    "beslut",
    "upphandling",
    "resurser",
    "klart",
]


def history(n_activities: int = 300, n_periods: int = 12, seed: int = 7):
    rng = random.Random(seed)
    periods = [f"{2020 + i // 4}-Q{i % 4 + 1}" for i in range(n_periods)]
    alive = [f"act-{i}" for i in range(n_activities)]
    next_id = n_activities
    status = {a: rng.choice(STATUSES[:3]) for a in alive}
    area = {a: rng.choice(AREAS) for a in alive}
    snaps, delays, promises = [], [], []
    off_since: dict[str, tuple[int, dt.date]] = {}
    for pi, period in enumerate(periods):
        report_date = parse_period(period).end + dt.timedelta(days=20)
        if pi:
            for a in rng.sample(alive, k=n_activities // 20):
                alive.remove(a)
                new = f"act-{next_id}"
                next_id += 1
                alive.append(new)
                status[new] = "green"
                area[new] = rng.choice(AREAS)
        for row, a in enumerate(sorted(alive, key=lambda x: (AREAS.index(area[x]), x)), start=1):
            if rng.random() < 0.2:
                status[a] = rng.choice(STATUSES)
            s = status[a]
            snaps.append(
                {
                    "org": ORG,
                    "period": period,
                    "report_date": report_date,
                    "goal_area": area[a],
                    "activity": f"Aktivitet {a} " + " ".join(rng.choices(WORDS, k=6)),
                    "unit": f"Verksamhet {hash(a) % 7}",
                    "status": s,
                    "status_source": "inferred" if rng.random() < 0.05 else "reported",
                    "comment": " ".join(rng.choices(WORDS, k=rng.randint(5, 40))),
                    "source_file": f"uppfoljning-{period}.pdf",
                    "source_sha256": "0" * 64,
                    "source_row": row,
                    "activity_id": a,
                    "completed": False,
                    "status_confidence": 1.0,
                }
            )
            off = s in ("yellow", "red")
            if off and a not in off_since:
                off_since[a] = (pi, report_date)
            if not off:
                off_since.pop(a, None)
            since = off_since.get(a)
            delays.append(
                {
                    "org": ORG,
                    "activity_id": a,
                    "period": period,
                    "report_date": report_date,
                    "status": s,
                    "off_plan": off,
                    "periods_off_plan": pi - since[0] + 1 if since else 0,
                    "off_plan_since": since[1] if since else None,
                    "days_off_plan": (report_date - since[1]).days if since else None,
                }
            )
            if off and rng.random() < 0.05:
                promises.append(
                    {
                        "org": ORG,
                        "activity_id": a,
                        "period": period,
                        "report_date": report_date,
                        "expression": "till hösten",
                        "promised_by": report_date + dt.timedelta(days=60),
                        "granularity": "season",
                        "outcome": rng.choice(["slipped", "kept", "open", "moved"]),
                        "checked_in_period": periods[min(pi + 1, n_periods - 1)],
                        "days_slipped": rng.randint(1, 200),
                    }
                )
    return (
        pl.DataFrame(snaps).with_columns(pl.col("source_row").cast(pl.Int64)),
        pl.DataFrame(schema=TRANSITION_SCHEMA),
        pl.DataFrame(delays),
        pl.DataFrame(promises),
    )


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<44} {time.perf_counter() - start:7.2f} s")
    return result


def national(orgs: int) -> None:
    from national_scale import DEFAULT_OUT, generate

    from pipelines.report.overview import overview_from_lake, write_overview

    info = generate(DEFAULT_OUT, orgs, 12, 150, regenerate=False)  # national_scale.py's cache
    lake = DEFAULT_OUT / "lake"
    print(
        f"national lake: {info['orgs']} organisations × {info['quarters']} quarters, "
        f"{info['rows_with_incoming']} snapshot rows ({'cached' if info['cached'] else 'new'})"
    )
    frame = timed("overview_from_lake", lambda: overview_from_lake(lake))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for suffix in ("html", "xlsx"):
            timed(
                f"write_overview .{suffix}", lambda s=suffix: write_overview(frame, out / f"o.{s}")
            )
        if find_chromium() is not None:
            timed("write_overview .pdf", lambda: write_overview(frame, out / "o.pdf"))
        for name in ("o.html", "o.xlsx", "o.pdf"):
            if (out / name).exists():
                print(f"size {name:<6} {(out / name).stat().st_size / 1e6:6.2f} MB")


INGEST_FORMATS = (".html", ".xlsx", ".pdf")
INGEST_ACTIVITIES = 69  # rows of pipelines/sample_data/region-vastmanland_2022-Q3_…xlsx


def ingest_step_child(mode: str, periods: int, out: Path, runs: int) -> None:
    """In a fresh process: the report writers of one ingest, ``runs`` times; prints JSON."""
    import json

    snaps, transitions, delays, promises = history(INGEST_ACTIVITIES, periods)
    data = build_report_data(snaps, transitions, delays, promises, org=ORG)
    times, cpu = [], []
    for run in range(runs):
        folder = out / f"{mode}-{run}"
        start, start_cpu = time.perf_counter(), time.process_time()
        from pipelines.report import render  # its great-tables import is timed on the 1st run

        if mode == "per-format":
            written = [
                render.write_report(data, folder / f"uppfoljning{s}") for s in INGEST_FORMATS
            ]
        else:
            written = list(render.write_reports(data, folder, INGEST_FORMATS).values())
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)  # this process only, not Chromium
        assert all(p.stat().st_size > 0 for p in written) and len(written) == 3
    sizes = {p.suffix: p.stat().st_size for p in written}
    print(
        json.dumps({"mode": mode, "periods": periods, "times": times, "cpu": cpu, "sizes": sizes})
    )


def ingest_step(repeats: int = 3, baseline: Path | None = None) -> None:
    """The controller_report asset's writers, each repeat in a fresh process (cold); the ways
    take turns so that the machine's load falls on all of them alike."""
    import json
    import os
    import statistics
    import subprocess
    import sys

    from pipelines.report import render

    if find_chromium() is None:
        print("Chromium not installed: the ingest's report step (with its PDF) not timed")
        return
    # (label, writers, checkout whose pipelines/ is imported: None = this one)
    ways = [("per-format", "per-format", None)]
    if hasattr(render, "write_reports"):
        ways.append(("write_reports", "write_reports", None))
    if baseline is not None:
        ways.insert(0, ("baseline", "per-format", baseline))
        print(f"baseline: write_report per format with pipelines/ from {baseline}")
    print(
        f"ingest report step: {INGEST_ACTIVITIES} activities, html+xlsx+pdf, {repeats} fresh "
        f"processes per row; load average {os.getloadavg()[0]:.1f} at start"
    )
    print(
        f"{'writers':<16}{'periods':>8}{'cold median':>13}{'cold min':>10}{'warm min':>10}"
        f"{'cold CPU median':>17}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for periods in (1, 2):
            cold: dict[str, list[float]] = {w[0]: [] for w in ways}
            cold_cpu: dict[str, list[float]] = {w[0]: [] for w in ways}
            warm: dict[str, list[float]] = {w[0]: [] for w in ways}
            for i in range(repeats):
                for label, writers, tree in ways:
                    env = dict(os.environ)
                    if tree is not None:
                        env["PYTHONPATH"] = str(tree)
                    out = Path(tmp) / f"{periods}-{i}-{label}"
                    args = ["--ingest-step-child", writers, str(periods), str(out)]
                    done = subprocess.run(
                        [sys.executable, __file__, *args],
                        capture_output=True,
                        text=True,
                        check=True,
                        env=env,
                    )
                    result = json.loads(done.stdout.strip().splitlines()[-1])
                    cold[label].append(result["times"][0])
                    cold_cpu[label].append(result["cpu"][0])
                    warm[label] += result["times"][1:]
            for label, _, _ in ways:
                print(
                    f"{label:<16}{periods:>8}{statistics.median(cold[label]):>12.2f}s"
                    f"{min(cold[label]):>9.2f}s{min(warm[label]):>9.2f}s"
                    f"{statistics.median(cold_cpu[label]):>16.2f}s"
                )
    print(f"load average {os.getloadavg()[0]:.1f} at end (2 cores shared with other jobs)")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--orgs", type=int, default=310)
    parser.add_argument("--only-ingest-step", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per row")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of older code (e.g. `git archive <commit> | tar -x -C DIR`) whose "
        "write_report is timed beside this one's in the ingest step",
    )
    parser.add_argument("--ingest-step-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ingest_step_child:
        mode, periods, out = args.ingest_step_child
        ingest_step_child(mode, int(periods), Path(out), runs=3)
        return
    if args.only_ingest_step:
        ingest_step(args.repeats, args.baseline)
        return
    one_org()
    ingest_step(args.repeats, args.baseline)
    if not args.skip_national:
        national(args.orgs)


def one_org() -> None:
    snaps, transitions, delays, promises = history()
    print(
        f"history: {snaps.height} snapshot rows, {snaps['activity_id'].n_unique()} activities, "
        f"{snaps['period'].n_unique()} periods"
    )
    data = timed(
        "build_report_data",
        lambda: build_report_data(snaps, transitions, delays, promises, org=ORG),
    )
    print(
        f"sections: worsened {data.worsened.height}, improved {data.improved.height}, "
        f"off plan {data.off_plan.height}, slipped {data.slipped.height}, new {data.new.height}, "
        f"dropped {data.dropped.height}, strip rows {data.strip_activities.height}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for suffix in ("html", "xlsx"):
            timed(f"write_report .{suffix}", lambda s=suffix: write_report(data, out / f"r.{s}"))
        if find_chromium() is None:
            print("Chromium not installed: PDF/PNG not timed")
        else:
            timed("write_report .pdf", lambda: write_report(data, out / "b.pdf"))
            timed("write_report .png", lambda: write_report(data, out / "r.png"))
        for name in ("r.html", "r.xlsx", "b.pdf", "r.png"):
            if (out / name).exists():
                print(f"size {name:<6} {(out / name).stat().st_size / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
