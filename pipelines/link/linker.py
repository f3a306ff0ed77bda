"""Give every activity row a stable ``activity_id`` by linking it to the same activity in earlier
periods of the same organisation.

Reports carry no ids, and between two periods an activity is reworded, moved to another unit,
OCR'd differently, dropped, or new. Linking works per organisation, period by period in
``period_sort_key`` order (never string order):

1. **Blocking.** A row of period *t* is only ever compared with activities of the same org
   last seen in the org's previous period or, for activities missing from some reports
   (look-back), up to ``lookback_periods`` periods before that. A look-back candidate loses
   ``gap_penalty`` points per missing period, so the latest activity wins a tie, but an exact
   match after a gap still beats a mediocre consecutive one (one joint assignment rather than
   two stages: with two stages a reappearing activity's row can be taken by a weaker
   consecutive candidate first). A row whose normalised text occurs once in the report and once
   in the previous period is linked before scoring. Cost is one ``rapidfuzz.process.cdist`` of
   about activities × activities per org-period, so near-linear in the history's size; orgs
   never meet.
2. **Score** (0–100): text first — the best of ``token_sort_ratio`` on the match key, ``ratio``
   on the key without spaces (joined/split words) and a slightly discounted
   ``token_set_ratio`` (a word added or removed) — compared with the activity's latest text
   (``pipelines.link.matching.match_key``: case, diacritics, OCR look-alikes, leading "Fortsatt",
   verb synonyms folded). Goal area and unit add (same) or subtract (both known, different) a few
   points; a similar comment adds a few. Weights live in ``linking.yaml``.
3. **Assignment.** One-to-one, optimal (``scipy.optimize.linear_sum_assignment`` maximising the
   total score), not greedy. Pairs below ``review`` are never linked.
4. **Bands.** score ≥ ``accept`` → linked; ``review`` ≤ score < ``accept`` → linked with
   ``needs_review``; below → a new activity. Method ``exact`` when the normalised texts are equal
   (``normalise_text``: OCR, case, diacritics, punctuation; score 100), else ``fuzzy`` (which can
   also reach 100: near-identical text in the same goal area and unit). The score includes the
   gap penalty. ``new`` rows carry the best score they were offered (null when there was no
   candidate), which helps to spot a missed link.

Activity ids are derived from the activity's first appearance: ``"{org}:{period}:{source_row:03d}"``
(e.g. ``region-vastmanland:2022-Q2:007``). The same input therefore gives the same ids whatever
the row order or the order in which periods were ingested, and adding a later period never
renames an existing activity. Ids do depend on the report an activity first appears in: adding
a report *before* the latest linked period, or renumbering the rows of one, can rename the
activities first seen there (and overrides name rows by period and source_row), so such a
change needs a full ``link_history`` and a look at the overrides.

Entry points: ``link_history`` (everything, from scratch), ``link_period`` (append new periods
to a linked history, about one period's work per org), ``review_candidates`` (links flagged for
review, with their best candidates side by side), ``load_overrides``, ``load_config``.

Overrides (``load_overrides``) are applied on every run and win over scores. File format, CSV,
UTF-8, one header line; the first line may be a comment ``# followup-overrides v1``; two
optional columns ``decided_by`` and ``decided_at`` say who decided and when (``followup serve``
writes them)::

    org,action,period,source_row,activity_id,other_activity_id,note
    region-x,confirm,2023-Q1,12,region-x:2022-Q2:007,,reworded by the unit
    region-x,reject,2023-Q1,14,region-x:2022-Q2:009,,different project
    region-x,merge,,,region-x:2022-Q2:003,region-x:2022-Q4:020,"same activity, new unit"

- ``confirm``: row (org, period, source_row) belongs to ``activity_id`` (method ``override``,
  needs_review false). An id that does not exist yet is created by that row.
- ``reject``: row (org, period, source_row) must not be linked to ``activity_id``; it takes its
  next best candidate or becomes new.
- ``merge``: ``activity_id`` and ``other_activity_id`` are the same activity; the id that first
  appeared later is replaced by the earlier one everywhere (links, activities, snapshots). Two
  merged ids both present in one period is an error.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import polars as pl
import yaml
from rapidfuzz import fuzz, process

from pipelines.core.errors import FollowupError
from pipelines.core.periods import is_period, period_sort_key
from pipelines.link.evidence import (
    analyse,
    comment_tokens,
    numbers_differ,
    pair_evidence,
    shared_words,
)
from pipelines.link.matching import match_key, normalise_text, squash
from pipelines.link.model import probability

CONFIG_PATH = Path(__file__).with_name("linking.yaml")

LINK_SCHEMA: dict[str, pl.DataType] = {
    "org": pl.String(),
    "period": pl.String(),
    "source_row": pl.Int64(),
    "activity_id": pl.String(),
    "matched_from_period": pl.String(),
    "score": pl.Float64(),
    "method": pl.String(),
    "needs_review": pl.Boolean(),
    "probability": pl.Float64(),
    "evidence": pl.String(),
    "alternative_ids": pl.List(pl.String()),
    "alternative_probabilities": pl.List(pl.Float64()),
}
# Columns added by the evidence-based linker; a links table written before them gets nulls.
EVIDENCE_COLUMNS = ("probability", "evidence", "alternative_ids", "alternative_probabilities")
ACTIVITY_SCHEMA: dict[str, pl.DataType] = {
    "org": pl.String(),
    "activity_id": pl.String(),
    "canonical_text": pl.String(),
    "goal_area": pl.String(),
    "unit": pl.String(),
    "first_period": pl.String(),
    "last_period": pl.String(),
    "periods_seen": pl.Int64(),
}
OVERRIDE_SCHEMA: dict[str, pl.DataType] = {
    "org": pl.String(),
    "action": pl.String(),
    "period": pl.String(),
    "source_row": pl.Int64(),
    "activity_id": pl.String(),
    "other_activity_id": pl.String(),
    "note": pl.String(),
    "decided_by": pl.String(),  # who and when, written by `followup serve` (optional columns)
    "decided_at": pl.String(),
}
OVERRIDE_ACTIONS = ("confirm", "reject", "merge")
OVERRIDES_HEADER = "# followup-overrides v1"
REQUIRED_INPUT = ("org", "period", "activity", "source_row")


@dataclass(frozen=True)
class LinkingConfig:
    """Thresholds and weights; see ``linking.yaml`` for what each one means."""

    accept: float = 90.0
    review: float = 80.0
    lookback_periods: int = 3
    goal_area_weight: float = 4.0
    unit_weight: float = 3.0
    comment_weight: float = 3.0
    gap_penalty: float = 3.0
    workers: int = -1
    accept_probability: float = 0.7
    residual_probability: float = 0.3
    candidate_probability: float = 0.05
    alternatives: int = 3


def load_config(path: str | Path | None = None) -> LinkingConfig:
    """Read the linking config (default ``pipelines/link/linking.yaml``); missing keys: defaults."""
    path = Path(path) if path is not None else CONFIG_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FollowupError(f"cannot read linking config {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise FollowupError(f"linking config {path} must be a mapping of key: value")
    known = {f.name: f.type for f in fields(LinkingConfig)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise FollowupError(
            f"linking config {path}: unknown key(s) {', '.join(unknown)}; "
            f"known keys are {', '.join(known)}"
        )
    try:
        values = {
            k: (int(v) if k in ("lookback_periods", "workers", "alternatives") else float(v))
            for k, v in data.items()
        }
    except (TypeError, ValueError) as exc:
        raise FollowupError(f"linking config {path}: every value must be a number ({exc})") from exc
    cfg = replace(LinkingConfig(), **values)
    if not 0 <= cfg.review <= cfg.accept <= 100:
        raise FollowupError(
            f"linking config {path}: need 0 <= review ({cfg.review}) "
            f"<= accept ({cfg.accept}) <= 100"
        )
    if cfg.lookback_periods < 0:
        raise FollowupError(f"linking config {path}: lookback_periods must be 0 or more")
    probs = (cfg.candidate_probability, cfg.residual_probability, cfg.accept_probability)
    if not (min(probs) >= 0 and max(probs) <= 1 and cfg.candidate_probability <= min(probs[1:])):
        raise FollowupError(
            f"linking config {path}: probabilities must lie in 0–1 and candidate_probability "
            "must not exceed residual or accept probability"
        )
    return cfg


@dataclass
class LinkResult:
    links: pl.DataFrame
    activities: pl.DataFrame
    snapshots_with_ids: pl.DataFrame


# --------------------------------------------------------------------------- overrides


def empty_overrides() -> pl.DataFrame:
    return pl.DataFrame(schema=OVERRIDE_SCHEMA)


def load_overrides(path: str | Path) -> pl.DataFrame:
    """Read an overrides CSV (format in the module docstring) or raise a FollowupError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FollowupError(f"cannot read overrides file {path}: {exc}") from exc
    lines = text.splitlines()
    first_data_line = 2
    if lines and lines[0].startswith("#"):
        if lines[0].strip() != OVERRIDES_HEADER:
            raise FollowupError(
                f"overrides file {path}: unsupported version line {lines[0].strip()!r}; "
                f"expected {OVERRIDES_HEADER!r}"
            )
        lines = lines[1:]
        first_data_line = 3
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    header = reader.fieldnames or []
    missing = [c for c in ("org", "action", "activity_id") if c not in header]
    unknown = [c for c in header if c not in OVERRIDE_SCHEMA]
    if missing or unknown:
        raise FollowupError(
            f"overrides file {path}: "
            + (f"missing column(s) {', '.join(missing)}" if missing else "")
            + ("; " if missing and unknown else "")
            + (f"unknown column(s) {', '.join(unknown)}" if unknown else "")
            + f"; expected header {','.join(OVERRIDE_SCHEMA)}"
        )
    records = []
    for lineno, rec in enumerate(reader, start=first_data_line):
        if rec is None or not any((v or "").strip() for v in rec.values() if isinstance(v, str)):
            continue
        if None in rec:
            raise FollowupError(f"overrides file {path}, line {lineno}: too many fields")
        row = {k: ((rec.get(k) or "").strip() or None) for k in OVERRIDE_SCHEMA}
        where = f"overrides file {path}, line {lineno}"
        action = (row["action"] or "").lower()
        if action not in OVERRIDE_ACTIONS:
            raise FollowupError(
                f"{where}: action {row['action']!r} is not one of {', '.join(OVERRIDE_ACTIONS)}"
            )
        row["action"] = action
        if not row["org"] or not row["activity_id"]:
            raise FollowupError(f"{where}: org and activity_id are required")
        if action == "merge":
            if not row["other_activity_id"]:
                raise FollowupError(f"{where}: merge needs other_activity_id")
            row["source_row"] = None
        else:
            if not row["period"] or not is_period(row["period"]):
                raise FollowupError(
                    f"{where}: {action} needs a period label such as 2023-Q1, got {row['period']!r}"
                )
            try:
                row["source_row"] = int(row["source_row"] or "")
            except ValueError:
                raise FollowupError(
                    f"{where}: {action} needs source_row as a whole number, "
                    f"got {rec.get('source_row')!r}"
                ) from None
        records.append(row)
    return pl.DataFrame(records, schema=OVERRIDE_SCHEMA, orient="row")


class _Overrides:
    """Overrides of one org, indexed for the linker."""

    def __init__(self, frame: pl.DataFrame | None, org: str):
        self.confirm: dict[tuple[str, int], str] = {}
        self.reject: dict[tuple[str, int], set[str]] = {}
        parent: dict[str, str] = {}
        if frame is None or frame.is_empty():
            self.merge_pairs: list[tuple[str, str]] = []
            self.rep = parent
            return
        sub = frame.filter(pl.col("org") == org)
        for r in sub.filter(pl.col("action") == "confirm").iter_rows(named=True):
            self.confirm[(r["period"], r["source_row"])] = r["activity_id"]
        for r in sub.filter(pl.col("action") == "reject").iter_rows(named=True):
            self.reject.setdefault((r["period"], r["source_row"]), set()).add(r["activity_id"])
        self.merge_pairs = [
            (r["activity_id"], r["other_activity_id"])
            for r in sub.filter(pl.col("action") == "merge").iter_rows(named=True)
        ]
        # Union-find over merged ids; the representative is chosen later (earliest first seen).
        for a, b in self.merge_pairs:
            ra, rb = _find(parent, a), _find(parent, b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        members = {x for pair in self.merge_pairs for x in pair}
        self.rep = {k: _find(parent, k) for k in sorted(members)}

    def group(self, activity_id: str) -> str:
        return self.rep.get(activity_id, activity_id)


def _find(parent: dict[str, str], x: str) -> str:
    while parent.get(x, x) != x:
        x = parent[x]
    return x


# --------------------------------------------------------------------------- scoring


def _sorted_tokens(key: str) -> str:
    return " ".join(sorted(key.split()))


@dataclass
class _Texts:
    """The comparable parts of a set of rows or activities (match keys, precomputed once)."""

    key: list[str]
    srt: list[str]  # tokens sorted: ratio on these == token_sort_ratio, but 8x faster in cdist
    sq: list[str]
    norm: list[str]
    goal: np.ndarray
    unit: np.ndarray
    comment: list[str]
    activity: list[str | None]  # as written: content words are read from it when needed
    raw_comment: list[str | None]

    @classmethod
    def build(cls, activity, goal, unit, comment, codes: dict[str, int]) -> _Texts:
        return cls.from_parts(
            [_parts(*values) for values in zip(activity, goal, unit, comment, strict=True)],
            codes,
        )

    @classmethod
    def from_parts(cls, parts: list[tuple], codes: dict[str, int]) -> _Texts:
        """From ``_parts`` tuples (the linker keeps one per activity, so each text is folded
        once per appearance rather than once per period it stays a candidate)."""
        columns = [list(c) for c in zip(*parts, strict=True)] if parts else [[] for _ in range(9)]
        key, srt, sq, norm, goal, unit, comment, activity, raw_comment = columns
        return cls(
            key=key,
            srt=srt,
            sq=sq,
            norm=norm,
            goal=_label_codes(goal, codes),
            unit=_label_codes(unit, codes),
            comment=comment,
            activity=activity,
            raw_comment=raw_comment,
        )

    def take(self, idx: list[int]) -> _Texts:
        return _Texts(
            key=[self.key[i] for i in idx],
            srt=[self.srt[i] for i in idx],
            sq=[self.sq[i] for i in idx],
            norm=[self.norm[i] for i in idx],
            goal=self.goal[idx],
            unit=self.unit[idx],
            comment=[self.comment[i] for i in idx],
            activity=[self.activity[i] for i in idx],
            raw_comment=[self.raw_comment[i] for i in idx],
        )


def _parts(activity, goal, unit, comment) -> tuple:
    """The comparable forms of one row: key, sorted key, squashed key, normalised text,
    normalised goal area and unit, sorted comment key, the activity and comment as written."""
    key = match_key(activity)
    return (
        key,
        _sorted_tokens(key),
        squash(key),
        normalise_text(activity),
        normalise_text(goal),
        normalise_text(unit),
        _sorted_tokens(match_key(comment)),
        activity,
        comment,
    )


def _codes(values, codes: dict[str, int]) -> np.ndarray:
    """Integer codes of normalised labels (0 = missing), so equality is a numpy broadcast."""
    return _label_codes([normalise_text(v) for v in values], codes)


def _label_codes(labels, codes: dict[str, int]) -> np.ndarray:
    out = np.zeros(len(labels), dtype=np.int64)
    for i, k in enumerate(labels):
        if k:
            out[i] = codes.setdefault(k, len(codes) + 1)
    return out


def _agreement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """+1 same, -1 both known and different, 0 when either is missing."""
    known = (a[:, None] > 0) & (b[None, :] > 0)
    same = a[:, None] == b[None, :]
    return np.where(known, np.where(same, 1.0, -1.0), 0.0)


# token_set_ratio (a word added or removed) is only worth computing for pairs already this close.
_TOKEN_SET_BAND = 55.0
_TOKEN_SET_DISCOUNT = 0.93


# Below this many pairs a cdist is faster on one thread: starting the threads costs ~2.5 ms, more
# than a 150 × 150 matrix takes (~2 ms). An org-period's matrices are about that size.
_THREADED_PAIRS = 100_000


def _workers(workers: int, n_rows: int, n_cands: int) -> int:
    return workers if n_rows * n_cands >= _THREADED_PAIRS else 1


def text_scores(rows: _Texts, cands: _Texts, workers: int = 1) -> np.ndarray:
    """Text similarity rows × candidates, 0–100 (see module docstring)."""
    kw = {"dtype": np.float32, "workers": _workers(workers, len(rows.key), len(cands.key))}
    text = process.cdist(rows.srt, cands.srt, scorer=fuzz.ratio, **kw)
    np.maximum(text, process.cdist(rows.sq, cands.sq, scorer=fuzz.ratio, **kw), out=text)
    r_idx, c_idx = np.nonzero(text >= _TOKEN_SET_BAND)
    if len(r_idx):
        rk, ck, scorer = rows.key, cands.key, fuzz.token_set_ratio
        pairs = zip(r_idx.tolist(), c_idx.tolist(), strict=True)
        ts = _TOKEN_SET_DISCOUNT * np.array([scorer(rk[r], ck[c]) for r, c in pairs])
        better = ts > text[r_idx, c_idx]
        text[r_idx[better], c_idx[better]] = ts[better]
    return text.astype(np.float64)


def score_matrix(rows: _Texts, cands: _Texts, cfg: LinkingConfig) -> np.ndarray:
    """Raw scores rows × candidates (can exceed 100 before clipping; used for assignment)."""
    return _scores(rows, cands, cfg)[1]


def _scores(rows: _Texts, cands: _Texts, cfg: LinkingConfig) -> tuple[np.ndarray, ...]:
    """(text score, raw score, goal agreement, unit agreement), rows × candidates."""
    text = text_scores(rows, cands, cfg.workers)
    goal = _agreement(rows.goal, cands.goal)
    unit = _agreement(rows.unit, cands.unit)
    score = text + cfg.goal_area_weight * goal + cfg.unit_weight * unit
    if cfg.comment_weight:
        com = process.cdist(
            rows.comment,
            cands.comment,
            scorer=fuzz.ratio,
            dtype=np.float32,
            workers=_workers(cfg.workers, len(rows.comment), len(cands.comment)),
        )
        has = (
            np.array([bool(c) for c in rows.comment])[:, None]
            & np.array([bool(c) for c in cands.comment])[None, :]
        )
        score += cfg.comment_weight * np.where(has, com, 0.0) / 100.0
    return text, score, goal, unit


def _features(
    rows: _Texts, cands: _Texts, text: np.ndarray, goal, unit, gaps: np.ndarray
) -> dict[str, np.ndarray]:
    """The model's features rows × candidates (``pipelines.link.model``)."""
    feats = pair_evidence(
        [analyse(a) for a in rows.activity],
        [analyse(a) for a in cands.activity],
        [comment_tokens(c) for c in rows.raw_comment],
        [comment_tokens(c) for c in cands.raw_comment],
    )
    feats["text"] = text / 100.0
    feats["goal_area"] = goal
    feats["unit"] = unit
    feats["gap"] = np.broadcast_to(gaps[None, :], text.shape)
    # the pair is each other's best (text + words): what a person sees when one activity
    # vanished where another appeared
    base = feats["text"] + feats["words_dice"]
    if base.size:
        mutual = (base >= base.max(axis=1, keepdims=True)) & (base >= base.max(axis=0))
        feats["mutual_best"] = (mutual & (base > 0)).astype(np.float64)
    else:
        feats["mutual_best"] = np.zeros(base.shape)
    return feats


def _evidence_text(feats: dict[str, np.ndarray], r: int, c: int, a: str, b: str) -> str:
    """One line a reviewer can read: why this candidate has its probability."""
    same = {1.0: "same", -1.0: "differs", 0.0: "unknown"}
    parts = [f"text {feats['text'][r, c] * 100:.0f}"]
    words = shared_words(a, b)
    parts.append(
        f"words {feats['words_dice'][r, c]:.2f}" + (f" ({', '.join(words)})" if words else "")
    )
    parts.append(f"unit {same[float(feats['unit'][r, c])]}")
    parts.append(f"goal area {same[float(feats['goal_area'][r, c])]}")
    if feats["comment"][r, c] > 0:
        parts.append(f"comment {feats['comment'][r, c]:.2f}")
    if feats["numbers_differ"][r, c]:
        parts.append("numbers differ")
    if feats["groups_differ"][r, c]:
        parts.append("groups differ")
    if feats["gap"][r, c]:
        parts.append(f"gap {int(feats['gap'][r, c])}")
    if feats["mutual_best"][r, c]:
        parts.append("each other's best")
    return "; ".join(parts)


# --------------------------------------------------------------------------- linking core


@dataclass
class _OrgState:
    """What the linker remembers of one org: every activity's latest appearance."""

    periods: list[str] = field(default_factory=list)  # ordered periods linked so far
    ids: list[str] = field(default_factory=list)
    last: list[int] = field(default_factory=list)  # index into periods of the last appearance
    activity: list[str] = field(default_factory=list)
    goal: list[str | None] = field(default_factory=list)
    unit: list[str | None] = field(default_factory=list)
    comment: list[str | None] = field(default_factory=list)
    parts: list[tuple | None] = field(default_factory=list)  # _parts of the latest appearance
    index: dict[str, int] = field(default_factory=dict)

    def upsert(self, aid, pidx, activity, goal, unit, comment, parts=None) -> None:
        i = self.index.get(aid)
        if i is None:
            self.index[aid] = len(self.ids)
            self.ids.append(aid)
            self.last.append(pidx)
            self.activity.append(activity)
            self.goal.append(goal)
            self.unit.append(unit)
            self.comment.append(comment)
            self.parts.append(parts)
        else:
            self.last[i] = pidx
            self.activity[i] = activity
            self.goal[i] = goal
            self.unit[i] = unit
            self.comment[i] = comment
            self.parts[i] = parts

    def parts_of(self, i: int) -> tuple:
        if self.parts[i] is None:
            self.parts[i] = _parts(self.activity[i], self.goal[i], self.unit[i], self.comment[i])
        return self.parts[i]

    def norm(self, i: int) -> str:
        return self.parts_of(i)[3]


def _apply_unit_renames(rows, ctexts, state, out_id, t, codes) -> None:
    """A unit whose name vanished while a new name appeared, the new name's rows continuing
    the old name's activities (already linked on their exact text), was renamed: its
    candidates count as being in the new unit (a whole unit moving is a rename, not a move)."""
    now = {int(u) for u in rows.unit}
    gone = {
        codes.setdefault(name, len(codes) + 1)
        for i, last in enumerate(state.last)
        if last == t - 1 and (name := state.parts_of(i)[5])
    } - now
    if not gone:
        return
    votes: dict[tuple[int, int], int] = {}
    linked_in: dict[int, int] = {}
    for r, aid in enumerate(out_id):
        if aid is None or aid not in state.index:
            continue
        new = int(rows.unit[r])
        old = codes.get(state.parts_of(state.index[aid])[5], 0)
        linked_in[new] = linked_in.get(new, 0) + 1
        if old in gone and new and new != old:
            votes[(old, new)] = votes.get((old, new), 0) + 1
    renames: dict[int, int] = {}
    for (old, new), k in sorted(votes.items(), key=lambda kv: -kv[1]):
        if k >= 2 and k * 2 >= linked_in[new] and old not in renames:
            renames[old] = new
    if renames:
        ctexts.unit = np.array([renames.get(int(u), int(u)) for u in ctexts.unit], np.int64)


def _decide(rows, free, state, cand, ctexts, gaps, blocked, ov, cfg, best) -> dict[int, dict]:
    """Link the free rows to candidates, in two tiers.

    1. The text decides where it is sure: an optimal assignment on the text score; a pair
       with score ≥ ``accept`` and the same numbers is linked (``probability`` left null).
    2. The model decides the rest (rows × candidates left): an optimal assignment on the text
       score (≥ ``review``; its probability sets the band), then a residual round
       for what is left on both sides within the same unit or goal area (probability ≥
       ``residual_probability``). A pair whose numbers or named groups differ is never linked
       here, only offered as a candidate.

    Returns per free row: the candidate (or None), its score, probability, evidence and
    alternatives (other candidates with probability ≥ ``candidate_probability``)."""
    from scipy.optimize import linear_sum_assignment  # 0.6 s to import: only when linking

    sub = rows.take(free)
    text, raw, goal, unit = _scores(sub, ctexts, cfg)
    raw = raw - cfg.gap_penalty * gaps[None, :]
    for r_pos, r in enumerate(free):
        bad = blocked.get(r)
        if bad:
            for c_pos, c in enumerate(cand):
                if ov.group(state.ids[c]) in bad:
                    raw[r_pos, c_pos] = -np.inf
    clipped = np.clip(raw, 0.0, 100.0)
    np.maximum.at(best, free, np.where(np.isfinite(raw), clipped, 0.0).max(axis=1))
    numbers = numbers_differ([*sub.activity], [*ctexts.activity])
    out: dict[int, dict] = {}
    weight = np.where((clipped >= cfg.review) & ~numbers, raw, 0.0)
    sure: dict[int, int] = {}
    for r, c in zip(*linear_sum_assignment(weight, maximize=True), strict=True):
        if weight[r, c] > 0 and clipped[r, c] >= cfg.accept:
            sure[int(r)] = int(c)
            out[free[int(r)]] = {
                "cand": cand[int(c)],
                "score": float(clipped[r, c]),
                "probability": None,
                "evidence": None,
                "alternatives": [],
            }
    rest_rows = [r for r in range(len(free)) if r not in sure]
    taken = set(sure.values())
    rest_cands = [c for c in range(len(cand)) if c not in taken]
    if not rest_rows:
        return out
    if not rest_cands:
        for r in rest_rows:
            out[free[r]] = {
                "cand": None,
                "score": None,
                "probability": None,
                "evidence": None,
                "alternatives": [],
            }
        return out
    ix = np.ix_(rest_rows, rest_cands)
    rsub, csub = sub.take(rest_rows), ctexts.take(rest_cands)
    feats = _features(rsub, csub, text[ix], goal[ix], unit[ix], gaps[rest_cands])
    prob = probability(feats)
    raw2, clipped2 = raw[ix], clipped[ix]
    prob[~np.isfinite(raw2)] = 0.0
    chosen: dict[int, int] = {}
    # numbers or named groups that differ are strong evidence against: such a pair is never
    # linked here, only offered in the review queue
    conflict = (feats["numbers_differ"] > 0) | (feats["groups_differ"] > 0)
    ok = (clipped2 >= cfg.review) & ~conflict
    weight = np.where(ok, raw2, 0.0)
    for r, c in zip(*linear_sum_assignment(weight, maximize=True), strict=True):
        if weight[r, c] > 0:
            chosen[int(r)] = int(c)
    # residual round: vanished × appeared, within the unit or the goal area
    left_r = [r for r in range(len(rest_rows)) if r not in chosen]
    used = set(chosen.values())
    left_c = [c for c in range(len(rest_cands)) if c not in used]
    if left_r and left_c:
        p = prob[np.ix_(left_r, left_c)]
        near = (feats["unit"][np.ix_(left_r, left_c)] > 0) | (
            feats["goal_area"][np.ix_(left_r, left_c)] > 0
        )
        w = np.where(
            near & ~conflict[np.ix_(left_r, left_c)] & (p >= cfg.residual_probability), p, 0.0
        )
        for r, c in zip(*linear_sum_assignment(w, maximize=True), strict=True):
            if w[r, c] > 0:
                chosen[left_r[int(r)]] = left_c[int(c)]
    k = cfg.alternatives
    for r_pos, r_sub in enumerate(rest_rows):
        c = chosen.get(r_pos)
        p_link = float(prob[r_pos, c]) if c is not None else None
        d = {
            "cand": cand[rest_cands[c]] if c is not None else None,
            "score": float(clipped2[r_pos, c]) if c is not None else None,
            "probability": p_link,
            "evidence": None,
            "alternatives": [],
        }
        out[free[r_sub]] = d
        exact = c is not None and rsub.norm[r_pos] == csub.norm[c]
        if exact or (p_link is not None and p_link >= cfg.accept_probability):
            continue  # automatic: no one needs to look at its alternatives
        # a flagged link or a new row: its other candidates and the evidence, for the review
        order = np.argsort(-prob[r_pos], kind="stable")[: k + 1]
        alts = [
            (int(j), float(prob[r_pos, j]))
            for j in order
            if j != c and prob[r_pos, j] >= cfg.candidate_probability
        ][:k]
        d["alternatives"] = [(cand[rest_cands[j]], p) for j, p in alts]
        shown = c if c is not None else (alts[0][0] if alts else None)
        if shown is not None:
            d["probability"] = float(prob[r_pos, shown])
            d["evidence"] = _evidence_text(
                feats, r_pos, shown, rsub.activity[r_pos], csub.activity[shown]
            )
    return out


def _link_unique_exact(rows, free, state, t, taken, blocked, ov, out_id, out_from) -> None:
    """Link rows whose normalised text occurs exactly once in this report and once among the
    previous period's activities. Such a pair is certain, and linking it before scoring keeps the
    score matrices small (most rows of a lightly edited report are exact)."""
    prev: dict[str, list[int]] = {}
    for i, last in enumerate(state.last):
        if last == t - 1 and i not in taken:
            prev.setdefault(state.norm(i), []).append(i)
    cur: dict[str, list[int]] = {}
    for r in free:
        cur.setdefault(rows.norm[r], []).append(r)
    for text, rs in cur.items():
        cs = prev.get(text)
        if not text or len(rs) != 1 or not cs or len(cs) != 1:
            continue
        r, c = rs[0], cs[0]
        if ov.group(state.ids[c]) in blocked.get(r, ()):
            continue
        out_id[r] = state.ids[c]
        out_from[r] = state.periods[t - 1]
        taken.add(c)


def _link_period(
    org: str,
    period: str,
    frame: pl.DataFrame,
    state: _OrgState,
    ov: _Overrides,
    cfg: LinkingConfig,
    codes: dict[str, int],
) -> dict[str, list]:
    """Link one org-period's rows (sorted by source_row) to the state; update the state.
    Returns the links as columns (see ``_links_frame``)."""
    t = len(state.periods)
    state.periods.append(period)
    src = frame.get_column("source_row").to_list()
    act = frame.get_column("activity").to_list()
    goal = frame.get_column("goal_area").to_list()
    unit = frame.get_column("unit").to_list()
    com = frame.get_column("comment").to_list()
    n = len(src)
    out_id: list[str | None] = [None] * n
    out_from: list[str | None] = [None] * n
    out_score: list[float | None] = [None] * n
    out_method: list[str] = ["new"] * n
    out_review = [False] * n
    out_prob: list[float | None] = [None] * n
    out_evidence: list[str | None] = [None] * n
    out_alt_ids: list[list[str]] = [[] for _ in range(n)]
    out_alt_p: list[list[float]] = [[] for _ in range(n)]
    taken: set[int] = set()

    # Confirm overrides first: they win over any score.
    for r in range(n):
        target = ov.confirm.get((period, src[r]))
        if target is None:
            continue
        c = state.index.get(target)
        if c is None:  # maybe the id survives under a merged alias
            group = ov.group(target)
            alias = [i for i, a in enumerate(state.ids) if ov.group(a) == group]
            c = max(alias, key=lambda i: state.last[i]) if alias else None
        if c is not None and c in taken:
            raise FollowupError(
                f"overrides for {org}: two rows of {period} are confirmed onto {target}"
            )
        out_id[r] = state.ids[c] if c is not None else target
        out_from[r] = state.periods[state.last[c]] if c is not None else None
        out_method[r] = "override"
        if c is not None:
            taken.add(c)

    row_parts = [_parts(*values) for values in zip(act, goal, unit, com, strict=True)]
    rows = _Texts.from_parts(row_parts, codes)
    free = [r for r in range(n) if out_id[r] is None]
    blocked = {r: {ov.group(a) for a in ov.reject.get((period, src[r]), ())} for r in free}
    best = np.full(n, -1.0)
    if t >= 1 and free:
        _link_unique_exact(rows, free, state, t, taken, blocked, ov, out_id, out_from)
        for r in free:
            if out_id[r] is not None:
                out_score[r], out_method[r], best[r] = 100.0, "exact", 100.0
                out_prob[r] = 1.0
        free = [r for r in free if out_id[r] is None]
    # Candidates: activities last seen in the look-back window (previous period included).
    lo = t - 1 - cfg.lookback_periods
    cand = [i for i, last in enumerate(state.last) if lo <= last <= t - 1 and i not in taken]
    if free and cand:
        ctexts = _Texts.from_parts([state.parts_of(i) for i in cand], codes)
        _apply_unit_renames(rows, ctexts, state, out_id, t, codes)
        gaps = np.array([(t - 1 - state.last[i]) for i in cand], dtype=np.float64)
        decided = _decide(rows, free, state, cand, ctexts, gaps, blocked, ov, cfg, best)
        for r, d in decided.items():
            c = d.get("cand")
            if c is not None:
                exact = rows.norm[r] == state.norm(c)
                out_id[r] = state.ids[c]
                out_from[r] = state.periods[state.last[c]]
                out_score[r] = 100.0 if exact else round(d["score"], 2)
                out_method[r] = "exact" if exact else "fuzzy"
                p = d["probability"]  # None: the text decided (score >= accept)
                out_review[r] = (not exact) and p is not None and p < cfg.accept_probability
                taken.add(c)
            elif d["alternatives"]:
                out_review[r] = True
            out_prob[r] = d["probability"]
            out_evidence[r] = d["evidence"]
            out_alt_ids[r] = [state.ids[c] for c, _ in d["alternatives"]]
            out_alt_p[r] = [round(p, 4) for _, p in d["alternatives"]]
        free = [r for r in free if out_id[r] is None]

    for r in free:
        out_id[r] = f"{org}:{period}:{src[r]:03d}"
        out_score[r] = round(float(best[r]), 2) if best[r] >= 0 else None
        if out_id[r] in state.index and state.last[state.index[out_id[r]]] == t:
            raise FollowupError(f"activity id {out_id[r]} used twice in {period}")
    seen: set[str] = set()
    for r in range(n):
        if out_id[r] in seen:
            raise FollowupError(
                f"{org} {period}: two rows got activity id {out_id[r]}; check the overrides"
            )
        seen.add(out_id[r])
        state.upsert(out_id[r], t, act[r], goal[r], unit[r], com[r], row_parts[r])
    return {
        "org": [org] * n,
        "period": [period] * n,
        "source_row": src,
        "activity_id": out_id,
        "matched_from_period": out_from,
        "score": out_score,
        "method": out_method,
        "needs_review": out_review,
        "probability": out_prob,
        "evidence": out_evidence,
        "alternative_ids": out_alt_ids,
        "alternative_probabilities": out_alt_p,
    }


def _links_frame(columns: list[dict[str, list]]) -> pl.DataFrame:
    """One links frame from ``_link_period`` outputs (one frame, not one per org-period)."""
    merged: dict[str, list] = {name: [] for name in LINK_SCHEMA}
    for part in columns:
        for name, values in part.items():
            merged[name].extend(values)
    lists = {name: merged.pop(name) for name in ("alternative_ids", "alternative_probabilities")}
    frame = pl.DataFrame(merged, schema={k: v for k, v in LINK_SCHEMA.items() if k in merged})
    return frame.with_columns(
        _list_series(name, values, LINK_SCHEMA[name]) for name, values in lists.items()
    ).select(list(LINK_SCHEMA))


def _list_series(name: str, values: list[list], dtype: pl.DataType) -> pl.Series:
    """A list column from Python lists, through Arrow offsets (polars builds one Series per
    element otherwise: seconds for a national history)."""
    import pyarrow as pa

    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum([len(v) for v in values], out=offsets[1:])
    flat = [x for v in values for x in v]
    inner = pa.string() if dtype.inner == pl.String() else pa.float64()
    arr = pa.LargeListArray.from_arrays(pa.array(offsets), pa.array(flat, type=inner))
    return pl.Series(name, arr).cast(dtype)


# --------------------------------------------------------------------------- public API


def _check_input(snapshots: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in REQUIRED_INPUT if c not in snapshots.columns]
    if missing:
        raise FollowupError(f"snapshots lack column(s) {', '.join(missing)} needed for linking")
    df = snapshots
    for c in ("goal_area", "unit", "comment"):
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    for c in REQUIRED_INPUT:
        if df.get_column(c).null_count():
            raise FollowupError(
                f"snapshots have rows without {c}; every row needs one to be linked"
            )
    dup = df.group_by("org", "period", "source_row").len().filter(pl.col("len") > 1)
    if not dup.is_empty():
        r = dup.row(0, named=True)
        raise FollowupError(
            f"{r['org']} {r['period']}: source_row {r['source_row']} appears {r['len']} times; "
            "each report row must have its own source_row"
        )
    bad = [p for p in df.get_column("period").unique().to_list() if not is_period(p)]
    if bad:
        raise FollowupError(f"not a period label: {bad[0]!r} (use e.g. 2022-Q2)")
    return df


def _sorted_periods(periods) -> list[str]:
    return sorted(set(periods), key=period_sort_key)


def _with_sort_key(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` + ``_prank``, the period's position in ``period_sort_key`` order."""
    periods = _sorted_periods(df.get_column("period").unique().to_list())
    rank = {p: i for i, p in enumerate(periods)}
    return df.with_columns(
        pl.col("period").replace_strict(rank, default=None, return_dtype=pl.Int64).alias("_prank")
    )


def _finish(links: pl.DataFrame, snapshots: pl.DataFrame, overrides) -> LinkResult:
    links = _apply_merges(links, overrides)
    snaps = snapshots.drop("activity_id", strict=False).join(
        links.select("org", "period", "source_row", "activity_id"),
        on=["org", "period", "source_row"],
        how="left",
    )
    snaps = _with_sort_key(snaps).sort("org", "_prank", "source_row").drop("_prank")
    links = _with_sort_key(links).sort("org", "_prank", "source_row").drop("_prank")
    return LinkResult(
        links=links.select(list(LINK_SCHEMA)),
        activities=activities_table(snaps),
        snapshots_with_ids=snaps,
    )


def _apply_merges(links: pl.DataFrame, overrides: pl.DataFrame | None) -> pl.DataFrame:
    if overrides is None or overrides.is_empty():
        return links
    merges = overrides.filter(pl.col("action") == "merge")
    if merges.is_empty():
        return links
    links = _with_sort_key(links)
    merge_ids = pl.concat(
        [merges.get_column("activity_id"), merges.get_column("other_activity_id")]
    )
    first = (
        links.filter(pl.col("activity_id").is_in(merge_ids.implode()))
        .group_by("org", "activity_id")
        .agg(pl.col("_prank").min().alias("_first"))
    )
    first_of = {(o, a): f for o, a, f in first.iter_rows()}
    mapping: dict[tuple[str, str], str] = {}
    for org in merges.get_column("org").unique().to_list():
        ov = _Overrides(merges, org)
        groups: dict[str, list[str]] = {}
        for a in ov.rep:
            groups.setdefault(ov.rep[a], []).append(a)
        for members in groups.values():
            present = [m for m in members if (org, m) in first_of]
            if not present:
                continue
            keep = min(present, key=lambda m: (first_of[(org, m)], m))
            for m in members:
                if m != keep:
                    mapping[(org, m)] = keep
    if not mapping:
        return links.drop("_prank")
    mp = pl.DataFrame(
        {
            "org": [k[0] for k in mapping],
            "activity_id": [k[1] for k in mapping],
            "_to": list(mapping.values()),
        }
    )
    links = links.join(mp, on=["org", "activity_id"], how="left").with_columns(
        (pl.col("_to").is_not_null()).alias("_merged"),
        pl.coalesce("_to", "activity_id").alias("activity_id"),
    )
    clash = links.group_by("org", "period", "activity_id").len().filter(pl.col("len") > 1)
    if not clash.is_empty():
        r = clash.row(0, named=True)
        raise FollowupError(
            f"merge override for {r['org']}: merged ids of {r['activity_id']} both appear in "
            f"{r['period']}; a merge must join activities that never appear in the same report"
        )
    links = links.sort("org", "activity_id", "_prank").with_columns(
        pl.col("period").shift(1).over("org", "activity_id").alias("_prev")
    )
    first_row = pl.col("_prev").is_null()
    links = links.with_columns(
        pl.when(pl.col("_merged") & (pl.col("method") == "new") & ~first_row)
        .then(pl.lit("override"))
        .otherwise(pl.col("method"))
        .alias("method"),
    ).with_columns(
        pl.when(pl.col("method") == "override")
        .then(pl.coalesce("matched_from_period", "_prev"))
        .otherwise(pl.col("matched_from_period"))
        .alias("matched_from_period"),
        pl.when(pl.col("method") == "override")
        .then(False)
        .otherwise(pl.col("needs_review"))
        .alias("needs_review"),
    )
    return links.drop("_to", "_merged", "_prev", "_prank")


def activities_table(snapshots_with_ids: pl.DataFrame) -> pl.DataFrame:
    """One row per activity: its latest text, goal area and unit, first/last period, count."""
    df = _with_sort_key(snapshots_with_ids).sort("org", "activity_id", "_prank", "source_row")
    out = df.group_by("org", "activity_id", maintain_order=True).agg(
        pl.col("activity").last().alias("canonical_text"),
        pl.col("goal_area").last(),
        pl.col("unit").last(),
        pl.col("period").first().alias("first_period"),
        pl.col("period").last().alias("last_period"),
        pl.col("period").n_unique().cast(pl.Int64).alias("periods_seen"),
    )
    return out.select(list(ACTIVITY_SCHEMA)).cast(ACTIVITY_SCHEMA)


def link_history(
    snapshots: pl.DataFrame,
    overrides: pl.DataFrame | None = None,
    config: LinkingConfig | None = None,
) -> LinkResult:
    """Link every org's periods from scratch (see module docstring)."""
    cfg = config or load_config()
    df = _check_input(snapshots)
    parts = []
    columns = ["org", "period", "source_row", "activity", "goal_area", "unit", "comment"]
    ordered = df.select(columns).sort("org", "period", "source_row")  # one sort, not one per period
    for (org,), org_df in sorted(ordered.partition_by("org", as_dict=True).items()):
        state = _OrgState()
        ov = _Overrides(overrides, org)
        codes: dict[str, int] = {}
        by_period = org_df.partition_by("period", as_dict=True, maintain_order=True)
        for period in _sorted_periods(k[0] for k in by_period):
            frame = by_period[(period,)]
            parts.append(_link_period(org, period, frame, state, ov, cfg, codes))
    return _finish(_links_frame(parts), df, overrides)


def _state_from(history: pl.DataFrame) -> dict[str, _OrgState]:
    """Rebuild each org's linker state (latest appearance per activity) from linked snapshots."""
    columns = ["org", "activity_id", "period", "activity", "goal_area", "unit", "comment"]
    df = _with_sort_key(history.select(*columns, "source_row"))
    # each activity's latest row, in activity_id order within the org (the order ids were seen);
    # found by a group-by and a join, then only those rows are sorted (not the whole history)
    latest = df.group_by("org", "activity_id").agg(pl.col("_prank").max())
    last = (
        df.join(latest, on=["org", "activity_id", "_prank"], how="semi")
        .sort("org", "activity_id", "source_row")
        .unique(subset=["org", "activity_id"], keep="last", maintain_order=True)
    )
    org_periods = df.select("org", "period", "_prank").unique().sort("org", "_prank")
    periods_of = {
        org: part.get_column("period").to_list()
        for (org,), part in org_periods.partition_by("org", as_dict=True).items()
    }
    states: dict[str, _OrgState] = {}
    for (org,), org_last in last.partition_by("org", as_dict=True).items():
        periods = periods_of[org]
        pidx = {p: i for i, p in enumerate(periods)}
        st = _OrgState(periods=periods)
        for aid, period, activity, goal, unit, comment in org_last.select(columns[1:]).iter_rows():
            st.upsert(aid, pidx[period], activity, goal, unit, comment)
        states[org] = st
    return states


def link_period(
    history: LinkResult,
    new_snapshots: pl.DataFrame,
    overrides: pl.DataFrame | None = None,
    config: LinkingConfig | None = None,
) -> LinkResult:
    """Add new period(s) to an already linked history, costing about one period's work per org.

    Every new period must come after the org's latest linked period (otherwise re-run
    ``link_history``). Gives the same ids as ``link_history`` on the whole input, except where a
    ``merge`` override changed which text an activity was last seen with.
    """
    cfg = config or load_config()
    new = _check_input(new_snapshots)
    old = history.snapshots_with_ids
    states = _state_from(old) if not old.is_empty() else {}
    parts = []
    for (org,), org_df in sorted(new.partition_by("org", as_dict=True).items()):
        state = states.get(org, _OrgState())
        by_period = org_df.partition_by("period", as_dict=True)
        periods = _sorted_periods(k[0] for k in by_period)
        if state.periods and period_sort_key(periods[0]) <= period_sort_key(state.periods[-1]):
            raise FollowupError(
                f"{org}: period {periods[0]} is not after the latest linked period "
                f"{state.periods[-1]}; relink the whole history with link_history"
            )
        ov = _Overrides(overrides, org)
        codes: dict[str, int] = {}
        for period in periods:
            frame = by_period[(period,)].sort("source_row")
            parts.append(_link_period(org, period, frame, state, ov, cfg, codes))
    new_links = _links_frame(parts)
    links = pl.concat([history.links.select(list(LINK_SCHEMA)).cast(LINK_SCHEMA), new_links])
    if _has_merges(overrides) or "activity_id" not in old.columns:
        # a merge can rename ids of earlier rows: join every row with its link again
        base = old.drop("activity_id", strict=False)
        combined = pl.concat([base, new.drop("activity_id", strict=False)], how="diagonal_relaxed")
        return _finish(links, combined, overrides)
    # without merges the earlier rows keep their ids: only the new rows need joining
    ids = new_links.select("org", "period", "source_row", "activity_id")
    added = new.drop("activity_id", strict=False).join(
        ids, on=["org", "period", "source_row"], how="left"
    )
    rank = _period_rank(old, new, history.links)
    snaps = _append_in_order(old, added, rank)
    snaps = snaps.select(pl.exclude("activity_id"), "activity_id")  # as _finish has it
    links = _append_in_order(history.links.select(list(LINK_SCHEMA)), new_links, rank)
    return LinkResult(
        links=links.cast(LINK_SCHEMA),
        activities=_extend_activities(history.activities, added, snaps),
        snapshots_with_ids=snaps,
    )


# The history a period is added to is already in (org, period order, source_row) order and the
# new periods come after each org's old ones, so the result needs no sort over the whole history:
# a stable sort by org alone keeps each org's old rows, then its new rows. Checking the order is
# one linear pass; an input in another order (e.g. periods sorted as strings, "2022-FY" before
# "2022-Q3") is sorted in full as before.


def _period_rank(*frames: pl.DataFrame) -> dict[str, int]:
    periods = pl.concat([f.get_column("period").unique() for f in frames])
    return {p: i for i, p in enumerate(_sorted_periods(periods.to_list()))}


def _prank(rank: dict[str, int]) -> pl.Expr:
    return pl.col("period").replace_strict(rank, default=None, return_dtype=pl.Int64)


def _in_link_order(frame: pl.DataFrame, rank: dict[str, int]) -> bool:
    """Whether ``frame`` is strictly ordered by org, period (``rank``), source_row."""
    if frame.height < 2:
        return True
    org, prank, row = pl.col("org"), _prank(rank), pl.col("source_row")
    later = (org > org.shift(1)) | (
        (org == org.shift(1))
        & ((prank > prank.shift(1)) | ((prank == prank.shift(1)) & (row > row.shift(1))))
    )
    return bool(frame.select(later.slice(1).all(ignore_nulls=False)).item())


def _append_in_order(old: pl.DataFrame, new: pl.DataFrame, rank: dict[str, int]) -> pl.DataFrame:
    """``old`` + ``new`` ordered by org, period order, source_row (see the note above)."""
    new = new.with_columns(_prank(rank).alias("_prank")).sort("org", "_prank", "source_row")
    new = new.drop("_prank")
    frame = pl.concat([old, new], how="diagonal_relaxed")
    if _in_link_order(old, rank):
        return frame.sort("org", maintain_order=True)
    return (
        frame.with_columns(_prank(rank).alias("_prank"))
        .sort("org", "_prank", "source_row")
        .drop("_prank")
    )


def _extend_activities(
    activities: pl.DataFrame, added: pl.DataFrame, snaps: pl.DataFrame
) -> pl.DataFrame:
    """``activities_table(snaps)`` from the earlier periods' table and the rows of the new ones:
    an activity seen again takes its latest text and last period from the new rows and counts
    the new periods; the rest is unchanged. Falls back to the full table when ``activities``
    is not in the order ``activities_table`` gives."""
    if list(activities.columns) != list(ACTIVITY_SCHEMA) or not _sorted_by_id(activities):
        return activities_table(snaps)
    fresh = activities_table(added)
    joined = activities.join(
        fresh, on=["org", "activity_id"], how="full", coalesce=True, suffix="_new"
    )
    seen = pl.col("periods_seen_new").is_not_null()
    out = joined.select(
        "org",
        "activity_id",
        *(
            pl.when(seen).then(pl.col(f"{c}_new")).otherwise(pl.col(c)).alias(c)
            for c in ("canonical_text", "goal_area", "unit")
        ),
        pl.coalesce("first_period", "first_period_new").alias("first_period"),
        pl.coalesce("last_period_new", "last_period").alias("last_period"),
        (pl.col("periods_seen").fill_null(0) + pl.col("periods_seen_new").fill_null(0)).alias(
            "periods_seen"
        ),
    )
    return out.sort("org", "activity_id").cast(ACTIVITY_SCHEMA)


def _sorted_by_id(activities: pl.DataFrame) -> bool:
    if activities.height < 2:
        return True
    org, aid = pl.col("org"), pl.col("activity_id")
    later = (org > org.shift(1)) | ((org == org.shift(1)) & (aid > aid.shift(1)))
    return bool(activities.select(later.slice(1).all(ignore_nulls=False)).item())


def _has_merges(overrides: pl.DataFrame | None) -> bool:
    return overrides is not None and not overrides.filter(pl.col("action") == "merge").is_empty()


# --------------------------------------------------------------------------- review


def review_candidates(
    links: pl.DataFrame,
    snapshots: pl.DataFrame,
    n: int = 3,
    config: LinkingConfig | None = None,
) -> pl.DataFrame:
    """For each link with ``needs_review``, the row's text and its ``n`` best candidates.

    ``snapshots`` are the linked snapshots (``snapshots_with_ids``). A candidate is any activity
    of the same org seen in the look-back window before the row's period, compared with its
    latest text before that period, scored as the linker scores it (gap penalty included) and
    ranked by the model's probability (``candidate_probability``, with its ``evidence``); whole
    unit renames are not re-detected here. One output row per (review row, candidate), best
    first; ``is_current`` marks the candidate the row is linked to now.
    """
    cfg = config or load_config()
    schema = {
        "org": pl.String,
        "period": pl.String,
        "source_row": pl.Int64,
        "activity": pl.String,
        "linked_activity_id": pl.String,
        "link_score": pl.Float64,
        "rank": pl.Int64,
        "candidate_activity_id": pl.String,
        "candidate_period": pl.String,
        "candidate_text": pl.String,
        "candidate_score": pl.Float64,
        "candidate_probability": pl.Float64,
        "evidence": pl.String,
        "is_current": pl.Boolean,
    }
    todo = links.filter(pl.col("needs_review"))
    out: list[dict] = []
    if todo.is_empty():
        return pl.DataFrame(out, schema=schema)
    snaps = _with_sort_key(
        snapshots.filter(pl.col("org").is_in(todo.get_column("org").unique().implode()))
    )
    by_org = snaps.partition_by("org", as_dict=True)
    # One score matrix per org-period: the period's flagged rows × the candidates before it.
    for (org, period), flagged in sorted(
        todo.partition_by("org", "period", as_dict=True).items(),
        key=lambda kv: (kv[0][0], period_sort_key(kv[0][1])),
    ):
        org_rows = by_org[(org,)]
        periods = _sorted_periods(org_rows.get_column("period").to_list())
        pidx = {p: i for i, p in enumerate(periods)}
        t = pidx[period]
        window = periods[max(0, t - 1 - cfg.lookback_periods) : t]
        rows = flagged.sort("source_row").join(
            org_rows.filter(pl.col("period") == period).select(
                "source_row", "activity", "goal_area", "unit", "comment"
            ),
            on="source_row",
        )
        cands = (
            org_rows.filter(pl.col("period").is_in(window))
            .sort("activity_id", "_prank", "source_row")
            .group_by("activity_id", maintain_order=True)
            .last()
        )
        if rows.is_empty() or cands.is_empty():
            continue
        codes: dict[str, int] = {}
        cols = ("activity", "goal_area", "unit", "comment")
        rt = _Texts.build(*(rows.get_column(c).to_list() for c in cols), codes)
        ct = _Texts.build(*(cands.get_column(c).to_list() for c in cols), codes)
        gaps = np.array([t - 1 - pidx[p] for p in cands.get_column("period").to_list()], float)
        text, raw, goal, unit = _scores(rt, ct, cfg)
        scores = np.clip(raw - cfg.gap_penalty * gaps[None, :], 0, 100)
        feats = _features(rt, ct, text, goal, unit, gaps)
        prob = probability(feats)
        cand_list = cands.select("activity_id", "period", "activity").rows()
        for i, r in enumerate(rows.iter_rows(named=True)):
            order = np.argsort(-prob[i], kind="stable")[:n]
            for rank, c in enumerate(order, start=1):
                cand_id, cand_period, cand_text = cand_list[int(c)]
                out.append(
                    {
                        "org": org,
                        "period": period,
                        "source_row": r["source_row"],
                        "activity": r["activity"],
                        "linked_activity_id": r["activity_id"],
                        "link_score": r["score"],
                        "rank": rank,
                        "candidate_activity_id": cand_id,
                        "candidate_period": cand_period,
                        "candidate_text": cand_text,
                        "candidate_score": round(float(scores[i, c]), 2),
                        "candidate_probability": round(float(prob[i, c]), 4),
                        "evidence": _evidence_text(feats, i, c, r["activity"], cand_text),
                        "is_current": cand_id == r["activity_id"],
                    }
                )
    return pl.DataFrame(out, schema=schema)
