"""Join text wrapped over several lines (a table cell, a heading) back into one line.

Lines are joined with a space, except at a hyphen at the end of a line:

- ``kompetens-`` + ``försörjning`` -> ``kompetensförsörjning`` (a word hyphenated by the layout:
  lowercase letters on both sides, more than one letter before the hyphen);
- ``EU-`` + ``nivå`` -> ``EU-nivå``, ``2022-`` + ``2030`` -> ``2022-2030``, ``e-`` + ``tjänster``
  -> ``e-tjänster`` (a real compound: an acronym, a digit or a single letter before the hyphen,
  or an uppercase letter after it keeps the hyphen, without a space);
- ``hälso-`` + ``och sjukvård`` -> ``hälso- och sjukvård`` (a Swedish suspended compound: the
  hyphen is followed by a conjunction, so the space stays);
- ``aug–`` + ``nov`` -> ``aug–nov`` (an en dash at the end of a line is a range).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# After "hälso-" these words mean a suspended compound ("hälso- och sjukvård").
CONJUNCTIONS = frozenset(
    {"och", "eller", "samt", "respektive", "resp.", "som", "till", "and", "or"}
)
_SPACES = re.compile(r"\s+")
_WORD_BEFORE_HYPHEN = re.compile(r"(\w+)-$")


def join_pair(left: str, right: str) -> str:
    """Join two consecutive lines of one wrapped text (see the module doc for the rules)."""
    if not left:
        return right
    if not right:
        return left
    if left.endswith("–") and len(left) > 1 and not left[-2].isspace():
        return left + right
    match = _WORD_BEFORE_HYPHEN.search(left)
    if not match:
        return f"{left} {right}"
    before = match.group(1)
    first_word = right.split(" ", 1)[0]
    if first_word.casefold() in CONJUNCTIONS:
        return f"{left} {right}"
    keep_hyphen = (
        len(before) == 1
        or before[-1].isdigit()
        or before[-1].isupper()
        or not right[0].isalpha()
        or right[0].isupper()
    )
    return left + right if keep_hyphen else left[:-1] + right


def join_lines(lines: Iterable[str]) -> str:
    """Join wrapped lines into one NFC string with single spaces; empty lines are dropped."""
    text = ""
    for raw in lines:
        line = _SPACES.sub(" ", unicodedata.normalize("NFC", raw)).strip()
        text = join_pair(text, line)
    return text
