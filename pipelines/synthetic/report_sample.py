"""A small, hand-written three-period history in the lake's table contract.

Used by the report's tests, its benchmark and the README screenshot. Every case the report has a
section for is in it: worsened (one of them inferred from the comment), improved, new, dropped
(one completed), off plan for several periods, a slipped promise, and hostile comment text.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

from pipelines.derive.history import TRANSITION_SCHEMA

ORG = "region-exempel"
PERIODS = ["2022-T1", "2022-T2", "2022-T3"]
REPORT_DATES = {
    "2022-T1": dt.date(2022, 5, 10),
    "2022-T2": dt.date(2022, 9, 12),
    "2022-T3": dt.date(2023, 1, 20),
}
FILES = {p: f"uppfoljning-{p}.pdf" for p in PERIODS}

A = "Ett tillgängligt Västmanland"
B = "Ett hållbart Västmanland"
C = "Ett attraktivt Västmanland"
SCRIPT_COMMENT = "Upphandlingen har överklagats <script>alert('x')</script>"
FORMULA_COMMENT = '=HYPERLINK("https://example.org","Klicka här")'

# activity_id, goal area, activity, unit, {period: (status, source, comment)}
_ACTIVITIES = [
    (
        "a1",
        A,
        "Ta fram en länsövergripande handlingsplan för kollektivtrafik",
        "Samhällsutveckling",
        {
            "2022-T1": ("green", "reported", "Arbetet löper enligt plan."),
            "2022-T2": ("yellow", "reported", "Planerat till hösten 2022, något försenat."),
            "2022-T3": ("red", "reported", SCRIPT_COMMENT),
        },
    ),
    (
        "a2",
        A,
        "Utveckla digitala tjänster för invånare",
        "Välfärd",
        {
            "2022-T1": ("yellow", "reported", "Resursbrist under våren."),
            "2022-T2": ("yellow", "reported", "Fortsatt resursbrist."),
            "2022-T3": ("yellow", "reported", FORMULA_COMMENT),
        },
    ),
    (
        "a3",
        A,
        "Inventera tillgängligheten i kollektivtrafiken",
        "Samhällsutveckling",
        {
            "2022-T1": ("red", "reported", "Ingen finansiering."),
            "2022-T2": ("red", "reported", "Finansiering söks."),
            "2022-T3": ("green", "reported", "Finansiering beviljad, inventeringen pågår."),
        },
    ),
    (
        "a4",
        A,
        "Kartlägga bredbandsutbyggnaden",
        "Näringsliv och kompetensförsörjning",
        {
            "2022-T1": ("green", "reported", "Pågår."),
            "2022-T2": (
                "green",
                "reported",
                "Kartläggningen antogs på regionfullmäktige den 14 juni 2022.",
            ),
        },
    ),
    (
        "b1",
        B,
        "Minska klimatutsläppen från egna transporter",
        "Hållbarhet",
        {
            "2022-T1": ("green", "reported", "Enligt plan."),
            "2022-T2": ("green", "reported", "Enligt plan."),
            "2022-T3": ("yellow", "inferred", "Arbetet har försenats på grund av leveransproblem."),
        },
    ),
    (
        "b2",
        B,
        "Ta fram en handlingsplan för cirkulär ekonomi",
        "Hållbarhet",
        {
            "2022-T1": ("unknown", "reported", None),
            "2022-T2": ("yellow", "reported", "Planen ska vara klar till hösten 2022."),
            "2022-T3": ("yellow", "reported", "Planen är inte klar; ny tidplan tas fram."),
        },
    ),
    (
        "b3",
        B,
        "Genomföra en klimatvecka",
        "Hållbarhet",
        {
            "2022-T3": ("green", "reported", "Ny aktivitet."),
        },
    ),
    (
        "c1",
        C,
        "Stärka kulturlivet i hela länet",
        "Kultur och ideell sektor",
        {
            "2022-T1": ("green", "reported", "Enligt plan."),
            "2022-T2": ("red", "reported", "Bidragen har minskat."),
            "2022-T3": ("yellow", "reported", "Nya bidrag har sökts."),
        },
    ),
    (
        "c2",
        C,
        "Säkra kompetensförsörjningen i vården",
        "Näringsliv och kompetensförsörjning",
        {
            "2022-T1": ("yellow", "reported", "Rekrytering pågår."),
            "2022-T2": ("green", "reported", "Rekryteringen klar."),
            "2022-T3": ("unknown", "reported", None),
        },
    ),
    (
        "c3",
        C,
        "Starta en ny utbildningssatsning",
        "Tärna folkhögskola",
        {
            "2022-T3": ("red", "inferred", "Når ej målet i år: lärare saknas."),
        },
    ),
    (
        "c4",
        C,
        "Digitalisera arkivet",
        "Ledningsstaben",
        {
            "2022-T1": ("yellow", "reported", "Försenat."),
            "2022-T2": ("yellow", "reported", "Försenat, avvaktar beslut."),
        },
    ),
]
_COMPLETED = {("a4", "2022-T2")}


def sample_snapshots() -> pl.DataFrame:
    rows = []
    for period in PERIODS:
        source_row = 0
        for activity_id, area, text, unit, by_period in _ACTIVITIES:
            if period not in by_period:
                continue
            source_row += 1
            status, source, comment = by_period[period]
            rows.append(
                {
                    "org": ORG,
                    "period": period,
                    "report_date": REPORT_DATES[period],
                    "goal_area": area,
                    "activity": text,
                    "unit": unit,
                    "status": status,
                    "status_source": source,
                    "comment": comment,
                    "source_file": FILES[period],
                    "source_sha256": f"{PERIODS.index(period) + 1:x}" * 64,
                    "source_row": source_row,
                    "activity_id": activity_id,
                    "completed": (activity_id, period) in _COMPLETED,
                    "status_confidence": 1.0 if source == "reported" else 0.7,
                }
            )
    return pl.DataFrame(rows).with_columns(pl.col("source_row").cast(pl.Int64))


def sample_transitions() -> pl.DataFrame:
    """The lake's transitions for 2022-T2 → 2022-T3 (the pair the default report compares)."""
    changes = {
        "a1": ("yellow", "red", "worsened"),
        "a2": ("yellow", "yellow", "unchanged"),
        "a3": ("red", "green", "improved"),
        "a4": ("green", None, "completed"),
        "b1": ("green", "yellow", "worsened"),
        "b2": ("yellow", "yellow", "unchanged"),
        "b3": (None, "green", "new"),
        "c1": ("red", "yellow", "improved"),
        "c2": ("green", "unknown", "unchanged"),
        "c3": (None, "red", "new"),
        "c4": ("yellow", None, "dropped"),
    }
    return pl.DataFrame(
        [
            {
                "org": ORG,
                "activity_id": a,
                "from_period": "2022-T2",
                "to_period": "2022-T3",
                "from_status": f,
                "to_status": t,
                "change": c,
                "days": 130 if f and t else None,
            }
            for a, (f, t, c) in changes.items()
        ],
        schema=TRANSITION_SCHEMA,
    )


def sample_delays() -> pl.DataFrame:
    """Off-plan runs as the delays table would hold them (T2 rows too, to be filtered out)."""
    t1, t2, t3 = (REPORT_DATES[p] for p in PERIODS)
    rows = [
        ("a2", "2022-T2", "yellow", True, 2, t1),
        ("a3", "2022-T2", "red", True, 2, t1),
        ("a1", "2022-T3", "red", True, 2, t2),
        ("a2", "2022-T3", "yellow", True, 3, t1),
        ("a3", "2022-T3", "green", False, 0, None),
        ("b1", "2022-T3", "yellow", True, 1, t3),
        ("b2", "2022-T3", "yellow", True, 2, t2),
        ("c1", "2022-T3", "yellow", True, 2, t2),
        ("c3", "2022-T3", "red", True, 1, t3),
    ]
    return pl.DataFrame(
        [
            {
                "org": ORG,
                "activity_id": a,
                "period": p,
                "report_date": REPORT_DATES[p],
                "status": s,
                "off_plan": off,
                "periods_off_plan": n,
                "off_plan_since": since,
                "days_off_plan": (REPORT_DATES[p] - since).days if since else None,
            }
            for a, p, s, off, n, since in rows
        ],
        schema_overrides={"periods_off_plan": pl.Int64, "days_off_plan": pl.Int64},
    )


def sample_promises() -> pl.DataFrame:
    rows = [
        # slipped, found at T3: shows in the default report
        (
            "b2",
            "2022-T2",
            "till hösten 2022",
            dt.date(2022, 11, 30),
            "season",
            "slipped",
            "2022-T3",
            51,
        ),
        # slipped earlier (found at T2): not this report's news
        ("a2", "2022-T1", "klart i juni", dt.date(2022, 6, 30), "month", "slipped", "2022-T2", 74),
        # still open: not shown
        (
            "a1",
            "2022-T2",
            "planerat till hösten 2022",
            dt.date(2022, 11, 30),
            "season",
            "open",
            None,
            None,
        ),
        # kept: not shown
        ("a4", "2022-T1", "beslut i juni", dt.date(2022, 6, 30), "month", "kept", "2022-T2", None),
    ]
    return pl.DataFrame(
        [
            {
                "org": ORG,
                "activity_id": a,
                "period": p,
                "report_date": REPORT_DATES[p],
                "expression": e,
                "promised_by": by,
                "granularity": g,
                "outcome": o,
                "checked_in_period": chk,
                "days_slipped": d,
            }
            for a, p, e, by, g, o, chk, d in rows
        ],
        schema_overrides={"days_slipped": pl.Int64, "checked_in_period": pl.String},
    )


def sample_tables() -> dict[str, pl.DataFrame]:
    """The four tables ``build_report_data`` takes, by name."""
    return {
        "snapshots": sample_snapshots(),
        "transitions": sample_transitions(),
        "delays": sample_delays(),
        "promises": sample_promises(),
    }


def main(argv: list[str]) -> None:
    """``python -m pipelines.synthetic.report_sample OUT [sv|en]``: write the sample report."""
    from pipelines.report.model import build_report_data
    from pipelines.report.render import write_report

    out = Path(argv[0]) if argv else Path("report-sample.html")
    lang = argv[1] if len(argv) > 1 else "sv"
    data = build_report_data(**sample_tables(), org=ORG)
    print(write_report(data, out, lang=lang))


def write_sample_lake(root: Path, tables: dict[str, pl.DataFrame] | None = None) -> Path:
    """The tables written as the lake holds them (snapshots per org and period, the rest per
    org), so ``followup report --lake root`` reads them like an ingested history."""
    from pipelines.lake.store import Lake, atomic_write_parquet

    tables = tables or sample_tables()
    lake = Lake(root)
    snaps = tables["snapshots"]
    for (org, period), part in snaps.partition_by("org", "period", as_dict=True).items():
        atomic_write_parquet(part.drop("org", "period"), lake.table_path("snapshots", org, period))
    orgs = sorted(set(snaps["org"].to_list()))
    for name in ("transitions", "delays", "promises"):
        lake.write_org_tables(name, tables[name], orgs)
    return lake.root


if __name__ == "__main__":
    main(sys.argv[1:])
