"""Status and completion from comments: morphology, negation, hedges, evidence, and the rows.

Comments here use vocabulary of neither the bundled report nor the evaluation sets' rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.core.errors import FollowupError
from pipelines.core.textfold import fold
from pipelines.derive.status_inference import (
    INFERENCE_COLUMNS,
    apply_slipped_promises,
    infer_status,
    load_status_rules,
)
from pipelines.derive.tables import ENRICHMENT_COLUMNS, link_snapshots
from pipelines.swedish.status_cues import read_comment

ROOT = Path(__file__).parents[2]
HELDOUT = ROOT / "benchmarks" / "data" / "status" / "heldout.csv"
DEV = ROOT / "benchmarks" / "data" / "status" / "dev.csv"
WRITTEN_FROM = ROOT / "benchmarks" / "data" / "vastmanland_2022-07-07_status_labels.csv"
HELDOUT_SHA256 = "86f038ae478c9c562233039416c3672acc0efb27d578d6dfc338a31174f53c1e"


def rows(*items: tuple[str, str, str | None]) -> pl.DataFrame:
    """(status, status_source, comment) rows."""
    return pl.DataFrame(
        items,
        schema={"status": pl.String, "status_source": pl.String, "comment": pl.String},
        orient="row",
    )


# comment → status (None: no evidence), evidence, completed
READINGS = [
    # on plan, progress
    ("Ombyggnaden av fritidsgården följer tidplanen.", "green", "följer tidplanen", False),
    ("Trafiksäkerhetsarbetet löper på som planerat.", "green", "som planerat", False),
    ("Inventeringen pågår.", "green", "pågår", False),
    # negation with scope
    ("Inga förseningar eller avvikelser har noterats.", "green", "Inga förseningar", False),
    ("Inga avvikelser har skett.", "green", "Inga avvikelser", False),
    ("Bygget är inte försenat.", "green", "inte försenat", False),
    ("Arbetet har inte påverkats av några förseningar.", "green", None, False),
    ("Ej påbörjat.", "yellow", "Ej påbörjat", False),
    ("Arbetet med taxan har ännu inte startat.", "yellow", "inte startat", False),
    ("Genomfördes inte under hösten.", "yellow", "Genomfördes inte", False),
    ("Fortgår inte enligt tidplanen.", "yellow", "inte enligt tidplanen", False),
    # hedges and degree
    ("Pågår men med viss fördröjning.", "yellow", "viss fördröjning", False),
    ("Något försenat.", "yellow", "Något försenat", False),
    ("Målet om fler lärlingar riskerar att inte nås.", "yellow", None, False),
    ("Delvis genomfört.", "yellow", "Delvis genomfört", False),
    # deviation, termination, will not happen
    ("Invigningen av ishallen har senarelagts.", "yellow", "senarelagts", False),
    ("Flytten skjuts upp till våren.", "yellow", "skjuts upp", False),
    ("Beslut om att lägga ner projektet fattades i maj.", "red", "lägga ner", False),
    ("Försöket med nattöppet avbröts i mars.", "red", "avbröts", False),
    ("Kursen ställdes in.", "red", "ställdes in", False),
    ("Insatsen kommer inte att genomföras.", "red", None, False),
    ("Projektet avslutades i förtid.", "red", None, False),
    # completion in the past tense, any inflection; not in the future
    ("Klart. Projektet avslutades med goda resultat.", "green", "Klart", True),
    ("Har avslutats.", "green", "avslutats", True),
    ("Avslutat i juni.", "green", "Avslutat", True),
    ("Kampanjen är genomförd.", "green", "genomförd", True),
    ("Taxan antogs av nämnden.", "green", "antogs", True),
    ("Avslutas i december.", "green", "Avslutas", False),
    ("Följer planen, färdigt till sommaren 2024.", "green", "Följer planen", False),
    ("Ska genomföras under hösten.", "green", "genomföras", False),
    ("Ännu inte avslutat.", "yellow", "inte avslutat", False),
    # mixed: a finished part and a late one; recovered
    ("Etapp ett är klar, men etapp två är försenad.", "yellow", "försenad", False),
    ("Genomfördes, dock med en veckas försening.", "yellow", "försening", True),
    ("Förseningen har tagits igen och arbetet följer planen.", "green", None, False),
    # no evidence
    ("Ansvarig är miljöchefen.", None, None, False),
    ("", None, None, False),
]


@pytest.mark.parametrize(("comment", "status", "evidence", "completed"), READINGS)
def test_readings_of_comments(comment, status, evidence, completed):
    got = read_comment(comment)
    assert (got.status, got.completed) == (status, completed), got
    if evidence is not None:
        assert got.evidence == evidence
    if status is not None:
        assert got.evidence and got.evidence in comment  # the words as written
        assert 0 < got.confidence <= 1
    assert (got.completed_evidence is not None) == completed


@pytest.mark.parametrize(("comment", "status", "evidence", "completed"), READINGS)
def test_ocr_text_without_diacritics_reads_the_same(comment, status, evidence, completed):
    degraded = comment.translate(str.maketrans("åäöÅÄÖ", "aaoAAO"))
    got = read_comment(degraded)
    assert (got.status, got.completed) == (status, completed)


@pytest.mark.parametrize(
    "form",
    ["avslutades", "har avslutats", "är avslutat", "avslutad", "blev avslutade", "AVSLUTADES"],
)
def test_every_past_inflection_of_one_verb_is_completion(form):
    got = read_comment(f"Utredningen {form}.")
    assert got.completed and got.status == "green"
    assert got.completed_evidence.lower().endswith(form.split()[-1].lower())


@pytest.mark.parametrize("form", ["avslutas", "ska avslutas", "kommer att avslutas"])
def test_present_and_future_forms_are_not_completion(form):
    assert not read_comment(f"Utredningen {form} i december.").completed


def test_reported_status_is_never_overwritten_and_never_contradicted():
    given = rows(
        ("green", "reported", "Kraftigt försenat."),
        ("red", "override", "Pågår enligt plan."),
        ("yellow", "reported", "Projektet har avslutats."),
    )
    got = infer_status(given)
    assert got["status"].to_list() == ["green", "red", "yellow"]
    assert got["status_source"].to_list() == ["reported", "override", "reported"]
    assert got["status_confidence"].to_list() == [1.0, 1.0, 1.0]
    assert got["status_evidence"].to_list() == [None, None, None]
    assert got["completed"].to_list() == [False, False, True]  # completion is its own fact
    assert got["completed_evidence"].to_list() == [None, None, "avslutats"]


def test_unknown_rows_get_inferred_or_absent_with_evidence():
    given = rows(
        ("unknown", "reported", "Inga avvikelser har skett."),
        ("unknown", "absent", "Pågår men med viss fördröjning."),
        ("unknown", "reported", "Se bilaga."),
        ("unknown", "reported", None),
    )
    want = pl.DataFrame(
        {
            "status": ["green", "yellow", "unknown", "unknown"],
            "status_source": ["inferred", "inferred", "absent", "absent"],
            "comment": given["comment"],
            "status_evidence": ["Inga avvikelser", "viss fördröjning", None, None],
            "status_confidence": [0.75, 0.722, 0.0, 0.0],
            "completed": [False, False, False, False],
            "completed_evidence": pl.Series([None] * 4, dtype=pl.String),
        }
    )
    assert_frame_equal(infer_status(given), want)


def test_a_withdrawn_inference_goes_back_to_absent_never_reported():
    once = infer_status(rows(("unknown", "reported", "Försenat.")))
    assert once["status_source"].to_list() == ["inferred"]
    edited = once.with_columns(comment=pl.lit("Se ovan."))  # the evidence is gone
    again = infer_status(edited)
    assert again.select("status", "status_source", "status_evidence").row(0) == (
        "unknown",
        "absent",
        None,
    )


def test_completed_reported_by_the_document_wins_with_evidence_reported():
    given = rows(
        ("green", "reported", "Se ovan."), ("green", "reported", "Klart sedan mars.")
    ).with_columns(completed_reported=pl.Series([True, None], dtype=pl.Boolean))
    got = infer_status(given)
    assert got["completed"].to_list() == [True, True]
    assert got["completed_evidence"].to_list() == ["reported", "Klart"]


def test_running_twice_changes_nothing_and_keeps_rows_and_columns():
    given = rows(
        *[("unknown", "reported", c) for c in ["Försenat", "Pågår", "Försenat", None, "Klar."]]
    ).with_columns(source_row=pl.Series([4, 1, 3, 2, 5], dtype=pl.Int64))
    once = infer_status(given)
    assert_frame_equal(infer_status(once), once)
    assert once["source_row"].to_list() == [4, 1, 3, 2, 5]
    assert once["status"].to_list() == ["yellow", "green", "yellow", "unknown", "green"]
    assert set(INFERENCE_COLUMNS) <= set(once.columns)
    assert dict(once.select(list(INFERENCE_COLUMNS)).schema) == INFERENCE_COLUMNS


def test_the_inference_columns_reach_snapshot_rows_through_derivation():
    assert set(INFERENCE_COLUMNS) <= set(ENRICHMENT_COLUMNS)


def _snapshot(period: str, date: dt.date, comment: str, status: str = "unknown") -> dict:
    return {
        "org": "kommun-x",
        "period": period,
        "report_date": date,
        "goal_area": "Trygghet",
        "activity": "Ny belysning i gångtunnlarna",
        "unit": "Gatuenheten",
        "status": status,
        "status_source": "reported",
        "comment": comment,
        "source_file": f"kommun-x_{date}.csv",
        "source_sha256": "0" * 64,
        "source_row": 1,
    }


def test_a_promised_date_that_passed_unfinished_points_off_plan():
    snapshots = pl.DataFrame(
        [
            _snapshot(
                "2022-Q2", dt.date(2022, 7, 5), "Belysningen planeras vara på plats i oktober."
            ),
            _snapshot("2022-Q4", dt.date(2023, 1, 10), "Se ovan."),
            _snapshot("2023-Q1", dt.date(2023, 4, 11), "Se ovan.", status="green"),
        ]
    )
    linked = link_snapshots(snapshots).snapshots.sort("period")
    assert linked["status"].to_list() == ["green", "yellow", "green"]
    assert linked["status_source"].to_list() == ["inferred", "inferred", "reported"]
    evidence = linked["status_evidence"][1]
    assert "oktober" in evidence and "2022-10-31" in evidence
    # without a slipped promise, nothing changes
    assert_frame_equal(apply_slipped_promises(linked, pl.DataFrame()), linked)


def test_every_rule_word_is_stemmed_and_folded(tmp_path):
    rules = load_status_rules()
    assert len(rules.cues) > 50
    for cue in rules.cues:
        for pattern in cue.words:
            for _, keys in pattern.alternatives:
                assert all(k == fold(k) for k in keys), cue.text


def test_bad_rule_files_are_followup_errors(tmp_path):
    cases = {
        "kinds:\n  a: {status: purple, confidence: 0.5}\n": "green, yellow or red",
        "kinds:\n  a: {status: red, confidence: 2}\n": "confidence",
        "kinds:\n  a: {status: red, confidence: 0.5, negated: b}\n": "unknown kind 'b'",
        "kinds:\n  a: {status: red, confidence: 0.5}\ncues:\n  - {words: x, kind: b}\n": "kind",
        "status:\n  - x\n": "'kinds' and 'cues'",
    }
    for i, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"bad{i}.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(FollowupError, match=message):
            load_status_rules(path)
    with pytest.raises(FollowupError, match="does not exist"):
        load_status_rules(tmp_path / "missing.yaml")


def test_infer_status_needs_snapshot_columns():
    with pytest.raises(FollowupError, match="comment"):
        infer_status(pl.DataFrame({"status": ["unknown"], "status_source": ["reported"]}))


# --- the evaluation sets ----------------------------------------------------------------------


def test_the_heldout_set_is_frozen():
    assert hashlib.sha256(HELDOUT.read_bytes()).hexdigest() == HELDOUT_SHA256
    labels = pl.read_csv(HELDOUT)
    assert labels.height >= 150 and labels["comment"].n_unique() == labels.height
    assert not set(labels["comment"]) & set(pl.read_csv(DEV)["comment"])
    assert not set(labels["comment"]) & set(pl.read_csv(WRITTEN_FROM)["comment"])


def _scores(path: Path, degrade: bool) -> dict[str, float]:
    labels = pl.read_csv(path)
    comments = labels["comment"]
    if degrade:
        comments = comments.str.replace_many(["å", "ä", "ö"], ["a", "a", "o"])
    got = infer_status(
        pl.DataFrame({"comment": comments}).with_columns(
            status=pl.lit("unknown"), status_source=pl.lit("absent")
        )
    )
    truth_dev = labels["status"].is_in(["yellow", "red"])
    got_dev = got["status"].is_in(["yellow", "red"])
    truth_done, got_done = labels["completed"] == "yes", got["completed"]
    tp_done = (truth_done & got_done).sum()
    precision_done, recall_done = tp_done / got_done.sum(), tp_done / truth_done.sum()
    colour = labels["status"] != "none"
    inferred = got["status"] != "unknown"
    return {
        "deviation_precision": (truth_dev & got_dev).sum() / got_dev.sum(),
        "deviation_recall": (truth_dev & got_dev).sum() / truth_dev.sum(),
        "completed_f1": 2 * precision_done * recall_done / (precision_done + recall_done),
        "contradictions": (colour & inferred & (labels["status"] != got["status"])).mean(),
    }


@pytest.mark.parametrize("degrade", [False, True], ids=["as written", "OCR-degraded"])
def test_heldout_figures_meet_the_issue_thresholds(degrade):
    """Issue 18: deviations recall ≥ 0.8 and precision ≥ 0.85, completed F1 ≥ 0.9, on comments
    the rules were not tuned on (the majority baselines score 0 on all three)."""
    s = _scores(HELDOUT, degrade)
    assert s["deviation_recall"] >= 0.8, s
    assert s["deviation_precision"] >= 0.85, s
    assert s["completed_f1"] >= 0.9, s
    assert s["contradictions"] <= 0.05, s


def test_sanity_on_the_report_the_first_rules_were_written_from():
    s = _scores(WRITTEN_FROM, degrade=True)
    assert s["deviation_recall"] == 1.0 and s["deviation_precision"] == 1.0, s
    assert s["completed_f1"] >= 0.9, s


def test_columns_without_any_value_are_fine():
    """A report without comments (a Null-typed column) and a reader with nothing in
    completed_reported give absent rows, not a type error."""
    given = pl.DataFrame(
        {"status": ["unknown"], "status_source": ["reported"], "comment": [None]}
    ).with_columns(completed_reported=pl.lit(None))
    got = infer_status(given)
    assert got.select("status", "status_source", "completed").row(0) == ("unknown", "absent", False)
    assert infer_status(given.clear()).height == 0
