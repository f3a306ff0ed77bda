"""Hand-reworded labelled histories, the figures measured on them, and what the evidence linker
must do with a person's rewording (pipelines/link/evaluation.py, pipelines/link/linker.py)."""

import random
from pathlib import Path

import polars as pl
import pytest

from pipelines.core.errors import FollowupError
from pipelines.link.evaluation import (
    exact_text_baseline,
    labelled_pairs,
    link_quality,
    load_labelled_history,
)
from pipelines.link.linker import link_history

DATA = Path(__file__).resolve().parent.parent / "data" / "linking"


def test_loader_inherits_what_a_person_left_unchanged(tmp_path):
    f = tmp_path / "h.csv"
    f.write_text(
        "true_id,period,unit,goal_area,activity,status,comment\n"
        "A,2024-T1,Kultur,Mål 1,Öppna ett nytt bibliotek i Ås.,gult,Lokal hittad.\n"
        "B,2024-T1,Kultur,Mål 1,Ordna läsfrämjande för barn.,grönt,\n"
        "B,2024-T2,,,,grönt,\n"
        "A,2024-T2,Fritid,,Nytt bibliotek i Ås.,grönt,\n",
        encoding="utf-8",
    )
    h = load_labelled_history(f, org="k")
    t2 = h.filter(pl.col("period") == "2024-T2").sort("source_row")
    assert t2.get_column("true_id").to_list() == ["B", "A"]
    assert t2.row(0, named=True)["activity"] == "Ordna läsfrämjande för barn."
    a = t2.row(1, named=True)
    assert (a["unit"], a["goal_area"], a["comment"]) == ("Fritid", "Mål 1", None)
    f.write_text(
        "true_id,period,unit,goal_area,activity,status,comment\nA,2024-T1,,Mål,Text,grönt,\n",
        encoding="utf-8",
    )
    with pytest.raises(FollowupError, match="has no unit"):
        load_labelled_history(f)


def test_quality_figures_on_a_known_result():
    rows = [
        ("2024-Q1", 1, "A", "a1"),
        ("2024-Q1", 2, "B", "b1"),
        ("2024-Q2", 1, "A", "a1"),  # right
        ("2024-Q2", 2, "B", "x2"),  # missed
    ]
    snaps = pl.DataFrame(
        rows, schema=["period", "source_row", "true_id", "activity_id"], orient="row"
    ).with_columns(pl.lit("o").alias("org"))
    links = snaps.select("org", "period", "source_row", "activity_id").with_columns(
        pl.Series("method", ["new", "new", "fuzzy", "new"]),
        pl.Series("needs_review", [False, False, False, True]),
        pl.Series("alternative_ids", [[], [], [], ["b1"]], dtype=pl.List(pl.String)),
    )
    q = link_quality(snaps, links)
    assert (q["true_pairs"], q["precision"], q["recall"]) == (2, 1.0, 0.5)
    assert q["linked_or_first"] == 1.0  # b1 is offered first in the review queue
    assert q["transitions"] == 0.5


@pytest.mark.parametrize("name", ["dev", "test"])
def test_hand_reworded_histories_meet_the_targets(name):
    """Regression guard on the hand-reworded histories (README: figures and tuning status).
    The test history was frozen before any tuning; the targets are the issue's."""
    hist = load_labelled_history(DATA / f"{name}_history.csv", org=name)
    res = link_history(hist)
    q = link_quality(res.snapshots_with_ids, res.links)
    base = link_quality(*exact_text_baseline(hist))
    assert q["precision"] >= 0.97 and q["recall"] >= 0.93
    assert q["linked_or_first"] >= 0.98 and q["transitions"] >= 0.93
    assert q["recall"] > base["recall"] + 0.15  # far beyond exact text


def test_labelled_pairs_give_one_positive_per_true_pair():
    hist = load_labelled_history(DATA / "dev_history.csv")
    feats, y = labelled_pairs(hist)
    truth = link_quality(*exact_text_baseline(hist))["true_pairs"]
    assert y.sum() == truth and len(y) == len(feats["text"])


# A generator of a person's rewording, in vocabulary that is not the bundled report's:
# (subject, object, group) activities, each rewritten with another verb, word order and
# an abbreviation or synonym, next to look-alikes that differ only by age or group.
VERBS = [("Utveckla", "Stärka"), ("Minska", "Sänka"), ("Öka", "Fler"), ("Införa", "Starta")]
OBJECTS = [
    ("stödet till anhöriga", "anhörigstödet"),
    ("väntetiderna till barnpsykiatrin", "väntan på BUP"),
    ("antalet platser i förskolan", "förskoleplatser"),
    ("samverkan med polisen kring brott", "brottsförebyggande samarbete med polisen"),
    ("digitala vårdmöten på hälsocentralerna", "vårdmöten via video på vårdcentralen"),
    ("avgiftsfria simskolor", "gratis simskola"),
]


def _generated(seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for k, (o1, o2) in enumerate(OBJECTS):
        v1, v2 = rng.choice(VERBS)
        unit = f"Förvaltning {k % 3}"
        lo = rng.choice([6, 10, 13])
        a = f"{v1} {o1} för barn {lo}–{lo + 2} år."
        b = rng.choice(
            [
                f"{v2} {o2} för barn {lo}–{lo + 2} år.",
                f"För barn {lo}–{lo + 2} år: {v2.lower()} {o2}.",
            ]
        )
        look = f"{v1} {o1} för barn {lo + 3}–{lo + 5} år."
        rows += [("2025-Q1", f"T{k}", unit, a), ("2025-Q2", f"T{k}", unit, b)]
        rows += [("2025-Q1", f"L{k}", unit, look)]  # vanishes: must not take b's link
    rng.shuffle(rows)
    df = pl.DataFrame(rows, schema=["period", "true_id", "unit", "activity"], orient="row")
    return df.sort("period", maintain_order=True).with_columns(
        pl.lit("gen").alias("org"),
        pl.lit("Trygg uppväxt").alias("goal_area"),
        pl.lit(None, dtype=pl.String).alias("comment"),
        pl.int_range(1, pl.len() + 1).over("period").alias("source_row"),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_rewordings_link_and_look_alikes_stay_apart(seed):
    hist = _generated(seed)
    res = link_history(hist)
    q = link_quality(res.snapshots_with_ids, res.links)
    assert q["precision"] == 1.0, q  # no reworded activity is given to its look-alike
    assert q["linked_or_first"] >= 5 / 6, q
    base = link_quality(*exact_text_baseline(hist))
    assert base["recall"] == 0.0 and q["recall"] >= 4 / 6, q
