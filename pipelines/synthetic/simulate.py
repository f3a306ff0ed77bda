"""A simulator of follow-up report histories with known truth, for testing and tuning linking.

Everything here is SYNTHETIC: rows carry ``source_file = "synthetic_<org>_<period>.csv"`` and a
``true_id`` column (the activity each row really is). Deterministic: the same arguments and seed
give the same frame.

``simulate_history(start, n_periods, seed, intensity)`` takes a starting report (any canonical
frame: org, period, goal_area, activity, unit, status, comment, source_row) and writes the
following periods. Between two periods each activity's *true* text may be reworded (cumulative:
"Fortsatt" added or dropped, a verb or phrase swapped for a synonym, two clauses around
"samt"/"och" swapped, a filler word added, a filler word or article removed, and in ``heavy``
sometimes the leading verb replaced by a different one, "Ta fram" → "Implementera"); each
period's *printed* text then gets fresh OCR
noise (å/ä/ö lost, ö read as 6, ä as é, l before 6 read as I, words joined or split, a letter
misread). Activities are dropped (most come back within a few periods, some end for good, often
after a "genomförd" comment), new ones appear (from Swedish templates, at a random place in their
goal area), units move, statuses follow a Markov chain green/yellow/red with some unknown, and
comments carry time promises ("planerat till hösten 2023", "skjuts upp till våren 2024",
"klart i oktober") and completion news ("Aktiviteten är genomförd.").

Presets (``PRESETS``): ``light`` = occasional light rewording + OCR noise; ``heavy`` = frequent
rewording with several edits at once, some changing the leading verb outright, + OCR noise;
``stress`` = more of everything (no quality goal; shows where linking starts to break).
Periods follow the start period's kind (2022-Q2 → 2022-Q3 …); report dates fall 7–14 days
after the period ends.

``synthetic_start(n, seed)`` makes a starting report of any size; ``simulate_orgs`` many orgs;
``pairwise_quality`` scores a linking against ``true_id``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass, replace

import polars as pl

from pipelines.core.periods import parse_period

GOAL_AREAS = [
    "Hållbar utveckling",
    "Digital omställning",
    "Ett välmående Västmanland",
    "Ett tillgängligt Västmanland",
    "Ett konkurrenskraftigt näringsliv",
    "En attraktiv och kreativ region",
    "Ett öppet och inkluderande län",
]
UNITS = [
    "Folkhälsa",
    "Välfärd",
    "Samhällsutveckling",
    "Hållbarhet",
    "Kultur och ideell sektor",
    "Näringsliv och kompetensförsörjning",
    "Ledningsstaben",
    "Tärna folkhögskola",
]
VERBS = [
    "Genomföra",
    "Verka för",
    "Ta fram",
    "Stödja",
    "Utveckla",
    "Samordna",
    "Implementera",
    "Främja",
    "Initiera",
    "Stärka",
    "Följa upp",
    "Kartlägga",
    "Arbeta för",
    "Bidra till",
    "Förbättra",
    "Driva",
]
OBJECTS = [
    "en länsövergripande handlingsplan för suicidprevention",
    "insatser för psykisk hälsa bland unga",
    "utbyggnaden av digital infrastruktur",
    "kompetensinsatser för folkbibliotekens personal",
    "små och medelstora företags digitala omställning",
    "samordningen av Agenda 2030",
    "det regionala miljöprogrammet",
    "en regional kulturplan",
    "kollektivtrafikens tillgänglighet",
    "en länsdialog om hälsofrämjande arbetsliv",
    "fallförebyggande insatser för äldre",
    "systematisk uppföljning i socialtjänstens verksamheter",
    "vårdförlopp för kognitiv svikt vid demenssjukdom",
    "en ny samverkansöverenskommelse för barn och unga",
    "samverkan vid utskrivning från sluten hälso- och sjukvård",
    "rutiner för skolans del i SIP-samarbetet",
    "kompetensförsörjningen inom vård och omsorg",
    "ett regionalt innovationsstöd",
    "besöksnäringens utveckling",
    "bredbandsutbyggnaden på landsbygden",
    "cykelinfrastrukturen mellan tätorterna",
    "klimatanpassning i den fysiska planeringen",
    "energieffektivisering i regionens fastigheter",
    "ett hållbarhetsprogram för 2023–2030",
    "den regionala utvecklingsstrategin",
    "nyanländas etablering på arbetsmarknaden",
    "civilsamhällets organisationer",
    "folkhögskolans utbildningsutbud",
    "validering av yrkeskompetens",
    "tobaksprevention i skolan",
    "fysisk aktivitet på recept",
    "barnkonventionens tillämpning",
    "jämställdhetsintegrering i verksamheterna",
    "öppna data i offentlig sektor",
    "digitala tjänster för invånarna",
    "ett länsgemensamt näringslivsråd",
    "exportfrämjande insatser för företag",
    "en regional livsmedelsstrategi",
    "arbetet med regionala vattenplaner",
    "biblioteksplanen för länets kommuner",
    "kulturskolornas samverkan",
    "filmproduktion och filmpedagogik",
    "ett regionalt kunskapscentrum för äldres hälsa",
    "förebyggande arbete mot våld i nära relationer",
    "insatser mot alkohol och narkotika",
    "samverkan med högskolor och universitet",
    "en strategi för smart specialisering",
    "kompetensplattformens arbete",
    "statistik och analys om länets utveckling",
    "mottagandet av ensamkommande barn",
    "en plan för regional infrastruktur",
    "laddinfrastruktur för elfordon",
    "förnybar energi och biogas",
    "cirkulär ekonomi i näringslivet",
    "arbetsmarknadens matchning",
    "entreprenörskap bland unga",
    "tillgängligheten till vård på landsbygden",
    "ett regionalt forum för social ekonomi",
    "kulturarvets digitalisering",
    "idrottsrörelsens folkhälsoarbete",
    "en handlingsplan för psykisk ohälsa",
    "en regional plan för kompetensförsörjning",
    "läsfrämjande insatser för barn",
    "samverkan kring hemlöshet",
    "insatser för personer med funktionsnedsättning",
    "ett nätverk för kommunernas folkhälsostrateger",
]
QUALIFIERS = [
    "i Västmanlands län",
    "tillsammans med kommunerna",
    "inom ramen för den regionala utvecklingsstrategin",
    "med fokus på barn och unga",
    "utifrån Regional digital agenda",
    "för ökad jämlikhet i hälsa",
    "i samverkan med Länsstyrelsen",
    "på landsbygden",
    "i hela länet",
    "för att minska utanförskapet",
    "med stöd av EU-medel",
    "samt sprida goda exempel",
    "och följa upp resultaten",
    "samt genomföra kunskapshöjande insatser",
    "för äldre i ordinärt boende",
    "och stärka samverkan mellan aktörerna",
    "i enlighet med handlingsplanen",
    "för en hållbar omställning",
    "utifrån länets behov",
    "inom hälso- och sjukvården",
    "och initiera dialoger med berörda aktörer",
    "samt ta fram en uppföljningsmodell",
    "genom nätverk och seminarier",
    "från kommunal till EU-nivå",
    "",
]

# Rewording lexicon (both directions). Deliberately larger than pipelines.link.matching.SYNONYMS:
# the matcher must also survive swaps it has never heard of.
SYNONYM_PAIRS = [
    ("Genomföra", "Utföra"),
    ("Arbeta för", "Verka för"),
    ("Stödja", "Stötta"),
    ("Ta fram", "Utarbeta"),
    ("Främja", "Stimulera"),
    ("Stärka", "Förstärka"),
    ("Utveckla", "Vidareutveckla"),
    ("Samordna", "Koordinera"),
    ("Kartlägga", "Inventera"),
    ("Initiera", "Påbörja"),
    ("insatser", "åtgärder"),
    ("länsövergripande", "regiongemensam"),
    ("tillsammans med", "i samverkan med"),
    ("i hela länet", "i hela Västmanland"),
    ("ökad", "förbättrad"),
    ("handlingsplan", "åtgärdsplan"),
]
FILLER_WORDS = ["aktivt", "vidare", "gemensamt", "långsiktigt", "även", "strategiskt", "tydligt"]
SEASONS = ["våren", "sommaren", "hösten", "vintern"]
MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
PROGRESS = [
    "Pågår enligt plan.",
    "Arbetet pågår enligt projektplanen.",
    "Pågår, dialoger har genomförts med flera aktörer.",
    "Uppstart av arbetsgrupp, pågår enligt plan.",
    "Arbetet har försenats på grund av resursbrist.",
    "Avvaktar beslut om finansiering.",
    "Pågår i samverkan med kommunerna.",
]
# Status Markov chain (rows: from, columns: to green/yellow/red).
STATUS_CHAIN = {
    "green": (0.86, 0.11, 0.03),
    "yellow": (0.35, 0.52, 0.13),
    "red": (0.15, 0.35, 0.50),
}


@dataclass(frozen=True)
class SimulationSettings:
    """Per-period probabilities (per activity unless said otherwise)."""

    reword: float  # the true text changes this period
    max_edits: int  # edits per rewording (1..max_edits)
    verb_change: float  # per edit: the leading verb replaced by a different verb
    ocr: float  # the period's report was OCR'd (else clean text)
    ocr_diacritic_loss: float  # per å/ä/ö in an OCR'd report
    ocr_char_error: float  # per letter: misread
    ocr_join_split: float  # per word: joined with the next or split
    drop: float  # missing from this report (may come back)
    return_: float  # a dropped activity comes back within 1..3 periods
    end: float  # removed for good
    new: float  # new activities, as a share of the report's size
    unit_move: float
    goal_move: float
    unknown_status: float
    # a completed activity is reported again (and so reopened) the next period
    reopen_completed: float = 0.2
    # activities the start report already shows as completed leave the plan like those
    # completed later (needs a `completed` column in the start rows)
    end_start_completed: bool = False


PRESETS: dict[str, SimulationSettings] = {
    "light": SimulationSettings(
        reword=0.15,
        max_edits=1,
        verb_change=0.0,
        ocr=0.7,
        ocr_diacritic_loss=0.8,
        ocr_char_error=0.006,
        ocr_join_split=0.02,
        drop=0.03,
        return_=0.6,
        end=0.02,
        new=0.05,
        unit_move=0.03,
        goal_move=0.01,
        unknown_status=0.03,
    ),
    "heavy": SimulationSettings(
        reword=0.6,
        max_edits=3,
        verb_change=0.1,
        ocr=0.8,
        ocr_diacritic_loss=0.85,
        ocr_char_error=0.012,
        ocr_join_split=0.04,
        drop=0.05,
        return_=0.6,
        end=0.03,
        new=0.08,
        unit_move=0.06,
        goal_move=0.02,
        unknown_status=0.05,
    ),
}
# Beyond what the goals ask: most activities reworded every period, many verb changes, more
# churn. For finding where linking breaks, not a quality goal.
PRESETS["stress"] = replace(
    PRESETS["heavy"],
    reword=0.9,
    max_edits=4,
    verb_change=0.3,
    drop=0.08,
    new=0.12,
    unit_move=0.15,
)

SIM_COLUMNS = [
    "org",
    "period",
    "report_date",
    "goal_area",
    "activity",
    "unit",
    "status",
    "status_source",
    "comment",
    "source_file",
    "source_sha256",
    "source_row",
    "true_id",
]


# --------------------------------------------------------------------------- periods


def next_period(label: str) -> str:
    """The period after ``label`` of the same kind (2022-Q4 → 2023-Q1, 2022-T3 → 2023-T1)."""
    p = parse_period(label)
    if p.part == "FY":
        return f"{p.year + 1}-FY"
    kind, num = p.part[0], int(p.part[1])
    last = {"Q": 4, "T": 3, "H": 2}[kind]
    return f"{p.year + 1}-{kind}1" if num == last else f"{p.year}-{kind}{num + 1}"


def _report_date(label: str, rng: random.Random) -> dt.date:
    return parse_period(label).end + dt.timedelta(days=rng.randint(7, 14))


# --------------------------------------------------------------------------- text


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _decap(s: str) -> str:
    # keep proper nouns and acronyms ("SIP", "Västmanland") as they are
    if len(s) > 1 and s[1].isupper():
        return s
    first = s.split(" ", 1)[0]
    if first in {"Västmanlands", "Västmanland", "Regional", "Länsstyrelsen"}:
        return s
    return s[:1].lower() + s[1:]


def reword(text: str, rng: random.Random, verb_change: float = 0.0) -> str:
    """Apply one Swedish-aware rewording edit to an activity text.

    With probability ``verb_change`` the edit replaces the leading verb by another one (not a
    synonym): the hardest rewording a report makes without the activity becoming a new one."""
    ops = ["fortsatt", "synonym", "reorder", "add", "remove"]
    if rng.random() < verb_change:
        out = _op_verb(text, rng)
        if out != text:
            return out
    for _ in range(6):
        op = rng.choice(ops)
        out = _REWORD[op](text, rng)
        if out and out != text:
            return re.sub(r"\s+", " ", out).strip()
    return text


def _op_fortsatt(text: str, rng: random.Random) -> str:
    m = re.match(r"^(Fortsatt|Fortsätta att|Fortsätta)\s+(.*)$", text)
    if m:
        return _cap(m.group(2))
    return rng.choice(["Fortsatt ", "Fortsätta att "]) + _decap(text)


def _op_verb(text: str, rng: random.Random) -> str:
    m = re.match(r"^((?:Fortsatt|Fortsätta att)\s+)?(.*)$", text)
    prefix, rest = m.group(1) or "", m.group(2)
    for verb in sorted(VERBS, key=len, reverse=True):
        if rest.lower().startswith(verb.lower() + " "):
            new = rng.choice([v for v in VERBS if v != verb])
            new = new if not prefix else new.lower()
            return prefix + new + rest[len(verb) :]
    return text


def _op_synonym(text: str, rng: random.Random) -> str:
    pairs = SYNONYM_PAIRS[:]
    rng.shuffle(pairs)
    for a, b in pairs:
        for x, y in ((a, b), (b, a)):
            pat = re.compile(r"\b" + re.escape(x) + r"\b", re.IGNORECASE)
            m = pat.search(text)
            if m:
                rep = _cap(y) if m.group(0)[:1].isupper() else y.lower() if x.islower() else y
                return text[: m.start()] + rep + text[m.end() :]
    return text


def _op_reorder(text: str, rng: random.Random) -> str:
    for sep in (" samt ", " och ", ", "):
        if sep in text:
            a, b = text.split(sep, 1)
            if len(a.split()) >= 2 and len(b.split()) >= 2:
                return _cap(b.rstrip(".")) + sep + _decap(a)
    words = text.split()
    if len(words) >= 5:  # move the tail phrase forward, after the verb
        k = rng.randint(2, 3)
        return " ".join([words[0], *words[-k:], *words[1:-k]])
    return text


def _op_add(text: str, rng: random.Random) -> str:
    words = text.split()
    if sum(w.lower() in FILLER_WORDS for w in words) >= 2:  # reports do not pile up fillers
        return _op_remove(text, rng)
    at = rng.randint(1, max(1, len(words) - 1))
    return " ".join([*words[:at], rng.choice(FILLER_WORDS), *words[at:]])


_ARTICLES = {"en", "ett", "den", "det", "de"}


def _op_remove(text: str, rng: random.Random) -> str:
    """Drop a filler word or an article (what editors actually drop); never erode the content."""
    words = text.split()
    for pool in (FILLER_WORDS, _ARTICLES):
        hits = [i for i, w in enumerate(words) if i > 0 and w.lower().strip(".,") in pool]
        if hits:
            at = rng.choice(hits)
            return " ".join(words[:at] + words[at + 1 :])
    return text


_REWORD = {
    "fortsatt": _op_fortsatt,
    "synonym": _op_synonym,
    "reorder": _op_reorder,
    "add": _op_add,
    "remove": _op_remove,
}

_OCR_LOOKALIKE = {"å": "a", "ä": "a", "ö": "o", "Å": "A", "Ä": "A", "Ö": "O"}
_OCR_MISREAD = {
    "a": "e",
    "e": "c",
    "i": "l",
    "l": "i",
    "n": "m",
    "m": "n",
    "o": "a",
    "r": "n",
    "t": "f",
    "u": "v",
    "c": "e",
    "h": "b",
}


def ocr_noise(text: str, rng: random.Random, s: SimulationSettings) -> str:
    """What an OCR engine might make of ``text``: lost diacritics, look-alikes, joins, splits."""
    out = []
    for i, ch in enumerate(text):
        if ch in _OCR_LOOKALIKE and rng.random() < s.ocr_diacritic_loss:
            r = rng.random()
            if ch == "ö" and r < 0.25:
                if i > 0 and text[i - 1] == "l" and out:
                    out[-1] = "I"
                out.append("6")
            elif ch == "ä" and r < 0.15:
                out.append("é")
            elif ch == "ö" and r < 0.35:
                out.append("d")
            else:
                out.append(_OCR_LOOKALIKE[ch])
        elif ch in _OCR_MISREAD and rng.random() < s.ocr_char_error:
            out.append(_OCR_MISREAD[ch])
        else:
            out.append(ch)
    words = "".join(out).split(" ")
    merged: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        r = rng.random()
        if r < s.ocr_join_split / 2 and i + 1 < len(words):
            merged.append(w + words[i + 1])
            i += 2
            continue
        if r < s.ocr_join_split and len(w) >= 8:
            k = rng.randint(3, len(w) - 3)
            merged.extend([w[:k], w[k:]])
        else:
            merged.append(w)
        i += 1
    return " ".join(merged)


def _comment(rng: random.Random, period: str, status: str, completed: bool) -> str | None:
    if completed:
        return rng.choice(
            [
                "Aktiviteten är genomförd.",
                "Klart. Projektet avslutades med goda resultat.",
                "Handlingsplanen antogs av regionfullmäktige.",
            ]
        )
    p = parse_period(period)
    year = p.year + (1 if rng.random() < 0.4 else 0)
    r = rng.random()
    base = rng.choice(PROGRESS)
    if r < 0.15:
        return None
    if r < 0.35:
        return f"{base} Planerat till {rng.choice(SEASONS)} {year}."
    if r < 0.45 and status != "green":
        return f"Skjuts upp till {rng.choice(SEASONS)} {year + 1}."
    if r < 0.55:
        return f"{base} Klart i {rng.choice(MONTHS)}."
    return base


# --------------------------------------------------------------------------- starting reports


def _make_text(rng: random.Random, used: set[tuple[int, int]]) -> tuple[str, tuple[int, int]]:
    for _ in range(10_000):
        o, q = rng.randrange(len(OBJECTS)), rng.randrange(len(QUALIFIERS))
        if (o, q) not in used:
            break
    else:  # vocabulary exhausted: fall back to a numbered variant
        o, q = rng.randrange(len(OBJECTS)), len(used)
    used.add((o, q))
    qual = QUALIFIERS[q] if q < len(QUALIFIERS) else f"etapp {q}"
    text = f"{rng.choice(VERBS)} {OBJECTS[o]} {qual}".strip()
    return text + ("." if rng.random() < 0.5 else ""), (o, q)


def synthetic_start(
    n_activities: int, seed: int = 0, org: str = "synthetic-org", period: str = "2022-Q2"
) -> pl.DataFrame:
    """A synthetic starting report of ``n_activities`` canonical rows (with ``true_id``)."""
    rng = random.Random(f"start:{seed}:{org}")
    used: set[tuple[int, int]] = set()
    rows = []
    for i in range(n_activities):
        text, _ = _make_text(rng, used)
        status = rng.choices(["green", "yellow", "red"], weights=(0.7, 0.22, 0.08))[0]
        rows.append(
            {
                "goal_area": GOAL_AREAS[i * len(GOAL_AREAS) // max(n_activities, 1)],
                "activity": text,
                "unit": rng.choice(UNITS),
                "status": status,
                "comment": _comment(rng, period, status, False),
            }
        )
    df = pl.DataFrame(rows, schema={k: pl.String for k in rows[0]} if rows else None)
    date = _report_date(period, rng)
    return _finish_report(df, org, period, date, [f"{org}#{i + 1}" for i in range(len(rows))])


def _finish_report(
    df: pl.DataFrame, org: str, period: str, date: dt.date, true_ids: list[str]
) -> pl.DataFrame:
    source_file = f"synthetic_{org}_{period}.csv"
    digest = hashlib.sha256((source_file + "\n" + df.write_csv()).encode("utf-8")).hexdigest()
    return df.with_columns(
        pl.lit(org).alias("org"),
        pl.lit(period).alias("period"),
        pl.lit(date).alias("report_date"),
        pl.lit("reported").alias("status_source"),
        pl.lit(source_file).alias("source_file"),
        pl.lit(digest).alias("source_sha256"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("source_row"),
        pl.Series("true_id", true_ids, dtype=pl.String),
    ).select(SIM_COLUMNS)


# --------------------------------------------------------------------------- histories


@dataclass
class _Act:
    true_id: str
    text: str
    goal: str | None
    unit: str | None
    status: str
    pos: float
    away: int = 0  # periods still missing (0 = present)
    ended: bool = False
    completing: bool = False


def simulate_history(
    start: pl.DataFrame,
    n_periods: int,
    seed: int = 0,
    intensity: str | SimulationSettings = "light",
) -> pl.DataFrame:
    """``start`` plus ``n_periods - 1`` simulated follow-up periods, with ``true_id``.

        ``start`` holds one org's report (canonical rows); without ``true_id`` one is made from
        ``source_row``. The start period's rows are returned unchanged (plus ``true_id``; missing
    report metadata columns are filled in).
    """
    s = PRESETS[intensity] if isinstance(intensity, str) else intensity
    start = start.sort("source_row")
    org = start.get_column("org")[0]
    period = start.get_column("period")[0]
    rng = random.Random(f"history:{seed}:{org}:{period}")
    if "true_id" not in start.columns:
        start = start.with_columns(
            (pl.lit(f"{org}#") + pl.col("source_row").cast(pl.String)).alias("true_id")
        )
    goals = list(dict.fromkeys(g for g in start.get_column("goal_area").to_list() if g))
    goals = goals or GOAL_AREAS[:1]
    units = list(dict.fromkeys([*(u for u in start.get_column("unit").to_list() if u), *UNITS]))
    used = _used_templates(start.get_column("activity").to_list())
    acts: list[_Act] = []
    for i, r in enumerate(start.iter_rows(named=True)):
        status = r["status"] if r["status"] in STATUS_CHAIN else "green"
        act = _Act(r["true_id"], r["activity"], r["goal_area"], r["unit"], status, float(i))
        act.completing = bool(s.end_start_completed and r.get("completed"))
        acts.append(act)
    fill = {
        "report_date": pl.lit(parse_period(period).end + dt.timedelta(days=10)),
        "status_source": pl.lit("reported"),
        "comment": pl.lit(None, dtype=pl.String),
        "source_file": pl.lit(None, dtype=pl.String),
        "source_sha256": pl.lit(None, dtype=pl.String),
    }
    start = start.with_columns(v.alias(k) for k, v in fill.items() if k not in start.columns)
    frames = [start.select(SIM_COLUMNS)]
    n_new = 0
    for _ in range(n_periods - 1):
        period = next_period(period)
        ocr = rng.random() < s.ocr
        present = []
        for a in acts:
            if a.ended:
                continue
            if a.completing:  # reported done last period
                a.ended = rng.random() < 1 - s.reopen_completed
                a.completing = False
                if a.ended:
                    continue
            if a.away > 0:
                a.away -= 1
                if a.away > 0:
                    continue
            elif rng.random() < s.end:
                a.ended = True
                continue
            elif rng.random() < s.drop:
                if rng.random() < s.return_:
                    a.away = rng.randint(1, 3)
                else:
                    a.ended = True
                continue
            if rng.random() < s.reword:
                for _ in range(rng.randint(1, s.max_edits)):
                    a.text = reword(a.text, rng, s.verb_change)
            if rng.random() < s.unit_move:
                a.unit = rng.choice([u for u in units if u != a.unit] or units)
            if rng.random() < s.goal_move and len(goals) > 1:
                a.goal = rng.choice([g for g in goals if g != a.goal])
            present.append(a)
        for _ in range(_poisson(rng, s.new * max(len(present), 1))):
            n_new += 1
            text, _ = _make_text(rng, used)
            text = _avoid_existing(text, acts, rng, used)
            a = _Act(
                f"{org}#new{n_new}",
                text,
                rng.choice(goals),
                rng.choice(units),
                "green",
                rng.uniform(-0.5, len(acts) + 0.5),
            )
            acts.append(a)
            present.append(a)
        rows, ids = [], []
        order = {g: i for i, g in enumerate(goals)}
        for a in sorted(present, key=lambda a: (order.get(a.goal, 99), a.pos)):
            a.status = rng.choices(["green", "yellow", "red"], weights=STATUS_CHAIN[a.status])[0]
            status = "unknown" if rng.random() < s.unknown_status else a.status
            done = rng.random() < 0.03
            a.completing = done
            rows.append(
                {
                    "goal_area": a.goal,
                    "activity": ocr_noise(a.text, rng, s) if ocr else a.text,
                    "unit": a.unit,
                    "status": "green" if done else status,
                    "comment": _comment(rng, period, status, done),
                }
            )
            ids.append(a.true_id)
        df = pl.DataFrame(rows, schema={k: pl.String for k in SIM_COLUMNS[3:9] if k in rows[0]})
        frames.append(_finish_report(df, org, period, _report_date(period, rng), ids))
    return pl.concat(frames, how="vertical_relaxed")


def _used_templates(texts: list[str]) -> set[tuple[int, int]]:
    """(object, qualifier) template pairs already present in a report's texts."""
    used = set()
    for text in texts:
        for o, obj in enumerate(OBJECTS):
            if obj in text:
                for q, qual in enumerate(QUALIFIERS):
                    if qual in text:
                        used.add((o, q))
    return used


def _avoid_existing(text: str, acts: list[_Act], rng: random.Random, used: set) -> str:
    """New activities must not copy an existing one's object and qualifier (that would be a
    genuinely undecidable case, not a linking error)."""
    existing = {a.text for a in acts}
    while text in existing:
        text, _ = _make_text(rng, used)
    return text


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth; lam is small (a few per period)
    import math

    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def simulate_orgs(
    n_orgs: int,
    n_activities: int,
    n_periods: int,
    seed: int = 0,
    intensity: str | SimulationSettings = "light",
    start_period: str = "2022-Q2",
) -> pl.DataFrame:
    """Histories of ``n_orgs`` synthetic orgs (``synthetic-org-01`` …), one frame."""
    frames = []
    for k in range(n_orgs):
        org = f"synthetic-org-{k + 1:02d}"
        start = synthetic_start(n_activities, seed=seed * 1000 + k, org=org, period=start_period)
        frames.append(simulate_history(start, n_periods, seed=seed * 1000 + k, intensity=intensity))
    return pl.concat(frames)


# --------------------------------------------------------------------------- evaluation


def _pairs(df: pl.DataFrame, id_col: str, consecutive: bool) -> pl.DataFrame:
    """(org, earlier row, later row) pairs that one id links; consecutive periods or appearances."""
    from pipelines.core.periods import period_sort_key

    periods = sorted(set(df.get_column("period").to_list()), key=period_sort_key)
    rank = pl.DataFrame({"period": periods, "_r": list(range(len(periods)))})
    d = df.select("org", "period", "source_row", id_col).join(rank, on="period")
    # rank of each period within its org
    d = d.with_columns(pl.col("_r").rank("dense").over("org").cast(pl.Int64).alias("_k"))
    d = d.sort("org", id_col, "_k").with_columns(
        pl.col("_k").shift(1).over("org", id_col).alias("_pk"),
        pl.col("source_row").shift(1).over("org", id_col).alias("_psr"),
    )
    d = d.filter(pl.col("_pk").is_not_null())
    if consecutive:
        d = d.filter(pl.col("_k") == pl.col("_pk") + 1)
    return d.select("org", "_pk", "_psr", "_k", "source_row")


def pairwise_quality(
    linked: pl.DataFrame, truth: str = "true_id", predicted: str = "activity_id"
) -> dict[str, float]:
    """Pairwise precision/recall of links against the truth.

    ``consecutive_*``: pairs of rows in an org's consecutive periods that are the same activity.
    ``appearance_*``: pairs of an activity's consecutive appearances (gaps included, so the
    look-back counts).
    """
    out: dict[str, float] = {}
    for name, cons in (("consecutive", True), ("appearance", False)):
        t = _pairs(linked, truth, cons)
        p = _pairs(linked, predicted, cons)
        hit = p.join(t, on=list(t.columns), how="semi").height
        out[f"{name}_precision"] = hit / p.height if p.height else 1.0
        out[f"{name}_recall"] = hit / t.height if t.height else 1.0
        out[f"{name}_true_pairs"] = float(t.height)
    return out
