"""Transitions and delays on hand-built multi-period histories, checked table by table.

Org region-a reports by tertial plus the annual report: 2022-T1, 2022-T2, 2022-FY, 2023-T1.
String order would put 2022-FY first; the history must follow the periods' end dates.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.core.errors import FollowupError
from pipelines.derive.history import DELAY_SCHEMA, TRANSITION_SCHEMA, delays, transitions

D = {
    "2022-T1": dt.date(2022, 5, 20),
    "2022-T2": dt.date(2022, 9, 15),
    "2022-FY": dt.date(2023, 2, 20),
    "2023-T1": dt.date(2023, 5, 22),
    "2022-Q2": dt.date(2022, 7, 7),
    "2022-Q3": dt.date(2022, 10, 12),
}
A, B = "region-a", "region-b"
T1, T2, FY, N1 = "2022-T1", "2022-T2", "2022-FY", "2023-T1"
# (org, activity_id, period, status, completed)
HISTORY = [
    # a1: steadily worse
    (A, "a1", T1, "green", False),
    (A, "a1", T2, "yellow", False),
    (A, "a1", FY, "red", False),
    (A, "a1", N1, "red", False),
    # a2: the colour goes missing in between; finished but still listed at the end
    (A, "a2", T1, "yellow", False),
    (A, "a2", T2, "unknown", False),
    (A, "a2", FY, "green", False),
    (A, "a2", N1, "green", True),
    # a3: completed, then gone
    (A, "a3", T1, "green", False),
    (A, "a3", T2, "green", True),
    # a4: dropped, back, dropped again
    (A, "a4", T1, "red", False),
    (A, "a4", FY, "yellow", False),
    # a5: appears late, completed, then reopened in place
    (A, "a5", T2, "green", False),
    (A, "a5", FY, "green", True),
    (A, "a5", N1, "green", False),
    # a6: new in the last period, colour unknown
    (A, "a6", N1, "unknown", False),
    # a7: off plan with unknown periods in the run
    (A, "a7", T1, "unknown", False),
    (A, "a7", T2, "red", False),
    (A, "a7", FY, "unknown", False),
    (A, "a7", N1, "yellow", False),
    # org b reports quarterly; its "a1" is another activity than region-a's
    (B, "a1", "2022-Q2", "green", False),
    (B, "a1", "2022-Q3", "red", False),
    (B, "b2", "2022-Q2", "yellow", True),
    (B, "b2", "2022-Q3", "yellow", False),
    (B, "b3", "2022-Q2", "yellow", False),
]


def snapshots(rows=HISTORY) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "org": org,
                "activity_id": aid,
                "period": period,
                "report_date": D[period],
                "status": status,
                "completed": completed,
                "activity": f"Aktivitet {aid}",
                "comment": None,
            }
            for org, aid, period, status, completed in rows
        ],
        schema_overrides={"comment": pl.String},
    )


# days between region-a's reports (counted on a calendar): T1→T2 118, T2→FY 158, FY→N1 91
EXPECTED_TRANSITIONS = [
    (A, "a1", None, T1, None, "green", "new", None),
    (A, "a1", T1, T2, "green", "yellow", "worsened", 118),
    (A, "a1", T2, FY, "yellow", "red", "worsened", 158),
    (A, "a1", FY, N1, "red", "red", "unchanged", 91),
    (A, "a2", None, T1, None, "yellow", "new", None),
    (A, "a2", T1, T2, "yellow", "unknown", "unchanged", 118),
    (A, "a2", T2, FY, "unknown", "green", "unchanged", 158),
    (A, "a2", FY, N1, "green", "green", "unchanged", 91),
    (A, "a3", None, T1, None, "green", "new", None),
    (A, "a3", T1, T2, "green", "green", "unchanged", 118),
    (A, "a3", T2, FY, "green", None, "completed", 158),
    (A, "a4", None, T1, None, "red", "new", None),
    (A, "a4", T1, T2, "red", None, "dropped", 118),
    (A, "a4", T1, FY, "red", "yellow", "reopened", 276),
    (A, "a4", FY, N1, "yellow", None, "dropped", 91),
    (A, "a5", T1, T2, None, "green", "new", 118),
    (A, "a5", T2, FY, "green", "green", "unchanged", 158),
    (A, "a5", FY, N1, "green", "green", "reopened", 91),
    (A, "a6", FY, N1, None, "unknown", "new", 91),
    (A, "a7", None, T1, None, "unknown", "new", None),
    (A, "a7", T1, T2, "unknown", "red", "unchanged", 118),
    (A, "a7", T2, FY, "red", "unknown", "unchanged", 158),
    (A, "a7", FY, N1, "unknown", "yellow", "unchanged", 91),
    (B, "a1", None, "2022-Q2", None, "green", "new", None),
    (B, "a1", "2022-Q2", "2022-Q3", "green", "red", "worsened", 97),
    (B, "b2", None, "2022-Q2", None, "yellow", "new", None),
    (B, "b2", "2022-Q2", "2022-Q3", "yellow", "yellow", "reopened", 97),
    (B, "b3", None, "2022-Q2", None, "yellow", "new", None),
    (B, "b3", "2022-Q2", "2022-Q3", "yellow", None, "dropped", 97),
]

d1, d2, d3, d4 = (D[p] for p in (T1, T2, FY, N1))
q2 = D["2022-Q2"]
EXPECTED_DELAYS = [
    (A, "a1", T1, d1, "green", False, 0, None, None),
    (A, "a1", T2, d2, "yellow", True, 1, d2, 0),
    (A, "a1", FY, d3, "red", True, 2, d2, 158),
    (A, "a1", N1, d4, "red", True, 3, d2, 249),
    (A, "a2", T1, d1, "yellow", True, 1, d1, 0),
    (A, "a2", T2, d2, "unknown", False, 1, d1, 118),
    (A, "a2", FY, d3, "green", False, 0, None, None),
    (A, "a2", N1, d4, "green", False, 0, None, None),
    (A, "a3", T1, d1, "green", False, 0, None, None),
    (A, "a3", T2, d2, "green", False, 0, None, None),
    (A, "a4", T1, d1, "red", True, 1, d1, 0),
    (A, "a4", FY, d3, "yellow", True, 1, d3, 0),  # the gap in T2 ended the first run
    (A, "a5", T2, d2, "green", False, 0, None, None),
    (A, "a5", FY, d3, "green", False, 0, None, None),
    (A, "a5", N1, d4, "green", False, 0, None, None),
    (A, "a6", N1, d4, "unknown", False, 0, None, None),
    (A, "a7", T1, d1, "unknown", False, 0, None, None),
    (A, "a7", T2, d2, "red", True, 1, d2, 0),
    (A, "a7", FY, d3, "unknown", False, 1, d2, 158),
    (A, "a7", N1, d4, "yellow", True, 2, d2, 249),
    (B, "a1", "2022-Q2", q2, "green", False, 0, None, None),
    (B, "a1", "2022-Q3", D["2022-Q3"], "red", True, 1, D["2022-Q3"], 0),
    (B, "b2", "2022-Q2", q2, "yellow", True, 1, q2, 0),
    (B, "b2", "2022-Q3", D["2022-Q3"], "yellow", True, 2, q2, 97),
    (B, "b3", "2022-Q2", q2, "yellow", True, 1, q2, 0),
]


def expected(rows, schema) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def test_transitions_full_table():
    got = transitions(snapshots())
    assert got.columns == list(TRANSITION_SCHEMA)
    assert_frame_equal(got, expected(EXPECTED_TRANSITIONS, TRANSITION_SCHEMA))


def test_delays_full_table():
    got = delays(snapshots())
    assert got.columns == list(DELAY_SCHEMA)
    assert_frame_equal(got, expected(EXPECTED_DELAYS, DELAY_SCHEMA))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shuffled_input_gives_the_same_tables(seed):
    shuffled = snapshots().sample(fraction=1.0, shuffle=True, seed=seed)
    assert_frame_equal(transitions(shuffled), expected(EXPECTED_TRANSITIONS, TRANSITION_SCHEMA))
    assert_frame_equal(delays(shuffled), expected(EXPECTED_DELAYS, DELAY_SCHEMA))


def test_periods_follow_end_dates_not_string_order():
    got = transitions(snapshots()).filter(org=A, activity_id="a1")
    assert got["to_period"].to_list() == [T1, T2, FY, N1]  # "2022-FY" sorts first as a string


def test_without_completed_column_nothing_counts_as_completed():
    got = transitions(snapshots().drop("completed")).filter(org=A, activity_id="a3")
    assert got["change"].to_list() == ["new", "unchanged", "dropped"]


def test_an_activity_twice_in_one_report_is_merged_to_its_worst_known_status():
    rows = [
        (A, "x", T1, "green", False),
        (A, "x", T1, "yellow", False),
        (A, "x", T1, "unknown", False),
        (A, "x", T2, "unknown", False),
        (A, "x", T2, "green", True),
    ]
    got = transitions(snapshots(rows))
    want = expected(
        [
            (A, "x", None, T1, None, "yellow", "new", None),
            (A, "x", T1, T2, "yellow", "green", "improved", 118),
        ],
        TRANSITION_SCHEMA,
    )
    assert_frame_equal(got, want)
    assert delays(snapshots(rows))["periods_off_plan"].to_list() == [1, 0]


def test_empty_input_gives_empty_tables_with_the_contract_columns():
    empty = snapshots().clear()
    assert transitions(empty).schema == pl.Schema(TRANSITION_SCHEMA)
    assert delays(empty).schema == pl.Schema(DELAY_SCHEMA)


def test_bad_input_is_a_followup_error():
    with pytest.raises(FollowupError, match="activity_id"):
        transitions(snapshots().drop("activity_id"))
    with pytest.raises(FollowupError, match="status"):
        delays(snapshots().with_columns(status=pl.lit("purple")))
    with pytest.raises(FollowupError, match="period"):
        transitions(snapshots().with_columns(period=pl.lit("Q2 2022")))


# --- an independent, row-by-row reading of the documented rules, on random histories ----------

RANK = {"green": 0, "yellow": 1, "red": 2}


def reference(rows, periods_by_org):
    """Plain-Python transitions and delays, written from the module docstring."""
    trans, dels = [], []
    by_activity = {}
    for org, aid, period, status, completed in rows:
        by_activity.setdefault((org, aid), {})[period] = (status, completed)
    for (org, aid), seen in sorted(by_activity.items()):
        order = periods_by_org[org]
        present = [i for i, p in enumerate(order) if p in seen]
        last = None  # index of the previous appearance
        run, since = 0, None
        for i, period in enumerate(order):
            if period not in seen:
                if last == i - 1:  # it was here in the previous period and left
                    _, done = seen[order[last]]
                    trans.append(
                        (
                            org,
                            aid,
                            order[last],
                            period,
                            seen[order[last]][0],
                            None,
                            "completed" if done else "dropped",
                            (D[period] - D[order[last]]).days,
                        )
                    )
                run, since = 0, None
                continue
            status, done = seen[period]
            if last is None:
                before = order[i - 1] if i else None
                days = (D[period] - D[before]).days if before else None
                trans.append((org, aid, before, period, None, status, "new", days))
            else:
                prev_status, prev_done = seen[order[last]]
                if last < i - 1 or (prev_done and not done):
                    change = "reopened"
                elif status not in RANK or prev_status not in RANK:
                    change = "unchanged"
                else:
                    change = ["improved", "unchanged", "worsened"][
                        (RANK[status] > RANK[prev_status]) - (RANK[status] < RANK[prev_status]) + 1
                    ]
                trans.append(
                    (
                        org,
                        aid,
                        order[last],
                        period,
                        prev_status,
                        status,
                        change,
                        (D[period] - D[order[last]]).days,
                    )
                )
            if status == "green":
                run, since = 0, None
            elif status in ("yellow", "red"):
                run += 1
                since = since or D[period]
            off = status in ("yellow", "red")
            dels.append(
                (
                    org,
                    aid,
                    period,
                    D[period],
                    status,
                    off,
                    run,
                    since,
                    (D[period] - since).days if since else None,
                )
            )
            last = i
        assert present  # every activity in the dict was seen somewhere
    return trans, dels


@pytest.mark.parametrize("seed", range(8))
def test_random_histories_match_a_plain_python_reading_of_the_rules(seed):
    import random

    rng = random.Random(seed)
    periods_by_org = {A: [T1, T2, FY, N1], B: ["2022-Q2", "2022-Q3"]}
    rows = []
    for org, order in periods_by_org.items():
        for n in range(12):
            for period in order:
                if rng.random() < 0.7:
                    status = rng.choice(["green", "yellow", "red", "unknown"])
                    rows.append((org, f"r{n}", period, status, rng.random() < 0.2))
    # every period of each org must be reported by at least one activity
    for org, order in periods_by_org.items():
        for period in order:
            rows.append((org, "anchor", period, "green", False))
    want_t, want_d = reference(rows, periods_by_org)
    got_t = transitions(snapshots(rows).sample(fraction=1.0, shuffle=True, seed=seed))
    got_d = delays(snapshots(rows))
    assert_frame_equal(got_t, expected(want_t, TRANSITION_SCHEMA))
    assert_frame_equal(got_d, expected(want_d, DELAY_SCHEMA))
