"""Swedish words for rule matching: folded, stemmed, with the verb form they were written in.

Rules about comments must not list inflections ("avslutas", "avslutades", "avslutat", "har
avslutats" are one verb). Each word is stemmed with the Snowball Swedish stemmer, twice: folded
first (:mod:`pipelines.core.textfold`: å/ä→a, ö→o, as OCR text without diacritics has it) and
folded after stemming the word as written. Both are needed: folding first turns "genomför" into
"genomfor", whose "-or" the stemmer takes for a plural ending, so the word as written gives
"genomför" → "genomfor" while OCR's "genomfor" gives "genomf"; a rule word matches a text word
when any of their stems agree, so correct and OCR-degraded text match the same rules. The
stemmer also leaves a supine/participle ending on some forms (``avslutats`` → ``avslutat``
while ``avslutat`` → ``avslut``); :func:`same_word` treats a stem followed by such a residue
(-t, -at, -it, -d) as the same word.

The stemmer keeps the lexeme; the tense a rule sometimes needs ("avslutades" is done,
"avslutas i december" is not yet) comes from the ending the stem left: :func:`verb_form`.

Comments are cut into clauses at sentence punctuation, at ", " and at "men"; a clause that only
adds a circumstance ("…, dock med en månads försening", "… men med viss fördröjning") stays with
the clause before it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from pipelines.core.textfold import fold

_STEMMER = snowballstemmer.stemmer("swedish")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CLAUSE_END = re.compile(r"[.;:!?]+(?:\s+|$)|,\s+|\s+-\s+|\s+–\s+|\s+(?=men\s)")
_ATTACHED = re.compile(r"^(?:men\s+|dock\s+)*(?:med|trots|dock)\b")
# what the stemmer may leave on a supine or participle (avslutat, genomfort, fardigstalld)
_RESIDUE = ("", "t", "at", "it", "d")
# endings left after the stem that make a verb form present, infinitive or a noun, not past
_NONPAST = re.compile(r"^(?:|a|as|ar|er|r|s|es|e)$")
_NOUN = re.compile(r"^(?:ande|ende|ning|else)")


@dataclass(frozen=True)
class Word:
    text: str  # folded surface form
    stems: tuple[str, ...]  # see stems()
    keys: frozenset[str]  # every rule stem this word is (see word_keys)
    start: int  # offsets in the folded comment, which are offsets in the original (see textfold)
    end: int


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball Swedish stem of one word."""
    return _STEMMER.stemWord(word)


@lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, ...]:
    """The folded stems of one lower-case word: stemmed after folding, folded after stemming, and
    the folded word itself (OCR's "genomfor" is stemmed to "genomf", but is the stem of
    "genomföra")."""
    folded = fold(word)
    return tuple(dict.fromkeys((stem(folded), fold(stem(word)), folded)))


@lru_cache(maxsize=65536)
def word_keys(token_stems: tuple[str, ...]) -> frozenset[str]:
    """The rule stems a word with these stems matches under :func:`same_word` (not as a compound
    head): each stem, and each stem without the residue when at least four letters remain."""
    keys = set(token_stems)
    for s in token_stems:
        for residue in _RESIDUE[1:]:
            if s.endswith(residue) and len(s) - len(residue) >= 4:
                keys.add(s[: -len(residue)])
    return frozenset(keys)


def _same(token_stem: str, rule_stem: str, compound_head: bool) -> bool:
    residues = _RESIDUE if len(rule_stem) >= 4 else ("",)  # "nas" (nås) is not "nast" (nästa)
    for residue in residues:
        if compound_head:
            if token_stem.endswith(rule_stem + residue):
                return True
        elif token_stem == rule_stem + residue:
            return True
    return False


def same_word(
    token_stems: tuple[str, ...], rule_stems: tuple[str, ...], compound_head: bool = False
) -> bool:
    """A token is the rule word (or, for a compound head, ends with it): one of their stems
    agrees, up to the residue the stemmer leaves on supines and participles."""
    return any(_same(t, r, compound_head) for t in token_stems for r in rule_stems)


def verb_form(surface: str, lemma_stems: tuple[str, ...]) -> str:
    """``past`` (supine, participle, preterite: avslutades, avslutat, genomförd), ``nonpast``
    (present, infinitive, passive: avslutas, genomföra, genomförs) or ``noun`` (genomförandet,
    avslutningen), from what follows the stem of the verb's first listed form (its lemma) in the
    folded surface form. A form that does not start with the lemma's stem is a strong verb's
    preterite or supine (antogs beside anta, avbröts beside avbryta): past."""
    starts = [s for s in lemma_stems if surface.startswith(s)]
    if not starts:
        return "past"
    rest = surface[len(min(starts, key=len)) :]
    if _NOUN.match(rest):
        return "noun"
    return "nonpast" if _NONPAST.match(rest) else "past"


def _word(lower: str, folded: str, start: int, end: int) -> Word:
    written = lower[start:end] if len(lower) == len(folded) else folded[start:end]
    token_stems = stems(written)
    return Word(folded[start:end], token_stems, word_keys(token_stems), start, end)


def clause_spans(folded: str) -> list[tuple[int, int]]:
    """(begin, end) offsets of the clauses of a folded comment (see the module docstring)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_END.finditer(folded):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(folded)))
    out: list[tuple[int, int]] = []
    for begin, end in spans:
        part = folded[begin:end]
        if not _WORD.search(part):
            continue
        if out and _ATTACHED.match(part.strip()):
            out[-1] = (out[-1][0], end)
        else:
            out.append((begin, end))
    return out


def clause_words(lower: str, folded: str) -> list[Word]:
    """The words of one clause: ``lower`` as written (NFC, lower case), ``folded`` its folding;
    offsets are relative to the clause."""
    return [_word(lower, folded, m.start(), m.end()) for m in _WORD.finditer(folded)]


def clauses(text: str | None) -> list[list[Word]]:
    """The clauses of a comment, each a list of its words (offsets into the comment)."""
    lower = unicodedata.normalize("NFC", text or "").lower()
    folded = fold(text)
    out = []
    for begin, end in clause_spans(folded):
        found = _WORD.finditer(folded[begin:end])
        out.append([_word(lower, folded, begin + m.start(), begin + m.end()) for m in found])
    return out
