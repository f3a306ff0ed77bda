"""Swedish words for rule matching: stems that join inflections, in correct and OCR-folded text."""

from __future__ import annotations

import pytest

from pipelines.core.textfold import fold
from pipelines.swedish.morphology import clause_spans, clauses, same_word, stems, verb_form


@pytest.mark.parametrize(
    ("lemma", "forms"),
    [
        ("avsluta", ["avslutas", "avslutades", "avslutat", "avslutats", "avslutad", "avslutade"]),
        ("genomföra", ["genomförs", "genomfördes", "genomförd", "genomförda", "genomförts"]),
        ("försena", ["försenad", "försenat", "försenade", "försenas"]),
        ("påbörja", ["påbörjad", "påbörjats", "påbörjades", "påbörjat"]),
    ],
)
def test_inflections_are_one_word_as_written_and_without_diacritics(lemma, forms):
    for form in forms:
        for written in (form, fold(form)):  # OCR text loses å/ä/ö
            assert same_word(stems(written), stems(lemma)), (written, lemma)


@pytest.mark.parametrize(
    ("word", "other"), [("nästa", "nås"), ("svar", "ansvar"), ("planera", "plan")]
)
def test_different_words_stay_apart(word, other):
    assert not same_word(stems(word), stems(other))


def test_compound_heads_match_the_word_they_end_in():
    assert same_word(stems("tidplanen"), stems("plan"), compound_head=True)
    assert same_word(stems("projektplanen"), stems("plan"), compound_head=True)
    assert not same_word(stems("planeringen"), stems("tid"), compound_head=True)


@pytest.mark.parametrize(
    ("surface", "lemma", "form"),
    [
        ("avslutades", "avsluta", "past"),
        ("avslutat", "avsluta", "past"),
        ("avslutats", "avsluta", "past"),
        ("avslutas", "avsluta", "nonpast"),
        ("avsluta", "avsluta", "nonpast"),
        ("avslutning", "avsluta", "noun"),
        ("genomforandet", "genomföra", "noun"),
        ("genomfors", "genomföra", "nonpast"),
        ("antogs", "anta", "past"),  # a strong verb's preterite does not start with the stem
    ],
)
def test_verb_form_from_the_ending_left_after_the_lemma(surface, lemma, form):
    assert verb_form(surface, stems(lemma)) == form


def test_clauses_split_at_sentences_commas_and_men_but_keep_attached_phrases():
    text = "Etapp ett är klar, men etapp två dröjer. Levererades, dock med en veckas försening."
    got = [[w.text for w in c] for c in clauses(text)]
    assert got == [
        ["etapp", "ett", "ar", "klar"],
        ["men", "etapp", "tva", "drojer"],
        ["levererades", "dock", "med", "en", "veckas", "forsening"],
    ]
    folded = fold(text)
    assert [folded[b:e] for b, e in clause_spans(folded)][1] == "men etapp två dröjer".translate(
        str.maketrans("åäö", "aao")
    )


def test_offsets_point_into_the_comment_as_written():
    text = "Införandet är FÖRSENAT."
    (clause,) = clauses(text)
    word = clause[-1]
    assert text[word.start : word.end] == "FÖRSENAT"
