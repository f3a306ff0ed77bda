"""The derived tables through the real CLI and Dagster runs: ingestion order does not matter,
and the analysts' overrides file wins over scores."""

import polars as pl

from pipelines.cli import main
from pipelines.query import History
from tests.reliability.lake_state import lake_files

PERIODS = {
    "2022-Q2": (
        "2022-07-07",
        [
            (
                "Ta fram en handlingsplan för suicidprevention",
                "Grönt",
                "Pågår enligt plan, klart till hösten 2022.",
            ),
            ("Stödja små företag i den digitala omställningen", "Gult", "Försenad."),
            ("Utveckla Karlsgatan 2 som mötesplats", "Grönt", "Pågår."),
        ],
    ),
    "2022-Q3": (
        "2022-10-12",
        [
            (
                "Ta fram en handlingsplan för suicidprevention",
                "Gult",
                "Försenad, skjuts upp till våren 2023.",
            ),
            (
                "Stödja små och medelstora företag i den digitala omställningen",
                "Rött",
                "Kommer inte att genomföras i år.",
            ),
            ("Inventera kulturarvet i länet", "Grönt", "Pågår enligt plan."),
        ],
    ),
    "2022-Q4": (
        "2023-01-12",
        [
            ("Ta fram en handlingsplan för suicidprevention", "Gult", "Fortfarande försenad."),
            ("Utveckla Karlsgatan 2 som mötesplats", "Grönt", "Aktiviteten är genomförd."),
        ],
    ),
}


def write_reports(folder):
    paths = {}
    for period, (date, rows) in PERIODS.items():
        path = folder / f"region-t_{period}_{date}.csv"
        lines = ["Målområde;Aktivitet;Verksamhet;Status;Kommentar"]
        lines += [f"Ett välmående län;{a};Folkhälsa;{s};{c}" for a, s, c in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths[period] = path
    return paths


TABLES = ["links", "activities", "transitions", "delays", "promises"]


def derived(lake) -> dict[str, str]:
    files = lake_files(lake)
    return {k: v for k, v in files.items() if k.split("/")[0] in TABLES}


def test_out_of_order_ingestion_gives_the_same_tables(tmp_path):
    paths = write_reports(tmp_path)
    in_order, reverse = tmp_path / "a", tmp_path / "b"
    for period in ["2022-Q2", "2022-Q3", "2022-Q4"]:
        assert (
            main(["ingest", str(paths[period]), "--org", "region-t", "--lake", str(in_order)]) == 0
        )
    for period in ["2022-Q4", "2022-Q2", "2022-Q3"]:
        assert (
            main(["ingest", str(paths[period]), "--org", "region-t", "--lake", str(reverse)]) == 0
        )
    assert derived(in_order) == derived(reverse)
    assert len(derived(in_order)) == len(TABLES)

    q = History(in_order)
    plan = "region-t:2022-Q2:001"
    changes = q.transitions().filter(pl.col("activity_id") == plan).sort("to_period").collect()
    assert changes.select("to_period", "change").rows() == [
        ("2022-Q2", "new"),
        ("2022-Q3", "worsened"),
        ("2022-Q4", "unchanged"),
    ]
    delay = q.delays().filter(pl.col("activity_id") == plan).sort("period").collect()
    assert delay["periods_off_plan"].to_list() == [0, 1, 2]
    promise = q.promises().filter(pl.col("activity_id") == plan).sort("period").collect()
    assert promise.select("expression", "outcome").row(0) == ("till hösten 2022", "moved")
    small = q.transitions().filter(pl.col("activity_id") == "region-t:2022-Q2:002").collect()
    assert set(small["change"]) == {"new", "worsened", "dropped"}  # reworded, still linked


def test_overrides_file_wins_over_scores(tmp_path):
    paths = write_reports(tmp_path)
    lake = tmp_path / "lake"
    for period in ["2022-Q2", "2022-Q3"]:
        assert main(["ingest", str(paths[period]), "--org", "region-t", "--lake", str(lake)]) == 0
    links = History(lake).links().collect()
    linked = links.filter((pl.col("period") == "2022-Q3") & (pl.col("source_row") == 2))
    assert linked["activity_id"].item() == "region-t:2022-Q2:002"  # by score
    (lake / "overrides").mkdir()
    (lake / "overrides" / "links.csv").write_text(
        "# followup-overrides v1\norg,action,period,source_row,activity_id,other_activity_id,"
        "note\nregion-t,reject,2022-Q3,2,region-t:2022-Q2:002,,a different project\n",
        encoding="utf-8",
    )
    assert main(["ingest", str(paths["2022-Q4"]), "--org", "region-t", "--lake", str(lake)]) == 0
    links = History(lake).links().collect()
    row = links.filter((pl.col("period") == "2022-Q3") & (pl.col("source_row") == 2)).row(
        0, named=True
    )
    assert row["activity_id"] == "region-t:2022-Q3:002" and row["method"] == "new"
    snapshot = History(lake).snapshots("region-t", "2022-Q3").collect()
    assert snapshot.filter(pl.col("source_row") == 2)["activity_id"].item() == row["activity_id"]
