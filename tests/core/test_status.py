import pytest

from pipelines.core.status import normalise_status


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Grönt", "green"),
        ("grön", "green"),
        ("GRÖNT ", "green"),
        ("green", "green"),
        ("G", "green"),
        ("Gult", "yellow"),
        ("gul", "yellow"),
        ("yellow", "yellow"),
        ("Y", "yellow"),
        ("Rött", "red"),
        ("röd", "red"),
        ("red", "red"),
        ("R", "red"),
        ("", "unknown"),
        (None, "unknown"),
        ("Gro\u0308nt", "green"),  # decomposed ö
    ],
)
def test_status_words(word, status):
    assert normalise_status(word) == status


def test_a_word_that_is_no_status_is_not_guessed():
    assert normalise_status("blå") is None
