"""Repair Swedish text that went through OCR: restore å ä ö and undo OCR look-alikes.

OCR of the reports loses diacritics (``omstallning``) and reads ö/ä/å as look-alike glyphs
(``6kad``, ``néra``, ``Folkhdlsa``, ``vilm3ende``, ``I6per``). Each token is repaired on its own:
candidate spellings are generated from the OCR text, scored by their frequency in real Swedish
(wordfreq's Swedish list; compounds not in the list are scored by their parts) and a candidate
replaces the token only when it is clearly more frequent than the token itself. A correct word
is therefore left alone (``har`` stays ``har``), while ``for`` becomes ``för`` and ``pa`` ``på``.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from functools import lru_cache

# A candidate must beat a listed word as written by this many zipf points (25x more frequent):
# fortsatta/fortsätta differ by 1.34, so a smaller margin makes correct words wrong.
MARGIN = 1.4
# ... and an unlisted compound as written (Vistmanland = vist+man+land) by this many.
COMPOUND_MARGIN = 1.0
# Below this zipf a candidate is too rare to be trusted as a repair.
MIN_ZIPF = 1.5
MIN_COMPOUND = 1.2
GENITIVE_PENALTY = 0.3
LINK_PENALTY = 0.3
PARTICIPLE_PENALTY = 0.5
# In a token this short that is no word, a d anywhere may be an OCR'd å/ä/ö (pd, dr, tvd).
SHORT_TOKEN = 3  # a compound's first part in its linking form (förskole-, hälso-)
# Each extra compound part costs this much (a split is a guess, a dictionary word is not).
SPLIT_PENALTY = 0.6
MIN_PART = 3
# A part of a compound must be at least this common; a listed word this common is not split.
MIN_PART_ZIPF = 2.0
DIRECT_OK = 2.5
SHORT_PART_PENALTY = 0.5
COMPOUND_CAP = 2.5
# An unlisted compound as written counts as this common at most (so Vistmanland, read as
# vist+man+land, still gives way to Västmanland).
ORIGINAL_COMPOUND_CAP = 2.0
MAX_CANDIDATES = 600
# Cost of reading a real letter (d, i, a) as a look-alike of ä/ö/å: only done when needed.
COSTLY = 0.8
# When the token as written is no word at all, a weaker candidate is still an improvement.
MIN_GAIN_FOR_NON_WORD = 0.5
MIN_COSTLY = 1.0
COSTLY_PARTS = 2  # _compound counts the parts after the first: three in all
# A reading with m for rn (or rn for m) must beat the word as read by this much.
RN_MARGIN = 0.5
RN_COST = 0.3
MAX_WORD_LEN = 64  # longer tokens are no word (OCR debris); splitting them costs O(n²) or worse
_VOWELS = "aeiouyåäöé"
_GLYPH_IN_WORD = re.compile(r"(?<=[a-zåäöé])[630]|[630](?=[a-zåäöé])")
_GLYPH_LETTER = {"6": "ö", "3": "å", "0": "ö"}

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "à": "a", "á": "a", "ü": "u"})
_TOKEN = re.compile(r"[|\[]?[0-9A-Za-zÅÄÖåäöéÉ]+")
_LETTER = re.compile(r"[A-Za-zÅÄÖåäöéÉ]")
# A capital I or a 1 after a lower-case letter (or a 1 before two) is an l: "haIls", "p1an"
_L_LOOKALIKE = re.compile(r"(?<=[a-zåäöé])[I1]|1(?=[a-zåäöé]{2})|(?<=^[A-ZÅÄÖ])I(?=[a-zåäöé]{2})")


def _fold(word: str) -> str:
    return word.translate(_FOLD)


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, float], dict[str, tuple[str, float]]]:
    """(word -> frequency, folded word -> (most frequent word with that folding, its zipf))."""
    import wordfreq  # imported lazily: loading the list takes a few tenths of a second

    freq = wordfreq.get_frequency_dict("sv")
    best: dict[str, tuple[str, float]] = {}
    for word, f in freq.items():
        if word.isascii():
            continue  # folds to itself: looked up directly
        key = word.translate(_FOLD)
        if key != word and (key not in best or best[key][1] < f):
            best[key] = (word, f)
    folded = {}
    for key, (word, f) in best.items():
        plain = freq.get(key, 0.0)
        folded[key] = (key, _to_zipf(plain)) if plain >= f else (word, _to_zipf(f))
    return freq, folded


def _to_zipf(frequency: float) -> float:
    return math.log10(frequency) + 9.0 if frequency > 0 else 0.0


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """Zipf frequency of a lower-case word in Swedish (0 when unknown)."""
    return _to_zipf(_lexicon()[0].get(word, 0.0))


@lru_cache(maxsize=200_000)
def _best_word(key: str) -> tuple[str, float]:
    """Most frequent real word whose diacritic-folded form is ``key`` ('' when none)."""
    hit = _lexicon()[1].get(key)
    if hit is not None:
        return hit
    z = zipf(key)
    return (key, z) if z > 0 else ("", 0.0)


@lru_cache(maxsize=200_000)
def _word_or_participle(key: str) -> tuple[str, float]:
    """A listed word, or the present participle of a listed verb (höjande from höja): a
    derivation, not a compound, so it costs no split."""
    word, score = _best_word(key)
    if score < MIN_PART_ZIPF and key.endswith("ande") and len(key) > 6:
        verb, verb_score = _best_word(key[:-3])  # höj|ande -> höja
        if verb_score - PARTICIPLE_PENALTY > score:
            word, score = verb + "nde", verb_score - PARTICIPLE_PENALTY
    return word, score


@lru_cache(maxsize=200_000)
def _compound(key: str, parts_left: int = 3) -> tuple[str, float]:
    """Best split of a folded word into dictionary words: (spelling, rarest part - penalties).

    A linking ``s`` is allowed between parts (``verksamhet+s+gränserna``), and the linking
    form of a word in -a as the first part (``förskole+förvaltningen``, ``hälso+främjande``).
    """
    best_word, best_score = "", 0.0
    for cut in range(MIN_PART, len(key) - MIN_PART + 1):
        head_key, tail_key = key[:cut], key[cut:]
        heads = [(*_best_word(head_key), "")]
        if head_key.endswith("s") and len(head_key) > MIN_PART:
            heads.append((*_best_word(head_key[:-1]), "s"))
        if head_key[-1:] in "eo" and len(head_key) > MIN_PART:
            # the linking form of a word in -a: förskole- (förskola), hälso- (hälsa)
            base, base_score = _best_word(head_key[:-1] + "a")
            if base:
                heads.append((base[:-1], base_score - LINK_PENALTY, head_key[-1]))
        if head_key[-1:] in "ae" and len(head_key) > MIN_PART:
            # ... or of a plural in -r: föräldra- (föräldrar)
            base, base_score = _best_word(head_key + "r")
            if base:
                heads.append((base[:-1], base_score - LINK_PENALTY, ""))
        head = max(heads, key=lambda h: h[1])
        if head[1] < MIN_PART_ZIPF:
            continue
        tail_word, tail_score = _word_or_participle(tail_key)
        if tail_score < DIRECT_OK and parts_left > 1 and len(tail_key) >= 2 * MIN_PART:
            split_word, split_score = _compound(tail_key, parts_left - 1)
            if split_score > tail_score:
                tail_word, tail_score = split_word, split_score
        if tail_score < MIN_PART_ZIPF:
            continue
        score = min(head[1], tail_score) - SPLIT_PENALTY
        if len(head_key) == MIN_PART:
            score -= SHORT_PART_PENALTY  # three-letter parts make most false compounds
        if score > best_score:
            best_word, best_score = head[0] + head[2] + tail_word, score
    return best_word, best_score


@lru_cache(maxsize=200_000)
def _analyse(key: str, parts: int = 3) -> tuple[str, float]:
    """Best spelling of a folded word: a dictionary word, else a compound of dictionary words.

    A compound's score is capped at ``COMPOUND_CAP`` (plus a sliver of its raw score to break
    ties): an unlisted compound is by nature a rare word and must not outrank a listed word
    (``for+mer`` must not beat ``former``, ``för+dig+ställa`` not ``färdigställa``).
    """
    word, score = _best_word(key)
    if score < DIRECT_OK and key.endswith("s") and len(key) > MIN_PART + 1:
        base, base_score = _best_word(key[:-1])  # genitive: pandemins, Västmanlands
        if base_score - GENITIVE_PENALTY > score:
            word, score = base + "s", base_score - GENITIVE_PENALTY
    if score >= MIN_ZIPF or len(key) < 2 * MIN_PART:
        return word, score  # a listed word is never outranked by a split of itself
    split_word, raw = _compound(key, parts)
    raw = raw if raw >= MIN_COMPOUND else 0.0
    split_score = min(raw, COMPOUND_CAP) + 0.001 * raw
    if split_word and split_score > score:
        return split_word, split_score
    return word, score


def _options(token: str, costly: bool) -> list[list[tuple[str, float]]]:
    """Per character of a lower-case token: (folded replacement, cost) alternatives."""
    out: list[list[tuple[str, float]]] = []
    n = len(token)
    for i, ch in enumerate(token):
        nxt = token[i + 1] if i + 1 < n else ""
        if i == 0 and ch in "|[i" and nxt == "6":
            opts = [("l", 0.0)]
        elif ch == "6" or ch == "0":
            opts = [("o", 0.0)]
        elif ch == "3":
            opts = [("a", 0.0)]
        elif ch == "é":
            opts = [("a", 0.15), ("o", 0.15), ("e", 0.6)]  # é: ä or ö, ties to ä
            if (token[i - 1 : i] + nxt) and set(token[i - 1 : i] + nxt) & set("aoid"):
                opts.append(("", 0.3))  # a stray é beside the letter it doubles: moét, aktoérer
        elif (
            costly
            and ch == "d"
            and ((i < n - 1 and (i > 0 or nxt not in _VOWELS + "rj")) or n <= SHORT_TOKEN)
        ):
            # d read for ä/ö/å (Folkhdlsa, Genomfdra, dven), or a stray d before a/é
            opts = [("d", 0.0), ("a", COSTLY), ("o", COSTLY), ("", COSTLY)]
        elif costly and ch == "i" and 0 < i < n - 1:
            opts = [("i", 0.0), ("a", COSTLY), ("", COSTLY), ("l", COSTLY)]  # Vilfard, fraimjande
        elif costly and ch == "l" and i == 0 and nxt and nxt not in _VOWELS:
            opts = [("l", 0.0), ("i", COSTLY)]  # lnföra: a capital I read as l
        elif costly and ch == "i" and i == 0 and n > 3:
            opts = [("i", 0.0), ("l", COSTLY)]  # Iångsiktig: an l read as a capital I
        elif costly and ch == "a" and 0 < i < n - 1:
            opts = [("a", 0.0), ("o", COSTLY + 0.2)]  # kompetenshajande
        else:
            opts = [(_fold(ch), 0.0)]
        out.append(opts)
    return out


def _variants(token: str, costly: bool) -> list[tuple[str, float]]:
    """Folded candidate spellings with their cost; costly edits at most two per token."""
    options = _options(token, costly)
    free = [[o for o in opts if o[1] == 0.0] or [min(opts, key=lambda o: o[1])] for opts in options]
    base_positions = [i for i, opts in enumerate(options) if len(opts) > 1]
    seen: dict[str, float] = {}

    def add(choice: dict[int, tuple[str, float]]) -> None:
        text = "".join(choice.get(i, free[i][0])[0] for i in range(len(options)))
        cost = sum(c[1] for c in choice.values()) + sum(
            free[i][0][1] for i in range(len(options)) if i not in choice
        )
        if text and (text not in seen or seen[text] > cost):
            seen[text] = cost

    add({})
    max_edits = 2 if costly else len(base_positions)
    for k in range(1, max_edits + 1):
        for positions in itertools.combinations(base_positions, k):
            for picks in itertools.product(*(options[p] for p in positions)):
                if any(pick == free[p][0] for p, pick in zip(positions, picks, strict=True)):
                    continue
                add(dict(zip(positions, picks, strict=True)))
                if len(seen) >= MAX_CANDIDATES:
                    return list(seen.items())
    return list(seen.items())


def _orig_score(lower: str) -> float:
    if not lower.isalpha() or "é" in lower:
        return zipf(lower)
    z = zipf(lower)
    if z > 0:
        return z
    word, score = _analyse(lower)
    return min(score, ORIGINAL_COMPOUND_CAP) if word == lower else 0.0


@lru_cache(maxsize=100_000)
def _repair_lower(lower: str) -> str:
    if zipf(lower) >= DIRECT_OK and any(c in "åäö" for c in lower):
        return lower  # the OCR kept its å/ä/ö and it is a word: når stays når (not när)
    original = _orig_score(lower)
    if zipf(lower) > 0:
        threshold = original + MARGIN
    elif original > 0:
        threshold = original + COMPOUND_MARGIN
    else:
        threshold = MIN_GAIN_FOR_NON_WORD
    best, best_score = lower, threshold
    for costly in (False, True):
        if costly and best != lower and _best_word(_fold(best))[1] >= MIN_ZIPF:
            break  # a listed word needs no guessing about real letters (genomförda)
        floor = max(best_score, MIN_COSTLY) if costly else best_score
        # once the letters as read make a compound, a costly reading must be a listed word:
        # guessed letters inside a guessed split make nonsense (överbeläggnångärna)
        listed_only = costly and best != lower
        readings = [(lower, 0.0)]
        if not costly and zipf(lower) == 0:  # m read as rn, rn as m: before guessing letters
            readings += [(alt, RN_COST) for alt in _rn_alternatives(lower)]
        variants = [(k, c + extra) for text, extra in readings for k, c in _variants(text, costly)]
        for key, cost in variants:
            if listed_only and _best_word(key)[1] < MIN_ZIPF:
                continue
            # a guessed letter in a split of three parts or more explains almost anything
            # (föra+lära+utbildningar): costly readings split in two at most
            word, score = _analyse(key, COSTLY_PARTS if costly else 3)
            if word and score - cost > floor:
                best, best_score, floor = word, score - cost, score - cost
    if best == lower and _GLYPH_IN_WORD.search(lower):
        # no word fits, but a digit inside a word is never right: read it as its letter
        best = _GLYPH_IN_WORD.sub(lambda m: _GLYPH_LETTER[m.group(0)], lower)
    return best


@lru_cache(maxsize=100_000)
def _rn_alternatives(lower: str) -> list[str]:
    """The token read with m for some rn (each of up to three), or rn for its one m."""
    alternatives = []
    spots = [m.start() for m in re.finditer("rn", lower)][:3]
    for k in range(1, len(spots) + 1):
        for chosen in itertools.combinations(spots, k):
            alternatives.append(
                "".join(
                    "m" if i in chosen else ("" if i - 1 in chosen else c)
                    for i, c in enumerate(lower)
                )
            )
    if lower.count("m") == 1:
        alternatives.append(lower.replace("m", "rn"))
    return alternatives


def _rn_m(lower: str, repaired: str) -> str:
    """OCR reads m as rn and rn as m: when the word as read is no listed word, take the
    reading with the other one if that is (rnedfinansierar, Regionbussama)."""
    alternatives = _rn_alternatives(lower)
    best, best_score = repaired, max(_analyse(_fold(repaired))[1], MIN_COMPOUND) + RN_MARGIN
    for alternative in alternatives:
        fixed = _repair_lower(alternative)
        score = _analyse(_fold(fixed))[1]
        if score > best_score:
            best, best_score = fixed, score
    return best


def _match_case(word: str, like: str) -> str:
    letters = [c for c in like if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if len(like) == len(word):
        return "".join(w.upper() if c.isupper() else w for w, c in zip(word, like, strict=True))
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


@lru_cache(maxsize=100_000)
def repair_word(token: str) -> str:
    """Repair one OCR token (letters, digits, look-alike glyphs); case is kept."""
    if _L_LOOKALIKE.search(token) and not token.isupper():
        fixed = _L_LOOKALIKE.sub("l", token)
        return fixed if fixed == token else repair_word(fixed)
    letters = len(_LETTER.findall(token))
    glyphs = sum(c in "630|[" for c in token)
    if letters == 0 or letters + glyphs < 2 or (letters < 2 and not token.islower()):
        return token  # a number, or a code such as 3G or 5G
    if token.isupper() and len(token) <= 4:
        return token  # an acronym: MDU, SKR, PTS
    if len(token) > MAX_WORD_LEN:
        return token
    lower = token.lower()
    if lower[:1] in "|[" and lower[1:2] != "6":
        return token  # a bar or bracket before a word is not an l
    if any(c.isdigit() and c not in "630" for c in lower):
        return token  # a code such as 2G or 22a, not a word
    repaired = _repair_lower(lower)
    if _best_word(_fold(repaired))[1] < MIN_ZIPF:
        repaired = _rn_m(lower, repaired)
    if repaired == lower:
        return token
    if lower[:1] in "|[0" or (lower[:1] == "i" and lower[1:2] == "6"):
        return repaired  # l6per/0kad: the first glyph was a lower-case letter
    if token[:1] == "I" and repaired[:1] == "l" and not token.isupper():
        return repaired  # Ianet: a lower-case l read as a capital I
    return _match_case(repaired, token)


def repair_text(text: str | None) -> str | None:
    """Repair every word of a text; punctuation, spacing and case are kept."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text)
    out = _TOKEN.sub(lambda m: repair_word(m.group(0)), text)
    return unicodedata.normalize("NFC", out)
