"""Promises in comments: resolution against the report date, and kept/slipped/moved/open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.core.errors import FollowupError
from pipelines.derive.promises import (
    EVALUATED_COLUMNS,
    PROMISE_COLUMNS,
    evaluate_promises,
    extract_promises,
    promises_in,
)

JULY = dt.date(2022, 7, 7)
NOVEMBER = dt.date(2022, 11, 15)
d = dt.date


@pytest.mark.parametrize(
    ("comment", "report_date", "expected"),
    [
        ("Pågår, planerat till hösten.", JULY, [("till hösten", d(2022, 11, 30), "season")]),
        ("Pagar, planerat till hosten.", JULY, [("till hosten", d(2022, 11, 30), "season")]),
        (
            "Arbetet är inlett och intensifieras under hösten 2022.",
            JULY,
            [("under hösten 2022", d(2022, 11, 30), "season")],
        ),
        (
            "Arbetet har påbörjats och kommer att intensifieras efter sommaren.",
            JULY,
            [("efter sommaren", d(2022, 9, 30), "season")],
        ),
        ("Konferens i oktober.", JULY, [("i oktober", d(2022, 10, 31), "month")]),
        ("Konferens i oktober.", NOVEMBER, [("i oktober", d(2023, 10, 31), "month")]),
        (
            "Upphandling pågår, planerat genomförande aug–nov 2022.",
            JULY,
            [("aug–nov 2022", d(2022, 11, 30), "month")],
        ),
        ("Genomförande aug-nov 2022.", JULY, [("aug-nov 2022", d(2022, 11, 30), "month")]),
        ("Beslut planeras våren 2023.", JULY, [("våren 2023", d(2023, 5, 31), "season")]),
        ("Beslut planeras varen 2023.", JULY, [("varen 2023", d(2023, 5, 31), "season")]),
        ("Genomförs under 2023.", JULY, [("under 2023", d(2023, 12, 31), "year")]),
        ("Klart till årsskiftet.", JULY, [("till årsskiftet", d(2022, 12, 31), "year")]),
        ("Klart till arsskiftet.", NOVEMBER, [("till arsskiftet", d(2022, 12, 31), "year")]),
        ("Leverans vecka 40.", JULY, [("vecka 40", d(2022, 10, 9), "day")]),
        ("Start 2022-10-01.", JULY, [("2022-10-01", d(2022, 10, 1), "day")]),
        ("Beslut tas den 14 juni 2023.", JULY, [("den 14 juni 2023", d(2023, 6, 14), "day")]),
        ("Rapport i slutet av året.", JULY, [("i slutet av året", d(2022, 12, 31), "year")]),
        ("Leverans Q4.", JULY, [("Q4", d(2022, 12, 31), "season")]),
        ("Klart första halvåret 2023.", JULY, [("första halvåret 2023", d(2023, 6, 30), "half")]),
        # past facts and dates not after the report date are not promises
        ("Planen antogs på regionfullmäktige den 14 juni 2022.", JULY, []),
        ("Delutvärderingen som presenterades i maj visar goda resultat.", JULY, []),
        ("Beslut fattades under våren.", JULY, []),
        ("Dialoger under våren 2022: strategier, upphandlingar.", JULY, []),
        ("Start 2022-07-01.", JULY, []),
        ("Arbete med att följa upp 2023 målet pågår.", JULY, []),
        ("Pågår enligt plan.", JULY, []),
        (None, JULY, []),
        # two expressions for the same date give one promise
        (
            "Projektet fortsätter under hösten och en plan för hösten är lagd.",
            JULY,
            [("under hösten", d(2022, 11, 30), "season")],
        ),
        # a past clause and a future clause in one comment
        (
            "Länsdialogen genomfördes 12 maj. Nästa dialog planeras i oktober.",
            JULY,
            [("i oktober", d(2022, 10, 31), "month")],
        ),
    ],
)
def test_promises_in(comment, report_date, expected):
    assert promises_in(comment, report_date) == expected


Q2, Q3, Q4, Q1 = "2022-Q2", "2022-Q3", "2022-Q4", "2023-Q1"
DATES = {Q2: d(2022, 7, 7), Q3: d(2022, 10, 10), Q4: d(2023, 1, 16), Q1: d(2023, 4, 12)}
ORG = "region-vastmanland"
# (activity_id, period, comment, completed)
HISTORY = [
    # kept: autumn promised in Q2, completed in Q4 (the Q3 report was before the date)
    ("kept", Q2, "Pågår, planerat till hösten.", False),
    ("kept", Q3, "Pågår enligt plan.", False),
    ("kept", Q4, "Genomförd.", True),
    # slipped: October promised, the Q4 report (after October) still unfinished
    ("slip", Q2, "Konferens planerad i oktober.", False),
    ("slip", Q3, "Pågår.", False),
    ("slip", Q4, "Pågår fortfarande.", False),
    # moved: the Q3 report (before the deadline) promises a later date
    ("move", Q2, "Planerat genomförande aug–nov 2022.", False),
    ("move", Q3, "Förskjuts, planeras nu till våren 2023.", False),
    ("move", Q4, "Pågår.", False),
    # slipped with a new promise: the report after the date names a new one
    ("reset", Q2, "Klart efter sommaren.", False),
    ("reset", Q3, "Försenad, nu planerat till årsskiftet.", False),
    # open: no later report yet
    ("late", Q1, "Planeras under 2023.", False),
    # open: the activity is not reported again
    ("gone", Q2, "Planeras i september.", False),
    # a past fact: no promise at all
    ("past", Q2, "Planen antogs den 14 juni 2022.", True),
]


def snapshots() -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "org": ORG,
                "activity_id": aid,
                "period": period,
                "report_date": DATES[period],
                "status": "green",
                "comment": comment,
                "completed": completed,
            }
            for aid, period, comment, completed in HISTORY
        ]
    )


EXPECTED_PROMISES = [
    ("kept", Q2, "till hösten", d(2022, 11, 30), "season"),
    ("late", Q1, "under 2023", d(2023, 12, 31), "year"),
    ("move", Q2, "aug–nov 2022", d(2022, 11, 30), "month"),
    ("move", Q3, "till våren 2023", d(2023, 5, 31), "season"),
    ("reset", Q2, "efter sommaren", d(2022, 9, 30), "season"),
    ("reset", Q3, "till årsskiftet", d(2022, 12, 31), "year"),
    ("slip", Q2, "i oktober", d(2022, 10, 31), "month"),
    ("gone", Q2, "i september", d(2022, 9, 30), "month"),
]
# (outcome, checked_in_period, days_slipped) in the same order
EXPECTED_OUTCOMES = [
    ("kept", Q4, None),
    ("open", None, None),
    ("moved", Q3, 182),  # 2022-11-30 → 2023-05-31
    ("open", None, None),  # Q4 (2023-01-16) is before 2023-05-31
    ("slipped", Q3, 92),  # new promise 2022-12-31 − 2022-09-30
    ("open", None, None),  # "reset" is not reported after Q3
    ("slipped", Q4, 77),  # 2023-01-16 − 2022-10-31
    ("open", None, None),
]


def expected_promises() -> pl.DataFrame:
    rows = [(ORG, aid, p, DATES[p], e, by, g) for aid, p, e, by, g in EXPECTED_PROMISES]
    return pl.DataFrame(rows, schema=PROMISE_COLUMNS, orient="row").sort(
        "activity_id", "report_date"
    )


def test_extract_promises_full_table():
    got = extract_promises(snapshots())
    assert got.columns == list(PROMISE_COLUMNS)
    assert_frame_equal(got, expected_promises())


def test_evaluate_promises_full_table():
    promises = extract_promises(snapshots())
    got = evaluate_promises(snapshots(), promises)
    outcomes = {
        (aid, p): o for (aid, p, *_), o in zip(EXPECTED_PROMISES, EXPECTED_OUTCOMES, strict=True)
    }
    want = expected_promises().with_columns(
        outcome=pl.Series(
            [outcomes[k][0] for k in promises.select("activity_id", "period").rows()]
        ),
        checked_in_period=pl.Series(
            [outcomes[k][1] for k in promises.select("activity_id", "period").rows()],
            dtype=pl.String,
        ),
        days_slipped=pl.Series(
            [outcomes[k][2] for k in promises.select("activity_id", "period").rows()],
            dtype=pl.Int64,
        ),
    )
    assert got.columns == list(EVALUATED_COLUMNS)
    assert_frame_equal(got, want)


@pytest.mark.parametrize("seed", [1, 2])
def test_shuffled_input_gives_the_same_tables(seed):
    shuffled = snapshots().sample(fraction=1.0, shuffle=True, seed=seed)
    assert_frame_equal(extract_promises(shuffled), extract_promises(snapshots()))
    assert_frame_equal(
        evaluate_promises(shuffled, extract_promises(shuffled)),
        evaluate_promises(snapshots(), extract_promises(snapshots())),
    )


def test_ocr_folded_comments_give_the_same_dates():
    folded = snapshots().with_columns(
        comment=pl.col("comment").str.replace_many(["å", "ä", "ö"], ["a", "a", "o"])
    )
    assert extract_promises(folded)["promised_by"].to_list() == (
        expected_promises()["promised_by"].to_list()
    )


def test_no_promises_gives_empty_tables_with_the_contract_columns():
    plain = snapshots().with_columns(comment=pl.lit("Pågår enligt plan."))
    promises = extract_promises(plain)
    assert promises.schema == pl.Schema(PROMISE_COLUMNS)
    assert evaluate_promises(plain, promises).schema == pl.Schema(EVALUATED_COLUMNS)


def test_bad_input_is_a_followup_error():
    with pytest.raises(FollowupError, match="comment"):
        extract_promises(snapshots().drop("comment"))
    with pytest.raises(FollowupError, match="promised_by"):
        evaluate_promises(snapshots(), extract_promises(snapshots()).drop("promised_by"))


LABELS = (
    Path(__file__).parents[2] / "benchmarks" / "data" / "vastmanland_2022-07-07_status_labels.csv"
)
# Read by hand from the 80 comments of region-vastmanland_2022-07-07: every time promise in them.
REAL_PROMISES = [
    ("Genomföra en länsdialog kring hälsofrämjande", "till hösten", d(2022, 11, 30)),
    (
        "Ta fram en länsövergripande handlingsplan för att förebygga suicid",
        "i oktober",
        d(2022, 10, 31),
    ),
    ("Implementera rutiner för att förskola", "hösten 2022", d(2022, 11, 30)),
    ("Färdigställande och implementering av ny samverkans", "i september", d(2022, 9, 30)),
    ("Leda projektet Vägar framåt", "under hösten", d(2022, 11, 30)),
    ("Inleda arbetet med att upprätta en ny regional gång", "under hösten 2022", d(2022, 11, 30)),
    ("Fördjupad kartläggning på kommunalnivå", "efter sommaren", d(2022, 9, 30)),
    ("Genomföra en nulägeskartläggning av Skogsstrategins", "aug–nov 2022", d(2022, 11, 30)),
]


@pytest.mark.parametrize("degrade", [False, True])
def test_promises_in_the_real_report(degrade):
    labels = pl.read_csv(LABELS)
    if degrade:  # as the OCR text has it
        labels = labels.with_columns(
            pl.col("comment").str.replace_many(["å", "ä", "ö"], ["a", "a", "o"])
        )
    report = d(2022, 7, 7)
    got = extract_promises(
        labels.select(
            org=pl.lit(ORG),
            activity_id="activity",
            period=pl.lit(Q2),
            report_date=pl.lit(report),
            comment="comment",
        )
    )
    found = sorted((a, by) for a, by in got.select("activity_id", "promised_by").iter_rows())
    want = []
    for prefix, _, by in REAL_PROMISES:
        (activity,) = labels.filter(pl.col("activity").str.starts_with(prefix))["activity"]
        want.append((activity, by))
    assert found == sorted(want)
    if not degrade:
        assert sorted(got["expression"]) == sorted(e for _, e, _ in REAL_PROMISES)
