"""The words that carry an activity's meaning, and the evidence two activities share.

Character similarity cannot see that "Minska väntetiderna inom primärvården" and "Kortare väntan
på vårdcentralen" are one activity; a person sees it from the content words. Each text is
analysed once (cached per distinct string):

1. folded (case, å/ä/ö) and cut into words; numbers are kept aside (``numbers``);
2. phrases and words of ``synonyms.yaml`` (abbreviations, synonyms) become one token per group,
   matched on the stem, so every inflection counts;
3. stop words go; each other word is stemmed (Snowball Swedish) and, when it is a compound of
   two words of Swedish (wordfreq's list; linking s and the -o/-e forms of -a words allowed),
   its parts are added too ("folkhälsoarbetet" gives folkhäls + arbet, so it meets "folkhälsa");
4. the named groups of ``synonyms.yaml`` it mentions (barn, vuxna, kvinnor…) are noted.

``pair_evidence`` compares rows × candidates: IDF-weighted Dice and overlap of the content words
(IDF over the texts being compared: the organisation's own current and recent activities, so a
word every activity has counts for little), the same for the comments (comment continuity: names,
places, dates and numbers carried over), and two conflicts that are strong evidence *against* a
link: both texts carry numbers (ages, grades, years) and they differ; both name groups and
share none.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from scipy import sparse

from pipelines.core.errors import FollowupError
from pipelines.core.textfold import fold
from pipelines.swedish.morphology import stem

SYNONYMS_PATH = Path(__file__).with_name("synonyms.yaml")

_NON_WORD = re.compile(r"[^a-z0-9]+")
_STOP_WORDS = """
och i for till av med pa som att en ett de den det dess inom vid om genom mot under fran hos sa
ska skall kan bli blir ar vara varit har samt eller nar dar efter ut upp mm bland utifran enligt
via nya ny nytt arbetet arbete arbeta kring
"""
_STOP = frozenset(_STOP_WORDS.split())
_FOG = ("s", "o", "e", "a", "u")
MIN_PART = 3
MIN_PART_ZIPF = 2.5
# A word this common is a word of its own, not read as a compound ("personal" is not per+nal).
COMMON_WORD = 3.3
# A three-letter part must be a common word (tid, vård), not a suffix (ing) or a name.
SHORT_PART_ZIPF = 4.0


@dataclass(frozen=True)
class Lexicon:
    phrases: re.Pattern | None  # multi-word entries, longest first
    phrase_token: dict[str, str]
    word_token: dict[str, str]  # stem -> group token
    group_bit: dict[str, int]  # stem -> bit of its named group


@dataclass(frozen=True)
class Analysis:
    tokens: frozenset[str]
    numbers: frozenset[str]
    groups: int


def _norm(text: str) -> str:
    return _NON_WORD.sub(" ", fold(text)).strip()


def parse_lexicon(data: object, source: str = "synonyms") -> Lexicon:
    """Build the lexicon from the YAML mapping (see ``synonyms.yaml``)."""
    if not isinstance(data, dict):
        raise FollowupError(f"{source}: must be a mapping with abbreviations/synonyms/groups")
    unknown = set(data) - {"abbreviations", "synonyms", "groups"}
    if unknown:
        raise FollowupError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    phrase_token: dict[str, str] = {}
    word_token: dict[str, str] = {}
    group_bit: dict[str, int] = {}
    n = 0
    for section in ("abbreviations", "synonyms", "groups"):
        groups = data.get(section) or []
        if not isinstance(groups, list):
            raise FollowupError(f"{source}: {section} must be a list of [word, word, …] lines")
        for k, group in enumerate(groups):
            if not isinstance(group, list) or not all(isinstance(w, str) for w in group):
                raise FollowupError(f"{source}: {section} line {k + 1} must be a list of words")
            if section == "groups":
                bit = 1 << len({*group_bit.values()})
                for w in group:
                    for word in _norm(w).split():
                        group_bit[stem(word)] = bit
                continue
            n += 1
            token = f"~{n}"
            for w in group:
                words = _norm(w).split()
                if len(words) > 1:
                    phrase_token[" ".join(words)] = token
                elif words:
                    word_token[stem(words[0])] = token
                    word_token[words[0]] = token
    phrases = None
    if phrase_token:
        alts = "|".join(re.escape(p) for p in sorted(phrase_token, key=len, reverse=True))
        phrases = re.compile(rf"\b(?:{alts})\b")
    return Lexicon(phrases, phrase_token, word_token, group_bit)


@lru_cache(maxsize=8)
def load_lexicon(path: str | None = None) -> Lexicon:
    """The lexicon of ``synonyms.yaml`` (or ``path``); a clear error when it cannot be read."""
    p = Path(path) if path else SYNONYMS_PATH
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FollowupError(f"cannot read synonyms file {p}: {exc}") from exc
    return parse_lexicon(data, str(p))


@lru_cache(maxsize=1)
def _zipf_folded() -> dict[str, float]:
    """Folded Swedish word -> zipf frequency of its most frequent spelling (wordfreq)."""
    import wordfreq  # a few tenths of a second: only when a compound is first looked at

    out: dict[str, float] = {}
    for word, f in wordfreq.get_frequency_dict("sv").items():
        key = fold(word)
        if f > 0:
            z = math.log10(f) + 9.0
            if z > out.get(key, 0.0):
                out[key] = z
    return out


@lru_cache(maxsize=200_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """The two words of a folded compound, as stems (``()`` when it is none): the split whose
    rarer part is most common, both parts at least ``MIN_PART_ZIPF``."""
    if len(word) < 2 * MIN_PART + 2 or not word.isalpha():
        return ()
    z = _zipf_folded()
    if z.get(word, 0.0) >= COMMON_WORD:
        return ()
    best, best_score = (), MIN_PART_ZIPF
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        head, tail = word[:cut], word[cut:]
        zt = z.get(tail, 0.0)
        if zt < best_score or (len(tail) == MIN_PART and zt < SHORT_PART_ZIPF):
            continue
        variants = [head, head + "e"]
        if head[-1] in _FOG and len(head) > MIN_PART:
            variants += [head[:-1], head[:-1] + "a"]
        zh = max(z.get(v, 0.0) for v in variants)
        if len(head) == MIN_PART and zh < SHORT_PART_ZIPF:
            continue
        score = min(zh, zt)
        if score >= best_score and score > 0:
            first = max(variants, key=lambda v: z.get(v, 0.0))
            best, best_score = (stem(first), stem(tail)), score
    return best


def _token(word: str, lex: Lexicon) -> str:
    return lex.word_token.get(word) or lex.word_token.get(stem(word)) or stem(word)


@lru_cache(maxsize=200_000)
def analyse(text: str | None, path: str | None = None) -> Analysis:
    """Content tokens, numbers and named groups of one text (see module docstring)."""
    if not text:
        return Analysis(frozenset(), frozenset(), 0)
    lex = load_lexicon(path)
    s = _norm(text)
    if lex.phrases is not None:
        s = lex.phrases.sub(lambda m: lex.phrase_token[m.group(0)], s)
    tokens: set[str] = set()
    numbers: set[str] = set()
    groups = 0
    for w in s.split():
        if w.isdigit():
            numbers.add(w.lstrip("0") or "0")
            continue
        if w.startswith("~"):
            tokens.add(w)
            continue
        if w in _STOP or len(w) < 2:
            continue
        st = stem(w)
        tokens.add(_token(w, lex))
        groups |= lex.group_bit.get(st, 0)
        parts = compound_parts(w)
        for p in parts:
            tokens.add(lex.word_token.get(p, p))
        if parts:
            groups |= lex.group_bit.get(parts[-1], 0)
    return Analysis(frozenset(tokens), frozenset(numbers), groups)


@lru_cache(maxsize=200_000)
def comment_tokens(text: str | None, path: str | None = None) -> frozenset[str]:
    """A comment's content tokens and numbers (numbers as ``#n``), for comment continuity."""
    a = analyse(text, path)
    return a.tokens | {f"#{n}" for n in a.numbers}


def _matrix(docs: list[frozenset[str]], index: dict[str, int]) -> sparse.csr_matrix:
    indptr, indices = [0], []
    for d in docs:
        indices.extend(index[t] for t in d)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(docs), len(index)))


def weighted_overlaps(
    a: list[frozenset[str]], b: list[frozenset[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """IDF-weighted (Dice, overlap coefficient) of token sets, a × b; IDF over a and b."""
    index: dict[str, int] = {}
    df: list[int] = []
    for d in (*a, *b):
        for t in d:
            i = index.setdefault(t, len(index))
            if i == len(df):
                df.append(0)
            df[i] += 1
    if not index:
        z = np.zeros((len(a), len(b)))
        return z, z.copy()
    n_docs = len(a) + len(b)
    idf = np.log1p(n_docs / np.asarray(df, dtype=np.float64))
    ma, mb = _matrix(a, index), _matrix(b, index)
    inter = (ma.multiply(idf[None, :]).tocsr() @ mb.T).toarray()
    sa, sb = ma @ idf, mb @ idf
    total = sa[:, None] + sb[None, :]
    smaller = np.minimum(sa[:, None], sb[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = np.where(total > 0, 2 * inter / total, 0.0)
        over = np.where(smaller > 0, inter / smaller, 0.0)
    return dice, over


def _set_codes(sets: list[frozenset[str]], codes: dict[frozenset[str], int]) -> np.ndarray:
    return np.array([codes.setdefault(s, len(codes) + 1) if s else 0 for s in sets], np.int64)


def pair_evidence(
    rows: list[Analysis],
    cands: list[Analysis],
    row_comments: list[frozenset[str]],
    cand_comments: list[frozenset[str]],
) -> dict[str, np.ndarray]:
    """Evidence matrices rows × candidates (see module docstring)."""
    dice, over = weighted_overlaps([r.tokens for r in rows], [c.tokens for c in cands])
    _, com = weighted_overlaps(row_comments, cand_comments)
    codes: dict[frozenset[str], int] = {}
    rn = _set_codes([r.numbers for r in rows], codes)
    cn = _set_codes([c.numbers for c in cands], codes)
    numbers = (rn[:, None] > 0) & (cn[None, :] > 0) & (rn[:, None] != cn[None, :])
    rg = np.array([r.groups for r in rows], np.int64)
    cg = np.array([c.groups for c in cands], np.int64)
    groups = (rg[:, None] > 0) & (cg[None, :] > 0) & ((rg[:, None] & cg[None, :]) == 0)
    return {
        "words_dice": dice,
        "words_overlap": over,
        "comment": com,
        "numbers_differ": numbers.astype(np.float64),
        "groups_differ": groups.astype(np.float64),
    }


def shared_words(a: str | None, b: str | None, limit: int = 4) -> list[str]:
    """Content tokens two texts share (synonym groups shown as ``~n``), for the evidence text."""
    common = analyse(a).tokens & analyse(b).tokens
    return sorted(common, key=lambda t: (-len(t), t))[:limit]
