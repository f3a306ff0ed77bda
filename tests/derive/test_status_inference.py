"""Status inference from comments: reported colours are kept, OCR-folded text matches too."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.core.errors import FollowupError
from pipelines.core.textfold import fold
from pipelines.derive.status_inference import infer_status, load_status_rules

LABELS = (
    Path(__file__).parents[2] / "benchmarks" / "data" / "vastmanland_2022-07-07_status_labels.csv"
)


def rows(*items: tuple[str, str, str | None]) -> pl.DataFrame:
    """(status, status_source, comment) rows."""
    return pl.DataFrame(
        items,
        schema={"status": pl.String, "status_source": pl.String, "comment": pl.String},
        orient="row",
    )


# given status, given source, comment → expected status, source, confidence, completed
CASES = [
    ("unknown", "reported", "Pågår enligt plan.", "green", "inferred", 0.9, False),
    ("unknown", "reported", "PAGAR ENLIGT PLANEN", "green", "inferred", 0.9, False),
    ("unknown", "reported", "Arbetet fortlöper som planerat.", "green", "inferred", 0.9, False),
    # OCR of "löper på"
    ("unknown", "reported", "Arbetet I6per pa.", "green", "inferred", 0.85, False),
    ("unknown", "reported", "Aktiviteten är försenad.", "yellow", "inferred", 0.9, False),
    ("unknown", "reported", "Aktiviteten ar forsenad.", "yellow", "inferred", 0.9, False),
    ("unknown", "reported", "Kursen skjuts upp till hösten.", "yellow", "inferred", 0.85, False),
    ("unknown", "reported", "Arbetet har inte påbörjats.", "yellow", "inferred", 0.85, False),
    (
        "unknown",
        "reported",
        "Inga specifika åtgärder har genomförts hittills under året.",
        "yellow",
        "inferred",
        0.8,
        False,
    ),
    (
        "unknown",
        "reported",
        "Pågår enligt planen internt. Externt otydlig ansvarsfördelning.",
        "yellow",
        "inferred",
        0.75,
        False,
    ),
    ("unknown", "reported", "Arbetet går inte enligt plan.", "yellow", "inferred", 0.85, False),
    ("unknown", "reported", "Pågår ej.", "yellow", "inferred", 0.85, False),
    ("unknown", "reported", "Ingen försening, inga avvikelser.", "green", "inferred", 0.8, False),
    ("unknown", "reported", "Kommer inte att genomföras.", "red", "inferred", 0.95, False),
    ("unknown", "reported", "Projektet har avbrutits.", "red", "inferred", 0.9, False),
    ("unknown", "reported", "Avbrutet, pågår ej.", "red", "inferred", 0.9, False),
    ("unknown", "reported", "Programmet antogs 26 april.", "green", "inferred", 0.8, True),
    ("unknown", "reported", "Dialog förs med kommunerna.", "green", "inferred", 0.5, False),
    ("unknown", "reported", "Se tidigare svar ovan.", "unknown", "reported", 0.0, False),
    ("unknown", "reported", None, "unknown", "reported", 0.0, False),
    # a reported or overridden colour is never overwritten
    ("green", "reported", "Försenad.", "green", "reported", 1.0, False),
    ("red", "override", "Pågår enligt plan.", "red", "override", 1.0, False),
    ("yellow", "reported", "Projektet avslutats.", "yellow", "reported", 1.0, True),
]


def test_full_table_of_inferences():
    given = rows(*[case[:3] for case in CASES])
    want = pl.DataFrame(
        [(c[3], c[4], c[2], c[5], c[6]) for c in CASES],
        schema={
            "status": pl.String,
            "status_source": pl.String,
            "comment": pl.String,
            "status_confidence": pl.Float64,
            "completed": pl.Boolean,
        },
        orient="row",
    )
    assert_frame_equal(infer_status(given), want)


@pytest.mark.parametrize(
    ("comment", "completed"),
    [
        ("Länsdialogen genomfördes 12 maj.", True),
        ("Har genomförts 22/4 med gott resultat.", True),
        ("Projektet avslutats med goda resultat.", True),
        ("Kompetensplan Västmanland är färdigställd.", True),
        ("Kompetensplan Vastmanland ar fardigstalld.", True),
        ("Planen antagen på regionfullmäktige.", True),
        ("Beslut om Affärsplan Västmanland fattades under våren.", True),
        ("Pågår enligt plan, dialoger har genomförts med flera aktörer.", False),
        ("Är i uppstart med genomförd länsdialog.", False),
        ("Inga fysiska mätningar har hittills genomförts i länet i år.", False),
        ("Inga fysiska matningar har hittills genomforts i lanet i ar.", False),
        ("Utbildningen har inte genomförts.", False),
        ("Pågår enligt plan.", False),
        (None, False),
    ],
)
def test_completed(comment, completed):
    got = infer_status(rows(("green", "reported", comment)))
    assert got["completed"].to_list() == [completed]
    assert got["status"].to_list() == ["green"]  # and the reported colour stays


def test_running_twice_changes_nothing():
    given = rows(
        ("unknown", "reported", "Försenad."),
        ("unknown", "reported", "Okänd text."),
        ("green", "reported", "Försenad."),
    )
    once = infer_status(given)
    assert_frame_equal(infer_status(once), once)


def test_extra_columns_and_row_order_are_kept():
    given = rows(*[("unknown", "reported", c) for c in ["Försenad", "Pågår", "Försenad", None]])
    given = given.with_columns(source_row=pl.Series([4, 1, 3, 2], dtype=pl.Int64))
    got = infer_status(given)
    assert got["source_row"].to_list() == [4, 1, 3, 2]
    assert got["status"].to_list() == ["yellow", "green", "yellow", "unknown"]


def test_every_rule_matches_its_ocr_folded_form():
    # Rules are written folded; a comment written with å/ä/ö must fold onto them.
    assert fold("Pågår ENLIGT plan\nhösten") == "pagar enligt plan hosten"
    for rule in load_status_rules().status:
        assert rule.pattern == rule.pattern.lower(), rule.name
        assert not set("åäö") & set(rule.pattern), rule.name


def test_bad_rule_files_are_followup_errors(tmp_path):
    bad_status = tmp_path / "bad_status.yaml"
    bad_status.write_text("status:\n  - {pattern: 'x', status: purple, confidence: 0.5}\n")
    with pytest.raises(FollowupError, match="green, yellow or red"):
        load_status_rules(bad_status)
    bad_regex = tmp_path / "bad_regex.yaml"
    bad_regex.write_text("status:\n  - {pattern: '(x', status: red, confidence: 0.5}\n")
    with pytest.raises(FollowupError, match="invalid regular expression"):
        load_status_rules(bad_regex)
    with pytest.raises(FollowupError, match="does not exist"):
        load_status_rules(tmp_path / "missing.yaml")


def test_agreement_with_hand_labels_of_the_real_report():
    """Hand labels of region-vastmanland_2022-07-07 (benchmarks/data): as written and folded."""
    labels = pl.read_csv(LABELS)
    assert labels.height == 80
    for comment in (pl.col("comment"), pl.col("comment").map_elements(fold, pl.String)):
        got = infer_status(
            labels.select(
                comment=comment, status=pl.lit("unknown"), status_source=pl.lit("reported")
            )
        )
        inferred = got["status"] != "unknown"
        assert inferred.mean() >= 0.8  # coverage
        agree = (got["status"] == labels["status"]).filter(inferred)
        assert agree.mean() >= 0.95  # when it says something, it is what a controller said
        completed_ok = got["completed"] == (labels["completed"] == "yes")
        assert completed_ok.mean() >= 0.9
