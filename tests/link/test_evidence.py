"""Content words, synonyms, compounds and conflicts (pipelines/link/evidence.py).

Vocabulary here is a municipality's and a region's health/transport plans, not the bundled
report's (Region Västmanland's regional development)."""

import numpy as np
import pytest

from pipelines.core.errors import FollowupError
from pipelines.link.evidence import (
    analyse,
    comment_tokens,
    compound_parts,
    load_lexicon,
    numbers_differ,
    pair_evidence,
    parse_lexicon,
    weighted_overlaps,
)


def common(a: str, b: str) -> set[str]:
    return set(analyse(a).tokens & analyse(b).tokens)


def test_inflections_meet_on_the_stem():
    assert common("Minska väntetiderna", "väntetid") >= {"vantetid"} or common(
        "Minska väntetiderna", "Väntetiden ska bli kortare"
    )
    assert common("Utveckla hemtjänsten", "Hemtjänstens utveckling") != set()


def test_compounds_meet_their_parts():
    assert compound_parts("folkhalsoarbetet")  # folkhälso + arbetet
    assert common("Stärka folkhälsoarbetet", "Bättre folkhälsa i länet")
    assert common("Införa trygghetskameror", "Kameror för nattillsyn")
    # a common word of its own is not cut into pieces that mean nothing
    assert compound_parts("personal") == ()


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("Hembesök från BVC", "Hembesök från barnavårdscentralen"),
        ("Bostäder enligt LSS", "Bostäder enligt lagen om stöd och service"),
        ("Språkstöd i åk 4", "Språkstöd i årskurs 4"),
        ("Sänka sjukfrånvaron", "Minska sjukfrånvaron"),
        ("Stötta föreningslivet", "Stödja föreningslivet"),
    ],
)
def test_abbreviations_and_synonyms_count_as_one_word(short, long):
    a, b = analyse(short), analyse(long)
    dice, _ = weighted_overlaps([a.ids], [b.ids])
    assert dice[0, 0] == pytest.approx(1.0)


def test_numbers_and_named_groups_are_evidence_against():
    rows = [analyse("Screening för tarmcancer, personer 60–74 år"), analyse("Stöd till barn")]
    cands = [analyse("Screening för tarmcancer, personer 50–59 år"), analyse("Stöd till vuxna")]
    ev = pair_evidence(rows, cands, [comment_tokens(None)] * 2, [comment_tokens(None)] * 2)
    assert ev["numbers_differ"][0, 0] == 1.0 and ev["numbers_differ"][1, 1] == 0.0
    assert ev["groups_differ"][1, 1] == 1.0
    # the same numbers, or numbers on one side only, are no conflict
    same = numbers_differ(["Simskola åk 2", "Simskola"], ["Simskola i åk 2 på badet"])
    assert not same.any()


def test_rare_words_weigh_more_than_common_ones():
    texts = [
        "Utveckla stödet till anhöriga",
        "Utveckla stödet till nyanlända",
        "Utveckla stödet till företag",
        "Utveckla stödet till föreningar",
    ]
    ids = [analyse(t).ids for t in texts]
    dice, _ = weighted_overlaps(ids[:1], ids[1:])
    # only the common words are shared: weighted, they are little evidence
    assert dice.max() < 0.5
    dice_same, _ = weighted_overlaps(ids[:1], [analyse("Stöd till anhöriga").ids])
    assert dice_same[0, 0] > dice.max()


def test_comment_continuity_picks_up_names_and_numbers():
    prev = [comment_tokens("Gruppbostaden på Granvägen planeras, 12 lägenheter.")]
    now = [
        comment_tokens("Byggstart för Granvägen i höst, 12 lägenheter."),
        comment_tokens("Arbetet pågår enligt plan."),
    ]
    _, over = weighted_overlaps(now, prev)
    assert over[0, 0] > 0.4 and over[1, 0] == 0.0


def test_lexicon_file_errors_are_one_line(tmp_path):
    bad = tmp_path / "synonyms.yaml"
    bad.write_text("synonyms: [minska, sänka]\n", encoding="utf-8")
    with pytest.raises(FollowupError, match="line 1 must be a list"):
        load_lexicon(str(bad))
    with pytest.raises(FollowupError, match="unknown key"):
        parse_lexicon({"synonym": []})


def test_an_added_synonym_changes_the_evidence(tmp_path):
    own = tmp_path / "synonyms.yaml"
    own.write_text("synonyms:\n  - [fritidsgård, ungdomens hus]\n", encoding="utf-8")
    a = analyse("Öppna ungdomens hus i Norrby", str(own))
    b = analyse("Öppna en fritidsgård i Norrby", str(own))
    plain_a, plain_b = (
        analyse("Öppna ungdomens hus i Norrby"),
        analyse("Öppna en fritidsgård i Norrby"),
    )
    with_syn, _ = weighted_overlaps([a.ids], [b.ids])
    without, _ = weighted_overlaps([plain_a.ids], [plain_b.ids])
    assert with_syn[0, 0] > without[0, 0]
    assert np.isfinite(with_syn).all()
