"""Traffic-light status words (Swedish, English) to ``green|yellow|red|unknown``."""

from __future__ import annotations

import unicodedata

STATUSES = ("green", "yellow", "red", "unknown")
# reported: the document showed a status (colour, dot, symbol, word or code); inferred: from the
# comment; override: an analyst's correction; absent: no status shown and none inferred.
STATUS_SOURCES = ("reported", "inferred", "override", "absent")
# Order used for "worse/better": unknown is deliberately absent (it never counts as a change).
STATUS_RANK = {"green": 0, "yellow": 1, "red": 2}

_WORDS = {
    "green": {"grönt", "grön", "gröna", "green", "g", "gron", "gront"},
    "yellow": {"gult", "gul", "gula", "yellow", "y", "gu"},
    "red": {"rött", "röd", "röda", "red", "r", "rod", "rott"},
    "unknown": {"", "unknown", "okänd", "okänt", "-", "–", "saknas", "n/a", "na"},
}
_LOOKUP = {word: status for status, words in _WORDS.items() for word in words}


def normalise_status(word: str | None) -> str | None:
    """Return the canonical status for a status word, or None when the word is not a status.

    Case, surrounding spaces and Unicode normal form are ignored; an empty cell means ``unknown``.
    """
    if word is None:
        return "unknown"
    key = unicodedata.normalize("NFC", str(word)).strip().casefold()
    return _LOOKUP.get(key)
