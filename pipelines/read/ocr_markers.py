"""What the structure lines of an OCR'd report look like: column markers, headings, legends.

OCR writes a scanned table column by column, so the header cells of the table come out as
lines of their own ("Verksamhet", "Kommentar", "Ansvarig förvaltning", "Analys" …) between the
columns' cells, often damaged (``Verksamhel``, ``Kommenlar``, ``Anaiys``). A line made only of
header words (the synonyms in :data:`pipelines.read.columns.HEADER_WORDS`, compared after
folding diacritics and look-alikes, fuzzily for longer words) is a column marker.

A goal-area heading is a short line that names a goal area: a goal-area word
(``Målområde``, ``Visionsmålet``, ``Fokusområde``, ``Strategiskt mål`` …, possibly after
``AKTIVITETER`` and ``forts.``) followed by a number or a dash/colon and the area, or
``AKTIVITETER – <area>``, or a line in capitals. Nothing here knows any organisation's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from pipelines.read.columns import HEADER_WORDS
from pipelines.swedish.units import fold_key

# A header word of this many letters or more may be OCR-damaged (fuzzy match); shorter ones
# (namn, enhet, mål) must be exact, or ordinary words would become markers.
FUZZY_FROM = 6
MARKER_SCORE = 80.0
MAX_MARKER_WORDS = 6
# Goal-area words beyond the header synonyms: headings say "Visionsmålet", "Målområde 2".
EXTRA_GOAL_WORDS = ("visionsmalet", "malomradet", "inriktningsmal", "prioriterat omrade")
ACTIVITY_WORDS = ("aktiviteter", "aktivitet")
MAX_HEADING = 110
MIN_CAPS_LETTERS = 8
MIN_CAPS_WORD = 10  # one word in capitals is a heading from this many letters (DIGITALISERING)
_SEPARATOR = re.compile(r"^[-–—:=]+$")
_NUMBER = re.compile(r"^\(?\d{1,2}[.:)]?$")
_COLOURS = ("gront", "gron", "gult", "gul", "rott", "rod", "grona", "gula", "roda")


def _folded_tokens(text: str) -> list[str]:
    return [t for t in fold_key(text.replace("/", " ")).split() if len(t) > 1]


@lru_cache(maxsize=1)
def _synonyms() -> tuple[tuple[str, str], ...]:
    """(folded header phrase, field) for the column fields a marker can name."""
    pairs = []
    for name in ("activity", "unit", "status", "comment"):
        for word in HEADER_WORDS[name]:
            folded = " ".join(_folded_tokens(word))
            if folded:
                pairs.append((folded, name))
    return tuple(pairs)


def _phrase_field(phrase: str) -> str | None:
    if "rn" in phrase:  # OCR reads m as rn: "Kornmentar"
        return _phrase_field_once(phrase) or _phrase_field_once(phrase.replace("rn", "m"))
    return _phrase_field_once(phrase)


def _phrase_field_once(phrase: str) -> str | None:
    best, best_score = None, 0.0
    for synonym, name in _synonyms():
        if phrase == synonym:
            return name
        same_words = phrase.count(" ") == synonym.count(" ")
        if same_words and len(phrase) >= FUZZY_FROM and len(synonym) >= FUZZY_FROM:
            score = fuzz.ratio(phrase, synonym)
            if score >= MARKER_SCORE and score > best_score:
                best, best_score = name, score
    return best


@lru_cache(maxsize=20_000)
def header_fields(text: str) -> tuple[str, ...] | None:
    """The fields a line names when it is made only of column header words, else None."""
    tokens = _folded_tokens(text)
    if not tokens or len(tokens) > MAX_MARKER_WORDS:
        return None
    first = next((c for c in text if c.isalpha()), "")
    if first.islower():
        return None  # header cells are capitalised; "verksamhet och" is a wrapped sentence
    if re.search(r"[.!?]\s*$", text.strip()) and len(tokens) > 1:
        return None  # a sentence, not a header row
    fields: list[str] = []
    i = 0
    while i < len(tokens):
        for size in (3, 2, 1):
            if i + size > len(tokens):
                continue
            name = _phrase_field(" ".join(tokens[i : i + size]))
            if name is not None:
                if name not in fields:
                    fields.append(name)
                i += size
                break
        else:
            return None
    return tuple(fields)


def marker_kind(text: str) -> str | None:
    """``marker_v`` (unit column), ``marker_k`` (comment column), ``marker_vk`` (a whole
    header row on one line: the cells stand side by side), ``marker_a`` (the activity column:
    a table starts), ``marker_s`` (the status column, whose cells OCR leaves empty)."""
    fields = header_fields(text)
    if not fields:
        return None
    if "unit" in fields and "comment" in fields:
        return "marker_vk"
    if fields == ("unit",) or fields == ("unit", "status") or fields == ("status", "unit"):
        return "marker_v"
    if fields == ("comment",) or fields == ("status", "comment"):
        return "marker_k"
    if fields[0] == "activity":
        return "marker_a"
    if fields == ("status",):
        return "marker_s"
    return None


def is_legend(text: str) -> bool:
    """The colour legend of the traffic lights ("Grönt = löper på enligt plan Gult = …")."""
    tokens = _folded_tokens(text)
    colours = sum(1 for t in tokens if t in _COLOURS)
    folded = " ".join(tokens)
    return (
        colours >= 2
        or ("avvikelse" in folded and ("=" in text or colours >= 1))
        or ("maluppfyl" in folded and "=" in text)
    )


@dataclass(frozen=True)
class Heading:
    forts: bool  # a continued page ("forts.")
    area: str  # the goal area as written (may be empty: it follows on the next line)
    capitals_only: bool = False  # no goal-area word: a line in capitals (may be a cell)


@lru_cache(maxsize=1)
def _goal_words() -> tuple[str, ...]:
    words = {" ".join(_folded_tokens(w)) for w in HEADER_WORDS["goal_area"]}
    words |= set(EXTRA_GOAL_WORDS)
    return tuple(sorted(w for w in words if w and w not in {"goal area", "goal"}))


def _is_goal_word(phrase: str) -> bool:
    for word in _goal_words():
        if word.count(" ") != phrase.count(" "):
            continue
        if phrase == word:
            return True
        long_enough = len(word) >= FUZZY_FROM and len(phrase) >= FUZZY_FROM
        if long_enough and fuzz.ratio(phrase, word) >= MARKER_SCORE:
            return True
    return False


def _is_forts(token: str) -> bool:
    folded = fold_key(token)
    return folded in {"forts", "fortsattning"} or (folded.startswith("forts") and len(folded) <= 6)


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return len(letters) >= MIN_CAPS_LETTERS and upper >= 0.9 * len(letters)


def sentence_case(text: str) -> str:
    """An area written in capitals, as a sentence (the capitals carry no information)."""
    if not _caps(text):
        return text
    lower = text.lower()
    return lower[:1].upper() + lower[1:]


def _clean(token: str) -> str:
    return token.strip("|[]()")


@lru_cache(maxsize=20_000)
def parse_heading(text: str) -> Heading | None:
    """A goal-area heading, or None. See the module doc for the wordings recognised."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_HEADING:
        return None
    tokens = [t for t in stripped.split() if _clean(t)]
    forts = False
    if tokens and _is_forts(_clean(tokens[0])):
        forts, tokens = True, tokens[1:]
    if tokens and re.fullmatch(r"\(?forts\.?\)?", tokens[-1], re.IGNORECASE):
        forts, tokens = True, tokens[:-1]
    prefixed = False
    if tokens and any(fuzz.ratio(fold_key(_clean(tokens[0])), w) >= 85 for w in ACTIVITY_WORDS):
        prefixed, tokens = True, tokens[1:]
        if tokens and fold_key(tokens[0]) in {"inom", "for", "i"}:
            tokens = tokens[1:]
    goal = 0
    for size in (2, 1):
        words = tokens[:size]
        if len(words) == size and all(re.search(r"[^\W\d_]{2}", w) for w in words):
            phrase = fold_key(" ".join(_clean(t) for t in tokens[:size]))
            if phrase and _is_goal_word(phrase):
                goal = size
                break
    rest = tokens[goal:]
    marked = False  # a number, dash or colon after the goal word: a heading, not prose
    if goal and tokens[goal - 1].endswith(":"):
        marked = True
    while rest and (_NUMBER.match(rest[0]) or _SEPARATOR.match(rest[0])):
        marked, rest = True, rest[1:]
    if rest and re.match(r"^\d{1,2}[.:]$", rest[0]):
        marked, rest = True, rest[1:]
    area = " ".join(rest)
    if goal:
        head_caps = tokens[0].isupper() and len(_clean(tokens[0])) > 2
        if marked or prefixed or forts or head_caps:
            if re.search(r"[.!?]$", area) and len(area.split()) > 8:
                return None  # a sentence that begins with a goal-area word
            return Heading(forts, area)
        return None
    if prefixed and marked and area:
        return Heading(forts, area)
    if (
        _caps(stripped)
        and (len(rest) >= 2 or sum(c.isalpha() for c in stripped) >= MIN_CAPS_WORD)
        and not re.search(r"[.!?:]$", stripped)
        and marker_kind(stripped) is None
        and not is_legend(stripped)
    ):
        return Heading(forts, " ".join(tokens), capitals_only=True)
    return None
