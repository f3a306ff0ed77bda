import pytest

from pipelines.core.errors import FollowupError
from pipelines.read import status_words
from pipelines.read.status_words import StatusWord, status_for_word


@pytest.mark.parametrize(
    ("text", "status", "completed"),
    [
        ("Pågår enligt plan", "green", False),
        ("PAGAR  ENLIGT PLAN.", "green", False),  # case, spacing, å/ä/ö folded, end dot
        ("Pågår", "green", False),
        ("Försenad", "yellow", False),
        ("avvikelse", "yellow", False),
        ("Avbruten", "red", False),
        ("Klar", "green", True),
        ("Avslutad", "green", True),
        ("GENOMFÖRD", "green", True),
        ("Ej påbörjad", "unknown", False),
        ("Grönt", "green", False),
        ("gult", "yellow", False),
        ("Rött", "red", False),
        ("G", "green", False),
        ("Y", "yellow", False),
        ("r", "red", False),
        ("", "unknown", False),
        (None, "unknown", False),
    ],
)
def test_defaults_of_the_issue(text, status, completed):
    assert status_for_word(text) == StatusWord(status, completed)


def test_a_word_the_file_does_not_list_is_not_guessed():
    assert status_for_word("Pausad") is None
    assert status_for_word("blå") is None
    assert status_for_word("2") is None  # codes come from the workbook's legend


def test_an_organisations_own_file_adds_words_and_wins(tmp_path, monkeypatch):
    own = tmp_path / "words.yaml"
    own.write_text("words:\n  Pausad: yellow\n  Klar: green\n", encoding="utf-8")
    monkeypatch.setenv(status_words.ENV_VAR, str(own))
    assert status_for_word("pausad") == StatusWord("yellow")
    assert status_for_word("Klar") == StatusWord("green", False)  # the org's meaning wins
    assert status_for_word("Försenad") == StatusWord("yellow")  # defaults still there
    monkeypatch.delenv(status_words.ENV_VAR)
    assert status_for_word("pausad") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("words:\n  Pausad: blue\n", "'Pausad': 'blue' is not one of green"),
        ("words:\n  Klar: green\n  KLAR: red\n", "listed twice"),
        ("- just a list\n", "needs a 'words:' mapping"),
        ("words: [unclosed\n", "cannot read"),
    ],
)
def test_a_broken_file_is_one_clear_error(tmp_path, monkeypatch, content, message):
    own = tmp_path / "words.yaml"
    own.write_text(content, encoding="utf-8")
    monkeypatch.setenv(status_words.ENV_VAR, str(own))
    with pytest.raises(FollowupError, match=message):
        status_for_word("Grönt")


def test_the_default_file_documents_its_format():
    text = status_words.DEFAULT_FILE.read_text(encoding="utf-8")
    assert text.startswith("#") and "+ completed" in text and status_words.ENV_VAR in text


def test_every_word_the_earlier_list_knew_means_the_same():
    from pipelines.core.status import _WORDS

    for status, words in _WORDS.items():
        for word in words:
            assert status_for_word(word) == StatusWord(status), word
