"""The simulator: deterministic, canonical, and it really produces the hard cases."""

import datetime as dt
import random

import polars as pl
import pytest

from checks.schemas import CanonicalRows
from pipelines.core.periods import parse_period, period_sort_key
from pipelines.synthetic.simulate import (
    PRESETS,
    next_period,
    ocr_noise,
    pairwise_quality,
    reword,
    simulate_history,
    simulate_orgs,
    synthetic_start,
)


@pytest.fixture(scope="module")
def history():
    return simulate_history(synthetic_start(200, seed=5), 8, seed=5, intensity="heavy")


def test_deterministic_with_a_seed(history):
    again = simulate_history(synthetic_start(200, seed=5), 8, seed=5, intensity="heavy")
    assert again.equals(history)
    other = simulate_history(synthetic_start(200, seed=5), 8, seed=6, intensity="heavy")
    assert not other.equals(history)


def test_every_period_is_a_valid_canonical_report(history):
    for (_period,), frame in history.partition_by("period", as_dict=True).items():
        CanonicalRows.validate(frame)
    assert history.get_column("source_file").str.starts_with("synthetic_").all()
    assert history.get_column("true_id").null_count() == 0
    dup = history.group_by("period", "true_id").len()
    assert dup.get_column("len").max() == 1


def test_quarterly_periods_with_report_dates_after_quarter_end(history):
    periods = sorted(history.get_column("period").unique().to_list(), key=period_sort_key)
    assert periods[:4] == ["2022-Q2", "2022-Q3", "2022-Q4", "2023-Q1"]
    assert len(periods) == 8
    dates = history.group_by("period").agg(pl.col("report_date").unique())
    for period, ds in dates.iter_rows():
        assert len(ds) == 1
        lag = (ds[0] - parse_period(period).end).days
        assert 7 <= lag <= 14


def test_truth_has_drops_gaps_new_activities_and_changes(history):
    periods = sorted(history.get_column("period").unique().to_list(), key=period_sort_key)
    rank = {p: i for i, p in enumerate(periods)}
    seen = history.with_columns(pl.col("period").replace_strict(rank).alias("k"))
    spans = seen.group_by("true_id").agg(
        pl.col("k").min().alias("first"), pl.col("k").max().alias("last"), pl.len().alias("n")
    )
    assert spans.filter(pl.col("first") > 0).height > 10  # new activities
    assert spans.filter(pl.col("last") - pl.col("first") + 1 > pl.col("n")).height > 0  # gaps
    assert spans.filter(pl.col("last") < len(periods) - 1).height > 5  # dropped for good
    # texts, units and statuses change for the same true activity
    changes = seen.group_by("true_id").agg(
        pl.col("activity").n_unique().alias("texts"),
        pl.col("unit").n_unique().alias("units"),
        pl.col("status").n_unique().alias("statuses"),
    )
    assert changes.filter(pl.col("texts") > 1).height > 100
    assert changes.filter(pl.col("units") > 1).height > 5
    assert changes.filter(pl.col("statuses") > 1).height > 50
    assert set(history.get_column("status").unique()) == {"green", "yellow", "red", "unknown"}


def test_comments_carry_time_promises_and_completion(history):
    comments = history.get_column("comment").drop_nulls()
    assert comments.str.contains(r"(?i)planerat till (våren|sommaren|hösten|vintern) 20\d\d").any()
    assert comments.str.contains(r"Skjuts upp till").any()
    assert comments.str.contains(r"Klart i [a-z]+").any()
    assert comments.str.contains("Aktiviteten är genomförd.", literal=True).any()


def test_ocr_noise_and_light_rewording(history):
    texts = history.get_column("activity")
    assert texts.str.contains(r"[a-zA-Z]6[a-z]|^6|\s6").any()  # ö read as 6
    assert texts.str.contains("é").any()
    s = PRESETS["light"]
    rng = random.Random(1)
    noisy = ocr_noise("Förebygga psykisk ohälsa på ett välmående sätt", rng, s)
    assert noisy != "Förebygga psykisk ohälsa på ett välmående sätt"


def test_rewording_is_swedish_aware():
    rng = random.Random(0)
    outs = {
        reword("Fortsatt arbeta för en ökad utbyggnad av digital infrastruktur", rng)
        for _ in range(60)
    }
    assert "Arbeta för en ökad utbyggnad av digital infrastruktur" in outs  # leading verb dropped
    assert any("verka för" in o.lower() for o in outs)  # synonym
    assert any(o.split()[-1] != "infrastruktur" for o in outs)  # reordered or word added


def test_works_from_any_canonical_frame_without_true_id():
    start = pl.DataFrame(
        {
            "org": ["region-x"] * 3,
            "period": ["2022-T2"] * 3,
            "report_date": [dt.date(2022, 9, 10)] * 3,
            "goal_area": ["Hållbar utveckling"] * 3,
            "activity": [
                "Genomföra projektet Omställning Västmanland",
                "Samordna insatser utifrån Miljöprogrammet (2018-2022)",
                "Framtagande av Region Västmanlands hållbarhetsprogram 2023-2030",
            ],
            "unit": ["Hållbarhet"] * 3,
            "status": ["green", "yellow", "green"],
            "comment": [None, "Pågår enligt programmet.", None],
            "source_row": [1, 2, 3],
        }
    )
    out = simulate_history(start, 4, seed=1)
    periods = sorted(out.get_column("period").unique().to_list(), key=period_sort_key)
    assert periods == ["2022-T2", "2022-T3", "2023-T1", "2023-T2"]
    assert out.filter(pl.col("period") == "2022-T2").get_column("true_id").to_list() == [
        "region-x#1",
        "region-x#2",
        "region-x#3",
    ]


def test_next_period():
    assert [next_period(p) for p in ("2022-Q4", "2022-T3", "2022-H1", "2022-FY", "2023-Q1")] == [
        "2023-Q1",
        "2023-T1",
        "2022-H2",
        "2023-FY",
        "2023-Q2",
    ]


def test_synthetic_start_size_and_many_orgs():
    start = synthetic_start(500, seed=2)
    assert start.height == 500
    assert start.get_column("activity").n_unique() == 500
    many = simulate_orgs(3, 20, 2, seed=0)
    assert many.get_column("org").unique().sort().to_list() == [
        "synthetic-org-01",
        "synthetic-org-02",
        "synthetic-org-03",
    ]


def test_pairwise_quality_counts_pairs():
    df = pl.DataFrame(
        {
            "org": ["o"] * 5,
            "period": ["2022-Q2", "2022-Q2", "2022-Q3", "2022-Q3", "2022-Q4"],
            "source_row": [1, 2, 1, 2, 1],
            "true_id": ["a", "b", "a", "b", "a"],
            "activity_id": ["x", "y", "x", "z", "y"],
        }
    )
    q = pairwise_quality(df)
    # truth: a Q2→Q3, b Q2→Q3, a Q3→Q4; predicted: x Q2→Q3 (right), y Q2→Q4 (gap, wrong)
    assert q["consecutive_true_pairs"] == 3
    assert q["consecutive_precision"] == 1.0
    assert q["consecutive_recall"] == pytest.approx(1 / 3)
    assert q["appearance_precision"] == 0.5
