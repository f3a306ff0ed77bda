import datetime as dt

import pytest

from pipelines.core.errors import FollowupError
from pipelines.core.periods import parse_period, period_for_report_date, period_sort_key


@pytest.mark.parametrize(
    ("label", "end"),
    [
        ("2022-Q2", dt.date(2022, 6, 30)),
        ("2022-q4", dt.date(2022, 12, 31)),
        ("2022-T1", dt.date(2022, 4, 30)),
        ("2022-T2", dt.date(2022, 8, 31)),
        ("2022-H1", dt.date(2022, 6, 30)),
        ("2023-FY", dt.date(2023, 12, 31)),
    ],
)
def test_period_end(label, end):
    assert parse_period(label).end == end


@pytest.mark.parametrize("label", ["2022Q2", "2022-Q5", "2022-T4", "22-Q1", "", "../2022-Q1"])
def test_bad_period_labels_are_refused_with_the_valid_forms(label):
    with pytest.raises(FollowupError, match="2022-Q2"):
        parse_period(label)


def test_periods_sort_by_end_date_not_by_text():
    labels = ["2022-T2", "2022-Q2", "2021-FY", "2022-T1", "2022-Q1"]
    assert sorted(labels, key=period_sort_key) == [
        "2021-FY",
        "2022-Q1",
        "2022-T1",
        "2022-Q2",
        "2022-T2",
    ]


def test_period_from_report_date_is_the_last_ended_quarter():
    assert period_for_report_date(dt.date(2022, 7, 7)).label == "2022-Q2"
    assert period_for_report_date(dt.date(2023, 2, 1)).label == "2022-Q4"
