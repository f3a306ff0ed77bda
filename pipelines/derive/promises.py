"""Time promises in comments ("planerat till hösten", "aug–nov 2022") and whether they were kept.

Extraction (:func:`extract_promises`). The comment is folded (:mod:`pipelines.core.textfold`: lower
case, å/ä→a, ö→o), so OCR text without diacritics ("hosten", "varen") matches the same patterns.
Recognised expressions and the date they promise — always the END of the named interval —
with its granularity:

- ``2022-10-01``; ``den 14 juni 2022``, ``14 juni`` → that day (day)
- ``vecka 40`` (``2022``) → the Sunday of that ISO week (day: the contract has no week)
- ``i oktober``, ``oktober 2022``, ``till okt`` → last day of the month (month)
- ``aug–nov 2022``, ``aug-nov 2022`` → last day of the last month (month)
- ``(under|till|för|…) hösten (2022)``, ``våren 2023`` → end of the season: våren 31 May,
  sommaren 31 Aug, hösten 30 Nov, vintern end of Feb of the following year (season)
- ``efter sommaren`` (``efter`` any season) → last day of the month after the season
  (efter sommaren → 30 Sep); ``i början av hösten`` → end of the season's first month (season)
- ``Q4``, ``kvartal 4``, ``fjärde kvartalet`` (``2022``) → end of the quarter (season: a
  three-month span)
- ``första halvåret``, ``andra halvåret`` (``2023``) → 30 Jun / 31 Dec (half)
- ``under|till|senast|i slutet av 2023`` → 31 Dec 2023; ``innan|före 2023`` → 31 Dec 2022 (year)
- ``till årsskiftet``, ``i slutet av året``, ``vid årets slut`` → 31 Dec of the report year (year)

"Under året", "i år" and a bare year ("2023 målet") are not promises.

Without a year, the expression means its next occurrence: this year's if its end is on or after
the report date, else next year's ("i oktober" in a July report → 31 Oct the same year, in a
November report → 31 Oct next year).

Future promise or past fact. The comment is cut into clauses at . ; ! ? , : followed by a space. A
clause with a future marker (planerat, planeras, kommer att, ska, intensifieras, fortsätter,
börjar, tas upp, …) is about the future; otherwise a clause with a past-tense marker (antogs,
genomfördes, fattades, presenterades, "har … -ts", …) states a past fact and yields no promise
("antogs på regionfullmäktige den 14 juni 2022", "presenterades i maj"). Then only dates strictly
after the report date are promises. One activity row gives one promise per distinct promised_by
(the first expression that names it).

How: polars regexes split the comments into clauses, drop past-tense clauses and extract the
expressions from the original text (patterns are written folded and widened to å/ä/ö, any case,
any whitespace); only the distinct (expression, report date) pairs are resolved in Python.
Columns: org, activity_id, period, report_date, expression (the matched text as written),
promised_by, granularity.

Evaluation (:func:`evaluate_promises`). Each promise is checked against the same activity's
later reports, in the org's period order; the first later report that decides it sets the outcome
and ``checked_in_period``:

- ``kept``: the report shows the activity completed (``completed`` True). A completion reported
  after the promised date still counts as kept, unless an earlier report past the date had shown
  it unfinished (that report decided first: slipped).
- ``slipped``: the report is dated after promised_by and the activity is not completed.
  days_slipped = the new promised date − the old one when that report promises a later date,
  else that report's date − promised_by.
- ``moved``: the report is dated on/before promised_by and promises a later date for the
  activity; days_slipped = new promised_by − old promised_by.
- ``open``: no later report decides it yet (none yet, all before the date without a new promise,
  or the activity is no longer reported). checked_in_period and days_slipped are null.

days_slipped is null for kept and open. ``completed`` comes from the snapshots (run
:func:`pipelines.derive.status_inference.infer_status` first); without the column nothing is kept.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache

import polars as pl

from pipelines.core.errors import FollowupError
from pipelines.core.textfold import fold, fold_expr
from pipelines.derive.history import order_periods

PROMISE_COLUMNS = {
    "org": pl.String,
    "activity_id": pl.String,
    "period": pl.String,
    "report_date": pl.Date,
    "expression": pl.String,
    "promised_by": pl.Date,
    "granularity": pl.String,
}
EVALUATED_COLUMNS = PROMISE_COLUMNS | {
    "outcome": pl.String,
    "checked_in_period": pl.String,
    "days_slipped": pl.Int64,
}

_MONTHS_FULL = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
# "jul" is left out on purpose: it is Christmas ("till jul").
_MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "aug": 8, "sep": 9, "sept": 9}
_MONTH_ABBR |= {"okt": 10, "nov": 11, "dec": 12}
MONTHS = {name: i + 1 for i, name in enumerate(_MONTHS_FULL)} | _MONTH_ABBR
_MONTH = "(?:(?:" + "|".join(sorted(_MONTHS_FULL, key=len, reverse=True)) + r")\b"
_MONTH += "|(?:" + "|".join(sorted(_MONTH_ABBR, key=len, reverse=True)) + r")(?:\.|\b))"
_YEAR = r"20\d\d"
_PREP = r"(?:i|till|under|efter|senast|innan|fore|fran|per|med start i|i slutet av|i borjan av)"
_SEASON_FULL = r"(?:varen|sommaren|hosten|vintern)"
_SEASON_SHORT = r"(?:var|sommar|host|vinter)"
_SEASON_END = {"var": 5, "som": 8, "hos": 11, "vin": 2}  # month the season ends (vinter: next year)

_PATTERNS = [
    ("iso", rf"\b(?P<iso_y>{_YEAR})-(?P<iso_m>\d{{1,2}})-(?P<iso_d>\d{{1,2}})\b"),
    (
        "day",
        rf"\b(?:den\s+)?(?P<day_d>[0-3]?\d)(?::e|:a)?\s+(?P<day_m>{_MONTH})"
        rf"(?:\s+(?P<day_y>{_YEAR})\b)?",
    ),
    (
        "range",
        rf"\b(?P<rng_a>{_MONTH})\s*[-–—]\s*(?P<rng_b>{_MONTH})(?:\s+(?P<rng_y>{_YEAR})\b)?",
    ),
    ("month_y", rf"\b(?:{_PREP}\s+)?(?P<my_m>{_MONTH})\s+(?P<my_y>{_YEAR})\b"),
    ("month", rf"\b{_PREP}\s+(?P<mo_m>{_MONTH})"),
    (
        "season",
        r"\b(?:(?P<se_p>efter|i borjan av|i slutet av|under|till|infor|fore|i|pa|for"
        r"|senast|innan)\s+)?"
        rf"(?:(?P<se_w>{_SEASON_FULL})(?:\s+(?P<se_y>{_YEAR}))?"
        rf"|(?P<se_w2>{_SEASON_SHORT})\s+(?P<se_y2>{_YEAR}))\b",
    ),
    ("half", rf"\b(?P<ha_w>forsta|andra)\s+halvaret(?:\s+(?P<ha_y>{_YEAR}))?\b"),
    (
        "quarter",
        rf"\b(?:q\s?|kvartal\s+)(?P<qu_n>[1-4])(?:\s+(?P<qu_y>{_YEAR}))?\b"
        rf"|\b(?P<qu_o>forsta|andra|tredje|fjarde)\s+kvartalet(?:\s+(?P<qu_y2>{_YEAR}))?\b",
    ),
    (
        "yearend",
        r"\b(?:(?:till|vid|fore|innan|infor|runt|kring)\s+(?:ars|nyars)skiftet"
        r"|(?:i\s+)?slutet\s+av\s+aret|(?:vid\s+)?arets\s+slut)\b",
    ),
    (
        "year",
        r"\b(?P<ye_p>under|till|senast|innan|fore|i slutet av|slutet av)\s+"
        rf"(?:ar\s+)?(?P<ye_y>{_YEAR})\b",
    ),
    ("week", rf"\bvecka\s+(?P<we_n>\d{{1,2}})(?:\s+(?P<we_y>{_YEAR}))?\b"),
]
# Python's re resolves each distinct matched expression (folded) through its named groups.
_MASTER = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _PATTERNS))
# polars finds the expressions in the ORIGINAL text (so `expression` is as written): the same
# patterns without group names, case-insensitive, with each folded letter standing for its
# unfolded forms and each space for any whitespace.
_UNFOLD = {"a": "[aåäàáâ]", "o": "[oöøô]", "e": "[eéèê]", "u": "[uü]", " ": r"\s+"}


def _unfolded(pattern: str) -> str:
    pattern = re.sub(r"\(\?P<\w+>", "(?:", pattern)
    return "".join(_UNFOLD.get(char, char) for char in pattern)


_FIND = "(?i)" + "|".join(f"(?:{_unfolded(pattern)})" for _, pattern in _PATTERNS)
_PREFILTER = (
    rf"\b{_YEAR}-\d|{_MONTH}|varen|sommar|hosten|vintern|\bvar\s+{_YEAR}|\bhost\s+{_YEAR}"
    r"|halvaret|\bq\s?[1-4]\b|kvartal|skiftet|slutet av|arets slut|vecka\s+\d"
    rf"|\b(?:under|till|senast|innan|fore)\s+(?:ar\s+)?{_YEAR}"
)
# A clause: text up to . ; ! ? , or : followed by whitespace ("T.ex", "2022-10-01" stay whole).
_CLAUSE = r"(?:[^.;!?,:]|[.;!?,:]\S)+"

_FUTURE = (
    r"\b(planera\w*|inplanera\w*|kommer att|kommer|ska|skall|avser|avses|blir|borjar"
    r"|intensifiera\w*|fortsatter|fortsatta|tas upp|beraknas|forvantas|siktar|siktet|mal(et)? ar"
    r"|ambitionen|framover|nasta steg|preliminart)\b"
)
_PAST = (
    r"\b(antogs|fattades|togs|gjordes|holls|\w+ades|\w+des|\w+tes|\w+ogs)\b"
    r"|\b(har|hade)\s+(\w+\s+){0,3}?\w+(ts|ats|its|tt)\b|\bvar\s+\w+(ad|at|ade)\b"
)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _resolve(kind: str, g: dict[str, str | None], report: dt.date) -> tuple[dt.date, str] | None:
    """The END date and granularity an expression promises, or None if it names no valid date."""

    def with_year(year: str | None, make):  # yearless: the next occurrence
        if year:
            return make(int(year))
        date = make(report.year)
        return date if date >= report else make(report.year + 1)

    if kind == "iso":
        return dt.date(int(g.get("iso_y")), int(g.get("iso_m")), int(g.get("iso_d"))), "day"
    if kind == "day":
        month = MONTHS[g.get("day_m").rstrip(".")]
        day = int(g.get("day_d"))
        return with_year(g.get("day_y"), lambda y: dt.date(y, month, day)), "day"
    if kind == "range":
        month = MONTHS[g.get("rng_b").rstrip(".")]
        return with_year(g.get("rng_y"), lambda y: _month_end(y, month)), "month"
    if kind in ("month_y", "month"):
        name, year = (g.get("my_m"), g.get("my_y")) if kind == "month_y" else (g.get("mo_m"), None)
        month = MONTHS[name.rstrip(".")]
        return with_year(year, lambda y: _month_end(y, month)), "month"
    if kind == "season":
        word, year = g.get("se_w"), g.get("se_y")
        if not word:
            word, year = g.get("se_w2"), g.get("se_y2")
        last = _SEASON_END[word[:3]]
        prep = g.get("se_p") or ""
        first = (last - 3) % 12 + 1  # the season's first month

        def season_end(y: int) -> dt.date:
            end_year = y + 1 if last == 2 else y  # vintern 2022 = Dec 2022 – Feb 2023
            if prep == "efter":
                month = last % 12 + 1
                return _month_end(end_year + (1 if month == 1 else 0), month)
            if prep == "i borjan av":
                return _month_end(y, first)
            return _month_end(end_year, last)

        return with_year(year, season_end), "season"
    if kind == "half":
        month = 6 if g.get("ha_w") == "forsta" else 12
        return with_year(g.get("ha_y"), lambda y: _month_end(y, month)), "half"
    if kind == "quarter":
        ordinal = {"forsta": 1, "andra": 2, "tredje": 3, "fjarde": 4}
        number = int(g.get("qu_n")) if g.get("qu_n") else ordinal[g.get("qu_o")]
        year = g.get("qu_y") or g.get("qu_y2")
        return with_year(year, lambda y: _month_end(y, 3 * number)), "season"
    if kind == "yearend":
        return dt.date(report.year, 12, 31), "year"
    if kind == "year":
        year = int(g.get("ye_y")) - (1 if g.get("ye_p") in ("innan", "fore") else 0)
        return dt.date(year, 12, 31), "year"
    if kind == "week":
        week = int(g.get("we_n"))
        return with_year(g.get("we_y"), lambda y: dt.date.fromisocalendar(y, week, 7)), "day"
    raise AssertionError(kind)


@lru_cache(maxsize=4096)
def _resolve_expression(expression: str, report_date: dt.date) -> tuple[dt.date, str] | None:
    match = _MASTER.match(fold(expression))
    if match is None:
        return None
    groups = {k: v for k, v in match.groupdict().items() if v is not None}
    try:
        return _resolve(match.lastgroup, groups, report_date)
    except ValueError:  # 31 februari, vecka 60: not a date
        return None


def _find_promises(rows: pl.DataFrame) -> pl.DataFrame:
    """rows: _row, report_date, comment → _row, _order, expression, promised_by, granularity.

    Vectorised: clauses and expressions are found with polars regexes; only the distinct
    (expression, report date) pairs are resolved in Python.
    """
    found = (
        rows.filter(fold_expr(pl.col("comment")).str.contains(_PREFILTER).fill_null(False))
        .select(
            "_row",
            "report_date",
            clause=pl.col("comment").str.normalize("NFC").str.extract_all(_CLAUSE),
        )
        .explode("clause")
        .with_columns(_folded=fold_expr(pl.col("clause")))
        .filter(pl.col("_folded").str.contains(_PREFILTER))
        # a past-tense clause without a future marker states a fact, not a promise
        .filter(pl.col("_folded").str.contains(_FUTURE) | ~pl.col("_folded").str.contains(_PAST))
        .select("_row", "report_date", expression=pl.col("clause").str.extract_all(_FIND))
        .explode("expression")
        .drop_nulls("expression")
        .with_columns(pl.col("expression").str.replace_all(r"\s+", " ").str.strip_chars())
        .with_row_index("_order")  # document order within each row survives the explodes
    )
    pairs = found.select("expression", "report_date").unique()
    resolved = [
        (expression, report_date, *(_resolve_expression(expression, report_date) or (None, None)))
        for expression, report_date in pairs.iter_rows()
    ]
    lookup = pl.DataFrame(
        resolved,
        schema={
            "expression": pl.String,
            "report_date": pl.Date,
            "promised_by": pl.Date,
            "granularity": pl.String,
        },
        orient="row",
    )
    return (
        found.join(lookup, on=["expression", "report_date"], how="left")
        .filter(pl.col("promised_by") > pl.col("report_date"))
        .sort("_order")
        .unique(["_row", "promised_by"], keep="first", maintain_order=True)
        .select("_row", "_order", "expression", "promised_by", "granularity")
    )


def promises_in(comment: str | None, report_date: dt.date) -> list[tuple[str, dt.date, str]]:
    """(expression, promised_by, granularity) of each promise in one comment (see module doc)."""
    one = pl.DataFrame(
        {"_row": [0], "report_date": [report_date], "comment": [comment]},
        schema={"_row": pl.UInt32, "report_date": pl.Date, "comment": pl.String},
    )
    found = _find_promises(one).select("expression", "promised_by", "granularity")
    return list(found.iter_rows())


def extract_promises(snapshots: pl.DataFrame) -> pl.DataFrame:
    """One row per promise made in a snapshot comment (rules in the module docstring)."""
    needed = ["org", "activity_id", "period", "report_date", "comment"]
    missing = [c for c in needed if c not in snapshots.columns]
    if missing:
        raise FollowupError(f"extract_promises needs snapshot column(s) {missing}")
    rows = snapshots.select(needed).with_row_index("_row")
    # each distinct (comment, report date) is parsed once: reports repeat their comments
    distinct = (
        rows.filter(pl.col("comment").is_not_null())
        .select("comment", "report_date")
        .unique()
        .with_row_index("_pair")
    )
    found = _find_promises(distinct.rename({"_pair": "_row"})).rename({"_row": "_pair"})
    return (
        rows.join(distinct, on=["comment", "report_date"], how="inner")
        .join(found, on="_pair", how="inner")
        .sort("org", "activity_id", "report_date", "period", "_row", "_order")
        .select(list(PROMISE_COLUMNS))
        .cast(PROMISE_COLUMNS)
    )


def evaluate_promises(snapshots: pl.DataFrame, promises: pl.DataFrame) -> pl.DataFrame:
    """The promises with outcome, checked_in_period and days_slipped (rules in the module doc)."""
    missing = [c for c in PROMISE_COLUMNS if c not in promises.columns]
    if missing:
        raise FollowupError(f"promises lack column(s) {missing}; pass extract_promises() output")
    promises = promises.select(list(PROMISE_COLUMNS)).cast(PROMISE_COLUMNS)
    if promises.height == 0:
        return pl.DataFrame(schema=EVALUATED_COLUMNS)
    acts, periods = order_periods(snapshots)
    keyed = promises.with_row_index("_pid").join(
        periods.select("org", "period", "_idx"), on=["org", "period"], how="left"
    )
    if keyed["_idx"].null_count():
        raise FollowupError("some promises name an org/period that is not in the snapshots")
    newest = promises.group_by("org", "activity_id", "period").agg(
        _new_by=pl.col("promised_by").max()
    )
    later = acts.select(
        "org",
        "activity_id",
        pl.col("period").alias("_later_period"),
        pl.col("report_date").alias("_later_date"),
        pl.col("completed").alias("_later_completed"),
        pl.col("_idx").alias("_later_idx"),
    ).join(
        newest.rename({"period": "_later_period"}),
        on=["org", "activity_id", "_later_period"],
        how="left",
    )
    by = pl.col("promised_by")
    moved_to = pl.when(pl.col("_new_by") > by).then(pl.col("_new_by"))
    decided = (
        keyed.join(later, on=["org", "activity_id"], how="inner")
        .filter(pl.col("_later_idx") > pl.col("_idx"))
        .filter(pl.col("_later_completed") | (pl.col("_later_date") > by) | moved_to.is_not_null())
        .sort("_pid", "_later_idx")
        .group_by("_pid", maintain_order=True)
        .first()
        .select(
            "_pid",
            outcome=pl.when(pl.col("_later_completed"))
            .then(pl.lit("kept"))
            .when(pl.col("_later_date") > by)
            .then(pl.lit("slipped"))
            .otherwise(pl.lit("moved")),
            checked_in_period=pl.col("_later_period"),
            days_slipped=pl.when(pl.col("_later_completed"))
            .then(pl.lit(None, dtype=pl.Int64))
            .when(moved_to.is_not_null())
            .then((moved_to - by).dt.total_days())
            .otherwise((pl.col("_later_date") - by).dt.total_days()),
        )
    )
    return (
        keyed.join(decided, on="_pid", how="left")
        .with_columns(pl.col("outcome").fill_null("open"))
        .sort("_pid")
        .select(list(EVALUATED_COLUMNS))
        .cast(EVALUATED_COLUMNS)
    )
