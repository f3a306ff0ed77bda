"""The words that carry an activity's meaning, and the evidence two activities share.

Character similarity cannot see that "Minska väntetiderna inom primärvården" and "Kortare väntan
på vårdcentralen" are one activity; a person sees it from the content words. Each text is
analysed once (cached per distinct string):

1. folded as the match keys are (case, å/ä/ö, OCR look-alikes) and cut into words; numbers
   are kept aside (``numbers``);
2. phrases and words of ``synonyms.yaml`` (abbreviations, synonyms) become one token per group,
   matched on the stem, so every inflection counts;
3. stop words go; each other word is stemmed (Snowball Swedish) and, when it is a compound of
   two words of Swedish (wordfreq's list; linking s and the -o/-e forms of -a words allowed),
   its parts are added too ("folkhälsoarbetet" gives folkhäls + arbet, so it meets "folkhälsa");
4. the named groups of ``synonyms.yaml`` it mentions (barn, vuxna, kvinnor…) are noted.

``pair_evidence`` compares rows × candidates: IDF-weighted Dice and overlap of the content words
(IDF over the texts being compared: the organisation's own current and recent activities, so a
word every activity has counts for little), the same for the comments' words as written (comment
continuity: names, places, dates and numbers carried over), and two conflicts that are strong
evidence *against* a link: both texts carry numbers (ages, grades, years) and they differ;
both name groups and share none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from scipy import sparse

from pipelines.core.errors import FollowupError
from pipelines.link.matching import normalise_text
from pipelines.swedish.morphology import stem

SYNONYMS_PATH = Path(__file__).with_name("synonyms.yaml")

_STOP_WORDS = """
och i for till av med pa som att en ett de den det dess inom vid om genom mot under fran hos sa
ska skall kan bli blir ar vara varit har samt eller nar dar efter ut upp mm bland utifran enligt
via nya ny nytt arbetet arbete arbeta kring
"""
_STOP = frozenset(_STOP_WORDS.split())
_FOG = ("s", "o", "e", "a", "u")
# as matching.normalise_text folds (é is OCR's ä there)
_FOLD_TABLE = str.maketrans("åäàáâãéèêæöøóòôõü", "aaaaaaaaaaoooooou")
MIN_PART = 3
MIN_PART_ZIPF = 2.5
# A word this common is a word of its own, not read as a compound ("personal" is not per+nal).
COMMON_WORD = 3.3
# A three-letter part must be a common word (tid, vård), not a suffix (ing) or a name.
SHORT_PART_ZIPF = 4.0


@dataclass(frozen=True)
class Lexicon:
    phrases: dict[str, list[tuple[str, ...]]]  # first word -> multi-word entries, longest first
    phrase_token: dict[tuple[str, ...], str]
    word_token: dict[str, str]  # stem -> group token
    group_bit: dict[str, int]  # stem -> bit of its named group


@dataclass(frozen=True)
class Analysis:
    tokens: frozenset[str]
    numbers: frozenset[str]
    groups: int
    ids: np.ndarray  # token ids (see _ids), in their tokens' key order


def _norm(text: str) -> str:
    """As the linker's match keys fold text (case, diacritics, OCR look-alikes, punctuation)."""
    return normalise_text(text)


def parse_lexicon(data: object, source: str = "synonyms") -> Lexicon:
    """Build the lexicon from the YAML mapping (see ``synonyms.yaml``)."""
    if not isinstance(data, dict):
        raise FollowupError(f"{source}: must be a mapping with abbreviations/synonyms/groups")
    unknown = set(data) - {"abbreviations", "synonyms", "groups"}
    if unknown:
        raise FollowupError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    phrase_token: dict[tuple[str, ...], str] = {}
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
                    phrase_token[tuple(words)] = token
                elif words:
                    word_token[stem(words[0])] = token
                    word_token[words[0]] = token
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for words in sorted(phrase_token, key=len, reverse=True):
        phrases.setdefault(words[0], []).append(words)
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
    """Folded Swedish word -> zipf frequency of its most frequent spelling (wordfreq), for the
    words common enough to be a compound's part (zipf ≥ ``MIN_PART_ZIPF``)."""
    import wordfreq  # a few tenths of a second: only when a compound is first looked at

    # the list is binned by centibels: bin i holds the words of zipf 9 - i/100, most common first
    bins = wordfreq.get_frequency_list("sv")[: int(round((9.0 - MIN_PART_ZIPF) * 100)) + 1]
    out: dict[str, float] = {}
    for i, words in enumerate(bins):
        if not words:
            continue
        z = 9.0 - i / 100.0
        for key in "\n".join(words).lower().translate(_FOLD_TABLE).split("\n"):
            if len(key) >= MIN_PART and key not in out:
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


# Every token gets a process-wide integer id, so a text's tokens are an id array computed once.
_TOKEN_ID: dict[str, int] = {}
# Each id's order key, a hash of its token: ids depend on which texts a process met first, so
# an id array is kept in key order instead. The weighted sums over a text's tokens then add in
# the same order in every process, and a rebuild (organisations in parallel processes, in any
# mix) gives the same probabilities to the last bit.
_TOKEN_KEY: list[int] = []


def _id(token: str) -> int:
    found = _TOKEN_ID.get(token)
    if found is None:
        found = _TOKEN_ID[token] = len(_TOKEN_KEY)
        digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
        _TOKEN_KEY.append(int.from_bytes(digest, "big"))
    return found


def _in_key_order(ids) -> np.ndarray:
    return np.array(sorted(ids, key=_TOKEN_KEY.__getitem__), dtype=np.int64)


def _ids(tokens) -> np.ndarray:
    return _in_key_order({_id(t) for t in tokens})


def _word(w: str, lex: Lexicon, cache: dict) -> tuple[tuple[str, ...], tuple[int, ...], int]:
    """(tokens, their ids, group bits) of one normalised word (cached per lexicon)."""
    st = stem(w)
    tokens = [lex.word_token.get(w) or lex.word_token.get(st) or st]
    groups = lex.group_bit.get(st, 0)
    parts = compound_parts(w)
    tokens += [lex.word_token.get(p, p) for p in parts]
    if parts:
        groups |= lex.group_bit.get(parts[-1], 0)
    info = cache[w] = (tuple(tokens), tuple(_id(t) for t in tokens), groups)
    return info


_WORDS: dict[int, dict] = {}  # id(lexicon) -> word -> _word()
_EMPTY = ((), (), 0)


@lru_cache(maxsize=200_000)
def analyse(text: str | None, path: str | None = None) -> Analysis:
    """Content tokens, numbers and named groups of one text (see module docstring)."""
    if not text:
        return Analysis(frozenset(), frozenset(), 0, _ids(()))
    lex = load_lexicon(path)
    cache = _WORDS.setdefault(id(lex), {})
    words = _norm(text).split()
    tokens: set[str] = set()
    ids: set[int] = set()
    numbers: set[str] = set()
    groups = 0
    phrases = lex.phrases
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        i += 1
        if w in phrases:
            hit = next((p for p in phrases[w] if tuple(words[i - 1 : i - 1 + len(p)]) == p), None)
            if hit:
                tokens.add(lex.phrase_token[hit])
                ids.add(_id(lex.phrase_token[hit]))
                i += len(hit) - 1
                continue
        info = cache.get(w)
        if info is None:
            if w.isdigit():
                numbers.add(w.lstrip("0") or "0")
                continue
            if w in _STOP or len(w) < 2:
                cache[w] = info = _EMPTY
            else:
                info = _word(w, lex, cache)
        if info[1]:
            tokens.update(info[0])
            ids.update(info[1])
            groups |= info[2]
    return Analysis(frozenset(tokens), frozenset(numbers), groups, _in_key_order(ids))


@lru_cache(maxsize=200_000)
def comment_tokens(text: str | None) -> np.ndarray:
    """Token ids of a comment's words (folded, not stemmed: names, places, months and numbers
    carry over as written) for comment continuity; cheaper than ``analyse`` on long comments."""
    if not text:
        return _ids(())
    words = {w for w in _norm(text).split() if (len(w) > 2 or w.isdigit()) and w not in _STOP}
    return _ids(f"c:{w}" for w in words)


def weighted_overlaps(a: list[np.ndarray], b: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """IDF-weighted (Dice, overlap coefficient) of token-id sets, a × b; IDF over a and b."""
    n_a, n_b = len(a), len(b)
    lens = np.fromiter((len(d) for d in (*a, *b)), dtype=np.int64, count=n_a + n_b)
    if not lens.sum():
        z = np.zeros((n_a, n_b))
        return z, z.copy()
    ptr = np.zeros(n_a + n_b + 1, dtype=np.int64)
    np.cumsum(lens, out=ptr[1:])
    col = np.concatenate([*a, *b])
    width = int(col.max()) + 1  # token ids are global: no remapping needed
    df = np.bincount(col, minlength=width).astype(np.float64)
    cut = ptr[n_a]
    idf_a = np.log1p((n_a + n_b) / df[col[:cut]])
    ma = sparse.csr_matrix((idf_a, col[:cut], ptr[: n_a + 1]), shape=(n_a, width))
    mb = sparse.csr_matrix(
        (np.ones(len(col) - cut), col[cut:], ptr[n_a:] - cut), shape=(n_b, width)
    )
    inter = (ma @ mb.T).toarray()
    doc = np.repeat(np.arange(n_a + n_b), lens)
    sa = np.bincount(doc[:cut], weights=idf_a, minlength=n_a)
    idf_b = np.log1p((n_a + n_b) / df[col[cut:]])
    sb = np.bincount(doc[cut:] - n_a, weights=idf_b, minlength=n_b)
    total = sa[:, None] + sb[None, :]
    smaller = np.minimum(sa[:, None], sb[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = np.where(total > 0, 2 * inter / total, 0.0)
        over = np.where(smaller > 0, inter / smaller, 0.0)
    return dice, over


def _set_codes(sets: list[frozenset[str]], codes: dict[frozenset[str], int]) -> np.ndarray:
    return np.array([codes.setdefault(s, len(codes) + 1) if s else 0 for s in sets], np.int64)


@lru_cache(maxsize=200_000)
def numbers_of(text: str | None) -> frozenset[str]:
    """The numbers of a text (cheap: no stemming), as ``analyse`` reads them."""
    return frozenset((w.lstrip("0") or "0") for w in _norm(text).split() if w.isdigit())


def numbers_differ(a: list[str | None], b: list[str | None]) -> np.ndarray:
    """Both texts carry numbers and they differ, a × b (booleans)."""
    codes: dict[frozenset[str], int] = {}
    ca = _set_codes([numbers_of(t) for t in a], codes)
    cb = _set_codes([numbers_of(t) for t in b], codes)
    return (ca[:, None] > 0) & (cb[None, :] > 0) & (ca[:, None] != cb[None, :])


def pair_evidence(
    rows: list[Analysis],
    cands: list[Analysis],
    row_comments: list[np.ndarray],
    cand_comments: list[np.ndarray],
) -> dict[str, np.ndarray]:
    """Evidence matrices rows × candidates (see module docstring)."""
    dice, over = weighted_overlaps([r.ids for r in rows], [c.ids for c in cands])
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
