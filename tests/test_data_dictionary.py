"""data_lake/README.md documents every table and column the pipeline writes, with its type."""

import re
from pathlib import Path

import polars as pl

DICTIONARY = Path(__file__).resolve().parents[1] / "data_lake" / "README.md"
TABLES = ["snapshots", "quarantine", "links", "activities", "transitions", "delays", "promises"]


def documented() -> dict[str, dict[str, tuple[str, bool]]]:
    """table -> column -> (type, optional) from the dictionary's markdown tables."""
    tables, current = {}, None
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+)$", line)
        if heading:
            current = heading.group(1)
            tables[current] = {}
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if current and len(cells) == 3 and cells[0] not in {"column", "---"}:
            tables[current][cells[0]] = (cells[1], cells[2].startswith("optional"))
    return tables


def written(lake: Path, table: str) -> dict[str, str]:
    columns = {}
    for path in sorted((lake / table).rglob("*.parquet")):
        for name, dtype in pl.read_parquet_schema(path).items():
            columns.setdefault(name, str(dtype))
    return columns


def test_every_written_column_is_documented_with_its_type(demo_lake):
    docs = documented()
    for table in TABLES:
        files = written(demo_lake, table)
        assert files, f"the demo wrote no {table}"
        doc = docs[table]
        assert {c: t for c, t in files.items()} == {c: doc[c][0] for c in files if c in doc} | {
            c: "UNDOCUMENTED" for c in files if c not in doc
        }, table
        required = {c for c, (_, optional) in doc.items() if not optional}
        assert required <= set(files), (
            f"{table}: documented but not written {required - set(files)}"
        )


def test_history_file_has_the_snapshot_columns(demo_lake):
    history = pl.read_parquet_schema(demo_lake / "history" / "data.parquet")
    required = {c for c, (_, optional) in documented()["snapshots"].items() if not optional}
    assert required <= set(history)
