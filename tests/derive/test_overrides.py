"""Status overrides: parsed strictly, applied on every derivation, undone when removed; decisions
appended under a lock, atomically, never onto a file that does not parse."""

import multiprocessing
from pathlib import Path

import polars as pl
import pytest

from pipelines.core.errors import FollowupError
from pipelines.derive.overrides import (
    append_link_decision,
    append_status_decision,
    load_status_overrides,
    parse_status_overrides,
)
from pipelines.derive.tables import link_snapshots
from pipelines.link.linker import load_overrides

HEADER = "# followup-status-overrides v1\norg,period,source_row,status,reason\n"


def _rows() -> pl.DataFrame:
    """Two periods of a made-up municipality: one reported, one inferred, one absent status."""
    base = {
        "org": "kommun-norrby",
        "report_date": None,
        "goal_area": "Attraktiv kommun",
        "unit": "Kultur- och fritidsförvaltningen",
        "source_file": "x.csv",
        "source_sha256": "0" * 64,
    }
    rows = [
        ("2024-T1", 1, "Bygga ny simhall i centrum", "green", "reported", "Pågår."),
        (
            "2024-T1",
            2,
            "Införa digital bokning av lokaler",
            "unknown",
            "absent",
            "Inga avvikelser.",
        ),
        ("2024-T1", 3, "Rusta upp elljusspåret", "unknown", "absent", "Se bilaga."),
        ("2024-T2", 1, "Bygga ny simhall i centrum", "yellow", "reported", "Försenad."),
        ("2024-T2", 2, "Införa digital bokning av lokaler", "unknown", "absent", "Se bilaga."),
        ("2024-T2", 3, "Rusta upp elljusspåret", "unknown", "absent", "Se bilaga."),
    ]
    return pl.DataFrame(
        [
            {
                **base,
                "period": p,
                "source_row": r,
                "activity": a,
                "status": s,
                "status_source": src,
                "comment": c,
            }  # fmt: skip
            for p, r, a, s, src, c in rows
        ]
    ).with_columns(pl.col("report_date").cast(pl.Date))


def _row(frame: pl.DataFrame, period: str, source_row: int) -> dict:
    return frame.filter((pl.col("period") == period) & (pl.col("source_row") == source_row)).row(
        0, named=True
    )


def test_an_override_sets_the_status_and_keeps_what_was_there(tmp_path):
    path = tmp_path / "status.csv"
    path.write_text(
        HEADER
        + "kommun-norrby,2024-T2,3,red,projektet är nedlagt enligt nämnden\n"
        + "kommun-norrby,2024-T1,2,yellow,first thought\n"
        + "kommun-norrby,2024-T1,2,green,the later line wins\n",
        encoding="utf-8",
    )
    derived = link_snapshots(_rows(), status_overrides=load_status_overrides(path)).snapshots
    absent = _row(derived, "2024-T2", 3)
    assert (absent["status"], absent["status_source"]) == ("red", "override")
    assert (absent["status_before_override"], absent["status_source_before_override"]) == (
        "unknown",
        "absent",
    )
    assert absent["status_evidence"] == "projektet är nedlagt enligt nämnden"
    inferred = _row(derived, "2024-T1", 2)
    assert (inferred["status"], inferred["status_before_override"]) == ("green", "green")
    assert inferred["status_source_before_override"] == "inferred"
    untouched = _row(derived, "2024-T2", 1)
    assert untouched["status_before_override"] is None and untouched["status"] == "yellow"

    # Derived again from the rows as written back (status = override), without the file: the
    # earlier status comes back, the override does not stick.
    again = link_snapshots(derived).snapshots
    back = _row(again, "2024-T2", 3)
    assert (back["status"], back["status_source"], back["status_before_override"]) == (
        "unknown",
        "absent",
        None,
    )
    assert _row(again, "2024-T1", 2)["status_source"] == "inferred"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("kommun-norrby,2024-T2,3,blå,x", "line 3: status 'blå'"),
        ("kommun-norrby,2024-T2,tre,red,x", "line 3: source_row"),
        ("kommun-norrby,vår 2024,3,red,x", "line 3: period"),
        ("kommun-norrby,2024-T2,3,red,", "line 3: a status correction needs a reason"),
        ("kommun-norrby,2024-T2,3,red,x,y", "line 3: too many fields"),
    ],
)
def test_a_bad_line_is_named(tmp_path, line, expected):
    path = tmp_path / "status.csv"
    path.write_text(HEADER + line + "\n", encoding="utf-8")
    with pytest.raises(FollowupError, match=expected):
        load_status_overrides(path)


def test_a_decision_is_not_added_to_a_file_that_does_not_parse(tmp_path):
    path = tmp_path / "status.csv"
    broken = HEADER + "kommun-norrby,2024-T2,3,red,ok\nkommun-norrby,2024-T2,4,lila,hm\n"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(FollowupError, match="line 4"):
        append_status_decision(path, "kommun-norrby", "2024-T2", 1, "green", "klart", "Eva")
    assert path.read_text(encoding="utf-8") == broken
    links = tmp_path / "links.csv"
    bad_links = "org,action,period,source_row,activity_id\nk,approve,2024-T2,1,k:2024-T1:001\n"
    links.write_text(bad_links, encoding="utf-8")
    with pytest.raises(FollowupError, match=r"links\.csv, line 2: action 'approve'"):
        append_link_decision(links, "k", "confirm", "k:2024-T1:001", period="2024-T2", source_row=1)
    assert links.read_text(encoding="utf-8") == bad_links
    # an invalid decision is refused too, and the file stays as it was
    good = tmp_path / "status-ok.csv"
    with pytest.raises(FollowupError, match="period"):
        append_status_decision(good, "kommun-norrby", "sommaren", 1, "green", "klart", "Eva")
    assert not good.exists()


def test_a_hand_written_links_file_keeps_its_lines_and_gains_who_and_when(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text(
        "# followup-overrides v1\norg,action,period,source_row,activity_id,other_activity_id,note\n"
        "kommun-norrby,reject,2024-T2,2,kommun-norrby:2024-T1:002,,olika projekt\n",
        encoding="utf-8",
    )
    append_link_decision(
        path,
        "kommun-norrby",
        "confirm",
        "kommun-norrby:2024-T1:003",
        period="2024-T2",
        source_row=3,
        note='upprustning, "etapp 2"',
        decided_by="Åsa Öberg",
    )
    text = path.read_text(encoding="utf-8")
    assert "kommun-norrby,reject,2024-T2,2,kommun-norrby:2024-T1:002,,olika projekt\n" in text
    frame = load_overrides(path)
    assert frame["action"].to_list() == ["reject", "confirm"]
    last = frame.row(1, named=True)
    assert last["decided_by"] == "Åsa Öberg" and last["note"] == 'upprustning, "etapp 2"'
    assert last["decided_at"].startswith("20")


def _append_many(args) -> None:
    path, worker = args
    for i in range(15):
        append_status_decision(
            Path(path), "kommun-norrby", "2024-T2", worker * 100 + i, "red", f"w{worker}", "x"
        )


def test_two_writers_at_once_lose_no_decision(tmp_path):
    path = tmp_path / "status.csv"
    with multiprocessing.get_context("fork").Pool(3) as pool:
        pool.map(_append_many, [(str(path), w) for w in range(3)])
    frame = parse_status_overrides(path.read_text(encoding="utf-8"))
    assert sorted(frame["source_row"].to_list()) == sorted(
        w * 100 + i for w in range(3) for i in range(15)
    )
    assert not list(tmp_path.glob("*.tmp*"))
