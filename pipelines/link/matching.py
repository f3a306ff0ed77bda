"""Text normalisation for matching activities across periods (never for display).

The same activity is printed differently from one report to the next: OCR loses å/ä/ö or
reads ö as ``6`` and ä as ``é``, lines are joined or split, a leading "Fortsatt" comes and goes,
and a few verbs are swapped for a synonym. ``match_key`` folds all of that into one comparison
string; the display text (``activity``) is left untouched in every table.

Steps, in order (see ``normalise_text``):

1. NFC, then OCR look-alikes that need the original case: ``|`` or ``I`` before ``6`` is an
   ``l`` ("I6per" → "löper").
2. casefold; digits that sit next to letters are OCR'd letters: ``6``/``0`` → ``o``,
   ``3`` between letters → ``a`` ("6kad" → "okad", "vilm3ende" → "vilmaende").
   Numbers on their own ("2022", "2018-2030") stay.
3. diacritics folded: å ä à á â é è ê → ``a`` (é is how OCR reads ä), ö ø ó ò ô → ``o``,
   ü → ``u``; anything else decomposed and stripped of its accents.
4. punctuation → space, whitespace collapsed.

``match_key`` then drops filler words at the start ("fortsatt", "fortsätta att", "även") and
maps a few common verb synonyms onto one form (``SYNONYMS``), so that "Fortsatt arbeta för …"
and "Verka för …" compare equal on their verb.

Functions are cached per distinct string; ``normalise_column`` maps a polars column through
its unique values only, which is what matters for speed (reports repeat units and goal areas).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import polars as pl

_FOLD = str.maketrans(
    {
        "å": "a",
        "ä": "a",
        "à": "a",
        "á": "a",
        "â": "a",
        "ã": "a",
        "é": "a",  # OCR reads ä as é far more often than Swedish text has a real é
        "è": "a",
        "ê": "a",
        "ö": "o",
        "ø": "o",
        "ó": "o",
        "ò": "o",
        "ô": "o",
        "õ": "o",
        "ü": "u",
        "æ": "a",
    }
)
_BAR_BEFORE_SIX = re.compile(r"[|I](?=6)")
_SIX_ZERO_NEAR_LETTER = re.compile(r"(?<=[^\W\d_])[60]+|[60]+(?=[^\W\d_])")
_THREE_IN_WORD = re.compile(r"(?<=[^\W\d_])3(?=[^\W\d_])")
_NON_WORD = re.compile(r"[\W_]+")

# Leading filler that comes and goes between periods without changing the activity.
_LEADING_FILLER = re.compile(
    r"^(?:(?:fortsatt|fortsatta|fortsatter|forts|aven|fortlopande|vidare|att)\s+)+"
)

# Verb synonyms seen in follow-up reports, mapped onto one form (after folding).
SYNONYMS: dict[str, str] = {
    "utfora": "genomfora",
    "genomfor": "genomfora",
    "arbeta for": "verka for",
    "arbetar for": "verka for",
    "verkar for": "verka for",
    "stotta": "stodja",
    "stottar": "stodja",
    "stodjer": "stodja",
    "utarbeta": "ta fram",
    "tar fram": "ta fram",
    "samarbeta": "samverka",
    "samverkar": "samverka",
}
_SYNONYM_RE = re.compile(r"\b(" + "|".join(sorted(SYNONYMS, key=len, reverse=True)) + r")\b")


@lru_cache(maxsize=200_000)
def normalise_text(text: str | None) -> str:
    """Fold case, diacritics, OCR look-alikes, punctuation and whitespace (see module doc)."""
    if not text:
        return ""
    s = unicodedata.normalize("NFC", text)
    s = _BAR_BEFORE_SIX.sub("l", s)
    s = s.casefold()
    s = _SIX_ZERO_NEAR_LETTER.sub("o", s)
    s = _THREE_IN_WORD.sub("a", s)
    s = s.translate(_FOLD)
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = _NON_WORD.sub(" ", s)
    return s.strip()


@lru_cache(maxsize=200_000)
def match_key(text: str | None) -> str:
    """``normalise_text`` plus leading filler dropped and verb synonyms unified."""
    s = normalise_text(text)
    s = _LEADING_FILLER.sub("", s)
    return _SYNONYM_RE.sub(lambda m: SYNONYMS[m.group(1)], s)


def squash(key: str) -> str:
    """The key without spaces: makes joined/split words ("verksamhets gränserna") compare equal."""
    return key.replace(" ", "")


def normalise_column(values: pl.Series, *, key: bool = True) -> pl.Series:
    """Map a String column through ``match_key`` (or ``normalise_text``), once per unique value."""
    fn = match_key if key else normalise_text
    uniq = values.drop_nulls().unique()
    mapping = pl.DataFrame(
        {"value": uniq, "key": [fn(v) for v in uniq.to_list()]},
        schema={"value": pl.String, "key": pl.String},
    )
    out = (
        pl.DataFrame({"value": values.cast(pl.String)})
        .join(mapping, on="value", how="left", maintain_order="left")
        .get_column("key")
        .fill_null("")
    )
    return out.alias(values.name)
