"""Read a follow-up comment for what it says about the traffic light and about completion.

The rules are data (``status_rules.yaml`` beside this module; its header says how to edit it).
A comment is cut into clauses and its words folded and stemmed
(:mod:`pipelines.swedish.morphology`), so a rule word matches every inflection and OCR text
without å/ä/ö. Then, per clause:

1. **Cues** — word sequences with a kind (on plan, progress, deviation, termination, done, …);
   where one cue's words include another's, the longer one counts.
2. **Negation with scope** — an adverb negator (inte, ej, aldrig) turns the cues up to
   ``negation_window`` words after it and the cue just before it ("pågår ej", "nås inte"); a
   determiner (ingen, inga, utan) turns the first cue after it in the clause ("inga avvikelser
   har skett": the deviation, not "skett") and cues joined to it by "eller"; neither reaches
   past a scope break (och, som, …); "inga indikationer på" turns the rest of the clause. A
   negated kind becomes its ``negated`` kind: "inga avvikelser" is no deviation (green),
   "ej påbörjad" not started (yellow).
3. **Tense** — a done/achieved verb completes only in the past (avslutades, har avslutats, är
   genomförd). In the present or future it is planned ("avslutas i december", "ska genomföras"),
   decided by its ending and by the nearest future/perfect marker before it ("kommer inte att
   genomföras" is future, "har inte kunnat genomföras" perfect).
4. **Hedges and degree** — a degree hedge (viss, något, smärre) lowers the confidence, a doubt
   (risk, oro, osäkerhet) also lowers red to yellow ("riskerar att inte nås"), "delvis" makes done
   partial (yellow, not completed), an intensifier (kraftigt) raises the confidence a little.

Then over the whole comment: a recovery ("förseningen har tagits igen") cancels deviations; the
strong cues decide when there are any, else the weak ones (progress, concerns); among them the most
severe status wins, with its cue as the evidence (the words as written, negator or hedge
included). Completion needs a done cue in the past, no termination, no unfinished work
(progress, planned, not started, partial) in its clause — anywhere in the comment for the weaker
"achieved" verbs ("pågår enligt plan, dialoger har genomförts" is not completed) — and no
deviation in another clause ("del ett är genomförd, del två är försenad" is not completed;
"genomfördes, dock med en månads försening" is). Which kinds withdraw a completion is part of
each kind in the rule file.

Each distinct clause is read once per rule set (digits do not count), so a national history of
half a million rows repeating its clauses costs seconds.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from pipelines.core.errors import FollowupError
from pipelines.core.status import STATUS_RANK
from pipelines.core.textfold import fold
from pipelines.swedish.morphology import (
    Word,
    clause_spans,
    clause_words,
    same_word,
    stems,
    verb_form,
)

DEFAULT_RULES_PATH = Path(__file__).with_name("status_rules.yaml")
_Phrase = tuple[tuple[str, ...], ...]  # per word of a phrase: its stems


@dataclass(frozen=True)
class Kind:
    name: str
    status: str
    confidence: float
    weak: bool = False
    negated: str | None = None
    nonpast: str | None = None
    negated_nonpast: str | None = None
    partly: str | None = None
    completes: bool = False
    weak_completion: bool = False  # withdrawn by unfinished work anywhere in the comment
    tensed: bool = False
    cancels: frozenset[str] = frozenset()
    blocks_completion: bool = False
    unfinished: bool = False  # the work is not done: withdraws a completion
    deviating: bool = False  # in another clause than the completion, withdraws it


@dataclass(frozen=True)
class Pattern:
    """One word of a cue: alternatives of (mode, keys); mode stem | exact | head (compound);
    keys are the word's stems (exact: its folded form). The lemma is the first alternative."""

    alternatives: tuple[tuple[str, tuple[str, ...]], ...]
    stem_keys: frozenset[str]
    exact: frozenset[str]
    heads: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, alternatives: tuple[tuple[str, tuple[str, ...]], ...]) -> Pattern:
        return cls(
            alternatives,
            frozenset(k for mode, keys in alternatives if mode == "stem" for k in keys),
            frozenset(k for mode, keys in alternatives if mode == "exact" for k in keys),
            tuple(keys for mode, keys in alternatives if mode == "head"),
        )

    def matches(self, word: Word) -> tuple[str, ...] | None:
        """The stems of the lemma if any alternative matches the word, else None."""
        if (
            not word.keys.isdisjoint(self.stem_keys)
            or word.text in self.exact
            or (self.heads and _head_match(word.stems, self.heads))
        ):
            return self.alternatives[0][1]
        return None


@lru_cache(maxsize=65536)
def _head_match(stems: tuple[str, ...], heads: tuple[tuple[str, ...], ...]) -> bool:
    return any(same_word(stems, keys, compound_head=True) for keys in heads)


@dataclass(frozen=True)
class Cue:
    text: str
    words: tuple[Pattern, ...]
    kind: str
    gap: int = 1
    untensed: bool = False
    unless_next: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StatusRules:
    kinds: dict[str, Kind]
    cues: tuple[Cue, ...]
    negators: frozenset[str]
    negators_after: frozenset[str]
    negation_window: int
    not_negations: tuple[tuple[str, ...], ...]
    clause_negators: tuple[tuple[str, ...], ...]
    scope_breaks: frozenset[str]
    degree: tuple[_Phrase, ...]
    doubt: tuple[_Phrase, ...]
    partly: tuple[_Phrase, ...]
    hedge_window: int
    intensifiers: tuple[_Phrase, ...]
    future: tuple[_Phrase, ...]
    perfect: tuple[_Phrase, ...]
    deadline_after: frozenset[str]
    deadline_in: frozenset[str]
    state_words: frozenset[str]
    time_words: frozenset[str]
    # readings of distinct clauses under these rules (see _clause_hits); lives with the rules
    clause_cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __hash__(self) -> int:  # the rules are immutable; identity is enough for caching
        return id(self)


@dataclass(frozen=True)
class Reading:
    """What one comment says: status (None: no evidence) with confidence and evidence, and
    completion with its evidence."""

    status: str | None = None
    confidence: float = 0.0
    evidence: str | None = None
    completed: bool = False
    completed_evidence: str | None = None
    evidence_span: tuple[int, int] | None = None  # offsets of the evidence in the NFC comment
    completed_span: tuple[int, int] | None = None


@dataclass
class _Hit:
    kind: Kind
    confidence: float
    start: int  # offsets into the folded comment
    end: int
    clause: int


# --- loading --------------------------------------------------------------------------------


def _stems(phrase: object, where: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(phrase, str) or not phrase.strip():
        raise FollowupError(f"{where}: expected a non-empty word or phrase, not {phrase!r}")
    return tuple(stems(w) for w in unicodedata.normalize("NFC", phrase).lower().split())


def _phrases(data: dict, key: str, source: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    items = data.get(key) or []
    if not isinstance(items, list):
        raise FollowupError(f"{source}: '{key}' must be a list of words or phrases")
    return tuple(_stems(p, f"{source}: {key}") for p in items)


def _folded_set(data: dict, key: str, source: str) -> frozenset[str]:
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(w, str) for w in items):
        raise FollowupError(f"{source}: '{key}' must be a list of words")
    return frozenset(fold(w) for w in items)


def _pattern(word: str) -> Pattern:
    alternatives = []
    for alt in word.split("|"):
        alt = unicodedata.normalize("NFC", alt.strip()).lower()
        if not alt.strip("=*"):
            raise ValueError(f"empty alternative in {word!r}")
        if alt.startswith("="):
            alternatives.append(("exact", (fold(alt[1:]),)))
        elif alt.startswith("*"):
            alternatives.append(("head", stems(alt[1:])))
        else:
            alternatives.append(("stem", stems(alt)))
    return Pattern.of(tuple(alternatives))


def _kind(name: str, spec: object, source: str) -> Kind:
    where = f"{source}: kind {name}"
    if not isinstance(spec, dict):
        raise FollowupError(f"{where}: must be a mapping with status and confidence")
    if spec.get("status") not in STATUS_RANK:
        raise FollowupError(f"{where}: status must be green, yellow or red")
    confidence = spec.get("confidence")
    if not isinstance(confidence, int | float) or not 0 < confidence <= 1:
        raise FollowupError(f"{where}: confidence must be a number in (0, 1]")
    return Kind(
        name=name,
        status=spec["status"],
        confidence=float(confidence),
        weak=bool(spec.get("weak", False)),
        negated=spec.get("negated"),
        nonpast=spec.get("nonpast"),
        negated_nonpast=spec.get("negated_nonpast"),
        partly=spec.get("partly"),
        completes=bool(spec.get("completes", False)),
        weak_completion=bool(spec.get("weak_completion", False)),
        tensed=bool(spec.get("tensed", False)),
        cancels=frozenset(spec.get("cancels") or ()),
        blocks_completion=bool(spec.get("blocks_completion", False)),
        unfinished=bool(spec.get("unfinished", False)),
        deviating=bool(spec.get("deviating", False)),
    )


def parse_status_rules(data: object, source: str = "status rules") -> StatusRules:
    """Validate the YAML content of a rule file; raise FollowupError naming the bad entry."""
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict):
        raise FollowupError(f"{source}: expected a mapping with 'kinds' and 'cues'")
    kinds = {name: _kind(name, spec, source) for name, spec in data["kinds"].items()}
    for kind in kinds.values():
        refs = [kind.negated, kind.nonpast, kind.negated_nonpast, kind.partly, *kind.cancels]
        for ref in refs:
            if ref is not None and ref not in kinds:
                raise FollowupError(f"{source}: kind {kind.name} refers to unknown kind {ref!r}")
    cues = []
    for i, item in enumerate(data.get("cues") or []):
        label = item.get("words", "?") if isinstance(item, dict) else repr(item)
        where = f"{source}: cue {i + 1} ({label})"
        if not isinstance(item, dict) or not isinstance(item.get("words"), str):
            raise FollowupError(f"{where}: must be a mapping with words and kind")
        if item.get("kind") not in kinds:
            raise FollowupError(f"{where}: kind must be one of {', '.join(kinds)}")
        gap = item.get("gap", 1)
        if not isinstance(gap, int) or gap < 0:
            raise FollowupError(f"{where}: gap must be a whole number ≥ 0")
        try:
            patterns = tuple(_pattern(w) for w in item["words"].split())
        except ValueError as exc:
            raise FollowupError(f"{where}: {exc}") from None
        if not patterns:
            raise FollowupError(f"{where}: words must not be empty")
        cues.append(
            Cue(
                text=item["words"],
                words=patterns,
                kind=item["kind"],
                gap=gap,
                untensed=bool(item.get("untensed", False)),
                unless_next=frozenset(fold(w) for w in item.get("unless_next") or ()),
            )
        )
    hedges = data.get("hedges") or {}
    if not isinstance(hedges, dict):
        raise FollowupError(f"{source}: 'hedges' must be a mapping of degree, doubt, partly")
    return StatusRules(
        kinds=kinds,
        cues=tuple(cues),
        negators=_folded_set(data, "negators", source),
        negators_after=_folded_set(data, "negators_after", source),
        negation_window=int(data.get("negation_window", 4)),
        not_negations=tuple(tuple(fold(p).split()) for p in data.get("not_negations") or ()),
        clause_negators=tuple(tuple(fold(p).split()) for p in data.get("clause_negators") or ()),
        scope_breaks=_folded_set(data, "scope_breaks", source),
        degree=_phrases(hedges, "degree", source),
        doubt=_phrases(hedges, "doubt", source),
        partly=_phrases(hedges, "partly", source),
        hedge_window=int(data.get("hedge_window", 3)),
        intensifiers=_phrases(data, "intensifiers", source),
        future=_phrases(data, "future", source),
        perfect=_phrases(data, "perfect", source),
        deadline_after=_folded_set(data, "deadline_after", source),
        deadline_in=_folded_set(data, "deadline_in", source),
        state_words=_folded_set(data, "state_words", source),
        time_words=_folded_set(data, "time_words", source),
    )


@lru_cache(maxsize=8)
def load_status_rules(path: Path | str = DEFAULT_RULES_PATH) -> StatusRules:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FollowupError(f"status rule file {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise FollowupError(f"status rule file {path} is not valid YAML: {exc}") from None
    return parse_status_rules(data, str(path))


# --- matching -------------------------------------------------------------------------------


def _phrase_ends(words: list[Word], phrases: tuple[_Phrase, ...], gap: int = 0) -> list:
    """(start, end) word indices where a stemmed phrase occurs (up to ``gap`` words between)."""
    found = []
    for phrase in phrases:
        for i in range(len(words)):
            if words[i].keys.isdisjoint(phrase[0]):
                continue
            k, last = 1, i
            while k < len(phrase):
                nxt = next(
                    (
                        m
                        for m in range(last + 1, min(last + 2 + gap, len(words)))
                        if not words[m].keys.isdisjoint(phrase[k])
                    ),
                    None,
                )
                if nxt is None:
                    break
                last, k = nxt, k + 1
            if k == len(phrase):
                found.append((i, last))
    return found


@dataclass(frozen=True)
class _Markers:
    """Where the clause's tense markers and hedges are: (start, end) word indices."""

    future: list
    perfect: list
    degree: list
    doubt: list
    partly: list
    intensifiers: list

    @classmethod
    def of(cls, words: list[Word], rules: StatusRules) -> _Markers:
        return cls(
            future=_phrase_ends(words, rules.future, gap=1),
            perfect=_phrase_ends(words, rules.perfect),
            degree=_phrase_ends(words, rules.degree),
            doubt=_phrase_ends(words, rules.doubt),
            partly=_phrase_ends(words, rules.partly),
            intensifiers=_phrase_ends(words, rules.intensifiers),
        )


def _folded_at(words: list[Word], i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(w.text for w in words[i : i + len(phrase)]) == phrase


def _cue_matches(words: list[Word], cue: Cue) -> list[tuple[list[int], tuple[str, ...]]]:
    """Each match: the matched word indices and the rule stem the first word matched."""
    out = []
    for i, word in enumerate(words):
        key = cue.words[0].matches(word)
        if key is None:
            continue
        positions, last = [i], i
        for pattern in cue.words[1:]:
            nxt = next(
                (
                    m
                    for m in range(last + 1, min(last + 2 + cue.gap, len(words)))
                    if pattern.matches(words[m]) is not None
                ),
                None,
            )
            if nxt is None:
                break
            positions.append(nxt)
            last = nxt
        if len(positions) < len(cue.words):
            continue
        if last + 1 < len(words) and words[last + 1].text in cue.unless_next:
            continue
        out.append((positions, key))
    return out


def _negation(
    words: list[Word], first: int, last: int, cue_starts: set[int], rules: StatusRules
) -> tuple[bool, int, int]:
    """Whether the cue at words[first..last] is negated, and the word span with its negator.

    A determiner (ingen, inga, utan) reaches the first cue after it in the clause ("inga
    avvikelser har skett": only the deviation; "inga specifika åtgärder … har genomförts") and
    the cues joined to it by "eller" ("inga förseningar eller avvikelser"); an adverb (inte, ej)
    every cue in its window ("har inte drabbats av några förseningar")."""
    count, where = 0, first
    clause_negator = [
        i for i in range(first) if any(_folded_at(words, i, p) for p in rules.clause_negators)
    ]
    for i in range(first):
        if words[i].text not in rules.negators or i in clause_negator:
            continue
        determiner = words[i].text not in rules.negators_after  # ingen/inga/utan, not inte/ej
        if not determiner and first - i > rules.negation_window:
            continue
        if any(_folded_at(words, i, p) for p in rules.not_negations):
            continue
        if any(w.text in rules.scope_breaks for w in words[i + 1 : first]):
            continue
        between = [k for k in cue_starts if i < k < first]
        if (
            determiner
            and between
            and not any(w.text == "eller" for w in words[max(between) : first])
        ):
            continue
        count, where = count + 1, min(where, i)
    inside = [i for i in range(first + 1, last) if words[i].text in rules.negators]
    count += len(inside)
    after = last + 1
    until = last
    if (
        after < len(words)
        and words[after].text in rules.negators_after
        and not any(_folded_at(words, after, p) for p in rules.not_negations)
    ):
        count, until = count + 1, after
    if clause_negator:
        count, where = count + 1, min(where, clause_negator[0])
    return count % 2 == 1, where, until


def _tense(
    words: list[Word], first: int, last: int, key: tuple[str, ...], cue: Cue, rules: StatusRules
) -> str:
    form = "past" if cue.untensed else verb_form(words[first].text, key)
    if form == "noun":
        return form
    if cue.untensed and _deadline_follows(words, last, rules):
        return "nonpast"  # "klart till hösten", "klart i januari": a date promised
    markers = _markers_of(words, rules)
    near = [(end, "nonpast") for _, end in markers.future if end < first and first - end <= 3]
    near += [(end, "past") for _, end in markers.perfect if end < first and first - end <= 3]
    if near:
        return max(near)[1]
    return form


def _deadline_follows(words: list[Word], last: int, rules: StatusRules) -> bool:
    """A deadline right after a state word: "till hösten", "senast", "i januari", "i 2024"."""
    after = [w.text for w in words[last + 1 : last + 3]]
    if not after:
        return False
    if after[0] in rules.deadline_after:
        return True
    return (
        len(after) == 2
        and words[last].text in rules.state_words
        and after[0] in rules.deadline_in
        and (after[1] in rules.time_words or after[1].isdigit())
    )


_MARKERS: dict[int, tuple[list[Word], _Markers]] = {}


def _markers_of(words: list[Word], rules: StatusRules) -> _Markers:
    """The clause's markers, computed once per clause being read."""
    memo = _MARKERS.get(id(rules))
    if memo is None or memo[0] is not words:
        memo = _MARKERS[id(rules)] = (words, _Markers.of(words, rules))
    return memo[1]


def _near(spans: list, first: int, last: int, window: int) -> int | None:
    """Start index of a marker within ``window`` words before the cue or right after it."""
    for start, end in spans:
        if (first - window <= start and end < first) or start == last + 1:
            return start
    return None


@lru_cache(maxsize=8)
def _first_word_index(rules: StatusRules) -> tuple[dict[str, list[int]], list[int]]:
    """Positions of the cues by the keys of their first word (exact words prefixed with '='),
    and of the cues whose first word is a compound head (checked on every clause)."""
    index: dict[str, list[int]] = {}
    always = []
    for n, cue in enumerate(rules.cues):
        first = cue.words[0]
        for key in [*first.stem_keys, *(f"={w}" for w in first.exact)]:
            index.setdefault(key, []).append(n)
        if first.heads:
            always.append(n)
    return index, always


def _candidate_cues(words: list[Word], rules: StatusRules) -> list[Cue]:
    index, always = _first_word_index(rules)
    found = set(always)
    for word in words:
        for key in word.keys:
            found.update(index.get(key, ()))
        found.update(index.get(f"={word.text}", ()))
    return [rules.cues[n] for n in sorted(found)]  # in file order


_CACHE_LIMIT = 200_000
_DIGITS = str.maketrans("123456789", "000000000")


def _clause_hits(lower: str, folded: str, begin: int, clause: int, rules: StatusRules) -> list:
    """The cues of the clause at ``begin`` of a comment, read once per distinct clause text:
    reports repeat clauses ("Pågår enligt plan.") in comments that differ elsewhere, and digits
    never decide a cue (so "Ärende 12" and "Ärende 13" are one clause)."""
    cache = rules.clause_cache
    key = lower.translate(_DIGITS)
    found = cache.get(key)
    if found is None:
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        words = clause_words(lower, folded)
        found = [
            (kind, conf, words[i].start, words[j].end)
            for kind, conf, i, j in _read_clause(words, rules)
        ]
        cache[key] = found
    return [_Hit(k, c, begin + i, begin + j, clause) for k, c, i, j in found]


def _read_clause(words: list[Word], rules: StatusRules) -> list[tuple[Kind, float, int, int]]:
    """(kind, confidence, first word, last word) of each cue in the clause."""
    matches = []
    for cue in _candidate_cues(words, rules):
        for positions, key in _cue_matches(words, cue):
            matches.append((cue, positions, key))
    keep = [
        m
        for m in matches
        if not any(len(o[1]) > len(m[1]) and set(m[1]) <= set(o[1]) for o in matches if o is not m)
    ]
    hits = []
    markers = _markers_of(words, rules) if keep else None
    cue_starts = {m[1][0] for m in keep}
    for cue, positions, key in keep:
        first, last = positions[0], positions[-1]
        kind = rules.kinds[cue.kind]
        negated, start, until = _negation(words, first, last, cue_starts, rules)
        name: str | None = kind.name
        if kind.tensed:
            tense = _tense(words, first, last, key, cue, rules)
            if tense == "noun":
                continue
            if tense == "past":
                name = kind.negated if negated else kind.name
            else:
                name = kind.negated_nonpast if negated else kind.nonpast
        elif negated:
            name = kind.negated
        if name is None:
            continue
        effective = rules.kinds[name]
        confidence = effective.confidence
        window = rules.hedge_window
        partly = _near(markers.partly, first, last, window)
        if partly is not None and effective.completes and kind.partly:
            effective = rules.kinds[kind.partly]
            confidence = effective.confidence
            start = min(start, partly)
        degree = _near(markers.degree, first, last, window)
        doubt = _near(markers.doubt, first, last, window)
        if degree is not None:
            confidence *= 0.85
            start = min(start, degree)
        if doubt is not None and effective.status != "green":
            confidence *= 0.8
            start = min(start, doubt)
            if effective.status == "red":
                effective = rules.kinds.get("concern", effective)
        if _near(markers.intensifiers, first, last, window) is not None:
            confidence = min(1.0, confidence + 0.05)
        end = until if negated else last
        hits.append((effective, round(confidence, 3), start, end))
    return hits


def _evidence(original: str, folded: str, start: int, end: int) -> str:
    text = original if len(original) == len(folded) else folded
    return text[start:end]


def read_comment(comment: str | None, rules: StatusRules | None = None) -> Reading:
    """What one comment says about status and completion (see the module docstring)."""
    if not comment or not comment.strip():
        return Reading()
    rules = rules or load_status_rules()
    original = unicodedata.normalize("NFC", comment)
    lower, folded = original.lower(), fold(original)
    if len(lower) != len(folded):  # a letter whose lower case is longer: read the folded text
        lower = folded
    hits: list[_Hit] = []
    for n, (begin, end) in enumerate(clause_spans(folded)):
        hits.extend(_clause_hits(lower[begin:end], folded[begin:end], begin, n, rules))
    cancelled = set().union(*(h.kind.cancels for h in hits)) if hits else set()
    hits = [h for h in hits if h.kind.name not in cancelled]
    if not hits:
        return Reading()
    strong = [h for h in hits if not h.kind.weak]
    pool = strong or hits
    worst = max(STATUS_RANK[h.kind.status] for h in pool)
    best = max(
        (h for h in pool if STATUS_RANK[h.kind.status] == worst),
        key=lambda h: (h.confidence, -h.start),
    )
    done = [h for h in hits if h.kind.completes]
    done_clauses = {h.clause for h in done}
    blocked = any(
        h.kind.blocks_completion or (h.kind.deviating and h.clause not in done_clauses)
        for h in hits
    )
    unfinished = {h.clause for h in hits if h.kind.unfinished}
    done = [
        h
        for h in done
        if not blocked
        and h.clause not in unfinished
        and not (h.kind.weak_completion and unfinished)
    ]
    completed = bool(done)
    return Reading(
        status=best.kind.status,
        confidence=best.confidence,
        evidence=_evidence(original, folded, best.start, best.end),
        completed=completed,
        completed_evidence=(
            _evidence(original, folded, done[0].start, done[0].end) if completed else None
        ),
        evidence_span=(best.start, best.end),
        completed_span=(done[0].start, done[0].end) if completed else None,
    )
