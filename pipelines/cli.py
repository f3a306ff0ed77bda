"""The `followup` command line: parse, ingest, demo (and more as the pipeline grows)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipelines.core.errors import FollowupError

app = typer.Typer(
    name="followup",
    help="Follow-up reports (uppföljning) into a validated, versioned Parquet history.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

SAMPLE_DIR = Path(__file__).parent / "sample_data"

LakeOption = Annotated[
    Path | None,
    typer.Option(
        "--lake", metavar="DIR", help="Lake folder (default: $FOLLOWUP_LAKE or ./data_lake)."
    ),
]
FormatOption = Annotated[
    str,
    typer.Option("--format", "-f", metavar="FORMAT", help="auto, or one of the reader formats."),
]


def _lake(path: Path | None):
    from pipelines.lake.store import Lake, lake_root

    return Lake(lake_root(path))


def _the_org(store, org: str | None) -> str:
    """The organisation asked for, else the lake's only one; with several, name them."""
    if org:
        return org
    orgs = sorted({o for o, _ in store.periods("snapshots")} | {o for o, _ in store.periods()})
    if len(orgs) == 1:
        return orgs[0]
    if not orgs:
        raise FollowupError(f"{store.root}: the lake holds no reports yet; ingest one first")
    raise FollowupError(
        f"the lake holds {len(orgs)} organisations; pass --org, one of: {', '.join(orgs)}"
    )


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A report file.")],
    out_path: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="Write rows to .csv or .parquet."),
    ] = None,
    fmt: FormatOption = "auto",
    org: Annotated[
        str | None, typer.Option(metavar="ORG", help="Organisation (default: from file name).")
    ] = None,
    period: Annotated[
        str | None, typer.Option(metavar="PERIOD", help="Period, e.g. 2022-Q2.")
    ] = None,
    report_date: Annotated[
        str | None, typer.Option(metavar="DATE", help="Report date YYYY-MM-DD.")
    ] = None,
) -> None:
    """Read one report and show its rows; touches no lake.

    \b
    Example:
      followup parse report.xlsx --out rows.csv
    """
    from pipelines.ingest.period import parse_file, split_valid
    from pipelines.lake.export import write_rows

    rows, result, meta = parse_file(file, fmt, org, period, report_date)
    note = ""
    if meta.period is None:
        note = " (period unknown: pass --period or --report-date)"
    else:
        valid, quarantine = split_valid(rows, result)
        bad = quarantine.filter(quarantine["kind"] == "rejected")
        for row in bad.iter_rows(named=True):
            err.print(f"[yellow]row {row['source_row']}[/]: {row['reason']}", highlight=False)
        note = f", {bad.height} would be quarantined" if bad.height else ""
    for warning in result.warnings:
        page = f"page {warning.page}: " if warning.page is not None else ""
        err.print(f"[yellow]warning[/] {page}{warning.message}", highlight=False)
    if out_path:
        write_rows(rows, out_path)
        err.print(f"{rows.height} rows ({result.format}){note} → {out_path}", highlight=False)
    else:
        import polars as pl

        with pl.Config(tbl_rows=-1, fmt_str_lengths=60, tbl_width_chars=160):
            out.print(
                rows.select("source_row", "goal_area", "activity", "unit", "status", "comment")
            )
        err.print(f"{rows.height} rows ({result.format}){note}", highlight=False)


@app.command("inspect")
def inspect_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A report file.")],
    fmt: FormatOption = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Show what the reader finds in a report; touches no lake.

    Tables, which column became which field and why, the status encoding, rows per goal
    area, warnings, and the rows that would be quarantined — before anything is ingested.

    \b
    Example:
      followup inspect kommun-x_2024-T2.xlsx
    """
    import json

    from pipelines.ingest.period import inspect_report
    from pipelines.read.inspect import render

    _, report = inspect_report(file, fmt)
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return
    for part in render(report):
        out.print(part, highlight=False)


def _ingest_files(lake, files, org, period, report_date, fmt) -> int:
    """Register each file and run its period through Dagster; returns the exit code."""
    from pipelines.derive.refresh import is_up_to_date
    from pipelines.ingest.period import register_report

    if period and len(files) > 1:
        raise FollowupError("--period applies to one file; ingest the files one at a time")
    instance = None  # made at the first run: a refused or unchanged file needs no Dagster
    code = 0
    for index, file in enumerate(files, start=1):
        prefix = f"[{index}/{len(files)}] {file.name}"
        registration, changed = register_report(lake, file, org, period, report_date, fmt)
        version = lake.committed_version(registration.org, registration.period)
        done = is_up_to_date(lake, registration.org, registration.period)
        if done and version.get("blocked"):
            code = 1
            problems = "; ".join(version.get("check", {}).get("problems", [])) or "check failed"
            err.print(
                f"[red]{prefix}[/]: {registration.org} {registration.period} is blocked "
                f"(this file, version {version['version']}): {problems}; ingest a valid file "
                "for the period to replace it",
                highlight=False,
            )
            continue
        if done:
            out.print(
                f"{prefix}: unchanged ({registration.org} {registration.period} already "
                "holds this file)",
                highlight=False,
            )
            continue
        with err.status(f"{prefix}: running {registration.org} {registration.period}…"):
            from pipelines.orchestration.runner import dagster_instance, run_period

            instance = instance or dagster_instance(lake)
            outcome = run_period(lake, registration.org, registration.period, instance)
        meta = outcome.metadata
        detail = (
            (
                f"{meta.get('valid', '?')} rows, {meta.get('rejected', 0)} quarantined, "
                f"{meta.get('warnings', 0)} warnings"
            )
            if meta
            else ""
        )
        if outcome.success:
            out.print(
                f"{prefix}: {registration.org} {registration.period} "
                f"{meta.get('outcome', 'done')} — {detail}",
                highlight=False,
            )
        else:
            code = 1
            reason = "; ".join(outcome.failed_checks) or outcome.error or "run failed"
            err.print(
                f"[red]{prefix}[/]: {registration.org} {registration.period} stopped: "
                f"{reason} — {detail} (run {outcome.run_id})",
                highlight=False,
            )
    return code


@app.command()
def ingest(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="Report files of one organisation.")
    ],
    org: Annotated[str, typer.Option(metavar="ORG", help="Organisation, e.g. region-vastmanland.")],
    period: Annotated[
        str | None, typer.Option(metavar="PERIOD", help="Period, e.g. 2022-Q2.")
    ] = None,
    report_date: Annotated[
        str | None, typer.Option(metavar="DATE", help="Report date YYYY-MM-DD.")
    ] = None,
    lake: LakeOption = None,
    fmt: FormatOption = "auto",
) -> None:
    """Ingest report files of one organisation (through Dagster).

    Each file is kept in raw/, validated, and its period's snapshot and everything
    downstream is rebuilt — the same job the inbox sensor launches.

    \b
    Example:
      followup ingest region-x_2023-04-12.xlsx --org region-x
    """
    raise typer.Exit(_ingest_files(_lake(lake), files, org, period, report_date, fmt))


@app.command()
def status(
    lake: LakeOption = None,
    org: Annotated[str | None, typer.Option(metavar="ORG", help="Only this organisation.")] = None,
) -> None:
    """Each period's file, version, rows, check outcome.

    One line per org × period: state (ok, BLOCKED, pending), file, version, rows, quarantined
    rows and the blocking check's outcome. Exit code 1 when any period is blocked or not yet
    committed.

    \b
    Example:
      followup status --lake data_lake
    """
    from pipelines.lake.status import period_status

    store = _lake(lake)
    lines = period_status(store, org)
    if not lines:
        raise FollowupError(f"{store.root}: the lake holds no reports yet; ingest one first")
    code = 0
    for line in lines:
        out.print(line.render(), highlight=False)
        code |= 1 if (line.blocked or line.version is None) else 0
    raise typer.Exit(code)


@app.command()
def rebuild(
    lake: LakeOption = None,
    workers: Annotated[
        int | None,
        typer.Option(metavar="N", help="Processes deriving organisations (default: one per core)."),
    ] = None,
) -> None:
    """Make every table again, organisations in parallel.

    Periods whose snapshot is not current (deleted, interrupted, written by an older version)
    run again from their raw file through Dagster; then every organisation's derived tables
    (history, links, activities, transitions, delays, promises) are made again from its
    snapshots, organisations in parallel. A lake of the older layout (one history file for
    every organisation) is moved to per-organisation history first. Reports are kept; make
    them with `followup report`.

    \b
    Example:
      followup rebuild --lake data_lake
    """
    from pipelines.derive.refresh import derive_orgs, migrate_legacy_history, stale_snapshots

    store = _lake(lake)
    periods = store.periods("raw")
    if not periods:
        raise FollowupError(f"{store.root}: no registered reports in raw/; nothing to rebuild")
    if migrate_legacy_history(store):
        out.print("moved history/data.parquet to per-organisation history", highlight=False)
    stale = stale_snapshots(store)
    code = 0
    if stale:
        from pipelines.orchestration.runner import dagster_instance, run_period

        instance = dagster_instance(store)
        for index, (org, period) in enumerate(stale, start=1):
            with err.status(f"[{index}/{len(stale)}] snapshot {org} {period}…"):
                outcome = run_period(store, org, period, instance, derive=False)
            state = outcome.metadata.get("outcome", "done") if outcome.success else "FAILED"
            out.print(f"[{index}/{len(stale)}] {org} {period}: {state}", highlight=False)
            code |= 0 if outcome.success else 1
    out.print(
        f"{len(periods) - len(stale)} of {len(periods)} snapshots already current", highlight=False
    )
    orgs = store.orgs()
    with err.status(f"deriving {len(orgs)} organisations…") as status:

        def progress(done: int, total: int) -> None:
            status.update(f"deriving organisations: {done}/{total}")

        summaries = derive_orgs(store, orgs, workers=workers, progress=progress)
    rows = sum(s["rows"] for s in summaries)
    out.print(
        f"derived {len(summaries)} organisations: {rows} rows, "
        f"{sum(s['activities'] for s in summaries)} activities, "
        f"{sum(s['transitions'] for s in summaries)} transitions",
        highlight=False,
    )
    raise typer.Exit(code)


@app.command()
def report(
    out_path: Annotated[
        Path, typer.Option("--out", "-o", metavar="FILE", help="FILE.html, .pdf, .png or .xlsx.")
    ],
    org: Annotated[
        str | None, typer.Option(metavar="ORG", help="Organisation (default: the lake's only one).")
    ] = None,
    lake: LakeOption = None,
    period: Annotated[
        str | None, typer.Option(metavar="PERIOD", help="Period to report (default: latest).")
    ] = None,
    previous: Annotated[
        str | None,
        typer.Option(metavar="PERIOD", help="Period to compare with (default: the one before)."),
    ] = None,
    lang: Annotated[str, typer.Option(metavar="LANG", help="sv (default) or en.")] = "sv",
    all_orgs: Annotated[
        bool,
        typer.Option("--all", help="An overview of every organisation in the lake (one row each)."),
    ] = False,
) -> None:
    """Write the controllers' report (HTML, PDF, PNG or Excel).

    \b
    Example:
      followup report --out uppfoljning.html --period 2023-Q1
      followup report --all --out oversikt.html
    """
    from pipelines.report.from_lake import report_from_lake
    from pipelines.report.render import write_report

    store = _lake(lake)
    if all_orgs:
        from pipelines.report.overview import overview_from_lake, write_overview

        if org or period or previous:
            raise FollowupError("--all reports every org's latest period; drop --org/--period")
        with err.status("building the overview…"):
            frame = overview_from_lake(store.root)
            written = write_overview(frame, out_path, lang=lang)
        out.print(f"overview of {frame.height} organisations: {written}", highlight=False)
        return
    org = _the_org(store, org)
    with err.status("building the report…"):
        data = report_from_lake(store.root, org, period, previous)
        written = write_report(data, out_path, lang=lang)
    compared = f"{data.previous} → {data.period}" if data.previous else data.period
    out.print(f"report {org} {compared}: {written}", highlight=False)


@app.command()
def review(
    lake: LakeOption = None,
    org: Annotated[str | None, typer.Option(help="Only this organisation.")] = None,
    candidates: Annotated[int, typer.Option(help="Candidates shown per link.")] = 3,
    out_path: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            metavar="csv|FILE",
            help="`csv`: CSV on stdout; FILE.csv or FILE.parquet: write the rows there.",
        ),
    ] = None,
) -> None:
    """List uncertain links with their best candidates and evidence.

    A row is listed when it is linked with less than the accept probability, or stayed new
    while a candidate came close. Candidates are ranked by the linker's probability.

    Ids are printed whole at any terminal width, so they can be copied into
    overrides/links.csv (or decide in the browser: followup serve).

    \b
    Example:
      followup review --org region-x
      followup review --out csv > review.csv
    """
    import polars as pl

    from pipelines.link.linker import review_candidates
    from pipelines.query import History

    history = History(_lake(lake).root)
    links = history.links(org).collect()
    snapshots = history.snapshots(org).collect()
    rows = review_candidates(links, snapshots, n=candidates)
    if out_path is not None:
        if out_path.lower() == "csv":
            sys.stdout.write(rows.write_csv())
            return
        from pipelines.lake.export import write_rows

        write_rows(rows, Path(out_path))
        err.print(f"{rows.height} rows → {out_path}", highlight=False)
        return
    if rows.is_empty():
        out.print("no links need review", highlight=False)
        return
    out.print(
        "Links to review (confirm or reject them in overrides/links.csv, or in the browser "
        "with followup serve)\n",
        highlight=False,
    )
    for group in rows.partition_by(["org", "period", "source_row"], maintain_order=True):
        first = group.row(0, named=True)
        out.print(
            f"{first['org']} {first['period']} row {first['source_row']}: {first['activity']}",
            highlight=False,
            markup=False,
        )
        out.print(f"  linked to {first['linked_activity_id']}", highlight=False, markup=False)
        # ids are printed whole at any terminal width: they are what an override names
        for cand in group.iter_rows(named=True):
            mark = "  ← linked" if cand["is_current"] else ""
            p = cand.get("candidate_probability")
            score = f"p={p:.2f}  " if p is not None else ""
            out.print(
                f"  {cand['rank']}. {cand['candidate_activity_id']}  {score}"
                f"{cand['candidate_text'] or ''}{mark}",
                highlight=False,
                markup=False,
            )
            if cand.get("evidence"):
                out.print(f"     {cand['evidence']}", highlight=False, markup=False)
    count = rows.select(pl.struct("org", "period", "source_row").n_unique()).item()
    out.print(f"\n{count} links need review", highlight=False)


@app.command()
def serve(
    lake: LakeOption = None,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to bind; anything but 127.0.0.1 is reachable by others.")
    ] = "127.0.0.1",
    reports: Annotated[
        bool, typer.Option(help="Rebuild the latest report in the background after decisions.")
    ] = True,
) -> None:
    """Review links and statuses, browse and upload, in the browser.

    Decisions go to <lake>/overrides/links.csv and status.csv with your name and the time;
    the history is derived again at once. Binds 127.0.0.1 unless --host says otherwise.

    \b
    Example:
      followup serve --lake data_lake --port 8000
    """
    import threading

    import uvicorn

    from pipelines.serve.app import bind_warning, build_app

    store = _lake(lake)
    warning = bind_warning(host)
    if warning:
        err.print(f"warning: {warning}", highlight=False, markup=False)
    application = build_app(store.root, rebuild_reports=reports)
    # Dagster takes seconds to import: do it now, not at the first decision.
    threading.Thread(
        target=lambda: __import__("pipelines.orchestration.rederive"), daemon=True
    ).start()
    out.print(f"followup serve: http://{host}:{port}/ on {store.root}", highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def sql(
    query: Annotated[str | None, typer.Argument(help="SQL over the lake's tables.")] = None,
    lake: LakeOption = None,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="Write the result to .csv or .parquet."),
    ] = None,
) -> None:
    """Query the lake with DuckDB SQL, or open an SQL prompt.

    One view per table: snapshots, quarantine, links, activities, transitions, delays,
    promises.

    \b
    Example:
      followup sql "SELECT change, count(*) FROM transitions GROUP BY ALL"
    """
    import duckdb

    from pipelines.core.paths import lake_root
    from pipelines.query.sql import duckdb_connection, tables_in

    if query is None:
        _sql_shell(duckdb_connection(lake_root(lake)))
        return
    connection = duckdb_connection(lake_root(lake), tables=tables_in(query))
    try:
        relation = connection.sql(query)
        if relation is None:
            out.print("done", highlight=False)
        elif out_path:  # polars only here: printing needs DuckDB alone (a fast start)
            from pipelines.lake.export import write_rows

            result = relation.pl()
            write_rows(result, out_path)
            err.print(f"{result.height} rows → {out_path}", highlight=False)
        else:
            # DuckDB's own box table: the first and last rows, and how many there are
            out.print(str(relation), markup=False, highlight=False)
    except duckdb.Error as error:
        raise FollowupError(f"SQL: {str(error).splitlines()[0]}") from error


def _sql_shell(connection) -> None:
    """A small SQL prompt: statements end with ';', `.tables` lists views, `.quit` leaves."""
    import duckdb

    views = [
        r[0]
        for r in connection.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    ]
    out.print(
        f"views: {', '.join(views) or '(none: run the pipeline first)'}; end statements "
        "with ';', .quit to leave",
        highlight=False,
    )
    buffer = ""
    while True:
        try:
            line = input("followup> " if not buffer else "       …> ")
        except EOFError:
            break
        if not buffer and line.strip() in {".quit", ".exit", "\\q"}:
            break
        if not buffer and line.strip() == ".tables":
            out.print(", ".join(views), highlight=False)
            continue
        buffer += line + "\n"
        if buffer.rstrip().endswith(";"):
            try:
                relation = connection.sql(buffer)
                out.print(str(relation) if relation is not None else "done", markup=False)
            except duckdb.Error as error:
                err.print(f"[red]error:[/] {str(error).splitlines()[0]}", highlight=False)
            buffer = ""


def demo_files() -> list[Path]:
    """The bundled sample: the real report's first period, then synthetic later periods."""
    return [
        path
        for path in sorted(SAMPLE_DIR.iterdir())
        if path.name.startswith("region-vastmanland_") and path.suffix in {".csv", ".xlsx", ".txt"}
    ]


@app.command()
def demo(lake: LakeOption = None) -> None:
    """Run the whole pipeline on the bundled sample data.

    The real OCR'd report of Region Västmanland (2022-Q2) and three synthetic later periods
    made from it are ingested, linked and compared; a summary ends with what to try next.

    \b
    Example:
      followup demo --lake /tmp/demo-lake
    """
    store = _lake(lake)
    files = demo_files()
    out.print(
        f"demo: {len(files)} reports of region-vastmanland (the first is real, the later "
        f"ones synthetic) → lake {store.root}",
        highlight=False,
    )
    code = _ingest_files(store, files, "region-vastmanland", None, None, "auto")
    _demo_summary(store, len(files))
    raise typer.Exit(code)


def _demo_summary(store, n_files: int) -> None:
    """What the demo shows, each line labelled: rows, quarantine, links, changes, the report."""
    import polars as pl

    from pipelines.core.periods import period_sort_key
    from pipelines.query import History
    from pipelines.report.render import find_chromium

    org = "region-vastmanland"
    history = History(store.root)
    rows = history.snapshots(org).collect()
    periods = sorted(set(rows["period"]), key=period_sort_key)
    quarantine = history.scan("quarantine", org).collect()
    kinds = dict(quarantine.group_by("kind").len().iter_rows()) if quarantine.height else {}
    links = history.links(org).collect()
    methods = dict(links.group_by("method").len().iter_rows())
    to_review = int(links["needs_review"].sum())

    def line(label: str, text: str) -> None:
        out.print(f"  {label:<18}{text}", highlight=False)

    out.print("\nSummary", highlight=False)
    line("files read", f"{n_files}")
    line(
        "rows",
        f"{rows.height} in {len(periods)} periods ({periods[0]} is the real report; "
        f"{', '.join(periods[1:])} synthetic)",
    )
    line(
        "quarantined",
        f"{kinds.get('rejected', 0)} rows rejected, {kinds.get('warning', 0)} reader warnings "
        '(followup sql "SELECT * FROM quarantine")',
    )
    line(
        "links",
        ", ".join(f"{methods.get(m, 0)} {m}" for m in ("exact", "fuzzy", "override", "new"))
        + " (a new link = an activity seen for the first time)",
    )
    line("to review", f"{to_review} uncertain links — see them all with: followup review")
    real = rows.filter(pl.col("period") == periods[0]).select("activity_id", "activity")
    reworded = (
        links.filter((pl.col("method") == "fuzzy") & (pl.col("matched_from_period") == periods[0]))
        .join(
            rows.select("period", "source_row", pl.col("activity").alias("now")),
            on=["period", "source_row"],
        )
        .join(real, on="activity_id")
        .sort("score")
        .head(3)
    )
    if reworded.height:
        line("reworded", "the 3 least similar links back to the real report (similarity 0–100):")
        for link in reworded.iter_rows(named=True):
            out.print(
                f"{'':<22}{link['score']:.0f}  {periods[0]}: {link['activity']}\n"
                f"{'':<26}{link['period']}: {link['now']}",
                highlight=False,
            )
    changes = history.transitions(org).group_by("change").len().sort("len", descending=True)
    line("transitions", ", ".join(f"{n} {c}" for c, n in changes.collect().iter_rows()))
    worst = (
        history.delays(org)
        .filter(pl.col("off_plan") & (pl.col("period") == periods[-1]))
        .join(history.activities(org).select("activity_id", "canonical_text"), on="activity_id")
        .sort("periods_off_plan", "days_off_plan", descending=True)
        .head(3)
        .collect()
    )
    if not worst.height:
        line("longest off plan", f"none off plan in {periods[-1]}")
    for index, delay in enumerate(worst.iter_rows(named=True)):
        line(
            "longest off plan" if index == 0 else "",
            f"{delay['periods_off_plan']} periods ({delay['days_off_plan']} days): "
            f"{delay['canonical_text']}",
        )
    folder = store.partition_dir("reports", org, periods[-1])
    written = sorted(folder.glob("uppfoljning.*"))
    html = next((f for f in written if f.suffix == ".html"), None)
    line("report", f"{html or '(not written)'}")
    others = [f.suffix[1:] for f in written if f.suffix != ".html"]
    if others:
        line("", f"also as {', '.join(others)} in the same folder")
    if not any(f.suffix == ".pdf" for f in written):
        reason = (
            "Chromium is not installed (apt-get install -y chromium)"
            if find_chromium() is None
            else "see the run's log"
        )
        line("skipped", f"the PDF report: {reason}")
    line("lake", f"{store.root}")
    default = store.root == Path("data_lake").resolve()
    lake_flag = "" if default else f" --lake {store.root}"
    env = "" if default else f"FOLLOWUP_LAKE={store.root} "
    out.print("\nTry next:", highlight=False)
    for command, what in (
        (f"./run review{lake_flag}", "every link to review, with its candidates"),
        (
            f'./run sql "SELECT change, count(*) FROM transitions GROUP BY ALL"{lake_flag}',
            "the history in SQL",
        ),
        (f"{env}./run dev", "the Dagster UI on this lake, http://127.0.0.1:3000"),
    ):
        out.print(f"  {command}\n      {what}", highlight=False)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a FollowupError is one line on stderr and exit code 2, never a traceback."""
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    try:
        app(args=argv)  # standalone mode: usage errors print and exit 2 by themselves
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except FollowupError as error:
        err.print(f"[red]error:[/] {error}", highlight=False)
        return 2
    except OSError as error:  # a path the user gave that cannot be read or written
        where = f"{error.filename}: " if error.filename else ""
        err.print(f"[red]error:[/] {where}{error.strerror or error}", highlight=False)
        return 2
    return 0


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
