import datetime as dt

import polars as pl

from pipelines.derive.consistency import (
    returned_after_completion,
    unaccounted_activities,
    unknown_share,
)
from pipelines.derive.history import transitions


def rows(spec):
    """(activity, period, status, completed) tuples → linked snapshot rows of org x."""
    dates = {
        "2022-Q2": dt.date(2022, 7, 7),
        "2022-Q3": dt.date(2022, 10, 7),
        "2022-Q4": dt.date(2023, 1, 7),
    }
    return pl.DataFrame(
        [
            {
                "org": "x",
                "activity_id": a,
                "period": p,
                "report_date": dates[p],
                "status": s,
                "completed": c,
            }
            for a, p, s, c in spec
        ]
    )


HISTORY = rows(
    [
        ("a", "2022-Q2", "green", False),
        ("a", "2022-Q3", "yellow", False),
        ("a", "2022-Q4", "unknown", False),
        ("b", "2022-Q2", "green", True),  # completed, gone in Q3, back in Q4
        ("b", "2022-Q4", "green", False),
        ("c", "2022-Q2", "red", False),  # dropped after Q2
    ]
)


def test_every_activity_is_accounted_for_by_the_real_transitions():
    assert unaccounted_activities(HISTORY, transitions(HISTORY)).is_empty()


def test_a_missing_dropped_record_is_found():
    table = transitions(HISTORY).filter(pl.col("change") != "dropped")
    missing = unaccounted_activities(HISTORY, table)
    assert missing.select("activity_id", "period", "next_period").rows() == [
        ("c", "2022-Q2", "2022-Q3")
    ]


def test_completed_activity_that_comes_back_is_flagged():
    back = returned_after_completion(HISTORY, transitions(HISTORY))
    assert back.select("activity_id", "from_period", "to_period").rows() == [
        ("b", "2022-Q2", "2022-Q4")
    ]


def test_unknown_share_of_the_latest_period():
    assert unknown_share(HISTORY) == {"x": 0.5}
