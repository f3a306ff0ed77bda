"""Linking activities across periods: quality on simulated truth, determinism, look-back,
optimal assignment, bands, overrides, incremental linking."""

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pipelines.core.errors import FollowupError
from pipelines.core.periods import parse_period, period_sort_key
from pipelines.link.linker import (
    LINK_SCHEMA,
    LinkingConfig,
    LinkResult,
    _Texts,
    link_history,
    link_period,
    load_config,
    load_overrides,
    review_candidates,
    score_matrix,
)
from pipelines.synthetic.simulate import pairwise_quality, simulate_orgs

CFG = load_config()


def report(org, period, texts, goals=None, units=None, comments=None, rows=None):
    """A hand-made report: one row per text, source_row 1.. unless given."""
    n = len(texts)
    return pl.DataFrame(
        {
            "org": [org] * n,
            "period": [period] * n,
            "report_date": [parse_period(period).end + dt.timedelta(days=10)] * n,
            "goal_area": goals or ["Ett välmående Västmanland"] * n,
            "activity": texts,
            "unit": units or ["Folkhälsa"] * n,
            "status": ["green"] * n,
            "comment": comments or [None] * n,
            "source_row": rows or list(range(1, n + 1)),
        },
        schema_overrides={"comment": pl.String, "goal_area": pl.String, "unit": pl.String},
    )


def ids(result, period):
    return (
        result.snapshots_with_ids.filter(pl.col("period") == period)
        .sort("source_row")
        .get_column("activity_id")
        .to_list()
    )


def link_of(result, period, source_row):
    return result.links.filter(
        (pl.col("period") == period) & (pl.col("source_row") == source_row)
    ).row(0, named=True)


# --------------------------------------------------------------------------- quality


@pytest.fixture(scope="module")
def light_history():
    return simulate_orgs(2, 120, 6, seed=11, intensity="light")


@pytest.fixture(scope="module")
def heavy_history():
    return simulate_orgs(2, 120, 6, seed=12, intensity="heavy")


def test_quality_light(light_history):
    q = pairwise_quality(link_history(light_history).snapshots_with_ids)
    assert q["consecutive_true_pairs"] > 1000
    assert q["consecutive_precision"] >= 0.97
    assert q["consecutive_recall"] >= 0.97
    assert q["appearance_precision"] >= 0.97
    assert q["appearance_recall"] >= 0.97


def test_quality_heavy(heavy_history):
    q = pairwise_quality(link_history(heavy_history).snapshots_with_ids)
    assert q["consecutive_precision"] >= 0.90
    assert q["consecutive_recall"] >= 0.90
    assert q["appearance_recall"] >= 0.90


def test_output_tables_follow_the_contract(light_history):
    res = link_history(light_history)
    assert res.links.schema == pl.Schema(LINK_SCHEMA)
    assert res.activities.columns == [
        "org",
        "activity_id",
        "canonical_text",
        "goal_area",
        "unit",
        "first_period",
        "last_period",
        "periods_seen",
    ]
    assert res.activities.schema["periods_seen"] == pl.Int64
    assert res.snapshots_with_ids.height == light_history.height
    assert res.snapshots_with_ids.get_column("activity_id").null_count() == 0
    assert set(res.links.get_column("method").unique()) <= {"exact", "fuzzy", "override", "new"}
    # one row per activity and period at most
    dup = res.snapshots_with_ids.group_by("org", "period", "activity_id").len()
    assert dup.get_column("len").max() == 1
    # new links have no source period, linked ones do
    new = res.links.filter(pl.col("method") == "new")
    assert new.get_column("matched_from_period").null_count() == new.height
    linked = res.links.filter(pl.col("method") != "new")
    assert linked.get_column("matched_from_period").null_count() == 0
    # periods_seen agrees with the snapshots
    counts = res.snapshots_with_ids.group_by("org", "activity_id").len()
    joined = res.activities.join(counts, on=["org", "activity_id"])
    assert (joined.get_column("len") == joined.get_column("periods_seen")).all()


# --------------------------------------------------------------------------- determinism


def test_same_ids_whatever_the_row_and_period_order(light_history):
    base = link_history(light_history)
    periods = light_history.get_column("period").unique().sort(descending=True).to_list()
    reordered = pl.concat(
        [
            light_history.filter(pl.col("period") == p).sample(fraction=1.0, shuffle=True, seed=3)
            for p in periods
        ]
    )
    other = link_history(reordered)
    key = ["org", "period", "source_row"]
    assert other.links.sort(key).equals(base.links.sort(key))
    assert other.activities.sort("org", "activity_id").equals(
        base.activities.sort("org", "activity_id")
    )
    again = link_history(light_history)
    assert again.links.equals(base.links)


def test_ids_derive_from_first_appearance(light_history):
    res = link_history(light_history)
    first = res.links.filter(pl.col("method") == "new").with_columns(
        (
            pl.col("org")
            + ":"
            + pl.col("period")
            + ":"
            + pl.col("source_row").cast(pl.String).str.zfill(3)
        ).alias("expected")
    )
    assert (first.get_column("expected") == first.get_column("activity_id")).all()


def test_incremental_link_period_equals_full_history(light_history):
    periods = sorted(light_history.get_column("period").unique().to_list(), key=period_sort_key)
    head = light_history.filter(pl.col("period") != periods[-1])
    tail = light_history.filter(pl.col("period") == periods[-1])
    full = link_history(light_history)
    part = link_history(head)
    inc = link_period(part, tail)
    key = ["org", "period", "source_row"]
    assert inc.links.sort(key).equals(full.links.sort(key))
    assert inc.activities.sort("org", "activity_id").equals(
        full.activities.sort("org", "activity_id")
    )
    # ids of the earlier periods never change when a period is added
    old = part.links.select(*key, "activity_id")
    assert old.join(inc.links.select(*key, "activity_id"), on=key).height == old.height
    assert old.sort(key).equals(
        inc.links.filter(pl.col("period") != periods[-1]).select(*key, "activity_id").sort(key)
    )
    with pytest.raises(FollowupError, match="not after the latest"):
        link_period(full, head.filter(pl.col("period") == periods[0]))


def test_periods_ordered_by_period_not_string():
    # "2022-FY" < "2022-Q3" as strings, but the year ends after the third quarter
    texts = ["Ta fram en regional kulturplan", "Stödja civilsamhällets organisationer"]
    df = pl.concat([report("r", "2022-FY", texts), report("r", "2022-Q3", texts[:1])])
    res = link_history(df)
    assert ids(res, "2022-FY")[0] == "r:2022-Q3:001"
    assert link_of(res, "2022-FY", 1)["matched_from_period"] == "2022-Q3"
    act = res.activities.filter(pl.col("activity_id") == "r:2022-Q3:001").row(0, named=True)
    assert (act["first_period"], act["last_period"], act["periods_seen"]) == (
        "2022-Q3",
        "2022-FY",
        2,
    )


def test_orgs_never_link_to_each_other():
    text = ["Genomföra en länsdialog kring hälsofrämjande arbetsliv"]
    df = pl.concat(
        [report("a", "2022-Q2", text), report("b", "2022-Q3", text), report("a", "2022-Q3", text)]
    )
    res = link_history(df)
    assert sorted(ids(res, "2022-Q3")) == ["a:2022-Q2:001", "b:2022-Q3:001"]
    b = res.links.filter(pl.col("org") == "b").row(0, named=True)
    assert b["method"] == "new" and b["activity_id"] == "b:2022-Q3:001"


# --------------------------------------------------------------------------- matching behaviour


def test_exact_after_ocr_and_fuzzy_after_rewording():
    q2 = report(
        "r",
        "2022-Q2",
        [
            "Verka för en ökad finansiering för digitalisering",
            "Fortsatt verka för att främja digitalisering inom regionalt tillväxtarbete",
        ],
    )
    q3 = report(
        "r",
        "2022-Q3",
        [
            "Verka for en 6kad finansiering for digitalisering",
            "Verka för att främja digitaliseringen inom det regionala tillväxtarbetet",
        ],
    )
    res = link_history(pl.concat([q2, q3]))
    assert ids(res, "2022-Q3") == ids(res, "2022-Q2")
    first, second = link_of(res, "2022-Q3", 1), link_of(res, "2022-Q3", 2)
    assert (first["method"], first["score"], first["needs_review"]) == ("exact", 100.0, False)
    assert second["method"] == "fuzzy" and not second["needs_review"]


def test_lookback_keeps_the_id_across_a_gap():
    a = "Ta fram en länsövergripande handlingsplan för att förebygga suicid"
    b = "Stödja systematisk uppföljning i socialtjänstens verksamheter"
    df = pl.concat(
        [
            report("r", "2022-Q2", [a, b]),
            report("r", "2022-Q3", [b]),
            report("r", "2022-Q4", [b]),
            report("r", "2023-Q1", [b, a]),
        ]
    )
    res = link_history(df)
    back = link_of(res, "2023-Q1", 2)
    assert back["activity_id"] == "r:2022-Q2:001"
    assert back["matched_from_period"] == "2022-Q2"
    # beyond the look-back the activity is new
    res0 = link_history(df, config=LinkingConfig(lookback_periods=1))
    assert link_of(res0, "2023-Q1", 2)["method"] == "new"


def _greedy(matrix, threshold):
    pairs, used_r, used_c = [], set(), set()
    for flat in np.argsort(-matrix, axis=None, kind="stable"):
        r, c = np.unravel_index(flat, matrix.shape)
        if matrix[r, c] >= threshold and r not in used_r and c not in used_c:
            pairs.append((int(r), int(c)))
            used_r.add(r)
            used_c.add(c)
    return pairs


def test_optimal_assignment_beats_greedy():
    goal = "Ett välmående Västmanland"
    prev_texts = [
        "Stödja systematisk uppföljning i socialtjänstens verksamheter",
        "Stödja och främja systematisk uppföljning i socialtjänstens verksamheter i hela länet",
    ]
    cur_texts = [
        "Stödja och främja systematisk uppföljning i socialtjänstens verksamheter",
        "Stödja systematisk uppföljning i socialtjänsten",
    ]
    prev_goals, cur_goals = [goal, None], [goal, None]
    codes = {}
    none = [None, None]
    m = score_matrix(
        _Texts.build(cur_texts, cur_goals, none, none, codes),
        _Texts.build(prev_texts, prev_goals, none, none, codes),
        CFG,
    )
    greedy = _greedy(np.clip(m, 0, 100), CFG.review)
    # the case is a real trap: greedy links fewer rows than the optimum can
    assert len(greedy) == 1
    assert m[0, 1] >= CFG.review and m[1, 0] >= CFG.review
    df = pl.concat(
        [
            report("r", "2022-Q2", prev_texts, goals=prev_goals),
            report("r", "2022-Q3", cur_texts, goals=cur_goals),
        ]
    )
    res = link_history(df)
    assert ids(res, "2022-Q3") == ["r:2022-Q2:002", "r:2022-Q2:001"]


def _pair_score(a, b):
    """The score the linker gives b (this period) against a (last period), as in ``report``."""
    codes = {}
    one, unit = [None], ["Folkhälsa"]
    rows = _Texts.build([b], one, unit, one, codes)
    cands = _Texts.build([a], one, unit, one, codes)
    return float(np.clip(score_matrix(rows, cands, CFG), 0, 100)[0, 0])


@pytest.mark.parametrize("band", ["accept", "review", "new"])
def test_three_bands(band):
    """Bands follow the probability: automatic from accept_probability, flagged below it; a row
    under every threshold stays new but is offered its candidate in the review queue."""
    a = "Genomföra en länsdialog kring hälsofrämjande och inkluderande arbetsliv"
    b = "Anordna länsdialog om inkluderande arbetsliv"
    s = _pair_score(a, b)
    assert 20 < s < 99
    df = pl.concat(
        [report("r", "2022-Q2", [a], goals=[None]), report("r", "2022-Q3", [b], goals=[None])]
    )
    p = link_of(link_history(df, config=LinkingConfig(review=s - 1)), "2022-Q3", 1)["probability"]
    assert 0.05 < p < 0.999
    cfg = {
        "accept": LinkingConfig(review=s - 1, accept_probability=p - 0.001),
        "review": LinkingConfig(review=s - 1, accept_probability=p + 0.001),
        "new": LinkingConfig(
            accept=s + 2, review=s + 1, residual_probability=p + 0.001, accept_probability=1.0
        ),
    }[band]
    link = link_of(link_history(df, config=cfg), "2022-Q3", 1)
    assert link["probability"] == pytest.approx(p)
    if band == "new":
        assert (link["method"], link["activity_id"]) == ("new", "r:2022-Q3:001")
        assert link["needs_review"] is True
        assert link["alternative_ids"] == ["r:2022-Q2:001"]
    else:
        assert link["score"] == pytest.approx(s, abs=0.01)
        assert (link["method"], link["activity_id"]) == ("fuzzy", "r:2022-Q2:001")
        assert link["needs_review"] is (band == "review")


def test_unit_and_goal_area_break_a_tie():
    text = "Ta fram lokala handlingsplaner"
    q2 = report("r", "2022-Q2", [text, text], units=["Folkhälsa", "Välfärd"], goals=["A", "B"])
    q3 = report("r", "2022-Q3", [text, text], units=["Välfärd", "Folkhälsa"], goals=["B", "A"])
    res = link_history(pl.concat([q2, q3]))
    assert ids(res, "2022-Q3") == ["r:2022-Q2:002", "r:2022-Q2:001"]


# --------------------------------------------------------------------------- overrides


def _three_periods():
    return pl.concat(
        [
            report(
                "r",
                "2022-Q2",
                ["Ta fram en regional kulturplan", "Stödja civilsamhällets organisationer"],
            ),
            report(
                "r",
                "2022-Q3",
                ["Ta fram en regional kulturplan", "Stödja civilsamhällets organisationer"],
            ),
            report(
                "r",
                "2022-Q4",
                ["Ta fram regional kulturplan 2024", "Utveckla folkhögskolans utbildningsutbud"],
            ),
        ]
    )


def write(tmp_path, text, name="overrides.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEADER = (
    "# followup-overrides v1\norg,action,period,source_row,activity_id,other_activity_id,note\n"
)


def test_confirm_forces_a_row_onto_an_activity(tmp_path):
    base = link_history(_three_periods())
    assert link_of(base, "2022-Q4", 2)["method"] == "new"
    ov = load_overrides(write(tmp_path, HEADER + "r,confirm,2022-Q4,2,r:2022-Q2:002,,renamed\n"))
    res = link_history(_three_periods(), overrides=ov)
    link = link_of(res, "2022-Q4", 2)
    assert (link["activity_id"], link["method"], link["needs_review"]) == (
        "r:2022-Q2:002",
        "override",
        False,
    )
    assert link["matched_from_period"] == "2022-Q3"


def test_reject_takes_the_next_best_or_new(tmp_path):
    base = link_history(_three_periods())
    assert link_of(base, "2022-Q4", 1)["activity_id"] == "r:2022-Q2:001"
    ov = load_overrides(write(tmp_path, HEADER + "r,reject,2022-Q4,1,r:2022-Q2:001,,a new plan\n"))
    res = link_history(_three_periods(), overrides=ov)
    link = link_of(res, "2022-Q4", 1)
    assert link["activity_id"] == "r:2022-Q4:001" and link["method"] == "new"


def test_merge_maps_the_later_id_onto_the_earlier(tmp_path):
    base = link_history(_three_periods())
    assert link_of(base, "2022-Q4", 2)["activity_id"] == "r:2022-Q4:002"
    # given in either column order, the id that appeared first is kept
    ov = load_overrides(write(tmp_path, HEADER + "r,merge,,,r:2022-Q4:002,r:2022-Q2:002,same\n"))
    res = link_history(_three_periods(), overrides=ov)
    assert "r:2022-Q4:002" not in res.links.get_column("activity_id").to_list()
    link = link_of(res, "2022-Q4", 2)
    assert (link["activity_id"], link["method"], link["matched_from_period"]) == (
        "r:2022-Q2:002",
        "override",
        "2022-Q3",
    )
    act = res.activities.filter(pl.col("activity_id") == "r:2022-Q2:002").row(0, named=True)
    assert (
        act["periods_seen"] == 3
        and act["canonical_text"] == "Utveckla folkhögskolans utbildningsutbud"
    )
    assert res.activities.height == base.activities.height - 1
    assert "r:2022-Q4:002" not in res.snapshots_with_ids.get_column("activity_id").to_list()


def test_merge_of_ids_in_the_same_report_is_an_error(tmp_path):
    ov = load_overrides(write(tmp_path, HEADER + "r,merge,,,r:2022-Q2:001,r:2022-Q2:002,\n"))
    with pytest.raises(FollowupError, match="both appear"):
        link_history(_three_periods(), overrides=ov)


def test_overrides_survive_a_rerun_and_incremental_linking(tmp_path):
    ov = load_overrides(write(tmp_path, HEADER + "r,confirm,2022-Q4,2,r:2022-Q2:002,,\n"))
    df = _three_periods()
    full = link_history(df, overrides=ov)
    inc = link_period(
        link_history(df.filter(pl.col("period") != "2022-Q4"), overrides=ov),
        df.filter(pl.col("period") == "2022-Q4"),
        overrides=ov,
    )
    assert inc.links.equals(full.links)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + "r,delete,2022-Q4,1,x,,\n", "action 'delete'"),
        (HEADER + "r,confirm,2022-Q4,one,x,,\n", "source_row"),
        (HEADER + "r,confirm,Q4,1,x,,\n", "period label"),
        (HEADER + "r,merge,,,x,,\n", "other_activity_id"),
        ("# followup-overrides v9\norg,action,activity_id\n", "version"),
        ("org,action,period,row\n", "missing column"),
        (HEADER + "r,confirm,2022-Q4,1,,,\n", "activity_id are required"),
    ],
)
def test_malformed_overrides_raise_followup_error(tmp_path, text, message):
    with pytest.raises(FollowupError, match=message):
        load_overrides(write(tmp_path, text))


def test_overrides_file_without_version_line_and_blank_lines(tmp_path):
    text = (
        "org,action,period,source_row,activity_id,other_activity_id,note\n"
        '\nr,reject,2022-Q4,1,r:2022-Q2:001,,"a, b"\n'
    )
    ov = load_overrides(write(tmp_path, text))
    assert ov.height == 1 and ov.row(0, named=True)["note"] == "a, b"
    assert load_overrides(write(tmp_path, HEADER)).is_empty()


# --------------------------------------------------------------------------- review


def test_review_candidates_side_by_side():
    a = "Genomföra en länsdialog kring hälsofrämjande och inkluderande arbetsliv"
    b = "Anordna länsdialog om inkluderande arbetsliv"
    s = _pair_score(a, b)
    cfg = LinkingConfig(accept=s + 1, review=s - 1, accept_probability=1.0)
    df = pl.concat(
        [
            report(
                "r",
                "2022-Q2",
                [a, "Stödja civilsamhällets organisationer", "Ta fram en kulturplan"],
                goals=[None] * 3,
            ),
            report("r", "2022-Q3", [b], goals=[None]),
        ]
    )
    res = link_history(df, config=cfg)
    assert res.links.get_column("needs_review").sum() == 1
    rc = review_candidates(res.links, res.snapshots_with_ids, n=2, config=cfg)
    assert rc.height == 2
    assert rc.get_column("rank").to_list() == [1, 2]
    top = rc.row(0, named=True)
    assert top["candidate_activity_id"] == "r:2022-Q2:001" and top["is_current"]
    assert top["activity"] == b and top["candidate_text"] == a
    assert top["candidate_score"] == pytest.approx(s, abs=0.01)
    link = res.links.filter(pl.col("period") == "2022-Q3").row(0, named=True)
    assert top["candidate_probability"] == pytest.approx(link["probability"], abs=1e-4)
    assert rc.row(1, named=True)["candidate_probability"] <= top["candidate_probability"]
    assert "länsdialog" in link["evidence"] or "lansdialog" in link["evidence"]


# --------------------------------------------------------------------------- input and config


def test_bad_input_raises_followup_error():
    df = report("r", "2022-Q2", ["a", "b"], rows=[1, 1])
    with pytest.raises(FollowupError, match="source_row 1 appears 2 times"):
        link_history(df)
    with pytest.raises(FollowupError, match="lack column"):
        link_history(df.drop("activity"))
    with pytest.raises(FollowupError, match="without source_row"):
        link_history(report("r", "2022-Q2", ["a", "b"], rows=[1, None]))


def test_config_file_next_to_the_code(tmp_path):
    default = load_config()
    assert default == LinkingConfig()  # the shipped file documents the defaults
    assert Path("pipelines/link/linking.yaml").exists()
    p = tmp_path / "l.yaml"
    p.write_text("accept: 95\nlookback_periods: 1\n", encoding="utf-8")
    assert load_config(p) == LinkingConfig(accept=95, lookback_periods=1)
    p.write_text("acept: 95\n", encoding="utf-8")
    with pytest.raises(FollowupError, match="unknown key"):
        load_config(p)
    p.write_text("accept: 70\nreview: 80\n", encoding="utf-8")
    with pytest.raises(FollowupError, match="review"):
        load_config(p)


# Activities of the real report (region-vastmanland 2022-07-07), transcribed from its OCR text
# with å/ä/ö restored: a realistic starting point whose texts share many words.
REAL_START = [
    ("Hållbar utveckling", "Genomföra projektet Omställning Västmanland", "Hållbarhet"),
    (
        "Hållbar utveckling",
        "Genomföra projektet Berättelsens kraft för en hållbar omställning.",
        "Kultur och ideell sektor",
    ),
    ("Hållbar utveckling", "Samordna insatser utifrån Miljöprogrammet (2018-2022)", "Hållbarhet"),
    ("Hållbar utveckling", "Samordning av Agenda 2030", "Hållbarhet"),
    (
        "Hållbar utveckling",
        "Framtagande av Region Västmanlands hållbarhetsprogram 2023-2030",
        "Hållbarhet",
    ),
    (
        "Digital omställning",
        "Fortsatt verka för att främja digitalisering inom regionalt tillväxtarbete.",
        "Samhällsutveckling",
    ),
    (
        "Digital omställning",
        "Fortsatt samverka och verka för en ökad utbyggnad av digital infrastruktur och för en "
        "ökad användning av digitala tjänster i Västmanlands län.",
        "Samhällsutveckling",
    ),
    (
        "Digital omställning",
        "Verka för en ökad finansiering för digitalisering och utbyggnad av digital "
        "infrastruktur från kommunal till EU-nivå.",
        "Samhällsutveckling",
    ),
    (
        "Digital omställning",
        "Genomföra kompetensinsatser för att stärka folkbibliotekens digitala kompetens.",
        "Kultur och ideell sektor",
    ),
    (
        "Digital omställning",
        "Stödja små och medelstora företag i den digitala omställningen.",
        "Näringsliv och kompetensförsörjning",
    ),
    (
        "Ett välmående Västmanland",
        "Verka för en länsdialog med fokus hälsofrämjande och sjukdomsförebyggande arbetet.",
        "Folkhälsa",
    ),
    (
        "Ett välmående Västmanland",
        "Genomföra en länsdialog kring hälsofrämjande och inkluderande arbetsliv.",
        "Folkhälsa",
    ),
    (
        "Ett välmående Västmanland",
        "Ta fram en länsövergripande handlingsplan för att förebygga suicid samt genomföra "
        "kunskapshöjande insatser för att främja psykisk hälsa.",
        "Folkhälsa",
    ),
    (
        "Ett välmående Västmanland",
        "Ta fram länsövergripande handlingsplan för att förebygga psykisk ohälsa.",
        "Folkhälsa",
    ),
    (
        "Ett välmående Västmanland",
        "Stödja och främja systematisk uppföljning i socialtjänstens verksamheter.",
        "Välfärd",
    ),
    (
        "Ett välmående Västmanland",
        "Framtagande av regionala rutiner till samverkansöverenskommelse barn och unga.",
        "Välfärd",
    ),
    (
        "Ett välmående Västmanland",
        "Framtagande av ny samverkansöverenskommelse gällande vuxna.",
        "Välfärd",
    ),
    (
        "Ett välmående Västmanland",
        "Leda arbetet med Språkfrö Västmanland.",
        "Kultur och ideell sektor",
    ),
    (
        "Ett välmående Västmanland",
        "Leda arbetet med Bokstart Västmanland.",
        "Kultur och ideell sektor",
    ),
    (
        "Ett tillgängligt Västmanland",
        "Inleda arbetet med att upprätta en ny regional gång- och cykelstrategi.",
        "Samhällsutveckling",
    ),
]


@pytest.mark.parametrize(("preset", "bar"), [("light", 0.97), ("heavy", 0.90)])
def test_quality_from_the_real_reports_activities(preset, bar):
    from pipelines.synthetic.simulate import simulate_history

    goals, texts, units = (list(x) for x in zip(*REAL_START, strict=True))
    start = report("region-vastmanland", "2022-Q2", texts, goals=goals, units=units)
    # one org per seed, so the four histories never meet
    hist = pl.concat(
        simulate_history(start, 8, seed=s, intensity=preset).with_columns(
            pl.lit(f"region-vastmanland-{s}").alias("org")
        )
        for s in range(4)
    )
    q = pairwise_quality(link_history(hist).snapshots_with_ids)
    assert q["consecutive_true_pairs"] > 400
    assert q["consecutive_precision"] >= bar
    assert q["consecutive_recall"] >= bar


def test_the_documented_overrides_example_loads(tmp_path):
    import pipelines.link.linker as linking

    doc = linking.__doc__
    overrides = doc.split("Overrides (``load_overrides``)", 1)[1]
    block = overrides.split("::", 1)[1].split("- ``confirm``", 1)[0]
    lines = [line.strip() for line in block.strip().splitlines()]
    ov = load_overrides(write(tmp_path, "\n".join([HEADER.splitlines()[0], *lines]) + "\n"))
    assert ov.get_column("action").to_list() == ["confirm", "reject", "merge"]
    assert ov.row(2, named=True)["note"] == "same activity, new unit"


def _split_at(history: pl.DataFrame, n_new: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    periods = sorted(history.get_column("period").unique().to_list(), key=period_sort_key)
    new = periods[-n_new:]
    return history.filter(~pl.col("period").is_in(new)), history.filter(pl.col("period").is_in(new))


def _assert_same_result(a, b) -> None:
    """Same rows, same columns, same order (not only the same set)."""
    for name in ("links", "activities", "snapshots_with_ids"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.columns == y.columns, name
        assert x.equals(y), name


@pytest.mark.parametrize("n_new", [1, 2])
def test_link_period_gives_link_history_in_the_same_order(light_history, n_new):
    # link_period extends the earlier result instead of re-sorting and re-deriving it all
    head, tail = _split_at(light_history, n_new)
    shuffled_tail = tail.sample(fraction=1.0, shuffle=True, seed=3)
    inc = link_period(link_history(head), shuffled_tail)
    _assert_same_result(inc, link_history(light_history))


def test_link_period_on_a_history_in_another_order_sorts_it_in_full(light_history):
    head, tail = _split_at(light_history, 1)
    part = link_history(head)
    shuffled = LinkResult(
        links=part.links.sample(fraction=1.0, shuffle=True, seed=1),
        activities=part.activities.sample(fraction=1.0, shuffle=True, seed=2),
        snapshots_with_ids=part.snapshots_with_ids.sample(fraction=1.0, shuffle=True, seed=3),
    )
    _assert_same_result(link_period(shuffled, tail), link_history(light_history))


def test_link_period_with_periods_whose_string_order_differs():
    # "2022-FY" sorts before "2022-Q3" as a string but ends after it
    texts = ["Ta fram en regional kulturplan", "Stödja civilsamhällets organisationer"]
    df = pl.concat(
        [
            report("r", "2022-Q3", texts),
            report("r", "2022-FY", texts[:1]),
            report("s", "2022-Q3", texts[1:]),
            report("r", "2023-Q1", [*texts, "Utveckla kollektivtrafiken"]),
        ]
    )
    head = df.filter(pl.col("period") != "2023-Q1")
    part = link_history(head)
    as_strings = LinkResult(
        links=part.links.sort("org", "period", "source_row"),
        activities=part.activities,
        snapshots_with_ids=part.snapshots_with_ids.sort("org", "period", "source_row"),
    )
    tail = df.filter(pl.col("period") == "2023-Q1")
    for history in (part, as_strings):
        _assert_same_result(link_period(history, tail), link_history(df))


# --------------------------------------------------------------------------- evidence linker


def test_a_unit_renamed_as_a_whole_is_no_move():
    """Every activity of one unit appears under a new unit name at once: a rename. The reworded
    one's evidence says the unit is the same, and it links without review."""
    old_unit, new_unit = "Vård- och omsorgsförvaltningen", "Äldreförvaltningen"
    texts = [
        "Erbjuda hälsosamtal till alla 75-åringar",
        "Införa trygghetskameror för nattillsyn",
        "Genomföra en brukarundersökning inom hemtjänsten",
    ]
    q1 = report(
        "k",
        "2024-Q1",
        [*texts, "Minska antalet fallolyckor på särskilda boenden"],
        goals=["Omsorg"] * 4,
        units=[old_unit] * 3 + [old_unit],
    )
    q2 = report(
        "k",
        "2024-Q2",
        [*texts, "Förebygga fall på äldreboenden"],
        goals=["Omsorg"] * 4,
        units=[new_unit] * 4,
    )
    # every link not on exact text is flagged here, so each carries its evidence
    res = link_history(pl.concat([q1, q2]), config=LinkingConfig(accept_probability=1.0))
    assert ids(res, "2024-Q2") == ids(res, "2024-Q1")
    moved = link_of(res, "2024-Q2", 4)
    assert moved["method"] == "fuzzy" and "unit same" in moved["evidence"]


def test_residual_round_links_what_vanished_to_what_appeared():
    q1 = report(
        "k",
        "2024-Q1",
        ["Minska väntetiderna till första besök på vårdcentralerna", "Införa digitala vårdmöten"],
        units=["Nära vård"] * 2,
    )
    q2 = report(
        "k",
        "2024-Q2",
        [
            "Kortare väntan på första besök på vårdcentralen",
            "Digitala vårdmöten ska erbjudas vid alla vårdcentraler",
        ],
        units=["Nära vård"] * 2,
    )
    res = link_history(pl.concat([q1, q2]), config=LinkingConfig())
    assert ids(res, "2024-Q2") == ids(res, "2024-Q1")
    assert all(
        p is not None and p > 0.3
        for p in res.links.filter(pl.col("period") == "2024-Q2").get_column("probability")
    )


def test_look_alikes_with_other_ages_stay_apart():
    q1 = report("k", "2024-Q1", ["Erbjuda screening för livmoderhalscancer till kvinnor 23–29 år"])
    q2 = report("k", "2024-Q2", ["Erbjuda screening för livmoderhalscancer till kvinnor 30–64 år"])
    link = link_of(link_history(pl.concat([q1, q2])), "2024-Q2", 1)
    assert link["method"] == "new"  # offered for review, never linked automatically
    assert link["needs_review"] and link["alternative_ids"] == ["k:2024-Q1:001"]
    assert "numbers differ" in link["evidence"]
