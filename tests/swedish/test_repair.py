"""Swedish OCR repair: å ä ö restored and look-alikes undone, correct words left alone."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pipelines.swedish.repair import repair_text, repair_word

TRUTH = Path(__file__).resolve().parents[1] / "data/region-vastmanland_2022-07-07_truth.csv"


@pytest.mark.parametrize(
    ("ocr", "swedish"),
    [
        ("for", "för"),
        ("pa", "på"),
        ("omstallning", "omställning"),
        ("Vastmanland", "Västmanland"),
        ("6kad", "ökad"),
        ("0kad", "ökad"),
        ("Okad", "Ökad"),
        ("I6per", "löper"),
        ("|6sningar", "lösningar"),
        ("[6pande", "löpande"),
        ("néra", "nära"),
        ("hésten", "hösten"),
        ("Folkhdlsa", "Folkhälsa"),
        ("vilm3ende", "välmående"),
        ("Vilfard", "Välfärd"),
        ("Genomfdra", "Genomföra"),
        ("dven", "även"),
        ("moét", "mot"),
        ("S6rmland", "Sörmland"),
        ("p3", "på"),
        ("MALOMRADE", "MÅLOMRÅDE"),
        ("verksamhetsgranserna", "verksamhetsgränserna"),  # a compound not in the word list
        ("pandemins", "pandemins"),
        ("ambulanssjukvarden", "ambulanssjukvården"),  # a listed word beats a costly split
        ("sjukvarden", "sjukvården"),
        ("overbelaggningarna", "överbeläggningarna"),  # no guessed letter inside a split
        ("haIls", "hålls"),  # l read as I or 1 inside a word
        ("p1anen", "planen"),
        ("lnfora", "införa"),  # a capital I read as l
        ("rnedfinansierar", "medfinansierar"),  # m read as rn ...
        ("Regionbussama", "Regionbussarna"),  # ... and rn as m
        ("forskoleforvaltningen", "förskoleförvaltningen"),  # linking form: förskola
        ("pd", "på"),  # d for å in a short non-word
        ("tvd", "två"),
    ],
)
def test_ocr_words_are_repaired(ocr, swedish):
    assert repair_word(ocr) == swedish


@pytest.mark.parametrize(
    "word",
    [
        "har",
        "man",
        "vara",
        "mot",
        "former",
        "fortsatta",
        "Ideell",
        "MDU",
        "SKR",
        "3G",
        "2023-2030",
        "Electrification",
        "Coompanion",
        "Almi",
        "når",  # the OCR kept its å: not made the more common "när"
        "modern",
        "barn",
        "med",
    ],
)
def test_correct_words_and_codes_are_left_alone(word):
    assert repair_word(word) == word


def test_case_punctuation_and_spacing_are_kept():
    text = "Pagar enligt plan, dialoger har genomforts med flera aktorer.  Ar i uppstart (RUF)."
    assert repair_text(text) == (
        "Pågår enligt plan, dialoger har genomförts med flera aktörer.  Är i uppstart (RUF)."
    )
    assert repair_text(None) is None


def test_no_word_of_the_transcription_without_diacritics_is_made_wrong():
    """Every word a person wrote without å ä ö in the real report must survive the repair."""
    words = set()
    with TRUTH.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for field in ("goal_area", "activity", "unit", "comment"):
                words.update(re.findall(r"[A-Za-zÅÄÖåäö]+", row[field]))
    plain = sorted(w for w in words if not re.search(r"[åäöÅÄÖ]", w))
    changed = {w: repair_word(w) for w in plain if repair_word(w) != w}
    assert changed == {}
    assert len(plain) > 200  # the check covers a real vocabulary


def test_a_token_longer_than_any_word_is_left_as_it_is():
    """OCR debris such as a 100 000-letter run is no word: it is not split into compounds
    (which would take minutes), it is returned unchanged."""
    debris = "hallbarhetsprogrammet" * 5000
    assert repair_word(debris) == debris
    assert repair_text(f"Pagar enligt {debris} planen.") == f"Pågår enligt {debris} planen."
